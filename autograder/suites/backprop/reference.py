"""The grader's own formulas for the backprop suite (never shown to students)."""
import numpy as np


def sigmoid(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


ACTIVATIONS = {
    # name: (constructor kwargs, f, f', formula text)
    "Sigmoid": ({}, sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
                "σ(x) = 1 / (1 + exp(-x)),  σ'(x) = σ(x)(1 - σ(x))"),
    "Tanh": ({}, np.tanh, lambda x: 1 - np.tanh(x) ** 2, "tanh(x),  tanh'(x) = 1 - tanh²(x)"),
    "ReLU": ({}, lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float),
             "max(0, x),  ReLU'(x) = 1 if x > 0 else 0"),
    "LeakyReLU": ({"alpha": 0.2}, lambda x: np.where(x > 0, x, 0.2 * x),
                  lambda x: np.where(x > 0, 1.0, 0.2),
                  "x if x > 0 else α·x (α = 0.2 here),  derivative 1 or α"),
    "ELU": ({"alpha": 1.5}, lambda x: elu(x, 1.5), lambda x: np.where(x > 0, 1.0, 1.5 * np.exp(np.minimum(x, 0))),
            "x if x > 0 else α(eˣ - 1) (α = 1.5 here),  derivative 1 or α·eˣ"),
}


def maxout(x, W, b):
    z = np.einsum("ni,kio->nko", x, W) + b[None]
    return z.max(axis=1), z.argmax(axis=1)


def batchnorm_train(x, gamma, beta, eps):
    mean, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, mean, var


def softmax_ce(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(labels)
    loss = -log_probs[np.arange(n), labels].mean()
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return loss, grad / n


# The MLP by its specification (network.py's docstring): sizes, activation name, BatchNorm flag.
EPS, MOMENTUM = 1e-5, 0.1  # BatchNorm's defaults (layers.py), which MLP uses


def reference_forward(x, params, sizes, activation, batchnorm=False, mistake=None, stats=None, training=True):
    """scores by the specification, in torch float64 (x and params torch tensors).
    ``stats``: {i: [running_mean, running_var]} updated in training, used in eval.
    ``mistake``: "mlp_last_activation" or "mlp_bn_after_activation" gives that wrong network."""
    import torch

    fns = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
    n_linear = len(sizes) - 1

    def norm(z, i):
        gamma, beta = params[f"batchnorm{i}.gamma"], params[f"batchnorm{i}.beta"]
        if training:
            if stats is not None:
                mean, var = z.detach().mean(0).numpy(), z.detach().var(0, unbiased=False).numpy()
                old = stats.setdefault(i, [np.zeros(sizes[i + 1]), np.ones(sizes[i + 1])])
                stats[i] = [(1 - MOMENTUM) * old[0] + MOMENTUM * mean, (1 - MOMENTUM) * old[1] + MOMENTUM * var]
            return torch.nn.functional.batch_norm(z, None, None, gamma, beta, training=True, eps=EPS)
        mean, var = (torch.tensor(a) for a in stats[i])
        return torch.nn.functional.batch_norm(z, mean, var, gamma, beta, training=False, eps=EPS)

    for i in range(n_linear):
        x = x @ params[f"linear{i}.W"] + params[f"linear{i}.b"]
        if i < n_linear - 1:
            if batchnorm and mistake != "mlp_bn_after_activation":
                x = norm(x, i)
            x = fns[activation](x)
            if batchnorm and mistake == "mlp_bn_after_activation":
                x = norm(x, i)
        elif mistake == "mlp_last_activation":
            x = fns[activation](x)
    return x


def predict(x, params, sizes, activation, batchnorm=False, mistake=None, **kwargs):
    import torch

    tparams = {k: torch.tensor(v) for k, v in params.items()}
    return reference_forward(torch.tensor(x), tparams, sizes, activation, batchnorm, mistake, **kwargs).numpy()


def reference_gradients(x, dout, params, sizes, activation, batchnorm=False, mistake=None):
    """(dL/dx, {parameter name: dL/dθ}) of L = Σ scores·dout by torch.autograd, training mode."""
    import torch

    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tx = torch.tensor(x, requires_grad=True)
    (reference_forward(tx, tparams, sizes, activation, batchnorm, mistake) * torch.tensor(dout)).sum().backward()
    return tx.grad.numpy(), {k: t.grad.numpy() for k, t in tparams.items()}
