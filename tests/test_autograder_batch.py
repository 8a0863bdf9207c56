"""grade-all: gradebook and feedback pages, resume, --force, shards, atomic writes."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.batch.grade_all import find_students, in_shard, parse_shard
from autograder.dev.examples import example_submissions
from autograder.outputs.results import atomic_write
from report_page import Page

REPO = Path(__file__).resolve().parents[1]
CLASS = {"ann": "solution", "ben": "stubs", "cat": "partial", "dan": "solution", "eve": "partial"}
TOTALS = {"solution": 100, "stubs": 0, "partial": 49}


@pytest.fixture(scope="module")
def submitted(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    examples = example_submissions("optimizers", base / "examples")
    root = base / "submitted"
    for student, kind in CLASS.items():
        shutil.copytree(examples[kind], root / student / "optimizers")
    return root


def grade_all(root, out, *extra):
    process = subprocess.run([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(root),
                              "--out-dir", str(out), *extra], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stderr
    return process


def mtimes(out):
    return {p.stem: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}


def test_grade_all_resume_and_force(submitted, tmp_path):
    out = tmp_path / "out"
    grade_all(submitted, out, "-j", "2")
    totals = {p.stem: json.loads(p.read_text())["score"] for p in (out / "results").glob("*.json")}
    assert totals == {s: TOTALS[k] for s, k in CLASS.items()}
    with open(out / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == sorted(CLASS)
    assert {r["student"]: float(r["total"]) for r in rows} == totals
    assert "test_adam" in rows[0] and float(next(r for r in rows if r["student"] == "cat")["test_adam"]) == 20
    for student in CLASS:
        page = (out / "feedback" / f"{student}.html").read_text()
        assert student in page and "<table>" in page
    report = Page((out / "report.html").read_text(encoding="utf-8"))  # the class report, same numbers
    assert [int(n) for _, n in report.tables["histogram"][1:]] == [1, 0, 0, 0, 2, 0, 0, 0, 0, 2]
    passed = {row[0]: int(row[2]) for row in report.tables["items"][1:]}
    assert passed["test_adam"] == sum(float(r["test_adam"]) == 20 for r in rows) == 4
    assert all((out / image).is_file() for image in report.images)

    before = mtimes(out)
    (out / "results" / "cat.json").unlink()
    process = grade_all(submitted, out)
    assert "4 already graded, 1 to grade" in process.stderr
    after = mtimes(out)
    assert {s for s in CLASS if after[s] != before[s]} == {"cat"}

    process = grade_all(submitted, out, "--force", "-j", "2")
    assert "0 already graded, 5 to grade" in process.stderr
    assert all(mtimes(out)[s] != after[s] for s in CLASS)


def test_changed_submission_is_regraded(submitted, tmp_path):
    root = tmp_path / "submitted"
    shutil.copytree(submitted, root, ignore=shutil.ignore_patterns("[b-e]*"))
    out = tmp_path / "out"
    grade_all(root, out)
    (root / "ann" / "optimizers" / "adam.py").write_text("raise SystemExit(0)\n")
    process = grade_all(root, out)
    assert "0 already graded, 1 to grade" in process.stderr
    assert json.loads((out / "results" / "ann.json").read_text())["score"] == 78


def test_interrupted_run_resumes(submitted, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(submitted),
                                "--out-dir", str(out)], cwd=REPO, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list((out / "results").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = mtimes(out)
    assert 1 <= len(done) < len(CLASS)
    for path in (out / "results").glob("*.json"):  # every file present is complete
        assert json.loads(path.read_text())["max_score"] == 100
    resumed = grade_all(submitted, out)
    assert f"{len(done)} already graded, {len(CLASS) - len(done)} to grade" in resumed.stderr
    assert all(mtimes(out)[s] == t for s, t in done.items())
    assert len(mtimes(out)) == len(CLASS)


def test_shards_are_disjoint_and_cover_the_class(submitted, tmp_path):
    students = find_students(submitted, "optimizers")
    slices = [in_shard(students, (k, 3)) for k in (1, 2, 3)]
    names = [s for part in slices for s, _ in part]
    assert sorted(names) == sorted(CLASS) and len(names) == len(set(names))
    assert parse_shard("0/2") is None and parse_shard("3/2") is None and parse_shard("x") is None

    out = tmp_path / "out"
    first = grade_all(submitted, out, "--shard", "1/2")
    assert "3 submission(s) in shard 1/2" in first.stderr
    assert set(mtimes(out)) == {"ann", "cat", "eve"}
    grade_all(submitted, out, "--shard", "2/2")
    with open(out / "gradebook.csv", newline="") as handle:
        assert sorted(r["student"] for r in csv.DictReader(handle)) == sorted(CLASS)


def test_atomic_write_never_leaves_half_a_file(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    atomic_write(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_gradebook_skips_malformed_results(submitted, tmp_path):
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    (out / "results" / "zed.json").write_text("{not json")
    process = subprocess.run([sys.executable, "-m", "autograder", "gradebook", "optimizers", str(out)],
                             cwd=REPO, capture_output=True, text=True)
    assert process.returncode == 0
    assert "skipping" in process.stderr and "zed.json" in process.stderr and "Traceback" not in process.stderr
    assert (out / "gradebook.csv").read_text().startswith("student,")
