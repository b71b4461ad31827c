"""Right written answers that were marked wrong or not read, each next to a wrong twin that stays wrong.

A remark after the answer (a check, a note on where the approximation is accurate, what matters in practice)
restated another value and replaced the answer.  Each document goes through the real ``grader check`` or the
real pipeline (``q2_grader``).
"""
from __future__ import annotations

import pytest

# The same two ways in as the false-accept twins: the real pipeline, and a real ``grader check``.
from test_written_false_accepts_3 import check, grade_text


# ---------------------------------------------------------------------------
# 1. A remark after the answer is not the answer

CHECK_REMARK = """## Q2.3
(b) $\\rho(0.05) \\approx {answer}$

Check: this is close to the approximation, $\\rho(0.05) \\approx {remark}$, as it should be.
"""


def test_a_check_after_the_answer_does_not_replace_it(tmp_path):
    test = check(tmp_path, CHECK_REMARK.format(answer="0.2505", remark="0.25"))["Q2.3b"]
    assert test["score"] == 1, test["output"]


def test_a_check_quoting_the_right_value_does_not_rescue_a_wrong_answer(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, CHECK_REMARK.format(answer="0.25", remark="0.2505"))["Q2.3b"]
    assert part.score == 0, part.feedback


SET_THEN_NOTE = """## Q2.2
The inequality holds for every $\\varepsilon$, so the set is ${answer}$.

{remark}
"""
NOTES = ["Note that the approximation itself is only accurate for $\\varepsilon \\in (-0.1, 0.1)$.",
         "In practice we only care about $\\varepsilon \\in [0, 1]$ anyway."]


@pytest.mark.parametrize("remark", NOTES)
def test_a_note_on_accuracy_or_practice_after_the_set_does_not_replace_it(q2_grader, tmp_path, remark):
    part = grade_text(q2_grader, tmp_path, SET_THEN_NOTE.format(answer="\\mathbb{R}", remark=remark))["Q2.2"]
    assert part.score == part.max_score, part.feedback


@pytest.mark.parametrize("remark", NOTES)
def test_a_wrong_set_followed_by_a_note_stays_wrong(q2_grader, tmp_path, remark):
    part = grade_text(q2_grader, tmp_path, SET_THEN_NOTE.format(answer="[0, \\infty)", remark=remark))["Q2.2"]
    assert part.score == 0, part.feedback


@pytest.mark.parametrize("text, right", [
    ("(b) $\\rho(0.05) \\approx 0.25$.\n\nCorrection: $\\rho(0.05) \\approx 0.2505$.\n", True),
    ("(b) $\\rho(0.05) \\approx 0.2505$.\n\nActually, $\\rho(0.05) \\approx 0.25$.\n", False),
])
def test_a_correction_after_the_answer_still_replaces_it(q2_grader, tmp_path, text, right):
    part = grade_text(q2_grader, tmp_path, "## Q2.3\n" + text)["Q2.3b"]
    assert (part.score == part.max_score) is right, part.feedback


# ---------------------------------------------------------------------------
# 2. Common notations for a right answer are read

ALIGNED_AFTER_APPROX = """## Q2.1
$$
\\begin{{aligned}}
\\dot\\sigma(\\varepsilon) &\\approx \\dot\\sigma(0) + \\ddot\\sigma(0)\\,\\varepsilon \\\\
&= {value}
\\end{{aligned}}
$$
"""


@pytest.mark.parametrize("value, right", [("\\tfrac14", True), ("\\tfrac14 + \\tfrac{\\varepsilon}{4}", False)])
def test_rows_after_an_approximate_first_row_give_the_approximation(tmp_path, value, right):
    test = check(tmp_path, ALIGNED_AFTER_APPROX.format(value=value))["Q2.1a"]
    assert (test["score"] == test["max_score"]) is right, test["output"]
    assert "could not read" not in test["output"].lower(), test["output"]


EQUATION_NUMBERED = """## Q2.1
\\begin{{equation}}
\\dot\\sigma_{{approx}}(\\varepsilon) = \\boxed{{{sigma}}} \\label{{eq:sig}}
\\end{{equation}}

$$\\dot{{\\tanh}}_{{approx}}(\\varepsilon) = {tanh} \\tag{{2}}$$
"""


@pytest.mark.parametrize("sigma, tanh, right", [("\\frac14", "1", True), ("\\frac12", "1 - \\varepsilon", False)])
def test_an_equation_label_or_tag_is_not_part_of_the_value(q2_grader, tmp_path, sigma, tanh, right):
    parts = grade_text(q2_grader, tmp_path, EQUATION_NUMBERED.format(sigma=sigma, tanh=tanh))
    for label in ("Q2.1a", "Q2.1b"):
        assert (parts[label].score == parts[label].max_score) is right, parts[label].feedback
        assert parts[label].status != "could not read", parts[label].feedback


@pytest.mark.parametrize("line, right", [
    ("ρ(0.05) ~ 0.2505", True), ("ρ(0.05) ≃ 0.2505", True), ("ρ(0.05) ~ 0.2437", False),
    ("$\\rho(0.05) \\approx 0.250\\,47$", True), ("$\\rho(0.05) \\approx 0.243\\,7$", False),
    ("ρ(0.05) is 0.2505 to four significant figures.", True),
    ("ρ(0.05) is 0.2437 to four significant figures.", False),
])
def test_plain_approximately_thin_spaces_and_precision_words_are_read(q2_grader, tmp_path, line, right):
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n(b) {line}\n")["Q2.3b"]
    assert part.status != "could not read", part.feedback
    assert (part.score == part.max_score) is right, part.feedback


RIGHT_POWERS = ["0.2505", "9.86\\times10^{-4}", "9.72\\times10^{-7}", "9.45\\times10^{-13}"]
WRONG_POWERS = ["0.2437", "8.60\\times10^{-4}", "7.40\\times10^{-7}", "5.48\\times10^{-13}"]  # of ρ(0.05) ≈ 0.2437


@pytest.mark.parametrize("values, right", [(RIGHT_POWERS, True), (WRONG_POWERS, False)])
def test_bullets_of_values_in_maths_each_after_its_index(q2_grader, tmp_path, values, right):
    bullets = "".join(f"- $T={t}$: ${v}$\n" for t, v in zip((1, 5, 10, 20), values))
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n(c)\n{bullets}")["Q2.3c"]
    assert part.status != "could not read", part.feedback
    assert (part.score == part.max_score) is right, part.feedback


@pytest.mark.parametrize("values, right", [(RIGHT_POWERS, True), (WRONG_POWERS, False)])
def test_a_semicolon_separated_list_in_one_maths_span(tmp_path, values, right):
    listed = ";\\ ".join(v.replace("\\times", "\\cdot") for v in values)
    test = check(tmp_path, f"## Q2.3\n(c) For $T = 1, 5, 10, 20$: ${listed}$\n")["Q2.3c"]
    assert "could not read" not in test["output"].lower(), test["output"]
    assert (test["score"] == test["max_score"]) is right, test["output"]


# ---------------------------------------------------------------------------
# 3. A complement argument: the set the student says is requested is the answer

COMPLEMENT = """## Q2.2
The reverse inequality $\\dot\\sigma_{{approx}}(\\varepsilon) > \\dot\\tanh_{{approx}}(\\varepsilon)$ means
$\\tfrac14 > 1$, which never holds, i.e. only for $\\varepsilon \\in \\emptyset$. Hence the requested set is the
complement, ${answer}$.
"""


@pytest.mark.parametrize("answer, right", [("\\mathbb{R}", True), ("[0, \\infty)", False)])
def test_the_complement_said_last_is_the_set(tmp_path, answer, right):
    test = check(tmp_path, COMPLEMENT.format(answer=answer))["Q2.2"]
    assert (test["score"] == test["max_score"]) is right, test["output"]
    assert "not empty" not in test["output"], test["output"]
