"""Runs a student's exported CNN on images and sends back the predicted classes (sandbox side).

Started by the grader like a worker (``python -I graph_eval.py SETTINGS_JSON``, same sandbox,
limits and uid), with two files in its working directory:

* ``model.pt2``: the archive, already checked by the grader as plain data (allowed operators
  only, no pickled payload, no symbolic shapes);
* ``images.npy``: uint8 of shape (batches, B, 3, 32, 32), B the batch size the graph was
  exported for.

It never sees a label. It writes the predicted classes to stdout as one ``.npy`` int64 array
of length batches × B; on failure one line to stderr and exit status 1. Loading the archive
(``torch.export.load``) is the one step that parses a submission's model with torch's own
deserialiser, which is why it happens here and not in the grader.
"""
import io
import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
import limits  # noqa: E402

CLASSES = 10


def load_graph(path):
    """The archive's module, after checking that every call in its graph is an ATen op."""
    import torch

    program = torch.export.load(path)
    for node in program.graph.nodes:
        if node.op == "call_function" and getattr(node.target, "namespace", None) != "aten" \
                and str(node.target) != "<built-in function getitem>":
            raise ValueError(f"the exported graph calls {node.target}, which is not an ATen operator")
    return program.module()


def predict(module, batches):
    """Predicted classes (int64, batches × B) of ``module`` on uint8 ``batches``."""
    import numpy as np
    import torch

    predicted = []
    with torch.no_grad():
        for batch in batches:
            scores = module(torch.from_numpy(batch.astype(np.float32) / 255))
            expected = (len(batch), CLASSES)
            if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != expected:
                shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
                raise ValueError(f"forward returns {shape}; it must return class scores of shape "
                                 f"(batch, {CLASSES}) = {expected}")
            predicted.append(scores.argmax(dim=1).to(torch.int64).numpy())
    return np.concatenate(predicted)


def main():
    limits.enter()
    import numpy as np

    batches = np.load("images.npy", allow_pickle=False)
    predicted = predict(load_graph("model.pt2"), batches)
    out = io.BytesIO()  # np.save needs a seekable file; stdout is a pipe
    np.save(out, predicted)
    sys.stdout.buffer.write(out.getvalue())


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - one line for the grader, no traceback
        print(f"{type(error).__name__}: {error}".replace("\n", " ")[:500], file=sys.stderr)
        sys.exit(1)
