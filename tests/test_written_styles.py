"""Ways of labelling and writing Question 2 that students use and the reader missed, each a whole q2.md graded
through the real pipeline, with a wrong twin where a right answer could pass by accident.

Sub-part headings with the letter after a dot, a space or a dash (``## Q2.1.a``, ``## Q2.1 a``, ``## Q2.1-a``,
``### Part A``, ``### Teilaufgabe a)``); question headings in other languages (``## Exercice 2.4``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader

Q21 = ("## Q2.1\n\n$\\dot{\\sigma}_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$ and "
       "$\\dot{\\tanh}_{\\text{approx}}(\\varepsilon) = 1$.\n\n")
Q22 = "## Q2.2\n\n$\\varepsilon \\in (-\\infty, \\infty)$\n\n"
Q24_TEXT = ("BPTT multiplies the gradient by one activation derivative per time step. The sigmoid derivative "
            "is at most 1/4 while tanh's is at most 1, so with sigmoid the product shrinks like $(1/4)^T$. "
            "Gradients vanish much faster with sigmoid; tanh suffers less but is not immune.\n")
Q24 = "## Q2.4\n\n" + Q24_TEXT
RIGHT_VALUES = "$0.2505$, $9.86\\times10^{-4}$, $9.72\\times10^{-7}$, $9.44\\times10^{-13}$"


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def assert_statuses(parts: dict, expected: dict[str, str]) -> None:
    got = {label: parts[label].status for label in expected}
    assert got == expected, {label: (parts[label].answer, parts[label].feedback) for label in expected}


# -- 1. a sub-part's letter after a dot, a space or a dash, or after a word ("Part A", "Teilaufgabe a)") ---------

@pytest.mark.parametrize("heading", ["Q2.1.{}", "Q2.1 {}", "Q2.1-{}", "Q2.1.{})", "Question 2.1.{}", "Q2.1({})"])
def test_q21_sub_part_headings_keep_their_letter(q2_grader, tmp_path, heading):
    text = f"# Question 2\n\n## {heading.format('a')}\n\n$\\frac14$\n\n## {heading.format('b')}\n\n$1$\n"
    parts = grade_text(q2_grader, tmp_path, text)
    assert_statuses(parts, {"Q2.1a": "correct", "Q2.1b": "correct"})
    assert parts["Q2.1b"].answer == "1"
    wrong = grade_text(q2_grader, tmp_path, text.replace("$1$", "$1 - \\varepsilon$"))
    assert_statuses(wrong, {"Q2.1a": "correct", "Q2.1b": "incorrect"})
    assert wrong["Q2.1b"].answer == "1 - \\varepsilon"


def q23_sections(heading: str, level: str = "##", b: str = "0.2505") -> str:
    letters = {"a": "$\\rho_{approx}(\\varepsilon) = \\frac14$", "b": f"${b}$", "c": RIGHT_VALUES, "d": "approx"}
    return "".join(f"{level} {heading.format(letter, upper=letter.upper())}\n\n{answer}\n\n"
                   for letter, answer in letters.items())


Q23_RIGHT = {"Q2.3a": "correct", "Q2.3b": "correct", "Q2.3c": "correct", "Q2.3d": "correct"}


@pytest.mark.parametrize("heading", ["Q2.3.{}", "Q2.3 {}", "Q2.3-{}", "Q2.3.{})", "Question 2.3.{}", "Q2.3 {})",
                                     "Problem 2.3{}", "Aufgabe 2.3 {})"])
def test_q23_sub_part_headings_keep_their_letter(q2_grader, tmp_path, heading):
    parts = grade_text(q2_grader, tmp_path, Q21 + Q22 + q23_sections(heading) + Q24)
    assert_statuses(parts, Q23_RIGHT)
    assert parts["Q2.3b"].answer == "0.2505"
    wrong = grade_text(q2_grader, tmp_path, Q21 + Q22 + q23_sections(heading, b="0.2437") + Q24)
    assert_statuses(wrong, {"Q2.3b": "incorrect"})
    assert wrong["Q2.3b"].answer == "0.2437"


@pytest.mark.parametrize("heading", ["Part {}", "Part {upper}", "Teilaufgabe {})", "Part ({})", "({})", "{})"])
def test_letter_headings_under_the_question(q2_grader, tmp_path, heading):
    text = Q21 + Q22 + "## Q2.3\n\n" + q23_sections(heading, level="###") + Q24
    parts = grade_text(q2_grader, tmp_path, text)
    assert_statuses(parts, Q23_RIGHT)
    wrong = grade_text(q2_grader, tmp_path, text.replace("$0.2505$\n", "$0.2437$\n"))
    assert_statuses(wrong, {"Q2.3b": "incorrect"})


def test_feedback_names_the_sub_parts_own_section(q2_grader, tmp_path):
    """An unreadable answer under '## Q2.1.b' is quoted from that section, not from (a)'s."""
    text = "# Question 2\n\n## Q2.1.a\n\n$\\frac14$\n\n## Q2.1.b\n\nI am not sure here.\n"
    parts = grade_text(q2_grader, tmp_path, text)
    assert_statuses(parts, {"Q2.1a": "correct", "Q2.1b": "could not read"})
    assert "'Q2.1.b'" in parts["Q2.1b"].feedback and "I am not sure here" in parts["Q2.1b"].feedback


def test_a_word_after_the_number_is_no_letter(q2_grader, tmp_path):
    """'## Q2.4 A short answer' is Q2.4 with a title, not a sub-part A."""
    parts = grade_text(q2_grader, tmp_path, Q21 + Q22 + "## Q2.4 A short answer\n\n" + Q24_TEXT)
    assert parts["Q2.4"].status != "not answered"


# -- 2. question headings in the language the student writes in ------------------------------------------------

@pytest.mark.parametrize("word", ["Exercice", "Pregunta", "Ejercicio", "Esercizio", "Opgave", "Frage", "Zadanie",
                                  "Problema", "Übung", "Aufgabe"])
def test_question_headings_in_other_languages(q2_grader, tmp_path, word):
    text = (Q21 + Q22).replace("## Q2.", f"## {word} 2.") + f"## {word} 2.4\n\n" + Q24_TEXT
    parts = grade_text(q2_grader, tmp_path, text)
    assert_statuses(parts, {"Q2.1a": "correct", "Q2.1b": "correct", "Q2.2": "correct", "Q2.4": "correct"})
    assert parts["Q2.4"].answer.startswith("BPTT multiplies")
    wrong = grade_text(q2_grader, tmp_path, text.replace("(-\\infty, \\infty)", "(0, \\infty)"))
    assert_statuses(wrong, {"Q2.2": "incorrect"})


def test_sub_part_headings_under_a_heading_in_another_language(q2_grader, tmp_path):
    text = Q21 + Q22 + "## Exercice 2.3\n\n" + q23_sections("Question 2.3.{}", level="###") + Q24
    assert_statuses(grade_text(q2_grader, tmp_path, text), Q23_RIGHT)
    text = Q21 + Q22 + "## Pregunta 2.3\n\n" + q23_sections("({})", level="###") + Q24
    assert_statuses(grade_text(q2_grader, tmp_path, text), Q23_RIGHT)


# -- 3. Q2.3c as a list of percentages -----------------------------------------------------------------------------

def q23_with_c(c: str) -> str:
    """A whole q2.md whose parts are right but for Q2.3c, written as ``c``."""
    return (Q21 + Q22 + "## Q2.3\n\n(a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n\n(b) $\\rho(0.05) \\approx 0.2505$\n\n"
            f"(c) {c}\n\n(d) approx\n\n" + Q24)


NAMED = "$\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: "


@pytest.mark.parametrize("values", [
    "$25.05\\%$, $0.0986\\%$, $9.72\\times10^{-5}\\%$, $9.44\\times10^{-11}\\%$",
    "$25.05\\%$, $0.0986\\%$, $0.0000972\\%$, $0.0000000000944\\%$",
    "25.05%, 0.0986%, 0.0000972%, 9.44e-11%",
    "$25.05\\%, 0.0986\\%, 9.72\\times10^{-5}\\%, 9.44\\times10^{-11}\\%$",
])
def test_list_of_percentages(q2_grader, tmp_path, values):
    parts = grade_text(q2_grader, tmp_path, q23_with_c(NAMED + values))
    assert_statuses(parts, {"Q2.3c": "correct"})
    assert "25.05" in parts["Q2.3c"].answer and "0.0986" in parts["Q2.3c"].answer


def test_list_of_percentages_stays_graded(q2_grader, tmp_path):
    """25 % where ρ(0.05)¹ is 25.05 % is within 10 %; 1 % where ρ(0.05)⁵ is 0.0986 % is not: three of four."""
    parts = grade_text(q2_grader, tmp_path, q23_with_c(NAMED + "$25\\%$, $1\\%$, $9.72\\times10^{-5}\\%$, "
                                                                  "$9.44\\times10^{-11}\\%$"))
    assert_statuses(parts, {"Q2.3c": "partial"})
    assert parts["Q2.3c"].score == pytest.approx(0.75)


@pytest.mark.parametrize("values", ["$25.05\\%$, $0.0986\\%$", "$0.2505$, $9.86\\times10^{-4}$"])
@pytest.mark.parametrize("index", ["$T = 1, 5, 10, 20$", "$T = 1, 5$"])
def test_a_shorter_list_earns_the_share_of_its_values(q2_grader, tmp_path, values, index):
    """Two values for T = 1 and 5 earn half the part, and the feedback names the two not given."""
    parts = grade_text(q2_grader, tmp_path, q23_with_c(f"$\\rho(0.05)^T$ for {index}: {values}"))
    assert_statuses(parts, {"Q2.3c": "partial"})
    assert parts["Q2.3c"].score == pytest.approx(0.5)


def test_a_shorter_list_for_other_indices_is_not_read_as_the_questions(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, q23_with_c("$\\rho(0.05)^T$ for $T = 2, 3$: $0.0628$, $0.0157$"))
    assert parts["Q2.3c"].status == "could not read"
    assert "T = 2, 3" in parts["Q2.3c"].feedback


def test_an_unnamed_short_list_is_not_guessed(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, q23_with_c("$0.2505$, $9.86\\times10^{-4}$"))
    assert parts["Q2.3c"].status == "could not read"
    assert "0.2505" in parts["Q2.3c"].feedback


# -- 4. the values at an evaluation bar: ρ(0.05)^T |_{T=1,5,10,20} ≈ … -------------------------------------------

RIGHT_LIST = "0.2505,\\ 9.86\\times10^{-4},\\ 9.72\\times10^{-7},\\ 9.44\\times10^{-13}"
WRONG_LIST = "0.2505,\\ 9.86\\times10^{-4},\\ 9.72\\times10^{-5},\\ 9.44\\times10^{-9}"  # the last two off


@pytest.mark.parametrize("bar", ["\\Big|_{T=1,5,10,20}", "|_{T=1,5,10,20}", "\\bigg|_{T = 1, 5, 10, 20}",
                                 "\\right|_{T=1,5,10,20}", "\\Big\\vert_{T=1,5,10,20}"])
@pytest.mark.parametrize("display", [False, True])
def test_values_at_an_evaluation_bar(q2_grader, tmp_path, bar, display):
    left = "\\left." if bar.startswith("\\right") else ""
    maths = f"{left}\\rho(0.05)^{{T}}{bar} \\approx {RIGHT_LIST}"
    parts = grade_text(q2_grader, tmp_path, q23_with_c(f"\\[\n{maths}\n\\]" if display else f"${maths}$"))
    assert_statuses(parts, {"Q2.3c": "correct"})
    assert "9.44\\times10^{-13}" in parts["Q2.3c"].answer
    wrong = grade_text(q2_grader, tmp_path, q23_with_c(f"${maths.replace(RIGHT_LIST, WRONG_LIST)}$"))
    assert_statuses(wrong, {"Q2.3c": "partial"})
    assert wrong["Q2.3c"].score == pytest.approx(0.5)


def test_evaluation_bar_in_another_order(q2_grader, tmp_path):
    values = "9.44\\times10^{-13},\\ 9.72\\times10^{-7},\\ 9.86\\times10^{-4},\\ 0.2505"
    parts = grade_text(q2_grader, tmp_path, q23_with_c(f"$\\rho(0.05)^{{T}}\\Big|_{{T=20,10,5,1}} \\approx {values}$"))
    assert_statuses(parts, {"Q2.3c": "correct"})


def test_evaluation_bar_at_other_indices_is_not_the_questions(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, q23_with_c(f"$\\rho(0.05)^{{T}}\\Big|_{{T=2,3,4,6}} \\approx {RIGHT_LIST}$"))
    assert parts["Q2.3c"].status == "could not read"
    assert "T = 2, 3, 4, 6" in parts["Q2.3c"].feedback


# -- 5. an explicit correction of the Q2.3d choice -----------------------------------------------------------------

def q23_with_d(d: str, after_d: str = "") -> str:
    return (Q21 + Q22 + "## Q2.3\n\n(a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n\n(b) $\\rho(0.05) \\approx 0.2505$\n\n"
            f"(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: {RIGHT_VALUES}\n\n(d) {d}\n\n{after_d}\n\n" + Q24)


@pytest.mark.parametrize("first, correction, status", [
    ("true", "Correction: I misread my plot: the approximation decays faster.", "correct"),
    ("approx", "Correction: looking at my plot again, the true ratio decays faster.", "incorrect"),
    ("true", "**Correction:** the approximation decays faster.", "correct"),
    ("true", "Edit: the approximation decays faster.", "correct"),
])
def test_correction_paragraph_replaces_the_choice(q2_grader, tmp_path, first, correction, status):
    parts = grade_text(q2_grader, tmp_path, q23_with_d(first, correction))
    assert_statuses(parts, {"Q2.3d": status})
    assert parts["Q2.3d"].answer == ("approx" if status == "correct" else "true")


def test_correction_in_the_same_paragraph(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, q23_with_d("true. Correction: the approximation decays faster."))
    assert_statuses(parts, {"Q2.3d": "correct"})


def test_a_correction_of_another_part_keeps_the_choice(q2_grader, tmp_path):
    """'Correction: …' that says no choice (it corrects (b)) leaves (d)'s answer as it was."""
    text = q23_with_d("approx", "Correction: I divided by the wrong value; $\\rho(0.05) \\approx 0.2505$.")
    assert_statuses(grade_text(q2_grader, tmp_path, text), {"Q2.3d": "correct", "Q2.3b": "correct"})


def test_both_ways_without_a_correction_stay_unread(q2_grader, tmp_path):
    """Without the word 'Correction', an answer and a sentence saying the other still say both ways."""
    parts = grade_text(q2_grader, tmp_path, q23_with_d("true", "Looking at my plot, the approximation decays faster."))
    assert parts["Q2.3d"].status == "could not read"
    assert "both ways" in parts["Q2.3d"].feedback


def test_a_correction_that_says_both_ways_stays_unread(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, q23_with_d(
        "true", "Correction: the approximation decays faster at first, but the true ratio decays faster overall."))
    assert parts["Q2.3d"].status == "could not read"


# -- 6. a decimal comma -------------------------------------------------------------------------------------------

def q23_with_b(b: str) -> str:
    return (Q21 + Q22 + f"## Q2.3\n\n(a) $\\rho_{{approx}}(\\varepsilon) = \\frac14$\n\n(b) {b}\n\n"
            f"(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: {RIGHT_VALUES}\n\n(d) approx\n\n" + Q24)


@pytest.mark.parametrize("b", ["$\\rho(0.05) \\approx 0,2505$", "ρ(0.05) ≈ 0,2505", "$\\rho(0.05) = 0,25047$"])
def test_decimal_comma_in_a_number(q2_grader, tmp_path, b):
    parts = grade_text(q2_grader, tmp_path, q23_with_b(b))
    assert_statuses(parts, {"Q2.3b": "correct"})


@pytest.mark.parametrize("b, read", [("$\\rho(0.05) \\approx 0,2437$", "0.2437"), ("$\\rho(0.05) \\approx 3,14$", "3.14")])
def test_decimal_comma_in_a_wrong_number_is_said(q2_grader, tmp_path, b, read):
    part = grade_text(q2_grader, tmp_path, q23_with_b(b))["Q2.3b"]
    assert part.status == "incorrect"
    assert part.read_line() == f"Read: {read} (written with a decimal comma)"


def test_decimal_comma_before_three_digits_after_a_zero(q2_grader, tmp_path):
    """0,250 cannot group thousands: it is 0.250, the approximation's value (a known mistake)."""
    part = grade_text(q2_grader, tmp_path, q23_with_b("$\\rho(0.05) \\approx 0,250$"))["Q2.3b"]
    assert part.status == "incorrect"
    assert "approximation" in part.feedback


@pytest.mark.parametrize("b", ["$\\rho(0.05) \\approx 1,000$", "$\\rho(0.05) \\approx 2{,}500$"])
def test_a_comma_before_three_digits_is_ambiguous(q2_grader, tmp_path, b):
    part = grade_text(q2_grader, tmp_path, q23_with_b(b))["Q2.3b"]
    assert part.status == "could not read"
    number = "1000 or 1.0" if "1,000" in b else "2500 or 2.5"
    assert f"write {number}" in part.feedback


@pytest.mark.parametrize("values, status", [
    ("$0,2505$; $9,86\\cdot10^{-4}$; $9,72\\cdot10^{-7}$; $9,44\\cdot10^{-13}$", "correct"),
    ("0,2505; 9,86·10⁻⁴; 9,72·10⁻⁷; 9,44·10⁻¹³", "correct"),
    ("$0,2505; 9,86\\cdot10^{-4}; 9,72\\cdot10^{-7}; 9,44\\cdot10^{-13}$", "correct"),
    ("0,2505; 9,86·10⁻⁴; 9,72·10⁻⁵; 9,44·10⁻⁹", "partial"),
])
def test_list_with_decimal_commas_separated_by_semicolons(q2_grader, tmp_path, values, status):
    parts = grade_text(q2_grader, tmp_path, q23_with_c(NAMED + values))
    assert_statuses(parts, {"Q2.3c": status})


# -- 7. messages that name what was written, read-backs without stray points, advice that fits ----------------------

@pytest.mark.parametrize("written, means", [
    ("\\mathbb{R}^+", "(0, \\infty) in some books and [0, \\infty) in others"),
    ("\\mathbb{R}_+", "(0, \\infty) in some books and [0, \\infty) in others"),
    ("\\mathbb{R}^-", "(-\\infty, 0) in some books and (-\\infty, 0] in others"),
    ("\\mathbb{R}^*", "\\mathbb{R}\\setminus\\{0\\} in most books and (0, \\infty) in some books"),
])
def test_an_ambiguous_set_of_reals_is_named_as_written(q2_grader, tmp_path, written, means):
    part = grade_text(q2_grader, tmp_path, Q21 + f"## Q2.2\n\n$\\varepsilon \\in {written}$\n\n" + Q24)["Q2.2"]
    assert part.status == "could not read"
    assert f"{written} means {means}" in part.feedback


def test_an_ambiguous_set_of_reals_in_unicode_is_named_too(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, Q21 + "## Q2.2\n\nε ∈ ℝ⁻\n\n" + Q24)["Q2.2"]
    assert part.status == "could not read"
    assert "\\mathbb{R}^- means (-\\infty, 0)" in part.feedback


@pytest.mark.parametrize("said, read", [("It holds for all ε > 0.", "(0, \\infty)"),
                                        ("The inequality holds for all ε with |ε| < 1.", "(-1, 1)"),
                                        ("It holds for all ε ≥ 0.5.", "[0.5, \\infty)")])
def test_bounds_said_in_prose_read_back_without_the_full_stop(q2_grader, tmp_path, said, read):
    part = grade_text(q2_grader, tmp_path, Q21 + f"## Q2.2\n\n{said}\n\n" + Q24)["Q2.2"]
    assert part.status == "incorrect"
    assert part.answer == read


@pytest.mark.parametrize("between", ["\n\n", "\n"])
def test_a_label_alone_on_its_line_is_named_in_the_source(q2_grader, tmp_path, between):
    text = f"Question 2\n\nQ2.2{between}(−∞, ∞)\n\nQ2.3\n\n(b) 0.2505\n"
    parts = grade_text(q2_grader, tmp_path, text)
    assert_statuses(parts, {"Q2.2": "correct", "Q2.3b": "correct"})
    source = parts["Q2.2"].source
    assert "outside any section" not in source
    assert "under the label 'Q2.2' (line 3)" in source and "'## Q2.2'" in source
    wrong = grade_text(q2_grader, tmp_path, text.replace("(−∞, ∞)", "[0, ∞)"))
    assert_statuses(wrong, {"Q2.2": "incorrect"})
