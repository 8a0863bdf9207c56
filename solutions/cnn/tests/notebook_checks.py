"""``check("sigmoid")``: run the public tests of one or more tasks from a notebook cell.

The notebook's test cells call it (``nbgrader validate`` runs them): it runs
``pytest -m "<task> or <task>"`` on the files in this folder, in a fresh interpreter (so an
edit of your module counts without restarting the kernel), and prints one line per task
group, then each failed test with its message, never a traceback. When a test fails,
``check`` raises ``ChecksFailed``, whose whole display is one line, so the cell is marked
failed and ``nbgrader validate`` reports it.
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent  # the assignment's folder (tests/ is below it)
SHOWN_FAILURES = 4                                 # failed tests printed in full; the others counted
MESSAGE_LINES = 8                                  # lines of each failure's message
TIMEOUT_S = 600
_NOT_WRITTEN = " is not written yet"


class ChecksFailed(AssertionError):
    """Some public tests of the checked tasks fail; Jupyter shows only this one line."""

    def _render_traceback_(self):
        return [f"ChecksFailed: {self}"]


def _cases(report):
    """[(test id, failure message or None)] from pytest's JUnit XML report."""
    cases = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problem = next((case.find(tag) for tag in ("failure", "error") if case.find(tag) is not None), None)
        parts = [p for p in case.get("classname", "").split(".") if p]
        if parts and parts[0] == "tests":
            parts = parts[1:]
        name = "::".join([f"tests/{parts[0]}.py", *parts[1:], case.get("name", "?")] if parts else [case.get("name", "?")])
        if case.find("skipped") is not None:
            continue
        cases.append((name, None if problem is None else (problem.get("message") or problem.text or "failed")))
    return cases


def waiting_for(messages):
    """The stubs named by NotImplementedError messages, in order, each once."""
    stubs = []
    for message in messages:
        for line in message.splitlines():
            if _NOT_WRITTEN in line:
                stub = line.split(_NOT_WRITTEN)[0].split("NotImplementedError: ")[-1].strip()
                if stub not in stubs:
                    stubs.append(stub)
    return stubs


def check(*tasks):
    """Run the public tests of ``tasks`` (task ids of the manifest, e.g. ``"sigmoid"``).

    Prints ``<tasks>: N of M public tests pass`` and the failed tests with their messages;
    raises ``ChecksFailed`` (one line) unless all of them pass.
    """
    if not tasks:
        raise ValueError('check() needs at least one task id, e.g. check("sigmoid")')
    label = ", ".join(tasks)
    with tempfile.TemporaryDirectory(prefix="check-") as scratch:
        report = Path(scratch) / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no",
                   "-m", " or ".join(tasks), f"--junitxml={report}"]
        env = {key: value for key, value in os.environ.items() if not key.startswith("NBGRADER_")}
        env.setdefault("MPLBACKEND", "Agg")
        try:
            done = subprocess.run(command, cwd=FOLDER, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            raise ChecksFailed(f"{label}: the public tests ran for over {TIMEOUT_S} s; "
                               f"run `pytest -m \"{' or '.join(tasks)}\"` in a terminal to see which") from None
        if not report.is_file():
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            raise ChecksFailed(f"{label}: pytest could not run the tests: {' / '.join(tail)}")
        cases = _cases(report)
    if not cases:
        raise ChecksFailed(f"{label}: no public test carries this task's marker (pytest -m {' or '.join(tasks)})")
    failed = [(name, message) for name, message in cases if message is not None]
    print(f"{label}: {len(cases) - len(failed)} of {len(cases)} public tests pass")
    if not failed:
        return
    stubs = waiting_for(message for _, message in failed)
    wrong = [(name, message) for name, message in failed if _NOT_WRITTEN not in message]
    for name, message in wrong[:SHOWN_FAILURES]:
        lines = message.strip().splitlines()
        print(f"  FAILED {name}")
        for line in lines[:MESSAGE_LINES]:
            print(f"      {line}")
        if len(lines) > MESSAGE_LINES:
            print(f"      ... ({len(lines) - MESSAGE_LINES} more lines: run pytest {name})")
    if len(wrong) > SHOWN_FAILURES:
        print(f"  ... and {len(wrong) - SHOWN_FAILURES} more failed tests: run pytest -m \"{' or '.join(tasks)}\"")
    if stubs:
        print(f"  {len(failed) - len(wrong)} tests reach a function that is not written yet: {', '.join(stubs)}")
    raise ChecksFailed(f"{len(failed)} of {len(cases)} public tests of {label} fail")
