"""Ways students say the set of Q2.2 that were misread, each through the real pipeline.

Every right phrasing has a wrong twin spelt the same way: a phrasing the grader learns
to read must never turn a wrong answer into a right one.  A wrong set that the spec
lists as a known mistake ([0, ∞), the empty set) gets that mistake's feedback, which
shows the set was read as the student meant it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.checkers.base import Status
from grader.cli import load_references
from grader.equiv import equivalent
from grader.grading import Grader
from grader.mathread import Unreadable, read_math
from grader.readers.markdown import block_statements, parse_sections

NEGATIVE_TOO = "holds for negative ε too"  # the spec's feedback for [0, ∞)
NOT_EMPTY = "the set is not empty"  # and for the empty set


def grade_q2_2(q2_grader: Grader, tmp_path: Path, document: str):
    path = tmp_path / "q2.md"
    path.write_text(document + "\n", encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}["Q2.2"]


# (id, document, status, words the feedback must hold); each "right-" row has a "wrong-" twin.
SET_WORD_INEQUALITIES = [
    # "the set is <an inequality in ε>": the inequality is the set, not its last bound
    ("right-interval-is-chain", "## Q2.2\nThe interval is $-\\infty < \\varepsilon < \\infty$.", "correct", ""),
    ("wrong-interval-is-chain", "## Q2.2\nThe interval is $-1 < \\varepsilon < 1$.", "incorrect", ""),
    ("wrong-set-is-one-sided", "## Q2.2\nThe set is $\\varepsilon \\geq 0$.", "incorrect", NEGATIVE_TOO),
    ("wrong-domain-is-one-sided", "## Q2.2\nThe domain is $\\varepsilon \\ge 0$.", "incorrect", NEGATIVE_TOO),
    ("right-set-is-absolute", "## Q2.2\nThe set is $|\\varepsilon| < \\infty$.", "correct", ""),
    ("wrong-set-is-absolute", "## Q2.2\nThe set is $|\\varepsilon| < 1$.", "incorrect", ""),
    ("right-set-is-plain-chain", "## Q2.2\nThe set is -∞ < ε < ∞.", "correct", ""),
    ("wrong-set-is-plain-one-sided", "## Q2.2\nThe set is ε ≥ 0.", "incorrect", NEGATIVE_TOO),
    ("right-set-is-boxed", "## Q2.2\nThe set is $\\boxed{-\\infty < \\varepsilon < \\infty}$.", "correct", ""),
    ("wrong-set-is-boxed", "## Q2.2\nThe set is $\\boxed{\\varepsilon \\geq 0}$.", "incorrect", NEGATIVE_TOO),
    # outside any section for Q2.2, found by the set word
    ("right-interval-is-chain-unheaded", "# Question 2\n\nThe interval is $-\\infty < \\varepsilon < \\infty$.",
     "correct", ""),
    ("wrong-interval-is-one-sided-unheaded", "# Question 2\n\nThe interval is $\\varepsilon \\geq 0$.", "incorrect",
     NEGATIVE_TOO),
]


@pytest.mark.parametrize("document, status, feedback", [c[1:] for c in SET_WORD_INEQUALITIES],
                         ids=[c[0] for c in SET_WORD_INEQUALITIES])
def test_a_set_word_said_to_be_an_inequality_is_that_set(q2_grader, tmp_path, document, status, feedback):
    part = grade_q2_2(q2_grader, tmp_path, document)
    assert part.status == status, (part.answer, part.feedback)
    assert feedback in part.feedback
    assert "varepsilon" in part.answer or "ε" in part.answer  # the inequality as written, not a bound alone


def test_an_inequality_without_the_variable_is_not_made_a_set(q2_grader, tmp_path):
    part = grade_q2_2(q2_grader, tmp_path, "## Q2.2\nThe set is $\\frac14 \\le 1$.")
    assert part.status != "correct"


def test_two_sets_said_outside_a_section_answer_nothing(q2_grader, tmp_path):
    """The same rule as for "holds for ε ≥ 0" and "holds for all ε ∈ ℝ": which one is meant is not clear."""
    part = grade_q2_2(q2_grader, tmp_path, "# Question 2\n\nThe interval is $\\varepsilon \\geq 0$. The inequality "
                      "holds for $\\varepsilon \\in \\mathbb{R}$.")
    assert part.status == "not answered"


# "in" for ∈ in plain text, between the variable and a set
IN_FOR_MEMBERSHIP = [
    ("right-epsilon-in-interval", "## Q2.2\nepsilon in (-inf, inf)", "correct", ""),
    ("wrong-epsilon-in-interval", "## Q2.2\nepsilon in [0, inf)", "incorrect", NEGATIVE_TOO),
    ("right-in-reals", "## Q2.2\nε in ℝ", "correct", ""),
    ("wrong-in-empty", "## Q2.2\nε in ∅", "incorrect", NOT_EMPTY),
    ("right-is-in", "## Q2.2\nε is in ℝ.", "correct", ""),
    ("wrong-is-in", "## Q2.2\nε is in [0, ∞).", "incorrect", NEGATIVE_TOO),
    ("right-holds-for-all-in", "## Q2.2\nThe inequality holds for all epsilon in (-inf, inf).", "correct", ""),
    ("wrong-holds-for-all-in", "## Q2.2\nThe inequality holds for all epsilon in (0, inf).", "incorrect", ""),
    ("right-in-before-maths", "## Q2.2\nε in $\\mathbb{R}$", "correct", ""),
    ("wrong-in-before-maths", "## Q2.2\nε in $[0, \\infty)$", "incorrect", NEGATIVE_TOO),
    ("right-in-after-prose", "## Q2.2\nIn (a) both are constants. So ε in ℝ.", "correct", ""),
    ("wrong-in-after-prose", "## Q2.2\nIn (a) both are constants. So ε in [0, ∞).", "incorrect", NEGATIVE_TOO),
    ("right-in-unheaded", "# Question 2\n\nThe inequality holds for ε in (-inf, inf).", "correct", ""),
    ("wrong-in-unheaded", "# Question 2\n\nThe inequality holds for ε in [0, inf).", "incorrect", NEGATIVE_TOO),
    # a plain-text interval at the very end of its line is read whole, not up to its comma
    ("right-set-is-at-line-end", "## Q2.2\nThe set is (-inf, inf)", "correct", ""),
    ("wrong-set-is-at-line-end", "## Q2.2\nThe set is (0, inf)", "incorrect", ""),
    # "in" in prose is no relation
    ("prose-in-answers-nothing", "## Q2.2\nIn practice ε is small, as in the plot.", "could not read", ""),
    ("prose-in-keeps-a-wrong-set", "## Q2.2\nAs in the plot, the set is [0, inf).", "incorrect", NEGATIVE_TOO),
    ("prose-in-before-a-set-word", "## Q2.2\nε in practice (0, 1)", "could not read", ""),
]


@pytest.mark.parametrize("document, status, feedback", [c[1:] for c in IN_FOR_MEMBERSHIP],
                         ids=[c[0] for c in IN_FOR_MEMBERSHIP])
def test_in_between_the_variable_and_a_set_is_membership(q2_grader, tmp_path, document, status, feedback):
    part = grade_q2_2(q2_grader, tmp_path, document)
    assert part.status == status, (part.answer, part.feedback)
    assert feedback in part.feedback


@pytest.mark.parametrize("prose", [
    "In practice ε is small, as in the plot.",
    "The values used in [0, 1] and shown in (1, 2) come from ρ(0.05) in (0.25, 0.26).",
    "We see in (a) that ε in the plot is small.",
])
def test_in_is_membership_only_after_a_variable_and_before_a_set(prose):
    block = parse_sections(prose)[0].blocks[0]
    assert all("∈" not in st.ops for st in block_statements(block))


def test_in_after_a_variable_before_a_set_is_one_statement():
    block = parse_sections("For all epsilon in (-inf, inf), the inequality holds.")[0].blocks[0]
    assert [(st.parts, st.ops) for st in block_statements(block)] == [(["epsilon", "(-inf, inf)"], ["∈"])]


# ℝ\{0} typed without spaces is the set difference, as ℝ \ {0} is; LaTeX's \{0\} keeps its braces
R_WITHOUT_0 = sympy.Complement(sympy.Reals, sympy.FiniteSet(0))
WITHOUT_0_SPEC = """\
id: without-zero
title: A set with a hole
parts:
  - label: P1
    title: Where 1/x is defined
    points: 1
    kind: interval
    options: {variable: x}
    reference: Complement(S.Reals, FiniteSet(0))
"""


@pytest.fixture(scope="module")
def without_0_grader(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "without-zero.yaml"
    path.write_text(WITHOUT_0_SPEC)
    with Grader(load_references([str(path)]), public_only=True) as grader:
        yield grader


@pytest.mark.parametrize("text", ["ℝ\\{0}", "x ∈ ℝ\\{0}", "\\mathbb{R}\\{0}", "ℝ\\{0, 1}"])
def test_an_unspaced_backslash_before_a_plain_braced_set_is_the_set_difference(text):
    points = sympy.FiniteSet(0, 1) if "1" in text else sympy.FiniteSet(0)
    assert read_math(text).value == sympy.Complement(sympy.Reals, points)
    assert read_math(text).value == read_math(text.replace("\\{", " \\ {")).value  # as the spaced form


def test_the_unspaced_set_difference_is_checked_as_one():
    def as_set(text: str) -> Status:
        return equivalent(text, r"\mathbb{R} \setminus \{0\}", kind="interval", variables=("epsilon",)).status
    assert as_set("ℝ\\{0}") is Status.CORRECT
    assert as_set("ℝ\\{1}") is Status.INCORRECT
    assert as_set("(0, 2)\\{1}") is Status.INCORRECT


@pytest.mark.parametrize("text", [r"\mathbb{R}\{0\}", "ℝ\\{0\\}"])
def test_latex_braces_after_a_set_keep_their_meaning(text):
    """``\\{0\\}`` is LaTeX for the braces themselves: ℝ{0} is no set difference, so it stays unreadable."""
    with pytest.raises(Unreadable):
        read_math(text)


@pytest.mark.parametrize("document, status", [
    ("## P1\nℝ\\{0}", "correct"),
    ("## P1\nℝ\\{1}", "incorrect"),
    ("## P1\nx ∈ ℝ\\{0}", "correct"),
    ("## P1\nx ∈ ℝ\\{1}", "incorrect"),
    ("## P1\nThe domain is **ℝ**\\{0}.", "correct"),
    ("## P1\nThe domain is **ℝ**\\{1}.", "incorrect"),
    ("## P1\nx in (-1, 1)\\{0}", "incorrect"),
    ("## P1\nℝ\\{0\\}", "could not read"),  # LaTeX's ℝ{0}, as in maths
    ("## P1\n$\\mathbb{R}\\{0\\}$", "could not read"),
])
def test_an_unspaced_set_difference_in_markdown_is_read(without_0_grader, tmp_path, document, status):
    path = tmp_path / "answer.md"
    path.write_text(document + "\n", encoding="utf-8")
    part = without_0_grader.grade("student", [path]).parts[0]
    assert part.status == status, (part.answer, part.feedback)


def test_an_unspaced_set_difference_in_q2_2_is_a_wrong_set_not_unreadable(q2_grader, tmp_path):
    part = grade_q2_2(q2_grader, tmp_path, "## Q2.2\nε ∈ ℝ\\{0}")
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("text, kept", [
    ("ℝ\\{0}", "ℝ\\{0}"), ("(0, 2)\\{1}", "(0, 2)\\{1}"), ("ℝ\\{0\\}", "ℝ\\{0\\}"),
    ("\\{ε ∈ ℝ\\}", "{ε ∈ ℝ}"), ("a \\{b\\} c", "a {b} c"), ("ℝ \\{0}", "ℝ \\{0}"),
])
def test_markdown_keeps_the_backslash_of_a_brace_only_right_after_a_set(text, kept):
    assert parse_sections(text)[0].blocks[0].segments[0].text == kept


# A bare R where a set is expected is ℝ typed without \mathbb; R beside a number or an inequality is not a set.
BARE_R = [
    ("right-plain-R", "## Q2.2\nε ∈ R", "correct", ""),
    ("right-latex-R", "## Q2.2\n$\\varepsilon \\in R$", "correct", ""),
    ("wrong-R-without-0", "## Q2.2\nε ∈ R \\ {0}", "incorrect", ""),
    ("wrong-R-without-interval", "## Q2.2\n$\\varepsilon \\in R \\ (0, 1)$", "incorrect", ""),
    ("unread-less-than-R", "## Q2.2\n$\\varepsilon < R$", "could not read", "must be numbers, not sets"),
    ("unread-greater-than-R", "## Q2.2\n$\\varepsilon > R$", "could not read", "must be numbers, not sets"),
]


@pytest.mark.parametrize("document, status, feedback", [c[1:] for c in BARE_R], ids=[c[0] for c in BARE_R])
def test_a_bare_R_where_a_set_is_expected_is_the_reals(q2_grader, tmp_path, document, status, feedback):
    part = grade_q2_2(q2_grader, tmp_path, document)
    assert part.status == status, (part.answer, part.feedback)
    assert feedback in part.feedback
    assert "could not check" not in part.feedback  # never a checker's crash


def test_an_inequality_with_a_set_for_a_side_is_refused_by_the_set_checker():
    from grader.checkers.sets import IntervalChecker, SetOptions

    verdict = IntervalChecker().check(sympy.Reals, "\\varepsilon \\le R", SetOptions(variable="varepsilon"))
    assert verdict.status is Status.UNREADABLE
    assert "compares numbers, not sets" in verdict.feedback
