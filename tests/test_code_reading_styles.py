"""Code as students write it, read as Python would read it.

Black's line breaks inside brackets start a line with ``!=`` or ``%``, which is
Python, not a shell line or a magic; a help line may start with ``?``; a
``.py`` file may declare its encoding (PEP 263) and is read in it; a
one-element array where one number is asked is a wrong shape, not an answer
the grader cannot check.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.checkers import get_checker
from grader.checkers.base import Status
from grader.readers.code import CodeReadError, load_code, strip_ipython

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"

BLACK_MATMUL = '''\
import numpy as np


def matmul(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if (
        A.ndim != 2
        or A.shape[1]
        != B.shape[0]
    ):
        raise ValueError(
            "inner dimensions differ: %s vs %s"
            % (A.shape, B.shape)
        )
    return A @ B
'''


def check(tmp_path: Path, submission: Path) -> dict:
    """`grader check` on the foundations spec; the JSON results by part label."""
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", FOUNDATIONS, submission, "--json", out],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return {test["number"]: test for test in json.loads(out.read_text(encoding="utf-8"))["tests"]}


def write_notebook(path: Path, cells: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    nbformat.write(notebook, path)
    return path


# ------------------------------------------------------------------ IPython syntax only where a statement starts

def test_black_continuation_lines_inside_brackets_are_python():
    code, notes = strip_ipython(BLACK_MATMUL, "cell")
    assert code == BLACK_MATMUL
    assert notes == []
    compile(code, "cell", "exec")


@pytest.mark.parametrize("source", [
    "x = (1 +\n     2\n     % 3)\n",
    "x = 1 + \\\n    % 3\n",
    "s = '''\n!not a shell line\n%not a magic\n?not help\n'''\n",
    'y = f"{\'(\'}"\nz = [\n    != 2\n]\n',  # a bracket inside a string opens nothing
])
def test_lines_continuing_a_statement_are_never_ipython(source):
    code, notes = strip_ipython(source, "cell")
    assert code == source
    assert notes == []


def test_magics_at_statement_starts_are_still_skipped_around_brackets():
    source = "x = (1,\n     2)\n%matplotlib inline\nif x:\n    !ls\n# (not a bracket\n%time f()\n"
    code, notes = strip_ipython(source, "cell")
    assert code == "x = (1,\n     2)\npass\nif x:\n    pass\n# (not a bracket\nf()\n"
    assert notes == ["cell: skipped magic line: %matplotlib inline", "cell: skipped shell line: !ls",
                     "cell: ran the statement of the %time line without the magic"]


def test_help_lines_with_a_leading_question_mark_are_skipped():
    code, notes = strip_ipython("?np.linalg.eigh\n??np.mean\nnp.gradient?\nx = 1\n", "cell")
    assert code == "pass\npass\npass\nx = 1\n"
    assert notes == ["cell: skipped help line: ?np.linalg.eigh", "cell: skipped help line: ??np.mean",
                     "cell: skipped help line: np.gradient?"]


def test_a_black_formatted_notebook_cell_is_graded(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", ["?np.linalg.eigh\n" + BLACK_MATMUL])
    assert load_code(path).notes == ["foundations.ipynb: 1 IPython help line was skipped: ?np.linalg.eigh was "
                                     "skipped in code cell 1 (beginning “?np.linalg.eigh”)"]
    results = check(tmp_path, path)
    assert results["A1"]["score"] == results["A1"]["max_score"] > 0


# ------------------------------------------------------------------ encodings

def test_a_py_file_with_a_coding_declaration_is_read_in_that_encoding(tmp_path):
    path = tmp_path / "foundations.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\n# Autor: Jos\xe9\n"
                     b"def dot(u, v):\n    return float(sum(a * b for a, b in zip(u, v)))\n")
    assert "# Autor: Jos\u00e9" in load_code(path).cells[0].source
    results = check(tmp_path, path)
    assert results["A2"]["score"] == results["A2"]["max_score"] > 0


@pytest.mark.parametrize("data, message", [
    (b'# Jos\xe9\nx = 1\n', "foundations.py: not UTF-8 text (byte 0xe9 on line 1 cannot be decoded); save it as "
                          "UTF-8 and hand it in again"),
    (b'# coding: ascii\nx = "\xe9"\n', "foundations.py: not ascii text, as its coding line says (byte 0xe9 on line 2"),
    ("def dot(u, v):\n    return 0.0\n".encode("utf-16-le"),
     "foundations.py: not UTF-8 text: it looks like UTF-16 saved without a byte-order mark"),
    (b"# coding: klingon\nx = 1\n", "foundations.py: its coding line names an encoding Python does not know"),
])
def test_a_py_file_python_cannot_decode_is_named_clearly(tmp_path, data, message):
    path = tmp_path / "foundations.py"
    path.write_bytes(data)
    with pytest.raises(CodeReadError) as error:
        load_code(path)
    assert str(error.value).startswith(message)


# ------------------------------------------------------------------ one number asked, an array returned

@pytest.mark.parametrize("value, shape", [
    (np.array([[32.0]]).view(np.matrix), "(1, 1)"),  # what np.matrix(u) * np.matrix(v).T returns
    (np.array([32.0]), "(1,)"),
    ({"__array__": [[32.0]]}, "(1, 1)"),
])
def test_a_one_element_array_for_a_number_is_a_wrong_shape(value, shape):
    verdict = get_checker("number").check(32.0, value, None)
    assert verdict.status is Status.INCORRECT
    assert verdict.feedback == f"Expected one number, got an array of shape {shape}."


@pytest.mark.parametrize("value, feedback", [
    ([32.0], "Expected one number, got a list of 1."),  # judged as np.array([32.0]) is
    ((32.0, 1.0), "Expected one number, got a tuple of 2."),
])
def test_a_list_or_tuple_for_a_number_is_wrong_like_an_array(value, feedback):
    verdict = get_checker("number").check(32.0, value, None)
    assert verdict.status is Status.INCORRECT
    assert verdict.feedback == feedback


def test_a_zero_dimensional_array_still_counts_as_a_number():
    assert get_checker("number").check(32.0, np.array(32.0), None).is_correct


def test_a_function_returning_a_1x1_matrix_is_graded_incorrect_not_uncheckable(tmp_path):
    path = tmp_path / "foundations.py"
    path.write_text("import numpy as np\n\ndef dot(u, v):\n    return np.matrix(u) * np.matrix(v).T\n\n"
                    "def mean(values):\n    return np.mean(values, keepdims=True)\n", encoding="utf-8")
    results = check(tmp_path, path)
    assert results["A2"]["extra_data"]["verdict"] == "incorrect"
    assert "Expected one number, got an array of shape (1, 1)." in results["A2"]["output"]
    assert "could not check" not in results["A2"]["output"]
    mean = next(test for test in results.values() if test["name"].startswith("mean("))
    assert "Expected one number, got an array of shape (1,)." in mean["output"]
