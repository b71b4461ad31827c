"""Answers whose reading alone would compute a huge number end with a verdict.

SymPy multiplies powers of the same base together as it builds an expression
(x·10^{10^9}·10^{10^9} computes 10^{2·10^9}), and latex2sympy computes some
constructs while it parses (the substitution bar in x^{x}|_{x=10^{10}} asks for
10^{10^{10}}, \\binom multiplies out): both in C, which no signal interrupts.
Several answers below once held ``grader equiv`` past a minute.  Every command
runs in a subprocess with a ``timeout``: a hang fails the test; no test
measures time.
"""
from __future__ import annotations

import pytest
import sympy
from bomb_runs import check, check_document, equiv, refused

from grader.mathread import read_math

IN_X = ["--kind", "expression", "--vars", "x"]






# --- refused: exit 2, "too large to check" ----------------------------------
@pytest.mark.parametrize("answer, reference, options", [
    pytest.param(r"x\cdot 10^{10^{9}}\cdot 10^{10^{9}}", "x", IN_X, id="x times two huge powers"),
    pytest.param(r"x^{x}|_{x=10^{10}}", "x", IN_X, id="substitution bar"),
    pytest.param(r"x^{x}\Big|_{x=10^{10}}", "1", [], id="substitution bar after Big"),
    pytest.param(r"x (10^{10^9})^{2}", "x", IN_X, id="x times a squared huge power"),
    pytest.param(r"x^{10^{10^9}}\cdot x^{10^{10^9}}", "x", IN_X, id="powers of x with huge exponents"),
    pytest.param("x*10**(10**9)*10**(10**9)", "x", IN_X, id="plain text"),
    pytest.param(r"\lim_{n\to\infty} 10^{10^{9}}\cdot 10^{10^{9}} x", "x", IN_X, id="limit of huge powers"),
    pytest.param(r"\sum_{k=1}^{10} 10^{10^9}\cdot 10^{10^9} k", "1", [], id="sum of huge powers"),
    pytest.param(r"\sum_{k=1}^{2} (9999999)! k", "1", [], id="sum of a huge factorial"),
    pytest.param(r"\sum_{k=1}^{10^{10}} k", "1", [], id="sum with a huge bound"),
    pytest.param(r"\prod_{k=1}^{10^{9}} k", "1", [], id="product with a huge bound"),
    pytest.param(r"\int_0^1 10^{10^9}\cdot 10^{10^9} x\, dx", "1", [], id="integral of huge powers"),
    pytest.param(r"\binom{1000000000}{500000000}", "1", [], id="binomial of plain numbers"),
    pytest.param(r"\binom{10^{9}}{5\cdot10^8}", "1", [], id="binomial of powers"),
    pytest.param(r"\binom{10^{999999999}\cdot 10^{999999999}}{2}", "1", [], id="binomial of a huge product"),
    pytest.param(r"\sqrt[10^{999999999}\cdot 10^{999999999}]{2}", "1", [], id="root of huge index"),
    pytest.param(r"e^{10^{999999999}\cdot 10^{999999999}}", "1", [], id="e to a huge product"),
    pytest.param(r"e^{10^{10}}", "1", [], id="e to the ten billion"),
    pytest.param("2^{3^{4^{5}}}", "1", [], id="tower"),
    pytest.param(r"(10^{8})!", "1", [], id="factorial"),
    pytest.param(r"[1, 10^{10^9}\cdot 10^{10^9}]", "[1, 2]", [], id="interval end"),
    # The parser's time grows steeply with nested braces (20 levels once took minutes in-process).
    pytest.param("{" * 30 + "1" + "}" * 30, "1", [], id="braces nested 30 deep"),
])
def test_a_huge_value_is_too_large_to_check(answer, reference, options) -> None:
    run = equiv(*options, "--", answer, reference)
    assert refused(run, "too large to check"), (run.returncode, run.stdout[-500:], run.stderr[-500:])


def test_a_bar_after_left_dot_is_not_read() -> None:
    run = equiv(*IN_X, "--", r"\left. x^{x} \right|_{x=10^{10}}", "x")
    assert refused(run, "could not read"), (run.returncode, run.stdout[-500:], run.stderr[-500:])


# --- read: the value is small, and the verdict right --------------------------
@pytest.mark.parametrize("answer, reference, options", [
    pytest.param(r"x\cdot 10^{10^{9}}\cdot 10^{-10^{9}}", "x", IN_X, id="huge powers that cancel"),
    pytest.param(r"\frac{x\cdot 10^{10^9}}{10^{10^9}}", "x", IN_X, id="huge powers over each other"),
    pytest.param(r"x\cdot (10^{10^{8}})^{10}\cdot 10^{-10^{9}}", "x", IN_X, id="a power of a power that cancels"),
    pytest.param(r"10^{10^9}/10^{10^9}", "1", [], id="a number over itself"),
    pytest.param(r"(10^{10^{8}})^{10}", "10^{10^{9}}", [], id="a power of a power"),
    pytest.param(r"x^{x}|_{x=2}", "4", [], id="small substitution"),
    pytest.param(r"\binom{10}{3}", "120", [], id="small binomial"),
    pytest.param(r"\sum_{k=1}^{4} k!", "33", [], id="sum of factorials"),
    pytest.param(r"\int_0^1 x^2 dx", "1/3", [], id="integral"),
    pytest.param("2^{2^{2}}", "16", [], id="small tower"),
    pytest.param(r"e^{x^{2}}", r"\exp(x^2)", ["--vars", "x"], id="power in an exponent"),
])
def test_a_small_value_gets_its_verdict(answer, reference, options) -> None:
    run = equiv(*options, "--", answer, reference)
    assert run.returncode == 0, (run.stdout[-500:], run.stderr[-500:])


def test_a_wrong_answer_read_in_the_worker_is_wrong() -> None:
    run = equiv(r"x^{x}|_{x=2}", "5")
    assert run.returncode == 1, (run.stdout[-500:], run.stderr[-500:])


def test_readings_from_the_worker_are_the_values_written() -> None:
    k, n = sympy.Symbol("k"), sympy.Symbol("n", positive=True)
    assert read_math(r"\sum_{k=1}^{4} k!").value == sympy.Sum(sympy.factorial(k), (k, 1, 4))
    assert read_math(r"\binom{n}{2}", variables={"n": n}).value == sympy.binomial(n, 2)
    assert read_math(r"x \in [0, 2^{2^{2}})").value == sympy.Interval.Ropen(0, 16)
    huge = read_math(r"x|_{x=10^{10^9}\cdot 10^{10^9}}").value  # rebuilt, not multiplied out
    assert huge.is_Mul and all(factor.is_Pow for factor in huge.args)


# --- grader check on a Markdown file ----------------------------------------


@pytest.mark.parametrize("value", [
    pytest.param(r"\varepsilon\cdot 10^{10^{9}}\cdot 10^{10^{9}}", id="epsilon times two huge powers"),
    pytest.param(r"\varepsilon^{\varepsilon}|_{\varepsilon=10^{10}}", id="substitution bar"),
])
def test_check_refuses_an_answer_too_large_to_check(tmp_path, value) -> None:
    part = check(tmp_path, value)
    assert part["score"] == 0
    assert "Could not read the answer" in part["output"] and "too large to check" in part["output"], part["output"]


def test_check_grades_an_answer_whose_huge_powers_cancel(tmp_path) -> None:
    # The reference is 1/4.
    part = check(tmp_path, r"\frac{1}{4}\cdot 10^{10^{9}}\cdot 10^{-10^{9}}")
    assert part["score"] == part["max_score"], part["output"]


def test_an_interval_whose_ends_are_one_number_written_two_ways_is_read_as_that_point():
    # SymPy proves the two ends equal by factoring minimal polynomials: minutes for six roots.
    roots = sympy.Add(*[sympy.sqrt(p) for p in (2, 3, 5, 7, 11, 13)])
    squared = sympy.latex(sympy.expand(roots ** 2))
    answer = "[" + "+".join(rf"\sqrt{{{p}}}" for p in (2, 3, 5, 7, 11, 13)) + rf", \sqrt{{{squared}}}]"
    run = equiv(answer, "[0, 1]", "--kind", "interval")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert r"\sqrt{13}\right\}" in run.stdout  # read as the single point


@pytest.mark.parametrize("answer", [
    "+".join(f"|x-{k}|" for k in range(1, 14)) + " > 20",  # each |…| doubles the cases solved
    "+".join(rf"\frac{{1}}{{x-{k}}}" for k in range(1, 33)) + " > 0",  # denominators multiplied out
])
def test_inequalities_beyond_the_solver_are_refused(answer):
    run = equiv(answer, r"(-\infty, \infty)", "--kind", "set")
    assert refused(run, "the inequality is too complicated to solve"), run.stderr


@pytest.mark.parametrize("answer, reference", [
    ("|x-1|+|x-2| > 3", r"(-\infty, 0) \cup (3, \infty)"),
    (r"\frac{1}{x-1} + \frac{1}{x+1} > 0", r"(-1, 0) \cup (1, \infty)"),
])
def test_small_inequalities_with_bars_and_fractions_are_still_solved(answer, reference):
    run = equiv(answer, reference, "--kind", "set")
    assert run.returncode == 0, run.stdout + run.stderr


def test_deeply_nested_absolute_values_get_a_verdict():
    # Sampling |x|x|…|x|| with evalf(subs=) cost 2^depth: 24 levels ran for minutes.
    nested = "|x" * 28 + "|" * 28
    run = equiv(nested, "x", "--vars", "x")
    assert run.returncode == 1 and "not equivalent" in run.stdout, run.stderr
    assert equiv(nested, nested.replace("|x|", "|-x|", 1), "--vars", "x").returncode == 0


@pytest.mark.parametrize("text", ["$|" + " " * 100_000 + "x < 1$", "$\\{" + " " * 100_000 + "x$"])
def test_long_runs_of_spaces_in_a_set_answer_are_read_in_linear_time(tmp_path, text) -> None:
    # "|" then 3,000 spaces once took minutes: a pattern for |ε| < c backtracked cubically.
    assert check_document(tmp_path, f"# Question 2\n\n## Q2.2\n\n{text}\n")["Q2.2"]["score"] == 0


# Patterns of the Markdown reader and the Q2.4 rubric that once backtracked for minutes on a
# document of a few kilobytes (Python's re holds every thread while it matches).
SLOW_ONCE = {
    "no-break spaces in the Q2.3d sentence": "## Q2.3\n\n### (d)\n\nThe approximation decays faster $x"
                                             + "\u00a0" * 4000 + "y$.\n",
    "spaces in a Q2.2 paragraph": "## Q2.2\n\nx" + " " * 60_000 + "y\n",
    "prose after 'all real numbers'": "## Q2.2\n\nThe inequality holds for every ε (all real numbers), because "
                                      + "both sides are constants " * 6000 + "\n",
    "a word repeated in Q2.4": "## Q2.4\n\nGradients therefore " + "vanish" * 3000 + " exponentially.\n",
}


@pytest.mark.parametrize("document", SLOW_ONCE.values(), ids=SLOW_ONCE.keys())
def test_documents_that_once_backtracked_for_minutes_get_their_verdicts(tmp_path, document) -> None:
    results = check_document(tmp_path, document)
    assert set(results) >= {"Q2.2", "Q2.3d", "Q2.4"}


def test_a_second_set_far_from_all_real_numbers_is_still_seen(tmp_path) -> None:
    # Only the 200 characters after "all real numbers" were looked at; the rest of the paragraph was blanked.
    filler = "the approximations are constants and the comparison does not depend on anything else " * 4
    document = (f"## Q2.2\n\nThe inequality holds for all real numbers, {filler}. Actually no, it holds only for "
                f"positive ε, {filler}.\n")
    q2_2 = check_document(tmp_path, document)["Q2.2"]
    assert q2_2["score"] == 0 and "states more than one set" in q2_2["output"]
