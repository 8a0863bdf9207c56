"""Per-assignment settings, read from the assignment's manifest ``source/<a>/assignment.toml``.

The manifest is the one place for an assignment's title, tasks, points, visibility and
limits (``docs/authoring.md`` describes it). The grader adds what it derives:

* ``modules``, the files a student writes: the ``file`` of every task that is a ``.py``;
* ``given``, the files the student version hands out and the grader copies too when present:
  the other top-level ``.py`` files of ``source/<a>/`` that are not notebooks;
* the hidden suite: ``suites/<a>/test_*.py``.

The assignment list is the set of manifests. A Gradescope bundle has no ``source/``: it
carries ``suites/<a>/assignment.toml``, the manifest with ``modules`` and ``given`` written
out (``resolved_manifest``).
"""
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SUITES = Path(__file__).resolve().parent / "suites"
SOURCE = Path(__file__).resolve().parents[1] / "source"
SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
MANIFEST = "assignment.toml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class ConfigError(Exception):
    """A broken manifest (a bug in the course, not in a submission)."""


@dataclass
class TestEntry:
    name: str
    points: float
    visibility: str
    tasks: list = field(default_factory=list)


@dataclass
class Assignment:
    name: str
    title: str
    folder: Path           # the hidden suite
    manifest: Path
    tasks: dict            # task id -> {"file": ..., "title": ...}
    modules: list          # files the student writes
    given: list            # files the student version hands out, copied too if present
    tests: dict            # test function name -> TestEntry
    memory_mb: int
    cpu_s: int
    call_timeout_s: float
    total_budget_s: float
    threads: int
    demo_partial: list     # modules the demo's "partial" submission takes from the solution
    sections: dict = field(default_factory=dict)      # the whole manifest as read (section(name))
    task: dict = field(default_factory=dict)          # the [task] table: the task's own facts
    private_data: list = field(default_factory=list)  # env variables naming data a student must not read

    def section(self, name):
        """The manifest's table ``[name]`` (``{}`` when it has none): ``gradescope``, ``nbgrader``, ..."""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def allowed_files(self):
        return self.modules + self.given


def _manifest_path(name):
    for path in (SOURCE / name / MANIFEST, SUITES / name / MANIFEST):
        if path.is_file():
            return path
    return None


def names():
    """Every assignment with a manifest (in ``source/``, or bundled beside its suite)."""
    found = {p.parent.name for p in SOURCE.glob(f"*/{MANIFEST}")} if SOURCE.is_dir() else set()
    found |= {p.parent.name for p in SUITES.glob(f"*/{MANIFEST}")}
    return sorted(found)


def _is_notebook_source(path):
    text = path.read_text(encoding="utf-8")
    return text.startswith("# ---\n") and "kernelspec:" in text.split("\n# ---\n", 1)[0]


def _given_files(source_dir, modules):
    return sorted(p.name for p in source_dir.glob("*.py")
                  if p.name not in modules and not _is_notebook_source(p))


def read_manifest(name):
    """(the manifest of assignment ``name`` as parsed TOML, its path): the one place a manifest
    is parsed. coursebuild builds the student version from it before any hidden suite
    exists; ``load`` adds what grading needs. Raises KeyError or ConfigError."""
    path = _manifest_path(name)
    if path is None:
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(names())}")
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle), path
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.parent.name}/{MANIFEST}: {error}") from None


def load(name):
    """The settings of assignment ``name``; raises KeyError if it has no manifest and
    ConfigError if the manifest is inconsistent."""
    table, path = read_manifest(name)
    where = f"{path.parent.name}/{MANIFEST}"
    tasks = table.get("tasks", {})
    for task, entry in tasks.items():
        if not isinstance(entry, dict) or "file" not in entry:
            raise ConfigError(f"{where}: task {task!r} needs a file")
    tests = {}
    for test, entry in table.get("tests", {}).items():
        visibility = entry.get("visibility", "after_due_date")
        if visibility not in VISIBILITIES:
            raise ConfigError(f"{where}: {test} has visibility {visibility!r}")
        unknown = [t for t in entry.get("tasks", []) if t not in tasks]
        if unknown or not entry.get("tasks"):
            raise ConfigError(f"{where}: {test} must name tasks of [tasks], not {entry.get('tasks')}")
        tests[test] = TestEntry(test, float(entry["points"]), visibility, list(entry["tasks"]))
    total = sum(t.points for t in tests.values())
    if abs(total - 100) > 1e-9:
        raise ConfigError(f"{where}: points add up to {total}, not 100")
    modules = table.get("modules") or sorted({e["file"] for e in tasks.values() if e["file"].endswith(".py")
                                              and (path.parent / e["file"]).is_file()
                                              and not _is_notebook_source(path.parent / e["file"])})
    given = table["given"] if "given" in table else _given_files(path.parent, modules)
    suite = SUITES / name
    if not suite.is_dir():
        raise ConfigError(f"{where}: no hidden suite in {suite}")
    limits = table.get("limits", {})
    return Assignment(
        name=name,
        title=table.get("title", name),
        folder=suite,
        manifest=path,
        tasks=tasks,
        modules=list(modules),
        given=list(given),
        tests=tests,
        memory_mb=int(limits.get("memory_mb", 4096)),
        cpu_s=int(limits.get("cpu_s", 300)),
        call_timeout_s=float(os.environ.get("AUTOGRADER_CALL_TIMEOUT", limits.get("call_timeout_s", 20))),
        total_budget_s=float(os.environ.get("AUTOGRADER_TOTAL_BUDGET", limits.get("total_budget_s", 300))),
        threads=int(limits.get("threads", 1)),
        demo_partial=list(table.get("demo", {}).get("partial", [])),
        sections=table,
        task=dict(table.get("task", {})),
        private_data=list(limits.get("private_data", [])),
    )


def resolved_manifest(name):
    """The manifest's text with the derived ``modules`` and ``given`` written out, for a
    bundle that ships without ``source/``."""
    settings = load(name)
    text = settings.manifest.read_text(encoding="utf-8")
    lists = (f"modules = {settings.modules!r}\ngiven = {settings.given!r}\n").replace("'", '"')
    head, marker, rest = text.partition("\n[")
    return head.rstrip("\n") + "\n" + lists + marker + rest


def private_paths(assignment=None, environ=None):
    """What no sandboxed process may read: the hidden suites, the solutions and the source of
    the assignments, the course secret's file and the data the assignment's manifest names
    in ``[limits] private_data`` (CIFAR-10 with its labels, a held-out set). The bubblewrap
    sandbox does not even show them; the fallback as root checks file permissions against
    this list before anyone is graded."""
    from .variants import secret_files

    environ = os.environ if environ is None else environ
    paths = [SUITES, SOLUTIONS, SOURCE]
    if assignment is not None:
        paths += [Path(environ[name]) for name in assignment.private_data if environ.get(name)]
    return paths + secret_files(environ)
