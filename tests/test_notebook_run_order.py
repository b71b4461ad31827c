"""Cells run out of order, through the real ``grader check``.

Students run a notebook's cells in any order in Jupyter; the grader runs them top to bottom.  A cell's
NameError for a name that a later cell defines says so, and which cell to move; one for a name that no
cell defines says nothing of the kind."""
from __future__ import annotations

import nbformat
import pytest

from test_notebook_kernels import check_notebook

# Run in Jupyter as 1: cell 3 ([3]), then cell 2 ([4]), then cell 1 ([5]); cell 4 uses a name nothing defines.
CELLS = [
    ("import numpy as np\n\ndef matmul(A, B):\n    return helper(A, B)\n\ncheck = helper([[1]], [[2]])", 5),
    ("def l1_norm(v):\n    return float(np.sum(np.abs(v)))", 4),
    ("def helper(A, B):\n    return np.asarray(A) @ np.asarray(B)", 3),
    ("total = undefined_total + 1", 6),
]


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[list[str], dict[str, dict]]:
    """``grader check foundations.yaml foundations.ipynb --json``: the submission's notes and each part's result."""
    tmp_path = tmp_path_factory.mktemp("run_order")
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(source, execution_count=count) for source, count in CELLS]
    output, parts = check_notebook(tmp_path, notebook)
    return output.splitlines(), parts


def test_a_name_defined_in_a_later_cell_says_to_move_that_cell_up(checked):
    notes, parts = checked
    [note] = [note for note in notes if "code cell 1 raised NameError" in note]
    assert "name 'helper' is not defined — helper is defined in a later cell (code cell 3, the cell beginning " \
           "“def helper(A, B):”), which in Jupyter was run first (execution counts [5] and [3])" in note
    assert "the grader runs the cells top to bottom, as Jupyter's Restart & Run All does; move that cell up" in note
    # The functions the cells define are graded all the same.
    assert parts["A1"]["status"] == parts["A3"]["status"] == "passed", parts


def test_a_name_defined_nowhere_gets_no_such_hint(checked):
    notes, _ = checked
    [note] = [note for note in notes if "code cell 4 raised NameError" in note]
    assert "name 'undefined_total' is not defined" in note
    assert "defined in a later cell" not in note and "move that cell" not in note
