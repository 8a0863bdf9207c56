"""The grader's own optimizer formulas (design.md item 4) and gradient functions.

The student's ``step(x, grad_fn)`` needs a gradient function. The grader does not send
code: it sends a *description* ({"kind": "quadratic", "A": ..., "b": ...}) that the
trusted harness in the worker turns into a function, and the worker reports every point
the function was called at (so the suite can check, e.g., Nesterov's look-ahead).
"""
import numpy as np


def quadratic(A, b):
    """g(x) = A x + b (the gradient of ½ xᵀAx + bᵀx)."""
    return {"__gradfn__": {"kind": "quadratic", "A": np.asarray(A, float), "b": np.asarray(b, float)}}


def cubic(a, c):
    """g(x) = a x³ + c x, elementwise."""
    return {"__gradfn__": {"kind": "cubic", "a": np.asarray(a, float), "c": np.asarray(c, float)}}


def rosenbrock():
    return {"__gradfn__": {"kind": "rosenbrock"}}


def gradient(spec, x):
    spec = spec["__gradfn__"]
    if spec["kind"] == "quadratic":
        return (spec["A"] @ x.ravel() + spec["b"]).reshape(x.shape)
    if spec["kind"] == "cubic":
        return spec["a"] * x**3 + spec["c"] * x
    p, q = x.ravel()
    return np.array([-2 * (1 - p) - 400 * p * (q - p * p), 200 * (q - p * p)]).reshape(x.shape)


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
