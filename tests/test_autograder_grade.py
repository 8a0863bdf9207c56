"""The autograder grades solutions 100, stubs 0, a partly-correct submission exactly, repeatably."""

import pytest

from autograder.dev.examples import example_submissions
from grading import grade, scores


def check_format(results):
    assert set(results) >= {"score", "max_score", "execution_time", "output", "tests"}
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_due_date")
    assert results["max_score"] == 100


@pytest.mark.parametrize("assignment", ["backprop", "optimizers"])
def test_solution_scores_100(assignment, tmp_path):
    folders = example_submissions(assignment, tmp_path)
    results, process = grade(assignment, folders["solution"], tmp_path / "r.json")
    check_format(results)
    failed = {t["name"]: t["output"] for t in results["tests"] if t["status"] != "passed"}
    assert results["score"] == 100, failed
    assert "sandbox:" in results["output"]


@pytest.mark.parametrize("assignment", ["backprop", "optimizers"])
def test_stubs_score_0(assignment, tmp_path):
    folders = example_submissions(assignment, tmp_path)
    results, process = grade(assignment, folders["stubs"], tmp_path / "r.json")
    assert process.returncode == 0 and process.stderr == ""
    check_format(results)
    assert results["score"] == 0, {t["name"]: t["score"] for t in results["tests"] if t["score"]}
    for test in results["tests"]:
        assert "NotImplementedError" in test["output"], test
        assert "Traceback" not in test["output"]


EXPECTED_PARTIAL = {
    # backprop: solution activations.py, stub layers.py and network.py
    "backprop": {"test_sigmoid": 6, "test_tanh": 5, "test_relu": 5, "test_leaky_relu": 5, "test_elu": 5,
                 "test_activation_gradients_numeric": 6, "test_activation_stability": 5,
                 "test_activation_dtype": 3, "test_maxout": 6},
    # optimizers: solution sgd.py, momentum.py, adam.py; the state test passes 4 of its 10 checks
    "optimizers": {"test_sgd": 10, "test_momentum": 15, "test_adam": 20, "test_state_initialisation": 4},
}


@pytest.mark.parametrize("assignment", ["backprop", "optimizers"])
def test_partial_submission_gets_exactly_its_points(assignment, tmp_path):
    folders = example_submissions(assignment, tmp_path)
    results, _ = grade(assignment, folders["partial"], tmp_path / "r.json")
    expected = EXPECTED_PARTIAL[assignment]
    got = scores(results)
    assert {name: score for name, score in got.items() if score} == expected
    assert results["score"] == sum(expected.values())
    partial = [t for t in results["tests"] if 0 < t["score"] < t["max_score"]]
    for test in partial:  # partial credit is explained
        assert test["status"] == "failed" and "checks passed" in test["output"]


def test_scores_identical_across_three_runs(tmp_path):
    folders = example_submissions("optimizers", tmp_path)
    runs = [scores(grade("optimizers", folders["partial"], tmp_path / f"r{i}.json")[0]) for i in range(3)]
    assert runs[0] == runs[1] == runs[2]
