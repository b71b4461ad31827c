"""grader import-canvas on downloads that are not quite what Canvas wrote: an
unpacked folder with links, pipes or subfolders in it, and zips whose names
are UTF-8 without saying so."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import canvas_import

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = "hidden case: expect 42 for input 1337"


def import_canvas(source: Path, target: Path) -> subprocess.CompletedProcess:
    # A timeout, so a pipe the import opened fails the test instead of hanging it.
    return subprocess.run([sys.executable, "-m", "grader", "import-canvas", str(source), "--to", str(target)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def written(target: Path) -> dict[str, str]:
    return {p.relative_to(target).as_posix(): p.read_text() for p in sorted(target.rglob("*")) if p.is_file()}


def unpacked_download(tmp_path: Path) -> Path:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "doejane_12345_67890_foundations-1.py").write_text("print('jane')\n")
    return folder


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links are needed")
def test_a_link_in_an_unpacked_download_is_skipped_not_followed(tmp_path):
    secret = tmp_path / "problems" / "spec.yaml"
    secret.parent.mkdir()
    secret.write_text(HIDDEN)
    download = unpacked_download(tmp_path)
    (download / "evilguy_777_1_foundations.py").symlink_to(secret)
    (download / "evilguy_777_2_problems").symlink_to(secret.parent, target_is_directory=True)

    run = import_canvas(download, tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"doejane_12345/foundations.py": "print('jane')\n"}
    for link in ("evilguy_777_1_foundations.py", "evilguy_777_2_problems"):
        assert f"skipped {link}: a symbolic link, which is not followed (it could point at files that are " \
               "not the student's); put the file itself there" in run.stdout


def test_a_hard_link_to_a_file_outside_the_download_is_skipped(tmp_path):
    secret = tmp_path / "problems" / "spec.yaml"
    secret.parent.mkdir()
    secret.write_text(HIDDEN)
    download = unpacked_download(tmp_path)
    os.link(secret, download / "evilguy_777_1_foundations.py")

    run = import_canvas(download, tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"doejane_12345/foundations.py": "print('jane')\n"}
    assert "skipped evilguy_777_1_foundations.py: a hard link to a file that also has another name" in run.stdout


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links are needed")
def test_a_file_replaced_by_a_link_after_listing_is_not_read(tmp_path, monkeypatch):
    secret = tmp_path / "spec.yaml"
    secret.write_text(HIDDEN)
    download = unpacked_download(tmp_path)
    listed = canvas_import._Download.files

    def swap_after_listing(self):
        files = list(listed(self))
        victim = download / "doejane_12345_67890_foundations-1.py"
        victim.unlink()
        victim.symlink_to(secret)
        return iter(files)

    monkeypatch.setattr(canvas_import._Download, "files", swap_after_listing)
    with pytest.raises(canvas_import.CanvasImportError, match="no submission file could be unpacked; "
                       "doejane_12345_67890_foundations-1.py: a symbolic link"):
        canvas_import.import_canvas(download, tmp_path / "class")
    assert not (tmp_path / "class").exists()


def test_a_link_stored_in_a_zip_is_skipped(tmp_path):
    link = zipfile.ZipInfo("evilguy_777_1_foundations.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16  # as `zip --symlinks` stores one
    with zipfile.ZipFile(tmp_path / "s.zip", "w") as archive:
        archive.writestr(link, "../problems/spec.yaml")
        archive.writestr("doejane_12345_67890_foundations.py", "print('jane')\n")

    run = import_canvas(tmp_path / "s.zip", tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"doejane_12345/foundations.py": "print('jane')\n"}
    assert "skipped evilguy_777_1_foundations.py: a symbolic link, which is not followed" in run.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are needed")
def test_a_pipe_and_a_subfolders_file_are_listed_as_skipped(tmp_path):
    download = unpacked_download(tmp_path)
    os.mkfifo(download / "doejane_12345_67891_q3.md")
    (download / "subdir").mkdir()
    (download / "subdir" / "doejane_12345_67899_q2.md").write_text("# Q2\n")

    run = import_canvas(download, tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"doejane_12345/foundations.py": "print('jane')\n"}
    assert "skipped doejane_12345_67891_q3.md: not a regular file (a pipe, socket or device), so it is not " \
           "opened" in run.stdout
    assert "skipped subdir/doejane_12345_67899_q2.md: inside a folder; Canvas puts every submission file at " \
           "the top of its download" in run.stdout


def test_a_folder_holding_only_a_folder_says_to_pass_that_folder(tmp_path):
    outer = tmp_path / "unzipped"
    outer.mkdir()
    inner = unpacked_download(tmp_path).rename(outer / "submissions")
    (outer / ".DS_Store").write_bytes(b"\0")  # what Finder leaves

    run = import_canvas(outer, tmp_path / "class")
    assert run.returncode == 2
    assert f"{outer}: holds a single folder, submissions/, and no submission file; pass that folder " \
           f"instead: grader import-canvas {inner} --to DIR" in run.stderr
    assert not (tmp_path / "class").exists()
    assert import_canvas(inner, tmp_path / "class").returncode == 0
    assert written(tmp_path / "class") == {"doejane_12345/foundations.py": "print('jane')\n"}


def zip_with_unflagged_names(path: Path, members: dict[bytes, bytes]) -> Path:
    """A zip whose names are the given bytes with the UTF-8 flag unset, as
    Info-ZIP on Linux writes them.  Python's zipfile flags every non-ASCII name
    it writes, so each is written as an ASCII stand-in of the same length and
    its bytes put in place after."""
    stand_ins = {name: bytes([ord("a") + i]) * len(name) for i, name in enumerate(members)}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(stand_ins[name].decode(), data)
    data = path.read_bytes()
    for name, stand_in in stand_ins.items():
        assert data.count(stand_in) == 2  # the local header and the central directory
        data = data.replace(stand_in, name)
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        assert not any(info.flag_bits & 0x800 for info in archive.infolist())
    return path


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    download = zip_with_unflagged_names(tmp_path / "submissions.zip", {
        "müllerjörg_55555_1_q2.md".encode(): b"# Q2\n",
        "øyvind_66666_2_answers.yaml".encode(): b"P1: 1\n",
        "müllerann_77777_3_q2.md".encode("cp437"): b"# cp437\n",  # as Windows' zipper writes names
    })
    run = import_canvas(download, tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"müllerann_77777/q2.md": "# cp437\n",
                                           "müllerjörg_55555/q2.md": "# Q2\n",
                                           "øyvind_66666/answers.yaml": "P1: 1\n"}


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP's zip command is not installed")
def test_a_zip_written_by_info_zip_keeps_its_names(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    name = "müllerjörg_55555_1_q2.md"
    (files / name).write_text("# Q2\n")
    subprocess.run(["zip", "-q", str(tmp_path / "s.zip"), name], cwd=files, check=True)
    with zipfile.ZipFile(tmp_path / "s.zip") as archive:
        assert archive.namelist() != [name]  # what Python alone reads: the garbled name

    run = import_canvas(tmp_path / "s.zip", tmp_path / "class")
    assert run.returncode == 0, run.stderr
    assert written(tmp_path / "class") == {"müllerjörg_55555/q2.md": "# Q2\n"}
