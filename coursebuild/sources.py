"""What each file in ``source/<assignment>/`` is, and how to read it.

A percent-format ``.py`` (it has ``# %%`` cell markers) is a module, or a notebook when its
jupytext header names a ``kernelspec``. Anything else is copied unchanged. The files of
``source/_common/`` are copied into every assignment's ``tests/``.
"""
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source"
COMMON = SOURCE / "_common"
ASSIGNMENTS = ("backprop", "optimizers", "cnn")

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
_CELL_MARKER = re.compile(r"^# %%", re.MULTILINE)
_IGNORED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", "figures"}


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    relative: Path  # relative to the assignment's folder in the output
    kind: str  # "module", "notebook" or "verbatim"

    def read_notebook(self):
        """The file as a notebook (jupytext percent format)."""
        return jupytext.read(self.path, fmt="py:percent")


def assignment_dir(assignment):
    path = SOURCE / assignment
    if assignment not in ASSIGNMENTS or not path.is_dir():
        raise SystemExit(
            f"coursebuild: unknown assignment {assignment!r}; expected one of {', '.join(ASSIGNMENTS)} "
            f"with its sources in {SOURCE}/<assignment>/"
        )
    return path


def _kind(path):
    if path.suffix != ".py":
        return "verbatim"
    text = path.read_text(encoding="utf-8")
    if not _CELL_MARKER.search(text):
        return "verbatim"
    header = text.split("\n# ---\n", 1)[0] if text.startswith("# ---\n") else ""
    return "notebook" if "kernelspec:" in header else "module"


def _files_under(root):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not _IGNORED & set(path.relative_to(root).parts) and path.suffix != ".pyc":
            yield path


def list_sources(assignment):
    """Every file that goes into the assignment's student and solution versions."""
    root = assignment_dir(assignment)
    files = [SourceFile(p, p.relative_to(root), _kind(p)) for p in _files_under(root)]
    files += [SourceFile(p, Path("tests") / p.relative_to(COMMON), "verbatim") for p in _files_under(COMMON)]
    return files


def split_solution_lines(text):
    """``(solution, given)``: the lines inside ``### BEGIN SOLUTION`` … ``### END SOLUTION``
    regions of ``text``, and the lines outside them (the markers themselves in neither)."""
    solution, given, inside = [], [], False
    for line in text.splitlines():
        if line.strip() in (SOLUTION_BEGIN, SOLUTION_END):
            inside = line.strip() == SOLUTION_BEGIN
        else:
            (solution if inside else given).append(line)
    return solution, given
