"""Public tests for adam.Adam.

    t ← t + 1;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
    m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);  x ← x − α·m̂/(√v̂ + ε)
"""
import numpy as np
import pytest

from checks import assert_close
from adam import Adam

FORMULA = "t ← t + 1;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  x ← x − α·m̂/(√v̂ + ε)"


@pytest.mark.adam
def test_adam_two_steps_with_a_constant_gradient():
    # g = [3, −4] everywhere, α = 0.1, default β₁ = 0.9, β₂ = 0.999, ε = 0, x0 = [0, 0].
    # With a constant g the bias correction gives back m̂ = g and v̂ = g² exactly,
    # so every step is α·g/|g| = 0.1·[1, −1]:  x1 = [−0.1, 0.1],  x2 = [−0.2, 0.2].
    #   t = 1: m = 0.1·g = [0.3, −0.4],   v = 0.001·g² = [0.009, 0.016]
    #   t = 2: m = 0.9·[0.3, −0.4] + 0.1·[3, −4] = [0.57, −0.76]
    #          v = 0.999·[0.009, 0.016] + 0.001·[9, 16] = [0.017991, 0.031984]
    g = np.array([3.0, -4.0])
    opt = Adam(lr=0.1, eps=0.0)
    x = opt.step(np.zeros(2), lambda p: g)
    assert opt.t == 1, f"Adam.t should be 1 after the first step (t ← t + 1 comes first), got {opt.t!r}."
    assert_close(opt.m, [0.3, -0.4], "Adam.m after step 1", "m ← β₁m + (1 − β₁)g")
    assert_close(opt.v, [0.009, 0.016], "Adam.v after step 1", "v ← β₂v + (1 − β₂)g²")
    assert_close(x, [-0.1, 0.1], "Adam.step, returned x after step 1", FORMULA)
    x = opt.step(x, lambda p: g)
    assert opt.t == 2, f"Adam.t should be 2 after two steps, got {opt.t!r}."
    assert_close(opt.m, [0.57, -0.76], "Adam.m after step 2", "m ← β₁m + (1 − β₁)g")
    assert_close(opt.v, [0.017991, 0.031984], "Adam.v after step 2", "v ← β₂v + (1 − β₂)g²")
    assert_close(x, [-0.2, 0.2], "Adam.step, returned x after step 2 (m̂ = m/(1 − β₁ᵗ) and "
                 "v̂ = v/(1 − β₂ᵗ) undo the zero start)", FORMULA)


@pytest.mark.adam
def test_adam_from_a_state_set_before_the_first_step():
    # t = 1, m = [2], v = [2] set before the step; β₁ = β₂ = 0.5, α = 0.75, ε = 0,
    # x = [2] and g(x) = x = [2]:
    #   t = 2;  m = 0.5·2 + 0.5·2 = 2;  v = 0.5·2 + 0.5·4 = 3
    #   m̂ = 2/(1 − 0.5²) = 8/3;  v̂ = 3/(1 − 0.5²) = 4;  x = 2 − 0.75·(8/3)/2 = 1
    # (Using t = 1 in the corrections, i.e. counting after use, would give x ≈ 0.775.)
    opt = Adam(lr=0.75, beta1=0.5, beta2=0.5, eps=0.0)
    opt.t, opt.m, opt.v = 1, np.array([2.0]), np.array([2.0])
    x = opt.step(np.array([2.0]), lambda p: p)
    assert opt.t == 2, f"Adam.t should go from 1 to 2 in one step, got {opt.t!r}."
    assert_close(opt.m, [2.0], "Adam.m after one step from m = [2]", "m ← β₁m + (1 − β₁)g")
    assert_close(opt.v, [3.0], "Adam.v after one step from v = [2]", "v ← β₂v + (1 − β₂)g²")
    assert_close(x, [1.0], "Adam.step from t = 1, m = v = [2] (t is incremented before "
                 "m̂ and v̂ use it)", FORMULA)


@pytest.mark.adam
def test_adam_puts_eps_outside_the_square_root():
    # g = [3] constant, ε = 1, α = 1, first step: m̂ = 3, v̂ = 9,
    # x = 0 − 3/(√9 + 1) = −0.75     (ε inside the root: −3/√10 ≈ −0.949)
    opt = Adam(lr=1.0, eps=1.0)
    x = opt.step(np.array([0.0]), lambda p: np.array([3.0]))
    assert_close(x, [-0.75], "Adam.step with ε = 1", "x ← x − α·m̂/(√v̂ + ε)   (ε outside the root)")


@pytest.mark.adam
def test_adam_default_learning_rate():
    # Defaults α = 0.001, ε = 1e-8; constant g = [2, −0.5]: first step is
    # −0.001·g/(|g| + 1e-8) ≈ −0.001·[1, −1]
    opt = Adam()
    x = opt.step(np.zeros(2), lambda p: np.array([2.0, -0.5]))
    assert_close(x, [-0.001, 0.001], "Adam().step with the default α = 0.001", FORMULA)


@pytest.mark.adam
def test_adam_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = Adam(lr=0.1).step(x, lambda p: p)
    assert x_new is not x, "Adam.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to Adam.step (it must not be modified in place)")
