"""More wrong written answers that must never earn credit, each next to the right answer the reading is for.

A second probe of Question 2 write-ups found wrong answers graded right in readings added for real layouts:
a label-keyed table whose remark column ("Sanity check", "Notes", "Expected") was read as the answer, or
whose "My answer" column was not.  Every false accept has a twin that checks the right answer the reading
was added for still reads.  Each document goes through the real pipeline (``q2_grader``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def table(header: str, *rows: str) -> str:
    columns = header.count("|") - 1
    return "# Question 2\n\n" + header + "\n" + "|---" * columns + "|\n" + "".join(r + "\n" for r in rows)


# (id, document, part, expected status)
CASES = [
    # 1. label-keyed tables: the answer column is the one headed as the answer, never a remark column
    ("remark-column-last", table("| Part | Derived value | Sanity check |",
                                 "| Q2.1a | $\\frac14 + \\frac{\\varepsilon}{4}$ | $\\sigma'(0) = \\frac14$ |",
                                 "| Q2.3d | true | (approx curve is lower) |"), "Q2.1a", "incorrect"),
    ("remark-column-last-choice", table("| Part | Derived value | Sanity check |",
                                        "| Q2.3d | true | (approx curve is lower) |"), "Q2.3d", "incorrect"),
    ("right-value-column-before-check", table("| Part | Derived value | Sanity check |",
                                              "| Q2.1a | $\\frac14$ | $\\sigma'(0) = \\frac14$ |"), "Q2.1a", "correct"),
    ("my-answer-column", table("| Part | My answer | Expected (from a friend) |",
                               "| Q2.3b | $0.2601$ | $0.2505$ |"), "Q2.3b", "incorrect"),
    ("my-answer-column-choice", table("| Part | My answer | Expected (from a friend) |",
                                      "| Q2.3d | true | approx |"), "Q2.3d", "incorrect"),
    ("right-my-answer-column", table("| Part | My answer | Expected (from a friend) |",
                                     "| Q2.3b | $0.2505$ | $0.26$ |"), "Q2.3b", "correct"),
    ("no-answer-header-three-columns", table("| Part | Expression | Notes |",
                                             "| Q2.3b | $0.2601$ | handout example: $0.2505$ |"), "Q2.3b",
     "could not read"),
    ("no-answer-header-right-is-still-unread", table("| Part | Expression | Notes |",
                                                     "| Q2.1a | $\\frac14$ | at $\\varepsilon=0$ |"), "Q2.1a",
     "could not read"),
    ("expected-value-column-is-no-answer", table("| Part | Expected value | Notes |",
                                                 "| Q2.3b | $0.2505$ | mine was 0.26 |"), "Q2.3b", "could not read"),
    ("two-answer-columns", table("| Part | Answer | Value |", "| Q2.3b | $0.2601$ | $0.2505$ |"), "Q2.3b",
     "could not read"),
    ("final-of-two-value-columns", table("| Part | Value | Final value |", "| Q2.3b | $0.2505$ | $0.2601$ |"),
     "Q2.3b", "incorrect"),
    ("right-final-of-two-value-columns", table("| Part | Value | Final value |", "| Q2.3b | $0.26$ | $0.2505$ |"),
     "Q2.3b", "correct"),
    # a two-column table needs no header; nor does a header-less layout of two cells
    ("right-two-columns-any-header", table("| Part | Expression |", "| Q2.1a | $\\frac14$ |"), "Q2.1a", "correct"),
    ("wrong-two-columns-any-header", table("| Part | Expression |", "| Q2.1a | $\\frac12$ |"), "Q2.1a", "incorrect"),
    # a remark cell of a label row is the row's: it answers nothing in the section around the table
    ("remark-cell-not-in-section", "## Q2.3\n\n| Part | Answer | Comment |\n|---|---|---|\n"
     "| (d) | true | the handout says $\\rho(0.05) \\approx 0.2505$ |\n", "Q2.3b", "could not read"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_false_accepts_are_gone(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert part.status == status, (part.answer, part.feedback)


def test_unclear_table_row_says_why(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, table("| Part | Expression | Notes |",
                                                 "| Q2.3b | $0.2601$ | handout example: $0.2505$ |"))["Q2.3b"]
    assert "no single one is headed as the answer" in part.feedback
    assert "'Expression', 'Notes'" in part.feedback and "Q2.3b | $0.2601$" in part.feedback
