"""Public tests for nesterov.Nesterov: v ← ρ·v − α·g(x + ρ·v); x ← x + v."""
import numpy as np
import pytest

from checks import assert_close
from nesterov import Nesterov

FORMULA = "v ← ρ·v − α·g(x + ρ·v);  x ← x + v"


@pytest.mark.nesterov
def test_nesterov_two_steps_from_rest():
    # f(x) = ½‖x‖² (g(x) = x), α = 0.1, default ρ = 0.9, v starts at 0.
    #   step 1: look-ahead = x = [1, −2] (v = 0)
    #           v = −0.1·[1, −2] = [−0.1, 0.2];  x = [0.9, −1.8]
    #   step 2: look-ahead = [0.9, −1.8] + 0.9·[−0.1, 0.2] = [0.81, −1.62]
    #           v = 0.9·[−0.1, 0.2] − 0.1·[0.81, −1.62] = [−0.171, 0.342];  x = [0.729, −1.458]
    # (Plain momentum would give v = [−0.18, 0.36] and x = [0.72, −1.44] in step 2.)
    opt = Nesterov(lr=0.1)
    x = opt.step(np.array([1.0, -2.0]), lambda p: p)
    assert_close(opt.v, [-0.1, 0.2], "Nesterov.v after step 1", FORMULA)
    assert_close(x, [0.9, -1.8], "Nesterov.step, returned x after step 1", FORMULA)
    x = opt.step(x, lambda p: p)
    assert_close(opt.v, [-0.171, 0.342], "Nesterov.v after step 2", FORMULA)
    assert_close(x, [0.729, -1.458], "Nesterov.step, returned x after step 2", FORMULA)


@pytest.mark.nesterov
def test_nesterov_asks_for_the_gradient_at_the_look_ahead_point():
    # v = [1, −1] set before the first step, x = [0, 0], ρ = 0.5, α = 0.1, g(p) = p:
    #   look-ahead = x + ρ·v = [0.5, −0.5]
    #   v = 0.5·[1, −1] − 0.1·[0.5, −0.5] = [0.45, −0.45];  x = [0.45, −0.45]
    calls = []

    def grad_fn(p):
        calls.append(np.array(p, copy=True))
        return p

    opt = Nesterov(lr=0.1, rho=0.5)
    opt.v = np.array([1.0, -1.0])
    x = opt.step(np.array([0.0, 0.0]), grad_fn)
    assert len(calls) == 1, (
        f"Nesterov.step should call grad_fn exactly once, at x + ρ·v; it called it {len(calls)} times.")
    assert_close(calls[0], [0.5, -0.5], "the point where Nesterov.step evaluates grad_fn",
                 "look-ahead point x + ρ·v (with the v from before this step)")
    assert_close(opt.v, [0.45, -0.45], "Nesterov.v after one step from v = [1, −1]", FORMULA)
    assert_close(x, [0.45, -0.45], "Nesterov.step from v = [1, −1]", FORMULA)


@pytest.mark.nesterov
def test_nesterov_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = Nesterov(lr=0.1).step(x, lambda p: p)
    assert x_new is not x, "Nesterov.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to Nesterov.step (it must not be modified in place)")
