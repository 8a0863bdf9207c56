# %%
"""Momentum: a velocity that remembers past gradients.

Update rule, one step from the current point x:

    v ← ρ·v − α·g(x)
    x ← x + v

ρ is how much of the previous velocity survives a step (0.9: roughly the last ten
gradients count), α the learning rate, g(x) = grad_fn(x), and v starts at zero.
"""
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "momentum", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Momentum:
    """Gradient descent with momentum (the "heavy ball").

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
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once.
        Returns the new point, a new ndarray of x's shape.
        """
        if self.v is None:
            self.v = np.zeros_like(x)
        ### BEGIN SOLUTION
        self.v = self.rho * self.v - self.lr * grad_fn(x)
        return x + self.v
        ### END SOLUTION
