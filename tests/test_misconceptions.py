"""Named misconceptions: a submission that makes a known mistake gets that mistake named in
the failing test's output and in ``extra_data.misconceptions``; the solution never does.

Each submission (mutants.py) is the solution with a few small text substitutions, each hitting a
different test, graded in this process (``run_suite``) with only the tests it targets."""
from pathlib import Path

import pytest

from autograder.suites.misconceptions import MISCONCEPTIONS
from grading import grade_only
from mutants import MUTANTS, mutant

REPO = Path(__file__).resolve().parents[1]
NAME = {key: name for key, (name, _) in MISCONCEPTIONS.items()}


def test_every_misconception_has_a_mutant():
    covered = {key for _, _, targets in MUTANTS.values() for keys in targets.values() for key in keys
               if not key.startswith("shape:")}
    assert covered == set(MISCONCEPTIONS), set(MISCONCEPTIONS) ^ covered
    assert len(MISCONCEPTIONS) >= 20


def test_every_shape_of_error_has_a_mutant():
    """The sign, a constant factor, a transposed result and a shift by one: each named by a mutant."""
    advice = " ".join(key for _, _, targets in MUTANTS.values() for keys in targets.values() for key in keys
                      if key.startswith("shape:"))
    for words in ("opposite sign", "1/2 of the expected", "transposed shape", "shifted by one position",
                  "your step x_new − x is exactly"):
        assert words in advice, words


@pytest.mark.parametrize("label", sorted(MUTANTS))
def test_mistake_is_named(label, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "misconception-tests")
    assignment, _, targets = MUTANTS[label]
    results = grade_only(assignment, mutant(tmp_path, label), targets)
    outputs = {t["extra_data"]["test"]: t for t in results["tests"]}
    recorded = results["extra_data"]["misconceptions"]
    for test, keys in targets.items():
        assert outputs[test]["status"] == "failed", (test, outputs[test]["output"])
        for key in keys:
            if key.startswith("shape:"):  # named by the shape of the error (checks.error_shape)
                assert key[len("shape:"):] in outputs[test]["output"], (test, key, outputs[test]["output"])
                assert any(name.endswith("(shape of the error)") for name in recorded.get(test, {})), recorded
                continue
            assert f"matches {NAME[key]}" in outputs[test]["output"], (test, key, outputs[test]["output"])
            assert recorded.get(test, {}).get(NAME[key], 0) >= 1, (test, key, recorded)
    assert set(recorded) <= set(targets), recorded
