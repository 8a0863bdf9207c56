"""Hidden tests: multi-step trajectories of every optimizer against the lecture's formulas.

The quadratic (A, b), the starting points and the preset states are drawn per submission
from the ``rng`` fixture. When a trajectory leaves the formula, the known wrong variants of
that optimizer (reference.MISTAKES) are run on the same points and a match is named
(steps.py runs them)."""
import numpy as np

from autograder.suites.checks import Wrong, as_array, assert_close

from .reference import Reference, cubic, quadratic, rosenbrock
from .steps import (FORMULAS, MODULES, STATE_NAMES, TINY_A, check_defaults, check_x_left_alone, problem,
                    rosenbrock_start, trajectory, trajectory_plan, wrong_steps)


def test_sgd(student, cases, rng):
    """SGD: x ← x − α·g(x), several steps; cross-checked with torch.optim.SGD; default lr; x left alone"""
    cases.plan(trajectory_plan("SGD", "quadratic", 5) | trajectory_plan("SGD", "cubic (2-D array x)", 4, 2)
               | {"SGD vs torch.optim.SGD": 2, "SGD default learning rate": 1, "SGD.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    trajectory(student, cases, "SGD", {"lr": 0.1}, X0, quadratic(A, B), 5, "quadratic")
    trajectory(student, cases, "SGD", {"lr": 0.02}, np.array([[0.5, -1.0], [2.0, 0.1]]),
               cubic(1.0, 0.5), 4, "cubic (2-D array x)")
    with cases.check("SGD vs torch.optim.SGD"):
        import torch

        p = torch.tensor(X0, requires_grad=True)
        torch_opt = torch.optim.SGD([p], lr=0.1)
        opt, x = student.new("sgd", "SGD", lr=0.1), X0.copy()
        for k in range(5):
            p.grad = torch.tensor(A @ p.detach().numpy() + B)
            torch_opt.step()
            x = as_array(opt.call("step", x, quadratic(A, B)), "SGD.step")
            assert_close(x, p.detach().numpy(), f"SGD.step (step {k + 1})", "torch.optim.SGD(lr=0.1)")
    with cases.check("SGD default learning rate"):
        got = student.new("sgd", "SGD").call("step", X0, quadratic(A, B))
        assert_close(got, X0 - 0.01 * (A @ X0 + B), "SGD().step", "default α = 0.01")
    with cases.check("SGD.step leaves x alone"):
        check_x_left_alone(student, "SGD", X0, quadratic(A, B))


def test_momentum(student, cases, rng):
    """Momentum: v ← ρv − αg(x); x ← x + v, from zero and from a preset velocity; torch.optim.SGD(momentum)"""
    cases.plan(trajectory_plan("Momentum", "quadratic", 6) | trajectory_plan("Momentum", "a preset velocity", 4)
               | {"Momentum vs torch.optim.SGD(momentum) (v = −α·buffer)": 2, "Momentum defaults (lr 0.01, rho 0.9)": 1,
                  "Momentum.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    trajectory(student, cases, "Momentum", {"lr": 0.05, "rho": 0.9}, X0, quadratic(A, B), 6, "quadratic")
    trajectory(student, cases, "Momentum", {"lr": 0.1, "rho": 0.5}, X0, quadratic(A, B), 4,
               "a preset velocity", state={"v": rng.uniform(-0.3, 0.3, 3)})
    with cases.check("Momentum vs torch.optim.SGD(momentum) (v = −α·buffer)"):
        import torch

        p = torch.tensor(X0, requires_grad=True)
        torch_opt = torch.optim.SGD([p], lr=0.05, momentum=0.9)
        opt, x = student.new("momentum", "Momentum", lr=0.05, rho=0.9), X0.copy()
        for k in range(6):
            p.grad = torch.tensor(A @ p.detach().numpy() + B)
            torch_opt.step()
            x = as_array(opt.call("step", x, quadratic(A, B)), "Momentum.step")
            assert_close(x, p.detach().numpy(), f"Momentum.step (step {k + 1})", "torch.optim.SGD(momentum=0.9)")
    with cases.check("Momentum defaults (lr 0.01, rho 0.9)"):
        opt = student.new("momentum", "Momentum")
        opt.set("v", np.ones(3))
        got = opt.call("step", X0, quadratic(A, B))
        assert_close(got, X0 + 0.9 - 0.01 * (A @ X0 + B), "Momentum().step", "defaults α = 0.01, ρ = 0.9")
    with cases.check("Momentum.step leaves x alone"):
        check_x_left_alone(student, "Momentum", X0, quadratic(A, B))


def test_nesterov(student, cases, rng):
    """Nesterov: the gradient is taken at the look-ahead point x + ρv"""
    cases.plan(trajectory_plan("Nesterov", "quadratic", 6)
               | trajectory_plan("Nesterov", "Rosenbrock with a preset velocity", 5)
               | {"Nesterov calls grad_fn at the look-ahead point": 3, "Nesterov defaults (lr 0.01, rho 0.9)": 1,
                  "Nesterov.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    trajectory(student, cases, "Nesterov", {"lr": 0.05, "rho": 0.9}, X0, quadratic(A, B), 6, "quadratic")
    trajectory(student, cases, "Nesterov", {"lr": 0.001, "rho": 0.8}, rosenbrock_start(rng),
               rosenbrock(), 5, "Rosenbrock with a preset velocity", state={"v": rng.uniform(-0.05, 0.05, 2)})
    with cases.check("Nesterov calls grad_fn at the look-ahead point"):
        opt = student.new("nesterov", "Nesterov", lr=0.1, rho=0.9)
        v = rng.uniform(-0.5, 0.5, 3)
        opt.set("v", v)
        got = opt.call("step", X0, quadratic(A, B))
        calls = student.last_grad_calls[0] if student.last_grad_calls else []
        assert len(calls) == 1, f"Nesterov.step should call grad_fn exactly once per step, it called it {len(calls)} times."
        assert_close(calls[0], X0 + 0.9 * v, "the point Nesterov.step passes to grad_fn",
                     "look-ahead point x + ρ·v (with the old v)", wrong=[Wrong("nesterov_no_lookahead", X0)])
        reference = Reference("Nesterov", lr=0.1, rho=0.9)
        reference.state["v"] = v
        assert_close(got, reference.step(X0, quadratic(A, B)), "Nesterov.step (one step from a preset v)",
                     FORMULAS["Nesterov"])  # the look-ahead gradient is the one it uses
    with cases.check("Nesterov defaults (lr 0.01, rho 0.9)"):
        check_defaults(student, "Nesterov", X0, quadratic(A, B), state={"v": rng.uniform(-0.5, 0.5, 3)})
    with cases.check("Nesterov.step leaves x alone"):
        check_x_left_alone(student, "Nesterov", X0, quadratic(A, B))


def test_adagrad(student, cases, rng):
    """Adagrad: G ← G + g², x ← x − αg/√(G + ε), ε inside the root, preset G"""
    cases.plan(trajectory_plan("Adagrad", "quadratic", 6) | trajectory_plan("Adagrad", "a preset G", 3)
               | {"Adagrad: ε sits inside the square root": 2, "Adagrad defaults (lr 0.01, eps 1e-8)": 1,
                  "Adagrad.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    trajectory(student, cases, "Adagrad", {"lr": 0.1, "eps": 1e-8}, X0, quadratic(A, B), 6, "quadratic")
    trajectory(student, cases, "Adagrad", {"lr": 0.5, "eps": 1e-8}, X0, quadratic(A, B), 3,
               "a preset G", state={"G": rng.uniform(0.5, 4.0, 3)})
    with cases.check("Adagrad: ε sits inside the square root"):
        tiny = quadratic(np.eye(3) * 1e-3, np.zeros(3))
        reference = Reference("Adagrad", lr=0.1, eps=0.01)
        wrong = wrong_steps("Adagrad", X0, tiny, lr=0.1, eps=0.01)
        opt = student.new("adagrad", "Adagrad", lr=0.1, eps=0.01)
        got = opt.call("step", X0, tiny)
        assert_close(got, reference.step(X0, tiny), "Adagrad.step with ε = 0.01 and tiny gradients",
                     FORMULAS["Adagrad"], rtol=1e-9, wrong=wrong)
    with cases.check("Adagrad defaults (lr 0.01, eps 1e-8)"):
        check_defaults(student, "Adagrad", X0, quadratic(TINY_A, np.zeros(3)))
    with cases.check("Adagrad.step leaves x alone"):
        check_x_left_alone(student, "Adagrad", X0, quadratic(A, B))


def test_rmsprop(student, cases, rng):
    """RMSProp: E ← γE + (1 − γ)g², x ← x − αg/√(E + ε), ε inside the root, preset E"""
    cases.plan(trajectory_plan("RMSProp", "quadratic", 6) | trajectory_plan("RMSProp", "cubic with a preset E", 4)
               | {"RMSProp: ε sits inside the square root": 2, "RMSProp defaults (lr 0.01, gamma 0.9, eps 1e-8)": 1,
                  "RMSProp.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    trajectory(student, cases, "RMSProp", {"lr": 0.01, "gamma": 0.9, "eps": 1e-8}, X0, quadratic(A, B), 6,
               "quadratic")
    trajectory(student, cases, "RMSProp", {"lr": 0.05, "gamma": 0.7, "eps": 1e-8}, X0, cubic(0.5, 1.0), 4,
               "cubic with a preset E", state={"E": rng.uniform(0.1, 2.0, 3)})
    with cases.check("RMSProp: ε sits inside the square root"):
        tiny = quadratic(np.eye(3) * 1e-3, np.zeros(3))
        reference = Reference("RMSProp", lr=0.01, gamma=0.9, eps=0.01)
        wrong = wrong_steps("RMSProp", X0, tiny, lr=0.01, gamma=0.9, eps=0.01)
        opt = student.new("rmsprop", "RMSProp", lr=0.01, gamma=0.9, eps=0.01)
        assert_close(opt.call("step", X0, tiny), reference.step(X0, tiny),
                     "RMSProp.step with ε = 0.01 and tiny gradients", FORMULAS["RMSProp"], rtol=1e-9, wrong=wrong)
    with cases.check("RMSProp defaults (lr 0.01, gamma 0.9, eps 1e-8)"):
        check_defaults(student, "RMSProp", X0, quadratic(TINY_A, np.zeros(3)), state={"E": rng.uniform(0, 2e-8, 3)})
    with cases.check("RMSProp.step leaves x alone"):
        check_x_left_alone(student, "RMSProp", X0, quadratic(A, B))


def test_adam(student, cases, rng):
    """Adam: bias correction, t counted before use, ε outside the root, preset m/v/t; torch.optim.Adam"""
    cases.plan(trajectory_plan("Adam", "quadratic", 6)
               | trajectory_plan("Adam", "Rosenbrock with preset m, v and t = 3", 5)
               | {"Adam: ε sits outside the square root": 2, "Adam vs torch.optim.Adam": 2,
                  "Adam defaults (lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8)": 1, "Adam.step leaves x alone": 1})
    A, B, X0 = problem(rng)
    hyper = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    trajectory(student, cases, "Adam", hyper, X0, quadratic(A, B), 6, "quadratic")
    trajectory(student, cases, "Adam", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
               rosenbrock_start(rng), rosenbrock(), 5, "Rosenbrock with preset m, v and t = 3",
               state={"m": rng.uniform(-0.2, 0.2, 2), "v": rng.uniform(0.01, 0.05, 2), "t": 3})
    with cases.check("Adam: ε sits outside the square root"):
        tiny = quadratic(np.eye(3) * 1e-3, np.zeros(3))
        reference = Reference("Adam", lr=0.1, beta1=0.9, beta2=0.999, eps=0.01)
        wrong = wrong_steps("Adam", X0, tiny, lr=0.1, beta1=0.9, beta2=0.999, eps=0.01)
        opt = student.new("adam", "Adam", lr=0.1, beta1=0.9, beta2=0.999, eps=0.01)
        assert_close(opt.call("step", X0, tiny), reference.step(X0, tiny),
                     "Adam.step with ε = 0.01 and tiny gradients", FORMULAS["Adam"], rtol=1e-9, wrong=wrong)
    with cases.check("Adam vs torch.optim.Adam"):
        import torch

        p = torch.tensor(X0, requires_grad=True)
        torch_opt = torch.optim.Adam([p], lr=0.05, betas=(0.9, 0.999), eps=1e-8)
        opt, x = student.new("adam", "Adam", **hyper), X0.copy()
        for k in range(6):
            p.grad = torch.tensor(A @ p.detach().numpy() + B)
            torch_opt.step()
            x = as_array(opt.call("step", x, quadratic(A, B)), "Adam.step")
            assert_close(x, p.detach().numpy(), f"Adam.step (step {k + 1})", "torch.optim.Adam", rtol=1e-7)
    with cases.check("Adam defaults (lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8)"):
        check_defaults(student, "Adam", X0, quadratic(A, B),  # the betas show from a preset state
                       state={"m": rng.uniform(-0.5, 0.5, 3), "v": rng.uniform(0.1, 0.5, 3), "t": 3})
        check_defaults(student, "Adam", X0, quadratic(np.eye(3) * 1e-8, np.zeros(3)))  # √v̂ ≈ ε: ε shows
    with cases.check("Adam.step leaves x alone"):
        check_x_left_alone(student, "Adam", X0, quadratic(A, B))


def test_state_initialisation(student, cases):
    """States start as None / t = 0 and become arrays of x's shape at the first step"""
    cases.plan({f"{kind} {what}": 1 for kind in STATE_NAMES
                for what in ("state before and after the first step", "step calls grad_fn once and returns x's shape")})
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    spec = cubic(0.1, 1.0)
    for kind, names in STATE_NAMES.items():
        with cases.check(f"{kind} state before and after the first step"):
            opt = student.new(MODULES[kind], kind)
            for name in names:
                before = opt.get(name)
                wanted = 0 if name == "t" else None
                assert before == wanted, f"{kind}.{name} should be {wanted} before the first step, got {before!r}."
            opt.call("step", x, spec)
            for name in names:
                value = opt.get(name)
                if name == "t":
                    assert value == 1, f"Adam.t should be 1 after the first step, got {value!r}."
                else:
                    assert isinstance(value, np.ndarray) and value.shape == x.shape, (
                        f"{kind}.{name} should be an array of x's shape {x.shape} after the first step.")
        with cases.check(f"{kind} step calls grad_fn once and returns x's shape"):
            opt = student.new(MODULES[kind], kind)
            got = as_array(opt.call("step", x, spec), f"{kind}.step")
            assert got.shape == x.shape, f"{kind}.step returned shape {got.shape}, expected {x.shape}."
            calls = student.last_grad_calls[0] if student.last_grad_calls else []
            assert len(calls) == 1, f"{kind}.step should call grad_fn once per step, it called it {len(calls)} times."
