"""Matrices in Markdown answers: read whole, with their rows, while ``aligned``, ``align*`` and ``cases``
still split into one statement per row."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.checkers import Status, get_checker, make_options
from grader.grading import Grader
from grader.readers.markdown import block_statements, list_items, parse_sections, read_markdown_text
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]

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


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


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


# --- the marks that stand for matrices while a span is split ------------------------

def test_text_that_looks_like_a_matrix_mark_is_never_taken_for_one():
    # A matrix is set aside as its number between two private-use characters; the same
    # characters typed by a student once had the matrix copied in for each of them.
    matrix = r"\begin{pmatrix}" + "1 & " * 250 + r"1\end{pmatrix}"
    typed = "\ue0000\ue001" * 2_000
    block = parse_sections(f"$$\\rho(0.05) = {matrix} \\\\ x = {typed}$$\n")[0].blocks[0]
    found = block_statements(block)
    assert [st.parts for st in found][0] == [r"\rho(0.05)", matrix]
    assert sum(p.count(r"\begin{pmatrix}") for st in found for p in [*st.parts, st.raw]) == 2  # parts and raw
    assert found[1].parts == ["x", "\ufffd0\ufffd" * 2_000]


def test_rows_continuing_a_matrix_share_it_instead_of_each_copying_it():
    matrix = r"\begin{pmatrix}" + "1 & " * 250 + r"1\end{pmatrix}"
    block = parse_sections(f"$$\\begin{{aligned}}{matrix}^T &= 1" + r" \\ &= 1" * 1_000 + "\\end{aligned}$$\n")[0].blocks[0]
    left_sides = {id(st.parts[0]) for st in block_statements(block)}
    assert len(block_statements(block)) == 1_001 and len(left_sides) == 1


def test_a_large_matrix_among_typed_marks_is_read_in_bounded_memory(tmp_path):
    # 240 KB: a 50 KB matrix and 20,000 typed marks once took over 2 GiB.
    import resource

    matrix = r"\begin{pmatrix}" + "1 & " * 12_500 + r"1\end{pmatrix}"
    path = tmp_path / "q2.md"
    path.write_text(f"## Q2.3\n### (b)\n$$\\rho(0.05) = {matrix} \\\\ x = " + "\ue0000\ue001" * 20_000 + "$$\n",
                    encoding="utf-8")
    out = tmp_path / "out.json"

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    run = subprocess.run([sys.executable, "-m", "grader", "check", str(ROOT / "problems" / "q2-activations.yaml"),
                          str(path), "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         preexec_fn=limit_memory)
    assert run.returncode == 0, run.stderr[-2000:]
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    assert tests["Q2.3b"]["extra_data"]["verdict"] in ("incorrect", "could not read"), tests["Q2.3b"]
    assert r"\begin{pmatrix}1 & 1" in tests["Q2.3b"]["output"]


# --- a vector of values (Q2.3c) written as a matrix or in brackets ---------------------

VALUES = [r"0.2505", r"9.82\times10^{-4}", r"9.65\times10^{-7}", r"9.31\times10^{-13}"]
ROW, COLUMN, LIST = " & ".join(VALUES), r" \\ ".join(VALUES), ", ".join(VALUES)


VECTORS = {
    "pmatrix-row": rf"\begin{{pmatrix}}{ROW}\end{{pmatrix}}",
    "pmatrix-column": rf"\begin{{pmatrix}}{COLUMN}\end{{pmatrix}}",
    "bmatrix-row": rf"\begin{{bmatrix}} {ROW} \end{{bmatrix}}",
    "bmatrix-column-trailing-break": rf"\begin{{bmatrix}}{COLUMN} \\ \end{{bmatrix}}",
    "transposed-row": rf"\begin{{pmatrix}}{ROW}\end{{pmatrix}}^{{T}}",
    "array-in-left-right": rf"\left[\begin{{array}}{{cccc}}{ROW}\end{{array}}\right]",
    "matrix-in-left-right-parens": rf"\left(\begin{{matrix}}{COLUMN}\end{{matrix}}\right)",
    "left-right-brackets": rf"\left[ {LIST} \right]",
    "parens": rf"({LIST})",
    "left-right-parens": rf"\left( {LIST} \right)",
    "brackets": rf"[{LIST}]",
    "boxed-pmatrix": rf"\boxed{{\begin{{pmatrix}}{ROW}\end{{pmatrix}}}}",
    "boxed-left-right": rf"\boxed{{\left[ {LIST} \right]}}",
    "boxed-parens": rf"\boxed{{({LIST})}}",
}


@pytest.mark.parametrize("vector", VECTORS.values(), ids=VECTORS)
def test_the_values_of_q23c_as_a_row_column_or_bracketed_list_are_read(q2_grader, tmp_path, vector):
    parts = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n### (c)\n$\\rho(0.05)^T \\approx {vector}$\n")
    assert parts["Q2.3c"].status == "correct", (parts["Q2.3c"].answer, parts["Q2.3c"].feedback)
    assert parts["Q2.3c"].answer == f"[{', '.join(VALUES)}]"


def test_a_boxed_vector_alone_in_its_own_section_is_read(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n### (c)\n$$\\boxed{{\\begin{{bmatrix}}{ROW}\\end{{bmatrix}}}}$$\n")
    assert parts["Q2.3c"].status == "correct", (parts["Q2.3c"].answer, parts["Q2.3c"].feedback)


@pytest.mark.parametrize("value", [
    r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}",  # a matrix is not four values
    r"\begin{vmatrix}1 & 2 & 3 & 4\end{vmatrix}",  # nor is a determinant
    r"(1, 2) \cdot (3, 4)",  # two brackets, not one around the list
])
def test_a_matrix_or_a_product_is_not_taken_for_a_list(value):
    assert list_items(value) == [value]


def test_deeply_wrapped_values_of_q23c_are_read_in_one_pass():
    # 100,000 nested brackets: a few looks, each one pass (the reader stays linear).
    nested = r"\left(" * 100_000 + "1, 2, 3, 4" + r"\right)" * 100_000
    assert list_items(nested) == [nested[6 * 4:-7 * 4]]
    assert len(list_items(r"\boxed{" * 100_000 + "1, 2" + "}" * 100_000)) == 1
