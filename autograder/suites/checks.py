"""The hidden suites' checks: the course's one checks library plus what only the grader needs.

The assertions, tolerances, relative error and centred differences are
``source/_common/checks.py``, the file the student bundles ship as ``tests/checks.py``;
``suites/checks_common.py`` is its generated copy (``python -m coursebuild student`` writes
it, tests/test_generated_versions.py keeps it equal). Import them from here.

``wrong=[Wrong(key, prediction), ...]`` (misconceptions.py): when a check fails, the answer
is compared with each known wrong variant's prediction; a match is named in the message and
carried on the error (``CheckFailed.misconceptions``) for ``extra_data.misconceptions``.

Centred differences alone can be fooled: the worker runs student code, and a forward that
recognises the probes (x ± h·e_i, or the worker's ``map``/``probe`` requests on its stack)
can return values whose differences equal a wrong backward. So every gradient check here
also compares the analytic gradient with the grader's reference gradient on the same random
inputs (``assert_gradient_matches``).
"""
import numpy as np

from .checks_common import (ATOL, GRADIENT_TOL, H, RTOL, SCALE_FLOOR, CheckFailed,  # noqa: F401
                            _preview, as_array, assert_close, assert_gradient_close, assert_shape,
                            centred_difference, error_shape, fail, matching, numerical_gradient,
                            numerical_gradient_array, relative_error)
from .misconceptions import Wrong  # noqa: F401 (the suites import it from here)


def as_float(value, what):
    """The student's result as a Python float (accepts a float or a one-element array)."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.reshape(()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise CheckFailed(f"{what} should return a number, but it returned {type(value).__name__}.")


def perturbations(x, h=H):
    """x + h·e_i and x − h·e_i stacked for every entry i, for one batched remote call whose
    values ``centred_difference`` turns into a gradient."""
    x = np.asarray(x, dtype=np.float64)
    eye = np.eye(x.size).reshape((x.size,) + x.shape) * h
    return x + eye, x - eye


def remote_centred_difference(evaluate, x, dout, label, h=H):
    """Centred differences of L = Σ forward(·)·dout over every entry i of x, in one round trip:
    ``evaluate(points)`` returns forward's output at each x ± h·e_i (``handle.map``/``probe``)."""
    plus, minus = perturbations(x, h)
    outs = evaluate(list(plus) + list(minus))
    values = [float(np.sum(as_array(o, label) * dout)) for o in outs]
    return centred_difference(values[: x.size], values[x.size:], h, x.shape)


def numeric_input_gradient(handle, x, dout, label, h=H):
    """dL/dx of L = Σ handle.forward(x)·dout by centred differences (one ``map`` round trip)."""
    return remote_centred_difference(lambda points: handle.map("forward", [[p] for p in points]),
                                     x, dout, label, h)


def numeric_param_gradient(handle, path, value, dout, x, label, h=H):
    """dL/dθ of L = Σ handle.forward(x)·dout for the parameter array θ = ``value`` at ``path``,
    by centred differences (one ``probe`` round trip)."""
    return remote_centred_difference(lambda points: handle.probe(path, points, "forward", x),
                                     value, dout, label, h)


def assert_gradient_matches(analytic, numeric, reference, what, tol=GRADIENT_TOL, wrong=()):
    """The analytic gradient agrees with the centred differences of the student's own forward
    *and* with the grader's reference gradient on the same inputs (relative error ≤ tol each)."""
    assert_gradient_close(analytic, numeric, what, tol, wrong)
    reference = np.asarray(reference, dtype=np.float64)
    analytic = assert_shape(analytic, reference.shape, what, wrong).astype(np.float64)
    relative = relative_error(analytic, reference)
    if relative > tol:
        fail(f"{what} agrees with the centred differences of your forward but not with the correct gradient "
             f"at the same inputs.\n  correct:  {_preview(reference)}\n  analytic: {_preview(analytic)}\n"
             f"  (checked: relative error {relative:.3g} ≤ {tol:g}; your forward, evaluated at the probe points "
             f"x ± h·e_i, does not behave as it does elsewhere)", analytic, wrong, tol, SCALE_FLOOR, reference)
