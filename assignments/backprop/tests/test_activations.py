"""Public tests for activations.py: values against the formulas, derivatives at the
kink, numerical stability, dtypes, and every backward against centred differences."""
import warnings

import numpy as np
import pytest
from checks import assert_close, assert_gradient_close, assert_shape, numerical_gradient_array

from activations import ELU, LeakyReLU, Maxout, ReLU, Sigmoid, Tanh

X = np.array([[-3.0, -1.2, -0.4, 0.0], [0.25, 0.9, 2.0, 4.5]])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name, instance, f(x), f'(x), formula of f, formula of f'; each case carries its task's
# marker, so that `pytest -m sigmoid` runs Sigmoid's cases only.
CASES = [
    pytest.param("Sigmoid", lambda: Sigmoid(), _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
                 "σ(x) = 1 / (1 + exp(-x))", "σ'(x) = σ(x)(1 - σ(x))", id="Sigmoid", marks=pytest.mark.sigmoid),
    pytest.param("Tanh", lambda: Tanh(), np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                 "tanh(x)", "tanh'(x) = 1 - tanh(x)²", id="Tanh", marks=pytest.mark.tanh),
    pytest.param("ReLU", lambda: ReLU(), lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0,
                 "max(0, x)", "1 if x > 0 else 0", id="ReLU", marks=pytest.mark.relu),
    pytest.param("LeakyReLU", lambda: LeakyReLU(alpha=0.1), lambda x: np.where(x > 0, x, 0.1 * x),
                 lambda x: np.where(x > 0, 1.0, 0.1),
                 "x if x > 0 else alpha·x (alpha = 0.1)", "1 if x > 0 else alpha (alpha = 0.1)",
                 id="LeakyReLU", marks=pytest.mark.leaky_relu),
    pytest.param("ELU", lambda: ELU(alpha=0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)),
                 lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(x)),
                 "x if x > 0 else alpha·(exp(x) - 1) (alpha = 0.7)", "1 if x > 0 else alpha·exp(x) (alpha = 0.7)",
                 id="ELU", marks=pytest.mark.elu),
]


@pytest.mark.parametrize("name, make, f, df, formula, dformula", CASES)
def test_forward_values(name, make, f, df, formula, dformula):
    out = make().forward(X.copy())
    assert_shape(out, X.shape, f"{name}.forward")
    assert_close(out, f(X), f"{name}.forward", formula)


@pytest.mark.parametrize("name, make, f, df, formula, dformula", CASES)
def test_derivative_values(name, make, f, df, formula, dformula):
    """X contains 0: the positive branch is x > 0, so ReLU'(0) = 0, LeakyReLU'(0) = ELU'(0) = alpha."""
    d = make().derivative(X.copy())
    assert_close(d, df(X), f"{name}.derivative", dformula)


@pytest.mark.parametrize("name, make, f, df, formula, dformula", CASES)
def test_backward_matches_centred_differences(name, make, f, df, formula, dformula):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5))
    x += np.sign(x) * 0.05  # keep away from the kink at 0, where f is not differentiable
    dout = rng.standard_normal((3, 5))
    layer = make()
    layer.forward(x)
    dx = layer.backward(dout)
    numeric = numerical_gradient_array(lambda: make().forward(x), x, dout)
    assert_gradient_close(dx, numeric, f"{name}.backward (dx = dout · f'(x))", tol=1e-6)


@pytest.mark.parametrize("name, make, f, df, formula, dformula", CASES)
def test_float32_in_float32_out(name, make, f, df, formula, dformula):
    x = X.astype(np.float32)
    layer = make()
    out = layer.forward(x)
    assert out.dtype == np.float32, f"{name}.forward turned float32 input into {out.dtype}"
    d = layer.derivative(x)
    assert d.dtype == np.float32, f"{name}.derivative turned float32 input into {d.dtype}"


@pytest.mark.sigmoid
def test_sigmoid_is_stable_for_huge_inputs():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = Sigmoid().forward(x)
    assert out[0] == 0.0 and out[-1] == 1.0, (
        f"Sigmoid.forward: σ(-1000) should be exactly 0.0 and σ(1000) exactly 1.0, got {out[0]!r} and {out[-1]!r}"
    )
    assert_close(out, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], "Sigmoid.forward", "σ(x) = 1 / (1 + exp(-x))", rtol=1e-12)


@pytest.mark.elu
def test_elu_is_stable_for_huge_inputs():
    x = np.array([-1000.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        out = ELU().forward(x)
        d = ELU().derivative(x)
    assert_close(out, [-1.0, 1000.0], "ELU.forward", "x if x > 0 else alpha·(exp(x) - 1)")
    assert_close(d, [0.0, 1.0], "ELU.derivative", "1 if x > 0 else alpha·exp(x)")


@pytest.mark.parametrize("make, name, peak, formula", [
    pytest.param(Sigmoid, "Sigmoid", 0.25, "σ'(0) = 1/4", id="Sigmoid", marks=pytest.mark.sigmoid),
    pytest.param(Tanh, "Tanh", 1.0, "tanh'(0) = 1", id="Tanh", marks=pytest.mark.tanh),
])
def test_derivative_maxima(make, name, peak, formula):
    """The numbers behind vanishing gradients: σ' never exceeds 1/4, tanh' never exceeds 1."""
    grid = np.linspace(-6, 6, 1201)
    assert_close(np.max(make().derivative(grid)), peak, f"max of {name}.derivative", formula)


@pytest.mark.sigmoid
def test_derivative_does_not_disturb_backward():
    x = np.array([[-1.0, 2.0]])
    sig = Sigmoid()
    sig.forward(x)
    sig.derivative(np.array([[5.0, -5.0, 0.0]]))
    dx = sig.backward(np.ones_like(x))
    assert_close(dx, _sigmoid(x) * (1 - _sigmoid(x)), "Sigmoid.backward after a derivative() call",
                 "dx = dout · σ(x)(1 - σ(x)) with x from the last forward")


def _maxout_reference(x, W, b):
    pieces = np.stack([x @ W[j] + b[j] for j in range(W.shape[0])])  # (k, N, out)
    return pieces.max(axis=0)


@pytest.mark.maxout
def test_maxout_forward():
    layer = Maxout(4, 3, k=3, seed=0)
    layer.params["b"] = np.random.default_rng(2).standard_normal((3, 3))
    x = np.random.default_rng(3).standard_normal((5, 4))
    out = layer.forward(x)
    assert_shape(out, (5, 3), "Maxout.forward")
    assert_close(out, _maxout_reference(x, layer.params["W"], layer.params["b"]), "Maxout.forward",
                 "out = max over j of (x @ W[j] + b[j])")


@pytest.mark.maxout
def test_maxout_backward():
    layer = Maxout(4, 3, k=3, seed=0)
    layer.params["b"] = np.random.default_rng(2).standard_normal((3, 3))
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 4))
    dout = rng.standard_normal((5, 3))
    layer.forward(x)
    dx = layer.backward(dout)
    for name in ("W", "b"):
        assert_shape(layer.grads.get(name), layer.params[name].shape, f"Maxout.backward: grads[{name!r}]")
    f = lambda: layer.forward(x)
    assert_gradient_close(dx, numerical_gradient_array(f, x, dout), "Maxout.backward: dx", tol=1e-6)
    for name in ("W", "b"):
        numeric = numerical_gradient_array(f, layer.params[name], dout)
        assert_gradient_close(layer.grads[name], numeric, f"Maxout.backward: grads[{name!r}]", tol=1e-6)
