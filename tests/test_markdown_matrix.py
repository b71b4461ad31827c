"""Matrices in Markdown answers: read whole, with their rows, while ``aligned``, ``align*`` and ``cases``
still split into one statement per row."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.checkers import Status, get_checker, make_options
from grader.readers.markdown import block_statements, parse_sections, read_markdown_text
from grader.spec import load_problem_set

SPEC = """\
id: matrices
title: Matrices
parts:
  - label: A1
    title: a named matrix
    points: 1
    kind: array
    names: ['A']
    reference: "np.array([[1.0, 2.0], [3.0, 4.0]])"
  - label: A2
    title: an unnamed matrix
    points: 1
    kind: array
    reference: "np.array([[1.0, 2.0], [3.0, 4.0]])"
  - label: D1
    title: a determinant
    points: 1
    kind: number
    names: ['\\\\det A']
    reference: "-2"
"""


@pytest.fixture(scope="module")
def matrices(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load_problem_set(path)


def answers(text: str, problem_set) -> dict:
    return {label: a.value for label, a in read_markdown_text(textwrap.dedent(text), problem_set).answers.items()}


def statements(latex: str) -> list[tuple[list[str], list[str]]]:
    block = parse_sections(f"$${latex}$$\n")[0].blocks[0]
    return [(st.parts, st.ops) for st in block_statements(block)]


MATRICES = [
    r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
    r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
    r"\begin{Bmatrix}1&2\\3&4\end{Bmatrix}",
    r"\begin{matrix}1&2\\3&4\end{matrix}",
    r"\begin{smallmatrix}1&2\\3&4\end{smallmatrix}",
    r"\left[\begin{array}{cc}1&2\\3&4\end{array}\right]",
    r"\left(\begin{pmatrix}1&2\\3&4\end{pmatrix}\right)",
]


@pytest.mark.parametrize("matrix", MATRICES)
def test_a_matrix_is_read_whole_named_or_alone_in_its_section(matrices, matrix):
    got = answers(f"## A1\nSo $$A = {matrix}$$\n\n## A2\n$${matrix}$$\n", matrices)
    assert got == {"A1": matrix, "A2": matrix}


def test_a_matrix_inline_in_a_sentence_and_among_other_statements(matrices):
    got = answers(r"""
        ## A1
        With $a = 1$, $b = 2$ we get $A = \begin{pmatrix}a&b\\3&4\end{pmatrix} =
        \begin{pmatrix}1&2\\3&4\end{pmatrix}$, as claimed.
        """, matrices)
    assert got["A1"] == "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"


def test_a_matrix_after_a_comma_keeps_its_own_statement(matrices):
    assert answers(r"## A1" "\n" r"$a = 1, A = \begin{pmatrix}1&2\\3&4\end{pmatrix}$" "\n",
                   matrices)["A1"] == r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"


def test_a_boxed_matrix_wins(matrices):
    got = answers(r"""
        ## A2
        $$\boxed{\begin{bmatrix}1&2\\3&4\end{bmatrix}}$$

        Check: $\begin{bmatrix}0&0\\0&0\end{bmatrix}$ is the difference.
        """, matrices)
    assert got["A2"] == r"\begin{bmatrix}1&2\\3&4\end{bmatrix}"


def test_a_matrix_inside_aligned_is_one_value_and_the_other_rows_still_split(matrices):
    got = answers(r"""
        ## A1
        $$\begin{aligned}
        A &= \begin{pmatrix}1&2\\3&4\end{pmatrix} \\
        \det A &= 1 \cdot 4 - 2 \cdot 3 \\
        &= -2
        \end{aligned}$$
        ## D1
        See above: $\det A = -2$.
        """, matrices)
    assert got == {"A1": r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", "D1": "-2"}


def test_a_determinant_is_one_expression_not_its_rows(matrices):
    assert statements(r"\det A = \begin{vmatrix}1&2\\3&4\end{vmatrix} = -2") == [
        (["\\det A", r"\begin{vmatrix}1&2\\3&4\end{vmatrix}", "-2"], ["=", "="])]
    assert answers("## D1\n$$\\det A = \\begin{Vmatrix}1&2\\\\3&4\\end{Vmatrix} = -2$$\n", matrices)["D1"] == "-2"


@pytest.mark.parametrize("environment", ["aligned", "align*", "cases", "array}{rcl"])
def test_row_environments_still_split_into_statements(environment):
    name = environment.split("}")[0]
    got = statements(rf"\begin{{{environment}}} x &= 1 \\ y &\le 2 \end{{{name}}}")
    assert got == [(["x", "1"], ["="]), (["y", "2"], ["≤"])]


def test_cases_still_split_into_their_conditions():
    assert statements(r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}") == [
        (["f(x)", ""], ["="]), (["1   x", "0"], [">"]), (["0   x", "0"], ["≤"])]


# --- a matrix never closed -------------------------------------------------------

def test_a_matrix_never_closed_is_one_unreadable_value_not_loose_numbers(matrices):
    got = answers("## A2\n$\\begin{pmatrix} 1 & 2 \\\\ 3 & 4$\n", matrices)
    assert got["A2"] == r"\begin{pmatrix} 1 & 2 \\ 3 & 4"
    verdict = get_checker("array").check(np.array([[1.0, 2.0], [3.0, 4.0]]), got["A2"], make_options("array", {}))
    assert verdict.status is Status.UNREADABLE
    assert r"\begin{pmatrix} 1 & 2" in verdict.feedback


def test_a_matrix_never_closed_inside_aligned_ends_with_it(matrices):
    got = answers(r"""
        ## A1
        $$\begin{aligned} A &= \begin{pmatrix}1&2\\3&4 \end{aligned}$$ and then $x = 1$.
        """, matrices)
    assert got["A1"] == r"\begin{pmatrix}1&2\\3&4"


def test_a_stray_end_of_a_matrix_changes_nothing():
    assert statements(r"\end{pmatrix} x = 1 \\ y = 2") == [(["x", "1"], ["="]), (["y", "2"], ["="])]


def test_many_matrices_never_closed_are_read_in_one_pass(matrices):
    # 50,000 openings with no closing: one value, the whole span (the reader stays linear).
    span = r"\begin{pmatrix}1&" * 50_000
    assert answers(f"## A2\n$${span}$$\n", matrices)["A2"] == span.strip()
