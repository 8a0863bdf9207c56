"""Inverted dropout in numpy.

During training, dropout switches off each unit at random with probability ``p``
(the probability of DROPPING, as in ``torch.nn.Dropout``), so the network cannot
rely on any single unit. *Inverted* dropout scales the units it keeps by
1 / (1 − p), so the expected value of every unit is unchanged:

    mask[k] ~ Bernoulli(1 − p)           (1 = keep, 0 = drop)
    out[k]  = x[k] · mask[k] / (1 − p)   E[out[k]] = x[k]

At test time (``training = False``) the layer does nothing: out = x. Because of
the scaling during training, no correction is needed at test time.

The layer follows the conventions of ``conv.py`` and the backprop assignment:
``forward(x)`` caches what ``backward`` needs as a named attribute (``self.mask``),
``backward(dout)`` takes dL/dout and returns dL/dx; ``params`` and ``grads`` are
empty dicts.
"""
import numpy as np


class Dropout:
    """Inverted dropout that drops each unit with probability ``p``.

    p : the probability of dropping a unit, in [0, 1) (default 0.5).
    seed : seeds the layer's own random generator ``self.rng``, so two layers
        built with the same seed draw the same masks.

    ``training`` (default True) selects the behaviour; set it to False for
    evaluation. ``params`` and ``grads`` are empty: dropout has no parameters.
    Cached by ``forward`` (in training) for ``backward``: ``self.mask``, the keep
    mask, 0s and 1s (or booleans) with the shape of x.
    """

    def __init__(self, p=0.5, seed=0):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}")
        self.p = float(p)
        self.training = True
        self.rng = np.random.default_rng(seed)
        self.params, self.grads = {}, {}
        self.mask = None

    def forward(self, x):
        """Training: out = x · mask / (1 − p), with mask[k] = 1 with probability 1 − p, else 0.

        Draw the mask with ``self.rng`` (for example ``self.rng.random(x.shape) >= p``),
        keep it in ``self.mask`` (an array of 0s and 1s, or booleans, with the shape
        of ``x``) for ``backward``, and return ``out`` with the shape of ``x``.
        Evaluation (``self.training`` is False): return ``x`` unchanged.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Dropout.forward (dropout.py) is not written yet: replace this line with your code; its docstring says what it must do")

    def backward(self, dout):
        """dx = dout · mask / (1 − p) in training (the same mask as the forward pass).

        In evaluation the layer is the identity, so dx = dout.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Dropout.backward (dropout.py) is not written yet: replace this line with your code; its docstring says what it must do")
