# # Training the CNN within a time budget
#
# `train(model, images, labels, time_budget_s)` trains `model` on CIFAR-10 images
# given as a uint8 numpy array of shape (N, 3, 32, 32) with integer labels, and
# must finish on its own before `time_budget_s` seconds have passed (the
# autograder stops a run that takes longer and gives it no accuracy points).
#
# The usual loop, one mini-batch at a time:
#
#     logits = model(x_batch)                       # forward
#     loss = cross_entropy(logits, y_batch)         # L = −(1/B) Σ_b log softmax(logits_b)[y_b]
#     optimizer.zero_grad(); loss.backward()        # ∂L/∂θ for every parameter θ
#     optimizer.step()                              # e.g. SGD with Nesterov momentum
#
# `images` are uint8 in 0..255; the model expects float32 in [0, 1], so divide
# by 255 (per batch: the whole set in float32 takes 600 MB).
#
# Keep a record of the running loss and accuracy in `model.history` (a list of
# dicts) so the notebook can draw learning curves, and show a progress bar.
#
# On a machine with a GPU, `training_device()` below picks it (CUDA, or MPS on a
# Mac) and training takes seconds; the autograder trains on its CPU cores.


import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm


def cpu_threads():
    """Number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def training_device():
    """``torch.device("cuda")`` when a CUDA GPU is present, else ``"mps"`` (Apple GPU), else ``"cpu"``."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed):
    """Seed Python's, numpy's and torch's generators so a run can be repeated."""
    import random
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batch_to_float(images_uint8):
    """uint8 (B, 3, 32, 32) in 0..255 → float32 in [0, 1]."""
    return images_uint8.float().div_(255)


def train(model, images, labels, time_budget_s=600.0, seed=0, progress=True):
    """Train ``model`` on ``images`` (uint8, (N, 3, 32, 32)) and ``labels`` (ints in 0..9); return it.

    What it must do:

    * return before ``time_budget_s`` seconds have passed, counted from the call
      (keep a safety margin for the last step), on whatever machine it runs;
    * return the trained model in evaluation mode (``model.eval()``), with its
      parameters on the CPU, taking float32 images in [0, 1] (what the autograder
      exports and feeds it);
    * seed every random generator with ``seed``, so a run can be repeated;
    * use the hardware it is given: the CPU cores (``torch.set_num_threads``), or
      the GPU that ``training_device()`` finds;
    * record ``model.history``: a list of dicts with at least the keys ``"step"``,
      ``"epoch"``, ``"seconds"`` (of training so far), ``"loss"`` and ``"accuracy"``
      (running, on the training batches), for the notebook's learning curves, and
      show a tqdm progress bar unless ``progress`` is false.

    How well it trains is up to you: the task asks for 65 % train and test accuracy.
    """
    # The reference recipe, after airbench (K. Jordan 2024); each helper below says what it
    # buys, and README.md's Performance section has the measurements.
    clock = Clock(time_budget_s)
    seed_everything(seed)
    device = training_device()
    data = Batches(images, labels, device, seed)
    init_whitening(model, data.images[:1000].cpu())
    use_coarse_patches(model, True)               # coarse patches: all of a short run, the start of a long one
    freeze_batchnorm_scales(model)
    model.to(device, memory_format=torch.channels_last).train()
    optimizers = make_optimizers(model, "short")
    lookahead = Lookahead(model)
    history = History(clock, data, device, progress)
    steps, batch_size = 0, BATCH_SIZE

    def run_step(speed):
        """One training step with ``speed``'s threads and numerics; returns its seconds."""
        nonlocal steps
        start = time.perf_counter()
        if device.type == "cpu" and torch.get_num_threads() != speed.threads:
            torch.set_num_threads(speed.threads)
        p = clock.progress(data.epochs)
        x, y = data.next_batch(batch_size)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=speed.bf16):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y, label_smoothing=LABEL_SMOOTHING)
        model.zero_grad(set_to_none=True)
        loss.backward()
        for optimizer, peak_lr in optimizers:
            optimizer.step(peak_lr * lr_factor(p))
        steps += 1
        if steps % LOOKAHEAD_EVERY == 0:
            lookahead.update(model, lookahead_decay(p))
        history.add(loss, logits, y, lr=optimizers[0][1] * lr_factor(p), threads=speed.threads, bf16=speed.bf16,
                    coarse_patches=model.whiten.stride == (2, 2), widths=model.widths)
        return time.perf_counter() - start

    # Time real training steps: the thread count first, then bf16 against fp32 at that count.
    speed, seconds = choose_fastest(run_step, [Speed(t, False) for t in thread_counts(device)])
    if bf16_worth_timing(device):
        speed, seconds = choose_fastest(run_step, [Speed(speed.threads, True)], seconds)
    plan = make_plan(seconds, speed, clock, len(data), model.widths)
    if plan.widths != model.widths:               # the probe's steps trained the narrow net: start afresh
        model.set_widths(plan.widths)
        freeze_batchnorm_scales(model)
        model.to(device, memory_format=torch.channels_last)
        lookahead = Lookahead(model)
    optimizers = make_optimizers(model, plan.kind)
    data.translate, batch_size = plan.translate, plan.batch_size
    next_probe = clock() + REPROBE_EVERY_S
    while clock.progress(data.epochs) < 1:
        if plan.kind != "short" and model.whiten.stride == (2, 2) and clock.progress(data.epochs) >= FINE_FROM_PROGRESS:
            use_coarse_patches(model, False)      # progressive resizing: overlapping patches from here on
            freeze_whitening_bias(model)
        if device.type == "cpu" and clock() >= next_probe:
            speed, _ = choose_fastest(run_step, [speed._replace(threads=t) for t in thread_counts(device)])
            next_probe = clock() + REPROBE_EVERY_S
        else:
            run_step(speed)
    lookahead.update(model, 1.0)                  # end on the averaged weights
    history.close()
    torch.set_num_threads(cpu_threads())          # for whatever runs next in this process
    model.to("cpu")
    model.history, model.train_seconds, model.trained_on = list(history), clock(), device.type
    model.recipe = f"{plan.why}; {speed.threads} thread(s)"
    return model.eval()


# ## The reference recipe's settings and helpers
#
# Each helper's docstring says what it buys; the measurements are in README.md (Performance)
# and come from `make bench` (`bench/cnn_reference.py`, `bench/cnn_step_speed.py`).


import statistics
from typing import NamedTuple

WIDE = (64, 256, 256)     # airbench94's widths, for machines that can afford them (model.NARROW otherwise)
BATCH_SIZE = 128          # the narrow net's; the probe's steps use it too
MOMENTUM = 0.85           # Nesterov, for SGD and Muon alike
PEAK_LR = 0.3             # Nesterov SGD in a long run (the conv filters too)
COARSE_PEAK_LR = 0.4      # the head and the biases in a short run
MUON_LR, MUON_MOMENTUM, NEWTON_SCHULZ_STEPS = 0.24, 0.6, 3
WEIGHT_DECAY = 5e-4       # on the weights that SGD trains (Muon holds the filters' scale instead)
# The wide net trains with airbench94's SGD, per image and on the mean loss of a batch: learning
# rate 11.5 and weight decay 0.0153 per 1024·(1 + 1/(1 − momentum)) images, the BatchNorm biases
# at 64 times the learning rate with the same decay per step.
AIRBENCH_IMAGES = 1024 * (1 + 1 / (1 - MOMENTUM))
WIDE_BATCH_SIZE = 256
WIDE_PEAK_LR = 11.5 / AIRBENCH_IMAGES * WIDE_BATCH_SIZE
WIDE_WEIGHT_DECAY = 0.0153 / AIRBENCH_IMAGES * WIDE_BATCH_SIZE / WIDE_PEAK_LR
BIAS_LR_SCALE = 64
LABEL_SMOOTHING = 0.2
COARSE_SPEEDUP = 3.1      # steps per second with coarse patches / with overlapping ones (narrow net)
WIDE_COST = {False: 15.0, True: 7.3}  # step time of the wide net on fine patches / the narrow one on coarse, fp32 / bf16
FINE_FROM_EPOCHS = 4      # a long run: when this many epochs of the narrow net fit with overlapping patches
WIDE_FROM_EPOCHS = 4      # the wide net: when this many of its epochs fit
FINE_FROM_PROGRESS = 0.3  # a long run takes the overlapping patches after this part of its time
MAX_EPOCHS = 16           # a GPU reaches its plateau here, in seconds
TRANSLATE_FROM_EPOCHS = 4
LOOKAHEAD_EVERY = 5
PROBE_STEPS = 3           # timed steps per candidate setting
REPROBE_EVERY_S = 60.0    # the thread count is timed again this often (other processes come and go)


class Clock:
    """Seconds since ``train`` was called, and progress towards the deadline, a margin before the budget."""

    def __init__(self, budget_s):
        self.start, self.deadline = time.perf_counter(), budget_s - (1.0 + 0.02 * budget_s)

    def __call__(self):
        return time.perf_counter() - self.start

    def progress(self, epochs):
        """In [0, 1]: follows the clock, so a run ends on time whatever the machine's speed (or the epochs, on a fast GPU)."""
        return max(self() / self.deadline, epochs / MAX_EPOCHS)


class Speed(NamedTuple):
    """How a step runs: CPU threads, and bf16 autocast or plain fp32."""
    threads: int
    bf16: bool


def thread_counts(device):
    """All the CPU cores or one: when another process holds a core, one thread can be faster."""
    return sorted({1, cpu_threads()}) if device.type == "cpu" else [1]


def bf16_worth_timing(device):
    """bf16 can pay on a CPU with AMX tiles or a CUDA GPU with bf16; without AMX its convolutions are slower."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and getattr(torch.cpu, "_is_amx_tile_supported", lambda: True)()


def choose_fastest(run_step, candidates, seconds=None):
    """The fastest setting by the median of ``PROBE_STEPS`` real training steps each, and every median so far.

    A candidate whose faster of two steps (the first builds its kernels, which took up to 0.7 s
    for bf16) is three times the best median is dropped there: bf16 where it is slow costs two steps.
    """
    seconds = dict(seconds or {})
    for speed in candidates:
        times = [run_step(speed), run_step(speed)]
        if not seconds or min(times) <= 3 * min(seconds.values()):
            times += [run_step(speed) for _ in range(PROBE_STEPS - 2)]
        seconds[speed] = statistics.median(times)
    return min(seconds, key=seconds.get), seconds


class Plan(NamedTuple):
    widths: tuple
    kind: str             # "short": coarse patches and Muon throughout; "long" and "wide": SGD, progressive resizing
    batch_size: int
    translate: int
    why: str


def make_plan(seconds, speed, clock, n, narrow):
    """Widths, optimizer and augmentation for the epochs that fit at the measured speed, and why, in words."""
    epochs = (clock.deadline - clock()) / seconds[speed] * BATCH_SIZE / n      # the narrow net, coarse patches
    wide_epochs = min(MAX_EPOCHS, epochs / WIDE_COST[speed.bf16])
    why = numerics_in_words(seconds, speed)
    if wide_epochs >= WIDE_FROM_EPOCHS:
        return Plan(WIDE, "wide", WIDE_BATCH_SIZE, 2, f"{why}; widths {WIDE}: about {wide_epochs:.1f} epochs fit")
    fits = min(MAX_EPOCHS, epochs)
    return Plan(narrow, "long" if epochs / COARSE_SPEEDUP >= FINE_FROM_EPOCHS else "short", BATCH_SIZE,
                2 if fits >= TRANSLATE_FROM_EPOCHS else 0,
                f"{why}; widths {narrow}: about {fits:.1f} epochs of coarse patches fit")


def numerics_in_words(seconds, speed):
    """Which numerics won, with the measured step times."""
    fp32 = min(s for k, s in seconds.items() if not k.bf16)
    bf16 = [s for k, s in seconds.items() if k.bf16]
    if not bf16:
        return f"fp32 ({1000 * fp32:.0f} ms a step; bf16 not timed: no AMX or CUDA bf16 here)"
    return (f"{'bf16 autocast' if speed.bf16 else 'fp32'} (a step: {1000 * min(bf16):.0f} ms in bf16, "
            f"{1000 * fp32:.0f} ms in fp32)")


def make_optimizers(model, kind):
    """[(optimizer, peak learning rate)]: Muon for the conv filters in a short run, Nesterov SGD for the rest."""
    params = [p for p in model.parameters() if p.requires_grad]
    filters = [p for p in params if p.ndim == 4]
    weights = [p for p in params if p.ndim == 2]
    biases = [p for p in params if p.ndim < 2]
    if kind == "short":
        return [(NesterovSGD([(weights, WEIGHT_DECAY, 1), (biases, 0, 1)], MOMENTUM), COARSE_PEAK_LR),
                (Muon(filters, MUON_MOMENTUM), MUON_LR)]
    if kind == "wide":
        return [(NesterovSGD([(filters + weights, WIDE_WEIGHT_DECAY, 1),
                              (biases, WIDE_WEIGHT_DECAY / BIAS_LR_SCALE, BIAS_LR_SCALE)], MOMENTUM), WIDE_PEAK_LR)]
    return [(NesterovSGD([(filters + weights, WEIGHT_DECAY, 1), (biases, 0, 1)], MOMENTUM), PEAK_LR)]


def lr_factor(progress):
    """Warm-up from 0.2 to 1 over the first 20 %, then linear decay to 0: the whole shape at any budget."""
    if progress < 0.2:
        return 0.2 + 0.8 * progress / 0.2
    return max(0.0, (1.0 - progress) / 0.8)


def use_coarse_patches(model, coarse):
    """Whitening stride 2 (non-overlapping patches, a quarter of the work downstream) or 1."""
    model.whiten.stride = (2, 2) if coarse else (1, 1)


def freeze_whitening_bias(model):
    """Stop training the whitening bias, so that backward ends at the second conv (faster steps)."""
    if model.whiten.bias is not None:
        model.whiten.bias.requires_grad_(False)


def freeze_batchnorm_scales(model):
    """Fix every BatchNorm scale γ at 1, as airbench: weight decay then acts as a learning-rate schedule."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d) and module.weight is not None:
            module.weight.requires_grad_(False)


def lookahead_decay(progress):
    """0.95⁵ · progress³: the average follows the model early and averages the last, small steps."""
    return 0.95 ** 5 * progress ** 3


class NesterovSGD:
    """SGD with Nesterov momentum, written out: ``torch.optim.SGD`` imports torch._dynamo, seconds of a short budget.

    ``groups``: (parameters, weight decay λ, learning-rate scale s). With g = ∇L + λ·θ:
    v ← μ·v + g, θ ← θ − s·lr·(g + μ·v).
    """

    def __init__(self, groups, momentum):
        self.groups = [(list(params), weight_decay, scale) for params, weight_decay, scale in groups]
        self.momentum = momentum
        self.velocity = {p: torch.zeros_like(p) for group, _, _ in self.groups for p in group}

    @torch.no_grad()
    def step(self, lr):
        for group, weight_decay, scale in self.groups:
            for p in group:
                if p.grad is None:
                    continue
                g = p.grad.add(p, alpha=weight_decay) if weight_decay else p.grad
                v = self.velocity[p].mul_(self.momentum).add_(g)
                p.sub_(g.add(v, alpha=self.momentum), alpha=scale * lr)


def orthogonalise(matrix, steps=NEWTON_SCHULZ_STEPS, eps=1e-7):
    """≈ U·Vᵀ for ``matrix`` = U·S·Vᵀ, by Newton–Schulz iteration (K. Jordan's quintic): Muon's update without an SVD.

    X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ, (a, b, c) = (3.4445, −4.7750, 2.0315), from X = matrix / ‖matrix‖_F.
    """
    a, b, c = 3.4445, -4.7750, 2.0315
    x = matrix / (matrix.norm() + eps)
    wide = x.shape[0] <= x.shape[1]
    if not wide:                                   # work with the smaller Gram matrix X·Xᵀ
        x = x.T
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x if wide else x.T


class Muon:
    """Orthogonalised momentum for the conv filters (Muon, K. Jordan 2024): rare features learn as fast as common ones.

    For W (C_out, C_in, k, k) and its gradient G flattened to (C_out, C_in·k·k): v ← μ·v + G,
    W ← W·√C_out / ‖W‖_F, W ← W − lr · orthogonalise(G + μ·v). BatchNorm makes the loss blind to
    the scale of W, so the scale is held fixed instead of decayed.
    """

    def __init__(self, filters, momentum):
        self.filters, self.momentum = list(filters), momentum
        self.velocity = {p: torch.zeros_like(p) for p in self.filters}

    @torch.no_grad()
    def step(self, lr):
        for p in self.filters:
            if p.grad is None:
                continue
            v = self.velocity[p].mul_(self.momentum).add_(p.grad)
            update = p.grad.add(v, alpha=self.momentum)
            p.mul_(len(p) ** 0.5 / p.norm())
            p.sub_(orthogonalise(update.reshape(len(p), -1)).view_as(p), alpha=lr)


class Lookahead:
    """An average of the weights that the model jumps back to every few steps: smooths the last steps' noise.

    ``update(model, decay)``: θ̄ ← decay·θ̄ + (1 − decay)·θ, then θ ← θ̄ (weights and BatchNorm statistics).
    """

    def __init__(self, model):
        self.average = {k: v.detach().clone() for k, v in model.state_dict().items() if v.is_floating_point()}

    @torch.no_grad()
    def update(self, model, decay):
        state = model.state_dict()
        for name, average in self.average.items():
            average.lerp_(state[name].to(average.device), 1.0 - decay)
            state[name].copy_(average)


class AlternatingFlips:
    """Mirror a random half of the images in epoch 0 and exactly the other half in the next: each image seen both ways."""

    def __init__(self, n, generator):
        self.base = torch.rand(n, generator=generator) < 0.5

    def for_epoch(self, epoch):
        """A bool tensor (N,): which images to flip in ``epoch``."""
        return self.base if epoch % 2 == 0 else ~self.base


def augment(x, flip, translate=0):
    """Mirror the images of ``x`` (B, C, H, W) where ``flip`` and shift each by up to ``translate`` pixels (reflected border)."""
    b, c, h, w = x.shape
    x = torch.where(flip.view(b, 1, 1, 1), x.flip(3), x)
    if translate:
        t = translate
        padded = F.pad(x.float(), (t, t, t, t), mode="reflect").to(x.dtype)   # (B, C, H+2t, W+2t)
        dy = torch.randint(0, 2 * t + 1, (b, 1, 1, 1), device=x.device)
        dx = torch.randint(0, 2 * t + 1, (b, 1, 1, 1), device=x.device)
        rows = dy + torch.arange(h, device=x.device).view(1, 1, h, 1)
        cols = dx + torch.arange(w, device=x.device).view(1, 1, 1, w)
        x = padded[torch.arange(b, device=x.device).view(b, 1, 1, 1),
                   torch.arange(c, device=x.device).view(1, c, 1, 1), rows, cols]      # (B, C, H, W)
    return x


class Batches:
    """Shuffled epochs of augmented batches, the images kept as uint8 on the device (float32 would take 600 MB)."""

    def __init__(self, images, labels, device, seed):
        self.images = torch.from_numpy(np.asarray(images, dtype=np.uint8)).to(device)
        self.labels = torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)
        self.generator = torch.Generator().manual_seed(seed)
        self.flips = AlternatingFlips(len(self), self.generator)
        self.translate, self.seen, self.epoch, self.position = 0, 0, 0, len(self)

    def __len__(self):
        return len(self.images)

    @property
    def epochs(self):
        return self.seen / len(self)

    def next_batch(self, batch_size):
        """(x, y): float32 images in [0, 1], channels-last (the fast layout for CPU convolutions), and labels."""
        batch_size = min(batch_size, len(self))
        if self.position + batch_size > len(self):     # a new epoch (the last partial batch is left out)
            self.order, self.flip = torch.randperm(len(self), generator=self.generator), self.flips.for_epoch(self.epoch)
            self.epoch, self.position = self.epoch + 1, 0
        idx = self.order[self.position:self.position + batch_size]
        self.position, self.seen = self.position + batch_size, self.seen + batch_size
        on_device = idx.to(self.images.device)
        x = augment(self.images[on_device], self.flip[idx].to(self.images.device), self.translate)
        return batch_to_float(x).contiguous(memory_format=torch.channels_last), self.labels[on_device]


class History(list):
    """``model.history``: the running loss and accuracy every 10 steps, and the progress bar."""

    def __init__(self, clock, data, device, progress):
        super().__init__()
        self.clock, self.data, self.device = clock, data, device
        self.running, self.steps = [0.0, 0, 0], 0
        self.bar = tqdm(total=int(clock.deadline), disable=not progress, desc=f"training on {device.type}", unit="s")

    def add(self, loss, logits, y, **state):
        self.running[0] += loss.item() * len(y)
        self.running[1] += (logits.argmax(1) == y).sum().item()
        self.running[2] += len(y)
        self.steps += 1
        self.state = state
        if self.steps % 10 == 0:
            self.record()

    def record(self):
        loss_sum, correct, count = self.running
        self.append({"step": self.steps, "epoch": self.data.epochs, "seconds": self.clock(),
                     "loss": loss_sum / count, "accuracy": correct / count, "device": self.device.type, **self.state})
        self.running = [0.0, 0, 0]
        self.bar.n = min(self.bar.total, int(self[-1]["seconds"]))
        self.bar.set_postfix(loss=f"{self[-1]['loss']:.3f}", acc=f"{self[-1]['accuracy']:.3f}", epoch=f"{self[-1]['epoch']:.2f}")

    def close(self):
        if self.running[2]:                            # the last few steps
            self.record()
        self.bar.close()


@torch.no_grad()
def init_whitening(model, images_uint8, eps=1e-2):
    """Set ``model.whiten`` to a frozen patch-whitening filter bank: the first layer starts where training would take long to get.

    With the k×k×3 patches' covariance Σ = V diag(λ) Vᵀ, the filters V[:, i] / √(λ_i + eps) make the
    patch coordinates uncorrelated with unit variance; half the channels get +filter, half −filter.
    """
    conv = model.whiten
    x = batch_to_float(images_uint8)
    if hasattr(model, "normalize"):
        x = model.normalize(x)
    kh, kw = conv.kernel_size
    patches = x.unfold(2, kh, 1).unfold(3, kw, 1)            # (N, 3, H', W', kh, kw)
    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(-1, 3 * kh * kw).double()
    patches = patches - patches.mean(0)
    eigenvalues, eigenvectors = torch.linalg.eigh(patches.T @ patches / len(patches))
    filters = (eigenvectors / torch.sqrt(eigenvalues + eps)).T.flip(0)    # largest first
    filters = filters.reshape(-1, 3, kh, kw).float()
    half = conv.out_channels // 2
    conv.weight.copy_(torch.cat([filters[:half], -filters[:half]])[:conv.out_channels])
    if conv.bias is not None:
        conv.bias.zero_()
    conv.weight.requires_grad_(False)
