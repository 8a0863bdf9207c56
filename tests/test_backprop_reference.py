"""The backprop solution (solutions/backprop) against PyTorch.

Every forward value is compared with torch's own function and every gradient with
torch.autograd, on random float64 inputs, to a relative error of 1e-6.
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

TOL = 1e-6


@pytest.fixture
def bp(solution):
    activations, layers, network = solution("backprop", "activations", "layers", "network")
    return activations, layers, network


def t(array, grad=False):
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=grad)


def assert_matches(actual, expected, what):
    """max over entries of |a - e| / max(|a| + |e|, 1e-8) <= TOL."""
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    error = np.max(np.abs(actual - expected) / np.maximum(np.abs(actual) + np.abs(expected), 1e-8), initial=0.0)
    assert error <= TOL, f"{what}: relative error {error:.3g} against torch\n ours:  {actual.ravel()[:6]}\n torch: {expected.ravel()[:6]}"


def _activation_cases(activations):
    return [
        ("Sigmoid", activations.Sigmoid(), torch.sigmoid),
        ("Tanh", activations.Tanh(), torch.tanh),
        ("ReLU", activations.ReLU(), torch.relu),
        ("LeakyReLU()", activations.LeakyReLU(), lambda x: F.leaky_relu(x, 0.01)),
        ("LeakyReLU(0.2)", activations.LeakyReLU(alpha=0.2), lambda x: F.leaky_relu(x, 0.2)),
        ("ELU()", activations.ELU(), lambda x: F.elu(x, 1.0)),
        ("ELU(0.5)", activations.ELU(alpha=0.5), lambda x: F.elu(x, 0.5)),
    ]


def _inputs(seed, shape=(6, 7), scale=3.0):
    x = scale * np.random.default_rng(seed).standard_normal(shape)
    x.flat[:3] = 0.0  # the kink: torch also takes x > 0 as the positive branch
    return x


# ---------------------------------------------------------------- activations

def test_activations_forward_backward_derivative_match_torch(bp):
    activations, _, _ = bp
    x = _inputs(0)
    dout = np.random.default_rng(1).standard_normal(x.shape)
    for name, layer, fn in _activation_cases(activations):
        xt = t(x, grad=True)
        out = fn(xt)
        out.backward(t(dout))
        assert_matches(layer.forward(x.copy()), out, f"{name}.forward")
        assert_matches(layer.backward(dout.copy()), xt.grad, f"{name}.backward")

        xt = t(x, grad=True)
        fn(xt).sum().backward()  # elementwise, so d(sum)/dx_i = f'(x_i)
        assert_matches(layer.derivative(x.copy()), xt.grad, f"{name}.derivative")


def test_activations_keep_float32(bp):
    activations, _, _ = bp
    x = _inputs(2).astype(np.float32)
    dout = np.ones_like(x)
    for name, layer, _ in _activation_cases(activations):
        assert layer.forward(x).dtype == np.float32, f"{name}.forward: float32 in, not float32 out"
        assert layer.derivative(x).dtype == np.float32, f"{name}.derivative: float32 in, not float32 out"
        assert layer.backward(dout).dtype == np.float32, f"{name}.backward: float32 in, not float32 out"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_saturates_exactly_without_warnings(bp, dtype):
    activations, _, _ = bp
    x = np.array([-1000.0, -800.0, 800.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = activations.Sigmoid().forward(x)
        d = activations.Sigmoid().derivative(x)
    assert out.dtype == dtype
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert d.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_elu_has_no_overflow_warning(bp):
    activations, _, _ = bp
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        out = activations.ELU().forward(np.array([-1000.0, 1000.0]))
    assert out.tolist() == [-1.0, 1000.0]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_maxout_matches_torch(bp, k):
    activations, _, _ = bp
    rng = np.random.default_rng(3)
    layer = activations.Maxout(5, 4, k=k, seed=1)
    assert layer.params["W"].shape == (k, 5, 4) and layer.params["b"].shape == (k, 4)
    layer.params["b"] = rng.standard_normal((k, 4))
    x, dout = rng.standard_normal((7, 5)), rng.standard_normal((7, 4))
    xt, Wt, bt = t(x, True), t(layer.params["W"], True), t(layer.params["b"], True)
    out = (torch.einsum("ni,kio->nko", xt, Wt) + bt).max(dim=1).values
    out.backward(t(dout))
    assert_matches(layer.forward(x), out, "Maxout.forward")
    assert_matches(layer.backward(dout), xt.grad, "Maxout.backward dx")
    assert_matches(layer.grads["W"], Wt.grad, "Maxout grads['W']")
    assert_matches(layer.grads["b"], bt.grad, "Maxout grads['b']")


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("init", ["small", "large", "xavier", "he"])
def test_linear_matches_torch(bp, init):
    _, layers, _ = bp
    rng = np.random.default_rng(4)
    layer = layers.Linear(6, 3, init=init, seed=2)
    assert layer.params["W"].shape == (6, 3) and layer.params["W"].dtype == np.float64
    assert np.array_equal(layer.params["b"], np.zeros(3))
    layer.params["b"] = rng.standard_normal(3)
    x, dout = rng.standard_normal((5, 6)), rng.standard_normal((5, 3))
    xt, Wt, bt = t(x, True), t(layer.params["W"], True), t(layer.params["b"], True)
    out = F.linear(xt, Wt.T, bt)
    out.backward(t(dout))
    assert_matches(layer.forward(x), out, "Linear.forward")
    assert_matches(layer.backward(dout), xt.grad, "Linear.backward dx")
    assert_matches(layer.grads["W"], Wt.grad, "Linear grads['W']")
    assert_matches(layer.grads["b"], bt.grad, "Linear grads['b']")


@pytest.mark.parametrize("name, std", [
    ("small", lambda fi, fo: 0.01), ("large", lambda fi, fo: 1.0),
    ("xavier", lambda fi, fo: np.sqrt(2 / (fi + fo))), ("he", lambda fi, fo: np.sqrt(2 / fi)),
])
def test_initialisers(bp, name, std):
    _, layers, _ = bp
    init = layers.INITIALISERS[name]
    W = init(400, 250, np.random.default_rng(5))
    assert W.shape == (400, 250) and W.dtype == np.float64
    assert abs(W.std() / std(400, 250) - 1) < 0.01
    assert abs(W.mean()) < 0.01 * std(400, 250)
    assert np.array_equal(W, init(400, 250, np.random.default_rng(5)))


def test_mse_matches_torch(bp):
    _, layers, _ = bp
    rng = np.random.default_rng(6)
    pred, target = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    pt = t(pred, True)
    loss_t = F.mse_loss(pt, t(target))
    loss_t.backward()
    loss = layers.MSELoss()
    value = loss.forward(pred, target)
    assert isinstance(value, float)
    assert_matches(value, loss_t, "MSELoss.forward")
    assert_matches(loss.backward(), pt.grad, "MSELoss.backward")


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_softmax_cross_entropy_matches_torch(bp, scale):
    _, layers, _ = bp
    rng = np.random.default_rng(7)
    logits, labels = scale * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    lt = t(logits, True)
    loss_t = F.cross_entropy(lt, torch.tensor(labels))
    loss_t.backward()
    loss = layers.SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(logits, labels)
    assert isinstance(value, float)
    assert_matches(value, loss_t, "SoftmaxCrossEntropy.forward")
    assert_matches(loss.backward(), lt.grad, "SoftmaxCrossEntropy.backward")


def test_batchnorm_train_matches_torch(bp):
    _, layers, _ = bp
    rng = np.random.default_rng(8)
    n, d, momentum = 9, 4, 0.2
    bn = layers.BatchNorm(d, momentum=momentum)
    assert np.array_equal(bn.params["gamma"], np.ones(d)) and np.array_equal(bn.params["beta"], np.zeros(d))
    assert np.array_equal(bn.running_mean, np.zeros(d)) and np.array_equal(bn.running_var, np.ones(d))
    assert bn.training is True
    bn.params["gamma"], bn.params["beta"] = rng.uniform(0.5, 2, d), rng.standard_normal(d)
    rm_t, rv_t = torch.zeros(d, dtype=torch.float64), torch.ones(d, dtype=torch.float64)
    for step in range(3):
        x, dout = 2 * rng.standard_normal((n, d)) + 1, rng.standard_normal((n, d))
        rv_before = bn.running_var.copy()
        xt, gt, btt = t(x, True), t(bn.params["gamma"], True), t(bn.params["beta"], True)
        torch_rv_before = rv_t.clone()
        out = F.batch_norm(xt, rm_t, rv_t, gt, btt, training=True, momentum=momentum, eps=1e-5)
        out.backward(t(dout))
        assert_matches(bn.forward(x), out, f"BatchNorm.forward (train, step {step})")
        assert_matches(bn.running_mean, rm_t, f"BatchNorm.running_mean (step {step})")
        # torch updates running_var with the unbiased variance; ours uses the biased one
        unbiased = (rv_t - (1 - momentum) * torch_rv_before) / momentum
        expected = (1 - momentum) * rv_before + momentum * unbiased.numpy() * (n - 1) / n
        assert_matches(bn.running_var, expected, f"BatchNorm.running_var (step {step})")
        rv_t = t(bn.running_var)  # keep both running_vars on the same (biased) track
        assert_matches(bn.backward(dout), xt.grad, f"BatchNorm.backward dx (step {step})")
        assert_matches(bn.grads["gamma"], gt.grad, "BatchNorm grads['gamma']")
        assert_matches(bn.grads["beta"], btt.grad, "BatchNorm grads['beta']")


def test_batchnorm_eval_matches_torch(bp):
    _, layers, _ = bp
    rng = np.random.default_rng(9)
    bn = layers.BatchNorm(3)
    bn.params["gamma"], bn.params["beta"] = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    bn.running_mean, bn.running_var = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    bn.training = False
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    xt = t(x, True)
    out = F.batch_norm(xt, t(bn.running_mean), t(bn.running_var), t(bn.params["gamma"]), t(bn.params["beta"]),
                       training=False, eps=1e-5)
    out.backward(t(dout))
    rm = bn.running_mean.copy()
    assert_matches(bn.forward(x), out, "BatchNorm.forward (eval)")
    assert np.array_equal(bn.running_mean, rm), "eval mode must not update running_mean"
    assert_matches(bn.backward(dout), xt.grad, "BatchNorm.backward dx (eval)")


# ---------------------------------------------------------------- MLP

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "elu": lambda z: F.elu(z, 1.0),
}


def _torch_mlp(params, sizes, activation, batchnorm, x):
    h = x
    for i in range(len(sizes) - 1):
        h = h @ params[f"linear{i}.W"] + params[f"linear{i}.b"]
        if i < len(sizes) - 2:
            if batchnorm:
                h = F.batch_norm(h, None, None, params[f"batchnorm{i}.gamma"], params[f"batchnorm{i}.beta"],
                                 training=True, eps=1e-5)
            h = TORCH_ACTIVATIONS[activation](h)
    return h


@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "batchnorm"])
@pytest.mark.parametrize("activation", list(TORCH_ACTIVATIONS))
def test_mlp_every_gradient_matches_torch(bp, activation, batchnorm):
    _, layers, network = bp
    sizes = [5, 7, 6, 6, 3]
    rng = np.random.default_rng(10)
    x, dscores = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    net = network.MLP(sizes, activation=activation, init="xavier", batchnorm=batchnorm, seed=3)
    names = [name for name, _ in net.parameters()]
    expected_names = [f"linear{i}.{p}" for i in range(4) for p in "Wb"]
    if batchnorm:
        expected_names += [f"batchnorm{i}.{p}" for i in range(3) for p in ("gamma", "beta")]
    assert sorted(names) == sorted(expected_names)

    params_t = {name: t(value, True) for name, value in net.parameters()}
    xt = t(x, True)
    scores_t = _torch_mlp(params_t, sizes, activation, batchnorm, xt)
    scores_t.backward(t(dscores))

    what = f"MLP({activation}, batchnorm={batchnorm})"
    assert_matches(net.forward(x), scores_t, f"{what}.forward")
    assert_matches(net.backward(dscores), xt.grad, f"{what}.backward dx")
    grads = net.gradients()
    assert sorted(grads) == sorted(expected_names)
    for name, tensor in params_t.items():
        assert_matches(grads[name], tensor.grad, f"{what} gradient of {name}")
    norms = net.layer_grad_norms()
    assert len(norms) == 4
    assert_matches(np.array(norms), [params_t[f"linear{i}.W"].grad.norm().item() for i in range(4)],
                   f"{what}.layer_grad_norms")


def test_mlp_with_cross_entropy_matches_torch(bp):
    _, layers, network = bp
    sizes = [4, 8, 8, 5]
    rng = np.random.default_rng(11)
    x, labels = rng.standard_normal((10, 4)), rng.integers(0, 5, 10)
    net = network.MLP(sizes, activation="tanh", init="he", batchnorm=True, seed=7)
    params_t = {name: t(value, True) for name, value in net.parameters()}
    loss_t = F.cross_entropy(_torch_mlp(params_t, sizes, "tanh", True, t(x)), torch.tensor(labels))
    loss_t.backward()
    loss = layers.SoftmaxCrossEntropy()
    assert_matches(loss.forward(net.forward(x), labels), loss_t, "MLP + SoftmaxCrossEntropy loss")
    net.backward(loss.backward())
    for name, tensor in params_t.items():
        assert_matches(net.gradients()[name], tensor.grad, f"MLP + cross-entropy gradient of {name}")


def test_mlp_train_eval_switch_batchnorm(bp):
    _, layers, network = bp
    net = network.MLP([3, 4, 4, 2], activation="relu", batchnorm=True)
    bns = [layer for layer in net.layers if isinstance(layer, layers.BatchNorm)]
    assert len(bns) == 2
    net.eval()
    assert all(bn.training is False for bn in bns)
    net.train()
    assert all(bn.training is True for bn in bns)
