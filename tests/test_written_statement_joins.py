"""Two statements on one line or in one maths span: each quantity keeps its own value.

Read on as one chain, ``a = ε/4, \\dot\\sigma(0) = 1/4`` would give ``a`` the last value, another quantity's,
and a wrong answer would score as the right one.
"""
from __future__ import annotations

import pytest

from test_written_leftovers import grade_text


@pytest.mark.parametrize("line", [
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4}, \dot\sigma(0) = \frac{1}{4}$",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4},\ \dot\sigma(0) = \frac{1}{4}$",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4}, \frac{d\sigma}{dx}(0) = \frac{1}{4}$",
])
def test_a_wrong_value_followed_by_another_quantitys_right_one_stays_wrong(q2_grader, tmp_path, line):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n\n{line}\n")["Q2.1a"]
    assert part.status == "incorrect", (part.answer, part.feedback)
    assert "varepsilon" in str(part.answer) or "ε" in str(part.answer)


def test_two_answers_in_one_span_are_each_read(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path,
                       "## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4}, "
                       "\\dot\\tanh_{approx}(\\varepsilon) = 1$\n")
    assert parts["Q2.1a"].status == "correct" and parts["Q2.1b"].status == "correct"


def test_a_thin_space_before_a_power_of_ten_is_times_in_a_document(q2_grader, tmp_path):
    text = ("## Q2.3\n\n$\\rho(0.05)^{1} \\approx 0.2505$, $\\rho(0.05)^{5} \\approx 9.820\\,10^{-4}$, "
            "$\\rho(0.05)^{10} \\approx 9.65\\times10^{-7}$, $\\rho(0.05)^{20} \\approx 9.31\\times10^{-13}$\n")
    part = grade_text(q2_grader, tmp_path, text)["Q2.3c"]
    assert part.status == "correct", (part.answer, part.feedback)


# -- other languages and scripts: the maths is read whatever the words and punctuation around it -------------

@pytest.mark.parametrize("line", [
    "σ̇_approx(ε) = ε/4，tanḣ_approx(ε) = 1/4",  # a Chinese comma
    "σ̇_approx(ε) = ε/4。tanḣ_approx(ε) = 1/4",  # a Chinese full stop
    "σ̇_approx(ε) = ε/4；σ̇(0) = 1/4",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4}，\dot\sigma(0) = \frac14$",
    "σ̇_approx(ε) = ε/4 und σ̇(0) = 1/4", "σ̇_approx(ε) = ε/4 et σ̇(0) = 1/4", "σ̇_approx(ε) = ε/4, où σ̇(0) = 1/4",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4} \text{ und } \dot\sigma(0) = \frac14$",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4} \text{ y } \dot\sigma(0) = \frac14$",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{\varepsilon}{4} \text{ 和 } \dot\sigma(0) = \frac14$",
])
def test_joined_in_another_language_a_wrong_value_stays_wrong(q2_grader, tmp_path, line):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n\n{line}\n")["Q2.1a"]
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("line", [
    "σ̇_approx(ε) = 1/4，tanḣ_approx(ε) = 1", "σ̇_approx(ε) = 1/4 und tanḣ_approx(ε) = 1",
    "σ̇_approx(ε) = 1/4 et tanḣ_approx(ε) = 1",
    r"$\dot\sigma_{approx}(\varepsilon) = \frac{1}{4} \text{ 和 } \dot\tanh_{approx}(\varepsilon) = 1$",
    "σ̇_approx（ε）＝ １/４，tanḣ_approx（ε）＝ １",  # full-width forms, as Chinese and Japanese keyboards type
    "σ̇_approx(ε) = \u200e1/4\u200f, tanḣ_approx(ε) = \u200e1",  # direction marks around the numbers
])
def test_joined_in_another_language_both_answers_are_read(q2_grader, tmp_path, line):
    parts = grade_text(q2_grader, tmp_path, f"## Q2.1\n\n{line}\n")
    assert parts["Q2.1a"].status == "correct", (parts["Q2.1a"].answer, parts["Q2.1a"].feedback)
    assert parts["Q2.1b"].status == "correct", (parts["Q2.1b"].answer, parts["Q2.1b"].feedback)


def test_full_width_and_arabic_indic_digits_are_numbers():
    from grader.mathread import read_math

    assert float(read_math("０．２５０５").value) == 0.2505
    assert float(read_math("٠٫٢٥٠٥").value) == 0.2505
    assert float(read_math("۰٫۲۵۰۵").value) == 0.2505


def test_a_decimal_comma_in_an_expression_answer_is_a_decimal_point(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, "## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = 0,25$\n\n"
                                            "$\\dot\\tanh_{approx}(\\varepsilon) = 1,0$\n")
    assert parts["Q2.1a"].status == "correct", (parts["Q2.1a"].answer, parts["Q2.1a"].feedback)
    assert parts["Q2.1b"].status == "correct", (parts["Q2.1b"].answer, parts["Q2.1b"].feedback)
    (tmp_path / "q2.md").unlink()
    answers = tmp_path / "answers.yaml"
    answers.write_text("Q2.1a: 0,25\nQ2.1b: '1,0'\nQ2.3a: 0,5\n", encoding="utf-8")
    parts = {p.label: p for p in q2_grader.grade("student", [answers]).parts}
    assert parts["Q2.1a"].status == "correct" and parts["Q2.1b"].status == "correct"
    assert parts["Q2.3a"].status == "incorrect"  # read as 0.5, and wrong: never a pair
