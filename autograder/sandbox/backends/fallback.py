"""The fallback: rlimits, a process-group kill and, as root, an unprivileged uid; nothing hidden.

For machines where bubblewrap cannot create namespaces (Docker's default seccomp profile,
macOS). The harness runs as the grader's user, or as root drops to its leased uid
(``harness/limits.py``); on a timeout the grader kills its process group and, as root, every
process of that uid. There is no network isolation and no filesystem hiding beyond file
permissions, so as root ``preflight`` first probes, as the sandbox user, that it can run
the interpreter and cannot read any private file: the hidden suites, the solutions, the
source, the CIFAR-10 labels, the course secret.
"""
import functools
import os
import signal
import subprocess
from pathlib import Path

from ..backend import Backend, SandboxError
from ..environment import CLEAN_ENV, python_paths

PROBE_UID = 65534

_PRIVACY_PROBE = """
import os, sys
for top in sys.argv[1:]:
    paths = [top] if os.path.isfile(top) else (
        os.path.join(folder, name) for folder, _, names in os.walk(top) for name in names)
    for path in paths:
        try:
            open(path, "rb").close()
        except OSError:
            continue
        print(path)
        raise SystemExit(0)
"""


def _become(uid):
    def drop():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    return drop


@functools.lru_cache(maxsize=None)
def check_root_fallback(private, python, env):
    """As root the harness drops to an unprivileged uid, which must be able to run ``python``
    and must not be able to read anything in ``private``. Probed once, as that user."""
    remedy = ("run the grader as an ordinary user, or let bubblewrap run "
              "(pip install -r requirements.txt brings it; see README, 'Where it runs')")

    def cannot_run(why):
        return SandboxError(f"fallback sandbox as root: the worker's user (uid {PROBE_UID}) cannot run "
                            f"{python} ({why}); {remedy}, or install Python where that user can read it")

    existing = [p for p in private if os.path.exists(p)]
    try:
        probe = subprocess.run([python, "-I", "-c", _PRIVACY_PROBE, *existing], capture_output=True,
                               text=True, timeout=120, preexec_fn=_become(PROBE_UID), cwd="/",
                               env=dict(env))
    except (OSError, subprocess.SubprocessError) as error:
        raise cannot_run(error) from None
    if probe.returncode != 0:
        raise cannot_run(f"exit {probe.returncode}")
    readable = probe.stdout.strip()
    if readable:
        raise SandboxError(f"fallback sandbox as root: the worker's user (uid {PROBE_UID}) can read "
                           f"{readable}, which a student must not see; {remedy}, "
                           f"or make it private: chmod -R go-rwx {' '.join(existing)}")


def kill_user_processes(uid):
    """SIGKILL every process owned by ``uid`` (a leased uid runs nothing else)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass


class Fallback(Backend):
    name = "fallback"
    priority = 0

    def available(self):
        return True

    def preflight(self, private):
        if os.geteuid() == 0:
            check_root_fallback(tuple(str(p) for p in private), python_paths()[0],
                                tuple(sorted(CLEAN_ENV.items())))

    def command(self, launch):
        script = os.path.join(launch.harness, launch.script)
        return [launch.python, "-I", script, launch.settings], launch.work, launch.env

    def after_kill(self, uid):
        if os.geteuid() == 0 and uid is not None:
            kill_user_processes(uid)

    def describe(self):
        who = ", an unprivileged uid" if os.geteuid() == 0 else ""
        return (f"sandbox: fallback (rlimits, process-group kill{who}; bubblewrap unavailable): "
                "no filesystem hiding and no network isolation")


BACKEND = Fallback()
