"""The CNN task's architecture rules, checked on the exported graph as plain data.

Layers are counted from the graph's nodes (``archive.Graph``), never from student Python:
convolutions and fully connected layers by their distinct weight tensors, the others by
their operators.
"""
from .archive import BATCH_NORM, CONV, DROPOUT, MATMUL, MAX_POOL, VIEWS, op_name, tensor_names


def count_layers(graph):
    """{"Conv2d": n, "Linear": n, "BatchNorm2d": n, "MaxPool2d": n, "Dropout": n} of ``graph``.

    Convolutions and fully connected layers are counted by their distinct weight tensors, so
    one ``Conv2d`` called seven times is one convolution layer; a ``linear``, ``addmm``,
    ``mm``, ``matmul``, ``bmm`` or ``einsum`` with a weight operand (a parameter, buffer or
    constant, possibly transposed or reshaped) is a fully connected layer."""
    producers = graph.producers()

    def weight_of(name, depth=0):
        if name in graph.weights:
            return name
        node = producers.get(name)
        if node is None or depth > 8 or op_name(node) not in VIEWS:
            return None
        return weight_of(next(iter(tensor_names(node.get("inputs", [])[:1])), None), depth + 1)

    conv, linear = set(), set()
    counts = dict.fromkeys(("Conv2d", "Linear", "BatchNorm2d", "MaxPool2d", "Dropout"), 0)
    for node in graph.nodes:
        op = op_name(node)
        operands = list(tensor_names(node.get("inputs", [])))
        if op in CONV and len(operands) > 1 and weight_of(operands[1]):
            conv.add(weight_of(operands[1]))
        elif op in MATMUL:  # the weight operands: not linear's input or bias, not addmm's bias
            candidates = operands[1:2] if op == "linear" else operands[1:] if op == "addmm" else operands
            linear |= {w for w in map(weight_of, candidates) if w}
        elif op in BATCH_NORM:
            counts["BatchNorm2d"] += 1
        elif op in MAX_POOL:
            counts["MaxPool2d"] += 1
        elif op in DROPOUT:
            counts["Dropout"] += 1
    counts["Conv2d"], counts["Linear"] = len(conv), len(linear)
    return counts


# The rules and wording of source/cnn/constraints.py, which the grader cannot import;
# tests/test_cnn_rules.py proves the two agree, messages included.
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
