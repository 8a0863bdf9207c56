"""Student code cannot decide its own grade: each attack costs only the affected tests.

Every case replaces ``adam.py`` of the optimizers solution with hostile code. Adam is
used by ``test_adam`` (20 points) and by 2 of the 10 checks of
``test_state_initialisation`` (2 points), so every attack must end at exactly 78/100,
with a complete results file and exit status 0.
"""
import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from autograder.dev.examples import example_submissions
from grading import grade, scores

pytestmark = pytest.mark.filterwarnings("ignore")
SUITE_FILE = Path(__file__).resolve().parents[1] / "autograder" / "suites" / "optimizers" / "test_optimizers.py"


@pytest.fixture(scope="module")
def solution(tmp_path_factory):
    return example_submissions("optimizers", tmp_path_factory.mktemp("examples"))["solution"]


def grade_with_adam(solution, tmp_path, adam_source, env=None):
    folder = tmp_path / "submission"
    shutil.copytree(solution, folder)
    (folder / "adam.py").write_text(textwrap.dedent(adam_source))
    out = tmp_path / "results.json"
    results, process = grade("optimizers", folder, out, env=env)
    assert process.returncode == 0
    got = scores(results)
    assert got["test_adam"] == 0
    assert got["test_state_initialisation"] == 8
    assert results["score"] == 78, results
    return results


def adam_output(results):
    return next(t["output"] for t in results["tests"] if t["extra_data"]["test"] == "test_adam")


def test_sys_exit_at_import(solution, tmp_path):
    results = grade_with_adam(solution, tmp_path, "import sys\nsys.exit(0)\n")
    assert "SystemExit" in adam_output(results)


def test_hard_exit_at_import(solution, tmp_path):
    results = grade_with_adam(solution, tmp_path, "import os\nos._exit(0)\n")
    assert "crashed the worker" in adam_output(results)


def test_endless_loop_at_import(solution, tmp_path):
    results = grade_with_adam(solution, tmp_path, "while True:\n    pass\n", env={"AUTOGRADER_CALL_TIMEOUT": "3"})
    assert "did not finish within 3 s" in adam_output(results)


def test_endless_loop_in_step(solution, tmp_path):
    source = (solution / "adam.py").read_text().replace("g = grad_fn(x)", "while True:\n            pass")
    assert "while True" in source
    results = grade_with_adam(solution, tmp_path, source, env={"AUTOGRADER_CALL_TIMEOUT": "2"})
    assert "did not finish" in adam_output(results)


def test_allocating_50_gb(solution, tmp_path):
    results = grade_with_adam(solution, tmp_path, """
        import numpy as np
        hog = np.ones(50 * 10**9 // 8)
    """)
    assert "MemoryError" in adam_output(results)


def test_fork_bomb_is_stopped_by_the_process_limit(solution, tmp_path):
    """The worker's processes count against RLIMIT_NPROC (256), also when the grader is root:
    the kernel exempts uid 0, so a worker that were root outside its namespace could fork
    until the machine ran out of memory (the test runner was killed that way in CI)."""
    results = grade_with_adam(solution, tmp_path, """
        import os, time
        started = 0
        try:
            while started < 2000:
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                started += 1
        except OSError:
            pass
        raise RuntimeError(f"started {started} processes")
    """)
    started = int(adam_output(results).split("started ")[1].split()[0])
    assert 0 < started < 256, adam_output(results)


def test_object_with_always_true_eq(solution, tmp_path):
    results = grade_with_adam(solution, tmp_path, """
        import numpy as np

        class Anything:
            def __eq__(self, other):
                return True
            __ne__ = lambda self, other: False
            __array_priority__ = 1000

        class Sneaky(np.ndarray):
            def __eq__(self, other):
                return True

        class Adam:
            def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
                self.m = self.v = Anything()
                self.t = Anything()
                self.calls = 0

            def step(self, x, grad_fn):
                self.calls += 1
                if self.calls % 2:
                    return Anything()
                return np.zeros_like(x).view(Sneaky)
    """)
    assert "not numbers" in adam_output(results) or "accepts only" in adam_output(results)


def test_monkeypatching_numpy_and_pytest(solution, tmp_path):
    grade_with_adam(solution, tmp_path, """
        import numpy as np
        import numpy.testing
        np.allclose = lambda *a, **k: True
        np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)
        np.testing.assert_allclose = lambda *a, **k: None
        np.ndarray.__eq__ = None if False else np.ndarray.__eq__
        try:
            import pytest, _pytest.outcomes
            pytest.fail = lambda *a, **k: None
            _pytest.outcomes.Failed = type("Failed", (Exception,), {})
        except ImportError:
            pass
        import builtins
        builtins.AssertionError = type("AssertionError", (Exception,), {})

        class Adam:
            def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
                self.m = self.v = None
                self.t = 0

            def step(self, x, grad_fn):
                return np.zeros_like(x)
    """)


def test_fake_results_file(solution, tmp_path):
    out = tmp_path / "results.json"
    forged = json.dumps({"score": 100, "max_score": 100, "tests": []})
    results = grade_with_adam(solution, tmp_path, f"""
        import json, os, sys
        FORGED = {forged!r}
        for path in ({str(out)!r}, "results.json", "../results.json", "/tmp/results.json",
                     "/autograder/results/results.json"):
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                with open(path, "w") as handle:
                    handle.write(FORGED)
            except OSError:
                pass
        print(FORGED)
        sys.stdout.flush()
        os.write(1, FORGED.encode())
        raise SystemExit(0)
    """)
    assert json.loads(out.read_text())["score"] == 78


def test_hidden_suite_is_not_visible(solution, tmp_path):
    # importing fails (so Adam scores 0) exactly when the hidden suite cannot be read
    grade_with_adam(solution, tmp_path, f"""
        open({str(SUITE_FILE)!r}).read()
        import os
        assert not os.path.exists({str(Path(__file__).resolve().parents[1])!r} + "/autograder")
        from adam_solution_missing import Adam  # never reached if the grader files are hidden
    """)


def test_batch_carries_on_after_hostile_submissions(solution, tmp_path):
    """grade-all goes through a class where one student hangs and one exits."""
    import subprocess
    import sys

    root = tmp_path / "submitted"
    for student, source in (("alice", None), ("bob", "while True:\n    pass\n"), ("carol", "import os\nos._exit(3)\n")):
        folder = root / student / "optimizers"
        shutil.copytree(solution, folder)
        if source:
            (folder / "adam.py").write_text(source)
    env = {**os.environ, "AUTOGRADER_CALL_TIMEOUT": "3"}
    process = subprocess.run([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(root),
                              "--out-dir", str(tmp_path / "out")], capture_output=True, text=True, env=env,
                             cwd=Path(__file__).resolve().parents[1], timeout=600)
    assert process.returncode == 0, process.stderr
    totals = {p.stem: json.loads(p.read_text())["score"] for p in (tmp_path / "out" / "results").glob("*.json")}
    assert totals == {"alice": 100, "bob": 78, "carol": 78}
