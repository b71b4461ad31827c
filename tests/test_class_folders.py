"""The class folder and --out as they come: names that are not UTF-8, an --out
in the wrong place, a student folder under --out the grader cannot write."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from grader import classfolder
from grader.cli import main
from grader.gradebook import Gradebook
from test_batch import answers, grade, make_class, outputs, write_spec


def byte_name(raw: bytes) -> str:
    """The name Python gives a file called ``raw`` (not valid UTF-8: lone surrogates)."""
    return os.fsdecode(raw)


def make(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text(text)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 names")
    return path


def test_names_that_are_not_utf8_are_graded_with_the_rest_of_the_class(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    make(subs / byte_name(b"latin\xe9") / "answers.yaml", answers(0))  # a folder name in Latin-1
    make(subs / "alice" / byte_name(b"answers\xff\xfe.yaml"), answers(0))  # a file name that is no text at all
    make(subs / byte_name(b"m\xfcller.yaml"), answers(1))  # two names that differ only in a byte
    make(subs / byte_name(b"m\xf6ller.yaml"), answers(2))  # that is not UTF-8
    out = tmp_path / "out"

    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert "graded 7 submission(s)" in run.stderr
    # The id writes each undecodable byte as \xNN: one id per student, shown and typed as it is.
    latin = json.loads((out / "latin\\xe9" / "results.json").read_text(encoding="utf-8"))
    assert latin["score"] == 4
    assert (out / "m\\xfcller" / "results.json").exists() and (out / "m\\xf6ller" / "results.json").exists()
    grades = (out / "grades.csv").read_text(encoding="utf-8")
    assert '"latin\\xe9","","latin\\xe9","latin\\xe9","",4' in grades and "m\\xfcller" in grades
    assert 'href="latin%5Cxe9/report.html"' in (out / "index.html").read_text(encoding="utf-8")
    # The file name quoted in the feedback shows its undecodable bytes as U+FFFD.
    alice = json.loads((out / "alice" / "results.json").read_text(encoding="utf-8"))
    assert "(graded from answers\ufffd\ufffd.yaml)" in alice["tests"][0]["output"]
    assert "answers\ufffd\ufffd.yaml" in (out / "alice" / "report.html").read_text(encoding="utf-8")
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert ("alice", "answers\ufffd\ufffd.yaml") in db.execute("SELECT student, source FROM parts").fetchall()

    again = grade(spec, subs, out)
    assert again.returncode == 0, again.stderr
    assert "graded 0 submission(s), kept 7 graded earlier" in again.stderr

    assert main(["override", "--out", str(out), "latin\\xe9", "P1", "1"]) == 0
    assert json.loads((out / "latin\\xe9" / "results.json").read_text())["score"] == 3


def test_the_bytes_of_a_name_count_in_its_content_hash(tmp_path):
    first = make(tmp_path / "a" / byte_name(b"q\xe9.md"), "x")
    second = make(tmp_path / "b" / byte_name(b"q\xe8.md"), "x")
    assert classfolder.content_hash(first.parent, [first]) != classfolder.content_hash(second.parent, [second])
    assert classfolder.student_id(byte_name(b"latin\xe9")) == "latin\\xe9"
    assert classfolder.student_id("王小明") == "王小明"


def test_the_gradebook_stores_text_with_lone_surrogates_as_replacement_characters(tmp_path):
    from grader.results import PartResult, SubmissionResult

    part = PartResult("set", "P1", "One", 1.0, 1.0, "correct", "Read from q\udce9.md", source="q\udce9.md",
                      answer="\ud800")
    with Gradebook.in_folder(tmp_path) as book:
        run = book.start_run(spec_digest="d", problem_sets=[], executor="thread", jobs=1, submissions=1, to_grade=1)
        book.record(run, SubmissionResult("ann", (part,), ("note on q\udce9.md",)), content_hash="h",
                    spec_digest="d")
        stored = book.result("ann")
    assert stored.parts[0].source == "q\ufffd.md" and stored.parts[0].answer == "\ufffd"
    assert stored.notes == ("note on q\ufffd.md",)


@pytest.mark.parametrize("inside", ["s0001", "s0001/reports", "s0000.yaml/reports"])
def test_an_out_folder_inside_a_students_entry_is_refused(tmp_path, capsys, inside):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    before = sorted(p.relative_to(subs) for p in subs.rglob("*"))
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(subs / inside)]) == 2
    err = capsys.readouterr().err
    student = inside.split("/")[0].removesuffix(".yaml")
    assert f"the submission of student '{student}'" in err or "is a file" in err
    assert sorted(p.relative_to(subs) for p in subs.rglob("*")) == before  # nothing written there


def test_an_out_folder_of_its_own_inside_the_class_folder_is_fine(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    for out in (subs / ".reports", subs / "reports"):
        for _ in range(2):
            run = grade(spec, subs, out)
            assert run.returncode == 0, run.stderr
        assert "kept 3 graded earlier" in run.stderr


def test_an_out_that_is_a_file_says_it_must_be_a_folder(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 1)
    blocker = tmp_path / "afile"
    blocker.write_text("a file\n")
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(blocker)]) == 2
    assert f"grader: --out must be a folder; {blocker} is a file" in capsys.readouterr().err
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(blocker / "sub")]) == 2
    assert f"{blocker / 'sub'} would be inside {blocker}, which is a file" in capsys.readouterr().err


def test_a_student_folder_that_cannot_be_written_is_reported_and_the_rest_is_written(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 4)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    clean = outputs(out)
    for student in ("s0001", "s0002"):
        (subs / student / "answers.yaml").write_text(answers(0))  # both graded again
    # A file where s0001's folder should be: the writing fails as for a folder the grader may not write.
    for name in ("results.json", "report.html"):
        (out / "s0001" / name).unlink()
    (out / "s0001").rmdir()
    (out / "s0001").write_text("in the way\n")

    run = grade(spec, subs, out)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "graded 2 submission(s), kept 3 graded earlier" in run.stderr
    assert f"s0001: {out / 's0001'}/: Not a directory" in run.stderr
    assert json.loads((out / "s0002" / "results.json").read_text())["score"] == 4  # the others are written
    assert '"s0001","","s0001","s0001","",4' in (out / "grades.csv").read_text()  # and so are the class files
    assert "s0001/report.html" in (out / "index.html").read_text()

    again = grade(spec, subs, out)  # still in the way: still reported, still non-zero
    assert again.returncode == 2 and "s0001: " in again.stderr
    (out / "s0001").unlink()
    fixed = grade(spec, subs, out)
    assert fixed.returncode == 0, fixed.stderr
    assert "graded 0 submission(s)" in fixed.stderr
    assert json.loads((out / "s0001" / "results.json").read_text())["score"] == 4
    assert set(outputs(out)) == set(clean)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any folder")
def test_a_read_only_student_folder_with_old_reports_gets_new_ones_once_writable(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    (subs / "s0001" / "answers.yaml").write_text(answers(0))
    (out / "s0001").chmod(0o555)
    try:
        run = grade(spec, subs, out)
        assert run.returncode == 2 and f"s0001: {out / 's0001'}/: Permission denied" in run.stderr
    finally:
        (out / "s0001").chmod(0o755)
    # The old report is still there, but the gradebook remembers it is out of date.
    assert grade(spec, subs, out).returncode == 0
    assert json.loads((out / "s0001" / "results.json").read_text())["score"] == 4


def test_reports_left_over_from_a_failed_writing_are_written_again(tmp_path):
    # As after a folder the grader could not write: the old report is there, but out of date.
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    clean = outputs(out)
    (out / "s0001" / "results.json").write_text('{"score": "out of date"}\n')
    with Gradebook.in_folder(out) as book:
        book.add_unwritten("s0001")
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert outputs(out) == clean
    with Gradebook.in_folder(out) as book:
        assert book.unwritten() == set()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_in_a_class_run_gets_a_note_and_blocks_nobody(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    (subs / "piper").mkdir()
    os.mkfifo(subs / "piper" / "answers.yaml")  # opening it would wait for a writer forever
    out = tmp_path / "out"

    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert f"graded {len(list(subs.iterdir()))} submission(s)" in run.stderr
    piper = json.loads((out / "piper" / "results.json").read_text(encoding="utf-8"))
    assert "answers.yaml is not a regular file (a named pipe)" in piper["output"]
    assert piper["score"] == 0


def test_the_assignment_header_is_kept_after_an_override(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = tmp_path / "out"
    run = grade(spec, subs, out, "--assignment", "Homework 1 (1234)")
    assert run.returncode == 0, run.stderr
    header = '"Student","ID","SIS User ID","SIS Login ID","Section","Homework 1 (1234)"\n'
    assert (out / "grades.csv").read_text(encoding="utf-8").startswith(header)

    assert main(["override", "--out", str(out), "s0000", "P1", "0", "--comment", "late"]) == 0
    grades = (out / "grades.csv").read_text(encoding="utf-8")
    assert grades.startswith(header)
    assert '\n"s0000","","s0000","s0000","",' in grades
