"""More notations students use in LaTeX answers, read as a person reads them.

Plain TeX's ``{1 \\over 4}``, a decimal trailing off (``0.2505\\ldots``), bold and siunitx wrappers,
\\nicefrac and \\sfrac, struck-out working (``\\cancel{…}``), a trailing "for all ε", and evaluation bars.
Each was once "could not read" or misread (``{1 \\over 4}`` as the set {1/4}, ``\\mathbf{0.2505}`` as a
product with the letters m·a·t·h).  A wrong value in the new notation stays wrong.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
import sympy

from grader.checkers.base import Status
from grader.equiv import equivalent
from grader.mathread import Unreadable, read_math

eps = sympy.Symbol("epsilon", real=True)
EPS = {"epsilon": eps}
QUARTER = sympy.Rational(1, 4)


def number(text: str, variables=None) -> float:
    return float(read_math(text, variables=variables).value)


def refusal(text: str, variables=None) -> str:
    with pytest.raises(Unreadable) as caught:
        read_math(text, variables=variables)
    return str(caught.value)


def verdict(student: str, reference: str, **options) -> Status:
    return equivalent(student, reference, **options).status


# --- plain TeX's \over ---------------------------------------------------------------
@pytest.mark.parametrize("answer, value", [
    (r"{1 \over 4}", 0.25), (r"{0.2498 \over 0.9975}", 0.2498 / 0.9975), (r"\sigma = {1 \over 4}", 0.25),
    (r"{1 + 2 \over 4}", 0.75), (r"1 + 2 \over 4", 0.75), (r"\frac{1+2\over 4}{2}", 0.375),
    (r"\sqrt{1 \over 4}", 0.5), (r"2^{-{1\over 2}}", 2 ** -0.5), (r"\left( 1 \over 4 \right)", 0.25),
    (r"{1\over4} + {1\over4}", 0.5), (r"\sigma = 1 \over 4", 0.25),
])
def test_over_divides_its_group(answer, value) -> None:
    reading = read_math(answer)
    assert reading.kind == "number"
    assert float(reading.value) == pytest.approx(value)


def test_over_keeps_its_interval_ends_apart() -> None:
    assert read_math(r"[0, 1 \over 2]").value == sympy.Interval(0, sympy.Rational(1, 2))


def test_over_right_and_wrong() -> None:
    assert verdict(r"{1 \over 4}", r"\frac14", kind="number") is Status.CORRECT
    assert verdict(r"{0.2498 \over 0.9975}", "0.2504", kind="number", rtol=1e-3) is Status.CORRECT
    assert verdict(r"{1 \over 3}", r"\frac14", kind="number") is Status.INCORRECT
    assert verdict(r"{4 \over 1}", r"\frac14", kind="number") is Status.INCORRECT
    assert verdict(r"\overline{x}", "x") is not Status.CORRECT  # \overline is no \over


# --- a decimal trailing off ------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    r"0.2505\ldots", r"0.2505\dots", r"0.2505\cdots", "0.2505…", "0.2505...", r"\sigma \approx 0.2505\ldots",
    r"$0.2505\ldots$", r"0.2505 \ldots", r"0{,}2505\ldots",
])
def test_a_decimal_trailing_off_is_the_digits_shown(answer) -> None:
    assert number(answer) == pytest.approx(0.2505)


def test_a_decimal_trailing_off_right_and_wrong() -> None:
    assert verdict(r"0.25047\ldots", "0.250470", kind="number", rtol=1e-4) is Status.CORRECT
    assert verdict("0.25047…", "0.250470", kind="number", rtol=1e-4) is Status.CORRECT
    assert verdict(r"0.2605\ldots", "0.2505", kind="number", rtol=1e-3) is Status.INCORRECT
    assert verdict("0.2605...", "0.2505", kind="number", rtol=1e-3) is Status.INCORRECT


@pytest.mark.parametrize("answer", [r"0.25 + \ldots", r"\frac14 + \dots", "0.1, 0.2, ...", r"0.1 \ldots 0.9"])
def test_dots_that_leave_something_out_stay_unread(answer) -> None:
    with pytest.raises(Unreadable):
        read_math(answer)


# --- bold and other wrappers -------------------------------------------------------------
@pytest.mark.parametrize("answer, value", [
    (r"\mathbf{0.2505}", 0.2505), (r"\mathbf{\tfrac14}", 0.25), (r"\bm{1}", 1), (r"\boldsymbol{1}", 1),
    (r"\pmb{1}", 1), (r"\boldsymbol{\frac{1}{4}}", 0.25), (r"\num{0.2505}", 0.2505), (r"\num{0,2505}", 0.2505),
    (r"\num[round-precision=4]{0.2505}", 0.2505), (r"\num{12 345}", 12345), (r"\nicefrac{1}{4}", 0.25),
    (r"\sfrac{1}{4}", 0.25), (r"\nicefrac14", 0.25), (r"0.25\ \texttt{approx}", 0.25),
])
def test_wrappers_read_as_their_content(answer, value) -> None:
    assert number(answer) == pytest.approx(value)


def test_a_bold_name_is_the_name() -> None:
    x = sympy.Symbol("x", real=True)
    assert read_math(r"\mathbf{x} + 1", variables={"x": x}).value == x + 1
    assert read_math(r"\bm x", variables={"x": x}).value == x
    assert read_math(r"\boldsymbol{\varepsilon}^2", variables=EPS).value == eps**2


def test_wrappers_right_and_wrong() -> None:
    assert verdict(r"\mathbf{0.2505}", "0.2505", kind="number") is Status.CORRECT
    assert verdict(r"\mathbf{0.3505}", "0.2505", kind="number") is Status.INCORRECT
    assert verdict(r"\sfrac{1}{3}", r"\frac14", kind="number") is Status.INCORRECT
    assert verdict(r"\num{0.3}", "0.2505", kind="number", rtol=1e-3) is Status.INCORRECT
    assert verdict(r"\dot\sigma_{\texttt{approx}} = \frac14", r"\frac14", kind="number") is Status.CORRECT


# --- struck-out working ---------------------------------------------------------------------
@pytest.mark.parametrize("answer, value", [
    (r"\cancel{0.25}\; 0.2505", 0.2505), (r"\sout{0.25} 0.2505", 0.2505), (r"\sigma = \cancel{0.25}\,0.2505", 0.2505),
    (r"\frac14 + \cancel{\ddot\sigma(0)\varepsilon}", 0.25), (r"\frac14 - \bcancel{\varepsilon^2}", 0.25),
    (r"\xcancel{\varepsilon} + \frac14", 0.25), (r"\frac{\cancel{2}}{\cancel{2} \cdot 4}", 0.25),
    (r"\frac{\cancel{\varepsilon} \cdot 3}{\cancel{\varepsilon}\cdot 12}", 0.25), (r"\frac14 + \cancelto{0}{\varepsilon}", 0.25),
    (r"\frac14 + \st{\varepsilon}", 0.25),
])
def test_struck_out_working_that_reads_one_way(answer, value) -> None:
    assert number(answer, EPS) == pytest.approx(value)


@pytest.mark.parametrize("answer", [
    r"\cancel{\frac14}", r"2\cancel{\varepsilon}", r"0.2505\,\cancel{0.25}", r"\frac{\cancel{2}}{8}",
    r"\frac{\cancel{2}}{\cancel{3}}", r"e^{-\cancel{\varepsilon}}", r"\cancel{\varepsilon}^2 + 1", r"(\cancel{1}, 2)",
    r"\cancel{\varepsilon}\, \frac14", r"\cancel 3",
])
def test_struck_out_working_that_could_mean_more_than_one_thing_is_refused(answer) -> None:
    message = refusal(answer, EPS)
    assert "struck-out" in message and "cancel" in message


def test_struck_out_working_right_and_wrong() -> None:
    assert verdict(r"\cancel{0.25}\; 0.2505", "0.2505", kind="number") is Status.CORRECT
    assert verdict(r"\cancel{0.2505}\; 0.25", "0.2505", kind="number", rtol=1e-4) is Status.INCORRECT
    assert verdict(r"\frac14 + \cancel{\varepsilon}", r"\frac14", kind="number") is Status.CORRECT
    assert verdict(r"\frac13 + \cancel{\varepsilon}", r"\frac14", kind="number") is Status.INCORRECT
    assert verdict(r"\cancel{\frac14} + \varepsilon", r"\frac14", kind="expression",
                   variables=["epsilon"]) is Status.INCORRECT


# --- a trailing "for all ε" ----------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    r"\frac14 \text{ for all } \varepsilon", r"\frac14 \text{ for all $\varepsilon$}", "1/4 for all ε",
    r"\frac14 \quad \forall \varepsilon", r"\frac14, \text{for every } \varepsilon",
])
def test_for_all_after_a_value_says_where_it_holds(answer) -> None:
    assert read_math(answer, variables=EPS).value == QUARTER
    assert read_math(answer).value == QUARTER


@pytest.mark.parametrize("answer", [
    r"(-\infty, \infty) \text{ for all } \varepsilon", r"\varepsilon \in (-\infty, \infty) \text{ for all } \varepsilon",
    r"]-\infty\,;+\infty[ \text{ for all } \varepsilon", r"]-\infty\,;+\infty[", r"\left]-\infty ; +\infty\right[",
    r"\varepsilon \in ]-\infty\,;\,+\infty[", r"(-\infty,\infty)\text{ for all }\varepsilon\in\mathbb{R}",
    r"\mathbb{R} \text{ for all real } \varepsilon",
])
def test_interval_answers_with_for_all_and_french_brackets(answer) -> None:
    assert verdict(answer, r"(-\infty, \infty)", kind="interval", variables=["epsilon"]) is Status.CORRECT


def test_interval_answers_in_new_notation_stay_wrong_when_wrong() -> None:
    assert verdict(r"]0\,;+\infty[ \text{ for all } \varepsilon", r"(-\infty, \infty)", kind="interval",
                   variables=["epsilon"]) is Status.INCORRECT
    assert verdict(r"(0,\infty)\text{ for all real }\varepsilon", r"(-\infty, \infty)", kind="interval",
                   variables=["epsilon"]) is Status.INCORRECT
    assert verdict(r"[0 ; 1 \over 2[", r"[0, \frac12)", kind="interval") is Status.CORRECT
    assert verdict(r"[0 ; 1 \over 3[", r"[0, \frac12)", kind="interval") is Status.INCORRECT


def test_for_all_that_narrows_the_value_is_not_dropped() -> None:
    assert verdict(r"\frac14 \text{ for all } \varepsilon > 0", r"\frac14", kind="number",
                   variables=["epsilon"]) is not Status.CORRECT


# --- evaluation bars and messages in the student's words -----------------------------------------
def test_an_evaluation_bar_works_out_its_value() -> None:
    assert read_math(r"\left. x^2 \right|_{x=2}").value == 4


@pytest.mark.parametrize("answer", [
    r"\left.\frac{\mathrm d\sigma}{\mathrm dx}\right|_{x=0}", r"\frac{d\sigma}{dx}\Big|_{x=0}",
    r"\dot\sigma(0) = \left.\frac{d\sigma}{d\varepsilon}\right|_{\varepsilon=0}",
])
def test_a_derivative_at_a_point_is_refused_plainly(answer) -> None:
    message = refusal(answer)
    assert "derivative at a point" in message and "write the number it comes to" in message
    assert answer in message  # the student's own text, not the text as tidied for the parser


def test_a_derivative_at_a_point_is_never_zero() -> None:
    assert verdict(r"\frac{d\sigma}{dx}\Big|_{x=0}", "0", kind="number") is Status.UNREADABLE


def test_a_message_quotes_what_the_student_wrote() -> None:
    message = refusal(r"\left. \frac14 +* 2 \right|")
    assert r"\left. \frac14 +* 2 \right|" in message


def test_grader_equiv_reads_the_new_notations() -> None:
    for student in (r"{1 \over 4}", r"\mathbf{\tfrac14}", r"\cancel{0.3}\; 0.25", r"0.25\ldots"):
        done = subprocess.run([sys.executable, "-m", "grader", "equiv", "--kind", "number", student, r"\frac14"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (student, done.stdout, done.stderr)
    done = subprocess.run([sys.executable, "-m", "grader", "equiv", "--kind", "number", r"{1 \over 3}", r"\frac14"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1


def test_an_unclosed_brace_around_over_is_named() -> None:
    assert "never closed" in refusal(r"{1 \over 4")


@pytest.mark.parametrize("answer", ["x -> 0.25", "0.25 -->", r"\sigma \Rightarrow 0.25", r"\frac14 \implies"])
def test_an_arrow_is_named_in_the_refusal(answer) -> None:
    message = refusal(answer)
    assert "an arrow" in message and answer in message


def test_a_limit_keeps_its_arrow() -> None:
    assert read_math(r"\lim_{x \to 0} \frac{\sin x}{x}").value == 1


@pytest.mark.parametrize("answer", [
    r"\dot{\sigma}_{\text{approx}}(\varepsilon)=\frac{1}{4}\quad(\varepsilon\to 0)", "1/4 (ε → 0)",
    r"\frac14 (\text{as } \varepsilon \to 0)",
])
def test_the_limit_a_value_is_taken_in_is_a_remark(answer) -> None:
    assert read_math(answer, variables=EPS).value == QUARTER


def test_a_limit_remark_keeps_a_wrong_value_wrong() -> None:
    assert verdict(r"\frac13 \quad (\varepsilon \to 0)", r"\frac14", kind="number",
                   variables=["epsilon"]) is Status.INCORRECT


def test_angle_brackets_are_brackets() -> None:
    assert read_math(r"\langle 1/4 \rangle").value == QUARTER  # once read as nothing, "too large to display"
    assert verdict(r"\langle 1, 2 \rangle", "(1, 2)") is Status.CORRECT
    assert verdict(r"\langle 1, 3 \rangle", "(1, 2)") is Status.INCORRECT


def test_such_that_written_st_is_no_strike_out() -> None:
    assert "struck-out" not in refusal(r"\{x \st x > 0\}")
