"""The pytest plugin of one grading run: the session's fixtures and each test's outcome.

``runner.run_suite`` registers one ``Collector`` per submission. Besides recording
outcomes, the plugin object provides the fixtures that come from the grading session
(pytest collects ``@pytest.fixture`` methods of registered plugin objects):

``student``:    the submission, reached only through the sandboxed worker (a
                ``remote.Student``).
``input_seed``: this submission's seed (variants.py: course secret + submission sha256).

The suites' own helpers (``cases``, ``rng``, ...) live in ``suites/conftest.py``, which
imports nothing of this module or of the runner. A test that used ``cases`` earns the
weight of its passed checks over its plan's; the misconceptions its failures matched
(``cases.named``) go to ``misconceptions``.
"""
import pytest

MAX_OUTPUT = 6000


class Collector:
    """pytest plugin: checks the points table against the suite and records each outcome."""

    def __init__(self, assignment, student):
        self.assignment = assignment
        self.student = student
        self.outcomes = {}   # test name -> (fraction, message)
        self.docs = {}
        self.config_problem = None
        self.skipped = set()  # tests left out with --skip: -k may deselect them before this plugin looks
        self.misconceptions = {}  # test name -> {named misconception: count} (suites/conftest.py's cases)

    # -- fixtures for the suites -----------------------------------------------------------
    @pytest.fixture(scope="session", name="student")
    def student_fixture(self):
        return self.student

    @pytest.fixture(scope="session", name="input_seed")
    def input_seed_fixture(self):
        return self.student.input_seed

    # -- hooks -----------------------------------------------------------------------------
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
        if cases is not None and cases.named:
            self.misconceptions[name] = dict(cases.named)
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
