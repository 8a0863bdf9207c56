"""The student bundle carries no solution code and nothing of the autograder."""
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
