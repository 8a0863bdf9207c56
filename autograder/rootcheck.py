"""The fallback sandbox as root: before anyone is graded, a probe run as the sandbox user.

In fallback mode as root the worker drops to uid/gid 65534 (sandbox.py). That user must be
able to run this interpreter, and must not be able to read the hidden suites: there is no
filesystem hiding in that mode. ``check_root_fallback`` probes both once, as that user, and
raises SandboxError with one line saying what to do otherwise.
"""
import functools
import subprocess

from .sandbox import CLEAN_ENV, SANDBOX_UID, SandboxError, become_sandbox_user, python_paths

_PRIVACY_PROBE = """
import os, sys
for top in sys.argv[1:]:
    for folder, _, names in os.walk(top):
        for name in names:
            try:
                open(os.path.join(folder, name), "rb").close()
            except OSError:
                continue
            print(os.path.join(folder, name))
            raise SystemExit(0)
"""


@functools.lru_cache(maxsize=None)
def check_root_fallback(private):
    """Fallback as root drops the worker to uid 65534, which must be able to run this
    interpreter and must not be able to read the hidden suites. Probed once, as that user."""
    python, _ = python_paths()
    remedy = ("run the grader as an ordinary user, or let bubblewrap run "
              "(pip install -r requirements.txt brings it; see README, 'Where it runs')")

    def cannot_run(why):
        return SandboxError(f"fallback sandbox as root: the worker's user (uid {SANDBOX_UID}) cannot run "
                            f"{python} ({why}); {remedy}, or install Python where that user can read it")

    try:
        probe = subprocess.run([python, "-I", "-c", _PRIVACY_PROBE, *private], capture_output=True, text=True,
                               timeout=60, preexec_fn=become_sandbox_user, cwd="/", env=CLEAN_ENV)
    except (OSError, subprocess.SubprocessError) as error:
        raise cannot_run(error) from None
    if probe.returncode != 0:
        raise cannot_run(f"exit {probe.returncode}")
    if probe.stdout.strip():
        raise SandboxError(f"fallback sandbox as root: the worker's user (uid {SANDBOX_UID}) can read the "
                           f"hidden suites ({probe.stdout.strip()}); {remedy}, "
                           f"or make them private: chmod -R go-rwx {' '.join(private)}")
