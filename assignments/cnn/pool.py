# # Pooling layers in numpy
#
# Pooling shrinks every channel on its own: a `size × size` window slides with
# step `stride` and is replaced by one number, its maximum (max pooling) or its
# mean (average pooling). With input `x` of shape `(N, C, H, W)` the output has
# shape `(N, C, H', W')` with
#
#     H' = ⌊(H − size) / stride⌋ + 1        W' = ⌊(W − size) / stride⌋ + 1
#
# The lecture's example, a 4×4 input with size 2 and stride 2:
#
#     1 3 2 1
#     2 9 1 1      max pooling →  9 2      average pooling →  3.75 1.25
#     1 3 2 3                     6 3                         3.75 2.0
#     5 6 1 2
#
# Pooling has no parameters, so `params` and `grads` are empty dicts.


import numpy as np


def pooled_size(size, window, stride):
    """Output length along one axis: ⌊(size − window) / stride⌋ + 1."""
    return (size - window) // stride + 1


class MaxPool2D:
    """Max pooling over ``size × size`` windows taken every ``stride`` pixels."""

    def __init__(self, size=2, stride=2):
        self.size = int(size)
        self.stride = int(stride)
        self.params, self.grads = {}, {}
        self.cache = None

    def forward(self, x):
        """out[n, c, i, j] = max over p, q < size of x[n, c, i·stride + p, j·stride + q]

        ``x`` has shape (N, C, H, W); returns shape (N, C, H', W') with
        H' = ⌊(H − size) / stride⌋ + 1 (same for W'). Cache what ``backward``
        needs in ``self.cache`` (the input is enough).
        """
        # YOUR CODE HERE
        raise NotImplementedError("MaxPool2D.forward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Route each ``dout[n, c, i, j]`` to the input pixel that was the maximum.

        ∂out[n, c, i, j] / ∂x[n, c, i·stride + p, j·stride + q] is 1 for the
        position (p, q) of the window's maximum and 0 elsewhere. When several
        pixels tie for the maximum, the first one in row-major order gets the
        gradient (as in PyTorch). Windows that overlap (stride < size) add up.
        Returns ``dx`` with the shape of the input.
        """
        # YOUR CODE HERE
        raise NotImplementedError("MaxPool2D.backward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")


class AvgPool2D:
    """Average pooling over ``size × size`` windows taken every ``stride`` pixels."""

    def __init__(self, size=2, stride=2):
        self.size = int(size)
        self.stride = int(stride)
        self.params, self.grads = {}, {}
        self.cache = None

    def forward(self, x):
        """out[n, c, i, j] = (1 / size²) · Σ_p Σ_q x[n, c, i·stride + p, j·stride + q]

        ``x`` has shape (N, C, H, W); returns shape (N, C, H', W') with
        H' = ⌊(H − size) / stride⌋ + 1 (same for W'). Cache the input shape.
        """
        # YOUR CODE HERE
        raise NotImplementedError("AvgPool2D.forward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Spread each ``dout[n, c, i, j]`` evenly over its window.

        ∂out[n, c, i, j] / ∂x[n, c, i·stride + p, j·stride + q] = 1 / size²
        for every p, q < size; windows that overlap (stride < size) add up.
        Returns ``dx`` with the shape of the input.
        """
        # YOUR CODE HERE
        raise NotImplementedError("AvgPool2D.backward (pool.py) is not written yet: replace this line with your code; its docstring says what it must do")
