"""Written answers that were left unread, each graded through the real pipeline with a wrong twin, so that a form
the reader learns to read can never turn a wrong answer into a right one.

The shapes: Q2.3(c) in a table with T as its columns; a table whose header is only the parts' labels
(``| (a) | (b) |``); a set written as a complement in plain text (``ℝ \\ (0, 1)``, ``R \\ [0,1]``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.cli import load_references
from grader.grading import Grader
from grader.mathread import read_math
from grader.readers.markdown import read_markdown_text
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]


def grade_text(grader: Grader, tmp_path: Path, text: str, name: str = "q2.md") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in grader.grade("student", [path]).parts}


# -- 1. Q2.3(c) with T as the columns -------------------------------------------------------------------------------

RIGHT = ["0.2505", "9.86e-4", "9.72e-7", "9.44e-13"]  # ρ(0.05)^T at T = 1, 5, 10, 20
WRONG = ["0.5", "0.03", "0.001", "1e-6"]
ONE_WRONG = ["0.2505", "9.86e-4", "9.72e-7", "1e-11"]  # the last is ten times too large


def t_columns(rows: list[tuple[str, list[str]]], first: str = "T") -> str:
    """A table with T as its columns, one row per named list of values."""
    lines = [f"| {first} | 1 | 5 | 10 | 20 |", "|---|---|---|---|---|"]
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("heading", ["## Q2.3\n\n### (c)\n\n", "## Q2.3 (c)\n\n", "### Q2.3c\n\n"])
@pytest.mark.parametrize("values, status", [(RIGHT, "correct"), (WRONG, "incorrect"), (ONE_WRONG, "partial")],
                         ids=["right", "wrong", "one-wrong"])
def test_t_as_columns_in_the_parts_own_section(q2_grader, tmp_path, heading, values, status):
    part = grade_text(q2_grader, tmp_path, heading + t_columns([("ρ^T", values)]))["Q2.3c"]
    assert part.status == status, (part.answer, part.feedback)
    assert "could not read" not in part.feedback.lower()


def test_t_as_columns_one_wrong_value_earns_three_quarters(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.3 (c)\n\n" + t_columns([("ρ^T", ONE_WRONG)]))["Q2.3c"]
    assert part.score == pytest.approx(0.75), (part.answer, part.feedback)


@pytest.mark.parametrize("values, status", [(RIGHT, "correct"), (WRONG, "incorrect")], ids=["right", "wrong"])
@pytest.mark.parametrize("name", [r"$\rho(0.05)^T$", r"$\rho(0.05)^{T}$", "ρ(0.05)^T"])
def test_t_as_columns_named_row_anywhere_in_q23(q2_grader, tmp_path, name, values, status):
    document = "## Q2.3\n\nThe values:\n\n" + t_columns([(name, values)], first="$T$")
    part = grade_text(q2_grader, tmp_path, document)["Q2.3c"]
    assert part.status == status, (part.answer, part.feedback)


@pytest.mark.parametrize("true_row, approx_row, status", [
    (RIGHT, WRONG, "correct"),  # the true row is read, the approximation's never
    (WRONG, RIGHT, "incorrect"),
], ids=["true-right", "true-wrong"])
def test_t_as_columns_true_and_approx_rows_read_the_true_one(q2_grader, tmp_path, true_row, approx_row, status):
    for rows in ([(r"$\rho_{approx}(0.05)^T$", approx_row), (r"$\rho(0.05)^T$", true_row)],
                 [(r"$\rho(0.05)^T$", true_row), (r"$\rho_{\text{approx}}(0.05)^T$", approx_row)]):
        part = grade_text(q2_grader, tmp_path, "## Q2.3\n\n(c)\n\n" + t_columns(rows))["Q2.3c"]
        assert part.status == status, (rows, part.answer, part.feedback)


def test_t_as_columns_reads_the_values_in_t_order_on_their_row(q2_grader):
    q2 = load_problem_set(ROOT / "problems" / "q2-activations.yaml")
    document = "## Q2.3\n\n" + t_columns([(r"$\rho_{approx}(0.05)^T$", WRONG), (r"$\rho(0.05)^T$", RIGHT)])
    found = read_markdown_text(document, q2, source="q2.md").answers["Q2.3c"]
    assert found.value == "[" + ", ".join(RIGHT) + "]"
    assert found.line == 6  # the true row's line


def test_t_as_columns_with_an_unnamed_row_outside_its_own_section_is_not_guessed(q2_grader, tmp_path):
    # as with T as rows, an unnamed value row is read only in the part's own section
    part = grade_text(q2_grader, tmp_path, "## Q2.3\n\nvalues:\n\n" + t_columns([("value", RIGHT)]))["Q2.3c"]
    assert part.status == "could not read", (part.answer, part.feedback)


# -- 2. a header of part labels only ---------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    ("1/4", "1", ("correct", "correct")),
    ("1/4", "1/48", ("correct", "incorrect")),
    ("$\\frac14$", "$1$", ("correct", "correct")),
    ("1/2", "1", ("incorrect", "correct")),
])
def test_a_header_of_labels_only_answers_each_part(q2_grader, tmp_path, a, b, expected):
    document = f"## Q2.1\n\n| (a) | (b) |\n|---|---|\n| {a} | {b} |\n"
    parts = grade_text(q2_grader, tmp_path, document)
    assert (parts["Q2.1a"].status, parts["Q2.1b"].status) == expected, (parts["Q2.1a"].answer, parts["Q2.1b"].answer)


def test_a_header_of_labels_only_in_q23(q2_grader, tmp_path):
    document = ("## Q2.3\n\n| (a) | (b) | (d) |\n|---|---|---|\n| $\\frac14$ | 0.2437 | approx |\n")
    parts = grade_text(q2_grader, tmp_path, document)
    assert {k: (parts[k].status, str(parts[k].answer)) for k in ("Q2.3a", "Q2.3b", "Q2.3d")} == {
        "Q2.3a": ("correct", "\\frac14"), "Q2.3b": ("incorrect", "0.2437"), "Q2.3d": ("correct", "approx")}


def test_a_header_of_labels_only_with_several_rows_is_not_guessed(q2_grader, tmp_path):
    document = "## Q2.1\n\n| (a) | (b) |\n|---|---|\n| 1/2 | 1/48 |\n| 1/4 | 1 |\n"
    part = grade_text(q2_grader, tmp_path, document)["Q2.1a"]
    assert part.status == "could not read" and "one row of values" in part.feedback, (part.answer, part.feedback)


def test_a_header_of_labels_only_is_not_a_row_keyed_by_its_first_label(q2_grader):
    q2 = load_problem_set(ROOT / "problems" / "q2-activations.yaml")
    found = read_markdown_text("## Q2.1\n\n| (a) | (b) |\n|---|---|\n| 1/4 | 1 |\n", q2, source="q2.md").answers
    assert (found["Q2.1a"].value, found["Q2.1a"].line) == ("1/4", 5)
    assert (found["Q2.1b"].value, found["Q2.1b"].line) == ("1", 5)


# -- 3. a set written as a complement ---------------------------------------------------------------------------------

COMPLEMENT_SPEC = """\
id: sets
title: Sets
parts:
  - label: S1
    title: Where x^2 - x >= 0
    points: 1
    kind: interval
    options: {variable: x}
    reference: Complement(Reals, Interval.open(0, 1))
"""


@pytest.fixture(scope="module")
def sets_grader(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "sets.yaml"
    path.write_text(COMPLEMENT_SPEC, encoding="utf-8")
    with Grader(load_references([str(path)]), public_only=True) as grader:
        yield grader


# (the answer, its wrong twin): each right set is ℝ \ (0, 1), each twin leaves out the ends too
COMPLEMENTS = [
    ("x ∈ ℝ \\ (0, 1)", "x ∈ ℝ \\ [0, 1]"),
    ("x in R \\ (0,1)", "x in R \\ [0,1]"),
    ("x ∈ R \\ (0, 1)", "x ∈ R \\ [0, 1]"),
    ("The set is ℝ \\ (0, 1).", "The set is ℝ \\ [0, 1]."),
    ("x in (-inf, inf) \\ (0, 1)", "x in (-inf, inf) \\ [0, 1]"),
    ("$x \\in \\mathbb{R} \\setminus (0,1)$", "$x \\in \\mathbb{R} \\setminus [0,1]$"),
    ("$x \\in \\mathbb{R} \\backslash (0,1)$", "$x \\in \\mathbb{R} \\backslash [0,1]$"),
]


@pytest.mark.parametrize("right, wrong", COMPLEMENTS, ids=[c[0] for c in COMPLEMENTS])
def test_a_complement_is_the_set_difference(sets_grader, tmp_path, right, wrong):
    part = grade_text(sets_grader, tmp_path, f"## S1\n\n{right}\n", name="answer.md")["S1"]
    assert part.status == "correct", (part.answer, part.feedback)
    part = grade_text(sets_grader, tmp_path, f"## S1\n\n{wrong}\n", name="answer.md")["S1"]
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("answer", ["ε ∈ ℝ \\ (0, 1)", "epsilon in R \\ [0,1]", "epsilon in R\\{0}", "ε ∈ R \\ {0}",
                                    "$\\varepsilon \\in \\mathbb{R} \\setminus (0,1)$"])
def test_a_complement_in_q22_is_read_and_wrong(q2_grader, tmp_path, answer):
    part = grade_text(q2_grader, tmp_path, f"## Q2.2\n\n{answer}\n")["Q2.2"]
    assert part.status == "incorrect", (part.answer, part.feedback)
    assert "could not read" not in part.feedback.lower()


def test_a_plain_r_keeps_its_unspaced_set_difference():
    q2 = load_problem_set(ROOT / "problems" / "q2-activations.yaml")
    value = read_markdown_text("## Q2.2\n\nepsilon in R\\{0}\n", q2, source="q2.md").answers["Q2.2"].value
    assert read_math(value).value == sympy.Complement(sympy.Reals, sympy.FiniteSet(0))


@pytest.mark.parametrize("text, expected", [
    ("ℝ \\ (0, 1)", sympy.Complement(sympy.Reals, sympy.Interval.open(0, 1))),
    ("R \\ [0,1]", sympy.Complement(sympy.Reals, sympy.Interval(0, 1))),
    ("R \\ {0}", sympy.Complement(sympy.Reals, sympy.FiniteSet(0))),
    ("(-inf, inf) \\ (0, 1)", sympy.Complement(sympy.Reals, sympy.Interval.open(0, 1))),
    ("\\mathbb{R} \\ ]0, 1[", sympy.Complement(sympy.Reals, sympy.Interval.open(0, 1))),
    ("\\R \\ (-\\infty, 0]", sympy.Interval.open(0, sympy.oo)),
])
def test_read_math_takes_a_backslash_before_an_interval_as_set_difference(text, expected):
    assert read_math(text).value == expected


@pytest.mark.parametrize("text", ["(1+x)\\ (1-x)", "R \\ 2"])
def test_a_backslash_space_before_no_interval_is_still_a_space(text):
    value = read_math(text, variables={"x": sympy.Symbol("x"), "R": sympy.Symbol("R")}).value
    assert not isinstance(value, sympy.Set)
