"""The engine's layout keeps its design: the sandbox side (``autograder/harness/``) imports
nothing of the grader's and the grader nothing of it but the wire format; no import circle;
no module over 300 lines; a sandbox backend is one file implementing the interface."""
import ast
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENGINE = REPO / "autograder"
HARNESS_MAY_IMPORT = {"numpy", "torch"}


def modules():
    found = {}
    for path in ENGINE.rglob("*.py"):
        if "__pycache__" not in path.parts:
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name, path, known):
    """(every module of ``known`` that ``name`` imports, every top-level package it imports)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    inside, top = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            top.add(target.split(".")[0])
            for alias in node.names:
                full = f"{target}.{alias.name}"
                inside |= {full} if full in known else ({target} if target in known else set())
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top.add(alias.name.split(".")[0])
                inside |= {alias.name} & set(known)
    return inside - {name}, top


def test_no_import_circle_and_no_module_over_300_lines():
    known = modules()
    graph = {name: imports(name, path, known)[0] for name, path in known.items()}
    state, circles = {}, []

    def visit(name, stack):
        state[name] = "open"
        stack.append(name)
        for dep in sorted(graph[name]):
            if state.get(dep) == "open":
                circles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, stack)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert circles == []
    long = {str(p.relative_to(REPO)): n for p in known.values() if (n := len(p.read_text().splitlines())) > 300}
    assert long == {}


def test_the_harness_is_self_contained_and_the_grader_uses_only_its_wire_format():
    known = modules()
    stdlib = set(sys.stdlib_module_names)
    harness_names = {p.stem for p in (ENGINE / "harness").glob("*.py")}
    for name, path in known.items():
        inside, top = imports(name, path, known)
        if name.startswith("autograder.harness"):
            outside = {t for t in top if t not in stdlib | HARNESS_MAY_IMPORT | harness_names | {""}}
            assert not outside and not {m for m in inside if not m.startswith("autograder.harness")}, (name, outside)
        else:
            assert {m for m in inside if m.startswith("autograder.harness")} <= {
                "autograder.harness", "autograder.harness.protocol"}, (name, inside)


def test_a_sandbox_backend_is_one_file(tmp_path, monkeypatch):
    """A backend dropped into the backends folder is found, chosen by name and runs a worker."""
    from autograder import sandbox
    from autograder.grading.remote import Student
    from autograder.sandbox import backends

    (tmp_path / "plain_test.py").write_text(textwrap.dedent('''
        import os
        from autograder.sandbox.backend import Backend


        class Plain(Backend):
            name = "plain-test"

            def available(self):
                return True

            def command(self, launch):
                command = [launch.python, "-I", os.path.join(launch.harness, launch.script), launch.settings]
                if os.geteuid() == 0:  # the interpreter made reachable for the sandbox uid (tests only)
                    from sandbox_users import namespace_command
                    command = namespace_command(command)
                return command, launch.work, launch.env

            def describe(self):
                return "sandbox: plain-test (none at all: a test backend)"


        BACKEND = Plain()
    '''))
    monkeypatch.setattr(backends, "__path__", [*backends.__path__, str(tmp_path)])
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "plain-test")
    monkeypatch.setenv("AUTOGRADER_SANDBOX_UIDS", "65500-65510")
    mode = sandbox.choose_mode()
    assert mode == "plain-test" and sandbox.describe_mode(mode).startswith("sandbox: plain-test")
    module = tmp_path / "probe.py"
    module.write_text("def answer():\n    return 42\n")
    student = Student({"probe.py": module}, sandbox.rlimits(2048, 30), 30, 60, mode)
    try:
        assert student.call("probe", "answer") == 42
    finally:
        student.close()


def test_every_environment_variable_is_in_the_one_table():
    import re

    from autograder.envvars import VARIABLES, markdown_table

    pattern = re.compile(r"\b(AUTOGRADER_[A-Z_]+[A-Z]|CIFAR10_DIR)\b")
    used = set()
    for folder in ("autograder", "coursebuild", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            if path.name != "envvars.py":
                used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used == {name for name, _, _ in VARIABLES}
    assert markdown_table() in (REPO / "README.md").read_text(encoding="utf-8")


def test_one_manifest_reader():
    """Only autograder/config.py parses a manifest; coursebuild and the outputs ask it."""
    readers = sorted(str(p.relative_to(REPO)) for folder in ("autograder", "coursebuild", "bench")
                     for p in (REPO / folder).rglob("*.py") if "tomllib" in p.read_text(encoding="utf-8"))
    assert readers == ["autograder/config.py"]
