"""Check your work and pack it for the grader: ``python submit.py``.

1. Every file you hand in must be here, be a Python module (not a notebook saved under
   another name) and import without an error.
2. The public tests run (``pytest``), so you see where you stand. Failing tests do not stop
   the submission: every test you pass earns its points.
3. ``cnn-submission.zip`` is written beside this file, holding exactly the files
   the grader takes. Upload that zip.

``python submit.py --no-tests`` skips step 2.
"""
import argparse
import ast
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ASSIGNMENT = "cnn"
STUDENT_FILES = ['conv.py', 'dropout.py', 'model.py', 'pool.py', 'train.py']   # the files you write
GIVEN_FILES = ['constraints.py', 'data.py']   # handed out with the assignment; graded as they are here
HERE = Path(__file__).resolve().parent
IMPORT_TIMEOUT_S = 120


class NotReady(Exception):
    """A file is missing or broken: one line saying which file and what is wrong."""


def check_present(name):
    path = HERE / name
    if path.is_file():
        return path
    notebook = path.with_suffix(".ipynb")
    if notebook.is_file():
        raise NotReady(f"{name} is missing, but {notebook.name} is here: the grader takes the "
                       f"module {name}, not a notebook; write your code in {name}")
    raise NotReady(f"{name} is missing from {HERE}: it must sit next to submit.py")


def check_is_module(path):
    source = path.read_bytes()
    if source.lstrip().startswith(b"{") and b'"cells"' in source[:4000]:
        raise NotReady(f"{path.name} holds a Jupyter notebook, not Python code: the grader takes "
                       f"a plain module; copy your code into {path.name}")
    try:
        ast.parse(source, filename=path.name)
    except SyntaxError as error:
        raise NotReady(f"{path.name}, line {error.lineno}: syntax error: {error.msg}") from None
    except ValueError as error:
        raise NotReady(f"{path.name}: cannot be read as Python ({error})") from None


def check_imports(names):
    """Import every module in a fresh interpreter, as the grader will."""
    modules = [Path(name).stem for name in names]
    code = ("import importlib, sys, traceback\n"
            "for name in sys.argv[1:]:\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except BaseException as error:\n"
            "        line = traceback.extract_tb(error.__traceback__)[-1]\n"
            "        print(f'{name}.py|{line.lineno}|{type(error).__name__}: {error}')\n"
            "        raise SystemExit(1)\n")
    try:
        done = subprocess.run([sys.executable, "-c", code, *modules], cwd=HERE, capture_output=True,
                              text=True, timeout=IMPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise NotReady(f"importing your modules took over {IMPORT_TIMEOUT_S} s: "
                       "move long work at import time into functions") from None
    if done.returncode != 0:
        last = (done.stdout.strip().splitlines() or ["?|?|" + done.stderr.strip()[-300:]])[-1]
        name, line, problem = (last.split("|", 2) + ["", ""])[:3]
        raise NotReady(f"{name}, line {line}: importing it fails: {problem}")


def run_public_tests():
    print("Running the public tests (pytest -q) ...", flush=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=HERE)
    if done.returncode == 0:
        print("All public tests pass.")
    else:
        print("Some public tests fail (see above). You can still submit: passed tests earn their "
              "points, and the hidden tests check more than these.")


def write_zip(names):
    target = HERE / f"{ASSIGNMENT}-submission.zip"
    with tempfile.NamedTemporaryFile(dir=HERE, suffix=".zip.part", delete=False) as partial:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name in names:
                bundle.write(HERE / name, name)
    Path(partial.name).replace(target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-tests", action="store_true", help="skip the public tests")
    args = parser.parse_args(argv)
    names = STUDENT_FILES + GIVEN_FILES
    try:
        for name in names:
            check_is_module(check_present(name))
        check_imports(names)
    except NotReady as problem:
        print(f"submit.py: {problem}", file=sys.stderr)
        print("submit.py: no zip written; fix this and run python submit.py again", file=sys.stderr)
        return 1
    if not args.no_tests:
        run_public_tests()
    target = write_zip(names)
    print(f"Wrote {target.name} with {', '.join(names)}. Upload this file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
