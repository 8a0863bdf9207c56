"""What a submission is: the allowed files found in a folder or in a zip.

A submission is a folder (nbgrader's ``submitted/<student>/<assignment>/``, Gradescope's
``/autograder/submission``) or a zip such as the ``<assignment>-submission.zip`` that the
student bundle's ``submit.py`` writes. A folder that holds no module but exactly one zip is
read as that zip (an upload that was not unpacked).

Only regular files of at most ``MAX_FILE_BYTES`` are taken, and symlinks are never
followed, neither to files nor to folders: a link to ``solutions/`` must not be graded as
the student's work. A zip is unpacked into a private temporary folder: members with
absolute or ``..`` paths, links, and files over the size limit are left out, so an archive
cannot write outside that folder or fill the disk.
"""
import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from . import config

MAX_FILE_BYTES = 2 << 20
MAX_ZIP_MEMBERS = 1000


class SubmissionError(Exception):
    """The submission itself is unusable (missing, not a folder or zip, a broken zip)."""


@contextlib.contextmanager
def opened(path):
    """The submission at ``path`` as a folder, for as long as the ``with`` block lasts."""
    path = Path(path)
    if not os.path.lexists(path):
        raise SubmissionError(f"submission {str(path)!r} does not exist")
    archive = _lone_zip(path) if path.is_dir() and not path.is_symlink() else path
    if archive is None:
        yield path
        return
    if path.is_symlink() or not (archive.is_file() and zipfile.is_zipfile(archive)):
        raise SubmissionError(f"submission {str(path)!r} is neither a folder nor a zip file")
    with tempfile.TemporaryDirectory(prefix="autograder-unzipped-") as folder:
        _unpack(archive, Path(folder))
        yield Path(folder)


def _lone_zip(folder):
    """The one zip in ``folder`` if it holds nothing else but hidden files, else None."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].suffix.lower() == ".zip" and not entries[0].is_symlink():
        return entries[0]
    return None


def _unpack(archive, folder):
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(f"{archive.name} holds {len(members)} entries "
                                      f"(at most {MAX_ZIP_MEMBERS} are read)")
            for member in members:
                name = PurePosixPath(member.filename)
                kind = stat.S_IFMT(member.external_attr >> 16)
                unsafe = name.is_absolute() or ".." in name.parts or not name.parts
                if member.is_dir() or unsafe or kind not in (0, stat.S_IFREG) \
                        or member.file_size > MAX_FILE_BYTES:
                    continue
                target = folder.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise SubmissionError(f"cannot read the zip {archive.name}: {error}") from None


def collect_files(assignment, submission_dir):
    """{file name: path} of the allowed files in a submission folder, plus notes for the output.

    If none of the module files sit at the top of the folder, a sub-folder holding them is
    used (students often upload a zipped folder)."""
    root = Path(submission_dir)
    if not root.exists():
        raise SubmissionError(f"submission directory {str(root)!r} does not exist")
    if not root.is_dir():
        raise SubmissionError(f"submission {str(root)!r} is not a directory")
    folder = root
    if not any(os.path.lexists(root / m) for m in assignment.modules):
        nested = sorted({p.parent for m in assignment.modules for p in root.glob(f"*/**/{m}")
                         if _no_symlink_below(root, p.parent)},
                        key=lambda p: (len(p.parts), str(p)))
        if nested:
            folder = nested[0]
    files, notes = {}, []
    if folder != root:
        notes.append(f"using the files in {folder.relative_to(root)}/")
    for name in assignment.allowed_files:
        path = folder / name
        try:
            info = os.lstat(path)
        except OSError:
            if name in assignment.modules:
                notes.append(f"{name} is missing")
            continue
        if not stat.S_ISREG(info.st_mode):
            notes.append(f"{name} ignored: not a regular file")
        elif info.st_size > MAX_FILE_BYTES:
            notes.append(f"{name} ignored: larger than {MAX_FILE_BYTES >> 20} MiB")
        else:
            files[name] = path
    return files, notes


def _no_symlink_below(root, folder):
    """True if no part of ``folder``'s path below ``root`` is a symlink."""
    inside = os.path.join(os.path.realpath(root), os.path.relpath(folder, root))
    return os.path.realpath(folder) == os.path.normpath(inside)


def digest(files):
    """sha256 over collected files (names and contents), as ``collect_files`` returns them."""
    hasher = hashlib.sha256()
    for name in sorted(files):
        hasher.update(name.encode() + b"\0" + Path(files[name]).read_bytes() + b"\0")
    return hasher.hexdigest()


def submission_digest(assignment_name, path):
    """sha256 of the allowed files of the submission at ``path`` (folder or zip): grade-all
    regrades a student whose files changed since their results were written."""
    with opened(path) as folder:
        return digest(collect_files(config.load(assignment_name), folder)[0])
