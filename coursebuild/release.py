"""Zip the student and solution versions into release bundles in ``dist/``."""
import zipfile
from pathlib import Path

from .sources import REPO

# A fixed timestamp makes the same tree zip to the same bytes.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def zip_tree(folder, archive):
    """Zip ``folder`` as ``<folder name>/...`` into ``archive`` atomically; returns the archive path."""
    folder, archive = Path(folder), Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts or ".pytest_cache" in path.parts:
                continue
            info = zipfile.ZipInfo(str(Path(folder.name) / path.relative_to(folder)), _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes())
    partial.replace(archive)
    return archive


def release(assignment, dist=REPO / "dist"):
    """``dist/<a>-student.zip`` from ``assignments/<a>`` and ``dist/<a>-solutions.zip`` from ``solutions/<a>``."""
    return (
        zip_tree(REPO / "assignments" / assignment, Path(dist) / f"{assignment}-student.zip"),
        zip_tree(REPO / "solutions" / assignment, Path(dist) / f"{assignment}-solutions.zip"),
    )
