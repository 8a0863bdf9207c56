"""The CNN task's architecture rules are stated twice, and must agree: in the given student
file ``source/cnn/constraints.py`` (``check_architecture`` on the student's module) and in the
grader's ``autograder/suites/cnn/rules.py`` (the same rules on the exported graph). Neither may import
the other (the worker never imports grader code; autograder and source stay apart), so this
test reads constraints.py as text and compares the rules, their wording and the messages."""
import ast
import itertools
from pathlib import Path

from autograder.suites.cnn import rules as exported
from autograder.suites.cnn.archive import Graph

CONSTRAINTS = Path(__file__).resolve().parents[1] / "source" / "cnn" / "constraints.py"


def _student_side():
    tree = ast.parse(CONSTRAINTS.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "RULES":
                found["RULES"] = ast.literal_eval(node.value)
            elif name == "LAYER_TYPES":
                found["LAYER_TYPES"] = [ast.literal_eval(key) for key in node.value.keys]
        elif isinstance(node, ast.FunctionDef) and node.name == "broken_rules":
            namespace = {}
            exec(compile(ast.Module([node], []), str(CONSTRAINTS), "exec"), namespace)  # noqa: S102
            found["broken_rules"] = namespace["broken_rules"]
    found["broken_rules"].__globals__["RULES"] = found["RULES"]
    return found, ast.get_docstring(tree)


def test_the_rules_and_their_wording_agree():
    student, _ = _student_side()
    assert student["RULES"] == exported.RULES
    by_name = {name: (low, high) for name, low, high, _ in exported.RULES}
    assert by_name == {"Conv2d": (7, None), "Linear": (1, 3), "BatchNorm2d": (1, None),
                       "MaxPool2d": (1, None), "Dropout": (1, None)}


def test_both_count_the_same_layer_types():
    student, _ = _student_side()
    graph = Graph(nodes=[])
    assert list(exported.count_layers(graph)) == student["LAYER_TYPES"]
    assert [name for name, *_ in exported.RULES] == student["LAYER_TYPES"]


def test_broken_rules_give_the_same_messages():
    student, _ = _student_side()
    names = [name for name, *_ in exported.RULES]
    for values in itertools.product((0, 1, 2, 3, 4, 6, 7, 8), repeat=len(names)):  # every boundary
        counts = dict(zip(names, values))
        assert student["broken_rules"](counts) == exported.broken_rules(counts)
    assert exported.broken_rules({}) == student["broken_rules"]({})


def test_the_docstring_states_the_same_numbers():
    _, doc = _student_side()
    text = " ".join(doc.split())
    for _, low, high, rule in exported.RULES[:2]:  # the counted rules: conv and linear
        assert rule.split(" (")[0] in text, rule
    assert "Batch Normalisation, max pooling and dropout" in text
