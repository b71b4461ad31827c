"""grades.csv opened in a spreadsheet: a student's name or id that starts like
a formula is shown as text (a leading '), never run; scores stay numbers."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.cli import main
from grader.exports import grades_csv
from grader.results import PartResult, SubmissionResult

# Folder names a student could pick; Linux allows all of these (anything but "/").
HOSTILE = ['=HYPERLINK("https:x.example","click")', "+cmd|' -C calc'!A0", "@SUM(1)", "-2+3", "\tTAB=1+1"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def grade(spec: Path, subs: Path, out: Path, *more: str) -> None:
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(out), *more]) == 0


def hostile_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for name in HOSTILE:
        write(subs / name / "answers.yaml", "P1: 0.5\n")
    write(subs / "alice" / "answers.yaml", "P1: 0.25\n")
    return subs


def test_a_submission_named_like_a_formula_is_text_in_grades_csv(tmp_path, tiny_spec):
    subs = hostile_class(tmp_path)
    grade(tiny_spec, subs, tmp_path / "out")
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows[:2] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny set"],
                        ["Points Possible", "", "", "", "", "2"]]
    by_name = {row[0]: row for row in rows[2:]}
    for name in HOSTILE[:-1]:
        assert by_name["'" + name] == ["'" + name, "", "'" + name, "'" + name, "", "2"]
    # A tab in a folder name is shown as ␉ in the student's id, as in every output: no formula starts there.
    assert by_name["␉TAB=1+1"] == ["␉TAB=1+1", "", "␉TAB=1+1", "␉TAB=1+1", "", "2"]
    assert by_name["alice"] == ["alice", "", "alice", "alice", "", "0"]  # nothing to neutralise: unchanged
    # The score column is a bare number in the file, not text; the names are quoted text.
    text = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")
    assert '"\'-2+3","","\'-2+3","\'-2+3","",2\n' in text


def test_a_formula_after_a_semicolon_or_tab_stays_in_its_quoted_cell(tmp_path, tiny_spec):
    """Spreadsheets in many locales split rows on ";" (or tabs): an unquoted "x;=1+1;" would put
    =1+1 in a cell of its own, where it runs.  Every text cell is quoted, so it stays one cell."""
    for name in ("x;=1+1;", "y\t=2+2"):
        write(tmp_path / "subs" / name / "answers.yaml", "P1: 0.5\n")
    grade(tiny_spec, tmp_path / "subs", tmp_path / "out")
    lines = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2:] == ['"x;=1+1;","","x;=1+1;","x;=1+1;","",2', '"y␉=2+2","","y␉=2+2","y␉=2+2","",2']


def test_a_carriage_return_in_a_name_cannot_start_a_row(tmp_path, tiny_spec):
    """A lone CR is not quoted by the csv module, and readers end the row there:
    "x<CR>=1+1" would put a formula at the start of a row of its own."""
    write(tmp_path / "subs" / "x\r=1+1" / "answers.yaml", "P1: 0.5\n")
    write(tmp_path / "subs" / "\r@SUM(1)" / "answers.yaml", "P1: 0.5\n")
    grade(tiny_spec, tmp_path / "subs", tmp_path / "out")
    rows = read_csv(tmp_path / "out" / "grades.csv")
    # The id shows the CR as ␍ (as every output does), so no row can end there.
    assert rows[2:] == [["x␍=1+1", "", "x␍=1+1", "x␍=1+1", "", "2"],
                        ["␍@SUM(1)", "", "␍@SUM(1)", "␍@SUM(1)", "", "2"]]


def test_grades_csv_stays_byte_identical_for_the_same_class(tmp_path, tiny_spec):
    subs = hostile_class(tmp_path)
    grade(tiny_spec, subs, tmp_path / "one")
    grade(tiny_spec, subs, tmp_path / "two")
    assert (tmp_path / "one" / "grades.csv").read_bytes() == (tmp_path / "two" / "grades.csv").read_bytes()


def test_an_override_names_the_student_as_they_are_and_keeps_the_csv_safe(tmp_path, tiny_spec):
    subs = hostile_class(tmp_path)
    out = tmp_path / "out"
    grade(tiny_spec, subs, out)
    overrides = write(tmp_path / "overrides.csv", 'student,part,score\n"@SUM(1)",P1,1.5\n')
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 0
    assert main(["override", "--out", str(out), "--", "-2+3", "P1", "0.5"]) == 0
    by_name = {row[0]: row for row in read_csv(out / "grades.csv")[2:]}
    assert by_name["'@SUM(1)"][1:] == ["", "'@SUM(1)", "'@SUM(1)", "", "1.5"]
    assert by_name["'-2+3"][-1] == "0.5"


def test_roster_names_like_formulas_are_text_and_ids_still_match(tmp_path, tiny_spec):
    write(tmp_path / "subs" / "@bob" / "answers.yaml", "P1: 0.5\n")
    roster = write(tmp_path / "export.csv",
                   "Student,ID,SIS User ID,SIS Login ID,Section\n"
                   '"=HYPERLINK(""http://x"",""Bob"")",102,+S002,@bob,-A\n'
                   "Nora,103,S003,nora,=1+1\n")
    grade(tiny_spec, tmp_path / "subs", tmp_path / "out", "--roster", str(roster))
    assert read_csv(tmp_path / "out" / "grades.csv")[2:] == [
        # matched on its login; the ids are Canvas's own, written as it has them for it to match
        ["'=HYPERLINK(\"http://x\",\"Bob\")", "102", "+S002", "@bob", "'-A", "2"],
        ["Nora", "103", "S003", "nora", "'=1+1", ""],
    ]


def test_only_text_cells_are_neutralised():
    result = SubmissionResult("-1", (PartResult("tiny", "P1", "One half", 2.0, 1.0, "partial", ""),))
    rows = list(csv.reader(io.StringIO(grades_csv([result], "=Quiz", 2))))
    assert rows[2] == ["'-1", "", "'-1", "'-1", "", "1"]
    assert rows[1][-1] == "2"
    # The assignment's name is the spec's title, chosen by the instructor, and
    # Canvas matches the column on it: as written.
    assert rows[0][-1] == "=Quiz"
