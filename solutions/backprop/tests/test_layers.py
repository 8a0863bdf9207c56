"""Public tests for layers.py: initialisers, Linear, the two losses and BatchNorm,
values against the formulas and gradients against centred differences."""
import numpy as np
import pytest
from checks import (assert_close, assert_gradient_close, assert_shape, numerical_gradient,
                    numerical_gradient_array)

from layers import BatchNorm, Linear, MSELoss, SoftmaxCrossEntropy, init_he, init_xavier


# ---------------------------------------------------------------- initialisers

@pytest.mark.parametrize("init, std, formula", [
    (init_xavier, lambda fi, fo: np.sqrt(2 / (fi + fo)), "std = sqrt(2 / (fan_in + fan_out))"),
    (init_he, lambda fi, fo: np.sqrt(2 / fi), "std = sqrt(2 / fan_in)"),
], ids=["init_xavier", "init_he"])
@pytest.mark.initialisers
def test_initialiser_statistics(init, std, formula):
    fan_in, fan_out = 300, 500
    W = init(fan_in, fan_out, np.random.default_rng(0))
    what = init.__name__
    assert_shape(W, (fan_in, fan_out), what)
    assert W.dtype == np.float64, f"{what} should return float64, got {W.dtype}"
    # 150,000 samples: the sample std is within 1% of the true one, the mean within 0.01 std
    assert_close(W.std(), std(fan_in, fan_out), f"{what}: sample std", formula, rtol=0.01)
    assert_close(W.mean() / std(fan_in, fan_out), 0.0, f"{what}: sample mean / std", "mean 0", atol=0.01)
    again = init(fan_in, fan_out, np.random.default_rng(0))
    assert_close(again, W, f"{what} called twice with the same seed", "draw from the given rng only")


# ---------------------------------------------------------------- Linear

def _linear(rng):
    layer = Linear(4, 3, init="small", seed=0)
    layer.params["W"] = rng.standard_normal((4, 3))
    layer.params["b"] = rng.standard_normal(3)
    return layer


@pytest.mark.linear
def test_linear_forward():
    rng = np.random.default_rng(0)
    layer = _linear(rng)
    x = rng.standard_normal((5, 4))
    out = layer.forward(x)
    assert_shape(out, (5, 3), "Linear.forward")
    assert_close(out, x @ layer.params["W"] + layer.params["b"], "Linear.forward", "out = x @ W + b")


@pytest.mark.linear
def test_linear_backward():
    rng = np.random.default_rng(1)
    layer = _linear(rng)
    x = rng.standard_normal((5, 4))
    dout = rng.standard_normal((5, 3))
    layer.forward(x)
    dx = layer.backward(dout)
    f = lambda: layer.forward(x)
    assert_gradient_close(dx, numerical_gradient_array(f, x, dout), "Linear.backward: dx = dout @ W.T")
    assert_gradient_close(layer.grads.get("W"), numerical_gradient_array(f, layer.params["W"], dout),
                          "Linear.backward: grads['W'] = x.T @ dout")
    assert_gradient_close(layer.grads.get("b"), numerical_gradient_array(f, layer.params["b"], dout),
                          "Linear.backward: grads['b'] = sum of dout over the batch")


# ---------------------------------------------------------------- losses

@pytest.mark.mse_loss
def test_mse_forward():
    pred = np.array([[1.0, 2.0], [3.0, -1.0]])
    target = np.array([[0.0, 2.0], [1.0, 1.0]])
    loss = MSELoss().forward(pred, target)
    assert isinstance(loss, float), f"MSELoss.forward should return a Python float, got {type(loss).__name__}"
    assert_close(loss, (1 + 0 + 4 + 4) / 4, "MSELoss.forward", "L = mean of (pred - target)²")


@pytest.mark.mse_loss
def test_mse_backward():
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = MSELoss()
    loss.forward(pred, target)
    dpred = loss.backward()
    numeric = numerical_gradient(lambda: MSELoss().forward(pred, target), pred)
    assert_gradient_close(dpred, numeric, "MSELoss.backward: dL/dpred = 2 (pred - target) / pred.size")


def _cross_entropy(logits, labels):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


@pytest.mark.softmax_cross_entropy
def test_softmax_cross_entropy_forward():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    loss = SoftmaxCrossEntropy().forward(logits, labels)
    assert isinstance(loss, float), f"SoftmaxCrossEntropy.forward should return a Python float, got {type(loss).__name__}"
    assert_close(loss, _cross_entropy(logits, labels), "SoftmaxCrossEntropy.forward",
                 "L = mean over n of -log softmax(logits[n])[labels[n]]")


@pytest.mark.softmax_cross_entropy
def test_softmax_cross_entropy_is_stable():
    logits = np.array([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1010.0]])
    labels = np.array([1, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = SoftmaxCrossEntropy().forward(logits, labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    assert_close(loss, _cross_entropy(shifted, labels), "SoftmaxCrossEntropy.forward with logits near ±1000",
                 "subtract each row's max before exp: softmax(s) = softmax(s - max(s))")


@pytest.mark.softmax_cross_entropy
def test_softmax_cross_entropy_backward():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, labels)
    dlogits = loss.backward()
    numeric = numerical_gradient(lambda: SoftmaxCrossEntropy().forward(logits, labels), logits)
    assert_gradient_close(dlogits, numeric, "SoftmaxCrossEntropy.backward: (softmax - onehot) / N")


# ---------------------------------------------------------------- BatchNorm

def _batchnorm(rng, d=3):
    bn = BatchNorm(d)
    bn.params["gamma"] = rng.uniform(0.5, 2.0, d)
    bn.params["beta"] = rng.standard_normal(d)
    return bn


@pytest.mark.batchnorm
def test_batchnorm_train_forward_and_running_stats():
    rng = np.random.default_rng(4)
    bn = _batchnorm(rng)
    x = 3 * rng.standard_normal((8, 3)) + 5
    out = bn.forward(x)
    mu, var = x.mean(axis=0), x.var(axis=0)
    expected = bn.params["gamma"] * (x - mu) / np.sqrt(var + 1e-5) + bn.params["beta"]
    assert_shape(out, (8, 3), "BatchNorm.forward")
    assert_close(out, expected, "BatchNorm.forward (training)", "γ · (x - μ) / sqrt(σ² + eps) + β, batch μ and biased σ²")
    assert_close(bn.running_mean, 0.9 * 0 + 0.1 * mu, "BatchNorm.running_mean after one step",
                 "(1 - momentum) · running_mean + momentum · μ")
    assert_close(bn.running_var, 0.9 * 1 + 0.1 * var, "BatchNorm.running_var after one step",
                 "(1 - momentum) · running_var + momentum · σ² (biased σ²)")


@pytest.mark.batchnorm
def test_batchnorm_eval_uses_running_stats():
    rng = np.random.default_rng(5)
    bn = _batchnorm(rng)
    bn.running_mean = np.array([1.0, -2.0, 0.5])
    bn.running_var = np.array([4.0, 0.25, 1.0])
    bn.training = False
    x = rng.standard_normal((6, 3))
    out = bn.forward(x)
    expected = bn.params["gamma"] * (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) + bn.params["beta"]
    assert_close(out, expected, "BatchNorm.forward (eval)", "γ · (x - running_mean) / sqrt(running_var + eps) + β")
    assert_close(bn.running_mean, [1.0, -2.0, 0.5], "BatchNorm.running_mean in eval mode", "unchanged in eval mode")


@pytest.mark.batchnorm
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batchnorm_backward(training):
    rng = np.random.default_rng(6)
    bn = _batchnorm(rng)
    bn.running_mean, bn.running_var = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    bn.training = training
    x = 2 * rng.standard_normal((7, 3)) + 1
    dout = rng.standard_normal((7, 3))
    bn.forward(x)
    dx = bn.backward(dout)
    mode = "train" if training else "eval"
    f = lambda: bn.forward(x)
    assert_gradient_close(dx, numerical_gradient_array(f, x, dout), f"BatchNorm.backward ({mode}): dx", tol=1e-5)
    assert_gradient_close(bn.grads.get("gamma"), numerical_gradient_array(f, bn.params["gamma"], dout),
                          f"BatchNorm.backward ({mode}): grads['gamma'] = Σ_n dout · x̂", tol=1e-5)
    assert_gradient_close(bn.grads.get("beta"), numerical_gradient_array(f, bn.params["beta"], dout),
                          f"BatchNorm.backward ({mode}): grads['beta'] = Σ_n dout", tol=1e-5)
