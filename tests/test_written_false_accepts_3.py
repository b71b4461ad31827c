"""A third probe's wrong written answers that earned credit, each next to a right twin that keeps its verdict.

An expression split over ``aligned`` rows was cut at the line break, so only its first row was graded; a
wrong value followed by a remark or a footnote quoting the right one took the remark's value; a copied
prompt with no answer earned the part's points; and Q2.3(d) read the curve named in a "since …" clause as
the one that decays faster.  Each document goes through the real ``grader check`` or the real pipeline
(``q2_grader``).
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


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def check(tmp_path: Path, text: str) -> dict:
    """``grader check`` on a folder holding a q2.md of ``text``: the JSON tests by part label."""
    folder, out = tmp_path / "submission", tmp_path / "out.json"
    folder.mkdir()
    (folder / "q2.md").write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(folder), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}


# ---------------------------------------------------------------------------
# F1. An expression carried over to the next row of `aligned` or `split` is one value

SPLIT_SIGMA = """## Q2.1

$$
\\begin{aligned}
\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 \\\\
&\\quad + \\frac{\\varepsilon}{4}
\\end{aligned}
$$
"""


def test_a_value_carried_over_an_aligned_row_is_graded_whole(tmp_path):
    test = check(tmp_path, SPLIT_SIGMA)["Q2.1a"]
    assert test["score"] == 0, test["output"]
    assert "\\frac{\\varepsilon}{4}" in test["output"], test["output"]


@pytest.mark.parametrize("maths, label", [
    ("\\begin{split} \\dot\\tanh_{approx}(\\varepsilon) = 1 \\\\ - \\varepsilon \\end{split}", "Q2.1b"),
    ("\\begin{aligned}\n\\dot\\tanh_{approx}(\\varepsilon) &= 1 \\\\\n&\\qquad \\cdot (1-\\varepsilon)\n"
     "\\end{aligned}", "Q2.1b"),
    ("\\begin{aligned}\n\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 \\\\\n& \\times (1 + \\varepsilon)\n"
     "\\end{aligned}", "Q2.1a"),
    ("\\begin{aligned}\n\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 \\\\\n&\\quad\\quad + \\frac{\\varepsilon}{4}"
     " \\\\\n&\\quad - \\frac{\\varepsilon^2}{8}\n\\end{aligned}", "Q2.1a"),
])
def test_a_row_starting_with_an_operator_continues_the_row_above(q2_grader, tmp_path, maths, label):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n\n$$\n{maths}\n$$\n")[label]
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("maths, label", [
    # a derivation over rows that ends on the right value
    ("\\begin{aligned}\n\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 \\\\\n&\\quad + 0 \\cdot \\varepsilon \\\\\n"
     "&= \\frac14\n\\end{aligned}", "Q2.1a"),
    ("\\begin{split} \\dot\\tanh_{approx}(\\varepsilon) = 1 \\\\ - 0 \\cdot \\varepsilon \\end{split}", "Q2.1b"),
    # rows that are statements of their own, one of them opening with a minus sign
    ("\\begin{aligned}\n\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 \\\\\n"
     "\\dot\\tanh_{approx}(\\varepsilon) &= 1\n\\end{aligned}", "Q2.1a"),
])
def test_rows_that_end_on_the_right_value_stay_right(q2_grader, tmp_path, maths, label):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n\n$$\n{maths}\n$$\n")[label]
    assert part.status == "correct", (part.answer, part.feedback)


def test_a_row_of_its_own_that_opens_with_a_minus_sign_is_its_own_statement(q2_grader, tmp_path):
    maths = "\\begin{aligned}\n\\frac14 &\\le 1 \\\\\n-\\infty &< \\varepsilon < \\infty\n\\end{aligned}"
    part = grade_text(q2_grader, tmp_path, f"## Q2.2\n\n$$\n{maths}\n$$\n")["Q2.2"]
    assert part.status == "correct", (part.answer, part.feedback)


# ---------------------------------------------------------------------------
# F2. A remark in brackets or a footnote that quotes another value is not the answer

HANDOUT_HINT = ("(b) $\\rho(0.05) \\approx 0.2437$. (The handout hints at $\\rho(0.05) \\approx 0.2505$, "
                "but I trust my computation.)")


def test_a_wrong_value_is_not_replaced_by_a_remark_quoting_the_right_one(tmp_path):
    test = check(tmp_path, f"## Q2.3\n\n{HANDOUT_HINT}\n")["Q2.3b"]
    assert test["score"] == 0, test["output"]


@pytest.mark.parametrize("document, label", [
    ("## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.2437$.[^1]\n\n[^1]: The handout says answers like "
     "$\\rho(0.05) = 0.2505$ get full credit.\n", "Q2.3b"),
    ("# Question 2\n\n$\\rho(0.05) \\approx 0.2437$.[^1]\n\n[^1]: The handout says $\\rho(0.05) = 0.2505$.\n",
     "Q2.3b"),
    ("## Q2.3b\n\n$\\rho(0.05) \\approx 0.2437$.\n\n(The handout hints at $\\rho(0.05) \\approx 0.2505$, but I trust "
     "my computation.)\n", "Q2.3b"),
    ("## Q2.2\n\n$\\varepsilon \\in [0, \\infty)$. (A friend says $\\varepsilon \\in \\mathbb{R}$, but I disagree.)\n",
     "Q2.2"),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 + \\frac{\\varepsilon}{4}$. (The handout hints at "
     "$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$, but I trust my computation.)\n", "Q2.1a"),
    ("## Q2.3\n\n(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.31, 2.9\\times10^{-3}, 8.2\\times10^{-6}, "
     "6.7\\times10^{-11}$. (The handout's values are $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.2505, "
     "9.86\\times10^{-4}, 9.72\\times10^{-7}, 9.44\\times10^{-13}$.)\n", "Q2.3c"),
    ("## Q2.3\n\n(d) true. (The handout hints that the approximation decays faster, but I trust my plot.)\n",
     "Q2.3d"),
    # no full stop between the value and its remark: the remark still opens with a capital, as a sentence does
    ("## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.2437$ (The handout hints at $\\rho(0.05) \\approx 0.2505$, but I trust "
     "my computation.)\n", "Q2.3b"),
    ("## Q2.2\n\n$\\varepsilon \\in [0, \\infty)$ (A friend says $\\varepsilon \\in \\mathbb{R}$, but I disagree.)\n",
     "Q2.2"),
])
def test_remarks_and_footnotes_never_answer_any_kind_of_part(q2_grader, tmp_path, document, label):
    part = grade_text(q2_grader, tmp_path, document)[label]
    assert part.status == "incorrect", (part.answer, part.feedback)


@pytest.mark.parametrize("document", [
    "## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.2505$.[^1]\n\n[^1]: With the first-order approximation one would get "
    "$\\rho(0.05) \\approx 0.25$ instead.\n",
    "## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.2505$. (The approximation would give $\\rho(0.05) \\approx 0.25$.)\n",
    # brackets that are no sentence of their own stay part of what they follow
    "## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.25$ (more precisely $0.2505$).\n",
    "## Q2.3\n\n(b) ρ(0.05) = 0.2505 (4 s.f.)\n",
])
def test_a_right_value_is_not_replaced_by_a_remark_or_footnote(q2_grader, tmp_path, document):
    part = grade_text(q2_grader, tmp_path, document)["Q2.3b"]
    assert part.status == "correct", (part.answer, part.feedback)


def test_a_bracketed_sentence_in_prose_still_counts_for_its_idea(q2_grader, tmp_path):
    prose = ("Tanh is better for RNNs. (Back-propagation through time multiplies the gradient by one activation "
             "derivative per time step.)")
    part = grade_text(q2_grader, tmp_path, f"## Q2.4\n\n{prose}\n")["Q2.4"]
    assert part.score == 1, part.feedback


# ---------------------------------------------------------------------------
# F3. A prompt copied from the handout is the question, not the answer

# Q2.3(d) as the assignment words it, and as the problem set's prompt does
PROMPT_D = ('Which of the two curves decays faster? Answer "approx" or "true"; in a written answer you may say it in '
            'words ("the true ratio decays more slowly than the approximation").')
SPEC_PROMPT_D = ('Which of the two curves of Q2.3c decays faster? Answer "approx" or "true"; in writing you may also '
                 'say it in words ("the true ratio decays more slowly than the approximation").')
PROMPT_4 = ("What does this imply for training a recurrent neural network with back-propagation through time? Answer "
            "in a short paragraph. It is marked against three ideas, one point each: (1) back-propagation through time "
            "multiplies the gradient by one activation derivative per time step, a product of T factors; (2) σ̇ is at "
            "most 1/4 while tanḣ is at most 1, so with the sigmoid that product shrinks like (1/4)^T; (3) so gradients "
            "vanish, exponentially in T, much faster with the sigmoid: tanh suffers less from vanishing gradients, "
            "though it is not immune. The mark is provisional until your instructor confirms or changes it.")
# The rubric's ideas as the assignment lists them
IDEAS = ("1. back-propagation through time multiplies the gradient by one activation\n"
         "   derivative per time step (a product of T factors);\n"
         "2. the sigmoid's derivative is at most 1/4 while tanh's is at most 1, so with\n"
         "   sigmoid the product shrinks like (1/4)^T;\n"
         "3. so gradients vanish (exponentially in T) much faster with sigmoid: tanh\n"
         "   suffers less from vanishing gradients, though it is not immune.")


def quoted(text: str) -> str:
    return "> " + text.replace("\n", "\n> ")


def test_a_copied_prompt_alone_is_not_answered(tmp_path):
    test = check(tmp_path, f"## Q2.3\n\n(d) {PROMPT_D}\n")["Q2.3d"]
    assert test["score"] == 0 and test["output"].startswith("Not answered"), test["output"]


@pytest.mark.parametrize("document", [
    f"## Q2.3\n\n(d) {SPEC_PROMPT_D}\n",
    f"## Q2.3\n\n### (d)\n\n*{PROMPT_D}*\n",
    f"## Q2.3\n\n### (d)\n\n{quoted(PROMPT_D)}\n",
    f"## Q2.3d\n\n{SPEC_PROMPT_D}\n",
    f"## Q2.3\n\n**(d)** _{SPEC_PROMPT_D}_\n",
])
def test_a_copied_prompt_in_any_markup_is_not_answered(q2_grader, tmp_path, document):
    part = grade_text(q2_grader, tmp_path, document)["Q2.3d"]
    assert part.status == "not answered", (part.answer, part.feedback)


@pytest.mark.parametrize("answer, status", [("true", "incorrect"), ("approx", "correct")])
@pytest.mark.parametrize("layout", ["(d) {prompt}\n\nMy answer: {answer}.", "(d) {prompt} My answer: {answer}."])
def test_the_students_choice_after_a_copied_prompt_is_read(q2_grader, tmp_path, layout, answer, status):
    section = layout.format(prompt=PROMPT_D, answer=answer)
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n{section}\n")["Q2.3d"]
    assert part.status == status, (part.answer, part.feedback)


@pytest.mark.parametrize("pasted", [f"*{PROMPT_4}*", PROMPT_4, quoted(PROMPT_4)])
def test_a_copied_prose_prompt_earns_no_idea(q2_grader, tmp_path, pasted):
    own = "Tanh is better for RNNs."
    alone = grade_text(q2_grader, tmp_path, f"## Q2.4\n\n{own}\n")["Q2.4"]
    part = grade_text(q2_grader, tmp_path, f"## Q2.4\n\n{pasted}\n\n{own}\n")["Q2.4"]
    assert part.score == alone.score == 0, part.feedback


@pytest.mark.parametrize("pasted", [quoted(IDEAS), quoted(PROMPT_4), f"*{PROMPT_4}*"])
def test_a_section_of_the_prompt_or_its_ideas_alone_is_not_answered(q2_grader, tmp_path, pasted):
    part = grade_text(q2_grader, tmp_path, f"## Q2.4\n\n{pasted}\n")["Q2.4"]
    assert part.status == "not answered", (part.answer, part.feedback)


@pytest.mark.parametrize("document, label, status", [
    # the prompt's own example, written as the answer, is a phrase it quotes: the student's
    ("## Q2.3\n\n(d) The true ratio decays more slowly than the approximation.\n", "Q2.3d", "correct"),
    (f"## Q2.3\n\n### (d)\n\nWhich of the two curves decays faster? The approximation.\n", "Q2.3d", "correct"),
    # the ideas in the rubric's own words, written by the student, earn them
    (f"## Q2.4\n\n{IDEAS}\n", "Q2.4", "correct"),
])
def test_the_students_own_words_are_still_read(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document)[label]
    assert part.status == status, (part.answer, part.feedback)


# ---------------------------------------------------------------------------
# F4. The curve said to decay faster is the one named in its own clause, not in a "since …" before it

def test_a_curve_named_in_a_reason_is_not_the_one_that_decays_faster(tmp_path):
    document = "## Q2.3\n\n(d) Since $\\rho(0.05) > \\rho_{approx}(0.05)$, $\\rho^T$ decays faster.\n"
    test = check(tmp_path, document)["Q2.3d"]
    assert test["score"] == 0 and "Read: true" in test["output"], test["output"]


@pytest.mark.parametrize("sentence, status", [
    ("$\\rho(0.05)^T < \\rho_{approx}(0.05)^T$ for all $T \\ge 1$, so $\\rho^T$ decays faster.", "incorrect"),
    ("Because $\\rho_{approx}(0.05) < \\rho(0.05)$, $\\rho(0.05)^T$ decays faster.", "incorrect"),
    ("Since the approximation is smaller than the true ratio, the true ratio decays faster.", "incorrect"),
    ("$\\rho^T$ decays faster.", "incorrect"),
    # the right curve, named in its clause the same ways
    ("Since $\\rho(0.05) > \\rho_{approx}(0.05)$, $\\rho_{approx}^T$ decays faster.", "correct"),
    ("Since $\\rho(0.05) > \\rho_{approx}(0.05)$, $\\rho^{T}_{approx}$ decays faster.", "correct"),
    ("$\\rho_{approx}(0.05) = 0.25 < \\rho(0.05)$, so the approximation decays faster.", "correct"),
    ("The approximation decays faster, since $\\rho_{approx} < \\rho(0.05)$.", "correct"),
    ("Since the true ratio is larger than the approximation, the approximation decays faster.", "correct"),
    ("As $T$ grows, $\\rho^T$ decays more slowly than $\\rho_{approx}^T$.", "correct"),
    ("$\\rho_{approx}$ is smaller, so it decays faster.", "correct"),
])
def test_the_subject_of_decays_faster_is_the_curve_named_in_its_clause(q2_grader, tmp_path, sentence, status):
    part = grade_text(q2_grader, tmp_path, f"## Q2.3\n\n(d) {sentence}\n")["Q2.3d"]
    assert part.status == status, (part.answer, part.feedback)


def test_a_capitalised_bracket_giving_the_value_again_is_still_read(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.3\n\n(b) $\\rho(0.05) \\approx 0.25$ (More precisely, "
                                           "$\\rho(0.05) \\approx 0.2505$.)\n")["Q2.3b"]
    assert part.status == "correct", (part.answer, part.feedback)
