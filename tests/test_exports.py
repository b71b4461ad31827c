"""Exports: Canvas CSV, JUnit XML and the Markdown summary, all deterministic."""
from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest

from grader.exports import format_score, grades_csv, junit_xml, markdown_summary
from grader.results import CaseResult, PartResult, SubmissionResult


def result(student: str, *scores: float, status: str = "partial") -> SubmissionResult:
    parts = tuple(PartResult("set", f"P{n}", f"Part | {n}", 2.0, score, "correct" if score == 2 else status,
                             f"Feedback for P{n}.\nSecond line.") for n, score in enumerate(scores, 1))
    return SubmissionResult(student, parts)


CLASS = [result("zoe", 2, 2), result("adam", 1, 0.3333333), result("mia", 0, 0, status="error")]


def test_canvas_csv_has_its_columns_a_points_possible_row_and_sorted_students():
    rows = list(csv.reader(io.StringIO(grades_csv(CLASS, "Homework 1", 4))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1"]
    assert rows[1] == ["Points Possible", "", "", "", "", "4"]
    assert [r[0] for r in rows[2:]] == ["adam", "mia", "zoe"]
    assert rows[2] == ["adam", "", "adam", "adam", "", "1.3333"]
    assert grades_csv(CLASS, "Homework 1", 4) == grades_csv(list(reversed(CLASS)), "Homework 1", 4)


def test_scores_are_formatted_the_same_way_everywhere():
    assert [format_score(v) for v in (4.0, 7.5, 1 / 3, 0.0, -0.0, 1e-7)] == ["4", "7.5", "0.3333", "0", "0", "0"]


def test_junit_has_one_case_per_part_and_a_failure_when_short_of_full_marks():
    root = ET.fromstring(junit_xml(CLASS))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["adam", "mia", "zoe"]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [("2", "2"), ("2", "2"), ("2", "0")]
    failure = suites[0].find("testcase/failure")
    assert failure.get("message") == "partial: 1/2" and failure.text.startswith("Feedback for P1.")


def test_markdown_summary_of_a_class():
    text = markdown_summary(CLASS, "Homework 1", 4)
    assert text.startswith("## Homework 1\n")
    assert "3 students · mean 1.78 · median 1.33 · min 0 · max 4 of 4 points" in text
    assert "| P1 Part \\| 1 | 1 / 2 | 1 (33%) | 1 | 0 |" in text
    assert "| Could not read / not answered / not defined |" in text
    assert "Could not be graded: mia" in text


def test_markdown_summary_of_one_submission_lists_its_parts():
    text = markdown_summary([result("ada", 2, 1)], "Homework 1")
    assert "**ada**: 3 / 4 points" in text
    assert "| P2 | 1 / 2 | partial | Feedback for P2. |" in text


def test_a_part_checked_only_at_grading_is_skipped_in_junit_not_failed():
    """Under published specs a written answer is read but checked later: not a failure of the self-check."""
    student = SubmissionResult("sam", (
        PartResult("set", "P1", "Code", 2.0, 2.0, "correct", "All cases passed."),
        PartResult("set", "P2", "Written", 2.0, 0.0, "checked at grading",
                   "Answer found; written answers are checked at grading.", provisional=True, at_grading=True),
        PartResult("set", "P3", "Code", 2.0, 0.0, "incorrect", "Wrong result."),
    ))
    suite = ET.fromstring(junit_xml([student])).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["P2 Written"].find("failure") is None
    assert cases["P2 Written"].find("skipped").get("message").startswith("checked at grading")
    assert cases["P3 Code"].find("failure") is not None
    # the points only grading can give are not counted as missed
    text = markdown_summary([student], "Homework 1")
    assert "**sam**: 2 / 4 points on the public checks; 2 more points are checked at grading" in text
    assert "| P2 | – / 2 | checked at grading |" in text  # not "(provisional)": nothing is judged yet


def test_junit_and_results_json_name_each_failed_case_without_hidden_inputs():
    cases = (CaseResult("tutorial example", True, "incorrect", 0.0, "Expected 3, got 4."),
             CaseResult("hidden case 1", False, "correct", 1.0, "Correct."),
             CaseResult("hidden case 2", False, "incorrect", 0.0, "Raised ValueError."),
             CaseResult("edge case", True, "incorrect", 0.0, "Off by a factor."))
    part = PartResult("set", "A1", "matmul", 2.0, 0.5, "partial", "1 of 4 cases passed. Off by a factor.",
                      source="foundations.py", cases=cases)
    student = SubmissionResult("sam", (part,))
    failure = ET.fromstring(junit_xml([student])).find("testsuite/testcase/failure").text
    output = student.to_gradescope()["tests"][0]["output"]
    for text in (failure, output):
        assert "✗ tutorial example: Expected 3, got 4." in text
        assert "✗ hidden case 2: Raised ValueError." in text
        assert "hidden case 1" not in text  # passed
        assert "✗ edge case: the known mistake said above" in text  # its feedback is said once, above
    assert output.endswith("(graded from foundations.py)")


# --- grades.csv's assignment column, for a Canvas import into an existing assignment

CANVAS_EXPORT = ("Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1234),Tiny set (555),Current Score\n"
                 "    Points Possible,,,,,50.00,2.00,\n"
                 '"Liddell, Alice",101,S001,alice,A,,,\n')


def test_the_roster_column_of_the_graded_title_is_the_header(tmp_path):
    from grader.roster import Roster, read_roster

    path = tmp_path / "export.csv"
    path.write_text(CANVAS_EXPORT)
    roster = read_roster(path)
    assert roster.assignments == ("Homework 1 (1234)", "Tiny set (555)")  # "Current Score" is a total
    assert roster.assignment_column("Tiny  SET") == "Tiny set (555)"
    assert roster.assignment_column("Homework 1 (1234)") == "Homework 1 (1234)"
    assert roster.assignment_column("Homework 2") is None
    header = next(csv.reader(io.StringIO(grades_csv(CLASS, "Tiny set", 4, roster))))
    assert header[-1] == "Tiny set (555)"
    assert next(csv.reader(io.StringIO(grades_csv(CLASS, "Other", 4, roster))))[-1] == "Other"

    kept = Roster.from_json(json.loads(json.dumps(roster.to_json())))  # as the gradebook keeps it
    assert kept.assignments == roster.assignments and kept.entries == roster.entries
    assert Roster.from_json([["Liddell, Alice", "101", "S001", "alice", "A"]]).entries == roster.entries


def test_two_columns_of_one_name_are_not_guessed_between(tmp_path):
    from grader.roster import read_roster

    path = tmp_path / "export.csv"
    path.write_text("Student,ID,Quiz (1),Quiz (2)\nAl,1,,\n")
    assert read_roster(path).assignment_column("Quiz") is None


def test_grade_uses_the_rosters_column_through_overrides(tmp_path, tiny_spec, capsys):
    from grader.cli import main

    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "alice.yaml").write_text("P1: 0.5\n")
    export = tmp_path / "export.csv"
    export.write_text(CANVAS_EXPORT)
    out = tmp_path / "out"
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(out),
                 "--roster", str(export)]) == 0
    assert (out / "grades.csv").read_text().splitlines()[0].endswith(',"Tiny set (555)"')
    assert main(["override", "--out", str(out), "alice", "P1", "1"]) == 0
    assert (out / "grades.csv").read_text().splitlines()[0].endswith(',"Tiny set (555)"')


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--jobs", "-1"], "--jobs must be at least 1"),
    (["--assignment", "  "], "argument --assignment: must be an assignment's name on one line"),
])
def test_bad_grade_options_are_usage_errors(tmp_path, tiny_spec, capsys, argv, message):
    from grader.cli import main

    (tmp_path / "subs").mkdir()
    command = ["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out")]
    try:
        status = main(command + argv)
    except SystemExit as exit:  # argparse's own errors
        status = exit.code
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
