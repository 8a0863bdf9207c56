"""Adagrad: a learning rate per coordinate, shrinking with the gradients seen so far.

Update rule, one step from the current point x, with g = grad_fn(x):

    G ← G + g²
    x ← x − α·g / √(G + ε)       (with the updated G)

Squares, roots and the division are element-wise; ε sits inside the square root.
G starts at zero.
"""
import numpy as np


class Adagrad:
    """Adaptive gradient: divide each coordinate's step by its accumulated gradient size.

    Hyper-parameters:
        lr (α):  learning rate, default 0.01.
        eps (ε): keeps the division finite, default 1e-8, added inside the root.

    State:
        G: the running sum of squared gradients, an ndarray of x's shape. None until
           the first step, whose first lines (given) set it to zeros; a G set before
           the first step is used as it is.
    """

    def __init__(self, lr=0.01, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.G = None

    def step(self, x, grad_fn):
        """One update of ``self.G`` and x by the rule in the module docstring.

        x:       ndarray, the current point (do not modify it).
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once.
        Returns the new point, a new ndarray of x's shape.
        """
        if self.G is None:
            self.G = np.zeros_like(x)
        g = grad_fn(x)
        self.G = self.G + g**2
        return x - self.lr * g / np.sqrt(self.G + self.eps)
