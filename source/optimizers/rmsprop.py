# %%
"""RMSProp: Adagrad with a memory that fades.

Update rule, one step from the current point x, with g = grad_fn(x):

    E ← γ·E + (1 − γ)·g²
    x ← x − α·g / √(E + ε)       (with the updated E)

E is an exponential moving average of the squared gradient, so old gradients are
forgotten at rate γ and the step size does not shrink towards zero the way
Adagrad's does. Element-wise, as in Adagrad; ε sits inside the square root.
E starts at zero.
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
           None until the first step, whose first lines (given) set it to zeros;
           an E set before the first step is used as it is.
    """

    def __init__(self, lr=0.01, gamma=0.9, eps=1e-8):
        self.lr = lr
        self.gamma = gamma
        self.eps = eps
        self.E = None

    def step(self, x, grad_fn):
        """One update of ``self.E`` and x by the rule in the module docstring.

        x:       ndarray, the current point (do not modify it).
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once.
        Returns the new point, a new ndarray of x's shape.
        """
        if self.E is None:
            self.E = np.zeros_like(x)
        ### BEGIN SOLUTION
        g = grad_fn(x)
        self.E = self.gamma * self.E + (1 - self.gamma) * g**2
        return x - self.lr * g / np.sqrt(self.E + self.eps)
        ### END SOLUTION
