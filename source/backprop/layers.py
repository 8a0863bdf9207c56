# %%
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


# %% nbgrader={"grade": false, "grade_id": "initialisers", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return std * rng.standard_normal((fan_in, fan_out))
    ### END SOLUTION


def init_he(fan_in, fan_out, rng):
    """He (Kaiming): W ~ N(0, 2 / fan_in).

    ReLU zeroes half of its inputs, halving the variance; the factor 2 puts it back.
    Draw with ``rng.standard_normal((fan_in, fan_out))`` and scale by the std.
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / fan_in)
    return std * rng.standard_normal((fan_in, fan_out))
    ### END SOLUTION


INITIALISERS = {"small": init_small, "large": init_large, "xavier": init_xavier, "he": init_he}


# %% nbgrader={"grade": false, "grade_id": "linear", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.params["W"] + self.params["b"]
        ### END SOLUTION

    def backward(self, dout):
        """Chain rule for out = x @ W + b, with dout = dL/dout of shape (N, out_features):

            grads["W"] = x.T @ dout       (in_features, out_features)
            grads["b"] = sum of dout over the batch axis   (out_features,)
            dx         = dout @ W.T       (N, in_features)

        Returns dx and fills ``self.grads``.
        """
        ### BEGIN SOLUTION
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return dout @ self.params["W"].T
        ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "mse_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MSELoss:
    """Mean squared error, L = mean over all elements of (pred - target)².

    Cached by ``forward`` for ``backward``: ``self.diff``, pred - target.
    """

    def forward(self, pred, target):
        """L = (1 / pred.size) · Σ (pred - target)².

        pred, target: arrays of the same shape. Returns a Python float.
        Caches the difference ``self.diff = pred - target`` (its size is ``self.diff.size``).
        """
        ### BEGIN SOLUTION
        self.diff = pred - target
        return float(np.mean(self.diff ** 2))
        ### END SOLUTION

    def backward(self):
        """dL/dpred = 2 (pred - target) / pred.size, same shape as pred."""
        ### BEGIN SOLUTION
        return 2 * self.diff / self.diff.size
        ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
        ### BEGIN SOLUTION
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs = np.exp(log_probs)
        self.labels = labels
        n = logits.shape[0]
        return float(-log_probs[np.arange(n), labels].mean())
        ### END SOLUTION

    def backward(self):
        """dL/dlogits = (softmax(logits) - onehot(labels)) / N, shape (N, C)."""
        ### BEGIN SOLUTION
        n = self.probs.shape[0]
        dlogits = self.probs.copy()
        dlogits[np.arange(n), self.labels] -= 1
        return dlogits / n
        ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "batchnorm", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
        ### BEGIN SOLUTION
        if self.training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mean
            self.running_var = (1 - m) * self.running_var + m * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        self.grads["gamma"] = (dout * self.x_hat).sum(axis=0)
        self.grads["beta"] = dout.sum(axis=0)
        dx_hat = dout * self.params["gamma"]
        if not self.training:
            return dx_hat * self.inv_std
        return self.inv_std * (
            dx_hat - dx_hat.mean(axis=0) - self.x_hat * (dx_hat * self.x_hat).mean(axis=0)
        )
        ### END SOLUTION
