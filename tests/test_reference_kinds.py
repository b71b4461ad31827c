"""References and written answers of every value type a spec can compute: NumPy scalars, matrices,
SymPy tuples, integers too long to write; through `grader validate` and `grader check`."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.checkers import Status, get_checker, make_options

ROOT = Path(__file__).resolve().parents[1]


def grader(*args: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def one_part_spec(folder: Path, kind: str, reference: str) -> Path:
    path = folder / "spec.yaml"
    path.write_text(textwrap.dedent(f"""\
        id: kinds
        title: Kinds
        parts:
          - label: P1
            title: the part
            points: 1
            kind: {kind}
            reference: {json.dumps(reference)}
        """), encoding="utf-8")
    return path


# --- grader validate --------------------------------------------------------
@pytest.mark.parametrize("kind, reference", [
    ("number", "np.sqrt(2)"),
    ("number", "np.int64(3)"),
    ("number", "np.array(0.5)"),
    ("number", "np.float32(0.25)"),
    ("array", "np.eye(2)"),
    ("array", "Matrix([[1, 2], [3, 4]])"),
    ("array", "np.arange(6.0).reshape(3, 2) / 7"),
    ("tuple", "Tuple(1, 2)"),
    ("tuple", "Tuple(Rational(1, 2), sqrt(2))"),
    ("tuple", "(np.float64(0.5), np.int64(3), np.array([1.0, 2.0]))"),
    ("number", "factorial(2000)"),  # 5736 digits: written to 20 figures, as a student would
    ("number", "__import__('math').factorial(2000)"),
    ("number", "Integer(2)**10000"),  # 3011 digits: longer than a written answer may be
    ("number", "2**10000"),  # a Python int: written as a YAML integer
])
def test_reference_of_any_value_type_validates(tmp_path, kind, reference):
    run = grader("validate", one_part_spec(tmp_path, kind, reference))
    assert run.returncode == 0, run.stderr
    assert "earns full marks" in run.stdout


@pytest.mark.parametrize("kind, reference, message", [
    ("tuple", "(factorial(2000), 1)", "part P1: the reference holds an integer of more than 4300 digits"),
    ("expression", "factorial(2000) * Symbol('x')", "part P1: the reference holds an integer of more than 4300"),
    ("tuple", "{1, 2}", "part P1: the reference is a set, which an answers file cannot hold"),
])
def test_reference_that_cannot_be_written_is_a_located_spec_error(tmp_path, kind, reference, message):
    spec = one_part_spec(tmp_path, kind, reference)
    run = grader("validate", spec)
    assert run.returncode == 2
    assert f"{spec}, line 4: {message}" in run.stderr
    assert "Traceback" not in run.stderr


# --- grader check: written answers of these kinds -------------------------------
SPEC = """\
id: kinds
title: Kinds
parts:
  - label: T1
    title: a pair
    points: 1
    kind: tuple
    reference: "(1, 2)"
  - label: T2
    title: a SymPy pair
    points: 1
    kind: tuple
    reference: "Tuple(Rational(1, 2), 2)"
  - label: A1
    title: a matrix
    points: 1
    kind: array
    reference: "np.eye(2)"
  - label: A2
    title: a vector
    points: 1
    kind: array
    reference: "np.array([1.0, 2.0])"
  - label: N1
    title: a large number
    points: 1
    kind: number
    reference: "factorial(2000)"
"""


def check(tmp_path: Path, name: str, text: str) -> dict[str, dict]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    submission = tmp_path / "student"
    submission.mkdir(exist_ok=True)
    (submission / name).write_text(text, encoding="utf-8")
    out = tmp_path / "results.json"
    run = grader("check", spec, submission, "--json", out)
    assert "Traceback" not in run.stderr, run.stderr
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}


def test_answers_file_text_is_read_as_tuples_and_matrices(tmp_path):
    tests = check(tmp_path, "answers.yaml", textwrap.dedent(r"""
        T1: (1, 2)
        T2: \left(\frac{1}{2}, 2\right)
        A1: \begin{pmatrix}1&0\\0&1\end{pmatrix}
        A2: \begin{bmatrix}1\\2\end{bmatrix}
        N1: 3.3162750924506332412\times 10^{5735}
        """))
    assert {label: t["extra_data"]["verdict"] for label, t in tests.items()} == dict.fromkeys(tests, "correct")


def test_answers_file_lists_of_text_are_read_item_by_item(tmp_path):
    tests = check(tmp_path, "answers.yaml", 'T1: ["1", "4/2"]\nT2: ["\\\\frac{1}{2}", 2]\nA1: "[[1, 0], [0, 1]]"\n')
    assert [tests[label]["extra_data"]["verdict"] for label in ("T1", "T2", "A1")] == ["correct"] * 3


def test_unreadable_text_is_could_not_read_with_the_text_never_incorrect(tmp_path):
    tests = check(tmp_path, "answers.yaml", "T1: (1, 2]\nT2: (one half, 2)\nA1: '[0, 1)'\n")
    for label, shown in (("T1", "(1, 2]"), ("T2", "one"), ("A1", "[0, 1)")):
        assert tests[label]["extra_data"]["verdict"] == "could not read", tests[label]
        assert shown in tests[label]["output"]


def test_wrong_written_values_are_incorrect_for_the_right_reason(tmp_path):
    tests = check(tmp_path, "answers.yaml", textwrap.dedent(r"""
        T1: (1, 3)
        A1: \begin{pmatrix}1&0\\0&2\end{pmatrix}
        A2: (1, 2, 3)
        """))
    assert tests["T1"]["output"].startswith("Item 2: wrong value.")
    assert tests["A1"]["output"].startswith("1 of 4 values are not within tolerance (first at index (1, 1)).")
    assert tests["A2"]["output"].startswith("Wrong shape: expected (2,), got (3,).")


def test_markdown_tuples_are_read(tmp_path):
    tests = check(tmp_path, "answers.md", "## T1\n$(1, 2)$\n\n## T2\n$\\left(\\frac{1}{2}, 2\\right)$\n")
    assert tests["T1"]["extra_data"]["verdict"] == "correct"
    assert tests["T2"]["extra_data"]["verdict"] == "correct"


def test_markdown_matrix_is_read_with_its_rows(tmp_path):
    tests = check(tmp_path, "answers.md", "## A1\n$$\\begin{bmatrix}1&0\\\\0&1\\end{bmatrix}$$\n")
    assert tests["A1"]["extra_data"]["verdict"] == "correct"


# --- the checkers themselves --------------------------------------------------
def verdict(kind: str, reference, answer):
    return get_checker(kind).check(reference, answer, make_options(kind, {}))


@pytest.mark.parametrize("answer", [r"\begin{pmatrix}1&0\\0&1\end{pmatrix}", r"\begin{bmatrix}1&0\\0&1\end{bmatrix}",
                                    r"\left[\begin{array}{cc}1&0\\0&1\end{array}\right]", "[[1, 0], [0, 1]]"])
def test_written_matrix_keeps_its_rows(answer):
    assert verdict("array", np.eye(2), answer).status is Status.CORRECT


@pytest.mark.parametrize("answer", [r"\begin{pmatrix}0.25\\0.5\end{pmatrix}", r"\begin{pmatrix}0.25&0.5\end{pmatrix}",
                                    "[0.25, 0.5]", "0.25, 0.5"])
def test_written_vector_fits_a_one_dimensional_reference_in_any_orientation(answer):
    # "[0.25, 0.5]" alone is a closed interval to the maths reader; here it is two values.
    assert verdict("array", np.array([0.25, 0.5]), answer).status is Status.CORRECT


def test_written_flat_list_for_a_matrix_is_the_wrong_shape():
    got = verdict("array", np.eye(2), "[1, 0, 0, 1]")
    assert got.status is Status.INCORRECT and "expected (2, 2), got (4,)" in got.feedback


@pytest.mark.parametrize("answer", ["(1, 2)", "[1, 2]", "1, 2", r"\left(1, 2\right)", "x = (1, 2)", ["1", 2]])
def test_written_tuple_is_read(answer):
    got = verdict("tuple", (1, 2), answer)
    assert got.status is Status.CORRECT


def test_written_tuple_shows_how_it_was_read():
    assert verdict("tuple", (1, 2), "(1, 3)").read_as == r"\left( 1, \  3\right)"


def test_number_checker_takes_numpy_references():
    for reference in (np.int64(3), np.array(3.0), np.float32(3.0)):
        assert verdict("number", reference, "3").status is Status.CORRECT
