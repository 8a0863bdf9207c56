"""Checks that explain themselves, and the numerics they need.

A failed check says which function was tested, which formula it should follow, shows the
expected and the actual values side by side and what was checked, so that the message alone
tells a student where to look. The public tests and the grader's hidden tests use this one
file, with the same tolerances:

* values:    |actual − expected| ≤ atol + rtol·|expected| elementwise, rtol = 1e-6, atol = 1e-8;
* gradients: relative error max |a − n| / max(|a| + |n|, 1e-8) ≤ 1e-5, where n is the
  centred difference (f(x + h·e_i) − f(x − h·e_i)) / 2h, h = 1e-5.

A correct float64 implementation passes both in any reasonable form. ``wrong=[...]`` lets a
check name a known mistake the answer matches: objects with a ``name``, a ``prediction``
(the wrong variant's answer, or a function of the answer returning True) and a
``describe()``; the names travel on the error as ``CheckFailed.misconceptions``.
"""
import numpy as np

RTOL, ATOL = 1e-6, 1e-8  # values
GRADIENT_TOL, SCALE_FLOOR = 1e-5, 1e-8  # gradients: relative error, and its denominator's floor
H = 1e-5  # step of the centred differences: about ∛(float64's ε), where truncation (h²) and rounding (ε/h) balance


class CheckFailed(AssertionError):
    """A failed check; ``misconceptions`` holds the names of the known mistakes it matches."""

    def __init__(self, message, misconceptions=()):
        super().__init__(message)
        self.misconceptions = list(misconceptions)


def matching(actual, wrong, rtol=RTOL, atol=ATOL):
    """The ``wrong`` entries whose prediction the answer matches (same shape, same tolerance)."""
    found = []
    for entry in wrong or ():
        try:
            if callable(entry.prediction):
                hit = bool(entry.prediction(actual))
            else:
                predicted = np.asarray(entry.prediction, dtype=np.float64)
                got = np.asarray(actual, dtype=np.float64)
                hit = got.shape == predicted.shape and bool(
                    np.allclose(got, predicted, rtol=rtol, atol=atol, equal_nan=True))
        except (TypeError, ValueError):
            hit = False
        if hit:
            found.append(entry)
    return found


def fail(message, actual=None, wrong=(), rtol=RTOL, atol=ATOL):
    """Raise CheckFailed with ``message``, naming the known mistakes that ``actual`` matches."""
    found = matching(actual, wrong, rtol, atol) if actual is not None else []
    message += "".join(f"\n  {entry.describe()}" for entry in found)
    raise CheckFailed(message, [entry.name for entry in found])


def _preview(a, limit=6):
    flat = np.asarray(a, dtype=np.float64).ravel()
    text = np.array2string(flat[:limit], precision=6, separator=", ")
    return text if flat.size <= limit else text[:-1] + ", ...]"


def as_array(value, what):
    """The result as an ndarray (a Python or numpy number becomes a 0-d array)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise CheckFailed(f"{what} should return a numpy array, but it returned {type(value).__name__}.")
    return value


def assert_shape(actual, shape, what, wrong=()):
    """Fail unless ``actual`` is an array of ``shape``; returns it as an array."""
    actual = as_array(actual, what)
    if actual.shape != tuple(shape):
        fail(f"{what} returned shape {actual.shape}, expected {tuple(shape)}.", actual, wrong)
    return actual


def assert_close(actual, expected, what, formula="", rtol=RTOL, atol=ATOL, wrong=()):
    """Fail unless |actual − expected| ≤ atol + rtol·|expected| elementwise, with the same shape.

    ``what`` names the function under test (``"Sigmoid.forward"``) and ``formula`` the rule
    it should follow (``"σ(x) = 1 / (1 + exp(-x))"``).
    """
    expected = np.asarray(expected, dtype=np.float64)
    actual = assert_shape(actual, expected.shape, what, wrong)
    if actual.dtype.kind not in "fiub":
        raise CheckFailed(f"{what} returned an array of dtype {actual.dtype}, expected numbers.")
    a = actual.astype(np.float64)
    if np.allclose(a, expected, rtol=rtol, atol=atol, equal_nan=False):
        return
    error = np.abs(a - expected)
    error = np.where(np.isnan(error), np.inf, error)
    worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
    lines = [f"{what} gives wrong values."]
    if formula:
        lines.append(f"  formula:  {formula}")
    lines += [f"  expected: {_preview(expected)}",
              f"  actual:   {_preview(a)}",
              f"  largest difference {error[worst]:.3g} at index {tuple(int(i) for i in worst)}: "
              f"expected {expected[worst]:.8g}, got {a[worst]:.8g}",
              f"  (checked: |actual − expected| ≤ {atol:g} + {rtol:g}·|expected| elementwise)"]
    fail("\n".join(lines), a, wrong, rtol, atol)


def relative_error(a, b):
    """max |a − b| / max(|a| + |b|, 1e-8) over all entries (0 for empty arrays).

    Gradients that agree give about 1e-7 or less; above about 1e-3 something is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a) + np.abs(b), SCALE_FLOOR)
    return float(np.max(np.abs(a - b) / scale)) if a.size else 0.0


def assert_gradient_close(analytic, numeric, what, tol=GRADIENT_TOL, wrong=()):
    """Fail unless an analytic gradient matches a centred-difference one: relative_error ≤ tol."""
    numeric = np.asarray(numeric, dtype=np.float64)
    analytic = assert_shape(analytic, numeric.shape, what, wrong).astype(np.float64)
    relative = relative_error(analytic, numeric)
    if relative <= tol:
        return
    fail(f"{what} disagrees with the centred-difference gradient (f(x + h) − f(x − h)) / 2h.\n"
         f"  numeric:  {_preview(numeric)}\n  analytic: {_preview(analytic)}\n"
         f"  (checked: relative error max|a − n| / max(|a| + |n|, {SCALE_FLOOR:g}) = {relative:.3g} "
         f"≤ {tol:g})", analytic, wrong, tol, SCALE_FLOOR)


def centred_difference(plus, minus, h, shape):
    """(f(x + h·e_i) − f(x − h·e_i)) / 2h for every entry i, from the values f took at x ± h·e_i.

    The error is of order h² (a one-sided difference has error of order h). Use float64: in
    float32 the rounding error of f swamps the h² term.
    """
    plus = np.asarray(plus, dtype=np.float64)
    minus = np.asarray(minus, dtype=np.float64)
    return ((plus - minus) / (2 * h)).reshape(shape)


def _nudged_values(f, x, h):
    """f() with each entry of ``x`` nudged in place to x[i] + h, then x[i] − h; x is restored."""
    plus, minus = [], []
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + h
            plus.append(f())
            x[i] = old - h
            minus.append(f())
        finally:
            x[i] = old
    return plus, minus


def numerical_gradient(f, x, h=H):
    """Gradient of a scalar-valued ``f`` at ``x`` by centred differences.

    f: a function of no arguments that reads ``x`` (it is called after each entry of x is
       nudged in place) and returns a number, e.g. ``lambda: loss.forward(x, y)``.
    x: float64 array, changed in place during the call and restored afterwards.
    Returns an array shaped like x with df/dx[i] ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h.
    """
    plus, minus = _nudged_values(lambda: float(f()), x, h)
    return centred_difference(plus, minus, h, x.shape)


def numerical_gradient_array(f, x, dout, h=H):
    """Gradient of Σ f(x)·dout with respect to x, for an array-valued ``f``.

    This is what ``backward(dout)`` must return: the chain rule with an upstream gradient
    ``dout`` shaped like the output of f. f and x are as for ``numerical_gradient``.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda: np.sum(np.asarray(f(), dtype=np.float64) * dout), x, h)
