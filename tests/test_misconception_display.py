"""Named misconceptions read as plain text (issue 22, item 4): the results' output, the feedback page
and the class report's table show the names without markdown asterisks, old results included."""
import copy

from autograder import config
from autograder.outputs.gradebook import feedback_page
from autograder.outputs.report import build_report
from autograder.suites.misconceptions import MISCONCEPTIONS
from grading import grade_only
from mutants import MUTANTS, mutant
from report_page import Page


def test_names_and_formulas_are_plain_text():
    for key, (name, formula) in MISCONCEPTIONS.items():
        assert "*" not in name and "*" not in formula, key


def test_feedback_page_and_report_show_names_without_asterisks(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "display")
    results = grade_only("optimizers", mutant(tmp_path, "optimizers"), list(MUTANTS["optimizers"][2]))
    adam = next(t for t in results["tests"] if t["extra_data"]["test"] == "test_adam")
    assert "matches Adam without bias correction (m̂ = m, v̂ = v)" in adam["output"]
    page = feedback_page("optimizers", "ada", results, after_due_date=True)  # test_adam is hidden until then
    assert "matches Adam without bias correction" in page and "*" not in page

    legacy = copy.deepcopy(results)  # graded before the names lost their asterisks
    legacy["extra_data"]["misconceptions"]["test_adam"] = {"Adam *without bias correction*": 1}
    page = Page(build_report(config.load("optimizers"), {"ada": results, "old": legacy},
                             tmp_path / "report").read_text(encoding="utf-8"))
    rows = {row[0]: row[1:] for row in page.tables["misconceptions"][1:]}
    assert rows["Adam without bias correction"][0] == "2", rows
    assert not any("*" in name for name in rows), rows
