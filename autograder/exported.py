"""Loading a student's exported CNN (``torch.export.save`` bytes) without running their code.

``torch.export.load`` is *not* safe on untrusted files (its own docstring says it uses
pickle): in torch 2.13 it unpickles (1) the archive's sample inputs, retrying with
``weights_only=False`` when the safe load fails, (2) weights and constants marked
``use_pickle``, (3) custom/opaque objects, and (4) it resolves node targets by name from
the ``torch``, ``math`` and ``_operator`` modules, so a forged graph could call any torch
function. So before loading, this module

* checks every archive entry name and rejects AOTInductor payloads, legacy ``.pt`` weight or
  constant files, and pickled/custom/opaque weights or constants (the configs must say
  ``"use_pickle": false``: raw tensor bytes, which is what ``torch.export.save`` writes);
* drops the pickled sample inputs (the grader brings its own inputs);
* requires every operator target in the graph JSON to be an ATen/prims op
  (``torch.ops.aten.*`` / ``torch.ops.prims.*``) or ``_operator.getitem``;

and after loading checks the graph's call targets again.
"""
import io
import json
import re
import zipfile

MAX_ARCHIVE_BYTES = 512 << 20
ALLOWED_TARGET = re.compile(r"^(torch\.ops\.(aten|prims)\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?|_operator\.getitem)$")


class UnsafeModel(Exception):
    """The archive holds something other than a plain graph of ATen ops with raw weights."""


def _targets(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "target" and isinstance(item, str):
                yield item
            else:
                yield from _targets(item)
    elif isinstance(value, list):
        for item in value:
            yield from _targets(item)


def sanitize(data):
    """Check the archive and return a copy without its pickled parts (raises UnsafeModel)."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise UnsafeModel("the exported model is larger than 512 MiB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        raise UnsafeModel("the exported model is not a torch.export archive") from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for name in names:
            if ".." in name or name.startswith("/"):
                raise UnsafeModel(f"bad entry name {name!r} in the exported model")
            parts = name.split("/", 1)
            inner = parts[1] if len(parts) == 2 else ""
            body = archive.read(name)
            if inner.startswith("data/aotinductor") or inner.startswith("data/sample_inputs/"):
                body = b"" if inner.startswith("data/sample_inputs/") else None
                if body is None:
                    raise UnsafeModel("the exported model holds compiled (AOTInductor) code")
            elif re.match(r"data/(weights|constants)/[^/]*\.pt$", inner):
                raise UnsafeModel(f"the exported model holds a pickled file {inner}")
            elif re.match(r"data/(weights|constants)/.*config\.json$", inner):
                _check_payload_config(inner, body)
            elif re.match(r"data/constants/(custom_obj|opaque)", inner):
                raise UnsafeModel(f"the exported model holds a pickled object {inner}")
            elif re.match(r"models/.*\.json$", inner):
                _check_graph(inner, body)
            clean.writestr(name, body)
    return out.getvalue()


def _check_payload_config(name, body):
    try:
        config = json.loads(body)["config"]
    except (ValueError, KeyError, TypeError):
        raise UnsafeModel(f"unreadable {name} in the exported model") from None
    for key, entry in config.items():
        if not isinstance(entry, dict) or entry.get("use_pickle") is not False:
            raise UnsafeModel(f"{key} in the exported model is pickled, not a raw tensor")
        path = str(entry.get("path_name", ""))
        if not re.fullmatch(r"(weight|constant|tensor_constant)_?[0-9]+", path):
            raise UnsafeModel(f"{key} in the exported model is not a plain tensor ({path})")


def _check_graph(name, body):
    try:
        graph = json.loads(body)
    except ValueError:
        raise UnsafeModel(f"unreadable {name} in the exported model") from None
    for target in _targets(graph):
        if not ALLOWED_TARGET.match(target):
            raise UnsafeModel(f"the exported graph calls {target!r}, which is not an ATen operator")


def load(data):
    """The ExportedProgram in ``data`` after the checks above (raises UnsafeModel)."""
    return load_clean(sanitize(data))


def load_clean(clean):
    """The ExportedProgram in ``clean``, an archive that ``sanitize`` returned; its graph's
    call targets are checked again after loading (raises UnsafeModel)."""
    import torch

    try:
        program = torch.export.load(io.BytesIO(clean))
    except Exception as error:  # noqa: BLE001 - any failure means an unusable archive
        raise UnsafeModel(f"the exported model does not load: {type(error).__name__}: {error}"[:500]) from None
    for node in program.graph.nodes:
        if node.op == "call_function":
            namespace = getattr(node.target, "namespace", None)
            if namespace not in ("aten", "prims") and str(node.target) != "<built-in function getitem>":
                raise UnsafeModel(f"the exported graph calls {node.target}, which is not an ATen operator")
    return program


def count_layers(program):
    """{"Conv2d": n, "Linear": n, "BatchNorm2d": n, "MaxPool2d": n, "Dropout": n} from graph nodes."""
    counts = dict.fromkeys(("Conv2d", "Linear", "BatchNorm2d", "MaxPool2d", "Dropout"), 0)
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        name = str(node.target)
        if name.startswith(("aten.conv2d", "aten.convolution")):
            counts["Conv2d"] += 1
        elif name.startswith(("aten.linear", "aten.addmm")):
            counts["Linear"] += 1
        elif "batch_norm" in name:
            counts["BatchNorm2d"] += 1
        elif "max_pool2d" in name:
            counts["MaxPool2d"] += 1
        elif "dropout" in name:
            counts["Dropout"] += 1
    return counts


# The rules and wording of source/cnn/constraints.py, which the grader cannot import (nor the
# worker this module); tests/test_cnn_rules.py proves the two agree, messages included.
RULES = (
    ("Conv2d", 7, None, "at least 7 convolution layers (Conv2d)"),
    ("Linear", 1, 3, "1 to 3 fully connected layers (Linear)"),
    ("BatchNorm2d", 1, None, "Batch Normalisation used (BatchNorm2d)"),
    ("MaxPool2d", 1, None, "max pooling used (MaxPool2d)"),
    ("Dropout", 1, None, "dropout used (Dropout)"),
)


def broken_rules(counts):
    problems = []
    for name, low, high, text in RULES:
        found = counts.get(name, 0)
        if found < low or (high is not None and found > high):
            problems.append(f"rule broken: {text}; the model has {found} {name} layer(s)")
    return problems
