"""The HTML report shows an answer the grader could not read as the student wrote it, and colours
each verdict for what it is: "could not read" costs the points like a failure, "checked at grading"
is no verdict yet.

Every page here comes from a real ``python -m grader check … --html`` (or ``grade``) run on the
published specs, as a student's self-check would write it.
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.mathml import latex_to_mathml

REPO = Path(__file__).resolve().parents[1]
MISSING_BRACE = r"\frac{1}{4"


def run_grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          timeout=600, cwd=REPO)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "problems"
    done = run_grader("publish", str(REPO / "problems"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def report_of(published: Path, submission: Path, out: Path) -> str:
    run_grader("check", str(published), str(submission), "--html", str(out))
    return (out / "report.html").read_text(encoding="utf-8")


def part_row(page: str, label: str) -> str:
    found = re.search(rf'<tr id="part-{re.escape(label)}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"no row for {label}"
    return found.group(1)


def verdict(row: str) -> tuple[str, str]:
    """(class, text) of the part's verdict cell: the first cell with a class after the points."""
    found = re.search(r'<td class="(?!num)([\w-]+)">([^<]*)', row)
    return found.group(1), found.group(2).strip()


def answer_cell(row: str) -> str:
    """The markup inside the part's "Answer as read" box."""
    found = re.search(r'<div class="answer[^"]*">(.*?)</div>', row, re.S)
    assert found, row
    return found.group(1)


# ---------------------------------------------------------------------------
# An answer that could not be read
@pytest.mark.parametrize("name, text", [
    ("answers.yaml", f"Q2.1a: '{MISSING_BRACE}'\n"),
    ("q2.md", f"## Q2.1\n\n$\\dot\\sigma_{{approx}} = {MISSING_BRACE}$\n"),
], ids=["answers.yaml", "q2.md"])
def test_an_answer_that_could_not_be_read_is_shown_as_written(published, tmp_path, name, text):
    page = report_of(published, write(tmp_path / "student", name, text), tmp_path / "out")
    row = part_row(page, "Q2.1a")
    assert verdict(row) == ("bad", "could not read")
    shown = answer_cell(row)
    assert "<math" not in shown and "<mfrac" not in row  # not typeset as a perfect ¼
    assert html.unescape(shown) == MISSING_BRACE


def test_the_text_searched_for_another_part_is_shown_as_written_too(published, tmp_path):
    # Q2.1b has no answer in the section: the report shows the section's text, which must not be
    # typeset either (its $…$ span is unbalanced).
    line = f"$\\dot\\sigma_{{approx}} = {MISSING_BRACE}$"
    page = report_of(published, write(tmp_path / "student", "q2.md", f"## Q2.1\n\n{line}\n"), tmp_path / "out")
    row = part_row(page, "Q2.1b")
    assert verdict(row) == ("bad", "could not read")
    assert "<math" not in answer_cell(row)
    assert html.unescape(answer_cell(row)) == line


def test_an_unreadable_answer_is_escaped_and_its_control_characters_shown(published, tmp_path):
    # Written in Markdown: an answers file can hold no ESC (raw, YAML refuses it; quoted, "\e" stays as written).
    answers = "## Q2.1a\n\nQ2.1a: $\\frac{1}{4 <b>bold</b>\x1b[31m$\n"
    page = report_of(published, write(tmp_path / "student", "q2.md", answers), tmp_path / "out")
    row = part_row(page, "Q2.1a")
    assert verdict(row)[1] == "could not read"
    shown = answer_cell(row)
    assert "<b>" not in shown and "\x1b" not in shown
    assert html.unescape(shown) == "\\frac{1}{4 <b>bold</b>␛[31m"


# ---------------------------------------------------------------------------
# A readable answer, checked at grading
def test_a_readable_answer_is_typeset_and_checked_at_grading_is_no_failure(published, tmp_path):
    answers = f"Q2.1a: '{MISSING_BRACE}'\nQ2.1b: '1 - \\frac{{\\epsilon^2}}{{2}}'\n"
    page = report_of(published, write(tmp_path / "student", "answers.yaml", answers), tmp_path / "out")
    row = part_row(page, "Q2.1b")
    assert verdict(row) == ("pending", "checked at grading")
    assert "<math" in answer_cell(row) and "<mfrac>" in answer_cell(row)
    # The two outcomes look different, and neither like the pass or the partial credit.
    styles = dict(re.findall(r"\.([\w-]+) \{ color: (#[0-9a-f]{6}); \}", page))
    assert styles["pending"] != styles["bad"]
    assert len({styles["ok"], styles["partial"], styles["bad"], styles["pending"]}) == 4


def test_a_rubric_answer_checked_at_grading_is_not_marked_provisional(published, tmp_path):
    answers = "Q2.4: Gradients vanish exponentially in T with the sigmoid, each factor being at most 1/4.\n"
    page = report_of(published, write(tmp_path / "student", "answers.yaml", answers), tmp_path / "out")
    row = part_row(page, "Q2.4")
    assert verdict(row) == ("pending", "checked at grading")
    assert "provisional" not in row  # nothing for the instructor to confirm yet


# ---------------------------------------------------------------------------
# The class summary agrees with the students' pages
def test_class_summary_colours_the_verdicts_as_the_student_pages_do(tmp_path):
    answers = f"Q2.1a: '{MISSING_BRACE}'\nQ2.1b: '1/2'\n"
    for student in ("alice", "bob"):
        write(tmp_path / "class" / student, "answers.yaml", answers)
    done = run_grader("grade", str(REPO / "problems" / "q2-activations.yaml"), "--submissions",
                      str(tmp_path / "class"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<span class="bad">could not read: 2</span>' in part_row(index, "Q2.1a")
    assert 'class="wrong"' in part_row(index, "Q2.1b")  # a wrong answer, listed among the common ones
    student = (tmp_path / "out" / "alice" / "report.html").read_text(encoding="utf-8")
    assert verdict(part_row(student, "Q2.1a")) == ("bad", "could not read")
    assert html.unescape(answer_cell(part_row(student, "Q2.1a"))) == MISSING_BRACE


def test_grading_a_class_with_a_published_copy_is_refused(published, tmp_path):
    """A published copy runs no hidden case and marks no written answer: its grades would be wrong."""
    write(tmp_path / "class" / "alice", "answers.yaml", "Q2.1b: '1/2'\n")
    done = run_grader("grade", str(published), "--submissions", str(tmp_path / "class"), "--out",
                      str(tmp_path / "out"))
    assert done.returncode == 2
    assert "is a published copy (public cases only); grade with the instructor's spec" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


# ---------------------------------------------------------------------------
# Typesetting never mends student LaTeX into other maths
@pytest.mark.parametrize("latex", [MISSING_BRACE, r"x^{2", r"\sqrt{2", r"e^{-x}}", r"\text{a{b}", r"\frac{1}"])
def test_latex_that_is_not_whole_is_not_typeset(latex):
    assert latex_to_mathml(latex) is None


@pytest.mark.parametrize("latex", [r"\frac{1}{4}", r"\frac12", r"\{1, 2\}", r"\left\{ x \right.", r"\sqrt[3]{x}",
                                   r"\sum_a^b x", r"\binom{n}{k}", r"a \\ {b}"])
def test_whole_latex_is_still_typeset(latex):
    assert "<math" in latex_to_mathml(latex)
