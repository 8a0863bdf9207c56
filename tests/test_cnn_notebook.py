"""The generated solution notebook of the cnn assignment runs end to end (short budget)."""
import os

import nbformat
import pytest

from notebooks import copy_version, execute_notebook

FIGURES = ["samples.png", "learning_curves.png", "confusion_matrix.png", "misclassified.png"]


def test_solution_notebook_runs_and_saves_its_figures(tmp_path):
    directory = os.environ.get("CIFAR10_DIR")
    if not directory:
        pytest.fail("CIFAR10_DIR is not set: the cnn notebook trains on CIFAR-10 "
                    "(run `make data` and set CIFAR10_DIR). CI sets it.")
    work = copy_version("solutions", "cnn", tmp_path)
    executed = execute_notebook(work / "cnn_cifar10.ipynb", work, timeout=600,
                                env={"CIFAR10_DIR": directory, "CNN_TIME_BUDGET_S": "20"})
    for name in FIGURES:
        figure = work / "figures" / name
        assert figure.is_file() and figure.stat().st_size > 1000, f"the notebook did not save figures/{name}"
    text = "\n".join(
        "".join(output.get("text", "")) for cell in nbformat.read(executed, as_version=4).cells
        if cell.cell_type == "code" for output in cell.get("outputs", []))
    for line in ["train accuracy:", "test accuracy:", "training time:", "budget 20 s",
                 "max pooling:", "[[9. 2.]", "exported graph: 7 × aten.conv2d"]:
        assert line in text, f"the notebook's output lacks {line!r}"
