"""A notebook's cells are cleaned as Jupyter cleans them before running them, so a notebook that runs in
Jupyter grades like the same code in a ``.py`` file.

IPython drops a cell's leading blank lines, removes its first line's indentation from every line that
begins with it (a stray space before ``import math``, a function pasted with its indentation), and strips
console prompts pasted with the code (``>>> `` and ``... ``, ``In [3]: `` and ``   ...: ``).  Line
numbers in notes stay the lines of the cell as the student sees it.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.readers.code import jupyter_cleaned, load_code

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "foundations.yaml"
ALICE = ROOT / "submissions" / "alice" / "foundations.py"


def statements(source: str) -> tuple[str, dict[str, str]]:
    """The imports of a .py file as one cell's text, and each function's text by name."""
    lines = source.splitlines(keepends=True)
    imports, functions = [], {}
    for node in ast.parse(source).body:
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
        text = "".join(lines[start:node.end_lineno]).rstrip("\n")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = text
    return "\n".join(imports), functions


IMPORTS, FUNCTIONS = statements(ALICE.read_text(encoding="utf-8"))


def notebook(tmp_path: Path, imports: str = IMPORTS, changed: dict[str, str] | None = None,
             extra: list[str] = ()) -> Path:
    """Alice's answers as a notebook: an imports cell, then a cell per function (some changed), then ``extra``."""
    changed = changed or {}
    cells = [nbformat.v4.new_markdown_cell("# Foundations homework"), nbformat.v4.new_code_cell(imports)]
    cells += [nbformat.v4.new_code_cell(changed.get(name, text)) for name, text in FUNCTIONS.items()]
    cells += [nbformat.v4.new_code_cell(text) for text in extra]
    path = tmp_path / "foundations.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def check(submission: Path, tmp_path: Path) -> dict:
    """``grader check`` on one submission: its JSON results."""
    out = tmp_path / f"{submission.stem}-{submission.suffix[1:]}.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(SPEC), str(submission), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def py_result(tmp_path_factory) -> dict:
    return check(ALICE, tmp_path_factory.mktemp("py"))


def scores(result: dict) -> dict:
    return {t["number"]: t["score"] for t in result["tests"]}


def indented(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.split("\n"))


def classic_prompts(text: str) -> str:
    lines = text.split("\n")
    return "\n".join([">>> " + lines[0]] + ["... " + line for line in lines[1:]])


def ipython_prompts(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(["In [3]: " + lines[0]] + ["   ...: " + line for line in lines[1:]])


CASES = {
    # " import math": a stray space on the imports cell's first line once lost every part (NameError).
    "stray space before the first import": {"imports": " " + IMPORTS},
    "a function pasted with its indentation": {"changed": {"relu": indented(FUNCTIONS["relu"], "    ")}},
    "leading blank lines, then an indented cell": {"changed": {"sigmoid": "\n  \n" + indented(FUNCTIONS["sigmoid"], "\t")}},
    "a function pasted from a Python console": {"changed": {"softmax": classic_prompts(FUNCTIONS["softmax"])}},
    "a function pasted from IPython": {"changed": {"matmul": ipython_prompts(FUNCTIONS["matmul"])}},
}


@pytest.mark.parametrize("case", CASES)
def test_a_cell_jupyter_runs_grades_like_the_py(case, tmp_path, py_result):
    result = check(notebook(tmp_path, **CASES[case]), tmp_path)
    assert scores(result) == scores(py_result)
    assert result["score"] == py_result["score"] > 0
    for word in ("IndentationError", "SyntaxError", "NameError"):
        assert word not in result["output"], result["output"]


def test_line_numbers_stay_the_cells_own_after_leading_blank_lines(tmp_path):
    # Line 4 of the cell as the student sees it, though IPython drops the two blank lines above it.
    result = check(notebook(tmp_path, extra=["\n\n    x = 1\n    undefined_name + x"]), tmp_path)
    assert "NameError" in result["output"]
    assert "line 4" in result["output"], result["output"]


def test_a_cell_magic_after_a_blank_first_line_is_skipped(tmp_path, py_result):
    path = notebook(tmp_path, extra=["\n%%bash\necho hello", "\n\n%%writefile notes.txt\nsome notes"])
    result = check(path, tmp_path)
    assert scores(result) == scores(py_result)
    assert "SyntaxError" not in result["output"], result["output"]
    assert "%%bash" in result["output"] and "%%writefile" in result["output"]
    assert not any("%%" in cell.source for cell in load_code(path).normalised_cells())


def test_a_py_file_is_run_as_it_is(tmp_path):
    path = tmp_path / "foundations.py"
    path.write_text(" import math\n", encoding="utf-8")  # Python's own IndentationError, as `python` gives
    assert [cell.source for cell in load_code(path).normalised_cells()] == [" import math\n"]


def test_the_rules_are_ipythons():
    # The first line's indentation goes only from the lines that begin with it.
    assert jupyter_cleaned("  a = 1\n    b = 2\n c = 3") == "a = 1\n  b = 2\n c = 3"
    # Leading blank lines are kept (Python ignores them), so line numbers stay the cell's.
    assert jupyter_cleaned("\n \n  x = 1") == "\n \nx = 1"
    # Classic prompts when the first line carries ">>> " (or the second a prompt); "..." alone is Python.
    assert jupyter_cleaned(">>> x = 1\n... y = 2\n>>>") == "x = 1\ny = 2\n"
    assert jupyter_cleaned("x = ...\n") == "x = ...\n"
    assert jupyter_cleaned("In [12]: f(1)\n   ...: g(2)") == "f(1)\ng(2)"
    assert jupyter_cleaned("y = 1\nz = 2\nIn [3]: x") == "y = 1\nz = 2\nIn [3]: x"


def test_a_module_a_writefile_cell_writes_is_imported_as_in_jupyter(tmp_path, py_result):
    """Restart & Run All writes helper.py, then imports it: the grader does the same, in the run's own folder."""
    helper = "%%writefile helper.py\nimport numpy as np\n\n" + FUNCTIONS["sigmoid"]
    path = notebook(tmp_path, changed={"sigmoid": helper}, extra=["import helper\nfrom helper import sigmoid"])
    result = check(path, tmp_path)
    assert scores(result) == scores(py_result), result["output"]
    assert "%%writefile wrote its cell's text to its file in code cell" in result["output"], result["output"]
    assert not (tmp_path / "helper.py").exists() and not (path.parent / "helper.py").exists()