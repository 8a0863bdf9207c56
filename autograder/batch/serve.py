"""The warm grader: one long-lived grader process that grades many submissions in turn.

``python -m autograder serve ASSIGNMENT`` imports torch, pytest and the engine once, prints
``{"ready": ...}`` and then reads one JSON job per line on stdin::

    {"student": "ann", "folder": "submitted/ann/backprop", "out": "autograded/.../ann.json"}

For each job it runs ``runner.run_suite`` exactly as ``python -m autograder grade`` does,
writes the results file atomically and answers one JSON line on stdout::

    {"student": "ann", "ok": true, "score": 100.0, "seconds": 1.2}
    {"student": "ann", "ok": false, "error": "one line saying why"}

Nothing about the trust boundary changes: every submission still gets its own fresh
sandboxed worker (started and killed inside ``run_suite``), and only data crosses it. What
is kept between submissions is the grader's own code (torch, pytest, numpy, the engine).

Fresh state per submission, so that a warm grade equals a cold one:

* every module under ``autograder.suites`` (test modules, conftests, references, checks) is
  dropped from ``sys.modules`` before each run, so pytest collects and imports the suite
  again, module-level values included;
* torch's global random generator is put back to the state it had at start-up (what a
  fresh process has), numpy's and Python's global generators are re-seeded per run from
  the same start-up state.

``grade_all.WarmGrader`` is the other end: it enforces the per-submission timeout and replaces
a grader process that dies or hangs; only the student being graded then loses their grade.
Any stray output of this process goes to stderr; replies use a private copy of stdout.
"""
import json
import os
import random
import signal
import sys
import threading
import time

SUITE_PACKAGE = "autograder.suites"


class _Fresh:
    """The process-wide state a cold ``grade`` process starts with, restored before each job."""

    def __init__(self):
        import numpy as np

        self.numpy = np.random.get_state()
        self.python = random.getstate()
        try:
            import torch
        except ImportError:  # an assignment whose suite does not need torch
            self.torch = None
        else:
            self.torch = torch.random.get_rng_state()

    def restore(self):
        import numpy as np

        for name in [m for m in sys.modules if m == SUITE_PACKAGE or m.startswith(SUITE_PACKAGE + ".")]:
            del sys.modules[name]
        np.random.set_state(self.numpy)
        random.setstate(self.python)
        if self.torch is not None:
            import torch

            torch.random.set_rng_state(self.torch)


def grade_job(assignment, job, fresh):
    """Grade one job dict; the reply dict (never raises for a bad submission)."""
    from ..config import ConfigError
    from ..grading.runner import grade_to_file
    from ..sandbox import SandboxError
    from ..submission import SubmissionError

    student = job.get("student")
    started = time.monotonic()
    fresh.restore()
    try:
        results = grade_to_file(assignment, job["folder"], job["out"], student)
    except (SubmissionError, SandboxError, ConfigError, OSError) as error:
        return {"student": student, "ok": False, "error": f"{type(error).__name__}: {error}"[:2000]}
    except Exception as error:  # noqa: BLE001 - a grader bug costs this student only
        return {"student": student, "ok": False,
                "error": f"the grader failed ({type(error).__name__}: {error})"[:2000]}
    return {"student": student, "ok": True, "score": results["score"],
            "seconds": round(time.monotonic() - started, 3)}


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds run_suite, whose finally kills the sandboxed worker


def _watch_parent(parent):
    """If grade-all dies (even by SIGKILL), stop too instead of grading on as an orphan."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def serve(assignment):
    """The job loop (see the module docstring); returns when stdin closes."""
    from .. import config

    config.load(assignment)  # a bad assignment fails here, before "ready"
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything printed from now on goes to stderr, not into a reply
    signal.signal(signal.SIGTERM, _terminate)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    started = time.monotonic()
    import pytest  # noqa: F401 - loaded once, here, for every job

    from ..grading import runner

    if runner.suite_uses_torch(config.load(assignment)):
        import torch  # noqa: F401 - the suites cross-check against torch

    fresh = _Fresh()
    replies.write(json.dumps({"ready": True, "pid": os.getpid(),
                              "startup_s": round(time.monotonic() - started, 3)}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
        except ValueError:
            replies.write(json.dumps({"ok": False, "error": "not a JSON job line"}) + "\n")
            continue
        replies.write(json.dumps(grade_job(assignment, job, fresh)) + "\n")
    return 0
