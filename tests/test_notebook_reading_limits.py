"""Notebooks that are costly or confusing to read, and what the grader makes of them.

A notebook whose saved outputs or metadata hold millions of JSON lists and
objects is refused with advice before it is parsed (parsing it would take
gigabytes); an old (version 3) notebook is converted without its outputs and
metadata; ``%time``/``%timeit``/``%prun`` lines run their statement, as
Jupyter does; notes on a notebook cell quote the line it begins with, since
Jupyter shows no cell numbers; and odd cells are skipped with a note naming
them, the rest graded.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from grader.readers import code as code_reader
from grader.readers.code import CodeReadError, load_code, strip_ipython
from grader.sandbox import Call, WorkerPool

DOT = "import numpy as np\n\ndef dot(u, v):\n    return float(np.dot(u, v))\n"
NORM = "def l1_norm(v):\n    return float(sum(abs(x) for x in v))\n"
# grader.grading reads which notebook cell raised what from the notes with this pattern
CELL_RAISED = re.compile(r"\bcode cell (\d+) raised (\w+)")


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as pool:
        yield pool


def write_notebook(path: Path, cells: list[str], outputs: list | None = None) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    if outputs is not None:
        notebook.cells[-1].outputs = [nbformat.from_dict(output) for output in outputs]
    nbformat.write(notebook, path)
    return path


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def containers(text: bytes) -> int:
    return text.count(b"{") + text.count(b"[")


# ------------------------------------------------------------------ memory

def test_a_notebook_with_too_many_json_lists_and_objects_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_NOTEBOOK_CONTAINERS", 1_000)
    outputs = [{"output_type": "stream", "name": "stdout", "text": f"x{i}\n"} for i in range(1_000)]
    path = write_notebook(tmp_path / "foundations.ipynb", [DOT], outputs=outputs)

    def parse(*args, **kwargs):
        raise AssertionError("the notebook was parsed")
    monkeypatch.setattr(code_reader.json, "loads", parse)
    with pytest.raises(CodeReadError) as info:
        load_code(path)
    message = str(info.value)
    assert message.startswith("foundations.ipynb: ")
    assert "clear the outputs in Jupyter (Edit, Clear Outputs of All Cells), save it and hand it in again" in message


def test_the_densest_outputs_jupyter_saves_stay_under_the_limit_at_the_largest_file():
    # One small stream output per print (a log interleaved with tqdm's bars) is the most lists and
    # objects per byte a saved notebook holds; at the file size limit it must still be read.
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(DOT, outputs=[
        nbformat.v4.new_output("stream", name="stdout" if i % 2 else "stderr", text=f"{i}\n")
        for i in range(5_000)])]
    text = nbformat.writes(notebook).encode()
    per_byte = containers(text) / len(text)
    assert per_byte * code_reader.MAX_NOTEBOOK_BYTES < code_reader.MAX_NOTEBOOK_CONTAINERS / 2
    assert [cell.source for cell in code_reader._load_notebook(Path("foundations.ipynb"), text).cells] == [DOT]


def test_a_version_3_notebook_is_converted_without_its_outputs_and_metadata(tmp_path, monkeypatch):
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "", "junk": [{"a": [1]}] * 500},
        "worksheets": [{"metadata": {"junk": [{}] * 500}, "cells": [
            {"cell_type": "heading", "level": 1, "metadata": {"junk": [{}] * 500}, "source": ["Homework"]},
            {"cell_type": "code", "collapsed": False, "input": DOT.splitlines(True), "language": "python",
             "metadata": {"junk": [{"a": [1]}] * 500}, "prompt_number": 3,
             "outputs": [{"output_type": "stream", "stream": "stdout", "text": ["hi\n"] * 500}]}]}]})
    given = []
    original = nbformat.reads

    def recording_reads(text, *args, **kwargs):
        given.append(text)
        return original(text, *args, **kwargs)
    monkeypatch.setattr(nbformat, "reads", recording_reads)
    source = load_code(path)
    assert [cell.source for cell in source.cells] == [DOT]
    assert source.markdown_cells == ["# Homework"]
    assert len(given) == 1 and "junk" not in given[0] and "hi\\n" not in given[0]


# ------------------------------------------------------------------ %time lines

def test_a_time_line_runs_its_statement_once():
    code, notes = strip_ipython("%time W = np.eye(3)\nSCALE = W.shape[0]", "foundations.ipynb, code cell 2")
    assert code == "W = np.eye(3)\nSCALE = W.shape[0]"
    assert notes == ["foundations.ipynb, code cell 2: ran the statement of the %time line without the magic"]


@pytest.mark.parametrize("line, statement", [
    ("%timeit -n 10 -r 3 x = f(1)", "x = f(1)"),
    ("%timeit -n10 -r3 -o x = f(1)", "x = f(1)"),
    ("%timeit x = f(1)", "x = f(1)"),
    ("%prun -s cumulative -l 5 result = train()", "result = train()"),
    ("    %time result = train()", "    result = train()"),
    ("y = %time f(2)", "y = f(2)"),  # %time gives the statement's value, as in Jupyter
])
def test_timing_lines_run_their_statement(line, statement):
    code, notes = strip_ipython(line, "cell")
    assert code == statement
    assert len(notes) == 1 and "ran the statement of the %" in notes[0]


def test_a_time_statement_continued_in_brackets_keeps_its_later_lines():
    # "% 5" starts a line inside the brackets: it is the statement's, not a magic.
    code, notes = strip_ipython("%time total = (17\n         % 5)\n!echo hi\nW = [[1, 2],\n%time\n]", "cell")
    assert code == "total = (17\n         % 5)\npass\nW = [[1, 2],\n%time\n]"
    assert len(notes) == 2


def test_a_time_line_defines_a_name_later_cells_use(pool, tmp_path):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb", [
        "import numpy as np\n%time W = np.eye(3)\n%timeit -n 1 -r 1 SCALE = float(W.shape[0])",
        "def dot(u, v):\n    return float(np.dot(u, W @ v)) * SCALE / 3"]))
    run = pool.run(source, [Call("dot", ([1, 2, 3], [4, 5, 6]))])
    assert run.load_status == "ok", run.load_message
    assert [o.value for o in run.outcomes] == [32.0]


# ------------------------------------------------------------------ naming cells

def test_notes_on_a_cell_quote_the_line_it_begins_with(pool, tmp_path):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb", [
        DOT,
        "\n  \nfor epoch in range(100):  # train the model for a very long time indeed\n    undefined_name",
        "%%time\nimport time\ntime.sleep(60)",
        NORM]))
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],))],
                   import_timeout=1.5, notebook_timeout=30.0)
    assert run.load_status == "ok", run.load_message
    assert [o.value for o in run.outcomes] == [11.0, 3.0]
    raised = next(note for note in run.notes if "code cell 2 " in note)
    stopped = next(note for note in run.notes if "code cell 3 took" in note)
    assert raised == ("foundations.ipynb, code cell 2 raised NameError (line 4 of the cell beginning “for epoch "
                      "in range(100):  # train the…”): name 'undefined_name' is not defined; later cells still ran")
    assert CELL_RAISED.search(raised).groups() == ("2", "NameError")
    assert stopped == ("foundations.ipynb, code cell 3 took longer than 1.5 s and was stopped "
                       "(the cell beginning “import time”); later cells still ran")


def test_a_cell_quote_is_its_first_line_of_code_shortened():
    quote = code_reader.cell_quote
    assert quote("\n  \n   x = 1   \ny = 2") == "x = 1"
    assert quote("%%time\n\ntrain()") == "train()"
    assert quote("%%time") == "%%time"
    assert quote("   \n") == ""
    assert quote("result = gradient_descent(x0=5.0, learning_rate=0.1, iterations=100)") == \
        "result = gradient_descent(x0=5.0,…"
    assert quote("x" * 100) == "x" * 40 + "…"


# ------------------------------------------------------------------ odd cells

def test_notes_on_skipped_cells_are_capped(tmp_path):
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"source": "x = 1", "metadata": {}}] * 500 + [{"cell_type": "code", "source": DOT}]})
    notes = load_code(path).notes
    limit = code_reader.MAX_READING_NOTES
    assert len(notes) == limit + 1
    assert notes[0].startswith("foundations.ipynb: skipped cell 1, which has no cell_type")
    assert notes[-1] == f"foundations.ipynb: {500 - limit} more notes on reading it were left out"


def test_a_cell_without_a_cell_type_is_skipped_with_a_note(tmp_path):
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "source": DOT, "metadata": {}, "outputs": []},
                  {"source": "def l1_norm(v):\n    return 0.0\n", "metadata": {}},
                  {"cell_type": "cod", "source": "x = 1", "metadata": {}},
                  {"cell_type": "raw", "source": "raw text", "metadata": {}},
                  {"cell_type": "code", "source": NORM, "metadata": {}, "outputs": []}]})
    source = load_code(path)
    assert [cell.source for cell in source.cells] == [DOT, NORM]
    assert source.notes == [
        "foundations.ipynb: skipped cell 2, which has no cell_type to say whether it is code or Markdown "
        "(the cell beginning “def l1_norm(v):”)",
        "foundations.ipynb: skipped cell 3, whose cell_type 'cod' is not code, markdown or raw "
        "(the cell beginning “x = 1”)"]


def test_a_code_cell_whose_source_is_not_text_is_skipped_and_the_rest_graded(pool, tmp_path):
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "source": DOT, "metadata": {}, "outputs": []},
                  {"cell_type": "code", "source": None, "metadata": {}, "outputs": []},
                  {"cell_type": "code", "source": NORM, "metadata": {}, "outputs": []}]})
    source = load_code(path)
    assert [cell.label for cell in source.cells] == ["foundations.ipynb, code cell 1", "foundations.ipynb, code cell 3"]
    assert source.notes == ["foundations.ipynb: skipped code cell 2, whose source is not text but a JSON null "
                            "(it comes after the cell beginning “import numpy as np”)"]
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],))])
    assert [o.value for o in run.outcomes] == [11.0, 3.0]
