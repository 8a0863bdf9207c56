"""Red-team tests: submissions that try to gain points, see hidden files or hurt the batch.

Each attack found a hole in an earlier version of the autograder (or checks that a
designed-in defence holds). Gradings are batched: one optimizers submission carries
several attacks on different modules, and one ``grade-all -j 2`` runs a hostile student
beside an honest one.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from autograder import config
from autograder.harness import protocol
from autograder.dev.examples import example_submissions
from autograder.submission import collect_files, submission_digest
from grading import grade, scores

pytestmark = pytest.mark.filterwarnings("ignore")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solution(tmp_path_factory):
    return example_submissions("optimizers", tmp_path_factory.mktemp("examples"))["solution"]


def outputs(results):
    return {t["extra_data"]["test"]: t["output"] for t in results["tests"]}


# -- no grading needed ---------------------------------------------------------------------

def test_symlinked_folders_are_not_followed(tmp_path):
    """A submission holding a symlink to a folder (e.g. ../../../../solutions/backprop) must
    not be graded with the files found there: only real files inside the submission count."""
    backprop = config.load("backprop")
    target = REPO / "solutions" / "backprop"

    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "sub").symlink_to(target)                       # the whole folder
    files, notes = collect_files(backprop, linked)
    assert files == {}, files

    relative = tmp_path / "relative"
    (relative / "real").mkdir(parents=True)
    (relative / "real" / "deeper").symlink_to(os.path.relpath(target, relative / "real"))
    files, _ = collect_files(backprop, relative)
    assert files == {}, files

    single = tmp_path / "single"
    (single / "zipped").mkdir(parents=True)
    (single / "zipped" / "layers.py").symlink_to(target / "layers.py")
    (single / "zipped" / "activations.py").write_text("# mine\n")
    files, notes = collect_files(backprop, single)
    assert set(files) == {"activations.py"} and any("layers.py ignored" in n for n in notes)

    # the digest only reads real files of the submission
    assert submission_digest("backprop", linked) == hashlib.sha256().hexdigest()


def test_reply_headers_are_size_limited():
    """The JSON part of a reply is parsed into Python objects (a list of 3 million empty
    dicts is 9 MB of JSON but about 200 MB of objects, and it was parsed twice); headers
    over the limit are refused before they are read."""
    body = json.dumps({"body": [{}] * 3_000_000, "blobs": []}).encode()
    data = protocol.HEADER.pack(len(body)) + body
    position = [0]

    def read_exactly(n):
        chunk = data[position[0]:position[0] + n]
        position[0] += n
        return chunk

    with pytest.raises(protocol.ProtocolError, match="over the limit"):
        protocol.split_frame(read_exactly, max_bytes=512 << 20)
    assert position[0] == protocol.HEADER.size  # the header itself was never read


# -- one optimizers submission, several attacks ----------------------------------------------

TAMPER = """
def _forget_extra_calls(grad_fn):
    # the old harness kept its call log in the closure of grad_fn: trim it to one call
    try:
        for cell in grad_fn.__closure__ or ():
            if isinstance(cell.cell_contents, list):
                del cell.cell_contents[:-1]
    except Exception:
        pass
"""

ATTACKS = {
    # wrong Nesterov (gradient at x), but it also calls grad_fn at the look-ahead point
    # and hides the call at x: the look-ahead check must still fail
    "nesterov.py": TAMPER + """
import numpy as np

class Nesterov:
    def __init__(self, lr=0.01, rho=0.9):
        self.lr, self.rho, self.v = lr, rho, None

    def step(self, x, grad_fn):
        if self.v is None:
            self.v = np.zeros_like(x)
        g = grad_fn(x)
        grad_fn(x + self.rho * self.v)
        _forget_extra_calls(grad_fn)
        self.v = self.rho * self.v - self.lr * g
        return x + self.v
""",
    # right momentum that calls grad_fn twice and hides one call
    "momentum.py": TAMPER + """
import numpy as np

class Momentum:
    def __init__(self, lr=0.01, rho=0.9):
        self.lr, self.rho, self.v = lr, rho, None

    def step(self, x, grad_fn):
        if self.v is None:
            self.v = np.zeros_like(x)
        grad_fn(x)
        self.v = self.rho * self.v - self.lr * grad_fn(x)
        _forget_extra_calls(grad_fn)
        return x + self.v
""",
    # right RMSProp that calls grad_fn twice and patches the harness (worker.py runs in
    # the same process) so that it reports one call per gradient function
    "rmsprop.py": """
import sys
import numpy as np

harness = sys.modules.get("__main__")
if harness is not None and hasattr(harness, "handle"):
    original = harness.handle

    def handle(request):
        reply = original(request)
        if "grad_calls" in reply:
            reply["grad_calls"] = [calls[:1] for calls in reply["grad_calls"]]
        return reply
    harness.handle = handle

class RMSProp:
    def __init__(self, lr=0.01, gamma=0.9, eps=1e-8):
        self.lr, self.gamma, self.eps, self.E = lr, gamma, eps, None

    def step(self, x, grad_fn):
        if self.E is None:
            self.E = np.zeros_like(x)
        grad_fn(x)
        g = grad_fn(x)
        self.E = self.gamma * self.E + (1 - self.gamma) * g**2
        return x - self.lr * g / np.sqrt(self.E + self.eps)
""",
    # SGD with the default learning rate answers with 9 MB of JSON structure
    "sgd.py": """
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, x, grad_fn):
        if self.lr == 0.01:
            return [{}] * 3_000_000
        return x - self.lr * grad_fn(x)
""",
}

# Adam remembers what the hidden test_adam sent it (ε = 0.01 for the "ε outside the root"
# check) and puts it in an error message of the visible test_state_initialisation.
ADAM_SPY = """
SEEN = []
_Adam = Adam

class Adam(_Adam):
    def __init__(self, *args, **kwargs):
        SEEN.append(kwargs.get("eps"))
        super().__init__(*args, **kwargs)

    def step(self, x, grad_fn):
        if x.shape == (2, 2) and 0.01 in SEEN:
            raise RuntimeError(f"LEAK: the hidden tests used eps={SEEN}")
        return super().step(x, grad_fn)
"""


def test_forged_call_counts_and_oversized_replies_gain_nothing(solution, tmp_path):
    folder = tmp_path / "submission"
    shutil.copytree(solution, folder)
    for name, source in ATTACKS.items():
        (folder / name).write_text(textwrap.dedent(source))
    with open(folder / "adam.py", "a") as handle:
        handle.write(ADAM_SPY)
    results, _ = grade("optimizers", folder, tmp_path / "results.json")
    got, text = scores(results), outputs(results)
    # the header bomb costs the SGD checks whose calls met it (the default-lr step and the
    # x-left-alone step, 2 of 9 weight units), and is refused unread
    assert got["test_sgd"] == 7.7778 and "over the limit" in text["test_sgd"], text["test_sgd"]
    assert text["test_sgd"].count("message header of 12000034 bytes is over the limit") == 2
    assert got["test_momentum"] == 15
    # every trajectory and look-ahead check fails; only "step leaves x alone" holds
    assert got["test_nesterov"] < 1.2 and "1 of 7 checks passed" in text["test_nesterov"], text["test_nesterov"]
    assert got["test_rmsprop"] == 15 and got["test_adagrad"] == 15
    # hidden inputs never reach a visible test's output: visible tests run first
    assert got["test_adam"] == 20
    assert "LEAK" not in json.dumps(results)
    # Momentum, Nesterov and RMSProp call grad_fn twice per step, whatever they report
    assert got["test_state_initialisation"] == 7, text["test_state_initialisation"]
    for kind in ("Momentum", "Nesterov", "RMSProp"):
        assert f"{kind}.step should call grad_fn once per step, it called it 2 times" \
            in text["test_state_initialisation"]
    assert results["score"] == 80.9316  # 100 less what each attack cost its own checks


# -- grade-all: a hostile student beside an honest one ---------------------------------------

HOSTILE_ADAM = r"""
import json, os, signal, subprocess, sys

signal.signal(signal.SIGTERM, signal.SIG_IGN)
report = {"env": sorted(os.environ)}

# a child in its own session that outlives the call and keeps trying to tamper
victims = [ALICE_SGD, ALICE_RESULTS, "../sgd.py", "/submission/sgd.py"]
script = "trap '' TERM; while :; do for f in %s; do echo pwned > $f; done 2>/dev/null; sleep 0.2; done" % (
    " ".join(repr(v) for v in victims))
subprocess.Popen(["/bin/sh", "-c", script, MARKER], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

# scratch space outside the memory limit: tmpfs is RAM, the working copy is the host's disk
block = b"\0" * (16 << 20)
report["written_mb"] = {}
for place in ("/tmp", "/dev/shm", "/dev", "/", "."):
    written = 0
    try:
        for i in range(20):
            with open(os.path.join(place, f"fill{i}"), "wb") as handle:
                handle.write(block)
            written += 16
    except OSError:
        pass
    report["written_mb"][place] = written

# its own module files, used by later imports (and by a restarted worker)
report["sgd_overwritten"] = False
try:
    with open("sgd.py", "w") as handle:
        handle.write("raise SystemExit\n")
    report["sgd_overwritten"] = True
except OSError:
    pass

report["visible"] = [p for p in (GRADER_DIR, "/autograder/source", ALICE_SGD, os.path.dirname(ALICE_SGD))
                     if os.path.exists(p)]
raise RuntimeError("REPORT " + json.dumps(report) + " END")
"""


def test_hostile_student_beside_an_honest_one(solution, tmp_path):
    root = tmp_path / "submitted"
    alice, mallory = root / "alice" / "optimizers", root / "mallory" / "optimizers"
    shutil.copytree(solution, alice)
    shutil.copytree(solution, mallory)
    out = tmp_path / "out"
    marker = f"redteam-{uuid.uuid4().hex}"
    source = (HOSTILE_ADAM.replace("ALICE_SGD", repr(str(alice / "sgd.py")))
              .replace("ALICE_RESULTS", repr(str(out / "results" / "alice.json")))
              .replace("GRADER_DIR", repr(str(REPO / "autograder")))
              .replace("MARKER", repr(marker)))
    (mallory / "adam.py").write_text(source)
    before = {p.name: p.read_bytes() for p in alice.iterdir()}
    process = subprocess.run([sys.executable, "-m", "autograder", "grade-all", "optimizers", str(root),
                              "-j", "2", "--out-dir", str(out)], capture_output=True, text=True,
                             cwd=REPO, timeout=600)
    assert process.returncode == 0, process.stderr
    results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert results["alice"]["score"] == 100
    assert results["mallory"]["score"] == 78
    assert {p.name: p.read_bytes() for p in alice.iterdir()} == before
    assert not (mallory / "fill0").exists() and (mallory / "sgd.py").read_text() == (alice / "sgd.py").read_text()

    survivors = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                survivors.append(entry.name)
        except OSError:
            pass
    assert survivors == [], "a process started by the submission outlived its grading"

    text = outputs(results["mallory"])["test_adam"]
    report = json.loads(re.search(r"REPORT (.*) END", text).group(1))
    assert set(report["env"]) <= {"PATH", "HOME", "LANG", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED",
                                  "MPLBACKEND", "PWD", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                  "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"}, report["env"]
    assert report["visible"] == []
    assert report["sgd_overwritten"] is False
    written = report["written_mb"]
    assert written["/"] == written["/dev"] == 0, written
    assert written["/tmp"] <= 256 and written["/dev/shm"] <= 256 and written["."] <= 64, written
