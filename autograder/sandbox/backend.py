"""What a sandbox backend is, and where the grader finds them.

A backend turns one harness launch (``Launch``) into a command line, and says whether it can
run on this machine. Each backend is one file in ``backends/`` defining ``BACKEND``, an
instance of a ``Backend`` subclass; adding a backend (a container runtime, say) is adding
one such file. ``AUTOGRADER_SANDBOX=auto`` takes the available backend with the highest
``priority``; ``AUTOGRADER_SANDBOX=<name>`` insists on one.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field

from . import backends


class SandboxError(Exception):
    """The worker could not be started at all (a problem with this machine, not the student)."""


@dataclass
class Launch:
    """Everything a backend needs to start one harness process."""
    python: str              # the interpreter to run
    prefixes: list           # (real path, path seen) of the interpreter's installation and venv
    harness: str             # folder holding the harness files (limits.py, worker.py, ...)
    work: str                # folder holding the copied submission files
    files: list              # their names
    script: str              # the harness program: worker.py or graph_eval.py
    settings: str            # JSON for limits.enter: rlimits, uid, gid
    env: dict = field(default_factory=dict)   # the scrubbed environment of the harness


class Backend:
    name = "?"
    priority = 0             # auto mode prefers the highest available
    hides_files = False      # True if the harness sees only the submission and the interpreter

    def available(self):
        """True if this backend can start processes on this machine."""
        raise NotImplementedError

    def unavailable_reason(self):
        return f"the {self.name} sandbox cannot run here"

    def preflight(self, private):
        """Checks before anyone is graded (raise SandboxError with one line saying what to do);
        ``private``: folders the harness must not be able to read."""

    def command(self, launch):
        """(argv, cwd, environment of the started process) for ``launch``."""
        raise NotImplementedError

    def after_kill(self, uid):
        """Called after the process group was killed: clean up what else ``uid`` left running."""

    def describe(self):
        """One line for the results' output: which sandbox ran and what it protects."""
        raise NotImplementedError


def registry():
    """{name: backend} of every module in ``backends/``."""
    found = {}
    for info in pkgutil.iter_modules(backends.__path__):
        module = importlib.import_module(f"{backends.__name__}.{info.name}")
        backend = getattr(module, "BACKEND", None)
        if isinstance(backend, Backend):
            found[backend.name] = backend
    return found
