# %%
"""Adagrad: a learning rate per coordinate, shrinking with the gradients seen so far.

    G ← G + g²
    x ← x − α·g / √(G + ε)

g = g(x) is the gradient at the current point; squares, roots and the division are
element-wise. ε sits inside the square root.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "adagrad", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Adagrad:
    """Adaptive gradient: divide each coordinate's step by its accumulated gradient size.

    Hyper-parameters:
        lr (α):  learning rate, default 0.01.
        eps (ε): keeps the division finite, default 1e-8, added inside the root.

    State:
        G: the running sum of squared gradients, an ndarray of x's shape. It is None
           until the first step, which sets it to zeros of x's shape. If G was already
           set (not None) before the first step, use it as it is: do not reset it.
    """

    def __init__(self, lr=0.01, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.G = None

    def step(self, x, grad_fn):
        """Take one step from ``x``, update ``self.G`` and return the new point.

        g = g(x)
        G ← G + g²
        x ← x − α·g / √(G + ε)       (with the updated G)

        x:       ndarray, the current parameters. Do not modify it.
        grad_fn: function; ``grad_fn(p)`` returns the gradient at ``p`` (same shape as x).
        Returns a new ndarray of x's shape.
        """
        ### BEGIN SOLUTION
        if self.G is None:
            self.G = np.zeros_like(x)
        g = grad_fn(x)
        self.G = self.G + g**2
        return x - self.lr * g / np.sqrt(self.G + self.eps)
        ### END SOLUTION
