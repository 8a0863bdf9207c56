import importlib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def import_from(directory, *names):
    """Import modules by their plain names from ``directory`` (e.g. ``solutions/backprop``).

    Assignments import each other's modules by plain name (``from layers import Linear``),
    so any module of the same name left over from another assignment is evicted first.
    Returns one module, or a tuple when several names are given.
    """
    directory = str(Path(directory).resolve())
    stems = {p.stem for p in Path(directory).glob("*.py")}
    for stem in stems:
        sys.modules.pop(stem, None)
    sys.path.insert(0, directory)
    try:
        modules = tuple(importlib.import_module(name) for name in names)
    finally:
        sys.path.remove(directory)
    return modules[0] if len(modules) == 1 else modules


@pytest.fixture
def solution():
    """``solution("backprop", "layers", "network")`` imports from ``solutions/backprop``."""
    return lambda assignment, *names: import_from(REPO / "solutions" / assignment, *names)
