"""Numerical gradients by centred differences, to check a hand-written backward pass.

For a small step h, the slope of f at x along coordinate i is about

    (f(x + h·e_i) - f(x - h·e_i)) / (2h)

with an error of order h² (a one-sided difference has error of order h). Comparing
this with an analytic gradient catches almost every backpropagation bug. Use float64
inputs: in float32 the rounding error of f swamps the h² term.

This file is given: you do not need to change it. The tests compare gradients with the same
functions and tolerances (tests/checks.py: numerical_gradient, numerical_gradient_array,
relative_error, and assert_gradient_close, which passes when the relative error is ≤ 1e-5).
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar-valued ``f`` at ``x`` by centred differences.

    f: a function of no arguments that reads ``x`` (it is called after each entry of x
       is nudged in place) and returns a number, e.g. ``lambda: loss.forward(x, y)``.
    x: float64 array, changed in place during the call and restored afterwards.
    Returns an array shaped like x with df/dx[i] ≈ (f(x + h e_i) - f(x - h e_i)) / 2h.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f())
        x[i] = old - h
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of Σ f(x) · dout with respect to x, for an array-valued ``f``.

    This is exactly what ``backward(dout)`` must return: the chain rule with an
    upstream gradient ``dout`` (shaped like the output of f).

    f: a function of no arguments that reads ``x`` and returns an array.
    x: float64 array, changed in place during the call and restored afterwards.
    Returns an array shaped like x.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        out_plus = np.array(f(), dtype=np.float64)
        x[i] = old - h
        out_minus = np.array(f(), dtype=np.float64)
        x[i] = old
        grad[i] = np.sum((out_plus - out_minus) * dout) / (2 * h)
    return grad


def relative_error(a, b):
    """max |a - b| / max(|a| + |b|, 1e-8), over all entries.

    Below about 1e-7 the two gradients agree; above about 1e-3 something is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a) + np.abs(b), 1e-8)
    return float(np.max(np.abs(a - b) / scale)) if a.size else 0.0
