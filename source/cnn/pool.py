# %%
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


# %% nbgrader={"grade": false, "grade_id": "maxpool2d", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
        ### BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        n, c, h, w = x.shape
        h_out, w_out = output_size(h, k, s), output_size(w, k, s)
        out = np.empty((n, c, h_out, w_out), dtype=x.dtype)
        for i in range(h_out):
            for j in range(w_out):
                out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
        self.x = x
        return out
        ### END SOLUTION

    def backward(self, dout):
        """Route each ``dout[n, c, i, j]`` to the input pixel that was the maximum.

        ∂out[n, c, i, j] / ∂x[n, c, i·S + p, j·S + q] is 1 for the position
        (p, q) of the window's maximum in the cached input and 0 elsewhere. When
        several pixels tie for the maximum, the first one in row-major order gets
        the gradient (as in PyTorch). Windows that overlap (S < K) add up.
        Returns ``dx`` with the shape of the input.
        """
        ### BEGIN SOLUTION
        x = self.x
        k, s = self.kernel_size, self.stride
        n, c, _, _ = x.shape
        _, _, h_out, w_out = dout.shape
        dx = np.zeros_like(x, dtype=np.result_type(x, dout))
        rows, cols = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
        for i in range(h_out):
            for j in range(w_out):
                window = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(n, c, k * k)
                first_max = window.argmax(axis=2)                      # (N, C), row-major index
                p, q = np.divmod(first_max, k)
                np.add.at(dx, (rows, cols, i * s + p, j * s + q), dout[:, :, i, j])
        return dx
        ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "avgpool2d", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
        ### BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        n, c, h, w = x.shape
        h_out, w_out = output_size(h, k, s), output_size(w, k, s)
        out = np.empty((n, c, h_out, w_out), dtype=np.result_type(x.dtype, np.float32))
        for i in range(h_out):
            for j in range(w_out):
                out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].mean(axis=(2, 3))
        self.x = x
        return out
        ### END SOLUTION

    def backward(self, dout):
        """Spread each ``dout[n, c, i, j]`` evenly over its window.

        ∂out[n, c, i, j] / ∂x[n, c, i·S + p, j·S + q] = 1 / K² for every
        p, q < K; windows that overlap (S < K) add up.
        Returns ``dx`` with the shape of the cached input ``self.x``.
        """
        ### BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        _, _, h_out, w_out = dout.shape
        dx = np.zeros(self.x.shape, dtype=np.result_type(dout.dtype, np.float32))
        for i in range(h_out):
            for j in range(w_out):
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += dout[:, :, i, j, None, None] / (k * k)
        return dx
        ### END SOLUTION
