"""``python -m autograder gradescope ASSIGNMENT --out dist/ASSIGNMENT-gradescope.zip``.

The zip follows Gradescope's autograder layout: at its top ``setup.sh`` (run once when the
image is built), ``run_autograder`` (run per submission), ``requirements.txt`` and the
``autograder`` package with only this assignment's suite. Gradescope unpacks it into
``/autograder/source``; the submission is in ``/autograder/submission`` and the results
must go to ``/autograder/results/results.json``. ``AUTOGRADER_ROOT`` (default
``/autograder``) and ``AUTOGRADER_PYTHON`` move both for a local dry run.
"""
import zipfile
from pathlib import Path

from . import config

HERE = Path(__file__).resolve().parent
PACKAGES = ("numpy", "torch", "pytest", "tqdm", "iniconfig", "packaging", "pluggy",
            "filelock", "fsspec", "jinja2", "markupsafe", "networkx", "sympy", "mpmath",
            "typing_extensions", "setuptools")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image (as root).
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip
python3 -m venv /opt/autograder-venv
/opt/autograder-venv/bin/pip install --no-cache-dir \\
    --extra-index-url https://download.pytorch.org/whl/cpu -r /autograder/source/requirements.txt
# The hidden suites must not be readable by the sandbox user (uid 65534) even without bwrap.
chmod -R go-rwx /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. The grade is decided here, outside the
# sandboxed worker that runs the student's code.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-/opt/autograder-venv/bin/python}}"
mkdir -p "$ROOT/results"
cd "$ROOT/source" || exit 1
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
    files = [p for p in sorted(HERE.glob("*.py"))]
    suites = [HERE / "suites" / name for name in ("__init__.py", "conftest.py", "checks.py", "pytest.ini")]
    suite = [p for p in sorted(settings.folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as bundle:
        _add(bundle, "setup.sh", SETUP, executable=True)
        _add(bundle, "run_autograder", RUN.format(assignment=assignment), executable=True)
        _add(bundle, "requirements.txt", requirements())
        for path in files + suites + suite:
            _add(bundle, str(Path("autograder") / path.relative_to(HERE)), path.read_bytes())
    tmp.replace(out)
    return out
