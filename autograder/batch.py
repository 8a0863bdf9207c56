"""``grade-all``: grade a class laid out as nbgrader's ``submitted/<student>/<assignment>/``.

* Each submission is graded by its own ``python -m autograder grade`` process (so one
  grader crash cannot touch another student), ``-j N`` at a time.
* Results go to ``OUT/results/<student>.json``, written atomically. A student whose results
  file exists and was made from the same files (``extra_data.submission_sha256``) is
  skipped, so an interrupted run resumes where it stopped; ``--force`` regrades everyone.
* ``--shard K/N`` takes the students in sorted order and keeps those at positions i with
  ``i % N == K - 1`` (round robin): the N slices are disjoint and together make the class.
  Shards share nothing but the results folder; each one rebuilds the gradebook from
  whatever results exist when it finishes (``gradebook`` does the same on demand).
"""
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from . import config
from .gradebook import build
from .results import read_results
from .runner import submission_digest

REPO = Path(__file__).resolve().parents[1]


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


def grade_one(assignment, student, folder, results_file, timeout):
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(folder),
               "--out", str(results_file), "--student", student]
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                 cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    except subprocess.TimeoutExpired:
        return f"{student}: grading took longer than {timeout:.0f} s and was stopped"
    if process.returncode != 0:
        last = (process.stderr.strip().splitlines() or ["no message"])[-1]
        return f"{student}: the grader failed ({last})"
    return None


def grade_all(assignment, root, out_dir, jobs, shard, force):
    settings = config.load(assignment)
    students = in_shard(find_students(root, assignment), shard)
    results_dir = Path(out_dir) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    todo, skipped = [], 0
    for student, folder in students:
        results_file = results_dir / f"{student}.json"
        if not force and is_done(results_file, submission_digest(assignment, folder)):
            skipped += 1
        else:
            todo.append((student, folder, results_file))
    print(f"{assignment}: {len(students)} submission(s) in shard {shard[0]}/{shard[1]}, "
          f"{skipped} already graded, {len(todo)} to grade", file=sys.stderr)
    timeout = settings.total_budget_s * 2 + 300
    problems, lock = [], threading.Lock()
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            tqdm(total=len(todo), unit="submission", desc=assignment, file=sys.stderr) as bar:
        futures = [pool.submit(grade_one, assignment, s, f, r, timeout) for s, f, r in todo]
        for future in as_completed(futures):
            problem = future.result()
            with lock:
                if problem:
                    problems.append(problem)
                bar.update(1)
    for problem in problems:
        print(f"autograder: {problem}", file=sys.stderr)
    build(assignment, out_dir)
    return 1 if problems else 0
