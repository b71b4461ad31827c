"""grader import-canvas: Canvas's flat submissions zip becomes one folder per
student, safely, and its folders match the Canvas roster."""
from __future__ import annotations

import csv
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


def canvas_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


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


@pytest.mark.parametrize("setup, message", [
    (lambda d: d.write_bytes(b"not a zip"), "not a zip file Canvas wrote"),
    (lambda d: canvas_zip(d, {"readme.txt": b"x"}), "no file is named the way Canvas names submissions"),
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
