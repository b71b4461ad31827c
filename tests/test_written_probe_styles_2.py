"""More ways of writing Question 2 that a probe of realistic write-ups found misread, each a whole q2.md
graded through the real pipeline, with a wrong twin where a right answer could pass by accident.

The shapes: a table of labelled rows (``| (b) | $0.2505$ |``, ``| Q2.1a | … |``) or a sub-heading inside a
question's section that also holds other text; a table keyed by quantity with a derivation column.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader

Q21 = ("## Q2.1\n\n$\\dot{\\sigma}_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$ and "
       "$\\dot{\\tanh}_{\\text{approx}}(\\varepsilon) = 1$.\n\n")
Q22 = "## Q2.2\n\n$\\varepsilon \\in (-\\infty, \\infty)$\n\n"
Q24 = ("## Q2.4\n\nBPTT multiplies the gradient by one activation derivative per time step. The sigmoid derivative "
       "is at most 1/4 while tanh's is at most 1, so with sigmoid the product shrinks like $(1/4)^T$. Gradients "
       "vanish much faster with sigmoid; tanh suffers less but is not immune.\n")
RIGHT_VALUES = "0.2505,\\ 9.86\\times10^{-4},\\ 9.72\\times10^{-7},\\ 9.44\\times10^{-13}"
WRONG_VALUES = "0.5,\\ 2\\times10^{-3},\\ 2\\times10^{-6},\\ 2\\times10^{-12}"  # each off by more than 10 %


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def document(q23: str, q21: str = Q21, q22: str = Q22) -> str:
    """A whole q2.md whose Q2.1, Q2.2 and Q2.4 are right, with ``q23`` as its Q2.3 section."""
    return q21 + q22 + q23 + "\n\n" + Q24


def assert_statuses(parts: dict, expected: dict[str, str]) -> None:
    got = {label: parts[label].status for label in expected}
    assert got == expected, {label: (parts[label].answer, parts[label].feedback) for label in expected}


ALL_RIGHT = {"Q2.1a": "correct", "Q2.1b": "correct", "Q2.2": "correct", "Q2.3a": "correct", "Q2.3b": "correct",
             "Q2.3c": "correct", "Q2.3d": "correct"}


# -- 1. a table of labelled rows, or a sub-heading, inside a question's section that holds other text too ----

def summary_table(b: str, values: str, header: str = "Answer") -> str:
    return ("## Q2.3\n\nI computed the true ratio numerically with $\\dot\\sigma(0.05) = 0.249844$ and "
            f"$\\dot\\tanh(0.05) = 0.997504$.\n\n| Part | {header} |\n|------|--------|\n"
            f"| (a) | $\\frac{{1}}{{4}}$ |\n| (b) | ${b}$ |\n| (c) | ${values}$ |\n| (d) | approx |")


@pytest.mark.parametrize("header", ["Answer", "Value"])
def test_summary_table_under_a_question_heading_answers_each_row(q2_grader, tmp_path, header):
    parts = grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES, header)))
    assert_statuses(parts, ALL_RIGHT)


def test_summary_table_rows_are_graded_not_passed(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, document(summary_table("0.25", WRONG_VALUES)))
    assert_statuses(parts, {"Q2.3a": "correct", "Q2.3b": "incorrect", "Q2.3c": "incorrect"})


def test_labelled_rows_under_their_question_heading(q2_grader, tmp_path):
    q21 = "## Q2.1\n\nBoth derivatives at 0, first order:\n\n| Part | Value |\n|---|---|\n| Q2.1a | $\\frac14$ |\n"
    parts = grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES),
                                                     q21=q21 + "| Q2.1b | $1 - \\varepsilon$ |\n\n"))
    assert_statuses(parts, {"Q2.1a": "correct", "Q2.1b": "incorrect"})


def test_sub_heading_after_words_in_its_question_section(q2_grader, tmp_path):
    q23 = ("## Q2.3\n\nFirst $\\dot\\sigma(0.05) = 0.249844$.\n\n### (a)\n$\\frac14$\n\n### (b)\n$0.2505$\n\n"
           f"### (c)\n$[{RIGHT_VALUES}]$\n\n### (d)\napprox")
    assert_statuses(grade_text(q2_grader, tmp_path, document(q23)), ALL_RIGHT)
    wrong = q23.replace("$0.2505$", "$0.2437$")
    assert grade_text(q2_grader, tmp_path, document(wrong))["Q2.3b"].status == "incorrect"


def test_labelled_row_beats_the_question_sections_working(q2_grader, tmp_path):
    """The row is where the student gives (b)'s answer: a ρ(0.05) in the working above it does not replace it."""
    q23 = ("## Q2.3\n\nThe true ratio is $\\rho(0.05) = \\frac{0.249844}{0.997504}$.\n\n| Part | Answer |\n|---|---|\n"
           "| (b) | $0.2437$ |\n")
    assert grade_text(q2_grader, tmp_path, document(q23))["Q2.3b"].status == "incorrect"


@pytest.mark.parametrize("value, status", [("0.2505", "correct"), ("0.2437", "incorrect")])
def test_box_after_a_letter_answers_its_part(q2_grader, tmp_path, value, status):
    q23 = f"## Q2.3\n\n(a) $\\rho_{{approx}} = \\frac14$\n\n(b) $\\boxed{{{value}}}$\n"
    assert grade_text(q2_grader, tmp_path, document(q23))["Q2.3b"].status == status


# -- 2. a row keyed by its quantity, with more columns: the answer column, else the last -----------------------

def q21_table(header: str, sigma: str, tanh: str, notes: str = "") -> str:
    return (f"## Q2.1\n\n{header}\n|---|---|---|\n"
            f"| $\\dot\\sigma_{{approx}}(\\varepsilon)$ | $\\dot\\sigma(0) + \\ddot\\sigma(0)\\varepsilon = \\frac14 + 0$ "
            f"| {sigma} |{notes}\n"
            f"| $\\dot\\tanh_{{approx}}(\\varepsilon)$ | $\\dot\\tanh(0) + \\ddot\\tanh(0)\\varepsilon = 1 + 0$ "
            f"| {tanh} |{notes}\n\n")


@pytest.mark.parametrize("header", ["| Quantity | Derivation | Result |", "| Quantity | Derivation | Final |",
                                    "| | | |"])
def test_quantity_row_reads_its_result_column(q2_grader, tmp_path, header):
    right = q21_table(header, "$\\frac{1}{4}$", "$1$")
    assert_statuses(grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES), q21=right)),
                    {"Q2.1a": "correct", "Q2.1b": "correct"})
    wrong = q21_table(header, "$\\frac{1}{4} + \\frac{\\varepsilon}{4}$", "$1 - \\varepsilon$")
    assert_statuses(grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES), q21=wrong)),
                    {"Q2.1a": "incorrect", "Q2.1b": "incorrect"})


def test_quantity_row_never_reads_a_remark_column(q2_grader, tmp_path):
    q21 = q21_table("| Quantity | Derivation | Value | Notes |", "$1 - \\varepsilon$", "$1 - \\varepsilon$",
                    " constant |").replace("|---|---|---|", "|---|---|---|---|")
    parts = grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES), q21=q21))
    assert_statuses(parts, {"Q2.1a": "incorrect", "Q2.1b": "incorrect"})


# -- 3. an explicit answer line wins over the working before it in the same part (a box still wins over it) -----

Q23_REST = (f"### (c)\n$\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $[{RIGHT_VALUES}]$\n\n"
            "### (d)\nThe approximation decays faster.")


def q23_b(b: str) -> str:
    return f"## Q2.3\n\n### (a)\n$\\rho_{{approx}}(\\varepsilon) = \\frac14$\n\n### (b)\n{b}\n\n{Q23_REST}"


DEFINITION = ("The true ratio is $\\rho(0.05) = \\dot\\sigma(0.05)/\\dot\\tanh(0.05)$ with $\\dot\\sigma(0.05) = "
              "0.249844$ and $\\dot\\tanh(0.05) = 0.997504$.\n\n")
FRACTION = "$\\rho(0.05)=\\frac{0.2498}{0.9975}$\n\n"


@pytest.mark.parametrize("b, status", [
    (DEFINITION + "**Answer:** $0.2505$", "correct"),
    (DEFINITION + "**Answer:** $0.2437$", "incorrect"),
    (FRACTION + "**Answer:** $0.2437$", "incorrect"),
    (FRACTION + "Answer: 0.2437", "incorrect"),
    (FRACTION + "Final answer: $0.2505$", "correct"),
    (FRACTION + "The answer is $0.2437$.", "incorrect"),
    ("We have $\\rho(0.05) = \\frac{\\dot\\sigma(0.05)}{\\dot\\tanh(0.05)}$. Numerically this is $0.2505$.", "correct"),
    ("We have $\\rho(0.05) = \\frac{\\dot\\sigma(0.05)}{\\dot\\tanh(0.05)}$. Numerically this is $0.2437$.",
     "incorrect"),
    ("$\\rho(0.05) = \\boxed{0.2505}$\n\n**Answer:** $0.2437$", "correct"),  # the box still wins
    ("$\\rho(0.05) = \\boxed{0.2437}$\n\n**Answer:** $0.2505$", "incorrect"),
], ids=["definition-then-answer", "definition-then-wrong-answer", "fraction-then-wrong-answer",
        "plain-wrong-answer", "final-answer", "answer-is", "numerically", "numerically-wrong", "box-beats-answer",
        "wrong-box-beats-answer"])
def test_answer_line_is_the_answer(q2_grader, tmp_path, b, status):
    assert grade_text(q2_grader, tmp_path, document(q23_b(b)))["Q2.3b"].status == status


@pytest.mark.parametrize("answer, status", [("\\frac14", "correct"), ("4", "incorrect")])
def test_answer_line_after_an_expression_definition(q2_grader, tmp_path, answer, status):
    q23 = ("## Q2.3\n\n### (a)\n$\\rho_{approx}(\\varepsilon) = \\frac{\\dot\\sigma_{approx}(\\varepsilon)}"
           f"{{\\dot\\tanh_{{approx}}(\\varepsilon)}}$\n\n**Answer:** ${answer}$\n\n### (b)\n$0.2505$\n\n{Q23_REST}")
    assert grade_text(q2_grader, tmp_path, document(q23))["Q2.3a"].status == status


def test_answer_line_under_a_letter_in_a_shared_section(q2_grader, tmp_path):
    q23 = ("## Q2.3\n\n(a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n\n(b) $\\rho(0.05) = \\frac{0.2498}{0.9975}$\n\n"
           f"**Answer:** $0.2437$\n\n(c) For $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$\n\n(d) approx")
    assert_statuses(grade_text(q2_grader, tmp_path, document(q23)),
                    {"Q2.3a": "correct", "Q2.3b": "incorrect", "Q2.3c": "correct", "Q2.3d": "correct"})


# -- 4. a numbered list with one item per sub-part of the question: 1.–4. are (a)–(d) --------------------------

def numbered(b: str = "$0.2505$", values: str = RIGHT_VALUES, d: str = "approx") -> str:
    return (f"## Q2.3\n\n1. $\\rho_{{approx}}(\\varepsilon) = \\frac{{1}}{{4}}$\n2. {b}\n3. ${values}$ (see plot below)\n"
            f"4. {d}")


def test_numbered_items_are_the_sub_parts(q2_grader, tmp_path):
    assert_statuses(grade_text(q2_grader, tmp_path, document(numbered())), ALL_RIGHT)
    parts = grade_text(q2_grader, tmp_path, document(numbered("$0.2437$", WRONG_VALUES, "true")))
    assert_statuses(parts, {"Q2.3a": "correct", "Q2.3b": "incorrect", "Q2.3c": "incorrect", "Q2.3d": "incorrect"})


def test_numbered_items_with_names_and_words(q2_grader, tmp_path):
    q23 = ("## Q2.3\n\n1. $\\rho_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$\n2. $\\rho(0.05) = 0.2505$\n"
           "3. $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.2505$, $9.86 \\times 10^{-4}$, $9.72 \\times 10^{-7}$, "
           "$9.44 \\times 10^{-13}$\n4. The approximation decays faster.")
    assert_statuses(grade_text(q2_grader, tmp_path, document(q23)), ALL_RIGHT)


def test_numbered_steps_of_a_derivation_are_not_sub_parts(q2_grader, tmp_path):
    """Two steps under Q2.1, which has two sub-parts, are a derivation: both answers are in the second step."""
    q21 = ("## Q2.1\n\n1. Differentiate: $\\dot\\sigma = \\sigma(1 - \\sigma)$ and $\\dot\\tanh = 1 - \\tanh^2$.\n"
           "2. At 0 the first-order terms vanish, so $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and "
           "$\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n\n")
    parts = grade_text(q2_grader, tmp_path, document(numbered(), q21=q21))
    assert_statuses(parts, {"Q2.1a": "correct", "Q2.1b": "correct"})


def test_a_list_of_other_length_is_not_the_sub_parts(q2_grader, tmp_path):
    q23 = ("## Q2.3\n\n1. $\\rho_{approx}(\\varepsilon) = \\frac14$\n2. $0.2505$\n3. approx\n")
    parts = grade_text(q2_grader, tmp_path, document(q23))
    assert_statuses(parts, {"Q2.3a": "correct", "Q2.3b": "could not read", "Q2.3d": "could not read"})


# -- 5. a part's label on a line of its own without a colon, and Q2-2 headings --------------------------------

def plain_labels(label: str, interval: str = "(-∞, ∞)", choice: str = "The approximation decays faster.") -> str:
    """A write-up without headings, each part opened by ``label`` (``Q2.2)``, ``Q2.2.``, …) on a line of its own."""
    parts = [("Q2.1a", "σ'(x) = σ(x)(1-σ(x)), σ'(0) = 1/4, σ''(0) = 0\nσ̇_approx(ε) = 1/4"),
             ("Q2.1b", "tanh'(0) = 1, tanh''(0) = 0\ntanḣ_approx(ε) = 1"),
             ("Q2.2", f"1/4 <= 1 for all ε so ε ∈ {interval}"),
             ("Q2.3a", "ρ_approx(ε) = 1/4"), ("Q2.3b", "ρ(0.05) = 0.2505"),
             ("Q2.3c", "ρ(0.05)^1 = 0.2505, ρ(0.05)^5 = 9.86e-4, ρ(0.05)^10 = 9.72e-7, ρ(0.05)^20 = 9.44e-13"),
             ("Q2.3d", choice), ("Q2.4", Q24.split("\n\n", 1)[1])]
    return "Question 2\n\n" + "".join(f"{label.format(p, p[1:])}\n{body}\n\n" for p, body in parts)


@pytest.mark.parametrize("label", ["{0})", "{0}.", "{0} (2 points)", "{0}", "Question {1}"])
def test_label_alone_on_its_line(q2_grader, tmp_path, label):
    parts = grade_text(q2_grader, tmp_path, plain_labels(label))
    assert_statuses(parts, {**ALL_RIGHT, "Q2.4": "correct"})
    parts = grade_text(q2_grader, tmp_path, plain_labels(label, "[0, ∞)", "The true ratio decays faster."))
    assert_statuses(parts, {"Q2.2": "incorrect", "Q2.3d": "incorrect"})


@pytest.mark.parametrize("label", ["Q2.2)", "Q2.2."])
def test_label_then_the_answer_on_its_line(q2_grader, tmp_path, label):
    text = Q21 + f"{label} The set is $(-\\infty, \\infty)$.\n\n" + summary_table("0.2505", RIGHT_VALUES)
    assert grade_text(q2_grader, tmp_path, text)["Q2.2"].status == "correct"


def test_a_sentence_opening_with_a_label_is_no_label(q2_grader, tmp_path):
    text = "Question 2\n\nQ2.3 gave ¼ for the approximation\nso the true ratio decays more slowly.\n"
    assert grade_text(q2_grader, tmp_path, text)["Q2.3d"].status == "not answered"


def test_dashed_headings(q2_grader, tmp_path):
    text = document(summary_table("0.2505", RIGHT_VALUES)).replace("## Q2.", "## Q2-")
    assert_statuses(grade_text(q2_grader, tmp_path, text), {**ALL_RIGHT, "Q2.4": "correct"})
    wrong = text.replace("(-\\infty, \\infty)", "(0, \\infty)").replace("| approx |", "| true |")
    assert_statuses(grade_text(q2_grader, tmp_path, wrong), {"Q2.2": "incorrect", "Q2.3d": "incorrect"})


# -- 6. Q2.3c's values after "(c) See the plot below.", named before a colon, or each with its T -------------

def q23_c(c: str) -> str:
    return ("## Q2.3\n\n(a) $\\rho_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$\n\n"
            f"(b) $\\rho(0.05) = \\frac{{0.249844}}{{0.997504}} \\approx 0.2505$\n\n{c}\n\n"
            "(d) The approximation decays faster (its base 0.25 is smaller than 0.2505).")


PAIRS_RIGHT = [("0.2505", "1"), ("9.86e-4", "5"), ("9.72e-7", "10"), ("9.44e-13", "20")]
PAIRS_WRONG = [("0.5", "1"), ("2e-3", "5"), ("2e-6", "10"), ("2e-12", "20")]


def after_t(pairs) -> str:
    return ", ".join(f"T={t}: {v}" for v, t in pairs)


def t_after(pairs) -> str:
    return ", ".join(f"{v} (T={t})" for v, t in pairs[:-1]) + f" and {pairs[-1][0]} (T={pairs[-1][1]})"


@pytest.mark.parametrize("c, status", [
    ("(c) See the plot below.\n\n![rho plot](rho_plot.png)\n\nFor $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, "
     "$9.72\\times10^{-7}$, $9.44\\times10^{-13}$", "correct"),
    ("(c) See the plot below.\n\n![rho plot](rho_plot.png)\n\nFor $T = 1, 5, 10, 20$: $0.5$, $2\\times10^{-3}$, "
     "$2\\times10^{-6}$, $2\\times10^{-12}$", "incorrect"),
    ("(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, $9.72\\times10^{-7}$, "
     "$9.44\\times10^{-13}$", "correct"),
    ("$\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, $9.72\\times10^{-7}$, "
     "$9.44\\times10^{-13}$", "correct"),  # after (b)'s paragraph, unlabelled: named before the colon
    ("$\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.5$, $2\\times10^{-3}$, $2\\times10^{-6}$, $2\\times10^{-12}$",
     "incorrect"),
    ("$\\rho_{approx}(0.05)^T$ for $T = 1, 5, 10, 20$: $0.25$, $9.77\\times10^{-4}$, $9.54\\times10^{-7}$, "
     "$9.09\\times10^{-13}$", "could not read"),  # the approximation's values answer nothing
    (f"The values of $\\rho(0.05)^T$ are {t_after(PAIRS_RIGHT)}.", "correct"),
    (f"The values of $\\rho(0.05)^T$ are {t_after(PAIRS_WRONG)}.", "incorrect"),
    (f"(c) {after_t(PAIRS_RIGHT)}", "correct"),
    (f"(c) {after_t(PAIRS_WRONG)}", "incorrect"),
    (f"(c) {after_t(PAIRS_RIGHT[:2])}", "partial"),
    ("(c) The values for T = 1, 5, 10 and 20 are in the plot.", "could not read"),  # T is never a value
    ("(c) T = 1, 5, 10, 20", "could not read"),
], ids=["after-plot", "after-plot-wrong", "named-after-letter", "named-unlabelled", "named-unlabelled-wrong",
        "approximation-named", "each-with-T", "each-with-T-wrong", "T-colon", "T-colon-wrong", "T-colon-half",
        "T-in-words", "T-alone"])
def test_q23c_values_written_in_prose(q2_grader, tmp_path, c, status):
    parts = grade_text(q2_grader, tmp_path, document(q23_c(c)))
    assert parts["Q2.3c"].status == status, (parts["Q2.3c"].answer, parts["Q2.3c"].feedback)
    assert_statuses(parts, {"Q2.3b": "correct", "Q2.3d": "correct"})


@pytest.mark.parametrize("c, status", [
    (f"The values of $\\rho(0.05)^T$ are approximately {t_after(PAIRS_RIGHT)}.", "correct"),
    (f"$\\rho(0.05)^T \\approx$ {t_after(PAIRS_RIGHT)}.", "correct"),
    (f"The approximation gives {t_after(PAIRS_RIGHT)}.", "could not read"),
    (f"(c) {t_after(PAIRS_WRONG)}. The approximation gives {t_after(PAIRS_RIGHT)}.", "incorrect"),
], ids=["approximately", "approx-sign", "approximation-gives", "approximation-after"])
def test_q23c_values_with_their_T_said_of_the_approximation(q2_grader, tmp_path, c, status):
    parts = grade_text(q2_grader, tmp_path, document(q23_c(c)))
    assert parts["Q2.3c"].status == status, (parts["Q2.3c"].answer, parts["Q2.3c"].feedback)


# -- 7. a remark on the approximation's validity is not Q2.2's set; "(more precisely $0.2505$)" refines ---------

REMARK = ("(Of course the approximation itself is only valid for small $\\varepsilon$, say "
          "$\\varepsilon \\in (-0.1, 0.1)$.)")


@pytest.mark.parametrize("q22, status", [
    (f"## Q2.2\n\nSince $1/4 \\le 1$, the inequality holds for all $\\varepsilon$. {REMARK}\n\n", "correct"),
    (f"## Q2.2\n\nSince $1/4 \\le 1$, $\\varepsilon \\in (-\\infty, \\infty)$. {REMARK}\n\n", "correct"),
    (f"## Q2.2\n\nThe inequality holds for $\\varepsilon \\in [0, \\infty)$. {REMARK}\n\n", "incorrect"),
    ("## Q2.2\n\nThe inequality holds for all $\\varepsilon$ (that is, only for $\\varepsilon \\in (-0.1, 0.1)$).\n\n",
     "incorrect"),  # a remark that narrows the set is no validity remark: never read as ℝ
], ids=["words-then-remark", "set-then-remark", "wrong-set-then-remark", "narrowing-remark"])
def test_validity_remark_is_not_the_set(q2_grader, tmp_path, q22, status):
    parts = grade_text(q2_grader, tmp_path, document(summary_table("0.2505", RIGHT_VALUES), q22=q22))
    assert parts["Q2.2"].status == status, (parts["Q2.2"].answer, parts["Q2.2"].feedback)


@pytest.mark.parametrize("b, status", [
    ("(b) $\\rho(0.05) \\approx 0.25$ (more precisely $0.2505$)", "correct"),
    ("(b) $\\rho(0.05) \\approx 0.2505$ (more precisely $0.2437$)", "incorrect"),
    ("(b) $\\rho(0.05) \\approx 0.25$, or more precisely 0.2505.", "correct"),
    ("(b) $\\rho(0.05) \\approx 0.25$ (to be precise, $0.2505$)", "correct"),
], ids=["maths", "maths-wrong", "plain", "to-be-precise"])
def test_more_precisely_refines_the_value(q2_grader, tmp_path, b, status):
    q23 = ("## Q2.3\n\n(a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n\n" + b + "\n\n(c) For $T = 1, 5, 10, 20$: "
           f"${RIGHT_VALUES}$\n\n(d) The approximation decays faster.")
    parts = grade_text(q2_grader, tmp_path, document(q23))
    assert parts["Q2.3b"].status == status, (parts["Q2.3b"].answer, parts["Q2.3b"].feedback)


@pytest.mark.parametrize("sentence, status", [
    ("The real one decays faster.", "incorrect"),  # "the real one" is the true ratio
    ("The approximation decays faster than the real one.", "correct"),
])
def test_the_real_one_names_the_true_ratio_in_q23d(q2_grader, tmp_path, sentence, status):
    parts = grade_text(q2_grader, tmp_path, f"## Q2.3\n(d) {sentence}\n")
    assert parts["Q2.3d"].status == status, (parts["Q2.3d"].answer, parts["Q2.3d"].feedback)
