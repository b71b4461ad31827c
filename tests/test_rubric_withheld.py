"""Rubric ideas withheld: `name_missing_ideas: false` in a spec, and `grader grade --withhold`
for results students see while they may still resubmit (Gradescope).  The feedback then numbers the
missing ideas, and no idea's words reach any of the student's outputs, so pasting them back is not
possible."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checkers import get_checker
from grader.checkers.base import make_options
from grader.cli import load_references, main
from grader.grading import Grader
from grader.spec import RubricIdea

# Words that appear in no answer below, only in the ideas.
IDEA_WORDS = ("Back-propagation through time", "derivative is at most", "vanish exponentially")

SPEC = """\
id: essay
title: "Why gradients vanish"
parts:
  - label: Q1
    title: "Vanishing gradients"
    points: 3
    kind: rubric
    rubric:
      - idea: "Back-propagation through time multiplies the gradient by one factor per step."
        points: 1
        patterns: ['per (time )?step', 'product of']
      - idea: "The sigmoid's derivative is at most 1/4."
        points: 1
        patterns: ['1/4', 'quarter']
      - idea: "So gradients vanish exponentially in T."
        points: 1
        patterns: ['exponential']
  - label: Q2
    title: "A number"
    points: 1
    kind: number
    reference: "Rational(1, 4)"
"""

ANSWER = "Q1: \"The gradient is a product of one factor per step, each at most a quarter.\"\nQ2: 0.25\n"
IDEAS = (RubricIdea(IDEA_WORDS[0] + " multiplies the gradient.", 1, (r"per (time )?step",), 1),
         RubricIdea("The sigmoid's " + IDEA_WORDS[1] + " 1/4.", 1, (r"quarter",), 2),
         RubricIdea("So gradients " + IDEA_WORDS[2] + " in T.", 1, (r"exponential",), 3))


def check(answer: str, **options):
    checker = get_checker("rubric")
    return checker.check(IDEAS, answer, make_options("rubric", options))


def test_by_default_the_missing_ideas_are_named():
    verdict = check("one factor per step")
    assert verdict.feedback.startswith("1 of 3 rubric ideas found; missing: The sigmoid's derivative")
    assert any(IDEA_WORDS[0] in d for d in verdict.details)


@pytest.mark.parametrize("answer, summary", [
    ("one factor per step, a quarter each", "2 of 3 rubric ideas found; missing: idea 3."),
    ("one factor per step", "1 of 3 rubric ideas found; missing: ideas 2 and 3."),
    ("nothing at all", "0 of 3 rubric ideas found; missing: ideas 1, 2 and 3."),
])
def test_withheld_ideas_are_numbered_never_quoted(answer, summary):
    verdict = check(answer, name_missing_ideas=False)
    assert verdict.feedback.startswith(summary)
    shown = " ".join((verdict.feedback, *verdict.details))
    assert not any(words in shown for words in IDEA_WORDS)
    # Found ideas are listed too, by number, with the student's own words that matched.
    if "per step" in answer:
        assert "idea 1 found (1 pt) — “per step”" in verdict.details


def test_a_spec_may_withhold_its_ideas_and_a_bad_value_is_a_spec_error(tmp_path):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC.replace("    kind: rubric\n", "    kind: rubric\n    options: {name_missing_ideas: false}\n"))
    entry = tmp_path / "student.yaml"
    entry.write_text(ANSWER)
    with Grader(load_references([str(spec)])) as grader:
        result = grader.grade("student", [entry])
    q1 = result.parts[0]
    assert q1.score == 2 and "missing: idea 3." in q1.feedback
    assert not any(words in q1.explanation() for words in IDEA_WORDS)
    with pytest.raises(ValueError, match="must be true or false"):
        make_options("rubric", {"name_missing_ideas": "no"})


def grade_class(tmp_path: Path, *flags: str) -> Path:
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC)
    subs = tmp_path / "subs"
    (subs / "ana").mkdir(parents=True, exist_ok=True)
    (subs / "ana" / "answers.yaml").write_text(ANSWER)
    out = tmp_path / "out"
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(out), "--jobs", "1",
                 "--no-progress", "--junit", str(tmp_path / "junit.xml"), *flags]) == 0
    return out


def student_outputs(tmp_path: Path, out: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in
                     (out / "ana" / "results.json", out / "ana" / "report.html", tmp_path / "junit.xml"))


def test_grade_withhold_rubric_keeps_every_idea_out_of_the_students_outputs(tmp_path, capsys):
    out = grade_class(tmp_path, "--withhold")
    results = json.loads((out / "ana" / "results.json").read_text())
    q1 = next(t for t in results["tests"] if t["number"] == "Q1")
    assert q1["score"] == 2 and q1["output"].startswith("2 of 3 rubric ideas found; missing: idea 3.")
    assert q1["extra_data"]["provisional"] is True  # still for the instructor to confirm
    outputs = student_outputs(tmp_path, out)
    assert not any(words in outputs for words in IDEA_WORDS)
    assert "<th>Expected</th>" not in (out / "ana" / "report.html").read_text()  # nor Q2's reference, 1/4

    # The same class graded for the record afterwards: graded again, ideas named.
    capsys.readouterr()
    grade_class(tmp_path)
    assert "graded 1 submission(s)" in capsys.readouterr().err  # not kept from the withheld run
    results = json.loads((out / "ana" / "results.json").read_text())
    q1 = next(t for t in results["tests"] if t["number"] == "Q1")
    assert "missing: So gradients vanish exponentially in T." in q1["output"]
    assert "<th>Expected</th>" in (out / "ana" / "report.html").read_text()
