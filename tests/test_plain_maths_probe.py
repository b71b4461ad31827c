"""Spellings a probe of written answers found misread: each is read as what it means, and a wrong
answer spelt the same way stays wrong (no new false accept).

The set difference typed as a backslash (``ε ∈ ℝ \\ {0}``, ``\\mathbb{R}\\backslash\\{0\\}``) and
e-notation after a number in LaTeX (``9.72\\mathrm{e}{-7}``, ``9.72\\mathrm{e}-7``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.checkers.base import Status
from grader.equiv import equivalent
from grader.grading import Grader
from grader.mathread import Unreadable, read_math

R_WITHOUT_0 = sympy.Complement(sympy.Reals, sympy.FiniteSet(0))


def status(student: str, reference: str, **options) -> Status:
    return equivalent(student, reference, **options).status


def as_set(student: str, reference: str) -> Status:
    return status(student, reference, kind="interval", variables=("epsilon",))


# --- ℝ \ {0}: a backslash between two sets is their difference ----------------------------------
@pytest.mark.parametrize("text", [
    "ε ∈ ℝ \\ {0}", "ℝ \\ {0}", "ℝ \\ \\{0\\}", r"\mathbb{R} \ \{0\}", r"\varepsilon \in \mathbb{R} \setminus \{0\}",
    r"\mathbb{R}\backslash\{0\}", r"\mathbb{R} \backslash \{0\}", "$ε ∈ ℝ \\ {0}$",
])
def test_a_backslash_between_sets_is_the_set_difference(text) -> None:
    assert read_math(text).value == R_WITHOUT_0
    assert as_set(text, r"\mathbb{R} \setminus \{0\}") is Status.CORRECT
    assert as_set(text, r"\mathbb{R}") is Status.INCORRECT
    assert as_set(text.replace("0", "1"), r"\mathbb{R} \setminus \{0\}") is Status.INCORRECT


def test_a_backslash_after_an_interval_is_the_set_difference() -> None:
    assert read_math(r"(0, 2) \ \{1\}").value == sympy.Union(sympy.Interval.open(0, 1), sympy.Interval.open(1, 2))
    assert read_math("[0, 2] \\ {1}").value == sympy.Union(sympy.Interval.Ropen(0, 1), sympy.Interval.Lopen(1, 2))


def test_a_backslash_space_elsewhere_is_still_a_space() -> None:
    x, y = sympy.symbols("x y")
    assert read_math(r"x\ y").value == x * y
    assert read_math(r"\begin{pmatrix}(1) \\ {2}\end{pmatrix}").value == sympy.Matrix([[1], [2]])


def test_q2_2_answered_with_r_without_0_in_plain_text_is_wrong_not_unreadable(q2_grader: Grader,
                                                                              tmp_path: Path) -> None:
    path = tmp_path / "q2.md"
    path.write_text("# Question 2\n\n## Q2.2\n\nε ∈ ℝ \\ {0}\n", encoding="utf-8")
    part = {p.label: p for p in q2_grader.grade("student", [path]).parts}["Q2.2"]
    assert part.status == "incorrect", part.feedback


# --- e-notation in LaTeX: a number, an e mark, a whole-number exponent -----------------------------
RHO_POWERS = "[0.2505, 0.000986, 9.72e-7, 9.44e-13]"


@pytest.mark.parametrize("text", [
    r"9.72\mathrm{e}{-7}", r"9.72\mathrm{e}-7", r"9.72\,\mathrm{e}-7", r"9.72\mathrm{E}-7", r"9.72\mathrm{e}-07",
    r"9.72\mathrm{e}{ - 7 }", r"9.72e{-7}",
])
def test_e_notation_after_a_number_is_scientific_notation(text) -> None:
    assert status(text, "9.72e-7", kind="number", rtol=1e-3) is Status.CORRECT
    assert status(text.replace("7", "6"), "9.72e-7", kind="number", rtol=1e-3) is Status.INCORRECT
    assert status(text, "9.72*E - 7", kind="number", rtol=1e-3) is Status.INCORRECT


@pytest.mark.parametrize("text", [
    r"$[0.2505,\; 0.000986,\; 9.72\mathrm{e}{-7},\; 9.44\mathrm{e}{-13}]$",
    r"[0.2505,\; 0.000986,\; 9.72\mathrm{e}-7,\; 9.44\mathrm{e}-13]",
])
def test_a_list_in_e_notation_is_read_value_by_value(text) -> None:
    assert status(text, RHO_POWERS, kind="array", rtol=0.1, atol=0.0) is Status.CORRECT
    wrong = text.replace("{-13}", "{-12}").replace("-13]", "-12]")
    assert status(wrong, RHO_POWERS, kind="array", rtol=0.1, atol=0.0) is Status.INCORRECT


@pytest.mark.parametrize("text, value", [
    (r"\mathrm{e}", sympy.E), (r"2\mathrm{e}", 2 * sympy.E), (r"2\mathrm{e}^{-7}", 2 * sympy.exp(-7)),
    (r"2\mathrm{e} - 7", 2 * sympy.E - 7), (r"\mathrm{e}-7", sympy.E - 7),
])
def test_euler_e_without_a_whole_exponent_right_after_it_stays_euler(text, value) -> None:
    assert read_math(text).value == value


@pytest.mark.parametrize("text", [r"9.72\mathrm{e}{-7.5}", r"9.72e{-7.5}", r"2\mathrm{e}{--7}", r"9.72\mathrm{e}{.5}"])
def test_e_notation_with_an_exponent_that_is_no_whole_number_is_refused(text) -> None:
    with pytest.raises(Unreadable, match="whole-number exponent"):
        read_math(text)


# --- what the reading already gets right, handed the whole answer (guards) ---------------------------
@pytest.mark.parametrize("text, reference, wrong", [
    ("(-inf, inf)", r"\mathbb{R}", "(0, inf)"), ("[0, inf)", r"[0, \infty)", "(0, inf)"),
    ("(-inf, 0]", r"(-\infty, 0]", "(-inf, 0)"), (r"\varepsilon \geq 0", r"[0, \infty)", r"\varepsilon > 0"),
])
def test_infinity_spelt_inf_and_an_inequality_read_as_sets(text, reference, wrong) -> None:
    assert as_set(text, reference) is Status.CORRECT
    assert as_set(wrong, reference) is Status.INCORRECT
