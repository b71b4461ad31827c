"""grader import-canvas: Canvas's flat submissions zip becomes one folder per
student, safely, and its folders match the Canvas roster."""
from __future__ import annotations

import csv
import errno
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from grader import canvas_import
from grader.canvas_import import CanvasImportError, import_canvas, parse_canvas_name
from grader.cli import main


ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Tiny (77)\n"
    "    Points Possible,,,,,2.00\n"
    '"Liddell, Alice",101,S001,aliddell@uni.example,A,\n'
    '"Builder, Bob",102,S002,bbuilder@uni.example,B,\n'
)


def canvas_zip(path: Path, members: dict[str, bytes], deflated: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED)
    return path


def mark_member(path: Path, name: str, *, flag_bits: int = 0, method: int | None = None) -> None:
    """Rewrite one member's general-purpose flags and compression method in
    both its local header and the central directory, as another archiver would
    have written them."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(info.orig_filename)] != info.orig_filename.encode():
        central = data.index(b"PK\x01\x02", central + 1)
    for flags_at in (info.header_offset + 6, central + 8):  # then the method, 2 bytes on
        flags, old_method = struct.unpack_from("<HH", data, flags_at)
        struct.pack_into("<HH", data, flags_at, flags | flag_bits, old_method if method is None else method)
    path.write_bytes(bytes(data))


def test_canvas_download_names_are_read():
    parsed = parse_canvas_name("builderbob_LATE_102_9010_foundations-1.py")
    assert (parsed.student, parsed.name, parsed.attachment, parsed.late) == \
        ("builderbob_102", "foundations.py", 9010, True)
    assert parse_canvas_name("liddellalice_101_9001_answers.yaml").name == "answers.yaml"
    assert parse_canvas_name("notes.txt") is None


def test_a_download_becomes_one_folder_per_student(tmp_path):
    download = canvas_zip(tmp_path / "submissions.zip", {
        "liddellalice_101_9001_answers.yaml": b"P1: 1/2\n",
        "liddellalice_101_9002_q2.md": b"# Q2\n",
        "builderbob_LATE_102_9003_answers.yaml": b"P1: 0.4\n",
        "builderbob_LATE_102_9010_answers-1.yaml": b"P1: 0.5\n",  # uploaded again: the later one counts
        "notes.txt": b"not a submission",
        "../escape_1_2_evil.py": b"print('outside')",
        "folder/nested_3_4_x.py": b"print('nested')",
        "builderbob_102_9011_work.zip": b"PK\x05\x06" + bytes(18),  # a student's own zip: copied, not opened
    })
    target = tmp_path / "class"
    report = import_canvas(download, target)

    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["builderbob_102/answers.yaml", "builderbob_102/work.zip",
                     "liddellalice_101/answers.yaml", "liddellalice_101/q2.md"]
    assert (target / "builderbob_102" / "answers.yaml").read_text() == "P1: 0.5\n"
    assert report.late == {"builderbob_102"}
    assert report.superseded == ["builderbob_LATE_102_9003_answers.yaml"]
    assert sorted(name for name, _ in report.skipped) == ["../escape_1_2_evil.py", "folder/nested_3_4_x.py",
                                                           "notes.txt"]
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "escape_1").exists()
    assert not list(tmp_path.glob("*.importing"))


def test_a_file_over_the_size_cap_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(canvas_import, "MAX_FILE_BYTES", 100)
    download = canvas_zip(tmp_path / "s.zip", {"ann_1_2_answers.yaml": b"P1: 1\n",
                                                "bo_3_4_answers.yaml": b"#" * 1000})
    report = import_canvas(download, tmp_path / "class")
    assert list(report.students) == ["ann_1"]
    assert report.skipped == [("bo_3_4_answers.yaml", "larger than 0 MiB")]


def encrypted_only(download: Path) -> None:
    canvas_zip(download, {"ann_1_2_answers.yaml": b"P1: 1\n", "readme.txt": b"x"})
    mark_member(download, "ann_1_2_answers.yaml", flag_bits=0x1)


def bad_utf8_names(download: Path) -> None:
    canvas_zip(download, {"ann_1_2_\u00e9.md": b"x"})  # flagged UTF-8; é becomes bytes that are not
    download.write_bytes(download.read_bytes().replace("\u00e9".encode(), b"\xff\xfe"))


@pytest.mark.parametrize("setup, message", [
    (lambda d: d.write_bytes(b"not a zip"), "not a zip file Canvas wrote"),
    (lambda d: canvas_zip(d, {"readme.txt": b"x"}), "no file is named the way Canvas names submissions"),
    (encrypted_only, "no submission file could be unpacked; ann_1_2_answers.yaml: encrypted"),
    (bad_utf8_names, "not a zip file Canvas wrote"),
])
def test_a_download_that_cannot_be_imported_says_why(tmp_path, setup, message):
    download = tmp_path / "download.zip"
    setup(download)
    with pytest.raises(CanvasImportError) as caught:
        import_canvas(download, tmp_path / "class")
    assert str(caught.value).startswith(str(download)) and message in str(caught.value)
    assert not (tmp_path / "class").exists()


def test_import_never_mixes_into_a_folder_in_use(tmp_path, capsys):
    download = canvas_zip(tmp_path / "s.zip", {"ann_1_2_answers.yaml": b"P1: 1\n"})
    (tmp_path / "class" / "old").mkdir(parents=True)
    assert main(["import-canvas", str(download), "--to", str(tmp_path / "class")]) == 2
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "class").iterdir()] == ["old"]


def test_imported_class_grades_with_the_canvas_roster(tmp_path, tiny_spec, capsys):
    download = canvas_zip(tmp_path / "submissions.zip", {
        "liddellalice_101_9001_answers.yaml": b"P1: 1/2\n",
        "builderbob_LATE_102_9003_answers.yaml": b"P1: 0.25\n",
    })
    spec = tiny_spec
    roster = tmp_path / "export.csv"
    roster.write_text(ROSTER)
    assert main(["import-canvas", str(download), "--to", str(tmp_path / "class")]) == 0
    assert "imported 2 file(s) of 2 student(s)" in capsys.readouterr().out
    assert main(["grade", str(spec), "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                 "--roster", str(roster)]) == 0
    assert "roster: 2 of 2 submission(s) matched a student" in capsys.readouterr().err
    rows = list(csv.reader((tmp_path / "out" / "grades.csv").open()))
    assert rows[2:] == [["Builder, Bob", "102", "S002", "bbuilder@uni.example", "B", "0"],
                        ["Liddell, Alice", "101", "S001", "aliddell@uni.example", "A", "2"]]


def test_one_students_odd_upload_is_skipped_and_the_class_imported(tmp_path):
    long_name = "ann_1_2_" + "f" * 300 + ".md"  # the student chose the long name
    long_key = "k" * 300 + "_5_6_answers.yaml"
    download = canvas_zip(tmp_path / "s.zip", {
        "ann_1_3_answers.yaml": b"P1: 1\n",
        long_name: b"x",
        long_key: b"P1: 1\n",
        "bo_7_8_answers.yaml": b"P1: 0.5\n",
        "bo_7_9_answers-1.yaml": b"P1: 1\n",  # uploaded again, but encrypted: the earlier one is kept
        "cy_10_11_answers.yaml": b"P1: 1\n",
        "cy_10_12_q2.md": b"# answer\n",
        "di_13_14_answers.yaml": b"P1: 1\n" * 20,
    }, deflated=("cy_10_12_q2.md",))
    mark_member(download, "bo_7_9_answers-1.yaml", flag_bits=0x1)
    # A raw deflate stream without 258-byte matches is also a valid deflate64 stream: the
    # member is what Windows' zipper writes, which Python cannot unpack.
    mark_member(download, "cy_10_12_q2.md", method=9)
    with zipfile.ZipFile(download) as archive:  # damage di's stored data so its CRC fails
        info = archive.getinfo("di_13_14_answers.yaml")
    data = bytearray(download.read_bytes())
    data[info.header_offset + 30 + len(info.filename)] ^= 0xFF
    download.write_bytes(bytes(data))

    target = tmp_path / "class"
    report = import_canvas(download, target)
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert files == ["ann_1", "ann_1/answers.yaml", "bo_7", "bo_7/answers.yaml", "cy_10", "cy_10/answers.yaml"]
    assert (target / "bo_7" / "answers.yaml").read_text() == "P1: 0.5\n"
    assert report.superseded == []
    skipped = dict(report.skipped)
    assert skipped[long_name] == "file name longer than the 255 bytes a file system allows"
    assert skipped[long_key] == "student folder name longer than the 255 bytes a file system allows"
    assert skipped["bo_7_9_answers-1.yaml"] == "encrypted (the upload has a password)"
    assert skipped["cy_10_12_q2.md"].startswith("compressed with deflate64, which cannot be unpacked here")
    assert skipped["di_13_14_answers.yaml"].startswith("could not be read (Bad CRC-32")
    assert len(skipped) == 5 and not list(tmp_path.glob("*.importing"))


def test_a_name_this_file_system_refuses_skips_that_upload(tmp_path, monkeypatch, capsys):
    # A file system with shorter names than the check expects (eCryptfs allows 143 bytes).
    monkeypatch.setattr(canvas_import, "MAX_NAME_BYTES", 10_000)
    long_name = "ann_1_2_" + "f" * 300 + ".md"
    download = canvas_zip(tmp_path / "s.zip", {long_name: b"x", "bo_3_4_answers.yaml": b"P1: 1\n",
                                                "k" * 300 + "_5_6_answers.yaml": b"P1: 1\n"})
    assert main(["import-canvas", str(download), "--to", str(tmp_path / "class")]) == 0
    out = capsys.readouterr().out
    assert "imported 1 file(s) of 1 student(s)" in out
    assert f"skipped {long_name}: cannot be a file name here (File name too long)" in out
    assert out.count("cannot be a file name here") == 2
    assert [p.name for p in (tmp_path / "class").iterdir()] == ["bo_3"]  # no empty folder for ann


def test_import_into_the_current_empty_folder(tmp_path, monkeypatch):
    download = canvas_zip(tmp_path / "s.zip", {"ann_1_2_answers.yaml": b"P1: 1\n"})
    here = tmp_path / "class"
    here.mkdir()
    inode = here.stat().st_ino
    monkeypatch.chdir(here)
    assert main(["import-canvas", str(download), "--to", "."]) == 0
    # The folder is filled, not replaced: a shell standing in it still sees the files.
    assert here.stat().st_ino == inode and os.listdir(".") == ["ann_1"]
    assert (here / "ann_1" / "answers.yaml").read_text() == "P1: 1\n"


def test_a_full_disk_stops_the_import_and_writes_nothing(tmp_path, monkeypatch):
    def disk_full(source, out):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfileobj", disk_full)
    download = canvas_zip(tmp_path / "s.zip", {"ann_1_2_answers.yaml": b"P1: 1\n", "bo_3_4_a.md": b"x"})
    with pytest.raises(CanvasImportError) as caught:
        import_canvas(download, tmp_path / "class")
    assert str(caught.value) == f"{tmp_path / 'class'}: cannot be written (No space left on device); " \
                                "nothing was imported"
    assert list(tmp_path.iterdir()) == [download]
