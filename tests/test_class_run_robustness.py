"""A class run never stops for one student, and nothing a student uploads is unbounded.

Bad uploads (a garbage zip, an over-long member name, too many members, a zip of 1,000
2-MiB members) become that student's error row while the class is graded; unpacking takes
allowed names only, within a total cap; a student folder named ``-rf`` grades with --cold;
gradebook cells that a spreadsheet would evaluate are escaped; visible output and feedback
pages say nothing of hidden tests before the due date; the course secret is never a constant."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import config, submission, variants
from autograder.outputs import gradebook
from autograder.dev.examples import example_submissions
from autograder.grading.runner import visible_summary

REPO = Path(__file__).resolve().parents[1]


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, body in members:
            bundle.writestr(name, body)
    return path


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-class")
    examples = example_submissions("optimizers", base / "examples")
    root = base / "submitted"
    shutil.copytree(examples["solution"], root / "ann" / "optimizers")
    shutil.copytree(examples["solution"], root / "-rf" / "optimizers")
    shutil.copytree(examples["stubs"], root / "=HYPERLINK(evil)" / "optimizers")
    for student, members in {
        "garbage": None,
        "longname": [("a" * 300 + ".py", b"x")],
        "many": [(f"f{i}.py", b"x") for i in range(1001)],
    }.items():
        (root / student / "optimizers").mkdir(parents=True)
        upload = root / student / "optimizers" / "upload.zip"
        if members is None:
            upload.write_bytes(b"PK\x03\x04 this is not a zip file")
        else:
            _zip(upload, members)
    return root


@pytest.mark.parametrize("cold", [False, True])
def test_bad_uploads_become_error_rows_and_the_class_is_graded(hostile_class, tmp_path, cold):
    out = tmp_path / "graded"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(hostile_class),
                           "--out-dir", str(out), "-j", "2", *(["--cold"] if cold else [])],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stderr  # graded, with problems to report
    assert "Traceback" not in done.stderr, done.stderr
    results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert results["ann"]["score"] == 100 and results["-rf"]["score"] == 100
    assert results["=HYPERLINK(evil)"]["score"] == 0
    reasons = {s: results[s]["extra_data"].get("grading_error", "") for s in ("garbage", "longname", "many")}
    assert "upload.zip is neither a folder nor a zip file that can be read" in reasons["garbage"], reasons
    assert "holds 1001 entries" in reasons["many"], reasons
    assert results["longname"]["score"] == 0, reasons
    with open(out / "gradebook.csv", newline="") as handle:
        students = [row["student"] for row in csv.DictReader(handle)]
    assert "'=HYPERLINK(evil)" in students and "'-rf" in students and "=HYPERLINK(evil)" not in students


def test_a_zip_is_unpacked_by_allowed_name_within_a_total_cap(tmp_path):
    """1,000 members of 2 MiB each (a 2 MB upload that once wrote 2 GB to disk): only allowed
    names are written, and never more than the cap."""
    allowed = set(config.load("optimizers").allowed_files)
    zero = b"\0" * (2 << 20)
    bomb = _zip(tmp_path / "bomb.zip", [(f"junk/{i}.bin", zero) for i in range(990)]
                + [(f"d{i}/sgd.py", zero) for i in range(9)])
    assert bomb.stat().st_size < 3 << 20
    with pytest.raises(submission.SubmissionError, match="more than 16 MiB of allowed files"):
        with submission.opened(bomb, allowed) as folder:
            pass
    small = _zip(tmp_path / "ok.zip", [("sgd.py", b"x = 1\n")] + [(f"junk/{i}.bin", zero) for i in range(50)])
    with submission.opened(small, allowed) as folder:
        written = [p for p in Path(folder).rglob("*") if p.is_file()]
        assert [p.name for p in written] == ["sgd.py"]


def test_spreadsheet_formulas_are_escaped():
    assert gradebook.spreadsheet_safe("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for text in ("+1", "-rf", "@SUM(A1)", "\tx"):
        assert gradebook.spreadsheet_safe(text) == "'" + text
    assert gradebook.spreadsheet_safe("ann") == "ann"


def test_hidden_tests_stay_hidden_before_the_due_date():
    tests = [{"name": "a", "status": "passed", "visibility": "visible", "score": 4, "max_score": 4},
             {"name": "b", "status": "failed", "visibility": "visible", "score": 0, "max_score": 6},
             {"name": "secret_test", "status": "passed", "visibility": "after_due_date", "score": 90,
              "max_score": 90, "output": "hidden details"}]
    assert visible_summary("x", tests) == "x: 1 of 2 visible tests passed. 1 more test(s) are shown after the due date."
    results = {"score": 94, "max_score": 100, "output": "", "tests": tests}
    before = gradebook.feedback_page("x", "ann", results)
    assert "secret_test" not in before and "hidden details" not in before and "94" not in before
    assert "Before the due date" in before and "4 / 10" in before
    after = gradebook.feedback_page("x", "ann", results, after_due_date=True)
    assert "secret_test" in after and "After the due date: every test is shown." in after and "94 / 100" in after


def test_no_constant_secret_a_random_one_is_created_private(tmp_path):
    home = tmp_path / "home"
    secret, where = variants.find_secret({"HOME": str(home)})
    path = home / ".config" / "autograder" / "secret"
    assert path.read_bytes().strip() == secret and len(secret) == 64 and str(path) in where
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert variants.find_secret({"HOME": str(home)})[0] == secret, "the created secret is kept"
    assert variants.find_secret({"HOME": str(tmp_path / "other")})[0] != secret
    assert variants.find_secret({"HOME": str(tmp_path / "none")}, create=False)[0] is None


def test_gradescope_refuses_to_build_a_bundle_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_SECRET")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "backprop", "--out",
                           str(tmp_path / "b.zip")], cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 3 and not (tmp_path / "b.zip").exists()
    assert done.stderr.strip().startswith("autograder: error: no course secret for the Gradescope bundle")


def test_a_reply_over_the_cap_is_refused_before_it_is_read(tmp_path):
    """A student function that returns 200 MB: the grader reads the frame's header, refuses
    it in one line, and the next call gets a fresh worker."""
    from autograder import sandbox
    from autograder.grading.remote import Student, StudentError

    module = tmp_path / "big.py"
    module.write_text("import numpy as np\n\ndef huge():\n    return np.ones(25_000_000)\n\n"
                      "def small():\n    return 7\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(module, 0o644)
    student = Student({"big.py": module}, sandbox.rlimits(4096, 60), 60, 120, sandbox.choose_mode())
    try:
        with pytest.raises(StudentError, match=r"over the limit of 67108864"):
            student.call("big", "huge")
        assert student.call("big", "small") == 7
    finally:
        student.close()
