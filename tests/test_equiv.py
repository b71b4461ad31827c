"""grader equiv: the Python API and the real command in a subprocess."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from grader.checkers.base import Status
from grader.equiv import equivalent, extract_answer


@pytest.mark.parametrize("student, reference, status", [
    (r"\frac{x}{7}+\frac{2}{7}", r"\frac{x+2}{7}", Status.CORRECT),
    (r"\sec^2(y)", r"\tan^2(y)+1", Status.CORRECT),
    ("x+1", "x+2n+1", Status.INCORRECT),
    ("f(y)", "f(x)", Status.UNREADABLE),
    (r"y=-\frac{1}{2}x+\frac{3}{4}", "2x+4y-3=0", Status.CORRECT),
    ("11a+c", "7 = 11a+c", Status.INCORRECT),
    ("x=11", "11", Status.CORRECT),
    (r"x \in [-2,7]", r"-2 \le x \le 7", Status.CORRECT),
    ("x < 5", r"x > 5", Status.INCORRECT),
    (r"\{-2021, 2021\}", r"\pm 2021", Status.CORRECT),
    ("2021", r"\pm 2021", Status.INCORRECT),
    ("(7,11), (11,7)", "(11,7) or (7,11)", Status.CORRECT),
    ("{1,3}", "(3,1)", Status.INCORRECT),
    (r"\begin{pmatrix}1 & 2 \\ 3 & 5\end{pmatrix}", r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}", Status.INCORRECT),
    ("28 percent", r"28\%", Status.CORRECT),
    ("1,22", "1.22", Status.CORRECT),
    ("32, 349", "32349", Status.INCORRECT),
    ("[0,9)", "(0,9)", Status.INCORRECT),
    (r"The answer is $\boxed{\frac94\pi}$.", r"\frac{9}{4}\pi", Status.CORRECT),
    ("0.333", "1/3", Status.INCORRECT),
])
def test_equivalent_table(student, reference, status) -> None:
    assert equivalent(student, reference).status is status


def test_tolerances_are_relative_to_the_reference() -> None:
    assert equivalent("0.333", "1/3", atol=5e-4).status is Status.CORRECT
    assert equivalent("0.333", "1/3", atol=5e-5).status is Status.INCORRECT
    assert equivalent("110", "100", rtol=0.1).status is Status.CORRECT
    assert equivalent("100", "110", rtol=0.05).status is Status.INCORRECT


def test_with_a_kind() -> None:
    assert equivalent("0.2504", "0.2504312", kind="number", rtol=5e-4).status is Status.CORRECT
    assert equivalent(r"\varepsilon \in \mathbb{R}", r"(-\infty, \infty)", kind="interval").status is Status.CORRECT
    assert equivalent("1 - eps^2", "1 - epsilon^2", kind="expression", variables=["epsilon"]).status is Status.CORRECT
    assert equivalent("approx", "approx", kind="choice").status is Status.CORRECT


def test_extract_answer() -> None:
    assert extract_answer(r"Therefore $\boxed{1}$ and $\boxed{2}$.") == "1 ; 2"
    assert extract_answer("Answer $ 9 $") == "9"
    assert extract_answer("$1,000.99") == "1,000.99"


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "equiv", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_exit_codes_and_messages() -> None:
    same = grader(r"\frac{x}{7}+\frac{2}{7}", r"\frac{x+2}{7}")
    assert same.returncode == 0 and same.stdout.startswith("equivalent: ")
    differ = grader(r"\frac{1}{2006!}", r"\frac{1}{2004!}")
    assert differ.returncode == 1 and differ.stdout.startswith("not equivalent: ")
    unread = grader("1 +* 2", "3")
    assert unread.returncode == 2
    assert "could not read" in unread.stderr and "Traceback" not in unread.stderr
    assert "1 +* 2" in unread.stderr
    undeclared = grader("1 - y^2", "1 - x^2")
    assert undeclared.returncode == 2 and "“y”" in undeclared.stderr


def test_cli_options() -> None:
    assert grader("0.2504", "0.2504312", "--kind", "number", "--rtol", "5e-4").returncode == 0
    assert grader("0.333", "1/3", "--atol", "5e-4").returncode == 0
    assert grader("1 - eps^2", "1 - epsilon^2", "--vars", "epsilon: real").returncode == 0
    bad = grader("1", "1", "--kind", "no-such-kind")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("bomb", [
    "10^{10^{10}}", "2^{2^{2^{2^{2^{2}}}}}", r"\frac{1}{" * 500 + "1" + "}" * 500, "x" * 100_000,
])
def test_cli_bombs_end_quickly(bomb: str) -> None:
    start = time.perf_counter()
    result = grader(bomb, "1")
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    assert time.perf_counter() - start < 20


def test_a_megabyte_answer_is_refused_in_process() -> None:
    start = time.perf_counter()
    assert equivalent("1" * 1_000_000, "1").status is Status.UNREADABLE
    assert time.perf_counter() - start < 2


def test_broken_latex_is_unreadable_not_a_number_found_in_it():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "grader", "equiv", "\\frac{1}{", "1"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2, run.stdout
    assert "\\frac{1}{" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("bomb", [
    r"\Gamma(10^{10})", r"\exp(\exp(\exp(10)))", "e^{e^{e^{e^{e^{1}}}}}", r"\sin(10^{10^{10}})",
    r"\log(\log(10^{10^{10}}))", r"\prod_{k=1}^{10^{7}} k", r"\binom{10^{12}}{10^{6}}",
    r"\sin(10^{10^{10}}) + 1",
])
def test_values_no_computation_can_reach_are_too_large_to_check(bomb: str) -> None:
    # Each of these once held the grading process for minutes: Gamma and
    # binomials computed as factorials, sin of a ten-billion-digit number.
    verdict = equivalent(bomb, "0.25")
    assert verdict.status is Status.UNREADABLE and "too large to check" in verdict.feedback


@pytest.mark.parametrize("answer, reference", [
    (r"\prod_{k=1}^{5} k", "120"), (r"\sum_{k=1}^{10} k", "55"), ("e^{10}", "22026.465794806718"),
    (r"\binom{10}{3}", "120"), (r"\frac{1}{2004!}", r"\frac{1}{2004!}"),
])
def test_modest_products_binomials_and_exponentials_still_compare(answer: str, reference: str) -> None:
    assert equivalent(answer, reference).is_correct


@pytest.mark.parametrize("args, message", [
    (["1", "2", "--rtol", "nan"], "--rtol must be a finite number"),
    (["1", "2", "--atol", "-1"], "--atol must be a finite number"),
    (["1", "1", "--kind", "rubric"], "not compared as text"),
    (["1", "1", "--kind", "exception"], "not compared as text"),
    (["1", "1", "--kind", "tuple"], "could not compare these as tuple answers"),
])
def test_cli_odd_options_and_kinds_exit_2_with_a_message(args, message) -> None:
    result = grader(*args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_cli_arrays_and_tuples_are_read_as_values() -> None:
    assert grader("[1, 2]", "[1, 2]", "--kind", "array").returncode == 0
    assert grader("[1, 2.5]", "[1, 2]", "--kind", "array").returncode == 1
    assert grader("[[1, 0], [0, 1]]", r"\begin{pmatrix}1&0\\0&1\end{pmatrix}", "--kind", "array").returncode == 0
    assert grader("(1, 2)", "(1, 2)", "--kind", "tuple").returncode == 0


def test_a_number_glued_to_something_unreadable_is_not_taken_from_it():
    # The fallback reads the one number of a sentence; "2.5¼" is not a sentence but unreadable maths.
    run = subprocess.run([sys.executable, "-m", "grader", "equiv", "2.5¼", "2.5"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "could not read" in run.stderr


def test_an_incomplete_expression_is_said_once_and_plainly():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "grader", "equiv", "x+", "1"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == "grader equiv: could not read the answer: not a complete expression: “x+”"


@pytest.mark.parametrize("answer, hint", [
    (r"\sigma(x)(1-\sigma(x)", "a “(” is never closed"),
    (r"\frac{1}{4", "a “{” is never closed"),
    ("(1+x", "a “(” is never closed"),
    ("x)+1", "a “)” closes nothing"),
    (r"\left(1+x\right))", "a “)” closes nothing"),
])
def test_an_unclosed_bracket_is_named(answer, hint):
    """The usual reason an answer cannot be read, and easy to miss: the student is told which bracket."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "grader", "equiv", answer, "x*(1-x)", "--vars", "x"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().endswith(f"” — {hint}"), run.stderr


@pytest.mark.parametrize("answer", [r"\{1, 2\} \cup", "(0, 1] +", r"\left. x \right|_0 +"])
def test_brackets_that_are_balanced_get_no_bracket_hint(answer):
    from grader.mathread import bracket_problem

    assert bracket_problem(answer) == ""
