"""Public tests for pool.py: MaxPool2D and AvgPool2D."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checks import assert_close, assert_gradient_close, assert_shape, numerical_gradient
from pool import AvgPool2D, MaxPool2D

LECTURE = np.array([[1, 3, 2, 1],
                    [2, 9, 1, 1],
                    [1, 3, 2, 3],
                    [5, 6, 1, 2]], dtype=np.float64)[None, None]
MAX = "out[n,c,i,j] = max_{p,q<K} x[n,c,i·S+p, j·S+q], K = kernel_size, S = stride"
AVG = "out[n,c,i,j] = (1/K²) Σ_p Σ_q x[n,c,i·S+p, j·S+q], K = kernel_size, S = stride"

# (shape, kernel_size, stride)
CASES = [((2, 3, 4, 4), 2, 2), ((1, 2, 6, 4), 2, 2), ((2, 2, 7, 5), 3, 2), ((1, 3, 5, 6), 2, 1)]


@pytest.mark.maxpool2d
def test_lecture_example_max():
    assert_close(MaxPool2D(2, 2).forward(LECTURE), np.array([[[[9, 2], [6, 3]]]], dtype=np.float64),
                 "MaxPool2D.forward on the lecture's 4×4 example", MAX)


@pytest.mark.avgpool2d
def test_lecture_example_average():
    assert_close(AvgPool2D(2, 2).forward(LECTURE), np.array([[[[3.75, 1.25], [3.75, 2.0]]]]),
                 "AvgPool2D.forward on the lecture's 4×4 example", AVG)


# (layer class, torch's function, formula): one case per task, each with its marker.
LAYERS = [
    pytest.param(MaxPool2D, F.max_pool2d, MAX, id="MaxPool2D", marks=pytest.mark.maxpool2d),
    pytest.param(AvgPool2D, F.avg_pool2d, AVG, id="AvgPool2D", marks=pytest.mark.avgpool2d),
]


@pytest.mark.parametrize("layer_class, torch_pool, formula", LAYERS)
@pytest.mark.parametrize("shape, kernel_size, stride", CASES, ids=str)
def test_forward_matches_torch(layer_class, torch_pool, formula, shape, kernel_size, stride):
    x = np.random.default_rng(0).standard_normal(shape)
    name = f"{layer_class.__name__}(kernel_size={kernel_size}, stride={stride}).forward"
    expected_shape = (shape[0], shape[1], (shape[2] - kernel_size) // stride + 1,
                      (shape[3] - kernel_size) // stride + 1)
    out = layer_class(kernel_size=kernel_size, stride=stride).forward(x)
    assert_shape(out, expected_shape, f"{name}, H' = ⌊(H − kernel_size)/stride⌋ + 1")
    assert_close(out, torch_pool(torch.from_numpy(x), kernel_size, stride).numpy(),
                 f"{name} vs torch.nn.functional.{torch_pool.__name__}", formula)


@pytest.mark.parametrize("layer_class, torch_pool, formula", LAYERS)
@pytest.mark.parametrize("shape, kernel_size, stride", CASES, ids=str)
def test_backward_matches_centred_differences(layer_class, torch_pool, formula, shape, kernel_size, stride):
    # Random normal inputs have no ties, so the max is differentiable at x.
    x = np.random.default_rng(1).standard_normal(shape)
    layer = layer_class(kernel_size=kernel_size, stride=stride)
    dout = np.random.default_rng(2).standard_normal(layer.forward(x).shape)
    dx = layer.backward(dout)
    name = f"{layer_class.__name__}(kernel_size={kernel_size}, stride={stride}).backward"
    assert_gradient_close(dx, numerical_gradient(lambda: np.sum(layer.forward(x) * dout), x), name)


@pytest.mark.maxpool2d
def test_max_backward_routes_to_the_maximum():
    layer = MaxPool2D(2, 2)
    layer.forward(LECTURE)
    dx = layer.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 1, 1], expected[0, 0, 0, 2], expected[0, 0, 3, 1], expected[0, 0, 2, 3] = 10, 20, 30, 40
    assert_close(dx, expected, "MaxPool2D.backward on the lecture's example",
                 "each dout[i, j] goes to the position of its window's maximum, 0 elsewhere")


@pytest.mark.avgpool2d
def test_average_backward_spreads_evenly():
    layer = AvgPool2D(2, 2)
    layer.forward(LECTURE)
    dx = layer.backward(np.array([[[[4.0, 8.0], [12.0, 16.0]]]]))
    expected = np.kron(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2)))[None, None]
    assert_close(dx, expected, "AvgPool2D.backward on the lecture's example",
                 "dx[n,c,i·S+p, j·S+q] += dout[n,c,i,j] / K², K = kernel_size")
