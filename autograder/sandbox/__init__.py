"""Starting harness processes (worker.py, graph_eval.py) in a sandbox, behind one interface.

Every harness process gets

* a fresh folder holding copies of the allowed submission files (its working directory) and
  a copy of the whole harness folder (``autograder/harness/``), nothing else of the grader's;
* a scrubbed environment (``environment.CLEAN_ENV``), no stdin, its own process group;
* its settings as one JSON argument, applied by ``harness/limits.py`` before anything else:
  rlimits (memory, CPU time, file size, processes, no core files) and, when the grader is
  root, a drop to a uid leased for this process alone (``uids.py``).

How it is isolated beyond that is the backend's job (``backend.py``; one file per backend in
``backends/``): ``bwrap`` (namespaces, only the submission visible, no network) where
bubblewrap can create namespaces, else ``fallback`` (nothing hidden; as root, only after a
probe shows the sandbox user cannot read the private files). ``AUTOGRADER_SANDBOX`` =
``auto`` (default) | a backend's name.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import uids
from .backend import Launch, SandboxError, registry
from .environment import CLEAN_ENV, python_paths, thread_env

HARNESS = Path(__file__).resolve().parents[1] / "harness"

__all__ = ["SandboxError", "WorkerProcess", "choose_mode", "describe_mode", "rlimits", "backend_for"]


def backend_for(mode):
    backends = registry()
    if mode not in backends:
        raise SandboxError(f"AUTOGRADER_SANDBOX must be auto or one of {', '.join(sorted(backends))}, "
                           f"not {mode!r}")
    return backends[mode]


def choose_mode(private=()):
    """The name of the backend to use. Runs its pre-flight check (``private``: what the
    sandbox user must not read) and raises SandboxError with one line otherwise."""
    wanted = os.environ.get("AUTOGRADER_SANDBOX", "auto")
    if wanted == "auto":
        ranked = sorted(registry().values(), key=lambda b: -b.priority)
        backend = next(b for b in ranked if b.available())
    else:
        backend = backend_for(wanted)
        if not backend.available():
            raise SandboxError(f"AUTOGRADER_SANDBOX={wanted} but {backend.unavailable_reason()}")
    backend.preflight(private)
    return backend.name


def describe_mode(mode):
    """One line for the results' output: which sandbox ran, and what it protects."""
    return backend_for(mode).describe()


def rlimits(memory_mb, cpu_s, file_mb=64, processes=256):
    return {
        "RLIMIT_AS": memory_mb << 20,
        "RLIMIT_CPU": int(cpu_s),
        "RLIMIT_FSIZE": file_mb << 20,
        "RLIMIT_NPROC": processes,
        "RLIMIT_CORE": 0,
    }


class WorkerProcess:
    """One started harness process: a Popen, its folders and its leased uid."""

    def __init__(self, files, mode, limits, threads=1, script="worker.py"):
        """``files``: {name: source path} copied into the fresh working directory.
        ``limits``: ``rlimits(...)``. ``script``: the harness program (``worker.py``, or
        ``graph_eval.py`` for the grader's measurement of an exported CNN)."""
        self.mode, self.backend, self.lease = mode, backend_for(mode), None
        self.root = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        root_user = os.geteuid() == 0
        try:
            self.lease = uids.lease() if root_user else None
        except uids.PoolError as error:
            self.cleanup()
            raise SandboxError(str(error)) from None
        self.uid = self.lease.uid if self.lease else None
        work, harness = self.root / "work", self.root / "harness"
        work.mkdir()
        shutil.copytree(HARNESS, harness, ignore=shutil.ignore_patterns("__pycache__"))
        for name, source in files.items():
            shutil.copyfile(source, work / name)
        os.chmod(self.root, 0o755)
        for path in (harness, *harness.iterdir()):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if root_user:
            os.chown(work, self.uid, self.uid)
        uid = self.uid if root_user else os.geteuid()
        settings = json.dumps({"rlimits": limits, "uid": uid, "gid": uid if root_user else os.getegid()})
        python, prefixes = python_paths()
        launch = Launch(python, prefixes, str(harness), str(work), list(files), script, settings,
                        {**CLEAN_ENV, **thread_env(threads)})
        command, cwd, env = self.backend.command(launch)
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=cwd, env=env, start_new_session=True, close_fds=True)
        except OSError as error:
            self.cleanup()
            raise SandboxError(f"could not start the worker ({mode}): {error}") from None

    def kill(self):
        """Kill the process, its process group and whatever else its uid left running."""
        process = getattr(self, "process", None)
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.backend.after_kill(self.uid)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (process.stdin, process.stdout, process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        self.cleanup()

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)
        if self.lease is not None:
            self.lease.release()
            self.lease = None
