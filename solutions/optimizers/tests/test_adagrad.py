"""Public tests for adagrad.Adagrad: G ← G + g²; x ← x − α·g / √(G + ε)."""
import numpy as np
import pytest

from checks import assert_close
from adagrad import Adagrad

FORMULA = "G ← G + g²;  x ← x − α·g / √(G + ε)"


@pytest.mark.adagrad
def test_adagrad_three_steps_with_a_constant_gradient():
    # g = [3, 4] everywhere, α = 1, ε = 0, x0 = [0, 0]. After t steps G = t·g², so each
    # coordinate moves by g/√(t·g²) = 1/√t, whatever the size of its gradient:
    #   G = [9, 16],  [18, 32],  [27, 48]
    #   x = [−1, −1], −(1 + 1/√2)·[1, 1], −(1 + 1/√2 + 1/√3)·[1, 1]
    g = np.array([3.0, 4.0])
    opt = Adagrad(lr=1.0, eps=0.0)
    x = np.zeros(2)
    moved = 0.0
    for t in (1, 2, 3):
        x = opt.step(x, lambda p: g)
        moved += 1 / np.sqrt(t)
        assert_close(opt.G, [9.0 * t, 16.0 * t], f"Adagrad.G after step {t}", FORMULA)
        assert_close(x, [-moved, -moved], f"Adagrad.step, returned x after step {t}", FORMULA)


@pytest.mark.adagrad
def test_adagrad_puts_eps_inside_the_square_root():
    # g = [3], ε = 16, α = 0.5:  G = 9,  √(G + ε) = √25 = 5,  x = 1 − 0.5·3/5 = 0.7
    # (ε outside the root would give 1 − 0.5·3/(3 + 16) ≈ 0.921.)
    opt = Adagrad(lr=0.5, eps=16.0)
    x = opt.step(np.array([1.0]), lambda p: np.array([3.0]))
    assert_close(x, [0.7], "Adagrad.step with ε = 16", FORMULA + "   (ε inside the root)")


@pytest.mark.adagrad
def test_adagrad_default_eps_matters_for_tiny_gradients():
    # Default ε = 1e-8, g = [1e-4], α = 1:  G = 1e-8,  √(G + ε) = √(2e-8) = √2·1e-4,
    # so x = 0 − 1e-4 / (√2·1e-4) = −1/√2.
    opt = Adagrad(lr=1.0)
    x = opt.step(np.array([0.0]), lambda p: np.array([1e-4]))
    assert_close(x, [-1 / np.sqrt(2)], "Adagrad(lr=1).step with g = 1e-4 and the default ε = 1e-8",
                 FORMULA)


@pytest.mark.adagrad
def test_adagrad_keeps_a_sum_set_before_the_first_step():
    # G = [16, 9] set before the first step; g = [3, 4], α = 1, ε = 0:
    #   G = [16 + 9, 9 + 16] = [25, 25];  x = 0 − [3/5, 4/5] = [−0.6, −0.8]
    opt = Adagrad(lr=1.0, eps=0.0)
    opt.G = np.array([16.0, 9.0])
    x = opt.step(np.zeros(2), lambda p: np.array([3.0, 4.0]))
    assert_close(opt.G, [25.0, 25.0], "Adagrad.G after one step from G = [16, 9] (a state set "
                 "before the first step must be used as is)", FORMULA)
    assert_close(x, [-0.6, -0.8], "Adagrad.step from G = [16, 9]", FORMULA)


@pytest.mark.adagrad
def test_adagrad_returns_a_new_array_and_leaves_x_alone():
    x = np.array([1.0, -2.0])
    x_new = Adagrad(lr=0.1).step(x, lambda p: p)
    assert x_new is not x, "Adagrad.step must return a new array, not the x it was given."
    assert_close(x, [1.0, -2.0], "the x passed to Adagrad.step (it must not be modified in place)")
