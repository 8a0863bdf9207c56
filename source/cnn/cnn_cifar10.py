# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # CNN on CIFAR-10
#
# In this notebook you train the network of `model.py` with the loop of
# `train.py` and check it against the task:
#
# | rule | bar |
# |---|---|
# | convolution layers (`nn.Conv2d`) | at least 7 |
# | fully connected layers (`nn.Linear`) | 1 to 3 |
# | `nn.BatchNorm2d`, `nn.MaxPool2d`, `nn.Dropout` | all used |
# | accuracy on the training set and on the test set | both at least 65% |
# | training time | at most 10 minutes |
#
# Accuracy is measured the way the autograder does it: the model in evaluation
# mode (`model.eval()`: BatchNorm uses its running statistics, dropout is off), fed
# float32 images in [0, 1] in batches of 250, on the first 10,000 training images
# (without augmentation) and on the 10,000 test images.
#
# You can run the notebook before everything is written: each section runs what is
# written and says, in one line, which function it is still waiting for (nothing
# trains or predicts until `build_model` and `train` are written). The cells marked
# "tests" run the public tests of the tasks the next section uses (`check("conv2d")`
# runs `pytest -m conv2d`); `nbgrader validate` runs them too.
#
# The data: set the environment variable `CIFAR10_DIR` to the folder of the
# CIFAR-10 binary or python batches (for example after `make data`). The time
# budget of the training run comes from `CNN_TIME_BUDGET_S` (default 600 s, the
# grader's; `CNN_TIME_BUDGET_S=20` for a quick try). `nbgrader validate` runs the
# tests and skips the training unless `CNN_TIME_BUDGET_S` is set.

# %%
import os
import sys
import time
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from constraints import check_architecture
from conv import Conv2D
from data import load_cifar10
from dropout import Dropout
from model import build_model
from pool import AvgPool2D, MaxPool2D
from train import train, training_device

sys.path.insert(0, str(Path("tests").resolve()))
from notebook_checks import check  # noqa: E402  (check("conv2d") runs pytest -m conv2d)

# the grader's numbers (task.py, generated from the course's manifest): the bar, the budget, what it measures
from task import ACCURACY_BAR as BAR_ACCURACY, BUDGET_S as BAR_SECONDS  # noqa: E402
from task import EVAL_BATCH, TRAIN_ACCURACY_IMAGES  # noqa: E402
TIME_BUDGET_S = float(os.environ.get("CNN_TIME_BUDGET_S", BAR_SECONDS))
# nbgrader validate runs the test cells; it trains only when asked to with CNN_TIME_BUDGET_S
SKIP_TRAINING = bool(os.environ.get("NBGRADER_VALIDATING")) and "CNN_TIME_BUDGET_S" not in os.environ
FIGURES = Path("figures")
FIGURES.mkdir(exist_ok=True)
print(f"time budget for training: {TIME_BUDGET_S:g} s; torch {torch.__version__}; "
      f"training device: {training_device()}")


def attempt(work, *args, **kwargs):
    """``work(*args, **kwargs)``, or None and one line naming the function it reached that
    is not written yet."""
    try:
        return work(*args, **kwargs)
    except NotImplementedError as stub:
        print(f"waiting for {str(stub).split(' is not written yet')[0]}: write it, then run this cell again")
        return None

# %% [markdown]
# ## 1. The building blocks, by hand
#
# A convolution computes, for every filter f and output position (i, j),
#
# $$\text{out}[n,f,i,j] = \sum_c \sum_p \sum_q x_{\text{pad}}[n,c,i\cdot S+p,\ j\cdot S+q]\; W[f,c,p,q] + b[f]$$
#
# and the output size is $\lfloor (H + 2P - K)/S \rfloor + 1$. A 32×32×3 image and
# six 5×5×3 filters: without padding the maps are 28×28, with padding 2 they stay 32×32,
# with stride 2 and padding 2 they are 16×16.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_conv2d", "locked": true, "points": 24, "schema_version": 3, "solution": false, "task": false}
# tests: Conv2D forward and backward
check("conv2d")

# %%
image = np.random.default_rng(0).random((1, 3, 32, 32))
for stride, padding in [(1, 0), (1, 2), (2, 2)]:
    out = attempt(lambda: Conv2D(3, 6, 5, stride=stride, padding=padding).forward(image))
    if out is None:
        break
    print(f"5×5 filters, stride {stride}, padding {padding}: output shape {out.shape}")

# %% [markdown]
# Pooling on the lecture's 4×4 example (size 2, stride 2): the max should be
# [[9, 2], [6, 3]] and the average [[3.75, 1.25], [3.75, 2.0]].

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_pool_dropout", "locked": true, "points": 18, "schema_version": 3, "solution": false, "task": false}
# tests: max and average pooling, dropout
check("maxpool2d", "avgpool2d", "dropout")

# %%
example = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)[None, None]
for name, pool in [("max pooling", MaxPool2D(2, 2)), ("average pooling", AvgPool2D(2, 2))]:
    pooled = attempt(pool.forward, example)
    if pooled is not None:
        print(f"{name}:\n", pooled[0, 0])

# %% [markdown]
# Inverted dropout with p = 0.5 keeps about half the units and doubles them, so the
# mean stays the same; in evaluation mode it does nothing.

# %%
drop = Dropout(p=0.5, seed=0)
ones = np.ones((1000, 100))
train_out = attempt(drop.forward, ones)
if train_out is not None:
    drop.training = False
    print(f"training: kept {np.mean(train_out != 0):.3f} of the units, mean {train_out.mean():.3f}; "
          f"evaluation: mean {drop.forward(ones).mean():.3f}")

# %% [markdown]
# ## 2. The data

# %%
try:
    data = load_cifar10()
except (OSError, ValueError) as error:     # no CIFAR10_DIR, or not CIFAR-10 there
    data = None
    print(f"no CIFAR-10, so nothing below trains: {error}. Set CIFAR10_DIR (or run `make data`) "
          "and run the notebook again")
if data is not None:
    classes = data.classes
    print(f"train {data.train_x.shape} {data.train_x.dtype}, test {data.test_x.shape}; classes: {', '.join(classes)}")
    fig, axes = plt.subplots(2, 8, figsize=(12, 3.3))
    for ax, k in zip(axes.ravel(), range(16)):
        ax.imshow(data.train_x[k].transpose(1, 2, 0))
        ax.set_title(classes[data.train_y[k]], fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(FIGURES / "samples.png", dpi=100)
    plt.show()

# %% [markdown]
# ## 3. The model and the rules
#
# `check_architecture` counts the layers and raises an error that names any broken
# rule. The autograder also exports the model with `torch.export` and checks the
# exported graph, so the cell below does the same.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_build_model", "locked": true, "points": 34, "schema_version": 3, "solution": false, "task": false}
# tests: build_model() meets the rules, maps images to 10 scores and exports
check("build_model")

# %%
model = attempt(build_model)
if model is not None:
    counts = check_architecture(model)
    print("layer counts:", counts)
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

    exported = torch.export.export(build_model().eval(), (torch.rand(2, 3, 32, 32),))
    ops = [str(node.target) for node in exported.graph.nodes if node.op == "call_function"]
    for name in ["conv2d", "batch_norm", "max_pool2d", "dropout", "linear"]:
        print(f"exported graph: {sum(f'aten.{name}' in op for op in ops)} × aten.{name}")

# %% [markdown]
# ## 4. Training
#
# `train` must stop on its own within the budget. Time it from the outside, as
# the autograder does. On a GPU (`training_device()`) it takes seconds; the
# autograder trains on its CPU cores with the 10-minute budget.

# %% tags=["raises-exception"] nbgrader={"grade": true, "grade_id": "check_train", "locked": true, "points": 24, "schema_version": 3, "solution": false, "task": false}
# tests: a short train() run returns in time, in evaluation mode, with its history
check("train")

# %%
trained = None
if model is None:
    print("no training: waiting for build_model (model.py)")
elif data is None:
    print("no training: no CIFAR-10 (set CIFAR10_DIR)")
elif SKIP_TRAINING:
    print("no training under nbgrader validate (set CNN_TIME_BUDGET_S to train here too)")
else:
    start = time.perf_counter()
    trained = attempt(train, model, data.train_x, data.train_y, TIME_BUDGET_S)
    train_seconds = time.perf_counter() - start
if trained is not None:
    model = trained
    print(f"training took {train_seconds:.1f} s on {getattr(model, 'trained_on', 'cpu')} (budget {TIME_BUDGET_S:g} s)")
    print("numerics and widths, as train() chose them:", getattr(model, "recipe", "train() set no model.recipe"))


# %% [markdown]
# The accuracy, measured as the grader does: evaluation mode, float32 images in [0, 1] in
# batches of 250, the first 10,000 training images and the 10,000 test images.

# %%
@torch.inference_mode()
def predict(model, images, batch=EVAL_BATCH):
    """Class predictions of ``model`` (evaluation mode) for uint8 images (N, 3, 32, 32)."""
    model.eval()
    out = [model(torch.from_numpy(images[i:i + batch]).float() / 255).argmax(1) for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


if trained is not None:
    start = time.perf_counter()
    train_pred = predict(model, data.train_x[:TRAIN_ACCURACY_IMAGES])
    test_pred = predict(model, data.test_x)
    train_acc = np.mean(train_pred == data.train_y[:TRAIN_ACCURACY_IMAGES])
    test_acc = np.mean(test_pred == data.test_y)
    print(f"accuracy measured on {len(train_pred):,} training and {len(test_pred):,} test images "
          f"in {time.perf_counter() - start:.1f} s")
else:
    print("no accuracy to measure: nothing was trained")

# %% [markdown]
# ## 5. Learning curves, next to a plain baseline
#
# `model.history` holds the running loss and accuracy on the training batches
# (with augmentation and dropout on, so they lag behind the evaluation-mode numbers).
# The solution notebook also trains a plain baseline with the same budget (a
# student-style 7-conv ReLU net, plain SGD, random flips) and draws both, side by side:
# what the reference's tricks buy shows as accuracy per second of training.

# %% nbgrader={"grade": false, "grade_id": "plain_baseline", "locked": false, "schema_version": 3, "solution": true, "task": false}
def plain_baseline(images, labels, time_budget_s, seed=0):
    """The yardstick for section 5 (nothing to write here: the solution notebook fills it in).

    Seven conv 3×3 → BatchNorm → ReLU layers (widths 32, 32, 64, 64, 128, 128, 128)
    with a 2×2 max pool after the 2nd, 4th and 6th, a global max pool, dropout 0.2 and
    one linear layer; SGD (lr 0.05, momentum 0.9, weight decay 5e-4), batches of 128,
    random flips, the learning rate decaying linearly to 0 with the clock, so it too
    ends within ``time_budget_s``. Returns the model in eval mode with ``history``.
    """
    ### BEGIN SOLUTION
    import torch.nn.functional as F
    from torch import nn

    from model import Normalize
    from train import batch_to_float, cpu_threads, seed_everything

    start = time.perf_counter()
    deadline = time_budget_s - (1.0 + 0.02 * time_budget_s)
    seed_everything(seed)
    torch.set_num_threads(cpu_threads())
    device = training_device()
    layers, c_in = [Normalize()], 3
    for i, c_out in enumerate((32, 32, 64, 64, 128, 128, 128)):
        layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        layers += [nn.MaxPool2d(2)] if i in (1, 3, 5) else []
        c_in = c_out
    layers += [nn.MaxPool2d(4), nn.Flatten(), nn.Dropout(0.2), nn.Linear(c_in, 10)]
    net = nn.Sequential(*layers).to(device, memory_format=torch.channels_last).train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x_all = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 2, 3, 1))).to(device)
    y_all = torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)
    n, batch = len(x_all), 128
    max_steps, step, history, hits, seen = 16 * (n // batch), 0, [], 0, 0
    generator = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(n, generator=generator).to(device)
        for i in range(n // batch):
            progress = max((time.perf_counter() - start) / deadline, step / max_steps)
            if progress >= 1:
                net.to("cpu").history, net.trained_on = history, device.type
                return net.eval()
            idx = order[i * batch:(i + 1) * batch]
            xb = x_all[idx]
            flip = torch.rand(len(idx), 1, 1, 1, generator=generator).to(device) < 0.5
            xb = batch_to_float(torch.where(flip, xb.flip(2), xb)).permute(0, 3, 1, 2)
            for group in optimizer.param_groups:
                group["lr"] = 0.05 * (1 - progress)
            logits = net(xb)
            loss = F.cross_entropy(logits, y_all[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step, hits, seen = step + 1, hits + (logits.argmax(1) == y_all[idx]).sum().item(), seen + len(idx)
            if step % 10 == 0:
                history.append({"step": step, "epoch": step / (n // batch), "seconds": time.perf_counter() - start,
                                "loss": loss.item(), "accuracy": hits / seen})
                hits, seen = 0, 0
    ### END SOLUTION


# %%
baseline = None                     # the student version: the baseline comes with the solutions
if trained is not None:
    try:
        start = time.perf_counter()
        baseline = plain_baseline(data.train_x, data.train_y, TIME_BUDGET_S)
        baseline_seconds = time.perf_counter() - start
        baseline_test_acc = np.mean(predict(baseline, data.test_x) == data.test_y)
        print(f"plain baseline: test accuracy {baseline_test_acc:.2%} after {baseline_seconds:.1f} s of training")
    except NotImplementedError:
        pass

if trained is None:
    print("no learning curves: nothing was trained")
elif getattr(model, "history", None):
    runs = [("this model", model, test_acc)] + ([("plain baseline", baseline, baseline_test_acc)] if baseline else [])
    fig, axes = plt.subplots(1, len(runs), figsize=(5.5 * len(runs), 3.8), sharey=True, squeeze=False)
    for ax, (name, net, net_test_acc) in zip(axes[0], runs):
        history = net.history
        ax.plot([r["seconds"] for r in history], [r["accuracy"] for r in history],
                label="training batches (running)")
        ax.axhline(net_test_acc, color="C1", linestyle="--", label=f"test, final ({net_test_acc:.1%})")
        ax.axhline(BAR_ACCURACY, color="gray", linestyle=":", label=f"the {BAR_ACCURACY:.0%} bar")
        ax.set_title(f"{name}, {TIME_BUDGET_S:g} s budget on {getattr(net, 'trained_on', 'cpu')}")
        ax.set_xlabel("training time (s)")
        ax.set_ylabel("accuracy")
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(FIGURES / "learning_curves.png", dpi=100)
    plt.show()
else:
    print("train() recorded no model.history, so there are no learning curves to draw.")

# %% [markdown]
# ## 6. Where does the model go wrong?
#
# The confusion matrix counts, for every true class (row), how the test images of
# that class were classified (column). The diagonal holds the correct answers.

# %%
if trained is None:
    print("no confusion matrix: nothing was trained")
else:
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (data.test_y, test_pred), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    im = ax.imshow(confusion, cmap="Blues")
    ax.set_xticks(range(10), classes, rotation=45, ha="right")
    ax.set_yticks(range(10), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=7,
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black")
    fig.colorbar(im)
    fig.tight_layout()
    fig.savefig(FIGURES / "confusion_matrix.png", dpi=100)
    plt.show()

# %%
if trained is not None:
    wrong = np.flatnonzero(test_pred != data.test_y)[:16]
    fig, axes = plt.subplots(2, 8, figsize=(12, 3.6))
    for ax, k in zip(axes.ravel(), wrong):
        ax.imshow(data.test_x[k].transpose(1, 2, 0))
        ax.set_title(f"{classes[data.test_y[k]]}\n→ {classes[test_pred[k]]}", fontsize=8)
        ax.axis("off")
    for ax in axes.ravel()[len(wrong):]:
        ax.axis("off")
    fig.suptitle("misclassified test images (true → predicted)")
    fig.tight_layout()
    fig.savefig(FIGURES / "misclassified.png", dpi=100)
    plt.show()

# %% [markdown]
# ## 7. Against the bar

# %%
def verdict(ok):
    return "meets the bar" if ok else "BELOW the bar"


if trained is None:
    print("nothing to hold against the bar yet: waiting for build_model (model.py) and train (train.py)")
else:
    print(f"train accuracy: {train_acc:.2%}  ({verdict(train_acc >= BAR_ACCURACY)}: ≥ {BAR_ACCURACY:.0%}, "
          f"first {TRAIN_ACCURACY_IMAGES:,} training images)")
    print(f"test accuracy:  {test_acc:.2%}  ({verdict(test_acc >= BAR_ACCURACY)}: ≥ {BAR_ACCURACY:.0%})")
    print(f"training time:  {train_seconds:.1f} s  ({verdict(train_seconds <= BAR_SECONDS)}: ≤ {BAR_SECONDS:.0f} s)")
if trained is not None and TIME_BUDGET_S < BAR_SECONDS:
    print(f"(this run had a short budget of {TIME_BUDGET_S:g} s; set CNN_TIME_BUDGET_S=600 for the real thing)")
