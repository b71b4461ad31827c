"""`grader validate` on a rubric idea its own patterns do not match: reported at the idea, saying what to do."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SPEC = textwrap.dedent(r"""
    id: kl
    title: KL
    submission_files: [answers.yaml]
    parts:
      - label: H8
        title: "Why KL is not a distance"
        points: 2
        prompt: "Explain why the KL divergence is not a metric."
        kind: rubric
        rubric:
          - idea: "KL divergence is not symmetric."
            points: 1
            patterns: ['\b(?P<not>not|isn.t) symmetric', 'asymmetric\w*+']
          - idea: "{second}"
            points: 1
            patterns: ['(?P<not>does not|doesn.t) (satisfy|obey)\w*+ the triangle inequality']
    """)


def validate(tmp_path: Path, second_idea: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "kl.yaml"
    spec.write_text(SPEC.replace("{second}", second_idea), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "grader", "validate", str(spec)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def idea_line(tmp_path: Path, text: str) -> int:
    lines = (tmp_path / "kl.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_an_idea_its_patterns_miss_is_reported_at_the_idea_with_what_to_do(tmp_path):
    run = validate(tmp_path, "Triangle inequality can be violated.")
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"line {idea_line(tmp_path, 'Triangle inequality can be violated.')}: part H8, rubric idea 2" in out
    assert "Triangle inequality can be violated." in out
    assert "none of its patterns matches the idea's own text" in out
    assert "Add a pattern that matches this wording, or reword the idea" in out
    assert "the reference earns" not in out  # the cause, not the symptom
    assert f"line {idea_line(tmp_path, 'label: H8')}:" not in out


def test_ideas_their_patterns_match_pass(tmp_path):
    run = validate(tmp_path, "It does not satisfy the triangle inequality.")
    assert run.returncode == 0, run.stdout + run.stderr
