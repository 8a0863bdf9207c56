"""``python -m bench [--skip PART ...]``: writes ``bench/results.json`` and prints a table.

Parts: ``grade`` (one solution submission per assignment, CNN training excluded, median of 5),
``grade-all`` (a synthetic class of 100 per assignment: solutions, stubs, partial and
four hostile submissions; the warm grade-all with -j 2 (and -j 1 for optimizers) next to the
cold one, one process per submission, with -j 2; their results must be identical), ``public-tests``
(each assignment's public tests against its solution), ``cnn-speed`` (the reference CNN's training
steps per second: numerics (fp32, bf16 autocast), widths, whitening stride, memory layout, batch
size, eager against ``torch.compile``; a few minutes), ``cnn-perturbation`` (the reference's test accuracy on the published
and on the grader's perturbed images, 60 s, 3 seeds; about four minutes) and ``cnn`` (the reference CNN and a plain
baseline, 3 seeds per budget: time to 65 % train and test accuracy, accuracy at 7 to 30 s and
600 s, and at 600 s with one core busy elsewhere; about two hours) and ``cnn-avx2`` (the
reference with its kernels capped at AVX2, on a CPU that has more: what an AVX2 machine gets;
about 40 minutes). Every CNN figure is printed beside the machine: CPU model, ISA flags,
threads, and the numerics and widths the recipe chose.
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

from autograder import config
from bench.cnn_reference import chosen, describe_machine, machine as cnn_machine
from bench.cnn_step_speed import describe as describe_speed_run

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results.json"
ASSIGNMENTS = tuple(config.names())
PARTS = ("grade", "grade-all", "public-tests", "cnn-speed", "cnn-perturbation", "cnn", "cnn-avx2")
# The hidden cnn tests that need the trained CNN; `grade` leaves them out (training is timed by `cnn`).
CNN_TASK_TESTS = ("test_cnn_architecture", "test_cnn_train_accuracy", "test_cnn_test_accuracy", "test_cnn_training_time")


def machine():
    """The CPU (model, ISA flags: AVX2, AVX-512, AMX), its threads, Python, torch and the platform."""
    return {**cnn_machine(), "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


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


HOSTILE = {  # written over the assignment's first module: each costs only its own tests
    "hang": "while True:\n    pass\n",
    "memory": "import numpy as np\nhog = np.ones(50 * 10**9 // 8)\n",
    "exit": "import os\nos._exit(0)\n",
    "forks": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
}
CLASS_CALL_TIMEOUT = "5"  # seconds a hanging call gets in the grade-all runs (the default is 20)


def synthetic_class(assignment, work, copies=100):
    """``copies`` submissions: mostly solutions, every 10th the stubs, every 6th a partial one,
    and one of each HOSTILE kind spread through the class. Returns (root, {kind: count})."""
    sys.path.insert(0, str(REPO))
    from autograder import config
    from autograder.dev.examples import example_submissions

    examples = example_submissions(assignment, work / "examples")
    root = work / f"class-{assignment}"
    hostile = {copies * (i + 1) // (len(HOSTILE) + 1): kind for i, kind in enumerate(HOSTILE)}
    counts = {}
    for index in range(copies):
        kind = hostile.get(index) or ("stubs" if index % 10 == 1 else "partial" if index % 6 == 2 else "solution")
        folder = root / f"student{index:03d}" / assignment
        shutil.copytree(examples["solution" if kind in HOSTILE else kind], folder)
        if kind in HOSTILE:
            (folder / config.load(assignment).modules[0]).write_text(HOSTILE[kind])
        counts[kind] = counts.get(kind, 0) + 1
    return root, counts


def without_time(path):
    results = json.loads(path.read_text())
    results.pop("execution_time", None)
    return results


def bench_grade_all(work, copies=100):
    """Warm grade-all (-j 1, -j 2) and the cold one (-j 2, one process per submission) over the
    same synthetic class per assignment; the warm and cold results files must be identical."""
    rows = {}
    env = {**os.environ, "AUTOGRADER_CALL_TIMEOUT": CLASS_CALL_TIMEOUT}
    for assignment in ("optimizers", "backprop"):
        root, counts = synthetic_class(assignment, work, copies)
        runs = [("warm", 2), ("warm", 1), ("cold", 2)] if assignment == "optimizers" else [("warm", 2), ("cold", 2)]
        outs = {}
        for how, jobs in runs:
            out = work / f"out-{assignment}-{how}-{jobs}"
            command = [sys.executable, "-m", "autograder", "grade-all", assignment, str(root), "-j", str(jobs),
                       "--force", "--out-dir", str(out)] + (["--cold"] if how == "cold" else [])
            load = os.getloadavg()[0]
            seconds, _ = timed(command, env=env, cwd=REPO)
            outs[how] = out
            rows[f"{assignment} {how} -j {jobs}"] = {
                "assignment": assignment, "mode": how, "jobs": jobs, "submissions": copies, "class": counts,
                "wall_s": seconds, "per_minute": copies / seconds * 60, "load_before": round(load, 2)}
        names = sorted(p.name for p in (outs["warm"] / "results").glob("*.json"))
        same = len(names) == copies and all(
            without_time(outs["warm"] / "results" / n) == without_time(outs["cold"] / "results" / n) for n in names)
        rows[f"{assignment} warm = cold"] = {"identical": same, "compared": len(names)}
        if not same:
            raise SystemExit(f"bench: warm and cold grade-all of {assignment} gave different results")
    return rows


def bench_public_tests(work):
    rows = {}
    for assignment in ASSIGNMENTS:
        folder = work / "public" / assignment
        shutil.copytree(REPO / "solutions" / assignment, folder)
        seconds, done = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder)
        rows[assignment] = {"wall_s": seconds, "summary": done.stdout.strip().splitlines()[-1]}
    return rows


def bench_cnn_speed(work):
    out = work / "cnn-speed.json"
    timed([sys.executable, str(REPO / "bench" / "cnn_step_speed.py"), str(out)], cwd=REPO)
    return json.loads(out.read_text())


def bench_cnn_perturbation(work):
    out = work / "cnn-perturbation.json"
    timed([sys.executable, str(REPO / "bench" / "cnn_perturbation.py"), str(out), "60", "3"], cwd=REPO)
    return json.loads(out.read_text())


def bench_cnn(work):
    out = work / "cnn.json"
    # Everything bench/cnn_reference.py measures by default: the reference at 7, 8, 9, 10, 12.5, 15,
    # 30 and 600 s and the plain baseline at 15, 30 and 600 s, 3 seeds each, and the loaded-machine run.
    timed([sys.executable, str(REPO / "bench" / "cnn_reference.py"), str(out)], cwd=REPO)
    return json.loads(out.read_text())


def bench_cnn_avx2(work):
    """The reference with every kernel capped at AVX2, on a CPU that has more (AVX-512, AMX): what an AVX2
    machine's recipe does (bf16 timed and refused). Short budgets and 600 s, 3 seeds, no baseline."""
    if set(machine()["isa"]) <= {"AVX2"}:
        return {"skipped": "this CPU has nothing beyond AVX2: the cnn part measured the AVX2 case"}
    out = work / "cnn-avx2.json"
    timed([sys.executable, str(REPO / "bench" / "cnn_reference.py"), str(out), "--isa-cap", "AVX2",
           "--baseline-budgets", "", "--no-loaded"], cwd=REPO)
    return json.loads(out.read_text())


def print_cnn(cnn, label):
    """The CNN rows of one machine kind, each with the machine and what the recipe chose."""
    print(f"{label}: {describe_machine(cnn['machine'])}")
    for row in cnn.get("summary", []):
        print(f"  {row['model']} CNN, {row['budget_s']:g} s budget{' (one core busy elsewhere)' if row['loaded'] else ''}: "
              f"trained ≤ {row['train_seconds_max']:.1f} s, train {row['train_acc_min']:.1%}–{row['train_acc_max']:.1%}, "
              f"test {row['test_acc_min']:.1%}–{row['test_acc_max']:.1%} ({len(row['seeds'])} seeds, "
              f"load ≤ {row['load_avg_1min_max']:.1f}; {chosen(row)})")
    t = cnn.get("time_to_65_65")
    print("  reference CNN: 65 % train and test, every seed, after "
          + (f"{t['train_seconds']:.1f} s of training ({t['budget_s']:g} s budget)" if t else "— not reached"))


def print_table(results):
    print(f"\nmachine: {describe_machine(results['machine'])}, {results['machine']['cores']} cores")
    for assignment, row in results.get("grade", {}).items():
        print(f"grade one {assignment:<10} median {row['median_s']:6.2f} s   score {row['score']}/{row['max_score']}")
    for name, row in results.get("grade-all", {}).items():
        if "identical" in row:
            print(f"grade-all {name}: {'identical' if row['identical'] else 'DIFFERENT'} results "
                  f"({row['compared']} submissions, execution time aside)")
        else:
            print(f"grade-all {name}: {row['submissions']} in {row['wall_s']:6.1f} s  ({row['per_minute']:.1f}/min, "
                  f"load {row['load_before']} before)")
    for assignment, row in results.get("public-tests", {}).items():
        print(f"public tests {assignment:<10} {row['wall_s']:6.2f} s   {row['summary']}")
    for row in results.get("cnn-speed", {}).get("runs", []):
        print(f"reference CNN step ({describe_machine(results['machine'])}), {describe_speed_run(row)}")
    if results.get("cnn-speed", {}).get("wide_cost"):
        print(f"wide net (fine patches) / narrow net (coarse) step time: {results['cnn-speed']['wide_cost']} (train.WIDE_COST)")
    for row in results.get("cnn-perturbation", {}).get("runs", []):
        print(f"reference CNN, {row['budget_s']:g} s, seed {row['seed']}: test {row['test_acc']:.1%} as published, "
              f"{row['test_acc_perturbed']:.1%} as the grader shows it (perturbed)")
    if "cnn" in results:
        print_cnn(results["cnn"], "CNN")
    if "summary" in results.get("cnn-avx2", {}):
        print_cnn(results["cnn-avx2"], "CNN, kernels capped at AVX2")

def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS)
    args = parser.parse_args(argv)
    results = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    runners = {"grade": bench_grade, "grade-all": bench_grade_all, "public-tests": bench_public_tests,
               "cnn-speed": bench_cnn_speed, "cnn-perturbation": bench_cnn_perturbation, "cnn": bench_cnn,
               "cnn-avx2": bench_cnn_avx2}
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
