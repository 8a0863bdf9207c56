"""A convolution layer in numpy.

A convolution slides a small filter over the image and takes a dot product at
every position. With an input ``x`` of shape (N, C, H, W) (batch, channels,
height, width) and F filters ``W`` of shape (F, C, KH, KW):

    out[n, f, i, j] = Σ_c Σ_p Σ_q x_pad[n, c, i·S + p, j·S + q] · W[f, c, p, q] + b[f]

where ``x_pad`` is ``x`` with P rows/columns of zeros added on every side and S
is the stride. The output has shape (N, F, H', W') with

    H' = ⌊(H + 2P − KH) / S⌋ + 1        W' = ⌊(W + 2P − KW) / S⌋ + 1

Example from the lecture: a 32×32×3 image and a 5×5×3 filter, stride 1, no
padding, give a 28×28 map per filter; with padding 2 the map stays 32×32.

The layer follows the conventions of the backprop assignment's ``layers.Linear``:
``forward(x)`` caches what ``backward`` needs as named attributes of the layer
(listed in the class docstring), ``backward(dout)`` takes dL/dout and returns
dL/dx, and the parameters live in ``self.params`` with their gradients, after
``backward``, in ``self.grads`` under the same keys. The size arguments have
``torch.nn.Conv2d``'s names: ``kernel_size``, ``stride``, ``padding``.
"""
import numpy as np


def _pair(value, name):
    """Return ``(value, value)`` for an int, or the two entries of a pair."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    pair = tuple(int(v) for v in value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
    return pair


def output_size(length, kernel_size, stride=1, padding=0):
    """Output length along one axis: ⌊(length + 2·padding − kernel_size) / stride⌋ + 1."""
    return (length + 2 * padding - kernel_size) // stride + 1


class Conv2D:
    """2-D convolution (really cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    in_channels : C, channels of the input.
    out_channels : F, number of filters (channels of the output).
    kernel_size : K or (KH, KW), the filter size.
    stride : S or (SH, SW), the step between two filter positions (default 1).
    padding : P or (PH, PW), zeros added on each side of the input (default 0).
    seed : seed of the weight initialisation.

    ``params["W"]`` has shape (F, C, KH, KW), initialised with He scaling
    N(0, 2 / (C·KH·KW)); ``params["b"]`` has shape (F,), initialised to zero.
    ``grads`` (after ``backward``): ``"W"`` and ``"b"``, with the same shapes.
    ``kernel_size``, ``stride`` and ``padding`` are kept as (height, width) pairs.

    Cached by ``forward`` for ``backward``: ``self.x``, the input (N, C, H, W), and
    ``self.x_pad``, the zero-padded input (N, C, H + 2PH, W + 2PW).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        kh, kw = self.kernel_size
        rng = np.random.default_rng(seed)
        fan_in = in_channels * kh * kw
        self.params = {
            "W": rng.standard_normal((out_channels, in_channels, kh, kw)) * np.sqrt(2.0 / fan_in),
            "b": np.zeros(out_channels),
        }
        self.grads = {}

    def forward(self, x):
        """Convolve ``x`` of shape (N, C, H, W) with the filters.

        out[n, f, i, j] = Σ_c Σ_p Σ_q x_pad[n, c, i·S + p, j·S + q] · W[f, c, p, q] + b[f]

        ``x_pad`` is ``x`` with P zeros on each side of both spatial axes
        (``np.pad``). Returns ``out`` of shape (N, F, H', W') with
        H' = ⌊(H + 2P − KH) / S⌋ + 1 and W' = ⌊(W + 2P − KW) / S⌋ + 1.

        Caches the input ``self.x`` and the padded input ``self.x_pad``.
        A loop over the output positions (i, j), with a dot product over
        (c, p, q) for all n and f at once, is fast enough.
        """
        W, b = self.params["W"], self.params["b"]
        kh, kw = self.kernel_size
        sh, sw = self.stride
        ph, pw = self.padding
        n, c, h, w = x.shape
        h_out, w_out = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
        x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        out = np.empty((n, W.shape[0], h_out, w_out), dtype=np.result_type(x, W))
        for i in range(h_out):
            for j in range(w_out):
                window = x_pad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]   # (N, C, KH, KW)
                out[:, :, i, j] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
        self.x, self.x_pad = x, x_pad
        return out

    def backward(self, dout):
        """Back-propagate ``dout`` = ∂L/∂out of shape (N, F, H', W').

        From the forward formula, for every output position (n, f, i, j):

            ∂L/∂b[f]          = Σ_n Σ_i Σ_j dout[n, f, i, j]
            ∂L/∂W[f, c, p, q] = Σ_n Σ_i Σ_j dout[n, f, i, j] · x_pad[n, c, i·S + p, j·S + q]
            ∂L/∂x_pad[n, c, i·S + p, j·S + q] += Σ_f dout[n, f, i, j] · W[f, c, p, q]

        (``+=``: overlapping windows add up), with ``x_pad`` the cached ``self.x_pad``.
        ``dx`` is ``dx_pad`` with the padding cut off again. Stores ``self.grads = {"W": dW, "b": db}`` with the
        shapes of the parameters and returns ``dx`` of shape (N, C, H, W).
        """
        W = self.params["W"]
        kh, kw = self.kernel_size
        sh, sw = self.stride
        ph, pw = self.padding
        x_pad = self.x_pad
        _, _, h_out, w_out = dout.shape
        dx_pad = np.zeros_like(x_pad, dtype=np.result_type(x_pad, dout, W))
        dW = np.zeros_like(W, dtype=dx_pad.dtype)
        for i in range(h_out):
            for j in range(w_out):
                rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                d = dout[:, :, i, j]                                            # (N, F)
                dW += np.tensordot(d, x_pad[:, :, rows, cols], axes=([0], [0]))  # (F, C, KH, KW)
                dx_pad[:, :, rows, cols] += np.tensordot(d, W, axes=([1], [0]))  # (N, C, KH, KW)
        self.grads = {"W": dW, "b": dout.sum(axis=(0, 2, 3))}
        h, w = self.x.shape[2], self.x.shape[3]
        return dx_pad[:, :, ph:ph + h, pw:pw + w]
