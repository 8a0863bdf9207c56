"""The fallback sandbox (no namespaces: macOS, locked-down containers) grades, or says why not.

* As an ordinary user it grades correctly and says what it does not protect.
* As root it refuses to start, in one line, unless the worker's user (uid 65534) can run
  the interpreter and cannot read the hidden suites; it never writes a class of error rows.
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from autograder.dev.examples import example_submissions
from sandbox_users import ORDINARY_UID, ordinary_user_command, public_folder

REPO = Path(__file__).resolve().parents[1]
FALLBACK = {**os.environ, "AUTOGRADER_SANDBOX": "fallback"}


def _grade_as_ordinary_user(assignment, submission, out):
    command = ordinary_user_command([sys.executable, "-m", "autograder", "grade", assignment,
                                     submission, "--out", out])
    done = subprocess.run(command, cwd=REPO, env=FALLBACK, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"grading {submission} as an ordinary user failed:\n{done.stderr[-3000:]}"
    return json.loads(Path(out).read_text())


@pytest.fixture(scope="module")
def backprop_examples():
    with public_folder(owner=ORDINARY_UID) as folder:
        examples = example_submissions("backprop", folder)
        for path in folder.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        yield folder, examples


def test_fallback_as_ordinary_user_grades_solution_and_stubs(backprop_examples):
    folder, examples = backprop_examples
    solution = _grade_as_ordinary_user("backprop", examples["solution"], folder / "solution.json")
    stubs = _grade_as_ordinary_user("backprop", examples["stubs"], folder / "stubs.json")
    assert solution["score"] == 100, [t["output"] for t in solution["tests"] if t["status"] != "passed"]
    assert stubs["score"] == 0
    for results in (solution, stubs):
        assert results["extra_data"]["sandbox"] == "fallback"
        assert "no filesystem hiding and no network isolation" in results["output"]


def test_fallback_as_ordinary_user_contains_a_hostile_submission(backprop_examples):
    """A process forked at import time that would outlive the worker, and a crash in the middle
    of the suite: both cost only the tests they touch, and nothing is left running."""
    folder, examples = backprop_examples
    hostile = folder / "hostile"
    shutil.copytree(examples["solution"], hostile)
    pid_file = Path("/tmp") / f"autograder-test-{uuid.uuid4().hex}.pid"
    layers = (hostile / "layers.py").read_text()
    escape = textwrap.dedent(f"""
        import os as _os, time as _time
        if _os.fork() == 0:
            with open({str(pid_file)!r}, "w") as _f:
                _f.write(str(_os.getpid()))
            _time.sleep(3600)
            _os._exit(0)
    """)
    crash = layers.replace("class MSELoss:", "class MSELoss:\n    def __init__(self):\n        import os\n        os._exit(3)\n", 1)
    assert crash != layers
    (hostile / "layers.py").write_text(escape + crash)
    for path in hostile.rglob("*"):
        os.chmod(path, 0o644)
    results = _grade_as_ordinary_user("backprop", hostile, folder / "hostile.json")
    by_test = {t["extra_data"]["test"]: t for t in results["tests"]}
    assert by_test["test_mse_loss"]["score"] == 0, by_test["test_mse_loss"]
    assert by_test["test_sigmoid"]["status"] == "passed"
    assert by_test["test_linear"]["status"] == "passed", by_test["test_linear"]["output"]
    assert pid_file.exists(), "the forked process never ran: the test proves nothing"
    pid = int(pid_file.read_text())
    pid_file.unlink()
    for _ in range(50):  # the kill is immediate; reaping by the new parent can take a moment
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), f"process {pid}, forked by the submission, outlived the grading"


@pytest.mark.skipif(os.geteuid() != 0, reason="what the fallback does as root needs root")
def test_fallback_as_root_stops_before_grading_with_one_line(tmp_path):
    """Here the worker's user cannot run this interpreter or could read the hidden suites:
    grade and grade-all stop at once with one line, and write no results at all."""
    submitted = tmp_path / "submitted"
    example = example_submissions("backprop", tmp_path / "examples")["solution"]
    for student in ("ada", "bob"):
        shutil.copytree(example, submitted / student / "backprop")
    commands = {
        "grade": ["grade", "backprop", str(example), "--out", str(tmp_path / "one.json")],
        "grade-all": ["grade-all", "backprop", str(submitted), "--out-dir", str(tmp_path / "graded")],
    }
    for label, arguments in commands.items():
        done = subprocess.run([sys.executable, "-m", "autograder", *arguments], cwd=REPO, env=FALLBACK,
                              capture_output=True, text=True, timeout=120)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 3, f"{label}: exit {done.returncode}\n{done.stderr}"
        assert len(lines) == 1 and lines[0].startswith("autograder: error: fallback sandbox as root:"), lines
        assert "uid 65534" in lines[0] and "ordinary user" in lines[0]
    assert not (tmp_path / "one.json").exists()
    assert not (tmp_path / "graded" / "results").exists() or not any((tmp_path / "graded" / "results").iterdir())
