"""Adding an assignment needs only its folder in source/ (with its manifest) and its hidden suite.

In a copy of the repository, a toy fourth assignment is added as new files only; it is
built, released and graded, and no existing file changes.
"""
import json
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

NEW_FILES = {
    "source/toy/assignment.toml": """
        title = "A toy assignment"

        [tasks]
        square = { file = "squares.py", title = "square(x) = x², elementwise" }

        [tests]
        test_square = { points = 100, visibility = "visible", tasks = ["square"] }
        """,
    "source/toy/README.md": """
        # Assignment: squares

        Write `square(x)` in `squares.py`.
        """,
    "source/toy/squares.py": '''
        # %%
        """Squares, elementwise."""
        import numpy as np


        # %% nbgrader={"grade": false, "grade_id": "square", "locked": false, "schema_version": 3, "solution": true, "task": false}
        def square(x):
            """square(x) = x², elementwise, for an array x of any shape."""
            ### BEGIN SOLUTION
            return np.asarray(x) ** 2
            ### END SOLUTION
        ''',
    "source/toy/tests/test_squares.py": '''
        import numpy as np
        import pytest
        from squares import square


        @pytest.mark.square
        def test_square_of_a_range():
            assert np.array_equal(square(np.arange(4)), [0, 1, 4, 9])
        ''',
    "autograder/suites/toy/__init__.py": "",
    "autograder/suites/toy/test_toy.py": '''
        import numpy as np


        def test_square(student, rng):
            """square(x) = x² on inputs drawn for the submission"""
            x = rng.normal(size=(3, 4))
            got = student.call("squares", "square", x)
            assert np.allclose(got, x ** 2), f"square(x): expected {x ** 2}, got {got}"
        ''',
}


def _copy_of_the_repository(target):
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *command], cwd=target, check=True, capture_output=True)
    return target


def _run(arguments, cwd):
    done = subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(arguments)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


def test_a_toy_assignment_needs_only_new_files(tmp_path):
    copy = _copy_of_the_repository(tmp_path / "repo")
    for name, text in NEW_FILES.items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text(textwrap.dedent(text).lstrip("\n"))

    for command in ("student", "solutions", "release"):
        _run(["-m", "coursebuild", command, "toy"], copy)
    with zipfile.ZipFile(copy / "dist" / "toy-student.zip") as bundle:
        names = set(bundle.namelist())
    assert {"toy/README.md", "toy/requirements.txt", "toy/submit.py", "toy/pytest.ini", "toy/squares.py",
            "toy/tests/test_squares.py"} <= names
    assert "NotImplementedError" in (copy / "assignments" / "toy" / "squares.py").read_text()
    marked = _run(["-m", "pytest", "-m", "square", "--collect-only", "-q", "-p", "no:cacheprovider"],
                  copy / "solutions" / "toy")
    assert "1 test collected" in marked.stdout

    scores = {}
    for version in ("solutions", "assignments"):
        out = tmp_path / f"{version}.json"
        _run(["-m", "autograder", "grade", "toy", str(copy / version / "toy"), "--out", str(out)], copy)
        scores[version] = json.loads(out.read_text())["score"]
    assert scores == {"solutions": 100, "assignments": 0}

    listed = subprocess.run(["make", "-n", "gradescope"], cwd=copy, capture_output=True, text=True)
    loop = re.search(r"for a in ([^;]*);", listed.stdout)
    assert loop and "toy" in loop.group(1).split(), listed.stdout + listed.stderr

    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=copy,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    changed = [line for line in status if not line.startswith("??")]
    assert not changed, f"adding an assignment edited existing files: {changed}"
    added = {line[3:].split("/")[0] + "/" + line[3:].split("/")[1] for line in status}
    assert added <= {"source/toy", "autograder/suites", "assignments/toy", "solutions/toy"}, added
