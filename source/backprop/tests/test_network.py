"""Public tests for network.py: the MLP's forward against the layer formulas, every
parameter gradient against centred differences, and per-layer gradient norms."""
import numpy as np
import pytest
from checks import assert_close, assert_gradient_close, assert_shape, numerical_gradient

from layers import SoftmaxCrossEntropy
from network import MLP

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
SQUASH = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}


def _batchnorm(z, gamma, beta, mean, var):
    return gamma * (z - mean) / np.sqrt(var + 1e-5) + beta


@pytest.mark.mlp
def test_forward_is_the_layers_in_order():
    net = MLP([4, 5, 6, 3], activation="tanh", init="xavier", seed=1)
    x = np.random.default_rng(0).standard_normal((7, 4))
    scores = net.forward(x)
    assert_shape(scores, (7, 3), "MLP.forward")
    p = dict(net.parameters())
    h = np.tanh(x @ p["linear0.W"] + p["linear0.b"])
    h = np.tanh(h @ p["linear1.W"] + p["linear1.b"])
    expected = h @ p["linear2.W"] + p["linear2.b"]
    assert_close(scores, expected, "MLP.forward (tanh, no batchnorm)",
                 "h = tanh(x @ W0 + b0); h = tanh(h @ W1 + b1); scores = h @ W2 + b2 (no activation at the end)")


@pytest.mark.mlp
def test_forward_with_batchnorm_in_train_and_eval_mode():
    net = MLP([4, 5, 3], activation="sigmoid", init="xavier", batchnorm=True, seed=2)
    x = np.random.default_rng(1).standard_normal((8, 4))
    p = dict(net.parameters())
    g, b = p["batchnorm0.gamma"], p["batchnorm0.beta"]
    z = x @ p["linear0.W"] + p["linear0.b"]
    formula = "scores = σ(BN(x @ W0 + b0)) @ W1 + b1"

    train_scores = net.train().forward(x)
    h = SQUASH["sigmoid"](_batchnorm(z, g, b, z.mean(axis=0), z.var(axis=0)))
    assert_close(train_scores, h @ p["linear1.W"] + p["linear1.b"], "MLP.forward (train mode)",
                 formula + " with batch statistics")

    eval_scores = net.eval().forward(x)
    mean, var = 0.1 * z.mean(axis=0), 0.9 + 0.1 * z.var(axis=0)
    h = SQUASH["sigmoid"](_batchnorm(z, g, b, mean, var))
    assert_close(eval_scores, h @ p["linear1.W"] + p["linear1.b"], "MLP.forward (eval mode)",
                 formula + " with the running statistics after one training step")


@pytest.mark.mlp
@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "batchnorm"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_gives_every_parameter_gradient(activation, batchnorm):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4))
    labels = np.array([0, 1, 2, 2, 1, 0])
    net = MLP([4, 5, 4, 3], activation=activation, init="xavier", batchnorm=batchnorm, seed=4)
    loss = SoftmaxCrossEntropy()
    loss.forward(net.forward(x), labels)
    dx = net.backward(loss.backward())
    grads = net.gradients()
    f = lambda: SoftmaxCrossEntropy().forward(net.forward(x), labels)
    what = f"MLP.backward ({activation}, {'with' if batchnorm else 'without'} batchnorm)"

    for name, param in net.parameters():
        assert name in grads, f"{what}: no gradient for parameter {name!r}; gradients() has {sorted(grads)}"
        numeric = numerical_gradient(f, param)
        if batchnorm and name.endswith(".b") and name != "linear2.b":
            # BatchNorm subtracts the batch mean, so a bias added just before it cancels out.
            assert_close(grads[name], np.zeros_like(param), f"{what}: d loss / d {name}",
                         "0: BatchNorm removes any constant added before it", atol=1e-10)
        else:
            assert_gradient_close(grads[name], numeric, f"{what}: d loss / d {name}", tol=1e-4)
    # 1e-4, not 1e-6: entries near 1e-6 (leaky ReLU's slope 0.01, twice) carry the
    # centred difference's rounding error of about 1e-11.
    assert_gradient_close(dx, numerical_gradient(f, x), f"{what}: d loss / d x", tol=1e-4)


@pytest.mark.mlp
def test_layer_grad_norms():
    net = MLP([3, 4, 4, 2], activation="relu", init="xavier", seed=5)
    x = np.random.default_rng(6).standard_normal((5, 3))
    net.forward(x)
    net.backward(np.ones((5, 2)))
    norms = net.layer_grad_norms()
    grads = net.gradients()
    expected = [np.sqrt(np.sum(grads[f"linear{i}.W"] ** 2)) for i in range(3)]
    assert len(norms) == 3, f"MLP.layer_grad_norms should give one norm per Linear layer (3), got {len(norms)}"
    assert_close(np.array(norms, dtype=float), expected, "MLP.layer_grad_norms",
                 "||dW_i||_F = sqrt(Σ dW_i²) for each Linear layer i, first layer first")


def _first_to_last_ratio(activation, init):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 16))
    labels = rng.integers(0, 4, 32)
    net = MLP([16] + [16] * 8 + [4], activation=activation, init=init, seed=8)
    loss = SoftmaxCrossEntropy()
    loss.forward(net.forward(x), labels)
    net.backward(loss.backward())
    norms = net.layer_grad_norms()
    return norms[0] / norms[-1]


@pytest.mark.mlp
def test_deep_sigmoid_network_has_vanishing_gradients():
    """8 hidden sigmoid layers: each multiplies the gradient by σ' <= 1/4 (times the weights)."""
    ratio = _first_to_last_ratio("sigmoid", "xavier")
    assert ratio < 1e-3, (
        f"MLP with 8 sigmoid layers (Xavier init): ||dW_first|| / ||dW_last|| = {ratio:.3g}, "
        "expected below 1e-3 because σ'(z) <= 1/4 shrinks the gradient at every layer"
    )
    ratio = _first_to_last_ratio("relu", "he")
    assert ratio > 1e-1, (
        f"MLP with 8 ReLU layers (He init): ||dW_first|| / ||dW_last|| = {ratio:.3g}, "
        "expected above 0.1: ReLU' = 1 where active and He init keeps the scale"
    )
