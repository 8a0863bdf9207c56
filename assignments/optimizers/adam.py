"""Adam: momentum and RMSProp together, with a bias correction for the zero start.

Update rule, one step from the current point x, with g = grad_fn(x):

    t ← t + 1                    (first, so the first step uses t = 1)
    m ← β₁·m + (1 − β₁)·g
    v ← β₂·v + (1 − β₂)·g²
    m̂ = m / (1 − β₁ᵗ)
    v̂ = v / (1 − β₂ᵗ)
    x ← x − α·m̂ / (√v̂ + ε)

m averages the gradient (the momentum part), v averages its square (the RMSProp
part). Both start at zero and so are too small in the first steps; dividing by
1 − βᵗ undoes that. Element-wise; ε sits outside the square root.
"""
import numpy as np


class Adam:
    """Adaptive moment estimation.

    Hyper-parameters:
        lr (α):     learning rate, default 0.001.
        beta1 (β₁): decay of the gradient average m, default 0.9.
        beta2 (β₂): decay of the squared-gradient average v, default 0.999.
        eps (ε):    keeps the division finite, default 1e-8, added outside the root.

    State:
        t: the number of steps taken, an int, 0 before the first step.
        m: the moving average of the gradient, an ndarray of x's shape.
        v: the moving average of the squared gradient, an ndarray of x's shape.
        m and v are None until the first step, whose first lines (given) set each
        to zeros; m, v or t set before the first step are used as they are.
        m̂ and v̂ are not stored.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = None
        self.v = None
        self.t = 0

    def step(self, x, grad_fn):
        """One update of ``self.t``, ``self.m``, ``self.v`` and x by the rule in the
        module docstring.

        x:       ndarray, the current point (do not modify it).
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once.
        Returns the new point, a new ndarray of x's shape.
        """
        if self.m is None:
            self.m = np.zeros_like(x)
        if self.v is None:
            self.v = np.zeros_like(x)
        # YOUR CODE HERE
        raise NotImplementedError("Adam.step (adam.py) is not written yet: replace this line with your code; its docstring says what it must do")
