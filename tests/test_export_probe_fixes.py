"""The class outputs as an LMS or a CI dashboard reads them: junit.xml stays XML whatever a student
writes, each student's test cases are their own, grades.csv fits the Canvas column it fills and
keeps Canvas's ids as Canvas wrote them, and summary.md says what is not scored yet as the terminal
does."""
from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

from test_roster_assignment import grader, write  # the same real `python -m grader` and file writer

ROOT = Path(__file__).resolve().parents[1]
Q2_SPEC = ROOT / "problems" / "q2-activations.yaml"
ALICE_Q2 = ROOT / "submissions" / "alice" / "q2.md"

# Characters XML 1.0 cannot carry (and HTML calls noncharacters): a parser stops at the first one.
NONCHARACTERS = ("\ufffe", "\uffff", "\ufdd0", "\U0001fffe")


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def assert_shown_by_name(text: str, where: str) -> None:
    for char in NONCHARACTERS:
        assert char not in text, f"U+{ord(char):04X} in {where}"


# --- 1. Characters XML cannot carry, from a student's answer


def test_an_answer_holding_noncharacters_leaves_every_xml_and_html_output_readable(tmp_path, tiny_spec):
    # Written raw in Markdown (the YAML reader refuses them, and keeps "\uFFFE" in quotes as written).
    write(tmp_path / "subs" / "sam" / "answers.md", "## P1\n\n1/3 " + " ".join(NONCHARACTERS) + "\n")
    write(tmp_path / "subs" / "ada" / "answers.yaml", "P1: 1/2\n")

    run = grader("grade", tiny_spec, "--submissions", "subs", "--out", "out", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    failure = ET.parse(out / "junit.xml").getroot().find("testsuite[@name='sam']/testcase/failure")
    assert "⟨U+FFFE⟩ ⟨U+FFFF⟩ ⟨U+FDD0⟩ ⟨U+1FFFE⟩" in failure.text
    for name in ("junit.xml", "index.html", "summary.md", "sam/report.html"):
        assert_shown_by_name(read_text(out / name), name)
    assert "⟨U+FFFF⟩" in read_text(out / "sam" / "report.html")

    run = grader("check", tiny_spec, "subs/sam", "--junit", "check.xml", "--html", "check.html",
                 "--markdown", "check.md", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert "⟨U+FFFF⟩" in ET.parse(tmp_path / "check.xml").getroot().find(".//failure").text
    for name in ("check.xml", "check.html", "check.md"):
        assert_shown_by_name(read_text(tmp_path / name), name)
    assert_shown_by_name(run.stdout, "the terminal")


def test_a_written_answer_holding_a_noncharacter_keeps_the_class_junit_xml_valid(tmp_path):
    """The probe's case: Q2.4's paragraph in a q2.md, graded with the class."""
    text = read_text(ALICE_Q2)
    q24 = text.index("## Q2.4")
    write(tmp_path / "subs" / "bob" / "q2.md", text[:q24] + "## Q2.4 Training an RNN\n\nvanishing \uffff gradients\n")
    write(tmp_path / "subs" / "alice" / "q2.md", text)

    run = grader("grade", Q2_SPEC, "--submissions", "subs", "--out", "out", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    junit = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert "vanishing ⟨U+FFFF⟩ gradients" in ET.tostring(junit, encoding="unicode")
    for name in ("junit.xml", "index.html", "bob/report.html"):
        assert_shown_by_name(read_text(tmp_path / "out" / name), name)


# --- 2. The points of the Canvas column grades.csv fills

# A Canvas "Export Entire Gradebook": two homeworks, 50 and 2 points, and a total worth nothing.
CANVAS_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1234),Homework 2 (1235),Current Score\n"
    "    Points Possible,,,,,50.00,2.00,(read only)\n"
    '"Liddell, Alice",101,S001,alice@uni.example,Section A,,,\n'
)


def warnings_of(run: subprocess.CompletedProcess) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("warning:")]


def test_the_export_s_points_possible_are_read_and_compared_with_the_points_graded(tmp_path):
    from grader.roster import Roster, read_roster

    roster = read_roster(write(tmp_path / "export.csv", CANVAS_EXPORT))
    assert roster.points_possible == {"Homework 1 (1234)": 50, "Homework 2 (1235)": 2}
    assert Roster.from_json(roster.to_json()).points_possible == roster.points_possible  # kept in the gradebook
    # Grading only the 2-point homework: the column suggested is the one worth 2 points.
    advice = roster.assignment_warning("Tiny set", "export.csv", points=2)
    assert '--assignment "Homework 2 (1235)"' in advice and "worth" not in advice
    # A column worth other than the points graded is said to be, with the one that is worth them.
    too_many = roster.assignment_warning("Homework 2 (1235)", "export.csv", points=52)
    assert "'Homework 2 (1235)'" in too_many and "worth 2 points" in too_many and "52 points graded" in too_many
    assert "extra credit" in too_many and "its own --out with its own --assignment" in too_many
    too_few = roster.assignment_warning("Homework 1 (1234)", "export.csv", points=2)
    assert "full marks show in Canvas as 2 of 50 points" in too_few
    assert '--assignment "Homework 2 (1235)"' in too_few
    assert roster.assignment_warning("Homework 1 (1234)", "export.csv", points=50) is None


# Strict: once grader/batch.py passes the points graded to Roster.assignment_warning, this passes
# and the marker must go.
def test_grading_into_a_column_worth_other_points_is_warned_with_the_column_that_fits(tmp_path, tiny_spec):
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 1/2\n")
    roster = write(tmp_path / "export.csv", CANVAS_EXPORT)
    command = ["grade", tiny_spec, "--submissions", "subs", "--out", "out"]

    run = grader(*command, "--roster", roster, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert len(warnings_of(run)) == 1 and '--assignment "Homework 2 (1235)"' in warnings_of(run)[0], run.stderr

    run = grader(*command, "--assignment", "Homework 1 (1234)", cwd=tmp_path)  # the roster kept from the first run

    assert run.returncode == 0, run.stderr
    warning = " ".join(warnings_of(run))
    assert "'Homework 1 (1234)'" in warning and "worth 50 points" in warning and "2 points graded" in warning
    assert '--assignment "Homework 2 (1235)"' in warning

    run = grader(*command, "--assignment", "Homework 2 (1235)", cwd=tmp_path)

    assert run.returncode == 0 and warnings_of(run) == [], run.stderr


# --- 3. Each student's test cases in the class junit.xml


def test_each_student_s_test_cases_are_their_own_in_the_class_junit_xml(tmp_path, tiny_spec):
    for student, answer in (("alice", "1/2"), ("bob", "1/3"), ("Núñez, José", "1/2")):
        write(tmp_path / "subs" / student / "answers.yaml", f"P1: {answer}\n")

    run = grader("grade", tiny_spec, "--submissions", "subs", "--out", "out", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    suites = ET.parse(tmp_path / "out" / "junit.xml").getroot().findall("testsuite")
    cases = [(case.get("classname"), case.get("name")) for suite in suites for case in suite.findall("testcase")]
    assert cases == [("alice.tiny", "P1 One half"), ("bob.tiny", "P1 One half"), ("Núñez, José.tiny", "P1 One half")]
    assert [suite.get("tests") for suite in suites] == ["1", "1", "1"]  # one test case per part

    # One student's self-check keeps its test cases named by the problem set alone.
    run = grader("check", tiny_spec, "subs/alice", "--junit", "check.xml", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    case = ET.parse(tmp_path / "check.xml").getroot().find("testsuite/testcase")
    assert (case.get("classname"), case.get("name")) == ("tiny", "P1 One half")


# --- 4. A part checked at grading, in the Markdown summary


def test_the_markdown_summary_shows_a_part_checked_at_grading_as_not_scored_yet(tmp_path, tiny_spec):
    run = grader("publish", tiny_spec.parent, "--out", "published", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    write(tmp_path / "work" / "answers.yaml", "P1: 1/2\n")

    run = grader("check", "published/tiny.yaml", "work", "--markdown", "summary.md", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert "–/2.00" in run.stdout  # the terminal: not scored yet
    assert "| P1 | – / 2 | checked at grading |" in read_text(tmp_path / "summary.md")


# --- 5. grades.csv: Canvas's ids as Canvas wrote them, every student's row their own


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_ids_from_the_canvas_roster_are_written_as_canvas_has_them(tmp_path, tiny_spec):
    write(tmp_path / "subs" / "alice" / "answers.yaml", "P1: 1/2\n")
    write(tmp_path / "subs" / "+mallory" / "answers.yaml", "P1: 1/2\n")  # on no roster: a name a student chose
    roster = write(tmp_path / "export.csv", "Student,ID,SIS User ID,SIS Login ID,Section\n"
                                            '"=Liddell, Alice",101,+A001,alice,-Section A\n'
                                            "Bob,-102,@B002,=bob,B\n")

    run = grader("grade", tiny_spec, "--submissions", "subs", "--out", "out", "--roster", roster, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert read_csv(tmp_path / "out" / "grades.csv")[2:] == [
        ["'+mallory", "", "'+mallory", "'+mallory", "", "2"],
        ["'=Liddell, Alice", "101", "+A001", "alice", "'-Section A", "2"],  # the ids Canvas matches, unchanged
        ["Bob", "-102", "@B002", "=bob", "B", ""],
    ]


def test_two_students_whose_names_differ_by_the_quote_keep_rows_of_their_own(tmp_path, tiny_spec):
    write(tmp_path / "subs" / "=a" / "answers.yaml", "P1: 1/2\n")
    write(tmp_path / "subs" / "'=a" / "answers.yaml", "P1: 1/3\n")
    out = tmp_path / "out"

    run = grader("grade", tiny_spec, "--submissions", "subs", "--out", "out", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    rows = read_csv(out / "grades.csv")[2:]
    # One quote more than the name, for each: removing it gives the student's name back.
    assert rows == [["''=a", "", "''=a", "''=a", "", "0"], ["'=a", "", "'=a", "'=a", "", "2"]]
    # A name copied from grades.csv names the student of its row.
    run = grader("override", "--out", "out", "''=a", "P1", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(read_text(out / "'=a" / "results.json"))["score"] == 1
    assert json.loads(read_text(out / "=a" / "results.json"))["score"] == 2
