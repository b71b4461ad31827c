"""A published spec gives the self-check the targeted hints grading gives, and still nothing secret.

- the handout's own examples (softmax of [1000, 1001, 1002], sigmoid(-1000), an unevenly
  spaced x) are public cases, so the tutorial's naive functions fail the self-check with
  the known mistake's feedback instead of passing it;
- a ``solution`` mistake's code stays with the instructor, but what it returns on each
  public case is published with its feedback, so "element-wise product" and "sample
  variance" are said by ``grader check`` too, not only "Expected …; got …";
- a published copy that lost its ``published: true`` says so once, not once per case.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from grader.publish import value_source
from grader.references import RaisedException, base_namespace, compute_references
from grader.spec import SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"

# The tutorial's versions (what a student copies from it), one per known mistake.
TUTORIAL_FUNCTIONS = '''\
import numpy as np

def matmul(A, B):
    return np.multiply(A, B)

def variance(values):
    return np.var(values, ddof=1)

def numerical_derivative(y, x):
    return np.gradient(y)

def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))

def softmax(x):
    e = np.exp(x)
    return e / e.sum()
'''


def grader(*args: Any, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    run = grader("publish", PROBLEMS, "--out", out)
    assert run.returncode == 0, run.stderr
    return out


def self_check(tmp_path: Path, spec: Path, source: str) -> dict[str, dict]:
    """`grader check SPEC FILE` on a student file: its tests by part label."""
    student = tmp_path / "foundations.py"
    student.write_text(source, encoding="utf-8")
    run = grader("check", spec, student, "--json", tmp_path / "results.json")
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    return {t["number"]: t for t in json.loads((tmp_path / "results.json").read_text())["tests"]}


# ---------------------------------------------------------------------------
# 1. The handout's examples are public cases

def test_the_handouts_examples_are_public_cases():
    refs = compute_references(load_problem_set(PROBLEMS / "foundations.yaml"))

    def public_args(label):
        return [c.args for c in refs[label].cases if c.case.public]

    assert any(np.array_equal(args[0], [1000.0, 1001.0, 1002.0]) for args in public_args("D3"))
    assert any(np.array_equal(args[0], [-1000.0]) for args in public_args("D1"))
    assert any(len(set(np.round(np.diff(args[1]), 9))) > 1 for args in public_args("B1"))  # unevenly spaced x


@pytest.mark.parametrize("label, feedback", [
    ("D1", "exp overflows for large |x|"),
    ("D3", "exp overflows for large inputs and gives nan: subtract max(x)"),
])
def test_naive_sigmoid_and_softmax_fail_the_self_check_with_the_hint(tmp_path, published, label, feedback):
    tests = self_check(tmp_path, published / "foundations.yaml", TUTORIAL_FUNCTIONS)
    assert tests[label]["status"] == "failed", tests[label]["output"]
    assert feedback in tests[label]["output"]


def test_gradient_without_x_fails_the_self_check(tmp_path, published):
    tests = self_check(tmp_path, published / "foundations.yaml", TUTORIAL_FUNCTIONS)
    assert tests["B1"]["status"] == "failed"
    assert "✗ unevenly spaced x" in tests["B1"]["output"]


# ---------------------------------------------------------------------------
# 2. What mistaken solutions return on public cases is published, with their feedback

def published_case(published: Path, label: str, name: str):
    part = load_problem_set(published / "foundations.yaml").part(label)
    return next(case for case in part.code.cases if case.name == name)


def test_a_solution_mistakes_output_on_a_public_case_is_published_with_its_feedback(published):
    original = load_problem_set(PROBLEMS / "foundations.yaml").part("A1")
    case = published_case(published, "A1", "tutorial 2×2 example")
    [mistake] = case.mistakes
    assert mistake.feedback == original.mistakes[0].feedback
    wrong = eval(mistake.value, base_namespace())  # noqa: S307 - the published expression
    assert np.array_equal(wrong, [[5, 12], [21, 32]])  # np.multiply of the tutorial's matrices
    # A case that must raise keeps the hint too: the element-wise product returns a value there.
    assert published_case(published, "A1", "tutorial 2×3 and 2×3 (inner dimensions differ)").mistakes
    assert published_case(published, "C2", "tutorial example").mistakes[0].feedback.startswith(
        "That is the sample variance")


@pytest.mark.parametrize("label, feedback", [
    ("A1", "This is the element-wise (Hadamard) product"),
    ("C2", "That is the sample variance (dividing by n − 1)"),
    ("B1", "The spacing of x is ignored"),
])
def test_solution_mistakes_get_their_hint_from_the_published_spec(tmp_path, published, label, feedback):
    tests = self_check(tmp_path, published / "foundations.yaml", TUTORIAL_FUNCTIONS)
    assert feedback in tests[label]["output"], tests[label]["output"]


def test_instructor_spec_gives_the_same_hints(tmp_path):
    """What the published spec is to match: the instructor's spec runs the mistaken solutions itself."""
    tests = self_check(tmp_path, PROBLEMS / "foundations.yaml", TUTORIAL_FUNCTIONS)
    for label, feedback in (("A1", "element-wise (Hadamard) product"), ("C2", "sample variance"),
                            ("B1", "The spacing of x is ignored"), ("D1", "exp overflows"),
                            ("D3", "subtract max(x)")):
        assert feedback in tests[label]["output"], (label, tests[label]["output"])


SPEC = """\
id: demo
title: Demo
parts:
  - label: P1
    title: double
    points: 1
    code:
      function: double
      kind: number
      solution: |
        def double(v):
            return 2.0 * v
      cases:
        - {name: two, public: true, args: [2.0]}
        - {name: five, args: [5.0]}
    mistakes:
      - solution: |
          def double(v):
              return 4.0 if v == 2 else v * v
        feedback: "Squared, not doubled."
        credit: 0.25
      - solution: |
          def double(v):
              return v + 1.0
        feedback: "Added one."
"""


def test_only_mistakes_a_student_would_fail_are_published(tmp_path):
    """Here x² is right on the public case: only "added one" differs there.  (A mistake that raises on
    every case matches no answer: validate, which publish runs first, refuses it.)"""
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "demo.yaml").write_text(SPEC, encoding="utf-8")
    run = grader("publish", "problems", "--out", "public", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "public" / "demo.yaml").read_text(encoding="utf-8")
    [case] = load_problem_set(tmp_path / "public" / "demo.yaml").part("P1").code.cases
    assert [(m.feedback, m.value) for m in case.mistakes] == [("Added one.", "3.0")]
    assert "Squared" not in text
    assert "def double" not in text and "v + 1.0" not in text  # no mistaken solution's code


def test_a_mistakes_credit_is_published(tmp_path):
    spec = SPEC.replace("return 4.0 if v == 2 else v * v", "return v * v * v")
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "demo.yaml").write_text(spec, encoding="utf-8")
    assert grader("publish", "problems", "--out", "public", cwd=tmp_path).returncode == 0
    [case] = load_problem_set(tmp_path / "public" / "demo.yaml").part("P1").code.cases
    assert [(m.feedback, m.credit) for m in case.mistakes] == [("Squared, not doubled.", 0.25), ("Added one.", 0.0)]


# ---------------------------------------------------------------------------
# Hidden cases: nothing of theirs is published

def _long_floats(value: Any) -> set[str]:
    """Each float of ``value`` whose written form is long enough not to turn up by chance."""
    if isinstance(value, (list, tuple)):
        return set().union(set(), *map(_long_floats, value))
    if isinstance(value, dict):
        return _long_floats(list(value.values()))
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return {text for x in value.ravel() for text in _long_floats(float(x))}
    if isinstance(value, (float, np.floating)):
        text = repr(float(value))
        return {text} if len(text) >= 12 else set()
    return set()


def hidden_texts(case_ref) -> set[str]:
    """How a hidden case's input, expected value and mistakes' values would be written if published."""
    found = _long_floats(list(case_ref.args))
    if case_ref.args:
        found.add(value_source(list(case_ref.args)))
    for value in [case_ref.expected, *(wrong for _, wrong in case_ref.mistake_values)]:
        if not isinstance(value, RaisedException):
            source = value_source(value)
            found |= _long_floats(value) | ({source} if len(source) >= 12 else set())
    return found


def _texts(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [t for v in data.values() for t in _texts(v)]
    if isinstance(data, list):
        return [t for v in data for t in _texts(v)]
    return [str(data)]


@pytest.mark.parametrize("spec", ["foundations.yaml", "q2-activations.yaml"])
def test_no_hidden_input_expected_value_or_mistake_value_is_published(published, spec):
    refs = compute_references(load_problem_set(PROBLEMS / spec))
    parts = {p["label"]: "\n".join(_texts(p))
             for p in yaml.safe_load((published / spec).read_text(encoding="utf-8"))["parts"]}
    checked = 0
    for label, ref in refs.parts.items():
        # Within the part's own section: other parts may hold the same number by chance
        # (softmax of [-1000, -1001] is sigmoid of ±1).
        for case_ref in (c for c in ref.cases if not c.case.public):
            texts = hidden_texts(case_ref)
            checked += len(texts)
            assert not [t for t in texts if t in parts[label]], (label, case_ref.case.name)
    assert checked >= (100 if spec == "foundations.yaml" else 5)  # the test has teeth


# ---------------------------------------------------------------------------
# The format of a published case's mistakes

PUBLISHED = """\
published: true
hidden_cases: 1
id: demo
title: Demo
parts:
  - label: P1
    title: double
    points: 1
    code:
      function: double
      kind: number
      cases:
        - name: two
          public: true
          args: "[2.0]"
          expected: "4.0"
          mistakes:
            - {returns: "3.0", feedback: "Added one.", credit: 0.5}
"""


def issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        compute_references(load_problem_set(path))
    except SpecError as exc:
        return [str(i) for i in exc.issues]
    return []


def test_a_published_cases_mistakes_load(tmp_path):
    assert issues(tmp_path, PUBLISHED) == []
    [case] = load_problem_set(tmp_path / "spec.yaml").part("P1").code.cases
    [mistake] = case.mistakes
    assert (mistake.value, mistake.feedback, mistake.credit, mistake.line) == ("3.0", "Added one.", 0.5, 18)


@pytest.mark.parametrize("change, message", [
    (('{returns: "3.0", ', "{"), "line 18: a known mistake of part P1 case 1 is missing the required key 'returns'"),
    (('returns: "3.0"', "returns: 3.0"), "line 18: part P1 case 1 mistake 'returns' must be a Python expression"),
    (("credit: 0.5", "credit: 1"), "line 18: part P1 case 1 mistake 'credit' must be a number from 0 up to"),
    (("credit: 0.5", "valu: 1"), "line 18: unknown key 'valu' in a known mistake of part P1 case 1"),
    (("            - {returns", "              {returns"), "line 17: part P1 case 1 'mistakes' must be a list"),
])
def test_a_published_cases_mistakes_are_checked_and_located(tmp_path, change, message):
    old, new = change
    assert old in PUBLISHED
    found = issues(tmp_path, PUBLISHED.replace(old, new))
    assert any(message in issue for issue in found), found


def test_a_case_mistake_belongs_to_published_specs_only(tmp_path):
    text = SPEC.replace("        - {name: two, public: true, args: [2.0]}\n",
                        "        - {name: two, public: true, args: [2.0], mistakes: [{returns: '3.0', feedback: x}]}\n")
    found = issues(tmp_path, text)
    assert any("line 14: part P1 case 1: 'mistakes' in a case belong to published specs only" in i for i in found), \
        found


# ---------------------------------------------------------------------------
# 3. A published copy without `published: true` says so once

HINT = "this looks like a published spec (no references or solutions): add `published: true`"


@pytest.mark.parametrize("spec", ["foundations.yaml", "q2-activations.yaml"])
def test_a_published_copy_without_published_true_says_so_once(tmp_path, published, spec):
    copy = tmp_path / spec
    copy.write_text((published / spec).read_text(encoding="utf-8").replace("published: true\n", ""),
                    encoding="utf-8")
    for command in ("validate", "check"):
        args = [command, copy] + ([tmp_path / "nothing.py"] if command == "check" else [])
        (tmp_path / "nothing.py").write_text("x = 1\n", encoding="utf-8")
        run = grader(*args)
        assert run.returncode == 2, run.stdout + run.stderr
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert sum(HINT in line for line in lines) == 1, run.stderr
        assert len(lines) <= 3, run.stderr  # the heading and the hint, not a line per case
        assert "belongs to published specs only" not in run.stderr and "Traceback" not in run.stderr


def test_other_problems_of_such_a_copy_are_still_listed(tmp_path):
    text = PUBLISHED.replace("published: true\n", "").replace("points: 1", "points: -1")
    found = issues(tmp_path, text)
    assert any(HINT in i and "line 1:" in i for i in found), found
    assert any("line 7: part P1 'points' must be at least 0, got -1" in i for i in found), found
    assert not any("'expected' belongs" in i or "'hidden_cases' belongs" in i for i in found), found


def test_an_instructors_spec_keeps_its_precise_messages(tmp_path):
    # A stray 'expected' in a spec with solutions: the spec is not a published copy.
    text = SPEC.replace("args: [2.0]}", "args: [2.0], expected: '4.0'}")
    found = issues(tmp_path, text)
    assert not any(HINT in i for i in found)
    assert any("'expected' belongs to published specs only" in i for i in found), found
    # A draft with neither solutions nor anything only publishing writes: what is missing, located.
    draft = "id: d\ntitle: D\nparts:\n  - {label: P1, title: t, points: 1, kind: number}\n"
    found = issues(tmp_path, draft)
    assert not any(HINT in i for i in found)
    assert any("line 4: part P1 has kind 'number' but no 'reference'" in i for i in found), found


def test_a_when_predicate_that_needs_the_setup_is_left_out_and_the_instructor_told(tmp_path):
    """The setup is not published, so a predicate using its names would fail (never match) in every
    self-check; it is left out, with a note naming the line, and predicates that stand alone stay."""
    spec = SPEC.replace("parts:\n", "setup: |\n  OFFSET = 1.0\nparts:\n", 1).replace(
        '        feedback: "Added one."\n',
        '        feedback: "Added one."\n'
        '      - when: "value is not None and value == args[0] + OFFSET"\n'
        '        feedback: "Offset by the setup constant."\n'
        '      - when: "value is None"\n'
        '        feedback: "Nothing was returned."\n')
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "demo.yaml").write_text(spec, encoding="utf-8")
    run = grader("publish", "problems", "--out", "public", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    when_line = spec.splitlines().index('      - when: "value is not None and value == args[0] + OFFSET"') + 1
    assert f"demo.yaml, line {when_line}: part P1: this mistake's 'when' uses the setup's 'OFFSET'" in run.stdout
    published = load_problem_set(tmp_path / "public" / "demo.yaml").part("P1")
    assert [m.feedback for m in published.mistakes if m.when] == ["Nothing was returned."]
    assert "OFFSET" not in (tmp_path / "public" / "demo.yaml").read_text(encoding="utf-8")
