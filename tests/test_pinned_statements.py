"""What the docstrings pin is what the grader checks (issue 22, item 1).

Every value a student-facing docstring (or signature) pins, a default, a value at 0, a dtype, a
shape, is listed in ``autograder/suites/<assignment>/pinned.toml`` with the hidden check that
grades it. Here: each entry quotes its source file, each docstring line that pins a value is
quoted by an entry, and the solution with the entry's ``breaks`` applied fails that very check."""
import io
import re
import shutil
import tokenize
import tomllib
from pathlib import Path

import pytest

from autograder import config
from grading import grade_only

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "autograder" / "suites"
# a docstring or comment line that pins a value: a default, a value at 0, a dtype
PINS = re.compile(r"\bdefault|'\(0\) =|float32|float64")
# graded on the exported graph and its measured accuracy (test_cnn_task.py), not value by value
NOT_VALUE_GRADED = {"cnn": {"model.py", "train.py"}}


def pinned(assignment):
    return tomllib.loads((SUITES / assignment / "pinned.toml").read_text(encoding="utf-8"))["pinned"]


def flat(text):
    return " ".join(text.split())


def student_modules(assignment):
    return sorted(set(config.load(assignment).modules) - NOT_VALUE_GRADED.get(assignment, set()))


def documented_lines(path):
    """The lines of the docstrings and comments of a source file (what a student reads)."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and token.string.startswith('"""')):
            lines += token.string.splitlines()
    return [line.strip() for line in lines if line.strip()]


@pytest.mark.parametrize("assignment", config.names())
def test_entries_quote_their_files_and_name_a_hidden_test(assignment):
    tests = config.load(assignment).tests
    for entry in pinned(assignment):
        source = (REPO / "source" / assignment / entry["file"]).read_text(encoding="utf-8")
        assert flat(entry["says"]) in flat(source), (entry["file"], entry["says"])
        assert entry["test"] in tests, entry


@pytest.mark.parametrize("assignment", config.names())
def test_every_line_that_pins_a_value_is_listed(assignment):
    quoted = {}
    for entry in pinned(assignment):
        quoted.setdefault(entry["file"], []).append(flat(entry["says"]))
    for name in student_modules(assignment):
        for line in documented_lines(REPO / "source" / assignment / name):
            if PINS.search(line):
                assert any(says in flat(line) for says in quoted.get(name, [])), (
                    f"{assignment}/{name}: {line!r} pins a value that no entry of pinned.toml lists")


@pytest.mark.parametrize("assignment", config.names())
def test_each_pinned_value_has_a_hidden_check_that_fails_without_it(assignment, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "pinned")
    folder = tmp_path / assignment
    shutil.copytree(REPO / "solutions" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    for entry in pinned(assignment):
        path = folder / entry["file"]
        original = path.read_text(encoding="utf-8")
        text = original
        for old, new in entry["breaks"]:
            assert old in text, (entry["says"], old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        try:
            results = grade_only(assignment, folder, [entry["test"]])
        finally:
            path.write_text(original, encoding="utf-8")
        test = next(t for t in results["tests"] if t["extra_data"]["test"] == entry["test"])
        assert f"- {entry['check']} (" in test["output"], (entry["says"], entry["check"], test["output"])
