"""Remembered verdicts: a grader that has seen the class grades every student as a fresh one would.

A :class:`Grader` remembers written-answer verdicts by (part, answer) and
code-case verdicts by (case, call outcome).  These tests grade the same
submissions with fresh graders (nothing remembered) and with one warm
grader, and require identical results; they also grade answers that look
alike but are not (``0.25`` and ``"0.25"``, arrays with the same bytes in
another shape or dtype, a value and the same value raised as an exception)
to show that no two of them share a verdict.
"""
from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import sympy

import grader.grading as grading
from grader.cli import load_references
from grader.grading import Grader
from grader.readers import submission_files
from grader.mathread import Unreadable, read_math
from grader.memo import BoundedCache, value_key

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = [ROOT / "problems" / "foundations.yaml", ROOT / "problems" / "q2-activations.yaml"]
SAMPLE_CLASS = ROOT / "submissions"


@pytest.fixture(scope="module")
def references():
    return load_references([str(p) for p in PROBLEMS])


@pytest.fixture(scope="module")
def pool():
    from grader.sandbox import WorkerPool

    with WorkerPool() as shared:
        yield shared


def comparable(result):
    return dataclasses.replace(result, seconds=0.0)


def fresh_grade(references, pool, student: str, files: list[Path]):
    with Grader(references, pool=pool) as fresh:
        return comparable(fresh.grade(student, files))


def foundations_file(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "foundations.py"
    path.write_text("import numpy as np\n\n" + body)
    return path


def part(result, label: str):
    return next(p for p in result.parts if p.label == label)


# ---------------------------------------------------------------------------
# The sample class

def test_a_warm_grader_grades_the_sample_class_as_fresh_graders_do(references, pool, monkeypatch):
    students = {entry.name: submission_files(entry) for entry in sorted(SAMPLE_CLASS.iterdir())}
    fresh = {name: fresh_grade(references, pool, name, files) for name, files in students.items()}
    with Grader(references, pool=pool) as warm:
        first = {name: comparable(warm.grade(name, files)) for name, files in students.items()}
        checked: list[str] = []
        check_written, code_case = grading._check_written, Grader._code_case

        def counted_written(ref, value):
            checked.append(ref.part.label)
            return check_written(ref, value)

        def counted_case(self, ref, case, outcome):
            checked.append(ref.part.label)
            return code_case(self, ref, case, outcome)

        monkeypatch.setattr(grading, "_check_written", counted_written)
        monkeypatch.setattr(Grader, "_code_case", counted_case)
        again = {name: comparable(warm.grade(name, files)) for name, files in reversed(students.items())}
    assert first == fresh
    assert again == fresh
    assert checked == [], "the second pass should find every verdict remembered"


def test_threads_sharing_one_grader_grade_as_fresh_graders_do(references, pool):
    students = {entry.name: submission_files(entry) for entry in sorted(SAMPLE_CLASS.iterdir())}
    fresh = {name: fresh_grade(references, pool, name, files) for name, files in students.items()}
    work = list(students.items()) * 4
    with Grader(references, pool=pool) as shared, ThreadPoolExecutor(max_workers=4) as threads:
        results = list(threads.map(lambda item: comparable(shared.grade(*item)), work))
    assert results == [fresh[name] for name, _ in work]


def test_identical_answers_keep_their_own_file_name(references, pool, tmp_path):
    text = (SAMPLE_CLASS / "alice" / "q2.md").read_text()
    with Grader(references, pool=pool) as warm:
        results = {}
        for name in ("first.md", "second.md"):
            path = tmp_path / name
            path.write_text(text)
            results[name] = warm.grade(name, [path])
    for name, result in results.items():
        written = [p for p in result.parts if p.problem_set == "q2-activations" and p.status != "not defined"]
        assert written and all(p.source == name for p in written)


# ---------------------------------------------------------------------------
# Written answers that look alike

ALIKE_WRITTEN = [
    ("Q2.1a", "0.25"), ("Q2.1a", "'0.25'"), ("Q2.1a", "'1/4'"), ("Q2.1a", "1"), ("Q2.1a", "true"),
    ("Q2.1a", "'1/2'"), ("Q2.3b", "0.2505"), ("Q2.3b", "'0.2505'"), ("Q2.3b", "'25.05%'"), ("Q2.3b", "0.3"),
    ("Q2.3c", "[0.2505, 9.9e-4, 9.7e-7, 9.4e-13]"), ("Q2.3c", "'0.2505, 9.9e-4, 9.7e-7, 9.4e-13'"),
    ("Q2.3c", "[[0.2505, 9.9e-4], [9.7e-7, 9.4e-13]]"), ("Q2.2", "'(-oo, oo)'"), ("Q2.2", "'[0, oo)'"),
]


def test_written_answers_that_look_alike_get_their_own_verdicts(references, pool, tmp_path):
    files = []
    for number, (label, answer) in enumerate(ALIKE_WRITTEN):
        path = tmp_path / f"student{number}" / "answers.yaml"
        path.parent.mkdir()
        path.write_text(f"{label}: {answer}\n")
        files.append((label, path))
    with Grader(references, pool=pool) as warm:
        for label, path in files:  # fill the memo, then grade everyone again from it
            warm.grade(path.parent.name, [path])
        for label, path in files:
            remembered = part(warm.grade(path.parent.name, [path]), label)
            assert remembered == part(fresh_grade(references, pool, path.parent.name, [path]), label), path.read_text()
    verdicts = {path.read_text(): part(fresh_grade(references, pool, "s", [path]), label).status for label, path in files}
    assert verdicts["Q2.1a: 0.25\n"] == verdicts["Q2.1a: '1/4'\n"] == "correct"
    assert verdicts["Q2.1a: true\n"] != "correct" and verdicts["Q2.1a: '1/2'\n"] != "correct"


# ---------------------------------------------------------------------------
# Code outcomes that look alike

CORRECT_MATMUL = "def matmul(A, B):\n    return np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)\n"
ALIKE_CODE = {
    "correct": CORRECT_MATMUL + "def dot(a, b):\n    return float(np.dot(a, b))\n",
    # the same bytes as the right array, in another shape or read as another dtype
    "flattened": "def matmul(A, B):\n    return (np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)).reshape(-1)\n",
    "reinterpreted": "def matmul(A, B):\n    return (np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)).view(np.int64)\n",
    # the right value, raised instead of returned
    "raises-the-value": CORRECT_MATMUL + "def dot(a, b):\n    raise ValueError(repr(float(np.dot(a, b))))\n",
    "raises-another-message": "def dot(a, b):\n    raise ValueError(repr(float(np.dot(a, b)) + 1))\n",
    "returns-nothing": "def dot(a, b):\n    return None\n",
    "integer-dot": "def dot(a, b):\n    return int(round(float(np.dot(a, b))))\n",
    "negative-zero": "def dot(a, b):\n    value = float(np.dot(a, b))\n    return -0.0 if value == 0 else value\n",
}


def test_code_outcomes_that_look_alike_get_their_own_verdicts(references, pool, tmp_path):
    paths = {name: foundations_file(tmp_path, name, body) for name, body in ALIKE_CODE.items()}
    fresh = {name: fresh_grade(references, pool, name, [path]) for name, path in paths.items()}
    with Grader(references, pool=pool) as warm:
        for name, path in paths.items():
            warm.grade(name, [path])
        for name, path in reversed(paths.items()):
            assert comparable(warm.grade(name, [path])) == fresh[name], name
    assert part(fresh["correct"], "A1").status == "correct"
    for name in ("flattened", "reinterpreted"):
        assert part(fresh[name], "A1").status != "correct"
    assert part(fresh["correct"], "A2").status == "correct"
    assert part(fresh["raises-the-value"], "A2").score == 0


def test_hidden_cases_never_echo_a_students_message_even_when_remembered(references, pool, tmp_path):
    secret = "def dot(a, b):\n    raise ValueError(f'cannot take {a!r} with {b!r}')\n"
    paths = [foundations_file(tmp_path, f"s{n}", secret) for n in range(2)]
    with Grader(references, pool=pool) as warm:
        results = [warm.grade(f"s{n}", [path]) for n, path in enumerate(paths)]
    assert results[0].parts == results[1].parts
    cases = part(results[1], "A2").cases
    hidden = [c for c in cases if not c.public]
    public = [c for c in cases if c.public]
    assert hidden and all(c.feedback == "Raised ValueError." for c in hidden)
    assert public and all("cannot take" in c.feedback for c in public)


# ---------------------------------------------------------------------------
# The pieces

def test_value_keys_tell_apart_what_checkers_could():
    arr = np.array([[1.0, 2.0], [3.0, 4.0]])
    alike = [1, 1.0, True, 1 + 0j, "1", [1], (1,), {1: 1}, 0.0, -0.0, None, float("nan"), [1.0], [True],
             arr, arr.reshape(-1), arr.view(np.int64), arr.astype(np.float32), np.array(1.0)]
    keys = [value_key(v) for v in alike]
    assert None not in keys
    assert len(set(keys)) == len(alike)
    assert value_key(float("nan")) == value_key(math.nan)
    assert value_key({"a": 1, "b": 2}) != value_key({"b": 2, "a": 1})
    assert value_key(arr.copy()) == value_key(arr) and value_key([1, (2.5, "x")]) == value_key([1, (2.5, "x")])


def test_large_or_unknown_values_are_not_remembered():
    assert value_key(np.zeros(10_000)) is None
    assert value_key("x" * 10_000) is None
    assert value_key(list(range(10_000))) is None
    assert value_key(np.array([object()])) is None
    assert value_key({1, 2}) is None and value_key(np.float64(1.0)) is None


def test_the_cache_drops_its_oldest_entries():
    cache = BoundedCache(3)
    for n in range(5):
        cache.put(n, str(n))
    assert len(cache) == 3
    assert cache.get(0) is None and cache.get(1) is None and cache.get(4) == "4"


def test_a_remembered_refusal_is_raised_afresh():
    errors = []
    for _ in range(2):
        with pytest.raises(Unreadable) as caught:
            read_math(r"\frac{1}{", variables={})
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert str(errors[0]) == str(errors[1]) and errors[0].snippet == errors[1].snippet


def test_readings_depend_on_the_declared_variables():
    x_real, x_positive = sympy.Symbol("x", real=True), sympy.Symbol("x", positive=True)
    assert read_math("x + 1", variables={"x": x_real}).value.free_symbols == {x_real}
    assert read_math("x + 1", variables={"x": x_positive}).value.free_symbols == {x_positive}
    with pytest.raises(Unreadable):
        read_math("x + 1", variables={})


def test_a_mutable_matrix_reading_is_never_shared():
    text = r"\begin{pmatrix}1 & 2\end{pmatrix}"
    first = read_math(text).value
    first[0, 0] = 99
    assert read_math(text).value[0, 0] == 1


@pytest.mark.parametrize("source, answers", [
    ("def rho(T):\n    return 0.25 ** T\n", True),
    ("def \uff52\uff48\uff4f(T):  # full-width letters: Python reads them as rho\n    return 0.25 ** T\n", True),
    ("# x² and Σᵢ in a comment, rho nowhere as a name\ndef other():\n    pass\n", False),
    ("# Σᵢ xᵢ²\ndef other():\n    pass\n", False),
])
def test_a_code_file_answers_the_problem_set_whose_functions_it_defines(references, tmp_path, source, answers):
    path = tmp_path / "extra.py"
    path.write_text(source, encoding="utf-8")
    q2 = next(r.problem_set for r in references if r.problem_set.id == "q2-activations")
    assert grading._answers_code_of(q2, path, grading._load_code(path)) is answers
