"""The architecture rules of the CNN task (given code: nothing to implement here).

The task asks for a CIFAR-10 classifier that uses

* at least 7 convolution layers,
* 1 to 3 fully connected layers,
* Batch Normalisation, max pooling and dropout.

``check_architecture(model)`` counts the layer modules of a ``torch.nn.Module``
(``nn.Conv2d``, ``nn.Linear``, ``nn.BatchNorm2d``, ``nn.MaxPool2d``, ``nn.Dropout``,
subclasses included) and raises ``ArchitectureError`` naming every broken rule.
The autograder applies the same rules, with the same wording, to the graph of
your exported model, so count on each layer actually being used in ``forward``
(a module created but never called does not count there), and a module called
twice counts twice there.
"""
from torch import nn

LAYER_TYPES = {
    "Conv2d": nn.Conv2d,
    "Linear": nn.Linear,
    "BatchNorm2d": nn.BatchNorm2d,
    "MaxPool2d": nn.MaxPool2d,
    "Dropout": nn.Dropout,
}

# (layer type, smallest count, largest count or None, rule text)
RULES = (
    ("Conv2d", 7, None, "at least 7 convolution layers (Conv2d)"),
    ("Linear", 1, 3, "1 to 3 fully connected layers (Linear)"),
    ("BatchNorm2d", 1, None, "Batch Normalisation used (BatchNorm2d)"),
    ("MaxPool2d", 1, None, "max pooling used (MaxPool2d)"),
    ("Dropout", 1, None, "dropout used (Dropout)"),
)


class ArchitectureError(AssertionError):
    """The model breaks one or more architecture rules of the CNN task."""


def count_layers(model):
    """Return ``{"Conv2d": n, "Linear": n, ...}``: how many modules of each type ``model`` holds."""
    counts = dict.fromkeys(LAYER_TYPES, 0)
    for module in model.modules():
        for name, kind in LAYER_TYPES.items():
            if isinstance(module, kind):
                counts[name] += 1
    return counts


def broken_rules(counts):
    """Return one message per rule that ``counts`` (from ``count_layers``) breaks."""
    problems = []
    for name, low, high, text in RULES:
        found = counts.get(name, 0)
        if found < low or (high is not None and found > high):
            problems.append(f"rule broken: {text}; the model has {found} {name} layer(s)")
    return problems


def check_architecture(model):
    """Check ``model`` against the task's rules; return the layer counts if it passes.

    Raises ``ArchitectureError`` whose message lists every broken rule, for example
    "rule broken: at least 7 convolution layers (Conv2d); the model has 6 Conv2d layer(s)".
    """
    counts = count_layers(model)
    problems = broken_rules(counts)
    if problems:
        raise ArchitectureError("The model does not meet the CNN task's rules:\n  " + "\n  ".join(problems))
    return counts
