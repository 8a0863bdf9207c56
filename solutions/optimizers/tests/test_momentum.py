"""Public tests for momentum.Momentum: v ← ρ·v − α·g(x); x ← x + v."""
import numpy as np
import pytest

from checks import assert_close
from momentum import Momentum

FORMULA = "v ← ρ·v − α·g(x);  x ← x + v"


@pytest.mark.momentum
def test_momentum_three_steps_from_rest():
    # f(x) = ½‖x‖² (g(x) = x), α = 0.1, default ρ = 0.9, v starts at 0:
    #   step 1: v = 0.9·0 − 0.1·[1, −2]              = [−0.1, 0.2];    x = [0.9, −1.8]
    #   step 2: v = 0.9·[−0.1, 0.2] − 0.1·[0.9, −1.8] = [−0.18, 0.36];  x = [0.72, −1.44]
    #   step 3: v = 0.9·[−0.18, 0.36] − 0.1·[0.72, −1.44] = [−0.234, 0.468]; x = [0.486, −0.972]
    opt = Momentum(lr=0.1)
    expected = [([0.9, -1.8], [-0.1, 0.2]),
                ([0.72, -1.44], [-0.18, 0.36]),
                ([0.486, -0.972], [-0.234, 0.468])]
    x = np.array([1.0, -2.0])
    for k, (x_expected, v_expected) in enumerate(expected, start=1):
        x = opt.step(x, lambda p: p)
        assert_close(opt.v, v_expected, f"Momentum.v after step {k}", FORMULA)
        assert_close(x, x_expected, f"Momentum.step, returned x after step {k}", FORMULA)


@pytest.mark.momentum
def test_momentum_keeps_a_velocity_set_before_the_first_step():
    # v set to [0.5, −1] before the first step must be used, not replaced by zeros.
    # g(x) = x, x = [2, 1], α = 0.1, ρ = 0.5:
    #   v = 0.5·[0.5, −1] − 0.1·[2, 1] = [0.05, −0.6];  x = [2.05, 0.4]
    opt = Momentum(lr=0.1, rho=0.5)
    opt.v = np.array([0.5, -1.0])
    x = opt.step(np.array([2.0, 1.0]), lambda p: p)
    assert_close(opt.v, [0.05, -0.6], "Momentum.v after one step from v = [0.5, −1] (a state set "
                 "before the first step must be used as is)", FORMULA)
    assert_close(x, [2.05, 0.4], "Momentum.step from v = [0.5, −1]", FORMULA)


@pytest.mark.momentum
def test_momentum_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = Momentum(lr=0.1).step(x, lambda p: p)
    assert x_new is not x, "Momentum.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to Momentum.step (it must not be modified in place)")
