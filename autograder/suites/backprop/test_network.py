"""Hidden tests: the MLP's forward and backward passes and the vanishing-gradient experiment.

Every reference is built from the *specification* (layer sizes, activation name, BatchNorm
flag; network.py's docstring), never from the layers the student's MLP holds: a network
with a wrong layer list must not get a reference that repeats the mistake."""
import numpy as np

from autograder.suites.checks import (Wrong, as_array, assert_close, assert_gradient_matches, fail,
                                      numeric_input_gradient, numeric_param_gradient)

from .reference import MOMENTUM, predict, reference_forward, reference_gradients


SIZES = [4, 5, 3]


def spec_names(sizes, activation, batchnorm, after=False):
    """The docstring's layer names: linear0, [batchnorm0,] <activation>0, linear1, ... linear{L-1}.
    ``after=True`` gives the wrong order Linear -> activation -> BatchNorm."""
    names = []
    for i in range(len(sizes) - 1):
        names.append(f"linear{i}")
        if i < len(sizes) - 2:
            hidden = ([f"batchnorm{i}"] if batchnorm else []) + [f"{activation}{i}"]
            names += hidden[::-1] if after else hidden
    return names


def make_mlp(student, rng, sizes, activation, batchnorm=False):
    """A student MLP whose parameters are set to values drawn by the grader.
    Returns (mlp, the student's names, {"linear0.W": array, ...})."""
    mlp = student.new("network", "MLP", sizes, activation=activation, init="small", batchnorm=batchnorm, seed=0)
    names = mlp.get("names")
    names = list(names) if isinstance(names, list) else []
    params = {}
    for i in range(len(sizes) - 1):
        params[f"linear{i}.W"] = rng.standard_normal((sizes[i], sizes[i + 1])) / np.sqrt(sizes[i])
        params[f"linear{i}.b"] = rng.standard_normal(sizes[i + 1]) * 0.1
        if batchnorm and i < len(sizes) - 2:
            params[f"batchnorm{i}.gamma"] = rng.uniform(0.5, 1.5, sizes[i + 1])
            params[f"batchnorm{i}.beta"] = rng.standard_normal(sizes[i + 1]) * 0.1
    for label, value in params.items():
        layer, key = label.split(".")
        if layer in names:
            mlp.set("layers", names.index(layer), "params", key, value)
    return mlp, names, params


def check_layer_order(names, sizes, activation, batchnorm):
    """The layer names in the docstring's order (inside a forward check: MLP.__init__ is given
    code in the student version, so the order alone earns nothing)."""
    expected = spec_names(sizes, activation, batchnorm)
    if names != expected:
        fail(f"MLP({sizes}, activation={activation!r}, batchnorm={batchnorm}).names is {names}, the docstring "
             f"prescribes {expected}: every hidden layer is Linear -> (BatchNorm) -> activation and the last "
             f"Linear has no activation.", names, [
                 Wrong("mlp_bn_after_activation", lambda got: batchnorm and got == spec_names(
                     sizes, activation, batchnorm, after=True)),
                 Wrong("mlp_last_activation", lambda got: got == expected + [f"{activation}{len(sizes) - 2}"])])


INITS = ("xavier", "he", "small")
CONSTRUCTOR = "MLP(sizes, activation, init, seed) as you build it: Linear i drawn by your init_<init> with seed + i"
DEFAULTS = "MLP(sizes) defaults: sigmoid, init 'xavier', seed 0, no BatchNorm; forward with its own parameters"


def own_draw(student, fan_in, fan_out, init, seed):
    """The student's own INITIALISERS[init](fan_in, fan_out, np.random.default_rng(seed))."""
    return as_array(student.call("layers", f"init_{init}", fan_in, fan_out, student.rng(seed)), f"init_{init}")


def own_parameters(student, sizes, init, seed):
    """The MLP's parameters by the docstring: Linear i drawn with seed + i, b zeros."""
    params = {}
    for i in range(len(sizes) - 1):
        params[f"linear{i}.W"] = own_draw(student, sizes[i], sizes[i + 1], init, seed + i)
        params[f"linear{i}.b"] = np.zeros(sizes[i + 1])
    return params


def check_constructor(student, rng):
    """Each Linear i of MLP(..., init=..., seed=s) holds the student's own init_<init> draw with seed s + i."""
    seed = int(rng.integers(1 << 30))
    sizes = [4, 6, 5, 3]
    for init in INITS:
        what = f"MLP({sizes}, activation='relu', init={init!r}, seed={seed})"
        got = dict(student.new("network", "MLP", sizes, activation="relu", init=init, seed=seed).call("parameters"))
        for label, expected in own_parameters(student, sizes, init, seed).items():
            i = int(label[len("linear")])
            wrong = []
            if label.endswith(".W"):
                wrong = [Wrong("mlp_init_ignored", own_draw(student, sizes[i], sizes[i + 1], other, seed + i))
                         for other in INITS if other != init]
                if i > 0:
                    wrong.append(Wrong("mlp_same_seed", own_draw(student, sizes[i], sizes[i + 1], init, seed)))
            assert_close(got.get(label), expected, f"{what}: parameter {label}",
                         f"W of Linear i = init_{init}(fan_in, fan_out, np.random.default_rng(seed + i)) with your own "
                         f"init_{init}; b = zeros", wrong=wrong)


def test_mlp_forward(student, cases, rng):
    """MLP.forward applies Linear -> activation ... -> Linear in order; the constructor's init, seeds and defaults"""
    cases.plan({f"MLP({SIZES}, {activation}): layer order and forward": 1 for activation in ("tanh", "sigmoid", "relu")}
               | {CONSTRUCTOR: 1, DEFAULTS: 1})
    x = rng.standard_normal((6, 4))
    for activation in ("tanh", "sigmoid", "relu"):
        mlp, names, params = make_mlp(student, rng, SIZES, activation)
        with cases.check(f"MLP({SIZES}, {activation}): layer order and forward"):
            check_layer_order(names, SIZES, activation, False)
            assert_close(mlp.call("forward", x), predict(x, params, SIZES, activation), f"MLP.forward ({activation})",
                         "scores = Linear_L(… f(Linear_1(x)) …), no activation after the last Linear",
                         wrong=[Wrong("mlp_last_activation",
                                      predict(x, params, SIZES, activation, mistake="mlp_last_activation"))])
    with cases.check(CONSTRUCTOR):
        check_constructor(student, rng)
    with cases.check(DEFAULTS):
        mlp = student.new("network", "MLP", SIZES)
        names = mlp.get("names")
        check_layer_order(list(names) if isinstance(names, list) else names, SIZES, "sigmoid", False)
        params = own_parameters(student, SIZES, "xavier", 0)
        assert_close(mlp.call("forward", x), predict(x, params, SIZES, "sigmoid"), f"MLP({SIZES}).forward",
                     "sigmoid hidden layers, Linear i = init_xavier(fan_in, fan_out, default_rng(0 + i)), b = 0")


def test_mlp_backward(student, cases, rng):
    """MLP.backward: every parameter's gradient and dx, against centred differences and torch.autograd"""
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    mlp, names, params = make_mlp(student, rng, SIZES, "tanh")
    dx, grads_expected = reference_gradients(x, dout, params, SIZES, "tanh")
    dx_wrong, grads_wrong = reference_gradients(x, dout, params, SIZES, "tanh", mistake="mlp_last_activation")
    gradient_checks = [f"gradient of {label}" for label in grads_expected]
    cases.plan({"MLP.backward returns dx": 2} | {label: 1 for label in gradient_checks}
               | {"MLP gradients vs centred differences": 2})
    with cases.check("MLP.backward returns dx"):
        mlp.call("forward", x)
        assert_close(mlp.call("backward", dout), dx, "MLP.backward (dx)",
                     "dL/dx through every layer, in reverse order (torch.autograd)",
                     wrong=[Wrong("mlp_last_activation", dx_wrong)])
    grads = {}
    with cases.setup("MLP.gradients() after forward and backward", needed_by=gradient_checks):
        mlp.call("forward", x)
        mlp.call("backward", dout)
        grads = mlp.get("gradients()")
    for label, expected in grads_expected.items():
        with cases.check(f"gradient of {label}"):
            got = grads.get(label) if isinstance(grads, dict) else None
            assert got is not None, f"MLP.gradients() has no entry {label!r} after backward."
            assert_close(got, expected, f"MLP gradient of {label}", "chain rule through the layers above it "
                         "(torch.autograd)", wrong=[Wrong("mlp_last_activation", grads_wrong[label])])
    with cases.check("MLP gradients vs centred differences"):
        if "linear0" not in names:
            fail(f"MLP.names {names} has no 'linear0'.")
        index = names.index("linear0")
        numeric = numeric_param_gradient(mlp, ["layers", index, "params", "W"], params["linear0.W"],
                                         dout, x, "MLP.forward")
        mlp.call("forward", x)
        mlp.call("backward", dout)
        assert_gradient_matches(mlp.get("gradients()", "linear0.W"), numeric, grads_expected["linear0.W"],
                                "MLP gradient of linear0.W")


ORDER_BN = "MLP(batchnorm=True): layer order and forward (training) vs the specification"
EVAL_ROWS = "MLP.eval(): an example's output does not depend on the rest of the batch"
EVAL_STATS = "MLP.eval() uses the running statistics of the three training batches"
EVAL_FIXED = "MLP.eval() leaves the running statistics alone"
TRAIN_AGAIN = "MLP.train() after eval(): batch statistics again, and the running ones updated"


def test_mlp_batchnorm(student, cases, rng):
    """MLP with BatchNorm: Linear -> BatchNorm -> activation; training gradients; eval and train round trip"""
    cases.plan({ORDER_BN: 1, "MLP(batchnorm=True) dx vs centred differences": 1,
                "MLP(batchnorm=True) grads of linear0.W vs centred differences": 1,
                EVAL_ROWS: 1, EVAL_STATS: 1, EVAL_FIXED: 0.5, TRAIN_AGAIN: 1})
    x, dout = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    mlp, names, params = make_mlp(student, rng, SIZES, "tanh", batchnorm=True)
    dx, grads_expected = reference_gradients(x, dout, params, SIZES, "tanh", batchnorm=True)
    with cases.check(ORDER_BN):
        check_layer_order(names, SIZES, "tanh", True)
        assert_close(mlp.call("forward", x), predict(x, params, SIZES, "tanh", True), "MLP.forward (training, "
                     "with BatchNorm)", "Linear -> BatchNorm (batch μ, σ²) -> tanh -> Linear (torch float64)",
                     wrong=[Wrong("mlp_bn_after_activation",
                                  predict(x, params, SIZES, "tanh", True, mistake="mlp_bn_after_activation"))])
    with cases.check("MLP(batchnorm=True) dx vs centred differences"):
        numeric = numeric_input_gradient(mlp, x, dout, "MLP.forward")
        mlp.call("forward", x)
        assert_gradient_matches(mlp.call("backward", dout), numeric, dx, "MLP.backward (dx, with BatchNorm)",
                                tol=1e-4)
    with cases.check("MLP(batchnorm=True) grads of linear0.W vs centred differences"):
        if "linear0" not in names:
            fail(f"MLP.names {names} has no 'linear0'.")
        index = names.index("linear0")
        numeric = numeric_param_gradient(mlp, ["layers", index, "params", "W"], params["linear0.W"],
                                         dout, x, "MLP.forward")
        mlp.call("forward", x)
        mlp.call("backward", dout)
        assert_gradient_matches(mlp.get("gradients()", "linear0.W"), numeric, grads_expected["linear0.W"],
                                "MLP gradient of linear0.W", tol=1e-4)
    # eval mode, by its observable contract, on a fresh network trained on three batches
    stats, full = {}, None
    test_x = rng.standard_normal((6, 4)) * 2 + 0.5
    batches = [rng.standard_normal((8, 4)) * 2 + 0.5 for _ in range(3)]
    with cases.setup("a fresh MLP(batchnorm=True), three training forwards, MLP.eval() and a forward in eval mode",
                     needed_by=[EVAL_ROWS, EVAL_STATS, EVAL_FIXED, TRAIN_AGAIN]):
        mlp, names, params = make_mlp(student, rng, SIZES, "tanh", batchnorm=True)
        for batch in batches:
            mlp.call("forward", batch)
            predict(batch, params, SIZES, "tanh", True, stats=stats)
        mlp.run("eval")
        full = as_array(mlp.call("forward", test_x), "MLP.forward")
    with cases.check(EVAL_ROWS):
        alone = np.concatenate([as_array(mlp.call("forward", test_x[i:i + 2]), "MLP.forward") for i in (0, 2, 4)])
        assert_close(alone, full, "MLP.forward in eval mode, rows fed two at a time vs the whole batch",
                     "eval mode normalises with the running statistics, so each row's scores depend on that row "
                     "only", wrong=[Wrong("mlp_eval_keeps_training",
                                          lambda got: np.allclose(full, predict(test_x, params, SIZES, "tanh", True),
                                                                  rtol=1e-6, atol=1e-8))])
    with cases.check(EVAL_STATS):
        assert_close(full, predict(test_x, params, SIZES, "tanh", True, stats=stats, training=False),
                     "MLP.forward in eval mode", "BatchNorm with running_mean, running_var "
                     f"(momentum {MOMENTUM}, from 0 and 1, three training forwards)",
                     wrong=[Wrong("mlp_eval_keeps_training", predict(test_x, params, SIZES, "tanh", True))])
    with cases.check(EVAL_FIXED):
        assert_close(mlp.call("forward", test_x), full, "MLP.forward in eval mode, called again",
                     "eval mode must not change the running statistics (same input, same output)")
    with cases.check(TRAIN_AGAIN):
        mlp.run("train")
        batch = rng.standard_normal((8, 4)) * 2 + 0.5
        eval_before = predict(test_x, params, SIZES, "tanh", True, stats=stats, training=False)
        still_eval = predict(batch, params, SIZES, "tanh", True, stats=stats, training=False)
        expected = predict(batch, params, SIZES, "tanh", True, stats=stats)  # moves the running statistics
        assert_close(mlp.call("forward", batch), expected, "MLP.forward after eval() then train()",
                     "train() puts every BatchNorm back in training mode: batch μ, σ², and the running statistics move",
                     wrong=[Wrong("mlp_train_keeps_eval", still_eval)])
        mlp.run("eval")
        assert_close(mlp.call("forward", test_x), predict(test_x, params, SIZES, "tanh", True, stats=stats,
                                                          training=False),
                     "MLP.forward in eval mode after one more training forward",
                     "the running statistics moved with the training forward after train()",
                     wrong=[Wrong("mlp_train_keeps_eval", eval_before)])


def test_vanishing_gradients(student, cases, rng):
    """Deep sigmoid MLP: layer_grad_norms are the ‖dW‖ per layer and shrink towards the input"""
    import torch

    depth = 8
    sizes = [10] * depth + [2]
    cases.plan({"layer_grad_norms values": 3, "the gradient vanishes towards the input": 1})
    x, dout = rng.standard_normal((16, 10)), rng.standard_normal((16, 2))
    mlp, names, params = make_mlp(student, rng, sizes, "sigmoid")
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    (reference_forward(torch.tensor(x), tparams, sizes, "sigmoid") * torch.tensor(dout)).sum().backward()
    expected = [float(tparams[f"linear{i}.W"].grad.norm()) for i in range(depth)]
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
