# %%
"""RMSProp: Adagrad with a memory that fades.

    E ← γ·E + (1 − γ)·g²
    x ← x − α·g / √(E + ε)

E is an exponential moving average of the squared gradient, so old gradients are
forgotten at rate γ and the step size does not shrink towards zero the way
Adagrad's does. ε sits inside the square root.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "rmsprop", "locked": false, "schema_version": 3, "solution": true, "task": false}
class RMSProp:
    """Root-mean-square propagation.

    Hyper-parameters:
        lr (α):    learning rate, default 0.01.
        gamma (γ): decay rate of the moving average, default 0.9.
        eps (ε):   keeps the division finite, default 1e-8, added inside the root.

    State:
        E: the moving average of squared gradients E[g²], an ndarray of x's shape.
           It is None until the first step, which sets it to zeros of x's shape. If E
           was already set (not None) before the first step, use it as it is.
    """

    def __init__(self, lr=0.01, gamma=0.9, eps=1e-8):
        self.lr = lr
        self.gamma = gamma
        self.eps = eps
        self.E = None

    def step(self, x, grad_fn):
        """Take one step from ``x``, update ``self.E`` and return the new point.

        g = g(x)
        E ← γ·E + (1 − γ)·g²
        x ← x − α·g / √(E + ε)       (with the updated E)

        x:       ndarray, the current parameters. Do not modify it.
        grad_fn: function; ``grad_fn(p)`` returns the gradient at ``p`` (same shape as x).
        Returns a new ndarray of x's shape.
        """
        ### BEGIN SOLUTION
        if self.E is None:
            self.E = np.zeros_like(x)
        g = grad_fn(x)
        self.E = self.gamma * self.E + (1 - self.gamma) * g**2
        return x - self.lr * g / np.sqrt(self.E + self.eps)
        ### END SOLUTION
