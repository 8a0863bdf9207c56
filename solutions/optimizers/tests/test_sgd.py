"""Public tests for sgd.SGD: x ← x − α·g(x)."""
import numpy as np
import pytest

from checks import assert_close
from sgd import SGD

FORMULA = "x ← x − α·g(x)"


@pytest.mark.sgd
def test_sgd_two_steps_on_half_squared_norm():
    # f(x) = ½‖x‖², so g(x) = x and every step multiplies x by (1 − α) = 0.9:
    #   x0 = [1, −2] → x1 = [0.9, −1.8] → x2 = [0.81, −1.62]
    opt = SGD(lr=0.1)
    x1 = opt.step(np.array([1.0, -2.0]), lambda x: x)
    assert_close(x1, [0.9, -1.8], "SGD.step, step 1", FORMULA)
    x2 = opt.step(x1, lambda x: x)
    assert_close(x2, [0.81, -1.62], "SGD.step, step 2", FORMULA)


@pytest.mark.sgd
def test_sgd_default_learning_rate_and_any_shape():
    # Default α = 0.01, on a 2×2 array with a constant gradient g = [[1, 2], [3, 4]]:
    #   x1 = 0 − 0.01·g = [[−0.01, −0.02], [−0.03, −0.04]]
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    x1 = SGD().step(np.zeros((2, 2)), lambda x: g)
    assert_close(x1, [[-0.01, -0.02], [-0.03, -0.04]], "SGD().step with the default lr = 0.01", FORMULA)


@pytest.mark.sgd
def test_sgd_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = SGD(lr=0.5).step(x, lambda p: p)
    assert x_new is not x, "SGD.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to SGD.step (it must not be modified in place)")
