"""The grader's end of the worker's pipes: framed, time-limited request/reply.

A ``Channel`` starts one sandboxed worker process (``sandbox.WorkerProcess``) and talks
to it in ``protocol.py`` frames over its stdin/stdout (``pipes.ChildPipes``: the last
``STDERR_KEEP`` bytes of its stderr are kept for error messages). Every read and write waits
against one deadline per request (``WorkerTimeout``); a closed pipe is ``WorkerDied``.
Replies are size-limited before they are read (``MAX_REPLY_BYTES``); callback frames that
the worker sends while a request runs are answered here by running the grader's function
(``answer_callback``), all of them together at most ``MAX_CALLBACK_BYTES``.

What a reply means (student errors, budgets, replacing a dead worker) is the session's
job: ``remote.Student``.
"""
import time

from ..harness import protocol
from .pipes import ChildPipes, PipeClosed, PipeTimeout
from ..sandbox import WorkerProcess

MAX_REPLY_BYTES = 64 << 20     # one reply; a request may allow more (the CNN export: its own cap)
MAX_CALLBACK_BYTES = 64 << 20  # all callback frames of one request together
STDERR_KEEP = 8000

WorkerDied = PipeClosed      # the worker's pipes closed: it exited or was killed
WorkerTimeout = PipeTimeout  # the worker did not answer before the request's deadline


class Channel:
    """A started worker with a framed, time-limited request/reply channel."""

    def __init__(self, files, mode, limits, threads):
        self.process = WorkerProcess(files, mode, limits, threads)
        self.pipes = ChildPipes(self.process.process, STDERR_KEEP)

    @property
    def stderr_tail(self):
        return self.pipes.stderr_tail

    def alive(self):
        return self.process.process.poll() is None

    def request(self, message, timeout, callbacks=(), calls=None, max_bytes=MAX_REPLY_BYTES):
        """Send one request and return the decoded reply (at most ``max_bytes``). Callback
        frames that come first are answered by running ``callbacks[i]`` here; their
        arguments go to ``calls[i]``."""
        deadline = time.monotonic() + timeout
        self.pipes.write(protocol.encode(message), deadline)
        received = 0
        while True:
            header, blobs = protocol.split_frame(lambda n: self.pipes.read_exactly(n, deadline), max_bytes)
            reply = protocol.decode(header, blobs)
            if not (isinstance(reply, dict) and "callback" in reply):
                return reply
            received += len(header) + sum(map(len, blobs))
            if received > MAX_CALLBACK_BYTES:
                raise protocol.ProtocolError(f"callbacks of one call sent over {MAX_CALLBACK_BYTES} bytes")
            self.pipes.write(protocol.encode(answer_callback(reply, callbacks, calls)), deadline)

    def stop(self):
        self.process.kill()
        self.pipes.join_stderr()

    def exit_description(self):
        try:
            code = self.process.process.wait(timeout=2)
        except Exception:  # noqa: BLE001
            return "the worker stopped"
        if code < 0:
            return f"the worker was killed by signal {-code}" + (
                " (probably the CPU-time limit)" if -code in (9, 24) else "")
        return f"the worker process exited with code {code}"


def answer_callback(message, callbacks, calls):
    """Run the grader function a callback frame asks for; its answer as a reply dict."""
    ident, args = message.get("callback"), message.get("args")
    if type(ident) is not int or not 0 <= ident < len(callbacks) or not isinstance(args, list):
        return {"error": "called a function that this call was not given"}
    calls[ident].append(args[0] if len(args) == 1 else args)
    try:
        return {"value": callbacks[ident](*args)}
    except Exception as error:  # noqa: BLE001 - bad arguments from student code
        return {"error": f"{type(error).__name__}: {error}"[:500]}
