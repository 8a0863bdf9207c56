"""The grader's own optimizer formulas (design.md item 4) and gradient functions.

The student's ``step(x, grad_fn)`` needs a gradient function. The grader does not send
code or the function's parameters: ``grad_fn`` is a ``remote.Callback``, so each call in
the worker is a round trip in which the grader computes the gradient itself and records
the point (``student.last_grad_calls``; used, e.g., for Nesterov's look-ahead).
"""
import numpy as np

from autograder.grading.remote import Callback


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


# the known wrong variants of each optimizer (misconceptions.py), computed by Reference(mistake=...)
# A key may carry a variant after a colon ("adam_t_twice:before"): the same misconception, computed
# another way; the name is the part before the colon.
MISTAKES = {
    "Momentum": ["momentum_average"],
    "Nesterov": ["nesterov_no_lookahead"],
    "Adagrad": ["eps_outside_root", "accumulator_before_update"],
    "RMSProp": ["eps_outside_root", "accumulator_before_update"],
    "Adam": ["adam_no_bias_correction", "eps_inside_root", "adam_t_after_use", "adam_betas_swapped",
             "adam_t_twice", "adam_t_twice:before"],
}


def misconception(mistake):
    """The misconceptions.py key of a MISTAKES entry."""
    return mistake.split(":")[0]


class Reference:
    """One optimizer by the formulas; ``state`` holds v / G / E / m, v, t.
    ``mistake`` (a key of misconceptions.py) computes that wrong variant instead."""

    def __init__(self, kind, mistake=None, **hyper):
        self.kind, self.hyper, self.state, self.mistake = kind, hyper, {}, mistake

    def step(self, x, spec):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self._step(x, spec)

    def _step(self, x, spec):
        h, s, g, wrong = self.hyper, self.state, lambda p: gradient(spec, p), self.mistake
        zero = np.zeros_like(x)
        if self.kind == "SGD":
            return x - h["lr"] * g(x)
        if self.kind == "Momentum":
            if wrong == "momentum_average":
                s["v"] = h["rho"] * s.get("v", zero) + (1 - h["rho"]) * g(x)
                return x - h["lr"] * s["v"]
            s["v"] = h["rho"] * s.get("v", zero) - h["lr"] * g(x)
            return x + s["v"]
        if self.kind == "Nesterov":
            v = s.get("v", zero)
            at = x if wrong == "nesterov_no_lookahead" else x + h["rho"] * v
            s["v"] = h["rho"] * v - h["lr"] * g(at)
            return x + s["v"]
        if self.kind in ("Adagrad", "RMSProp"):
            grad = g(x)
            if self.kind == "Adagrad":
                old = s.get("G", zero)
                s["G"] = old + grad**2
                acc = s["G"]
            else:
                old = s.get("E", zero)
                s["E"] = h["gamma"] * old + (1 - h["gamma"]) * grad**2
                acc = s["E"]
            if wrong == "accumulator_before_update":
                acc = old
            if wrong == "eps_outside_root":
                return x - h["lr"] * grad / (np.sqrt(acc) + h["eps"])
            return x - h["lr"] * grad / np.sqrt(acc + h["eps"])
        if self.kind == "Adam":
            grad = g(x)
            b1, b2 = (h["beta2"], h["beta1"]) if wrong == "adam_betas_swapped" else (h["beta1"], h["beta2"])
            t = s.get("t", 0)
            t_used = {"adam_t_after_use": t, "adam_t_twice:before": t + 2}.get(wrong, t + 1)
            s["t"] = t + (2 if misconception(wrong or "") == "adam_t_twice" else 1)
            s["m"] = b1 * s.get("m", zero) + (1 - b1) * grad
            s["v"] = b2 * s.get("v", zero) + (1 - b2) * grad**2
            if wrong == "adam_no_bias_correction":
                m_hat, v_hat = s["m"], s["v"]
            else:
                m_hat, v_hat = s["m"] / (1 - b1 ** t_used), s["v"] / (1 - b2 ** t_used)
            if wrong == "eps_inside_root":
                return x - h["lr"] * m_hat / np.sqrt(v_hat + h["eps"])
            return x - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])
        raise ValueError(self.kind)
