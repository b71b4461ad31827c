"""Overrides whose part the spec no longer has, and overrides naming a
student as grades.csv shows them (the roster's name or ids)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from grader.cli import main
from test_batch import MINI_SPEC, answers, grade, write_spec

ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section\n"
          '"Builder, Bob",102,S002,bob@uni.example,B\n'
          '"Liddell, Alice",101,S001,alice@uni.example,A\n'
          '"Liddell, Alice",103,S003,alice2@uni.example,A\n')


STUDENTS = ["王小明", "bob", "alice", "alice2"]


def small_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    for number, student in enumerate(STUDENTS):
        (subs / f"{student}.yaml").write_text(answers(number + 1))
    return subs


def graded_small_class(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The spec, the class folder and the output folder of a first run over :func:`small_class`."""
    spec = write_spec(tmp_path)
    subs = small_class(tmp_path)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    return spec, subs, out


def hand_in_another_p1(subs: Path, student: str) -> None:
    """The student hands in again with another P1, keeping the P2 and P3 :func:`small_class` gave them."""
    number = STUDENTS.index(student) + 1
    (subs / f"{student}.yaml").write_text("P1: [7, 8, 9]\n" + "".join(answers(number).splitlines(True)[1:]))


def stored_overrides(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute("SELECT student, label, score, comment FROM overrides").fetchall()


def p1_score(out: Path, student: str) -> float:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))["tests"][0]["score"]


def test_an_override_for_a_part_the_spec_dropped_is_reported_kept_and_removable(tmp_path, capsys):
    spec, subs, out = graded_small_class(tmp_path)
    assert main(["override", "--out", str(out), "王小明", "P1", "2", "--comment", "by hand"]) == 0
    assert p1_score(out, "王小明") == 2

    spec.write_text(MINI_SPEC.replace("label: P1", "label: A1"))  # P1 renamed
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert "1 instructor override(s) no longer apply" in run.stderr
    assert '王小明 P1: 2 points, "by hand"' in run.stderr
    assert "applies again if its part comes back" in run.stderr
    assert stored_overrides(out) == [("王小明", "P1", 2.0, "by hand")]
    again = grade(spec, subs, out)  # said on every run while it does not apply
    assert "graded 0 submission(s)" in again.stderr and '王小明 P1: 2 points, "by hand"' in again.stderr

    spec.write_text(MINI_SPEC)  # the part is back: so is the override
    assert grade(spec, subs, out).returncode == 0
    assert p1_score(out, "王小明") == 2

    spec.write_text(MINI_SPEC.replace("label: P1", "label: A1"))
    assert grade(spec, subs, out).returncode == 0
    capsys.readouterr()
    assert main(["override", "--out", str(out), "王小明", "P1", "--remove"]) == 0
    assert "王小明 P1: override removed" in capsys.readouterr().out
    assert stored_overrides(out) == []
    spec.write_text(MINI_SPEC)
    run = grade(spec, subs, out)
    assert "no longer apply" not in run.stderr
    assert p1_score(out, "王小明") != 2


def test_an_override_of_a_student_who_left_can_still_be_removed(tmp_path, capsys):
    spec, subs, out = graded_small_class(tmp_path)
    assert main(["override", "--out", str(out), "bob", "P2", "0.5"]) == 0
    (subs / "bob.yaml").unlink()
    assert grade(spec, subs, out).returncode == 0
    # a score or a comment with --remove is a contradiction, not something to ignore
    assert main(["override", "--out", str(out), "bob", "P2", "1", "--remove", "--comment", "x"]) == 2
    assert "give it without a score and --comment" in capsys.readouterr().err
    assert len(stored_overrides(out)) == 1
    assert main(["override", "--out", str(out), "bob", "P2", "--remove"]) == 0
    assert stored_overrides(out) == []


def test_a_student_is_named_by_the_roster_name_or_ids_grades_csv_shows(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = small_class(tmp_path)
    roster = tmp_path / "export.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "out"
    assert grade(spec, subs, out, "--roster", str(roster)).returncode == 0
    assert '"Builder, Bob","102","S002","bob@uni.example","B",' in (out / "grades.csv").read_text()

    assert main(["override", "--out", str(out), "Builder, Bob", "P1", "1"]) == 0
    assert p1_score(out, "bob") == 1
    for name, points in (("102", "1.5"), ("S002", "0.5"), ("bob@uni.example", "2")):
        assert main(["override", "--out", str(out), name, "P1", points]) == 0
        assert p1_score(out, "bob") == float(points)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text('student,part,score,comment\n"builder, bob",P2,0,By the roster name.\n')
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 0
    assert stored_overrides(out) == [("bob", "P1", 2.0, ""), ("bob", "P2", 0.0, "By the roster name.")]

    capsys.readouterr()
    assert main(["override", "--out", str(out), "Liddell, Alice", "P1", "1"]) == 2  # two students of that name
    assert "for several submissions (alice, alice2); name one of them by its id" in capsys.readouterr().err
    assert main(["override", "--out", str(out), "Nobody, Nora", "P1", "1"]) == 2
    err = capsys.readouterr().err
    assert "no student 'Nobody, Nora'" in err and "the roster's Student name, ID, SIS User ID or SIS Login ID" in err


def test_an_unknown_student_message_says_how_to_name_one(tmp_path, capsys):
    spec, subs, out = graded_small_class(tmp_path)
    assert main(["override", "--out", str(out), "Builder, Bob", "P1", "1"]) == 2
    err = capsys.readouterr().err
    assert "no student 'Builder, Bob'" in err and "Name a student by their submission's id" in err


def test_an_override_on_an_answer_that_changed_since_is_reported_and_still_applies(tmp_path, capsys):
    spec, subs, out = graded_small_class(tmp_path)
    assert main(["override", "--out", str(out), "bob", "P1", "1.5", "--comment", "checked by hand"]) == 0
    quiet = grade(spec, subs, out)  # nothing changed: nothing to say
    assert "changed since" not in quiet.stderr

    hand_in_another_p1(subs, "bob")
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert "1 instructor override(s) were set on an answer, automatic verdict or points that have changed since" in run.stderr
    note = run.stderr.split("changed since", 1)[1]
    assert "bob P1: 1.5 points by the instructor" in note and "[7, 8, 9]" in note
    assert p1_score(out, "bob") == 1.5  # it still applies
    capsys.readouterr()
    assert main(["override", "--out", str(out), "bob", "P1", "1.5", "--comment", "checked again"]) == 0
    assert "changed since" not in grade(spec, subs, out).stderr  # set again on the new answer: confirmed


def test_a_gradebook_from_before_overrides_remembered_their_answer_still_works(tmp_path):
    spec, subs, out = graded_small_class(tmp_path)
    assert main(["override", "--out", str(out), "bob", "P1", "1.5"]) == 0
    with sqlite3.connect(out / "gradebook.sqlite") as db:  # as an older grader left it
        db.execute("ALTER TABLE overrides DROP COLUMN answered")
    hand_in_another_p1(subs, "bob")
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    assert p1_score(out, "bob") == 1.5 and "changed since" not in run.stderr  # unknown then: nothing to compare
