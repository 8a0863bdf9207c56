"""Hidden tests: activation functions, their derivatives and backward passes.

Inputs are drawn per submission from the ``rng`` fixture; σ'(0) = 1/4 and the other
values at 0 are the lecture's and stay fixed."""
import numpy as np

from autograder.suites.checks import (Wrong, assert_close, assert_gradient_close, assert_shape, fail,
                                      numeric_input_gradient)

from .reference import ACTIVATIONS, maxout


def draw(rng, shape=(3, 4)):
    """x away from the kink at 0 (so that centred differences are exact enough), and dout."""
    x = rng.choice([-1, 1], size=shape) * rng.uniform(0.2, 2.5, size=shape)
    return x, rng.standard_normal(shape)


def wrong_derivatives(name, x):
    """The known wrong derivatives of activation ``name`` at x (misconceptions.py)."""
    _, _, df, _ = ACTIVATIONS[name]
    wrong = [Wrong("derivative_sign", -df(x))]
    if name == "Tanh":
        wrong.append(Wrong("tanh_not_squared", 1 - np.tanh(x)))
    if name == "LeakyReLU":
        wrong.append(Wrong("leaky_zero_below", np.where(x > 0, 1.0, 0.0)))
    if name == "ELU":
        wrong.append(Wrong("elu_without_alpha", np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))))
    return wrong


def scaled(wrong, dout):
    """The same wrong variants for backward: dout · (wrong derivative)."""
    return [Wrong(w.key, dout * w.prediction) for w in wrong]


def check_activation(student, cases, name, rng):
    kwargs, f, df, formula = ACTIVATIONS[name]
    X, DOUT = draw(rng)
    act = student.new("activations", name, **kwargs)
    wrong = wrong_derivatives(name, X)
    with cases.check(f"{name}.forward"):
        assert_close(act.call("forward", X), f(X), f"{name}.forward", formula)
    with cases.check(f"{name}.derivative"):
        assert_close(act.call("derivative", X), df(X), f"{name}.derivative", formula, wrong=wrong)
    with cases.check(f"{name}.backward"):
        act.call("forward", X)
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward",
                     "dL/dx = dout · f'(x) with x from the last forward", wrong=scaled(wrong, DOUT))
    with cases.check(f"{name}.derivative keeps the forward cache"):
        act.call("forward", X)
        act.call("derivative", -X)
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward after derivative(other x)",
                     "derivative(x) must not change what forward cached", wrong=scaled(wrong, DOUT))
    with cases.check(f"{name} at x = 0"):
        zero = np.zeros((1, 3))
        assert_close(act.call("forward", zero), f(zero), f"{name}.forward(0)", formula)


def test_sigmoid(student, cases, rng):
    """Sigmoid: forward, derivative (max 1/4 at 0) and backward match the formulas"""
    check_activation(student, cases, "Sigmoid", rng)
    with cases.check("Sigmoid.derivative(0) = 1/4"):
        assert_close(student.new("activations", "Sigmoid").call("derivative", np.zeros(2)),
                     [0.25, 0.25], "Sigmoid.derivative", "σ'(0) = σ(0)(1 - σ(0)) = 1/4")


def test_tanh(student, cases, rng):
    """Tanh: forward, derivative and backward match the formulas"""
    check_activation(student, cases, "Tanh", rng)


def test_relu(student, cases, rng):
    """ReLU: forward, derivative (0 at the kink) and backward"""
    check_activation(student, cases, "ReLU", rng)
    with cases.check("ReLU.derivative(0) = 0"):
        assert_close(student.new("activations", "ReLU").call("derivative", np.zeros(2)), [0, 0],
                     "ReLU.derivative", "the positive branch is x > 0, so ReLU'(0) = 0")


def test_leaky_relu(student, cases, rng):
    """LeakyReLU: configurable slope α, default 0.01"""
    check_activation(student, cases, "LeakyReLU", rng)
    with cases.check("LeakyReLU default alpha"):
        x = np.array([-2.0, 3.0])
        assert_close(student.new("activations", "LeakyReLU").call("forward", x), [-0.02, 3.0],
                     "LeakyReLU().forward", "default α = 0.01")


def test_elu(student, cases, rng):
    """ELU: configurable α, default 1.0"""
    check_activation(student, cases, "ELU", rng)
    with cases.check("ELU default alpha"):
        x = np.array([-1.0, 2.0])
        assert_close(student.new("activations", "ELU").call("forward", x), [np.expm1(-1.0), 2.0],
                     "ELU().forward", "default α = 1: ELU(x) = eˣ - 1 for x ≤ 0")


def test_activation_gradients_numeric(student, cases, rng):
    """Every activation's backward agrees with centred differences and torch.autograd"""
    import torch

    torch_fns = {"Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "ReLU": torch.relu,
                 "LeakyReLU": lambda t: torch.nn.functional.leaky_relu(t, 0.2),
                 "ELU": lambda t: torch.nn.functional.elu(t, 1.5)}
    X, DOUT = draw(rng)
    for name, (kwargs, _, _, _) in ACTIVATIONS.items():
        act = student.new("activations", name, **kwargs)
        wrong = scaled(wrong_derivatives(name, X), DOUT)
        with cases.check(f"{name}.backward vs centred differences"):
            numeric = numeric_input_gradient(act, X, DOUT, f"{name}.forward")
            act.call("forward", X)
            assert_gradient_close(act.call("backward", DOUT), numeric, f"{name}.backward", wrong=wrong)
        with cases.check(f"{name}.backward vs torch.autograd"):
            t = torch.tensor(X, requires_grad=True)
            (torch_fns[name](t) * torch.tensor(DOUT)).sum().backward()
            act.call("forward", X)
            assert_close(act.call("backward", DOUT), t.grad.numpy(), f"{name}.backward",
                         "dL/dx as torch.autograd computes it", rtol=1e-6, wrong=wrong)


EXTREME = np.array([-1000.0, -50.0, 50.0, 1000.0])


def test_activation_stability(student, cases):
    """Extreme inputs (±1000, ±50): the limits, finite values, no overflow warning from Sigmoid"""
    x = EXTREME
    for name, (kwargs, f, df, _) in ACTIVATIONS.items():
        act = student.new("activations", name, **kwargs)
        with cases.check(f"{name}.forward at ±1000 and ±50"):
            out = act.call("forward", x)
            warned = [w for w in student.last_warnings if "overflow" in w.lower()]
            got = assert_shape(out, x.shape, f"{name}.forward at x = {x.tolist()}").astype(np.float64)
            if not np.all(np.isfinite(got)):
                fail(f"{name}.forward at x = {x.tolist()} returned {got.tolist()}: every value must be finite.")
            if name == "Sigmoid":
                if got[0] != 0.0 or got[-1] != 1.0:
                    fail(f"Sigmoid.forward: the docstring promises σ(-1000) = 0.0 and σ(1000) = 1.0 exactly; "
                         f"got {got[0]!r} and {got[-1]!r}.")
                if warned:
                    fail(f"Sigmoid.forward at x = {x.tolist()} raised {warned[0]}; the docstring promises "
                         f"no overflow warning: compute with exp(-|x|), which lies in (0, 1].")
            # ±50: σ(-50) = 1.9e-22 is 0 within float64 rounding of 1 + exp(50), so absolute 1e-12
            assert_close(got, f(x), f"{name}.forward at x = {x.tolist()}", ACTIVATIONS[name][3],
                         rtol=1e-9, atol=1e-12)
        with cases.check(f"{name}.derivative at ±1000 and ±50"):
            got = assert_shape(act.call("derivative", x), x.shape, f"{name}.derivative at x = {x.tolist()}")
            if not np.all(np.isfinite(got.astype(np.float64))):
                fail(f"{name}.derivative at x = {x.tolist()} returned {got.tolist()}: every value must be "
                     f"finite (no NaN from inf/inf).")
            assert_close(got, df(x), f"{name}.derivative at x = {x.tolist()}", ACTIVATIONS[name][3],
                         rtol=1e-9, atol=1e-12)


def test_activation_dtype(student, cases, rng):
    """float32 in gives float32 out (forward, derivative, backward), shapes kept"""
    X, DOUT = draw(rng)
    x = X.astype(np.float32)
    for name, (kwargs, _, _, _) in ACTIVATIONS.items():
        act = student.new("activations", name, **kwargs)
        with cases.check(f"{name} keeps float32"):
            results = {"forward": act.call("forward", x), "derivative": act.call("derivative", x)}
            act.call("forward", x)
            results["backward"] = act.call("backward", DOUT.astype(np.float32))
            for method, value in results.items():
                value = assert_shape(value, x.shape, f"{name}.{method}")
                assert value.dtype == np.float32, (
                    f"{name}.{method} turned float32 input into {value.dtype}: arrays keep their dtype.")


def test_maxout(student, cases, rng):
    """Maxout: forward is the max of k affine pieces; backward routes dout to the winner"""
    k, n_in, n_out = 3, 4, 2
    W, b = rng.standard_normal((k, n_in, n_out)), rng.standard_normal((k, n_out))
    x, dout = rng.standard_normal((5, n_in)), rng.standard_normal((5, n_out))
    layer = student.new("activations", "Maxout", n_in, n_out, k=k, seed=0)
    layer.set("params", "W", W)
    layer.set("params", "b", b)
    out, winner = maxout(x, W, b)
    with cases.check("Maxout.forward"):
        assert_close(layer.call("forward", x), out, "Maxout.forward", "out = max_j (x @ W[j] + b[j])")
    dz = (winner[:, None, :] == np.arange(k)[None, :, None]) * dout[:, None, :]
    with cases.check("Maxout.backward dx"):
        layer.call("forward", x)
        assert_close(layer.call("backward", dout), np.einsum("nko,kio->ni", dz, W), "Maxout.backward (dx)",
                     "dx = Σ_j dz[:, j, :] @ W[j].T, dz = dout on the winning piece, 0 elsewhere")
    grads = layer.get("grads")
    with cases.check("Maxout.grads['W']"):
        assert_close(grads.get("W"), np.einsum("ni,nko->kio", x, dz), "Maxout.grads['W']",
                     "grads['W'][j] = x.T @ dz[:, j, :]")
    with cases.check("Maxout.grads['b']"):
        assert_close(grads.get("b"), dz.sum(axis=0), "Maxout.grads['b']", "grads['b'][j] = Σ_n dz[n, j, :]")
    with cases.check("Maxout.backward vs centred differences"):
        numeric = numeric_input_gradient(layer, x, dout, "Maxout.forward")
        layer.call("forward", x)
        assert_gradient_close(layer.call("backward", dout), numeric, "Maxout.backward (dx)")
