"""The grader's end of a child process's pipes: reads and writes against a deadline.

One class for every child the grader talks to (the sandboxed worker, grade-all's warm
graders, the CNN's evaluation process): stdin and stdout are used without blocking past a
deadline, and a thread keeps the last ``stderr_keep`` bytes of stderr for error messages.
A closed pipe is ``PipeClosed``; a deadline passed is ``PipeTimeout``.
"""
import os
import select
import threading
import time


class PipeClosed(EOFError):
    """The child's pipe closed: it exited or was killed."""


class PipeTimeout(TimeoutError):
    """The child did not answer before the deadline."""


class ChildPipes:
    def __init__(self, popen, stderr_keep=8000):
        self.popen = popen
        self.stdin = popen.stdin.fileno() if popen.stdin and not popen.stdin.closed else None
        self.stdout = popen.stdout.fileno()
        if self.stdin is not None:
            os.set_blocking(self.stdin, False)
        self.buffer = b""
        self._tail, self._keep = b"", stderr_keep
        self._thread = threading.Thread(target=self._drain, args=(popen.stderr,), daemon=True)
        self._thread.start()

    def _drain(self, stream):
        try:
            for chunk in iter(lambda: stream.read1(4096), b""):
                self._tail = (self._tail + chunk)[-self._keep:]
        except (OSError, ValueError):
            pass

    @property
    def stderr_tail(self):
        return self._tail

    def last_error_line(self, default="no message"):
        lines = self._tail.decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:500] if lines else default

    def join_stderr(self, timeout=2):
        self._thread.join(timeout=timeout)

    def _wait(self, fd, deadline, writing=False):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PipeTimeout()
        ready = select.select([], [fd], [], remaining) if writing else select.select([fd], [], [], remaining)
        if not any(ready):
            raise PipeTimeout()

    def write(self, data, deadline):
        view = memoryview(data)
        while view:
            self._wait(self.stdin, deadline, writing=True)
            try:
                view = view[os.write(self.stdin, view[: 1 << 20]):]
            except BrokenPipeError:
                raise PipeClosed() from None
            except BlockingIOError:
                continue

    def _fill(self, deadline, want=1 << 20):
        self._wait(self.stdout, deadline)
        chunk = os.read(self.stdout, want)
        if not chunk:
            raise PipeClosed()
        self.buffer += chunk

    def read_exactly(self, n, deadline):
        chunks, have = [self.buffer[:n]], len(self.buffer[:n])
        self.buffer = self.buffer[have:]
        while have < n:
            self._wait(self.stdout, deadline)
            chunk = os.read(self.stdout, min(n - have, 1 << 20))
            if not chunk:
                raise PipeClosed()
            chunks.append(chunk)
            have += len(chunk)
        return b"".join(chunks)

    def read_line(self, deadline):
        """The next line (without its newline)."""
        while b"\n" not in self.buffer:
            self._fill(deadline, 1 << 16)
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def read_to_end(self, max_bytes, deadline):
        """Everything until the child closes stdout; None if it sends more than ``max_bytes``."""
        chunks, have = [self.buffer], len(self.buffer)
        self.buffer = b""
        while have <= max_bytes:
            self._wait(self.stdout, deadline)
            chunk = os.read(self.stdout, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            have += len(chunk)
        return None
