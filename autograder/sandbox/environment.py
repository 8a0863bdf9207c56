"""What every harness process gets: the interpreter to run and a scrubbed environment."""
import os
import sys

CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
}


def thread_env(threads):
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
    return {name: str(threads) for name in names}


def python_paths():
    """The interpreter to run and the folders it needs to see, as (real path, path seen) pairs:
    the real prefix and the venv, the venv also under its own name when that goes through a
    symlink (the interpreter finds its venv by the path it was started from)."""
    binds = {(os.path.realpath(sys.base_prefix),) * 2, (os.path.realpath(sys.prefix),) * 2}
    if os.path.abspath(sys.prefix) != os.path.realpath(sys.prefix):
        binds.add((os.path.realpath(sys.prefix), os.path.abspath(sys.prefix)))
    return sys.executable, sorted(binds)
