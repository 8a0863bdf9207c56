# # The CNN task: a CIFAR-10 classifier in PyTorch
#
# Build the network that `train.py` trains. The rules of the task
# (`constraints.py` checks them, and so does the autograder):
#
# * at least 7 convolution layers (`nn.Conv2d`),
# * 1 to 3 fully connected layers (`nn.Linear`),
# * Batch Normalisation (`nn.BatchNorm2d`), max pooling (`nn.MaxPool2d`) and
#   dropout (`nn.Dropout`) all used,
# * train and test accuracy both at least 65%, after at most 10 minutes of training.
#
# The model takes float32 images of shape (N, 3, 32, 32) with values in [0, 1]
# and returns logits of shape (N, 10). Any normalisation of the pixels must
# happen inside the model (`Normalize` below does the usual one), because the
# autograder feeds the exported model raw [0, 1] images.
#
# The autograder exports your model with `torch.export.export(model.eval(), (x,))`
# and grades the exported graph, so stick to ordinary layers and tensor
# operations in `forward` (no Python-side randomness, no numpy, no data-dependent
# control flow).
#
# A reminder of the shapes: a 3×3 convolution with padding 1 and stride 1 keeps
# H×W (⌊(H + 2·1 − 3)/1⌋ + 1 = H); `nn.MaxPool2d(2)` halves it.


import torch
from torch import nn

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)


class Normalize(nn.Module):
    """x ↦ (x − mean[c]) / std[c] per colour channel c, for images in [0, 1] (given code)."""

    def __init__(self, mean=CIFAR10_MEAN, std=CIFAR10_STD):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


class Scale(nn.Module):
    """x ↦ factor · x (given code); handy to shrink the logits of a classifier head."""

    def __init__(self, factor):
        super().__init__()
        self.factor = float(factor)

    def forward(self, x):
        return x * self.factor


def build_model():
    """Return a fresh, untrained ``torch.nn.Module`` for CIFAR-10.

    What it must do: take float32 images (N, 3, 32, 32) with values in [0, 1] and
    return logits (N, 10), normalising the pixels itself (the autograder feeds the
    exported model raw [0, 1] images); use ≥ 7 ``nn.Conv2d``, 1 to 3 ``nn.Linear``,
    and ``nn.BatchNorm2d``, ``nn.MaxPool2d`` and ``nn.Dropout`` in ``forward``
    (check with ``constraints.check_architecture(build_model())``); and export with
    ``torch.export.export(model.eval(), (x,))``.

    A proven pattern: conv 3×3 (padding 1) → BatchNorm → ReLU, in groups that end
    with a 2×2 max pool, the number of channels growing as the image shrinks,
    then a global pooling, dropout, and one linear layer to the 10 classes.
    """
    # An airbench-style network (Keller Jordan, 2024), narrowed for a 2-core CPU:
    # a 2×2 "patch whitening" convolution (train.py sets its weights from the
    # data and freezes them, and picks its stride: 1, or 2 for short budgets),
    # then three groups of conv → max pool → BN → GELU → conv → BN → GELU, a
    # global max pool, dropout and a scaled linear head. 7 convolutions, 1 linear layer.
    from collections import OrderedDict

    widths = (32, 64, 128)
    whiten_channels = 24

    class TestTimeAveraged(nn.Sequential):
        """In evaluation mode, a weighted average of the logits of six views of each image.

        The views: the image, and the image shifted by one pixel up-left and down-right
        (the border filled by reflection), each also mirrored; the logits are averaged
        with weights 1/4 for the image and its mirror, 1/8 for each of the other four
        (airbench's test-time augmentation). It lives inside ``forward``, so it is part of
        the exported graph the autograder grades: one batch of 6N images through the same
        layers. It costs six times the evaluation time and no training time. Measured
        (seed 0), test accuracy with no averaging / the mirror only / the six views:
        600 s run 85.7 / 86.6 / 87.0 %, 15 s run 63.1 / 64.0 / 65.2 %. In training mode
        ``forward`` is plain.
        """

        def forward(self, x):
            if self.training:
                return super().forward(x)
            n = len(x)
            padded = nn.functional.pad(x, (1, 1, 1, 1), mode="reflect")      # (N, 3, 34, 34)
            views = torch.cat([x, padded[:, :, :-2, :-2], padded[:, :, 2:, 2:]])
            logits = super().forward(torch.cat([views, views.flip(-1)])).view(6, n, -1)
            return (2 * (logits[0] + logits[3]) + logits[1] + logits[2] + logits[4] + logits[5]) / 8

    def group(c_in, c_out):
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.MaxPool2d(2),
            nn.BatchNorm2d(c_out, momentum=0.4),
            nn.GELU(),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out, momentum=0.4),
            nn.GELU(),
        ]

    layers = OrderedDict(
        normalize=Normalize(),
        whiten=nn.Conv2d(3, whiten_channels, 2),       # 32×32 → 31×31 (stride 2: → 16×16)
        whiten_act=nn.GELU(),
        features=nn.Sequential(
            *group(whiten_channels, widths[0]),        # 31 → 15 (16 → 8)
            *group(widths[0], widths[1]),              # 15 → 7  (8 → 4)
            *group(widths[1], widths[2]),              # 7 → 3   (4 → 2)
        ),
        pool=nn.AdaptiveMaxPool2d(1),                  # 3 → 1   (2 → 1)
        flatten=nn.Flatten(),
        dropout=nn.Dropout(0.1),
        head=nn.Linear(widths[2], 10, bias=False),
        scale=Scale(1 / 9),
    )
    return TestTimeAveraged(layers)
