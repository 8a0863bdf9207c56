"""Each assignment's public tests pass on its solution and fail cleanly on the untouched stubs.

Both versions are copied out of the repository first, as a student unzips them: the public
tests must need nothing else from this repository.
"""
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

import pytest

from coursebuild.sources import ASSIGNMENTS
from notebooks import copy_version


def _run_public_tests(folder):
    report = folder / "report.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )
    cases = ElementTree.parse(report).getroot().iter("testcase")
    return done, list(cases)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_tests_pass_on_the_solution(assignment, tmp_path):
    done, cases = _run_public_tests(copy_version("solutions", assignment, tmp_path))
    assert done.returncode == 0, f"public tests fail on solutions/{assignment}:\n{done.stdout[-4000:]}"
    assert len(cases) >= 5, f"solutions/{assignment} has only {len(cases)} public tests"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_tests_fail_on_stubs_with_not_implemented(assignment, tmp_path):
    done, cases = _run_public_tests(copy_version("assignments", assignment, tmp_path))
    assert done.returncode == 1, f"expected failures on the stubs of {assignment}:\n{done.stdout[-4000:]}"
    assert "error" not in done.stdout.splitlines()[-1], f"collection errors (import errors?):\n{done.stdout[-4000:]}"
    failed = [case for case in cases if case.find("failure") is not None or case.find("error") is not None]
    assert failed, "no public test failed on the stubs"
    for case in failed:
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        message = (problem.get("message") or "") + (problem.text or "")
        assert "NotImplementedError" in message and "is not written yet" in message, (
            f"{case.get('classname')}::{case.get('name')} failed on the stubs for another reason than "
            f"a stub's NotImplementedError:\n{message[-1500:]}"
        )


def test_stub_runs_print_at_most_400_lines(tmp_path):
    """An untouched student version's `pytest` output is short: one line per unwritten stub."""
    for assignment in ASSIGNMENTS:
        folder = copy_version("assignments", assignment, tmp_path)
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=folder,
                              capture_output=True, text=True, timeout=600)
        lines = (done.stdout + done.stderr).splitlines()
        assert done.returncode == 1 and len(lines) <= 400, f"{assignment}: {len(lines)} lines:\n" + "\n".join(lines[:60])
        assert "Traceback" not in done.stdout and "checks.py" not in done.stdout


def test_an_endless_loop_fails_within_the_time_limit_naming_the_function(tmp_path):
    folder = copy_version("solutions", "optimizers", tmp_path)
    sgd = folder / "sgd.py"
    text = sgd.read_text()
    marker = "    def step(self, x, grad_fn):"
    assert marker in text
    sgd.write_text(text.replace(marker, marker + "\n        while True:\n            pass", 1))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "sgd", "-x"], cwd=folder,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PUBLIC_TEST_TIME_LIMIT_S": "2"})
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stdout[-2000:]
    assert "ran for more than 2 s and was stopped inside SGD.step (sgd.py)" in done.stdout, done.stdout[-2000:]
    assert seconds < 30, f"pytest took {seconds:.0f} s with a 2-s limit per test"


def test_a_notebook_in_place_of_a_module_is_named(tmp_path):
    folder = copy_version("assignments", "backprop", tmp_path)
    (folder / "network.py").unlink()
    shutil.copyfile(folder / "vanishing_gradients.ipynb", folder / "network.ipynb")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "network.py is missing, but network.ipynb is here" in output, output[-2000:]
    assert len(output.splitlines()) < 10 and "Traceback" not in output, output
