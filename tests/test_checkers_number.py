"""Kind number: tolerance relative to the reference, modes, hints, inf/nan."""
from __future__ import annotations

import pytest
import sympy

from grader.checkers import get_checker, make_options
from grader.checkers.base import Status
from grader.checkers.number import significant_figures
from grader.checkers.values import CLOSE_HINT

RHO = 0.2504312  # a reference value computed elsewhere; never shown to students


def check(reference, answer, **options):
    return get_checker("number").check(reference, answer, make_options("number", options))


@pytest.mark.parametrize("reference, answer, options, status, feedback", [
    (sympy.Rational(1, 4), "1/4", {}, Status.CORRECT, "Looks good."),
    (sympy.Rational(1, 4), r"\frac{1}{4}", {}, Status.CORRECT, "Looks good."),
    (sympy.Rational(1, 4), "0.25", {}, Status.CORRECT, "Looks good."),
    (sympy.Rational(1, 4), 0.25, {}, Status.CORRECT, "Looks good."),
    (sympy.Rational(1, 4), "-0.25", {}, Status.INCORRECT, "The sign is wrong."),
    (sympy.Rational(1, 4), "2.5", {}, Status.INCORRECT, "Off by a power of ten (a factor of 10^1): check units and exponents."),
    (RHO, "0.2504", {"rtol": 5e-4}, Status.CORRECT, "Looks good."),
    (RHO, "0.2505", {"rtol": 5e-4}, Status.CORRECT, "Looks good."),
    (RHO, "0.25", {"rtol": 5e-4}, Status.INCORRECT, "Right value, but too few significant figures."),
    (RHO, "0.02504", {"rtol": 5e-4}, Status.INCORRECT, "Off by a power of ten (a factor of 10^-1): check units and exponents."),
    (1e-20, "2e-20", {}, Status.INCORRECT, "The value is not right."),
    (1e-6, "0.0000012", {}, Status.INCORRECT, "The value is not right."),
    (1 / sympy.factorial(2004), r"\frac{1}{2006!}", {}, Status.INCORRECT, "The value is not right."),
    (1 / sympy.Integer(2) ** 99, r"\frac{1}{2^{98}}", {}, Status.INCORRECT, "The value is not right."),
    (1 / sympy.Integer(2) ** 99, r"2^{-99}", {}, Status.CORRECT, "Looks good."),
    (1.0, "1.0000005", {}, Status.CORRECT, "Looks good."),
    (0.0, "1e-10", {"atol": 1e-9}, Status.CORRECT, "Looks good."),
    (3.14159, "3.14", {"mode": "sigfigs", "sigfigs": 3}, Status.CORRECT, "Looks good."),
    (3.14159, "3.1", {"mode": "sigfigs", "sigfigs": 3}, Status.INCORRECT, "Right value, but too few significant figures."),
    (3.14159, "3.142", {"mode": "decimals", "decimals": 3}, Status.CORRECT, "Looks good."),
    (3.14159, "3.141", {"mode": "decimals", "decimals": 3}, Status.INCORRECT, CLOSE_HINT),  # truncated, not rounded
    (9.7e-7, r"10^{-6}", {"mode": "magnitude"}, Status.CORRECT, "Looks good: the order of magnitude is right."),
    (9.7e-7, r"10^{-5}", {"mode": "magnitude"}, Status.INCORRECT, "The order of magnitude is off by about 1."),
    (float("inf"), float("inf"), {}, Status.CORRECT, "Looks good."),
    (float("inf"), "oo", {}, Status.CORRECT, "Looks good."),
    (1.0, float("inf"), {}, Status.INCORRECT, "The answer is infinite; a finite value was expected."),
    (float("nan"), float("nan"), {}, Status.CORRECT, "Looks good."),
    (1.0, float("nan"), {}, Status.INCORRECT, "The answer is not a number (nan)."),
    (sympy.Rational(28, 100), "28%", {}, Status.CORRECT, "Looks good."),
    (28, "28 %", {}, Status.CORRECT, "Looks good."),
])
def test_number_table(reference, answer, options, status, feedback) -> None:
    verdict = check(reference, answer, **options)
    assert (verdict.status, verdict.feedback) == (status, feedback)


def test_feedback_never_reveals_the_reference() -> None:
    for answer in ("0.25", "0.3", "-0.2504", "2.504", "x"):
        assert "2504312" not in check(RHO, answer, rtol=5e-4).feedback


@pytest.mark.parametrize("answer", ["x + 1", "[0, 1)", "", "1 +", True])
def test_unreadable_numbers(answer) -> None:
    verdict = check(1.0, answer)
    assert verdict.status is Status.UNREADABLE
    assert verdict.feedback.startswith("Could not read the answer as a number")


def test_known_mistake_is_matched_with_the_same_call() -> None:
    mistake = sympy.Rational(1, 4)  # the approximation, a listed mistake for rho(0.05)
    assert check(mistake, "0.25", rtol=5e-4).status is Status.CORRECT
    assert check(RHO, "0.25", rtol=5e-4).status is Status.INCORRECT


def test_bad_mode_is_a_spec_error() -> None:
    with pytest.raises(ValueError):
        check(1.0, "1", mode="rounding")


@pytest.mark.parametrize("text, figures", [("0.2504", 4), ("1.0e-6", 2), ("250", 2), ("0.00120", 3), ("x", None)])
def test_significant_figures(text, figures) -> None:
    assert significant_figures(text) == figures


@pytest.mark.parametrize("answer", [0.0, sympy.Float(0.0)])
def test_a_float_zero_is_wrong_not_uncheckable(answer):
    # SymPy's Float(0.0) != 0 once sent the hints to log(0).
    verdict = check(sympy.Rational(1, 4), answer)
    assert verdict.status is Status.INCORRECT and verdict.feedback == "The value is not right."
