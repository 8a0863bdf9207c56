"""The CNN task's numbers (its accuracy bar, budget, images measured) are written once, in the
``[task]`` table of ``source/cnn/assignment.toml``: changed there, the grader, the student
version's notebook (through the generated ``task.py``) and the bench all follow."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _in(copy, code):
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy), "HOME": str(copy)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_bar_changed_in_the_manifest_is_followed_everywhere(tmp_path):
    copy = tmp_path / "repo"
    for name in ("source", "coursebuild", "autograder", "bench"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("nbgrader_config.py", "requirements.txt"):
        shutil.copyfile(REPO / name, copy / name)
    manifest = copy / "source" / "cnn" / "assignment.toml"
    text = manifest.read_text(encoding="utf-8")
    changed = re.sub(r"^accuracy_bar = 0\.65", "accuracy_bar = 0.71", text, flags=re.M)
    changed = re.sub(r"^train_accuracy_images = 10000", "train_accuracy_images = 5000", changed, flags=re.M)
    assert changed.count("0.71") == 1 and "= 5000" in changed
    manifest.write_text(changed, encoding="utf-8")

    grader = _in(copy, "from autograder.suites.cnn import test_cnn_task as t, conftest as c; "
                       "print(t.BAR, c.TASK['train_accuracy_images'])")
    assert grader == "0.71 5000"
    bench = _in(copy, "from bench import cnn_reference as b; print(b.BAR, b.TRAIN_EVAL_IMAGES)")
    assert bench == "0.71 5000"

    built = subprocess.run([sys.executable, "-m", "coursebuild", "student", "cnn"], cwd=copy,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    task = (copy / "assignments" / "cnn" / "task.py").read_text(encoding="utf-8")
    assert "ACCURACY_BAR = 0.71" in task and "TRAIN_ACCURACY_IMAGES = 5000" in task
    notebook = json.loads((copy / "assignments" / "cnn" / "cnn_cifar10.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "from task import ACCURACY_BAR" in code and "0.65" not in code and "10_000" not in code
