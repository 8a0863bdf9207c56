"""What grading one submission needs, and whether this machine has it.

``python -m autograder.outputs.resources measure ASSIGNMENT SUBMISSION`` grades the submission once
(``python -m autograder grade``) and prints the peak memory of the whole process tree (the
grader, its sandboxed worker and, for cnn, the graph evaluation, summed while they run; RSS
sampled every 50 ms) and the CPU seconds of all of them (each process's user + system time,
sampled the same way).

``python -m autograder.outputs.resources check ASSIGNMENT --results results.json`` (the first step of
the Gradescope bundle's ``run_autograder``) compares this container's memory (cgroup limit,
else ``/proc/meminfo``) and CPUs (cgroup quota, else the CPUs this process may use) with the
manifest's ``[gradescope]`` needs; when they are too small it writes a results file whose
output is one line saying what the container has, what the assignment needs and where to
change it, and exits with status 1.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .. import config

# where Linux says how much a container may use (cgroup v2, then v1), and the machine's memory
MEMORY_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
CPU_MAX = "/sys/fs/cgroup/cpu.max"
CPU_QUOTA_V1 = ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")
MEMINFO = "/proc/meminfo"


def needs(assignment):
    """``(memory_mb, cpus)``: the minimum a grading container needs, from ``[gradescope]``."""
    table = config.load(assignment).section("gradescope")
    return int(table.get("memory_mb", 1024)), float(table.get("cpus", 1))


def _read(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def container_memory_mb():
    """The memory this process may use: the cgroup's limit (v2, then v1), else MemTotal."""
    for path in MEMORY_LIMITS:
        value = _read(path)
        if value and value.isdigit() and int(value) < 1 << 60:
            return int(value) / 2**20
    for line in (_read(MEMINFO) or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def container_cpus():
    """The CPUs this process may use: the cgroup's quota (v2, then v1), else its affinity."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = None
    value = _read(CPU_MAX)
    if value and not value.startswith("max"):
        limit, period = value.split()[:2]
        quota = int(limit) / int(period)
    else:
        limit, period = (_read(path) for path in CPU_QUOTA_V1)
        if limit and period and int(limit) > 0:
            quota = int(limit) / int(period)
    return min(available, quota) if quota else available


def check(assignment, results_path=None):
    """None if the container is big enough, else the one line that says it is not (also
    written as a results file to ``results_path``)."""
    memory_mb, cpus = needs(assignment)
    have_memory, have_cpus = container_memory_mb(), container_cpus()
    if have_memory >= memory_mb * 0.95 and have_cpus >= cpus:
        return None
    line = (f"This grading container has {have_memory:.0f} MB of memory and {have_cpus:g} CPUs; grading "
            f"{assignment} needs at least {memory_mb} MB and {cpus:g} CPUs (its measured peak is in the README): "
            "the instructor must raise them in the assignment's Gradescope autograder settings, then regrade.")
    if results_path:
        Path(results_path).parent.mkdir(parents=True, exist_ok=True)
        Path(results_path).write_text(json.dumps({"score": 0, "max_score": 100, "execution_time": 0,
                                                  "tests": [], "output": line}))
    return line


def _sample(root_pid, cpu):
    """The process tree's summed RSS now; updates ``cpu`` {(pid, start): CPU seconds so far}."""
    import psutil

    try:
        root = psutil.Process(root_pid)
        processes = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            with process.oneshot():
                total += process.memory_info().rss
                times = process.cpu_times()
                cpu[(process.pid, process.create_time())] = times.user + times.system
        except psutil.Error:
            pass
    return total


def measure(assignment, submission, env=None):
    """{"peak_memory_mb", "cpu_s", "wall_s", "score"} of one ``grade`` of ``submission``."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "results.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", assignment, str(submission),
                                    "--out", str(out)], env={**os.environ, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak, cpu_seen = 0, {}
        while process.poll() is None:
            peak = max(peak, _sample(process.pid, cpu_seen))
            time.sleep(0.05)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        score = json.loads(out.read_text())["score"] if out.is_file() else None
    # the processes sampled while they ran (a sandboxed one is not always reaped by its parent,
    # so getrusage alone misses it), or what the waited-for children report, if more
    cpu = max(sum(cpu_seen.values()), (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return {"peak_memory_mb": round(peak / 2**20), "cpu_s": round(cpu, 1), "wall_s": round(wall, 1), "score": score}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.outputs.resources", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("measure", help="grade once; print peak memory and CPU time")
    m.add_argument("assignment")
    m.add_argument("submission")
    c = commands.add_parser("check", help="is this container big enough to grade the assignment?")
    c.add_argument("assignment")
    c.add_argument("--results", default=None, help="where to write the results file if it is not")
    args = parser.parse_args(argv)
    if args.command == "measure":
        print(json.dumps({"assignment": args.assignment, **measure(args.assignment, args.submission)}))
        return 0
    problem = check(args.assignment, args.results)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
