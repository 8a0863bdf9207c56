"""Hidden tests: activation functions, their derivatives and backward passes.

Inputs are drawn per submission from the ``rng`` fixture; the values at 0 that the
docstrings pin (σ'(0) = 1/4, tanh'(0) = 1, ReLU'(0) = 0, LeakyReLU'(0) = ELU'(0) = α) and the
defaults are fixed."""
import numpy as np

from autograder.suites.checks import (Wrong, assert_close, assert_gradient_matches, assert_shape, fail,
                                      numeric_input_gradient)

from .reference import ACTIVATIONS, maxout, sigmoid


def draw(rng, shape=(3, 4)):
    """x away from the kink at 0 (so that centred differences are exact enough), and dout."""
    x = rng.choice([-1, 1], size=shape) * rng.uniform(0.2, 2.5, size=shape)
    return x, rng.standard_normal(shape)


def wrong_derivatives(name, x):
    """The known wrong derivatives of activation ``name`` at x (misconceptions.py)."""
    _, f, df, _ = ACTIVATIONS[name]
    wrong = [Wrong("derivative_sign", -df(x))]
    if name == "Sigmoid":
        wrong.append(Wrong("sigmoid_plus", sigmoid(x) * (1 + sigmoid(x))))
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


def wrong_backwards(name, x, dout):
    """The known wrong backwards: dout · (a wrong derivative), or the derivative taken at the
    cached output f(x) instead of at x (Sigmoid and Tanh cache their output)."""
    _, f, df, _ = ACTIVATIONS[name]
    wrong = scaled(wrong_derivatives(name, x), dout)
    if name in ("Sigmoid", "Tanh"):
        wrong.append(Wrong("derivative_at_output", dout * df(f(x))))
    return wrong


# each activation test's plan: the common checks, then what its docstring pins at 0 and by default
COMMON = {"forward": 1, "derivative": 1, "backward": 1, "derivative keeps the forward cache": 0.5, "at x = 0": 0.5}
PINNED_AT_0 = {  # name: (label, kwargs, f'(0), the docstring's words)
    "Sigmoid": ("Sigmoid.derivative(0) = 1/4", {}, 0.25, "σ'(0) = σ(0)(1 - σ(0)) = 1/4, the largest value of σ'"),
    "Tanh": ("Tanh.derivative(0) = 1", {}, 1.0, "tanh'(0) = 1 - tanh(0)² = 1, the largest value of tanh'"),
    "ReLU": ("ReLU.derivative(0) = 0", {}, 0.0, "the positive branch is x > 0, so ReLU'(0) = 0"),
    "LeakyReLU": ("LeakyReLU.derivative(0) = α", {"alpha": 0.2}, 0.2,
                  "the positive branch is x > 0, so LeakyReLU'(0) = α (α = 0.2 here)"),
    "ELU": ("ELU.derivative(0) = α", {"alpha": 1.5}, 1.5,
            "the positive branch is x > 0, so ELU'(0) = α·e⁰ = α (α = 1.5 here)"),
}


def activation_plan(name, **extra):
    return {f"{name} {label}": weight for label, weight in COMMON.items()} | {PINNED_AT_0[name][0]: 1} | extra


def check_activation(student, cases, name, rng):
    kwargs, f, df, formula = ACTIVATIONS[name]
    X, DOUT = draw(rng)
    act = student.new("activations", name, **kwargs)
    wrong = wrong_derivatives(name, X)
    with cases.check(f"{name} forward"):
        assert_close(act.call("forward", X), f(X), f"{name}.forward", formula)
    with cases.check(f"{name} derivative"):
        assert_close(act.call("derivative", X), df(X), f"{name}.derivative", formula, wrong=wrong)
    with cases.check(f"{name} backward"):
        act.call("forward", X)
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward",
                     "dL/dx = dout · f'(x) with x from the last forward", wrong=wrong_backwards(name, X, DOUT))
    with cases.check(f"{name} derivative keeps the forward cache"):
        act.call("forward", X)
        act.call("derivative", 2 * X + 0.5)  # not -X: σ' and tanh' are even
        assert_close(act.call("backward", DOUT), DOUT * df(X), f"{name}.backward after derivative(other x)",
                     "derivative(x) must not change what forward cached", wrong=wrong_backwards(name, X, DOUT))
    with cases.check(f"{name} at x = 0"):
        zero = np.zeros((1, 3))
        assert_close(act.call("forward", zero), f(zero), f"{name}.forward(0)", formula)
    label, pinned_kwargs, value, words = PINNED_AT_0[name]
    with cases.check(label):
        wrong = [Wrong("derivative_sign", [-value, -value])]
        if name in ("ReLU", "LeakyReLU", "ELU"):
            wrong.append(Wrong("kink_branch", [1.0, 1.0]))
        if name == "Sigmoid":
            wrong.append(Wrong("sigmoid_plus", [0.75, 0.75]))
        got = student.new("activations", name, **pinned_kwargs).call("derivative", np.zeros(2))
        assert_close(got, [value, value], f"{name}.derivative at x = 0", words, wrong=wrong)


def test_sigmoid(student, cases, rng):
    """Sigmoid: forward, derivative (max 1/4 at 0) and backward match the formulas"""
    cases.plan(activation_plan("Sigmoid"))
    check_activation(student, cases, "Sigmoid", rng)


def test_tanh(student, cases, rng):
    """Tanh: forward, derivative (max 1 at 0) and backward match the formulas"""
    cases.plan(activation_plan("Tanh"))
    check_activation(student, cases, "Tanh", rng)


def test_relu(student, cases, rng):
    """ReLU: forward, derivative (0 at the kink) and backward"""
    cases.plan(activation_plan("ReLU"))
    check_activation(student, cases, "ReLU", rng)


def test_leaky_relu(student, cases, rng):
    """LeakyReLU: configurable slope α, default 0.01, LeakyReLU'(0) = α"""
    cases.plan(activation_plan("LeakyReLU", **{"LeakyReLU default alpha": 1}))
    check_activation(student, cases, "LeakyReLU", rng)
    with cases.check("LeakyReLU default alpha"):
        x = np.array([-2.0, 3.0])
        default = student.new("activations", "LeakyReLU")
        assert_close(default.call("forward", x), [-0.02, 3.0], "LeakyReLU().forward", "default α = 0.01")
        assert_close(default.call("derivative", x), [0.01, 1.0], "LeakyReLU().derivative", "default α = 0.01")


def test_elu(student, cases, rng):
    """ELU: configurable α, default 1.0, ELU'(0) = α"""
    cases.plan(activation_plan("ELU", **{"ELU default alpha": 1}))
    check_activation(student, cases, "ELU", rng)
    with cases.check("ELU default alpha"):
        x = np.array([-1.0, 2.0])
        default = student.new("activations", "ELU")
        assert_close(default.call("forward", x), [np.expm1(-1.0), 2.0],
                     "ELU().forward", "default α = 1: ELU(x) = eˣ - 1 for x ≤ 0")
        assert_close(default.call("derivative", x), [np.exp(-1.0), 1.0],
                     "ELU().derivative", "default α = 1: ELU'(x) = eˣ for x ≤ 0")


def test_activation_gradients_numeric(student, cases, rng):
    """Every activation's backward agrees with centred differences and torch.autograd"""
    import torch

    torch_fns = {"Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "ReLU": torch.relu,
                 "LeakyReLU": lambda t: torch.nn.functional.leaky_relu(t, 0.2),
                 "ELU": lambda t: torch.nn.functional.elu(t, 1.5)}
    cases.plan({f"{name}.backward vs {other}": 1 for name in ACTIVATIONS
                for other in ("centred differences", "torch.autograd")})
    X, DOUT = draw(rng)
    for name, (kwargs, _, df, _) in ACTIVATIONS.items():
        with cases.setup(f"{name}(**{kwargs})", needed_by=[f"{name}.backward vs {other}" for other in
                                                           ("centred differences", "torch.autograd")]):
            act = student.new("activations", name, **kwargs)
        wrong = wrong_backwards(name, X, DOUT)
        with cases.check(f"{name}.backward vs centred differences"):
            numeric = numeric_input_gradient(act, X, DOUT, f"{name}.forward")
            act.call("forward", X)
            assert_gradient_matches(act.call("backward", DOUT), numeric, DOUT * df(X), f"{name}.backward",
                                    wrong=wrong)
        with cases.check(f"{name}.backward vs torch.autograd"):
            t = torch.tensor(X, requires_grad=True)
            (torch_fns[name](t) * torch.tensor(DOUT)).sum().backward()
            act.call("forward", X)
            assert_close(act.call("backward", DOUT), t.grad.numpy(), f"{name}.backward",
                         "dL/dx as torch.autograd computes it", rtol=1e-6, wrong=wrong)


EXTREME = np.array([-1000.0, -50.0, 50.0, 1000.0])


def test_activation_stability(student, cases):
    """Extreme inputs (±1000, ±50): the limits, finite values, no overflow warning from Sigmoid"""
    cases.plan({f"{name}.{method} at ±1000 and ±50": 1 for name in ACTIVATIONS for method in ("forward", "derivative")})
    x = EXTREME
    for name, (kwargs, f, df, _) in ACTIVATIONS.items():
        with cases.setup(f"{name}(**{kwargs})", needed_by=[f"{name}.{method} at ±1000 and ±50"
                                                           for method in ("forward", "derivative")]):
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
    cases.plan({f"{name} keeps float32": 1 for name in ACTIVATIONS})
    X, DOUT = draw(rng)
    x = X.astype(np.float32)
    for name, (kwargs, _, _, _) in ACTIVATIONS.items():
        with cases.check(f"{name} keeps float32"):
            act = student.new("activations", name, **kwargs)
            results = {"forward": act.call("forward", x), "derivative": act.call("derivative", x)}
            act.call("forward", x)
            results["backward"] = act.call("backward", DOUT.astype(np.float32))
            for method, value in results.items():
                value = assert_shape(value, x.shape, f"{name}.{method}")
                assert value.dtype == np.float32, (
                    f"{name}.{method} turned float32 input into {value.dtype}: arrays keep their dtype.")


def test_maxout(student, cases, rng):
    """Maxout: forward is the max of k affine pieces; backward routes dout to the winner"""
    cases.plan({"Maxout.forward": 1, "Maxout.backward dx": 1, "Maxout.grads['W']": 1, "Maxout.grads['b']": 1,
                "Maxout.backward vs centred differences": 1})
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
        assert_gradient_matches(layer.call("backward", dout), numeric, np.einsum("nko,kio->ni", dz, W),
                                "Maxout.backward (dx)")
