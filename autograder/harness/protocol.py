"""The wire format between the grader and the worker: JSON plus .npy bytes, never pickle.

One message (a *frame*) is::

    8 bytes   big-endian length of the header
    header    UTF-8 JSON: {"body": <value>, "blobs": [n0, n1, ...]}
    blobs     the .npy bytes of each array, n0 bytes, then n1 bytes, ...

Inside ``body`` an array is written ``{"__ndarray__": i}`` (the i-th blob). Everything
else is plain JSON: None, bool, int, float (NaN and ±inf allowed), str, list, dict with
string keys. Tuples travel as lists.

This file is used on both sides: the worker imports it (stdlib + numpy only), and the
grader uses ``decode`` with ``strict=True`` on everything the worker sends, because the
worker runs student code and may send anything at all.
"""
import io
import json
import struct

import numpy as np

HEADER = struct.Struct(">Q")
NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, float
MAX_DEPTH = 32
MAX_HEADER_BYTES = 8 << 20  # the JSON part; arrays travel as blobs, so 8 MiB is plenty


class ProtocolError(Exception):
    """A message that is malformed or holds something other than plain data."""


class Unencodable(TypeError):
    """A value that is not plain data (numbers, strings, lists, dicts, numeric arrays)."""


def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def encode(value):
    """Turn ``value`` into frame bytes. Raises Unencodable for anything that is not data."""
    blobs = []

    def walk(v, depth):
        if depth > MAX_DEPTH:
            raise Unencodable(f"nesting deeper than {MAX_DEPTH} levels")
        if v is None:
            return None
        if isinstance(v, str):
            return str.__str__(v)  # a str subclass may override __eq__: keep the plain text
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return float(v)
        if isinstance(v, np.ndarray):
            array = np.asarray(v)  # drops ndarray subclasses
            if array.dtype.kind not in NUMERIC_KINDS:
                raise Unencodable(f"an array of dtype {array.dtype} (only numeric arrays are accepted)")
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            blobs.append(buffer.getvalue())
            return {"__ndarray__": len(blobs) - 1}
        if isinstance(v, (list, tuple)):
            return [walk(item, depth + 1) for item in v]
        if isinstance(v, dict):
            out = {}
            for key, item in v.items():
                if not isinstance(key, str):
                    raise Unencodable(f"a dict key of type {_type_name(key)} (keys must be strings)")
                out[str(key)] = walk(item, depth + 1)
            return out
        raise Unencodable(f"an object of type {_type_name(v)}")

    body = walk(value, 0)
    header = json.dumps({"body": body, "blobs": [len(b) for b in blobs]}).encode()
    return b"".join([HEADER.pack(len(header)), header, *blobs])


def decode(header_bytes, blobs, strict=True):
    """Rebuild a value from a header and its blobs, accepting plain data only."""
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"unreadable message header ({error.__class__.__name__})") from None
    if not isinstance(header, dict) or "body" not in header:
        raise ProtocolError("message header without a body")
    arrays = [_load_array(b) for b in blobs]
    used = set()

    def walk(v, depth):
        if depth > MAX_DEPTH:
            raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
        if isinstance(v, list):
            return [walk(item, depth + 1) for item in v]
        if isinstance(v, dict):
            if set(v) == {"__ndarray__"}:
                index = v["__ndarray__"]
                if type(index) is not int or not 0 <= index < len(arrays) or index in used:
                    raise ProtocolError("array reference out of range")
                used.add(index)
                return arrays[index]
            return {key: walk(item, depth + 1) for key, item in v.items()}
        return v  # json.loads only makes None, bool, int, float, str here

    return walk(header["body"], 0)


def _load_array(blob):
    try:
        array = np.load(io.BytesIO(blob), allow_pickle=False)
    except Exception as error:  # noqa: BLE001 - any failure means a bad blob
        raise ProtocolError(f"unreadable array ({error.__class__.__name__}: {error})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
        raise ProtocolError(f"an array of dtype {getattr(array, 'dtype', '?')} (only numeric arrays are accepted)")
    return array


def split_frame(read_exactly, max_bytes, max_header=MAX_HEADER_BYTES):
    """Read one frame with ``read_exactly(n) -> bytes`` and return (header_bytes, blobs).

    The header is parsed into Python objects (several times its size in memory), so it has
    its own, smaller limit, checked before it is read."""
    (size,) = HEADER.unpack(read_exactly(HEADER.size))
    if size > min(max_bytes, max_header):
        raise ProtocolError(f"message header of {size} bytes is over the limit of "
                            f"{min(max_bytes, max_header)}")
    header_bytes = read_exactly(size)
    try:
        sizes = json.loads(header_bytes.decode("utf-8")).get("blobs", [])
    except Exception:  # noqa: BLE001
        raise ProtocolError("unreadable message header") from None
    if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
        raise ProtocolError("bad blob sizes in message header")
    if sum(sizes) + size > max_bytes:
        raise ProtocolError(f"message of {sum(sizes) + size} bytes is over the limit of {max_bytes}")
    return header_bytes, [read_exactly(n) for n in sizes]
