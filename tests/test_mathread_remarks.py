"""Remarks and names in maths as students write them around a value.

A bracket of words after a value ("1/4 (independent of ε)") is a remark on it, dropped like
"(constant)"; a bracket holding maths stays maths.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.mathread import Unreadable, read_math

eps = sympy.Symbol("epsilon", real=True)
EPS = {"epsilon": eps}
QUARTER = sympy.Rational(1, 4)


# --- a bracket of words after a value is a remark ------------------------------------
@pytest.mark.parametrize("answer", [
    "1/4 (constant)", "1/4 (independent of ε)", "1/4 (a constant, independent of ε)",
    r"\frac14 (also independent of $\varepsilon$)", r"\frac{1}{4} (independent of \varepsilon)",
    "1/4 (for all ε)", "1/4 (to first order)", "1/4 (to first order in ε).", r"\frac14 \text{ (for all $\varepsilon$)}",
    r"\frac14 (\text{independent of } \varepsilon)", "1/4 (ε-independent)", "1/4 (const.)",
    r"\frac14\ (\text{to 4 s.f.})", "1/4 (approx)", "1/4 (constant) (to first order)",
    r"\frac14 \text{ (>0)}", "1/4 (> 0)", r"\frac14 \quad (\geq 0)", "1/4 (≤ 1)", "1/4 (<1)",
])
def test_a_bracket_of_words_after_a_value_is_a_remark(answer) -> None:
    assert read_math(answer, variables=EPS).value == QUARTER
    assert read_math(answer).value == QUARTER


def test_a_remark_after_the_value_of_a_statement_is_dropped() -> None:
    reading = read_math("σ̇_approx(ε) = 1/4 (independent of ε)", variables=EPS)
    assert reading.value == QUARTER
    reading = read_math("ρ_approx(ε) = 1/4 (a constant, independent of ε)", variables=EPS)
    assert reading.value == QUARTER
    reading = read_math(r"\varepsilon \in (-\infty, \infty) (for all real \varepsilon)", variables=EPS)
    assert reading.value == sympy.Interval(-sympy.oo, sympy.oo)


def test_a_remark_keeps_a_wrong_value_wrong() -> None:
    assert read_math("1/2 (independent of ε)", variables=EPS).value == sympy.Rational(1, 2)
    assert read_math("1/4 + ε/8 (to first order)", variables=EPS).value == QUARTER + eps / 8


@pytest.mark.parametrize("answer, value", [
    ("(1+ε)/4", (1 + eps) / 4), ("(ε^2)", eps**2), (r"\frac14 (1 + \varepsilon)", (1 + eps) / 4),
    (r"\frac14 (\varepsilon)", eps / 4), (r"\frac14 (1 - \varepsilon^2)", (1 - eps**2) / 4),
])
def test_a_bracket_of_maths_is_still_maths(answer, value) -> None:
    assert sympy.simplify(read_math(answer, variables=EPS).value - value) == 0


@pytest.mark.parametrize("answer", [
    "1/4 (plus ε)", "1/4 (minus ε/8)", "1/4 (times ε)", "(independent of ε)", "1/4 (x)", "4 (reciprocal)",
    "4 (its inverse)", "25 (percent)", "2 (squared)", "1/4 (to the power of ε)", "1/4 (x > 0)",
])
def test_words_that_go_on_with_the_value_are_not_a_remark(answer) -> None:
    # read as maths, where the words are unknown names: never 1/4 with the rest dropped
    with pytest.raises(Unreadable):
        read_math(answer, variables={"epsilon": eps, "a": sympy.Symbol("a"), "b": sympy.Symbol("b")})


def test_letters_of_declared_names_in_brackets_are_a_product() -> None:
    a, b = sympy.symbols("a b", real=True)
    assert read_math(r"\frac14 (ab)", variables={"a": a, "b": b}).value == a * b / 4
    assert read_math(r"\frac14 (abc)").value != QUARTER


# --- the probe's document -------------------------------------------------------------
def grade(q2_grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text("# Question 2\n\n" + text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def test_remarks_with_epsilon_in_a_written_answer(q2_grader, tmp_path) -> None:
    text = ("## Q2.1\n\nBoth second derivatives vanish at 0, so σ̇_approx(ε) = 1/4 (independent of ε) and "
            "tanḣ_approx(ε) = 1 (also independent of ε).\n\n"
            "## Q2.3\n\n(a) ρ_approx(ε) = %s (a constant, independent of ε)\n")
    parts = grade(q2_grader, tmp_path, text % "1/4")
    for label in ("Q2.1a", "Q2.1b", "Q2.3a"):
        assert parts[label].status == "correct", (label, parts[label].feedback)
    wrong = grade(q2_grader, tmp_path, text % "1/2")["Q2.3a"]
    assert wrong.status == "incorrect", wrong.feedback


# --- names the student wrote, never letters they did not ------------------------------
@pytest.mark.parametrize("answer, written", [
    (r"\dot\sigma(0.05)/\dot\tanh(0.05)", r"\dot\sigma"),
    (r"\frac{\dot\sigma(0.05)}{\dot\tanh(0.05)}", r"\dot\sigma"),
    (r"\rho(0.05) = \dot\sigma(0.05)/\dot\tanh(0.05)", r"\dot\sigma"),
    (r"\dot\tanh(0.05)", r"\dot\tanh"),
    (r"\dot{\tanh}_{\text{approx}}(0.05)", r"\dot{\tanh}_{\text{approx}}"),
])
def test_a_decorated_function_at_a_number_is_named_as_written(answer, written) -> None:
    for variables in ({}, EPS):
        with pytest.raises(Unreadable) as refused:
            read_math(answer, variables=variables)
        assert f"unknown function “{written}”" in refused.value.message
        assert "number" in refused.value.message  # says what to write instead


@pytest.mark.parametrize("answer, written", [
    (r"\dot\tanh", r"\dot\tanh"), (r"2\hat{x}", r"\hat{x}"), (r"\dot\sigma_{approx} + 1", r"\dot\sigma_{approx}"),
    (r"\varepsilon + \bar{y}", r"\bar{y}"),
])
def test_an_undeclared_decorated_name_is_named_as_written(answer, written) -> None:
    with pytest.raises(Unreadable) as refused:
        read_math(answer, variables=EPS)
    assert f"unknown name “{written}”" in refused.value.message


def test_a_decorated_name_is_one_name() -> None:
    x_dot = sympy.Symbol("x_dot", real=True)
    assert read_math(r"2\dot{x} + \varepsilon", variables={"x_dot": x_dot, "epsilon": eps}).value == 2 * x_dot + eps
    assert read_math(r"\dot x^2", variables={"x_dot": x_dot}).value == x_dot**2
    assert read_math(r"\dot{x}(1 + \varepsilon)", variables={"x_dot": x_dot, "epsilon": eps}).value \
        == sympy.Mul(x_dot, 1 + eps, evaluate=False).doit()
    assert read_math(r"\hat{\sigma}_{1}").value == sympy.Symbol("sigma_hat_1")
    # undeclared, applied: a function of that name, never a product of letters that cancels the number
    assert read_math(r"\dot\sigma(0.05)/\dot\tanh(0.05)").value \
        == sympy.Function("sigma_dot")(0.05) / sympy.Function("tanh_dot")(0.05)


@pytest.mark.parametrize("answer, word", [
    (r"\frac14 \cdot \varepsilon \; plus", "plus"), (r"\varepsilon \cdot const", "const"),
])
def test_a_word_read_as_letters_is_quoted_whole(answer, word) -> None:
    with pytest.raises(Unreadable) as refused:
        read_math(answer, variables=EPS)
    assert f"“{word}”" in refused.value.message


def test_the_probe_s_ratio_of_functions_is_named_as_written(q2_grader, tmp_path) -> None:
    text = ("## Q2.3\n\n### (b)\nWe have $\\rho(0.05) = \\frac{\\dot\\sigma(0.05)}{\\dot\\tanh(0.05)}$.\n")
    part = grade(q2_grader, tmp_path, text)["Q2.3b"]
    assert part.status == "could not read", part.feedback
    assert "\\dot\\sigma" in part.feedback and "“s”" not in part.feedback and "“t”" not in part.feedback


def test_a_letter_written_alone_is_named_though_a_word_holds_it_too() -> None:
    with pytest.raises(Unreadable) as refused:
        read_math(r"t \cdot const", variables=EPS)
    assert "unknown name “t”" in refused.value.message


def test_a_dotted_sigma_in_unicode_is_named_as_typed_in_latex() -> None:
    with pytest.raises(Unreadable) as refused:
        read_math("σ̇(0.05)", variables={})
    assert "unknown function “\\dot{\\sigma}”" in refused.value.message
    assert "“\\dot{\\sigma}(0.05)” is the function at a point" in refused.value.message


@pytest.mark.parametrize("answer", [
    r"\mathbb{R} (> 0)", r"ℝ (\ge 0)", r"\varepsilon \in \mathbb{R} (> 0)", r"\mathbb{R} \text{ (>0)}",
    r"(-\infty, \infty) (> 0)", "all real numbers (> 0)", r"(-\infty, \infty) (excluding zero)",
    "all real numbers (positive)", r"\mathbb{R} (\text{positive})",
])
def test_a_bracket_that_narrows_a_set_down_is_refused_not_dropped(answer) -> None:
    # ℝ restricted to the positives is another set: read as ℝ, a wrong answer would score as the right one
    with pytest.raises(Unreadable, match="narrows it down"):
        read_math(answer, variables=EPS)


def test_a_remark_after_a_set_that_narrows_nothing_is_still_dropped() -> None:
    assert read_math(r"(-\infty, \infty) (for all real \varepsilon)", variables=EPS).value == sympy.Tuple(
        -sympy.oo, sympy.oo)  # a pair until the checker of an interval reads it as one
    assert read_math(r"\mathbb{R} (constant)", variables=EPS).value == sympy.Reals


@pytest.mark.parametrize("answer", ["1/4 (< 0)", "-1/4 (> 0)", r"\frac14 (\le -1)", "0 (> 0)", r"\frac14 \text{ (<0)}"])
def test_a_value_its_own_comparison_remark_contradicts_is_not_read(answer) -> None:
    # Which did the student mean, the value or the remark? Neither is graded on the value alone.
    with pytest.raises(Unreadable, match="contradicts the value before it"):
        read_math(answer, variables=EPS)
