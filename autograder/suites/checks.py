"""Assertions for the hidden suites: every failure names the function, the formula and
the expected versus actual values, so the message alone tells the student what to fix.

``wrong=[Wrong(key, prediction), ...]`` (misconceptions.py): when a check fails, the answer
is compared with each known wrong variant's prediction; a match is named in the message and
carried on the error (``CheckFailed.misconceptions``) for ``extra_data.misconceptions``.
"""
import numpy as np

from .misconceptions import Wrong  # noqa: F401 (the suites import it from here)


class CheckFailed(AssertionError):
    """A failed check; ``misconceptions`` holds the names of the wrong variants it matches."""

    def __init__(self, message, misconceptions=()):
        super().__init__(message)
        self.misconceptions = list(misconceptions)


def matching(actual, wrong, rtol, atol):
    """The Wrong entries whose prediction the answer matches (same shape, same tolerance)."""
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


def fail(message, actual=None, wrong=(), rtol=1e-6, atol=1e-8):
    """Raise CheckFailed with ``message``, naming the wrong variants that ``actual`` matches."""
    found = matching(actual, wrong, rtol, atol) if actual is not None else []
    if found:
        message += "".join(f"\n  {entry.describe()}" for entry in found)
    raise CheckFailed(message, [entry.name for entry in found])


def _preview(a, limit=6):
    flat = np.asarray(a, dtype=np.float64).ravel()
    text = np.array2string(flat[:limit], precision=6, separator=", ")
    return text if flat.size <= limit else text[:-1] + ", ...]"


def as_array(value, what):
    """The student's result as an ndarray (a float or int becomes a 0-d array)."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} should return a numpy array, but it returned "
                             f"{type(value).__name__}.")
    return value


def as_float(value, what):
    """The student's result as a Python float (accepts a float or a one-element array)."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.reshape(()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise AssertionError(f"{what} should return a number, but it returned {type(value).__name__}.")


def assert_shape(actual, shape, what, wrong=()):
    actual = as_array(actual, what)
    if actual.shape != tuple(shape):
        fail(f"{what} returned shape {actual.shape}, expected {tuple(shape)}.", actual, wrong)
    return actual


def assert_close(actual, expected, what, formula="", rtol=1e-6, atol=1e-8, wrong=()):
    """|actual − expected| ≤ atol + rtol·|expected| elementwise (numpy.allclose), same shape."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = assert_shape(actual, expected.shape, what, wrong)
    if actual.dtype.kind not in "fiub":
        raise AssertionError(f"{what} returned an array of dtype {actual.dtype}.")
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


def assert_gradient_close(analytic, numeric, what, tol=1e-5, wrong=()):
    """Relative error max|a - n| / max(|a| + |n|, 1e-8) must be at most ``tol``."""
    numeric = np.asarray(numeric, dtype=np.float64)
    analytic = assert_shape(analytic, numeric.shape, what, wrong).astype(np.float64)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    relative = float(np.max(np.abs(analytic - numeric) / scale)) if numeric.size else 0.0
    if relative <= tol:
        return
    fail(f"{what} disagrees with the centred-difference gradient (f(x+h) - f(x-h)) / 2h "
         f"computed by the grader: relative error {relative:.3g} > {tol:g}.\n"
         f"  numeric:  {_preview(numeric)}\n  analytic: {_preview(analytic)}", analytic, wrong, tol, 1e-8)


def perturbations(x, h):
    """Stacks x + h·e_i and x - h·e_i for every element i (for one batched remote call)."""
    x = np.asarray(x, dtype=np.float64)
    eye = np.eye(x.size).reshape((x.size,) + x.shape) * h
    return x + eye, x - eye


def centred_difference(plus_values, minus_values, h, shape):
    """(f(x + h e_i) - f(x - h e_i)) / 2h for scalar values given per element i."""
    plus = np.asarray(plus_values, dtype=np.float64)
    minus = np.asarray(minus_values, dtype=np.float64)
    return ((plus - minus) / (2 * h)).reshape(shape)
