"""Student code as students write it, run in the sandbox: plots saved as SVG or PDF,
SymPy's pretty printing, progress bars, scripts exported from Jupyter, named tuples,
star imports and input().

Each test is a short file a student could hand in that was graded wrong before:
a correct function must be graded, and a failure must say what went wrong.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.readers.code import CodeSource, load_code
from grader.sandbox import Call, WorkerPool

DOT = "\ndef dot(u, v):\n    return float(sum(a * b for a, b in zip(u, v)))\n"


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as pool:
        yield pool


def write(tmp_path: Path, text: str, name: str = "foundations.py") -> CodeSource:
    path = tmp_path / name
    path.write_text(text)
    return load_code(path)


def write_notebook(tmp_path: Path, cells: list[str]) -> CodeSource:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    path = tmp_path / "foundations.ipynb"
    nbformat.write(notebook, path)
    return load_code(path)


def dot_is_graded(run) -> None:
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].status == "ok", run.outcomes[0].message
    assert run.outcomes[0].value == 11.0


DOT_CALL = [Call("dot", ([1, 2], [3, 4]))]


# ------------------------------------------------- libraries asking for IPython

SAVEFIG_SVG = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.savefig('plot.svg')\n"
INIT_PRINTING = "import sympy as sp\nsp.init_printing()\nx = sp.Symbol('x')\nprint(sp.diff(x ** 3, x))\n"


@pytest.mark.parametrize("code", [SAVEFIG_SVG, INIT_PRINTING], ids=["savefig svg", "init_printing"])
def test_libraries_that_look_for_ipython_work_in_a_py_file(pool, tmp_path, code):
    run = pool.run(write(tmp_path, code + DOT), DOT_CALL)
    dot_is_graded(run)


@pytest.mark.parametrize("code", [SAVEFIG_SVG, INIT_PRINTING], ids=["savefig svg", "init_printing"])
def test_libraries_that_look_for_ipython_work_after_importing_ipython(pool, tmp_path, code):
    # The student's own `from IPython.display import display` puts the stand-in IPython in
    # sys.modules, where matplotlib and SymPy find it and read its version.
    source = write_notebook(tmp_path, ["from IPython.display import display, Markdown\nimport IPython\n",
                                       code + "display(Markdown('done'))\n" + DOT])
    run = pool.run(source, DOT_CALL)
    dot_is_graded(run)
    assert not [note for note in run.notes if "raised" in note], run.notes


def test_a_library_asking_get_ipython_is_told_it_is_not_under_ipython(pool, tmp_path):
    # Student code gets the stand-in shell; code of a library gets what plain Python gives.
    source = write(tmp_path, (
        "import IPython, sympy.interactive.printing as printing\n"
        "import types\n"
        "library = types.FunctionType(compile('get_ipython()', printing.__file__, 'eval'), {})\n"
        "try:\n    library()\n    FOUND = 'found'\nexcept NameError:\n    FOUND = 'NameError'\n"
        "FROM_MODULE = IPython.get_ipython() is not None\n"
        "MODULE_TO_LIBRARY = types.FunctionType(compile('get_ipython()', printing.__file__, 'eval'),"
        " {'get_ipython': IPython.get_ipython})()\n"
        "def answers():\n    return FOUND, FROM_MODULE, MODULE_TO_LIBRARY, get_ipython() is not None,"
        " IPython.__version__\n"))
    run = pool.run(source, [Call("answers", ())])
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].value == ("NameError", True, None, True, "8.24.0")
