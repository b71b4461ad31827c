"""Habits of real students, run in the sandbox: notebook progress bars, libraries the grader does not
have, numbers of unusual types, data files handed in beside the code, syntax of a newer Python.

Each test starts from a correct homework (the sample class's alice) changed the way the students of a
real class changed theirs: a correct function must be graded, and a failure must say what to do.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.readers.code import CodeSource, load_code
from grader.sandbox import Call, WorkerPool

ROOT = Path(__file__).resolve().parents[1]
ALICE = (ROOT / "submissions" / "alice" / "foundations.py").read_text(encoding="utf-8")

# One call of each function of the homework, on the handout's examples.
CALLS = [
    Call("matmul", ([[1, 2], [3, 4]], [[5, 6], [7, 8]])),
    Call("dot", ([1, 2, 3], [4, 5, 6])),
    Call("l1_norm", ([-1, 2, 3, 4, -5],)),
    Call("l2_norm", ([-1, 2, 3, 4, -5],)),
    Call("frobenius_norm", ([[1, 2, 3], [-1, -2, -3]],)),
    Call("inverse", ([[-1, 2], [-3, 4]],)),
    Call("determinant", ([[-1, 2], [3, -4]],)),
    Call("symmetric_eig", ([[-1, 2], [2, -1]],)),
    Call("tensor_shape_rank", ([[1, 2], [3, 4]],)),
    Call("numerical_derivative", ([0, 10, 40, 90, 160], [0, 1, 2, 3, 4])),
    Call("product_rule_derivative", ([2.0, 3.0, 1.0],)),
    Call("chain_rule_derivative", ([1.0, 2.0, 3.0],)),
    Call("gradient_descent", (5, 0.1, 100)),
    Call("trapezoid", ([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])),
    Call("mean", ([1.0, 2.0, 4.0],)),
    Call("variance", ([1.0, 2.0, 4.0],)),
    Call("covariance_matrix", ([1.0, 2.0, 4.0], [2.0, 1.0, 0.5])),
    Call("correlation", ([1.0, 2.0, 4.0], [2.0, 1.0, 0.5])),
    Call("t_test", ([1.0, 2.0, 3.0], [2.0, 3.0, 5.0])),
    Call("posterior", (0.01, 0.9, 0.05)),
    Call("sigmoid", ([-1.0, 0.0, 1.0],)),
    Call("relu", ([-1.0, 0.0, 2.0],)),
    Call("softmax", ([1.0, 2.0, 3.0],)),
    Call("normalize", ([[3.0, 4.0]],)),
    Call("minimize_quadratic", ([1.0, -2.0],)),
]
FUNCTIONS = [call.function for call in CALLS]


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as pool:
        yield pool


@pytest.fixture(scope="module")
def alice_values(pool, tmp_path_factory):
    """What the unchanged homework returns for CALLS."""
    run = pool.run(write(tmp_path_factory.mktemp("alice"), ALICE), CALLS)
    assert run.load_status == "ok", run.load_message
    assert [outcome.status for outcome in run.outcomes] == ["ok"] * len(CALLS)
    return {call.function: outcome.value for call, outcome in zip(CALLS, run.outcomes)}


def write(folder: Path, text: str, name: str = "foundations.py") -> CodeSource:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return load_code(path)


def changed(imports: str = "", **functions: str) -> str:
    """Alice's homework with ``imports`` after her own and some functions' bodies replaced."""
    text = ALICE.replace("from scipy import stats\n", "from scipy import stats\n" + imports, 1)
    for name, body in functions.items():
        start = text.index(f"\ndef {name}(")
        end = text.index("\n\n\n", start)
        header = text[start:text.index(":\n", start) + 2]
        text = text[:start] + header + body + text[end:]
    return text


def assert_same(value, expected) -> None:
    if isinstance(expected, tuple):
        assert isinstance(value, tuple) and len(value) == len(expected)
        for part, expected_part in zip(value, expected):
            assert_same(part, expected_part)
    else:
        np.testing.assert_allclose(np.asarray(value, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12)


def graded_like_alice(run, alice_values: dict) -> None:
    assert run.load_status == "ok", run.load_message
    assert not run.notes, run.notes
    for call, outcome in zip(CALLS, run.outcomes):
        assert outcome.status == "ok", (call.function, outcome.message)
        assert_same(outcome.value, alice_values[call.function])


# ------------------------------------------------------------ notebook progress bars

DESCENT_WITH_A_BAR = ("    x = x0\n    for _ in tqdm(range(iterations), desc='descent', leave=False):\n"
                      "        x = x - learning_rate * (2 * x - 2)\n    return x")
PROGRESS_IMPORTS = {
    "tqdm.notebook": "from tqdm.notebook import tqdm, trange\n",
    "tqdm.notebook module": "import tqdm.notebook\ntqdm, trange = tqdm.notebook.tqdm, tqdm.notebook.tnrange\n",
    "tqdm.autonotebook": "from tqdm.autonotebook import tqdm, trange\n",
    "tqdm.auto": "from tqdm.auto import tqdm, trange\n",
}
# A word naming matplotlib forks the homework from the zygote that preloads it (and more of the
# standard library): the bars must work from either.
TIERS = {"scipy tier": "", "full tier": "import matplotlib.pyplot as plt\n"}


@pytest.mark.parametrize("tier", TIERS.values(), ids=TIERS.keys())
@pytest.mark.parametrize("imports", PROGRESS_IMPORTS.values(), ids=PROGRESS_IMPORTS.keys())
def test_notebook_progress_bars_run_as_text_bars(pool, tmp_path, alice_values, imports, tier):
    # As in a notebook: a bar while the file loads, and one in a graded function.
    source = changed(tier + imports + "WARMED_UP = sum(1 for _ in trange(3, desc='warm-up'))\n",
                     gradient_descent=DESCENT_WITH_A_BAR)
    run = pool.run(write(tmp_path, source), CALLS)
    graded_like_alice(run, alice_values)
    assert "warm-up" in run.load_stdout  # the text bar, captured with the rest of the output
    descent = run.outcomes[FUNCTIONS.index("gradient_descent")]
    assert "descent" in descent.stdout and not descent.warnings


def test_notebook_progress_bars_in_a_notebook_take_jupyters_options(pool, tmp_path, alice_values):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in (
        "from tqdm.notebook import tqdm, tnrange\nfrom tqdm import tqdm_notebook",
        "bar = tqdm(total=3, display=False, colour='green')\nfor _ in tnrange(3):\n    bar.update(1)\nbar.close()",
        changed(gradient_descent=DESCENT_WITH_A_BAR))]
    path = tmp_path / "foundations.ipynb"
    nbformat.write(notebook, path)
    graded_like_alice(pool.run(load_code(path), CALLS), alice_values)


def test_html_is_importable_in_the_sandbox(pool, tmp_path):
    source = write(tmp_path, "import html\nimport html.parser\n\ndef escape(text):\n    return html.escape(text)\n")
    run = pool.run(source, [Call("escape", ("a < b",))])
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].value == "a &lt; b"


# ------------------------------------------------------------ libraries the grader does not have

NOT_INSTALLED = ("is not installed where submissions are graded, which has NumPy, SciPy, SymPy and matplotlib "
                 "besides Python's standard library. Remove the import and the code that uses {name}, or ask "
                 "your instructor.")


def test_a_library_the_grader_does_not_have_is_named_as_not_installed(pool, tmp_path):
    # The usual header of a data-science homework, in a .py file: the file cannot be imported.
    source = changed("import pandas as pd\nimport seaborn as sns\nimport matplotlib.pyplot as plt\n")
    run = pool.run(write(tmp_path, source), CALLS)
    assert run.load_status == "import failed"
    assert run.load_message == ("foundations.py: ModuleNotFoundError (line 6): No module named 'pandas': pandas "
                                + NOT_INSTALLED.format(name="pandas"))
    assert all(outcome.status != "ok" for outcome in run.outcomes)


def test_a_missing_library_in_a_notebook_cell_or_a_function_says_so_too(pool, tmp_path, alice_values):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in (
        "import numpy as np\nfrom sklearn.preprocessing import StandardScaler",
        changed() + "\n\ndef scaled(x):\n    import torch\n    return torch.tensor(x)\n")]
    path = tmp_path / "foundations.ipynb"
    nbformat.write(notebook, path)
    run = pool.run(load_code(path), [*CALLS, Call("scaled", ([1.0],))])
    assert run.notes == ("foundations.ipynb, code cell 1 raised ModuleNotFoundError (line 2 of the cell beginning "
                         "“import numpy as np”): No module named "
                         "'sklearn': sklearn (scikit-learn) " + NOT_INSTALLED.format(name="sklearn").removesuffix(".")
                         + "; later cells still ran",)
    assert run.outcomes[FUNCTIONS.index("dot")].value == alice_values["dot"]
    torch = run.outcomes[-1]
    assert torch.status == "raised" and torch.exception == "ModuleNotFoundError"
    assert torch.message == "No module named 'torch': torch (PyTorch) " + NOT_INSTALLED.format(name="torch")


def test_a_misspelt_module_keeps_pythons_message(pool, tmp_path):
    run = pool.run(write(tmp_path, changed("import pandsa as pd\n")), CALLS)
    assert run.load_message == "foundations.py: ModuleNotFoundError (line 6): No module named 'pandsa'"
    # A module of a library the grader has: the library is there, the name is wrong.
    run = pool.run(write(tmp_path, changed("import scipy.stats.mstatss\n")), CALLS)
    assert run.load_message == "foundations.py: ModuleNotFoundError (line 6): No module named 'scipy.stats.mstatss'"


# ------------------------------------------------------------ numbers of unusual types

EXTENDED_PRECISION = {
    "mean": "    return np.mean(np.asarray(values, dtype=np.longdouble))",
    "variance": "    return np.var(np.asarray(values, dtype=np.longdouble), keepdims=True)[0]",
    "covariance_matrix": "    return np.cov(np.asarray(x, dtype=np.longdouble), np.asarray(y, dtype=np.longdouble))",
    "posterior": ("    from decimal import Decimal\n"
                  "    p, l, f = Decimal(str(prior)), Decimal(str(likelihood)), Decimal(str(false_positive_rate))\n"
                  "    return p * l / (p * l + (1 - p) * f)"),
    "product_rule_derivative": (
        "    t = sp.Symbol('t')\n    d = sp.diff(t**2 * sp.sin(t), t)\n"
        "    return np.array([d.subs(t, v).evalf() for v in np.asarray(x, dtype=float).ravel()])"),
    "chain_rule_derivative": (
        "    t = sp.Symbol('t')\n    d = sp.lambdify(t, sp.diff(sp.sin(t**6), t))\n"
        "    return np.array([d(float(v)) for v in x], dtype=object)"),
    "softmax": ("    from fractions import Fraction\n    e = np.exp(np.asarray(x, dtype=float) - max(x))\n"
                "    return np.array([Fraction(v) / Fraction(e.sum()) for v in e])"),
}


def test_numbers_held_as_longdouble_decimal_or_in_object_arrays_are_read_as_floats(pool, tmp_path, alice_values):
    run = pool.run(write(tmp_path, changed("import sympy as sp\n", **EXTENDED_PRECISION)), CALLS)
    graded_like_alice(run, alice_values)
    for call, outcome in zip(CALLS, run.outcomes):
        if call.function in EXTENDED_PRECISION:
            assert isinstance(outcome.value, (float, np.ndarray)), call.function
            assert np.asarray(outcome.value).dtype == np.float64, call.function


NOT_NUMBERS = {
    "a symbol in an object array": ("    x = sp.Symbol('x')\n    return np.array([x, 1.0])",
                                    "a NumPy array of dtype object (the grader reads only numeric arrays)"),
    "a string in an object array": ("    return np.array(['0.5', 1.0], dtype=object)",
                                    "a NumPy array of dtype object (the grader reads only numeric arrays)"),
    "a complex number in an object array": ("    return np.array([1j, 1.0], dtype=object)",
                                            "a NumPy array of dtype object (the grader reads only numeric arrays)"),
    "a Decimal too large for a float": ("    from decimal import Decimal\n    return Decimal('1e400')",
                                        "a Decimal too large for a float"),
    "a longdouble too large for a float": ("    return np.longdouble('1e4000')",
                                           "a numpy.longdouble too large for a float"),
    "a SymPy expression with a symbol": ("    x = sp.Symbol('x')\n    return sp.exp(x) / 4",
                                         "a SymPy expression with symbols in it (sympy.core.mul.Mul), not a "
                                         "number; substitute values for them"),
    "a SymPy expression that is complex": ("    return sp.sqrt(-2) + 1",
                                           "a SymPy expression that is not a real number (sympy.core.add.Add)"),
}


@pytest.mark.parametrize("body, refused", NOT_NUMBERS.values(), ids=NOT_NUMBERS.keys())
def test_what_is_not_a_number_is_still_refused(pool, tmp_path, body, refused):
    run = pool.run(write(tmp_path, changed("import sympy as sp\n", mean=body)), [Call("mean", ([1.0, 2.0],))])
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].status == "bad value"
    assert run.outcomes[0].message == f"returned {refused}; expected numbers, strings, lists, tuples or NumPy arrays"


@pytest.mark.parametrize("exception", ["ValueError", "np.linalg.LinAlgError"])
def test_an_exception_returned_instead_of_raised_says_to_raise_it(pool, tmp_path, exception):
    body = f"    if len(A) != len(B[0]):\n        return {exception}('shapes do not align')\n    return np.dot(A, B)"
    run = pool.run(write(tmp_path, changed(matmul=body)), [Call("matmul", ([[1, 2, 3]], [[1, 2, 3]]))])
    name = "numpy.linalg.LinAlgError" if "linalg" in exception else "ValueError"
    assert run.outcomes[0].status == "bad value"
    assert run.outcomes[0].message == (f"returned a {name} object instead of raising it: "
                                       f"write “raise {name}(…)”, not “return {name}(…)”")


NUMPY_AND_SYMPY_ANSWERS = {
    "a NumPy string": ("    return np.array(['approx', 'true'])[0]", "approx"),
    "a 0-d NumPy string array": ("    return np.where(0.25 < 0.2505, 'approx', 'true')", "approx"),
    "an unevaluated SymPy number": ("    e = sp.Rational(1, 20)\n    return (sp.exp(-e) / 4).subs({})",
                                    math.exp(-0.05) / 4),
    "a SymPy sum of numbers": ("    return sp.Rational(1, 4) + sp.sqrt(2) / 3000", 0.25 + math.sqrt(2) / 3000),
}


@pytest.mark.parametrize("body, expected", NUMPY_AND_SYMPY_ANSWERS.values(), ids=NUMPY_AND_SYMPY_ANSWERS.keys())
def test_numpy_strings_and_sympy_numbers_not_yet_evaluated_are_read(pool, tmp_path, body, expected):
    run = pool.run(write(tmp_path, changed("import sympy as sp\n", mean=body)), [Call("mean", ([1.0, 2.0],))])
    assert run.outcomes[0].status == "ok", run.outcomes[0].message
    assert type(run.outcomes[0].value) is type(expected) and run.outcomes[0].value == pytest.approx(expected)


# ------------------------------------------------------------ data files handed in beside the code

EMPTY_FOLDER = ("Grading runs the code in an empty folder, so files handed in beside it are not there: the functions "
                "must not depend on them.")


def test_a_data_file_handed_in_beside_a_notebook_is_said_to_be_absent(pool, tmp_path, alice_values):
    import nbformat

    (tmp_path / "data.csv").write_text("height,weight\n150,50.0\n151,50.7\n")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in (
        "import numpy as np\nimport csv\nfrom scipy import stats",
        "data = np.loadtxt('data.csv', delimiter=',', skiprows=1)\nheights, weights = data[:, 0], data[:, 1]",
        changed(),
        "with open('data.csv') as f:\n    rows = list(csv.reader(f))")]
    path = tmp_path / "foundations.ipynb"
    nbformat.write(notebook, path)
    run = pool.run(load_code(path), CALLS)
    assert run.notes == (
        "foundations.ipynb, code cell 2 raised FileNotFoundError (line 1 of the cell beginning “data = "
        f"np.loadtxt('data.csv',…”): data.csv not found. {EMPTY_FOLDER.removesuffix('.')}; later cells still ran",
        "foundations.ipynb, code cell 4 raised FileNotFoundError (line 1 of the cell beginning “with "
        "open('data.csv') as f:”): [Errno 2] No such file or directory: "
        f"'data.csv'. {EMPTY_FOLDER.removesuffix('.')}; later cells still ran")
    assert run.outcomes[FUNCTIONS.index("dot")].value == alice_values["dot"]


def test_a_function_reading_a_data_file_is_told_the_file_is_not_there(pool, tmp_path):
    reads = "    with open('grades.csv') as f:\n        return float(np.mean([float(v) for v in f]))"
    run = pool.run(write(tmp_path, changed(mean=reads)), [Call("mean", ([1.0, 2.0],))])
    outcome = run.outcomes[0]
    assert outcome.status == "raised" and outcome.exception == "FileNotFoundError"
    assert outcome.message == f"[Errno 2] No such file or directory: 'grades.csv'. {EMPTY_FOLDER}"


# ------------------------------------------------------------ syntax of a newer Python

SANDBOX_PYTHON = f"Python {sys.version_info.major}.{sys.version_info.minor}"  # the sandbox runs this interpreter
NEWER_SYNTAX = {
    "nested quotes in an f-string": ('results = {"dot": dot([1, 2], [3, 4])}\nprint(f"dot = {results["dot"]}")\n',
                                     "f-string: unmatched '['"),
    "a type statement": ("type Vector = list[float]\n", "invalid syntax"),
}


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the syntax is Python 3.12's: this Python reads it")
@pytest.mark.parametrize("line, error", NEWER_SYNTAX.values(), ids=NEWER_SYNTAX.keys())
def test_syntax_of_a_newer_python_names_the_python_that_grades(pool, tmp_path, line, error):
    source = changed() + "\n\n" + line
    run = pool.run(write(tmp_path, source), CALLS)
    number = source.rstrip().count("\n") + 1  # the error is on the file's last line
    assert run.load_status == "import failed"
    written = line.rstrip().splitlines()[-1]  # the line Python could not read, quoted as written
    assert run.load_message == (f"foundations.py: SyntaxError on line {number}: {error} in “{written}” "
                                f"(the grader runs {SANDBOX_PYTHON})")


def test_a_misplaced_indent_is_not_blamed_on_the_python_version(pool, tmp_path):
    run = pool.run(write(tmp_path, changed() + "\n  x = 1\n"), CALLS)
    assert run.load_message.startswith("foundations.py: IndentationError on line ")
    assert "grader runs" not in run.load_message


def test_a_value_too_large_for_the_result_pipe_is_a_bad_value_not_a_crash(pool, tmp_path):
    # 10 million random float64 pass the element limit but are over 100 MB as sent.
    source = "import numpy as np\n\ndef big(x):\n    return np.random.default_rng(0).random(10_000_000)\n\n" \
             "def small(x):\n    return x\n"
    run = pool.run(write(tmp_path, source), [Call("big", (1.0,)), Call("small", (2.0,))])
    big, small = run.outcomes
    assert big.status == "bad value" and "too large to send" in big.message, big.message
    assert run.restarts == 0 and small.status == "ok" and small.value == 2.0
