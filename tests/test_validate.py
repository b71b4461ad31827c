"""`grader validate` through the real CLI: the bundled specs pass; broken ones fail with located messages."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def validate(*paths: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "validate", *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_bundled_problems_validate():
    run = validate("problems")
    assert run.returncode == 0, run.stderr
    assert "earns full marks" in run.stdout


def test_spec_format_example_validates(tmp_path):
    """The complete example in docs/spec-format.md is a working spec."""
    doc = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    run = validate(path)
    assert run.returncode == 0, run.stderr


def test_reference_that_fails_its_own_checker_is_reported(tmp_path):
    # An unseeded random reference: what the grader computes is not what the same solution returns when run.
    path = tmp_path / "unseeded.yaml"
    path.write_text(textwrap.dedent("""\
        id: unseeded
        title: Unseeded randomness
        parts:
          - label: P1
            title: noise
            points: 1
            code:
              function: noise
              kind: array
              solution: |
                def noise(n):
                    return np.random.default_rng().normal(size=n)
              cases:
                - {name: three, public: true, args: [3]}
        """), encoding="utf-8")
    run = validate(path)
    assert run.returncode == 2
    assert f"{path}, line 4: part P1: the reference earns 0 of 1 points" in run.stderr
    assert "Traceback" not in run.stderr


def test_every_broken_spec_in_a_folder_is_reported(tmp_path):
    (tmp_path / "one.yaml").write_text("id: one\ntitle: One\nparts:\n  - label: P\n    title: p\n    points: x\n"
                                       "    kind: number\n    reference: '1'\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("id: two\ntitle: [Two\n", encoding="utf-8")
    run = validate(tmp_path)
    assert run.returncode == 2
    assert "one.yaml, line 6: part P 'points' must be a number" in run.stderr
    assert "two.yaml, line" in run.stderr and "not valid YAML" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_problems_path_is_a_usage_error(tmp_path):
    run = validate(tmp_path / "missing")
    assert run.returncode == 2
    assert "no such file or directory" in run.stderr


FUNCTION_ARGUMENT = """\
id: newton
title: Newton
parts:
  - label: N1
    title: newton
    points: 1
    code:
      function: newton
      kind: number
      solution: |
        def newton(f, df, x0):
            return x0
      cases:
        - {name: sqrt 2, public: true, args: "[lambda t: t**2 - 2, lambda t: 2*t, 1.0]"}
"""


def test_a_function_as_a_case_argument_stops_validate_and_check(tmp_path):
    # Sending a function to the sandbox once raised a TypeError traceback, and grading scored everyone 0.
    spec = tmp_path / "newton.yaml"
    spec.write_text(FUNCTION_ARGUMENT, encoding="utf-8")
    submission = tmp_path / "newton.py"
    submission.write_text("def newton(f, df, x0):\n    return x0\n", encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "grader", "check", str(spec), str(submission)], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    for run in (validate(spec), check):
        assert run.returncode == 2, run.stderr
        assert f"{spec}, line 14: part N1, case 1 ('sqrt 2'): argument 1 is a function" in run.stderr
        assert "Traceback" not in run.stderr


def test_rubric_feedback_quoting_a_sentence_has_one_full_stop(tmp_path):
    from grader.checkers import get_checker
    from grader.spec import RubricIdea

    ideas = (RubricIdea("A zero derivative makes the step huge.", 1, ("derivative",), 1),
             RubricIdea("A bad start can lead to cycling.", 1, ("cycl",), 2))
    verdict = get_checker("rubric").check(ideas, "The derivative is zero.", None)
    assert "missing: A bad start can lead to cycling. (Provisional" in verdict.feedback
    assert ".." not in verdict.feedback
    no_stop = (ideas[0], RubricIdea("cycling", 1, ("cycl",), 2))
    assert "missing: cycling. (Provisional" in get_checker("rubric").check(no_stop, "derivative", None).feedback
