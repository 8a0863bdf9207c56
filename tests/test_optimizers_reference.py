"""The solution optimizers (solutions/optimizers) against the lecture's formulas.

Three kinds of evidence:

1. Every optimizer, over 25 steps on a non-quadratic gradient, matches an independent
   transcription of its formula written below (float64, relative error ≤ 1e-12), from
   the zero state and from a non-zero state set before the first step, with ordinary
   gradients (~1) and tiny ones (~1e-4, where ε = 1e-8 is not negligible).
2. Where a formula equals a ``torch.optim`` rule, the trajectories agree with torch:
   SGD, Adam, momentum (v = −α·b), Nesterov (torch's parameters are the lecture's
   look-ahead point x + ρ·v), and Adagrad / RMSProp with ε = 0 (torch puts ε outside
   the root, so only ε = 0 makes them equal).
3. The check of (1) is sharp: plausible wrong variants (ε on the wrong side of the root,
   Adam without bias correction or counting t after use, Nesterov without look-ahead,
   a preset state overwritten by zeros) fail it by far more than 1e-12.
"""
import inspect

import numpy as np
import pytest
import torch

from autograder.suites.checks import numerical_gradient

RTOL = 1e-12
STEPS = 25
N = 6

_rng = np.random.default_rng(2024)
_B = _rng.standard_normal((N, N))
A = _B @ _B.T / N + 0.5 * np.eye(N)          # symmetric positive definite coupling
X0 = _rng.standard_normal(N)


def grad(x):
    """∇f for f(x) = ½xᵀAx − cos(3x)/3 + x⁴/40 (summed): not quadratic, so look-ahead matters."""
    return A @ x + np.sin(3 * x) + 0.1 * x**3


def tiny_grad(x):
    """The same gradient scaled to ~1e-4, where ε = 1e-8 changes the step by O(1)."""
    return 1e-4 * grad(x)


# --- independent transcriptions of the lecture's formulas ---------------------------------
# Each maps (x, state, grad_fn, **hyper-parameters) to (new x, new state).

def ref_sgd(x, s, g, lr):
    return x - lr * g(x), {}


def ref_momentum(x, s, g, lr, rho, lookahead=False):
    v = s["v"]
    v = rho * v - lr * (g(x + rho * v) if lookahead else g(x))
    return x + v, {"v": v}


def ref_nesterov(x, s, g, lr, rho):
    return ref_momentum(x, s, g, lr, rho, lookahead=True)


def _scaled(gx, acc, lr, eps, eps_inside):
    return lr * gx / (np.sqrt(acc + eps) if eps_inside else np.sqrt(acc) + eps)


def ref_adagrad(x, s, g, lr, eps, eps_inside=True):
    gx = g(x)
    G = s["G"] + gx * gx
    return x - _scaled(gx, G, lr, eps, eps_inside), {"G": G}


def ref_rmsprop(x, s, g, lr, gamma, eps, eps_inside=True):
    gx = g(x)
    E = gamma * s["E"] + (1 - gamma) * gx * gx
    return x - _scaled(gx, E, lr, eps, eps_inside), {"E": E}


def ref_adam(x, s, g, lr, beta1, beta2, eps, eps_inside=False, bias_correction=True, t_first=True):
    gx = g(x)
    t = s["t"] + 1
    m = beta1 * s["m"] + (1 - beta1) * gx
    v = beta2 * s["v"] + (1 - beta2) * gx * gx
    t_used = t if t_first else s["t"]
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m / (1 - beta1**t_used) if bias_correction else m
        v_hat = v / (1 - beta2**t_used) if bias_correction else v
        return x - _scaled(m_hat, v_hat, lr, eps, eps_inside), {"m": m, "v": v, "t": t}


# --- what each optimizer is checked with ----------------------------------------------------

SPEC = {   # module, class, transcription, hyper-parameters (not the defaults), state names
    "sgd": ("SGD", ref_sgd, dict(lr=0.05), ()),
    "momentum": ("Momentum", ref_momentum, dict(lr=0.03, rho=0.8), ("v",)),
    "nesterov": ("Nesterov", ref_nesterov, dict(lr=0.03, rho=0.8), ("v",)),
    "adagrad": ("Adagrad", ref_adagrad, dict(lr=0.2, eps=1e-8), ("G",)),
    "rmsprop": ("RMSProp", ref_rmsprop, dict(lr=0.02, gamma=0.8, eps=1e-8), ("E",)),
    "adam": ("Adam", ref_adam, dict(lr=0.02, beta1=0.85, beta2=0.99, eps=1e-8), ("m", "v", "t")),
}
MODULES = tuple(SPEC)


def _warm_state(name, scale):
    """A non-zero state to set before the first step; ``scale`` is the gradient's size."""
    rng = np.random.default_rng(7)
    warm = {
        "v": 0.3 * scale * rng.standard_normal(N),              # momentum / nesterov velocity
        "G": scale**2 * rng.uniform(0.5, 3.0, N),
        "E": scale**2 * rng.uniform(0.5, 3.0, N),
    }
    if name == "adam":
        return {"m": 0.5 * scale * rng.standard_normal(N), "v": scale**2 * rng.uniform(0.5, 3.0, N), "t": 7}
    return {key: warm[key] for key in SPEC[name][3]}


def scenarios(name):
    """(label, grad_fn, state set before the first step or None for the fresh default)."""
    return [("fresh", grad, None),
            ("warm", grad, _warm_state(name, 1.0)),
            ("tiny-gradient fresh", tiny_grad, None),
            ("tiny-gradient warm", tiny_grad, _warm_state(name, 1e-4))]


def _zero_state(names, x):
    return {n: (0 if n == "t" else np.zeros_like(x)) for n in names}


def relative_error(actual, expected):
    """‖actual − expected‖∞ / ‖expected‖∞, infinite for NaN, inf or a wrong shape: a whole
    trajectory against torch's at RTOL (not checks.relative_error, which is per entry)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape or not np.all(np.isfinite(actual)):
        return np.inf
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


def formula_errors(make, name):
    """Run ``make(**hyper-parameters)`` for STEPS steps in every scenario beside the
    transcription; return {scenario: worst relative error over x and every state array}."""
    _, reference, hp, names = SPEC[name]
    errors = {}
    for label, grad_fn, state in scenarios(name):
        opt = make(**hp)
        for key, value in (state or {}).items():
            setattr(opt, key, np.copy(value) if key != "t" else value)
        x, x_ref = X0.copy(), X0.copy()
        s_ref = {k: np.copy(v) for k, v in state.items()} if state else _zero_state(names, X0)
        worst = 0.0
        for _ in range(STEPS):
            x = opt.step(x, grad_fn)
            x_ref, s_ref = reference(x_ref, s_ref, grad_fn, **hp)
            worst = max(worst, relative_error(x, x_ref),
                        *(relative_error(getattr(opt, key), s_ref[key]) for key in names))
        errors[label] = worst
    return errors


def check_formula(make, name):
    """Fail unless ``make`` follows the transcription of ``name`` to RTOL in every scenario."""
    errors = formula_errors(make, name)
    bad = {label: err for label, err in errors.items() if not err <= RTOL}
    assert not bad, (f"{name} departs from its formula over {STEPS} steps "
                     f"(relative error, tolerance {RTOL:g}): {bad}")


@pytest.mark.parametrize("name", MODULES)
def test_solution_matches_its_formula(solution, name):
    cls = getattr(solution("optimizers", name), SPEC[name][0])
    check_formula(cls, name)


def test_defaults_are_the_lecture_ones(solution):
    sgd, momentum, nesterov, adagrad, rmsprop, adam = solution("optimizers", *MODULES)
    expected = {sgd.SGD: dict(lr=0.01),
                momentum.Momentum: dict(lr=0.01, rho=0.9),
                nesterov.Nesterov: dict(lr=0.01, rho=0.9),
                adagrad.Adagrad: dict(lr=0.01, eps=1e-8),
                rmsprop.RMSProp: dict(lr=0.01, gamma=0.9, eps=1e-8),
                adam.Adam: dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)}
    for cls, defaults in expected.items():
        params = inspect.signature(cls).parameters
        assert {k: p.default for k, p in params.items()} == defaults, cls.__name__
    fresh = adam.Adam()
    assert (fresh.m, fresh.v, fresh.t) == (None, None, 0)
    assert momentum.Momentum().v is None and nesterov.Nesterov().v is None
    assert adagrad.Adagrad().G is None and rmsprop.RMSProp().E is None


def test_step_returns_a_new_array_and_leaves_x_alone(solution):
    for name in MODULES:
        opt = getattr(solution("optimizers", name), SPEC[name][0])()
        x = X0.copy()
        x_new = opt.step(x, grad)
        assert x_new is not x and np.array_equal(x, X0), name


# --- the check above rejects the wrong variants -----------------------------------------------

class Transcribed:
    """An optimizer object driven by a transcription (right or deliberately wrong)."""

    def __init__(self, rule, names, **hp):
        self.rule, self.names, self.hp = rule, names, hp
        for key in names:
            setattr(self, key, 0 if key == "t" else None)

    def step(self, x, grad_fn):
        fresh = _zero_state(self.names, x)
        state = {k: (fresh[k] if getattr(self, k) is None else getattr(self, k)) for k in self.names}
        x, state = self.rule(x, state, grad_fn, **self.hp)
        for key, value in state.items():
            setattr(self, key, value)
        return x


class IgnoresPresetState(Transcribed):
    """Right formula, but the state is reset to zeros on the first step."""

    def step(self, x, grad_fn):
        if not getattr(self, "_started", False):
            self._started = True
            for key in self.names:
                setattr(self, key, None)      # Transcribed.step then starts from zeros (t = 0)
        return super().step(x, grad_fn)


def _variant(name, cls=Transcribed, **wrong):
    rule, names = SPEC[name][1], SPEC[name][3]
    return lambda **hp: cls(lambda *a, **k: rule(*a, **k, **wrong), names, **hp)


WRONG_VARIANTS = {   # id: (module it imitates, maker, the scenario where it must fail badly)
    "adagrad eps outside the root": ("adagrad", _variant("adagrad", eps_inside=False), "tiny-gradient fresh"),
    "rmsprop eps outside the root": ("rmsprop", _variant("rmsprop", eps_inside=False), "tiny-gradient fresh"),
    "adam eps inside the root": ("adam", _variant("adam", eps_inside=True), "tiny-gradient fresh"),
    "adam without bias correction": ("adam", _variant("adam", bias_correction=False), "fresh"),
    "adam t incremented after use": ("adam", _variant("adam", t_first=False), "warm"),
    "nesterov without look-ahead": ("nesterov", lambda **hp: Transcribed(ref_momentum, ("v",), **hp), "warm"),
    "momentum resets a preset v": ("momentum", _variant("momentum", cls=IgnoresPresetState), "warm"),
    "adagrad resets a preset G": ("adagrad", _variant("adagrad", cls=IgnoresPresetState), "warm"),
    "adam resets a preset state": ("adam", _variant("adam", cls=IgnoresPresetState), "warm"),
}


def test_the_transcriptions_pass_their_own_check():
    for name in MODULES:
        check_formula(_variant(name), name)


@pytest.mark.parametrize("variant", WRONG_VARIANTS)
def test_the_formula_check_rejects_a_wrong_variant(variant):
    name, make, scenario = WRONG_VARIANTS[variant]
    with pytest.raises(AssertionError):
        check_formula(make, name)
    error = formula_errors(make, name)[scenario]
    assert error > 1e-4, f"{variant}: only {error:.3g} away from the formula in '{scenario}'"


# --- torch.optim where the formulas coincide --------------------------------------------------

def _torch_run(make_torch_opt, grad_fn=grad):
    """Run a torch optimizer on our numpy gradient; return its path and its state."""
    p = torch.nn.Parameter(torch.tensor(X0, dtype=torch.float64))
    opt = make_torch_opt([p])
    path = []
    for _ in range(STEPS):
        p.grad = torch.from_numpy(grad_fn(p.detach().numpy().copy()))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path), opt.state[p]


def _our_run(opt, grad_fn=grad, record=lambda opt, x: x):
    x, path = X0.copy(), []
    for _ in range(STEPS):
        x = opt.step(x, grad_fn)
        path.append(record(opt, x))
    return np.array(path)


def test_sgd_equals_torch_sgd(solution):
    ours = _our_run(solution("optimizers", "sgd").SGD(lr=0.05))
    theirs, _ = _torch_run(lambda ps: torch.optim.SGD(ps, lr=0.05))
    assert relative_error(ours, theirs) <= RTOL


def test_momentum_equals_torch_sgd_with_momentum(solution):
    # torch: b ← μ·b + g;  x ← x − α·b.   With v = −α·b this is v ← ρ·v − α·g;  x ← x + v.
    opt = solution("optimizers", "momentum").Momentum(lr=0.03, rho=0.8)
    ours = _our_run(opt)
    theirs, state = _torch_run(lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.8))
    assert relative_error(ours, theirs) <= RTOL
    assert relative_error(opt.v, -0.03 * state["momentum_buffer"].numpy()) <= RTOL


def test_nesterov_look_ahead_point_equals_torch_nesterov(solution):
    # torch's Nesterov keeps φ = x + ρ·v (the look-ahead point) as its parameters:
    # φ ← φ − α·g(φ) + ρ·v_new, which follows from the lecture's rule with v₀ = 0.
    opt = solution("optimizers", "nesterov").Nesterov(lr=0.03, rho=0.8)
    ours = _our_run(opt, record=lambda o, x: x + o.rho * o.v)
    theirs, _ = _torch_run(lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.8, nesterov=True))
    assert relative_error(ours, theirs) <= RTOL


def test_adam_equals_torch_adam(solution):
    opt = solution("optimizers", "adam").Adam(lr=0.02, beta1=0.85, beta2=0.99, eps=1e-8)
    ours = _our_run(opt)
    theirs, state = _torch_run(lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.85, 0.99), eps=1e-8))
    assert relative_error(ours, theirs) <= RTOL
    assert relative_error(opt.m, state["exp_avg"].numpy()) <= RTOL
    assert relative_error(opt.v, state["exp_avg_sq"].numpy()) <= RTOL
    assert opt.t == int(state["step"]) == STEPS


def test_adam_equals_torch_adam_with_tiny_gradients(solution):
    # At g ~ 1e-4 with ε = 1e-8, where ε sits changes the step by ~1e-4 relative: torch and
    # the lecture both put it outside the root, so they must still agree to 1e-12.
    ours = _our_run(solution("optimizers", "adam").Adam(lr=1e-3), grad_fn=tiny_grad)
    theirs, _ = _torch_run(lambda ps: torch.optim.Adam(ps, lr=1e-3), grad_fn=tiny_grad)
    assert relative_error(ours, theirs) <= RTOL


def test_adagrad_with_eps_zero_equals_torch_adagrad(solution):
    opt = solution("optimizers", "adagrad").Adagrad(lr=0.2, eps=0.0)
    ours = _our_run(opt)
    theirs, state = _torch_run(lambda ps: torch.optim.Adagrad(ps, lr=0.2, eps=0.0))
    assert relative_error(ours, theirs) <= RTOL
    assert relative_error(opt.G, state["sum"].numpy()) <= RTOL


def test_rmsprop_with_eps_zero_equals_torch_rmsprop(solution):
    opt = solution("optimizers", "rmsprop").RMSProp(lr=0.02, gamma=0.8, eps=0.0)
    ours = _our_run(opt)
    theirs, state = _torch_run(lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.8, eps=0.0))
    assert relative_error(ours, theirs) <= RTOL
    assert relative_error(opt.E, state["square_avg"].numpy()) <= RTOL


# --- the given modules the notebook relies on -------------------------------------------------

def test_given_test_functions_have_the_right_gradients(solution):
    functions = solution("optimizers", "functions")
    for key, surface in functions.SURFACES.items():
        for point in (np.array(surface.start), np.array([0.3, -0.7])):
            analytic = surface.grad(point)
            numeric = numerical_gradient(lambda: surface.f(point), point)
            assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-6), key


def test_given_training_module_gives_the_exact_flat_gradient(solution):
    training, tiny_mlp, spirals = solution("optimizers", "training", "tiny_mlp", "spirals")
    X, y = spirals.make_spirals(points_per_class=5, seed=3)
    model = tiny_mlp.TinyMLP(sizes=(2, 4, 3), seed=1)
    flat = training.FlatModel(model)
    x = flat.get() + 0.1 * np.random.default_rng(0).standard_normal(flat.size)
    g = flat.grad_fn(X, y)(x)
    assert np.array_equal(flat.get(), x), "grad_fn must leave the model at the point it was asked about"

    def loss_at(p):
        flat.set(p)
        return model.loss(X, y)

    numeric = numerical_gradient(lambda: loss_at(x), x)
    assert np.max(np.abs(g - numeric)) <= 1e-7 * max(1.0, np.max(np.abs(numeric)))


def test_given_train_runs_the_optimizer_on_the_flat_vector(solution):
    training, tiny_mlp, spirals, sgd = solution("optimizers", "training", "tiny_mlp", "spirals", "sgd")
    X, y = spirals.make_spirals(points_per_class=10, seed=3)
    trained = tiny_mlp.TinyMLP(sizes=(2, 5, 3), seed=2)
    losses = training.train(trained, sgd.SGD(lr=0.5), X, y, steps=4, batch_size=len(X))
    by_hand = tiny_mlp.TinyMLP(sizes=(2, 5, 3), seed=2)
    flat = training.FlatModel(by_hand)
    x = flat.get()
    for _ in range(4):                                  # full batch: the batch order is irrelevant
        x = x - 0.5 * flat.grad_fn(X, y)(x)
    flat.set(x)
    assert np.allclose(training.flatten(trained.params), x, rtol=1e-12, atol=1e-14)
    assert losses.shape == (5,) and np.isclose(losses[-1], by_hand.loss(X, y), rtol=1e-12)
    assert losses[-1] < losses[0]
