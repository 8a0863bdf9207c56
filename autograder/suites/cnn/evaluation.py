"""The grader's accuracy measurement of an exported CNN: the images it shows, what it counts.

* ``perturb``: the images are changed per submission, drawn from the submission's input
  seed (course secret + files): each image is mirrored or not, shifted by up to one pixel
  (edges repeated) and given a little noise (±2 of 255 per value). A label does not change,
  a real CNN barely notices (README, "Threat model": the reference loses < 1 point), but a
  table of fingerprints of the public test images no longer finds anything.
* ``predict``: the sandboxed process (``autograder/harness/graph_eval.py``, the worker's
  sandbox mode, limits and a uid of its own) runs the archive on the images, never the
  labels, and sends back one class per image; its reply is read with a size cap and a
  deadline. The grader counts the correct ones.
"""
import io
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.grading.pipes import ChildPipes
from autograder.sandbox import WorkerProcess

NOISE = 2  # ± per uint8 value


class EvaluationError(Exception):
    """The exported model could not be evaluated: it failed, or ran past the time limit."""


def perturb(images, rng):
    """uint8 (N, 3, 32, 32) → the same images, each mirrored with probability ½, shifted by
    (dy, dx) ∈ {-1, 0, 1}² with its edge pixels repeated, plus integer noise in [-2, 2]."""
    out = np.empty_like(images)
    flips = rng.random(len(images)) < 0.5
    shifts = rng.integers(-1, 2, size=(len(images), 2))
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    for i, (dy, dx) in enumerate(shifts):
        view = padded[i, :, 1 + dy:33 + dy, 1 + dx:33 + dx]
        out[i] = view[:, :, ::-1] if flips[i] else view
    noise = rng.integers(-NOISE, NOISE + 1, size=images.shape, dtype=np.int16)
    return np.clip(out.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def predict(archive, images, batch, mode, limits, threads, timeout):
    """Predicted classes (int64, N) of ``archive`` (as ``archive.read`` returned it) on uint8
    ``images`` (N a multiple of ``batch``), computed in a sandboxed process with ``limits``
    and stopped after ``timeout`` s."""
    with tempfile.TemporaryDirectory(prefix="autograder-eval-") as folder:
        model_path, images_path = Path(folder, "model.pt2"), Path(folder, "images.npy")
        model_path.write_bytes(archive)
        np.save(images_path, np.ascontiguousarray(images, dtype=np.uint8).reshape(-1, batch, 3, 32, 32))
        process = WorkerProcess({"model.pt2": model_path, "images.npy": images_path},
                                mode, limits, threads, script="graph_eval.py")
    try:
        out, err, code = _communicate(process.process, 128 + 8 * len(images), time.monotonic() + timeout)
    except TimeoutError:
        raise EvaluationError(
            f"evaluating the exported model on {len(images):,} images took longer than "
            f"{timeout:.0f} s, the grader's limit, and was stopped") from None
    finally:
        process.kill()
    if code != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines() or [
            f"the evaluating process ended with status {code} (killed by a memory or CPU limit?)"]
        line = lines[-1][:500]
        if "allocate memory" in line and "RLIMIT_AS" in limits:
            line += f" (the grader's memory limit is {limits['RLIMIT_AS'] >> 20} MiB)"
        raise EvaluationError(f"the exported model fails on CIFAR-10 images: {line}")
    try:
        predicted = np.load(io.BytesIO(out), allow_pickle=False)
    except ValueError:
        raise EvaluationError("the evaluating process sent back no predictions") from None
    if predicted.shape != (len(images),) or predicted.dtype != np.int64:
        raise EvaluationError(f"the evaluating process sent back {predicted.dtype} {predicted.shape}, "
                              f"not int64 ({len(images)},)")
    return predicted


def _communicate(popen, max_bytes, deadline):
    """(stdout, the tail of stderr, exit status) of ``popen``: at most ``max_bytes`` of stdout
    (more is an error: the reply of a graph cannot be larger), TimeoutError at ``deadline``."""
    popen.stdin.close()
    pipes = ChildPipes(popen, 4000)
    out = pipes.read_to_end(max_bytes, deadline)
    if out is None:
        popen.kill()
        return b"", b"the evaluating process sent back more than its predictions", 1
    try:
        code = popen.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise TimeoutError from None
    pipes.join_stderr()
    return out, pipes.stderr_tail, code
