"""The backprop notebook runs headless on the solution and writes its figures."""
import time

import nbformat

from notebooks import copy_version, execute_notebook

FIGURES = [
    "activations.png",
    "chain_rule.png",
    "grad_norms_by_activation.png",
    "first_layer_vs_depth.png",
    "grad_norms_by_init.png",
    "grad_norms_batchnorm.png",
]


def test_vanishing_gradients_notebook_runs_and_saves_figures(tmp_path):
    workdir = copy_version("solutions", "backprop", tmp_path)
    start = time.monotonic()
    executed = execute_notebook(workdir / "vanishing_gradients.ipynb", workdir, timeout=120)
    elapsed = time.monotonic() - start
    # about 12 s on an idle 2-core machine, kernel start included; the margin is for a busy one
    assert elapsed < 90, f"the notebook took {elapsed:.0f} s; it should run in well under a minute"

    for name in FIGURES:
        path = workdir / "figures" / name
        assert path.is_file(), f"figures/{name} was not written"
        assert path.stat().st_size > 10_000, f"figures/{name} is only {path.stat().st_size} bytes"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"figures/{name} is not a PNG file"

    # the sigmoid chain's 1/4-per-layer shrink is printed
    text = "".join(
        output.get("text", "")
        for cell in nbformat.read(executed, as_version=4).cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "9.537e-07" in text, "the sigmoid chain table should show (1/4)^10 = 9.537e-07"
    assert text.count("0.2500") >= 12, "the sigmoid chain table should show the per-layer ratio 0.2500"
