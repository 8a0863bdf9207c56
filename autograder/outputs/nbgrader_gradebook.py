"""Late policy and nbgrader's gradebook for what ``nbgrader collect`` leaves.

``nbgrader collect ASSIGNMENT`` writes ``submitted/<student>/<assignment>/`` (the layout
``grade-all`` grades) with a ``timestamp.txt`` beside the files: when the student ran
``nbgrader submit``. After ``grade-all`` has written ``OUT/results/<student>.json``,
``record`` (``grade-all ... --nbgrader-db sqlite:///gradebook.db``, or whenever a
``timestamp.txt`` is there):

* reads each submission's ``timestamp.txt`` and the due date: the gradebook's (nbgrader's
  own place for it, set by ``nbgrader db assignment add --duedate`` or
  ``python -m coursebuild nbgrader-course``, with an extension granted in the gradebook
  counted), else the manifest's ``[nbgrader] due``;
* applies the manifest's ``[nbgrader] late_policy``: ``"none"``, ``"zero"`` (nbgrader's own
  two ``LateSubmissionPlugin`` methods) or ``"per_day"`` (``late_penalty_per_day`` of the
  maximum score for every started day late, never more than the score);
* writes ``OUT/late.csv`` (student, timestamp, seconds late, score, penalty, final score);
* with a gradebook, stores every student's scores in it as nbgrader does after
  ``autograde``: the submission with its timestamp, each test cell's ``auto_score`` and the
  notebook's ``late_submission_penalty``, so formgrader shows them.

A test cell of a notebook (``check("sigmoid", "tanh")``) is worth what the hidden tests of
its tasks are worth: a hidden test's points are shared equally among the tasks it lists,
and a cell's score is the sum of its tasks' shares of the scores the student earned.
"""
import ast
import csv
import datetime
import math
import warnings
from pathlib import Path

from .. import config
from .results import read_results

REPO = Path(__file__).resolve().parents[2]
POLICIES = ("none", "zero", "per_day")
TIMESTAMP = "timestamp.txt"


class CourseError(Exception):
    """A problem with the course's nbgrader set-up (not with a submission): one line."""


def parse_timestamp(text):
    """A ``timestamp.txt`` (``2026-12-04 17:55:00.123456 UTC``) as an aware UTC datetime."""
    from nbgrader.utils import parse_utc

    return parse_utc(text.strip()).replace(tzinfo=datetime.timezone.utc)


def read_timestamp(submission_dir):
    """The submission time from ``timestamp.txt`` in ``submission_dir``, or None if there is none."""
    path = Path(submission_dir) / TIMESTAMP
    if not path.is_file():
        return None
    try:
        return parse_timestamp(path.read_text(encoding="utf-8"))
    except (ValueError, OverflowError) as error:
        raise CourseError(f"{path}: not a timestamp nbgrader writes ({error})") from None


def policy(assignment):
    """``(due datetime or None, late policy, penalty per day)`` from the manifest's ``[nbgrader]``."""
    settings = config.load(assignment)
    table = settings.section("nbgrader")
    where = f"{settings.manifest.parent.name}/{settings.manifest.name} [nbgrader]"
    late = table.get("late_policy", "none")
    if late not in POLICIES:
        raise CourseError(f"{where}: late_policy is {late!r}; it must be one of {', '.join(POLICIES)}")
    per_day = float(table.get("late_penalty_per_day", 0.0))
    if late == "per_day" and not 0 < per_day <= 1:
        raise CourseError(f"{where}: late_penalty_per_day is {per_day}; it must be a fraction in (0, 1]")
    due = table.get("due")
    if isinstance(due, str):
        due = datetime.datetime.fromisoformat(due)
    if isinstance(due, datetime.datetime) and due.tzinfo is None:
        due = due.replace(tzinfo=datetime.timezone.utc)
    return due, late, per_day


def late_penalty(score, max_score, seconds_late, late, per_day):
    """The points a submission loses for being ``seconds_late`` under the late policy."""
    if seconds_late <= 0 or late == "none":
        return 0.0
    if late == "zero":
        return float(score)
    days = math.ceil(seconds_late / 86400)
    return float(min(score, max_score * per_day * days))


def task_points(assignment):
    """{task: its share of the hidden tests' points}: each test's points split equally among its tasks."""
    shares = {}
    for test in config.load(assignment).tests.values():
        for task in test.tasks:
            shares[task] = shares.get(task, 0.0) + test.points / len(test.tasks)
    return shares


def task_scores(assignment, results):
    """{task: its share of the points the student earned}, from a results file's tests."""
    tests = config.load(assignment).tests
    earned = {}
    for test in results.get("tests", []):
        entry = tests.get(str(test.get("name", "")).split(":", 1)[0].strip())
        if entry is None:
            continue
        for task in entry.tasks:
            earned[task] = earned.get(task, 0.0) + float(test.get("score", 0)) / len(entry.tasks)
    return earned


def check_cells(notebook_path):
    """{grade_id: [task, ...]} of the notebook's nbgrader test cells that call ``check(...)``."""
    import nbformat

    cells = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
                cells.setdefault(meta["grade_id"], []).extend(
                    arg.value for arg in node.args if isinstance(arg, ast.Constant))
    return cells


def _notebooks(assignment):
    folder = REPO / "solutions" / assignment
    return {path.stem: check_cells(path) for path in sorted(folder.glob("*.ipynb"))}


def _submissions(assignment, submitted_root):
    return sorted((p.parent.name, p) for p in Path(submitted_root).glob(f"*/{assignment}") if p.is_dir())


def record(assignment, submitted_root, out_dir, db_url=None):
    """Apply the late policy to every graded student and, with ``db_url``, write the scores
    into nbgrader's gradebook. Returns the rows of ``OUT/late.csv``."""
    due, late, per_day = policy(assignment)
    gradebook = None
    if db_url:
        from nbgrader.api import Gradebook, MissingEntry

        gradebook = Gradebook(db_url)
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            gradebook.close()
            raise CourseError(f"{db_url} has no assignment {assignment!r}: run `nbgrader generate_assignment "
                              f"{assignment}` (or `make nbgrader-course`) in the course directory first") from None
    rows = []
    try:
        for student, folder in _submissions(assignment, submitted_root):
            results = read_results(Path(out_dir) / "results" / f"{student}.json")
            if not results:
                continue
            stamp = read_timestamp(folder)
            score, max_score = float(results.get("score", 0)), float(results.get("max_score", 100))
            seconds_late = 0.0
            if gradebook is not None:
                seconds_late = _store(gradebook, assignment, student, stamp, results)
            elif stamp is not None and due is not None:
                seconds_late = max(0.0, (stamp - due).total_seconds())
            penalty = late_penalty(score, max_score, seconds_late, late, per_day)
            if gradebook is not None:
                _store_penalty(gradebook, assignment, student, penalty)
            rows.append({"student": student, "timestamp": stamp.isoformat() if stamp else "",
                         "seconds_late": round(seconds_late, 1), "score": score, "late_penalty": penalty,
                         "final_score": score - penalty, "max_score": max_score})
    finally:
        if gradebook is not None:
            gradebook.close()
    out = Path(out_dir) / "late.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "timestamp", "seconds_late", "score",
                                                    "late_penalty", "final_score", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _store(gradebook, assignment, student, stamp, results):
    """Write one student's submission and test-cell scores; returns nbgrader's seconds late."""
    from nbgrader.api import MissingEntry

    try:
        gradebook.find_student(student)
    except MissingEntry:
        gradebook.add_student(student)
    naive = stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None) if stamp else None
    with warnings.catch_warnings():   # nbgrader's add_submission trips SQLAlchemy's autoflush warning
        warnings.simplefilter("ignore")
        submission = gradebook.update_or_create_submission(assignment, student, timestamp=naive)
    earned = task_scores(assignment, results)
    cells = _notebooks(assignment)
    for notebook in submission.notebooks:
        tasks_of = cells.get(notebook.name, {})
        for grade in notebook.grades:
            if grade.name not in tasks_of:
                continue
            value = sum(earned.get(task, 0.0) for task in tasks_of[grade.name])
            grade.auto_score = min(float(grade.max_score), round(value, 6))
    gradebook.db.commit()
    return float(submission.total_seconds_late or 0.0)


def _store_penalty(gradebook, assignment, student, penalty):
    submission = gradebook.find_submission(assignment, student)
    notebooks = list(submission.notebooks)
    for index, notebook in enumerate(notebooks):
        notebook.late_submission_penalty = penalty if index == 0 else 0.0
    gradebook.db.commit()


def summary(rows):
    """One line for the console."""
    late_rows = [r for r in rows if r["seconds_late"] > 0]
    return (f"nbgrader: {len(rows)} submissions, {len(late_rows)} late "
            f"({sum(r['late_penalty'] for r in late_rows):g} points of late penalty)")


def after_grade_all(assignment, submitted_root, out_dir, db_url=None):
    """``grade-all``'s last step: when ``--nbgrader-db`` is given or a submission carries
    nbgrader's ``timestamp.txt``, apply the late policy (``late.csv``) and fill the gradebook.
    Returns 0, or 2 after one line saying what is wrong with the course set-up."""
    import sys

    if db_url is None and not any(Path(submitted_root).glob(f"*/{assignment}/{TIMESTAMP}")):
        return 0
    try:
        rows = record(assignment, submitted_root, out_dir, db_url)
    except CourseError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    print(summary(rows) + (f"; scores written to {db_url}" if db_url else "") + f" -> {Path(out_dir) / 'late.csv'}")
    return 0
