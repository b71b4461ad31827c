"""Matrices in answers are read, or refused, within the usual budget.

latex2sympy computes a determinant (``vmatrix``, ``\\det``), a norm and the
``\\operatorname{eigenvals}``-like functions of a matrix as it parses, and
SymPy expands every entry when it multiplies, raises or inverts matrices.
Most answers below once held ``grader equiv`` or ``grader check`` for minutes
(a 13×13 determinant of polynomials in ε, 1,053 characters, for over two).
Every command runs in a subprocess with a ``timeout``: a hang fails the test;
no test measures time.
"""
from __future__ import annotations

import json
import random

import pytest
import sympy
from bomb_runs import check, equiv, refused


# The answer that hung `grader check`: a 13×13 determinant with entries ε^k + c.
PROBE_13 = (
    r"\begin{vmatrix}ε^1+2&ε^2+6&ε^3+5&ε^5+4&ε^1+3&ε^7+7&ε^9+6&ε^9+8&ε^9+5&ε^1+1&ε^6+8&ε^6+7&ε^7+9\\"
    r"ε^3+9&ε^3+4&ε^4+1&ε^3+6&ε^3+3&ε^9+9&ε^6+9&ε^9+3&ε^8+7&ε^9+6&ε^6+6&ε^8+3&ε^7+8\\"
    r"ε^9+4&ε^8+5&ε^8+9&ε^9+6&ε^8+8&ε^6+9&ε^8+8&ε^4+6&ε^3+5&ε^8+5&ε^5+9&ε^9+9&ε^9+7\\"
    r"ε^5+4&ε^8+9&ε^6+2&ε^6+1&ε^4+2&ε^1+1&ε^5+4&ε^2+9&ε^3+5&ε^4+4&ε^1+7&ε^1+1&ε^6+6\\"
    r"ε^3+4&ε^1+2&ε^2+2&ε^1+1&ε^1+6&ε^5+3&ε^3+3&ε^9+1&ε^7+1&ε^4+3&ε^1+1&ε^6+2&ε^5+6\\"
    r"ε^8+1&ε^5+8&ε^9+1&ε^5+7&ε^3+8&ε^4+2&ε^6+2&ε^1+8&ε^3+9&ε^7+8&ε^9+6&ε^3+6&ε^5+5\\"
    r"ε^7+1&ε^9+3&ε^1+5&ε^1+3&ε^3+3&ε^2+8&ε^4+9&ε^1+4&ε^4+8&ε^2+5&ε^2+4&ε^6+5&ε^7+5\\"
    r"ε^9+1&ε^3+1&ε^7+7&ε^3+2&ε^9+2&ε^4+2&ε^2+1&ε^3+4&ε^2+4&ε^1+9&ε^8+8&ε^5+9&ε^7+4\\"
    r"ε^4+7&ε^7+9&ε^1+1&ε^7+9&ε^3+2&ε^8+6&ε^1+9&ε^2+6&ε^5+6&ε^5+1&ε^7+2&ε^2+5&ε^4+1\\"
    r"ε^8+1&ε^7+8&ε^8+4&ε^2+1&ε^5+1&ε^6+5&ε^2+4&ε^8+4&ε^2+6&ε^7+8&ε^3+6&ε^7+2&ε^5+2\\"
    r"ε^2+2&ε^6+7&ε^4+2&ε^1+8&ε^1+8&ε^5+6&ε^8+3&ε^6+5&ε^8+9&ε^8+7&ε^8+5&ε^7+4&ε^3+8\\"
    r"ε^5+9&ε^7+2&ε^2+2&ε^6+3&ε^9+3&ε^7+2&ε^2+1&ε^3+5&ε^7+4&ε^6+8&ε^3+9&ε^5+2&ε^3+9\\"
    r"ε^7+2&ε^6+9&ε^4+9&ε^5+3&ε^3+8&ε^4+7&ε^6+3&ε^8+8&ε^1+7&ε^3+7&ε^9+1&ε^8+5&ε^7+5\end{vmatrix}"
)
LETTERS = "abcfghijklmnopqrstuvwxyz"  # no d (d\end reads as a differential) and no e (Euler's number)


def matrix(env: str, rows: list[list[str]]) -> str:
    return rf"\begin{{{env}}}" + r"\\ ".join("&".join(row) for row in rows) + rf"\end{{{env}}}"


def square(env: str, n: int, cell) -> str:
    return matrix(env, [[cell(i, j) for j in range(n)] for i in range(n)])






# --- refused: exit 2 with a message --------------------------------------
@pytest.mark.parametrize("answer, reference, options, message", [
    pytest.param(PROBE_13, "0", ["--kind", "expression", "--vars", "epsilon"], "too large to check",
                 id="13x13 determinant of polynomials"),
    pytest.param(r"\det" + square("pmatrix", 6, lambda i, j: f"x^{{{(i * j) % 9 + 1}}}+{i + j}"), "0",
                 ["--vars", "x"], "too large to check", id="det of a 6x6 pmatrix"),
    pytest.param(square("vmatrix", 10, lambda i, j: rf"\sqrt{{{(7 * i + 3 * j) % 10 + 2}}}"), "0", [],
                 "too large to check", id="10x10 determinant of square roots"),
    pytest.param(square("pmatrix", 3, lambda i, j: "x" if i == j else "1") + "^{200000}", "x", ["--vars", "x"],
                 "too large to check", id="symbolic matrix to the 200000th"),
    pytest.param(r"\begin{pmatrix}1&1\\1&0\end{pmatrix}^{100000}", "0", [], "too large to check",
                 id="numeric matrix to the 100000th"),
    pytest.param(square("pmatrix", 5, lambda i, j: "x" if i == j else str(i + j)) + "^{-1}", "x",
                 ["--vars", "x"], "too large to check", id="inverse of a symbolic 5x5"),
    pytest.param(square("pmatrix", 3, lambda i, j: "xyz"[(i + j) % 3]) * 30, "x", ["--vars", "x,y,z"],
                 "too large to check", id="product of 30 symbolic 3x3 matrices"),
    pytest.param(r"\|\begin{pmatrix}10^{10^{9}}\end{pmatrix}\|", "1", [], "too large to check",
                 id="norm of a ten-billion-digit entry"),
    pytest.param(r"\operatorname{eigenvals }(" + square("pmatrix", 4, lambda i, j: LETTERS[4 * i + j]) + ")",
                 "0", ["--kind", "expression"], "could not read", id="eigenvalues through operatorname"),
    pytest.param(r"\operatorname{zeros }(100000, 100000)", "0", [], "could not read",
                 id="a 10^5 x 10^5 matrix of zeros"),
    pytest.param(r"\begin{pmatrix}a&b\\c&f\end{pmatrix}\xrightarrow{" + ",".join(["r_1+xr_2", "r_2+yr_1"] * 15)
                 + "}", "0", [], "row operations", id="30 row operations"),
    pytest.param(square("pmatrix", 250, lambda i, j: str((i + j) % 10)), "0", ["--kind", "array"],
                 "longer than 2000 characters", id="250x250 numbers"),  # as large as a command line allows
])
def test_matrix_work_beyond_the_limits_is_refused(answer, reference, options, message) -> None:
    run = equiv(answer, reference, *options)
    assert refused(run, message), (run.returncode, run.stdout[-500:], run.stderr[-500:])


# --- read: a verdict, and the right one ------------------------------------
def test_a_numeric_determinant_of_any_size_that_fits_is_computed_exactly() -> None:
    rng = random.Random(13)
    cells = [[rng.randint(0, 9) for _ in range(30)] for _ in range(30)]
    answer = matrix("vmatrix", [[str(c) for c in row] for row in cells])
    expected = sympy.Matrix(cells).det()
    assert equiv(answer, str(expected)).returncode == 0
    assert equiv(answer, str(expected + 1)).returncode == 1


def test_a_4x4_determinant_of_fractions_is_written_out_and_compared() -> None:
    # Once: SymPy's elimination cancelled 16 fractions in 16 unknowns for minutes.
    cells = [[sympy.Symbol(LETTERS[(4 * i + j) % 24]) + i + j for j in range(4)] for i in range(4)]
    lows = [[sympy.Symbol(LETTERS[(4 * i + j + 7) % 24]) - i for j in range(4)] for i in range(4)]
    answer = square("vmatrix", 4, lambda i, j: rf"\frac{{{sympy.latex(cells[i][j])}}}{{{sympy.latex(lows[i][j])}}}")
    expected = sympy.Matrix(4, 4, lambda i, j: cells[i][j] / lows[i][j]).det(method="laplace")
    names = ",".join(sorted(str(s) for s in expected.free_symbols))
    assert equiv(answer, str(expected), "--kind", "expression", "--vars", names).returncode == 0
    assert equiv(answer, str(expected + 1), "--kind", "expression", "--vars", names).returncode == 1


POWERED = square("pmatrix", 2, lambda i, j: f"({LETTERS[i]}+{LETTERS[j]}+{LETTERS[i + j]}+1)^{{{90 + i + j}}}")


@pytest.mark.parametrize("answer, reference, options", [
    pytest.param(r"\begin{vmatrix}(a+b+c+1)^{90}&(a+b+1)^{91}\\(b+c)^{90}&(a+c)^{92}\end{vmatrix}",
                 "(a+b+c+1)^{90}(a+c)^{92}-(a+b+1)^{91}(b+c)^{90}", ["--kind", "expression"],
                 id="determinant of powers"),
    pytest.param(r"\det\left(\begin{pmatrix}x&2\\3&x\end{pmatrix}\right)", "x^2-6", [], id="det of a pmatrix"),
    pytest.param(r"\begin{pmatrix}1&1\\1&0\end{pmatrix}^{10}", r"\begin{pmatrix}89&55\\55&34\end{pmatrix}", [],
                 id="numeric power"),
    pytest.param(r"\begin{pmatrix}x&1\\1&x\end{pmatrix}^{2}", r"\begin{pmatrix}x^2+1&2x\\2x&x^2+1\end{pmatrix}", [],
                 id="symbolic power"),
    pytest.param(r"\begin{pmatrix}1&2\\3&4\end{pmatrix}^{-1}",
                 r"\begin{pmatrix}-2&1\\\frac{3}{2}&-\frac{1}{2}\end{pmatrix}", [], id="numeric inverse"),
    pytest.param(r"\begin{pmatrix}x&1\\1&x\end{pmatrix}^{-1}",
                 r"\begin{pmatrix}\frac{x}{x^2-1}&\frac{-1}{x^2-1}\\\frac{-1}{x^2-1}&\frac{x}{x^2-1}\end{pmatrix}", [],
                 id="symbolic inverse"),
    pytest.param(r"\begin{pmatrix}1&2\\3&4\end{pmatrix}^T", r"\begin{pmatrix}1&3\\2&4\end{pmatrix}", [],
                 id="transpose"),
    pytest.param(r"\|\begin{pmatrix}3\\4\end{pmatrix}\|", "5", [], id="norm"),
    pytest.param(POWERED + POWERED,
                 matrix("pmatrix", [["P^{2}+QR", "PQ+QS"], ["RP+SR", "RQ+S^{2}"]])
                 .replace("P", "(a+a+a+1)^{90}").replace("Q", "(a+b+b+1)^{91}")
                 .replace("R", "(b+a+b+1)^{91}").replace("S", "(b+b+c+1)^{92}"),
                 ["--vars", "a,b,c"], id="product of matrices of powers"),
])
def test_matrix_answers_within_the_limits_are_read(answer, reference, options) -> None:
    run = equiv(answer, reference, *options)
    assert run.returncode == 0, (run.stdout[-500:], run.stderr[-500:])


def test_an_inverse_of_a_4x4_of_fractions_gets_a_verdict() -> None:
    # Once: over a minute (SymPy cancels every entry as it eliminates).
    answer = square("pmatrix", 4, lambda i, j: r"\frac{%s+%d}{%s-%d}" % (
        LETTERS[(4 * i + j) % 24], i + j, LETTERS[(4 * i + j + 7) % 24], i)) + "^{-1}"
    identity = square("pmatrix", 4, lambda i, j: "1" if i == j else "0")
    run = equiv(answer, identity, "--vars", ",".join(LETTERS))
    assert run.returncode == 1 and "matrix entry is wrong" in run.stdout, (run.stdout[-500:], run.stderr[-500:])


def test_a_product_of_two_numeric_12x12_matrices_is_multiplied_out() -> None:
    rng = random.Random(12)
    a = [[rng.randint(0, 9) for _ in range(12)] for _ in range(12)]
    b = [[rng.randint(0, 9) for _ in range(12)] for _ in range(12)]
    product = (sympy.Matrix(a) * sympy.Matrix(b)).tolist()
    answer = matrix("pmatrix", [[str(c) for c in row] for row in a]) + matrix("pmatrix", [[str(c) for c in row]
                                                                                        for row in b])
    assert equiv(answer, json.dumps([[int(c) for c in row] for row in product]), "--kind", "array").returncode == 0


# --- grader check on Markdown files -----------------------------------------


@pytest.mark.parametrize("value", [
    pytest.param(PROBE_13, id="the 13x13 determinant that hung"),
    pytest.param(square("vmatrix", 5, lambda i, j: r"\frac{1}{2}" if i == j else r"\varepsilon"), id="5x5 in epsilon"),
])
def test_check_refuses_a_determinant_too_large_to_check(tmp_path, value) -> None:
    part = check(tmp_path, value)
    assert part["score"] == 0
    assert "Could not read the answer" in part["output"] and "too large to check" in part["output"], part["output"]


def test_check_of_a_1000x1000_matrix_ends_with_no_marks(tmp_path) -> None:
    part = check(tmp_path, square("vmatrix", 1000, lambda i, j: str((i + j) % 10)))
    assert part["score"] == 0


@pytest.mark.parametrize("value", [
    pytest.param(r"\begin{vmatrix}\frac{1}{2}&\varepsilon\\0&\frac{1}{2}\end{vmatrix}", id="2x2"),
    pytest.param(square("vmatrix", 4, lambda i, j: r"\frac{1}{2}" if i == j < 2 else "1" if i == j else
                        r"\varepsilon" if j > i else "0"), id="4x4 written out"),
])
def test_check_grades_a_determinant_answer(tmp_path, value) -> None:
    # The reference is 1/4: each determinant equals it for every ε.
    part = check(tmp_path, value)
    assert part["score"] == part["max_score"], part["output"]
