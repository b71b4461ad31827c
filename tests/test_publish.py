"""`grader publish`: the students' copy of the specs holds nothing secret and checks like the original."""
from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy

from grader.publish import PublishError, same_value, value_source
from grader.references import base_namespace, compute_references
from grader.spec import SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    run = grader("publish", PROBLEMS, "--out", out)
    assert run.returncode == 0, run.stderr
    return out


@pytest.mark.parametrize("spec", ["foundations.yaml", "q2-activations.yaml"])
def test_published_spec_holds_nothing_secret(published, spec):
    original = compute_references(load_problem_set(PROBLEMS / spec))
    text = (published / spec).read_text(encoding="utf-8")
    ps = load_problem_set(published / spec)
    assert ps.published and ps.id == original.problem_set.id
    for key in ("solution:", "reference:", "setup:", "rubric:", "value:", "patterns:"):
        assert key not in text, key
    hidden = [c for r in original.parts.values() for c in r.cases if not c.case.public]
    assert ps.hidden_cases == len(hidden) > 0
    for case in hidden:
        assert f"name: {case.case.name}\n" not in text
    for part in original.problem_set.parts:
        for mistake in part.mistakes:
            if mistake.value is not None:  # known wrong written answers stay with the instructor
                assert mistake.feedback not in text
            if mistake.solution is not None:  # so does a mistaken solution's code (its public outputs do not)
                body = [line.strip() for line in mistake.solution.splitlines() if line.strip().startswith("return")]
                assert not any(line in text for line in body), part.label
        if part.code:  # the reference solution's body is nowhere
            body = [line.strip() for line in part.code.solution.splitlines() if line.strip().startswith("return")]
            assert not any(line in text for line in body), part.label
    # Written answers are kept findable (kind, names), but withheld.
    for part in ps.parts:
        assert part.at_grading == (part.kind is not None)


@pytest.mark.parametrize("spec", ["foundations.yaml", "q2-activations.yaml"])
def test_public_cases_read_back_identical(published, spec):
    original = compute_references(load_problem_set(PROBLEMS / spec))
    copy = compute_references(load_problem_set(published / spec))
    for label, ref in original.parts.items():
        public = [c for c in ref.cases if c.case.public]
        assert [c.case.name for c in public] == [c.case.name for c in copy[label].cases]
        for a, b in zip(public, copy[label].cases):
            assert same_value(list(a.args), list(b.args)), (label, a.case.name)
            assert same_value(a.expected, b.expected), (label, a.case.name)
        assert ref.part.options == copy[label].part.options
        if ref.part.code:
            assert ref.part.code.options == copy[label].part.code.options
            assert ref.part.code.fail_on_warnings == copy[label].part.code.fail_on_warnings


@pytest.mark.parametrize("value", [
    1.5, -0.0, float("inf"), float("-inf"), 3, True, None, "approx", complex(1, -2),
    np.float64(0.1), np.int32(7), np.bool_(False),
    np.array([[1.0, 2.5], [np.pi, -1e-300]]), np.array([1, 2], dtype=np.int64), np.zeros((0, 3)),
    np.array(5.0), (np.array([1.0]), np.eye(2)), ((2, 3), 2), [1, [2.0, "x"]], {"a": 1.0},
    sympy.Rational(1, 4), sympy.Interval(0, sympy.oo),
])
def test_value_source_round_trips_exactly(value):
    back = eval(value_source(value), base_namespace())  # noqa: S307 - our own output, in the spec namespace
    assert same_value(value, back), (value, value_source(value))


def test_nan_round_trips_and_unpublishable_values_are_refused():
    assert math.isnan(eval(value_source(float("nan")), base_namespace()))  # noqa: S307
    with pytest.raises(PublishError, match="dtype object"):
        value_source(np.array([object()]))
    with pytest.raises(PublishError, match="type function"):
        value_source(len if False else (lambda: 0))


PUBLISHED = """\
published: true
hidden_cases: 2
id: demo
title: Demo
parts:
  - label: P1
    title: written
    points: 1
    kind: number
  - label: P2
    title: code
    points: 1
    code:
      function: double
      kind: array
      cases:
        - {name: small, public: true, args: "[[1, 2]]", expected: "np.array([2.0, 4.0])"}
        - {name: must raise, public: true, args: "[None]", raises: TypeError}
"""


def issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        compute_references(load_problem_set(path))
    except SpecError as exc:
        return [str(i) for i in exc.issues]
    return []


def test_a_published_spec_loads(tmp_path):
    assert issues(tmp_path, PUBLISHED) == []
    ps = load_problem_set(tmp_path / "spec.yaml")
    assert ps.hidden_cases == 2 and ps.part("P1").at_grading and not ps.part("P2").at_grading


@pytest.mark.parametrize("change, message", [
    (("      kind: array\n", "      kind: array\n      solution: 'def double(v): return v'\n"),
     "line 16: part P2: a published spec must not hold the reference 'solution'"),
    (("    kind: number\n", "    kind: number\n    reference: '1'\n"),
     "line 10: part P1: a published spec must not hold its 'reference'"),
    ((', expected: "np.array([2.0, 4.0])"', ""), "line 17: part P2 case 1 in a published spec needs 'expected'"),
    (("public: true, args: \"[[1", "public: false, args: \"[[1"), "line 17: part P2 case 1: a published spec holds public cases only"),
    (("hidden_cases: 2", "hidden_cases: many"), "line 2: 'hidden_cases' must be a whole number"),
    (("published: true", "published: yes please"), "line 1: 'published' must be true or false"),
])
def test_published_spec_rules_are_located(tmp_path, change, message):
    old, new = change
    assert old in PUBLISHED
    found = issues(tmp_path, PUBLISHED.replace(old, new))
    assert any(message in issue for issue in found), found


def test_expected_values_belong_to_published_specs_only(tmp_path):
    text = PUBLISHED.replace("published: true\nhidden_cases: 2\n", "").replace(
        "      kind: array\n", "      kind: array\n      solution: 'def double(v): return v'\n").replace(
        "    kind: number\n", "    kind: number\n    reference: '1'\n")
    found = issues(tmp_path, text)
    assert any("line 17: part P2 case 1: 'expected' belongs to published specs only" in i for i in found), found


def test_publish_refuses_a_published_spec_and_bad_output(tmp_path, published):
    run = grader("publish", published / "foundations.yaml", "--out", tmp_path / "again")
    assert run.returncode == 2 and "already a published spec" in run.stderr
    (tmp_path / "file").write_text("x")
    run = grader("publish", PROBLEMS / "foundations.yaml", "--out", tmp_path / "file")
    assert run.returncode == 2 and "is a file, not a folder" in run.stderr
    assert "Traceback" not in run.stderr


def test_validate_accepts_the_published_copy_without_inventing_problems(published):
    """A published copy has no solutions to prove: validate says so and passes."""
    run = grader("validate", published)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 published copy(ies)" in run.stdout and "nothing more to prove" in run.stdout
    assert "earns 0" not in run.stdout + run.stderr


def copy_specs(folder: Path) -> dict[Path, bytes]:
    """The project's specs copied into ``folder``/problems, with their bytes."""
    (folder / "problems").mkdir(parents=True)
    for spec in PROBLEMS.glob("*.yaml"):
        (folder / "problems" / spec.name).write_bytes(spec.read_bytes())
    return {p: p.read_bytes() for p in (folder / "problems").iterdir()}


@pytest.mark.parametrize("where, problems, out", [
    (".", "problems", "problems"),          # the folder published in place
    ("problems", ".", "."),                 # the same, from inside it
    (".", "problems/foundations.yaml", "problems/../problems"),  # one spec, another spelling of its folder
])
def test_publish_never_writes_over_the_specs_it_reads(tmp_path, where, problems, out):
    """Published copies have no solutions nor hidden cases: writing them over the specs loses those for good."""
    specs = copy_specs(tmp_path)
    run = grader("publish", problems, "--out", out, cwd=tmp_path / where)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "foundations.yaml would be overwritten" in run.stderr and "Traceback" not in run.stderr
    assert "wrote" not in run.stdout
    assert {p: p.read_bytes() for p in specs} == specs
    assert sorted((tmp_path / "problems").iterdir()) == sorted(specs)


def test_publishing_again_into_the_same_folder_works(tmp_path):
    specs = copy_specs(tmp_path)
    for _ in range(2):
        run = grader("publish", "problems", "--out", "public", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == sorted(p.name for p in specs)
    assert {p: p.read_bytes() for p in specs} == specs
