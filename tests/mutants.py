"""Known mistakes as submissions: each mutant is the solution with a few small text
substitutions, each hitting a different hidden test (used by test_misconceptions.py and
test_grading_validity.py)."""
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# label: (assignment, {file: [(old, new), ...]}, {test: [misconception keys]})
MUTANTS = {
    "activations-linear-losses": ("backprop", {
        "activations.py": [("        return s * (1 - s)", "        return -s * (1 - s)"),
                           ("return 1 - np.tanh(x) ** 2", "return 1 - np.tanh(x)"),
                           ("np.where(x > 0, ones, self.alpha * ones)", "np.where(x > 0, ones, 0 * ones)"),
                           ("self.alpha * np.exp(np.minimum(x, 0)))", "np.exp(np.minimum(x, 0)))")],
        "layers.py": [('return dout @ self.params["W"].T', 'return dout @ self.params["W"]'),
                      ('self.grads["W"] = self.x.T @ dout', 'self.grads["W"] = self.x.T @ dout / len(dout)'),
                      ('self.grads["b"] = dout.sum(axis=0)', 'self.grads["b"] = dout.sum(axis=1)'),
                      ("return 2 * self.diff / self.diff.size", "return self.diff / self.diff.size"),
                      ("return dlogits / n", "return dlogits"),
                      ("var = x.var(axis=0)", "var = x.var(axis=0, ddof=1)")]},
        {"test_sigmoid": ["derivative_sign"], "test_tanh": ["tanh_not_squared"],
         "test_leaky_relu": ["leaky_zero_below"], "test_elu": ["elu_without_alpha"],
         "test_linear": ["linear_missing_transpose", "linear_dw_averaged", "linear_db_wrong_axis"],
         "test_mse_loss": ["mse_without_2"], "test_softmax_cross_entropy": ["ce_not_divided"],
         "test_batchnorm": ["bn_unbiased_variance"]}),
    "running-stats-last-activation": ("backprop", {
        "layers.py": [("            mean = x.mean(axis=0)\n            var = x.var(axis=0)\n",
                       "            mean = self.running_mean\n            var = self.running_var\n")],
        "network.py": [("            if i < n_linear - 1:\n", "            if True:\n")]},
        {"test_batchnorm": ["bn_running_in_training"], "test_mlp_forward": ["mlp_last_activation"],
         "test_mlp_backward": ["mlp_last_activation"]}),
    "batchnorm-after-activation": ("backprop", {
        "network.py": [('                if batchnorm:\n                    self._add(f"batchnorm{i}", '
                        'BatchNorm(layer_sizes[i + 1]))\n                self._add(f"{activation}{i}", '
                        'ACTIVATIONS[activation]())\n',
                        '                self._add(f"{activation}{i}", ACTIVATIONS[activation]())\n'
                        '                if batchnorm:\n                    self._add(f"batchnorm{i}", '
                        'BatchNorm(layer_sizes[i + 1]))\n')]},
        {"test_mlp_batchnorm": ["mlp_bn_after_activation"]}),
    "eval-keeps-training": ("backprop", {"network.py": [("layer.training = False", "layer.training = True")]},
                            {"test_mlp_batchnorm": ["mlp_eval_keeps_training"]}),
    "optimizers": ("optimizers", {
        "momentum.py": [("self.v = self.rho * self.v - self.lr * grad_fn(x)\n        return x + self.v",
                         "self.v = self.rho * self.v + (1 - self.rho) * grad_fn(x)\n        return x - self.lr * self.v")],
        "nesterov.py": [("grad_fn(lookahead)", "grad_fn(x)")],
        "adagrad.py": [("np.sqrt(self.G + self.eps)", "(np.sqrt(self.G) + self.eps)")],
        "rmsprop.py": [("np.sqrt(self.E + self.eps)", "(np.sqrt(self.E) + self.eps)")],
        "adam.py": [("m_hat = self.m / (1 - self.beta1**self.t)", "m_hat = self.m"),
                    ("v_hat = self.v / (1 - self.beta2**self.t)", "v_hat = self.v")]},
        {"test_momentum": ["momentum_average"], "test_nesterov": ["nesterov_no_lookahead"],
         "test_adagrad": ["eps_outside_root"], "test_rmsprop": ["eps_outside_root"],
         "test_adam": ["adam_no_bias_correction"]}),
    "adam-eps-inside": ("optimizers", {"adam.py": [("(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)")]},
                        {"test_adam": ["eps_inside_root"]}),
    "adam-t-after-use": ("optimizers", {"adam.py": [
        ("        self.t += 1\n", ""),
        ("        return x - self.lr * m_hat", "        self.t += 1\n        return x - self.lr * m_hat")]},
        {"test_adam": ["adam_t_after_use"]}),
    "adam-betas-swapped": ("optimizers", {"adam.py": [
        ("self.beta1 = beta1\n        self.beta2 = beta2", "self.beta1 = beta2\n        self.beta2 = beta1")]},
        {"test_adam": ["adam_betas_swapped"]}),
    "padding-whole-window-no-scaling": ("cnn", {
        "conv.py": [("ph, pw = self.padding\n        n, c, h, w = x.shape", "ph, pw = 0, 0\n        n, c, h, w = x.shape")],
        "pool.py": [("np.add.at(dx, (rows, cols, i * s + p, j * s + q), dout[:, :, i, j])",
                     "dx[:, :, i * s:i * s + k, j * s:j * s + k] += dout[:, :, i, j, None, None]")],
        "dropout.py": [("return x * self.mask / (1.0 - self.p)", "return x * self.mask"),
                       ("return dout * self.mask / (1.0 - self.p)", "return dout * self.mask")]},
        {"test_conv_forward": ["conv_padding_ignored"], "test_pooling": ["maxpool_whole_window"],
         "test_dropout": ["dropout_no_scaling"]}),
    "stride-every-tie-eval": ("cnn", {
        "conv.py": [("sh, sw = self.stride\n        ph, pw = self.padding\n        n, c, h, w = x.shape",
                     "sh, sw = 1, 1\n        ph, pw = self.padding\n        n, c, h, w = x.shape")],
        "pool.py": [("np.add.at(dx, (rows, cols, i * s + p, j * s + q), dout[:, :, i, j])",
                     "win = x[:, :, i * s:i * s + k, j * s:j * s + k]\n"
                     "                dx[:, :, i * s:i * s + k, j * s:j * s + k] += dout[:, :, i, j, None, None] * "
                     "(win == win.max(axis=(2, 3), keepdims=True))")],
        "dropout.py": [("        if not self.training:\n            self.mask = None\n            return x\n", "")]},
        {"test_conv_forward": ["conv_stride_ignored"], "test_pooling": ["maxpool_every_tie"],
         "test_dropout": ["dropout_in_eval"]}),
    "flipped-kernel-avg-sum": ("cnn", {
        "conv.py": [("np.tensordot(window, W, axes=", "np.tensordot(window, W[:, :, ::-1, ::-1], axes=")],
        "pool.py": [(".mean(axis=(2, 3))", ".sum(axis=(2, 3))"),
                    ("dout[:, :, i, j, None, None] / (k * k)", "dout[:, :, i, j, None, None]")]},
        {"test_conv_forward": ["conv_flipped_kernel"], "test_pooling": ["avgpool_not_divided"]}),
}


# The third round (issue 22): a value the docstring pins, the MLP as students write it, mistakes that
# were left unnamed, and mistakes named by the shape of their error ("shape:<words of the advice>").
MUTANTS.update({
    "kink-sigmoid-plus-output": ("backprop", {
        "activations.py": [("np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))",
                            "np.where(x >= 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))"),
                           ("        return s * (1 - s)", "        return s * (1 + s)"),
                           ("return dout * (1 - self.out ** 2)", "return dout * (1 - np.tanh(self.out) ** 2)")]},
        {"test_elu": ["kink_branch"], "test_sigmoid": ["sigmoid_plus"], "test_tanh": ["derivative_at_output"]}),
    "mlp-init-ignored": ("backprop", {"network.py": [("init=init, seed=seed + i)", "seed=seed + i)")]},
                         {"test_mlp_forward": ["mlp_init_ignored"]}),
    "mlp-same-seed": ("backprop", {"network.py": [("init=init, seed=seed + i)", "init=init, seed=seed)")]},
                      {"test_mlp_forward": ["mlp_same_seed"]}),
    "train-keeps-eval": ("backprop", {"network.py": [("layer.training = True", "pass")]},
                         {"test_mlp_batchnorm": ["mlp_train_keeps_eval"]}),
    "adam-t-twice": ("optimizers", {"adam.py": [("        self.t += 1\n", "        self.t += 2\n")]},
                     {"test_adam": ["adam_t_twice"]}),
    "adagrad-old-G-sgd-two-updates": ("optimizers", {
        "adagrad.py": [("        self.G = self.G + g**2\n        return x - self.lr * g / np.sqrt(self.G + self.eps)",
                        "        new = x - self.lr * g / np.sqrt(self.G + self.eps)\n        self.G = self.G + g**2\n"
                        "        return new")],
        "sgd.py": [("return x - self.lr * grad_fn(x)",
                    "y = x - self.lr * grad_fn(x)\n        return y - self.lr * grad_fn(y)")]},
        {"test_adagrad": ["accumulator_before_update"], "test_sgd": ["step_count_off_by_one"]}),
    "rmsprop-half-step": ("optimizers", {"rmsprop.py": [
        ("return x - self.lr * g / np.sqrt(self.E + self.eps)", "return x - self.lr * g / (2 * np.sqrt(self.E + self.eps))")]},
        {"test_rmsprop": ["shape:your step x_new − x is exactly 1/2 of the expected"]}),
    "conv-window-step-1": ("cnn", {"conv.py": [
        ("window = x_pad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]", "window = x_pad[:, :, i:i + kh, j:j + kw]")]},
        {"test_conv_forward": ["conv_window_step_1"]}),
    "shapes-sign-transpose": ("backprop", {"layers.py": [
        ('return dout @ self.params["W"].T', 'return -dout @ self.params["W"].T'),
        ("std = np.sqrt(2.0 / (fan_in + fan_out))\n    return std * rng.standard_normal((fan_in, fan_out))",
         "std = np.sqrt(2.0 / (fan_in + fan_out))\n    return std * rng.standard_normal((fan_out, fan_in))")]},
        {"test_linear": ["shape:with the opposite sign: a sign flip?"],
         "test_initialisers": ["shape:the transposed shape (20, 30) of the expected (30, 20)"]}),
    "shapes-factor-shift": ("cnn", {
        "conv.py": [('self.grads = {"W": dW, "b": dout.sum(axis=(0, 2, 3))}',
                     'self.grads = {"W": dW, "b": dout.sum(axis=(0, 2, 3)) / len(dout)}')],
        "pool.py": [("out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))",
                     "out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s + 1:j * s + k + 1].max(axis=(2, 3))")]},
        {"test_conv_backward": ["shape:exactly 1/2 of the expected: an extra division by 2"],
         "test_pooling": ["shape:shifted by one position along axis 3"]}),
})


def mutant(tmp_path, label):
    """The solution of the mutant's assignment with its substitutions applied (each must hit)."""
    assignment, changes, _ = MUTANTS[label]
    folder = tmp_path / label
    shutil.copytree(REPO / "solutions" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    for name, pairs in changes.items():
        text = (folder / name).read_text()
        for old, new in pairs:
            assert text.count(old) == 1, f"{label}: {old!r} occurs {text.count(old)} times in {name}"
            text = text.replace(old, new)
        (folder / name).write_text(text)
    return folder
