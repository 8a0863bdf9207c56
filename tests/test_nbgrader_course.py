"""nbgrader as the course runs it, with nbgrader's own commands.

* Every notebook's test cells are worth what the hidden tests of their tasks are worth, and
  together they cover every task that has points.
* ``nbgrader validate`` reports failures on every stub notebook and success on every
  solution notebook.
* End to end on backprop: ``python -m coursebuild nbgrader-course`` (source, release,
  gradebook.db with a roster) → ``nbgrader release_assignment`` → ``fetch_assignment`` and
  ``submit`` as two students → ``nbgrader collect`` → ``grade-all --nbgrader-db`` → the
  scores, the timestamps and a late penalty in gradebook.db, where formgrader reads them.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.outputs.nbgrader_gradebook import check_cells, late_penalty, task_points
from coursebuild.sources import ASSIGNMENTS

REPO = Path(__file__).resolve().parents[1]
NBGRADER = [sys.executable, "-m", "nbgrader"]


def _run(command, cwd, env=None, timeout=300):
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_carry_the_points_of_their_tasks(assignment):
    shares = task_points(assignment)
    notebooks = sorted((REPO / "solutions" / assignment).glob("*.ipynb"))
    assert notebooks, f"solutions/{assignment} has no notebook"
    covered = set()
    for path in notebooks:
        cells = check_cells(path)
        points = {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
                  for cell in nbformat.read(path, as_version=4).cells if cell.metadata.get("nbgrader", {}).get("grade")}
        assert cells.keys() == points.keys(), f"{path.name}: every test cell must call check(...)"
        for grade_id, tasks in cells.items():
            unknown = set(tasks) - set(shares)
            assert not unknown, f"{path.name}: {grade_id} checks tasks without hidden tests: {unknown}"
            expected = sum(shares[t] for t in tasks)
            assert points[grade_id] == pytest.approx(expected), (
                f"{path.name}: test cell {grade_id} (check{tuple(tasks)}) has {points[grade_id]} points; "
                f"its tasks' hidden tests are worth {expected:g}")
            covered |= set(tasks)
    assert covered == {t for t, p in shares.items() if p > 0}, f"tasks without a test cell: {set(shares) - covered}"


def test_late_policy():
    assert late_penalty(80, 100, 0, "per_day", 0.1) == 0
    assert late_penalty(80, 100, 1, "per_day", 0.1) == 10            # a started day
    assert late_penalty(80, 100, 86400 * 2 + 1, "per_day", 0.1) == 30
    assert late_penalty(20, 100, 86400 * 5, "per_day", 0.1) == 20    # never more than the score
    assert late_penalty(80, 100, 3600, "zero", 0) == 80
    assert late_penalty(80, 100, 3600, "none", 0) == 0


@pytest.mark.parametrize("version, verdict", [("assignments", "VALIDATION FAILED"), ("solutions", "Success!")])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate(assignment, version, verdict, tmp_path):
    work = tmp_path / assignment
    shutil.copytree(REPO / version / assignment, work)
    env = {"MPLBACKEND": "Agg"}
    if assignment == "cnn":
        env["CIFAR10_DIR"] = os.environ.get("CIFAR10_DIR", "")
    for notebook in sorted(work.glob("*.ipynb")):
        done = _run([*NBGRADER, "validate", notebook.name], work, env)
        assert verdict in done.stdout, f"nbgrader validate {version}/{assignment}/{notebook.name}:\n{done.stdout[-3000:]}"
        if version == "assignments":
            assert "is not written yet" in done.stdout or "fail" in done.stdout
            assert "Traceback" not in done.stdout, "a test cell's failure should be one line, not a traceback"


def test_course_directory_end_to_end(tmp_path):
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    roster = tmp_path / "students.csv"
    roster.write_text("id,first_name,last_name,email\nalice,Alice,A,alice@example.org\nbob,Bob,B,bob@example.org\n")
    _run([sys.executable, "-m", "coursebuild", "nbgrader-course", "backprop", "--out", str(course),
          "--roster", str(roster)], REPO)
    for name in ("nbgrader_config.py", "gradebook.db", "source/backprop/vanishing_gradients.ipynb"):
        assert (course / name).is_file(), f"the course directory has no {name}"
    released = course / "release" / "backprop"
    for path in (REPO / "assignments" / "backprop").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            twin = released / path.relative_to(REPO / "assignments" / "backprop")
            assert twin.is_file() and twin.read_bytes() == path.read_bytes(), f"release/backprop differs in {twin.name}"

    exchange_flag = f"--Exchange.root={exchange}"
    _run([*NBGRADER, "release_assignment", "backprop", exchange_flag], course)
    students = {"alice": ["activations.py", "layers.py", "network.py"], "bob": ["activations.py"]}
    for student, written in students.items():
        home = tmp_path / student
        home.mkdir()
        _run([*NBGRADER, "fetch_assignment", "backprop", "--course=backprop-to-cnn", exchange_flag], home)
        for name in written:
            shutil.copyfile(REPO / "solutions" / "backprop" / name, home / "backprop" / name)
        _run([*NBGRADER, "submit", "backprop", "--course=backprop-to-cnn", f"--student={student}", exchange_flag], home)
        if student == "alice":   # the due date falls between the two submissions: bob is late
            stamp = next((exchange / "backprop-to-cnn" / "inbound").glob("alice+backprop+*")).name.split("+")[2]
            _run([*NBGRADER, "db", "assignment", "add", "backprop", f"--duedate={stamp}"], course)
    _run([*NBGRADER, "collect", "backprop", exchange_flag], course)
    for student in students:
        assert (course / "submitted" / student / "backprop" / "timestamp.txt").is_file()

    _run([sys.executable, "-m", "autograder", "grade-all", "backprop", str(course / "submitted"),
          "--nbgrader-db", f"sqlite:///{course / 'gradebook.db'}"], REPO)
    results = {s: json.loads((course / "autograded" / "backprop" / "results" / f"{s}.json").read_text()) for s in students}
    assert results["alice"]["score"] == 100
    assert 0 < results["bob"]["score"] < 100
    late = {row["student"]: row for row in csv.DictReader(open(course / "autograded" / "backprop" / "late.csv"))}
    assert float(late["alice"]["late_penalty"]) == 0
    assert float(late["bob"]["late_penalty"]) == 10, late["bob"]   # per_day, 0.1 of 100 for one started day

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert {s.id for s in gradebook.students} == {"alice", "bob"}
        for student in students:
            submission = gradebook.find_submission("backprop", student)
            assert submission.score == pytest.approx(results[student]["score"]), student
            assert submission.max_score == 100
            assert submission.timestamp is not None
        assert gradebook.find_submission("backprop", "bob").late_submission_penalty == pytest.approx(10)
        assert gradebook.find_submission("backprop", "alice").late_submission_penalty == 0
        assert gradebook.find_submission("backprop", "bob").total_seconds_late > 0
