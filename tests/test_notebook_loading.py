"""Notebooks as students save them: large outputs, slow cells, Jupyter-only code, odd files.

Each test is a notebook a student could hand in, and what the grader makes of
it: the saved outputs do not count towards the size limit, a slow cell is
stopped and noted while the other cells are graded, IPython's display and
magics do nothing instead of failing the cell, and a file that is not a
notebook is named for what it is.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import nbformat
import pytest

from grader.readers import code as code_reader
from grader.readers.code import CodeReadError, load_code, strip_ipython
from grader.sandbox import Call, WorkerPool

DOT = "import numpy as np\n\ndef dot(u, v):\n    return float(np.dot(u, v))\n"
NORM = "def l1_norm(v):\n    return float(sum(abs(x) for x in v))\n"


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


# ------------------------------------------------------------------ reading

def test_saved_outputs_do_not_count_towards_the_size_limit(tmp_path):
    plot = base64.b64encode(os.urandom(code_reader.MAX_SOURCE_BYTES)).decode()
    path = write_notebook(tmp_path / "foundations.ipynb", [DOT], outputs=[
        {"output_type": "display_data", "data": {"image/png": plot}, "metadata": {}},
        {"output_type": "stream", "name": "stdout", "text": ["epoch %d\n" % i for i in range(100_000)]},
    ])
    assert path.stat().st_size > code_reader.MAX_SOURCE_BYTES
    source = load_code(path)
    assert [cell.source for cell in source.cells] == [DOT]


def test_the_size_limit_applies_to_code_and_markdown(tmp_path):
    path = write_notebook(tmp_path / "foundations.ipynb", [DOT, "# " + "x" * code_reader.MAX_SOURCE_BYTES])
    with pytest.raises(CodeReadError, match=r"foundations.ipynb: its code and Markdown cells hold more than "
                                            r"the 5,242,880-byte limit \(saved outputs are not counted\)"):
        load_code(path)
    (tmp_path / "big.py").write_text("# " + "x" * code_reader.MAX_SOURCE_BYTES)
    with pytest.raises(CodeReadError, match="big.py: file is .* bytes, more than the 5242880-byte limit"):
        load_code(tmp_path / "big.py")


def test_a_notebook_file_over_the_raw_limit_is_refused_with_advice(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_NOTEBOOK_BYTES", 50_000)
    path = write_notebook(tmp_path / "foundations.ipynb", [DOT], outputs=[
        {"output_type": "stream", "name": "stdout", "text": "x" * 60_000}])
    with pytest.raises(CodeReadError, match="more than the 50,000-byte limit for a notebook with its saved "
                                            "outputs; clear the outputs"):
        load_code(path)


def test_a_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "foundations.ipynb")
    with pytest.raises(CodeReadError, match="foundations.ipynb: is not a regular file"):
        load_code(tmp_path / "foundations.ipynb")


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04" + b"\x00" * 40, "foundations.ipynb: is a zip archive, not a notebook"),
    (json.dumps([1, 2, 3]).encode(), "foundations.ipynb: is JSON but not a Jupyter notebook (no 'cells' list)"),
    (json.dumps({"nbformat": 4}).encode(), "is JSON but not a Jupyter notebook (no 'cells' list)"),
    (json.dumps({"nbformat": "4", "cells": []}).encode(), "its nbformat version, '4', is not a whole number"),
])
def test_files_that_are_not_notebooks_are_named_for_what_they_are(tmp_path, content, message):
    (tmp_path / "foundations.ipynb").write_bytes(content)
    with pytest.raises(CodeReadError) as info:
        load_code(tmp_path / "foundations.ipynb")
    assert message in str(info.value)


def test_cells_without_the_keys_jupyter_fills_in_are_read(tmp_path):
    # Jupyter opens code cells without metadata, outputs or execution_count, and a notebook's
    # metadata that is not an object; so does the grader.
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 4, "nbformat_minor": 5, "metadata": [],
        "cells": [{"cell_type": "code", "source": DOT.splitlines(True)},
                  {"cell_type": "markdown", "source": "# Norms"},
                  {"cell_type": "code", "source": NORM, "metadata": {}}, 7]})
    source = load_code(path)
    assert [cell.source for cell in source.cells] == [DOT, NORM]
    assert source.markdown_cells == ["# Norms"]
    assert any("skipped cell 4, which is not a cell but a JSON number" in note for note in source.notes)


def test_a_version_3_notebook_is_still_read(tmp_path):
    path = write_json(tmp_path / "foundations.ipynb", {
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
        "worksheets": [{"metadata": {}, "cells": [
            {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Homework"]},
            {"cell_type": "code", "collapsed": False, "input": DOT.splitlines(True), "language": "python",
             "metadata": {}, "outputs": [{"output_type": "stream", "stream": "stdout", "text": ["hi\n"]}]}]}]})
    source = load_code(path)
    assert [cell.source for cell in source.cells] == [DOT]
    assert source.markdown_cells == ["# Homework"]


def test_assigned_magics_and_shell_lines_become_none():
    code, notes = strip_ipython("files = !ls\nx = %timeit -o f()\n  a, b = %sx cmd\ny = x != 1", "cell")
    assert code == "files = None\nx = None\n  a, b = None\ny = x != 1"
    assert notes == ["cell: skipped shell line: files = !ls", "cell: skipped magic line: x = %timeit -o f()",
                     "cell: skipped magic line: a, b = %sx cmd"]


def test_importing_another_file_of_the_submission_is_explained(tmp_path):
    (tmp_path / "foundations.py").write_text(DOT)
    (tmp_path / "helpers.py").write_text(NORM)
    path = write_notebook(tmp_path / "q2.ipynb", ["from foundations import *\nimport math, helpers as h",
                                                  "import numpy as np"])
    notes = load_code(path).notes
    assert notes == [
        "q2.ipynb, code cell 1 imports foundations, but foundations.py is another file of the submission: "
        "each file is run on its own, so one cannot import another; put the code q2.ipynb needs in q2.ipynb itself",
        "q2.ipynb, code cell 1 imports helpers, but helpers.py is another file of the submission: "
        "each file is run on its own, so one cannot import another; put the code q2.ipynb needs in q2.ipynb itself"]
    assert load_code(tmp_path / "foundations.py").notes == []


# ------------------------------------------------------------------ running

def test_a_slow_cell_is_stopped_and_the_other_cells_are_graded(pool, tmp_path):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb", [
        DOT, "import time\ntime.sleep(60)", "total = 0\nwhile True:\n    total += 1", NORM]))
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],))],
                   import_timeout=1.5, notebook_timeout=30.0)
    assert run.load_status == "ok", run.load_message
    assert [o.value for o in run.outcomes] == [11.0, 3.0]
    assert run.notes == ("foundations.ipynb, code cell 2 took longer than 1.5 s and was stopped (the cell beginning "
                         "“import time”); later cells still ran",
                         "foundations.ipynb, code cell 3 took longer than 1.5 s and was stopped (the cell beginning "
                         "“total = 0”); later cells still ran")


def test_past_the_whole_notebooks_limit_the_remaining_cells_are_not_run(pool, tmp_path):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb",
                                      [DOT] + ["import time\ntime.sleep(0.8)"] * 6 + [NORM]))
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],))],
                   import_timeout=1.0, notebook_timeout=2.0)
    assert run.load_status == "ok", run.load_message
    assert [o.status for o in run.outcomes] == ["ok", "not defined"]
    *stopped, not_run = run.notes  # a cell is stopped, unless the time ran out between two cells
    assert all(note.endswith("was stopped (the cell beginning “import time”) when the notebook's cells had run for "
                             "2 s in all") for note in stopped)
    assert not_run.endswith("to 8 were not run: the notebook's cells had run for 2 s in all, the limit for a "
                            "whole notebook (functions they define are not graded)")


@pytest.mark.parametrize("hostile", [
    "import time\nwhile True:\n    try:\n        time.sleep(60)\n    except BaseException:\n        pass",
    "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})\ntime.sleep(60)",
    "import signal, time\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGUSR2, signal.SIG_IGN)\ntime.sleep(60)",
], ids=["catches the stop", "blocks the signals", "ignores the signals"])
def test_a_cell_that_will_not_stop_is_killed_by_the_parent(pool, tmp_path, hostile):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb", [DOT, hostile]))
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4]))], import_timeout=1.0, notebook_timeout=2.0)
    assert run.load_status == "import timeout"
    assert run.load_message == (f"foundations.ipynb, code cell 2 was still running (the cell beginning "
                                f"“{code_reader.cell_quote(hostile)}”) when the notebook's cells had run for 2 s in "
                                "all, and did not stop when told to")
    assert run.outcomes[0].status == "not defined"


def test_a_py_file_still_has_one_import_limit(pool, tmp_path):
    (tmp_path / "foundations.py").write_text(DOT + "import time\ntime.sleep(60)\n")
    run = pool.run(load_code(tmp_path / "foundations.py"), [Call("dot", ([1, 2], [3, 4]))], import_timeout=1.0)
    assert run.load_status == "import timeout"
    assert run.load_message.startswith("did not finish importing within 1 s")


def test_jupyter_display_and_get_ipython_do_nothing(pool, tmp_path):
    source = load_code(write_notebook(tmp_path / "foundations.ipynb", [
        "from IPython.display import display, Markdown, HTML, clear_output\nimport IPython\n" + DOT,
        "display(Markdown('**done**'), HTML('<b>x</b>'))\nclear_output(wait=True)\n"
        "IPython.display.display(IPython.display.Image(data=b''))",
        "get_ipython().run_line_magic('matplotlib', 'inline')\nget_ipython().system('ls')\n"
        "get_ipython().run_cell_magic('time', '', 'pass')",
        "files = !ls\nx = %timeit -o dot([1], [1])\n" + NORM,
    ]))
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],))])
    assert run.load_status == "ok" and [o.value for o in run.outcomes] == [11.0, 3.0]
    assert [n for n in run.notes if "raised" in n] == []
    assert [n for n in run.notes if "get_ipython" in n] == [
        "get_ipython().run_line_magic('matplotlib', 'inline') did nothing: the grader runs Python without IPython, "
        "so magics and shell commands are skipped (noted once)"]


def test_an_nbconvert_script_runs_without_ipython(pool, tmp_path):
    # `jupyter nbconvert --to script` writes magics as get_ipython() calls.
    (tmp_path / "foundations.py").write_text(
        "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nget_ipython().run_line_magic('matplotlib', 'inline')\n"
        "from IPython.display import display\n" + DOT)
    run = pool.run(load_code(tmp_path / "foundations.py"), [Call("dot", ([1, 2], [3, 4]))])
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].value == 11.0
    # display is a builtin in a notebook, as in Jupyter, but not in a .py file, as in Python.
    (tmp_path / "foundations.py").write_text("display(1)\n")
    run = pool.run(load_code(tmp_path / "foundations.py"), [Call("dot", ([1, 2], [3, 4]))])
    assert "NameError" in run.load_message
