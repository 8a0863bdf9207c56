"""Each assignment's public tests pass on its solution and fail cleanly on the untouched stubs.

Both versions are copied out of the repository first, as a student unzips them: the public
tests must need nothing else from this repository.
"""
import subprocess
import sys
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
