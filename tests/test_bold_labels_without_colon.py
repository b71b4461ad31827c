"""A paragraph opening with a part's label in bold and then its answer, with no colon (``**Q2.2** Since 1/4 ≤ 1
always, the set is all reals: ε ∈ ℝ.``), is that part's labelled answer, as ``**Q2.2:** …`` is.

Each right form goes through the real pipeline beside a wrong twin written the same way, so reading the form
never turns a wrong answer right.  A bold label inside a sentence ("as in **Q2.1** we get …") stays a sentence,
and so does one that is the subject of its sentence ("**Q2.1** gave ¼, so …"): outside any other part's
section that part is then "could not read", with feedback saying how to label it, never "not answered".
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader


def grade_text(grader: Grader, tmp_path: Path, text: str, name: str = "q2.md") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in grader.grade("student", [path]).parts}


Q24_RIGHT = ("Through BPTT the gradient gets multiplied by one derivative per step; the sigmoid's derivative is at "
             "most 1/4 while tanh's is at most 1, so gradients vanish exponentially faster with sigmoid. tanh "
             "suffers less, though it is not immune.")
Q24_WRONG = "Through BPTT the gradients are added up over the steps, so nothing changes with the activation."


def probe(q22: str, q24: str) -> str:
    """The probe's document: a title, then each answer in a paragraph opened by its label in bold."""
    return f"# Homework Q2\n\n**Q2.2** {q22}\n\n**Q2.4** {q24}\n"


def test_the_probes_document_is_read_and_graded(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, probe("Since 1/4 ≤ 1 always, the set is all reals: ε ∈ ℝ.", Q24_RIGHT))
    assert parts["Q2.2"].status == "correct", (parts["Q2.2"].answer, parts["Q2.2"].feedback)
    assert parts["Q2.4"].status == "correct", (parts["Q2.4"].answer, parts["Q2.4"].feedback)
    assert parts["Q2.4"].provisional  # a rubric's verdict is the instructor's to confirm


def test_the_probes_document_with_wrong_answers_is_graded_wrong(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, probe("Since 1/4 ≤ 1 only for positive ε, the set is ε ∈ [0, ∞).",
                                                  Q24_WRONG))
    assert parts["Q2.2"].status == "incorrect", (parts["Q2.2"].answer, parts["Q2.2"].feedback)
    assert parts["Q2.4"].status == "incorrect", (parts["Q2.4"].answer, parts["Q2.4"].feedback)
    assert parts["Q2.4"].provisional


def test_a_rubric_answer_stating_a_misconception_loses_that_idea(q2_grader, tmp_path):
    claim = Q24_RIGHT.replace("tanh suffers less, though it is not immune.", "tanh is immune to vanishing gradients.")
    parts = grade_text(q2_grader, tmp_path, probe("ε ∈ ℝ", claim))
    right = grade_text(q2_grader, tmp_path, probe("ε ∈ ℝ", Q24_RIGHT))
    assert parts["Q2.4"].status != "not answered"
    assert parts["Q2.4"].score < right["Q2.4"].score, parts["Q2.4"].feedback


# (document, part, status): each "right" row has a "wrong" twin written the same way
CASES = [
    ("right-q22-dash", "**Q2.2** — the set is $(-\\infty, \\infty)$.\n", "Q2.2", "correct"),
    ("wrong-q22-dash", "**Q2.2** — the set is $[0, \\infty)$.\n", "Q2.2", "incorrect"),
    ("right-q22-maths", "**Q2.2** $\\varepsilon \\in \\mathbb{R}$, since $\\frac14 \\le 1$.\n", "Q2.2", "correct"),
    ("wrong-q22-maths", "**Q2.2** $\\varepsilon \\in [0, \\infty)$, since $\\frac14 \\le 1$.\n", "Q2.2", "incorrect"),
    ("right-q21a-words", "**Q2.1a** Expanding around 0 gives $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$.\n",
     "Q2.1a", "correct"),
    ("wrong-q21a-words", "**Q2.1a** Expanding around 0 gives $\\dot\\sigma_{approx}(\\varepsilon) = \\frac12$.\n",
     "Q2.1a", "incorrect"),
    ("right-q21a-maths", "**Q2.1a** $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$\n", "Q2.1a", "correct"),
    ("wrong-q21a-maths", "**Q2.1a** $\\dot\\sigma_{approx}(\\varepsilon) = \\frac12$\n", "Q2.1a", "incorrect"),
    ("right-q21b-words", "**Q2.1b** Likewise $\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n", "Q2.1b", "correct"),
    ("wrong-q21b-words", "**Q2.1b** Likewise $\\dot\\tanh_{approx}(\\varepsilon) = 0$.\n", "Q2.1b", "incorrect"),
    ("right-sub-label", "## Q2.1\n\n**(a)** Expanding: $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$.\n\n"
     "**(b)** Likewise $\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n", "Q2.1b", "correct"),
    ("wrong-sub-label", "## Q2.1\n\n**(a)** Expanding: $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$.\n\n"
     "**(b)** Likewise $\\dot\\tanh_{approx}(\\varepsilon) = 0$.\n", "Q2.1b", "incorrect"),
    ("right-q23b", "**Q2.3b** Numerically $\\rho(0.05) \\approx 0.2505$.\n", "Q2.3b", "correct"),
    ("wrong-q23b", "**Q2.3b** Numerically $\\rho(0.05) \\approx 0.5$.\n", "Q2.3b", "incorrect"),
    ("right-q23d", "**Q2.3d** The approximation decays faster.\n", "Q2.3d", "correct"),
    ("wrong-q23d", "**Q2.3d** The true ratio decays faster.\n", "Q2.3d", "incorrect"),
    ("right-q24-in-q2-heading", "## Question 2\n\n**Q2.4** " + Q24_RIGHT + "\n", "Q2.4", "correct"),
    ("wrong-q24-in-q2-heading", "## Question 2\n\n**Q2.4** " + Q24_WRONG + "\n", "Q2.4", "incorrect"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bold_label_followed_by_its_answer(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document)[label]
    assert part.status == status, (part.answer, part.feedback)


def test_each_paragraph_answers_its_own_part(q2_grader, tmp_path):
    document = ("**Q2.1a** The expansion gives $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$.\n\n"
                "**Q2.1b** The expansion gives $\\dot\\tanh_{approx}(\\varepsilon) = \\frac12$.\n\n"
                "**Q2.2** All reals: $\\varepsilon \\in \\mathbb{R}$.\n")
    parts = grade_text(q2_grader, tmp_path, document)
    assert [parts[label].status for label in ("Q2.1a", "Q2.1b", "Q2.2")] == ["correct", "incorrect", "correct"]


@pytest.mark.parametrize("q22, status", [("\\mathbb{R}", "correct"), ("[0, \\infty)", "incorrect")])
def test_a_bold_label_inside_a_sentence_stays_a_sentence(q2_grader, tmp_path, q22, status):
    document = f"## Q2.2\n\nAs in **Q2.1** we get $\\frac14 \\le 1$, so $\\varepsilon \\in {q22}$.\n"
    parts = grade_text(q2_grader, tmp_path, document)
    assert parts["Q2.2"].status == status, (parts["Q2.2"].answer, parts["Q2.2"].feedback)
    assert parts["Q2.1a"].status == "not answered"


@pytest.mark.parametrize("q22, status", [("\\mathbb{R}", "correct"), ("[0, \\infty)", "incorrect")])
def test_a_bold_label_as_the_subject_of_a_sentence_in_another_parts_section(q2_grader, tmp_path, q22, status):
    document = f"## Q2.2\n\n**Q2.1** gave $\\frac14 \\le 1$, so $\\varepsilon \\in {q22}$.\n"
    parts = grade_text(q2_grader, tmp_path, document)
    assert parts["Q2.2"].status == status, (parts["Q2.2"].answer, parts["Q2.2"].feedback)
    assert parts["Q2.1a"].status == "not answered"  # a reference to Q2.1 in Q2.2's answer, not Q2.1's answer


def test_a_bold_label_as_the_subject_of_a_sentence_is_could_not_read_saying_how(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, "# Homework Q2\n\n**Q2.2** is all of ℝ, since 1/4 ≤ 1.\n")
    part = parts["Q2.2"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert "**Q2.2:**" in part.feedback and "## Q2.2" in part.feedback
    assert "not answered" not in part.feedback.lower()
    assert parts["Q2.1a"].status == "not answered"  # only the part the paragraph names
