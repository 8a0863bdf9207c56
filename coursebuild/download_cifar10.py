"""Download the official CIFAR-10 binary archive, check its MD5, unpack it (``make data``).

    python -m coursebuild.download_cifar10 [DEST] [--url URL] [--md5 MD5]

DEST defaults to ``./data``; the batches end up in ``DEST/cifar-10-batches-bin/``
(point ``CIFAR10_DIR`` there). The archive is downloaded to a temporary name in
DEST, checked against the published MD5, and only then renamed to
``DEST/cifar-10-binary.tar.gz``; it is unpacked into a temporary folder in DEST
that is renamed into place when complete. A failed download, a bad checksum or a
broken archive leaves nothing behind. Running it again when the data is already
there does nothing.
"""
import argparse
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from tqdm import tqdm

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
MD5 = "c32a1d4ab5d03f1284b67883e8d87530"      # published on https://www.cs.toronto.edu/~kriz/cifar.html
ARCHIVE_NAME = "cifar-10-binary.tar.gz"
FOLDER = "cifar-10-batches-bin"
EXPECTED_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
CHUNK = 1 << 20


class ChecksumError(RuntimeError):
    """The downloaded archive does not have the published MD5."""


def md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url, target, md5, progress=True):
    """Download ``url`` to ``target`` if its MD5 is ``md5``; raise ``ChecksumError`` otherwise.

    The bytes go to a temporary file next to ``target``, renamed only on success.
    """
    target = Path(target)
    fd, part = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.md5()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"downloading {target.name}",
                      disable=not progress) as bar:
                for block in iter(lambda: response.read(CHUNK), b""):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
        if digest.hexdigest() != md5:
            raise ChecksumError(
                f"download_cifar10: the file from {url} has MD5 {digest.hexdigest()}, but the published "
                f"checksum of {ARCHIVE_NAME} is {md5}. The download is corrupt or not the official archive; "
                f"nothing was kept. Try again.")
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)
    return target


def unpack(archive, dest):
    """Unpack ``archive`` into ``dest`` atomically; return ``dest / FOLDER``."""
    dest = Path(dest)
    staging = Path(tempfile.mkdtemp(prefix=".cifar10-unpack-", dir=dest))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")     # refuses absolute paths, "..", devices
        unpacked = staging / FOLDER
        missing = [name for name in EXPECTED_FILES if not (unpacked / name).is_file()]
        if missing:
            raise RuntimeError(f"download_cifar10: {archive} does not contain {FOLDER}/{', '.join(missing)}.")
        final = dest / FOLDER
        if final.exists():
            shutil.rmtree(final)
        os.replace(unpacked, final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_cifar10(dest="data", url=URL, md5=MD5, progress=True):
    """Make sure ``dest/cifar-10-batches-bin`` holds CIFAR-10; return that folder."""
    dest = Path(dest)
    folder = dest / FOLDER
    if all((folder / name).is_file() for name in EXPECTED_FILES):
        print(f"CIFAR-10 is already in {folder}")
        return folder
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / ARCHIVE_NAME
    if archive.is_file() and md5_of(archive) == md5:
        print(f"using the archive already downloaded: {archive}")
    else:
        download(url, archive, md5, progress=progress)
        print(f"checksum OK (MD5 {md5})")
    folder = unpack(archive, dest)
    print(f"CIFAR-10 unpacked into {folder}; set CIFAR10_DIR={folder}")
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursebuild.download_cifar10", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", nargs="?", default="data", help="folder to unpack into (default: ./data)")
    parser.add_argument("--url", default=URL, help="where to download the archive from")
    parser.add_argument("--md5", default=MD5, help="expected MD5 of the archive")
    args = parser.parse_args(argv)
    try:
        fetch_cifar10(args.dest, args.url, args.md5)
    except (ChecksumError, OSError, RuntimeError, tarfile.TarError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
