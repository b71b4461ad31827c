"""A hidden case that fails says what kind of mistake it was, in fixed words, never its values.

The checkers give such words as a verdict's ``hint``; a hidden case's line
shows it ("✗ hidden case 2: Wrong result. …").  These are the mistakes a
student could not otherwise tell apart from any other wrong result.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
CORRECT = (ROOT / "submissions" / "alice" / "foundations.py").read_text(encoding="utf-8")

# Each function redefined after the correct ones (the last definition is the one graded).
CHANGED = '''

def symmetric_eig(M):
    # np.linalg.eig: right on distinct eigenvalues, not orthonormal within a repeated one
    w, V = np.linalg.eig(np.asarray(M, dtype=float))
    order = np.argsort(w.real)
    return w.real[order], V.real[:, order]


def tensor_shape_rank(T):
    a = np.asarray(T)
    return a.shape, 2  # the rank of a matrix, whatever T is


def sigmoid(x):
    import warnings
    x = np.asarray(x, dtype=float)
    if x.size > 3:
        warnings.warn(f"big input {x.ravel()[:3]}")  # its message quotes the input
    return 0.5 * (1 + np.tanh(x / 2))


def matmul(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape[1] != B.shape[0]:
        print("inner dimensions differ")  # instead of raising
        return None
    return A @ B


def dot(u, v):
    return float(np.dot(u, v)) * (1 + 3e-6)  # just outside the tolerance
'''


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("hints")
    (root / "class" / "sam").mkdir(parents=True)
    (root / "class" / "sam" / "foundations.py").write_text(CORRECT + CHANGED, encoding="utf-8")
    assert main(["grade", str(FOUNDATIONS), "--submissions", str(root / "class"), "--out", str(root / "out"),
                 "--no-progress"]) == 0
    results = json.loads((root / "out" / "sam" / "results.json").read_text(encoding="utf-8"))
    return {test["number"]: test["output"] for test in results["tests"]}


def hidden_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"✗ hidden case \d+", line)]


def test_eigenvectors_not_orthogonal_within_a_repeated_eigenvalue_are_named(outputs):
    lines = hidden_lines(outputs["A8"])
    assert any("not orthogonal" in line and "np.linalg.eigh" in line for line in lines), outputs["A8"]
    assert not any(re.search(r"Columns? \d", line) for line in lines)  # which columns would tell the matrix


def test_a_wrong_item_of_a_pair_is_named(outputs):
    lines = hidden_lines(outputs["A9"])
    assert lines and all(line.endswith("Wrong result. Rank: wrong value.") for line in lines), outputs["A9"]


def test_right_values_that_warned_are_not_called_a_wrong_result(outputs):
    lines = hidden_lines(outputs["D1"])
    assert lines, outputs["D1"]
    for line in lines:
        assert "The right values, but the call warned" in line and "Wrong result" not in line
        assert "big input" not in line  # the warning's own message may quote the hidden input


def test_returning_none_where_an_exception_is_due_is_not_called_a_missing_return(outputs):
    lines = hidden_lines(outputs["A1"])
    assert lines, outputs["A1"]
    assert not any("return statement" in line for line in lines), lines


def test_a_near_miss_is_shown_with_the_digits_that_differ(outputs):
    public = [line for line in outputs["A2"].splitlines() if line.startswith("✗ small vectors")]
    assert public, outputs["A2"]
    expected, got = re.search(r"Expected (\S+); got (\S+)\.$", public[0]).groups()
    assert expected != got and float(expected) == 32.0, public[0]
