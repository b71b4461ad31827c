"""Kind expression: declared variables, random points, proof, unreadable names."""
from __future__ import annotations

import time

import pytest
import sympy

from grader.checkers import get_checker, make_options
from grader.checkers.base import Status

EPS = sympy.Symbol("epsilon", real=True)
X = sympy.Symbol("x", positive=True)


def check(reference, answer, **options):
    return get_checker("expression").check(reference, answer, make_options("expression", options))


@pytest.mark.parametrize("reference, answer, variables, status", [
    (sympy.Rational(1, 4) + 0 * EPS, r"\frac{1}{4}", ["epsilon: real"], Status.CORRECT),
    (1 - EPS**2, r"1-\varepsilon^2", ["epsilon: real"], Status.CORRECT),
    (1 - EPS**2, "(1-ε)(1+ε)", ["epsilon: real"], Status.CORRECT),
    (1 - EPS**2, r"1-\epsilon\cdot\epsilon", ["epsilon"], Status.CORRECT),
    (1 - EPS**2, "1 - eps^2", ["epsilon"], Status.CORRECT),
    (1 - EPS**2, r"1+\varepsilon^2", ["epsilon"], Status.INCORRECT),
    (sympy.Rational(1, 4) - EPS / 8, r"\frac{1}{4}", ["epsilon"], Status.INCORRECT),
    (sympy.tan(EPS) ** 2 + 1, r"\sec^2(\varepsilon)", ["epsilon"], Status.CORRECT),
    (sympy.sqrt(X**2), "x", ["x: positive"], Status.CORRECT),
    (sympy.log(X), r"\ln x", ["x: positive"], Status.CORRECT),
    (1 - EPS**2, "1 - x^2", ["epsilon"], Status.UNREADABLE),
    (1 - EPS**2, r"1 - \frac{", ["epsilon"], Status.UNREADABLE),
])
def test_expression_table(reference, answer, variables, status) -> None:
    assert check(reference, answer, variables=variables).status is status


def test_undeclared_symbol_is_named() -> None:
    verdict = check(1 - EPS**2, "1 - y^2", variables=["epsilon"])
    assert verdict.status is Status.UNREADABLE and "“y”" in verdict.feedback


def test_sign_error_hint() -> None:
    verdict = check(EPS / 8 - sympy.Rational(1, 4), r"\frac{1}{4} - \frac{\varepsilon}{8}", variables=["epsilon"])
    assert verdict.status is Status.INCORRECT and verdict.feedback == "The sign is wrong."


def test_variables_default_to_the_references_symbols() -> None:
    assert check(1 - EPS**2, "1 - epsilon^2").status is Status.CORRECT


def test_undefined_points_are_redrawn() -> None:
    # both sides undefined at x = 1; random points avoid or redraw around it
    x = sympy.Symbol("x", real=True)
    assert check((x**2 - 1) / (x - 1), "x + 1", variables=["x"]).status is Status.CORRECT


def test_proof_is_reported() -> None:
    verdict = check(sympy.sin(EPS) ** 2 + sympy.cos(EPS) ** 2, "1", variables=["epsilon"])
    assert verdict.status is Status.CORRECT
    assert "proved equal" in verdict.details


def test_expression_bomb_is_bounded() -> None:
    start = time.perf_counter()
    verdict = check(EPS, r"(1+\varepsilon)^{100000} - (1+\varepsilon)^{100000} + \varepsilon", variables=["epsilon"])
    assert verdict.status in (Status.CORRECT, Status.UNREADABLE)
    assert time.perf_counter() - start < 10
