"""The Slurm recipe (examples/slurm/), simulated locally: submit.sh asks sbatch for an array
of N shard tasks and a merge that waits for all of them; N shard tasks run at once as Slurm
would run them (same scripts, Slurm's environment variables), then the merge; the merged
gradebook equals the one a single machine's grade-all writes."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.dev.examples import example_submissions

REPO = Path(__file__).resolve().parents[1]
SLURM = REPO / "examples" / "slurm"
CLASS = {"ann": "solution", "ben": "stubs", "cat": "partial", "dan": "solution", "eve": "partial", "fay": "stubs"}
SHARDS = 3
FAKE_SBATCH = """#!/bin/bash
# records its arguments and the variables the scripts read, answers a job id like --parsable
{ printf '%s\\n' "$*"; echo "ASSIGNMENT=$ASSIGNMENT SUBMITTED=$SUBMITTED OUT_DIR=$OUT_DIR REPO=$AUTOGRADER_REPO SHARDS=$SHARDS"; } >> "$SBATCH_LOG"
n=$(( $(wc -l < "$SBATCH_LOG") / 2 ))
echo "$((1000 + n));cluster"
"""


def without_time(results):
    results = dict(results)
    results.pop("execution_time")
    return results


def test_submit_asks_for_an_array_and_a_merge_after_it(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sbatch").write_text(FAKE_SBATCH)
    (fake / "sbatch").chmod(0o755)
    (tmp_path / "submitted").mkdir()
    log = tmp_path / "sbatch.log"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "SBATCH_LOG": str(log)}
    process = subprocess.run(["bash", str(SLURM / "submit.sh"), "backprop", str(tmp_path / "submitted"), "40",
                              "--", "--partition=short"], env=env, capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    calls = log.read_text().splitlines()
    out = tmp_path / "autograded" / "backprop"
    assert calls[0] == f"--parsable --export=ALL --array=1-40 --partition=short {SLURM}/grade-shard.sbatch"
    assert calls[2] == f"--parsable --export=ALL --dependency=afterany:1001 {SLURM}/merge.sbatch"
    assert calls[1] == calls[3] == (f"ASSIGNMENT=backprop SUBMITTED={tmp_path / 'submitted'} OUT_DIR={out} "
                                    f"REPO={REPO} SHARDS=40")
    assert "job array 1001 (40 tasks); merge: job 1002" in process.stdout
    bad = subprocess.run(["bash", str(SLURM / "submit.sh"), "backprop", str(tmp_path / "submitted"), "x"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "SHARDS must be a positive whole number, not 'x'" in bad.stderr


def test_array_simulated_locally_merges_into_the_single_machine_gradebook(tmp_path):
    examples = example_submissions("optimizers", tmp_path / "examples")
    root = tmp_path / "submitted"
    for student, kind in CLASS.items():
        shutil.copytree(examples[kind], root / student / "optimizers")
    cluster_out, single_out = tmp_path / "cluster", tmp_path / "single"
    base = {**os.environ, "ASSIGNMENT": "optimizers", "SUBMITTED": str(root), "OUT_DIR": str(cluster_out),
            "AUTOGRADER_REPO": str(REPO), "AUTOGRADER_PYTHON": sys.executable, "SLURM_ARRAY_TASK_COUNT": str(SHARDS),
            "SLURM_CPUS_PER_TASK": "1"}
    tasks = [subprocess.Popen(["bash", str(SLURM / "grade-shard.sbatch")], cwd=tmp_path,
                              env={**base, "SLURM_ARRAY_TASK_ID": str(index + 1)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for index in range(SHARDS)]
    logs = [task.communicate(timeout=600) for task in tasks]
    assert [task.returncode for task in tasks] == [0] * SHARDS, logs
    for index, (_, stderr) in enumerate(logs):
        assert f"in shard {index + 1}/{SHARDS}" in stderr
    assert not (cluster_out / "gradebook.csv").exists()  # --no-gradebook: the merge makes it
    merge = subprocess.run(["bash", str(SLURM / "merge.sbatch")], cwd=tmp_path, env=base,
                           capture_output=True, text=True, timeout=600)
    assert merge.returncode == 0, merge.stderr

    single = subprocess.run([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(root),
                             "--out-dir", str(single_out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert single.returncode == 0, single.stderr
    assert (cluster_out / "gradebook.csv").read_text() == (single_out / "gradebook.csv").read_text()
    for student in CLASS:
        cluster = json.loads((cluster_out / "results" / f"{student}.json").read_text())
        alone = json.loads((single_out / "results" / f"{student}.json").read_text())
        assert without_time(cluster) == without_time(alone), student
        assert (cluster_out / "feedback" / f"{student}.html").is_file()
    assert "6 submission(s), 6 graded" in (cluster_out / "report.html").read_text()
