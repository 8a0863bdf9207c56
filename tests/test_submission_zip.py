"""A submission may be a zip (what submit.py writes, or an upload): read safely, graded alike."""
import stat
import zipfile
from pathlib import Path

import pytest

from autograder import config
from autograder.submission import SubmissionError, collect_files, opened, submission_digest

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            if isinstance(data, tuple):  # (data, unix mode): e.g. a symlink entry
                info = zipfile.ZipInfo(name)
                info.external_attr = data[1] << 16
                bundle.writestr(info, data[0])
            else:
                bundle.writestr(name, data)
    return path


def test_zip_and_folder_have_the_same_files_and_digest(tmp_path):
    backprop = config.load("backprop")
    names = backprop.modules + backprop.given
    archive = _zip(tmp_path / "backprop-submission.zip", {n: (SOLUTION / n).read_bytes() for n in names})
    with opened(archive) as folder:
        files, notes = collect_files(backprop, folder)
        assert sorted(files) == sorted(names) and notes == []
    assert submission_digest("backprop", archive) == submission_digest("backprop", SOLUTION)
    lone = tmp_path / "upload"
    lone.mkdir()
    (lone / "anything.zip").write_bytes(archive.read_bytes())
    assert submission_digest("backprop", lone) == submission_digest("backprop", SOLUTION)


def test_zip_members_cannot_escape_or_link(tmp_path):
    backprop = config.load("backprop")
    archive = _zip(tmp_path / "evil.zip", {
        "../../escaped.py": b"x = 1\n",
        "/abs/activations.py": b"x = 2\n",
        "layers.py": ("/etc/passwd", stat.S_IFLNK | 0o777),
        "network.py": b"# mine\n",
    })
    with opened(archive) as folder:
        files, _ = collect_files(backprop, folder)
        inside = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    assert set(files) == {"network.py"}
    assert inside == {"network.py"}
    assert not (tmp_path.parent / "escaped.py").exists()


@pytest.mark.parametrize("content, words", [(b"not a zip", "neither a folder nor a zip"),
                                            (None, "does not exist")])
def test_a_broken_submission_is_one_clear_error(tmp_path, content, words):
    path = tmp_path / "submission.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SubmissionError, match=words):
        with opened(path):
            pass
