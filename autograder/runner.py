"""Grade one submission: run the hidden suite in this (grader) process and build the results.

The suite's tests reach student code only through the ``student`` fixture (a
``remote.Student``), so nothing from the submission is imported here. Points come from
the assignment's manifest (``source/<assignment>/assignment.toml``); a test that uses the ``cases`` fixture earns the
fraction of its checks that passed (partial credit) if it ran to its end.
"""
import contextlib
import io
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from . import config, sandbox, submission, variants
from .remote import Student
from .submission import SubmissionError, collect_files, submission_digest  # noqa: F401 (re-exported)

SESSION = pytest.StashKey()
SUITES = config.SUITES
MAX_OUTPUT = 6000


def suite_uses_torch(assignment):
    """True if a module of the assignment's hidden suite mentions torch."""
    return any("torch" in path.read_text(encoding="utf-8") for path in assignment.folder.glob("*.py"))


def preload_torch(assignment):
    """Start importing torch in a background thread if the suite uses it and it is not loaded
    yet (a cold ``grade``): the import, about a second, then overlaps the worker's start-up
    and the tests that do not need torch, and a test that does waits for it on the import
    lock. A warm grader (serve.py) has torch loaded already."""
    if "torch" in sys.modules or not suite_uses_torch(assignment):
        return

    def load():
        try:
            import torch  # noqa: F401
        except ImportError:
            pass  # the test that needs it reports the problem

    threading.Thread(target=load, name="preload-torch", daemon=True).start()


class Collector:
    """pytest plugin: checks the points table against the suite and records each outcome."""

    def __init__(self, assignment, student):
        self.assignment = assignment
        self.student = student
        self.outcomes = {}   # test name -> (fraction, message)
        self.docs = {}
        self.config_problem = None
        self.skipped = set()  # tests left out with --skip: -k may deselect them before this plugin looks
        self.misconceptions = {}  # test name -> {named misconception: count} (suites/conftest.py)

    def pytest_configure(self, config):
        config.stash[SESSION] = self

    def pytest_collection_modifyitems(self, items):
        found = [item.originalname for item in items]
        table = set(self.assignment.tests)
        extra, missing = set(found) - table, table - set(found) - self.skipped
        if extra or missing or len(found) != len(set(found)):
            self.config_problem = (f"the manifest of {self.assignment.name} does not match its suite: "
                                   f"not in the table {sorted(extra)}, not in the suite {sorted(missing)}")
        for item in items:
            doc = (item.function.__doc__ or "").strip().splitlines()
            self.docs[item.originalname] = doc[0] if doc else ""
        # Visible tests first: the one worker serves every test, so student code could
        # otherwise stash what a hidden test sent it and show it in a visible test's output.
        items[:] = sorted(items, key=lambda item: self._hidden(item.originalname))

    def _hidden(self, name):
        entry = self.assignment.tests.get(name)
        return entry is None or entry.visibility != "visible"

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        name = item.originalname
        if call.when == "setup" and call.excinfo is not None:
            self.outcomes[name] = (0.0, _message(call.excinfo))
        if call.when != "call":
            return
        cases = item.funcargs.get("cases")
        if call.excinfo is not None:
            text = _message(call.excinfo)
            if cases is not None and cases.total:
                text = cases.summary() + "\nThe test stopped early:\n" + text
            self.outcomes[name] = (0.0, text)
        elif cases is not None and cases.failures:
            self.outcomes[name] = (cases.passed / cases.total, cases.summary())
            report.outcome = "failed"
            report.longrepr = cases.summary()
        else:
            self.outcomes[name] = (1.0, cases.summary() if cases is not None and cases.total else "")


def _message(excinfo):
    error = excinfo.value
    if isinstance(error, AssertionError):
        text = _without_rewrite(str(error))
    else:
        text = f"{type(error).__name__}: {error} (while checking the result)"
    return text[:MAX_OUTPUT]


def _without_rewrite(text):
    """Drop pytest's "assert x >= y / where ..." explanation after a written message."""
    head, marker, _ = text.partition("\nassert ")
    return head if marker and head.strip() else text


def run_suite(assignment_name, submission_path, extra=None, skip=()):
    """Grade the submission at ``submission_path`` (a folder or a zip) against the hidden
    suite of ``assignment_name``; returns the Gradescope results dict. Tests named in
    ``skip`` are not run and earn nothing. Raises KeyError (unknown assignment) or
    SubmissionError."""
    with submission.opened(submission_path) as submission_dir:
        return _run_suite(assignment_name, submission_dir, extra, skip)


def _run_suite(assignment_name, submission_dir, extra, skip):
    from .results import make_results

    started = time.monotonic()
    assignment = config.load(assignment_name)
    preload_torch(assignment)
    unknown = set(skip) - set(assignment.tests)
    if unknown:
        raise SubmissionError(f"--skip names no test of {assignment_name}: {sorted(unknown)}")
    files, notes = collect_files(assignment, submission_dir)
    mode = sandbox.choose_mode(private=[SUITES])
    limits = sandbox.rlimits(assignment.memory_mb, assignment.cpu_s)
    student = Student(files, limits, assignment.call_timeout_s, assignment.total_budget_s,
                      mode, threads=assignment.threads)
    student.input_seed, seed_note = variants.choose_seed(submission.digest(files))
    collector = Collector(assignment, student)
    collector.skipped = set(skip)
    args = [str(assignment.folder), "-c", str(SUITES / "pytest.ini"), "--rootdir", str(SUITES),
            "--confcutdir", str(SUITES), "-p", "no:cacheprovider", "-p", "no:terminal",
            # its clean-up runs a full gc.collect(): about 0.8 s once torch is loaded, for a
            # warning nobody reads (warnings are ignored here)
            "-p", "no:unraisableexception",
            "-W", "ignore", "-o", "console_output_style=classic"]
    if skip:
        args += ["-k", " and ".join(f"not {name}" for name in skip)]
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main(args, plugins=[collector])
    finally:
        student.close()
    if student.infrastructure_error:
        raise sandbox.SandboxError(student.infrastructure_error)
    if collector.config_problem:
        raise config.ConfigError(collector.config_problem)
    tests = []
    for name, entry in assignment.tests.items():
        not_run = "left out with --skip" if name in skip else "the test did not run"
        fraction, message = collector.outcomes.get(name, (0.0, not_run))
        doc = collector.docs.get(name, "")
        tests.append({
            "name": f"{name}: {doc}" if doc else name,
            "score": round(entry.points * fraction, 4),
            "max_score": entry.points,
            "status": "passed" if fraction == 1.0 else "failed",
            "output": message,
            "visibility": entry.visibility,
            "extra_data": {"test": name},
        })
    passed = sum(t["status"] == "passed" for t in tests)
    lines = [f"{assignment_name}: {passed} of {len(tests)} tests passed.", sandbox.describe_mode(mode)]
    lines += notes + [seed_note]
    # the restart count stays out of the visible output: hidden tests could steer it
    extra = {"assignment": assignment_name, "sandbox": mode, "worker_restarts": student.restarts,
             "submission_sha256": submission.digest(files), "input_seed": student.input_seed,
             "misconceptions": collector.misconceptions, **(extra or {})}
    return make_results(tests, "\n".join(lines), time.monotonic() - started, extra)
