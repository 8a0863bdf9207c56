"""Hidden tests: the MLP's forward and backward passes and the vanishing-gradient experiment."""
import numpy as np

from autograder.suites.checks import as_array, assert_close, assert_gradient_close

from .test_layers import numeric_input_gradient, numeric_param_gradient

SIZES = [4, 5, 3]


def make_mlp(student, sizes, activation, batchnorm=False, seed=0):
    """A student MLP whose Linear weights are set to the grader's values; returns (mlp, params)."""
    mlp = student.new("network", "MLP", sizes, activation=activation, init="small",
                      batchnorm=batchnorm, seed=seed)
    names = mlp.get("names")
    rng = np.random.default_rng(100 + seed)
    params = {}
    for index, name in enumerate(names):
        if name.startswith("linear"):
            fan_in, fan_out = sizes[int(name[6:])], sizes[int(name[6:]) + 1]
            for key, value in (("W", rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)),
                               ("b", rng.standard_normal(fan_out) * 0.1)):
                mlp.set("layers", index, "params", key, value)
                params[(index, key)] = value
    return mlp, names, params


def reference_forward(x, names, params, activation):
    import torch

    fns = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
    for index, name in enumerate(names):
        if name.startswith("linear"):
            x = x @ params[(index, "W")] + params[(index, "b")]
        else:
            x = fns[activation](x)
    return x


def test_mlp_forward(student, cases):
    """MLP.forward applies Linear -> activation ... -> Linear in order"""
    import torch

    x = np.random.default_rng(1).standard_normal((6, 4))
    for activation in ("tanh", "sigmoid", "relu"):
        with cases.check(f"MLP({SIZES}, {activation}).forward"):
            mlp, names, params = make_mlp(student, SIZES, activation)
            tparams = {k: torch.tensor(v) for k, v in params.items()}
            expected = reference_forward(torch.tensor(x), names, tparams, activation).numpy()
            assert_close(mlp.call("forward", x), expected, f"MLP.forward ({activation})",
                         "scores = Linear_L(… f(Linear_1(x)) …), no activation after the last Linear")


def test_mlp_backward(student, cases):
    """MLP.backward: every parameter's gradient and dx, against centred differences and torch.autograd"""
    import torch

    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    mlp, names, params = make_mlp(student, SIZES, "tanh")
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tx = torch.tensor(x, requires_grad=True)
    (reference_forward(tx, names, tparams, "tanh") * torch.tensor(dout)).sum().backward()
    mlp.call("forward", x)
    with cases.check("MLP.backward returns dx"):
        assert_close(mlp.call("backward", dout), tx.grad.numpy(), "MLP.backward (dx)",
                     "dL/dx through every layer, in reverse order (torch.autograd)")
    grads = mlp.get("gradients()")
    for (index, key), value in params.items():
        label = f"{names[index]}.{key}"
        with cases.check(f"gradient of {label}"):
            got = grads.get(label) if isinstance(grads, dict) else None
            assert got is not None, f"MLP.gradients() has no entry {label!r} after backward."
            assert_close(got, tparams[(index, key)].grad.numpy(), f"MLP gradient of {label}",
                         "chain rule through the layers above it (torch.autograd)")
    with cases.check("MLP gradients vs centred differences"):
        index = names.index("linear0")
        numeric = numeric_param_gradient(mlp, ["layers", index, "params", "W"], params[(index, "W")],
                                         dout, x, "MLP.forward")
        mlp.call("forward", x)
        mlp.call("backward", dout)
        assert_gradient_close(mlp.get("gradients()", "linear0.W"), numeric, "MLP gradient of linear0.W")


def test_mlp_batchnorm(student, cases):
    """MLP with BatchNorm: training-mode gradients and eval-mode forward"""
    rng = np.random.default_rng(3)
    x, dout = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    mlp, names, params = make_mlp(student, SIZES, "tanh", batchnorm=True)
    with cases.check("MLP(batchnorm=True) dx vs centred differences"):
        numeric = numeric_input_gradient(mlp, x, dout, "MLP.forward")
        mlp.call("forward", x)
        assert_gradient_close(mlp.call("backward", dout), numeric, "MLP.backward (dx, with BatchNorm)", tol=1e-4)
    with cases.check("MLP(batchnorm=True) grads of linear0.W vs centred differences"):
        index = names.index("linear0")
        numeric = numeric_param_gradient(mlp, ["layers", index, "params", "W"], params[(index, "W")],
                                         dout, x, "MLP.forward")
        mlp.call("forward", x)
        mlp.call("backward", dout)
        assert_gradient_close(mlp.get("gradients()", "linear0.W"), numeric, "MLP gradient of linear0.W", tol=1e-4)
    with cases.check("MLP.eval() uses the running statistics"):
        mlp.run("eval")
        first = as_array(mlp.call("forward", x[:2]), "MLP.forward")
        second = as_array(mlp.call("forward", x[:2] * 3), "MLP.forward")
        again = as_array(mlp.call("forward", x[:2]), "MLP.forward")
        assert_close(again, first, "MLP.forward in eval mode",
                     "eval mode must not change the running statistics (same input, same output)")
        assert not np.allclose(first, second), "MLP.forward in eval mode ignores its input."


def test_vanishing_gradients(student, cases):
    """Deep sigmoid MLP: layer_grad_norms are the ‖dW‖ per layer and shrink towards the input"""
    import torch

    depth = 8
    sizes = [10] * depth + [2]
    rng = np.random.default_rng(4)
    x, dout = rng.standard_normal((16, 10)), rng.standard_normal((16, 2))
    mlp, names, params = make_mlp(student, sizes, "sigmoid")
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    (reference_forward(torch.tensor(x), names, tparams, "sigmoid") * torch.tensor(dout)).sum().backward()
    expected = [float(tparams[(i, "W")].grad.norm()) for i, name in enumerate(names) if name.startswith("linear")]
    mlp.call("forward", x)
    mlp.call("backward", dout)
    norms = mlp.call("layer_grad_norms")
    with cases.check("layer_grad_norms values"):
        assert isinstance(norms, list) and len(norms) == depth, (
            f"MLP.layer_grad_norms() should return a list of {depth} floats (one per Linear layer), "
            f"got {type(norms).__name__} of length {len(norms) if hasattr(norms, '__len__') else '?'}.")
        assert_close(np.array(norms, dtype=float), expected, "MLP.layer_grad_norms",
                     "‖dL/dW‖_F = sqrt(Σ dW²) of each Linear layer, first layer first", rtol=1e-5)
    with cases.check("the gradient vanishes towards the input"):
        norms = np.array(norms, dtype=float)
        assert norms[0] < norms[-2] / 20, (
            f"MLP.layer_grad_norms: with sigmoid (σ' ≤ 1/4) the first layer's norm {norms[0]:.3g} should be "
            f"far below the last hidden layer's {norms[-2]:.3g}.")
