"""Known wrong variants: a failed check names the one the student's answer matches.

Each entry is ``key: (name, formula)``. A check passes its predictions as
``wrong=[Wrong(key, prediction), ...]`` to ``checks.assert_close`` (or
``assert_gradient_close``); the prediction is what that wrong variant computes from the
same inputs, computed here in the grader, never in the worker. When the check fails and the
student's answer matches a prediction (same shape, same tolerance as the check), the
message ends with ``matches <name> (<formula>)`` and the name is counted in the results'
``extra_data.misconceptions`` (test → {name: count}). A prediction may also be a function
of the answer that returns True when the answer has that mistake's shape (for mistakes
with a random part, such as a dropout mask in eval mode).

When no listed variant matches, the checks library names what the shape of the error suggests
(``checks_common.error_shape``: the opposite sign, a constant factor ×n or ÷n, a transposed
result, values shifted by one position); those names end with "(shape of the error)" and are
counted the same way. Names and formulas are plain text (no markdown), since they are shown as
they are in outputs, feedback pages and the class report.

The names reach students through the failing test's output, so they follow the test's
visibility: a visible test may name them before the due date, a hidden one after it.
"""

MISCONCEPTIONS = {
    # activations
    "derivative_sign": ("the derivative with the wrong sign", "−f′(x) instead of f′(x)"),
    "kink_branch": ("the derivative at x = 0 taken from the wrong branch",
                    "f′(0) of the x ≥ 0 branch (1) instead of the docstring's x > 0 convention"),
    "sigmoid_plus": ("σ′ as σ(1 + σ)", "σ(x)(1 + σ(x)) instead of σ(x)(1 − σ(x))"),
    "derivative_at_output": ("the derivative taken at the output", "f′(f(x)) instead of f′(x): the cached output "
                             "used as if it were the input"),
    "tanh_not_squared": ("tanh′ without the square", "1 − tanh(x) instead of 1 − tanh²(x)"),
    "leaky_zero_below": ("LeakyReLU′ = 0 below zero", "0 instead of α for x ≤ 0"),
    "elu_without_alpha": ("ELU′ without α", "eˣ instead of α·eˣ for x ≤ 0"),
    # Linear and the losses
    "linear_missing_transpose": ("Linear backward without the transpose",
                                 "dx = dout @ W instead of dout @ Wᵀ, or dW = doutᵀ @ x instead of xᵀ @ dout"),
    "linear_dw_averaged": ("dW averaged over the batch", "xᵀ @ dout / N instead of the sum xᵀ @ dout"),
    "linear_db_wrong_axis": ("db summed over the wrong axis", "Σ over the features (axis 1) instead of the batch (axis 0)"),
    "mse_without_2": ("the MSE gradient without the 2", "(pred − target) / size instead of 2(pred − target) / size"),
    "ce_not_divided": ("the softmax cross-entropy gradient not divided by N",
                       "softmax − onehot instead of (softmax − onehot) / N"),
    # BatchNorm and the MLP
    "bn_unbiased_variance": ("BatchNorm with the unbiased variance", "σ² = Σ(x − μ)² / (N − 1) instead of / N"),
    "bn_running_in_training": ("BatchNorm using the running statistics in training",
                               "x̂ = (x − running_mean) / √(running_var + ε) instead of the batch μ, σ²"),
    "mlp_last_activation": ("an activation after the last Linear",
                            "scores = f(Linear_L(…)) instead of Linear_L(…): the scores must be raw logits"),
    "mlp_bn_after_activation": ("BatchNorm after the activation",
                                "Linear → f → BatchNorm instead of Linear → BatchNorm → f"),
    "mlp_eval_keeps_training": ("MLP.eval() leaving BatchNorm in training mode",
                                "batch statistics in eval mode instead of the running ones"),
    "mlp_train_keeps_eval": ("MLP.train() leaving BatchNorm in eval mode",
                             "running statistics after train() instead of the batch ones, and no update"),
    "mlp_init_ignored": ("MLP ignoring init=", "every Linear drawn the same way whatever init names"),
    "mlp_same_seed": ("every Linear of the MLP seeded the same", "seed for every layer instead of seed + i"),
    # conv, pooling, dropout
    "conv_padding_ignored": ("Conv2D ignoring the padding", "no zero border: out size ⌊(H − K)/S⌋ + 1"),
    "conv_stride_ignored": ("Conv2D ignoring the stride", "windows every pixel (S = 1)"),
    "conv_window_step_1": ("Conv2D moving its window by 1 instead of the stride",
                           "out[n, f, i, j] from x_pad[n, :, i + p, j + q] instead of x_pad[n, :, i·S + p, j·S + q], "
                           "the output sized with the stride"),
    "conv_flipped_kernel": ("Conv2D with a flipped kernel",
                            "Σ x[i+p, j+q]·W[K−1−p, K−1−q] (true convolution) instead of the cross-correlation"),
    "maxpool_whole_window": ("max-pool backward sending dout to the whole window",
                             "every cell of the window gets dout, not only the maximum"),
    "maxpool_every_tie": ("max-pool backward sending dout to every tied maximum",
                          "all cells equal to the maximum get dout, not only the first in row-major order"),
    "avgpool_not_divided": ("average pooling not divided by the window size",
                            "Σ over the window instead of Σ / size²"),
    "dropout_no_scaling": ("dropout without the 1/(1 − p) scaling", "out = x · mask instead of x · mask / (1 − p)"),
    "dropout_in_eval": ("dropout active in eval mode", "out = x · mask / (1 − p) with training = False instead of x"),
    # optimizers
    "step_count_off_by_one": ("an off-by-one step count", "the point one update before or after the expected one: "
                              "x returned unchanged, or two updates in one step"),
    "accumulator_before_update": ("the step taken with the accumulator before its update",
                                  "x ← x − α·g / √(G_old + ε) instead of the updated G (E for RMSProp)"),
    "momentum_average": ("momentum as an average", "v ← ρ·v + (1 − ρ)·g;  x ← x − α·v instead of v ← ρ·v − α·g;  x ← x + v"),
    "nesterov_no_lookahead": ("Nesterov without the look-ahead", "gradient taken at x, not x + ρv"),
    "eps_outside_root": ("ε outside the root", "x ← x − α·g / (√G + ε) instead of α·g / √(G + ε)"),
    "eps_inside_root": ("Adam with ε inside the root", "x ← x − α·m̂ / √(v̂ + ε) instead of α·m̂ / (√v̂ + ε)"),
    "adam_no_bias_correction": ("Adam without bias correction", "m̂ = m, v̂ = v"),
    "adam_t_after_use": ("Adam with t counted after use", "m̂ = m / (1 − β₁ᵗ) with the old t, then t ← t + 1"),
    "adam_t_twice": ("Adam advancing t twice per step", "t ← t + 1 counted twice, so m̂ = m / (1 − β₁^(2k)) at step k"),
    "adam_betas_swapped": ("Adam with β₁ and β₂ swapped", "m ← β₂m + (1 − β₂)g,  v ← β₁v + (1 − β₁)g²"),
}


class Wrong:
    """One wrong variant's prediction for a check: an array, or a function answer → bool."""

    def __init__(self, key, prediction):
        if key not in MISCONCEPTIONS:
            raise KeyError(f"unknown misconception {key!r}")
        self.key, self.prediction = key, prediction

    @property
    def name(self):
        return MISCONCEPTIONS[self.key][0]

    def describe(self):
        name, formula = MISCONCEPTIONS[self.key]
        return f"matches {name} ({formula})"
