"""``python -m autograder demo``: grade example submissions of every assignment.

For each assignment the three example submissions of examples.py (``solution``, ``stubs``,
``partial``) are built under ``--build-dir`` (default ``build/demo``) and graded, each by
``python -m autograder grade``.

The CNN task trains for ``--cnn-budget`` seconds (60 by default, so the demo stays near two
minutes); with so short a budget the reference model may miss the 65 % accuracy points.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

from .examples import REPO, example_submissions
from .results import read_results


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
            rows.append((assignment, label, score, time.monotonic() - started))
    print(f"{'assignment':<12} {'submission':<10} {'score':>9} {'seconds':>8}")
    for assignment, label, score, seconds in rows:
        print(f"{assignment:<12} {label:<10} {score:>9} {seconds:>8.1f}")
    return 0 if rows and all(r[2] != "error" for r in rows) else 1
