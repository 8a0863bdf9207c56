"""A multi-layer perceptron built from the pieces in ``layers.py`` and ``activations.py``.

The network is just a list of layers. ``forward`` runs them in order; ``backward``
runs them in reverse, each layer turning dL/d(its output) into dL/d(its input) and
storing its parameter gradients on the way. That is backpropagation: the chain rule
applied one layer at a time.
"""
import numpy as np

from activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from layers import BatchNorm, Linear

ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU}


class MLP:
    """An N-layer perceptron.

    ``layer_sizes = [in, h1, ..., out]``. Every hidden layer is
    Linear -> (BatchNorm if ``batchnorm``) -> activation; the last Linear has no
    activation, so ``forward`` returns raw scores (logits), ready for a loss.

    ``activation``: one of "sigmoid", "tanh", "relu", "leaky_relu", "elu".
    ``init``: one of "small", "large", "xavier", "he" (see ``layers.INITIALISERS``).
    Linear layer i is initialised with seed ``seed + i``.

    ``self.layers`` holds the layer objects in forward order and ``self.names`` their
    names: "linear0", "batchnorm0", "sigmoid0", "linear1", ... Parameters are named
    "<layer name>.<param name>", e.g. "linear0.W", "linear0.b", "batchnorm0.gamma".
    """

    def __init__(self, layer_sizes, activation="sigmoid", init="xavier", batchnorm=False, seed=0):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.layers, self.names = [], []
        n_linear = len(layer_sizes) - 1
        for i in range(n_linear):
            self._add(f"linear{i}", Linear(layer_sizes[i], layer_sizes[i + 1], init=init, seed=seed + i))
            if i < n_linear - 1:
                if batchnorm:
                    self._add(f"batchnorm{i}", BatchNorm(layer_sizes[i + 1]))
                self._add(f"{activation}{i}", ACTIVATIONS[activation]())

    def _add(self, name, layer):
        self.names.append(name)
        self.layers.append(layer)

    def forward(self, x):
        """scores = the layers applied in order to x.

        x: (N, layer_sizes[0]). Returns scores (N, layer_sizes[-1]).
        """
        # YOUR CODE HERE
        raise NotImplementedError("MLP.forward (network.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dscores):
        """Backpropagate dscores = dL/dscores, shape (N, layer_sizes[-1]), through the
        layers in reverse order: each ``backward`` returns the gradient for the layer
        before it and fills its own ``grads``.

        Returns dL/dx, shape (N, layer_sizes[0]).
        """
        # YOUR CODE HERE
        raise NotImplementedError("MLP.backward (network.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def parameters(self):
        """List of (name, array) for every parameter, in forward order."""
        return [
            (f"{name}.{key}", value)
            for name, layer in zip(self.names, self.layers)
            for key, value in getattr(layer, "params", {}).items()
        ]

    def gradients(self):
        """Dict name -> gradient array after ``backward``, with the names of ``parameters()``."""
        return {
            f"{name}.{key}": value
            for name, layer in zip(self.names, self.layers)
            for key, value in getattr(layer, "grads", {}).items()
        }

    def layer_grad_norms(self):
        """The L2 (Frobenius) norm ||dL/dW||_F = sqrt(Σ dW²) of each Linear layer's
        weight gradient, first layer first, as a list of floats. Call after ``backward``.

        In a deep sigmoid network these shrink towards the input: vanishing gradients.
        """
        # YOUR CODE HERE
        raise NotImplementedError("MLP.layer_grad_norms (network.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def train(self):
        """BatchNorm layers use batch statistics and update their running ones."""
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.training = True
        return self

    def eval(self):
        """BatchNorm layers use their running statistics."""
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.training = False
        return self
