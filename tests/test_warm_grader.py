"""The warm grader (autograder/batch/serve.py, grade_all.WarmGrader): same scores as a cold ``grade``,
hostile submissions in the middle of a batch cost only themselves, and a grader process that
dies or hangs is replaced with only its current student losing the grade."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.batch.grade_all import WarmGrader
from autograder.dev.examples import example_submissions

REPO = Path(__file__).resolve().parents[1]
HOSTILE = {  # adam.py of the optimizers solution replaced; each ends at exactly 78/100
    "hang": "while True:\n    pass\n",
    "memory": "import numpy as np\nhog = np.ones(50 * 10**9 // 8)\n",
    "exit": "import os\nos._exit(0)\n",
    "forks": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
}


def same_apart_from_time(first, second):
    first, second = dict(first), dict(second)
    first.pop("execution_time"), second.pop("execution_time")
    return first == second


def cold_grade(assignment, folder, out, student, env=None):
    process = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, str(folder),
                              "--out", str(out), "--student", student], cwd=REPO, capture_output=True,
                             text=True, env={**os.environ, **(env or {})}, timeout=600)
    assert process.returncode == 0, process.stderr
    return json.loads(Path(out).read_text())


def grade_all(assignment, root, out, env=None, *extra):
    process = subprocess.run([sys.executable, "-m", "autograder", "grade-all", assignment, str(root),
                              "--out-dir", str(out), "-j", "2", *extra], cwd=REPO, capture_output=True,
                             text=True, env={**os.environ, **(env or {})}, timeout=900)
    return process


def test_warm_scores_equal_cold_grade_one_at_a_time(tmp_path):
    """Each backprop submission graded in one warm process, after others, gives exactly the
    results file a fresh ``grade`` gives (execution time aside)."""
    examples = example_submissions("backprop", tmp_path / "examples")
    root = tmp_path / "submitted"
    order = {"a_partial": "partial", "b_solution": "solution", "c_stubs": "stubs", "d_solution": "solution"}
    for student, kind in order.items():
        shutil.copytree(examples[kind], root / student / "backprop")
    # the worker must not load torch for modules that do not use it (start-up time)
    shutil.copytree(examples["solution"], root / "e_no_torch" / "backprop")
    with open(root / "e_no_torch" / "backprop" / "activations.py", "a") as handle:
        handle.write("\nimport sys\nassert 'torch' not in sys.modules, 'the worker imported torch'\n")
    process = grade_all("backprop", root, tmp_path / "warm")
    assert process.returncode == 0, process.stderr
    assert "warm graders" in process.stderr
    for student in ("a_partial", "b_solution", "c_stubs"):
        cold = cold_grade("backprop", root / student / "backprop", tmp_path / f"{student}.json", student)
        warm = json.loads((tmp_path / "warm" / "results" / f"{student}.json").read_text())
        assert same_apart_from_time(warm, cold), student
    totals = {s: json.loads((tmp_path / "warm" / "results" / f"{s}.json").read_text())["score"]
              for s in [*order, "e_no_torch"]}
    assert totals["b_solution"] == totals["d_solution"] == totals["e_no_torch"] == 100 and 0 < totals["a_partial"] < 100
    assert totals["c_stubs"] < totals["a_partial"]


def test_hostile_submissions_in_the_middle_cost_only_themselves(tmp_path):
    """Hang, memory bomb, os._exit and fork bomb between correct submissions, two warm
    graders at once: every correct one gets 100 and every hostile one exactly 78 (its Adam
    points), with the same results file as a cold grade of it."""
    solution = example_submissions("optimizers", tmp_path / "examples")["solution"]
    root = tmp_path / "submitted"
    students = ["a_ok", "b_hang", "c_ok", "d_memory", "e_exit", "f_forks", "g_ok"]
    for student in students:
        folder = root / student / "optimizers"
        shutil.copytree(solution, folder)
        kind = student.split("_")[1]
        if kind in HOSTILE:
            (folder / "adam.py").write_text(HOSTILE[kind])
    env = {"AUTOGRADER_CALL_TIMEOUT": "2"}
    process = grade_all("optimizers", root, tmp_path / "out", env)
    assert process.returncode == 0, process.stderr
    results = {s: json.loads((tmp_path / "out" / "results" / f"{s}.json").read_text()) for s in students}
    assert {s: r["score"] for s, r in results.items()} == {
        s: 100 if s.endswith("_ok") else 78 for s in students}
    assert all("grading_error" not in r["extra_data"] for r in results.values())
    cold = cold_grade("optimizers", root / "f_forks" / "optimizers", tmp_path / "forks.json", "f_forks", env)
    assert same_apart_from_time(results["f_forks"], cold)


@pytest.fixture(scope="module")
def solution_folder(tmp_path_factory):
    return example_submissions("optimizers", tmp_path_factory.mktemp("examples"))["solution"]


def test_a_grader_that_dies_or_hangs_is_replaced_and_costs_one_student(solution_folder, tmp_path):
    grader = WarmGrader("optimizers")
    try:
        assert grader.grade("first", solution_folder, tmp_path / "first.json", 300) is None
        assert grader.grade("slow", solution_folder, tmp_path / "slow.json", 0.05) == \
            "grading took longer than 0 s and was stopped"
        assert grader.process is None  # killed, with its sandboxed worker
        answer = {}
        worker = threading.Thread(target=lambda: answer.update(
            problem=grader.grade("victim", solution_folder, tmp_path / "victim.json", 300)))
        worker.start()
        while grader.process is None or grader.jobs == 0:  # a fresh grader has taken the job
            time.sleep(0.01)
        victim_pid = grader.process.pid
        time.sleep(0.3)
        os.kill(victim_pid, 9)
        worker.join(60)
        assert "the grader process died (killed by signal 9" in answer["problem"]
        assert not (tmp_path / "victim.json").exists()
        assert grader.grade("next", solution_folder, tmp_path / "next.json", 300) is None
        assert grader.process.pid != victim_pid
        assert [json.loads((tmp_path / f"{s}.json").read_text())["score"] for s in ("first", "next")] == [100, 100]
    finally:
        grader.stop()


def test_a_failed_grading_leaves_an_error_row_and_is_retried(solution_folder, tmp_path):
    """A submission whose grading runs past the per-submission timeout gets a score-0
    results file with the reason, the others are graded, the batch exits 1; the next run
    grades that student again (an error file has no digest) and keeps the others."""
    root = tmp_path / "submitted"
    for student in ("ann", "bob"):
        shutil.copytree(solution_folder, root / student / "optimizers")
    (root / "bob" / "optimizers" / "adam.py").write_text(HOSTILE["hang"])
    out = tmp_path / "out"  # bob's import hangs for 120 s, longer than his 15 s for the whole grading
    first = grade_all("optimizers", root, out, {"AUTOGRADER_SUBMISSION_TIMEOUT": "15",
                                                "AUTOGRADER_CALL_TIMEOUT": "120"})
    assert first.returncode == 1, first.stderr
    assert "autograder: bob: grading took longer than 15 s and was stopped" in first.stderr
    bob = json.loads((out / "results" / "bob.json").read_text())
    assert bob["score"] == 0 and bob["extra_data"]["grading_error"] == "grading took longer than 15 s and was stopped"
    assert "could not be graded" in bob["output"] and "submission_sha256" not in bob["extra_data"]
    assert json.loads((out / "results" / "ann.json").read_text())["score"] == 100
    with open(out / "gradebook.csv") as handle:
        assert any(line.startswith("bob,") and "took longer" in line for line in handle)

    second = grade_all("optimizers", root, out, {"AUTOGRADER_CALL_TIMEOUT": "3"})
    assert second.returncode == 0, second.stderr
    assert "1 already graded, 1 to grade" in second.stderr
    bob = json.loads((out / "results" / "bob.json").read_text())
    assert bob["score"] == 78 and "grading_error" not in bob["extra_data"]
