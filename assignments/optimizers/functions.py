"""Two-dimensional test functions for watching optimizers move.

Each function takes points ``p`` of shape (..., 2) -- one point (2,) or a whole grid
(H, W, 2) for contour plots -- and returns f(p) of shape (...). Its gradient takes the
same points and returns an array of p's shape.

- ``valley``:     f(x, y) = ½(a·x² + b·y²) with a = 0.1, b = 4: an elongated valley,
                  40 times steeper across (y) than along (x).
- ``saddle``:     f(x, y) = ½x² + ¼y⁴ − ½y²: a saddle point at the origin between two
                  minima at (0, ±1), f = −¼.
- ``rosenbrock``: f(x, y) = (1 − x)² + 100·(y − x²)²: a curved, narrow valley with its
                  minimum at (1, 1), f = 0.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

VALLEY_A, VALLEY_B = 0.1, 4.0


def valley(p):
    """f(x, y) = ½(a·x² + b·y²), a = 0.1, b = 4."""
    p = np.asarray(p, dtype=float)
    return 0.5 * (VALLEY_A * p[..., 0] ** 2 + VALLEY_B * p[..., 1] ** 2)


def valley_grad(p):
    """∇f = (a·x, b·y)."""
    p = np.asarray(p, dtype=float)
    return np.stack([VALLEY_A * p[..., 0], VALLEY_B * p[..., 1]], axis=-1)


def saddle(p):
    """f(x, y) = ½x² + ¼y⁴ − ½y²."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2


def saddle_grad(p):
    """∇f = (x, y³ − y)."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return np.stack([x, y**3 - y], axis=-1)


def rosenbrock(p):
    """f(x, y) = (1 − x)² + 100·(y − x²)²."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p):
    """∇f = (−2(1 − x) − 400·x·(y − x²),  200·(y − x²))."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


@dataclass(frozen=True)
class Surface:
    """A test function with what is needed to run and draw an experiment on it."""

    name: str
    f: Callable
    grad: Callable
    start: tuple      # where every optimizer starts
    f_min: float      # the lowest value of f
    xlim: tuple       # plotting window
    ylim: tuple


SURFACES = {
    "valley": Surface("elongated valley", valley, valley_grad,
                      start=(-9.0, 1.5), f_min=0.0, xlim=(-10, 2), ylim=(-2.5, 2.5)),
    "saddle": Surface("saddle", saddle, saddle_grad,
                      start=(2.0, 1e-3), f_min=-0.25, xlim=(-1, 2.5), ylim=(-1.6, 1.6)),
    "rosenbrock": Surface("Rosenbrock", rosenbrock, rosenbrock_grad,
                          start=(-1.2, 1.0), f_min=0.0, xlim=(-2, 2), ylim=(-1, 3)),
}
