"""An archive handed in instead of the files (a zip, a tarball, 7z, rar) is never opened,
and the student is told so rather than reading only "not answered" for every part."""
from __future__ import annotations

import io
import json
import tarfile
import zipfile

import pytest

from grader.cli import load_references, main
from grader.grading import Grader
from grader.readers import submission_files

ANSWERS = "P1: 1/2\n"


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def tarred(files: dict[str, str], mode: str = "w:gz") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def note(name: str) -> str:
    return f"{name} is an archive, which the grader does not open; hand in the files themselves."


@pytest.fixture
def grader(tiny_spec):
    with Grader(load_references([str(tiny_spec)])) as grader:
        yield grader


@pytest.mark.parametrize("name, data", [
    ("submission.zip", zipped({"answers.yaml": ANSWERS})),
    ("Homework.ZIP", zipped({"answers.yaml": ANSWERS})),
    ("submission.tar.gz", tarred({"answers.yaml": ANSWERS})),
    ("submission.tgz", tarred({"answers.yaml": ANSWERS})),
    ("submission.tar", tarred({"answers.yaml": ANSWERS}, "w")),
    ("submission.7z", b"7z\xbc\xaf\x27\x1c" + bytes(26)),
    ("submission.rar", b"Rar!\x1a\x07\x01\x00" + bytes(24)),
    # By their first bytes: no suffix, or the name of a file the grader reads.
    ("submission", zipped({"answers.yaml": ANSWERS})),
    ("answers.yaml", zipped({"answers.yaml": ANSWERS})),
    ("bundle", tarred({"answers.yaml": ANSWERS}, "w")),
])
def test_an_archive_in_a_folder_is_named_in_a_note(tmp_path, grader, name, data):
    entry = tmp_path / "ann"
    entry.mkdir()
    (entry / name).write_bytes(data)
    result = grader.grade("ann", submission_files(entry), entry=entry)
    assert note(name) in result.notes
    assert result.score == 0


def test_an_archive_handed_in_alone_says_so_in_every_output(tmp_path, tiny_spec, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "bo.zip").write_bytes(zipped({"answers.yaml": ANSWERS}))
    out = tmp_path / "out"
    assert main(["grade", str(tiny_spec), "--submissions", str(subs), "--out", str(out), "--no-progress"]) == 0
    results = json.loads((out / "bo" / "results.json").read_text())
    assert note("bo.zip") in results["output"]
    assert note("bo.zip") in (out / "bo" / "report.html").read_text()
    capsys.readouterr()
    assert main(["check", str(tiny_spec), str(subs / "bo.zip")]) == 0
    assert f"note: {note('bo.zip')}" in capsys.readouterr().out


def test_files_that_are_zips_by_design_or_plain_text_are_not_archives(tmp_path, grader):
    entry = tmp_path / "ann"
    entry.mkdir()
    (entry / "answers.yaml").write_text(ANSWERS)
    (entry / "essay.docx").write_bytes(zipped({"word/document.xml": "<w/>"}))  # a zip inside, but a document
    (entry / "README").write_text("BZh is how my notes begin, and PK is my name.\n")
    (entry / "foundations.py").write_text("PK = 1\n")
    result = grader.grade("ann", submission_files(entry), entry=entry)
    assert not any("is an archive" in n for n in result.notes)
    assert result.score == 2
