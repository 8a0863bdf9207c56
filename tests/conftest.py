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


# `make test-fast` (pytest -m "not slow") leaves these out: they train the CNN, execute notebooks,
# build and run bundles, run nbgrader, or grade whole submissions and classes end to end. What
# stays covers every module's logic in about a minute; `make test` runs everything.
SLOW_MODULES = {
    "test_autograder_adversarial.py", "test_autograder_batch.py", "test_autograder_cnn.py",
    "test_autograder_demo.py", "test_autograder_grade.py", "test_autograder_gradescope.py",
    "test_backprop_notebook.py", "test_cnn_notebook.py", "test_cnn_redteam.py", "test_cnn_reference.py",
    "test_fallback_sandbox.py", "test_generated_versions.py", "test_grading_validity.py",
    "test_harness_limits.py", "test_manifest.py", "test_nbgrader_course.py", "test_new_assignment.py",
    "test_notebook_partial_work.py", "test_optimizers_notebook.py", "test_public_tests.py",
    "test_release.py", "test_slurm_recipe.py", "test_student_bundle.py", "test_warm_grader.py",
}
SLOW_TESTS = {"test_class_run_robustness.py::test_bad_uploads_become_error_rows_and_the_class_is_graded"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_MODULES or f"{item.path.name}::{item.originalname}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
