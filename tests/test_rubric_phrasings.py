"""Q2.4's rubric against the ways students say each idea, and the ways they get it wrong.

Every phrasing below is one a student may write.  Those under "said" must earn their idea; those
under "not said" must not: the idea reversed ("gradients vanish faster with tanh"), denied, hedged
("one might think…") or simply absent.  A misconception ("tanh does not suffer from vanishing
gradients") withholds idea 3 even where the rest of the paragraph earns it; a nuance ("tanh does not
suffer as much") does not.  The verdict is provisional, but students see it: false credit must stay
rare, so the lists of what must not earn an idea are as long as those of what must."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checkers import get_checker
from grader.cli import main
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "q2-activations.yaml"
RUBRIC = next(p for p in load_problem_set(SPEC).parts if p.label == "Q2.4").rubric


def verdict(answer: str):
    return get_checker("rubric").check(RUBRIC, answer, None)


def outcome(answer: str, number: int) -> str:
    """"found", "not found" or "contradicted": what the answer earns for one idea."""
    detail = verdict(answer).details[number - 1]
    return next(word for word in ("contradicted", "not found", "found") if f"idea {number} {word}" in detail)


# ---------------------------------------------------------------------------
# Idea 1: back-propagation through time multiplies one derivative per time step

IDEA_1_SAID = [
    "In backpropagation through time the gradient becomes a product of T Jacobians, each containing the "
    "activation derivative.",
    "The gradient picks up a factor of the activation derivative at every step.",
    "Backpropagation through time means multiplying T derivatives together.",
    "The gradient gets another factor of σ' at each time step.",
    "The gradient is a product of Jacobian matrices, one per time step.",
    "Backprop through time involves multiplying T activation derivatives.",
    "The T derivatives are multiplied together by the chain rule.",
    "BPTT multiplies many derivatives together, one for every time step.",
    "The gradient is multiplied by the activation derivative at every time step.",
    "Each time step contributes one more factor of the derivative to the gradient.",
    "By the chain rule, the gradient through time is a product of many small derivatives.",
    "The gradient accumulates one factor of the derivative for each time step.",
]

IDEA_1_NOT_SAID = [
    "BPTT adds the derivatives of each time step.",
    "The gradients are summed over time steps.",
    "The gradient is the product of the sigmoid and tanh derivatives.",
    "The product of the two derivatives is 1/4.",
    "The derivative is at most 1/4 for sigmoid.",
    "Sigmoid is a bad activation.",
    "BPTT does not multiply the gradient at each time step; it adds the contributions.",
    "Multiplying the derivative by two gives one half.",
    "Backpropagation through time is slow for long sequences.",
    "One might think the gradient picks up a factor at every step.",
]


@pytest.mark.parametrize("answer", IDEA_1_SAID)
def test_idea_1_said(answer):
    assert outcome(answer, 1) == "found", verdict(answer).details


@pytest.mark.parametrize("answer", IDEA_1_NOT_SAID)
def test_idea_1_not_said(answer):
    assert outcome(answer, 1) == "not found", verdict(answer).details


# ---------------------------------------------------------------------------
# Idea 2: σ̇ is at most 1/4, tanḣ at most 1

IDEA_2_SAID = [
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1.",  # a full stop
    "The sigmoid derivative peaks at 1/4, while tanh's derivative peaks at 1.",
    "The sigmoid derivative is at most 1/4 and the tanh derivative at most 1.0.",
    "The tanh derivative is at most 1, but the sigmoid derivative is at most 1/4.",
    "The tanh derivative is at most one, the sigmoid's at most a quarter.",
    "With sigmoid the product shrinks like (1/4)^T.",
    "The sigmoid's derivative is at most 1/4 while tanh's is at most 1; so the product shrinks.",
]

IDEA_2_NOT_SAID = [
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1.5.",
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1/4.",
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1 / 4.",
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is $\\frac{1}{4}$.",
    "The maximum of the sigmoid derivative is 1/4 and the tanh derivative is at most one quarter.",
    "The maximum of the sigmoid derivative is 1 and the maximum of the tanh derivative is 0.25.",
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 10.",
    "The maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1.25.",
    "Tanh's product shrinks like (1/4)^T.",
    "The derivatives are small.",
]


@pytest.mark.parametrize("answer", IDEA_2_SAID)
def test_idea_2_said(answer):
    assert outcome(answer, 2) == "found", verdict(answer).details


@pytest.mark.parametrize("answer", IDEA_2_NOT_SAID)
def test_idea_2_not_said(answer):
    assert outcome(answer, 2) == "not found", verdict(answer).details


# ---------------------------------------------------------------------------
# Idea 3: gradients vanish much faster with sigmoid; tanh suffers less

IDEA_3_SAID = [
    "Sigmoid gradients vanish much faster than tanh's.",
    "The vanishing gradient problem is much more severe with sigmoid than with tanh.",
    "With sigmoid, the gradient vanishes faster than with tanh.",
    "Using tanh therefore reduces the vanishing gradient problem.",
    "Using tanh instead of sigmoid reduces the vanishing gradient problem.",
    "Switching from sigmoid to tanh reduces the vanishing gradient problem.",
    "Vanishing gradients are a bigger problem with sigmoid.",
    "Vanishing gradients are a much bigger problem with sigmoid than with tanh.",
    "With sigmoid the vanishing gradient problem is much more severe.",
    "Sigmoid RNNs suffer from vanishing gradients much more than tanh RNNs.",
    "With tanh, gradients don't vanish as quickly.",
    "With tanh the vanishing gradient problem is not as severe, though it still exists.",
    "Gradients vanish more slowly with tanh than with sigmoid.",
    "Tanh gradients vanish more slowly than sigmoid gradients.",
    "Sigmoid makes the vanishing gradient problem much worse than tanh does.",
    "The sigmoid's gradients vanish exponentially faster than tanh's.",
    "Gradients vanish much faster for sigmoid networks than for tanh networks.",
    "Tanh is less prone to vanishing gradients than sigmoid, though not immune.",
    "So tanh is the better choice: its gradients vanish more slowly.",
    "Sigmoid gradients vanish faster than those of tanh.",
    "The sigmoid derivative makes gradients vanish much faster than the tanh derivative.",
    "Gradients vanish exponentially in T, far faster with the sigmoid than with tanh.",
    "Tanh alleviates the vanishing gradient problem but does not eliminate it.",
    "Tanh mitigates, but does not solve, the vanishing gradient problem.",
    "Tanh is not immune, but it suffers less from vanishing gradients.",
    "Though not immune, tanh suffers less from vanishing gradients.",
    "Vanishing gradients affect sigmoid RNNs much more severely than tanh RNNs.",
    "The problem of vanishing gradients is far worse with sigmoid.",
    "Hence tanh suffers less from vanishing gradients than sigmoid but is not immune.",
]

IDEA_3_NOT_SAID = [
    "Gradients vanish faster with tanh than with sigmoid.",
    "In contrast to sigmoid, gradients vanish faster with tanh.",
    "Sigmoid gradients vanish more slowly than tanh's.",
    "Sigmoid gradients vanish slower than tanh gradients.",
    "The vanishing gradient problem is much more severe with tanh than with sigmoid.",
    "Vanishing gradients are a bigger problem with tanh than with sigmoid.",
    "Sigmoid does not make gradients vanish faster than tanh.",
    "One might think gradients vanish faster with sigmoid.",
    "It is wrong to say that the vanishing gradient problem is more severe with sigmoid.",
    "Both sigmoid and tanh gradients vanish equally fast.",
    "Gradients vanish in RNNs.",
    "Sigmoid is more expensive to compute than tanh.",
    "With sigmoid, the gradients explode faster than with tanh.",
    "Using sigmoid instead of tanh reduces the vanishing gradient problem.",
    "Switching from tanh to sigmoid reduces the vanishing gradient problem.",
    "Tanh gradients vanish faster than sigmoid gradients.",
    "Is the vanishing gradient problem worse with sigmoid? No, both are the same.",
    "Tanh does not reduce the vanishing gradient problem.",
    "Sigmoid does not, in practice, make gradients vanish faster.",
    "The sigmoid barely vanishes compared to tanh, which vanishes faster.",
    "With sigmoid, whose derivative is at most 1, gradients vanish more slowly than with tanh.",
    "Tanh reduces the exploding gradient problem but vanishing gradients remain.",
    "Sigmoid RNNs suffer from vanishing gradients less than tanh RNNs.",
    "Sigmoid suffers from vanishing gradients; tanh more so.",
    "With sigmoid, the vanishing gradient problem is milder than with tanh.",
    "It is not true that, with sigmoid, gradients vanish faster.",
    "I don't think, honestly, that sigmoid gradients vanish faster.",
    "It is a myth that, for sigmoid, the vanishing gradient problem is more severe.",
]


@pytest.mark.parametrize("answer", IDEA_3_SAID)
def test_idea_3_said(answer):
    assert outcome(answer, 3) == "found", verdict(answer).details


@pytest.mark.parametrize("answer", IDEA_3_NOT_SAID)
def test_idea_3_not_said(answer):
    assert outcome(answer, 3) != "found", verdict(answer).details


# ---------------------------------------------------------------------------
# Misconceptions withhold idea 3, quoted; nuances do not

RIGHT = "Gradients vanish much faster with sigmoid. "

MISCONCEPTIONS = [
    ("Tanh does not suffer from vanishing gradients.", "Tanh does not suffer from vanishing gradients"),
    ("Tanh doesn't suffer from the vanishing gradient problem.",
     "Tanh doesn't suffer from the vanishing gradient problem"),
    ("With tanh there is no vanishing gradient problem.", "tanh there is no vanishing gradient problem"),
    ("So tanh avoids the vanishing gradient problem entirely.", "tanh avoids the vanishing gradient problem entirely"),
    ("Using tanh fixes the vanishing gradient problem.", "tanh fixes the vanishing gradient problem"),
    ("Tanh never has vanishing gradients at all.", "Tanh never has vanishing gradients"),
    ("Since tanh'(0) = 1, tanh does not suffer from vanishing gradients, so RNNs should always use tanh.",
     "tanh does not suffer from vanishing gradients"),
    ("Tanh completely avoids vanishing gradients.", "Tanh completely avoids vanishing gradients"),
    ("With tanh, gradients do not vanish.", "tanh, gradients do not vanish"),
    ("The vanishing gradient problem does not occur with tanh.", "vanishing gradient problem does not occur with tanh"),
    ("The vanishing gradient problem disappears with tanh.", "vanishing gradient problem disappears with tanh"),
    ("Tanh has no vanishing gradient problem.", "Tanh has no vanishing gradient problem"),
    ("Tanh solves the vanishing gradient problem.", "Tanh solves the vanishing gradient problem"),
    ("Tanh eliminates vanishing gradients.", "Tanh eliminates vanishing gradients"),
    ("Tanh is immune to vanishing gradients.", "Tanh is immune"),
    ("With tanh the gradient never vanishes.", "tanh the gradient never vanishes"),
    ("But tanh is worse.", "tanh is worse"),
    ("Tanh prevents vanishing gradients.", "Tanh prevents vanishing gradients"),
    ("Tanh isn't affected by vanishing gradients.", "Tanh isn't affected by vanishing gradients"),
    ("Tanh gradients vanish even faster.", "Tanh gradients vanish even faster"),
]


@pytest.mark.parametrize("claim, quoted", MISCONCEPTIONS)
def test_a_misconception_withholds_idea_3_and_is_quoted(claim, quoted):
    result = verdict(RIGHT + claim)
    assert outcome(RIGHT + claim, 3) == "contradicted", result.details
    assert result.details[2].endswith(f"— “{quoted}”"), result.details[2]


def test_a_hedged_claim_followed_by_the_opposite_earns_nothing():
    answer = "One might think gradients vanish faster with sigmoid, but in fact tanh is worse."
    assert outcome(answer, 3) == "contradicted"
    assert verdict(answer).details[2].endswith("— “tanh is worse”")


NUANCES = [
    "Tanh does not suffer as much from vanishing gradients.",
    "Tanh does not suffer from vanishing gradients as badly, though it is not immune.",
    "Tanh is not immune to vanishing gradients either.",
    "It is not true that tanh does not suffer from vanishing gradients.",
    "With tanh, gradients never vanish as quickly, but they still vanish.",
    "Tanh helps avoid vanishing gradients for longer sequences.",
    "Tanh does not eliminate the vanishing gradient problem.",
    "Tanh does not fix vanishing gradients, it only delays them.",
    "Tanh largely avoids the problem for short sequences but not for long ones.",
    "One might think tanh is immune, but it is not.",
    "A common misconception is that tanh solves the vanishing gradient problem.",
    "With tanh there is no vanishing gradient problem as severe as with sigmoid.",
    "The vanishing gradient problem does not occur as quickly with tanh.",
    "Tanh reduces but does not prevent vanishing gradients.",
    "Tanh is better, but vanishing gradients still occur with tanh for long sequences.",
    "Tanh is not worse than sigmoid.",
    "Tanh does not suffer from vanishing gradients nearly as much.",
    "Tanh doesn't have the vanishing gradient problem to the same degree.",
    "Tanh does not solve the vanishing gradient problem completely.",
    "Tanh fixes the vanishing gradient problem only partially.",
    "Using tanh partly fixes the vanishing gradient problem.",
    "Tanh avoids vanishing gradients better than sigmoid.",
    "With tanh, gradients do not vanish that quickly.",
    "Tanh is not free from vanishing gradients.",
    "Tanh is worse computationally but helps with gradients.",
    "Tanh never completely avoids vanishing gradients.",
    "Tanh gets rid of some of the vanishing gradient problem.",
    "Tanh does not prevent vanishing gradients; it delays them.",
]


@pytest.mark.parametrize("nuance", NUANCES)
def test_a_nuance_is_no_misconception(nuance):
    assert outcome(RIGHT + nuance, 3) == "found", verdict(RIGHT + nuance).details


# ---------------------------------------------------------------------------
# Whole paragraphs, through `grader check`

NATURAL = ("In backpropagation through time, the gradient with respect to an early hidden state is obtained with "
           "the chain rule, so it becomes a product of T Jacobians, each containing the activation derivative. The "
           "maximum of the sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1. Therefore the "
           "vanishing gradient problem is much more severe with sigmoid than with tanh: sigmoid gradients vanish "
           "much faster than tanh's, although tanh can still suffer from it for long sequences.")

MISTAKEN = ("In BPTT the gradient is multiplied by the activation derivative at every time step. The sigmoid "
            "derivative is at most 1/4 while the tanh derivative is at most 1, so with sigmoid the gradient shrinks "
            "like $(1/4)^T$ and gradients vanish much faster with sigmoid. Since tanh'(0) = 1, tanh does not suffer "
            "from vanishing gradients, so RNNs should always use tanh.")


def q24_output(tmp_path: Path, paragraph: str) -> dict:
    answer = tmp_path / "q2.md"
    answer.write_text(f"# Answers\n\n## Q2.4\n\n{paragraph}\n", encoding="utf-8")
    report = tmp_path / "results.json"
    assert main(["check", str(SPEC), str(answer), "--json", str(report)]) == 0
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    return next(t for t in tests if t["number"] == "Q2.4")


def test_grader_check_gives_a_natural_paragraph_all_three_ideas(tmp_path):
    q24 = q24_output(tmp_path, NATURAL)
    assert q24["score"] == 3, q24["output"]
    assert "— “product of T Jacobians”" in q24["output"]
    assert "— “sigmoid derivative is 0.25 and the maximum of the tanh derivative is 1”" in q24["output"]


def test_grader_check_withholds_idea_3_from_a_paragraph_saying_tanh_does_not_suffer(tmp_path):
    q24 = q24_output(tmp_path, MISTAKEN)
    assert q24["score"] == 2, q24["output"]
    assert "“tanh does not suffer from vanishing gradients” contradicts idea 3" in q24["output"]


def test_the_missing_ideas_are_listed_without_doubled_stops():
    feedback = verdict("Recurrent networks are hard to train.").feedback
    assert ".;" not in feedback
    assert feedback.startswith("0 of 3 rubric ideas found; missing: Back-propagation through time multiplies the "
                               "gradient by one activation derivative per time step (a product of T factors); The "
                               "sigmoid's derivative is at most 1/4")
    assert "though it is not immune. (Provisional" in feedback


def test_a_rubric_of_one_idea_found_says_so_in_the_singular():
    one_idea = RUBRIC[:1]
    said = "Back-propagation through time multiplies one derivative of the activation per time step."
    feedback = get_checker("rubric").check(one_idea, said, None).feedback
    assert feedback.startswith("The rubric idea was found."), feedback
