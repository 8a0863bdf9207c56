"""What each file in ``source/<assignment>/`` is, and how to read it.

A percent-format ``.py`` (it has ``# %%`` cell markers) is a module, or a notebook when its
jupytext header names a ``kernelspec``. Anything else is copied unchanged. The files of
``source/_common/`` are copied into every assignment's ``tests/``.
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


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    relative: Path  # relative to the assignment's folder in the output
    kind: str  # "module", "notebook" or "verbatim"

    def read_notebook(self):
        """The file as a notebook (jupytext percent format), its solution regions checked."""
        solution_regions(self.path.read_text(encoding="utf-8"), self.path.relative_to(REPO))
        return jupytext.read(self.path, fmt="py:percent")


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
             if p.relative_to(root).as_posix() not in GENERATION_INPUTS]
    files += [SourceFile(p, Path("tests") / p.relative_to(COMMON), "verbatim") for p in _files_under(COMMON)]
    return files
