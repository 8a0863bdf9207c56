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
``describe()``; the names travel on the error as ``CheckFailed.misconceptions``. When no
listed mistake matches, the message says what the shape of the error suggests (``error_shape``:
the opposite sign, a constant factor such as ×2 or ÷N, a transposed result, values shifted by one
position).

Every function here sets ``__tracebackhide__``, so pytest shows a failure as the test's own
line and the message, without this library's frames.
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
    __tracebackhide__ = True
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


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _whole(value):
    """The integer n ≥ 2 that ``value`` is within 1e-6 of, else None."""
    n = round(value)
    return n if n >= 2 and abs(value - n) <= 1e-6 * n else None


def error_shape(actual, expected, rtol=RTOL, atol=ATOL):
    """What the shape of a wrong answer suggests: (name, advice), or None.

    Recognised, each within the check's tolerance: the opposite sign (−expected); a constant
    factor (n·expected or expected / n, n a whole number); the transpose of a square matrix; the expected values shifted by one position along an
    axis (an off-by-one index or window offset).
    """
    __tracebackhide__ = True
    try:
        a = np.asarray(actual, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if a.shape != e.shape:
        if a.ndim == 2 and a.shape == e.shape[::-1]:
            return ("a transposed result (shape of the error)",
                    f"your result has the transposed shape {a.shape} of the expected {e.shape}: "
                    f"a transposed operand, or operands in the wrong order?")
        return None
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(e))) or not np.any(np.abs(e) > atol):
        return None
    if _close(a, -e, rtol, atol):
        return ("the opposite sign (shape of the error)",
                "your values are exactly the expected ones with the opposite sign: a sign flip?")
    factor = float(np.sum(a * e) / np.sum(e * e))
    if factor and _close(a, factor * e, rtol, atol):
        n = _whole(factor)
        if n is not None:
            return (f"values ×{n} (shape of the error)", f"your values are exactly {n}× the expected: a missing or "
                    f"extra factor {n} (or a sum over {n} values where their mean belongs)?")
        n = _whole(1 / factor)
        if n is not None:
            return (f"values ÷{n} (shape of the error)", f"your values are exactly 1/{n} of the expected: an extra "
                    f"division by {n} (or a mean over {n} values where their sum belongs)?")
    if a.ndim == 2 and a.shape[0] == a.shape[1] > 1 and not _close(e, e.T, rtol, atol) and _close(a, e.T, rtol, atol):
        return ("a transposed result (shape of the error)",
                "your values are the transpose of the expected ones: a transposed operand?")
    for axis in range(a.ndim):
        if a.shape[axis] < 3:
            continue
        head, tail = [slice(None)] * a.ndim, [slice(None)] * a.ndim
        head[axis], tail[axis] = slice(None, -1), slice(1, None)
        head, tail = tuple(head), tuple(tail)
        if _close(e[head], e[tail], rtol, atol):
            continue  # the expected values do not change along this axis: a shift cannot be seen
        if _close(a[tail], e[head], rtol, atol) or _close(a[head], e[tail], rtol, atol):
            return ("values shifted by one position (shape of the error)",
                    f"your values are the expected ones shifted by one position along axis {axis}: "
                    f"an off-by-one index, step count or window offset?")
    return None


def fail(message, actual=None, wrong=(), rtol=RTOL, atol=ATOL, expected=None):
    """Raise CheckFailed with ``message``, naming the known mistakes that ``actual`` matches;
    when it matches none and ``expected`` is given, what the shape of the error suggests."""
    __tracebackhide__ = True
    found = matching(actual, wrong, rtol, atol) if actual is not None else []
    message += "".join(f"\n  {entry.describe()}" for entry in found)
    names = [entry.name for entry in found]
    shape = error_shape(actual, expected, rtol, atol) if not found and expected is not None else None
    if shape is not None:
        message += f"\n  {shape[1]}"
        names.append(shape[0])
    raise CheckFailed(message, names)


def _preview(a, limit=6):
    flat = np.asarray(a, dtype=np.float64).ravel()
    text = np.array2string(flat[:limit], precision=6, separator=", ")
    return text if flat.size <= limit else text[:-1] + ", ...]"


def as_array(value, what):
    """The result as an ndarray (a Python or numpy number becomes a 0-d array)."""
    __tracebackhide__ = True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise CheckFailed(f"{what} should return a numpy array, but it returned {type(value).__name__}.")
    return value


def assert_shape(actual, shape, what, wrong=()):
    """Fail unless ``actual`` is an array of ``shape``; returns it as an array."""
    __tracebackhide__ = True
    actual = as_array(actual, what)
    if actual.shape != tuple(shape):
        fail(f"{what} returned shape {actual.shape}, expected {tuple(shape)}.", actual, wrong,
             expected=np.zeros(shape) if actual.ndim == 2 and actual.shape == tuple(shape)[::-1] else None)
    return actual


def assert_close(actual, expected, what, formula="", rtol=RTOL, atol=ATOL, wrong=()):
    """Fail unless |actual − expected| ≤ atol + rtol·|expected| elementwise, with the same shape.

    ``what`` names the function under test (``"Sigmoid.forward"``) and ``formula`` the rule
    it should follow (``"σ(x) = 1 / (1 + exp(-x))"``).
    """
    __tracebackhide__ = True
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
    fail("\n".join(lines), a, wrong, rtol, atol, expected)


def relative_error(a, b):
    """max |a − b| / max(|a| + |b|, 1e-8) over all entries (0 for empty arrays).

    Gradients that agree give about 1e-7 or less; above about 1e-3 something is wrong.
    """
    __tracebackhide__ = True
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a) + np.abs(b), SCALE_FLOOR)
    return float(np.max(np.abs(a - b) / scale)) if a.size else 0.0


def assert_gradient_close(analytic, numeric, what, tol=GRADIENT_TOL, wrong=()):
    """Fail unless an analytic gradient matches a centred-difference one: relative_error ≤ tol."""
    __tracebackhide__ = True
    numeric = np.asarray(numeric, dtype=np.float64)
    analytic = assert_shape(analytic, numeric.shape, what, wrong).astype(np.float64)
    relative = relative_error(analytic, numeric)
    if relative <= tol:
        return
    fail(f"{what} disagrees with the centred-difference gradient (f(x + h) − f(x − h)) / 2h.\n"
         f"  numeric:  {_preview(numeric)}\n  analytic: {_preview(analytic)}\n"
         f"  (checked: relative error max|a − n| / max(|a| + |n|, {SCALE_FLOOR:g}) = {relative:.3g} "
         f"≤ {tol:g})", analytic, wrong, tol, SCALE_FLOOR, numeric)


def centred_difference(plus, minus, h, shape):
    """(f(x + h·e_i) − f(x − h·e_i)) / 2h for every entry i, from the values f took at x ± h·e_i.

    The error is of order h² (a one-sided difference has error of order h). Use float64: in
    float32 the rounding error of f swamps the h² term.
    """
    __tracebackhide__ = True
    plus = np.asarray(plus, dtype=np.float64)
    minus = np.asarray(minus, dtype=np.float64)
    return ((plus - minus) / (2 * h)).reshape(shape)


def _nudged_values(f, x, h):
    """f() with each entry of ``x`` nudged in place to x[i] + h, then x[i] − h; x is restored."""
    __tracebackhide__ = True
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
    __tracebackhide__ = True
    plus, minus = _nudged_values(lambda: float(f()), x, h)
    return centred_difference(plus, minus, h, x.shape)


def numerical_gradient_array(f, x, dout, h=H):
    """Gradient of Σ f(x)·dout with respect to x, for an array-valued ``f``.

    This is what ``backward(dout)`` must return: the chain rule with an upstream gradient
    ``dout`` shaped like the output of f. f and x are as for ``numerical_gradient``.
    """
    __tracebackhide__ = True
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda: np.sum(np.asarray(f(), dtype=np.float64) * dout), x, h)
