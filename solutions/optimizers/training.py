"""Run any optimizer of this assignment on a model with many parameter arrays.

Every optimizer here works on one vector: ``optimizer.step(x, grad_fn)`` takes the
current point ``x`` and a function returning the gradient at any point. A network has
many arrays (W1, b1, W2, ...), so this module joins them into one flat vector:

    x = concat(W1.ravel(), b1.ravel(), W2.ravel(), ...)

and ``grad_fn(x)`` writes x back into the model, runs forward and backward on the
current mini-batch and returns the gradients joined the same way. Because grad_fn can
be called at any point, Nesterov's look-ahead gradient g(x + ρ·v) is exact and no
optimizer needs to know about layers.

A model is anything with ``params`` (a list of ndarrays, updated in place),
``loss(X, y)`` returning a float, and ``loss_and_grads(X, y)`` returning
``(loss, grads)`` with grads in the order and shapes of params (see ``tiny_mlp``).
"""
import numpy as np


def flatten(arrays):
    """Join arrays into one 1-D float vector, in order."""
    return np.concatenate([np.ravel(a) for a in arrays])


def unflatten_into(x, arrays):
    """Copy consecutive slices of the vector x back into ``arrays``, in place."""
    start = 0
    for a in arrays:
        a[...] = x[start:start + a.size].reshape(a.shape)
        start += a.size
    if start != x.size:
        raise ValueError(f"vector has {x.size} entries but the arrays hold {start}")


class FlatModel:
    """A model seen as one parameter vector.

    ``get()`` returns the vector, ``set(x)`` writes it into the model, and
    ``grad_fn(X, y)`` returns the function x ↦ ∇loss(x) on that batch, as a vector.
    """

    def __init__(self, model):
        self.model = model
        self.size = sum(p.size for p in model.params)

    def get(self):
        return flatten(self.model.params)

    def set(self, x):
        unflatten_into(x, self.model.params)

    def grad_fn(self, X, y):
        def grad(x):
            self.set(x)
            _, grads = self.model.loss_and_grads(X, y)
            return flatten(grads)
        return grad


def minimize(optimizer, grad_fn, x0, steps):
    """Run ``steps`` steps from x0 and return the trajectory, shape (steps + 1, *x0.shape).

    Row 0 is x0; row k is the point after k steps.
    """
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = optimizer.step(x, grad_fn)
        path.append(x)
    return np.array(path)


def train(model, optimizer, X, y, steps, batch_size=32, seed=0):
    """Train ``model`` in place for ``steps`` mini-batch steps and return the loss curve.

    Each step draws a mini-batch (the same sequence for every optimizer, given ``seed``)
    and calls ``optimizer.step`` once on the flat parameter vector. Returns an array of
    steps + 1 losses on the whole of (X, y): before training and after every step.
    """
    rng = np.random.default_rng(seed)
    flat = FlatModel(model)
    x = flat.get()
    losses = [model.loss(X, y)]
    for _ in range(steps):
        batch = rng.choice(len(X), size=min(batch_size, len(X)), replace=False)
        x = optimizer.step(x, flat.grad_fn(X[batch], y[batch]))
        flat.set(x)               # grad_fn may have left the model at a look-ahead point
        losses.append(model.loss(X, y))
    return np.array(losses)
