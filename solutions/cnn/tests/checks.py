"""Assertions for the public tests that explain themselves.

A failed check says which function was tested, which formula it should follow,
and shows the expected and the actual values side by side, so that the message
alone tells a student where to look.
"""
import numpy as np


def _preview(a, limit=6):
    flat = np.asarray(a).ravel()
    text = np.array2string(flat[:limit], precision=6, separator=", ")
    return text if flat.size <= limit else text[:-1] + ", ...]"


def assert_shape(actual, expected_shape, what):
    """Fail unless ``actual`` is an array of ``expected_shape``."""
    if not isinstance(actual, np.ndarray):
        raise AssertionError(
            f"{what} should return a numpy array of shape {tuple(expected_shape)}, "
            f"but it returned {type(actual).__name__}."
        )
    if actual.shape != tuple(expected_shape):
        raise AssertionError(
            f"{what} returned shape {actual.shape}, expected {tuple(expected_shape)}."
        )


def assert_close(actual, expected, what, formula="", rtol=1e-6, atol=1e-8):
    """Fail unless ``actual`` matches ``expected`` elementwise.

    ``what`` names the function under test (``"Sigmoid.forward"``) and
    ``formula`` the rule it should follow (``"σ(x) = 1 / (1 + exp(-x))"``).
    """
    expected = np.asarray(expected)
    if np.isscalar(actual) or isinstance(actual, (float, int)):
        actual = np.asarray(actual)
    assert_shape(actual, expected.shape, what)
    if np.allclose(actual, expected, rtol=rtol, atol=atol):
        return
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error)), error.shape)
    lines = [f"{what} gives wrong values."]
    if formula:
        lines.append(f"  formula:  {formula}")
    lines += [
        f"  expected: {_preview(expected)}",
        f"  actual:   {_preview(actual)}",
        f"  largest difference {error[worst]:.3g} at index {tuple(int(i) for i in worst)}: "
        f"expected {expected[worst]!r}, got {actual[worst]!r}",
    ]
    raise AssertionError("\n".join(lines))


def assert_gradient_close(analytic, numeric, what, tol=1e-6):
    """Fail unless an analytic gradient matches a centred-difference one.

    The comparison uses the relative error
    ``max |a - n| / max(|a| + |n|, 1e-12)`` over all entries.
    """
    numeric = np.asarray(numeric)
    assert_shape(analytic, numeric.shape, what)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    relative = np.max(np.abs(analytic - numeric) / scale) if numeric.size else 0.0
    if relative <= tol:
        return
    raise AssertionError(
        f"{what} disagrees with the centred-difference gradient "
        f"(f(x+h) - f(x-h)) / 2h: relative error {relative:.3g} > {tol:g}.\n"
        f"  numeric:  {_preview(numeric)}\n"
        f"  analytic: {_preview(analytic)}"
    )
