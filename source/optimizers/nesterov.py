# %%
"""Nesterov momentum: take the gradient where the velocity is about to carry you.

    v ← ρ·v − α·g(x + ρ·v)
    x ← x + v

The only change from plain momentum is where the gradient is measured: at the
look-ahead point x + ρ·v instead of at x, so the step can correct itself before
it overshoots.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "nesterov", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Nesterov:
    """Nesterov accelerated gradient (momentum with a look-ahead gradient).

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

        v ← ρ·v − α·g(x + ρ·v)      (the old v on the right-hand side)
        x ← x + v

        x:       ndarray, the current parameters. Do not modify it.
        grad_fn: function; ``grad_fn(p)`` returns the gradient at ``p`` (same shape as x).
                 Call it at the look-ahead point, not at x.
        Returns a new ndarray of x's shape.
        """
        ### BEGIN SOLUTION
        if self.v is None:
            self.v = np.zeros_like(x)
        lookahead = x + self.rho * self.v
        self.v = self.rho * self.v - self.lr * grad_fn(lookahead)
        return x + self.v
        ### END SOLUTION
