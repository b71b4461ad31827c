"""Parts with a written answer and code: publishing never gives the written answer away.

A public code case's expected value is written into the published spec, and for a part that
also has a written answer that value is the answer (``sigma_dot_approx(0.05)`` is σ̇_approx).
Such parts keep every case hidden; `grader publish` and `grader handout` refuse a public one.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from grader.references import compute_references
from grader.spec import SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

SPEC = """\
id: demo
title: Demo
parts:
  - label: W1
    title: a written answer, also as a function
    points: 1
    kind: number
    reference: "0.125"
    code:
      function: eighth
      kind: number
      solution: |
        def eighth(scale):
            if scale is None:
                raise TypeError("scale")
            return 0.125 * scale
      cases:
        - {name: "scale 1", args: [1.0]}
        - {name: "scale 2", args: [2.0]}
        - {name: "no scale", public: true, args: [null], raises: TypeError}
  - label: C1
    title: code only
    points: 1
    code:
      function: double
      kind: number
      solution: |
        def double(v):
            return 2 * v
      cases:
        - {name: "two", public: true, args: [2.0]}
"""


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def write(folder: Path, text: str) -> Path:
    (folder / "problems").mkdir(exist_ok=True)
    path = folder / "problems" / "demo.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def issues(path: Path) -> list[str]:
    try:
        compute_references(load_problem_set(path))
    except SpecError as exc:
        return [str(i) for i in exc.issues]
    return []


# ---------------------------------------------------------------------------
# The spec rule: a written part's code needs no public case; a code-only part still does

def test_a_written_part_needs_no_public_code_case(tmp_path):
    assert issues(write(tmp_path, SPEC.replace(", public: true, args: [null]", ", args: [null]"))) == []


def test_a_code_only_part_still_needs_a_public_case(tmp_path):
    found = issues(write(tmp_path, SPEC.replace('{name: "two", public: true,', '{name: "two",')))
    assert any("line 30: part C1 has no public case" in i for i in found), found


# ---------------------------------------------------------------------------
# publish and handout refuse a public case that would publish a written answer

GIVES_AWAY = SPEC.replace('{name: "scale 2", args', '{name: "scale 2", public: true, args')


@pytest.mark.parametrize("command", ["publish", "handout"])
def test_a_public_case_of_a_written_part_is_refused_naming_file_line_and_part(tmp_path, command):
    spec = write(tmp_path, GIVES_AWAY)
    assert issues(spec) == []  # the spec grades fine: only publishing it would leak
    run = grader(command, "problems", "--out", "public", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "problems/demo.yaml, line 19: part W1, public case 'scale 2'" in run.stderr
    assert "give written answers away" in run.stderr and "Make them hidden" in run.stderr
    assert "'scale 1'" not in run.stderr and "'no scale'" not in run.stderr and "C1" not in run.stderr
    assert not (tmp_path / "public").exists() and "wrote" not in run.stdout


def test_every_such_case_of_every_spec_is_listed_at_once(tmp_path):
    write(tmp_path, GIVES_AWAY.replace('{name: "scale 1", args', '{name: "scale 1", public: true, args'))
    (tmp_path / "problems" / "other.yaml").write_text(
        GIVES_AWAY.replace("id: demo", "id: other").replace("W1", "W2").replace("C1", "C2"), encoding="utf-8")
    run = grader("publish", "problems", "--out", "public", cwd=tmp_path)
    assert run.returncode == 2
    for where in ("demo.yaml, line 18: part W1, public case 'scale 1'",
                  "demo.yaml, line 19: part W1, public case 'scale 2'",
                  "other.yaml, line 19: part W2, public case 'scale 2'"):
        assert where in run.stderr, run.stderr


def test_hidden_cases_publish_the_function_with_no_case_and_a_raising_case_without_value(tmp_path):
    write(tmp_path, SPEC)
    run = grader("publish", "problems", "--out", "public", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "public" / "demo.yaml").read_text(encoding="utf-8")
    part = next(p for p in yaml.safe_load(text)["parts"] if p["label"] == "W1")
    assert part["code"] == {"function": "eighth", "kind": "number",
                            "cases": [{"name": "no scale", "public": True, "args": "[None]", "raises": "TypeError"}]}
    assert "0.125" not in text and "expected" not in yaml.safe_dump(part)
    published = load_problem_set(tmp_path / "public" / "demo.yaml")
    assert published.hidden_cases == 2 and published.part("W1").at_grading


def test_a_published_spec_may_hold_a_written_part_with_no_case_but_not_a_code_only_one(tmp_path):
    text = """\
    published: true
    id: demo
    title: Demo
    parts:
      - label: W1
        title: written
        points: 1
        kind: number
        code: {function: eighth, kind: number, cases: []}
      - label: C1
        title: code only
        points: 1
        code: {function: double, kind: number, cases: []}
    """
    found = issues(write(tmp_path, text))
    assert len(found) == 1 and "line 13: part C1 code 'cases' must be a non-empty list" in found[0], found


# ---------------------------------------------------------------------------
# Question 2 itself: its written answers stay with the instructor

def test_q2_publishes_no_expected_value_of_its_written_parts(tmp_path):
    run = grader("publish", Q2, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / Q2.name).read_text(encoding="utf-8")
    assert "expected" not in text
    original = compute_references(load_problem_set(Q2))
    published = load_problem_set(tmp_path / Q2.name)
    written_with_code = [p for p in published.parts if p.kind is not None and p.code is not None]
    assert [p.label for p in written_with_code] == ["Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d"]
    for part in written_with_code:
        assert part.code.cases == () and part.code.function == original[part.label].part.code.function
    # what a reader needs to find an answer goes with it: names, and names of the quantity approximated
    by_label = {p.label: p for p in published.parts}
    assert by_label["Q2.1a"].approximates == original["Q2.1a"].part.approximates != ()
    assert published.hidden_cases == sum(len(r.cases) for r in original.parts.values()) == 13
    # The written answers' values are nowhere: ρ(0.05) to full precision, and its powers.
    rho = float(original["Q2.3b"].value)
    for value in (rho, rho ** 5, rho ** 20):
        assert repr(value) not in text and f"{value:.8g}" not in text
