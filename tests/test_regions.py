"""The solution-region reader rejects malformed regions, naming the file and the line."""
import pytest

from coursebuild.regions import (RegionError, is_solution_only, solution_regions, split_solution_lines,
                                 without_markers)
from coursebuild.stubs import STUB_MESSAGE, name_the_stubs
from coursebuild.sources import REPO

CELL = '# %% nbgrader={"grade": false, "grade_id": "f", "solution": true}'
PLAIN_CELL = "# %%"


def _source(*lines):
    return "\n".join(lines) + "\n"


GOOD = _source(CELL, "def f(x):", '    """f(x) = 2x."""', "    ### BEGIN SOLUTION", "    return 2 * x",
               "    ### END SOLUTION", "", PLAIN_CELL, "y = 1")


def test_a_good_region_is_read_and_split():
    regions = solution_regions(GOOD, "m.py")
    assert [(r.begin, r.end) for r in regions] == [(4, 6)]
    solution, given = split_solution_lines(GOOD, "m.py")
    assert solution == ["    return 2 * x"]
    assert "def f(x):" in given and not any("SOLUTION" in line for line in given)
    assert "SOLUTION" not in without_markers(GOOD, "m.py", cells=True)


@pytest.mark.parametrize("lines, line, words", [
    ((CELL, "def f():", "    ### BEGIN SOLUTION", "    ### BEGIN SOLUTION", "    ### END SOLUTION",
      "    ### END SOLUTION"), 4, "inside the region opened at line 3"),
    ((CELL, "def f():", "    ### BEGIN SOLUTION", "    pass"), 3, "never closed"),
    ((CELL, "def f():", "    ### BEGIN SOLUTION", PLAIN_CELL, "    ### END SOLUTION"), 3, "not closed before the next cell"),
    ((CELL, "def f():", "    pass", "    ### END SOLUTION"), 4, "without a ### BEGIN SOLUTION"),
    ((CELL, "def f():", "    ### BEGIN SOLUTION  # start", "    ### END SOLUTION"), 3, "stand alone"),
    ((PLAIN_CELL, "def f():", "    ### BEGIN SOLUTION", "    ### END SOLUTION"), 3, '"solution": true'),
])
def test_malformed_regions_name_file_and_line(lines, line, words):
    with pytest.raises(RegionError) as error:
        solution_regions(_source(*lines), "source/x/m.py")
    assert str(error.value.code).startswith(f"coursebuild: source/x/m.py:{line}: ")
    assert words in str(error.value.code)


def test_stub_text_is_defined_once_and_documented():
    stub = name_the_stubs("def f(x):\n    raise NotImplementedError()\n", "m.py")
    assert STUB_MESSAGE.format(where="f", filename="m.py") in stub
    example = STUB_MESSAGE.format(where="Sigmoid.forward", filename="activations.py")
    assert example in (REPO / "docs" / "authoring.md").read_text()
    assert example in (REPO / "assignments" / "backprop" / "activations.py").read_text()


ONLY = '# %% tags=["solution_only"]'


def test_a_solution_only_cell_is_solution_throughout():
    text = _source(CELL, "def f(x):", "    ### BEGIN SOLUTION", "    return helper(x)", "    ### END SOLUTION",
                   ONLY, "def helper(x):", "    return 2 * x", PLAIN_CELL, "y = 1")
    solution, given = split_solution_lines(text, "m.py")
    assert solution == ["    return helper(x)", "def helper(x):", "    return 2 * x"]
    assert given == [CELL, "def f(x):", PLAIN_CELL, "y = 1"]


@pytest.mark.parametrize("header, only", [
    (ONLY, True),
    ('# %% [markdown] tags=["solution_only"]', True),
    ('# %% tags=["other", "solution_only"]', True),
    ('# %% tags=["other"]', False),
    ("# %%", False),
    ('# %% nbgrader={"solution": true}', False),
])
def test_the_solution_only_tag_is_read_from_the_cell_line(header, only):
    assert is_solution_only(header) is only
