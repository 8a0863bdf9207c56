"""Bad input gives one clear line and a non-zero exit, never a traceback; the wire format
accepts plain data only."""
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.harness import protocol

REPO = Path(__file__).resolve().parents[1]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize("args, words", [
    (["grade", "nosuch", "."], ["unknown assignment", "nosuch"]),
    (["grade", "backprop", "/no/such/dir"], ["/no/such/dir", "does not exist"]),
    (["grade", "backprop", "README.md"], ["README.md", "neither a folder nor a zip file"]),
    (["grade-all", "optimizers", "/no/such/root"], ["/no/such/root", "not a directory"]),
    (["grade-all", "optimizers", ".", "--shard", "3/2"], ["--shard", "3/2"]),
    (["grade-all", "optimizers", ".", "-j", "0"], ["-j"]),
    (["gradebook", "optimizers", "/no/such/out"], ["results", "not a directory"]),
    (["frobnicate"], ["invalid choice"]),
    ([], ["required"]),
])
def test_bad_input_is_one_clear_line(args, words):
    process = cli(*args)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error:"), process.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert "Traceback" not in process.stderr


def test_malformed_module_fails_its_tests_only(tmp_path):
    from autograder.dev.examples import example_submissions

    folder = example_submissions("optimizers", tmp_path)["solution"]
    (folder / "adam.py").write_bytes(b"\xff\xfe def (((\n")
    process = cli("grade", "optimizers", str(folder), "--out", str(tmp_path / "r.json"))
    assert process.returncode == 0 and "78/100" in process.stdout


def test_protocol_round_trip():
    value = {"a": [1, 2.5, None, True, "x"], "b": np.arange(6.0).reshape(2, 3), "c": np.int64(3)}
    frame = protocol.encode(value)
    stream = io.BytesIO(frame)
    header, blobs = protocol.split_frame(stream.read, 1 << 20)
    back = protocol.decode(header, blobs)
    assert back["a"] == [1, 2.5, None, True, "x"] and back["c"] == 3 and type(back["c"]) is int
    assert np.array_equal(back["b"], value["b"])


@pytest.mark.parametrize("bad", [object(), {1: 2}, np.array(["text"]), np.array([object()]), {"set"}])
def test_protocol_refuses_anything_but_data(bad):
    with pytest.raises(protocol.Unencodable):
        protocol.encode(bad)


def test_decode_refuses_pickles_and_bad_references():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    header = b'{"body": {"__ndarray__": 0}, "blobs": [1]}'
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(header, [buffer.getvalue()])
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(b'{"body": {"__ndarray__": 5}, "blobs": []}', [])
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(b"not json", [])
    with pytest.raises(protocol.ProtocolError):
        protocol.split_frame(io.BytesIO(protocol.HEADER.pack(1 << 40)).read, 1 << 20)
