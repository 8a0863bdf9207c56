"""Hidden tests: initialisers, Linear, the two losses and BatchNorm."""
import numpy as np

from autograder.suites.checks import (Wrong, as_array, as_float, assert_close, assert_gradient_matches,
                                      assert_shape, numeric_input_gradient, numeric_param_gradient)

from .reference import batchnorm_train, softmax_ce


def test_initialisers(student, cases, rng):
    """init_xavier and init_he: shapes, float64, std formulas, same seed gives the same weights"""
    cases.plan({f"{name} {what}": 1 for name in ("init_xavier", "init_he") for what in ("draws", "spread")})
    for name, std in (("init_xavier", lambda i, o: np.sqrt(2 / (i + o))),
                      ("init_he", lambda i, o: np.sqrt(2 / i))):
        with cases.check(f"{name} draws"):
            seed = int(rng.integers(1 << 31))
            W = student.call("layers", name, 30, 20, student.rng(seed))
            expected = std(30, 20) * np.random.default_rng(seed).standard_normal((30, 20))
            assert_close(W, expected, f"{name}(30, 20, rng)",
                         f"std · rng.standard_normal((fan_in, fan_out)) with std = "
                         f"{'sqrt(2 / (fan_in + fan_out))' if name == 'init_xavier' else 'sqrt(2 / fan_in)'}")
            assert W.dtype == np.float64, f"{name}(30, 20, rng) returned dtype {W.dtype}; the initialisers return float64."
        with cases.check(f"{name} spread"):
            W = as_array(student.call("layers", name, 400, 300, student.rng(1)), name)
            assert_shape(W, (400, 300), name)
            assert abs(W.std() / std(400, 300) - 1) < 0.02, (
                f"{name}(400, 300): the weights' std is {W.std():.4f}, expected {std(400, 300):.4f}.")


LINEAR_SIZES = ((4, 3, 5), (4, 4, 6))  # (in, out, batch)


def linear_shape(n_in, n_out, n):
    return f"Linear({n_in}, {n_out}), batch of {n}"


def test_linear(student, cases, rng):
    """Linear: out = x @ W + b; grads['W'] = xᵀ dout, grads['b'] = Σ dout, dx = dout Wᵀ; W from init, b zeros"""
    cases.plan({f"{linear_shape(*sizes)}: {part}": weight for sizes in LINEAR_SIZES
                for part, weight in (("forward", 0.5), ("backward dx", 1), ("grads['W']", 1), ("grads['b']", 0.5))}
               | {"Linear gradients vs centred differences": 1, "Linear vs torch.autograd": 1,
                  "Linear(in, out, init, seed): W drawn by INITIALISERS[init] with that seed, b zeros": 1})
    with cases.check("Linear(in, out, init, seed): W drawn by INITIALISERS[init] with that seed, b zeros"):
        seed = int(rng.integers(1 << 31))
        for init, kwargs in (("xavier", {"init": "xavier"}), ("he", {})):  # "he" is the default
            params = student.new("layers", "Linear", 6, 5, seed=seed, **kwargs).get("params")
            own = student.call("layers", f"init_{init}", 6, 5, student.rng(seed))
            what = f"Linear(6, 5, {', '.join(f'{k}={v!r}' for k, v in kwargs.items())}seed={seed}).params"
            assert_close(params.get("W"), own, f"{what}['W']",
                         f"INITIALISERS[{init!r}](6, 5, np.random.default_rng(seed)), your own init_{init}")
            assert_close(params.get("b"), np.zeros(5), f"{what}['b']", "b starts at zeros, shape (out_features,)")
    for n_in, n_out, n in LINEAR_SIZES:  # the square layer shows a missing transpose
        W, b = rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)
        x, dout = rng.standard_normal((n, n_in)), rng.standard_normal((n, n_out))
        shape = linear_shape(n_in, n_out, n)
        with cases.setup(f"Linear({n_in}, {n_out}) with the grader's W and b", needed_by=[
                f"{shape}: {part}" for part in ("forward", "backward dx", "grads['W']", "grads['b']")]
                + ["Linear gradients vs centred differences", "Linear vs torch.autograd"]):
            layer = student.new("layers", "Linear", n_in, n_out, init="small", seed=0)
            layer.set("params", "W", W)
            layer.set("params", "b", b)
        with cases.check(f"{shape}: forward"):
            assert_close(layer.call("forward", x), x @ W + b, f"{shape}: forward", "out = x @ W + b")
        with cases.check(f"{shape}: backward dx"):
            layer.call("forward", x)
            assert_close(layer.call("backward", dout), dout @ W.T, f"{shape}: backward (dx)", "dx = dout @ W.T",
                         wrong=[Wrong("linear_missing_transpose", dout @ W)] if n_in == n_out else [])
        grads = layer.get("grads")
        with cases.check(f"{shape}: grads['W']"):
            assert_close(grads.get("W"), x.T @ dout, f"{shape}: grads['W']", "dW = x.T @ dout",
                         wrong=[Wrong("linear_missing_transpose", dout.T @ x),
                                Wrong("linear_dw_averaged", x.T @ dout / n)])
        with cases.check(f"{shape}: grads['b']"):
            assert_close(grads.get("b"), dout.sum(axis=0), f"{shape}: grads['b']",
                         "db = Σ_n dout[n] (summed over the batch, axis 0)",
                         wrong=[Wrong("linear_db_wrong_axis", dout.sum(axis=1)),
                                Wrong("linear_dw_averaged", dout.mean(axis=0))])
    with cases.check("Linear gradients vs centred differences"):
        numeric = numeric_param_gradient(layer, ["params", "W"], W, dout, x, "Linear.forward")
        layer.call("forward", x)
        dx = layer.call("backward", dout)
        assert_gradient_matches(layer.get("grads", "W"), numeric, x.T @ dout, "Linear.grads['W']")
        assert_gradient_matches(dx, numeric_input_gradient(layer, x, dout, "Linear.forward"), dout @ W.T,
                                "Linear.backward (dx)")
    with cases.check("Linear vs torch.autograd"):
        import torch

        tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
        (torch.nn.functional.linear(tx, tW.T, tb) * torch.tensor(dout)).sum().backward()
        layer.call("forward", x)
        assert_close(layer.call("backward", dout), tx.grad.numpy(), "Linear.backward (dx)", "torch.autograd")
        assert_close(layer.get("grads", "W"), tW.grad.numpy(), "Linear.grads['W']", "torch.autograd")


def test_mse_loss(student, cases, rng):
    """MSELoss: L = mean((pred - target)²), dL/dpred = 2(pred - target) / size"""
    cases.plan({"MSELoss.forward": 1, "MSELoss.backward": 1, "MSELoss vs torch": 1})
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = student.new("layers", "MSELoss")
    with cases.check("MSELoss.forward"):
        value = as_float(loss.call("forward", pred, target), "MSELoss.forward")
        assert_close(value, np.mean((pred - target) ** 2), "MSELoss.forward", "L = mean((pred - target)²)")
    with cases.check("MSELoss.backward"):
        loss.call("forward", pred, target)
        assert_close(loss.call("backward"), 2 * (pred - target) / pred.size, "MSELoss.backward",
                     "dL/dpred = 2 (pred - target) / pred.size",
                     wrong=[Wrong("mse_without_2", (pred - target) / pred.size)])
    with cases.check("MSELoss vs torch"):
        import torch

        t = torch.tensor(pred, requires_grad=True)
        torch.nn.functional.mse_loss(t, torch.tensor(target)).backward()
        loss.call("forward", pred, target)
        assert_close(loss.call("backward"), t.grad.numpy(), "MSELoss.backward", "torch.nn.functional.mse_loss",
                     wrong=[Wrong("mse_without_2", (pred - target) / pred.size)])


def test_softmax_cross_entropy(student, cases, rng):
    """SoftmaxCrossEntropy: mean -log softmax of the true class; gradient (p - onehot) / N; stable"""
    cases.plan({"SoftmaxCrossEntropy.forward": 1, "SoftmaxCrossEntropy.backward": 1, "SoftmaxCrossEntropy vs torch": 1,
                "SoftmaxCrossEntropy with logits of ±1000": 1})
    logits, labels = rng.standard_normal((6, 4)) * 2, rng.integers(0, 4, 6)
    loss = student.new("layers", "SoftmaxCrossEntropy")
    expected_loss, expected_grad = softmax_ce(logits, labels)
    with cases.check("SoftmaxCrossEntropy.forward"):
        assert_close(as_float(loss.call("forward", logits, labels), "SoftmaxCrossEntropy.forward"),
                     expected_loss, "SoftmaxCrossEntropy.forward", "L = mean_n -log softmax(logits[n])[labels[n]]")
    with cases.check("SoftmaxCrossEntropy.backward"):
        loss.call("forward", logits, labels)
        assert_close(loss.call("backward"), expected_grad, "SoftmaxCrossEntropy.backward",
                     "dL/dlogits = (softmax(logits) - onehot(labels)) / N",
                     wrong=[Wrong("ce_not_divided", expected_grad * len(labels))])
    with cases.check("SoftmaxCrossEntropy vs torch"):
        import torch

        t = torch.tensor(logits, requires_grad=True)
        value = torch.nn.functional.cross_entropy(t, torch.tensor(labels))
        value.backward()
        assert_close(as_float(loss.call("forward", logits, labels), "SoftmaxCrossEntropy.forward"),
                     value.item(), "SoftmaxCrossEntropy.forward", "torch.nn.functional.cross_entropy")
        assert_close(loss.call("backward"), t.grad.numpy(), "SoftmaxCrossEntropy.backward", "torch")
    with cases.check("SoftmaxCrossEntropy with logits of ±1000"):
        big = logits * 500
        expected_loss, expected_grad = softmax_ce(big, labels)
        assert_close(as_float(loss.call("forward", big, labels), "SoftmaxCrossEntropy.forward"),
                     expected_loss, "SoftmaxCrossEntropy.forward at large logits",
                     "subtract each row's max before exp: the loss must stay finite")
        assert_close(loss.call("backward"), expected_grad, "SoftmaxCrossEntropy.backward at large logits",
                     "(softmax - onehot) / N, finite", wrong=[Wrong("ce_not_divided", expected_grad * len(labels))])


def test_batchnorm(student, cases, rng):
    """BatchNorm: training/eval forward, running statistics, backward (three paths), defaults"""
    cases.plan({"BatchNorm.forward (training)": 1, "BatchNorm running statistics": 1,
                "BatchNorm.backward (training) vs the formula": 1, "BatchNorm.backward vs centred differences": 1,
                "BatchNorm vs torch.autograd": 1, "BatchNorm eval mode": 1,
                "BatchNorm(D) defaults: momentum 0.1, eps 1e-5, γ = 1, β = 0, training": 1})
    x, dout = rng.standard_normal((6, 3)) * 2 + 1, rng.standard_normal((6, 3))
    gamma, beta = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    bn = student.new("layers", "BatchNorm", 3, momentum=0.2, eps=1e-5)
    bn.set("params", "gamma", gamma)
    bn.set("params", "beta", beta)
    out, mean, var = batchnorm_train(x, gamma, beta, 1e-5)
    unbiased = x.var(axis=0, ddof=1)
    with cases.check("BatchNorm.forward (training)"):
        assert_close(bn.call("forward", x), out, "BatchNorm.forward (training)",
                     "γ (x - μ) / sqrt(σ² + eps) + β with batch μ, biased σ²",
                     wrong=[Wrong("bn_unbiased_variance", gamma * (x - mean) / np.sqrt(unbiased + 1e-5) + beta),
                            Wrong("bn_running_in_training", gamma * x / np.sqrt(1 + 1e-5) + beta)])
    with cases.check("BatchNorm running statistics"):
        assert_close(bn.get("running_mean"), 0.2 * mean, "BatchNorm.running_mean after one step",
                     "(1 - momentum) · running_mean + momentum · μ, starting from 0")
        assert_close(bn.get("running_var"), 0.8 + 0.2 * var, "BatchNorm.running_var after one step",
                     "(1 - momentum) · running_var + momentum · σ² (biased), starting from 1",
                     wrong=[Wrong("bn_unbiased_variance", 0.8 + 0.2 * unbiased)])
    x_hat = (x - mean) / np.sqrt(var + 1e-5)
    dx_hat = dout * gamma
    dx_expected = (dx_hat - dx_hat.mean(0) - x_hat * (dx_hat * x_hat).mean(0)) / np.sqrt(var + 1e-5)
    with cases.check("BatchNorm.backward (training) vs the formula"):
        bn.call("forward", x)
        dx = bn.call("backward", dout)
        assert_close(dx, dx_expected, "BatchNorm.backward (dx, training)",
                     "dx = (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) / sqrt(σ² + eps)", rtol=1e-5)
        grads = bn.get("grads")
        assert_close(grads.get("gamma"), (dout * x_hat).sum(0), "BatchNorm.grads['gamma']", "Σ_n dout · x̂")
        assert_close(grads.get("beta"), dout.sum(0), "BatchNorm.grads['beta']", "Σ_n dout")
    with cases.check("BatchNorm.backward vs centred differences"):
        numeric = numeric_input_gradient(bn, x, dout, "BatchNorm.forward")
        bn.call("forward", x)
        assert_gradient_matches(bn.call("backward", dout), numeric, dx_expected, "BatchNorm.backward (dx, training)",
                                tol=1e-4)
    with cases.check("BatchNorm vs torch.autograd"):
        import torch

        tx = torch.tensor(x, requires_grad=True)
        y = torch.nn.functional.batch_norm(tx, None, None, torch.tensor(gamma), torch.tensor(beta),
                                           training=True, eps=1e-5)
        (y * torch.tensor(dout)).sum().backward()
        bn.call("forward", x)
        assert_close(bn.call("backward", dout), tx.grad.numpy(), "BatchNorm.backward (dx)", "torch.autograd",
                     rtol=1e-5, atol=1e-7)
    with cases.check("BatchNorm eval mode"):
        running_mean, running_var = as_array(bn.get("running_mean"), "running_mean"), \
            as_array(bn.get("running_var"), "running_var")
        bn.set("training", False)
        expected = gamma * (x - running_mean) / np.sqrt(running_var + 1e-5) + beta
        assert_close(bn.call("forward", x), expected, "BatchNorm.forward (eval)",
                     "γ (x - running_mean) / sqrt(running_var + eps) + β")
        assert_close(bn.get("running_mean"), running_mean, "BatchNorm.running_mean in eval mode",
                     "eval mode must not update the running statistics")
        assert_close(bn.call("backward", dout), dout * gamma / np.sqrt(running_var + 1e-5),
                     "BatchNorm.backward (eval)", "dx = dout · γ / sqrt(running_var + eps)")
    with cases.check("BatchNorm(D) defaults: momentum 0.1, eps 1e-5, γ = 1, β = 0, training"):
        default = student.new("layers", "BatchNorm", 3)
        small = x * 1e-3  # σ² near eps, so that eps shows
        plain_mean, plain_var = small.mean(axis=0), small.var(axis=0)
        assert_close(default.call("forward", small), (small - plain_mean) / np.sqrt(plain_var + 1e-5),
                     "BatchNorm(3).forward (training, defaults)", "(x - μ) / sqrt(σ² + eps) with γ = 1, β = 0, eps = 1e-5")
        assert_close(default.get("running_mean"), 0.1 * plain_mean, "BatchNorm(3).running_mean after one step",
                     "(1 - momentum) · 0 + momentum · μ with the default momentum 0.1")
        assert_close(default.get("running_var"), 0.9 + 0.1 * plain_var, "BatchNorm(3).running_var after one step",
                     "(1 - momentum) · 1 + momentum · σ² with the default momentum 0.1")
