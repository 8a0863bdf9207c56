"""The one reader of solution regions: ``### BEGIN SOLUTION`` … ``### END SOLUTION``.

As strict as nbgrader's ClearSolutions, and earlier, with the source file's own line
numbers: a region must be closed, must not nest, must not close what was never opened, and
must sit in a cell whose nbgrader metadata says ``"solution": true`` (otherwise nbgrader
would leave the solution in the student version). Every violation is a ``RegionError``
naming the file and the line.

A whole cell can be solution-only: its ``# %%`` line carries the tag ``solution_only``
(``# %% tags=["solution_only"]``), and the student version leaves the cell out entirely (the
reference's helpers, which a student has no use for). For the leak check its lines are
solution lines, as those of a region.
"""
import json
import re
from dataclasses import dataclass

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
CELL_MARKER = "# %%"
SOLUTION_ONLY = "solution_only"   # the cell tag: only the solution version holds the cell
_TAGS = re.compile(r"\btags=(\[[^\]]*\])")


class RegionError(SystemExit):
    """A malformed solution region; the message is ``coursebuild: FILE:LINE: what is wrong``."""

    def __init__(self, filename, line, problem):
        super().__init__(f"coursebuild: {filename}:{line}: {problem}")


@dataclass(frozen=True)
class Region:
    begin: int  # line number of the BEGIN marker (1-based)
    end: int    # line number of the END marker


def is_solution_only(header):
    """True if ``header``, a ``# %%`` line, tags its cell ``solution_only``."""
    found = _TAGS.search(header or "")
    if not found:
        return False
    try:
        return SOLUTION_ONLY in json.loads(found.group(1))
    except ValueError:
        return False


def is_solution_only_cell(cell):
    """True if a notebook cell (as jupytext reads a percent-format source) is tagged ``solution_only``."""
    return SOLUTION_ONLY in cell.metadata.get("tags", [])


def _is_solution_cell(header):
    return header is not None and '"solution": true' in header.replace("'", '"')


def solution_regions(text, filename, cells=True):
    """Every region of ``text``, checked. ``cells``: ``text`` is a percent-format source whose
    regions must sit in solution cells (False for text that has no cell markers)."""
    regions, opened, header = [], None, None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if line.startswith(CELL_MARKER):
            if opened is not None:
                raise RegionError(filename, opened, f"{SOLUTION_BEGIN} is not closed before the next cell (line {number})")
            header = line
        elif stripped == SOLUTION_BEGIN:
            if opened is not None:
                raise RegionError(filename, number, f"{SOLUTION_BEGIN} inside the region opened at line {opened}")
            if cells and not _is_solution_cell(header):
                raise RegionError(filename, number, f"{SOLUTION_BEGIN} in a cell without nbgrader's "
                                                    '"solution": true on its "# %%" line')
            opened = number
        elif stripped == SOLUTION_END:
            if opened is None:
                raise RegionError(filename, number, f"{SOLUTION_END} without a {SOLUTION_BEGIN} before it")
            regions.append(Region(opened, number))
            opened = None
        elif SOLUTION_BEGIN in line or SOLUTION_END in line:
            raise RegionError(filename, number, "a solution marker must stand alone on its line")
    if opened is not None:
        raise RegionError(filename, opened, f"{SOLUTION_BEGIN} is never closed")
    return regions


def split_solution_lines(text, filename="<text>", cells=True):
    """``(solution, given)``: the lines inside the regions and the solution-only cells of ``text``
    and the other lines (the markers and the solution-only cells' ``# %%`` lines in neither)."""
    inside = set()
    for region in solution_regions(text, filename, cells):
        inside.update(range(region.begin, region.end + 1))
    solution, given, solution_only = [], [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if cells and line.startswith(CELL_MARKER):
            solution_only = is_solution_only(line)
            if solution_only:
                continue
        if number in inside or solution_only:
            if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END):
                solution.append(line)
        else:
            given.append(line)
    return solution, given


def without_markers(text, filename="<text>", cells=False):
    """``text`` with its (checked) marker lines removed: the solution version."""
    markers = {number for r in solution_regions(text, filename, cells) for number in (r.begin, r.end)}
    return "\n".join(line for number, line in enumerate(text.split("\n"), start=1) if number not in markers)
