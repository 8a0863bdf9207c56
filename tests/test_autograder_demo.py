"""``python -m autograder demo`` builds solution, stub and partial submissions and prints a table."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_prints_a_score_table(tmp_path):
    process = subprocess.run([sys.executable, "-m", "autograder", "demo", "--assignments", "optimizers",
                              "--build-dir", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr
    rows = {tuple(line.split()[:3]) for line in process.stdout.splitlines()[1:]}
    assert rows == {("optimizers", "solution", "100/100"), ("optimizers", "stubs", "0/100"),
                    ("optimizers", "partial", "49/100")}


def test_demo_says_when_missing_data_lowered_a_score(tmp_path):
    """On a fresh clone (no CIFAR-10) the cnn rows say what the missing data cost and how to get it."""
    import os

    env = {key: value for key, value in os.environ.items() if key != "CIFAR10_DIR"}
    env["CIFAR10_DIR"] = str(tmp_path / "no-cifar-here")
    process = subprocess.run([sys.executable, "-m", "autograder", "demo", "--assignments", "cnn", "--build-dir",
                              str(tmp_path / "demo"), "--cnn-budget", "5"], cwd=REPO, capture_output=True,
                             text=True, timeout=600, env=env)
    lines = [line for line in process.stdout.splitlines() if line.startswith("cnn")]
    solution = next(line for line in lines if line.split()[1] == "solution")
    score = float(solution.split()[2].split("/")[0])
    assert score < 100, solution
    assert f"{100 - score:g} points not graded: no CIFAR-10; run `make data`" in solution, process.stdout
