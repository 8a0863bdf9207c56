"""Fill an nbgrader course directory from this repository: ``python -m coursebuild nbgrader-course``.

The directory uses nbgrader's own names (``make nbgrader-course``, default ``build/nbgrader``):

    nbgrader_config.py     course id, solution delimiters, what to copy (this module writes it)
    source/<assignment>/   what `nbgrader generate_assignment` reads: the student modules (coursebuild
                           generates their stubs; nbgrader only converts notebooks) and the
                           solution notebook with its nbgrader cells (solutions and test cells)
    release/<assignment>/  written by `nbgrader generate_assignment`: the student version
    gradebook.db           the assignments (due date from the manifest's [nbgrader] due), their
                           notebooks' test cells and points, and the students of the roster

Then, in that directory, nbgrader's exchange runs as usual: ``nbgrader release_assignment A``;
students ``nbgrader fetch_assignment A`` and ``nbgrader submit A``; ``nbgrader collect A``
leaves ``submitted/<student>/A/`` with ``timestamp.txt``, which ``python -m autograder grade-all
A submitted --nbgrader-db sqlite:///gradebook.db`` grades, with the late policy, writing the
scores into the gradebook for formgrader.
"""
import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .sources import MANIFEST, REPO, assignment_dir

COURSE_ID = "backprop-to-cnn"
CONFIG = '''"""nbgrader's configuration of this course directory (written by python -m coursebuild nbgrader-course).

nbgrader's default directory names (source/, release/, submitted/, autograded/, feedback/,
gradebook.db) under this folder. The exchange is nbgrader's default, /srv/nbgrader/exchange,
unless NBGRADER_EXCHANGE names another folder.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".pytest_cache", "figures"]
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.enforce_metadata = True
if os.environ.get("NBGRADER_EXCHANGE"):
    c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]
'''


class CourseError(SystemExit):
    """One line: ``coursebuild: ...``."""

    def __init__(self, message):
        super().__init__(f"coursebuild: {message}")


def due_date(assignment):
    """The manifest's ``[nbgrader] due`` as nbgrader's ``--duedate`` text, or None."""
    from autograder import config

    path = assignment_dir(assignment) / MANIFEST
    due = config.read_manifest(assignment)[0].get("nbgrader", {}).get("due")
    if due is None:
        return None
    if isinstance(due, str):
        try:
            due = datetime.datetime.fromisoformat(due)
        except ValueError:
            raise CourseError(f"{path}: [nbgrader] due = {due!r} is not a date and time") from None
    if not isinstance(due, datetime.datetime):
        raise CourseError(f"{path}: [nbgrader] due must be a date and time, e.g. 2027-01-15T23:59:00Z")
    if due.tzinfo is None:
        due = due.replace(tzinfo=datetime.timezone.utc)
    return due.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def nbgrader(course_dir, *arguments):
    """Run ``nbgrader ARGUMENTS`` in the course directory; stop with its output if it fails."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *arguments, "--log-level=WARN"], cwd=course_dir,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(arguments)} failed in {course_dir}:\n{done.stdout}{done.stderr}")
    return done


def _source_folder(assignment, target):
    """The student modules and files of ``assignments/<a>`` with the solution notebooks of ``solutions/<a>``."""
    student, solution = REPO / "assignments" / assignment, REPO / "solutions" / assignment
    for folder in (student, solution):
        if not folder.is_dir():
            raise CourseError(f"{folder.relative_to(REPO)} is missing: run `make student solutions` first")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(student, target, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".pytest_cache"))
    for notebook in sorted(solution.glob("*.ipynb")):
        shutil.copyfile(notebook, target / notebook.name)


def fill_course(course_dir, assignments, roster=None):
    """Write the course directory: config, source/, release/ and gradebook.db. Returns its path."""
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG.format(course_id=COURSE_ID), encoding="utf-8")
    if roster is not None:
        roster = Path(roster).resolve()
        if not roster.is_file():
            raise CourseError(f"roster {roster} is missing: a CSV with an `id` column (nbgrader db student import)")
        header = roster.read_text(encoding="utf-8").splitlines()[:1]
        if not header or "id" not in [name.strip() for name in header[0].split(",")]:
            raise CourseError(f"roster {roster}: its first line must name the columns, one of them `id`")
        nbgrader(course_dir, "db", "student", "import", str(roster))
    for assignment in assignments:
        _source_folder(assignment, course_dir / "source" / assignment)
        due = due_date(assignment)
        nbgrader(course_dir, "db", "assignment", "add", assignment, *([f"--duedate={due}"] if due else []))
        nbgrader(course_dir, "generate_assignment", assignment, "--force")
    return course_dir
