"""A notebook whose kernel is not Python, through the real ``grader check``.

An R or Julia notebook handed in as ``foundations.ipynb`` is not run as Python (which gave one
SyntaxError per cell): one note names the file and its language, and the parts are not defined,
as for a file that defines nothing.  A notebook of any Python kernel, or naming none, is run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"

R_CELLS = ["matmul <- function(A, B) A %*% B", "l1_norm <- function(v) sum(abs(v))"]
JULIA_CELLS = ["matmul(A, B) = A * B", "l1_norm(v) = sum(abs.(v))"]
PYTHON_CELLS = ["import numpy as np", "def matmul(A, B):\n    return np.asarray(A) @ np.asarray(B)",
                "def l1_norm(v):\n    return float(np.sum(np.abs(v)))"]


def check(tmp_path: Path, cells: list[str], metadata: dict) -> tuple[str, dict[str, dict]]:
    """``grader check foundations.yaml foundations.ipynb --json``: the submission's notes and each part's result."""
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    notebook.cells = [nbformat.v4.new_markdown_cell("# Foundations")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return check_notebook(tmp_path, notebook)


def check_notebook(tmp_path: Path, notebook) -> tuple[str, dict[str, dict]]:
    """``grader check`` of ``notebook`` saved as foundations.ipynb: the results' output and each part's result."""
    nbformat.write(notebook, tmp_path / "foundations.ipynb")
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(FOUNDATIONS),
                          str(tmp_path / "foundations.ipynb"), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    results = json.loads(out.read_text())
    return results["output"], {test["number"]: test for test in results["tests"]}


@pytest.mark.parametrize("cells, metadata, said", [
    (R_CELLS, {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"},
               "language_info": {"name": "R", "version": "4.3.1"}},
     "foundations.ipynb is a notebook in R (its kernel is ir); the grader runs Python"),
    (JULIA_CELLS, {"language_info": {"name": "julia", "version": "1.9.3"}},
     "foundations.ipynb is a notebook in julia; the grader runs Python"),
], ids=["R", "Julia"])
def test_a_notebook_in_another_language_is_not_run_as_python(tmp_path, cells, metadata, said):
    notes, parts = check(tmp_path, cells, metadata)
    assert said in notes, notes
    assert "hand in a Python notebook" in notes
    assert "SyntaxError" not in notes
    for label, function in (("A1", "matmul"), ("A3", "l1_norm")):
        assert parts[label]["extra_data"]["verdict"] == "not defined"
        assert parts[label]["output"].splitlines()[0] == f"{function} is not defined."


@pytest.mark.parametrize("metadata", [
    {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
     "language_info": {"name": "python", "version": "3.11.4"}},
    {"kernelspec": {"name": "conda-env-ml-py", "display_name": "Python [conda env:ml]", "language": "python"}},
    {"kernelspec": {"name": "xpython", "display_name": "Python 3.11 (XPython)", "language": "python"}},
    {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"},
     "language_info": {"name": "python", "version": "3.8"}},
    {},
], ids=["python3", "conda env", "xeus-python", "JupyterLite", "no kernel named"])
def test_a_python_notebook_is_run(tmp_path, metadata):
    notes, parts = check(tmp_path, PYTHON_CELLS, metadata)
    assert "is a notebook in" not in notes
    assert parts["A1"]["status"] == parts["A3"]["status"] == "passed", parts
