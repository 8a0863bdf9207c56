"""Hidden tests: the numpy Conv2D, MaxPool2D, AvgPool2D and Dropout layers, against the
grader's own reference (torch.nn.functional in float64) and centred differences.

Inputs are drawn per submission (the ``rng`` fixture); the lecture's 4×4 pooling example
and its 32×32×3 image with a 5×5×3 filter keep their fixed shapes."""
import numpy as np

from autograder.suites.checks import (Wrong, as_array, assert_close, assert_gradient_matches,
                                      numeric_input_gradient)

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


def conv_inputs(config, rng):
    """x, W, b drawn for ``config``, and its stride and padding as pairs."""
    n, c, h, w, f, k, s, p = config
    kh, kw = (k, k) if isinstance(k, int) else k
    x, W, b = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)
    return x, W, b, (s, s) if isinstance(s, int) else s, (p, p) if isinstance(p, int) else p


def conv_layer(student, config, W, b):
    """The student's Conv2D for ``config`` holding the grader's W and b."""
    _, c, _, _, f, k, s, p = config
    layer = student.new("conv", "Conv2D", c, f, k, stride=s, padding=p, seed=0)
    layer.set("params", "W", W)
    layer.set("params", "b", b)
    return layer


def make_conv(student, config, rng):
    x, W, b, stride, padding = conv_inputs(config, rng)
    return conv_layer(student, config, W, b), x, W, b, stride, padding


def flipped(W):
    return W[:, :, ::-1, ::-1].copy()


def wrong_convs(x, W, b, stride, padding):
    """What Conv2D.forward gives with each known mistake (misconceptions.py)."""
    wrong = [Wrong("conv_flipped_kernel", torch_conv(x, flipped(W), b, stride, padding))]
    if padding != (0, 0):
        wrong.append(Wrong("conv_padding_ignored", torch_conv(x, W, b, stride, (0, 0))))
    if stride != (1, 1):
        every_pixel = torch_conv(x, W, b, (1, 1), padding)
        wrong.append(Wrong("conv_stride_ignored", every_pixel))
        h_out, w_out = torch_conv(x, W, b, stride, padding).shape[2:]  # sized with the stride, windows every pixel
        wrong.append(Wrong("conv_window_step_1", every_pixel[:, :, :h_out, :w_out]))
    return wrong


LECTURE_CONV = "lecture example: 32×32×3 image, 5×5×3 filter (defaults stride 1, padding 0)"


def test_conv_forward(student, cases, rng):
    """Conv2D.forward: sliding dot product with stride and zero padding, output size ⌊(H+2P−K)/S⌋+1"""
    cases.plan({f"Conv2D{config}": 2 for config in CONFIGS} | {LECTURE_CONV: 2})
    for config in CONFIGS:
        with cases.check(f"Conv2D{config}"):
            layer, x, W, b, stride, padding = make_conv(student, config, rng)
            assert_close(layer.call("forward", x), torch_conv(x, W, b, stride, padding),
                         f"Conv2D(stride={config[6]}, padding={config[7]}, kernel={config[5]}).forward",
                         "out[n,f,i,j] = Σ_c,p,q x_pad[n,c,i·S+p,j·S+q]·W[f,c,p,q] + b[f]",
                         wrong=wrong_convs(x, W, b, stride, padding))
    with cases.check(LECTURE_CONV):
        x, W, b = rng.standard_normal((1, 3, 32, 32)), rng.standard_normal((1, 3, 5, 5)), np.zeros(1)
        for padding, size in ((0, 28), (2, 32)):  # Conv2D(3, 1, 5): the defaults stride 1, padding 0
            layer = student.new("conv", "Conv2D", 3, 1, 5, **({"padding": padding} if padding else {}))
            layer.set("params", "W", W)
            layer.set("params", "b", b)
            out = as_array(layer.call("forward", x), "Conv2D.forward")
            assert out.shape == (1, 1, size, size), (
                f"Conv2D(3, 1, 5, padding={padding}).forward on a 32×32×3 image gave shape {out.shape}, "
                f"expected (1, 1, {size}, {size}).")
            assert_close(out, torch_conv(x, W, b, (1, 1), (padding, padding)), "Conv2D.forward (32×32×3)",
                         "sliding dot product", wrong=wrong_convs(x, W, b, (1, 1), (padding, padding)))


def test_conv_backward(student, cases, rng):
    """Conv2D.backward: dx, grads['W'], grads['b'] against torch.autograd and centred differences"""
    cases.plan({f"Conv2D{config}.backward": 2 for config in CONFIGS} | {"Conv2D.backward vs centred differences": 2})
    for config in CONFIGS:
        x, W, b, stride, padding = conv_inputs(config, rng)
        with cases.setup(f"Conv2D{config} with the grader's W and b", needed_by=[f"Conv2D{config}.backward"]):
            layer = conv_layer(student, config, W, b)
        out = torch_conv(x, W, b, stride, padding)
        dout = rng.standard_normal(out.shape)
        out, dx, dW, db = torch_conv(x, W, b, stride, padding, dout=dout)
        _, dx_flip, dW_flip, _ = torch_conv(x, flipped(W), b, stride, padding, dout=dout)
        with cases.check(f"Conv2D{config}.backward"):
            layer.call("forward", x)
            assert_close(layer.call("backward", dout), dx, "Conv2D.backward (dx)",
                         "dx_pad[n,c,i·S+p,j·S+q] += Σ_f dout[n,f,i,j]·W[f,c,p,q], padding cut off", rtol=1e-6,
                         wrong=[Wrong("conv_flipped_kernel", dx_flip)])
            grads = layer.get("grads")
            assert_close(grads.get("W"), dW, "Conv2D.grads['W']",
                         "dW[f,c,p,q] = Σ_n,i,j dout[n,f,i,j]·x_pad[n,c,i·S+p,j·S+q]", rtol=1e-6,
                         wrong=[Wrong("conv_flipped_kernel", flipped(dW_flip))])
            assert_close(grads.get("b"), db, "Conv2D.grads['b']", "db[f] = Σ_n,i,j dout[n,f,i,j]")
    with cases.check("Conv2D.backward vs centred differences"):
        layer, x, W, b, stride, padding = make_conv(student, (1, 2, 4, 4, 2, 3, 1, 1), rng)
        dout = rng.standard_normal((1, 2, 4, 4))
        numeric = numeric_input_gradient(layer, x, dout, "Conv2D.forward")
        layer.call("forward", x)
        assert_gradient_matches(layer.call("backward", dout), numeric, torch_conv(x, W, b, stride, padding, dout)[1],
                                "Conv2D.backward (dx)")


def windows(shape, kernel_size, stride):
    """(row slice, column slice) of every pooling window of an (N, C, H, W) input."""
    k = kernel_size
    h_out, w_out = (shape[2] - k) // stride + 1, (shape[3] - k) // stride + 1
    return [(slice(i * stride, i * stride + k), slice(j * stride, j * stride + k), i, j)
            for i in range(h_out) for j in range(w_out)]


def wrong_pool_backward(name, x, dout, kernel_size, stride):
    """dx of the known wrong pooling backwards (misconceptions.py)."""
    whole, ties = np.zeros_like(x), np.zeros_like(x)
    for rows, cols, i, j in windows(x.shape, kernel_size, stride):
        window = x[:, :, rows, cols]
        g = dout[:, :, i, j][:, :, None, None]
        whole[:, :, rows, cols] += g
        ties[:, :, rows, cols] += g * (window == window.max(axis=(2, 3), keepdims=True))
    if name == "AvgPool2D":
        return [Wrong("avgpool_not_divided", whole)]
    return [Wrong("maxpool_whole_window", whole), Wrong("maxpool_every_tie", ties)]


POOL_DEFAULT_STRIDE = "MaxPool2D / AvgPool2D(kernel_size=3): stride defaults to kernel_size"


def test_pooling(student, cases, rng):
    """MaxPool2D / AvgPool2D: the lecture's 4×4 example, other sizes and strides, and backward"""
    import torch

    cases_drawn = [(k, s, "normal values") for k, s in ((2, 2), (3, 1), (3, 2))]
    cases_drawn += [(k, s, "small integers, so windows have tied maxima") for k, s in ((2, 2), (3, 1))]
    cases.plan({f"{name} lecture example": 1 for name in ("MaxPool2D", "AvgPool2D")}
               | {f"{name}(kernel_size={k}, stride={s}) on {kind}": 1 for k, s, kind in cases_drawn
                  for name in ("MaxPool2D", "AvgPool2D")} | {POOL_DEFAULT_STRIDE: 1})
    example = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)[None, None]
    for name, expected in (("MaxPool2D", [[9, 2], [6, 3]]), ("AvgPool2D", [[3.75, 1.25], [3.75, 2.0]])):
        with cases.check(f"{name} lecture example"):
            got = student.new("pool", name).call("forward", example)
            assert_close(got, np.array(expected, dtype=float)[None, None], f"{name}(2, 2).forward on the 4×4 example",
                         "max / mean of each 2×2 window")
    with cases.check(POOL_DEFAULT_STRIDE):
        import torch

        x = rng.standard_normal((1, 2, 7, 7))
        for name, fn in (("MaxPool2D", torch.nn.functional.max_pool2d), ("AvgPool2D", torch.nn.functional.avg_pool2d)):
            assert_close(student.new("pool", name, kernel_size=3).call("forward", x),
                         fn(torch.tensor(x), 3, 3).numpy(), f"{name}(kernel_size=3).forward",
                         "stride defaults to kernel_size, as in torch.nn.MaxPool2d: 3×3 windows every 3 pixels")
    for kernel_size, stride, kind in cases_drawn:
        x = rng.standard_normal((2, 3, 7, 7)) if kind == "normal values" else \
            rng.integers(0, 3, (2, 3, 7, 7)).astype(float)
        t = torch.tensor(x, requires_grad=True)
        for name, fn in (("MaxPool2D", torch.nn.functional.max_pool2d), ("AvgPool2D", torch.nn.functional.avg_pool2d)):
            with cases.check(f"{name}(kernel_size={kernel_size}, stride={stride}) on {kind}"):
                out = fn(t, kernel_size, stride)
                dout = rng.standard_normal(out.shape)
                (grad,) = torch.autograd.grad((out * torch.tensor(dout)).sum(), t)
                layer = student.new("pool", name, kernel_size=kernel_size, stride=stride)
                what = f"{name}(kernel_size={kernel_size}, stride={stride})"
                assert_close(layer.call("forward", x), out.detach().numpy(), f"{what}.forward on {kind}",
                             "max / mean over each window",
                             wrong=[Wrong("avgpool_not_divided", out.detach().numpy() * kernel_size * kernel_size)]
                             if name == "AvgPool2D" else [])
                assert_close(layer.call("backward", dout), grad.numpy(), f"{what}.backward on {kind}",
                             "max: dout to the window's maximum (the first one in row-major order when "
                             "several tie, as in torch); mean: dout / kernel_size² to every cell; overlaps add up",
                             wrong=wrong_pool_backward(name, x, dout, kernel_size, stride))


def test_dropout(student, cases, rng):
    """Dropout: inverted scaling 1/(1−p) with p the drop probability; identity in eval mode"""
    cases.plan({"Dropout training values": 2, "Dropout drops a fraction p": 1, "Dropout.backward uses the forward mask": 1,
                "Dropout eval mode is the identity": 1, "Dropout: same seed, same mask; p = 0 keeps everything": 1,
                "Dropout() default p = 0.5": 1})
    x = rng.standard_normal((200, 50)) + 3
    p = float(rng.choice([0.2, 0.3, 0.4]))
    layer = student.new("dropout", "Dropout", p=p, seed=int(rng.integers(1 << 31)))
    out = layer.call("forward", x)
    with cases.check("Dropout training values"):
        out = as_array(out, "Dropout.forward")
        mask = np.asarray(layer.get("mask"), dtype=float)
        assert_close(out, x * mask / (1 - p), f"Dropout(p={p}).forward (training)", "out = x · mask / (1 − p)",
                     wrong=[Wrong("dropout_no_scaling", x * mask)])
        assert set(np.unique(mask)) <= {0.0, 1.0}, "Dropout.mask should hold only 0s and 1s."
    with cases.check("Dropout drops a fraction p"):
        dropped = float(np.mean(np.asarray(layer.get("mask"), dtype=float) == 0))
        assert abs(dropped - p) < 0.02, (
            f"Dropout(p={p}) dropped {dropped:.3f} of the units; p is the probability of dropping.")
    with cases.check("Dropout.backward uses the forward mask"):
        dout = np.ones_like(x)
        mask = np.asarray(layer.get("mask"), dtype=float)
        assert_close(layer.call("backward", dout), mask / (1 - p), f"Dropout(p={p}).backward (training)",
                     "dx = dout · mask / (1 − p), the mask of the last forward",
                     wrong=[Wrong("dropout_no_scaling", mask)])
    with cases.check("Dropout eval mode is the identity"):
        layer.set("training", False)
        in_eval = Wrong("dropout_in_eval", lambda got: bool(np.all(
            np.isclose(got, 0) | np.isclose(got, x / (1 - p))) and np.any(np.isclose(got, 0))))
        assert_close(layer.call("forward", x), x, "Dropout.forward (eval)", "out = x", wrong=[in_eval])
        assert_close(layer.call("backward", x), x, "Dropout.backward (eval)", "dx = dout")
    with cases.check("Dropout: same seed, same mask; p = 0 keeps everything"):
        a = as_array(student.new("dropout", "Dropout", p=0.5, seed=3).call("forward", x), "Dropout.forward")
        b = as_array(student.new("dropout", "Dropout", p=0.5, seed=3).call("forward", x), "Dropout.forward")
        assert np.array_equal(a, b), "Two Dropout layers with the same seed should draw the same mask (use self.rng)."
        assert_close(student.new("dropout", "Dropout", p=0.0).call("forward", x), x, "Dropout(p=0).forward", "out = x")
    with cases.check("Dropout() default p = 0.5"):
        layer = student.new("dropout", "Dropout", seed=int(rng.integers(1 << 31)))
        out = as_array(layer.call("forward", x), "Dropout().forward")
        mask = np.asarray(layer.get("mask"), dtype=float)
        dropped = float(np.mean(mask == 0))
        assert abs(dropped - 0.5) < 0.02, f"Dropout() dropped {dropped:.3f} of the units; the default p is 0.5."
        assert_close(out, x * mask / 0.5, "Dropout().forward (training)", "out = x · mask / (1 − p) with p = 0.5")
