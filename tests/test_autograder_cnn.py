"""The cnn suite: numpy layers, and the CNN task on a tiny stub model (no real training);
the exported model itself is checked in test_cnn_archive.py."""
import os
import shutil
import time
from pathlib import Path

import pytest

from autograder.dev.examples import example_submissions
from grading import grade, grade_only, scores

TINY_MODEL = '''
from torch import nn

def build_model():
    layers = [nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()]
    for _ in range({convs}):
        layers += [nn.Conv2d(4, 4, 3, padding=1), nn.ReLU()]
    layers += [nn.MaxPool2d(4), nn.Dropout(0.2), nn.Flatten(), nn.Linear(4 * 8 * 8, 10)]
    return nn.Sequential(*layers)
'''
NO_TRAINING = "def train(model, images, labels, time_budget_s):\n    assert images.dtype.name == 'uint8'\n"
DATA = os.environ.get("CIFAR10_DIR", "")


def require_cifar10():
    assert DATA and Path(DATA).is_dir(), "set CIFAR10_DIR to a CIFAR-10 copy (make data, or the shared one)"


def tiny_submission(tmp_path, convs):
    folder = example_submissions("cnn", tmp_path)["solution"]
    (folder / "model.py").write_text(TINY_MODEL.format(convs=convs))
    (folder / "train.py").write_text(NO_TRAINING)
    return folder


@pytest.mark.parametrize("convs, architecture_points", [(6, 15), (5, 0)])
def test_cnn_layers_and_task_with_stub_model(tmp_path, convs, architecture_points):
    require_cifar10()
    folder = tiny_submission(tmp_path, convs)
    results, _ = grade("cnn", folder, tmp_path / "r.json", env={"CIFAR10_DIR": DATA, "AUTOGRADER_CNN_BUDGET": "20"})
    got = scores(results)
    assert got["test_conv_forward"] == 12 and got["test_conv_backward"] == 12
    assert got["test_pooling"] == 10 and got["test_dropout"] == 8
    assert got["test_cnn_architecture"] == architecture_points
    assert got["test_cnn_training_time"] == 5
    assert got["test_cnn_train_accuracy"] == 0 and got["test_cnn_test_accuracy"] == 0
    outputs = {t["extra_data"]["test"]: t["output"] for t in results["tests"]}
    assert "train accuracy on the first 10,000 training images is" in outputs["test_cnn_train_accuracy"]
    assert "test accuracy on the 10,000 CIFAR-10 test images is" in outputs["test_cnn_test_accuracy"], outputs["test_cnn_test_accuracy"]
    if not architecture_points:
        output = next(t["output"] for t in results["tests"] if t["extra_data"]["test"] == "test_cnn_architecture")
        assert "at least 7 convolution layers" in output and "has 6 Conv2d" in output


HOSTILE_FORWARD = {
    # 300 matrix products of (250, 2048) x (2048, 2048) per batch: ~5 s a batch, ~7 min in all
    "slow": "h = x.flatten(1)[:, :1].expand(-1, 2048)\n"
            "        for _ in range(300):\n"
            "            x = x + (h @ self.w).sum() * 0\n",
    "wrong_shape": "return self.body(x)[:, :5]\n",
    # 16 GiB, beyond the worker's 12 GiB memory limit (the grader's process has none)
    "huge": "x = x + torch.ones(4, 1024, 1024, 1024, device=x.device).sum() * 0\n",
}
HOSTILE_MODEL = TINY_MODEL.format(convs=6) + '''
import torch


class Hostile(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body
        self.w = nn.Parameter(torch.zeros(2048, 2048), requires_grad=False)

    def forward(self, x):
        {forward}
        return self.body(x)


_build = build_model
build_model = lambda: Hostile(_build())
'''
ACCURACY_TESTS = ["test_cnn_architecture", "test_cnn_train_accuracy", "test_cnn_test_accuracy",
                  "test_cnn_training_time"]


@pytest.mark.parametrize("kind, message", [
    ("slow", "evaluating the exported model on 20,000 images took longer than 10 s, the grader's limit"),
    ("wrong_shape", "forward returns (250, 5); it must return class scores of shape (batch, 10) = (250, 10)"),
    ("huge", "you tried to allocate 17179869184 bytes. Error code 12 (Cannot allocate memory) "
             "(the grader's memory limit is 12288 MiB)"),
])
def test_a_model_that_cannot_be_evaluated_loses_only_the_accuracy_points(tmp_path, monkeypatch, kind, message):
    """The grader measures accuracy in a sandboxed process with the worker's limits and a time
    limit of its own: a graph that is slow, too big or returns the wrong shape costs the two
    accuracy tests, with one clear line, and the architecture and training-time tests still count."""
    require_cifar10()
    folder = tiny_submission(tmp_path, 6)
    (folder / "model.py").write_text(HOSTILE_MODEL.format(forward=HOSTILE_FORWARD[kind]))
    monkeypatch.setenv("CIFAR10_DIR", DATA)
    monkeypatch.setenv("AUTOGRADER_CNN_BUDGET", "20")
    monkeypatch.setenv("AUTOGRADER_CNN_EVAL_TIMEOUT", "10")
    started = time.monotonic()
    results = grade_only("cnn", folder, ACCURACY_TESTS)
    assert time.monotonic() - started < 120
    got = scores(results)
    assert got["test_cnn_architecture"] == 15 and got["test_cnn_training_time"] == 5, results["tests"]
    for name in ("test_cnn_train_accuracy", "test_cnn_test_accuracy"):
        output = next(t["output"] for t in results["tests"] if t["extra_data"]["test"] == name)
        assert got[name] == 0 and message in output, output


def test_cnn_stubs_score_0_without_data(tmp_path):
    folder = example_submissions("cnn", tmp_path)["stubs"]
    results, process = grade("cnn", folder, tmp_path / "r.json", env={"CIFAR10_DIR": str(tmp_path / "none")})
    assert process.returncode == 0 and results["score"] == 0


def test_cnn_solution_scores_100_with_a_25_second_budget(tmp_path):
    """The one real training run of the autograder's tests: the reference reaches 65 % train
    and test accuracy within 8 s (AMX) to 11.5 s (AVX2) of training on 2 cores, so a 25 s
    budget earns every point, through the whole pipeline (sandboxed training, the export read
    as data, the sandboxed evaluation on perturbed images)."""
    require_cifar10()
    folder = tmp_path / "cnn"
    shutil.copytree(Path(__file__).resolve().parents[1] / "solutions" / "cnn", folder)
    results, process = grade("cnn", folder, tmp_path / "r.json", env={"CIFAR10_DIR": DATA, "AUTOGRADER_CNN_BUDGET": "25"})
    assert process.returncode == 0
    assert results["score"] == 100, [(t["name"], t["score"], t["output"][:300]) for t in results["tests"]]
