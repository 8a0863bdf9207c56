"""``python -m autograder demo``: grade example submissions of every assignment.

For each assignment three submissions are built under ``--build-dir`` (default
``build/demo``):

* ``solution``: the solution version (``solutions/<a>``; ``source/<a>`` if that is missing,
  since solution markers are comments),
* ``stubs``: the untouched student version (``assignments/<a>``; if missing, made from
  ``source/<a>`` by replacing every solution region with ``raise NotImplementedError``),
* ``partial``: solution modules mixed with stub modules (see ``PARTIAL``).

The CNN task trains for ``--cnn-budget`` seconds (60 by default, so the demo stays near two
minutes); with so short a budget the reference model may miss the 65 % accuracy points.
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import config
from .results import read_results

REPO = Path(__file__).resolve().parents[1]
# the modules taken from the solution in the "partial" submission; the rest are stubs
PARTIAL = {
    "backprop": ["activations.py"],
    "optimizers": ["sgd.py", "momentum.py", "adam.py"],
    "cnn": ["conv.py"],
}
REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n", re.S | re.M)


def stub_source(text, module):
    """Replace each solution region by a NotImplementedError (what the student version has)."""
    return REGION.sub(lambda m: f'{m.group(1)}raise NotImplementedError("{module}: implement this")\n', text)


def _copy_modules(source, target, stub=False):
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        (target / path.name).write_text(stub_source(text, path.name) if stub else text, encoding="utf-8")


def example_submissions(assignment, build_dir):
    """Build the three example submissions; returns {label: folder}."""
    build_dir = Path(build_dir) / assignment
    shutil.rmtree(build_dir, ignore_errors=True)
    solution_src = REPO / "solutions" / assignment
    if not solution_src.is_dir():
        solution_src = REPO / "source" / assignment
    stub_src = REPO / "assignments" / assignment
    folders = {"solution": build_dir / "solution", "stubs": build_dir / "stubs", "partial": build_dir / "partial"}
    _copy_modules(solution_src, folders["solution"])
    if stub_src.is_dir():
        _copy_modules(stub_src, folders["stubs"])
    else:
        _copy_modules(REPO / "source" / assignment, folders["stubs"], stub=True)
    shutil.copytree(folders["stubs"], folders["partial"])
    for name in PARTIAL.get(assignment, []):
        if (folders["solution"] / name).exists():
            shutil.copyfile(folders["solution"] / name, folders["partial"] / name)
    return folders


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
