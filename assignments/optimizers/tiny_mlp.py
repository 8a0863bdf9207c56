"""A tiny multi-layer perceptron with its own backward pass, to train with the optimizers.

    h₀ = X,   hᵢ = tanh(hᵢ₋₁·Wᵢ + bᵢ) for the hidden layers,   z = h·W_last + b_last
    loss = mean over the batch of −log softmax(z)[label]

Its parameters are a list of arrays ``params = [W1, b1, W2, b2, ...]``;
``loss_and_grads`` returns the gradients in the same order and shapes. The
``training`` module joins them into one vector for the optimizers.
"""
import numpy as np


class TinyMLP:
    """Fully connected tanh network with a softmax cross-entropy loss.

    sizes: layer widths from input to output, e.g. (2, 16, 16, 3).
    Weights are drawn from N(0, 1/fan_in) (Xavier-like), biases start at zero.
    """

    def __init__(self, sizes=(2, 16, 16, 3), seed=0):
        rng = np.random.default_rng(seed)
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.params.append(rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in))
            self.params.append(np.zeros(fan_out))

    def _forward(self, X):
        """Return the logits (N, classes) and every layer's input, kept for backward."""
        inputs = []
        h = X
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            W, b = self.params[2 * i], self.params[2 * i + 1]
            inputs.append(h)
            z = h @ W + b
            h = np.tanh(z) if i < n_layers - 1 else z
        return h, inputs

    def forward(self, X):
        """Logits of shape (N, classes) for inputs X of shape (N, sizes[0])."""
        return self._forward(X)[0]

    @staticmethod
    def _softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def loss(self, X, y):
        """Mean softmax cross-entropy of the labels y (N,) under the logits of X."""
        p = self._softmax(self.forward(X))
        return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-300)))

    def accuracy(self, X, y):
        return float(np.mean(self.forward(X).argmax(axis=1) == y))

    def loss_and_grads(self, X, y):
        """Return the mean loss and the list of gradients, one per array in ``params``."""
        logits, inputs = self._forward(X)
        n = len(y)
        p = self._softmax(logits)
        loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-300)))
        dz = p
        dz[np.arange(n), y] -= 1
        dz /= n                                     # ∂loss/∂logits = (softmax − one_hot) / N
        grads = [None] * len(self.params)
        for i in reversed(range(len(self.params) // 2)):
            W = self.params[2 * i]
            h = inputs[i]
            grads[2 * i] = h.T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i > 0:
                dz = (dz @ W.T) * (1 - h**2)        # h = tanh(previous z), tanh' = 1 − tanh²
        return loss, grads
