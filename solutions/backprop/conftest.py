"""pytest's settings for the public tests of backprop (you need not read or change this).

* Every file you write must be here as a Python module: a missing one, or a notebook in its
  place, stops the run with one line saying which file and what to do.
* A function that is not written yet fails its tests with one line,
  ``<function> (<file>) is not written yet``, instead of a traceback.
* Each test has a time limit, 40 s (set ``PUBLIC_TEST_TIME_LIMIT_S`` to change
  it): a test that runs longer, an endless loop for example, fails with a message naming
  the function of yours it was running.
"""
import os
import signal
import sys
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STUDENT_FILES = ['activations.py', 'layers.py', 'network.py']   # the files you write
TIME_LIMIT_S = float(os.environ.get("PUBLIC_TEST_TIME_LIMIT_S", "40"))
NOT_WRITTEN = " is not written yet"


def _problem_with(name):
    """One line if the module ``name`` is missing or is a notebook, else None."""
    path = HERE / name
    notebook = path.with_suffix(".ipynb")
    if not path.is_file():
        if notebook.is_file():
            return (f"{name} is missing, but {notebook.name} is here: the tests import the module {name}, "
                    f"not a notebook; put your code in {name} (in Jupyter: File > Save and Export Notebook As "
                    f"> Executable Script, then rename it {name})")
        return f"{name} is missing from {HERE}: the tests import it; it must sit next to conftest.py"
    head = path.read_bytes()[:4000]
    if head.lstrip().startswith(b"{") and b'"cells"' in head:
        return f"{name} holds a Jupyter notebook, not Python code: copy your code into {name} as plain Python"
    return None


def pytest_sessionstart(session):
    problems = [problem for problem in map(_problem_with, STUDENT_FILES) if problem]
    if problems:
        pytest.exit("\n".join(problems), returncode=4)


def _yours(frame):
    """The innermost frame running code of a file you write, as 'Class.method (file.py)'."""
    found = None
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.parent == HERE and path.name in STUDENT_FILES:
            found = f"{getattr(frame.f_code, 'co_qualname', frame.f_code.co_name)} ({path.name})"
            break
        frame = frame.f_back
    return found


class TimeLimit(Exception):
    """A test ran over the time limit."""


def _on_alarm(signum, frame):
    where = _yours(frame)
    place = f" inside {where}" if where else ""
    raise TimeLimit(f"this test ran for more than {TIME_LIMIT_S:g} s and was stopped{place}: "
                    "an endless loop? (PUBLIC_TEST_TIME_LIMIT_S changes the limit)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if alarm and TIME_LIMIT_S > 0:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        yield
    finally:
        if alarm and TIME_LIMIT_S > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or report.passed:
        return
    error = call.excinfo.value
    if isinstance(error, NotImplementedError) and NOT_WRITTEN in str(error):
        report.longrepr = f"NotImplementedError: {str(error).split(': replace this line')[0]}"
    elif isinstance(error, TimeLimit):
        report.longrepr = f"TimeLimit: {error}"


if not hasattr(signal, "SIGALRM"):  # Windows: no alarm; stop the whole run after the limit instead
    import faulthandler

    def pytest_runtest_setup(item):
        if TIME_LIMIT_S > 0:
            faulthandler.dump_traceback_later(TIME_LIMIT_S, exit=True)

    def pytest_runtest_teardown(item):
        faulthandler.cancel_dump_traceback_later()
