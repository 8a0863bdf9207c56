"""Grade one submission: run the hidden suite in this (grader) process and build the results.

The suite's tests reach student code only through the ``student`` fixture (a
``remote.Student``, provided by the pytest plugin of plugin.py), so nothing from the
submission is imported here. Points come from the assignment's manifest
(``source/<assignment>/assignment.toml``); a test that uses the ``cases`` fixture earns the
weight of its passed checks over its plan's (partial credit), wherever it stopped.
"""
import contextlib
import io
import os
import sys
import threading
import time

import pytest

from .. import config, sandbox, submission, variants
from .plugin import Collector
from .remote import Student
from ..submission import SubmissionError, collect_files

SUITES = config.SUITES


def suite_uses_torch(assignment):
    """True if a module of the assignment's hidden suite mentions torch."""
    return any("torch" in path.read_text(encoding="utf-8") for path in assignment.folder.glob("*.py"))


def preload_torch(assignment):
    """Start importing torch in a background thread if the suite uses it and it is not loaded
    yet (a cold ``grade``): the import, about a second, then overlaps the worker's start-up
    and the tests that do not need torch, and a test that does waits for it on the import
    lock. A warm grader (batch/serve.py) has torch loaded already."""
    if "torch" in sys.modules or not suite_uses_torch(assignment):
        return

    def load():
        try:
            import torch  # noqa: F401
        except ImportError:
            pass  # the test that needs it reports the problem

    threading.Thread(target=load, name="preload-torch", daemon=True).start()


def visible_summary(assignment_name, tests):
    """The results' first line: it counts the visible tests only, so it tells nothing about a
    test that is hidden until after the due date."""
    visible = [t for t in tests if t["visibility"] == "visible"]
    passed = sum(t["status"] == "passed" for t in visible)
    line = f"{assignment_name}: {passed} of {len(visible)} visible tests passed."
    hidden = len(tests) - len(visible)
    return line + (f" {hidden} more test(s) are shown after the due date." if hidden else "")


def grade_to_file(assignment_name, submission_path, out, student=None, skip=()):
    """Grade one submission and write its results atomically: the one path that ``grade``,
    the warm graders and (through ``grade``) the cold ``grade-all`` and the demo share.
    Returns the results dict; raises SubmissionError, SandboxError, ConfigError or OSError."""
    from ..outputs.results import write_results

    results = run_suite(assignment_name, submission_path, {"student": student} if student else {}, skip=skip)
    write_results(out, results)
    return results


def run_suite(assignment_name, submission_path, extra=None, skip=()):
    """Grade the submission at ``submission_path`` (a folder or a zip) against the hidden
    suite of ``assignment_name``; returns the Gradescope results dict. Tests named in
    ``skip`` are not run and earn nothing. Raises KeyError (unknown assignment) or
    SubmissionError."""
    allowed = set(config.load(assignment_name).allowed_files)
    with submission.opened(submission_path, allowed) as submission_dir:
        return _run_suite(assignment_name, submission_dir, extra, skip)


def _run_suite(assignment_name, submission_dir, extra, skip):
    from ..outputs.results import make_results

    started = time.monotonic()
    assignment = config.load(assignment_name)
    preload_torch(assignment)
    unknown = set(skip) - set(assignment.tests)
    if unknown:
        raise SubmissionError(f"--skip names no test of {assignment_name}: {sorted(unknown)}")
    files, notes = collect_files(assignment, submission_dir)
    mode = sandbox.choose_mode(private=config.private_paths(assignment))
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
    lines = [visible_summary(assignment_name, tests), sandbox.describe_mode(mode)]
    lines += notes + [seed_note]
    # the restart count stays out of the visible output: hidden tests could steer it
    extra = {"assignment": assignment_name, "sandbox": mode, "worker_restarts": student.restarts,
             "submission_sha256": submission.digest(files), "input_seed": student.input_seed,
             "misconceptions": collector.misconceptions, **(extra or {})}
    if student.review:
        extra["review"] = student.review
    return make_results(tests, "\n".join(lines), time.monotonic() - started, extra)
