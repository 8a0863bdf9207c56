"""The worker: the only process that runs student code (inside the sandbox).

Started by the grader as ``python -I worker.py SETTINGS_JSON`` with the submission copy as
its working directory; ``limits.enter`` applies the settings (rlimits, the drop from root to
the sandbox uid) before anything else happens. Plain data only: requests and replies are frames of
``protocol.py`` (JSON + .npy). The protocol uses the original stdin/stdout; before any
student code runs, stdin becomes /dev/null and stdout goes to stderr, so a student's
``print`` cannot corrupt a reply and ``input()`` gets nothing.

Requests (dicts), each answered with {"value": ...} or {"error": {...}}:

    {"op": "import", "module": m}
    {"op": "new", "module": m, "name": cls, "args": [...], "kwargs": {...}}   -> handle id
    {"op": "call", "module": m, "name": f, "args", "kwargs"}                  module function
    {"op": "call", "handle": h, "name": meth, "args", "kwargs"}              method of a handle
    {"op": "call", ..., "discard": true}                                     result dropped
    {"op": "keep", ...same as call...}                                        result kept as handle
    {"op": "get", "handle": h, "path": [...]}        attribute / dict key / index path
    {"op": "set", "handle": h, "path": [...], "value": v}
    {"op": "map", "handle": h, "name": meth, "arglists": [[...], ...]}     one call per arglist
    {"op": "probe", "handle": h, "path": [...], "values": [...], "name": meth, "args": [...]}
        copy each value in place into the array at path, call meth(*args), collect the
        results, then restore the array (for the grader's centred differences)
    {"op": "export", "handle": h, "example": array}   torch.export of a model -> uint8 bytes

Arguments may hold {"__handle__": h}, {"__rng__": seed} (numpy Generator) and
{"__callback__": i}: a function of the grader (e.g. an optimizer's grad_fn). Calling it
sends {"callback": i, "args": [float64 arrays]} to the grader and waits for its
{"value": ...} or {"error": text}; the grader runs the function itself and counts the
calls, so nothing student code does in this process can hide a call or change a result.

Warnings raised while a request runs (``warnings.warn``, numpy's "overflow encountered in
exp", ...) are recorded and travel back as data: a reply may carry
``"warnings": ["RuntimeWarning: overflow encountered in exp (activations.py, line 35)", ...]``
(at most ``MAX_WARNINGS``, each cut to 300 characters). numpy reports overflow, division by
zero and invalid values as warnings during every request, whatever ``np.seterr`` said
before it. The grader judges them (a docstring that promises "no overflow warning").
"""
import io
import os
import sys
import threading
import traceback
import warnings

import numpy as np

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
import limits  # noqa: E402
import protocol  # noqa: E402

HANDLES = {}
MAX_ERROR_TEXT = 4000
MAX_WARNINGS = 20


class Channel:
    """This process's end of the pipes to the grader (whose end is ``channel.Channel``):
    requests come in, replies (and callbacks) go out."""

    def __init__(self, requests, replies):
        self.requests, self.replies = requests, replies
        self.lock = threading.Lock()

    def _read_exactly(self, n):
        chunks = []
        while n:
            chunk = self.requests.read(n)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def read(self):
        """The grader's next message (it is trusted: no size limit beyond a sane one)."""
        return protocol.decode(*protocol.split_frame(self._read_exactly, 1 << 34, 1 << 34))

    def write(self, frame):
        sys.stdout.flush()
        self.replies.write(frame)

    def call_back(self, ident, args):
        with self.lock:
            self.write(protocol.encode({"callback": ident, "args": args}))
            answer = self.read()
        if "error" in answer:
            raise ValueError(answer["error"])
        return answer["value"]


CHANNEL = None


def callback(ident):
    """A stand-in for the grader's function ``ident``; its arguments travel as float64 arrays."""

    def call(*args):
        return CHANNEL.call_back(ident, [np.array(a, dtype=np.float64) for a in args])

    return call


def unwrap(value):
    """Turn the grader's argument markers into live objects."""
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__handle__"}:
            return HANDLES[value["__handle__"]]
        if set(value) == {"__rng__"}:
            return np.random.default_rng(value["__rng__"])
        if set(value) == {"__callback__"}:
            return callback(value["__callback__"])
        if set(value) == {"__tuple__"}:
            return tuple(unwrap(v) for v in value["__tuple__"])
        return {k: unwrap(v) for k, v in value.items()}
    return value


def resolve(obj, path):
    for step in path:
        if isinstance(step, int):
            obj = obj[step]
        elif step.endswith("()"):
            obj = getattr(obj, step[:-2])()
        elif isinstance(obj, dict):
            obj = obj[step]
        else:
            obj = getattr(obj, step)
    return obj


def target_of(request):
    if "handle" in request:
        return HANDLES[request["handle"]]
    return __import__(request["module"])


def handle(request):
    op = request["op"]
    args = unwrap(request.get("args", []))
    kwargs = unwrap(request.get("kwargs", {}))
    if op == "ping":
        value = "pong"
    elif op == "import":
        __import__(request["module"])
        value = None
    elif op in ("new", "keep"):
        function = getattr(target_of(request), request["name"])
        HANDLES[len(HANDLES) + 1] = function(*args, **kwargs)
        value = len(HANDLES)
    elif op == "call":
        value = getattr(target_of(request), request["name"])(*args, **kwargs)
        if request.get("discard"):
            value = None
    elif op == "get":
        value = resolve(HANDLES[request["handle"]], request["path"])
    elif op == "set":
        *parent_path, last = request["path"]
        parent = resolve(HANDLES[request["handle"]], parent_path)
        new = unwrap(request["value"])
        if isinstance(parent, dict) or isinstance(last, int):
            parent[last] = new
        else:
            setattr(parent, last, new)
        value = None
    elif op == "map":
        method = getattr(HANDLES[request["handle"]], request["name"])
        value = [method(*unwrap(a)) for a in request["arglists"]]
    elif op == "probe":
        obj = HANDLES[request["handle"]]
        array = resolve(obj, request["path"])
        original = array.copy()
        method = getattr(obj, request["name"])
        value = []
        try:
            for v in request["values"]:
                np.copyto(array, v)
                value.append(method(*args))
        finally:
            np.copyto(array, original)
    elif op == "export":
        value = export_model(HANDLES[request["handle"]], request["example"])
    else:
        raise ValueError(f"unknown request {op!r}")
    return {"value": value}


def handle_recording_warnings(request):
    """``handle(request)`` with the warnings it raised added to the reply as strings."""
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        reply = handle(request)
    if caught:
        reply["warnings"] = [describe_warning(w) for w in caught[:MAX_WARNINGS]]
    return reply


def describe_warning(record):
    try:
        text = f"{record.category.__name__}: {record.message}"
    except BaseException:  # noqa: BLE001 - a student warning object may not print
        text = "Warning: (its message could not be read)"
    return f"{text} ({os.path.basename(str(record.filename))}, line {record.lineno})"[:300]


def export_model(model, example):
    """torch.export a model in eval mode; the graph and raw weights come back as bytes."""
    import torch

    model.eval()
    with torch.no_grad():
        program = torch.export.export(model, (torch.from_numpy(np.asarray(example)),))
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)


def describe(error):
    """What went wrong, with the frames from the student's own files only."""
    frames = [
        f"{os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}"
        for f in traceback.extract_tb(error.__traceback__)
        if os.path.dirname(os.path.abspath(f.filename)) == os.getcwd()
    ]
    try:
        message = str(error)
    except BaseException:  # noqa: BLE001 - a student __str__ may raise
        message = "(the exception's message could not be read)"
    return {
        "type": type(error).__name__[:100],
        "message": message[:MAX_ERROR_TEXT],
        "where": frames[-5:],
    }


def main():
    global CHANNEL
    limits.enter()
    CHANNEL = Channel(os.fdopen(os.dup(0), "rb", buffering=0), os.fdopen(os.dup(1), "wb", buffering=0))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    sys.path.insert(0, os.getcwd())

    while True:
        try:
            request = CHANNEL.read()
        except EOFError:
            return
        try:
            reply = handle_recording_warnings(request)
            frame = protocol.encode(reply)
        except protocol.Unencodable as error:
            frame = protocol.encode({"error": {
                "type": "BadResult",
                "message": f"returned {error}; the grader accepts only numbers, strings, "
                           f"lists, dicts and numeric numpy arrays",
                "where": []}})
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            frame = protocol.encode({"error": describe(error)})
        CHANNEL.write(frame)


if __name__ == "__main__":
    main()
