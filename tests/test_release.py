"""The student bundle carries no solution code and nothing of the autograder."""
import shutil
import zipfile
from pathlib import Path

import pytest

from coursebuild.release import release
from coursebuild.regions import split_solution_lines
from coursebuild.sources import ASSIGNMENTS, list_sources

REPO = Path(__file__).resolve().parents[1]


def _secret_lines(assignment):
    """Lines found in solution regions and nowhere in the given (non-solution) code."""
    inside, given = set(), set()
    for source in list_sources(assignment):
        text = source.path.read_text(encoding="utf-8", errors="replace")
        if source.kind == "verbatim":
            given |= {line.strip() for line in text.splitlines()}
            continue
        solution, given_here = split_solution_lines(text, source.path)
        inside |= {line.strip() for line in solution if line.strip()}
        given |= {line.strip() for line in given_here}
    return inside - given


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    return {assignment: release(assignment, dist) for assignment in ASSIGNMENTS}


def _leaks(bundle_path, secrets):
    """{member name: solution lines found in it} for a zip bundle."""
    found = {}
    with zipfile.ZipFile(bundle_path) as bundle:
        for name in bundle.namelist():
            text = bundle.read(name).decode("utf-8", errors="replace")
            # Notebooks hold code as JSON strings: compare line by line after undoing the escapes.
            lines = {line.strip().strip('",').replace('\\"', '"').replace("\\n", "").strip() for line in text.splitlines()}
            if secrets & lines:
                found[name] = sorted(secrets & lines)
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_bundle_holds_no_solution_line(assignment, bundles):
    student_zip, solution_zip = bundles[assignment]
    secrets = _secret_lines(assignment)
    assert secrets, f"source/{assignment} has no solution regions"
    assert _leaks(solution_zip, secrets), "the leak check finds nothing even in the solution bundle"
    with zipfile.ZipFile(student_zip) as bundle:
        assert f"{assignment}/tests/checks.py" in bundle.namelist()
    leaked = _leaks(student_zip, secrets)
    assert not leaked, f"{student_zip.name} leaks solution lines: {leaked}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_bundle_holds_nothing_of_the_autograder(assignment, bundles):
    student_zip, _ = bundles[assignment]
    grader_files = {p.read_bytes() for p in (REPO / "autograder").rglob("*") if p.is_file() and p.stat().st_size > 200}
    assert grader_files, "autograder/ is empty"
    with zipfile.ZipFile(student_zip) as bundle:
        for name in bundle.namelist():
            assert "autograder" not in name and "suites" not in name, f"{name} should not be in {student_zip.name}"
            assert bundle.read(name) not in grader_files, f"{name} in {student_zip.name} is a copy of an autograder file"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_bundle_is_the_solution_version(assignment, bundles):
    _, solution_zip = bundles[assignment]
    with zipfile.ZipFile(solution_zip) as bundle:
        names = set(bundle.namelist())
    expected = {
        f"{assignment}/{p.relative_to(REPO / 'solutions' / assignment)}"
        for p in (REPO / "solutions" / assignment).rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert names == expected


def test_release_ships_an_edit_made_in_source(tmp_path):
    """`make release` (python -m coursebuild release) rebuilds both versions from source/
    before zipping them, so an edit in source/ is in the zips. Run in a copy of the
    repository's build inputs, so the real source/ is never touched."""
    import subprocess
    import sys

    copy = tmp_path / "repo"
    for name in ("source", "coursebuild", "autograder"):  # coursebuild reads manifests with autograder/config.py
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("nbgrader_config.py", "requirements.txt"):
        shutil.copyfile(REPO / name, copy / name)
    activations = copy / "source" / "backprop" / "activations.py"
    marker = "An edit made in source/ just before the release."
    text = activations.read_text(encoding="utf-8")
    activations.write_text(text.replace('class Sigmoid:\n    """', f'class Sigmoid:\n    """{marker} ', 1), encoding="utf-8")
    assert marker in activations.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "coursebuild", "release", "backprop"], cwd=copy,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for bundle in ("backprop-student.zip", "backprop-solutions.zip"):
        with zipfile.ZipFile(copy / "dist" / bundle) as archive:
            assert marker in archive.read("backprop/activations.py").decode(), f"{bundle} does not hold the edit"
