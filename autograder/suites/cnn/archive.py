"""A student's exported CNN (``torch.export.save`` bytes) read as plain data: never loaded here.

``torch.export.load`` is not safe on untrusted bytes: it unpickles sample inputs and
``use_pickle`` payloads, resolves call targets by name, and evaluates symbolic shape
expressions with ``sympy.sympify``, which runs arbitrary Python. So the grader never calls
it. ``read`` parses the zip and the graph's JSON with ``zipfile`` and ``json`` only, and

* takes only the entries ``torch.export.save`` writes, uncompressed, each within its size
  cap, checked against its declared size before and while it is read;
* refuses pickled or custom payloads, compiled (AOTInductor) code, symbolic shapes
  (``as_expr``/``as_sym_*`` anywhere, symbol tables, range constraints, guards);
* allows only the ATen operators a CNN of this task needs (``ALLOWED_OPS``): no file, IO or
  random-number operator, and no in-place operator on the input or on a weight;
and returns the graph as data, whose layers ``rules.py`` counts.

The archive it returns (sample inputs blanked) is loaded only inside the sandboxed
evaluation process (``autograder/harness/graph_eval.py``), as an unprivileged uid with the
worker's limits, which sees no label.
"""
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

MAX_ARCHIVE_BYTES = 128 << 20   # the whole exported model (the reference's: about 1.3 MB)
MAX_JSON_BYTES = 16 << 20       # the graph and config JSON, parsed into Python objects
MAX_ENTRIES = 4096

CONV = {"conv2d", "convolution", "_convolution"}
MATMUL = {"linear", "addmm", "mm", "matmul", "bmm", "einsum"}
BATCH_NORM = {"batch_norm", "_native_batch_norm_legit_no_training", "_native_batch_norm_legit",
              "native_batch_norm", "_batch_norm_with_update", "_batch_norm_no_update"}
MAX_POOL = {"max_pool2d", "max_pool2d_with_indices", "adaptive_max_pool2d"}
DROPOUT = {"dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout", "native_dropout"}
VIEWS = {"t", "transpose", "permute", "view", "reshape", "_unsafe_view", "expand", "unsqueeze", "squeeze",
         "contiguous", "clone", "alias", "detach", "_to_copy", "to", "lift_fresh_copy"}
ALLOWED_OPS = CONV | MATMUL | BATCH_NORM | MAX_POOL | DROPOUT | VIEWS | {
    # other normalisation and pooling
    "layer_norm", "native_layer_norm", "group_norm", "native_group_norm", "instance_norm",
    "avg_pool2d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d",
    # activations
    "relu", "relu6", "leaky_relu", "gelu", "elu", "silu", "sigmoid", "tanh", "hardtanh", "hardswish",
    "hardsigmoid", "mish", "softplus", "celu", "selu", "prelu", "_prelu_kernel", "glu", "log_sigmoid",
    # shapes
    "flatten", "unflatten", "cat", "stack", "pad", "constant_pad_nd", "reflection_pad2d",
    "replication_pad2d", "slice", "select", "flip", "roll", "narrow", "split", "split_with_sizes",
    "chunk", "unbind", "repeat", "expand_as", "view_as", "type_as", "index_select",
    # arithmetic and reductions
    "add", "sub", "rsub", "mul", "div", "neg", "pow", "sqrt", "rsqrt", "exp", "log", "abs", "square",
    "reciprocal", "clamp", "clamp_min", "clamp_max", "maximum", "minimum", "where",
    "mean", "sum", "amax", "amin", "max", "min", "var", "std", "var_mean", "logsumexp", "argmax",
    "softmax", "log_softmax", "_softmax", "_log_softmax",
    # constants
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "scalar_tensor",
}
TARGET = re.compile(r"torch\.ops\.aten\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)")
METADATA_ENTRIES = {"archive_format", "archive_version", "version", "byteorder",
                    ".data/version", ".data/serialization_id"}
TENSOR_FILE = re.compile(r"data/(weights/weight|constants/(constant|tensor_constant))_?[0-9]+")
WEIGHT_KINDS = {"parameter", "buffer", "tensor_constant", "constant_input"}


class UnsafeModel(Exception):
    """The archive holds something other than a plain graph of allowed ATen ops with raw weights."""


@dataclass
class Graph:
    """The parts of an exported graph the grader looks at, as plain data."""
    nodes: list                                   # the graph's nodes (dicts of its JSON)
    user_inputs: set = field(default_factory=set)  # names of the graph's input tensors
    weights: set = field(default_factory=set)      # names of parameters, buffers, constants

    def producers(self):
        """{tensor name: the node that makes it}."""
        made = {}
        for node in self.nodes:
            for name in tensor_names(node.get("outputs", [])):
                made[name] = node
        return made


def op_name(node):
    """"conv2d" for ``torch.ops.aten.conv2d.default``; None for anything else."""
    match = TARGET.fullmatch(str(node.get("target", "")))
    return match.group(1) if match else None


def tensor_names(value):
    """Every tensor name an argument or output refers to."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "as_tensor" and isinstance(item, dict) and isinstance(item.get("name"), str):
                yield item["name"]
            elif key == "as_tensors" and isinstance(item, list):
                yield from (t["name"] for t in item if isinstance(t, dict) and isinstance(t.get("name"), str))
            else:
                yield from tensor_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from tensor_names(item)


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def read(data):
    """(the archive to evaluate, its Graph) after the checks above; raises UnsafeModel."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise UnsafeModel(f"the exported model is {len(data):,} bytes, over the limit of {MAX_ARCHIVE_BYTES:,}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise UnsafeModel("the exported model is not a torch.export archive") from None
    if len(entries) > MAX_ENTRIES:
        raise UnsafeModel(f"the exported model holds {len(entries)} entries (at most {MAX_ENTRIES})")
    if sum(entry.file_size for entry in entries) > MAX_ARCHIVE_BYTES:
        raise UnsafeModel(f"the exported model unpacks to more than {MAX_ARCHIVE_BYTES:,} bytes")
    graph, out = None, io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for entry in entries:
            inner = _inner_name(entry.filename)
            body = _read_entry(archive, entry)
            if inner.startswith("data/sample_inputs/"):
                body = b""  # pickled by torch.export.save; the grader brings its own inputs
            elif inner in ("data/weights/model_weights_config.json", "data/constants/model_constants_config.json"):
                _check_payload_config(inner, _json(inner, body))
            elif inner == "models/model.json":
                graph = _check_graph(_json(inner, body))
            elif not (inner in METADATA_ENTRIES or TENSOR_FILE.fullmatch(inner)):
                raise UnsafeModel(f"the exported model holds {inner!r}, which is not part of a plain "
                                  "graph with raw weights (compiled code, a pickle or a custom object?)")
            clean.writestr(entry.filename, body)
    if graph is None:
        raise UnsafeModel("the exported model holds no graph (models/model.json)")
    return out.getvalue(), graph


def _inner_name(name):
    if len(name) > 200 or not name.isprintable() or name.startswith("/") or ".." in name.split("/"):
        raise UnsafeModel(f"bad entry name {name[:80]!r} in the exported model")
    parts = name.split("/", 1)
    return parts[1] if len(parts) == 2 else ""


def _read_entry(archive, entry):
    """The entry's bytes: stored (not compressed) and exactly its declared size."""
    if entry.compress_type != zipfile.ZIP_STORED:
        raise UnsafeModel(f"{entry.filename} in the exported model is compressed; torch.export.save "
                          "stores entries as they are, and the grader reads no compressed entry")
    limit = MAX_JSON_BYTES if entry.filename.endswith(".json") else MAX_ARCHIVE_BYTES
    if entry.file_size > limit:
        raise UnsafeModel(f"{entry.filename} in the exported model is {entry.file_size:,} bytes, "
                          f"over the limit of {limit:,}")
    try:
        with archive.open(entry) as stream:
            body = stream.read(entry.file_size + 1)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
        raise UnsafeModel(f"unreadable {entry.filename} in the exported model ({error})") from None
    if len(body) != entry.file_size:
        raise UnsafeModel(f"{entry.filename} in the exported model is not the size its header declares")
    return body


def _json(name, body):
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise UnsafeModel(f"unreadable {name} in the exported model") from None


def _check_payload_config(name, table):
    config = table.get("config") if isinstance(table, dict) else None
    if not isinstance(config, dict):
        raise UnsafeModel(f"unreadable {name} in the exported model")
    for key, entry in config.items():
        if not isinstance(entry, dict) or entry.get("use_pickle") is not False:
            raise UnsafeModel(f"{key} in the exported model is pickled, not a raw tensor")
        path = str(entry.get("path_name", ""))
        if not re.fullmatch(r"(weight|constant|tensor_constant)_?[0-9]+", path):
            raise UnsafeModel(f"{key} in the exported model is not a plain tensor ({path[:80]})")
        if any(key.startswith("as_sym") or key == "as_expr" for key in _keys(entry)):
            raise UnsafeModel(f"{key} in the exported model has a symbolic shape")


def _check_graph(program):
    """The Graph of ``models/model.json`` after the checks of the module docstring."""
    try:
        module = program["graph_module"]
        nodes, signature = module["graph"]["nodes"], module["signature"]
    except (KeyError, TypeError):
        raise UnsafeModel("unreadable graph in the exported model") from None
    symbolic = [key for key in ("sym_int_values", "sym_bool_values", "sym_float_values", "custom_obj_values")
                if module["graph"].get(key)]
    if symbolic or program.get("range_constraints") or program.get("guards_code") \
            or any(key.startswith("as_sym") or key == "as_expr" for key in _keys(program)):
        raise UnsafeModel("the exported model has symbolic shapes, range constraints or custom objects; "
                          "export it with a fixed example batch (what the grader does)")
    if not isinstance(nodes, list) or not isinstance(signature, dict):
        raise UnsafeModel("unreadable graph in the exported model")
    graph = Graph(nodes)
    for spec in signature.get("input_specs", []):
        kind, = spec.keys() if isinstance(spec, dict) and len(spec) == 1 else (None,)
        names = set(tensor_names(spec)) | _arg_names(spec)
        if kind == "user_input":
            graph.user_inputs |= names
        elif kind in WEIGHT_KINDS:
            graph.weights |= names
        else:
            raise UnsafeModel(f"the exported model takes an input of kind {str(kind)[:40]!r}; "
                              "only tensors, parameters, buffers and constants are allowed")
    inputs = graph.user_inputs | graph.weights
    for node in nodes:
        _check_node(node, inputs)
    return graph


def _arg_names(spec):
    """Names in the ``{"arg": {"name": ...}}`` form that input specs of weights use."""
    found = set()
    for value in spec.values():
        arg = value.get("arg") if isinstance(value, dict) else None
        if isinstance(arg, dict) and isinstance(arg.get("name"), str):
            found.add(arg["name"])
    return found


def _check_node(node, inputs):
    if not isinstance(node, dict):
        raise UnsafeModel("unreadable graph in the exported model")
    target = str(node.get("target", ""))[:120]
    if target == "_operator.getitem":
        return
    match = TARGET.fullmatch(target)
    if not match:
        raise UnsafeModel(f"the exported graph calls {target!r}, which is not an ATen operator")
    name, overload = match.groups()
    base = name[:-1] if name.endswith("_") and not name.endswith("__") else name
    if base not in ALLOWED_OPS or overload == "out":
        raise UnsafeModel(f"the exported graph calls aten.{name}.{overload}, which the grader does not run "
                          "(allowed: convolution, linear/matmul, normalisation, pooling, activations, "
                          "dropout, reshaping, arithmetic, reductions, softmax)")
    if base != name:  # in place: it may change an intermediate result, never an input or a weight
        first = next(iter(tensor_names(node.get("inputs", [])[:1])), None)
        if first in inputs:
            raise UnsafeModel(f"the exported graph changes its input or a weight in place (aten.{name})")
