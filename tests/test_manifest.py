"""The manifest, source/, the public tests and the hidden suite agree, task id by task id.

One task id runs from the solution cell's ``grade_id`` to a pytest marker on the public
tests to the hidden tests that name it in the manifest, and to their points rows.
"""
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import config
from coursebuild.sources import ASSIGNMENTS, SOURCE

REPO = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^# %% nbgrader=(\{.*\})\s*$", re.M)


def _solution_cells(assignment):
    """{grade_id: file name} of every solution cell in source/<assignment>/."""
    cells = {}
    for path in sorted((SOURCE / assignment).glob("*.py")):
        for header in CELL.findall(path.read_text(encoding="utf-8")):
            metadata = json.loads(header)
            if metadata.get("solution"):
                assert metadata["grade_id"] not in cells, f"grade_id {metadata['grade_id']} is used twice"
                cells[metadata["grade_id"]] = path.name
    return cells


def test_the_assignments_are_the_manifests():
    manifests = sorted(p.parent.name for p in SOURCE.glob("*/assignment.toml"))
    assert manifests == sorted(ASSIGNMENTS) == config.names()
    assert not list((REPO / "autograder" / "suites").glob("*/points.toml")), "points live in the manifest"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_task_is_a_solution_cell_of_its_file(assignment):
    tasks = config.load(assignment).tasks
    assert {task: entry["file"] for task, entry in tasks.items()} == _solution_cells(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_suite_is_the_points_table(assignment):
    settings = config.load(assignment)
    found = sorted(node.name for path in settings.folder.glob("test_*.py")
                   for node in ast.parse(path.read_text(encoding="utf-8")).body
                   if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"))
    assert found == sorted(settings.tests)
    covered = {task for entry in settings.tests.values() for task in entry.tasks}
    written = {task for task, entry in settings.tasks.items() if entry["file"] in settings.modules}
    assert written <= covered, f"tasks no hidden test grades: {sorted(written - covered)}"


def _collected(folder, *arguments):
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *arguments], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_tests_carry_task_markers(assignment):
    """In the student version, `pytest -m TASK` selects tests for every task a student module
    holds, and no public test is left without a task marker."""
    folder = REPO / "assignments" / assignment
    settings = config.load(assignment)
    ini = (folder / "pytest.ini").read_text()
    written = [task for task, entry in settings.tasks.items() if entry["file"] in settings.modules]
    for task in settings.tasks:
        assert f"\n    {task}: " in ini, f"pytest.ini of {assignment} does not register the marker {task}"
    for task in written:
        assert _collected(folder, "-m", task), f"`pytest -m {task}` selects no public test of {assignment}"
    unmarked = _collected(folder, "-m", "not (" + " or ".join(settings.tasks) + ")")
    assert not unmarked, f"public tests of {assignment} without a task marker: {unmarked}"
