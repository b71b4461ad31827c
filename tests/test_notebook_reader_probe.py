"""Notebooks as students' hands leave them, read by grader.readers.code and run by `grader check`.

A ``.py`` file renamed ``.ipynb`` is run as the Python file it is, with a note saying so
(as a notebook saved under a ``.py`` name is read as the notebook it is).  A notebook
that cannot be read says what is wrong with it: empty, cut off, or holding Git's
merge-conflict markers, not only "not JSON".
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, np.asarray(x, dtype=float))\n"


def check(tmp_path: Path, folder: Path) -> dict:
    """`grader check` on the foundations spec: the JSON results."""
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", FOUNDATIONS, folder, "--json", out],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def part(results: dict, label: str) -> dict:
    return next(test for test in results["tests"] if test["number"] == label)


def student(tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    return folder


def notebook_text(cells: list) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return nbformat.writes(notebook)


# ------------------------------------------------------------------ a .py file renamed .ipynb

def test_a_python_file_saved_as_ipynb_is_run_as_python(tmp_path):
    folder = student(tmp_path)
    (folder / "foundations.ipynb").write_text(RELU, encoding="utf-8")
    results = check(tmp_path, folder)
    assert part(results, "D2")["score"] == part(results, "D2")["max_score"]  # relu
    assert ("foundations.ipynb holds Python code, not a Jupyter notebook: it was run as the Python file it is; "
            "rename it foundations.py") in results["output"]
    assert "not JSON" not in json.dumps(results)


# ------------------------------------------------------------------ notebooks that cannot be read

def unreadable(tmp_path: Path, data: bytes) -> tuple[str, dict]:
    """What the relu part says of a foundations.ipynb holding ``data``, and all the results."""
    tmp_path.mkdir(exist_ok=True)
    folder = student(tmp_path)
    (folder / "foundations.ipynb").write_bytes(data)
    results = check(tmp_path, folder)
    return part(results, "D2")["output"], results


def test_an_empty_notebook_is_said_to_be_empty(tmp_path):
    said, results = unreadable(tmp_path, b"")
    assert said.startswith("foundations.ipynb is empty: there is no notebook in it to run; save the notebook in "
                           "Jupyter and hand it in again")
    assert "not JSON" not in json.dumps(results)


def test_a_notebook_cut_off_is_said_to_end_early(tmp_path):
    text = notebook_text([nbformat.v4.new_code_cell(RELU)])
    for cut in (len(text) // 2, text.index("np.maximum")):  # between values, and inside a string
        said, _ = unreadable(tmp_path / str(cut), text[:cut].encode("utf-8"))
        assert said.startswith("foundations.ipynb ends early — the file was cut off (saved while copying?)"), said


def test_a_merge_conflicted_notebook_says_to_resolve_the_conflict(tmp_path):
    text = notebook_text([nbformat.v4.new_code_cell(RELU)])
    ours = text.replace("np.maximum(0,", "np.maximum(0.0,")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "np.maximum" in line)
    conflicted = "".join(lines[:at] + ["<<<<<<< HEAD\n", ours.splitlines(keepends=True)[at], "=======\n",
                                       lines[at], ">>>>>>> origin/main\n"] + lines[at + 1:])
    said, _ = unreadable(tmp_path, conflicted.encode("utf-8"))
    assert said.startswith("foundations.ipynb holds Git merge-conflict markers (<<<<<<< … >>>>>>>): resolve the "
                           "conflict and hand it in again"), said


# ------------------------------------------------------------------ code where Jupyter does not run it

def write_notebook(folder: Path, cells: list) -> Path:
    path = folder / "foundations.ipynb"
    path.write_text(notebook_text(cells), encoding="utf-8")
    return path


def test_a_notebook_of_markdown_only_says_it_has_no_code_cells(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [nbformat.v4.new_markdown_cell("# Foundations\n\nMy answers are below."),
                            nbformat.v4.new_markdown_cell("## Activations\n\n```python\n" + RELU + "```\n")])
    results = check(tmp_path, folder)
    assert part(results, "D2")["score"] == 0
    assert ("foundations.ipynb has no code cells, so nothing in it was run; its code is in a Markdown cell "
            "(cell 2, beginning “## Activations”), which Jupyter does not run: put the code, without the ``` "
            "lines, in a Code cell") in results["output"]


def test_a_notebook_with_no_cells_says_it_has_no_code_cells(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [])
    assert "foundations.ipynb has no code cells, so nothing in it was run" in check(tmp_path, folder)["output"]


def test_a_function_written_in_a_raw_cell_is_named_with_its_cell(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [nbformat.v4.new_code_cell("import numpy as np"),
                            nbformat.v4.new_markdown_cell("## Activations"),
                            nbformat.v4.new_raw_cell(RELU.removeprefix("import numpy as np\n\n"))])
    results = check(tmp_path, folder)
    assert ("foundations.ipynb: relu is defined in a Raw cell (cell 3, beginning “def relu(x):”), which Jupyter "
            "does not run: change the cell type to Code") in results["output"]
    assert part(results, "D2")["score"] == 0


def test_functions_in_markdown_also_defined_in_code_get_no_note(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [nbformat.v4.new_markdown_cell("The idea:\n\n```python\n" + RELU + "```"),
                            nbformat.v4.new_code_cell(RELU)])
    results = check(tmp_path, folder)
    assert part(results, "D2")["score"] == part(results, "D2")["max_score"]
    assert "Jupyter does not run" not in results["output"]


def test_the_part_of_a_function_in_a_raw_cell_says_where_it_is(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [nbformat.v4.new_code_cell("import numpy as np"),
                            nbformat.v4.new_raw_cell(RELU.removeprefix("import numpy as np\n\n"))])
    said = part(check(tmp_path, folder), "D2")["output"]
    assert said.startswith("relu is defined in a Raw cell (cell 2, beginning “def relu(x):”), which Jupyter does "
                           "not run: change the cell type to Code."), said


def test_a_function_pasted_as_plain_markdown_is_named_with_its_cell(tmp_path):
    folder = student(tmp_path)
    write_notebook(folder, [nbformat.v4.new_code_cell("import numpy as np"),
                            nbformat.v4.new_markdown_cell(RELU.removeprefix("import numpy as np\n\n"))])
    assert ("foundations.ipynb: relu is defined in a Markdown cell (cell 2, beginning “def relu(x):”), which "
            "Jupyter does not run: change the cell type to Code") in check(tmp_path, folder)["output"]


def test_a_notebook_of_written_answers_gets_no_note_on_code(tmp_path):
    folder = student(tmp_path)
    answers = (ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8")
    write_notebook(folder, [nbformat.v4.new_markdown_cell(answers), nbformat.v4.new_code_cell("")])
    (folder / "foundations.ipynb").rename(folder / "q2.ipynb")
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", ROOT / "problems" / "q2-activations.yaml", folder,
                          "--json", out], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["score"] == sum(test["max_score"] for test in results["tests"])
    assert "code cells" not in results["output"] and "Jupyter does not run" not in results["output"]
