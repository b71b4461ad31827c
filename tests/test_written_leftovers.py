"""Ways of writing Question 2 that were left unread, each a q2.md graded through the real pipeline, with a wrong
twin where a right answer could pass by accident, and the unreadable kept "could not read" with its text shown.

The shapes: Q2.3(d) said in a few words after its label or after the question asked again; a chain that ends in
a name rather than a value; a set in plain text after "Answer:"; an answer pasted as console output in a fenced
code block; a table with the parts as its columns.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def verdict(part) -> tuple[str, str]:
    return part.status, str(part.answer)


# -- 1. Q2.3(d) in a few words: the spec's synonyms of each choice, and the answer to the question asked again --

@pytest.mark.parametrize("q23, expected", [
    ("(d) the real ratio", ("incorrect", "true")),
    ("(d) real", ("incorrect", "true")),
    ("**(d)** The real one.", ("incorrect", "true")),
    ("(d) the exact one", ("incorrect", "true")),
    ("(d) the approximated one", ("correct", "approx")),
    ("Which decays faster? The approximation.", ("correct", "approx")),
    ("Which one decays faster? The real ratio.", ("incorrect", "true")),
    ("(d) Which curve decays faster? The approximation.", ("correct", "approx")),
    ("Which decays more slowly? The real ratio.", ("correct", "approx")),  # the slower one named
    ("Which decays faster, the approximation or the true ratio?\nThe true ratio.", ("incorrect", "true")),
], ids=["real-ratio", "real", "bold-real-one", "exact-one", "approximated-one", "asked-approximation",
        "asked-real-ratio", "label-then-asked", "asked-slower", "asked-on-its-own-line"])
def test_choice_in_a_few_words(q2_grader, tmp_path, q23, expected):
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n{q23}\n")["Q2.3d"]
    assert verdict(part) == expected, part.feedback


@pytest.mark.parametrize("q23", [
    "(d) not the real ratio",
    "(d) the real question is hard",
    "Which decays faster? I could not tell from my plot.",
    "Which decays faster? Not the approximation.",
])
def test_words_that_name_no_choice_stay_unread(q2_grader, tmp_path, q23):
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n{q23}\n")["Q2.3d"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert q23.split("?")[-1].strip().rstrip(".")[:20] in part.feedback


def test_a_question_asked_and_answered_agrees_with_the_prose(q2_grader, tmp_path):
    """The answer after the question and a sentence of the section saying the other curve: not clear."""
    q23 = "Which decays faster? The approximation.\n\nThe true ratio decays faster than the approximation."
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n{q23}\n")["Q2.3d"]
    assert part.status == "could not read" and "says both ways" in part.feedback


# -- 2. a chain that ends in a name: the value before it is the answer --------------------------------------------

@pytest.mark.parametrize("section, label, expected", [
    ("## Q2.3\n\n$\\rho(0.05) \\approx 0.2505 \\approx \\rho_{\\text{approx}}(0.05)$", "Q2.3b", ("correct", "0.2505")),
    ("## Q2.3\n\n$\\rho(0.05) \\approx 0.2437 \\approx \\rho_{\\text{approx}}(0.05)$", "Q2.3b", ("incorrect", "0.2437")),
    ("## Q2.3\n\n$\\rho(0.05) = \\frac{0.2498}{0.9975} \\approx 0.2505 \\approx \\rho(\\varepsilon)$", "Q2.3b",
     ("correct", "0.2505")),
    ("## Q2.3\n\nρ(0.05) ≈ 0.2505 ≈ ρ_approx(0.05)", "Q2.3b", ("correct", "0.2505")),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 = \\dot\\sigma(0)$", "Q2.1a", ("correct", "\\frac14")),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac12 = \\dot\\sigma(0)$", "Q2.1a", ("incorrect", "\\frac12")),
    # a value last is still the value, whatever names come before it
    ("## Q2.3\n\n$\\rho(0.05) \\approx \\rho_{approx}(0.05) \\approx 0.2437$", "Q2.3b", ("incorrect", "0.2437")),
], ids=["another-quantity", "another-quantity-wrong", "own-name", "plain-text", "approximated-quantity",
        "approximated-quantity-wrong", "value-last"])
def test_a_chain_ending_in_a_name_gives_the_value_before_it(q2_grader, tmp_path, section, label, expected):
    part = grade_text(q2_grader, tmp_path, section + "\n")[label]
    assert verdict(part) == expected, part.feedback


def test_a_chain_ending_in_an_unknown_name_is_not_read_past_it(q2_grader, tmp_path):
    """``q`` is no quantity of the question: what the student says ρ(0.05) is stays as read, unreadable."""
    part = grade_text(q2_grader, tmp_path, "## Q2.3\n\n$\\rho(0.05) \\approx 0.2505 \\approx q_1$\n")["Q2.3b"]
    assert part.status == "could not read" and "q_1" in str(part.answer), (part.answer, part.feedback)


# -- 3. a set in plain text, outside $…$ ---------------------------------------------------------------------------

@pytest.mark.parametrize("q22", [
    "Answer: ℝ",
    "**Answer:** ℝ",
    "Answer: all real numbers",
    "Answer: (-inf, inf)",
    "Final answer: (−∞, ∞).",
    "The set is ℝ.",
    "The interval is (-inf, inf)",
    "Since ¼ ≤ 1, the set is ℝ.",
    "Because the ratio is below one, the set is ℝ.",
    "Both slopes are constants; hence the answer is (-inf, inf).",
])
def test_plain_text_set_after_answer_words(q2_grader, tmp_path, q22):
    part = grade_text(q2_grader, tmp_path, f"## Q2.2\n\n{q22}\n")["Q2.2"]
    assert part.status == "correct", (part.answer, part.feedback)
    assert str(part.answer).strip() in q22 or str(part.answer) == "\\mathbb{R}"


@pytest.mark.parametrize("q22", [
    "(-inf, inf) \\ {0}",
    "Answer: (-inf, inf) \\ {0}",
    "Answer: ℝ \\ {0}",
    "Answer: (0, inf)",
    "Since ¼ ≤ 1, the set is [0, 1].",
])
def test_plain_text_set_that_is_wrong_is_read_and_graded_wrong(q2_grader, tmp_path, q22):
    part = grade_text(q2_grader, tmp_path, f"## Q2.2\n\n{q22}\n")["Q2.2"]
    assert part.status == "incorrect", (part.answer, part.feedback)
    assert str(part.answer).strip() in q22
    assert part.feedback


def test_plain_set_difference_reads_as_the_reals_without_zero():
    import sympy

    from grader.mathread import read_math

    eps = sympy.Symbol("epsilon", real=True)
    without_zero = sympy.Union(sympy.Interval.open(-sympy.oo, 0), sympy.Interval.open(0, sympy.oo))
    for text in ("(-inf, inf) \\ {0}", "(-inf, inf)\\{0}", "(-oo, oo) \\setminus \\{0\\}", "\\mathbb{R} \\setminus \\{0\\}"):
        assert read_math(text, variables={"epsilon": eps}).value == without_zero, text
    assert read_math("(-inf, inf) \\setminus (0, 1)", variables={"epsilon": eps}).value == sympy.Union(
        sympy.Interval(-sympy.oo, 0), sympy.Interval(1, sympy.oo))


@pytest.mark.parametrize("q22", [
    "It is false that, the set is ℝ.", "If ε were negative, the set is ℝ.", "Perhaps, the set is ℝ.",
    "I do not think that, the set is ℝ.",
])
def test_a_set_after_a_clause_that_denies_or_hedges_is_not_the_answer(q2_grader, tmp_path, q22):
    part = grade_text(q2_grader, tmp_path, f"## Q2.2\n\n{q22}\n")["Q2.2"]
    assert part.status != "correct", (part.answer, part.feedback)


def test_plain_text_that_is_no_set_stays_unread(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.2\n\nAnswer: the positive ones, roughly\n")["Q2.2"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert "the positive ones, roughly" in part.feedback


def test_a_set_difference_with_an_unreadable_side_says_which(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.2\n\nAnswer: (-inf, inf) \\ {zero-ish}\n")["Q2.2"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert str(part.answer) == "(-inf, inf) \\ {zero-ish}" and "unknown name “zero”" in part.feedback


# -- 4. console output pasted in a fenced code block under the part's heading ------------------------------------

@pytest.mark.parametrize("document, label, expected", [
    ("## Q2.3\n\n### (b)\n\n```\nrho(0.05) = 0.2505\n```\n", "Q2.3b", ("correct", "0.2505")),
    ("## Q2.3\n\n### (b)\n\n```\nrho(0.05) = 0.2437\n```\n", "Q2.3b", ("incorrect", "0.2437")),
    ("## Q2.3\n\n### (b)\n\nMy script printed:\n\n```console\n0.2505\n```\n", "Q2.3b", ("correct", "0.2505")),
    ("## Q2.2\n\n```text\nepsilon in (-inf, inf)\n```\n", "Q2.2", ("correct", "(-inf, inf)")),
    ("## Q2.2\n\n```text\nepsilon in (0, inf)\n```\n", "Q2.2", ("incorrect", "(0, inf)")),
    ("## Q2.3\n\n```\nrho_approx(eps) = 1/4\nrho(0.05) = 0.2505\n```\n", "Q2.3a", ("correct", "1/4")),
    ("## Q2.3\n\n```\nrho_approx(eps) = 1/4\nrho(0.05) = 0.2505\n```\n", "Q2.3b", ("correct", "0.2505")),
], ids=["named-value", "named-value-wrong", "bare-value-after-words", "set", "set-wrong", "two-lines-first",
        "two-lines-second"])
def test_console_output_in_a_code_block_answers(q2_grader, tmp_path, document, label, expected):
    part = grade_text(q2_grader, tmp_path, document)[label]
    assert verdict(part) == expected, part.feedback
    assert "code block" in part.source


def test_the_sections_own_answer_beats_its_code_block(q2_grader, tmp_path):
    document = "## Q2.2\n\nThe set is $\\varepsilon \\in (0, \\infty)$.\n\n```\nepsilon in (-inf, inf)\n```\n"
    part = grade_text(q2_grader, tmp_path, document)["Q2.2"]
    assert verdict(part) == ("incorrect", "(0, \\infty)") and "code block" not in part.source


def test_program_code_in_a_code_block_is_no_answer(q2_grader, tmp_path):
    """A program is not console output: its assignments are no answer (the code is graded from q2.py)."""
    document = "## Q2.3\n\n### (b)\n\n```python\neps = 0.05\nrho = sigma_dot(eps) / tanh_dot(eps)\n```\n"
    part = grade_text(q2_grader, tmp_path, document)["Q2.3b"]
    assert part.status == "not answered", (part.answer, part.feedback)


def test_unreadable_console_output_is_could_not_read_with_its_text(q2_grader, tmp_path):
    document = "## Q2.3\n\n### (b)\n\n```\nratio: somewhere near a quarter\n```\n"
    part = grade_text(q2_grader, tmp_path, document)["Q2.3b"]
    assert part.status == "could not read" and "somewhere near a quarter" in part.feedback, part.feedback


# -- 5. a table with the parts as its columns -----------------------------------------------------------------------

RIGHT_VALUES = "[0.2505, 9.86\\times10^{-4}, 9.72\\times10^{-7}, 9.44\\times10^{-13}]"


def transposed(a: str, b: str, c: str, d: str, first: str = "part", row: str = "answer") -> str:
    return (f"## Q2.3\n\nMy answers:\n\n| {first} | (a) | (b) | (c) | (d) |\n|---|---|---|---|---|\n"
            f"| {row} | {a} | {b} | {c} | {d} |\n")


@pytest.mark.parametrize("first, row", [("part", "answer"), ("Part", ""), ("", "value")])
def test_parts_as_columns_are_each_read(q2_grader, tmp_path, first, row):
    parts = grade_text(q2_grader, tmp_path, transposed("$\\frac14$", "0.2505", f"${RIGHT_VALUES}$", "approx", first, row))
    assert {label: verdict(parts[label]) for label in ("Q2.3a", "Q2.3b", "Q2.3d")} == {
        "Q2.3a": ("correct", "\\frac14"), "Q2.3b": ("correct", "0.2505"), "Q2.3d": ("correct", "approx")}
    assert parts["Q2.3c"].status == "correct", (parts["Q2.3c"].answer, parts["Q2.3c"].feedback)


def test_parts_as_columns_are_graded_not_passed(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, transposed("$4$", "0.2437", "$[0.5, 0.002, 2e-6, 2e-12]$", "the real one"))
    assert {label: verdict(parts[label]) for label in ("Q2.3a", "Q2.3b", "Q2.3d")} == {
        "Q2.3a": ("incorrect", "4"), "Q2.3b": ("incorrect", "0.2437"), "Q2.3d": ("incorrect", "true")}
    assert parts["Q2.3c"].status == "incorrect"


def test_parts_as_columns_in_q21(q2_grader, tmp_path):
    document = "## Q2.1\n\n| part | (a) | (b) |\n|---|---|---|\n| result | $\\frac14$ | $1 - \\varepsilon$ |\n"
    parts = grade_text(q2_grader, tmp_path, document)
    assert (verdict(parts["Q2.1a"]), verdict(parts["Q2.1b"])) == (("correct", "\\frac14"),
                                                                  ("incorrect", "1 - \\varepsilon"))


def test_parts_as_columns_take_the_row_headed_as_the_answer(q2_grader, tmp_path):
    document = ("## Q2.3\n\n| part | (a) | (b) |\n|---|---|---|\n| working | $\\frac{1/4}{1}$ | $0.2498/0.9975$ |\n"
                "| answer | $\\frac14$ | $0.2437$ |\n| notes | exact | rounded |\n")
    parts = grade_text(q2_grader, tmp_path, document)
    assert (verdict(parts["Q2.3a"]), verdict(parts["Q2.3b"])) == (("correct", "\\frac14"), ("incorrect", "0.2437"))


def test_parts_as_columns_with_no_answer_row_are_not_guessed(q2_grader, tmp_path):
    document = ("## Q2.3\n\n| part | (a) | (b) |\n|---|---|---|\n| first try | $4$ | $0.2437$ |\n"
                "| second try | $\\frac14$ | $0.2505$ |\n")
    part = grade_text(q2_grader, tmp_path, document)["Q2.3b"]
    assert part.status == "could not read" and "second try" in part.feedback, (part.answer, part.feedback)


def test_parts_as_columns_in_any_order(q2_grader, tmp_path):
    document = "## Q2.3\n\n| part | (d) | (b) |\n|---|---|---|\n| answer | true | $0.2505$ |\n"
    parts = grade_text(q2_grader, tmp_path, document)
    assert (verdict(parts["Q2.3d"]), verdict(parts["Q2.3b"])) == (("incorrect", "true"), ("correct", "0.2505"))
