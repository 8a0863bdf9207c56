"""The CNN task, trained once per submission (a session fixture).

1. The grader reads CIFAR-10 itself (``CIFAR10_DIR``, binary or python layout).
2. The worker builds the student's model (``model.build_model()``) and trains it with
   ``train.train(model, images, labels, time_budget_s)`` on the *training set only*: the
   images are sent as a uint8 (N, 3, 32, 32) .npy array, the labels as int64. The worker
   never receives the test set.
3. The worker exports the model in eval mode (``torch.export.export`` with an example batch
   of ``eval_batch`` float32 images) and sends the archive bytes back. The grader's clock
   runs from the call of ``train()`` until the archive is here: a thread that goes on
   training after ``train()`` returned is on the clock too. The time test allows the
   manifest's ``export_allowance_s`` for the export on top of the budget.
4. The grader reads the archive as plain data (archive.py: allowed operators only, no
   pickle, no symbolic shapes), counts its layers from the graph, and measures accuracy with
   a sandboxed process that runs the graph (evaluation.py) on images perturbed for this
   submission, never on the labels; the grader counts.

Model input contract: the exported model takes float32 tensors (N, 3, 32, 32) holding
``uint8 / 255`` (values in [0, 1]); any further normalisation belongs in ``forward``.

The task's numbers are the manifest's ``[task]`` table (source/cnn/assignment.toml).
``AUTOGRADER_CNN_BUDGET`` overrides the training budget, ``AUTOGRADER_CNN_EVAL_TIMEOUT`` the
accuracy measurement's limit (what is left of the submission's ``total_budget_s`` limits it
too), and ``AUTOGRADER_HOLDOUT_DIR`` (``grade --holdout DIR``) names a private held-out set in
CIFAR-10's binary layout that replaces the public test batch for the test accuracy.
"""
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import config, variants
from autograder.grading.remote import StudentError

from . import archive, evaluation

TASK = config.load("cnn").task


def budget_seconds():
    return float(os.environ.get("AUTOGRADER_CNN_BUDGET", TASK["budget_s"]))


def time_limit():
    """What the time test allows: the budget, 10 % + 10 s for the grader's overhead, and the
    export allowance."""
    return budget_seconds() * 1.1 + 10 + TASK["export_allowance_s"]


def _binary_batch(path):
    raw = np.fromfile(path, np.uint8)
    if raw.size == 0 or raw.size % 3073:
        raise ValueError(f"{path} is not in CIFAR-10's binary layout (3,073-byte records)")
    raw = raw.reshape(-1, 3073)
    labels = raw[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path} holds labels above 9")
    return raw[:, 1:].reshape(-1, 3, 32, 32), labels


def read_cifar10(directory):
    """(train_x, train_y, test_x, test_y) from the official binary or python layout."""
    root = Path(directory)
    for folder in (root, root / "cifar-10-batches-bin", root / "cifar-10-batches-py"):
        if (folder / "data_batch_1.bin").is_file():
            def read(name):
                return _binary_batch(folder / f"{name}.bin")
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


def read_holdout(directory):
    """(images, labels) of every ``*.bin`` file in ``directory`` (CIFAR-10 binary layout)."""
    files = sorted(Path(directory).glob("*.bin"))
    if not files:
        raise FileNotFoundError(f"no *.bin files (CIFAR-10 binary layout) in the held-out set {directory}")
    parts = [_binary_batch(path) for path in files]
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def plausible_ceiling(budget_s):
    """The highest test accuracy the manifest deems plausible for ``budget_s`` of training."""
    points = sorted(TASK["plausible_accuracy"])
    budgets = np.log([max(b, 1e-3) for b, _ in points])
    return float(np.interp(np.log(max(budget_s, 1e-3)), budgets, [a for _, a in points]))


def eval_timeout_seconds(student):
    limit = float(os.environ.get("AUTOGRADER_CNN_EVAL_TIMEOUT", TASK["eval_timeout_s"]))
    return max(1.0, min(limit, student.deadline - time.monotonic()))


def accuracies(clean_archive, student, image_sets):
    """The fraction of correct predictions on each (images, labels) pair, in one sandboxed run
    of ``clean_archive`` on the images perturbed for this submission (whole batches only)."""
    batch = TASK["eval_batch"]
    kept = [(x[:len(x) - len(x) % batch], y[:len(y) - len(y) % batch]) for x, y in image_sets]
    images = evaluation.perturb(np.concatenate([x for x, _ in kept]),
                                variants.rng_for(student.input_seed, "cnn-evaluation"))
    predicted = evaluation.predict(clean_archive, images, batch, student.mode, student.limits,
                                   student.threads, eval_timeout_seconds(student))
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
        self.graph = None
        self.seconds = None
        self.train_accuracy = None
        self.test_accuracy = None
        self.test_set = "the 10,000 CIFAR-10 test images"

    def require(self, what, accuracy=False):
        problem = self.error or (self.eval_error if accuracy else None)
        if problem:
            raise AssertionError(f"{what}: not checked, {problem}")


@pytest.fixture(scope="session")
def trained(student):
    result = Trained()
    directory = os.environ.get("CIFAR10_DIR")
    if not directory or not Path(directory).exists():
        result.error = "CIFAR-10 was not found by the grader (set CIFAR10_DIR)."
        return result
    train_x, train_y, test_x, test_y = read_cifar10(directory)
    holdout = os.environ.get("AUTOGRADER_HOLDOUT_DIR")
    if holdout:
        test_x, test_y = read_holdout(holdout)
        result.test_set = f"the course's private held-out set ({len(test_y):,} images)"
    budget = budget_seconds()
    try:
        model = student.keep("model", "build_model", timeout=120)
        started = time.monotonic()
        student.call("train", "train", model, train_x, train_y, budget,
                     timeout=budget * 1.5 + 60, discard=True)
        example = np.zeros((TASK["eval_batch"], 3, 32, 32), np.float32)
        data = model.export(example, timeout=300, max_bytes=archive.MAX_ARCHIVE_BYTES)
        result.seconds = time.monotonic() - started
    except StudentError as error:
        result.error = str(error)
        return result
    try:
        clean, result.graph = archive.read(data)
    except archive.UnsafeModel as error:
        result.error = str(error)
        return result
    if result.seconds > time_limit():
        result.eval_error = (f"train() and the export took {result.seconds:.0f} s, over the {time_limit():.0f}-s "
                             "limit: accuracy reached after the budget does not count")
        return result
    images = TASK["train_accuracy_images"]
    try:
        result.train_accuracy, result.test_accuracy = accuracies(
            clean, student, [(train_x[:images], train_y[:images]), (test_x, test_y)])
    except evaluation.EvaluationError as error:
        result.eval_error = str(error)
        return result
    ceiling = plausible_ceiling(budget)
    if result.test_accuracy > ceiling:
        student.review.append(
            f"test accuracy {result.test_accuracy:.1%} is above the {ceiling:.1%} that a {budget:.0f}-s "
            "budget plausibly allows on this machine: a person should look at this submission")
    return result
