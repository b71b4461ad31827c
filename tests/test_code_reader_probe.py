"""Code files as an instructor's class hands them in, read by grader.readers.code.

A notebook saved under a ``.py`` name (renamed, or "Save as" picked ``.py``)
is Jupyter's JSON, which Python would take for one dict expression that
defines nothing: it is graded as the notebook it is, with a note saying so.
The notes on a notebook's magic and shell lines are one note per notebook,
which names each cell with the line it begins with.  A file read twice in a
run (once to pick the sandbox's libraries, once to grade it) is parsed once.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.readers import code as code_reader
from grader.readers.code import CodeReadError, load_code

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
ALICE = (ROOT / "submissions" / "alice" / "foundations.py").read_text(encoding="utf-8")
DOT = "import numpy as np\n\ndef dot(u, v):\n    return float(np.dot(u, v))\n"
AS_NOTEBOOK = ("foundations.py holds a Jupyter notebook (JSON), not Python: it was read as a notebook; save it "
               "with File > Download as > Python, or hand in the .ipynb")


def write_notebook(path: Path, cells: list[str], markdown: str | None = None, output: str | None = None) -> Path:
    """A notebook as Jupyter saves it, written under ``path`` whatever its suffix."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    if markdown is not None:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(markdown))
    if output is not None:
        notebook.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nbformat.write(notebook, path)
    return path


def check(tmp_path: Path, submission: Path) -> dict:
    """`grader check` on the foundations spec: the JSON results."""
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", FOUNDATIONS, submission, "--json", out],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ a notebook saved as .py

def test_a_notebook_saved_as_py_is_read_as_the_notebook_it_is(tmp_path):
    path = write_notebook(tmp_path / "foundations.py", ["%matplotlib inline\n" + DOT, "x = dot([1], [2])"],
                          markdown="# Foundations\n\nMy answers.", output="2.0\n")
    source = load_code(path)
    assert source.is_notebook
    assert [cell.label for cell in source.normalised_cells()] == ["foundations.py, code cell 1",
                                                                  "foundations.py, code cell 2"]
    assert source.cells[0].source == "pass\n" + DOT
    assert source.markdown_cells == ["# Foundations\n\nMy answers."]
    assert source.notes[0] == AS_NOTEBOOK


def test_a_notebook_saved_as_py_is_graded_like_the_py(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    # Jupyter's JSON holds no null, true or false here: Python takes it for one dict and defines nothing.
    write_notebook(folder / "foundations.py", [ALICE, "print(matmul([[1]], [[2]]))"], markdown="# Homework")
    results = check(tmp_path, folder / "foundations.py")
    scores = {test["number"]: test["score"] for test in results["tests"]}
    assert scores["A1"] == 2.0 and sum(scores.values()) > 0.8 * sum(t["max_score"] for t in results["tests"])
    assert AS_NOTEBOOK in results["output"]


def test_a_large_notebook_saved_as_py_is_read_without_its_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_SOURCE_BYTES", 10_000)
    path = write_notebook(tmp_path / "foundations.py", [DOT], output="loss 0.1\n" * 5_000)
    assert path.stat().st_size > 20_000
    source = load_code(path)
    assert source.is_notebook and [cell.source for cell in source.cells] == [DOT]


def test_a_large_python_file_is_still_refused_at_the_python_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_SOURCE_BYTES", 10_000)
    path = tmp_path / "foundations.py"
    path.write_text("{'a': 1}\n" + "x = 1\n" * 5_000, encoding="utf-8")
    with pytest.raises(CodeReadError, match=r"^foundations\.py: file is 30009 bytes, more than the 10000-byte limit$"):
        load_code(path)


@pytest.mark.parametrize("text", [
    '{"cells": [], "nbformat": 4}["cells"]\nx = 1\n',    # Python that is not JSON
    '{"a": 1, "cells": 2}\n',                            # JSON, but no nbformat: a dict in Python
    '{\n  "nbformat": 4,\n  "cells": [\n',               # a notebook cut short: not JSON, so Python's error
])
def test_python_that_looks_like_json_is_read_as_python(tmp_path, text):
    path = tmp_path / "foundations.py"
    path.write_text(text, encoding="utf-8")
    source = load_code(path)
    assert not source.is_notebook
    assert [cell.source for cell in source.cells] == [text] and source.notes == []


def test_a_notebook_saved_as_py_that_jupyter_could_not_open_is_refused_saying_what_it_is(tmp_path):
    path = tmp_path / "foundations.py"
    path.write_text(json.dumps({"cells": [], "nbformat": 9, "metadata": {}}), encoding="utf-8")
    with pytest.raises(CodeReadError) as raised:
        load_code(path)
    assert str(raised.value).startswith("foundations.py holds a Jupyter notebook (JSON), not Python, which "
                                        "cannot be read: not a valid notebook (nbformat version 9")


# ------------------------------------------------------------------ notes on magic and shell lines

def test_magic_and_shell_lines_get_one_note_per_notebook_naming_each_cell(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", [
        "%matplotlib inline\n!pip install numpy\nimport numpy as np",
        "%time W = np.eye(3)",
        DOT + "%time d = dot([1], [2])",
        "x = 1\n%time y = 2\n%time z = 3",
        "%load_ext autoreload",
    ])
    source = load_code(path)
    assert source.cells[1].source == "W = np.eye(3)"  # %time lines still run their statement
    assert source.notes == [
        "foundations.ipynb: 7 IPython magic and shell lines were skipped or run without the magic: "
        "%matplotlib and !pip were skipped in code cell 1 (beginning “%matplotlib inline”); "
        "%time ran its statement in code cells 2 (beginning “%time W = np.eye(3)”), "
        "3 (beginning “import numpy as np”) and 4 (beginning “x = 1”); "
        "%load_ext was skipped in code cell 5 (beginning “%load_ext autoreload”)"]


def test_the_one_note_says_what_happened_to_each_kind_of_line(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", [
        "%%time\n" + DOT,
        "%%bash\necho hi",
        "files = !ls\nt = %timeit -o dot([1], [2])\nnp.mean?",
    ])
    assert load_code(path).notes == [
        "foundations.ipynb: 5 IPython magic, shell and help lines were skipped or run without the magic: "
        "%%time ran its cell's body in code cell 1 (beginning “import numpy as np”); "
        "%%bash was skipped with its whole cell in code cell 2 (beginning “echo hi”); "
        "!ls and %timeit were skipped, giving None, in code cell 3 (beginning “files = !ls”); "
        "np.mean? was skipped in code cell 3 (beginning “files = !ls”)"]


def test_a_written_file_is_said_once_among_the_fates_of_the_lines(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", [
        "%matplotlib inline\nimport numpy as np",
        "%time W = np.eye(3)",
        "%%writefile helpers.py\ndef relu(x):\n    return x",
    ])
    note, = load_code(path).notes
    assert note.startswith("foundations.ipynb: 3 IPython magic lines were skipped, written to a file or run "
                           "without the magic: "), note
    assert "%%writefile wrote its cell's text to its file in code cell 3" in note


def test_only_timing_lines_were_run_without_the_magic(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", ["%timeit -n 1 x = 2"])
    assert load_code(path).notes == [
        "foundations.ipynb: 1 IPython magic line was run without the magic: "
        "%timeit ran its statement in code cell 1 (beginning “%timeit -n 1 x = 2”)"]


def test_a_notebook_with_hundreds_of_magic_lines_gets_one_short_note(tmp_path):
    cells = [f"%matplotlib inline\n%time x{n} = {n}\n!echo {n}" for n in range(300)]
    cells += [f"%magic{n}" for n in range(20)]
    notes = load_code(write_notebook(tmp_path / "foundations.ipynb", cells + [DOT])).notes
    assert len(notes) == 1 and len(notes[0]) < 1_500
    assert notes[0].startswith("foundations.ipynb: 920 IPython magic and shell lines were skipped or run without "
                               "the magic: %matplotlib and !echo were skipped in code cells 1 (beginning "
                               "“%matplotlib inline”), 2 (beginning “%matplotlib inline”), 3 (beginning "
                               "“%matplotlib inline”) and 297 more; %time ran its statement in code cells 1")
    assert notes[0].endswith("and 16 more lines")


def test_other_notes_on_a_notebook_are_not_crowded_out(tmp_path):
    path = tmp_path / "foundations.ipynb"
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "source": "%matplotlib inline", "metadata": {}, "outputs": []}] * 80
        + [{"source": "x = 1", "metadata": {}}]}), encoding="utf-8")
    notes = load_code(path).notes
    assert len(notes) == 2
    assert notes[0].startswith("foundations.ipynb: skipped cell 81, which has no cell_type")
    assert notes[1].startswith("foundations.ipynb: 80 IPython magic lines were skipped: %matplotlib was skipped")


# ------------------------------------------------------------------ reading a file once

@pytest.fixture
def reads(monkeypatch):
    """The files load_code reads, in order; files count as settled at once (no wait for coarse clocks)."""
    monkeypatch.setattr(code_reader, "SETTLED_NS", 0)
    code_reader.forget_readings()
    seen: list[str] = []
    real = code_reader._read_bytes

    def counting(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(code_reader, "_read_bytes", counting)
    yield seen
    code_reader.forget_readings()


def test_a_file_read_again_unchanged_is_not_parsed_again(tmp_path, reads):
    path = write_notebook(tmp_path / "foundations.ipynb", ["%matplotlib inline\n" + DOT])
    first = load_code(path)
    first.notes.append("a note added by a caller")
    second = load_code(path)
    assert reads == ["foundations.ipynb"]
    assert second.cells == first.cells and len(second.notes) == 1  # each caller gets its own lists


def test_a_changed_file_is_read_again(tmp_path, reads):
    path = tmp_path / "foundations.py"
    path.write_text("x = 1\n", encoding="utf-8")
    load_code(path)
    path.write_text("x = 22\n", encoding="utf-8")
    assert load_code(path).cells[0].source == "x = 22\n"
    other = tmp_path / "other"
    other.mkdir()
    (other / "foundations.py").write_text("x = 1\n", encoding="utf-8")
    load_code(other / "foundations.py")
    assert reads == ["foundations.py"] * 3


def test_a_file_just_written_is_not_kept(tmp_path, reads, monkeypatch):
    # A coarse file-system clock could give a file rewritten at once the same time: it is read again.
    monkeypatch.setattr(code_reader, "SETTLED_NS", 3_600 * 10**9)
    path = tmp_path / "foundations.py"
    path.write_text("x = 1\n", encoding="utf-8")
    load_code(path)
    load_code(path)
    assert reads == ["foundations.py"] * 2


def test_sibling_import_notes_follow_the_folder(tmp_path, reads):
    path = tmp_path / "foundations.py"
    path.write_text("import helpers\n", encoding="utf-8")
    assert load_code(path).notes == []
    (tmp_path / "helpers.py").write_text("y = 2\n", encoding="utf-8")
    assert load_code(path).notes[0].startswith("foundations.py imports helpers, but helpers.py is another file")
    assert reads == ["foundations.py"]


def test_the_kept_readings_are_bounded(tmp_path, reads, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_KEPT_READINGS", 3)
    paths = []
    for n in range(5):
        paths.append(tmp_path / f"s{n}" / "foundations.py")
        paths[-1].parent.mkdir()
        paths[-1].write_text(f"x = {n}\n", encoding="utf-8")
        load_code(paths[-1])
    load_code(paths[0])  # left out to keep three
    load_code(paths[4])
    assert len(reads) == 6
