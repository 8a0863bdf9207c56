"""Public tests for conv.py: Conv2D.forward and Conv2D.backward."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checks import assert_close, assert_gradient_close, assert_shape, numerical_gradient
from conv import Conv2D

FORWARD = "out[n,f,i,j] = Σ_c Σ_p Σ_q x_pad[n,c,i·S+p,j·S+q]·W[f,c,p,q] + b[f]"
SIZE = "H' = ⌊(H + 2P − KH)/S⌋ + 1, W' = ⌊(W + 2P − KW)/S⌋ + 1"

# (N, C, H, W, F, kernel_size, stride, padding)
CASES = [
    (2, 3, 5, 5, 4, 3, 1, 0),
    (2, 3, 5, 5, 4, 3, 1, 1),
    (1, 2, 7, 6, 3, 3, 2, 1),
    (2, 2, 6, 5, 3, (2, 3), 1, 2),
    (1, 3, 8, 8, 2, 5, 1, 2),
]


def make_layer(n, c, h, w, f, k, s, p, seed=0):
    layer = Conv2D(c, f, k, stride=s, padding=p, seed=seed)
    rng = np.random.default_rng(seed + 1)
    layer.params["b"] = rng.standard_normal(f)
    x = rng.standard_normal((n, c, h, w))
    return layer, x


def torch_conv(layer, x, s, p):
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(layer.params["W"]),
                    torch.from_numpy(layer.params["b"]), stride=s, padding=p).numpy()


@pytest.mark.conv2d
def test_forward_by_hand():
    # One 3×3 image, one 2×2 filter of ones, bias 0.5: each output is the window's sum + 0.5.
    layer = Conv2D(1, 1, 2)
    layer.params["W"] = np.ones((1, 1, 2, 2))
    layer.params["b"] = np.array([0.5])
    x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
    expected = np.array([[[[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]]]]) + 0.5
    assert_close(layer.forward(x), expected, "Conv2D.forward (3×3 input, 2×2 filter of ones)", FORWARD)


@pytest.mark.conv2d
def test_zero_padding_by_hand():
    # With padding 1 the corner output sees only 4 real pixels; the rest are zeros.
    layer = Conv2D(1, 1, 3, padding=1)
    layer.params["W"] = np.ones((1, 1, 3, 3))
    layer.params["b"] = np.zeros(1)
    out = layer.forward(np.ones((1, 1, 4, 4)))
    expected = np.array([[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]], dtype=np.float64)
    assert_close(out, expected[None, None], "Conv2D.forward with padding=1 (zeros around the input)", FORWARD)


@pytest.mark.conv2d
@pytest.mark.parametrize("case", CASES, ids=str)
def test_output_shape(case):
    n, c, h, w, f, k, s, p = case
    layer, x = make_layer(*case)
    kh, kw = (k, k) if isinstance(k, int) else k
    assert_shape(layer.params["W"], (f, c, kh, kw), "Conv2D.params['W'] (F, C, KH, KW)")
    expected = (n, f, (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1)
    assert_shape(layer.forward(x), expected, f"Conv2D.forward for x {x.shape}, kernel {k}, stride {s}, padding {p} ({SIZE})")


@pytest.mark.conv2d
@pytest.mark.parametrize("case", CASES, ids=str)
def test_forward_matches_torch(case):
    n, c, h, w, f, k, s, p = case
    layer, x = make_layer(*case)
    assert_close(layer.forward(x), torch_conv(layer, x, s, p),
                 f"Conv2D.forward (kernel {k}, stride {s}, padding {p}) vs torch.nn.functional.conv2d", FORWARD)


@pytest.mark.conv2d
@pytest.mark.parametrize("case", CASES[:4], ids=str)
def test_backward_matches_centred_differences(case):
    n, c, h, w, f, k, s, p = case
    layer, x = make_layer(*case)
    dout = np.random.default_rng(7).standard_normal(layer.forward(x).shape)
    dx = layer.backward(dout)
    loss = lambda: np.sum(layer.forward(x) * dout)   # ∂loss/∂out = dout
    where = f"(kernel {k}, stride {s}, padding {p})"
    assert_gradient_close(dx, numerical_gradient(loss, x), f"Conv2D.backward: dx {where}")
    assert_gradient_close(layer.grads["W"], numerical_gradient(loss, layer.params["W"]),
                          f"Conv2D.backward: grads['W'] = Σ_n,i,j dout[n,f,i,j]·x_pad[n,c,i·S+p,j·S+q] {where}")
    assert_gradient_close(layer.grads["b"], numerical_gradient(loss, layer.params["b"]),
                          f"Conv2D.backward: grads['b'] = Σ_n,i,j dout[n,f,i,j] {where}")


@pytest.mark.conv2d
def test_backward_matches_torch_autograd():
    n, c, h, w, f, k, s, p = 2, 3, 9, 7, 4, 3, 2, 1
    layer, x = make_layer(n, c, h, w, f, k, s, p)
    dout = np.random.default_rng(3).standard_normal(layer.forward(x).shape)
    dx = layer.backward(dout)
    xt = torch.from_numpy(x).requires_grad_()
    Wt = torch.from_numpy(layer.params["W"]).requires_grad_()
    bt = torch.from_numpy(layer.params["b"]).requires_grad_()
    F.conv2d(xt, Wt, bt, stride=s, padding=p).backward(torch.from_numpy(dout))
    assert_close(dx, xt.grad.numpy(), "Conv2D.backward: dx vs torch autograd")
    assert_close(layer.grads["W"], Wt.grad.numpy(), "Conv2D.backward: grads['W'] vs torch autograd")
    assert_close(layer.grads["b"], bt.grad.numpy(), "Conv2D.backward: grads['b'] vs torch autograd")
