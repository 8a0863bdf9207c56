"""Hidden tests: activation functions, their derivatives and backward passes."""
import numpy as np

from autograder.suites.checks import (as_array, assert_close, assert_gradient_close,
                                      assert_shape, centred_difference, perturbations)

from .reference import ACTIVATIONS, maxout

RNG = np.random.default_rng(2024)
# values away from the kink at 0, so that centred differences are exact enough
X = RNG.choice([-1, 1], size=(3, 4)) * RNG.uniform(0.2, 2.5, size=(3, 4))
DOUT = RNG.standard_normal((3, 4))


def check_activation(student, cases, name):
    kwargs, f, df, formula = ACTIVATIONS[name]
    act = student.new("activations", name, **kwargs)
    with cases.check(f"{name}.forward"):
        assert_close(act.call("forward", X), f(X), f"{name}.forward", formula)
    with cases.check(f"{name}.derivative"):
        assert_close(act.call("derivative", X), df(X), f"{name}.derivative", formula)
    with cases.check(f"{name}.backward"):
        act.call("forward", X)
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward",
                     "dL/dx = dout · f'(x) with x from the last forward")
    with cases.check(f"{name}.derivative keeps the forward cache"):
        act.call("forward", X)
        act.call("derivative", -X)
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward after derivative(other x)",
                     "derivative(x) must not change what forward cached")
    with cases.check(f"{name} at x = 0"):
        zero = np.zeros((1, 3))
        assert_close(act.call("forward", zero), f(zero), f"{name}.forward(0)", formula)


def test_sigmoid(student, cases):
    """Sigmoid: forward, derivative (max 1/4 at 0) and backward match the formulas"""
    check_activation(student, cases, "Sigmoid")
    with cases.check("Sigmoid.derivative(0) = 1/4"):
        assert_close(student.new("activations", "Sigmoid").call("derivative", np.zeros(2)),
                     [0.25, 0.25], "Sigmoid.derivative", "σ'(0) = σ(0)(1 - σ(0)) = 1/4")


def test_tanh(student, cases):
    """Tanh: forward, derivative and backward match the formulas"""
    check_activation(student, cases, "Tanh")


def test_relu(student, cases):
    """ReLU: forward, derivative (0 at the kink) and backward"""
    check_activation(student, cases, "ReLU")
    with cases.check("ReLU.derivative(0) = 0"):
        assert_close(student.new("activations", "ReLU").call("derivative", np.zeros(2)), [0, 0],
                     "ReLU.derivative", "the positive branch is x > 0, so ReLU'(0) = 0")


def test_leaky_relu(student, cases):
    """LeakyReLU: configurable slope α, default 0.01"""
    check_activation(student, cases, "LeakyReLU")
    with cases.check("LeakyReLU default alpha"):
        x = np.array([-2.0, 3.0])
        assert_close(student.new("activations", "LeakyReLU").call("forward", x), [-0.02, 3.0],
                     "LeakyReLU().forward", "default α = 0.01")


def test_elu(student, cases):
    """ELU: configurable α, default 1.0"""
    check_activation(student, cases, "ELU")
    with cases.check("ELU default alpha"):
        x = np.array([-1.0, 2.0])
        assert_close(student.new("activations", "ELU").call("forward", x), [np.expm1(-1.0), 2.0],
                     "ELU().forward", "default α = 1: ELU(x) = eˣ - 1 for x ≤ 0")


def test_activation_gradients_numeric(student, cases):
    """Every activation's backward agrees with centred differences and torch.autograd"""
    import torch

    torch_fns = {"Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "ReLU": torch.relu,
                 "LeakyReLU": lambda t: torch.nn.functional.leaky_relu(t, 0.2),
                 "ELU": lambda t: torch.nn.functional.elu(t, 1.5)}
    h = 1e-6
    for name, (kwargs, _, _, _) in ACTIVATIONS.items():
        act = student.new("activations", name, **kwargs)
        with cases.check(f"{name}.backward vs centred differences"):
            plus, minus = perturbations(X, h)
            outs = act.map("forward", [[p] for p in plus] + [[m] for m in minus])
            values = [float(np.sum(as_array(o, f"{name}.forward") * DOUT)) for o in outs]
            numeric = centred_difference(values[: X.size], values[X.size:], h, X.shape)
            act.call("forward", X)
            assert_gradient_close(act.call("backward", DOUT), numeric, f"{name}.backward")
        with cases.check(f"{name}.backward vs torch.autograd"):
            t = torch.tensor(X, requires_grad=True)
            (torch_fns[name](t) * torch.tensor(DOUT)).sum().backward()
            act.call("forward", X)
            assert_close(act.call("backward", DOUT), t.grad.numpy(), f"{name}.backward",
                         "dL/dx as torch.autograd computes it", rtol=1e-6)


def test_activation_stability(student, cases):
    """Extreme inputs (±1000) give exact limits with no overflow, NaN or inf"""
    x = np.array([-1000.0, -50.0, 50.0, 1000.0])
    expected = {"Sigmoid": [0.0, np.exp(-50.0), 1.0, 1.0], "Tanh": [-1.0, -1.0, 1.0, 1.0],
                "ReLU": [0.0, 0.0, 50.0, 1000.0], "LeakyReLU": [-200.0, -10.0, 50.0, 1000.0],
                "ELU": [-1.5, 1.5 * np.expm1(-50.0), 50.0, 1000.0]}
    for name, (kwargs, _, df, _) in ACTIVATIONS.items():
        act = student.new("activations", name, **kwargs)
        with cases.check(f"{name}.forward at ±1000"):
            assert_close(act.call("forward", x), expected[name], f"{name}.forward at extreme inputs",
                         "must stay finite: use exp(-|x|) or np.clip-free stable forms", rtol=1e-9, atol=1e-300)
        with cases.check(f"{name}.derivative at ±1000"):
            assert_close(act.call("derivative", x), df(x), f"{name}.derivative at extreme inputs",
                         "must stay finite (no NaN from inf/inf)", atol=1e-12)


def test_activation_dtype(student, cases):
    """float32 in gives float32 out (forward, derivative, backward), shapes kept"""
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


def test_maxout(student, cases):
    """Maxout: forward is the max of k affine pieces; backward routes dout to the winner"""
    rng = np.random.default_rng(7)
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
        h = 1e-6
        plus, minus = perturbations(x, h)
        outs = layer.map("forward", [[p] for p in plus] + [[m] for m in minus])
        values = [float(np.sum(as_array(o, "Maxout.forward") * dout)) for o in outs]
        numeric = centred_difference(values[: x.size], values[x.size:], h, x.shape)
        layer.call("forward", x)
        assert_gradient_close(layer.call("backward", dout), numeric, "Maxout.backward (dx)")
