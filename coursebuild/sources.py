"""What each file in ``source/<assignment>/`` is, and how to read it.

A percent-format ``.py`` (it has ``# %%`` cell markers) is a module, or a notebook when its
jupytext header names a ``kernelspec``. Anything else is copied unchanged. The files of
``source/_common/`` are copied into every assignment's ``tests/``. The files under
``source/<assignment>/solution_only/`` go into the solution version only, at their path below
that folder (``list_solution_only``).
"""
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

from .regions import solution_regions

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source"
COMMON = SOURCE / "_common"
MANIFEST = "assignment.toml"
# read to write a version's README.md and pytest.ini (bundle.py), not copied into it
GENERATION_INPUTS = {MANIFEST, "README.md"}
# The assignments are the folders of source/ that hold a manifest.
ASSIGNMENTS = tuple(sorted(p.parent.name for p in SOURCE.glob(f"*/{MANIFEST}")))

_CELL_MARKER = re.compile(r"^# %%", re.MULTILINE)
_IGNORED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", "figures"}
SOLUTION_ONLY_DIR = "solution_only"


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    relative: Path  # relative to the assignment's folder in the output
    kind: str  # "module", "notebook" or "verbatim"

    def read_notebook(self):
        """The file as a notebook (jupytext percent format), its solution regions checked."""
        solution_regions(self.path.read_text(encoding="utf-8"), _shown(self.path))
        return jupytext.read(self.path, fmt="py:percent")


def _shown(path):
    """``path`` as messages name it: relative to the repository when it lies inside."""
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def assignment_dir(assignment):
    path = SOURCE / assignment
    if assignment not in ASSIGNMENTS or not path.is_dir():
        raise SystemExit(
            f"coursebuild: unknown assignment {assignment!r}; expected one of {', '.join(ASSIGNMENTS)}: "
            f"an assignment is a folder {SOURCE}/<assignment>/ holding its {MANIFEST}"
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
    files = [SourceFile(p, p.relative_to(root), _kind(p)) for p in _files_under(root)
             if p.relative_to(root).as_posix() not in GENERATION_INPUTS
             and p.relative_to(root).parts[0] != SOLUTION_ONLY_DIR]
    files += [SourceFile(p, Path("tests") / p.relative_to(COMMON), "verbatim") for p in _files_under(COMMON)]
    return files


def list_solution_only(assignment):
    """The files of ``source/<assignment>/solution_only/``, placed in the solution version as if
    that folder were the assignment's: not for a module that graded code imports (the grader
    takes only an assignment's top-level modules)."""
    root = assignment_dir(assignment) / SOLUTION_ONLY_DIR
    files = [SourceFile(p, p.relative_to(root), _kind(p)) for p in _files_under(root)] if root.is_dir() else []
    shared = {f.relative for f in files} & {f.relative for f in list_sources(assignment)}
    if shared:
        raise SystemExit(f"coursebuild: {_shown(root)} repeats {', '.join(sorted(map(str, shared)))} "
                         "of the assignment's own files")
    return files
