"""Partial credit that survives an early stop (issue 23, item 5): every check carries a declared
weight; an exception inside a check fails that check only; a failed set-up fails the checks that
need it, saying so; a test that stops outside its checks keeps what it had passed."""
import shutil
from pathlib import Path

import pytest

from autograder.suites.conftest import Cases, PlanError
from grading import grade_only

REPO = Path(__file__).resolve().parents[1]


def by_test(results):
    return {t["extra_data"]["test"]: t for t in results["tests"]}


def solution_with(tmp_path, assignment, file, old, new):
    folder = tmp_path / "submission"
    shutil.copytree(REPO / "solutions" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    text = (folder / file).read_text()
    assert text.count(old) == 1
    (folder / file).write_text(text.replace(old, new))
    return folder


def test_declared_weights_not_loop_counts():
    cases = Cases()
    cases.plan({"forward": 1, "dx": 2, "dW": 2, "centred differences": 5})
    for label in ("forward", "dx", "dW"):
        with cases.check(label):
            pass
    with cases.check("centred differences"):
        raise AssertionError("off")
    assert (cases.passed, cases.total) == (5.0, 10.0)
    assert cases.summary().startswith("3 of 4 checks passed (50 % of this test's points).")
    assert "- centred differences (50 % of the points): off" in cases.summary()


def test_an_exception_inside_a_check_fails_that_check_only():
    cases = Cases()
    cases.plan({"a": 1, "b": 1})
    with cases.check("a"):
        raise ZeroDivisionError("division by zero")
    with cases.check("b"):
        pass
    assert cases.failures == [("a", "ZeroDivisionError: division by zero")] and cases.passed == 1


def test_a_failed_setup_fails_what_needs_it_and_says_so():
    cases = Cases()
    cases.plan({"before": 1, "needs it": 1, "independent": 1})
    with cases.check("before"):
        pass
    with cases.setup("MLP.eval()", needed_by=["needs it"]) as setup:
        raise ValueError("eval is broken")
    assert not setup.ok
    with cases.check("needs it"):  # its body's outcome no longer counts
        pass
    with cases.check("independent"):
        pass
    assert cases.passed == 2 and cases.failures == [
        ("needs it", "not run: it needs MLP.eval(), which failed: ValueError: eval is broken")]


def test_a_stop_keeps_the_passed_checks():
    cases = Cases()
    cases.plan({"a": 3, "b": 1, "c": 1})
    with cases.check("a"):
        pass
    cases.stop(RuntimeError("boom"))
    assert (cases.passed, cases.total) == (3.0, 5.0)
    assert "The test stopped early, outside its checks: RuntimeError: boom" in cases.summary()
    assert "- b (20 % of the points): not run: the test stopped before this check" in cases.summary()


def test_plan_mistakes_are_the_suites_not_the_students():
    cases = Cases()
    cases.plan({"a": 1})
    with pytest.raises(PlanError):
        cases.check("not planned")
    with cases.check("a"):
        pass
    with pytest.raises(PlanError):
        cases.check("a")
    with pytest.raises(PlanError):
        Cases().plan({"weightless": 0})


def test_batchnorm_whose_eval_mode_raises_earns_its_passed_checks(tmp_path, monkeypatch):
    """The issue's case: "3 of 3 checks passed ... The test stopped early" scored 0 of 4."""
    monkeypatch.setenv("AUTOGRADER_SECRET", "partial-credit")
    folder = solution_with(tmp_path, "backprop", "layers.py", "            mean, var = self.running_mean, self.running_var",
                           '            raise RuntimeError("eval mode is not written yet")')
    test = by_test(grade_only("backprop", folder, ["test_mlp_batchnorm"]))["test_mlp_batchnorm"]
    assert test["status"] == "failed"
    assert test["output"].startswith("3 of 7 checks passed"), test["output"]
    assert test["score"] == pytest.approx(4 * 3 / 6.5, abs=1e-3), test["output"]
    assert "not run: it needs a fresh MLP(batchnorm=True), three training forwards, MLP.eval() and a forward " \
           "in eval mode, which failed: " in test["output"]
    assert "eval mode is not written yet" in test["output"]


def test_a_stop_outside_the_checks_keeps_the_points_earned_before_it(tmp_path, monkeypatch):
    """An SGD that refuses lr = 0.02 stops test_sgd where its second trajectory builds it."""
    monkeypatch.setenv("AUTOGRADER_SECRET", "partial-credit")
    folder = solution_with(tmp_path, "optimizers", "sgd.py", "        self.lr = lr\n",
                           '        if lr == 0.02:\n            raise ValueError("lr too small")\n        self.lr = lr\n')
    test = by_test(grade_only("optimizers", folder, ["test_sgd"]))["test_sgd"]
    assert test["score"] == pytest.approx(10 * 3 / 9, abs=1e-3), test["output"]  # the first trajectory's 3 of 9
    assert "The test stopped early, outside its checks: SGD(lr=0.02) raised ValueError: lr too small" in test["output"]
    assert "- SGD vs torch.optim.SGD (22 % of the points): not run: the test stopped before this check" in test["output"]


def test_a_failed_setup_in_a_loop_costs_only_its_own_checks(tmp_path, monkeypatch):
    """LeakyReLU's constructor raising costs its two gradient checks, not ELU's after it."""
    monkeypatch.setenv("AUTOGRADER_SECRET", "partial-credit")
    folder = solution_with(tmp_path, "backprop", "activations.py", "    def __init__(self, alpha=0.01):\n",
                           '    def __init__(self, alpha=0.01):\n        raise ValueError("not yet")\n')
    test = by_test(grade_only("backprop", folder, ["test_activation_gradients_numeric"]))[
        "test_activation_gradients_numeric"]
    assert test["output"].startswith("8 of 10 checks passed"), test["output"]
    assert "- LeakyReLU.backward vs centred differences (10 % of the points): not run: it needs " \
           "LeakyReLU(**{'alpha': 0.2}), which failed: LeakyReLU(alpha=0.2) raised ValueError: not yet" in test["output"]
    assert "stopped early" not in test["output"]


def test_a_planned_check_that_never_ran_is_not_a_free_pass():
    cases = Cases()
    cases.plan({"ran": 1, "skipped by the test's own logic": 1})
    with cases.check("ran"):
        pass
    assert cases.failures == [("skipped by the test's own logic", "not run: the test never reached this check.")]
    assert cases.passed == 1 and cases.summary().startswith("1 of 2 checks passed (50 %")
