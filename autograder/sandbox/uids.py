"""The sandbox uids: a small pool, one uid per running harness process when the grader is root.

Each worker and each evaluation process gets its own unprivileged uid for as long as it
runs, so one submission's fork bomb, which fills *its* uid's ``RLIMIT_NPROC``, cannot starve
a neighbour graded at the same time (``-j N``, or the evaluation process beside a worker),
and the fallback's "kill every process of the sandbox user" kills only that submission's.

A uid is leased by holding an exclusive ``flock`` on ``<lock dir>/<uid>.lock``; the lock
dies with the process that held it, so a crashed grader leaks nothing. The lock folder
belongs to root and only root can enter it (a sandbox user cannot take or hold a lease).

``AUTOGRADER_SANDBOX_UIDS`` = ``FIRST-LAST`` sets the pool (default 65520-65534); uids are
tried from the top, so a lone worker runs as 65534 ("nobody").
"""
import fcntl
import os
import tempfile
import time
from pathlib import Path

DEFAULT_POOL = (65520, 65534)
WAIT_S = 600


class PoolError(Exception):
    """No uid could be leased (the pool is misconfigured or exhausted for too long)."""


def pool(environ=None):
    """The uids of the pool, highest first."""
    text = (os.environ if environ is None else environ).get("AUTOGRADER_SANDBOX_UIDS", "")
    first, last = DEFAULT_POOL
    if text.strip():
        try:
            first, last = (int(part) for part in text.split("-"))
        except ValueError:
            raise PoolError(f"AUTOGRADER_SANDBOX_UIDS must look like FIRST-LAST, not {text!r}") from None
        if not 1000 <= first <= last < 2 ** 31:
            raise PoolError(f"AUTOGRADER_SANDBOX_UIDS={text}: uids must be ≥ 1000 (no system account)")
    return list(range(last, first - 1, -1))


def lock_folder():
    folder = Path(tempfile.gettempdir()) / f"autograder-uids-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o077 or folder.is_symlink():
        raise PoolError(f"{folder} must be a folder of uid {os.geteuid()} with mode 0700")
    return folder


class Lease:
    """One uid held until ``release()`` (or until this process ends)."""

    def __init__(self, uid, fd):
        self.uid, self.fd = uid, fd

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def lease(wait_s=WAIT_S):
    """A free uid of the pool; waits (polling) while every uid is in use."""
    folder, uids = lock_folder(), pool()
    deadline = time.monotonic() + wait_s
    while True:
        for uid in uids:
            fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return Lease(uid, fd)
        if time.monotonic() > deadline:
            raise PoolError(f"all {len(uids)} sandbox uids were busy for {wait_s} s")
        time.sleep(0.1)
