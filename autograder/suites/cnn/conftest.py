"""The CNN task, trained once per submission (a session fixture).

1. The grader reads CIFAR-10 itself (``CIFAR10_DIR``, binary or python layout).
2. The worker builds the student's model (``model.build_model()``) and trains it with
   ``train.train(model, images, labels, time_budget_s)`` on the *training set only*: the
   images are sent as a uint8 (N, 3, 32, 32) .npy array, the labels as int64. The worker
   never receives the test set. The grader times this call with its own clock.
3. The worker exports the model in eval mode (``torch.export.export`` with an example batch
   of ``EVAL_BATCH`` float32 images) and sends the archive bytes back.
4. The grader checks the archive (see autograder/exported.py), loads the graph without any
   student Python and counts its layers. It measures accuracy itself: a sandboxed process
   that runs no student Python (autograder/graph_eval.py) predicts the classes of the images,
   within the worker's limits and a time limit of its own (below), and the grader counts.

Model input contract: the exported model takes float32 tensors (N, 3, 32, 32) holding
``uint8 / 255`` (values in [0, 1]); any further normalisation belongs in ``forward``.

``AUTOGRADER_CNN_BUDGET`` sets the training budget in seconds (default 600, the task's
10 minutes); the time test allows 10 % + 10 s over it for the grader's own overhead.
``AUTOGRADER_CNN_EVAL_TIMEOUT`` limits the accuracy measurement on the 20,000 images
(default 600 s; the reference takes about 150 s on 2 cores), and so does what is left of
the submission's ``total_budget_s``, whichever is less.
"""
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import graph_eval
from autograder.remote import StudentError

EVAL_BATCH = graph_eval.BATCH  # the batch size the model is exported for
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


def eval_timeout_seconds(student):
    limit = float(os.environ.get("AUTOGRADER_CNN_EVAL_TIMEOUT", "600"))
    return max(1.0, min(limit, student.deadline - time.monotonic()))


def accuracies(archive, student, image_sets):
    """The fraction of correct predictions on each (images, labels) pair, in one sandboxed run
    of the sanitized ``archive`` (whole batches of EVAL_BATCH only: the graph's batch size)."""
    kept = [(x[:len(x) - len(x) % EVAL_BATCH], y[:len(y) - len(y) % EVAL_BATCH]) for x, y in image_sets]
    predicted = graph_eval.predict(archive, np.concatenate([x for x, _ in kept]), student.mode,
                                   student.limits, student.threads, eval_timeout_seconds(student))
    results, start = [], 0
    for _, labels in kept:
        results.append(float(np.mean(predicted[start:start + len(labels)] == labels)))
        start += len(labels)
    return results


class Trained:
    """What the CNN tests look at; ``error`` explains why there is no model, ``eval_error``
    why its accuracy could not be measured (the architecture and time tests still count)."""

    def __init__(self):
        self.error = None
        self.eval_error = None
        self.program = None
        self.seconds = None
        self.train_accuracy = None
        self.test_accuracy = None

    def require(self, what, accuracy=False):
        problem = self.error or (self.eval_error if accuracy else None)
        if problem:
            raise AssertionError(f"{what}: not checked, {problem}")


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
        clean = exported.sanitize(data)
        result.program = exported.load_clean(clean)
    except exported.UnsafeModel as error:
        result.error = str(error)
        return result
    try:
        result.train_accuracy, result.test_accuracy = accuracies(
            clean, student,
            [(train_x[:TRAIN_EVAL_IMAGES], train_y[:TRAIN_EVAL_IMAGES]), (test_x, test_y)])
    except graph_eval.EvaluationError as error:
        result.eval_error = str(error)
    return result
