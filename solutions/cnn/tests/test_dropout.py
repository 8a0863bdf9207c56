"""Public tests for dropout.py: inverted dropout."""
import numpy as np
import pytest

from checks import assert_close
from dropout import Dropout

TRAIN = "out = x · mask / (1 − p), mask[k] = 1 with probability 1 − p, else 0"


@pytest.mark.dropout
def test_training_keeps_a_fraction_one_minus_p():
    layer = Dropout(p=0.3, seed=0)
    out = layer.forward(np.ones((200, 500)))
    kept = np.mean(out != 0)
    assert abs(kept - 0.7) < 0.01, (
        f"Dropout(p=0.3).forward kept {kept:.3f} of the units; it should keep about 1 − p = 0.7 "
        f"(p is the probability of DROPPING a unit).")


@pytest.mark.dropout
def test_training_scales_kept_units():
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, size=(50, 40))
    layer = Dropout(p=0.25, seed=1)
    out = layer.forward(x)
    kept = out != 0
    assert 0 < kept.sum() < x.size, "Dropout(p=0.25).forward should drop some units and keep others."
    assert_close(out[kept], x[kept] / 0.75, "Dropout.forward on the kept units", TRAIN)
    assert_close(np.asarray(np.mean(out / x)), np.asarray(1.0), "Dropout.forward: mean of out/x",
                 "E[out] = x (inverted dropout keeps the expectation)", rtol=0.05)


@pytest.mark.dropout
def test_backward_uses_the_forward_mask():
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, size=(30, 20))
    layer = Dropout(p=0.5, seed=3)
    out = layer.forward(x)
    dout = rng.standard_normal(x.shape)
    expected = dout * (out != 0) / 0.5
    assert_close(layer.backward(dout), expected, "Dropout.backward", "dx = dout · mask / (1 − p), same mask as forward")


@pytest.mark.dropout
def test_same_seed_same_mask_and_new_mask_each_call():
    x = np.ones((20, 30))
    a, b = Dropout(0.5, seed=5), Dropout(0.5, seed=5)
    first = a.forward(x)
    assert_close(b.forward(x), first, "Dropout.forward with the same seed",
                 "draw the mask with self.rng, the layer's own seeded generator")
    assert not np.array_equal(a.forward(x), first), (
        "Dropout.forward drew the same mask twice in a row; draw a fresh mask with self.rng on every call.")


@pytest.mark.dropout
def test_eval_mode_is_identity():
    x = np.random.default_rng(0).standard_normal((4, 5))
    layer = Dropout(0.5)
    layer.training = False
    assert_close(layer.forward(x), x, "Dropout.forward with training = False", "out = x at test time")
    dout = np.random.default_rng(1).standard_normal((4, 5))
    assert_close(layer.backward(dout), dout, "Dropout.backward with training = False", "dx = dout at test time")


@pytest.mark.dropout
def test_p_zero_keeps_everything():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert_close(Dropout(p=0.0).forward(x), x, "Dropout(p=0).forward", "p = 0 drops nothing: out = x")
