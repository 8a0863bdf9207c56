"""What a submission is: the allowed files found in a folder or in a zip.

A submission is a folder (nbgrader's ``submitted/<student>/<assignment>/``, Gradescope's
``/autograder/submission``) or a zip such as the ``<assignment>-submission.zip`` that the
student bundle's ``submit.py`` writes. A folder that holds no module but exactly one zip is
read as that zip (an upload that was not unpacked).

Only regular files of at most ``MAX_FILE_BYTES`` are taken, and symlinks are never
followed, neither to files nor to folders: a link to ``solutions/`` must not be graded as
the student's work. A zip is unpacked into a private temporary folder, and only what the
grader could take: members named like an allowed file (at most ``MAX_ZIP_DEPTH`` folders
deep), regular files within the size limit, at most ``MAX_UNPACKED_BYTES`` in all, counted
as they are written, whatever the zip's headers declare. Members with absolute or ``..``
paths, links and over-long names are left out, so an archive cannot write outside that
folder or fill the disk. A zip that cannot be read is a ``SubmissionError`` with one line:
``grade`` exits 2 with it, ``grade-all`` writes that student an error row and goes on.
"""
import contextlib
import hashlib
import os
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from . import config

MAX_FILE_BYTES = 2 << 20
MAX_ZIP_MEMBERS = 1000
MAX_UNPACKED_BYTES = 16 << 20
MAX_ZIP_DEPTH = 4
MAX_NAME = 255


class SubmissionError(Exception):
    """The submission itself is unusable (missing, not a folder or zip, a broken zip)."""


@contextlib.contextmanager
def opened(path, allowed=None):
    """The submission at ``path`` as a folder, for as long as the ``with`` block lasts; of a
    zip, only the members named in ``allowed`` (file names) are unpacked."""
    path = Path(path)
    if not os.path.lexists(path):
        raise SubmissionError(f"submission {str(path)!r} does not exist")
    archive = _lone_zip(path) if path.is_dir() and not path.is_symlink() else path
    if archive is None:
        yield path
        return
    if path.is_symlink() or not archive.is_file():
        raise SubmissionError(f"submission {str(path)!r} is neither a folder nor a zip file")
    if not zipfile.is_zipfile(archive):
        raise SubmissionError(f"{archive.name} is neither a folder nor a zip file that can be read")
    with tempfile.TemporaryDirectory(prefix="autograder-unzipped-") as folder:
        _unpack(archive, Path(folder), allowed)
        yield Path(folder)


def _lone_zip(folder):
    """The one zip in ``folder`` if it holds nothing else but hidden files, else None."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].suffix.lower() == ".zip" and not entries[0].is_symlink():
        return entries[0]
    return None


def _unpack(archive, folder, allowed=None):
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(f"{archive.name} holds {len(members)} entries "
                                      f"(at most {MAX_ZIP_MEMBERS} are read)")
            written = 0
            for member in members:
                name = PurePosixPath(member.filename)
                kind = stat.S_IFMT(member.external_attr >> 16)
                unsafe = name.is_absolute() or ".." in name.parts or not name.parts \
                    or len(member.filename) > 4 * MAX_NAME or any(len(part) > MAX_NAME for part in name.parts)
                if member.is_dir() or unsafe or kind not in (0, stat.S_IFREG) \
                        or member.file_size > MAX_FILE_BYTES or len(name.parts) > MAX_ZIP_DEPTH + 1 \
                        or (allowed is not None and name.name not in allowed):
                    continue
                target = folder.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, open(target, "wb") as out:
                    size = _copy_capped(source, out, min(MAX_FILE_BYTES, MAX_UNPACKED_BYTES - written))
                if size is None:
                    target.unlink()
                    if written + MAX_FILE_BYTES >= MAX_UNPACKED_BYTES:
                        raise SubmissionError(f"{archive.name} unpacks to more than "
                                              f"{MAX_UNPACKED_BYTES >> 20} MiB of allowed files")
                    continue
                written += size
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError) as error:
        raise SubmissionError(f"cannot read the zip {archive.name}: {error}"[:300]) from None


def _copy_capped(source, out, limit):
    """Copy at most ``limit`` bytes; the number copied, or None if there was more."""
    copied = 0
    while True:
        chunk = source.read(1 << 16)
        if not chunk:
            return copied
        copied += len(chunk)
        if copied > limit:
            return None
        out.write(chunk)


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
    settings = config.load(assignment_name)
    with opened(path, set(settings.allowed_files)) as folder:
        return digest(collect_files(settings, folder)[0])
