"""The programming homework end to end: real student files run in the sandbox, graded by the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parents[1] / "submissions"  # the sample class: alice is right, bob follows the tutorial
SPEC = ROOT / "problems" / "foundations.yaml"
LABELS = [f"A{i}" for i in range(1, 10)] + [f"B{i}" for i in range(1, 6)] + \
    [f"C{i}" for i in range(1, 7)] + [f"D{i}" for i in range(1, 6)]


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def grade_one(tmp_path: Path, name: str, source: Path | str) -> dict:
    """Grade one student (hidden cases included) and return their tests by label."""
    folder = tmp_path / "class" / name
    folder.mkdir(parents=True)
    if isinstance(source, Path):
        (folder / source.name if source.suffix == ".ipynb" else folder / "foundations.py").write_bytes(
            source.read_bytes())
    else:
        (folder / "foundations.py").write_text(source, encoding="utf-8")
    run = grader("grade", str(SPEC), "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "out" / name / "results.json").read_text())
    return {t["number"]: t for t in results["tests"]}


def test_correct_submission_scores_full_marks_on_hidden_cases(tmp_path):
    tests = grade_one(tmp_path, "ann", SAMPLES / "alice" / "foundations.py")
    assert list(tests) == LABELS
    failed = {label: t["output"] for label, t in tests.items() if t["status"] != "passed"}
    assert not failed


# part → words of the targeted feedback for the tutorial's own mistakes
TUTORIAL_MISTAKES = {
    "A1": "element-wise (Hadamard) product",
    "B5": "np.trapz was removed in NumPy 2",
    "C2": "sample variance",
    "C4": "off-diagonal entry",
    "D1": "exp overflows for large |x|",
    "D2": "np.maximum(0, x)",
    "D3": "subtract max(x)",
}


def test_tutorial_mistakes_get_targeted_feedback(tmp_path):
    tests = grade_one(tmp_path, "bob", SAMPLES / "bob" / "foundations.py")
    for label, words in TUTORIAL_MISTAKES.items():
        assert tests[label]["status"] == "failed", label
        assert words in tests[label]["output"], (label, tests[label]["output"])
    assert tests["A2"]["score"] == 0 and "dot is not defined" in tests["A2"]["output"]
    assert tests["A2"]["extra_data"]["verdict"] == "not defined"


def test_some_cases_right_earns_their_share(tmp_path):
    source = (SAMPLES / "alice" / "foundations.py").read_text()
    # Right on most inputs, wrong on singular ones: no ValueError.
    source = source.replace('        raise ValueError("singular matrix")\n', "        return np.zeros_like(M)\n")
    tests = grade_one(tmp_path, "cy", source)
    assert 0 < tests["A6"]["score"] < tests["A6"]["max_score"]
    assert tests["A6"]["score"] == pytest.approx(2 * 2 / 5)  # 2 of 5 cases: the other three must raise


def notebook_of(source: str, extra_cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Foundations homework\nMy answers.")] + extra_cells + \
        [nbformat.v4.new_code_cell(source)]
    return nb


def test_notebook_with_broken_cell_and_magic_grades_like_the_py(tmp_path):
    source = (SAMPLES / "alice" / "foundations.py").read_text()
    nb = notebook_of(source, [
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip install numpy\nimport numpy as np"),
        nbformat.v4.new_code_cell("undefined_name + 1  # this cell raises; later cells still run"),
    ])
    path = tmp_path / "foundations.ipynb"
    nbformat.write(nb, path)
    from_notebook = grade_one(tmp_path / "nb", "dee", path)
    from_file = grade_one(tmp_path / "py", "dee", SAMPLES / "alice" / "foundations.py")
    assert {k: t["score"] for k, t in from_notebook.items()} == {k: t["score"] for k, t in from_file.items()}
    results = json.loads((tmp_path / "nb" / "out" / "dee" / "results.json").read_text())
    assert "NameError" in results["output"]  # the broken cell is reported


def test_malformed_notebook_gets_a_clear_message(tmp_path):
    folder = tmp_path / "class" / "eve"
    folder.mkdir(parents=True)
    (folder / "foundations.ipynb").write_text("{ this is not json", encoding="utf-8")
    run = grader("grade", str(SPEC), "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "out" / "eve" / "results.json").read_text())
    assert results["score"] == 0
    assert "foundations.ipynb" in results["output"]
    assert len(results["tests"]) == len(LABELS)


def test_import_failure_scores_zero_everywhere_with_the_reason(tmp_path):
    tests = grade_one(tmp_path, "fay", "def matmul(A, B):\n    return A @ B\n\ndef broken(:\n    pass\n")
    assert all(t["score"] == 0 for t in tests.values())
    assert "SyntaxError" in tests["A1"]["output"]


def test_self_check_never_shows_hidden_inputs(tmp_path):
    out = tmp_path / "r.json"
    run = grader("check", str(SPEC), str(SAMPLES / "bob" / "foundations.py"), "--json", str(out))
    text = run.stdout + out.read_text()
    assert "hidden case" not in text  # hidden cases are not run at all in a self-check
    for secret in ("1000.0, 1003.5", "singular 3×3", "mismatched 2×3"):
        assert secret not in text


def test_a_function_name_reassigned_to_a_value_says_what_it_holds(tmp_path):
    source = (SAMPLES / "alice" / "foundations.py").read_text() + "\nvariance = variance([1.0, 2.0, 4.0])\n"
    tests = grade_one(tmp_path, "vic", source)
    assert tests["C2"]["score"] == 0
    assert "variance is defined but is a float, not a function; was the name reassigned" in tests["C2"]["output"]
    assert tests["C1"]["score"] == tests["C1"]["max_score"]


def test_a_reassigned_name_holding_a_long_type_name_is_shortened_visibly(tmp_path):
    long_name = "Holder" + "x" * 250
    source = (SAMPLES / "alice" / "foundations.py").read_text() + f"\nclass {long_name}:\n    pass\n\nvariance = {long_name}()\n"
    output = grade_one(tmp_path, "lee", source)["C2"]["output"]
    assert "variance is defined but is a foundations.Holderxxx" in output
    assert "…; was the name reassigned" in output  # cut, and says so


def test_a_wrong_public_value_shows_what_was_expected_and_what_came_back(tmp_path):
    # dot sums the first vector only; the public case's expected value is the handout's, so both are shown.
    from grader.cli import load_references
    refs = load_references([str(SPEC)])[0]
    case = next(c for c in refs["A2"].cases if c.case.public)
    wrong = float(sum(case.args[0]))
    code = "import numpy as np\n\ndef dot(u, v):\n    return float(np.sum(u))\n"
    tests = grade_one(tmp_path, "dan", code)
    assert f"Expected {float(case.expected):.6g}; got {wrong:.6g}." in tests["A2"]["output"]
    # hidden cases stay silent about values
    assert tests["A2"]["output"].count("Expected") == 1


def test_hidden_cases_say_a_return_is_missing_and_when_a_case_was_not_run(tmp_path):
    code = ("import numpy as np\n\n"
            "def dot(u, v):\n    float(np.dot(u, v))\n\n"
            "def determinant(M):\n    while True:\n        pass\n")
    tests = grade_one(tmp_path, "ivy", code)
    hidden = tests["A2"]["output"].split("hidden case", 1)[1]
    assert "the function returned None (is a return statement missing?)" in hidden
    determinant = tests["A7"]["output"]
    assert "Not run: the function had already run out of time on earlier cases." in determinant
    assert "took longer than the time limit" in determinant


def test_numpys_own_function_from_a_star_import_is_not_the_students(tmp_path):
    code = "from numpy import *\n\ndef dot(u, v):\n    return float(sum(multiply(u, v)))\n"
    tests = grade_one(tmp_path, "eve", code)
    assert tests["A1"]["score"] == 0 and "numpy's own function, brought in by `from numpy import *`" \
        in tests["A1"]["output"]
    assert tests["A2"]["score"] == tests["A2"]["max_score"]


def test_hidden_cases_name_the_kind_of_mistake_but_no_value(tmp_path):
    code = ("import numpy as np\n\n"
            "def determinant(M):\n    return -float(np.linalg.det(np.asarray(M, dtype=float)))\n\n"
            "def matmul(A, B):\n    return (np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)).T\n\n"
            "def dot(u, v):\n    return str(list(u))\n\n"
            "def l2_norm(v):\n    return round(float(np.linalg.norm(v)), 3)\n\n"
            "def mean(values):\n    return np.array([np.mean(values)])\n\n"
            "def l1_norm(v):\n    raise type(f'v={list(v)}', (ValueError,), {})()\n")
    tests = grade_one(tmp_path, "hal", code)
    assert "Wrong result. Close to the expected value, but not within the tolerance" in tests["A4"]["output"]
    assert "Wrong result. Expected one number, got an array." in tests["C1"]["output"]
    # an exception class named by the code could carry the inputs out: only Python's own names are said
    hidden = tests["A3"]["output"].split("hidden case", 1)[1]
    assert "an exception of a class the code defines, derived from ValueError" in hidden and "v=" not in hidden
    determinant, matmul, dot = (tests[label]["output"] for label in ("A7", "A1", "A2"))
    assert "hidden case" in determinant and "Wrong result. The sign is wrong." in determinant
    assert "Wrong result. The result has the wrong shape." in matmul
    assert "Wrong shape: expected" not in matmul.split("hidden case", 1)[1]  # the shapes stay unsaid
    # A value the student chose (here the inputs themselves) never reaches a hidden case's feedback.
    hidden = dot.split("hidden case", 1)[1]
    assert "Wrong result." in hidden and "[" not in hidden
