"""The grader's own optimizer formulas (design.md item 4) and gradient functions.

The student's ``step(x, grad_fn)`` needs a gradient function. The grader does not send
code or the function's parameters: ``grad_fn`` is a ``remote.Callback``, so each call in
the worker is a round trip in which the grader computes the gradient itself and records
the point (``student.last_grad_calls``; used, e.g., for Nesterov's look-ahead).
"""
import numpy as np

from autograder.remote import Callback


def _at(x):
    x = np.asarray(x, dtype=np.float64)
    if x.size > 1 << 16:
        raise ValueError(f"grad_fn got an array of {x.size} elements")
    return x


def quadratic(A, b):
    """g(x) = A x + b (the gradient of ½ xᵀAx + bᵀx), x flattened."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    return Callback(lambda x: (A @ _at(x).ravel() + b).reshape(np.shape(x)))


def cubic(a, c):
    """g(x) = a x³ + c x, elementwise."""
    a, c = np.asarray(a, float), np.asarray(c, float)
    return Callback(lambda x: a * _at(x) ** 3 + c * _at(x))


def rosenbrock():
    """g of f = (1 - p)² + 100 (q - p²)² at x = (p, q)."""
    def grad(x):
        p, q = _at(x).ravel()
        return np.array([-2 * (1 - p) - 400 * p * (q - p * p), 200 * (q - p * p)]).reshape(np.shape(x))
    return Callback(grad)


def gradient(spec, x):
    return spec(x)


class Reference:
    """One optimizer by the formulas; ``state`` holds v / G / E / m, v, t."""

    def __init__(self, kind, **hyper):
        self.kind, self.hyper, self.state = kind, hyper, {}

    def step(self, x, spec):
        h, s, g = self.hyper, self.state, lambda p: gradient(spec, p)
        zero = np.zeros_like(x)
        if self.kind == "SGD":
            return x - h["lr"] * g(x)
        if self.kind == "Momentum":
            s["v"] = h["rho"] * s.get("v", zero) - h["lr"] * g(x)
            return x + s["v"]
        if self.kind == "Nesterov":
            v = s.get("v", zero)
            s["v"] = h["rho"] * v - h["lr"] * g(x + h["rho"] * v)
            return x + s["v"]
        if self.kind == "Adagrad":
            grad = g(x)
            s["G"] = s.get("G", zero) + grad**2
            return x - h["lr"] * grad / np.sqrt(s["G"] + h["eps"])
        if self.kind == "RMSProp":
            grad = g(x)
            s["E"] = h["gamma"] * s.get("E", zero) + (1 - h["gamma"]) * grad**2
            return x - h["lr"] * grad / np.sqrt(s["E"] + h["eps"])
        if self.kind == "Adam":
            grad = g(x)
            s["t"] = s.get("t", 0) + 1
            s["m"] = h["beta1"] * s.get("m", zero) + (1 - h["beta1"]) * grad
            s["v"] = h["beta2"] * s.get("v", zero) + (1 - h["beta2"]) * grad**2
            m_hat = s["m"] / (1 - h["beta1"] ** s["t"])
            v_hat = s["v"] / (1 - h["beta2"] ** s["t"])
            return x - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])
        raise ValueError(self.kind)
