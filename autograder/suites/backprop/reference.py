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
