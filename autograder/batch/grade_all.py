"""``grade-all``: grade a class laid out as nbgrader's ``submitted/<student>/<assignment>/``.

* Warm by default: ``-j N`` long-lived grader processes (``python -m autograder serve``,
  see serve.py) each import torch, pytest and the engine once and grade one submission
  after another; every submission still gets its own fresh sandboxed worker. A grader
  process that dies or runs past the per-submission timeout is killed and replaced, and
  only the student it was grading gets an error row (with the reason). ``--cold`` starts
  one ``python -m autograder grade`` process per submission instead (the old way, kept
  for comparison in ``make bench``). Both give the same scores.
* Results go to ``OUT/results/<student>.json``, written atomically. A student whose results
  file exists and was made from the same files (``extra_data.submission_sha256``) is
  skipped, so an interrupted run resumes where it stopped; ``--force`` regrades everyone.
  A submission whose grading failed gets a results file with score 0 and
  ``extra_data.grading_error`` (the reason) but no digest, so the next run tries it again.
* ``--shard K/N`` takes the students in sorted order and keeps those at positions i with
  ``i % N == K - 1`` (round robin): the N slices are disjoint and together make the class.
  Shards share nothing but the results folder; each one rebuilds the gradebook from
  whatever results exist when it finishes (``gradebook`` does the same on demand), unless
  ``--no-gradebook`` leaves that to a merge step (examples/slurm/).
"""
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tqdm import tqdm

from .. import config
from ..outputs.gradebook import build
from ..grading.pipes import ChildPipes, PipeClosed
from ..outputs.results import make_results, read_results, write_results
from ..sandbox import SandboxError
from ..submission import SubmissionError, submission_digest

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 300
JOBS_PER_GRADER = 200   # a warm grader is replaced after this many submissions (bounds any leak)
STDERR_KEEP = 8000


def parse_shard(text):
    """"K/N" -> (K, N) with 1 <= K <= N, or None."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        return None
    return (k, n) if 1 <= k <= n else None


def find_students(root, assignment):
    """Sorted [(student, submission folder)] for every root/<student>/<assignment>/."""
    return sorted((p.parent.name, p) for p in Path(root).glob(f"*/{assignment}") if p.is_dir())


def in_shard(students, shard):
    k, n = shard
    return [s for i, s in enumerate(students) if i % n == k - 1]


def is_done(results_file, digest):
    results = read_results(results_file)
    return bool(results) and results.get("extra_data", {}).get("submission_sha256") == digest


def grader_env():
    return {**os.environ, "PYTHONPATH": str(REPO)}


def submission_timeout(settings):
    """Wall-clock limit for grading one submission (its workers' start-ups included):
    ``AUTOGRADER_SUBMISSION_TIMEOUT`` seconds, else twice the total budget + 300 s."""
    value = os.environ.get("AUTOGRADER_SUBMISSION_TIMEOUT")
    return float(value) if value else settings.total_budget_s * 2 + 300


def write_error_results(assignment, student, results_file, reason, seconds):
    """The error row: score 0 on every test, the reason in the output and in
    ``extra_data.grading_error``; no submission digest, so a later run grades it again."""
    settings = config.load(assignment)
    tests = [{"name": name, "score": 0.0, "max_score": entry.points, "status": "failed",
              "output": "not graded: the grading of this submission failed", "visibility": entry.visibility,
              "extra_data": {"test": name}} for name, entry in settings.tests.items()]
    output = f"{assignment}: this submission could not be graded ({reason}). Your instructor has been told."
    extra = {"assignment": assignment, "student": student, "grading_error": reason}
    write_results(results_file, make_results(tests, output, seconds, extra))


def grade_one_cold(assignment, student, folder, results_file, timeout):
    """Grade in a fresh ``python -m autograder grade`` process; None or the reason it failed."""
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(Path(folder).resolve()),
               f"--out={Path(results_file).resolve()}", f"--student={student}"]
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                 cwd=REPO, env=grader_env())
    except subprocess.TimeoutExpired:
        return f"grading took longer than {timeout:.0f} s and was stopped"
    if process.returncode != 0:
        last = (process.stderr.strip().splitlines() or ["no message"])[-1]
        return f"the grader failed ({last})"
    return None


class GraderUnavailable(SandboxError):
    """A warm grader process could not even start (a broken machine, not a submission)."""


class WarmGrader:
    """One ``python -m autograder serve ASSIGNMENT`` process and its JSON-lines channel.

    ``grade()`` sends one job and waits for its reply up to a timeout; a grader that dies
    or runs out of time is killed (SIGTERM, so that it kills its sandboxed worker, then
    SIGKILL) and started again before the next job."""

    def __init__(self, assignment):
        self.assignment = assignment
        self.process = None
        self.pipes = None
        self.jobs = 0

    def _start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder", "serve", self.assignment], cwd=REPO, env=grader_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pipes, self.jobs = ChildPipes(self.process, STDERR_KEEP), 0
        try:
            ready = self._read_line(time.monotonic() + STARTUP_TIMEOUT_S)
        except (EOFError, TimeoutError):
            ready = None
        if not (isinstance(ready, dict) and ready.get("ready")):
            reason = self._last_error()
            self.stop()
            raise GraderUnavailable(f"the warm grader for {self.assignment} does not start: {reason}")

    def _last_error(self):
        return self.pipes.last_error_line() if self.pipes else "no message"

    def _read_line(self, deadline):
        """The next JSON line from the grader; EOFError if it died, TimeoutError."""
        try:
            return json.loads(self.pipes.read_line(deadline))
        except ValueError:
            return None

    def grade(self, student, folder, results_file, timeout):
        """Grade one submission; None, or the reason its grading failed."""
        if self.process is None or self.process.poll() is not None or self.jobs >= JOBS_PER_GRADER:
            self.stop()
            self._start()
        self.jobs += 1
        job = {"student": student, "folder": str(Path(folder).resolve()), "out": str(Path(results_file).resolve())}
        deadline = time.monotonic() + timeout
        try:
            self.pipes.write((json.dumps(job) + "\n").encode(), deadline)
            reply = self._read_line(deadline)
        except TimeoutError:
            self.stop()
            return f"grading took longer than {timeout:.0f} s and was stopped"
        except PipeClosed:
            self.process.wait()
            self.pipes.join_stderr(timeout=1)  # let the stderr drain catch the last words
            code = self.process.returncode
            self.stop()
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            return f"the grader process died ({how}; {self._last_error()})"
        if not isinstance(reply, dict) or reply.get("student") != student:
            self.stop()
            return "the grader sent a malformed reply"
        return None if reply.get("ok") else str(reply.get("error", "no message"))

    def stop(self):
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                process.stdin.close()
            except OSError:
                pass
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def grade_all(assignment, root, out_dir, jobs, shard, force, cold=False, gradebook=True, after_due_date=False):
    settings = config.load(assignment)
    students = in_shard(find_students(root, assignment), shard)
    results_dir = Path(out_dir) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    todo, skipped, problems = [], 0, []
    for student, folder in students:
        results_file = results_dir / f"{student}.json"
        try:
            done = not force and is_done(results_file, submission_digest(assignment, folder))
        except (SubmissionError, OSError) as error:  # an unreadable upload: this student's error row
            reason = f"the upload could not be read: {error}"
            write_error_results(assignment, student, results_file, reason, 0.0)
            problems.append(f"{student}: {reason}")
            continue
        if done:
            skipped += 1
        else:
            todo.append((student, folder, results_file))
    how = "cold: one process per submission" if cold else "warm graders"
    print(f"{assignment}: {len(students)} submission(s) in shard {shard[0]}/{shard[1]}, "
          f"{skipped} already graded, {len(todo)} to grade ({how}, -j {jobs})", file=sys.stderr)
    timeout = submission_timeout(settings)
    lock, waiting = threading.Lock(), queue.Queue()
    for item in todo:
        waiting.put(item)
    fatal = []

    def work(bar):
        grader = None if cold else WarmGrader(assignment)
        try:
            while not fatal:
                try:
                    student, folder, results_file = waiting.get_nowait()
                except queue.Empty:
                    return
                started = time.monotonic()
                try:
                    if cold:
                        problem = grade_one_cold(assignment, student, folder, results_file, timeout)
                    else:
                        problem = grader.grade(student, folder, results_file, timeout)
                except GraderUnavailable as error:
                    fatal.append(str(error))
                    return
                if problem:
                    try:
                        write_error_results(assignment, student, results_file, problem, time.monotonic() - started)
                    except OSError as error:
                        problem += f"; its error row could not be written either ({error.strerror})"
                with lock:
                    if problem:
                        problems.append(f"{student}: {problem}")
                    bar.update(1)
        finally:
            if grader is not None:
                grader.stop()

    with tqdm(total=len(todo), unit="submission", desc=assignment, file=sys.stderr) as bar:
        threads = [threading.Thread(target=work, args=(bar,), daemon=True) for _ in range(min(jobs, len(todo)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for problem in problems:
        print(f"autograder: {problem}", file=sys.stderr)
    if gradebook:
        build(assignment, out_dir, after_due_date)
    if fatal:
        raise GraderUnavailable(fatal[0])
    return 1 if problems else 0
