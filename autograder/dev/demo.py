"""``python -m autograder demo``: grade example submissions of every assignment.

For each assignment the three example submissions of examples.py (``solution``, ``stubs``,
``partial``) are built under ``--build-dir`` (default ``build/demo``) and graded, each by
``python -m autograder grade``.

The CNN task trains for ``--cnn-budget`` seconds (60 by default, so the demo stays near two
minutes); with so short a budget the reference model may miss the 65 % accuracy points.

A score lowered by missing data (no CIFAR-10 on a fresh clone) says so in the table's last
column, with the points it cost and the command that fixes it, so the reference solution's
42/100 does not read as a failing solution.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

from .examples import REPO, example_submissions
from ..outputs.results import read_results


# what the grader says when the data a test needs is not there, and how to get it
MISSING_DATA = {"CIFAR-10 was not found": "no CIFAR-10; run `make data` (or export CIFAR10_DIR=<folder of the batches>)"}


def missing_data_note(results):
    """'' or one note: the points the missing data cost and the command that fixes it."""
    for marker, fix in MISSING_DATA.items():
        lost = sum(float(t.get("max_score", 0)) - float(t.get("score", 0)) for t in results.get("tests", [])
                   if marker in str(t.get("output", "")))
        if lost > 0 or marker in str(results.get("output", "")):
            return f"{lost:g} points not graded: {fix}" if lost else fix
    return ""


def run_demo(assignments, build_dir, cnn_budget):
    rows = []
    env = {**os.environ, "AUTOGRADER_CNN_BUDGET": str(cnn_budget)}
    for assignment in assignments:
        if not (REPO / "source" / assignment).is_dir() and not (REPO / "solutions" / assignment).is_dir():
            print(f"skipping {assignment}: no source/{assignment} or solutions/{assignment}", file=sys.stderr)
            continue
        for label, folder in example_submissions(assignment, build_dir).items():
            out = Path(build_dir) / assignment / f"{label}.json"
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, str(folder),
                            "--out", str(out)], env=env, stdout=subprocess.DEVNULL, check=False)
            results = read_results(out)
            score = f"{results['score']:g}/{results['max_score']:g}" if results else "error"
            note = missing_data_note(results) if results else ""
            rows.append((assignment, label, score, time.monotonic() - started, note))
    print(f"{'assignment':<12} {'submission':<10} {'score':>9} {'seconds':>8}  note")
    for assignment, label, score, seconds, note in rows:
        print(f"{assignment:<12} {label:<10} {score:>9} {seconds:>8.1f}  {note}".rstrip())
    return 0 if rows and all(r[2] != "error" for r in rows) else 1
