"""A Canvas export whose assignment columns do not include the one grades.csv
writes: the run still grades, says that Canvas would add a new assignment, and
names the --assignment that fills an existing one."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path


from grader.roster import Roster, RosterEntry, read_roster

# The columns of a Canvas "Export Entire Gradebook", one assignment.
EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1234),Current Score\n"
    "    Points Possible,,,,,50.00,\n"
    '"Liddell, Alice",101,S001,alice@uni.example,MATH 201 A,,\n'
)


def grader(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def score_header(out: Path) -> str:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as file:
        return next(csv.reader(file))[-1]


# Strict: once grader/batch.py prints Roster.assignment_warning after the roster note, this passes
# and the marker must go.
def test_a_new_assignment_column_is_announced_with_the_flag_that_avoids_it(tmp_path, tiny_spec):
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 0.5\n")
    roster = write(tmp_path / "canvas-export.csv", EXPORT)
    command = ["grade", tiny_spec, "--submissions", "subs", "--out", "out", "--roster", roster]

    run = grader(*command, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert score_header(tmp_path / "out") == "Tiny set"  # as documented: the problem sets' title
    warning = next((line for line in run.stderr.splitlines() if line.startswith("warning: grades.csv")), "")
    assert "'Tiny set'" in warning and "new assignment" in warning, run.stderr
    assert str(roster) in warning and "Homework 1 (1234)" in warning
    assert '--assignment "Homework 1 (1234)"' in warning
    assert "Current Score" not in warning  # a total, not an assignment

    run = grader(*command, "--assignment", "Homework 1 (1234)", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert score_header(tmp_path / "out") == "Homework 1 (1234)"
    assert "new assignment" not in run.stderr


def test_nothing_is_said_when_the_column_is_the_roster_s_or_the_roster_has_none(tmp_path):
    plain = write(tmp_path / "plain.csv", "Student,ID,SIS Login ID\nAlice,101,alice\n")
    assert read_roster(plain).assignment_warning("Tiny set") is None
    export = read_roster(write(tmp_path / "export.csv", EXPORT))
    assert export.assignment_warning("Homework 1") is None  # named like it: grades.csv takes its header
    assert export.assignment_warning("homework 1 (1234)") is None


def test_two_columns_of_one_name_are_both_offered():
    alice = RosterEntry("Alice", "101", "", "alice", "")
    roster = Roster([alice], ("Quiz (1)", "Quiz (2)"))
    warning = roster.assignment_warning("Quiz", "export.csv")
    assert warning is not None and "export.csv" in warning
    assert '--assignment "Quiz (1)"' in warning and "Quiz (2)" in warning


def test_a_header_that_needs_quoting_is_suggested_quoted_for_the_shell():
    roster = Roster([RosterEntry("Alice", "101", "", "alice", "")], ('HW "one" $5 (7)',))
    warning = roster.assignment_warning("Tiny set")
    assert "--assignment 'HW \"one\" $5 (7)'" in warning
