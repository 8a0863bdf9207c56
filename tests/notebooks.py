"""Run a generated notebook headless, the way a student's Jupyter would."""
import os
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def execute_notebook(notebook, workdir, timeout=900, env=None):
    """Execute ``notebook`` (a .ipynb path) with ``workdir`` as its working directory.

    The executed notebook is written next to the copy in ``workdir`` and returned.
    ``env`` entries are set for the kernel (for example ``CIFAR10_DIR`` or a short budget).
    A cell that raises makes this raise ``nbclient.exceptions.CellExecutionError``.
    """
    workdir = Path(workdir)
    target = workdir / Path(notebook).name
    if Path(notebook).resolve() != target.resolve():
        shutil.copy(notebook, target)
    nb = nbformat.read(target, as_version=4)
    saved = dict(os.environ)
    os.environ.update({"MPLBACKEND": "Agg", **(env or {})})
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    nbformat.write(nb, target)
    return target


def copy_version(version, assignment, tmp_path):
    """Copy ``solutions/<assignment>`` or ``assignments/<assignment>`` into ``tmp_path``."""
    dest = Path(tmp_path) / assignment
    shutil.copytree(REPO / version / assignment, dest)
    return dest
