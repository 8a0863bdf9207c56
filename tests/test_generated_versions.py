"""assignments/ and solutions/ are generated from source/: regenerating them changes nothing."""
import filecmp
import shutil
from pathlib import Path

import jupytext
import pytest

from coursebuild import sources
from coursebuild.regions import is_solution_only_cell
from coursebuild.sources import ASSIGNMENTS, list_sources
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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_only_cells_are_in_the_solution_version_only(assignment):
    """Every code line of a cell tagged solution_only is in the solution's file and in no student file."""
    student = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "assignments" / assignment).rglob("*.py"))
    student += "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "assignments" / assignment).rglob("*.ipynb"))
    for source in list_sources(assignment):
        if source.kind == "verbatim":
            continue
        cells = [cell for cell in jupytext.read(source.path, fmt="py:percent").cells if is_solution_only_cell(cell)]
        lines = {line.strip() for cell in cells if cell.cell_type == "code" for line in cell.source.splitlines()
                 if len(line.strip()) > 30}
        solution = (REPO / "solutions" / assignment / source.relative).with_suffix(
            ".ipynb" if source.kind == "notebook" else ".py").read_text(encoding="utf-8")
        for line in sorted(lines):
            assert line in solution, f"{source.relative}: {line!r} is missing from the solution version"
            assert line not in student, f"{source.relative}: the student version holds {line!r}"


def test_solution_only_files_go_into_the_solution_version_only(tmp_path, monkeypatch):
    """Files under source/<a>/solution_only/ land in the solution version at their path below that
    folder (a module there is built like any module), and never in the student version."""
    copy = tmp_path / "source" / "backprop"
    shutil.copytree(REPO / "source" / "backprop", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "solution_only" / "tests").mkdir(parents=True)
    (copy / "solution_only" / "tests" / "test_extra.py").write_text("def test_extra():\n    assert True\n")
    (copy / "solution_only" / "notes.py").write_text('# %%\n"""Notes for the solution only."""\nANSWER = 42\n')
    monkeypatch.setattr(sources, "assignment_dir", lambda assignment: copy)
    solution = build_solution("backprop", tmp_path / "solutions" / "backprop")
    student = build_student("backprop", tmp_path / "assignments" / "backprop")
    assert (solution / "tests" / "test_extra.py").read_text() == "def test_extra():\n    assert True\n"
    assert (solution / "notes.py").read_text() == '"""Notes for the solution only."""\nANSWER = 42\n'
    assert not (student / "notes.py").exists() and not (student / "tests" / "test_extra.py").exists()
    assert not list(solution.rglob("solution_only")) and not list(student.rglob("solution_only"))
    (copy / "solution_only" / "network.py").write_text("x = 1\n")
    with pytest.raises(SystemExit, match="repeats network.py"):
        build_solution("backprop", tmp_path / "again")
