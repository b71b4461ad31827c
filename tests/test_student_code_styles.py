"""Student code as students write it, run in the sandbox: plots saved as SVG or PDF,
SymPy's pretty printing, progress bars, scripts exported from Jupyter, named tuples,
star imports and input().

Each test is a short file a student could hand in that was graded wrong before:
a correct function must be graded, and a failure must say what went wrong.
"""
from __future__ import annotations

import importlib
import sys
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


# ------------------------------------------- standard-library modules imported late

# Each imports standard-library modules the zygote does not import itself: where the sandbox cannot
# read the standard library (a Python installed under /root), they come from the zygote's store.
LATE_IMPORTS = {
    "tqdm": "from tqdm import tqdm\nTOTAL = sum(tqdm(range(3)))\n",
    "tqdm.auto": "from tqdm.auto import tqdm\nTOTAL = sum(tqdm(range(3)))\n",
    "savefig pdf": "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.savefig('plot.pdf')\n",
    "multiprocessing": "import multiprocessing, multiprocessing.pool\nTOTAL = multiprocessing.cpu_count()\n",
    "urllib.request": "import urllib.request, urllib.error\n",
    "tracemalloc": "import tracemalloc\ntracemalloc.start()\nTOTAL = [0] * 10\ntracemalloc.stop()\n",
    "sqlite3": "import sqlite3\nTOTAL = sqlite3.connect(':memory:').execute('select 1 + 1').fetchone()\n",
    "tarfile": "import tarfile\nwith tarfile.open('a.tar', 'w') as archive:\n    pass\n",
    "shelve": "import shelve\nwith shelve.open('store') as db:\n    db['x'] = 1\n",
    "utf-16 file": "open('notes.txt', 'w', encoding='utf-16').write('x')\n",
}


@pytest.mark.parametrize("code", LATE_IMPORTS.values(), ids=LATE_IMPORTS.keys())
def test_standard_library_modules_load_in_the_sandbox(pool, tmp_path, code):
    run = pool.run(write(tmp_path, code + DOT), DOT_CALL)
    dot_is_graded(run)


def test_a_missing_data_file_is_named(pool, tmp_path):
    # NumPy asks urllib whether a name it cannot open is a URL.
    run = pool.run(write(tmp_path, "import numpy as np\ngrades = np.loadtxt('grades.csv')\n" + DOT), DOT_CALL)
    assert run.load_message == ("foundations.py: FileNotFoundError (line 2): grades.csv not found. Grading runs the "
                                "code in an empty folder, so files handed in beside it are not there: the "
                                "functions must not depend on them.")


def test_a_standard_library_module_that_cannot_be_loaded_says_so(pool, tmp_path):
    run = pool.run(write(tmp_path, "import idlelib\n" + DOT), DOT_CALL)
    if run.isolation.get("stdlib_readable_after_uid_drop", True) or not run.isolation.get("uid_drop"):
        pytest.skip("the sandbox reads the standard library on this machine: every module loads")
    assert run.load_status == "import failed"
    assert run.load_message.startswith("foundations.py: ModuleNotFoundError (line 1): the module idlelib cannot "
                                       "be loaded in the grading sandbox")
    assert "not a mistake in the code" in run.load_message
    # A module that exists nowhere keeps Python's own message: that one is the student's.
    run = pool.run(write(tmp_path, "import numpyy\n" + DOT), DOT_CALL)
    assert run.load_message == "foundations.py: ModuleNotFoundError (line 1): No module named 'numpyy'"


def test_the_store_runs_modules_from_memory(tmp_path, monkeypatch):
    from grader.sandbox import zygote

    package = tmp_path / "lib" / "kept"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("FROM_INIT = 1\n")
    (package / "inner.py").write_text("from . import FROM_INIT\nVALUE = FROM_INIT + 1\n")
    store = zygote.StdlibStore()
    store.add(str(tmp_path / "lib"), "kept")
    assert sorted(store.modules) == ["kept", "kept.inner"]
    # The files are gone, as the standard library is after the uid drop: the store still has them.
    for file in package.iterdir():
        file.unlink()
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, store])
    try:
        inner = importlib.import_module("kept.inner")
        assert inner.VALUE == 2 and inner.__file__ == str(package / "inner.py")
    finally:
        for name in ("kept", "kept.inner"):
            sys.modules.pop(name, None)


def test_a_standard_library_module_nothing_can_load_is_named(tmp_path):
    from grader.sandbox import zygote

    (tmp_path / "colorsys.py").write_text("")
    finder = zygote.UnreadableStdlib(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="the module colorsys cannot be loaded in the grading sandbox"):
        finder.find_spec("colorsys")
    assert finder.find_spec("not_in_the_standard_library") is None


# --------------------------------------------------- scripts exported by nbconvert

NBCONVERT_EXPORT = '''#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().run_cell_magic('time', '', 'def dot(u, v):\\n    return float(sum(a * b for a, b in zip(u, v)))\\n')


# In[2]:


get_ipython().run_line_magic('time', 'result = dot([1, 2], [3, 4])')
value = get_ipython().run_line_magic('time', 'dot([1, 2], [5, 6])')
get_ipython().run_line_magic('timeit', '-n 10 -r 3 dot([1], [1])')
get_ipython().run_cell_magic('timeit', '-n 2 SETUP = 7', 'TIMED = SETUP + 1\\n')
get_ipython().run_cell_magic('capture', 'out', 'def l1_norm(v):\\n    return float(sum(abs(x) for x in v))\\n')
get_ipython().run_cell_magic('bash', '', 'ls\\n')


def answers():
    return result, value, TIMED
'''


def test_an_nbconvert_export_runs_the_code_of_timing_magics(pool, tmp_path):
    run = pool.run(write(tmp_path, NBCONVERT_EXPORT),
                   [*DOT_CALL, Call("l1_norm", ([-1, 2],)), Call("answers", ())])
    assert run.load_status == "ok", run.load_message
    assert [o.value for o in run.outcomes] == [11.0, 3.0, (11.0, 17.0, 8)]
    assert [note for note in run.notes if "get_ipython" in note] == [
        "get_ipython().run_line_magic('matplotlib', 'inline') did nothing: the grader runs Python without "
        "IPython, so magics and shell commands are skipped (noted once)"]
    assert "foundations.py: ran the code given to %%time once, without the magic (noted once)" in run.notes


def test_an_error_in_a_magics_code_names_the_line_of_the_magic(pool, tmp_path):
    source = write(tmp_path, "x = 1\nget_ipython().run_cell_magic('time', '', 'y = undefined_name\\n')\n" + DOT)
    run = pool.run(source, DOT_CALL)
    assert run.load_message == "foundations.py: NameError (line 2): name 'undefined_name' is not defined"


# ------------------------------------------------------- named tuples, fractions

RETURN_TYPES = '''
from collections import namedtuple
from fractions import Fraction
from typing import NamedTuple
import numpy as np


class Eigen(NamedTuple):
    values: np.ndarray
    vectors: np.ndarray


Shape = namedtuple("Shape", "shape rank")


class Point(namedtuple("Point", "x y")):
    __slots__ = ()

    def __iter__(self):  # a lie the grader must not read
        return iter((0, 0))

    def __getitem__(self, index):
        return 0


def symmetric_eig(M):
    return Eigen(*np.linalg.eigh(np.asarray(M, dtype=float)))


def tensor_shape_rank(T):
    return Shape(np.shape(T), np.ndim(T))


def point():
    return Point(1.5, 2.5)


def mean(x):
    return Fraction(sum(x), len(x))


def fractions_in_a_list():
    return [Fraction(1, 4), Fraction(-3, 2)]
'''


def test_named_tuples_and_fractions_are_read_as_tuples_and_numbers(pool, tmp_path):
    run = pool.run(write(tmp_path, RETURN_TYPES), [
        Call("symmetric_eig", ([[2, 0], [0, 1]],)), Call("tensor_shape_rank", ([[1, 2, 3]],)), Call("point", ()),
        Call("mean", ([1, 2, 2],)), Call("fractions_in_a_list", ())])
    assert run.load_status == "ok", run.load_message
    eig, shape, point, mean, listed = run.outcomes
    assert [o.status for o in run.outcomes] == ["ok"] * 5, [o.message for o in run.outcomes]
    assert type(eig.value) is tuple and eig.value[0].tolist() == [1.0, 2.0]
    assert shape.value == ((1, 3), 2)
    assert point.value == (1.5, 2.5)  # tuple's own items, not what the class's __getitem__ says
    assert mean.value == 5 / 3 and type(mean.value) is float
    assert listed.value == [0.25, -1.5]


def test_other_tuple_subclasses_and_lying_fields_stay_refused():
    from grader.sandbox import codec

    class Claims(tuple):
        pass

    class Fields(tuple):
        _fields = ("only one",)

    for value in (Claims((1, 2)), Fields((1, 2))):
        with pytest.raises(codec.BadValue, match="a value of type"):
            codec.to_plain(value)
    from fractions import Fraction
    with pytest.raises(codec.BadValue, match="a Fraction too large for a float"):
        codec.to_plain(Fraction(10 ** 400, 3))


# ------------------------------------------------------------------ star imports

STAR_ONLY = '''from numpy import *


def variance(x):
    mean = (x[0] + x[1]) / 2  # a local name: not the module's mean
    return ((x[0] - mean) ** 2 + (x[1] - mean) ** 2) / 2
'''
STAR_CALLS = [Call("matmul", ([[1, 0], [0, 1]], [[2], [3]])), Call("mean", ([1, 2, 3],)), Call("variance", ([1, 3],))]


def test_a_function_only_a_star_import_brought_in_is_not_defined(pool, tmp_path):
    run = pool.run(write(tmp_path, STAR_ONLY), STAR_CALLS)
    assert run.load_status == "ok", run.load_message
    matmul, mean, variance = run.outcomes
    assert matmul.status == mean.status == "not defined"
    assert matmul.message == ("matmul is not defined: the matmul found is numpy's own function, brought in by "
                              "`from numpy import *`, not one the code defines")
    assert mean.message.startswith("mean is not defined: the mean found is numpy's own function")
    assert variance.status == "ok" and variance.value == 1.0


def test_a_function_the_code_names_is_graded_even_beside_a_star_import(pool, tmp_path):
    source = write_notebook(tmp_path, [
        "from numpy import *\nimport numpy as np\n",
        "from numpy import mean\n",
        "if True:\n    matmul = np.matmul\n",
        "def variance(x):\n    return float(np.var(x))\n",
    ])
    run = pool.run(source, STAR_CALLS)
    assert [o.status for o in run.outcomes] == ["ok"] * 3, [o.message for o in run.outcomes]
    assert run.outcomes[0].value.tolist() == [[2], [3]] and run.outcomes[1].value == 2.0


# ----------------------------------------------------------------------- input()

def test_input_at_import_says_it_cannot_be_answered(pool, tmp_path):
    run = pool.run(write(tmp_path, "n = int(input('How many? '))\n" + DOT), DOT_CALL)
    assert run.load_status == "import failed"
    assert run.load_message == ("foundations.py: EOFError (line 1): input() cannot be answered during grading: "
                                "no one types at the keyboard while the grader runs the code, so give the value "
                                "in the code instead of asking for it")
    assert run.load_stdout == "How many? "


def test_code_that_handles_a_missing_input_still_runs(pool, tmp_path):
    run = pool.run(write(tmp_path, "try:\n    n = int(input())\nexcept EOFError:\n    n = 3\n" + DOT), DOT_CALL)
    dot_is_graded(run)
