"""The grader's accuracy measurement of an exported CNN, run inside the sandbox.

The graph holds no student Python (``exported.py`` has checked it), but its operators and
sizes are the student's: a graph can be slow or ask for huge tensors. So it runs here, in a
process the grader starts like a worker (``sandbox.WorkerProcess(..., script="graph_eval.py")``:
the same namespaces or fallback, the worker's memory and CPU limits, no network) and kills at
its own wall-clock limit. ``predict`` is the grader's side; ``main`` is this process's side.

This process gets the images, never the labels: it sends back the predicted classes and the
grader counts the correct ones. It imports nothing from the grader.

Files in its working directory: ``model.pt2`` (the archive as ``exported.sanitize`` left it)
and ``images.npy`` (uint8, N × 3 × 32 × 32, N a multiple of ``BATCH``). It writes the
predicted classes to stdout as a ``.npy`` int64 array of length N; on failure one line to
stderr and exit status 1.
"""
import io
import subprocess
import sys
import tempfile
from pathlib import Path

BATCH = 250      # the batch size the model was exported for
CLASSES = 10


class EvaluationError(Exception):
    """The exported model could not be evaluated: it failed, or ran past the time limit."""


def predict(archive, images, mode, limits, threads, timeout):
    """Predicted classes (int64, N) of the sanitized ``archive`` on uint8 ``images``, computed
    in a sandboxed process with ``limits`` (sandbox.rlimits) and killed after ``timeout`` s."""
    import numpy as np

    from .sandbox import WorkerProcess

    with tempfile.TemporaryDirectory(prefix="autograder-eval-") as folder:
        model_path, images_path = Path(folder, "model.pt2"), Path(folder, "images.npy")
        model_path.write_bytes(archive)
        np.save(images_path, np.ascontiguousarray(images, dtype=np.uint8))
        worker = WorkerProcess({"model.pt2": model_path, "images.npy": images_path},
                               mode, limits, threads, script="graph_eval.py")
    try:
        out, err = worker.process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise EvaluationError(
            f"evaluating the exported model on {len(images):,} images took longer than "
            f"{timeout:.0f} s, the grader's limit, and was stopped") from None
    finally:
        worker.kill()
    if worker.process.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines() or [
            f"the evaluating process ended with status {worker.process.returncode} "
            "(killed by a memory or CPU limit?)"]
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


def main():
    import numpy as np
    import torch

    images = np.load("images.npy", allow_pickle=False)
    module = torch.export.load("model.pt2").module()
    predicted = []
    with torch.no_grad():
        for start in range(0, len(images), BATCH):
            batch = torch.from_numpy(images[start:start + BATCH].astype(np.float32) / 255)
            scores = module(batch)
            if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (len(batch), CLASSES):
                shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
                raise ValueError(f"forward returns {shape}; it must return class scores of shape "
                                 f"(batch, {CLASSES}) = ({len(batch)}, {CLASSES})")
            predicted.append(scores.argmax(dim=1).to(torch.int64).numpy())
    out = io.BytesIO()  # np.save needs a seekable file; stdout is a pipe
    np.save(out, np.concatenate(predicted))
    sys.stdout.buffer.write(out.getvalue())


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - one line for the grader, no traceback
        print(f"{type(error).__name__}: {error}".replace("\n", " ")[:500], file=sys.stderr)
        sys.exit(1)
