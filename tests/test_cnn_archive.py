"""The exported CNN is read as plain data in the grader (suites/cnn/archive.py), never loaded.

Each hostile archive here is what a submission can send: the worker runs student code, which
can replace ``torch.export.save`` and send back any bytes at all."""
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from autograder.suites.cnn import archive, rules

REPO = Path(__file__).resolve().parents[1]


def exported_bytes(model=None):
    import torch
    from torch import nn

    model = model or nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(2 * 30 * 30, 10))
    program = torch.export.export(model.eval(), (torch.zeros(2, 3, 32, 32),))
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return buffer.getvalue()


def rewrite(data, change, compression=zipfile.ZIP_STORED):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for name in source.namelist():
            body = change(name, source.read(name))
            if body is not None:
                target.writestr(name, body)
    return out.getvalue()


def change_graph(edit):
    def change(name, body):
        if not name.endswith("models/model.json"):
            return body
        program = json.loads(body)
        edit(program)
        return json.dumps(program).encode()
    return change


def sympify_payload(marker):
    """A tensor size written as a symbolic expression: torch.export.load hands it to
    sympy.sympify, which evaluates it as Python."""
    def edit(program):
        values = program["graph_module"]["graph"]["tensor_values"]
        first = next(iter(values))
        values[first]["sizes"][0] = {"as_expr": {
            "expr_str": f"__import__('os').system('touch {marker}') or 2", "hint": {"as_int": 2}}}
    return change_graph(edit)


def test_the_reference_architecture_is_read_and_counted_from_json():
    from torch import nn

    convs = [nn.Conv2d(3, 8, 3, padding=1)] + [nn.Conv2d(8, 8, 3, padding=1) for _ in range(6)]
    body = [layer for conv in convs for layer in (conv, nn.BatchNorm2d(8), nn.ReLU(inplace=True))]
    model = nn.Sequential(*body, nn.MaxPool2d(4), nn.Flatten(), nn.Dropout(0.3), nn.Linear(8 * 8 * 8, 32),
                          nn.ReLU(), nn.Linear(32, 10))
    clean, graph = archive.read(exported_bytes(model))
    assert rules.count_layers(graph) == {"Conv2d": 7, "Linear": 2, "BatchNorm2d": 7, "MaxPool2d": 1,
                                           "Dropout": 1}
    names = zipfile.ZipFile(io.BytesIO(clean)).namelist()
    sample = next(n for n in names if "sample_inputs" in n)
    assert zipfile.ZipFile(io.BytesIO(clean)).read(sample) == b"", "the pickled sample inputs are blanked"


def test_one_conv_called_seven_times_is_one_layer_and_a_weight_matmul_is_a_linear():
    import torch
    from torch import nn

    class Reused(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3)
            self.w1, self.w2 = nn.Parameter(torch.zeros(3 * 16 * 16, 10)), nn.Parameter(torch.zeros(10, 10))
            self.w3, self.w4 = nn.Parameter(torch.zeros(10, 10)), nn.Parameter(torch.zeros(10, 10))

        def forward(self, x):
            for _ in range(7):
                x = self.conv(x)
            x = nn.functional.dropout(nn.functional.max_pool2d(self.bn(x), 2), 0.1, self.training)
            x = x.flatten(1) @ self.w1
            return torch.mm(torch.matmul(x, self.w2.t()), self.w3) @ self.w4

    counts = rules.count_layers(archive.read(exported_bytes(Reused()))[1])
    assert counts["Conv2d"] == 1 and counts["Linear"] == 4
    assert rules.broken_rules(counts) == [
        "rule broken: at least 7 convolution layers (Conv2d); the model has 1 Conv2d layer(s)",
        "rule broken: 1 to 3 fully connected layers (Linear); the model has 4 Linear layer(s)"]


def test_symbolic_shapes_are_refused_and_their_code_never_runs(tmp_path):
    """The attack is real: torch.export.load runs the expression (checked in a separate
    process); the grader refuses the archive before anything could evaluate it."""
    import subprocess
    import sys

    marker = tmp_path / "sympify-ran"
    poisoned = rewrite(exported_bytes(), sympify_payload(marker))
    (tmp_path / "poisoned.pt2").write_bytes(poisoned)
    subprocess.run([sys.executable, "-c", "import sys, torch; torch.export.load(sys.argv[1])",
                    str(tmp_path / "poisoned.pt2")], capture_output=True, timeout=300)
    assert marker.exists(), "the payload does not run under torch.export.load: this test proves nothing"
    marker.unlink()
    with pytest.raises(archive.UnsafeModel, match="symbolic shapes"):
        archive.read(poisoned)
    assert not marker.exists()

    def ranged(program):
        program["range_constraints"] = {"s0": {"min_val": 2, "max_val": 10}}
    with pytest.raises(archive.UnsafeModel, match="range constraints"):
        archive.read(rewrite(exported_bytes(), change_graph(ranged)))


@pytest.mark.parametrize("op, message", [
    ("torch.ops.aten.from_file.default", "aten.from_file.default, which the grader does not run"),
    ("torch.ops.aten.normal.Tensor_float", "aten.normal.Tensor_float, which the grader does not run"),
    ("torch.ops.aten.linear.out", "aten.linear.out, which the grader does not run"),
    ("torch.load", "'torch.load', which is not an ATen operator"),
    ("builtins.eval", "'builtins.eval', which is not an ATen operator"),
])
def test_operators_outside_the_allow_list_are_refused_by_name(op, message):
    def edit(program):
        program["graph_module"]["graph"]["nodes"][-1]["target"] = op
    with pytest.raises(archive.UnsafeModel, match=re.escape(message)):
        archive.read(rewrite(exported_bytes(), change_graph(edit)))


def test_in_place_changes_of_the_input_or_a_weight_are_refused():
    def copy_into_weight(program):
        node = program["graph_module"]["graph"]["nodes"][0]  # the conv: its operand 0 is the input x
        node["target"] = "torch.ops.aten.relu_.default"
    with pytest.raises(archive.UnsafeModel, match=r"changes its input or a weight in place \(aten.relu_\)"):
        archive.read(rewrite(exported_bytes(), change_graph(copy_into_weight)))
    with pytest.raises(archive.UnsafeModel, match="aten.copy_.default, which the grader does not run"):
        archive.read(rewrite(exported_bytes(), change_graph(
            lambda p: p["graph_module"]["graph"]["nodes"][0].update(target="torch.ops.aten.copy_.default"))))


def test_pickles_compiled_code_and_unknown_entries_are_refused():
    def mark_pickled(name, body):
        if name.endswith("weights_config.json"):
            config = json.loads(body)
            for entry in config["config"].values():
                entry["use_pickle"] = True
            return json.dumps(config).encode()
        return body
    with pytest.raises(archive.UnsafeModel, match="pickled, not a raw tensor"):
        archive.read(rewrite(exported_bytes(), mark_pickled))
    data = exported_bytes()
    prefix = zipfile.ZipFile(io.BytesIO(data)).namelist()[0].split("/")[0]
    for extra in ("data/aotinductor/model.so", "data/constants/custom_obj_0", "data/weights/weight_0.pt"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target, zipfile.ZipFile(io.BytesIO(data)) as source:
            for name in source.namelist():
                target.writestr(name, source.read(name))
            target.writestr(f"{prefix}/{extra}", b"x")
        with pytest.raises(archive.UnsafeModel, match="not part of a plain graph"):
            archive.read(out.getvalue())


def test_sizes_are_capped_before_reading():
    """A compressed entry (a zip bomb) is refused by its header, as is an entry whose declared
    size is over the cap; the whole archive has a cap too."""
    bomb = rewrite(exported_bytes(), lambda name, body: body + b"\0" * (64 << 20) if "weight_0" in name else body,
                   compression=zipfile.ZIP_DEFLATED)
    assert len(bomb) < 2 << 20
    with pytest.raises(archive.UnsafeModel, match="is compressed"):
        archive.read(bomb)
    big = rewrite(exported_bytes(), lambda name, body: body + b" " * (17 << 20) if name.endswith("model.json") else body)
    with pytest.raises(archive.UnsafeModel, match="over the limit"):
        archive.read(big)
    with pytest.raises(archive.UnsafeModel, match="over the limit"):
        archive.read(b"\0" * (archive.MAX_ARCHIVE_BYTES + 1))
    with pytest.raises(archive.UnsafeModel, match="not a torch.export archive"):
        archive.read(b"PK\x03\x04 garbage")


def test_the_grader_never_deserialises_a_model():
    """Outside the sandbox side (autograder/harness/), no grader module calls torch.export.load,
    torch.load or pickle on bytes: the one pickle.load reads the instructor's own CIFAR-10
    copy in its official python layout."""
    pattern = re.compile(r"torch\.export\.load|torch\.load\(|pickle\.loads?\(|torch\.jit\.load")
    found = []
    for path in sorted((REPO / "autograder").rglob("*.py")):
        if "harness" in path.relative_to(REPO / "autograder").parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if pattern.search(line) and not line.lstrip().startswith(("#", '"', "*", "``")):
                found.append(f"{path.relative_to(REPO)}: {line.strip()}")
    assert found == ["autograder/suites/cnn/conftest.py: batch = pickle.load(handle, encoding=\"bytes\")"], found


def test_the_graders_cifar10_reader_agrees_with_the_students(solution):
    """The grader reads CIFAR-10 itself (it cannot import the student version's data.py);
    both readers give the same arrays on the course's copy."""
    import numpy as np

    from autograder.suites.cnn.conftest import read_cifar10

    data = os.environ.get("CIFAR10_DIR", "")
    assert data and Path(data).is_dir(), "set CIFAR10_DIR to a CIFAR-10 copy (make data, or the shared one)"
    graders = read_cifar10(data)
    students = solution("cnn", "data").load_cifar10(data)
    for mine, theirs in zip(graders, students[:4]):
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
