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
# # Vanishing and exploding gradients, measured on your own network
#
# In this notebook you run experiments on the code you wrote in `activations.py`,
# `layers.py` and `network.py`. Finish those first (their tests in `tests/` should pass):
# every number and every plot below comes from your `forward` and `backward` methods.
#
# The plan:
#
# 1. backpropagation multiplies one local derivative per layer;
# 2. the activations and their derivatives (sigmoid's slope never exceeds 1/4);
# 3. a chain of sigmoids, where the gradient shrinks by exactly 1/4 per layer;
# 4. gradient norms layer by layer in a deep MLP, for every activation;
# 5. the effect of weight initialisation (too small, too large, Xavier, He);
# 6. Batch Normalisation as a remedy.
#
# Every figure is also saved as a PNG file in `figures/`.
#
# You can run the notebook before everything is written: each section runs what is
# written and says, in one line, which function it is still waiting for. The cells marked
# "tests" run the public tests of the tasks the next section uses (`check("sigmoid")`
# runs `pytest -m sigmoid`); they print which tests pass and what a failing one expected.
# `nbgrader validate` runs them too.

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython

from activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from layers import SoftmaxCrossEntropy
from network import MLP

sys.path.insert(0, str(Path("tests").resolve()))
from notebook_checks import check  # noqa: E402  (check("sigmoid") runs pytest -m sigmoid)

FIGURES = Path("figures")
FIGURES.mkdir(exist_ok=True)
_waiting = []


def attempt(work, *args, **kwargs):
    """``work(*args, **kwargs)``; None if it reaches a function you have not written yet. The
    cell then ends with one line naming every such function it met."""
    try:
        return work(*args, **kwargs)
    except NotImplementedError as stub:
        missing = str(stub).split(" is not written yet")[0]
        if missing not in _waiting:
            _waiting.append(missing)
        return None


def _say_waiting(*_):
    if _waiting:
        print(f"waiting for {', '.join(_waiting)}: write {'them' if len(_waiting) > 1 else 'it'}, then run this cell again")
        _waiting.clear()


if get_ipython() is not None and not getattr(get_ipython(), "_waiting_registered", False):
    get_ipython().events.register("post_run_cell", _say_waiting)
    get_ipython()._waiting_registered = True


def written(results):
    """The entries of a {name: result} dict whose result exists (its code is written)."""
    return {name: value for name, value in results.items() if value is not None}


def save(fig, name):
    """Save a figure as figures/<name>.png (it is also shown inline in Jupyter)."""
    fig.tight_layout()
    fig.savefig(FIGURES / f"{name}.png", dpi=100)


# %% [markdown]
# ## 1. The chain rule, one layer at a time
#
# Take a chain of scalar layers, $z_l = w_l\,a_{l-1} + b_l$ and $a_l = f(z_l)$, starting
# from $a_0 = x$ and ending in a loss $L(a_n)$. The chain rule gives
#
# $$\frac{\partial L}{\partial x}
#   = \frac{\partial L}{\partial a_n}\;\prod_{l=1}^{n} \frac{\partial a_l}{\partial z_l}\,\frac{\partial z_l}{\partial a_{l-1}}
#   = \frac{\partial L}{\partial a_n}\;\prod_{l=1}^{n} f'(z_l)\,w_l .$$
#
# This is exactly what your `backward` methods compute, in reverse order: every layer
# multiplies the incoming gradient by its own local derivative. The gradient that reaches
# the first layers is a **product of n factors**. If each factor $|f'(z_l)\,w_l|$ is below 1,
# the product shrinks geometrically with depth (vanishing gradients); if each is above 1,
# it grows geometrically (exploding gradients). In a network with matrices instead of
# scalars the same holds for the sizes (norms) of the gradients.
#
# ## 2. Activation functions and their derivatives
#
# The factor $f'(z)$ depends on the activation. The figure shows each function (top) and
# its derivative (bottom), both computed by your classes.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_activations", "locked": true, "points": 40, "schema_version": 3, "solution": false, "task": false}
# tests: the activations this notebook uses
check("sigmoid", "tanh", "relu", "leaky_relu", "elu")

# %%
ACTIVATIONS = {
    "sigmoid": Sigmoid(),
    "tanh": Tanh(),
    "relu": ReLU(),
    "leaky_relu (alpha=0.1)": LeakyReLU(alpha=0.1),
    "elu (alpha=1)": ELU(alpha=1.0),
}
z = np.linspace(-5, 5, 1001)
edges = np.array([-4.0, 4.0])
curves = written({name: attempt(lambda act: (act.forward(z), act.derivative(z), act.derivative(edges)), act)
                  for name, act in ACTIVATIONS.items()})
if curves:
    fig, axes = plt.subplots(2, len(curves), figsize=(3.2 * len(curves), 6), sharex=True, squeeze=False)
    for (name, (f, d, _)), top, bottom in zip(curves.items(), axes[0], axes[1]):
        top.plot(z, f)
        top.set_title(name)
        bottom.plot(z, d, color="tab:red")
        bottom.set_xlabel("z")
        for ax in (top, bottom):
            ax.axhline(0, color="gray", lw=0.5)
            ax.axvline(0, color="gray", lw=0.5)
            ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("f(z)")
    axes[1, 0].set_ylabel("f'(z)")
    save(fig, "activations")

    print(f"{'activation':24s} {'max f(z)':>9s} {'max f_prime(z)':>15s} {'f_prime(-4)':>12s} {'f_prime(4)':>11s}")
    for name, (f, d, edge) in curves.items():
        print(f"{name:24s} {f.max():9.4f} {d.max():15.4f} {edge[0]:12.4f} {edge[1]:11.4f}")

# %% [markdown]
# Read the table:
#
# - **sigmoid**: $\sigma'(z) = \sigma(z)(1-\sigma(z))$ is at most $\sigma'(0) = 1/4$, and far
#   from 0 it is almost 0 (the function *saturates*). Every sigmoid layer therefore shrinks
#   the gradient by a factor of 4 at the very least.
# - **tanh**: $\tanh'(z) = 1 - \tanh^2(z)$ reaches 1 at $z = 0$, four times better than the
#   sigmoid, and its output is centred at 0. But it saturates just the same for large $|z|$.
# - **ReLU**: the slope is exactly 1 for $z > 0$: an active unit passes the gradient on
#   unchanged. For $z \le 0$ the slope is 0 (a unit that is never active never learns,
#   the "dying ReLU").
# - **Leaky ReLU** keeps a small slope $\alpha$ for $z \le 0$, and **ELU** a smooth one,
#   $\alpha e^{z}$, so no unit is completely cut off.
#
# ## 3. A chain of sigmoids: 1/4 per layer
#
# Build the scalar chain of section 1 with $w_l = 1$ and $b_l = -1/2$ and start at $x = 1/2$.
# Then every pre-activation is $z_l = \sigma(0) - 1/2 = 0$: each layer sits at the sigmoid's
# steepest point, the best case. We run the chain forward and backward with your `Sigmoid`
# and compare $\partial a_n / \partial x$ with $(1/4)^n$.


# %%
def chain_gradient(make_activation, depth, w, b, x):
    """d a_depth / d x for the scalar chain a_l = f(w · a_(l-1) + b), via your backward()."""
    acts = [make_activation() for _ in range(depth)]
    a = np.array([[x]])
    for act in acts:
        a = act.forward(w * a + b)
    grad = np.ones((1, 1))
    for act in reversed(acts):
        grad = act.backward(grad) * w
    return float(grad[0, 0])


DEPTHS = range(1, 13)
sigmoid_chain = attempt(lambda: [chain_gradient(Sigmoid, n, w=1.0, b=-0.5, x=0.5) for n in DEPTHS])
tanh_chain = attempt(lambda: [chain_gradient(Tanh, n, w=1.0, b=0.0, x=0.0) for n in DEPTHS])
if sigmoid_chain is not None:
    print(f"{'depth':>5s} {'sigmoid chain':>15s} {'(1/4)^depth':>13s} {'ratio to depth-1':>17s} {'tanh chain':>11s}")
    previous = 1.0
    for depth, g, g_tanh in zip(DEPTHS, sigmoid_chain, tanh_chain or [None] * len(DEPTHS)):
        tanh_text = f"{g_tanh:11.4f}" if g_tanh is not None else f"{'(not yet)':>11s}"
        print(f"{depth:5d} {g:15.3e} {0.25 ** depth:13.3e} {g / previous:17.4f} {tanh_text}")
        previous = g

# %% [markdown]
# Each extra sigmoid layer multiplies the gradient by exactly 0.25: after 10 layers only
# about one millionth of it is left, and this is the *best* case. The tanh chain, at its
# own best point $z = 0$, keeps the gradient at 1.
#
# Best cases are rare. Below, the pre-activations are also drawn at random, $z \sim N(0, 1)$
# (a fixed seed), as they might be for real inputs. Both chains then lose more per layer,
# because most $z$ are away from the steepest point, and tanh loses its advantage
# whenever $|z|$ is large.

# %%
rng = np.random.default_rng(0)
depths = np.arange(1, 21)
zs = rng.standard_normal((200, depths[-1]))


def best_and_typical(make, best_b, best_x):
    """|d output/d x| along the chain at z = 0, and its geometric mean for random z ~ N(0, 1)."""
    best = [abs(chain_gradient(make, n, 1.0, best_b, best_x)) for n in depths]
    typical = np.exp(np.mean(np.cumsum(np.log(make().derivative(zs)), axis=1), axis=0))
    return best, typical


fig, ax = plt.subplots(figsize=(7, 4.5))
for name, make, best_b, best_x in [("sigmoid", Sigmoid, -0.5, 0.5), ("tanh", Tanh, 0.0, 0.0)]:
    lines = attempt(best_and_typical, make, best_b, best_x)
    if lines is None:
        continue
    ax.semilogy(depths, lines[0], "o-", label=f"{name}, z = 0 at every layer")
    ax.semilogy(depths, lines[1], "s--", label=f"{name}, random z ~ N(0, 1) (geometric mean)")
ax.semilogy(depths, 0.25 ** depths, "k:", label="(1/4)^depth")
ax.set_xlabel("number of layers between x and the output")
ax.set_ylabel("|d output / d x|  (log scale)")
ax.set_title("Product of local derivatives along a chain")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")
save(fig, "chain_rule")

# %% [markdown]
# ## 4. Per-layer gradient norms in a deep MLP
#
# Now a real network: `MLP([64] + [64] * 10 + [10])`, ten hidden layers of 64 units, with a
# softmax cross-entropy loss on a batch of 128 random inputs with random labels. We do not
# train it; we look at the gradients at initialisation, where training starts. After one
# `backward`, `layer_grad_norms()` gives $\lVert \partial L / \partial W_l \rVert_F$ for
# every Linear layer, the first layer first. If gradients vanish, the first layers get
# almost no signal and barely learn.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_network", "locked": true, "points": 34, "schema_version": 3, "solution": false, "task": false}
# tests: what a forward and backward pass of the MLP uses
check("linear", "softmax_cross_entropy", "mlp")

# %%
N, D, H, C, HIDDEN = 128, 64, 64, 10, 10
data_rng = np.random.default_rng(42)
X = data_rng.standard_normal((N, D))
y = data_rng.integers(0, C, N)


def grad_norms(activation, init="xavier", batchnorm=False, hidden=HIDDEN):
    """Per-layer ||dL/dW|| of a fresh MLP after one forward and backward pass."""
    net = MLP([D] + [H] * hidden + [C], activation=activation, init=init, batchnorm=batchnorm, seed=0)
    loss = SoftmaxCrossEntropy()
    loss.forward(net.forward(X), y)
    net.backward(loss.backward())
    return np.array(net.layer_grad_norms())


def print_norms(title, results):
    results = written(results)
    if not results:
        return
    print(title)
    print(f"  {'':22s} {'first layer':>12s} {'last layer':>11s} {'first/last':>11s} {'mean ratio l/(l+1)':>19s}")
    for name, norms in results.items():
        hidden_ratio = np.exp(np.mean(np.log(norms[:-2] / norms[1:-1])))
        print(f"  {name:22s} {norms[0]:12.2e} {norms[-1]:11.2e} {norms[0] / norms[-1]:11.2e} {hidden_ratio:19.3f}")


def plot_norms(ax, results, title):
    for name, norms in written(results).items():
        ax.semilogy(np.arange(len(norms)), norms, "o-", label=name)
    ax.set_xlabel("layer (0 = first, next to the input)")
    ax.set_ylabel("||dL/dW||  (log scale)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    if written(results):
        ax.legend(fontsize=8)


NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
by_activation = {name: attempt(grad_norms, name, init="xavier") for name in NAMES}
print_norms("Xavier initialisation, 10 hidden layers:", by_activation)
fig, ax = plt.subplots(figsize=(8, 5))
plot_norms(ax, by_activation, "Gradient norm per layer, by activation (Xavier init)")
save(fig, "grad_norms_by_activation")

# %% [markdown]
# The last column is the typical factor between the gradient norms of two neighbouring
# hidden layers. For the sigmoid it sits near the 1/4 of section 3 (the weights add a
# factor of their own): the first layer's gradient is about a million times smaller than
# the last one's. tanh, ReLU, leaky ReLU and ELU keep the norms within a small factor
# from one end to the other.
#
# The deeper the network, the worse it gets. Here is the first layer's gradient norm as
# the number of hidden layers grows:

# %%
hidden_counts = [1, 2, 4, 6, 8, 10, 15, 20]
first = written({name: attempt(lambda name: [grad_norms(name, hidden=h)[0] for h in hidden_counts], name)
                 for name in NAMES})
if first:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    print(f"{'hidden layers':>13s} " + " ".join(f"{name:>11s}" for name in first))
    for i, h in enumerate(hidden_counts):
        print(f"{h:13d} " + " ".join(f"{first[name][i]:11.2e}" for name in first))
    for name in first:
        ax.semilogy(hidden_counts, first[name], "o-", label=name)
    ax.set_xlabel("number of hidden layers")
    ax.set_ylabel("||dL/dW|| of the first layer  (log scale)")
    ax.set_title("First-layer gradient versus depth (Xavier init)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save(fig, "first_layer_vs_depth")

# %% [markdown]
# ## 5. Weight initialisation
#
# The factor each layer contributes is not only $f'(z)$ but also the weights: in the
# backward pass `Linear` multiplies the gradient by $W^\top$, and in the forward pass the
# scale of $W$ decides where on the activation curve the $z$ values land.
#
# - **small**, $W \sim N(0, 0.01^2)$: each layer shrinks both the signal and the gradient by
#   roughly $0.01\sqrt{64} = 0.08$. Everything fades away.
# - **large**, $W \sim N(0, 1)$: sums of 64 terms give $|z|$ around 8. Most tanh and sigmoid
#   units saturate (slope near 0, output stuck at the ends of the curve), while the few
#   that are not get their gradient multiplied by large weights. ReLU passes the growth
#   straight on, and both the signal and the gradients explode.
# - **Xavier/Glorot**, $\mathrm{Var}(W) = 2/(\text{fan\_in} + \text{fan\_out})$: keeps the
#   variance of the signal forward and of the gradient backward about constant for
#   activations that behave like the identity around 0 (tanh).
# - **He**, $\mathrm{Var}(W) = 2/\text{fan\_in}$: the same idea for ReLU, which zeroes about
#   half of its inputs and so halves the variance; the factor 2 makes up for it.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_initialisers", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false}
# tests: init_xavier and init_he
check("initialisers")

# %%
INITS = ["small", "large", "xavier", "he"]
fig, axes = plt.subplots(1, 2, figsize=(14, 5))
for ax, activation in zip(axes, ["tanh", "relu"]):
    by_init = {init: attempt(grad_norms, activation, init=init) for init in INITS}
    print_norms(f"{activation}, 10 hidden layers, by initialiser:", by_init)
    plot_norms(ax, by_init, f"Gradient norm per layer, {activation}, by initialiser")
save(fig, "grad_norms_by_init")

# %% [markdown]
# Small weights give gradients around $10^{-12}$ in every layer, for both activations:
# nothing would learn. Large weights make the ReLU network's gradients astronomically
# large, and the tanh network's grow by about a factor of 2 per layer towards the input:
# exploding gradients. Xavier keeps tanh balanced, He does the same for ReLU, and Xavier
# under-scales ReLU a little (its first-layer gradient falls as the network gets deeper,
# see the previous figure).
#
# The forward pass shows why. Below is the spread of each hidden layer's activations in
# the tanh network: with small weights they collapse towards 0 (and so do the weight
# gradients, $\partial L/\partial W = a^\top \delta$); with large weights three
# quarters of them sit at ±1, where tanh is flat and carries no information.


# %%
def hidden_activations(activation, init):
    """The output of every hidden activation layer of a fresh MLP on the batch X."""
    net = MLP([D] + [H] * HIDDEN + [C], activation=activation, init=init, seed=0)
    a, outputs = X, []
    for layer in net.layers:
        a = layer.forward(a)
        if not hasattr(layer, "params"):
            outputs.append(a)
    return outputs


print("tanh network: std of the activations | fraction saturated (|a| > 0.99), layer by layer")
for init in INITS:
    outputs = attempt(hidden_activations, "tanh", init)
    if outputs is None:
        continue
    stds = " ".join(f"{a.std():8.1e}" for a in outputs[::3])
    saturated = " ".join(f"{np.mean(np.abs(a) > 0.99):5.2f}" for a in outputs[::3])
    print(f"  {init:7s} std (layers 0, 3, 6, 9): {stds} | saturated: {saturated}")

# %% [markdown]
# ## 6. Batch Normalisation
#
# Batch Normalisation standardises every feature of $z = xW + b$ over the batch,
# $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$, and then lets the network choose its
# own scale and shift, $\gamma \hat z + \beta$. Whatever the scale of $W$, the activation
# then sees inputs of unit variance, near the steep part of its curve. In the backward pass
# the division by $\sqrt{\sigma_B^2 + \epsilon}$ undoes the shrinking or growing caused by the
# weights. At test time the batch statistics are replaced by the running averages collected
# during training (`net.eval()`).
#
# Below: the same ten-layer networks with and without BatchNorm after every hidden Linear.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_batchnorm", "locked": true, "points": 10, "schema_version": 3, "solution": false, "task": false}
# tests: BatchNorm's forward (train and eval) and backward
check("batchnorm")

# %%
cases = {
    "sigmoid, xavier": ("sigmoid", "xavier"),
    "tanh, small init": ("tanh", "small"),
    "relu, large init": ("relu", "large"),
}
fig, axes = plt.subplots(1, len(cases), figsize=(16, 4.8))
for ax, (title, (activation, init)) in zip(axes, cases.items()):
    results = {
        "without BatchNorm": attempt(grad_norms, activation, init=init),
        "with BatchNorm": attempt(grad_norms, activation, init=init, batchnorm=True),
    }
    print_norms(f"{title}:", results)
    plot_norms(ax, results, title)
save(fig, "grad_norms_batchnorm")

# %% [markdown]
# With BatchNorm the sigmoid network's gradient no longer falls by a factor of about 4 per
# layer, and the badly initialised networks recover a usable gradient in every layer:
# the normalisation makes the network far less sensitive to the weight scale.
#
# ## Questions to think about
#
# 1. In section 3, which $w$ would make the sigmoid chain keep its gradient at the best
#    point? What happens to $z_l$ then?
# 2. Why does the tanh network with small weights have tiny gradients in *every* layer,
#    including the last one?
# 3. Xavier keeps the tanh network balanced but makes a ReLU network's gradients smaller
#    than He does. Use the variance argument from section 5 to explain the factor.
# 4. A bias added right before BatchNorm gets a zero gradient. Why?

# %% [markdown]
# ## Before you submit
#
# The tasks this notebook does not use have public tests too: Maxout and the MSE loss.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_other_tasks", "locked": true, "points": 11, "schema_version": 3, "solution": false, "task": false}
# tests: Maxout and MSELoss
check("maxout", "mse_loss")
