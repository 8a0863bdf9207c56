"""Grading validity (issue 10): the six cases of the hidden-corpus table get the verdict they
deserve; the solution scores 100 with no misconception named on 50 per-submission seeds and
the stubs 0; the same submission and secret give the same results; secrets change the seed."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from autograder import config, variants
from autograder.dev.examples import example_submissions
from autograder.grading.runner import run_suite

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading import grade_only  # noqa: E402
from mutants import MUTANTS, mutant  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CNN_TRAINING = ["test_cnn_architecture", "test_cnn_train_accuracy", "test_cnn_test_accuracy",
                "test_cnn_training_time"]
SEEDS = 50


def by_test(results):
    return {t["extra_data"]["test"]: t for t in results["tests"]}


def solution_with(tmp_path, assignment, file, old, new):
    folder = tmp_path / "submission"
    shutil.copytree(REPO / "solutions" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    text = (folder / file).read_text()
    assert text.count(old) == 1
    (folder / file).write_text(text.replace(old, new))
    return folder


SIGMOID = ("        z = np.exp(-np.abs(x))\n        self.out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))\n")


def test_naive_sigmoid_loses_stability_points_for_its_overflow_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "validity")
    folder = solution_with(tmp_path, "backprop", "activations.py", SIGMOID,
                           "        self.out = 1 / (1 + np.exp(-x))\n")
    test = by_test(grade_only("backprop", folder, ["test_activation_stability", "test_sigmoid"]))
    assert test["test_sigmoid"]["status"] == "passed"          # the values are right
    stability = test["test_activation_stability"]
    assert stability["status"] == "failed" and 0 < stability["score"] < stability["max_score"]
    assert "RuntimeWarning: overflow encountered in exp (activations.py, line" in stability["output"]
    assert "promises no overflow warning" in stability["output"]


def test_tanh_form_sigmoid_is_correct(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "validity")
    folder = solution_with(tmp_path, "backprop", "activations.py", SIGMOID,
                           "        self.out = 0.5 * (1 + np.tanh(x / 2))\n")
    results = grade_only("backprop", folder, ["test_activation_stability", "test_sigmoid",
                                              "test_activation_gradients_numeric"])
    for name, test in by_test(results).items():
        if name in ("test_activation_stability", "test_sigmoid", "test_activation_gradients_numeric"):
            assert test["status"] == "passed", test["output"]


# correct rewrites in other words than the solution's, each near a value the docstrings pin
REWRITES = {
    "backprop": [("activations.py", "        return np.where(x > 0, ones, self.alpha * ones)",
                  "        return np.where(x <= 0, self.alpha, 1.0).astype(x.dtype)"),
                 ("activations.py", "np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))",
                  "np.where(x <= 0, self.alpha * np.exp(np.minimum(x, 0)), 1.0)"),
                 ("activations.py", "        return s * (1 - s)", "        return s - s * s")],
    "optimizers": [("momentum.py", "        return x + self.v", "        return np.add(x, self.v)"),
                   ("adam.py", "        self.t += 1\n", "        self.t = self.t + 1\n")],
    "cnn": [("dropout.py", "self.mask = self.rng.random(x.shape) >= self.p",
             "self.mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype)")],
}


@pytest.mark.parametrize("assignment", sorted(REWRITES))
def test_correct_rewrites_keep_full_marks(assignment, tmp_path, monkeypatch):
    folder = tmp_path / "rewrite"
    shutil.copytree(REPO / "solutions" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    for file, old, new in REWRITES[assignment]:
        text = (folder / file).read_text()
        assert text.count(old) == 1, old
        (folder / file).write_text(text.replace(old, new))
    skip = CNN_TRAINING if assignment == "cnn" else []
    for k in range(2):
        monkeypatch.setenv("AUTOGRADER_SECRET", f"rewrite-{k}")
        results = run_suite(assignment, folder, skip=skip)
        failed = {t["name"]: t["output"] for t in results["tests"]
                  if t["status"] != "passed" and t["extra_data"]["test"] not in skip}
        assert not failed, failed


@pytest.mark.parametrize("label, test", [("running-stats-last-activation", "test_mlp_forward"),
                                         ("running-stats-last-activation", "test_mlp_backward"),
                                         ("batchnorm-after-activation", "test_mlp_batchnorm"),
                                         ("eval-keeps-training", "test_mlp_batchnorm"),
                                         ("stride-every-tie-eval", "test_pooling")])
def test_table_mistakes_lose_points(label, test, tmp_path, monkeypatch):
    """activation after the last Linear, BatchNorm after the activation, eval() leaving BatchNorm
    in training, max-pool gradient to every tied maximum: each loses points in its test."""
    monkeypatch.setenv("AUTOGRADER_SECRET", "validity")
    results = grade_only(MUTANTS[label][0], mutant(tmp_path, label), [test])
    graded = by_test(results)[test]
    assert graded["score"] < graded["max_score"], graded["output"]


def sweep(assignment, folder, monkeypatch, skip=()):
    seeds = set()
    for k in range(SEEDS):
        monkeypatch.setenv("AUTOGRADER_SECRET", f"sweep-{k}")
        results = run_suite(assignment, folder, skip=skip)
        failed = {t["name"]: t["output"] for t in results["tests"] if t["status"] != "passed"
                  and t["extra_data"]["test"] not in skip}
        expected = 100 - sum(config.load(assignment).tests[name].points for name in skip)
        assert results["score"] == expected, (k, failed)
        assert results["extra_data"]["misconceptions"] == {}, (k, results["extra_data"]["misconceptions"])
        seeds.add(results["extra_data"]["input_seed"])
    assert len(seeds) == SEEDS


@pytest.mark.parametrize("assignment", ["backprop", "optimizers", "cnn"])
def test_solution_scores_full_on_50_seeds(assignment, tmp_path, monkeypatch):
    """cnn: the numpy layer tests (42 points); the trained-CNN tests do not draw inputs."""
    folder = example_submissions(assignment, tmp_path)["solution"]
    sweep(assignment, folder, monkeypatch, skip=CNN_TRAINING if assignment == "cnn" else ())


@pytest.mark.parametrize("assignment", ["backprop", "optimizers", "cnn"])
def test_stubs_score_0_on_other_seeds(assignment, tmp_path, monkeypatch):
    folder = example_submissions(assignment, tmp_path)["stubs"]
    for k in range(3):
        monkeypatch.setenv("AUTOGRADER_SECRET", f"stubs-{k}")
        results = run_suite(assignment, folder, skip=CNN_TRAINING if assignment == "cnn" else ())
        assert results["score"] == 0


def test_same_submission_same_secret_same_results_and_secrets_change_the_seed(tmp_path, monkeypatch):
    folder = mutant(tmp_path, "optimizers")  # partial credit, misconceptions named
    monkeypatch.setenv("AUTOGRADER_SECRET", "course-A")
    runs = [run_suite("optimizers", folder) for _ in range(3)]
    for run in runs:
        run.pop("execution_time")
    assert runs[0] == runs[1] == runs[2]
    assert 0 < runs[0]["score"] < 100 and runs[0]["extra_data"]["misconceptions"]
    digest = runs[0]["extra_data"]["submission_sha256"]
    assert runs[0]["extra_data"]["input_seed"] == variants.input_seed(digest, b"course-A")
    assert "secret from the environment variable AUTOGRADER_SECRET" in runs[0]["output"]
    assert "course-A" not in json.dumps(runs[0])
    monkeypatch.setenv("AUTOGRADER_SECRET", "course-B")
    other = run_suite("optimizers", folder)
    assert other["extra_data"]["input_seed"] != runs[0]["extra_data"]["input_seed"]
    # a regrade from the recorded seed alone reproduces the results
    monkeypatch.delenv("AUTOGRADER_SECRET")
    monkeypatch.setenv("AUTOGRADER_INPUT_SEED", str(runs[0]["extra_data"]["input_seed"]))
    again = run_suite("optimizers", folder)
    assert again["tests"] == runs[0]["tests"] and again["score"] == runs[0]["score"]


def test_secret_lookup_order(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    assert variants.find_secret({"AUTOGRADER_SECRET": "env", "AUTOGRADER_SECRET_FILE": str(secret_file)})[0] == b"env"
    secret, where = variants.find_secret({"AUTOGRADER_SECRET_FILE": str(secret_file)})
    assert secret == b"from-file" and str(secret_file) in where
    secret, where = variants.find_secret({"AUTOGRADER_SECRET_FILE": str(tmp_path / "missing"),
                                          "HOME": str(tmp_path)}, create=False)
    assert secret is None and str(tmp_path / "missing") in where
