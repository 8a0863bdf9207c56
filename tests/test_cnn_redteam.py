"""Attacks on the CNN task, graded as root in bubblewrap mode (the fallback's harness side is
tests/test_harness_limits.py): each costs its author the points it tried to buy.

* the worker replaces ``torch.export.save`` to send a graph whose symbolic shape runs Python
  when ``torch.export.load`` reads it: refused as data, and nothing ever loads it here;
* a model that carries a fingerprint → label table of the public test set: perfect on the
  images as published, chance level on the images the grader shows (perturbed per submission);
* ``train()`` returns at once while a thread keeps training until the export: the clock runs
  until the export arrives, and accuracy over the limit does not count."""
import os
from pathlib import Path

import numpy as np
import pytest

from autograder.dev.examples import example_submissions
from grading import grade_only, scores

DATA = os.environ.get("CIFAR10_DIR", "")
ACCURACY_TESTS = ["test_cnn_architecture", "test_cnn_train_accuracy", "test_cnn_test_accuracy",
                  "test_cnn_training_time"]
TINY_MODEL = '''
from torch import nn

def build_model():
    layers = [nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()]
    for _ in range(6):
        layers += [nn.Conv2d(4, 4, 3, padding=1), nn.ReLU()]
    layers += [nn.MaxPool2d(4), nn.Dropout(0.2), nn.Flatten(), nn.Linear(4 * 8 * 8, 10)]
    return nn.Sequential(*layers)
'''


@pytest.fixture
def cnn_env(monkeypatch):
    assert DATA and Path(DATA).is_dir(), "set CIFAR10_DIR to a CIFAR-10 copy (make data, or the shared one)"
    monkeypatch.setenv("CIFAR10_DIR", DATA)
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "bwrap")


def submission(tmp_path, model, train):
    folder = example_submissions("cnn", tmp_path)["solution"]
    (folder / "model.py").write_text(model)
    (folder / "train.py").write_text(train)
    return folder


FORGED_EXPORT = TINY_MODEL + '''
import io, json, zipfile
import torch

_save = torch.export.save


def _forged(program, f, **kwargs):
    buffer = io.BytesIO()
    _save(program, buffer, **kwargs)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            if name.endswith("models/model.json"):
                graph = json.loads(body)
                values = graph["graph_module"]["graph"]["tensor_values"]
                values[next(iter(values))]["sizes"][0] = {{"as_expr": {{
                    "expr_str": "__import__('os').system('touch {marker}') or 250", "hint": {{"as_int": 250}}}}}}
                body = json.dumps(graph).encode()
            target.writestr(name, body)
    f.write(out.getvalue())


torch.export.save = _forged
'''


def test_a_forged_export_is_refused_and_never_loaded_in_the_grader(tmp_path, cnn_env, monkeypatch):
    import torch

    marker = tmp_path / "sympify-ran"
    loads = []
    monkeypatch.setattr(torch.export, "load", lambda *a, **k: loads.append(a) or pytest.fail("grader loaded a model"))
    folder = submission(tmp_path, FORGED_EXPORT.format(marker=marker), "def train(model, images, labels, budget):\n    pass\n")
    monkeypatch.setenv("AUTOGRADER_CNN_BUDGET", "5")
    results = grade_only("cnn", folder, ACCURACY_TESTS)
    outputs = {t["extra_data"]["test"]: t["output"] for t in results["tests"]}
    assert sum(scores(results)[name] for name in ACCURACY_TESTS) == 0
    assert "symbolic shapes" in outputs["test_cnn_architecture"], outputs
    assert not marker.exists() and loads == []


LOOKUP_MODEL = '''
import numpy as np
import torch
from torch import nn

TABLE = np.load(__file__.replace("model.py", "table.npy"))  # fingerprint, label of each public image
W = torch.from_numpy(np.random.default_rng(0).standard_normal(3072).astype(np.float32))


class Lookup(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(*[nn.Conv2d(3, 3, 1) for _ in range(7)], nn.BatchNorm2d(3), nn.MaxPool2d(1),
                                  nn.Dropout(0.0))
        self.register_buffer("w", W.clone())
        self.register_buffer("keys", torch.from_numpy(TABLE[:, 0].astype(np.float32)))
        self.register_buffer("onehot", torch.eye(10)[torch.from_numpy(TABLE[:, 1].astype(np.int64))])
        self.head = nn.Linear(10, 10)

    def forward(self, x):
        h = (x.flatten(1) * self.w).sum(1, keepdim=True)
        match = torch.exp(-((h - self.keys) * 1000.0) ** 2)
        return match @ self.onehot + 0 * self.head(self.body(x).mean((2, 3)).repeat(1, 4)[:, :10])


def build_model():
    return Lookup()
'''


def test_a_fingerprint_table_of_the_public_test_set_buys_no_accuracy(tmp_path, cnn_env, monkeypatch):
    """The attack works on the images as published (checked here through the same sandboxed
    evaluation), and is at chance level on the images the grader shows."""
    import torch

    from autograder.suites.cnn import archive, evaluation
    from autograder.suites.cnn.conftest import read_cifar10

    _, _, test_x, test_y = read_cifar10(DATA)
    weights = np.random.default_rng(0).standard_normal(3072).astype(np.float32)
    keys = (test_x.reshape(len(test_x), -1).astype(np.float32) / 255) @ weights
    (tmp_path / "model.py").write_text(LOOKUP_MODEL)
    np.save(tmp_path / "table.npy", np.stack([keys, test_y.astype(np.float32)], axis=1))
    import importlib.util

    spec = importlib.util.spec_from_file_location("lookup_model", tmp_path / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    program = torch.export.export(module.build_model().eval(), (torch.zeros(250, 3, 32, 32),))
    import io

    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    clean, _ = archive.read(buffer.getvalue())
    from autograder import sandbox

    limits = sandbox.rlimits(4096, 600)
    published = evaluation.predict(clean, test_x[:2000], 250, "bwrap", limits, 2, 300)
    assert np.mean(published == test_y[:2000]) > 0.95, "the lookup does not even work: this test proves nothing"
    perturbed = evaluation.perturb(test_x[:2000], np.random.default_rng(7))
    shown = evaluation.predict(clean, perturbed, 250, "bwrap", limits, 2, 300)
    assert np.mean(shown == test_y[:2000]) < 0.2


BACKGROUND_TRAINING = '''
import threading
from torch import nn

_done = threading.Event()


class Slow(nn.Sequential):
    def eval(self):
        _done.wait()            # the export (model.eval() first) waits for the "training" thread
        return super().eval()


def build_model():
    layers = [nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()]
    for _ in range(6):
        layers += [nn.Conv2d(4, 4, 3, padding=1), nn.ReLU()]
    return Slow(*layers, nn.MaxPool2d(4), nn.Dropout(0.2), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
'''
BACKGROUND_TRAIN = '''
import threading, time
import model as _model


def train(model, images, labels, time_budget_s):
    def keep_training():
        time.sleep(time_budget_s + 30)   # stands for training long after the budget
        _model._done.set()
    threading.Thread(target=keep_training, daemon=True).start()
    return model                         # "returns within the budget"
'''


def test_training_in_a_thread_after_train_returns_is_on_the_clock(tmp_path, cnn_env, monkeypatch):
    folder = submission(tmp_path, BACKGROUND_TRAINING, BACKGROUND_TRAIN)
    monkeypatch.setenv("AUTOGRADER_CNN_BUDGET", "1")
    results = grade_only("cnn", folder, ACCURACY_TESTS)
    got = scores(results)
    outputs = {t["extra_data"]["test"]: t["output"] for t in results["tests"]}
    assert got["test_cnn_architecture"] == 15, outputs
    assert got["test_cnn_training_time"] == 0 and "train() and the export of the model took" in outputs["test_cnn_training_time"]
    for name in ("test_cnn_train_accuracy", "test_cnn_test_accuracy"):
        assert got[name] == 0 and "accuracy reached after the budget does not count" in outputs[name], outputs[name]


def test_a_private_held_out_set_replaces_the_public_test_batch(tmp_path, cnn_env, monkeypatch):
    """``--holdout DIR`` (here the environment variable it sets): the test accuracy is measured on
    the course's own images, and the output says so."""
    from autograder.suites.cnn.conftest import read_cifar10

    _, _, test_x, test_y = read_cifar10(DATA)
    holdout = tmp_path / "holdout"
    holdout.mkdir()
    records = np.concatenate([test_y[:500, None].astype(np.uint8), test_x[:500].reshape(500, -1)], axis=1)
    records.tofile(holdout / "private_batch.bin")
    monkeypatch.setenv("AUTOGRADER_HOLDOUT_DIR", str(holdout))
    monkeypatch.setenv("AUTOGRADER_CNN_BUDGET", "5")
    folder = submission(tmp_path, TINY_MODEL, "def train(model, images, labels, budget):\n    pass\n")
    results = grade_only("cnn", folder, ["test_cnn_test_accuracy"])
    output = next(t["output"] for t in results["tests"] if t["extra_data"]["test"] == "test_cnn_test_accuracy")
    assert "test accuracy on the course's private held-out set (500 images) is" in output, output


def test_an_implausible_accuracy_is_flagged_for_review():
    from autograder.outputs.report import render, summarise
    from autograder import config
    from autograder.suites.cnn.conftest import plausible_ceiling

    assert plausible_ceiling(15) == pytest.approx(0.78) and plausible_ceiling(600) == pytest.approx(0.95)
    assert 0.78 < plausible_ceiling(30) < 0.85 and plausible_ceiling(5) == pytest.approx(0.78)
    flagged = {"score": 100, "max_score": 100, "tests": [],
               "extra_data": {"review": ["test accuracy 99.0% is above the 78.0% that a 15-s budget plausibly allows"]}}
    page = render(summarise(config.load("cnn"), {"mallory": flagged, "ann": {**flagged, "extra_data": {}}}), {})
    review = page.split('id="review"')[1]
    assert "mallory" in review and "99.0%" in review and "ann" not in review
