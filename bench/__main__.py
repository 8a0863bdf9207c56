"""``python -m bench [--skip PART ...]``: writes ``bench/results.json`` and prints a table.

Parts: ``grade`` (one solution submission per assignment, CNN training excluded, median of 5),
``grade-all`` (100 copies of the optimizers solution with -j 1 and -j 2), ``public-tests``
(each assignment's public tests against its solution) and ``cnn`` (the reference CNN: seconds
to 65 % train and test accuracy, and test accuracy after the 10-minute budget).
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results.json"
ASSIGNMENTS = ("backprop", "optimizers", "cnn")
PARTS = ("grade", "grade-all", "public-tests", "cnn")
# The hidden cnn tests that need the trained CNN; `grade` leaves them out (training is timed by `cnn`).
CNN_TASK_TESTS = ("test_cnn_architecture", "test_cnn_train_accuracy", "test_cnn_test_accuracy", "test_cnn_training_time")


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def timed(command, **kwargs):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds, done


def bench_grade(work):
    rows = {}
    for assignment in ASSIGNMENTS:
        extra = [arg for test in CNN_TASK_TESTS for arg in ("--skip", test)] if assignment == "cnn" else []
        runs = []
        for _ in range(5):
            seconds, _ = timed([sys.executable, "-m", "autograder", "grade", assignment,
                                str(REPO / "solutions" / assignment), "--out", str(work / "one.json"), *extra])
            runs.append(seconds)
        score = json.loads((work / "one.json").read_text())
        rows[assignment] = {"median_s": statistics.median(runs), "runs_s": runs,
                            "score": score["score"], "max_score": score["max_score"]}
    return rows


def bench_grade_all(work, copies=100):
    root = work / "submitted"
    for index in range(copies):
        shutil.copytree(REPO / "solutions" / "optimizers", root / f"student{index:03d}" / "optimizers")
    rows = {}
    for jobs in (1, 2):
        seconds, _ = timed([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(root),
                            "-j", str(jobs), "--force"])
        rows[f"-j {jobs}"] = {"submissions": copies, "wall_s": seconds, "per_minute": copies / seconds * 60}
    return rows


def bench_public_tests(work):
    rows = {}
    for assignment in ASSIGNMENTS:
        folder = work / "public" / assignment
        shutil.copytree(REPO / "solutions" / assignment, folder)
        seconds, done = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder)
        rows[assignment] = {"wall_s": seconds, "summary": done.stdout.strip().splitlines()[-1]}
    return rows


def bench_cnn(work):
    out = work / "cnn.json"
    timed([sys.executable, str(REPO / "bench" / "cnn_reference.py"), str(out), "--budgets", "35,45"], cwd=REPO)
    return json.loads(out.read_text())


def print_table(results):
    print(f"\nmachine: {results['machine']['cpu']}, {results['machine']['cores']} cores")
    for assignment, row in results.get("grade", {}).items():
        print(f"grade one {assignment:<10} median {row['median_s']:6.2f} s   score {row['score']}/{row['max_score']}")
    for jobs, row in results.get("grade-all", {}).items():
        print(f"grade-all optimizers {jobs}: {row['submissions']} in {row['wall_s']:6.1f} s  ({row['per_minute']:.1f}/min)")
    for assignment, row in results.get("public-tests", {}).items():
        print(f"public tests {assignment:<10} {row['wall_s']:6.2f} s   {row['summary']}")
    if "cnn" in results:
        cnn = results["cnn"]
        for run in cnn.get("short_runs", []):
            print(f"reference CNN, {run['budget_s']:.0f} s budget: trained {run['train_seconds']:.1f} s, "
                  f"train {run['train_acc']:.1%}, test {run['test_acc']:.1%}")
        if cnn.get("seconds_to_65_65") is not None:
            print(f"reference CNN: 65 % train and test after {cnn['seconds_to_65_65']:.1f} s of training")
        if "long_run" in cnn:
            run = cnn["long_run"]
            print(f"reference CNN, {run['budget_s']:.0f} s budget: train {run['train_acc']:.1%}, "
                  f"test {run['test_acc']:.1%} after {run['epochs']:.1f} epochs")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS)
    args = parser.parse_args(argv)
    results = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    runners = {"grade": bench_grade, "grade-all": bench_grade_all, "public-tests": bench_public_tests, "cnn": bench_cnn}
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for part in PARTS:
            if part not in args.skip:
                print(f"bench: {part} ...", flush=True)
                results[part] = runners[part](Path(work))
    partial = RESULTS.with_suffix(".json.part")
    partial.write_text(json.dumps(results, indent=2) + "\n")
    partial.replace(RESULTS)
    print_table(results)
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
