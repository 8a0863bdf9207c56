"""Layers with parameters, losses, and weight initialisers.

Conventions (the same as in ``activations.py``):

- arrays are numpy, batch first: ``x`` has shape (N, features);
- ``forward(...)`` caches what ``backward`` needs as named attributes of the instance
  (``self.x``, ...), listed in each class docstring;
- ``backward(dout)`` takes dL/d(output) and returns dL/d(input);
- a layer with parameters keeps them in ``self.params`` (name -> array) and, after
  ``backward``, their gradients in ``self.grads`` (same names, same shapes).

A parameter is used by every example of the batch, so its gradient is the *sum* of
the per-example contributions: where several paths meet, gradients add up.
"""
import numpy as np


# Weight initialisers. Each returns a float64 array of shape (fan_in, fan_out) drawn
# from N(0, std²) with the numpy.random.Generator it is given: same seed, same weights.
def init_small(fan_in, fan_out, rng):
    """W ~ N(0, 0.01²): tiny weights. Signals and gradients shrink layer after layer."""
    return 0.01 * rng.standard_normal((fan_in, fan_out))


def init_large(fan_in, fan_out, rng):
    """W ~ N(0, 1): large weights. Sums over fan_in inputs grow like sqrt(fan_in),
    saturating sigmoid/tanh and blowing up ReLU networks."""
    return rng.standard_normal((fan_in, fan_out))


def init_xavier(fan_in, fan_out, rng):
    """Xavier/Glorot: W ~ N(0, 2 / (fan_in + fan_out)).

    Keeps the variance of activations (forward) and of gradients (backward) about
    constant for activations that are roughly linear around 0 (tanh, sigmoid).
    Draw with ``rng.standard_normal((fan_in, fan_out))`` and scale by the std.
    """
    # YOUR CODE HERE
    raise NotImplementedError("init_xavier (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")


def init_he(fan_in, fan_out, rng):
    """He (Kaiming): W ~ N(0, 2 / fan_in).

    ReLU zeroes half of its inputs, halving the variance; the factor 2 puts it back.
    Draw with ``rng.standard_normal((fan_in, fan_out))`` and scale by the std.
    """
    # YOUR CODE HERE
    raise NotImplementedError("init_he (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")


INITIALISERS = {"small": init_small, "large": init_large, "xavier": init_xavier, "he": init_he}


class Linear:
    """Fully connected layer: out = x @ W + b.

    params: ``W`` shape (in_features, out_features) from ``INITIALISERS[init]``,
    ``b`` shape (out_features,), zeros.
    grads (after ``backward``): same keys and shapes.
    Cached by ``forward`` for ``backward``: ``self.x``, the input (N, in_features).
    """

    def __init__(self, in_features, out_features, init="he", seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W": INITIALISERS[init](in_features, out_features, rng),
            "b": np.zeros(out_features),
        }
        self.grads = {}

    def forward(self, x):
        """out = x @ W + b.

        x: (N, in_features). Returns (N, out_features). Caches the input ``self.x``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Linear.forward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Chain rule for out = x @ W + b, with dout = dL/dout of shape (N, out_features):

            grads["W"] = x.T @ dout       (in_features, out_features)
            grads["b"] = sum of dout over the batch axis   (out_features,)
            dx         = dout @ W.T       (N, in_features)

        Returns dx and fills ``self.grads``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Linear.backward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")


class MSELoss:
    """Mean squared error, L = mean over all elements of (pred - target)².

    Cached by ``forward`` for ``backward``: ``self.diff``, pred - target.
    """

    def forward(self, pred, target):
        """L = (1 / pred.size) · Σ (pred - target)².

        pred, target: arrays of the same shape. Returns a Python float.
        Caches the difference ``self.diff = pred - target`` (its size is ``self.diff.size``).
        """
        # YOUR CODE HERE
        raise NotImplementedError("MSELoss.forward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self):
        """dL/dpred = 2 (pred - target) / pred.size, same shape as pred."""
        # YOUR CODE HERE
        raise NotImplementedError("MSELoss.backward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")


class SoftmaxCrossEntropy:
    """Softmax followed by the negative log-likelihood of the true class, averaged.

    Cached by ``forward`` for ``backward``: ``self.probs``, softmax(logits) (N, C), and
    ``self.labels`` (N,).
    """

    def forward(self, logits, labels):
        """L = (1/N) Σ_n -log softmax(logits[n])[labels[n]],
        softmax(s)_c = exp(s_c) / Σ_c' exp(s_c').

        logits: (N, C) scores. labels: (N,) integers in [0, C). Returns a Python float.
        Stability: subtract each row's maximum first (softmax does not change, and
        exp no longer overflows), then log softmax = shifted - log Σ exp(shifted).
        Caches the probabilities ``self.probs`` and the labels ``self.labels``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("SoftmaxCrossEntropy.forward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self):
        """dL/dlogits = (softmax(logits) - onehot(labels)) / N, shape (N, C)."""
        # YOUR CODE HERE
        raise NotImplementedError("SoftmaxCrossEntropy.backward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")


class BatchNorm:
    """Batch Normalisation over the batch axis of (N, D) inputs.

    Training mode (``training=True``), per feature:
        μ = mean of x over the batch,  σ² = mean of (x - μ)² (biased variance),
        x̂ = (x - μ) / sqrt(σ² + eps),  out = γ · x̂ + β,
    and the running statistics move towards the batch ones:
        running_mean ← (1 - momentum) · running_mean + momentum · μ
        running_var  ← (1 - momentum) · running_var  + momentum · σ²
    (σ² is the biased batch variance here too; PyTorch uses the unbiased one,
    σ² · N / (N - 1), for its running_var.)

    Eval mode (``training=False``) uses running_mean and running_var instead of
    μ and σ², and does not update them.

    params: ``gamma`` (D,) ones, ``beta`` (D,) zeros; grads (after ``backward``): same keys.
    Cached by ``forward`` for ``backward``: ``self.x_hat``, x̂ (N, D), and ``self.inv_std``,
    1 / sqrt(σ² + eps) (D,) of the statistics used (batch or running).
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        self.momentum = momentum
        self.eps = eps
        self.params = {"gamma": np.ones(num_features), "beta": np.zeros(num_features)}
        self.grads = {}
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True

    def forward(self, x):
        """out = γ · (x - μ) / sqrt(σ² + eps) + β, per feature (see the class docstring).

        x: (N, D). Returns (N, D).
        Training mode: batch statistics, updates the running statistics.
        Eval mode: running statistics, no update.
        Caches ``self.x_hat`` = x̂ and ``self.inv_std`` = 1 / sqrt(σ² + eps).
        """
        # YOUR CODE HERE
        raise NotImplementedError("BatchNorm.forward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """Gradients of out = γ · x̂ + β, with dout of shape (N, D):

            grads["gamma"] = Σ_n dout · x̂        grads["beta"] = Σ_n dout

        In training mode μ and σ² depend on every x in the batch, so x reaches the
        output along three paths (directly, through μ, through σ²) and the three
        gradients add up. With dx̂ = dout · γ and sums over the batch axis:

            dx = (1 / sqrt(σ² + eps)) · (dx̂ - mean_n(dx̂) - x̂ · mean_n(dx̂ · x̂))

        In eval mode the statistics are constants: dx = dx̂ / sqrt(running_var + eps).
        Returns dx (N, D) and fills ``self.grads``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("BatchNorm.backward (layers.py) is not written yet: replace this line with your code; its docstring says what it must do")
