"""Public tests for rmsprop.RMSProp: E ← γ·E + (1 − γ)·g²; x ← x − α·g / √(E + ε)."""
import numpy as np
import pytest

from checks import assert_close
from rmsprop import RMSProp

FORMULA = "E ← γ·E + (1 − γ)·g²;  x ← x − α·g / √(E + ε)"


@pytest.mark.rmsprop
def test_rmsprop_three_steps_with_a_constant_gradient():
    # g = [3, 4] everywhere, α = 0.1, default γ = 0.9, ε = 0, x0 = [0, 0], E0 = 0.
    # After t steps E = (1 − 0.9ᵗ)·g², so each coordinate moves by 0.1/√(1 − 0.9ᵗ):
    #   t = 1: E = 0.1·[9, 16]   = [0.9, 1.6],     step 0.1/√0.1
    #   t = 2: E = 0.19·[9, 16]  = [1.71, 3.04],   step 0.1/√0.19
    #   t = 3: E = 0.271·[9, 16] = [2.439, 4.336], step 0.1/√0.271
    g = np.array([3.0, 4.0])
    opt = RMSProp(lr=0.1, eps=0.0)
    x = np.zeros(2)
    moved = 0.0
    for t, fraction in ((1, 0.1), (2, 0.19), (3, 0.271)):
        x = opt.step(x, lambda p: g)
        moved += 0.1 / np.sqrt(fraction)
        assert_close(opt.E, fraction * g**2, f"RMSProp.E after step {t}", FORMULA)
        assert_close(x, [-moved, -moved], f"RMSProp.step, returned x after step {t}", FORMULA)


@pytest.mark.rmsprop
def test_rmsprop_puts_eps_inside_the_square_root():
    # g = [4], γ = 0.5, ε = 1, α = 0.3:  E = 0.5·16 = 8,  √(E + ε) = √9 = 3,
    # x = 1 − 0.3·4/3 = 0.6   (ε outside the root: 1 − 0.3·4/(√8 + 1) ≈ 0.687)
    opt = RMSProp(lr=0.3, gamma=0.5, eps=1.0)
    x = opt.step(np.array([1.0]), lambda p: np.array([4.0]))
    assert_close(opt.E, [8.0], "RMSProp.E after one step with γ = 0.5", FORMULA)
    assert_close(x, [0.6], "RMSProp.step with ε = 1", FORMULA + "   (ε inside the root)")


@pytest.mark.rmsprop
def test_rmsprop_defaults_for_tiny_gradients():
    # Defaults γ = 0.9, ε = 1e-8; g = [1e-4], α = 1:  E = 0.1·1e-8 = 1e-9,
    # √(E + ε) = √1.1e-8, so x = 0 − 1e-4/√1.1e-8 = −1/√1.1 ≈ −0.95346
    opt = RMSProp(lr=1.0)
    x = opt.step(np.array([0.0]), lambda p: np.array([1e-4]))
    assert_close(x, [-1 / np.sqrt(1.1)], "RMSProp(lr=1).step with g = 1e-4 and the defaults "
                 "γ = 0.9, ε = 1e-8", FORMULA)


@pytest.mark.rmsprop
def test_rmsprop_keeps_an_average_set_before_the_first_step():
    # E = [9, 16] = g² set before the first step is already the average of g = [3, 4],
    # so it stays: E = 0.9·[9, 16] + 0.1·[9, 16] = [9, 16], and with α = 1, ε = 0
    # x = 0 − [3/3, 4/4] = [−1, −1].   (Starting from zeros instead would give E = [0.9, 1.6].)
    opt = RMSProp(lr=1.0, eps=0.0)
    opt.E = np.array([9.0, 16.0])
    x = opt.step(np.zeros(2), lambda p: np.array([3.0, 4.0]))
    assert_close(opt.E, [9.0, 16.0], "RMSProp.E after one step from E = [9, 16] (a state set "
                 "before the first step must be used as is)", FORMULA)
    assert_close(x, [-1.0, -1.0], "RMSProp.step from E = [9, 16]", FORMULA)


@pytest.mark.rmsprop
def test_rmsprop_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = RMSProp(lr=0.1).step(x, lambda p: p)
    assert x_new is not x, "RMSProp.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to RMSProp.step (it must not be modified in place)")
