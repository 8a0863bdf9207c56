"""A small classification task: points on interleaved spiral arms, one arm per class."""
import numpy as np


def make_spirals(points_per_class=100, classes=3, noise=0.2, seed=0):
    """Return ``X`` of shape (points_per_class·classes, 2) and integer labels ``y``.

    Arm k holds the points r·(sin θ, cos θ) with the radius r running from 0 to 1 and
    θ = 4r + 2πk/classes plus Gaussian noise of standard deviation ``noise``.
    """
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1.0, points_per_class)
        theta = 4 * r + 2 * np.pi * k / classes + noise * rng.standard_normal(points_per_class)
        X.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))
        y.append(np.full(points_per_class, k))
    return np.concatenate(X), np.concatenate(y)
