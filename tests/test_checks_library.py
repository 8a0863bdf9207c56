"""The one checks library (source/_common/checks.py; the hidden suites run its generated copy
autograder/suites/checks_common.py) and backprop's given gradcheck.py agree.

gradcheck.py stays a student module of its own: the sandboxed worker gets the student's
modules and the given ones, never tests/, so it cannot import the library. Instead these
tests prove that it computes the same centred differences and relative error, with the same
step and floor, on random functions."""
import inspect

import numpy as np
import pytest

from autograder.suites import checks_common as checks


@pytest.fixture
def gradcheck(solution):
    return solution("backprop", "gradcheck")


def random_problem(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 5))
    c = rng.standard_normal((3, 5))
    scalar = lambda: float(np.sum(np.tanh(x @ W) * c) + np.log(np.sum(np.exp(x))))
    array = lambda: np.sin(x @ W) * x.sum()
    dscalar = (1 - np.tanh(x @ W) ** 2) * c @ W.T + np.exp(x) / np.sum(np.exp(x))
    return rng, x, scalar, array, dscalar


def test_same_step_and_floor(gradcheck):
    for name in ("numerical_gradient", "numerical_gradient_array"):
        assert inspect.signature(getattr(gradcheck, name)).parameters["h"].default == checks.H
    assert "1e-8" in gradcheck.relative_error.__doc__ and checks.SCALE_FLOOR == 1e-8


@pytest.mark.parametrize("seed", range(5))
def test_centred_differences_agree(gradcheck, seed):
    rng, x, scalar, array, dscalar = random_problem(seed)
    before = x.copy()
    ours, theirs = checks.numerical_gradient(scalar, x), gradcheck.numerical_gradient(scalar, x)
    assert np.array_equal(x, before), "numerical_gradient must restore x"
    assert checks.relative_error(ours, theirs) <= 1e-12
    checks.assert_gradient_close(dscalar, ours, "analytic gradient of the random f")
    dout = rng.standard_normal(array().shape)
    ours = checks.numerical_gradient_array(array, x, dout)
    theirs = gradcheck.numerical_gradient_array(array, x, dout)
    assert np.array_equal(x, before)
    assert checks.relative_error(ours, theirs) <= 1e-8


@pytest.mark.parametrize("seed", range(5))
def test_relative_error_agrees(gradcheck, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((4, 3)) * 10.0 ** rng.integers(-12, 3, (4, 3))
    b = a + rng.standard_normal((4, 3)) * 10.0 ** rng.integers(-14, 0, (4, 3))
    a[0, 0] = b[0, 0] = 0.0
    assert gradcheck.relative_error(a, b) == checks.relative_error(a, b)
    assert gradcheck.relative_error(np.zeros(0), np.zeros(0)) == checks.relative_error(np.zeros(0), np.zeros(0)) == 0.0


def test_failed_checks_say_what_was_checked():
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_close(np.array([1.0, 2.5]), [1.0, 2.0], "Sigmoid.forward", "σ(x) = 1 / (1 + exp(-x))")
    message = str(failed.value)
    for part in ("Sigmoid.forward", "σ(x) = 1 / (1 + exp(-x))", "expected", "actual", "checked: |actual − expected|"):
        assert part in message
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_gradient_close(np.array([1.0, 2.0]), np.array([1.0, 2.1]), "Tanh.backward")
    message = str(failed.value)
    for part in ("Tanh.backward", "(f(x + h) − f(x − h)) / 2h", "numeric", "analytic", "relative error", "≤ 1e-05"):
        assert part in message
    assert failed.value.misconceptions == []


def test_wrong_variants_are_named():
    class Wrong:  # the interface of autograder/suites/misconceptions.Wrong
        name, prediction = "derivative_sign", np.array([-1.0, -2.0])

        def describe(self):
            return "matches the derivative with the wrong sign"

    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_gradient_close(np.array([-1.0, -2.0]), np.array([1.0, 2.0]), "Sigmoid.backward", wrong=[Wrong()])
    assert failed.value.misconceptions == ["derivative_sign"]
    assert "matches the derivative with the wrong sign" in str(failed.value)


@pytest.mark.parametrize("wrong, words", [
    (lambda e: -e, "exactly the expected ones with the opposite sign: a sign flip?"),
    (lambda e: 2 * e, "exactly 2× the expected: a missing or extra factor 2"),
    (lambda e: e / 5, "exactly 1/5 of the expected: an extra division by 5"),
    (lambda e: e.T, "the transpose of the expected ones: a transposed operand?"),
    (lambda e: np.roll(e, 1, axis=1), "shifted by one position along axis 1"),
])
def test_the_shape_of_the_error_is_named(wrong, words):
    expected = np.random.default_rng(0).standard_normal((5, 5))
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_close(wrong(expected), expected, "Linear.backward (dx)", "dx = dout @ W.T")
    assert words in str(failed.value)
    assert [name.endswith("(shape of the error)") for name in failed.value.misconceptions] == [True]


def test_a_transposed_shape_and_an_unremarkable_error_are_told_apart():
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_shape(np.zeros((20, 30)), (30, 20), "init_xavier(30, 20, rng)")
    assert "the transposed shape (20, 30) of the expected (30, 20)" in str(failed.value)
    rng = np.random.default_rng(1)
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_close(rng.standard_normal((4, 4)), rng.standard_normal((4, 4)), "Linear.forward")
    assert failed.value.misconceptions == [] and "your values" not in str(failed.value)


def test_the_library_hides_its_frames_from_tracebacks():
    """pytest drops frames whose locals hold __tracebackhide__: a failure shows the test's line."""
    for name, function in inspect.getmembers(checks, inspect.isfunction):
        if function.__module__ == checks.__name__ and name not in ("_close", "_whole", "_preview"):
            assert "__tracebackhide__" in function.__code__.co_varnames, name
