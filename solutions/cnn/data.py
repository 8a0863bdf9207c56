"""Load CIFAR-10 from disk (given code: nothing to implement here).

CIFAR-10 has 50,000 training and 10,000 test images, 32×32 pixels, RGB, in ten
classes. ``load_cifar10`` reads either official layout:

* the **binary** version (``cifar-10-binary.tar.gz`` unpacks to ``cifar-10-batches-bin/``):
  ``data_batch_1.bin`` … ``data_batch_5.bin`` and ``test_batch.bin``, each a run of
  3,073-byte records: one label byte, then 1,024 red, 1,024 green, 1,024 blue bytes
  (each colour plane row by row);
* the **python** version (``cifar-10-python.tar.gz`` unpacks to ``cifar-10-batches-py/``):
  ``data_batch_1`` … ``data_batch_5`` and ``test_batch``, pickled dicts with
  ``b"data"`` (10,000 × 3,072 uint8, same pixel order) and ``b"labels"``.

The directory comes from the argument or else the environment variable ``CIFAR10_DIR``.
It may be the batches folder itself or a folder that contains it (like ``data/``
after ``make data``).
"""
import os
import pickle
from pathlib import Path
from typing import NamedTuple

import numpy as np

CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")
RECORD_BYTES = 1 + 3 * 32 * 32          # label byte + 3072 pixel bytes
IMAGES_PER_FILE = 10_000
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"


class CIFAR10(NamedTuple):
    """``train_x`` (50000, 3, 32, 32) uint8, ``train_y`` (50000,) int64 in 0..9,
    ``test_x`` (10000, 3, 32, 32) uint8, ``test_y`` (10000,) int64, ``classes``: 10 names."""
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple


def _error(kind, message):
    return kind(f"load_cifar10: {message}")


def _find_layout(directory):
    """Return (folder, "binary" | "python") for ``directory`` or a batches folder inside it."""
    candidates = [directory, directory / "cifar-10-batches-bin", directory / "cifar-10-batches-py"]
    for folder in candidates:
        if (folder / "data_batch_1.bin").is_file():
            return folder, "binary"
        if (folder / "data_batch_1").is_file():
            return folder, "python"
    raise _error(FileNotFoundError,
                 f"no CIFAR-10 batches in '{directory}': expected data_batch_1.bin … test_batch.bin "
                 f"(binary version) or data_batch_1 … test_batch (python version) there or in a "
                 f"cifar-10-batches-bin/ or cifar-10-batches-py/ folder inside it.")


def _check_labels(labels, path):
    if labels.size and labels.max() > 9:
        raise _error(ValueError, f"'{path}' holds label {int(labels.max())}; CIFAR-10 labels are 0..9. "
                                 f"Is this really a CIFAR-10 file?")


def _read_binary(path, expected):
    if not path.is_file():
        raise _error(FileNotFoundError, f"missing file '{path}' (the binary version needs "
                                        f"data_batch_1.bin … data_batch_5.bin and test_batch.bin).")
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % RECORD_BYTES:
        raise _error(ValueError, f"'{path}' has {raw.size} bytes, not a multiple of the "
                                 f"{RECORD_BYTES}-byte record: the file is truncated or damaged. "
                                 f"Download it again (make data).")
    records = raw.reshape(-1, RECORD_BYTES)
    if expected is not None and len(records) != expected:
        raise _error(ValueError, f"'{path}' holds {len(records)} images, expected {expected}: "
                                 f"the file is truncated or damaged. Download it again (make data).")
    labels = records[:, 0].astype(np.int64)
    _check_labels(labels, path)
    images = records[:, 1:].reshape(-1, 3, 32, 32)
    return np.ascontiguousarray(images), labels


def _read_python(path, expected):
    if not path.is_file():
        raise _error(FileNotFoundError, f"missing file '{path}' (the python version needs "
                                        f"data_batch_1 … data_batch_5 and test_batch).")
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except Exception as exc:  # truncated pickle, wrong keys, ...
        raise _error(ValueError, f"cannot read '{path}' as a CIFAR-10 python batch "
                                 f"({type(exc).__name__}: {exc}); the file is damaged.") from exc
    if data.ndim != 2 or data.shape[1] != RECORD_BYTES - 1 or len(data) != len(labels):
        raise _error(ValueError, f"'{path}' holds data of shape {data.shape} and {len(labels)} labels; "
                                 f"expected (n, 3072) and n labels: the file is damaged.")
    if expected is not None and len(data) != expected:
        raise _error(ValueError, f"'{path}' holds {len(data)} images, expected {expected}: "
                                 f"the file is truncated or damaged.")
    _check_labels(labels, path)
    return np.ascontiguousarray(data.reshape(-1, 3, 32, 32)), labels


def _class_names(folder, layout):
    try:
        if layout == "binary" and (folder / "batches.meta.txt").is_file():
            names = [line.strip() for line in (folder / "batches.meta.txt").read_text().splitlines()]
            names = tuple(n for n in names if n)
        elif layout == "python" and (folder / "batches.meta").is_file():
            with open(folder / "batches.meta", "rb") as f:
                names = tuple(n.decode() for n in pickle.load(f, encoding="bytes")[b"label_names"])
        else:
            return CLASSES
    except Exception:
        return CLASSES
    return names if len(names) == 10 else CLASSES


def load_cifar10(directory=None, images_per_file=IMAGES_PER_FILE):
    """Read CIFAR-10 and return ``CIFAR10(train_x, train_y, test_x, test_y, classes)``.

    ``directory``: the batches folder or a folder containing it; default: the
    environment variable ``CIFAR10_DIR``. Images are uint8 of shape (N, 3, 32, 32)
    (channels first, values 0..255), labels int64 in 0..9.
    ``images_per_file``: how many images each batch file must hold (10,000 in the
    official files; None skips the check).
    Raises ``FileNotFoundError`` for a missing folder or file and ``ValueError``
    for a truncated or damaged file, naming the file.
    """
    if directory is None:
        directory = os.environ.get("CIFAR10_DIR")
        if not directory:
            raise _error(FileNotFoundError,
                         "no data directory given and the environment variable CIFAR10_DIR is not set. "
                         "Download CIFAR-10 (make data) and set CIFAR10_DIR to its folder, "
                         "e.g. CIFAR10_DIR=data/cifar-10-batches-bin.")
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise _error(FileNotFoundError, f"CIFAR-10 directory '{directory}' does not exist "
                                        f"(from the argument or CIFAR10_DIR).")
    folder, layout = _find_layout(directory)
    if layout == "binary":
        read, suffix = _read_binary, ".bin"
    else:
        read, suffix = _read_python, ""
    train = [read(folder / (name + suffix), images_per_file) for name in TRAIN_FILES]
    test_x, test_y = read(folder / (TEST_FILE + suffix), images_per_file)
    train_x = np.concatenate([x for x, _ in train])
    train_y = np.concatenate([y for _, y in train])
    return CIFAR10(train_x, train_y, test_x, test_y, _class_names(folder, layout))
