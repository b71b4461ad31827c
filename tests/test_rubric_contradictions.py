"""Rubric ideas a stated misconception withholds (`contradicted_by:` in a spec), and evidence quoted
in the student's own words.

"Gradients vanish faster with sigmoid; tanh is completely immune to vanishing gradients." says the
first half of the idea "tanh suffers less, though it is not immune" and denies the second: the idea
earns nothing, and the feedback quotes the statement that contradicts it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checkers import get_checker
from grader.checkers.base import make_options
from grader.cli import main
from grader.spec import RubricIdea, SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]

IMMUNE = r"tanh[^.;]{0,40}\bimmune"
IDEAS = (RubricIdea("The gradient is a product of one factor per time step.", 1, (r"per (time )?step",), 1),
         RubricIdea("Tanh suffers less from vanishing gradients, though it is not immune.", 1,
                    (r"vanish\w*+ faster with (the )?sigmoid",), 2, (IMMUNE,)))

MISCONCEPTION = ("The gradient gains one factor per time step, so gradients vanish faster with sigmoid; "
                 "Tanh is completely immune to vanishing gradients.")


def check(answer: str, ideas=IDEAS, **options):
    return get_checker("rubric").check(ideas, answer, make_options("rubric", options))


def test_a_stated_misconception_withholds_the_idea_and_is_quoted():
    verdict = check(MISCONCEPTION)
    assert verdict.credit == pytest.approx(0.5)
    assert "idea 1 found (1 pt)" in verdict.details[0]
    assert verdict.details[1].startswith("idea 2 contradicted (0 of 1 pt): Tanh suffers less")
    assert verdict.details[1].endswith("— “Tanh is completely immune”")
    # The summary, all a terminal shows, says what contradicts which idea, in the student's words.
    assert verdict.feedback.startswith("1 of 2 rubric ideas found. “Tanh is completely immune” contradicts "
                                       "idea 2: Tanh suffers less from vanishing gradients, though it is not immune.")


@pytest.mark.parametrize("answer", [
    "Gradients vanish faster with sigmoid, one factor per time step; tanh is not immune either.",
    "Gradients vanish faster with sigmoid, one factor per time step. It is a myth that tanh is immune.",
    "Gradients vanish faster with sigmoid, one factor per time step. Is tanh immune? No.",
    "Gradients vanish faster with sigmoid, one factor per time step; tanh isn't immune.",
])
def test_a_denied_misconception_contradicts_nothing(answer):
    verdict = check(answer)
    assert verdict.credit == 1, verdict.details
    assert "contradict" not in verdict.feedback


def test_the_idea_is_contradicted_even_when_its_patterns_find_nothing():
    verdict = check("One factor per time step. Tanh is immune.")
    assert verdict.credit == pytest.approx(0.5)
    assert verdict.details[1] == "idea 2 contradicted (0 of 1 pt): Tanh suffers less from vanishing gradients, " \
                                 "though it is not immune. — “Tanh is immune”"


def test_withheld_ideas_still_quote_the_contradicting_words_but_not_the_idea():
    verdict = check(MISCONCEPTION, name_missing_ideas=False)
    assert verdict.feedback.startswith("1 of 2 rubric ideas found. “Tanh is completely immune” contradicts idea 2.")
    assert verdict.details[1] == "idea 2 contradicted (0 of 1 pt) — “Tanh is completely immune”"
    assert not any("suffers less" in text for text in (verdict.feedback, *verdict.details))


def test_an_idea_without_contradicted_by_is_graded_as_before():
    plain = (IDEAS[0], RubricIdea(IDEAS[1].idea, 1, IDEAS[1].patterns, 2))
    assert check(MISCONCEPTION, plain).credit == 1


# ---------------------------------------------------------------------------
# Evidence is quoted as the student wrote it, not lower-cased or folded

@pytest.mark.parametrize("answer, pattern, quoted", [
    ("The gap $t - T$ shrinks.", r"\bt - t\b", "“t - T”"),
    ("Each factor is at most ¼ for the Sigmoid.", r"1/4 for the sigmoid", "“¼ for the Sigmoid”"),
    ("The product is One Factor\nPer Time Step.", r"one factor per time step", "“One Factor Per Time Step”"),
    ("It MULTIPLIES the gradient.", r"multipl", "“MULTIPLIES”"),  # the stem completed, in its own case
    ("A product $a \\cdot B$ here.", r"a \* b", "“a \\cdot B”"),
])
def test_evidence_keeps_the_students_case_and_spelling(answer, pattern, quoted):
    verdict = check(answer, (RubricIdea("An idea.", 1, (pattern,), 1),))
    assert verdict.details == (f"idea 1 found (1 pt): An idea. — {quoted}",)


def q24_output(tmp_path: Path, spec: Path, paragraph: str) -> dict:
    answer = tmp_path / "q2.md"
    answer.write_text(f"# Answers\n\n## Q2.4\n\n{paragraph}\n", encoding="utf-8")
    report = tmp_path / "results.json"
    assert main(["check", str(spec), str(answer), "--json", str(report)]) == 0
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    return next(t for t in tests if t["number"] == "Q2.4")


def test_grader_check_quotes_the_handout_answer_in_its_own_case(tmp_path):
    q24 = q24_output(tmp_path, ROOT / "problems" / "q2-activations.yaml",
                     "Back-Propagation Through Time Multiplies the gradient by one derivative Per Time Step.")
    assert "— “Multiplies the gradient by one derivative Per Time Step”" in q24["output"]


@pytest.mark.parametrize("claim, score", [
    ("tanh is completely immune to vanishing gradients.", 2.0),
    ("With tanh, gradients never vanish.", 2.0),
    ("tanh is not immune, though it suffers less.", 3.0),
    ("No activation is immune, though tanh helps.", 3.0),
])
def test_q2_4_withholds_idea_3_from_a_paragraph_calling_tanh_immune(tmp_path, claim, score):
    paragraph = ("Back-propagation through time multiplies the gradient by one derivative per time step. The "
                 "sigmoid derivative is at most 1/4 while tanh's is at most 1, so the product shrinks like "
                 f"(1/4)^T and gradients vanish faster with sigmoid. {claim}")
    q24 = q24_output(tmp_path, ROOT / "problems" / "q2-activations.yaml", paragraph)
    assert q24["score"] == score, q24["output"]


SPEC = """\
id: essay
title: "Why gradients vanish"
parts:
  - label: Q2.4
    title: "Vanishing gradients"
    points: 2
    kind: rubric
    rubric:
      - idea: "The gradient is a product of one factor per time step."
        points: 1
        patterns: ['per (time )?step']
      - idea: "Gradients vanish faster with sigmoid; tanh suffers less, though it is not immune."
        points: 1
        patterns: ['vanish\\w*+ faster with (the )?sigmoid']
        contradicted_by:
          - 'tanh[^.;]{0,40}\\bimmune'
"""


def test_grader_check_withholds_a_contradicted_idea_from_a_spec(tmp_path):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    q24 = q24_output(tmp_path, spec, MISCONCEPTION)
    assert q24["score"] == 1
    assert "“Tanh is completely immune” contradicts idea 2" in q24["output"]
    right = q24_output(tmp_path, spec, MISCONCEPTION.replace("is completely immune", "is not immune"))
    assert right["score"] == 2


def test_grader_validate_accepts_a_spec_whose_ideas_do_not_contradict_themselves(tmp_path):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert main(["validate", str(spec)]) == 0


def test_grader_validate_reports_an_idea_its_own_contradicted_by_denies(tmp_path, capsys):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC.replace("though it is not immune", "though it is immune in name"), encoding="utf-8")
    assert main(["validate", str(spec)]) == 2
    assert "“tanh suffers less, though it is immune” contradicts idea 2" in capsys.readouterr().err


@pytest.mark.parametrize("value, message", [
    ("['tanh (is immune']", "rubric 'contradicted_by' pattern 'tanh (is immune' is not a valid regular expression"),
    ("'tanh is immune'", "rubric 'contradicted_by' must be a non-empty list of regular expressions"),
    ("[]", "rubric 'contradicted_by' must be a non-empty list of regular expressions"),
    ("[3]", "rubric 'contradicted_by' must be a non-empty list of regular expressions"),
])
def test_a_bad_contradicted_by_is_reported_with_file_and_line(tmp_path, value, message):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC.replace("contradicted_by:\n          - 'tanh[^.;]{0,40}\\bimmune'",
                                 f"contradicted_by: {value}"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_problem_set(spec)
    line = SPEC.splitlines().index("        contradicted_by:") + 1
    # (The idea left out then makes the points not add up: reported after it.)
    assert str(info.value.issues[0]).startswith(f"{spec}, line {line}: part Q2.4 {message}")


def test_a_misspelt_key_suggests_contradicted_by(tmp_path):
    spec = tmp_path / "essay.yaml"
    spec.write_text(SPEC.replace("contradicted_by:", "contradicted:"), encoding="utf-8")
    with pytest.raises(SpecError, match="did you mean 'contradicted_by'"):
        load_problem_set(spec)


# ---------------------------------------------------------------------------
# Misconceptions that are themselves negative, hedged claims, and where a denial stops

NOT_SUFFERING = r"\btanh\b (?P<not>does not|doesn't) suffer"
NEGATIVE = (IDEAS[0], RubricIdea(IDEAS[1].idea, 1, (r"tanh[^.]{0,40}suffers? less",), 2,
                                 (IMMUNE, NOT_SUFFERING)))
RIGHT = "One factor per time step. "


@pytest.mark.parametrize("claim", ["Tanh does not suffer from vanishing gradients.",
                                   "Tanh doesn't suffer from vanishing gradients, so use it."])
def test_a_negation_the_pattern_names_in_its_not_group_is_the_claim(claim):
    verdict = check(RIGHT + "Tanh suffers less. " + claim, NEGATIVE)
    assert verdict.credit == pytest.approx(0.5), verdict.details
    assert verdict.details[1].endswith(f"— “{claim.split(' from')[0]}”")


@pytest.mark.parametrize("claim", [
    "It is a myth that tanh does not suffer.",  # denied before: states nothing
    "It is not true that tanh doesn't suffer.",
    "Tanh is not bounded and does not suffer the same way.",  # the pattern asks for "tanh does not", nothing between
])
def test_a_denied_negative_misconception_contradicts_nothing(claim):
    verdict = check(RIGHT + "Tanh suffers less. " + claim, NEGATIVE)
    assert verdict.credit == 1, verdict.details


def test_a_negation_outside_the_not_group_still_denies_the_match():
    idea = RubricIdea("Tanh suffers less.", 1, (r"tanh (?P<not>isn't)[^.]{0,40}less",), 1)
    assert check("Tanh isn't hurt less.", (idea,)).credit == 1
    assert check("Tanh isn't, I think, not hurt less.", (idea,)).credit == 0


@pytest.mark.parametrize("answer, credit", [
    ("One might think tanh is immune, but it is not. Tanh suffers less.", 1),
    ("At first glance tanh is immune; it is not. Tanh suffers less.", 1),
    ("A common misconception is that tanh is immune. Tanh suffers less.", 1),
    ("One might think tanh suffers less.", 0),  # a hedged claim is not the student's
    ("As one might expect, tanh suffers less.", 1),  # an expectation confirmed is
])
def test_a_hedged_claim_is_not_the_students(answer, credit):
    verdict = check(answer, (NEGATIVE[1],))
    assert verdict.credit == credit, verdict.details
    assert "contradict" not in verdict.feedback


@pytest.mark.parametrize("answer, credit", [
    ("One might think tanh suffers more, but in fact tanh is immune.", 0),  # the hedge ends at "but"
    ("Tanh is not immune, but it suffers less.", 1),  # the denial ends at the comma
    ("Though not immune, tanh suffers less.", 1),
    ("Tanh, though not immune, suffers less.", 1),
    ("Tanh does not suffer less.", 0),
    ("Tanh does not, in practice, suffer less.", 0),  # a comma straight after the denial opens an aside
    ("It is not, as some say, the case that tanh suffers less.", 0),
    ("It is not true that, in practice, tanh suffers less.", 0),  # so is one before the "that" it denies
    ("I don't think, honestly, that tanh suffers less.", 0),
    ("It is false that tanh suffers less, and tanh suffers less? No.", 0),
])
def test_a_denial_stops_at_a_comma_or_but(answer, credit):
    verdict = check(answer, (NEGATIVE[1],))
    assert verdict.credit == credit, verdict.details


def test_the_named_missing_ideas_are_joined_without_their_own_full_stops():
    ideas = (RubricIdea("A product of one factor per step.", 1, ("per step",), 1),
             RubricIdea("The sigmoid's derivative is at most 1/4.", 1, ("1/4",), 2),
             RubricIdea("So gradients vanish", 1, ("vanish",), 3))
    verdict = check("Nothing to see here.", ideas)
    assert verdict.feedback.startswith("0 of 3 rubric ideas found; missing: A product of one factor per step; "
                                       "The sigmoid's derivative is at most 1/4; So gradients vanish. (Provisional")
    assert ".;" not in verdict.feedback
    # One missing idea keeps one full stop, as before.
    assert check("per step and 1/4", ideas).feedback.startswith(
        "2 of 3 rubric ideas found; missing: So gradients vanish. (Provisional")
    assert check("per step and vanish", ideas).feedback.startswith(
        "2 of 3 rubric ideas found; missing: The sigmoid's derivative is at most 1/4. (Provisional")
