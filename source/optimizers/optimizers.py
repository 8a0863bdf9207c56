# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Optimizers: from gradient descent to Adam
#
# Training a network means walking downhill on its loss. Gradient descent tells you the
# direction; everything else in this assignment is about **how far and how cleverly to
# step**. You implement six rules, each in its own module, in the order the lecture
# introduces them. Each one repairs a weakness of the one before:
#
# | module | update (g = gradient) | fixes |
# |---|---|---|
# | `sgd.py` | x ← x − α·g(x) | – |
# | `momentum.py` | v ← ρ·v − α·g(x);  x ← x + v | zig-zagging and crawling in long valleys |
# | `nesterov.py` | v ← ρ·v − α·g(x + ρ·v);  x ← x + v | momentum overshooting |
# | `adagrad.py` | G ← G + g²;  x ← x − α·g / √(G + ε) | one learning rate for coordinates of very different scale |
# | `rmsprop.py` | E ← γ·E + (1 − γ)·g²;  x ← x − α·g / √(E + ε) | Adagrad's step shrinking to nothing |
# | `adam.py` | m, v averages of g and g²;  x ← x − α·m̂ / (√v̂ + ε) | momentum and per-coordinate scaling together |
#
# Every optimizer has the same interface: `step(x, grad_fn)` takes the current point `x`
# (an ndarray) and a function returning the gradient at any point, and returns the next
# point. Whatever it remembers between steps (`v`, `G`, `E`, `m`, `t`) lives on the
# object. Run the public tests (`pytest`) before this notebook: the experiments below
# call your code.
#
# First we watch them on three 2-D functions where their behaviour differs, then train
# one small network with each.
#
# You can run the notebook as soon as `sgd.py` is written: every experiment runs the
# optimizers you have written and says, in one line, which ones it is still waiting for.
# The cells marked "tests" run the public tests of those optimizers (`check("sgd")` runs
# `pytest -m sgd`) and print what a failing test expected; `nbgrader validate` runs them too.

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from adagrad import Adagrad
from adam import Adam
from functions import SURFACES
from momentum import Momentum
from nesterov import Nesterov
from rmsprop import RMSProp
from sgd import SGD
from spirals import make_spirals
from tiny_mlp import TinyMLP
from training import minimize, train

sys.path.insert(0, str(Path("tests").resolve()))
from notebook_checks import check  # noqa: E402  (check("sgd") runs pytest -m sgd)

FIGURES = Path("figures")
FIGURES.mkdir(exist_ok=True)
OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
              "Adagrad": Adagrad, "RMSProp": RMSProp, "Adam": Adam}
COLORS = dict(zip(OPTIMIZERS, plt.rcParams["axes.prop_cycle"].by_key()["color"]))


def attempt(work, *args, missing, **kwargs):
    """``work(*args, **kwargs)``, or None if it reaches a function that is not written yet,
    whose name is then added to the list ``missing``."""
    try:
        return work(*args, **kwargs)
    except NotImplementedError as stub:
        missing.append(str(stub).split(" is not written yet")[0])
        return None


def say_waiting(missing):
    """One line naming the functions an experiment skipped because they are not written yet."""
    if missing:
        print(f"waiting for {', '.join(missing)}: write {'them' if len(missing) > 1 else 'it'}, then run this cell again")


# %% [markdown]
# ## Tools for the experiments
#
# `minimize(optimizer, grad_fn, x0, steps)` (from `training.py`) returns the whole path,
# one row per step. `draw` plots each optimizer's path over the contour lines of the
# function, one panel each, and saves the figure.
#
# The learning rate α does not mean the same thing for every rule. For SGD and momentum
# the step is α *times the gradient*; for Adagrad, RMSProp and Adam the gradient is
# divided by its own typical size, so α is roughly *the length of a step* in each
# coordinate. One α for all six would be unfair to some of them, so each function
# below comes with its own α per optimizer, picked by hand from a coarse grid
# (0.0001, 0.0002, 0.0005, ..., 1) to be stable and reasonably fast. The other
# hyper-parameters keep the lecture's defaults (ρ = 0.9, γ = 0.9, β₁ = 0.9, β₂ = 0.999).

# %%
def run_all(surface, lrs, steps):
    """Paths of every written optimizer on ``surface``, each with its learning rate from ``lrs``."""
    start, missing = np.array(surface.start), []
    paths = {name: attempt(lambda cls, lr: minimize(cls(lr=lr), surface.grad, start, steps), cls, lrs[name],
                           missing=missing)
             for name, cls in OPTIMIZERS.items()}
    say_waiting(missing)
    return {name: path for name, path in paths.items() if path is not None}


def draw(surface, paths, lrs, filename, shown_steps):
    """One contour panel per optimizer with its first ``shown_steps`` steps; saved as PNG.
    An optimizer that is not written yet gets an empty panel that says so."""
    xs = np.linspace(*surface.xlim, 200)
    ys = np.linspace(*surface.ylim, 200)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    height = surface.f(grid) - surface.f_min
    levels = np.quantile(height, np.linspace(0.0, 0.9, 15) ** 2)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True, sharey=True)
    for ax, name in zip(axes.flat, OPTIMIZERS):
        ax.contour(xs, ys, height, levels=np.unique(levels), colors="0.75", linewidths=0.7)
        if name not in paths:
            ax.set_title(f"{name}: not written yet")
            continue
        shown = paths[name][: shown_steps + 1]
        style = ".-" if shown_steps <= 300 else "-"    # dots for every step only when few
        ax.plot(shown[:, 0], shown[:, 1], style, color=COLORS[name], markersize=3, linewidth=1)
        ax.plot(*shown[0], "ko", markersize=5)
        ax.set_title(f"{name}  (α = {lrs[name]:g})")
        ax.set_xlim(surface.xlim)
        ax.set_ylim(surface.ylim)
    fig.suptitle(f"{surface.name}: first {shown_steps} steps from {surface.start}")
    fig.tight_layout()
    fig.savefig(FIGURES / filename, dpi=80)
    plt.show()
    plt.close(fig)


# %% [markdown]
# ## 1. An elongated valley: SGD, then momentum, then Nesterov
#
# f(x, y) = ½(0.1·x² + 4·y²) is a bowl 40 times steeper across (y) than along (x) –
# the typical shape of a loss near a minimum when parameters have different scales.
#
# **SGD.** The step is α·g. Across the valley the gradient is large, so α must be small
# enough not to blow up in y (here α < 2/4); along the valley floor the gradient is
# tiny, so the same α makes progress in x painfully slow. The path zig-zags across the
# valley while crawling along it.
#
# **Momentum** keeps a velocity v ← ρ·v − α·g. The zig-zag component of the gradient
# changes sign every step and cancels out in v; the component along the floor always
# points the same way and accumulates, up to 1/(1 − ρ) = 10 times one SGD step. The
# cost: a ball with inertia overshoots and swings around the minimum.
#
# **Nesterov** asks for the gradient at x + ρ·v, where the velocity is about to carry
# it. When that point is already past the bottom, the gradient there points back and
# brakes the step before the overshoot happens, which damps the swinging.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_sgd_momentum_nesterov", "locked": true, "points": 44, "schema_version": 3, "solution": false, "task": false}
# tests: SGD, momentum and Nesterov
check("sgd", "momentum", "nesterov")

# %%
VALLEY_LRS = {"SGD": 0.4, "Momentum": 0.1, "Nesterov": 0.1,
              "Adagrad": 1.0, "RMSProp": 0.1, "Adam": 0.3}
valley = SURFACES["valley"]
valley_paths = run_all(valley, VALLEY_LRS, steps=300)
draw(valley, valley_paths, VALLEY_LRS, "valley.png", shown_steps=60)

# %% [markdown]
# **Adagrad** addresses the root of the problem instead: one α for coordinates whose
# gradients differ by a factor of 40. It divides each coordinate's step by √G, the
# root of the sum of that coordinate's squared gradients so far, so a steep coordinate
# gets a small effective learning rate and a flat one a large rate. The first step is
# about α in *every* coordinate, whatever the gradient's size. (Here the valley is
# aligned with the axes, which is the best case for a per-coordinate rule.)
#
# ## 2. A saddle: why dividing by the gradient's size helps
#
# f(x, y) = ½x² + ¼y⁴ − ½y² has a saddle at the origin and minima at (0, ±1). Starting
# at (2, 0.001), the gradient points almost straight at the saddle; the way out (y)
# has a gradient of about 0.001. SGD's step in y is α times that, so it sits near the
# saddle for many steps before the tiny y grows. Adagrad, RMSProp and Adam divide the
# gradient by its own recent size, so even a gradient of 0.001 gives a step of about α,
# and they leave the saddle almost at once.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_adaptive", "locked": true, "points": 56, "schema_version": 3, "solution": false, "task": false}
# tests: Adagrad, RMSProp and Adam
check("adagrad", "rmsprop", "adam")

# %%
SADDLE_LRS = {"SGD": 0.1, "Momentum": 0.05, "Nesterov": 0.05,
              "Adagrad": 0.5, "RMSProp": 0.02, "Adam": 0.1}
saddle = SURFACES["saddle"]
saddle_paths = run_all(saddle, SADDLE_LRS, steps=300)
draw(saddle, saddle_paths, SADDLE_LRS, "saddle.png", shown_steps=60)

# %% [markdown]
# **RMSProp** fixes Adagrad's weakness. G in Adagrad only ever grows, so its steps
# shrink like 1/√t and after long training it hardly moves, even on a fresh slope.
# RMSProp replaces the sum by a moving average E ← γ·E + (1 − γ)·g², which forgets old
# gradients (with γ = 0.9, roughly the last ten count), so the step size tracks the
# *current* scale of the gradient. The price shows near a minimum: the step stays about
# α long, so with a constant α RMSProp hovers around the bottom instead of settling.
#
# **Adam** puts the two ideas together: m, an average of g, gives momentum; v, an
# average of g², gives RMSProp's per-coordinate scale. Both start at zero, so in the
# first steps they are too small by a factor 1 − βᵗ; Adam divides that out (m̂, v̂).
# Without the correction the very first steps would be scaled by
# (1 − β₁)/√(1 − β₂) ≈ 3 instead of 1.
#
# ## 3. Rosenbrock: a narrow, curved valley
#
# f(x, y) = (1 − x)² + 100·(y − x²)², starting from (−1.2, 1), minimum at (1, 1). The
# valley floor bends, so no fixed per-coordinate scaling fits it everywhere, and the
# walls are steep, so SGD needs a tiny α.

# %%
ROSENBROCK_LRS = {"SGD": 0.001, "Momentum": 0.001, "Nesterov": 0.001,
                  "Adagrad": 0.5, "RMSProp": 0.01, "Adam": 0.1}
rosenbrock = SURFACES["rosenbrock"]
rosenbrock_paths = run_all(rosenbrock, ROSENBROCK_LRS, steps=3000)
draw(rosenbrock, rosenbrock_paths, ROSENBROCK_LRS, "rosenbrock.png", shown_steps=3000)

# %% [markdown]
# ## 4. Steps to tolerance
#
# How many steps until f(x) − f_min < 10⁻⁴, with the learning rates used above?
# "> N" means it did not get there within the N steps we ran. The numbers depend on α:
# treat them as one experiment, not a ranking. Change an α above and run again. (On the
# saddle, the adaptive methods leave the saddle point at once, then travel the rest of the
# way at roughly α per step; the count includes that journey.)

# %%
TOLERANCE = 1e-4


def steps_to_tolerance(surface, path):
    gap = surface.f(path) - surface.f_min
    reached = np.flatnonzero(gap < TOLERANCE)
    return str(reached[0]) if reached.size else f"> {len(path) - 1}"


experiments = {"valley": (valley, valley_paths),
               "saddle": (saddle, saddle_paths),
               "rosenbrock": (rosenbrock, rosenbrock_paths)}
print(f"{'':10s}" + "".join(f"{key:>12s}" for key in experiments))
for name in valley_paths:
    cells = [steps_to_tolerance(surface, paths[name]) for surface, paths in experiments.values()]
    print(f"{name:10s}" + "".join(f"{cell:>12s}" for cell in cells))

# %% [markdown]
# ## 5. Training a small network
#
# The 2-D pictures are a model of the real thing. `tiny_mlp.TinyMLP` is a 2-16-16-3 tanh
# network with a softmax cross-entropy loss, trained on three interleaved spiral arms
# (`spirals.make_spirals`). Its parameters live in six arrays, but your optimizers only
# know one vector `x`: `training.train` joins the arrays into one vector, and the
# `grad_fn` it hands your `step` writes a vector back into the network, runs forward
# and backward on the current mini-batch of 32 points, and returns the joined
# gradient. That is why Nesterov's look-ahead gradient works here without any change.
#
# Every optimizer starts from the same weights, sees the same mini-batches and uses its
# **default** hyper-parameters: α = 0.01 (Adam: α = 0.001). Note that momentum with
# α = 0.01 moves about as fast as SGD with α = 0.1, since its velocity builds up to
# α/(1 − ρ) times the gradient, and that Adam's default α is ten times smaller than the
# others' (try `Adam(lr=0.01)`).

# %%
X, y = make_spirals(points_per_class=100, classes=3, seed=0)
STEPS = 1000
curves, missing = {}, []
for name, cls in OPTIMIZERS.items():
    model = TinyMLP(sizes=(2, 16, 16, 3), seed=0)
    curve = attempt(train, model, cls(), X, y, steps=STEPS, batch_size=32, seed=1, missing=missing)
    if curve is not None:
        curves[name] = curve
        print(f"{name:9s} final loss {curves[name][-1]:.3f}   accuracy {model.accuracy(X, y):.2f}")
say_waiting(missing)

fig, ax = plt.subplots(figsize=(8, 4.5))
for name, curve in curves.items():
    ax.plot(curve, label=name, color=COLORS[name])
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy on all 300 points")
ax.set_yscale("log")
ax.set_title("TinyMLP on spirals, default hyper-parameters")
if curves:
    ax.legend()
fig.tight_layout()
fig.savefig(FIGURES / "mlp_loss.png", dpi=80)
plt.show()
plt.close(fig)

# %% [markdown]
# ## What to take away
#
# - SGD's one learning rate has to suit the steepest direction, so flat directions crawl.
# - Momentum averages the gradient over time: oscillations cancel, consistent slopes
#   add up. Nesterov measures the gradient where momentum is heading, which damps the
#   overshoot.
# - Adagrad gives every coordinate its own step size by dividing by the accumulated
#   gradient magnitude; RMSProp makes that memory fade so learning does not stop.
# - Adam combines momentum with RMSProp's scaling and corrects the bias of the zero
#   start. Its defaults work on many problems without tuning, which is why it is the
#   usual first choice.
#
# Things to try: set ρ = 0 in `Momentum` (you should get SGD back), make ε large in
# `Adagrad`, or give every optimizer the same α on the valley and compare.
