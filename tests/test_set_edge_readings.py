"""Set answers at the edges of reading: inequalities SymPy decides on its own,
and absolute values inside absolute values."""
from __future__ import annotations

import subprocess
import sys

import pytest
import sympy

from grader.checkers.base import Status
from grader.equiv import equivalent
from grader.mathread import Unreadable, read_math

x, y = sympy.symbols("x y", real=True)
REALS = (r"\mathbb{R}", r"(-\infty, \infty)")
NESTED = (r"\left|\left|x-1\right|-1\right| < 1", "||x-1|-1| < 1", r"\lvert \lvert x-1 \rvert - 1 \rvert < 1")


def as_set(student: str, reference: str) -> Status:
    return equivalent(student, reference, kind="set", variables=("x",)).status


# --- inequalities that hold for every x, or for none -------------------------
@pytest.mark.parametrize("reference", REALS)
@pytest.mark.parametrize("answer", [
    "x^2+1>0", "(x^{2}+1)^{300} > 0", r"|x| \ge 0", "e^{x} > 0", "-1 < x^2+1", r"x^{4} + x^{2} \ge 0",
])
def test_an_inequality_true_for_every_x_is_the_real_line(answer, reference) -> None:
    assert as_set(answer, reference) is Status.CORRECT


@pytest.mark.parametrize("answer", ["x^2 < 0", "|x| < -1", r"(x^{2}+1)^{300} \le 0"])
def test_an_inequality_true_for_no_x_is_the_empty_set(answer) -> None:
    assert as_set(answer, r"\emptyset") is Status.CORRECT
    assert as_set(answer, r"\mathbb{R}") is Status.INCORRECT


def test_a_decided_inequality_is_shown_as_written() -> None:
    verdict = equivalent("x^2+1>0", r"\mathbb{R}", kind="set", variables=("x",))
    assert verdict.read_as == "x^{2} + 1 > 0"


def test_a_decided_part_of_a_chain_keeps_the_other_part() -> None:
    assert as_set("-1 < x^2+1 < 5", "(-2, 2)") is Status.CORRECT


def test_without_a_declared_variable_a_decided_inequality_is_read_too() -> None:
    assert equivalent("x^2+1>0", r"\mathbb{R}", kind="set").status is Status.CORRECT


@pytest.mark.parametrize("answer", ["1 > 0", "2 < 1"])
def test_an_inequality_without_the_variable_is_not_a_set(answer) -> None:
    verdict = equivalent(answer, r"\mathbb{R}", kind="set", variables=("x",))
    assert verdict.status is Status.UNREADABLE
    assert "does not involve the variable" in verdict.feedback


def test_the_reading_of_a_decided_inequality_stays_a_relation() -> None:
    reading = read_math("x^2+1>0", variables={"x": x})
    assert reading.kind == "relation" and reading.value.lhs == x**2 + 1
    assert read_math("1 > 0").value is sympy.true


def test_the_command_line_reads_a_decided_inequality() -> None:
    done = subprocess.run([sys.executable, "-m", "grader", "equiv", "x^2+1>0", r"\mathbb{R}", "--kind", "set",
                           "--vars", "x"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- absolute values inside absolute values ----------------------------------
def test_the_nested_example_is_what_sympy_says() -> None:
    truth = sympy.solveset(sympy.Abs(sympy.Abs(x - 1) - 1) < 1, x, sympy.Reals)
    assert truth == sympy.Union(sympy.Interval.open(-1, 1), sympy.Interval.open(1, 3))


@pytest.mark.parametrize("answer", NESTED)
def test_nested_absolute_values_are_read(answer) -> None:
    assert as_set(answer, r"(-1,1)\cup(1,3)") is Status.CORRECT
    assert as_set(answer, r"(0,1)\cup(1,2)") is Status.INCORRECT


@pytest.mark.parametrize("text, value", [
    ("||x|-|y||", sympy.Abs(sympy.Abs(x) - sympy.Abs(y))),
    ("| | x-1 | -1 |", sympy.Abs(sympy.Abs(x - 1) - 1)),
    ("|x||y|", sympy.Abs(x) * sympy.Abs(y)),
    ("x|y|", x * sympy.Abs(y)),
    (r"\pi|x|", sympy.pi * sympy.Abs(x)),
    ("sin|x|", sympy.sin(sympy.Abs(x))),
    ("|x|+|y|", sympy.Abs(x) + sympy.Abs(y)),
    ("|x|^2", sympy.Abs(x) ** 2),
    ("2|x-y|", 2 * sympy.Abs(x - y)),
    (r"\left|\left|x^{2}-1\right|-1\right|", sympy.Abs(sympy.Abs(x**2 - 1) - 1)),
])
def test_bars_pair_up_by_what_stands_next_to_them(text, value) -> None:
    assert read_math(text, variables={"x": x, "y": y}).value == value


@pytest.mark.parametrize("text", [
    "|x|y|x| < 1", r"\left|x\right|y\left|x\right| < 1", r"|x|y|x| \cdot 2 < 1", r"|x^{2}|y|x| < 1",
])
def test_bars_that_pair_up_two_ways_are_refused(text) -> None:
    with pytest.raises(Unreadable, match="more than one way"):
        read_math(text, variables={"x": x, "y": y})


@pytest.mark.parametrize("text", ["|x|y| < 1", "|x", "x-|"])
def test_bars_that_do_not_pair_up_are_refused(text) -> None:
    with pytest.raises(Unreadable):
        read_math(text, variables={"x": x, "y": y})


def test_a_wall_of_bars_is_refused() -> None:
    with pytest.raises(Unreadable, match="too many absolute value bars"):
        read_math("|" * 1000 + "x" + "|" * 998)


def test_more_than_four_absolute_values_are_still_too_complicated() -> None:
    verdict = equivalent("||x-1|-1| + |x| + |x-2| + |x+2| < 9", r"\mathbb{R}", kind="set", variables=("x",))
    assert verdict.status is Status.UNREADABLE and "too complicated" in verdict.feedback
    assert as_set("||x-1|-1| + |x| + |x-2| < 9", r"\mathbb{R}") is Status.INCORRECT
