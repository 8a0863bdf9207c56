"""Hidden tests: the numpy Conv2D, MaxPool2D, AvgPool2D and Dropout layers, against the
grader's own reference (torch.nn.functional in float64) and centred differences."""
import numpy as np

from autograder.suites.checks import (as_array, assert_close, assert_gradient_close,
                                      centred_difference, perturbations)

CONFIGS = [  # (N, C, H, W, F, kernel, stride, padding)
    (2, 3, 5, 5, 4, 3, 1, 0),
    (2, 3, 6, 5, 2, 3, 2, 1),
    (1, 2, 7, 7, 3, (3, 2), (2, 1), (1, 0)),
    (3, 1, 4, 4, 2, 1, 1, 2),
]


def torch_conv(x, W, b, stride, padding, dout=None):
    import torch

    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    out = torch.nn.functional.conv2d(tx, tW, tb, stride=stride, padding=padding)
    if dout is None:
        return out.detach().numpy()
    (out * torch.tensor(dout)).sum().backward()
    return out.detach().numpy(), tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


def make_conv(student, config, seed):
    n, c, h, w, f, k, s, p = config
    rng = np.random.default_rng(seed)
    kh, kw = (k, k) if isinstance(k, int) else k
    x, W, b = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)
    layer = student.new("conv", "Conv2D", c, f, k, stride=s, padding=p, seed=0)
    layer.set("params", "W", W)
    layer.set("params", "b", b)
    return layer, x, W, b, (s, s) if isinstance(s, int) else s, (p, p) if isinstance(p, int) else p


def test_conv_forward(student, cases):
    """Conv2D.forward: sliding dot product with stride and zero padding, output size ⌊(H+2P−K)/S⌋+1"""
    for i, config in enumerate(CONFIGS):
        with cases.check(f"Conv2D{config}"):
            layer, x, W, b, stride, padding = make_conv(student, config, i)
            assert_close(layer.call("forward", x), torch_conv(x, W, b, stride, padding),
                         f"Conv2D(stride={config[6]}, padding={config[7]}, kernel={config[5]}).forward",
                         "out[n,f,i,j] = Σ_c,p,q x_pad[n,c,i·S+p,j·S+q]·W[f,c,p,q] + b[f]")
    with cases.check("lecture example: 32×32×3 image, 5×5×3 filter"):
        rng = np.random.default_rng(9)
        x, W, b = rng.standard_normal((1, 3, 32, 32)), rng.standard_normal((1, 3, 5, 5)), np.zeros(1)
        for padding, size in ((0, 28), (2, 32)):
            layer = student.new("conv", "Conv2D", 3, 1, 5, padding=padding)
            layer.set("params", "W", W)
            layer.set("params", "b", b)
            out = as_array(layer.call("forward", x), "Conv2D.forward")
            assert out.shape == (1, 1, size, size), (
                f"Conv2D(3, 1, 5, padding={padding}).forward on a 32×32×3 image gave shape {out.shape}, "
                f"expected (1, 1, {size}, {size}).")
            assert_close(out, torch_conv(x, W, b, (1, 1), (padding, padding)), "Conv2D.forward (32×32×3)",
                         "sliding dot product")


def test_conv_backward(student, cases):
    """Conv2D.backward: dx, grads['W'], grads['b'] against torch.autograd and centred differences"""
    for i, config in enumerate(CONFIGS):
        layer, x, W, b, stride, padding = make_conv(student, config, 10 + i)
        out, dx, dW, db = torch_conv(x, W, b, stride, padding, dout=np.ones(1))
        dout = np.random.default_rng(20 + i).standard_normal(out.shape)
        out, dx, dW, db = torch_conv(x, W, b, stride, padding, dout=dout)
        with cases.check(f"Conv2D{config}.backward"):
            layer.call("forward", x)
            assert_close(layer.call("backward", dout), dx, "Conv2D.backward (dx)",
                         "dx_pad[n,c,i·S+p,j·S+q] += Σ_f dout[n,f,i,j]·W[f,c,p,q], padding cut off", rtol=1e-6)
            grads = layer.get("grads")
            assert_close(grads.get("W"), dW, "Conv2D.grads['W']",
                         "dW[f,c,p,q] = Σ_n,i,j dout[n,f,i,j]·x_pad[n,c,i·S+p,j·S+q]", rtol=1e-6)
            assert_close(grads.get("b"), db, "Conv2D.grads['b']", "db[f] = Σ_n,i,j dout[n,f,i,j]")
    with cases.check("Conv2D.backward vs centred differences"):
        layer, x, W, b, stride, padding = make_conv(student, (1, 2, 4, 4, 2, 3, 1, 1), 30)
        dout = np.random.default_rng(31).standard_normal((1, 2, 4, 4))
        h = 1e-6
        plus, minus = perturbations(x, h)
        outs = layer.map("forward", [[p] for p in plus] + [[m] for m in minus])
        values = [float(np.sum(as_array(o, "Conv2D.forward") * dout)) for o in outs]
        numeric = centred_difference(values[: x.size], values[x.size:], h, x.shape)
        layer.call("forward", x)
        assert_gradient_close(layer.call("backward", dout), numeric, "Conv2D.backward (dx)")


def test_pooling(student, cases):
    """MaxPool2D / AvgPool2D: the lecture's 4×4 example, other sizes and strides, and backward"""
    import torch

    example = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)[None, None]
    for name, expected in (("MaxPool2D", [[9, 2], [6, 3]]), ("AvgPool2D", [[3.75, 1.25], [3.75, 2.0]])):
        with cases.check(f"{name} lecture example"):
            got = student.new("pool", name).call("forward", example)
            assert_close(got, np.array(expected, dtype=float)[None, None], f"{name}(2, 2).forward on the 4×4 example",
                         "max / mean of each 2×2 window")
    rng = np.random.default_rng(5)
    for size, stride in ((2, 2), (3, 1), (3, 2)):
        x = rng.standard_normal((2, 3, 7, 7))
        t = torch.tensor(x, requires_grad=True)
        for name, fn in (("MaxPool2D", torch.nn.functional.max_pool2d), ("AvgPool2D", torch.nn.functional.avg_pool2d)):
            with cases.check(f"{name}(size={size}, stride={stride})"):
                out = fn(t, size, stride)
                dout = rng.standard_normal(out.shape)
                (grad,) = torch.autograd.grad((out * torch.tensor(dout)).sum(), t)
                layer = student.new("pool", name, size=size, stride=stride)
                assert_close(layer.call("forward", x), out.detach().numpy(), f"{name}(size={size}, stride={stride}).forward",
                             "max / mean over each window")
                assert_close(layer.call("backward", dout), grad.numpy(), f"{name}(size={size}, stride={stride}).backward",
                             "max: dout to the window's maximum; mean: dout / (size²) to every cell; overlaps add up")


def test_dropout(student, cases):
    """Dropout: inverted scaling 1/(1−p) with p the drop probability; identity in eval mode"""
    x = np.random.default_rng(6).standard_normal((200, 50)) + 3
    p = 0.3
    layer = student.new("dropout", "Dropout", p=p, seed=1)
    out = layer.call("forward", x)
    with cases.check("Dropout training values"):
        out = as_array(out, "Dropout.forward")
        mask = np.asarray(layer.get("mask"), dtype=float)
        assert_close(out, x * mask / (1 - p), "Dropout.forward (training)", "out = x · mask / (1 − p)")
        assert set(np.unique(mask)) <= {0.0, 1.0}, "Dropout.mask should hold only 0s and 1s."
    with cases.check("Dropout drops a fraction p"):
        dropped = float(np.mean(np.asarray(layer.get("mask"), dtype=float) == 0))
        assert abs(dropped - p) < 0.02, (
            f"Dropout(p={p}) dropped {dropped:.3f} of the units; p is the probability of dropping.")
    with cases.check("Dropout.backward uses the forward mask"):
        dout = np.ones_like(x)
        mask = np.asarray(layer.get("mask"), dtype=float)
        assert_close(layer.call("backward", dout), mask / (1 - p), "Dropout.backward (training)",
                     "dx = dout · mask / (1 − p), the mask of the last forward")
    with cases.check("Dropout eval mode is the identity"):
        layer.set("training", False)
        assert_close(layer.call("forward", x), x, "Dropout.forward (eval)", "out = x")
        assert_close(layer.call("backward", x), x, "Dropout.backward (eval)", "dx = dout")
    with cases.check("Dropout: same seed, same mask; p = 0 keeps everything"):
        a = as_array(student.new("dropout", "Dropout", p=0.5, seed=3).call("forward", x), "Dropout.forward")
        b = as_array(student.new("dropout", "Dropout", p=0.5, seed=3).call("forward", x), "Dropout.forward")
        assert np.array_equal(a, b), "Two Dropout layers with the same seed should draw the same mask (use self.rng)."
        assert_close(student.new("dropout", "Dropout", p=0.0).call("forward", x), x, "Dropout(p=0).forward", "out = x")
