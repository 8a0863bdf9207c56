"""The CNN task, trained once per submission (a session fixture).

1. The grader reads CIFAR-10 itself (``CIFAR10_DIR``, binary or python layout).
2. The worker builds the student's model (``model.build_model()``) and trains it with
   ``train.train(model, images, labels, time_budget_s)`` on the *training set only*: the
   images are sent as a uint8 (N, 3, 32, 32) .npy array, the labels as int64. The worker
   never receives the test set. The grader times this call with its own clock.
3. The worker exports the model in eval mode (``torch.export.export`` with an example batch
   of ``EVAL_BATCH`` float32 images) and sends the archive bytes back.
4. The grader checks the archive (see autograder/exported.py), loads the graph without any
   student Python, counts its layers and measures accuracy itself.

Model input contract: the exported model takes float32 tensors (N, 3, 32, 32) holding
``uint8 / 255`` (values in [0, 1]); any further normalisation belongs in ``forward``.

``AUTOGRADER_CNN_BUDGET`` sets the training budget in seconds (default 600, the task's
10 minutes); the time test allows 10 % + 10 s over it for the grader's own overhead.
"""
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.remote import StudentError

EVAL_BATCH = 250
TRAIN_EVAL_IMAGES = 10_000  # train accuracy is measured on the first 10,000 training images


def budget_seconds():
    return float(os.environ.get("AUTOGRADER_CNN_BUDGET", "600"))


def read_cifar10(directory):
    """(train_x, train_y, test_x, test_y) from the official binary or python layout."""
    root = Path(directory)
    for folder in (root, root / "cifar-10-batches-bin", root / "cifar-10-batches-py"):
        if (folder / "data_batch_1.bin").is_file():
            def read(name):
                raw = np.fromfile(folder / f"{name}.bin", np.uint8).reshape(-1, 3073)
                return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)
            break
        if (folder / "data_batch_1").is_file():
            def read(name):  # the official python layout is pickled by the data set's authors
                with open(folder / name, "rb") as handle:
                    batch = pickle.load(handle, encoding="bytes")
                return (np.asarray(batch[b"data"], np.uint8).reshape(-1, 3, 32, 32),
                        np.asarray(batch[b"labels"], np.int64))
            break
    else:
        raise FileNotFoundError(f"no CIFAR-10 batches in {directory}")
    train = [read(f"data_batch_{i}") for i in range(1, 6)]
    test_x, test_y = read("test_batch")
    return np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]), test_x, test_y


def accuracy(module, images, labels):
    import torch

    correct = 0
    with torch.no_grad():
        for start in range(0, len(images) - len(images) % EVAL_BATCH, EVAL_BATCH):
            batch = torch.from_numpy(images[start:start + EVAL_BATCH].astype(np.float32) / 255)
            scores = module(batch)
            correct += int((scores.argmax(dim=1).numpy() == labels[start:start + EVAL_BATCH]).sum())
    return correct / (len(images) - len(images) % EVAL_BATCH)


class Trained:
    """What the CNN tests look at; ``error`` explains why there is no model."""

    def __init__(self):
        self.error = None
        self.program = None
        self.seconds = None
        self.train_accuracy = None
        self.test_accuracy = None

    def require(self, what):
        if self.error:
            raise AssertionError(f"{what}: not checked, {self.error}")


@pytest.fixture(scope="session")
def trained(student):
    from autograder import exported

    result = Trained()
    directory = os.environ.get("CIFAR10_DIR")
    if not directory or not Path(directory).exists():
        result.error = "CIFAR-10 was not found by the grader (set CIFAR10_DIR)."
        return result
    train_x, train_y, test_x, test_y = read_cifar10(directory)
    budget = budget_seconds()
    try:
        model = student.keep("model", "build_model", timeout=120)
        started = time.monotonic()
        student.call("train", "train", model, train_x, train_y, budget,
                     timeout=budget * 1.5 + 60, discard=True)
        result.seconds = time.monotonic() - started
        example = np.zeros((EVAL_BATCH, 3, 32, 32), np.float32)
        data = model.export(example, timeout=300)
    except StudentError as error:
        result.error = str(error)
        return result
    try:
        result.program = exported.load(data)
        module = result.program.module()
        result.train_accuracy = accuracy(module, train_x[:TRAIN_EVAL_IMAGES], train_y[:TRAIN_EVAL_IMAGES])
        result.test_accuracy = accuracy(module, test_x, test_y)
    except exported.UnsafeModel as error:
        result.error = str(error)
    except Exception as error:  # noqa: BLE001 - the graph ran but failed on real images
        result.error = f"the exported model fails on CIFAR-10 images: {type(error).__name__}: {error}"[:600]
    return result
