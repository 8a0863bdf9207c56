"""Every harness entry point (worker.py, graph_eval.py), started by a root grader, runs as an
unprivileged uid with no capability, no way back to privileges, and its limits, before it
reads anything of the submission; concurrent harness processes get distinct uids.

Proved with what a hostile submission would run: a student module for the worker, and for the
evaluation process an exported graph whose symbolic shape makes ``torch.export.load`` run
Python (the grader refuses that archive; here it is handed to graph_eval.py directly, the
second line of defence). Both report /proc/self/status and the memory limit on stderr."""
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sandbox_users import namespace_command, public_folder
from test_cnn_archive import change_graph, exported_bytes, rewrite

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="what a root grader does needs root")

REPORT = ("open('/proc/self/status').read() + 'RLIMIT_AS=' + "
          "str(__import__('resource').getrlimit(__import__('resource').RLIMIT_AS)[0]) + chr(10)")
STUDENT_MODULE = f"def report():\n    return {REPORT}\n"
MEMORY_MB = 3072

# Run in a child (as root; for the fallback inside a mount namespace where the interpreter is
# reachable by other uids): start harness processes the way the grader does and print what
# they reported, as JSON.
DRIVER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from autograder import sandbox
    from autograder.grading.remote import Student
    mode, folder = sys.argv[2], sys.argv[3]
    limits = sandbox.rlimits(%d, 60)
    first = Student({"probe.py": folder + "/probe.py"}, limits, 60, 120, mode)
    second = Student({"probe.py": folder + "/probe.py"}, limits, 60, 120, mode)
    reports = [first.call("probe", "report"), second.call("probe", "report")]
    evaluation = sandbox.WorkerProcess({"model.pt2": folder + "/model.pt2", "images.npy": folder + "/images.npy"},
                                       mode, limits, 1, script="graph_eval.py")
    _, err = evaluation.process.communicate(timeout=300)
    evaluation.kill()
    first.close(); second.close()
    print(json.dumps({"workers": reports, "graph_eval": err.decode("utf-8", "replace")}))
""" % MEMORY_MB)


def _status(text):
    fields = dict(re.findall(r"^(\w+):[ \t]*(.*)$", text, re.M))
    assert "Uid" in fields, f"no /proc/self/status in the report: {text[-800:]}"
    return fields


def _assert_unprivileged(text, who):
    fields = _status(text)
    uids = {int(u) for u in fields["Uid"].split()}
    gids = {int(g) for g in fields["Gid"].split()}
    assert len(uids) == 1 and 0 not in uids and min(uids) >= 1000, f"{who}: uids {fields['Uid']}"
    assert 0 not in gids and fields["Groups"].strip() == "", f"{who}: gids {fields['Gid']}, groups {fields['Groups']}"
    for cap in ("CapEff", "CapPrm", "CapAmb", "CapInh"):
        assert int(fields[cap], 16) == 0, f"{who}: {cap} = {fields[cap]}"
    assert fields["NoNewPrivs"].strip() == "1", f"{who}: NoNewPrivs = {fields['NoNewPrivs']}"
    assert f"RLIMIT_AS={MEMORY_MB << 20}" in text, f"{who}: memory limit not applied"
    return uids.pop()


@pytest.mark.parametrize("mode", ["bwrap", "fallback"])
def test_every_harness_entry_point_drops_root_and_applies_its_limits(mode):
    with public_folder() as folder:
        (folder / "probe.py").write_text(STUDENT_MODULE)

        def payload(program):
            values = program["graph_module"]["graph"]["tensor_values"]
            values[next(iter(values))]["sizes"][0] = {"as_expr": {
                "expr_str": "__import__('os').system('cat /proc/self/status >&2; "
                            "echo RLIMIT_AS=$(( $(ulimit -v) * 1024 )) >&2') or __import__('os')._exit(3)",
                "hint": {"as_int": 2}}}
        (folder / "model.pt2").write_bytes(rewrite(exported_bytes(), change_graph(payload)))
        np.save(folder / "images.npy", np.zeros((1, 2, 3, 32, 32), np.uint8))
        for path in folder.iterdir():
            os.chmod(path, 0o644)
        command = [sys.executable, "-c", DRIVER, str(REPO), mode, str(folder)]
        if mode == "fallback":
            command = namespace_command(command)
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO,
                              env={**os.environ, "AUTOGRADER_SANDBOX": mode})
        assert done.returncode == 0, done.stderr[-3000:]
        reports = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = (_assert_unprivileged(r, f"{mode} worker") for r in reports["workers"])
    evaluator = _assert_unprivileged(reports["graph_eval"], f"{mode} graph_eval")
    assert len({first, second, evaluator}) == 3, "concurrent harness processes must not share a uid"
