"""WorkerPool.run, run_fresh, load_code and the codec on honest submissions."""
from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.readers.code import Cell, CodeReadError, CodeSource, load_code, strip_ipython
from grader.sandbox import Call, WorkerPool, codec, run_fresh

GOOD = '''
import numpy as np
print("imported")

def matmul(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    return A @ B

def dot(u, v):
    print("dot of", len(u))
    return float(np.dot(u, v))

def inverse(M):
    return np.linalg.inv(np.asarray(M, dtype=float))

def symmetric_eig(M):
    return np.linalg.eigh(np.asarray(M, dtype=float))

def tensor_shape_rank(T):
    a = np.asarray(T)
    return a.shape, a.ndim

def stats(x):
    return {"mean": float(np.mean(x)), "n": len(x), "nan": float("nan"), "inf": -math.inf}

import math
import os
'''


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as pool:
        yield pool


def write(tmp_path: Path, name: str, text: str) -> CodeSource:
    path = tmp_path / name
    path.write_text(text)
    return load_code(path)


def notebook(tmp_path: Path, cells: list[str], name: str = "foundations.ipynb") -> CodeSource:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Homework")] + [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / name
    nbformat.write(nb, path)
    return load_code(path)


# ------------------------------------------------------------------ loading

def test_py_file_is_one_cell_named_after_the_file(tmp_path):
    source = write(tmp_path, "foundations.py", "x = 1\n")
    assert source.normalised_cells() == [Cell("x = 1\n", "foundations.py", 1)]
    assert source.notes == []


def test_notebook_cells_and_magics(tmp_path):
    source = notebook(tmp_path, [
        "%matplotlib inline\nimport numpy as np",
        "!pip install numpy",
        "%%bash\necho hi",
        "%%time\ndef f(x):\n    return x + 1",
        "if True:\n    %timeit f(1)\n    y = 2",
        "np.mean?",
    ])
    labels = [cell.label for cell in source.cells]
    assert labels == ["foundations.ipynb, code cell 1", "foundations.ipynb, code cell 2",
                      "foundations.ipynb, code cell 4", "foundations.ipynb, code cell 5",
                      "foundations.ipynb, code cell 6"]
    assert source.cells[0].source == "pass\nimport numpy as np"
    assert source.cells[3].source == "if True:\n    f(1)\n    y = 2"  # Jupyter runs the statement it times
    assert source.notes == [  # one note for all of them
        "foundations.ipynb: 6 IPython magic, shell and help lines were skipped or run without the magic: "
        "%matplotlib was skipped in code cell 1 (beginning “%matplotlib inline”); "
        "!pip was skipped in code cell 2 (beginning “!pip install numpy”); "
        "%%bash was skipped with its whole cell in code cell 3 (beginning “echo hi”); "
        "%%time ran its cell's body in code cell 4 (beginning “def f(x):”); "
        "%timeit ran its statement in code cell 5 (beginning “if True:”); "
        "np.mean? was skipped in code cell 6 (beginning “np.mean?”)"]


def test_line_continuation_after_a_magic_is_skipped_too():
    code, notes = strip_ipython("!pip install \\\n    numpy\nx = 1", "cell")
    assert code == "pass\n\nx = 1"
    assert len(notes) == 1


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not JSON"),
    (json.dumps({"cells": "nope", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}), "not a valid notebook"),
    # Without a version nbformat reads a version-1 notebook and drops every cell, silently.
    (json.dumps({"cells": [{"cell_type": "code", "source": "def dot(u, v):\n    return 0.0\n"}]}),
     "names no nbformat version"),
])
def test_malformed_notebook_names_the_file(tmp_path, content, reason):
    path = tmp_path / "broken.ipynb"
    path.write_text(content)
    with pytest.raises(CodeReadError) as info:
        load_code(path)
    assert str(info.value).startswith("broken.ipynb: ")
    assert reason in str(info.value)


def test_unreadable_files_name_the_file(tmp_path):
    with pytest.raises(CodeReadError, match="missing.py: file not found"):
        load_code(tmp_path / "missing.py")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    with pytest.raises(CodeReadError, match="latin.py: not UTF-8"):
        load_code(tmp_path / "latin.py")
    with pytest.raises(CodeReadError, match="answers.txt: expected a .py file"):
        load_code(tmp_path / "answers.txt")


# ------------------------------------------------------------------ running

def test_values_exceptions_and_output(pool, tmp_path):
    source = write(tmp_path, "foundations.py", GOOD)
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    calls = [
        Call("matmul", (A, [[1, 0], [0, 1]]), "A1-1"),
        Call("matmul", (A, np.ones((3, 1))), "A1-2"),
        Call("dot", ([1, 2], [3, 4]), "A2-1"),
        Call("dot", ([1, 2], [3, 4]), "A2-hidden", capture_output=False),
        Call("inverse", ([[1, 2], [2, 4]],), "A6-1"),
        Call("symmetric_eig", (np.array([[2.0, 1.0], [1.0, 2.0]]),), "A8-1"),
        Call("tensor_shape_rank", (np.zeros((2, 3, 4)),), "A9-1"),
        Call("stats", ([1.0, 2.0, 3.0],), "extra"),
        Call("l2_norm", ([3, 4],), "A4-1"),
    ]
    run = pool.run(source, calls)
    assert run.load_status == "ok" and run.load_stdout == "imported\n"
    mm, bad_shape, dot, hidden, inv, eig, shape, stats, missing = run.outcomes
    assert mm.status == "ok" and type(mm.value) is np.ndarray and np.array_equal(mm.value, A)
    assert bad_shape.status == "raised" and bad_shape.exception == "ValueError"
    assert bad_shape.message == "inner dimensions differ" and bad_shape.line == 8
    assert dot.value == 11.0 and type(dot.value) is float and dot.stdout == "dot of 2\n"
    assert hidden.value == 11.0 and hidden.stdout == ""
    assert inv.status == "raised" and inv.exception == "LinAlgError"
    assert "ValueError" in inv.exception_bases
    w, v = eig.value  # numpy's EighResult arrives as a plain tuple
    assert type(eig.value) is tuple and np.allclose(w, [1.0, 3.0]) and v.shape == (2, 2)
    assert shape.value == ((2, 3, 4), 3)
    assert stats.value["n"] == 3 and math.isnan(stats.value["nan"]) and stats.value["inf"] == -math.inf
    assert missing.status == "not defined" and "l2_norm" in missing.message
    assert run.isolation["rlimits"] is True and run.isolation["mode"] == "zygote"


def test_import_errors_are_reported_with_the_students_line(pool, tmp_path):
    syntax = pool.run(write(tmp_path, "foundations.py", "x = 1\ndef f(:\n    pass\n"), [Call("f", ())])
    assert syntax.load_status == "import failed"
    assert syntax.load_message.startswith("foundations.py: SyntaxError on line 2")
    raised = pool.run(write(tmp_path, "foundations.py", "import numpy\n\nnumpy.nonexistent()\n"), [Call("f", ())])
    assert raised.load_status == "import failed"
    assert "AttributeError (line 3)" in raised.load_message
    assert raised.outcomes[0].status == "not defined"


def test_notebook_cell_that_raises_does_not_stop_later_cells(pool, tmp_path):
    source = notebook(tmp_path, [
        "%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt",
        "def dot(u, v):\n    return float(np.dot(u, v))",
        "undefined_name + 1",
        "def l1_norm(v):\n    return float(np.abs(v).sum())",
        "plt.plot([1, 2], [3, 4]); plt.savefig('plot.png')",
        "import sys; sys.exit(1)",
        "def relu(x):\n    return np.maximum(0, x)",
    ])
    run = pool.run(source, [Call("dot", ([1, 2], [3, 4])), Call("l1_norm", ([-1, 2],)),
                            Call("relu", (np.array([-1.0, 2.0]),)), Call("sigmoid", (0.0,))])
    assert run.load_status == "ok"
    notes = "\n".join(run.notes)
    assert ("code cell 3 raised NameError (line 1 of the cell beginning “undefined_name + 1”): name 'undefined_name' "
            "is not defined" in notes)
    assert "code cell 6 called sys.exit(1) (the cell beginning “import sys; sys.exit(1)”)" in notes
    assert "%matplotlib was skipped in code cell 1 (beginning “%matplotlib inline”)" in notes
    assert [o.status for o in run.outcomes] == ["ok", "ok", "ok", "not defined"]
    assert np.array_equal(run.outcomes[2].value, [0.0, 2.0])


def test_warnings_are_reported(pool, tmp_path):
    source = write(tmp_path, "foundations.py", "import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x)))\n")
    outcome = pool.run(source, [Call("sigmoid", (np.array([-1000.0]),))]).outcomes[0]
    assert outcome.status == "ok" and outcome.value[0] == 0.0
    assert any("RuntimeWarning" in w and "overflow" in w for w in outcome.warnings)


def test_concurrent_runs_get_their_own_results(pool, tmp_path):
    sources = [write(tmp_path, f"s{k}.py", f"OFFSET = {k}\ndef f(x):\n    return x + OFFSET\n") for k in range(12)]

    def grade(k):
        return k, pool.run(sources[k], [Call("f", (float(i),)) for i in range(5)])

    with ThreadPoolExecutor(max_workers=6) as executor:
        for k, run in executor.map(grade, range(12)):
            assert [o.value for o in run.outcomes] == [float(i + k) for i in range(5)]


def test_fresh_mode_has_the_same_contract(tmp_path):
    source = write(tmp_path, "foundations.py", GOOD)
    run = run_fresh(source, [Call("dot", ([1, 2], [3, 4])), Call("nope", ())])
    assert run.load_status == "ok" and run.isolation["mode"] == "fresh"
    assert run.outcomes[0].value == 11.0 and run.outcomes[1].status == "not defined"


# -------------------------------------------------------------------- codec

def test_codec_round_trip_of_trusted_values():
    value = {"a": (1, 2.5, float("inf")), 3: [None, True, "s", 1 + 2j],
             "arr": np.arange(6, dtype=np.int32).reshape(2, 3), "f": np.float32(0.5)}
    plain = json.loads(json.dumps(codec.to_plain(value)))
    back = codec.from_plain(plain)
    assert back["a"] == (1, 2.5, float("inf")) and back[3] == [None, True, "s", 1 + 2j]
    assert back["arr"].dtype == np.int32 and np.array_equal(back["arr"], value["arr"])
    assert back["f"] == 0.5 and type(back["f"]) is float


@pytest.mark.parametrize("value, type_name", [
    (np.array(["a"], dtype=object), "dtype object"),
    (type("MyFloat", (float,), {})(1.0), "MyFloat"),
    (np.ma.masked_array([1.0]), "MaskedArray"),
    (object(), "object"),
])
def test_codec_refuses_unknown_types_by_name(value, type_name):
    with pytest.raises(codec.BadValue, match=type_name):
        codec.to_plain(value)


@pytest.mark.parametrize("plain", [
    {"$array": {"dtype": "|O", "shape": [1], "data": ""}},
    {"$array": {"dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}},
    {"$float": "1e308"},
    {"__reduce__": ["os.system", ["true"]]},
    {"$tuple": [1], "$dict": []},
])
def test_parent_decoder_rejects_malformed_data(plain):
    with pytest.raises(codec.ProtocolError):
        codec.from_plain(plain)


LOOPS_ON_SOME_INPUTS = """
def loops(n):
    while n < 0:
        pass
    return n

def works(x):
    return 2 * x
"""


def test_a_function_that_ran_out_of_time_twice_is_not_called_again(pool, tmp_path):
    source = write(tmp_path, "loops.py", LOOPS_ON_SOME_INPUTS)
    calls = [Call("loops", (1,)), Call("loops", (-1,)), Call("works", (1,)), Call("loops", (-2,)),
             Call("loops", (3,)), Call("loops", (-3,)), Call("works", (2,))]
    run = pool.run(source, calls, call_timeout=0.5)
    statuses = [outcome.status for outcome in run.outcomes]
    # Each case is judged on its own until the function has run out of time twice...
    assert statuses[:4] == ["ok", "timeout", "ok", "timeout"], run.outcomes
    assert run.outcomes[0].value == 1 and run.outcomes[2].value == 2
    # ...then its other cases fail without being run; other functions are not affected.
    for later in run.outcomes[4:6]:
        assert later.status == "timeout"
        assert later.message == ("not run: loops had already taken longer than 0.5 s on 2 cases, "
                                 "so it was not called again")
    assert run.outcomes[6].status == "ok" and run.outcomes[6].value == 4
    assert run.restarts == 2  # one new child per timeout, none for the cases not run


def test_the_sandbox_finds_a_grader_that_is_not_installed(tmp_path):
    """The sandbox runs in Python's isolated mode (no PYTHONPATH, no current folder): a grader run
    from a source checkout or through PYTHONPATH is put on its path by the command itself."""
    import subprocess
    import sys

    from grader.sandbox.pool import _module_command

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "only_here.py").write_text("import sys\nprint(__file__, sys.argv[1:])\n", encoding="utf-8")
    run = subprocess.run(_module_command(sys.executable, "only_here", "3", "full", root=str(checkout)),
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, cwd="/", timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split(" ", 1) == [str(checkout / "only_here.py"), "['3', 'full']\n"]


def test_a_sandbox_that_cannot_start_is_one_clear_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    import sys

    from grader.cli import main

    (tmp_path / "foundations.py").write_text("def dot(u, v):\n    return 0.0\n", encoding="utf-8")
    monkeypatch.setattr(sys, "executable", "/bin/false")  # an interpreter that starts nothing
    spec = Path(__file__).resolve().parents[1] / "problems" / "foundations.yaml"
    assert main(["check", str(spec), str(tmp_path / "foundations.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: no student code can run here: the sandbox did not start")
    assert "Traceback" not in err


def test_a_class_run_whose_sandbox_cannot_start_stops_and_a_restart_grades_everyone(tmp_path, monkeypatch, capsys):
    import json
    import sys

    from grader.cli import main

    spec = Path(__file__).resolve().parents[1] / "problems" / "foundations.yaml"
    for student in ("ada", "bob"):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "foundations.py").write_text("def dot(u, v):\n    return None\n")
    args = ["grade", str(spec), "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out")]
    with monkeypatch.context() as patch:
        patch.setattr(sys, "executable", "/bin/false")
        assert main(args) == 2
    assert "no student code can run here: the sandbox did not start" in capsys.readouterr().err
    assert not (tmp_path / "out" / "ada" / "results.json").exists()  # no student is marked as crashed
    assert main(args) == 0
    for student in ("ada", "bob"):
        tests = json.loads((tmp_path / "out" / student / "results.json").read_text())["tests"]
        assert {t["number"]: t["extra_data"]["verdict"] for t in tests}["A2"] == "incorrect"


def test_a_lower_file_size_limit_set_by_the_shell_still_grades_the_class(tmp_path):
    # `ulimit -f` in the instructor's shell lowers the hard limit below the sandbox's own 16 MiB: the
    # sandbox keeps the lower one instead of failing to set up and marking every student 0.
    import resource
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]

    def lower_file_size_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (15_000 * 1024, 15_000 * 1024))

    run = subprocess.run([sys.executable, "-m", "grader", "check", str(root / "problems" / "foundations.yaml"),
                          str(root / "submissions" / "alice" / "foundations.py")],
                         capture_output=True, text=True, timeout=300, preexec_fn=lower_file_size_limit)
    assert run.returncode == 0, run.stderr
    assert "public checks passed" in run.stdout
    assert "sandbox" not in run.stdout


def test_a_sandbox_that_cannot_lock_itself_down_stops_the_run_instead_of_marking_the_student():
    from grader.sandbox.pool import SandboxUnavailable, _Runner

    class ExitedBeforeReading:
        """A sandbox that reported its failed set-up and exited before reading the file to run."""

        def send(self, message, deadline):
            return False

        def next_frame(self, deadline):
            return {"t": "setup failed", "stage": "lock down", "message": "ValueError: not allowed"}

        def kill(self):
            pass

    runner = _Runner(spawn=None, available={}, scratch_root=Path("."), uid_for_run=lambda: 0, mode="warm",
                     landlock=False)
    load = {"notebook": False, "label": "foundations.py", "source": ""}
    with pytest.raises(SandboxUnavailable, match=r"could not lock itself down \(ValueError: not allowed\)"):
        runner._load(ExitedBeforeReading(), load, import_timeout=10.0, notebook_timeout=10.0)


def test_a_closed_pool_leaves_nothing_open_where_warnings_are_errors(tmp_path):
    # A student's CI with `filterwarnings = ["error"]` runs the grader inside pytest: a file the pool
    # leaves open would be a ResourceWarning, turned into a failure of the student's part.
    import subprocess
    import sys

    (tmp_path / "foundations.py").write_text("def dot(u, v):\n    return 1.0\n", encoding="utf-8")
    script = ("import gc\nfrom grader.readers.code import load_code\nfrom grader.sandbox import Call, WorkerPool\n"
              "pool = WorkerPool()\n"
              "print(pool.run(load_code(__import__('pathlib').Path('foundations.py')), "
              "[Call('dot', ([1], [2]))]).outcomes[0].status)\n"
              "pool.close()\ndel pool\ngc.collect()\n")
    run = subprocess.run([sys.executable, "-W", "error", "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["ok"]
    assert "ResourceWarning" not in run.stderr
