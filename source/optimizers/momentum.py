# %%
"""Momentum: a velocity that remembers past gradients.

    v ← ρ·v − α·g(x)
    x ← x + v

ρ is how much of the previous velocity survives a step (0.9: roughly the last ten
gradients count), α the learning rate, and v starts at zero.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "momentum", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Momentum:
    """Gradient descent with momentum (the "heavy ball").

    Hyper-parameters:
        lr (α):  learning rate, default 0.01.
        rho (ρ): momentum coefficient, default 0.9.

    State:
        v: the velocity, an ndarray of x's shape. It is None until the first step,
           which sets it to zeros of x's shape. If v was already set (not None)
           before the first step, use it as it is: do not reset it.
    """

    def __init__(self, lr=0.01, rho=0.9):
        self.lr = lr
        self.rho = rho
        self.v = None

    def step(self, x, grad_fn):
        """Take one step from ``x``, update ``self.v`` and return the new point.

        v ← ρ·v − α·g(x)
        x ← x + v

        x:       ndarray, the current parameters. Do not modify it.
        grad_fn: function; ``grad_fn(p)`` returns the gradient at ``p`` (same shape as x).
        Returns a new ndarray of x's shape.
        """
        ### BEGIN SOLUTION
        if self.v is None:
            self.v = np.zeros_like(x)
        self.v = self.rho * self.v - self.lr * grad_fn(x)
        return x + self.v
        ### END SOLUTION
