"""The files that make a student version explain itself: README.md, requirements.txt, submit.py,
and its pytest.ini, which registers one pytest marker per task of the manifest.

All three are generated into every built version (student and solution) from what
``source/<assignment>/`` already says:

* the files a student writes are the modules with solution regions; the given files are the
  other top-level ``.py`` files (``student_files``);
* ``requirements.txt`` pins, at the project's versions, the packages the version imports,
  plus pytest and Jupyter's ``notebook`` (``requirements``);
* ``README.md`` is ``source/<assignment>/README.md`` (what to write, in which order)
  followed by how to install, test one function, run the notebook and submit;
* ``submit.py`` is ``templates/submit.py`` with the assignment's file lists filled in;
* ``pytest.ini`` registers each task id of ``source/<assignment>/assignment.toml`` as a marker
  (``pytest -m sigmoid`` runs the public tests of that task), with ``--strict-markers`` and
  short tracebacks;
* ``conftest.py`` is ``templates/conftest.py``: a missing module or a notebook in its place stops
  the run with one line, an unwritten stub fails in one line, and every test has a time limit
  (twice the manifest's ``call_timeout_s``) that names the student's function it stopped.
"""
import json
import re
from pathlib import Path

from .regions import solution_regions
from .sources import REPO, assignment_dir, list_sources

TEMPLATES = Path(__file__).resolve().parent / "templates"
INTRO = "README.md"
# pinned for every assignment: the test runner and Jupyter for the notebook
ALWAYS = ("pytest", "notebook")
_IMPORT_ROOT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.MULTILINE)


def manifest(assignment):
    """The assignment's manifest as parsed by the autograder's one manifest reader."""
    from autograder import config

    try:
        return config.read_manifest(assignment)[0]
    except config.ConfigError as error:
        raise SystemExit(f"coursebuild: {error}") from None


def tasks(assignment):
    """{task id: its title} from the manifest, in the manifest's order."""
    return {task: entry.get("title", task) for task, entry in manifest(assignment).get("tasks", {}).items()}


def pytest_ini(assignment):
    """The version's pytest.ini: plain imports of the modules and tests, one marker per task."""
    markers = "".join(f"\n    {task}: {title}" for task, title in tasks(assignment).items())
    return ("[pytest]\npythonpath = . tests\ntestpaths = tests\naddopts = --strict-markers --tb=short\n"
            f"markers ={markers}\n")


def student_files(assignment):
    """``(to_write, given)``: top-level module file names, those with solution regions first."""
    write, given = [], []
    for source in list_sources(assignment):
        if len(source.relative.parts) != 1 or source.relative.suffix != ".py" or source.kind == "notebook":
            continue
        text = source.path.read_text(encoding="utf-8")
        has_regions = source.kind == "module" and solution_regions(text, source.relative)
        (write if has_regions else given).append(source.relative.name)
    return write, given


def project_pins():
    """{lower-case distribution name: the requirements.txt line pinning it}."""
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>;\s\[]", line.strip(), maxsplit=1)[0]
        if name and not name.startswith("#"):
            pins[name.lower().replace("_", "-")] = line.strip()
    return pins


def _imported_roots(folder):
    roots = set()
    for path in Path(folder).rglob("*"):
        if path.suffix == ".py":
            roots |= set(_IMPORT_ROOT.findall(path.read_text(encoding="utf-8")))
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            for cell in cells:
                if cell["cell_type"] == "code":
                    roots |= set(_IMPORT_ROOT.findall("".join(cell["source"])))
    return roots


def requirements(folder):
    """The text of ``requirements.txt`` for a built version in ``folder``: every imported
    package that the project pins, at the project's pin, plus pytest and notebook."""
    pins = project_pins()
    wanted = {root.lower() for root in _imported_roots(folder)} | set(ALWAYS)
    lines = sorted(pins[name] for name in wanted if name in pins)
    missing = [name for name in ALWAYS if name not in pins]
    if missing:
        raise SystemExit(f"coursebuild: requirements.txt pins no {', '.join(missing)}")
    return ("# The packages this assignment uses, pinned as in the course's own requirements.\n"
            + "\n".join(lines) + "\n")


def _imports(text, stem):
    return re.search(rf"^\s*(from\s+{stem}\s+import|import\s+{stem}\b)", text, re.MULTILINE)


def tests_by_file(folder, modules):
    """[(public test file, [the student modules it tests])]: the module named like the test
    file (``tests/test_sgd.py`` → ``sgd.py``) and the imported ones that have no test file
    of their own; for a test file named after no module, every student module it imports."""
    pairs = []
    for path in sorted((Path(folder) / "tests").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        named = [m for m in modules if Path(m).stem == path.stem[len("test_"):]]
        unnamed = [m for m in modules if _imports(text, Path(m).stem) and m not in named
                   and not (Path(folder) / "tests" / f"test_{Path(m).stem}.py").is_file()]
        tested = named + unnamed if named else [m for m in modules if _imports(text, Path(m).stem)]
        if tested:
            pairs.append((path.relative_to(folder).as_posix(), tested))
    return pairs


def readme(assignment, folder):
    """The text of the version's README.md."""
    write, given = student_files(assignment)
    intro_path = assignment_dir(assignment) / INTRO
    if not intro_path.is_file():
        raise SystemExit(f"coursebuild: {intro_path} is missing: it says what students write, in which order")
    pairs = tests_by_file(folder, write)
    lines = [(f"pytest {test_file}", f"the tests of {', '.join(tested)}") for test_file, tested in pairs]
    task_ids = list(tasks(assignment))
    if task_ids:
        lines.append((f"pytest -m {task_ids[0]}", f"only the tests of task {task_ids[0]}"))
    width = max([len(command) for command, _ in lines] + [len("pytest")]) + 2
    test_lines = [f"    {'pytest':<{width}}# every public test"]
    test_lines += [f"    {command:<{width}}# {what}" for command, what in lines]
    notebooks = sorted(p.name for p in Path(folder).glob("*.ipynb"))
    names = write + given
    torch_note = ""
    if "torch" in requirements(folder):
        torch_note = ("\nOn Linux without a GPU, `pip install -r requirements.txt --extra-index-url "
                      "https://download.pytorch.org/whl/cpu` takes PyTorch's much smaller CPU build.\n")
    text = (TEMPLATES / "README.md").read_text(encoding="utf-8").format(
        intro=intro_path.read_text(encoding="utf-8").strip(),
        torch_note=torch_note,
        test_lines="\n".join(test_lines) + "\n",
        task_lines="\n".join(f"    {task:<{max(map(len, task_ids), default=0)}}  {title}"
                              for task, title in tasks(assignment).items()),
        notebooks=" ".join(notebooks) or "(this assignment has no notebook)",
        two_tasks=" or ".join(task_ids[:2]),
        time_limit=f"{public_test_time_limit(assignment):g}",
        file_lines="\n".join(f"    {n}" for n in names),
        assignment=assignment,
    )
    return text


def public_test_time_limit(assignment):
    """Seconds each public test may run: twice the grader's per-call limit of the manifest."""
    return 2 * float(manifest(assignment).get("limits", {}).get("call_timeout_s", 20))


def conftest(assignment):
    """The version's conftest.py: ``templates/conftest.py`` with the files and the time limit."""
    write, _ = student_files(assignment)
    text = (TEMPLATES / "conftest.py").read_text(encoding="utf-8")
    for key, value in (("@ASSIGNMENT@", assignment), ("@STUDENT_FILES@", repr(write)),
                       ("@TIME_LIMIT_S@", f"{public_test_time_limit(assignment):g}")):
        text = text.replace(key, value)
    return text


def submit_script(assignment):
    write, given = student_files(assignment)
    text = (TEMPLATES / "submit.py").read_text(encoding="utf-8")
    for key, value in (("@ASSIGNMENT@", assignment), ("@STUDENT_FILES@", repr(write)),
                       ("@GIVEN_FILES@", repr(given))):
        text = text.replace(key, value)
    return text.replace("{assignment}", assignment)


def task_module(assignment):
    """The text of ``task.py``: the manifest's ``[task]`` table (the task's bar, budget, ...) as
    constants for the notebook, or None when the manifest has no such table."""
    table = manifest(assignment).get("task")
    if not table:
        return None
    lines = [f'"""The {assignment} task\'s numbers, as the autograder grades them: generated by coursebuild from',
             f'the course\'s manifest (source/{assignment}/assignment.toml, [task]). Do not edit."""']
    lines += [f"{key.upper()} = {value!r}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def write_bundle_files(assignment, folder):
    """Write README.md, requirements.txt, submit.py, pytest.ini, conftest.py and (where the
    manifest has a ``[task]`` table) task.py into the built version ``folder``."""
    folder = Path(folder)
    task = task_module(assignment)
    if task is not None:
        (folder / "task.py").write_text(task, encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements(folder), encoding="utf-8")
    (folder / "submit.py").write_text(submit_script(assignment), encoding="utf-8")
    (folder / "pytest.ini").write_text(pytest_ini(assignment), encoding="utf-8")
    (folder / "conftest.py").write_text(conftest(assignment), encoding="utf-8")
    (folder / "README.md").write_text(readme(assignment, folder), encoding="utf-8")
