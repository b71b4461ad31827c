"""Q2.4 paragraphs whose student denies a claim, graded from Markdown through the real pipeline.

A claim the student takes back ("…, which is wrong.", "…; that is false.", "…, but this is not the
case.") earns nothing, and a misconception taken back contradicts nothing: the rest of the paragraph
still earns its ideas.  "Neither … nor …" denies what follows for both names.  Each case names the
ideas the paragraph must earn; the others must earn nothing (not found, or contradicted)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main
from grader.grading import Grader

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "q2-activations.yaml"

IDEA_1 = "Backpropagation through time multiplies the gradient by one activation derivative per time step."
IDEA_2 = "The sigmoid's derivative is at most 1/4 while tanh's is at most 1."
IDEA_3 = "So gradients vanish much faster with sigmoid; tanh suffers less, though it is not immune."
ALL_RIGHT = f"{IDEA_1} {IDEA_2} {IDEA_3}"


def ideas_credited(q2_grader: Grader, tmp_path: Path, paragraph: str) -> dict[int, str]:
    """Idea number → "found", "not found" or "contradicted", for a Q2.4 section holding the paragraph."""
    path = tmp_path / "q2.md"
    path.write_text(f"# Answers\n\n## Q2.4\n\n{paragraph}\n", encoding="utf-8")
    part = next(p for p in q2_grader.grade("student", [path]).parts if p.label == "Q2.4")
    assert part.provisional
    return {number: next(word for word in ("contradicted", "not found", "found") if f"idea {number} {word}" in d)
            for number, d in enumerate(part.details, 1)}


def last_sentences(cases: list[tuple[str, set[int]]]) -> list[str]:
    """Test ids: the words each paragraph adds to the model sentences."""
    return [paragraph.replace(ALL_RIGHT, "").replace(IDEA_1, "").replace(IDEA_2, "").replace(IDEA_3, "")
            .strip()[:60]
            for paragraph, _ in cases]


def assert_credited(outcomes: dict[int, str], credited: set[int]) -> None:
    assert {n for n, outcome in outcomes.items() if outcome == "found"} == credited, outcomes


# ---------------------------------------------------------------------------
# 1. A denial after the claim

TAKEN_BACK = [
    # a right idea, taken back: it earns nothing
    (f"{IDEA_1} {IDEA_2} Tanh suffers less from vanishing gradients than sigmoid, which is wrong.", {1, 2}),
    (f"{IDEA_1} {IDEA_2} Some textbooks say that gradients vanish much faster with sigmoid; that is false.",
     {1, 2}),
    (f"{IDEA_2} {IDEA_3} Backpropagation through time multiplies the gradient by the derivative at every time "
     "step, but this is not the case: the contributions of the time steps are added.", {2, 3}),
    (f"{IDEA_1} {IDEA_2} With sigmoid, gradients vanish much faster. This is not true, as both vanish alike.",
     {1, 2}),
    # a misconception, taken back: it contradicts nothing, and the right ideas stay earned
    (f"{ALL_RIGHT} Tanh is immune to vanishing gradients, which is wrong.", {1, 2, 3}),
    (f"{ALL_RIGHT} Some say tanh does not suffer from vanishing gradients; that is false.", {1, 2, 3}),
    (f"{ALL_RIGHT} Tanh avoids the vanishing gradient problem, but this is not the case.", {1, 2, 3}),
    (f"{ALL_RIGHT} With tanh the gradient never vanishes, which is a common misconception.", {1, 2, 3}),
    (f"{ALL_RIGHT} You often read that tanh solves the vanishing gradient problem. That is not true.", {1, 2, 3}),
    (f"{ALL_RIGHT} Many think tanh prevents vanishing gradients, but it does not.", {1, 2, 3}),
    # a right idea in the clause before the one taken back keeps its credit
    (f"{IDEA_1} {IDEA_2} Gradients vanish much faster with sigmoid, but tanh is immune, which is wrong.",
     {1, 2, 3}),
]

NOT_TAKEN_BACK = [
    # words that only look like a denial: the claim stands
    (f"{IDEA_1} {IDEA_2} Gradients vanish much faster with sigmoid, which is not the case for tanh.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Tanh suffers less from vanishing gradients, which is why it is preferred.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Gradients vanish much faster with sigmoid, which is not true of tanh.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Gradients vanish much faster with sigmoid. This is wrong for tanh, whose derivative "
     "is larger.", {1, 2, 3}),
    (f"{ALL_RIGHT} Tanh is immune to vanishing gradients, which is why RNNs use it.", {1, 2}),
    (f"{ALL_RIGHT} Tanh is immune to vanishing gradients, and that is it.", {1, 2}),
]


@pytest.mark.parametrize("paragraph, credited", TAKEN_BACK + NOT_TAKEN_BACK,
                         ids=last_sentences(TAKEN_BACK + NOT_TAKEN_BACK))
def test_a_claim_taken_back_earns_nothing(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)


def test_grader_check_credits_no_claim_the_student_takes_back(tmp_path):
    answer = tmp_path / "q2.md"
    answer.write_text(f"# Answers\n\n## Q2.4\n\n{IDEA_1} {IDEA_2} Gradients vanish much faster with sigmoid, "
                      "which is wrong. Tanh is immune to vanishing gradients; that is false.\n", encoding="utf-8")
    report = tmp_path / "results.json"
    assert main(["check", str(SPEC), str(answer), "--json", str(report)]) == 0
    q24 = next(t for t in json.loads(report.read_text(encoding="utf-8"))["tests"] if t["number"] == "Q2.4")
    assert q24["score"] == 2, q24["output"]
    assert "- idea 3 not found" in q24["output"]
    assert "contradicts" not in q24["output"]


# ---------------------------------------------------------------------------
# 2. "Neither … nor …" denies what follows for both names

NEITHER_NOR = [
    # a misconception said with "neither … nor": idea 3 is contradicted
    (f"{ALL_RIGHT} Tanh suffers from neither vanishing nor exploding gradients.", {1, 2}),
    (f"{ALL_RIGHT} With tanh, gradients neither vanish nor explode.", {1, 2}),
    (f"{ALL_RIGHT} With tanh the gradient neither vanishes nor explodes, since its derivative is at most 1.",
     {1, 2}),
    (f"{ALL_RIGHT} Neither tanh nor ReLU suffers from vanishing gradients.", {1, 2}),
    (f"{ALL_RIGHT} Neither sigmoid nor tanh RNNs have a vanishing gradient problem.", {1, 2}),
    (f"{ALL_RIGHT} With tanh there are neither vanishing nor exploding gradients.", {1, 2}),
    (f"{ALL_RIGHT} Tanh has neither vanishing nor exploding gradients.", {1, 2}),
    (f"{ALL_RIGHT} Tanh is neither affected by vanishing nor by exploding gradients.", {1, 2}),
    # an idea denied with "neither … nor": not earned
    (f"{IDEA_1} {IDEA_2} Sigmoid gradients neither vanish faster nor slower than tanh's.", {1, 2}),
    (f"{IDEA_1} {IDEA_2} Tanh neither suffers less nor more than sigmoid from vanishing gradients.", {1, 2}),
    # right: tanh is not immune, and nothing is contradicted
    (f"{ALL_RIGHT} Neither tanh nor sigmoid is immune to vanishing gradients.", {1, 2, 3}),
    (f"{ALL_RIGHT} Tanh is neither immune to vanishing gradients nor free of exploding ones.", {1, 2, 3}),
    (f"{ALL_RIGHT} Tanh neither solves the vanishing gradient problem nor removes it; it only delays it.",
     {1, 2, 3}),
    (f"{ALL_RIGHT} Neither sigmoid nor tanh prevents vanishing gradients.", {1, 2, 3}),
    (f"{ALL_RIGHT} Neither tanh nor sigmoid suffers from exploding gradients.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Neither activation is immune, but gradients vanish much faster with sigmoid.",
     {1, 2, 3}),
]


@pytest.mark.parametrize("paragraph, credited", NEITHER_NOR, ids=last_sentences(NEITHER_NOR))
def test_neither_nor_denies_the_claim_for_both_names(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)


def test_a_neither_nor_misconception_is_quoted_whole(q2_grader, tmp_path):
    path = tmp_path / "q2.md"
    path.write_text(f"## Q2.4\n\n{ALL_RIGHT} Neither tanh nor ReLU suffers from vanishing gradients.\n",
                    encoding="utf-8")
    part = next(p for p in q2_grader.grade("student", [path]).parts if p.label == "Q2.4")
    assert part.details[2].endswith("— “Neither tanh nor ReLU suffers from vanishing gradients”"), part.details


# ---------------------------------------------------------------------------
# 3. More phrasings students write

NOT_ONLY = [
    # "not only … but also" adds to the claim: it denies nothing
    (f"{IDEA_2} {IDEA_3} The gradient is not only multiplied by the activation derivative at every time step "
     "but also by the recurrent weight matrix.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Tanh not only suffers less from vanishing gradients, it is also zero-centred.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Not only do gradients vanish exponentially in T, they vanish much faster with sigmoid.",
     {1, 2, 3}),
    (f"{IDEA_1} {IDEA_3} The sigmoid's derivative is not just small: it is at most 1/4.", {1, 2, 3}),
    # … and the misconception it adds to is still made
    (f"{ALL_RIGHT} Tanh not only avoids the vanishing gradient problem but also trains faster.", {1, 2}),
    # a plain "not" still denies
    (f"{IDEA_1} {IDEA_2} Tanh does not suffer less from vanishing gradients.", {1, 2}),
    (f"{IDEA_2} {IDEA_3} The gradient is not multiplied by the derivative at every time step.", {2, 3}),
]


@pytest.mark.parametrize("paragraph, credited", NOT_ONLY, ids=last_sentences(NOT_ONLY))
def test_not_only_denies_nothing(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)


HEDGES = [
    # a belief reported, or called a mistake, is not the student's claim
    (f"{ALL_RIGHT} It is incorrect to say that tanh is immune to vanishing gradients.", {1, 2, 3}),
    (f"{ALL_RIGHT} It would be a mistake to think that tanh avoids vanishing gradients.", {1, 2, 3}),
    (f"{ALL_RIGHT} Many people believe tanh solves the vanishing gradient problem.", {1, 2, 3}),
    (f"{ALL_RIGHT} Some argue that with tanh the gradient never vanishes.", {1, 2, 3}),
    (f"{ALL_RIGHT} You often read that tanh does not suffer from vanishing gradients.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Many believe that gradients vanish much faster with sigmoid.", {1, 2}),
    (f"{IDEA_1} {IDEA_2} It is incorrect to say that tanh suffers less from vanishing gradients.", {1, 2}),
    # the student's own claim, or one a report confirms, stands
    (f"{IDEA_1} {IDEA_2} As many people believe, gradients vanish much faster with sigmoid.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} I believe gradients vanish much faster with sigmoid.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Many people believe tanh is immune. In fact tanh is only less prone to vanishing "
     "gradients than sigmoid.", {1, 2, 3}),
]


@pytest.mark.parametrize("paragraph, credited", HEDGES, ids=last_sentences(HEDGES))
def test_a_reported_belief_is_not_the_students_claim(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)


OVERLAPPING = [
    # a denied claim does not hide the student's next one, though one match could take in both
    (f"{IDEA_1} {IDEA_2} Tanh is not immune; tanh suffers less than sigmoid.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Gradients do not vanish linearly in T; they vanish much faster with sigmoid.", {1, 2, 3}),
    (f"{IDEA_1} {IDEA_2} Many people believe tanh is immune; in fact tanh is only less prone to vanishing "
     "gradients than sigmoid.", {1, 2, 3}),
    # … and the denied claim still earns nothing
    (f"{IDEA_1} {IDEA_2} Tanh is not immune; it does not suffer less than sigmoid either.", {1, 2}),
]


@pytest.mark.parametrize("paragraph, credited", OVERLAPPING, ids=last_sentences(OVERLAPPING))
def test_a_denied_claim_does_not_hide_the_next(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)


MISCONCEPTIONS = [
    # tanh free of vanishing gradients, said as students say it: idea 3 is contradicted
    (f"{ALL_RIGHT} Using tanh, gradients no longer vanish.", {1, 2}),
    (f"{ALL_RIGHT} Tanh no longer suffers from vanishing gradients.", {1, 2}),
    (f"{ALL_RIGHT} With tanh, the vanishing gradient problem no longer occurs.", {1, 2}),
    (f"{ALL_RIGHT} With tanh, the vanishing gradient problem does not occur.", {1, 2}),
    (f"{ALL_RIGHT} With tanh, the vanishing gradient problem disappears.", {1, 2}),
    (f"{ALL_RIGHT} Tanh is unaffected by vanishing gradients.", {1, 2}),
    (f"{ALL_RIGHT} Vanishing gradients are not a problem for tanh.", {1, 2}),
    (f"{ALL_RIGHT} For tanh, vanishing gradients are no longer an issue.", {1, 2}),
    # nuances and double negations: nothing contradicted
    (f"{ALL_RIGHT} Tanh is not unaffected by vanishing gradients.", {1, 2, 3}),
    (f"{ALL_RIGHT} Tanh is largely unaffected by vanishing gradients over a few steps.", {1, 2, 3}),
    (f"{ALL_RIGHT} With tanh, vanishing gradients are not as much of a problem.", {1, 2, 3}),
    (f"{ALL_RIGHT} Vanishing gradients are not a problem for tanh in short sequences.", {1, 2, 3}),
    (f"{ALL_RIGHT} With tanh, gradients no longer vanish as quickly.", {1, 2, 3}),
    (f"{ALL_RIGHT} It is not true that vanishing gradients are no longer a problem with tanh.", {1, 2, 3}),
]


@pytest.mark.parametrize("paragraph, credited", MISCONCEPTIONS, ids=last_sentences(MISCONCEPTIONS))
def test_tanh_free_of_vanishing_gradients_contradicts_idea_3(q2_grader, tmp_path, paragraph, credited):
    assert_credited(ideas_credited(q2_grader, tmp_path, paragraph), credited)
