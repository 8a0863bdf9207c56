"""Hidden tests: the CNN task, checked on the exported graph by the grader."""
from .rules import broken_rules, count_layers
from .conftest import TASK, budget_seconds, time_limit

BAR = TASK["accuracy_bar"]


def test_cnn_architecture(trained):
    """The exported graph has ≥7 conv, 1–3 linear, batch norm, max pooling and dropout"""
    trained.require("architecture")
    problems = broken_rules(count_layers(trained.graph))
    assert not problems, "The model does not meet the CNN task's rules:\n  " + "\n  ".join(problems)


def test_cnn_train_accuracy(trained):
    """Train accuracy (the first 10,000 training images) is at least the bar, measured by the grader"""
    trained.require("train accuracy", accuracy=True)
    assert trained.train_accuracy >= BAR, (
        f"train accuracy on the first {TASK['train_accuracy_images']:,} training images is "
        f"{trained.train_accuracy:.1%}, below {BAR:.0%} (training and export took {trained.seconds:.0f} s "
        f"of a {budget_seconds():.0f} s budget).")


def test_cnn_test_accuracy(trained):
    """Test accuracy (images never sent to the worker) is at least the bar"""
    trained.require("test accuracy", accuracy=True)
    assert trained.test_accuracy >= BAR, (
        f"test accuracy on {trained.test_set} is {trained.test_accuracy:.1%}, below {BAR:.0%} "
        f"(train accuracy {trained.train_accuracy:.1%}).")


def test_cnn_training_time(trained):
    """train() and the export finish within the time budget, timed by the grader"""
    trained.require("training time")
    assert trained.seconds <= time_limit(), (
        f"train() and the export of the model took {trained.seconds:.0f} s; the budget is "
        f"{budget_seconds():.0f} s (time_budget_s is passed to train(): stop when it is used up, "
        f"and leave no thread running after train() returns: the clock stops only when the "
        f"exported model reaches the grader).")
