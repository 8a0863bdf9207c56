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


def first_task_only(assignment, folder):
    """Write, into the student version copied at ``folder``, the file of the manifest's first
    task with only that task's solution cells written (every other cell keeps its stub), as a
    student who has just finished the first task has it. Returns (task id, file name)."""
    import re
    import tomllib

    import jupytext

    from coursebuild.regions import without_markers
    from coursebuild.stubs import name_the_stubs
    from coursebuild.versions import _module_text

    source = REPO / "source" / assignment
    tasks = tomllib.loads((source / "assignment.toml").read_text(encoding="utf-8"))["tasks"]
    first, entry = next(iter(tasks.items()))
    notebook = jupytext.read(source / entry["file"], fmt="py:percent")
    region = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION$", re.M | re.S)
    for cell in notebook.cells:
        metadata = cell.metadata.get("nbgrader", {})
        if metadata.get("solution") and metadata.get("grade_id") != first:
            cell.source = region.sub(lambda m: f"{m.group(1)}raise NotImplementedError()", cell.source)
        cell.source = without_markers(cell.source, entry["file"])
    text = name_the_stubs(_module_text(notebook), entry["file"])
    (Path(folder) / entry["file"]).write_text(text, encoding="utf-8")
    return first, entry["file"]
