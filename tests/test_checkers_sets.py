"""Kinds interval and set: SymPy sets, end types, unions, inequalities."""
from __future__ import annotations

import pytest
import sympy

from grader.checkers import get_checker, make_options
from grader.checkers.base import Status

oo = sympy.oo
ENDS_HINT = ("The endpoints are right, but an end is open where it should be closed, "
             "or closed where it should be open.")


def check(reference, answer, kind="interval", **options):
    return get_checker(kind).check(reference, answer, make_options(kind, options))


@pytest.mark.parametrize("reference, answer, status", [
    (sympy.Reals, r"(-\infty, \infty)", Status.CORRECT),
    (sympy.Reals, "(-oo, oo)", Status.CORRECT),
    (sympy.Reals, r"\mathbb{R}", Status.CORRECT),
    (sympy.Reals, "all real numbers", Status.CORRECT),
    (sympy.Reals, r"\varepsilon \in (-\infty, \infty)", Status.CORRECT),
    (sympy.Reals, "ε ∈ ℝ", Status.CORRECT),
    (sympy.Reals, r"(-\infty, 0) \cup [0, \infty)", Status.CORRECT),
    (sympy.Interval(-2, 7), r"-2 \le x \le 7", Status.CORRECT),
    (sympy.Interval(-2, 7), r"x \in [-2, 7]", Status.CORRECT),
    (sympy.Interval(-2, 7), "[-2, 7)", Status.INCORRECT),
    (sympy.Interval.open(1, oo), "x > 1", Status.CORRECT),
    (sympy.Interval.open(1, oo), "(1, +oo)", Status.CORRECT),
    (sympy.Interval(0, 1), "[0, 2]", Status.INCORRECT),
    (sympy.Union(sympy.Interval(-1.5, -1), sympy.Interval(1, 1.5)), r"1 \le |x| \le \frac{3}{2}", Status.CORRECT),
    (sympy.Complement(sympy.Reals, sympy.FiniteSet(3)), r"x \neq 3", Status.CORRECT),
    (sympy.Reals, "x + ", Status.UNREADABLE),
])
def test_interval_table(reference, answer, status) -> None:
    assert check(reference, answer).status is status


def test_end_type_hint() -> None:
    verdict = check(sympy.Interval(0, 1), "(0, 1]")
    assert verdict.status is Status.INCORRECT and verdict.feedback == ENDS_HINT


def test_pair_from_code_compares_ends() -> None:
    assert check(sympy.Reals, (float("-inf"), float("inf"))).status is Status.CORRECT
    assert check(sympy.Interval(0, 1), (0.0, 2.0)).status is Status.INCORRECT


def test_tolerance_on_ends() -> None:
    ref = sympy.Interval.Lopen(sympy.Rational(3, 5), sympy.Rational(8, 3))
    assert check(ref, "(0.6, 2.6667]", atol=0.005).status is Status.CORRECT
    assert check(ref, "(0.6, 2.6667]").status is Status.INCORRECT


def test_wrong_variable_name() -> None:
    verdict = check(sympy.Reals, r"\varepsilon \in \mathbb{R}", variable="epsilon")
    assert verdict.status is Status.CORRECT
    assert check(sympy.Reals, r"t \in \mathbb{R}", variable="epsilon").status is Status.UNREADABLE


@pytest.mark.parametrize("answer, status", [
    (r"\{1, 2\}", Status.CORRECT), (r"\{2, 1\}", Status.CORRECT), (r"\{1, 2, 2\}", Status.CORRECT),
    (r"\{1\}", Status.INCORRECT), ("[1, 2]", Status.INCORRECT),
])
def test_finite_sets(answer, status) -> None:
    assert check(sympy.FiniteSet(1, 2), answer, kind="set").status is status


@pytest.mark.parametrize("answer, status", [
    (r"\{\varepsilon \in \mathbb{R}\}", Status.CORRECT), (r"\{\varepsilon \in (-\infty, \infty)\}", Status.CORRECT),
    (r"\{\varepsilon \in [0, \infty)\}", Status.INCORRECT),
    (r"\{\varepsilon \in \mathbb{R} : \varepsilon > 0\}", Status.UNREADABLE),
    (r"\{\varepsilon \mid \varepsilon > 0\}", Status.UNREADABLE),
])
def test_set_builder_notation_is_the_set_ranged_over_or_refused(answer, status) -> None:
    # {ε ∈ ℝ} was read as a set holding one element, "True" (the relation ε ∈ ℝ evaluated).
    assert check(sympy.Reals, answer, variable="epsilon").status is status
