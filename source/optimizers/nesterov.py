# %%
"""Nesterov momentum: take the gradient where the velocity is about to carry you.

Update rule, one step from the current point x:

    v ← ρ·v − α·g(x + ρ·v)      (the old v on the right-hand side)
    x ← x + v

The only change from plain momentum is where the gradient g = grad_fn is measured:
at the look-ahead point x + ρ·v instead of at x, so the step can correct itself
before it overshoots. v starts at zero.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "nesterov", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Nesterov:
    """Nesterov accelerated gradient (momentum with a look-ahead gradient).

    Hyper-parameters:
        lr (α):  learning rate, default 0.01.
        rho (ρ): momentum coefficient, default 0.9.

    State:
        v: the velocity, an ndarray of x's shape. None until the first step, whose
           first lines (given) set it to zeros; a v set before the first step is
           used as it is.
    """

    def __init__(self, lr=0.01, rho=0.9):
        self.lr = lr
        self.rho = rho
        self.v = None

    def step(self, x, grad_fn):
        """One update of ``self.v`` and x by the rule in the module docstring.

        x:       ndarray, the current point (do not modify it).
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once, at the
                 look-ahead point, not at x.
        Returns the new point, a new ndarray of x's shape.
        """
        if self.v is None:
            self.v = np.zeros_like(x)
        ### BEGIN SOLUTION
        lookahead = x + self.rho * self.v
        self.v = self.rho * self.v - self.lr * grad_fn(lookahead)
        return x + self.v
        ### END SOLUTION
