"""Wrong written answers that must never earn credit, each next to a right twin spelt the same way.

A probe of Question 2 write-ups found wrong answers graded right: "all real
numbers" read as ℝ from a paragraph that narrows or denies it elsewhere; a
labelled answer (``Q2.2: …``) passed over for a later remark such as
"tanh is defined for ε ∈ ℝ"; a part whose heading section another part's bold
label had emptied, filled from another part's section; and a bare choice
under ``### (d)`` that the next sentence contradicts.  Each document goes
through the real pipeline (``q2_grader``) or the real ``grader check``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import Grader

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
MORE_THAN_ONE_SET = "states more than one set"
BOTH_WAYS = "says both ways"
NAMED_OUTSIDE = "found by its name outside any section"
APPROXIMATIONS = "$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$, $\\dot\\tanh_{approx}(\\varepsilon) = 1$."


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def check(tmp_path: Path, text: str) -> dict:
    """``grader check`` on a q2.md holding ``text``: the JSON tests by part label."""
    path, out = tmp_path / "q2.md", tmp_path / "out.json"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(path), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}


# ---------------------------------------------------------------------------
# 1. "all real numbers" in a paragraph that states another set, narrows it or denies it

@pytest.mark.parametrize("paragraph", [
    "σ is defined for all real numbers, but the inequality holds only for non-negative ε.",
    "The sigmoid is defined on all real numbers; the inequality holds only for positive ε.",
    "For all real numbers? No. Only positive ε.",
    "The answer is the empty set, since for all real numbers ε we have 1/4 ≠ 1.",
    "It holds for no ε: for every real number the two sides differ.",
    "It holds for all real, positive ε.",
    "It holds for all real numbers (ε > 0).",
    "It holds for all the real numbers — the positive ones.",
    "It holds for all real numbers. Actually it never holds.",
    "It holds for all real numbers (0, 1 and 2 included), but only for positive ε in practice.",
    "It holds for all real numbers, as long as ε is small.",
    "It holds for all ε, but only for non-negative ones.",
])
def test_all_real_numbers_with_another_set_in_its_paragraph_is_not_read(q2_grader, tmp_path, paragraph):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n## Q2.2\n\n{paragraph}\n")["Q2.2"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert MORE_THAN_ONE_SET in part.feedback, part.feedback


@pytest.mark.parametrize("paragraph", [
    "It holds for all real numbers, i.e. for $\\varepsilon \\ge 0$.",
    "It holds for all real numbers, so the set is $[0, \\infty)$.",
])
def test_a_set_in_maths_next_to_all_real_numbers_is_graded_as_written(q2_grader, tmp_path, paragraph):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n## Q2.2\n\n{paragraph}\n")["Q2.2"]
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("paragraph", [
    "It holds for all real numbers.",
    "The inequality holds for all real numbers.",
    "It holds for all real numbers, but the approximation is only valid near 0.",
    "The inequality $\\frac14 \\le 1$ holds for all real numbers.",
    "It holds for all real numbers, since 1/4 is less than 1.",
    "It holds for all real numbers, positive and negative.",
    "It holds for all real numbers, not only the positive ones.",
    "It holds for all real numbers: both approximations are positive constants that do not depend on ε.",
    "It holds for all ε, including negative ones.",
    "It holds for all real numbers, not just for positive ε.",
])
def test_all_real_numbers_said_once_is_still_the_real_line(q2_grader, tmp_path, paragraph):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n## Q2.2\n\n{paragraph}\n")["Q2.2"]
    assert part.status == "correct", (part.answer, part.feedback)


# ---------------------------------------------------------------------------
# 2. A part label followed by a colon heads the part's section; its own paragraph answers it

LABELLED_THEN_REMARK = f"""# Question 2

{APPROXIMATIONS}

Q2.2: the set is $\\varepsilon \\in [0, \\infty)$.

Recall that $\\tanh$ is defined for $\\varepsilon \\in \\mathbb{{R}}$.
"""
LABELLED_INEQUALITY_THEN_REMARK = f"""# Question 2

{APPROXIMATIONS}

Q2.2: The inequality holds for $\\varepsilon \\ge 0$.

Then $\\rho_{{approx}}(\\varepsilon) = \\frac14$ for all $\\varepsilon \\in \\mathbb{{R}}$.
"""
UNLABELLED_INEQUALITY_THEN_REMARK = LABELLED_INEQUALITY_THEN_REMARK.replace(
    "# Question 2\n", "Homework 2, question 2.\n").replace("Q2.2: The", "The")


def test_a_labelled_wrong_set_is_not_replaced_by_a_later_remark(tmp_path):
    tests = check(tmp_path, LABELLED_THEN_REMARK)
    assert tests["Q2.2"]["extra_data"]["verdict"] == "incorrect", tests["Q2.2"]["output"]
    assert "q2.md, line 5," in tests["Q2.2"]["output"]  # the labelled paragraph, not the remark on line 7
    assert tests["Q2.1a"]["extra_data"]["verdict"] == "correct"  # the others are still found by name


def test_a_labelled_right_set_is_not_replaced_by_a_later_remark(q2_grader, tmp_path):
    right = LABELLED_THEN_REMARK.replace("[0, \\infty)", "\\mathbb{R}").replace(
        "defined for $\\varepsilon \\in \\mathbb{R}$", "positive for $\\varepsilon \\in [0, \\infty)$")
    assert grade_text(q2_grader, tmp_path, right)["Q2.2"].status == "correct"


def test_a_labelled_one_sided_set_is_graded_as_written(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, LABELLED_INEQUALITY_THEN_REMARK)
    assert parts["Q2.2"].status == "incorrect", (parts["Q2.2"].answer, parts["Q2.2"].source)
    assert parts["Q2.3a"].status == "correct"  # the remark still answers Q2.3a by its name


def test_a_remark_on_the_variable_outside_any_section_is_no_answer(q2_grader, tmp_path):
    # "… = 1/4 for all ε ∈ ℝ" quantifies another statement; "ε ≥ 0" alone is a condition: neither answers Q2.2.
    parts = grade_text(q2_grader, tmp_path, UNLABELLED_INEQUALITY_THEN_REMARK)
    assert parts["Q2.2"].status == "not answered", (parts["Q2.2"].answer, parts["Q2.2"].source)
    tanh_remark = f"# Question 2\n\n{APPROXIMATIONS}\n\nRecall that $\\tanh$ is defined for $\\varepsilon \\in \\mathbb{{R}}$.\n"
    assert grade_text(q2_grader, tmp_path, tanh_remark)["Q2.2"].status == "not answered"


def test_a_set_said_to_be_where_the_inequality_holds_is_still_found_outside_sections(q2_grader, tmp_path):
    holds = f"# Question 2\n\n{APPROXIMATIONS}\n\nThe inequality holds for $\\varepsilon \\in \\mathbb{{R}}$.\n"
    part = grade_text(q2_grader, tmp_path, holds)["Q2.2"]
    assert part.status == "correct" and NAMED_OUTSIDE in part.source
    wrong = holds.replace("\\mathbb{R}", "[0, \\infty)")
    assert grade_text(q2_grader, tmp_path, wrong)["Q2.2"].status == "incorrect"


def test_a_bold_labelled_answer_is_not_replaced_by_a_later_remark(q2_grader, tmp_path):
    bold = LABELLED_THEN_REMARK.replace("Q2.2: the set", "**Q2.2:** the set")
    assert grade_text(q2_grader, tmp_path, bold)["Q2.2"].status == "incorrect"


@pytest.mark.parametrize("document, label, status", [
    ("# Question 2\n\nQ2.2: $\\varepsilon \\in (-\\infty, \\infty)$\n", "Q2.2", "correct"),
    ("# Question 2\n\nQ2.2: $\\varepsilon \\in (0, \\infty)$\n", "Q2.2", "incorrect"),
    ("# Question 2\n\nQuestion 2.2: all real numbers.\n", "Q2.2", "correct"),
    ("# Question 2\n\nQuestion 2.2: all positive real numbers.\n", "Q2.2", "could not read"),
    ("## Q2.3\n\n(b): $0.2505$\n", "Q2.3b", "correct"),
    ("## Q2.3\n\n(b): $0.25$\n", "Q2.3b", "incorrect"),
    ("## Q2.3\n\nQ2.3(d): approx\n\nThe plot shows both curves.\n", "Q2.3d", "correct"),
    ("## Q2.3\n\nQ2.3(d): true\n\nThe plot shows both curves.\n", "Q2.3d", "incorrect"),
    ("# Question 2\n\nQ2.4:\n\nBack-propagation through time multiplies the gradient by one activation derivative "
     "per time step.\n", "Q2.4", "partial"),
])
def test_a_plain_label_and_colon_heads_the_parts_section(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document)[label]
    assert part.status == status, (part.answer, part.feedback)


def test_a_label_inside_a_sentence_or_another_word_before_a_colon_is_no_label(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, "# Question 2\n\nQ2.1 gave one quarter: so $0.2505$.\n\n"
                                            "Note: $0.2505$\n")
    assert parts["Q2.1a"].status == "not answered" and parts["Q2.3b"].status == "not answered"


# ---------------------------------------------------------------------------
# 3. A heading section emptied by another part's bold label is still the part's section

STOLEN = """# Question 2

## Q2.1

$\\dot\\sigma_{approx} = \\frac14$ and $\\dot\\tanh_{approx} = 1$.

## Q2.2

**Q2.1:** both approximations are constants, so the inequality holds only for $\\varepsilon \\in [0, \\infty)$.

## Q2.3

For every $\\varepsilon \\in \\mathbb{R}$, $\\rho_{approx}(\\varepsilon) = \\frac14$.
"""


def test_a_section_emptied_by_another_parts_label_is_not_filled_from_elsewhere(tmp_path):
    tests = check(tmp_path, STOLEN)
    q22 = tests["Q2.2"]
    assert q22["extra_data"]["verdict"] == "could not read" and q22["score"] == 0, q22["output"]
    assert "Q2.1" in q22["output"] and NAMED_OUTSIDE not in q22["output"]
    assert tests["Q2.3a"]["extra_data"]["verdict"] == "correct"


def test_an_empty_heading_section_is_not_filled_from_elsewhere(q2_grader, tmp_path):
    document = "## Q2.2\n\n## Q2.3\n\nThe inequality holds for $\\varepsilon \\in \\mathbb{R}$.\n"
    assert grade_text(q2_grader, tmp_path, document)["Q2.2"].status == "not answered"


def test_a_part_with_no_section_at_all_is_still_found_by_name(q2_grader, tmp_path):
    document = "## Q2.1\n\n$\\dot\\sigma_{approx} = \\frac14$, so $\\rho_{approx}(\\varepsilon) = \\frac14$.\n"
    part = grade_text(q2_grader, tmp_path, document)["Q2.3a"]
    assert part.status == "correct" and NAMED_OUTSIDE in part.source


# ---------------------------------------------------------------------------
# 4. A choice said both ways in its own section

@pytest.mark.parametrize("section", [
    "approx\n\nWait, actually the true curve decays faster.",
    "true\n\nThe approximation decays faster.",
    "The approximation decays faster for small T, but the true one decays faster overall.",
    "Answer: approx\n\nThe true ratio decays faster than the approximation.",
])
def test_a_choice_said_both_ways_is_not_read(q2_grader, tmp_path, section):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n## Q2.3\n\nSome plot.\n\n### (d)\n\n{section}\n")["Q2.3d"]
    assert part.status == "could not read", (part.answer, part.feedback)
    assert BOTH_WAYS in part.feedback


@pytest.mark.parametrize("section, status", [
    ("approx\n\nThe true ratio decays more slowly than the approximation.", "correct"),
    ("approx\n\nThe approximation decays faster, but both vanish quickly.", "correct"),
    ("true\n\nThe true ratio decays faster than the approximation.", "incorrect"),
    ("approx\n\nBoth curves drop exponentially as T increases.", "correct"),
])
def test_a_choice_and_prose_that_agree_keep_their_verdict(q2_grader, tmp_path, section, status):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n## Q2.3\n\nSome plot.\n\n### (d)\n\n{section}\n")["Q2.3d"]
    assert part.status == status, (part.answer, part.feedback)


@pytest.mark.parametrize("document, status", [
    ("# Question 2\n\nQ2.3(d): true, the approximation decays faster? no.\n", "incorrect"),
    ("# Question 2\n\nQ2.3(d): approx, because the true ratio decays more slowly.\n", "correct"),
    ("# Question 2\n\nQ2.3(d): true, because the true ratio decays faster.\n", "incorrect"),
    ("# Question 2\n\nQ2.3(d): true, although the approximation decays faster.\n", "could not read"),
])
def test_a_choice_after_its_label_is_read_with_its_reason(q2_grader, tmp_path, document, status):
    # A question ("…? no.") says nothing; the word after the label is the answer, and its reason must agree.
    part = grade_text(q2_grader, tmp_path, document)["Q2.3d"]
    assert part.status == status, (part.answer, part.feedback)


SUB_HEADINGS_ONLY = """## Q2.3

### (b)

$\\rho(0.05) \\approx 0.2505$, and $\\rho(0.05)^T \\approx 0.2505, 9.86e-4, 9.72e-7, 9.44e-13$.

### (d)

approx
"""


def test_a_sub_part_without_its_own_heading_is_found_by_name_under_its_siblings(q2_grader, tmp_path):
    # "## Q2.3" is Q2.3c's section even with all its paragraphs under "### (b)" and "### (d)".
    part = grade_text(q2_grader, tmp_path, SUB_HEADINGS_ONLY)["Q2.3c"]
    assert part.status == "correct" and NAMED_OUTSIDE not in part.source, (part.answer, part.source)
    wrong = SUB_HEADINGS_ONLY.replace("9.86e-4, 9.72e-7, 9.44e-13", "9.86e-3, 9.72e-6, 9.44e-12")
    assert grade_text(q2_grader, tmp_path, wrong)["Q2.3c"].status in ("incorrect", "partial")


def test_two_sets_said_to_be_the_answer_outside_any_section_answer_nothing(q2_grader, tmp_path):
    document = (f"# Question 2\n\n{APPROXIMATIONS}\n\nThe inequality holds for $\\varepsilon \\ge 0$.\n\n"
                "The approximations hold for all $\\varepsilon \\in \\mathbb{R}$.\n")
    assert grade_text(q2_grader, tmp_path, document)["Q2.2"].status == "not answered"
    same_set = document.replace("$\\varepsilon \\ge 0$", "$\\varepsilon \\in (-\\infty, \\infty)$")
    assert grade_text(q2_grader, tmp_path, same_set)["Q2.2"].status == "correct"


@pytest.mark.parametrize("remark", [
    "$$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 \\quad \\forall \\varepsilon \\in \\mathbb{R}$$",
    "$\\rho_{approx}(\\varepsilon) = \\frac14 \\text{ for all } \\varepsilon \\in \\mathbb{R}$",
    "σ̇_approx(ε) = 1/4 for all ε ∈ ℝ.",
])
def test_a_quantifier_on_another_statement_is_no_set_outside_any_section(q2_grader, tmp_path, remark):
    part = grade_text(q2_grader, tmp_path, f"# Question 2\n\n{remark}\n")["Q2.2"]
    assert part.status == "not answered", (part.answer, part.source)


@pytest.mark.parametrize("label", ["Q2.2:", "**Q2.2:**"])
def test_a_later_paragraph_that_says_it_is_the_set_still_corrects_a_labelled_one(q2_grader, tmp_path, label):
    document = (f"# Question 2\n\n{label} consider $\\varepsilon \\ge 0$ first.\n\n"
                "Both sides are constants, so the set is $\\varepsilon \\in \\mathbb{R}$.\n")
    assert grade_text(q2_grader, tmp_path, document)["Q2.2"].status == "correct"
    wrong = document.replace("\\mathbb{R}", "[0, \\infty)").replace("\\ge 0", "\\in \\mathbb{R}")
    assert grade_text(q2_grader, tmp_path, wrong)["Q2.2"].status == "incorrect"


def test_a_bold_labelled_derivation_keeps_its_last_value(q2_grader, tmp_path):
    document = ("# Question 2\n\n**Q2.1:** $\\dot\\sigma_{approx}(\\varepsilon) = \\dot\\sigma(0) + \\ddot\\sigma(0)"
                "\\varepsilon$\n\nso $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and $\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n")
    assert grade_text(q2_grader, tmp_path, document)["Q2.1a"].status == "correct"


# --- values listed for an index in the student's own order (Q2.3c) ------------------------------
VALUES_BY_T = {"1": "0.2505", "5": "9.86e-4", "10": "9.72e-7", "20": "9.44e-13"}


@pytest.mark.parametrize("order", [["1", "5", "10", "20"], ["20", "10", "5", "1"], ["5", "1", "20", "10"]])
def test_values_listed_for_the_index_in_any_order_are_matched_to_it(q2_grader, tmp_path, order):
    text = f"## Q2.3\n\n### (c)\n\nFor T = {', '.join(order)}: ρ(0.05)^T ≈ {', '.join(VALUES_BY_T[t] for t in order)}\n"
    assert grade_text(q2_grader, tmp_path, text)["Q2.3c"].status == "correct"


def test_the_right_values_in_the_wrong_order_for_their_index_are_wrong(q2_grader, tmp_path):
    text = f"## Q2.3\n\n### (c)\n\nFor T = 20, 10, 5, 1: ρ(0.05)^T ≈ {', '.join(VALUES_BY_T.values())}\n"
    assert grade_text(q2_grader, tmp_path, text)["Q2.3c"].status != "correct"


def test_values_for_other_indices_than_asked_are_not_taken_for_them(q2_grader, tmp_path):
    text = f"## Q2.3\n\n### (c)\n\nFor T = 2, 6, 11, 21: ρ(0.05)^T ≈ {', '.join(VALUES_BY_T.values())}\n"
    part = grade_text(q2_grader, tmp_path, text)["Q2.3c"]
    assert part.status == "could not read"
    assert "given for T = 2, 6, 11, 21, but the question asks for T = 1, 5, 10, 20" in part.feedback
