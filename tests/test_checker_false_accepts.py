"""Wrong written answers the checkers once marked right, and a message meant for code.

* an interval closed at ±∞ (``[-\\infty, \\infty]``) is not ℝ: ∞ is not a real number;
* a percent sign divides by 100: ``0.2505 %`` is not 0.2505, while ``25.05 %`` is,
  and ``28 %`` still matches a reference of 28 (a count of percent);
* a value left out of a written list is named as missing, not blamed on a nan from code.
"""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from grader.checkers import get_checker, make_options
from grader.checkers.base import Status
from grader.checkers.number import PERCENT_HINT
from grader.checkers.sets import CLOSED_AT_INFINITY
from grader.equiv import equivalent
from grader.mathread import Reading, read_math

EPSILON = {"epsilon": sympy.Symbol("epsilon", real=True)}
Q2_3C = [0.2505, 9.9e-4, 9.7e-7, 9.4e-13]
NAN_HINT = "look for an overflow or a division by zero"


def check(kind: str, reference, answer, **options):
    return get_checker(kind).check(reference, answer, make_options(kind, options))


def part(q2_grader, tmp_path: Path, name: str, text: str, label: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}[label]


# --- an end closed at ±∞ -------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _ClosedAtInfinity(Reading):
    """A reading that reports an end written closed at ±∞, as SymPy cannot keep one."""

    closed_at_infinity: bool = True


def closed_at_infinity(text: str) -> Reading:
    reading = read_math(text, variables=EPSILON)
    return _ClosedAtInfinity(**{f.name: getattr(reading, f.name) for f in dataclasses.fields(Reading)})


def test_reals_closed_at_infinity_are_wrong_only_by_their_end_types():
    verdict = check("interval", sympy.Reals, closed_at_infinity(r"\varepsilon \in [-\infty, \infty]"),
                    variable="epsilon")
    assert (verdict.status, verdict.feedback) == (Status.INCORRECT, CLOSED_AT_INFINITY)
    assert "∞ is not a real number, so the interval is open there" in verdict.feedback


def test_a_closed_end_at_infinity_does_not_hide_other_mistakes():
    verdict = check("interval", sympy.Reals, closed_at_infinity(r"\varepsilon \in [0, \infty]"), variable="epsilon")
    assert (verdict.status, verdict.feedback) == (Status.INCORRECT, "The set is not right.")


def test_the_same_reading_without_a_closed_end_is_right():
    verdict = check("interval", sympy.Reals, read_math(r"\varepsilon \in (-\infty, \infty)", variables=EPSILON),
                    variable="epsilon")
    assert verdict.status is Status.CORRECT


def test_a_finite_end_of_the_wrong_type_is_still_named():
    verdict = check("interval", sympy.Interval(0, sympy.oo), r"\varepsilon \in (0, \infty)", variable="epsilon")
    assert verdict.status is Status.INCORRECT and verdict.feedback.startswith("The endpoints are right")


@pytest.mark.parametrize("text", [r"\varepsilon \in [-\infty, \infty]", r"\varepsilon \in [-\infty, \infty)",
                                  r"\varepsilon \in \left[-\infty, \infty\right]", "[-oo, oo]", "]-∞, +∞]"])
def test_written_reals_closed_at_infinity_are_wrong(text):
    verdict = equivalent(text, r"(-\infty, \infty)", kind="interval", variables=["epsilon"])
    assert (verdict.status, verdict.feedback) == (Status.INCORRECT, CLOSED_AT_INFINITY)


# --- percent signs ----------------------------------------------------------------
@pytest.mark.parametrize("reference, answer, options, status", [
    (0.2505, r"25.05\%", {"rtol": 5e-4}, Status.CORRECT),  # x % is x/100
    (0.2505, "25.05 percent", {"rtol": 5e-4}, Status.CORRECT),
    (sympy.Rational(28, 100), "28%", {}, Status.CORRECT),
    (28, "28 %", {}, Status.CORRECT),  # a reference above 1 may count percent
    (-28, "-28%", {}, Status.CORRECT),
    (28, "28", {}, Status.CORRECT),
    (0.2505, r"0.2505\%", {"rtol": 5e-4}, Status.INCORRECT),  # at most 1: may be a ratio
    (0.2505, r"\rho(0.05) \approx 0.2505\%", {"rtol": 5e-4}, Status.INCORRECT),
    (1, "1%", {}, Status.INCORRECT),
    (28, "28%", {"percent": False}, Status.INCORRECT),  # a % sign always divides by 100
    (0.5, r"0.5\%", {"percent": True}, Status.CORRECT),  # the reference counts percent
    (0.5, "0.5", {"percent": True}, Status.CORRECT),
    (28, r"2800\%", {"percent": True}, Status.INCORRECT),
    (0.28, "28%", {"percent": True}, Status.INCORRECT),
])
def test_percent_signs(reference, answer, options, status):
    assert check("number", reference, answer, **options).status is status


def test_a_percent_sign_that_makes_a_right_number_wrong_says_so():
    verdict = check("number", 0.2505, r"0.2505\%", rtol=5e-4)
    assert verdict.feedback == PERCENT_HINT
    assert check("number", 28, "28%", percent=False).feedback == PERCENT_HINT
    assert check("number", 0.2505, r"3\%", rtol=5e-4).feedback == "The value is not right."


def test_the_percent_option_must_be_true_or_false():
    with pytest.raises(ValueError, match="'percent' must be true or false"):
        make_options("number", {"percent": "yes"})


@pytest.mark.parametrize("value, status", [(r"0.2505\%", "incorrect"), (r"25.05\%", "correct"),
                                           ("0.2505", "correct")])
def test_q2_3b_written_with_a_percent_sign(q2_grader, tmp_path, value, status):
    found = part(q2_grader, tmp_path, "q2.md", f"## Q2.3\n### Q2.3(b)\n$\\rho(0.05) \\approx {value}$\n", "Q2.3b")
    assert found.status == status
    if status == "incorrect":
        assert "100 times smaller" in found.feedback


def test_grader_equiv_with_the_number_kind_reads_a_percent_sign_literally():
    assert equivalent(r"0.2505\%", "0.2505", kind="number", rtol=5e-4).status is Status.INCORRECT
    assert equivalent(r"25.05\%", "0.2505", kind="number", rtol=5e-4).status is Status.CORRECT
    assert equivalent(r"28\%", "28", kind="number").status is Status.CORRECT


# --- values missing from a written list --------------------------------------------------
PER_ELEMENT = {"rtol": 0.1, "atol": 0.0, "per_element_credit": True}


@pytest.mark.parametrize("answer", [[0.2505, None, 9.7e-7, None], ["0.2505", "", "9.7e-7", " "],
                                    "[0.2505, , 9.7e-7, ]"])
def test_missing_values_are_named_as_missing(answer):
    verdict = check("array", Q2_3C, answer, **PER_ELEMENT)
    assert verdict.status is Status.PARTIAL and verdict.credit == pytest.approx(0.5)
    assert "the 2nd value is missing; the 4th value is missing" in verdict.feedback
    assert "nan" not in verdict.feedback and "could not be read" not in verdict.feedback


def test_a_missing_value_and_an_unreadable_one_are_told_apart():
    verdict = check("array", Q2_3C, [0.2505, None, 9.7e-7, "about"], **PER_ELEMENT)
    assert "the 2nd value is missing; the 4th value could not be read: 'about'" in verdict.feedback


def test_without_per_element_credit_a_list_with_missing_values_says_so():
    verdict = check("array", Q2_3C, [0.2505, None, 9.7e-7, 9.4e-13], rtol=0.1, atol=0.0)
    assert (verdict.status, verdict.feedback) == (
        Status.INCORRECT, "Expected an array of numbers, got a list with missing values.")


def test_a_nan_computed_by_code_keeps_its_hint():
    verdict = check("array", Q2_3C, [0.2505, float("nan"), 9.7e-7, 9.4e-13], **PER_ELEMENT)
    assert NAN_HINT in verdict.feedback


def test_q2_3c_answers_file_with_empty_entries(q2_grader, tmp_path):
    found = part(q2_grader, tmp_path, "answers.yaml", "Q2.3c: [0.2505, null, 9.7e-7, null]\n", "Q2.3c")
    assert found.status == "partial" and found.score == pytest.approx(0.5)
    assert "the 2nd value is missing; the 4th value is missing" in found.feedback and NAN_HINT not in found.feedback


def test_q2_3c_markdown_with_values_missing_for_some_t(q2_grader, tmp_path):
    text = ("## Q2.3\n### Q2.3(c)\n"
            "$\\rho(0.05)^{1} \\approx 0.2505$ and $\\rho(0.05)^{10} \\approx 9.7 \\times 10^{-7}$.\n")
    found = part(q2_grader, tmp_path, "q2.md", text, "Q2.3c")
    assert found.score == pytest.approx(0.5)
    assert "the 2nd value is missing; the 4th value is missing" in found.feedback and NAN_HINT not in found.feedback


@pytest.mark.parametrize("student, reference, same", [
    (r"0.2505\%", "0.2505", False), (r"25.05\%", "0.2505", True), (r"28\%", "28", True), ("28", r"28\%", True),
])
def test_equiv_without_a_kind_reads_percent_signs_like_the_number_checker(student, reference, same):
    # `grader equiv` guesses the kind; it must not let a % sign pass a ratio 100 times too large.
    run = subprocess.run([sys.executable, "-m", "grader", "equiv", student, reference], capture_output=True, text=True)
    assert run.returncode == (0 if same else 1), run.stdout + run.stderr
