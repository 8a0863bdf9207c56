"""CIFAR-10 on disk: the loader of the cnn assignment (data.py) and the download behind `make data`.

There is no network here, so the download is tested with small fake archives served
from file:// URLs; the loader is tested on small fake files in both official layouts
and on the real binary copy that CIFAR10_DIR points to (CI sets it).
"""
import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from coursebuild import download_cifar10 as dl

RECORD = 3073


@pytest.fixture
def data_module(solution):
    return solution("cnn", "data")


def cifar10_dir():
    directory = os.environ.get("CIFAR10_DIR")
    if not directory or not Path(directory).is_dir():
        pytest.fail("CIFAR10_DIR must point to the CIFAR-10 batches (binary layout) for this test; "
                    f"it is {directory!r}. Run `make data` or set it to the shared copy.")
    return directory


def fake_images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def write_binary(folder, n=4):
    """Fake binary-layout batches with ``n`` images each; returns {file stem: (images, labels)}."""
    folder.mkdir(parents=True, exist_ok=True)
    content = {}
    for k, stem in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        images, labels = fake_images(n, k)
        records = np.concatenate([labels[:, None], images.reshape(n, -1)], axis=1)
        (folder / f"{stem}.bin").write_bytes(records.tobytes())
        content[stem] = (images, labels)
    (folder / "batches.meta.txt").write_text("\n".join(dl_classes()) + "\n\n")
    return content


def write_python(folder, n=4):
    folder.mkdir(parents=True, exist_ok=True)
    content = {}
    for k, stem in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        images, labels = fake_images(n, 10 + k)
        batch = {b"data": images.reshape(n, -1), b"labels": [int(v) for v in labels], b"batch_label": b"x"}
        (folder / stem).write_bytes(pickle.dumps(batch))
        content[stem] = (images, labels)
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [c.encode() for c in dl_classes()]}))
    return content


def dl_classes():
    return ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def check_content(d, content):
    train = [content[f"data_batch_{i}"] for i in range(1, 6)]
    np.testing.assert_array_equal(d.train_x, np.concatenate([x for x, _ in train]))
    np.testing.assert_array_equal(d.train_y, np.concatenate([y for _, y in train]))
    np.testing.assert_array_equal(d.test_x, content["test_batch"][0])
    np.testing.assert_array_equal(d.test_y, content["test_batch"][1])
    assert d.train_x.dtype == np.uint8 and d.train_y.dtype == np.int64
    assert tuple(d.classes) == tuple(dl_classes())


# --- the loader on the real data -------------------------------------------------------------

def test_loads_the_real_binary_copy(data_module):
    d = data_module.load_cifar10(cifar10_dir())
    assert d.train_x.shape == (50000, 3, 32, 32) and d.train_x.dtype == np.uint8
    assert d.test_x.shape == (10000, 3, 32, 32) and d.test_y.shape == (10000,)
    assert d.train_y.dtype == np.int64
    assert np.bincount(d.train_y, minlength=10).tolist() == [5000] * 10
    assert np.bincount(d.test_y, minlength=10).tolist() == [1000] * 10
    assert d.classes[0] == "airplane" and d.classes[9] == "truck"
    # The first record of data_batch_1.bin, decoded by hand: label byte, then R, G, B planes.
    raw = np.fromfile(Path(cifar10_dir()) / "data_batch_1.bin", np.uint8, count=RECORD)
    assert d.train_y[0] == raw[0]
    np.testing.assert_array_equal(d.train_x[0, 0], raw[1:1025].reshape(32, 32))
    np.testing.assert_array_equal(d.train_x[0, 2], raw[2049:].reshape(32, 32))


def test_reads_cifar10_dir_from_the_environment(data_module, monkeypatch):
    directory = cifar10_dir()
    monkeypatch.setenv("CIFAR10_DIR", directory)
    assert data_module.load_cifar10().test_x.shape == (10000, 3, 32, 32)


# --- the loader on small fake files ----------------------------------------------------------

def test_binary_layout(data_module, tmp_path):
    content = write_binary(tmp_path / "cifar-10-batches-bin")
    check_content(data_module.load_cifar10(tmp_path / "cifar-10-batches-bin", images_per_file=4), content)
    # The parent folder (like data/ after `make data`) works too.
    check_content(data_module.load_cifar10(tmp_path, images_per_file=4), content)


def test_python_layout(data_module, tmp_path):
    content = write_python(tmp_path / "cifar-10-batches-py")
    check_content(data_module.load_cifar10(tmp_path / "cifar-10-batches-py", images_per_file=4), content)


def test_official_file_size_is_enforced_by_default(data_module, tmp_path):
    write_binary(tmp_path, n=4)
    with pytest.raises(ValueError, match=r"load_cifar10: .*data_batch_1\.bin.* holds 4 images, expected 10000"):
        data_module.load_cifar10(tmp_path)


def test_truncated_binary_file(data_module, tmp_path):
    write_binary(tmp_path, n=4)
    path = tmp_path / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"load_cifar10: .*data_batch_3\.bin.* not a multiple of the 3073-byte record"):
        data_module.load_cifar10(tmp_path, images_per_file=4)


def test_binary_file_with_a_missing_record(data_module, tmp_path):
    write_binary(tmp_path, n=4)
    path = tmp_path / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-RECORD])
    with pytest.raises(ValueError, match=r"test_batch\.bin.* holds 3 images, expected 4"):
        data_module.load_cifar10(tmp_path, images_per_file=4)


def test_truncated_python_file(data_module, tmp_path):
    write_python(tmp_path, n=4)
    path = tmp_path / "data_batch_2"
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(ValueError, match=r"load_cifar10: cannot read .*data_batch_2"):
        data_module.load_cifar10(tmp_path, images_per_file=4)


def test_missing_file(data_module, tmp_path):
    write_binary(tmp_path, n=4)
    (tmp_path / "data_batch_4.bin").unlink()
    with pytest.raises(FileNotFoundError, match=r"load_cifar10: missing file .*data_batch_4\.bin"):
        data_module.load_cifar10(tmp_path, images_per_file=4)


def test_missing_directory(data_module, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_cifar10: CIFAR-10 directory .*nowhere.* does not exist"):
        data_module.load_cifar10(tmp_path / "nowhere")


def test_folder_without_batches(data_module, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_cifar10: no CIFAR-10 batches in"):
        data_module.load_cifar10(tmp_path)


def test_unset_environment_variable(data_module, monkeypatch):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="CIFAR10_DIR is not set"):
        data_module.load_cifar10()


# --- the download (make data) ----------------------------------------------------------------

def make_archive(path, folder=dl.FOLDER, files=None, extra=None):
    """A small .tar.gz shaped like the official one; returns (file:// URL, MD5)."""
    files = files if files is not None else {name: os.urandom(RECORD * 2) for name in dl.EXPECTED_FILES}
    with tarfile.open(path, "w:gz") as tar:
        for name, payload in list(files.items()) + list((extra or {}).items()):
            info = tarfile.TarInfo(f"{folder}/{name}" if folder else name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path.as_uri(), hashlib.md5(path.read_bytes()).hexdigest(), files


def test_official_archive_constants():
    assert dl.URL == "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    assert dl.MD5 == "c32a1d4ab5d03f1284b67883e8d87530"


def test_download_checks_and_unpacks(tmp_path):
    url, md5, files = make_archive(tmp_path / "served.tar.gz")
    dest = tmp_path / "data"
    folder = dl.fetch_cifar10(dest, url=url, md5=md5, progress=False)
    assert folder == dest / "cifar-10-batches-bin"
    for name, payload in files.items():
        assert (folder / name).read_bytes() == payload
    assert (dest / "cifar-10-binary.tar.gz").is_file()
    assert sorted(p.name for p in dest.iterdir()) == ["cifar-10-batches-bin", "cifar-10-binary.tar.gz"], (
        "temporary files were left behind")
    # A second run finds the data and downloads nothing (the URL is gone now).
    (tmp_path / "served.tar.gz").unlink()
    assert dl.fetch_cifar10(dest, url=url, md5=md5, progress=False) == folder


def test_unpacked_fake_archive_loads(tmp_path, data_module):
    records = {name: np.concatenate([np.full((3, 1), 7, np.uint8), np.zeros((3, 3072), np.uint8)], 1).tobytes()
               for name in dl.EXPECTED_FILES}
    url, md5, _ = make_archive(tmp_path / "served.tar.gz", files=records)
    dl.fetch_cifar10(tmp_path / "data", url=url, md5=md5, progress=False)
    d = data_module.load_cifar10(tmp_path / "data", images_per_file=3)
    assert d.train_x.shape == (15, 3, 32, 32) and set(d.train_y.tolist()) == {7}


def test_bad_checksum_is_refused_and_leaves_nothing(tmp_path):
    url, md5, _ = make_archive(tmp_path / "served.tar.gz")
    dest = tmp_path / "data"
    with pytest.raises(dl.ChecksumError, match=r"has MD5 [0-9a-f]{32}, but the published checksum .* is 0{32}"):
        dl.fetch_cifar10(dest, url=url, md5="0" * 32, progress=False)
    assert list(dest.iterdir()) == [], "a rejected download must leave no files behind"


def test_command_line_reports_a_bad_checksum(tmp_path, capsys):
    url, _, _ = make_archive(tmp_path / "served.tar.gz")
    assert dl.main([str(tmp_path / "data"), "--url", url, "--md5", "f" * 32]) == 1
    assert "published checksum" in capsys.readouterr().err
    assert list((tmp_path / "data").iterdir()) == []


def test_failed_download_leaves_nothing(tmp_path):
    dest = tmp_path / "data"
    with pytest.raises(OSError):
        dl.fetch_cifar10(dest, url=(tmp_path / "missing.tar.gz").as_uri(), md5="0" * 32, progress=False)
    assert list(dest.iterdir()) == []


def test_archive_without_the_batches_is_refused(tmp_path):
    files = {name: b"x" for name in dl.EXPECTED_FILES[:-1]}          # no test_batch.bin
    url, md5, _ = make_archive(tmp_path / "served.tar.gz", files=files)
    dest = tmp_path / "data"
    with pytest.raises(RuntimeError, match="test_batch.bin"):
        dl.fetch_cifar10(dest, url=url, md5=md5, progress=False)
    assert not (dest / "cifar-10-batches-bin").exists()
    assert not [p for p in dest.iterdir() if p.name.startswith(".cifar10-unpack")]


def test_archive_escaping_its_folder_is_refused(tmp_path):
    files = {name: b"x" for name in dl.EXPECTED_FILES}
    url, md5, _ = make_archive(tmp_path / "served.tar.gz", files=files, extra={"../../evil.txt": b"boom"})
    with pytest.raises(tarfile.TarError):
        dl.fetch_cifar10(tmp_path / "data", url=url, md5=md5, progress=False)
    assert not list(tmp_path.rglob("evil.txt"))
