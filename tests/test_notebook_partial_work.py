"""Each student notebook runs with only the first task written and names what it waits for.

The student version is copied out of the repository, the manifest's first task is written
(its solution cells only, every other stub left as it is) and the notebook is executed
headless. Every cell must run (the test cells, tagged ``raises-exception``, report their
failing tests and go on); the first task's test cell passes; each section that needs an
unwritten function says so in one line (``waiting for Tanh.forward (activations.py)``).
"""
import os
import re
import time

import nbformat
import pytest

from coursebuild.sources import ASSIGNMENTS
from notebooks import copy_version, execute_notebook, first_task_only

NOTEBOOKS = {"backprop": "vanishing_gradients.ipynb", "optimizers": "optimizers.ipynb", "cnn": "cnn_cifar10.ipynb"}
# a stub each notebook must name, with only the first task written
NAMED = {"backprop": "waiting for Tanh.forward (activations.py)",
         "optimizers": "waiting for Momentum.step (momentum.py)",
         "cnn": "waiting for build_model (model.py)"}


def _outputs(notebook):
    """[(cell source, stream text, error lines)] of the executed notebook's code cells."""
    rows = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        errors = [line for o in cell.outputs if o.output_type == "error" for line in o.traceback]
        rows.append((cell, text, errors))
    return rows


def test_every_assignment_has_a_notebook_here():
    assert set(NOTEBOOKS) == set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_runs_with_only_the_first_task_written(assignment, tmp_path):
    env = {}
    if assignment == "cnn":
        if not os.environ.get("CIFAR10_DIR"):
            pytest.fail("CIFAR10_DIR is not set: the cnn notebook loads CIFAR-10 (run `make data`). CI sets it.")
        env = {"CIFAR10_DIR": os.environ["CIFAR10_DIR"]}
    work = copy_version("assignments", assignment, tmp_path)
    task, _ = first_task_only(assignment, work)
    start = time.monotonic()
    executed = execute_notebook(work / NOTEBOOKS[assignment], work, timeout=300, env=env)
    seconds = time.monotonic() - start
    rows = _outputs(executed)
    everything = "\n".join(text for _, text, _ in rows)

    # only test cells may fail, and each failure is one line, no traceback
    for cell, _, errors in rows:
        if errors:
            assert "raises-exception" in cell.metadata.get("tags", []), f"a cell that is not a test cell failed:\n{cell.source}\n{errors}"
            assert len(errors) == 1 and errors[0].startswith("ChecksFailed: "), errors
    checks = [(cell, text, errors) for cell, text, errors in rows if "check(" in cell.source and "raises-exception" in cell.metadata.get("tags", [])]
    assert checks, f"{NOTEBOOKS[assignment]} has no test cell"
    first = [row for row in checks if f'"{task}"' in row[0].source]
    assert first, f"no test cell checks the first task {task!r}"
    passed = re.search(r"(\d+) of (\d+) public tests pass", first[0][1])
    assert passed and int(passed.group(1)) > 0, f"the first task's tests should pass:\n{first[0][1]}"
    assert any(errors for _, _, errors in checks), "with only one task written, some test cell should fail"
    assert NAMED[assignment] in everything, f"the notebook never says {NAMED[assignment]!r}:\n{everything[-3000:]}"
    # nothing ran for minutes on an unwritten stub
    assert seconds < 120, f"the notebook took {seconds:.0f} s with one task written"
