"""A Canvas gradebook export as the class roster: grades.csv carries each
student's name and ids, through regrading and overrides."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.cli import main
from grader.exports import grades_csv
from grader.results import PartResult, SubmissionResult
from grader.roster import RosterError, read_roster

# As Canvas writes it: a byte-order mark, a Points Possible row, names "Last, First".
CANVAS_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1234)\n"
    "    Points Possible,,,,,50.00\n"
    '"Liddell, Alice",101,S001,alice@uni.example,MATH 201 A,\n'
    '"Builder, Bob",102,S002,bob,MATH 201 B,12.5\n'
    '"Nobody, Nora",103,S003,nora@uni.example,MATH 201 A,\n'
)



def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def score(student: str, points: float) -> SubmissionResult:
    return SubmissionResult(student, (PartResult("tiny", "P1", "One half", 2.0, points, "correct", ""),))


def test_a_canvas_export_is_read_and_matched_on_login_or_ids(tmp_path):
    roster = read_roster(write(tmp_path / "export.csv", CANVAS_EXPORT))
    assert [e.student for e in roster.entries] == ["Liddell, Alice", "Builder, Bob", "Nobody, Nora"]
    assert roster.match("alice").sis_user_id == "S001"  # the login before its @
    assert roster.match("ALICE@uni.example").canvas_id == "101"
    assert roster.match("S002").student == "Builder, Bob"
    assert roster.match("103").student == "Nobody, Nora"
    assert roster.match("carol") is None


def test_an_id_two_students_share_matches_neither(tmp_path):
    text = "Student,SIS Login ID\nA One,sam@one.example\nA Two,sam@two.example\n"
    roster = read_roster(write(tmp_path / "r.csv", text))
    assert roster.match("sam") is None
    assert roster.match("sam@two.example").student == "A Two"


def test_grades_csv_with_a_roster_lists_the_whole_class():
    from grader.roster import Roster, RosterEntry
    roster = Roster([RosterEntry("Liddell, Alice", "101", "S001", "alice@uni.example", "A"),
                     RosterEntry("Nobody, Nora", "103", "S003", "nora", "A")])
    rows = list(csv.reader(io.StringIO(grades_csv([score("alice", 2), score("carol", 1)], "Tiny", 2, roster))))
    assert rows[2:] == [  # in the order of a class list, whatever the case
        ["carol", "", "carol", "carol", "", "1"],  # not on the roster: under its own id
        ["Liddell, Alice", "101", "S001", "alice@uni.example", "A", "2"],
        ["Nobody, Nora", "103", "S003", "nora", "A", ""],  # no submission: Canvas leaves it unchanged
    ]


@pytest.mark.parametrize("content, message", [
    ("Name,Email\nAlice,a@x\n", "line 1: a roster needs a 'Student' column and at least one of"),
    ("Student,ID\n    Points Possible,\n", "the roster lists no students"),
    (b"Student,ID\nJos\xe9,1\n", "is not UTF-8 text"),
    ("", "line 1: a roster needs a 'Student' column"),
])
def test_a_roster_that_cannot_be_used_says_why(tmp_path, content, message):
    path = write(tmp_path / "bad.csv", content)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_grade_with_a_roster_then_an_override_keeps_the_names(tmp_path, tiny_spec, capsys):
    spec = tiny_spec
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 0.5\n")
    write(tmp_path / "subs" / "carol.yaml", "P1: 0.25\n")
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT)
    out = tmp_path / "out"

    assert main(["grade", str(spec), "--submissions", str(tmp_path / "subs"), "--out", str(out),
                 "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "roster: 1 of 2 submission(s) matched a student" in err
    assert "not on the roster (graded, listed under their own id): carol" in err
    assert "2 student(s) on the roster have no submission" in err
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[2:] == [
        ["Builder, Bob", "102", "S002", "bob", "MATH 201 B", ""],
        ["carol", "", "carol", "carol", "", "0"],
        ["Liddell, Alice", "101", "S001", "alice@uni.example", "MATH 201 A", "2"],
        ["Nobody, Nora", "103", "S003", "nora@uni.example", "MATH 201 A", ""],
    ]

    index = (out / "index.html").read_text()
    assert '<a href="alice/report.html"><bdi>alice</bdi></a> <small><bdi>Liddell, Alice</bdi></small>' in index
    # Who is missing shows on the class page too, not only as a blank in grades.csv.
    assert '<p id="absent">2 students (an empty score in grades.csv): <bdi>Builder, Bob</bdi>; <bdi>Nobody, Nora</bdi></p>' in index

    # Later commands read the roster kept in the gradebook.
    assert main(["override", "--out", str(out), "carol", "P1", "1.5", "--comment", "Partial credit."]) == 0
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[4] == ["Liddell, Alice", "101", "S001", "alice@uni.example", "MATH 201 A", "2"]
    assert rows[3] == ["carol", "", "carol", "carol", "", "1.5"]


def test_canvas_s_test_student_is_not_counted_as_missing(tmp_path, tiny_spec, capsys):
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 0.5\n")
    # Canvas's Student View adds "Student, Test" to every export, with no SIS ids.
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT + '"Student, Test",999,,,MATH 201 A,\n')
    out = tmp_path / "out"
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(out),
                 "--roster", str(roster)]) == 0
    assert "2 student(s) on the roster have no submission" in capsys.readouterr().err
    assert '<p id="absent">2 students (an empty score in grades.csv): <bdi>Builder, Bob</bdi>; <bdi>Nobody, Nora</bdi></p>' \
        in (out / "index.html").read_text()


def test_a_bad_roster_stops_before_grading(tmp_path, tiny_spec, capsys):
    spec = tiny_spec
    write(tmp_path / "subs" / "alice.yaml", "P1: 0.5\n")
    roster = write(tmp_path / "names.csv", "Name,Email\nAlice,alice@x\n")
    out = tmp_path / "out"
    assert main(["grade", str(spec), "--submissions", str(tmp_path / "subs"), "--out", str(out),
                 "--roster", str(roster)]) == 2
    assert f"{roster}, line 1: a roster needs a 'Student' column" in capsys.readouterr().err
    assert not out.exists()


def test_several_submissions_for_one_roster_student_are_named(tmp_path, tiny_spec, capsys):
    # Canvas keeps one of several rows with the same ID: the instructor must hear of it.
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 0.5\n")
    write(tmp_path / "subs" / "101.yaml", "P1: 0.25\n")
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT)
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                 "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "several submissions match one roster student" in err and ": 101, alice" in err


def test_students_from_a_canvas_download_without_a_roster_are_told_to_add_it(tmp_path, tiny_spec, capsys):
    """Folders named as `grader import-canvas` names them, and no roster: grades.csv has no Canvas
    IDs, so its import would match nothing; the run says what to add, and adding it grades nothing."""
    write(tmp_path / "subs" / "liddellalice_101" / "answers.yaml", "P1: 0.5\n")
    write(tmp_path / "subs" / "builderbob_102" / "answers.yaml", "P1: 0.25\n")
    argv = ["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    assert "no --roster was given: grades.csv has no Canvas IDs" in capsys.readouterr().err
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT)
    assert main([*argv, "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "no --roster was given" not in err and "graded 0 submission(s), kept 2" in err
    assert ["Liddell, Alice", "101", "S001", "alice@uni.example", "MATH 201 A", "2"] in \
        list(csv.reader((tmp_path / "out" / "grades.csv").open()))


def test_a_class_not_from_canvas_gets_no_roster_note(tmp_path, tiny_spec, capsys):
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 0.5\n")
    write(tmp_path / "subs" / "lab_3" / "answers.yaml", "P1: 0.5\n")  # one Canvas-like name is not a class
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 0
    assert "roster" not in capsys.readouterr().err


def test_a_folder_matched_by_its_trailing_number_alone_is_named_for_checking(tmp_path, tiny_spec, capsys):
    write(tmp_path / "subs" / "liddellalice_101" / "answers.yaml", "P1: 0.5\n")  # as import-canvas names it
    write(tmp_path / "subs" / "team_102" / "answers.yaml", "P1: 0.5\n")  # Canvas user 102 by chance?
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT)
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                 "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "roster: 2 of 2 submission(s) matched a student" in err
    assert ("matched by the number at the end of the folder name alone, the name before it not being the "
            "roster's (check these): team_102 → Builder, Bob") in err
    assert "liddellalice_101 →" not in err


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_roster_saved_again_with_semicolons_or_tabs_is_read(tmp_path, separator):
    """A spreadsheet set up for a language writing 1,5 saves the Canvas export with semicolons."""
    rows = list(csv.reader(io.StringIO(CANVAS_EXPORT.lstrip("\ufeff"))))
    text = "\n".join(separator.join(f'"{cell}"' if "," in cell else cell for cell in row) for row in rows) + "\n"
    roster = read_roster(write(tmp_path / "export.csv", text))
    assert roster.match("bob").student == "Builder, Bob"
    assert roster.match("S001").canvas_id == "101"
