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
