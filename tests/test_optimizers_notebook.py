"""The optimizers notebook runs headless on the solution version and draws its figures."""
import matplotlib.image
import nbformat
import numpy as np

from notebooks import copy_version, execute_notebook

FIGURES = ("valley.png", "saddle.png", "rosenbrock.png", "mlp_loss.png")
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam")


def test_optimizers_notebook_runs_and_saves_its_figures(tmp_path):
    workdir = copy_version("solutions", "optimizers", tmp_path)
    executed = execute_notebook(workdir / "optimizers.ipynb", workdir, timeout=300)

    for name in FIGURES:
        path = workdir / "figures" / name
        assert path.is_file(), f"the notebook did not save figures/{name}"
        assert path.stat().st_size > 10_000, f"figures/{name} is suspiciously small"
        pixels = matplotlib.image.imread(path)[..., :3]
        assert min(pixels.shape[:2]) >= 200, f"figures/{name} is only {pixels.shape[:2]} pixels"
        # a blank canvas is one colour; contour lines and curves give many distinct shades
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, f"figures/{name} looks empty"

    printed = "".join(
        output.get("text", "")
        for cell in nbformat.read(executed, as_version=4).cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "stream")
    assert "rosenbrock" in printed, "the notebook printed no steps-to-tolerance table"
    table = printed[printed.index("rosenbrock"):]
    for name in OPTIMIZERS:
        assert name in table, f"{name} is missing from the steps-to-tolerance table"
