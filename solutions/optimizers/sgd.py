"""Gradient descent, and SGD when the gradient comes from a mini-batch.

Update rule, one step from the current point x:

    x ← x − α·g(x)

α is the learning rate and g(x) = grad_fn(x) the gradient of the loss at x.
"""


class SGD:
    """Plain (stochastic) gradient descent.

    Hyper-parameter:
        lr (α): learning rate, default 0.01.

    State: none; each step only looks at the gradient where it stands.
    """

    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, x, grad_fn):
        """One update of x by the rule in the module docstring.

        x:       ndarray of any shape, the current point (do not modify it).
        grad_fn: ``grad_fn(p)`` is the gradient at ``p``; call it once.
        Returns the new point, a new ndarray of x's shape.
        """
        return x - self.lr * grad_fn(x)
