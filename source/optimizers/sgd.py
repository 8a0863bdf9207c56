# %%
"""Gradient descent, and SGD when the gradient comes from a mini-batch.

    x ← x − α·g(x)

α is the learning rate and g(x) the gradient of the loss at the current point.
"""

# %% nbgrader={"grade": false, "grade_id": "sgd", "locked": false, "schema_version": 3, "solution": true, "task": false}
class SGD:
    """Plain (stochastic) gradient descent.

    Hyper-parameter:
        lr (α): learning rate, default 0.01.

    SGD keeps no state: each step only looks at the gradient where it stands.
    """

    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, x, grad_fn):
        """Take one step from ``x`` and return the new point.

        x ← x − α·g(x)

        x:       ndarray of any shape, the current parameters. Do not modify it.
        grad_fn: function; ``grad_fn(p)`` returns the gradient at ``p`` (same shape as x).
        Returns a new ndarray of x's shape.
        """
        ### BEGIN SOLUTION
        return x - self.lr * grad_fn(x)
        ### END SOLUTION
