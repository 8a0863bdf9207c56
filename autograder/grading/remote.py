"""One submission's session with its worker: calls go out as data, results come back as data.

``Student`` is what the hidden suites get as their ``student`` fixture::

    layer = student.new("layers", "Linear", 4, 3, seed=0)    # a Handle
    out = layer.call("forward", x)                            # an ndarray
    params = layer.get("params")                              # {"W": ndarray, "b": ndarray}
    layer.set("training", False)
    W = student.call("layers", "init_he", 4, 3, student.rng(0))

Every failure of student code (an exception, a crash, a timeout, a result that is not
plain data) raises ``StudentError`` with a message meant for the student. A dead worker
is replaced by a fresh one at the next call; handles made by the dead one stop working.
A module whose import failed (or hung) is remembered, so later tests fail at once
instead of waiting for the timeout again. ``student.last_warnings`` lists the warnings
that the last request raised in the worker (e.g. "RuntimeWarning: overflow encountered in
exp (activations.py, line 35)"), as data: a check that the docstring words as "no overflow
warning" reads them.

The pipes themselves (framing, deadlines, reply size limits, stderr) are channel.py's;
this module starts and replaces the worker through it, keeps the budgets and turns
replies into values or ``StudentError``.
"""
import time

import numpy as np

from ..harness import protocol
from .channel import Channel, WorkerDied, WorkerTimeout
from ..sandbox import SandboxError

MAX_WARNINGS = 20
MAX_WARNING_TEXT = 300


class StudentError(AssertionError):
    """Student code failed; the message says how. Fails the test that made the call."""


class Callback:
    """A grader function that student code may call, e.g. an optimizer's ``grad_fn``.

    It goes to the worker as a reference; every call is a round trip in which the grader
    runs the function itself and records the arguments (``Student.last_grad_calls``), so
    student code can neither see the function's parameters nor hide a call."""

    def __init__(self, function):
        self.function = function

    def __call__(self, *args):
        return self.function(*args)


def _refer_callbacks(value, found):
    """``value`` with each Callback replaced by {"__callback__": i}; the Callbacks go to ``found``."""
    if isinstance(value, Callback):
        found.append(value)
        return {"__callback__": len(found) - 1}
    if isinstance(value, list):
        return [_refer_callbacks(v, found) for v in value]
    if isinstance(value, dict):
        return {k: _refer_callbacks(v, found) for k, v in value.items()}
    return value


class Student:
    """One submission's session: a worker (through a Channel) started on demand and
    replaced when it dies."""

    def __init__(self, files, limits, call_timeout, total_budget, mode, threads=1):
        self.files = files  # {module file name: path in the submission}
        self.limits = limits
        self.call_timeout = call_timeout
        self.deadline = time.monotonic() + total_budget
        self.mode = mode
        self.threads = threads
        self.channel = None
        self.generation = 0
        self.imported = set()
        self.broken = {}  # module -> message
        self.restarts = 0
        self.last_grad_calls = []
        self.last_warnings = []  # the warnings the last request raised in the worker (strings)
        self.input_seed = 0      # the seed of this submission's hidden inputs (runner.py sets it)
        self.infrastructure_error = None
        self.review = []         # reasons for a person to look at this submission (extra_data.review)

    # -- lifecycle -----------------------------------------------------------------------
    def _ensure_channel(self):
        if self.channel is not None and self.channel.alive():
            return
        if self.channel is not None:
            self.channel.stop()
            self.restarts += 1
        try:
            self.channel = Channel(self.files, self.mode, self.limits, self.threads)
        except SandboxError as error:
            self.channel = None
            self.infrastructure_error = str(error)
            raise
        self.generation += 1
        self.imported = set()
        try:  # no student code has run yet: a failure here is the machine's, not the student's
            if self.channel.request({"op": "ping"}, 60) != {"value": "pong"}:
                raise WorkerDied()
        except (WorkerDied, WorkerTimeout, protocol.ProtocolError):
            tail = self.channel.stderr_tail.decode("utf-8", "replace").strip()[-800:]
            self.channel.stop()
            self.channel = None
            self.infrastructure_error = f"the sandboxed worker does not start ({self.mode}): {tail}"
            raise SandboxError(self.infrastructure_error) from None

    def close(self):
        if self.channel is not None:
            self.channel.stop()
            self.channel = None

    # -- requests ------------------------------------------------------------------------
    def _request(self, message, what, timeout=None, max_bytes=None):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise StudentError(f"{what}: not run, this submission used up its total grading time.")
        timeout = min(timeout or self.call_timeout, remaining)
        self.last_warnings = []
        self._ensure_channel()
        callbacks = []
        message = _refer_callbacks(message, callbacks)
        calls = [[] for _ in callbacks]
        try:
            reply = self.channel.request(message, timeout, callbacks, calls,
                                         **({"max_bytes": max_bytes} if max_bytes else {}))
        except WorkerTimeout:
            self.channel.stop()
            raise StudentError(f"{what} did not finish within {timeout:.0f} s (endless loop?); "
                               f"it was stopped.") from None
        except WorkerDied:
            detail = self.channel.exit_description()
            tail = self.channel.stderr_tail.decode("utf-8", "replace").strip()[-600:]
            self.channel.stop()
            raise StudentError(f"{what} crashed the worker: {detail}"
                               + (f".\n  last output:\n{tail}" if tail else ".")) from None
        except protocol.ProtocolError as error:
            self.channel.stop()
            raise StudentError(f"{what} sent back something that is not plain data: {error}") from None
        if not isinstance(reply, dict) or not ("value" in reply or "error" in reply):
            self.channel.stop()
            raise StudentError(f"{what}: the worker sent a malformed reply.")
        warned = reply.get("warnings", [])
        if not isinstance(warned, list) or not all(isinstance(w, str) for w in warned):
            self.channel.stop()
            raise StudentError(f"{what}: the worker sent a malformed reply (warnings).")
        self.last_warnings = [w[:MAX_WARNING_TEXT] for w in warned[:MAX_WARNINGS]]
        if "error" in reply:
            raise StudentError(_error_text(what, reply["error"]))
        self.last_grad_calls = calls  # per Callback of this request: the arguments of each call
        return reply["value"]

    def _import(self, module):
        if module in self.broken:
            raise StudentError(self.broken[module])
        self._ensure_channel()
        if module in self.imported:
            return
        if f"{module}.py" not in self.files:
            self.broken[module] = f"{module}.py is missing from the submission."
            raise StudentError(self.broken[module])
        try:
            self._request({"op": "import", "module": module}, f"importing {module}.py")
        except StudentError as error:
            self.broken[module] = str(error)
            raise
        self.imported.add(module)

    def new(self, module, name, *args, **kwargs):
        """Construct ``module.name(*args, **kwargs)`` in the worker; returns a Handle."""
        self._import(module)
        what = f"{name}({_show_args(args, kwargs)})"
        ident = self._request({"op": "new", "module": module, "name": name,
                               "args": encode_args(args), "kwargs": encode_args(kwargs)}, what)
        return Handle(self, ident, f"{name}", self.generation)

    def call(self, module, name, *args, timeout=None, discard=False, **kwargs):
        """Call the module-level function ``module.name``; returns its (plain data) result,
        or None with ``discard=True`` (for functions called for their effect)."""
        self._import(module)
        return self._request({"op": "call", "module": module, "name": name, "discard": discard,
                              "args": encode_args(args), "kwargs": encode_args(kwargs)},
                             f"{module}.{name}", timeout)

    def keep(self, module, name, *args, timeout=None, **kwargs):
        """Call ``module.name`` and keep its result in the worker as a Handle (e.g. a model)."""
        self._import(module)
        ident = self._request({"op": "keep", "module": module, "name": name,
                               "args": encode_args(args), "kwargs": encode_args(kwargs)},
                              f"{module}.{name}", timeout)
        return Handle(self, ident, f"{module}.{name}()", self.generation)

    @staticmethod
    def rng(seed):
        """An argument that becomes ``numpy.random.default_rng(seed)`` in the worker."""
        return {"__rng__": int(seed)}


class Handle:
    """A student object living in the worker."""

    def __init__(self, student, ident, label, generation):
        self.student, self.ident, self.label, self.generation = student, ident, label, generation

    def _check(self, what):
        if self.student.generation != self.generation or self.student.channel is None \
                or not self.student.channel.alive():
            raise StudentError(f"{what}: not run, the worker holding {self.label} was stopped "
                               f"by an earlier failure.")

    def _send(self, message, what, timeout=None, max_bytes=None):
        self._check(what)
        return self.student._request({"handle": self.ident, **message}, what, timeout, max_bytes)

    def call(self, method, *args, timeout=None, **kwargs):
        return self._send({"op": "call", "name": method, "args": encode_args(args),
                           "kwargs": encode_args(kwargs)}, f"{self.label}.{method}", timeout)

    def run(self, method, *args, timeout=None, **kwargs):
        """Call a method for its effect only (its result, e.g. ``self``, is dropped)."""
        self._send({"op": "call", "name": method, "args": encode_args(args), "discard": True,
                    "kwargs": encode_args(kwargs)}, f"{self.label}.{method}", timeout)

    def keep(self, method, *args, **kwargs):
        ident = self._send({"op": "keep", "name": method, "args": encode_args(args),
                            "kwargs": encode_args(kwargs)}, f"{self.label}.{method}")
        return Handle(self.student, ident, f"{self.label}.{method}()", self.generation)

    def get(self, *path):
        return self._send({"op": "get", "path": list(path)}, f"reading {self.label}.{_path(path)}")

    def set(self, *path_and_value):
        *path, value = path_and_value
        self._send({"op": "set", "path": path, "value": encode_args(value)},
                   f"setting {self.label}.{_path(path)}")

    def map(self, method, arglists):
        """``[self.method(*args) for args in arglists]`` in one round trip."""
        return self._send({"op": "map", "name": method,
                           "arglists": [encode_args(list(a)) for a in arglists]},
                          f"{self.label}.{method}")

    def probe(self, path, values, method, *args):
        """Copy each of ``values`` into the array at ``path`` in place, call ``method(*args)``
        and collect the results; the array is restored afterwards."""
        return self._send({"op": "probe", "path": list(path), "values": list(values),
                           "name": method, "args": encode_args(args)},
                          f"{self.label}.{method}")

    def export(self, example, timeout=None, max_bytes=None):
        """torch.export the model behind this handle; returns the archive bytes (a reply of
        at most ``max_bytes``)."""
        data = self._send({"op": "export", "example": example}, f"exporting {self.label}", timeout,
                          max_bytes)
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8:
            raise StudentError("exporting the model did not give back bytes.")
        return data.tobytes()


def encode_args(value):
    """Grader-side arguments: Handles become references, tuples stay tuples."""
    if isinstance(value, Handle):
        value._check("passing " + value.label)
        return {"__handle__": value.ident}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_args(v) for v in value]}
    if isinstance(value, list):
        return [encode_args(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_args(v) for k, v in value.items()}
    return value


def _path(path):
    return ".".join(str(p) for p in path)


def _show_args(args, kwargs):
    parts = [repr(a) if not isinstance(a, (np.ndarray, dict, list)) else "…" for a in args]
    parts += [f"{k}={v!r}" for k, v in kwargs.items() if not isinstance(v, (np.ndarray, dict, list))]
    return ", ".join(parts)


def _error_text(what, error):
    if not isinstance(error, dict):
        return f"{what} failed."
    kind = str(error.get("type", "Error"))[:100]
    message = str(error.get("message", ""))[:2000]
    where = error.get("where") or []
    text = f"{what} raised {kind}: {message}" if kind != "BadResult" else f"{what} {message}"
    if isinstance(where, list) and where:
        text += "\n  at " + "\n     ".join(str(w)[:300] for w in where[-3:])
    return text
