"""The one place for a harness process's limits and its privilege drop (sandbox side).

Every entry point of this folder (``worker.py``, ``graph_eval.py``) calls ``enter()`` as its
first statement, before it reads anything that came from a submission. ``enter`` takes the
grader's settings from the command line (one JSON argument)::

    {"rlimits": {"RLIMIT_AS": bytes, "RLIMIT_CPU": s, ...}, "uid": 65520, "gid": 65520}

and then, in this order:

1. sets each resource limit, soft and hard, so the process cannot raise it again;
2. if it runs as root (bubblewrap started by root keeps CAP_SETUID/CAP_SETGID only; the
   fallback starts it as root), drops to the given uid/gid with no supplementary groups:
   a real unprivileged uid, which puts it under ``RLIMIT_NPROC`` (the kernel exempts uid 0)
   and clears every capability;
3. empties the inheritable capability set too, and sets ``PR_SET_NO_NEW_PRIVS``, so no set-uid program can give privileges back;
4. checks the result: not uid 0 while the grader runs as root, no effective, permitted or
   ambient capability left. If any of it fails, the process exits at once (status 70).

It imports only the standard library: it runs before numpy or torch are loaded.
"""
import ctypes
import json
import os
import resource
import sys

PR_SET_NO_NEW_PRIVS = 38
EXIT_UNSAFE = 70


def apply_rlimits(rlimits):
    """Set every limit in ``rlimits`` ({"RLIMIT_AS": value, ...}) as soft and hard limit,
    never above a hard limit that is already lower."""
    for name, value in rlimits.items():
        which = getattr(resource, name)
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def drop_privileges(uid, gid):
    """From root to ``uid``/``gid`` with no supplementary groups (a no-op when not root)."""
    if os.geteuid() != 0:
        return
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def clear_capabilities():
    """Empty this process's effective, permitted and inheritable capability sets (capset)."""
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3: two words
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def forbid_new_privileges():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def capabilities():
    """{"CapEff": int, "CapPrm": int, "CapAmb": int, ...} of this process, from /proc."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Cap"):
                name, value = line.split(":", 1)
                found[name] = int(value, 16)
    return found


def check_unprivileged():
    """The reason this process is still privileged, or None."""
    if os.getuid() == 0 or os.geteuid() == 0 or 0 in os.getresgid():
        return f"still uid {os.geteuid()}/gid {os.getegid()}"
    held = {name: value for name, value in capabilities().items()
            if name in ("CapEff", "CapPrm", "CapAmb", "CapInh") and value}
    return f"capabilities left: {held}" if held else None


def enter(argv=None):
    """Apply the grader's settings (``argv[1]``, JSON) to this process; returns them.
    Exits with status 70 and one line on stderr when the process cannot be made safe."""
    argv = sys.argv if argv is None else argv
    try:
        settings = json.loads(argv[1])
        apply_rlimits(settings.get("rlimits", {}))
        was_root = os.geteuid() == 0
        drop_privileges(int(settings["uid"]), int(settings["gid"]))
        if was_root:
            clear_capabilities()
        forbid_new_privileges()
        problem = check_unprivileged() if was_root else None
    except (IndexError, KeyError, TypeError, ValueError, OSError) as error:
        problem = f"{type(error).__name__}: {error}"
    if problem:
        print(f"harness: refusing to run untrusted code: {problem}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(EXIT_UNSAFE)
    return settings
