"""assignments/ and solutions/ are generated from source/: regenerating them changes nothing."""
import filecmp
from pathlib import Path

import pytest

from coursebuild.sources import ASSIGNMENTS
from coursebuild.versions import SUITE_CHECKS, build_solution, build_student, suite_checks_text

REPO = Path(__file__).resolve().parents[1]


def _tree(root):
    return sorted(
        str(p.relative_to(root)) for p in Path(root).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
    )


def _assert_same_tree(generated, committed, command):
    assert committed.is_dir(), f"{committed} is missing: run `{command}` and commit it"
    assert _tree(generated) == _tree(committed), f"{committed} lists other files than `{command}` writes"
    changed = [name for name in _tree(generated) if not filecmp.cmp(generated / name, committed / name, shallow=False)]
    assert not changed, f"{committed}: {changed} differ from what `{command}` generates; run it, never edit by hand"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_is_generated(assignment, tmp_path):
    generated = build_student(assignment, tmp_path / assignment)
    _assert_same_tree(generated, REPO / "assignments" / assignment, "make student")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_version_is_generated(assignment, tmp_path):
    generated = build_solution(assignment, tmp_path / assignment)
    _assert_same_tree(generated, REPO / "solutions" / assignment, "make solutions")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_modules_are_clean_stubs(assignment):
    for module in (REPO / "assignments" / assignment).glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for leftover in ("# %%", "nbgrader", "BEGIN SOLUTION", "END SOLUTION", "raise NotImplementedError()"):
            assert leftover not in text, f"{module}: generated module still holds {leftover!r}"
    for module in (REPO / "solutions" / assignment).glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for leftover in ("# %%", "nbgrader", "BEGIN SOLUTION", "END SOLUTION", "NotImplementedError("):
            assert leftover not in text, f"{module}: solution module still holds {leftover!r}"


def test_suite_checks_are_generated():
    """The hidden suites use the student bundles' checks library, one copy of one source."""
    assert SUITE_CHECKS.is_file(), f"{SUITE_CHECKS} is missing: run `make student` and commit it"
    assert SUITE_CHECKS.read_text(encoding="utf-8") == suite_checks_text(), (
        f"{SUITE_CHECKS.relative_to(REPO)} differs from source/_common/checks.py; run `make student`, never edit it by hand")
