"""How the optimizer tests run a student's optimizer: multi-step trajectories against the
reference (reference.py) with the known wrong variants and an off-by-one step count alongside,
the defaults the docstrings state, and x left as it was."""
import copy

import numpy as np

from autograder.suites.checks import ATOL, CheckFailed, Wrong, as_array, assert_close, error_shape

from .reference import MISTAKES, Reference, misconception

MODULES = {"SGD": "sgd", "Momentum": "momentum", "Nesterov": "nesterov",
           "Adagrad": "adagrad", "RMSProp": "rmsprop", "Adam": "adam"}
FORMULAS = {
    "SGD": "x ← x − α·g(x)",
    "Momentum": "v ← ρ·v − α·g(x);  x ← x + v",
    "Nesterov": "v ← ρ·v − α·g(x + ρ·v);  x ← x + v",
    "Adagrad": "G ← G + g²;  x ← x − α·g / √(G + ε)   (ε inside the root)",
    "RMSProp": "E ← γ·E + (1 − γ)·g²;  x ← x − α·g / √(E + ε)   (ε inside the root)",
    "Adam": "t ← t + 1; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; "
            "x ← x − α·m̂ / (√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)",
}


def problem(rng):
    """A random well-conditioned quadratic g(x) = A x + b (eigenvalues of A in [0.5, 3]) and x0."""
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    A = q @ np.diag(rng.uniform(0.5, 3.0, 3)) @ q.T
    return (A + A.T) / 2, rng.standard_normal(3) * 0.3, rng.uniform(-2, 2, 3)


# gradients of about 1e-4: g² is near the default ε = 1e-8, so a wrong default ε shows
TINY_A = np.eye(3) * 1e-4


def rosenbrock_start(rng):
    return np.array([-1.0, 1.5]) + rng.uniform(-0.1, 0.1, 2)


STATE_NAMES = {"Momentum": ["v"], "Nesterov": ["v"], "Adagrad": ["G"], "RMSProp": ["E"], "Adam": ["m", "v", "t"]}


DEFAULTS = {"SGD": {"lr": 0.01}, "Momentum": {"lr": 0.01, "rho": 0.9}, "Nesterov": {"lr": 0.01, "rho": 0.9},
            "Adagrad": {"lr": 0.01, "eps": 1e-8}, "RMSProp": {"lr": 0.01, "gamma": 0.9, "eps": 1e-8},
            "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}


def wrong_steps(kind, x, spec, **hyper):
    """One step of each known wrong variant of ``kind`` from a fresh state."""
    return [Wrong(misconception(key), Reference(kind, mistake=key, **hyper).step(x, spec))
            for key in MISTAKES.get(kind, [])]


def trajectory_plan(kind, label, steps, weight=3):
    """The checks ``trajectory`` runs and their weights: the points, then each state at the end."""
    return {f"{kind} {label}: {steps} steps": weight} | {f"{kind} {label}: state {name}": 1
                                                         for name in STATE_NAMES.get(kind, [])}


def trajectory(student, cases, kind, hyper, x0, spec, steps, label, state=None, rtol=1e-9):
    """Run the student's optimizer for ``steps`` steps from x0 (and an optional preset state),
    comparing every new point, and the state at the end, with the reference; the known wrong
    variants run alongside on the same points, and so does an off-by-one step count (x returned
    unchanged, or two updates in one step)."""
    reference = Reference(kind, **hyper)
    variants = [Reference(kind, mistake=key, **hyper) for key in MISTAKES.get(kind, [])]
    opt = student.new(MODULES[kind], kind, **hyper)
    for name, value in (state or {}).items():
        opt.set(name, value)
        for ref in [reference] + variants:
            ref.state[name] = value
    x = np.array(x0, dtype=float)
    with cases.check(f"{kind} {label}: {steps} steps"):
        for k in range(1, steps + 1):
            twice = copy.deepcopy(reference)
            two_updates = twice.step(twice.step(x, spec), spec)
            expected = reference.step(x, spec)
            wrong = [Wrong(misconception(ref.mistake), ref.step(x, spec)) for ref in variants]
            wrong += [Wrong("step_count_off_by_one", x.copy()), Wrong("step_count_off_by_one", two_updates)]
            got = as_array(opt.call("step", x, spec), f"{kind}.step")
            assert_step(got, expected, x, f"{kind}.step (step {k} of {label}, {hyper})", FORMULAS[kind], rtol, wrong)
            x = expected
    for name in STATE_NAMES.get(kind, []):
        with cases.check(f"{kind} {label}: state {name}"):
            value = opt.get(name)
            assert_close(value, reference.state[name], f"{kind}.{name} after {steps} steps of {label}",
                         FORMULAS[kind], rtol=rtol,
                         wrong=[Wrong(misconception(ref.mistake), ref.state[name]) for ref in variants])
    return opt, reference


def assert_step(got, expected, x, what, formula, rtol, wrong):
    """assert_close on the new point; when no known variant matches, the shape of the error is
    read from the step x_new − x (a step 2× too long is a factor 2 on the step, not on the point)."""
    try:
        assert_close(got, expected, what, formula, rtol=rtol, wrong=wrong)
    except CheckFailed as failed:
        if any(not name.endswith("(shape of the error)") for name in failed.misconceptions):
            raise
        shape = error_shape(got - x, expected - x, rtol, ATOL) if got.shape == x.shape else None
        if shape is None:
            raise
        text = str(failed).split("\n  your values are")[0]
        raise CheckFailed(f"{text}\n  {shape[1].replace('your values are', 'your step x_new − x is', 1)}",
                          [shape[0]]) from None


def check_defaults(student, kind, x, spec, state=None):
    """``kind()`` with no arguments steps as the docstring's defaults say (from a preset state)."""
    hyper = DEFAULTS[kind]
    reference = Reference(kind, **hyper)
    opt = student.new(MODULES[kind], kind)
    for name, value in (state or {}).items():
        opt.set(name, value)
        reference.state[name] = value
    for k in range(2):
        expected = reference.step(x, spec)
        assert_close(opt.call("step", x, spec), expected, f"{kind}().step (step {k + 1}, the defaults)",
                     f"{FORMULAS[kind]} with the defaults " + ", ".join(f"{n} = {v:g}" for n, v in hyper.items()),
                     rtol=1e-9)
        x = expected


def check_x_left_alone(student, kind, x, spec):
    """step(x, grad_fn) returns a new array and leaves x as it was ("do not modify it"): x is kept
    in the worker (the point a first step returned) and looked at after a second step."""
    opt = student.new(MODULES[kind], kind, **DEFAULTS[kind])
    point = opt.keep("step", x, spec)
    before = as_array(point.get(), f"{kind}.step")
    opt.call("step", point, spec)
    after = as_array(point.get(), f"{kind}.step")
    assert np.array_equal(after, before), (
        f"{kind}.step(x, grad_fn) changed x in place: x was {before.tolist()} before the step and "
        f"{after.tolist()} after it. The docstring says \"do not modify it\": compute the new point as a new "
        f"array (x - ..., not x -= ...).")
