"""Activation functions and their derivatives.

Every activation is a small class with three methods:

- ``forward(x)``    computes ``a = f(x)`` elementwise and caches what ``backward`` needs;
- ``derivative(x)`` returns the local slope ``f'(x)`` elementwise (no caching);
- ``backward(dout)`` applies the chain rule: given ``dout = dL/da`` it returns
  ``dL/dx = dout * f'(x)`` for the ``x`` of the last ``forward`` call.

Arrays keep their shape and their floating dtype: float32 in, float32 out.

Convention at the kink x = 0: the "positive branch" is ``x > 0``, so
ReLU'(0) = 0, LeakyReLU'(0) = alpha and ELU'(0) = alpha.

``Maxout`` is different: it is a layer with parameters (k affine pieces) and keeps
``params`` and, after ``backward``, ``grads``, like ``layers.Linear``.
"""
import numpy as np


class Sigmoid:
    """σ(x) = 1 / (1 + exp(-x)), squashing any real number into (0, 1).

    Cached by ``forward`` for ``backward``: ``self.out``, the output σ(x).
    """

    def forward(self, x):
        """σ(x) = 1 / (1 + exp(-x)), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype.
        Caches the output ``self.out = σ(x)``: the derivative is built from it.

        Numerically stable: exp(-x) overflows for x = -1000. Use only exp(-|x|),
        which lies in (0, 1]:  for x >= 0, σ(x) = 1 / (1 + exp(-|x|));
        for x < 0, σ(x) = exp(-|x|) / (1 + exp(-|x|)).  σ(1000) must be 1.0 and
        σ(-1000) must be 0.0, with no overflow warning.
        """
        z = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
        return self.out

    def derivative(self, x):
        """σ'(x) = σ(x) · (1 - σ(x)), elementwise; its largest value is σ'(0) = 1/4.

        x: array of any shape. Returns an array of the same shape and dtype.
        Must not change the cache of the last ``forward`` call
        (hint: ``Sigmoid().forward(x)`` uses a fresh instance).
        """
        s = Sigmoid().forward(x)
        return s * (1 - s)

    def backward(self, dout):
        """dL/dx = dout · σ(x)(1 - σ(x)), using the cached output σ(x).

        dout: dL/da, same shape as the last ``forward`` input. Returns dL/dx.
        """
        return dout * self.out * (1 - self.out)


class Tanh:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), squashing into (-1, 1), centred at 0.

    Cached by ``forward`` for ``backward``: ``self.out``, the output tanh(x).
    """

    def forward(self, x):
        """tanh(x), elementwise (``np.tanh`` is stable for any x).

        x: array of any shape. Returns an array of the same shape and dtype.
        Caches the output ``self.out = tanh(x)``.
        """
        self.out = np.tanh(x)
        return self.out

    def derivative(self, x):
        """tanh'(x) = 1 - tanh(x)², elementwise; its largest value is tanh'(0) = 1.

        x: array of any shape. Returns an array of the same shape and dtype.
        """
        return 1 - np.tanh(x) ** 2

    def backward(self, dout):
        """dL/dx = dout · (1 - tanh(x)²), using the cached output tanh(x).

        dout: dL/da, same shape as the last ``forward`` input. Returns dL/dx.
        """
        return dout * (1 - self.out ** 2)


class ReLU:
    """ReLU(x) = max(0, x).

    Cached by ``forward`` for ``backward``: ``self.x``, the input.
    """

    def forward(self, x):
        """ReLU(x) = max(0, x), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype.
        Caches the input ``self.x``.
        """
        self.x = x
        return np.maximum(x, 0)

    def derivative(self, x):
        """ReLU'(x) = 1 if x > 0 else 0 (so ReLU'(0) = 0), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype as x
        (not booleans).
        """
        return (x > 0).astype(x.dtype)

    def backward(self, dout):
        """dL/dx = dout · ReLU'(x) for the cached input x: the gradient passes where x > 0
        and is blocked elsewhere.

        dout: dL/da, same shape as the last ``forward`` input. Returns dL/dx.
        """
        return dout * self.derivative(self.x)


class LeakyReLU:
    """LeakyReLU(x) = x if x > 0 else alpha · x, a small slope instead of a dead zero.

    alpha: the slope below zero, default 0.01.
    Cached by ``forward`` for ``backward``: ``self.x``, the input.
    """

    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, x):
        """LeakyReLU(x) = x if x > 0 else alpha · x, elementwise.

        x: array of any shape. Returns an array of the same shape and dtype.
        Caches the input ``self.x``.
        """
        self.x = x
        return np.where(x > 0, x, self.alpha * x)

    def derivative(self, x):
        """LeakyReLU'(x) = 1 if x > 0 else alpha (so LeakyReLU'(0) = alpha), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype as x.
        """
        ones = np.ones_like(x)
        return np.where(x > 0, ones, self.alpha * ones)

    def backward(self, dout):
        """dL/dx = dout · LeakyReLU'(x) for the cached input x.

        dout: dL/da, same shape as the last ``forward`` input. Returns dL/dx.
        """
        return dout * self.derivative(self.x)


class ELU:
    """ELU(x) = x if x > 0 else alpha · (exp(x) - 1): smooth, saturating at -alpha.

    alpha: the level -alpha it saturates at for x → -∞, default 1.
    Cached by ``forward`` for ``backward``: ``self.x``, the input.
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        """ELU(x) = x if x > 0 else alpha · (exp(x) - 1), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype.
        Caches the input ``self.x``.
        Stability: exp(x) overflows for large positive x even though that branch is
        not selected, so take exp of min(x, 0) (``np.expm1`` computes exp(x) - 1
        accurately near 0).
        """
        self.x = x
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def derivative(self, x):
        """ELU'(x) = 1 if x > 0 else alpha · exp(x) (so ELU'(0) = alpha), elementwise.

        x: array of any shape. Returns an array of the same shape and dtype as x.
        """
        return np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))

    def backward(self, dout):
        """dL/dx = dout · ELU'(x) for the cached input x.

        dout: dL/da, same shape as the last ``forward`` input. Returns dL/dx.
        """
        return dout * self.derivative(self.x)


class Maxout:
    """Maxout: the largest of k affine pieces, out = max_j (x @ W[j] + b[j]).

    Unlike the other activations it learns its own shape: with k = 2 it can
    represent ReLU (one piece zero), leaky ReLU, |x|, and more.

    params: ``W`` shape (k, in_features, out_features), ``b`` shape (k, out_features).
    grads (after ``backward``): same keys and shapes.
    Cached by ``forward`` for ``backward``: ``self.x``, the input (N, in_features), and
    ``self.argmax``, which piece won for every output (N, out_features).
    """

    def __init__(self, in_features, out_features, k=2, seed=0):
        rng = np.random.default_rng(seed)
        scale = np.sqrt(1.0 / in_features)
        self.params = {
            "W": rng.standard_normal((k, in_features, out_features)) * scale,
            "b": np.zeros((k, out_features)),
        }
        self.grads = {}

    def forward(self, x):
        """out[n, o] = max over j of z[n, j, o], where z[:, j, :] = x @ W[j] + b[j].

        x: (N, in_features). Returns (N, out_features).
        Caches the input ``self.x`` and which piece won for every output
        (``self.argmax``, shape (N, out_features)); backward needs both.
        """
        W, b = self.params["W"], self.params["b"]
        z = np.einsum("ni,kio->nko", x, W) + b[None, :, :]
        self.x = x
        self.argmax = np.argmax(z, axis=1)
        return np.max(z, axis=1)

    def backward(self, dout):
        """The max passes dout only to the piece that won; the other pieces get 0.

        With dz[n, j, o] = dout[n, o] if j == argmax[n, o] else 0:
            grads["W"][j] = x.T @ dz[:, j, :]        (k, in, out)
            grads["b"][j] = sum over n of dz[n, j, :]  (k, out)
            dx = sum over j of dz[:, j, :] @ W[j].T   (N, in)
        dout: (N, out_features). Returns dx (N, in_features) and fills ``self.grads``.
        """
        W = self.params["W"]
        k = W.shape[0]
        winner = self.argmax[:, None, :] == np.arange(k)[None, :, None]
        dz = winner * dout[:, None, :]
        self.grads["W"] = np.einsum("ni,nko->kio", self.x, dz)
        self.grads["b"] = dz.sum(axis=0)
        return np.einsum("nko,kio->ni", dz, W)
