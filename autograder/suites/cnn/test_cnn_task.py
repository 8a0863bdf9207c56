"""Hidden tests: the CNN task, checked on the exported graph by the grader."""
from autograder.exported import broken_rules, count_layers

from .conftest import TRAIN_EVAL_IMAGES, budget_seconds

TARGET = 0.65


def test_cnn_architecture(trained):
    """The exported graph has ≥7 conv, 1–3 linear, batch norm, max pooling and dropout"""
    trained.require("architecture")
    problems = broken_rules(count_layers(trained.program))
    assert not problems, "The model does not meet the CNN task's rules:\n  " + "\n  ".join(problems)


def test_cnn_train_accuracy(trained):
    """Train accuracy (first 10,000 training images) is at least 65 %, measured by the grader"""
    trained.require("train accuracy", accuracy=True)
    assert trained.train_accuracy >= TARGET, (
        f"train accuracy on the first {TRAIN_EVAL_IMAGES} training images is {trained.train_accuracy:.1%}, "
        f"below {TARGET:.0%} (training took {trained.seconds:.0f} s of a {budget_seconds():.0f} s budget).")


def test_cnn_test_accuracy(trained):
    """Test accuracy (10,000 test images, never sent to the worker) is at least 65 %"""
    trained.require("test accuracy", accuracy=True)
    assert trained.test_accuracy >= TARGET, (
        f"test accuracy is {trained.test_accuracy:.1%}, below {TARGET:.0%} "
        f"(train accuracy {trained.train_accuracy:.1%}).")


def test_cnn_training_time(trained):
    """train() returns within the time budget (10 minutes by default), timed by the grader"""
    trained.require("training time")
    limit = budget_seconds() * 1.1 + 10
    assert trained.seconds <= limit, (
        f"train() took {trained.seconds:.0f} s; the budget is {budget_seconds():.0f} s "
        f"(time_budget_s is passed to train(): stop when it is used up).")
