"""Pooling layers in numpy.

Pooling shrinks every channel on its own: a ``kernel_size × kernel_size`` window
slides with step ``stride`` and is replaced by one number, its maximum (max
pooling) or its mean (average pooling). With input ``x`` of shape (N, C, H, W)
and K = kernel_size, S = stride, the output has shape (N, C, H', W') with

    H' = ⌊(H − K) / S⌋ + 1        W' = ⌊(W − K) / S⌋ + 1

The lecture's example, a 4×4 input with kernel_size 2 and stride 2:

    1 3 2 1
    2 9 1 1      max pooling →  9 2      average pooling →  3.75 1.25
    1 3 2 3                     6 3                         3.75 2.0
    5 6 1 2

The layers follow the conventions of ``conv.py`` and the backprop assignment:
``forward(x)`` caches its input as ``self.x``, ``backward(dout)`` takes dL/dout and
returns dL/dx. Pooling has no parameters, so ``params`` and ``grads`` are empty
dicts. The arguments have ``torch.nn.MaxPool2d``'s names and defaults:
``kernel_size``, and ``stride``, which defaults to ``kernel_size``.
"""
import numpy as np


def output_size(length, kernel_size, stride):
    """Output length along one axis: ⌊(length − kernel_size) / stride⌋ + 1
    (``conv.output_size`` without padding)."""
    return (length - kernel_size) // stride + 1


class MaxPool2D:
    """Max pooling over ``kernel_size × kernel_size`` windows taken every ``stride`` pixels.

    kernel_size : K, the window's height and width (default 2).
    stride : S, the step between two windows (default: kernel_size, no overlap).

    ``params`` and ``grads`` are empty: pooling has no parameters.
    Cached by ``forward`` for ``backward``: ``self.x``, the input (N, C, H, W).
    """

    def __init__(self, kernel_size=2, stride=None):
        self.kernel_size = int(kernel_size)
        self.stride = int(kernel_size if stride is None else stride)
        self.params, self.grads = {}, {}

    def forward(self, x):
        """out[n, c, i, j] = max over p, q < K of x[n, c, i·S + p, j·S + q]

        ``x`` has shape (N, C, H, W); returns shape (N, C, H', W') with
        H' = ⌊(H − K) / S⌋ + 1 (same for W'). Caches the input ``self.x``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("MaxPool2D.forward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Route each ``dout[n, c, i, j]`` to the input pixel that was the maximum.

        ∂out[n, c, i, j] / ∂x[n, c, i·S + p, j·S + q] is 1 for the position
        (p, q) of the window's maximum in the cached input and 0 elsewhere. When
        several pixels tie for the maximum, the first one in row-major order gets
        the gradient (as in PyTorch). Windows that overlap (S < K) add up.
        Returns ``dx`` with the shape of the input.
        """
        # YOUR CODE HERE
        raise NotImplementedError("MaxPool2D.backward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")


class AvgPool2D:
    """Average pooling over ``kernel_size × kernel_size`` windows taken every ``stride`` pixels.

    kernel_size : K, the window's height and width (default 2).
    stride : S, the step between two windows (default: kernel_size, no overlap).

    ``params`` and ``grads`` are empty: pooling has no parameters.
    Cached by ``forward`` for ``backward``: ``self.x``, the input (N, C, H, W).
    """

    def __init__(self, kernel_size=2, stride=None):
        self.kernel_size = int(kernel_size)
        self.stride = int(kernel_size if stride is None else stride)
        self.params, self.grads = {}, {}

    def forward(self, x):
        """out[n, c, i, j] = (1 / K²) · Σ_p Σ_q x[n, c, i·S + p, j·S + q]   (p, q < K)

        ``x`` has shape (N, C, H, W); returns shape (N, C, H', W') with
        H' = ⌊(H − K) / S⌋ + 1 (same for W'). Caches the input ``self.x``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("AvgPool2D.forward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Spread each ``dout[n, c, i, j]`` evenly over its window.

        ∂out[n, c, i, j] / ∂x[n, c, i·S + p, j·S + q] = 1 / K² for every
        p, q < K; windows that overlap (S < K) add up.
        Returns ``dx`` with the shape of the cached input ``self.x``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("AvgPool2D.backward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")
