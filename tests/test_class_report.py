"""The class report (autograder/report.py): its tables agree with gradebook.csv, it reads
``extra_data.misconceptions``, lists failed gradings with their reason, escapes student text
and is self-contained (relative image paths that exist, nothing fetched)."""
import csv
import re
import subprocess
import sys
from pathlib import Path

from autograder import config
from autograder.batch.grade_all import write_error_results
from autograder.outputs.results import make_results, write_results
from report_page import Page

REPO = Path(__file__).resolve().parents[1]
EVIL = "<script>alert('x')</script>"
EVIL_NAME = "eve<img src=x onerror=alert(1)>"  # a folder name may hold anything but "/"


def synthetic_results(assignment, fractions, misconceptions=None, seconds=1.0):
    """A results file as run_suite writes it: per test the fraction of its points earned."""
    tests = [{"name": f"{name}: doc", "score": round(entry.points * fractions.get(name, 1.0), 4),
              "max_score": entry.points, "status": "passed" if fractions.get(name, 1.0) == 1.0 else "failed",
              "output": EVIL, "visibility": entry.visibility, "extra_data": {"test": name}}
             for name, entry in assignment.tests.items()]
    extra = {"assignment": assignment.name, "submission_sha256": "0" * 64}
    if misconceptions is not None:
        extra["misconceptions"] = misconceptions
    return make_results(tests, "output", seconds, extra)


def gradebook(out):
    with open(out / "gradebook.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def run_gradebook(out):
    process = subprocess.run([sys.executable, "-m", "autograder", "gradebook", "optimizers", str(out)],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    return Page((out / "report.html").read_text(encoding="utf-8"))


def test_report_agrees_with_the_gradebook(tmp_path):
    assignment = config.load("optimizers")
    out = tmp_path / "autograded"
    results = out / "results"
    plan = {  # student -> (fractions per test, misconceptions, seconds)
        "ann": ({}, {}, 1.5),
        "ben": ({"test_adam": 0.0, "test_rmsprop": 0.5}, {"test_adam": ["Adam without bias correction"],
                                                        "test_rmsprop": {"ε outside the root": 3}}, 2.0),
        "cat": ({"test_adam": 0.25, "test_nesterov": 0.0},
                {"test_adam": ["Adam without bias correction", EVIL]}, 0.8),
        "dan": ({n: 0.0 for n in assignment.tests}, {}, 0.5),
        EVIL_NAME: ({"test_sgd": 0.0}, None, 1.1),
    }
    for student, (fractions, found, seconds) in plan.items():
        write_results(results / f"{student}.json", synthetic_results(assignment, fractions, found, seconds))
    write_error_results("optimizers", "fay", results / "fay.json", f"the grader process died ({EVIL})", 9.0)

    page = run_gradebook(out)
    rows = gradebook(out)
    graded = [r for r in rows if not r["grading_error"]]
    assert len(rows) == 6 and len(graded) == 5
    assert next(r for r in rows if r["student"] == "fay")["grading_error"].startswith("the grader process died")

    histogram = {label: int(n) for label, n in page.tables["histogram"][1:]}
    expected = [0] * 10
    for row in graded:
        expected[min(int(float(row["total"]) // 10), 9)] += 1
    assert list(histogram.values()) == expected and sum(expected) == 5

    items = {row[0]: row[1:] for row in page.tables["items"][1:]}
    assert list(items) == list(assignment.tests)
    for name, entry in assignment.tests.items():
        points, passed, rate, mean = items[name]
        column = [float(r[name]) for r in graded]
        assert float(points) == entry.points
        assert int(passed) == sum(value == entry.points for value in column)
        assert rate == f"{100 * int(passed) / len(graded):.1f} %"
        assert float(mean) == round(sum(column) / len(column), 2)

    found = {row[0]: (int(row[1]), row[2]) for row in page.tables["misconceptions"][1:]}
    assert found == {"Adam without bias correction": (2, "test_adam"), EVIL: (1, "test_adam"),
                     "ε outside the root": (1, "test_rmsprop")}
    assert page.tables["errors"][1:] == [["fay", f"the grader process died ({EVIL})"]]
    mean = sum(float(r["total"]) for r in graded) / len(graded)
    median = sorted(float(r["total"]) for r in graded)[2]
    assert " ".join(page.paragraphs["summary"].split()) == (
        f"6 submission(s), 5 graded, 1 not graded. Mean score {mean:.1f} %, median {median:.1f} % "
        "(of the graded submissions).")
    assert page.tables["slowest"][1] == ["fay", "9.00"]

    text = (out / "report.html").read_text(encoding="utf-8")
    assert page.scripts == 0 and EVIL not in text and "&lt;script&gt;" in text and EVIL_NAME not in text
    assert sorted(page.images) == ["report-misconceptions.png", "report-pass-rates.png",
                                   "report-scores.png", "report-times.png"]
    for image in page.images:
        assert (out / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"(src|href)=\"(https?:|/)", text)


def test_report_says_none_recorded_without_misconceptions(tmp_path):
    assignment = config.load("optimizers")
    out = tmp_path / "autograded"
    write_results(out / "results" / "ann.json", synthetic_results(assignment, {}))
    (out / "report-misconceptions.png").parent.mkdir(parents=True, exist_ok=True)
    (out / "report-misconceptions.png").write_bytes(b"stale")
    page = run_gradebook(out)
    assert page.paragraphs["misconceptions"] == "none recorded"
    assert page.paragraphs["errors"].startswith("none")
    assert "report-misconceptions.png" not in page.images
    assert not (out / "report-misconceptions.png").exists()
