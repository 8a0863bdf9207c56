"""Shared helpers of the grading tests: grade a folder as the command line does (``grade``,
``scores``) or in this process with only some tests (``grade_only``)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.grading.runner import run_suite

REPO = Path(__file__).resolve().parents[1]


def grade(assignment, folder, out, env=None, check=True):
    """Run ``python -m autograder grade`` and return (results dict, completed process)."""
    process = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment, str(folder), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)
    if check:
        assert process.returncode == 0, process.stderr
    results = json.loads(Path(out).read_text()) if Path(out).exists() else None
    return results, process


def scores(results):
    return {t["extra_data"]["test"]: t["score"] for t in results["tests"]}


def grade_only(assignment, folder, tests):
    from autograder import config

    skip = [name for name in config.load(assignment).tests if name not in tests]
    return run_suite(assignment, folder, skip=skip)
