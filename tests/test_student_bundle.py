"""Each student bundle explains itself: README.md, requirements.txt and submit.py, unzipped alone.

A student follows the README: installs the pinned packages, runs the tests (all of them, one
file's, one function's), fills in the modules and runs ``python submit.py``, whose zip the
grader scores. Bad input gets one line naming the file and the problem, and no zip.
"""
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import config
from coursebuild.bundle import project_pins, student_files
from coursebuild.release import release
from coursebuild.sources import ASSIGNMENTS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dist")
    for assignment in ASSIGNMENTS:
        release(assignment, folder)
    return folder


def _unzip_alone(dist, assignment, tmp_path):
    with zipfile.ZipFile(dist / f"{assignment}-student.zip") as bundle:
        bundle.extractall(tmp_path)
    return tmp_path / assignment


def _run(command, folder, timeout=600):
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_bundle_carries_readme_requirements_and_submit(assignment, dist, tmp_path):
    folder = _unzip_alone(dist, assignment, tmp_path)
    for name in ("README.md", "requirements.txt", "submit.py"):
        assert (folder / name).is_file(), f"{assignment}-student.zip has no {name}"
    readme = (folder / "README.md").read_text()
    write, given = student_files(assignment)
    for needed in ("pip install -r requirements.txt", "pytest", "python submit.py",
                   f"{assignment}-submission.zip", "jupyter notebook"):
        assert needed in readme, f"{assignment} README says nothing of {needed!r}"
    assert all(name in readme for name in write + given)
    pins = project_pins()
    lines = [line for line in (folder / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert {"numpy", "pytest", "notebook"} <= {line.split("==")[0] for line in lines}
    for line in lines:
        assert line in pins.values(), f"{line!r} is not pinned as in the project's requirements.txt"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_readme_test_commands_select_tests(assignment, dist, tmp_path):
    """Every `pytest ...` line of the README collects at least one test."""
    folder = _unzip_alone(dist, assignment, tmp_path)
    commands = re.findall(r"^    (pytest [^#\n]*?)\s*#", (folder / "README.md").read_text(), re.M)
    assert len(commands) >= 3, commands
    for command in commands:
        done = _run([sys.executable, "-m", *command.split(), "--collect-only", "-q", "-p", "no:cacheprovider"], folder)
        count = re.search(r"(\d+) tests? collected", done.stdout)
        assert done.returncode == 0 and count and int(count.group(1)) > 0, f"`{command}`:\n{done.stdout[-1500:]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_files_to_hand_in_are_what_the_grader_takes(assignment):
    write, given = student_files(assignment)
    settings = config.load(assignment)
    assert sorted(write) == sorted(settings.modules)
    assert sorted(given) == sorted(settings.given)


@pytest.mark.parametrize("assignment", ["backprop", "optimizers"])
def test_submit_zip_of_the_solution_scores_100(assignment, dist, tmp_path):
    folder = _unzip_alone(dist, assignment, tmp_path)
    write, _ = student_files(assignment)
    for name in write:
        shutil.copyfile(REPO / "solutions" / assignment / name, folder / name)
    done = _run([sys.executable, "submit.py"], folder)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "All public tests pass." in done.stdout
    archive = folder / f"{assignment}-submission.zip"
    assert sorted(zipfile.ZipFile(archive).namelist()) == sorted(write + student_files(assignment)[1])
    out = tmp_path / "results.json"
    graded = _run([sys.executable, "-m", "autograder", "grade", assignment, str(archive), "--out", str(out)], REPO)
    assert graded.returncode == 0, graded.stderr
    results = json.loads(out.read_text())
    assert results["score"] == 100, [t["output"] for t in results["tests"] if t["status"] != "passed"]


def test_submit_names_the_problem_in_one_line_and_writes_no_zip(dist, tmp_path):
    folder = _unzip_alone(dist, "backprop", tmp_path)
    archive = folder / "backprop-submission.zip"
    network = (folder / "network.py").read_text()
    cases = {
        "missing": (lambda: (folder / "network.py").unlink(), "network.py is missing"),
        "notebook instead": (lambda: (folder / "network.py").unlink() or shutil.copyfile(
            folder / "vanishing_gradients.ipynb", folder / "network.ipynb"), "network.ipynb is here"),
        "notebook inside": (lambda: shutil.copyfile(folder / "vanishing_gradients.ipynb", folder / "network.py"),
                            "network.py holds a Jupyter notebook"),
        "syntax error": (lambda: (folder / "network.py").write_text(network + "\ndef broken(:\n"),
                         "network.py, line"),
        "import error": (lambda: (folder / "network.py").write_text("import numpy\nvalue = 1 / 0\n"),
                         "network.py, line 2: importing it fails: ZeroDivisionError"),
    }
    for label, (spoil, expected) in cases.items():
        spoil()
        done = _run([sys.executable, "submit.py", "--no-tests"], folder)
        first = done.stderr.strip().splitlines()[0] if done.stderr.strip() else ""
        assert done.returncode == 1 and expected in first, f"{label}: {done.stderr}"
        assert "Traceback" not in done.stderr and not archive.exists(), label
        (folder / "network.ipynb").unlink(missing_ok=True)
        (folder / "network.py").write_text(network)
    done = _run([sys.executable, "submit.py", "--no-tests"], folder)
    assert done.returncode == 0 and archive.exists(), done.stderr
