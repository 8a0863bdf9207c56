"""Generate the student version and the solution version of an assignment.

source .py ──jupytext──▶ .ipynb ──nbgrader generate_assignment──▶ student .ipynb
   │                                                                  │
   └── solution markers removed ──▶ solution                          ▼
                                                        modules back to .py, notebooks stay .ipynb

``make student`` also writes the hidden suites' copy of the checks library
(``write_suite_checks``): ``source/_common/checks.py`` is shipped in every student version's
``tests/`` and used by the grader, one file built from one source.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .bundle import write_bundle_files
from .regions import SOLUTION_ONLY, is_solution_only_cell, without_markers
from .sources import COMMON, REPO, list_solution_only, list_sources
from .stubs import name_the_stubs

NBFORMAT_MINOR = 5
CHECKS = COMMON / "checks.py"
SUITE_CHECKS = REPO / "autograder" / "suites" / "checks_common.py"


def _as_comment(markdown):
    return "\n".join(f"# {line}".rstrip() for line in markdown.strip("\n").split("\n"))


def _module_text(notebook):
    """Join a module's cells back into a plain .py file (no cell markers, no metadata);
    a markdown cell becomes a block of comments."""
    chunks = [cell.source.strip("\n") if cell.cell_type == "code" else _as_comment(cell.source)
              for cell in notebook.cells]
    return "\n\n\n".join(chunk for chunk in chunks if chunk.strip()) + "\n"


def _clean_notebook(notebook, keep_nbgrader):
    """A notebook as a student opens it: kernelspec kept, jupytext bookkeeping gone."""
    notebook.metadata = {"kernelspec": notebook.metadata.get("kernelspec", {
        "display_name": "Python 3", "language": "python", "name": "python3"})}
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if not keep_nbgrader:
            cell.metadata.pop("nbgrader", None)
            cell.metadata.pop("deletable", None)
            cell.metadata.pop("editable", None)
    notebook.nbformat, notebook.nbformat_minor = 4, NBFORMAT_MINOR
    return notebook


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_notebook(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def _fresh(out_dir):
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    return out_dir


def _untagged(cell):
    """``cell`` without the ``solution_only`` tag (the solution version needs no reminder)."""
    tags = [tag for tag in cell.metadata.get("tags", []) if tag != SOLUTION_ONLY]
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)
    return cell


def build_solution(assignment, out_dir):
    """Write the solution version: the sources with their solution markers removed, the
    solution-only cells and files included."""
    out_dir = _fresh(out_dir)
    for source in list_sources(assignment) + list_solution_only(assignment):
        target = out_dir / source.relative
        if source.kind == "verbatim":
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.path, target)
            continue
        notebook = source.read_notebook()
        for cell in notebook.cells:
            cell.source = without_markers(_untagged(cell).source, source.relative)
        if source.kind == "module":
            _write(target, _module_text(notebook))
        else:
            _write_notebook(target.with_suffix(".ipynb"), _clean_notebook(notebook, keep_nbgrader=True))
    write_bundle_files(assignment, out_dir)
    return out_dir


def _run_nbgrader(assignment, course_root):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [
        sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
        "--force", "--log-level=WARN",
    ]
    # nbgrader reads nbgrader_config.py from its working directory; the copy's course root
    # is the folder it sits in, so the build never touches the repository's own build/.
    shutil.copyfile(REPO / "nbgrader_config.py", Path(course_root) / "nbgrader_config.py")
    done = subprocess.run(command, cwd=course_root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"coursebuild: nbgrader generate_assignment {assignment} failed:\n{done.stdout}{done.stderr}")


def build_student(assignment, out_dir):
    """Write the student version: nbgrader turns every solution region into a stub; the
    solution-only cells are left out (and the solution-only files never listed)."""
    out_dir = _fresh(out_dir)
    with tempfile.TemporaryDirectory(prefix="coursebuild-") as course_root:
        course_root = Path(course_root)
        nbgrader_source = course_root / "build" / "source" / assignment
        kinds = {}
        for source in list_sources(assignment):
            if source.kind == "verbatim":
                target = nbgrader_source / source.relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source.path, target)
            else:
                target = nbgrader_source / source.relative.with_suffix(".ipynb")
                notebook = source.read_notebook()
                notebook.cells = [cell for cell in notebook.cells if not is_solution_only_cell(cell)]
                _write_notebook(target, notebook)
                kinds[source.relative.with_suffix(".ipynb")] = (source.kind, source.relative)
        _run_nbgrader(assignment, course_root)
        release = course_root / "build" / "release" / assignment
        for path in sorted(p for p in release.rglob("*") if p.is_file()):
            relative = path.relative_to(release)
            if relative not in kinds:
                target = out_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                continue
            kind, origin = kinds[relative]
            notebook = nbformat.read(path, as_version=4)
            if kind == "module":
                text = _module_text(notebook)
                _write(out_dir / origin, name_the_stubs(text, origin.name))
            else:
                _write_notebook(out_dir / relative, _clean_notebook(notebook, keep_nbgrader=True))
    write_bundle_files(assignment, out_dir)
    return out_dir


def suite_checks_text():
    """The hidden suites' copy of the checks library: its source, under a line saying so."""
    origin = CHECKS.relative_to(REPO).as_posix()
    return (f"# Generated by `python -m coursebuild student` from {origin}: edit that file, never this copy.\n"
            + CHECKS.read_text(encoding="utf-8"))


def write_suite_checks(path=SUITE_CHECKS):
    """Write ``autograder/suites/checks_common.py`` from ``source/_common/checks.py``."""
    _write(Path(path), suite_checks_text())
    return Path(path)
