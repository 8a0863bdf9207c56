"""The hidden suites' checks: the course's one checks library plus what only the grader needs.

The assertions, tolerances, relative error and centred differences are
``source/_common/checks.py``, the file the student bundles ship as ``tests/checks.py``;
``suites/checks_common.py`` is its generated copy (``python -m coursebuild student`` writes
it, tests/test_generated_versions.py keeps it equal). Import them from here.

``wrong=[Wrong(key, prediction), ...]`` (misconceptions.py): when a check fails, the answer
is compared with each known wrong variant's prediction; a match is named in the message and
carried on the error (``CheckFailed.misconceptions``) for ``extra_data.misconceptions``.
"""
import numpy as np

from .checks_common import (ATOL, GRADIENT_TOL, H, RTOL, SCALE_FLOOR, CheckFailed,  # noqa: F401
                            as_array, assert_close, assert_gradient_close, assert_shape,
                            centred_difference, fail, matching, numerical_gradient,
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
