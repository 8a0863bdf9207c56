"""The Gradescope bundle grades a submission inside a simulated /autograder layout."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.demo import example_submissions

REPO = Path(__file__).resolve().parents[1]


def test_gradescope_bundle_runs_in_autograder_layout(tmp_path):
    bundle = tmp_path / "dist" / "optimizers-gradescope.zip"
    subprocess.run([sys.executable, "-m", "autograder", "gradescope", "optimizers", "--out", str(bundle)],
                   cwd=REPO, check=True, capture_output=True)
    names = zipfile.ZipFile(bundle).namelist()
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder/cli.py",
            "autograder/suites/optimizers/points.toml"} <= set(names)
    assert not any("suites/backprop" in n or "suites/cnn" in n for n in names)

    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    os.chmod(root / "source" / "run_autograder", 0o755)
    shutil.copytree(example_submissions("optimizers", tmp_path / "ex")["partial"], root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True, timeout=600)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 49 and len(results["tests"]) == 7
