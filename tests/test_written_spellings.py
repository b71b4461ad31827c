"""More ways students write their Question 2 answers in Markdown, each through the real pipeline.

Every right spelling has a twin with a wrong answer written the same way: a
spelling the grader learns to read must never turn a wrong answer into a
right one.  The documents are the shapes a probe of realistic write-ups found
misread: choices said in prose, bare choices under their own label, sets said
in words, names in the middle of a chain, two-column tables, ``\\rho^{5}(0.05)``,
plain-text lists, and documents labelled by bold paragraphs instead of headings.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import Grader
from grader.readers.markdown import choice_from_prose, read_markdown_text
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(ROOT / "problems" / "q2-activations.yaml")


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


# (id, document, part, expected status); each "right-" row has a "wrong-" twin spelt the same way.
CASES = [
    # Q2.3d: choices said in prose
    ("right-lies-below", "## Q2.3\nThe approximate curve lies below the true one and decays faster.", "Q2.3d",
     "correct"),
    ("wrong-lies-below", "## Q2.3\nThe true curve lies above the approximate one and decays faster.", "Q2.3d",
     "incorrect"),
    ("right-unlike", "## Q2.3\nThe true ratio, unlike the approximation, decays more slowly.", "Q2.3d", "correct"),
    ("wrong-unlike", "## Q2.3\nThe true ratio, unlike the approximation, decays faster.", "Q2.3d", "incorrect"),
    ("wrong-unlike-approx", "## Q2.3\nThe approximation, unlike the true ratio, decays more slowly.", "Q2.3d",
     "incorrect"),
    ("right-abbreviation", "## Q2.3\nThe approx. ratio decays faster.", "Q2.3d", "correct"),
    ("wrong-abbreviation", "## Q2.3\nThe approx. ratio decays more slowly.", "Q2.3d", "incorrect"),
    # Q2.3d: a bare choice under its own label
    ("right-own-heading", "## Q2.3\n### Q2.3(d)\napprox", "Q2.3d", "correct"),
    ("wrong-own-heading", "## Q2.3\n### Q2.3(d)\ntrue", "Q2.3d", "incorrect"),
    ("right-question-heading", "# Question 2.3 (d)\napprox", "Q2.3d", "correct"),
    ("wrong-question-heading", "# Question 2.3 (d)\ntrue", "Q2.3d", "incorrect"),
    ("right-paragraph-label", "## Q2.3\n$\\rho_{approx} = 1/4$\n\nQ2.3(d): approx", "Q2.3d", "correct"),
    ("wrong-paragraph-label", "## Q2.3\n$\\rho_{approx} = 1/4$\n\nQ2.3(d): true", "Q2.3d", "incorrect"),
    ("right-letter-label", "## Q2.3\n(c) see the plot\n\n(d) approx", "Q2.3d", "correct"),
    ("wrong-letter-label", "## Q2.3\n(c) see the plot\n\n(d) true", "Q2.3d", "incorrect"),
    ("other-letter-is-not-d", "## Q2.3\n(c) approx", "Q2.3d", "could not read"),
    # Q2.2: the set, in words and in maths
    ("right-set-is-R", "## Q2.2\nThe set is $\\mathbb{R}$.", "Q2.2", "correct"),
    ("wrong-set-is", "## Q2.2\nThe set is $(0, \\infty)$.", "Q2.2", "incorrect"),
    ("right-for-all-math", "## Q2.2\nThe inequality holds for all $\\varepsilon$.", "Q2.2", "correct"),
    ("wrong-for-all-math", "## Q2.2\nThe inequality holds for all $\\varepsilon > 0$.", "Q2.2", "incorrect"),
    ("right-for-all-text", "## Q2.2\nIt holds for all ε.", "Q2.2", "correct"),
    ("wrong-for-all-text", "## Q2.2\nIt holds for all ε > 0.", "Q2.2", "incorrect"),
    ("derivation-for-all-is-not-the-set", "## Q2.2\nFor all ε the approximations are constants. So the set is "
     "the positive numbers.", "Q2.2", "could not read"),
    ("right-forall-symbol", "## Q2.2\n$\\forall \\varepsilon \\in \\mathbb{R}$", "Q2.2", "correct"),
    ("wrong-forall-symbol", "## Q2.2\n$\\forall \\varepsilon > 0$", "Q2.2", "incorrect"),
    ("right-bare-interval", "## Q2.2\nSince $\\frac14 \\le 1$ always:\n\n$(-\\infty, \\infty)$", "Q2.2", "correct"),
    ("wrong-bare-interval", "## Q2.2\nSince $\\frac14 \\le 1$ always:\n\n$(0, \\infty)$", "Q2.2", "incorrect"),
    ("right-absolute-value", "## Q2.2\n$|\\varepsilon| < \\infty$", "Q2.2", "correct"),
    ("wrong-absolute-value", "## Q2.2\n$|\\varepsilon| < 1$", "Q2.2", "incorrect"),
    ("right-set-builder-equals", "## Q2.2\n$\\{\\varepsilon \\in \\mathbb{R}\\} = (-\\infty,\\infty)$", "Q2.2",
     "correct"),
    ("wrong-set-builder-equals", "## Q2.2\n$\\{\\varepsilon \\in \\mathbb{R}\\} = (0,\\infty)$", "Q2.2", "incorrect"),
    ("wrong-all-reals-except", "## Q2.2\nAll real numbers except 0.", "Q2.2", "incorrect"),
    ("wrong-all-reals-but", "## Q2.2\nAll real numbers but 1.", "Q2.2", "incorrect"),
    ("wrong-all-reals-except-math", "## Q2.2\nIt holds for all real numbers except $\\varepsilon = 0$.", "Q2.2",
     "incorrect"),
    ("wrong-all-reals-except-words", "## Q2.2\nAll real numbers except zero and one.", "Q2.2", "incorrect"),
    ("all-reals-then-a-new-clause", "## Q2.2\nIt holds for all real numbers, but the approximation is only "
     "valid near 0.", "Q2.2", "correct"),
    # Q2.1: a name in the middle of a chain; a two-column table
    ("right-name-mid-chain", "## Q2.1\n$\\dot\\sigma(\\varepsilon) \\approx \\dot\\sigma_{\\text{approx}}(\\varepsilon) "
     "= \\frac14$", "Q2.1a", "correct"),
    ("wrong-name-mid-chain", "## Q2.1\n$\\dot\\sigma(\\varepsilon) \\approx \\dot\\sigma_{\\text{approx}}(\\varepsilon) "
     "= \\frac12$", "Q2.1a", "incorrect"),
    ("right-table-row", "## Q2.1\n| $\\dot\\sigma_{approx}(\\varepsilon)$ | $\\frac14$ |\n|---|---|\n"
     "| $\\dot\\tanh_{approx}(\\varepsilon)$ | $1$ |", "Q2.1a", "correct"),
    ("right-table-row-b", "## Q2.1\n| $\\dot\\sigma_{approx}(\\varepsilon)$ | $\\frac14$ |\n|---|---|\n"
     "| $\\dot\\tanh_{approx}(\\varepsilon)$ | $1$ |", "Q2.1b", "correct"),
    ("wrong-table-row", "## Q2.1\n| Quantity | Value |\n|---|---|\n| $\\dot\\sigma_{approx}(\\varepsilon)$ | $\\frac12$ |",
     "Q2.1a", "incorrect"),
    # Q2.1: the exact derivative's name with ≈ ("σ'(ε) ≈ ¼"); with = it only defines σ'
    ("right-prime-approx", "## Q2.1\n(a) $\\sigma'(\\varepsilon) \\approx \\frac{1}{4}$\n\n"
     "(b) $\\tanh'(\\varepsilon) \\approx 1$", "Q2.1a", "correct"),
    ("right-prime-approx-b", "## Q2.1\n(a) $\\sigma'(\\varepsilon) \\approx \\frac{1}{4}$\n\n"
     "(b) $\\tanh'(\\varepsilon) \\approx 1$", "Q2.1b", "correct"),
    ("right-dot-chain-approx", "## Q2.1\n$\\dot\\sigma(\\varepsilon) = \\sigma(1-\\sigma) \\approx 0.25$",
     "Q2.1a", "correct"),
    ("wrong-prime-approx", "## Q2.1\n(a) $\\sigma'(\\varepsilon) \\approx \\frac{1}{4} + \\frac{\\varepsilon}{4}$",
     "Q2.1a", "incorrect"),
    ("prime-definition-is-no-answer", "## Q2.1\n$\\sigma'(\\varepsilon) = \\sigma(\\varepsilon)(1 - "
     "\\sigma(\\varepsilon))$", "Q2.1a", "could not read"),
    ("own-name-wins-over-prime", "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ since "
     "$\\sigma'(\\varepsilon) \\approx \\frac14 + \\frac{\\varepsilon}{4}$ fails", "Q2.1a", "correct"),
    # Q2.3b and Q2.3c
    ("right-argument-named", "## Q2.3\n$\\rho(\\varepsilon = 0.05) \\approx 0.2505$", "Q2.3b", "correct"),
    ("wrong-argument-named", "## Q2.3\n$\\rho(\\varepsilon = 0.05) \\approx 0.25$", "Q2.3b", "incorrect"),
    ("right-power-before-argument", "## Q2.3\n$\\rho^{1}(0.05) \\approx 0.2505$\n\n$\\rho^{5}(0.05) \\approx 9.86\\cdot "
     "10^{-4}$\n\n$\\rho^{10}(0.05) \\approx 9.72\\cdot 10^{-7}$\n\n$\\rho^{20}(0.05) \\approx 9.44\\cdot 10^{-13}$",
     "Q2.3c", "correct"),
    ("wrong-power-before-argument", "## Q2.3\n$\\rho^{1}(0.05) \\approx 0.5$\n\n$\\rho^{5}(0.05) \\approx 9.86\\cdot "
     "10^{-3}$\n\n$\\rho^{10}(0.05) \\approx 9.72\\cdot 10^{-6}$\n\n$\\rho^{20}(0.05) \\approx 9.44\\cdot 10^{-12}$",
     "Q2.3c", "incorrect"),
    ("right-plain-text-list", "## Q2.3\nFor T = 1, 5, 10, 20: ρ(0.05)^T ≈ 0.2505, 9.86e-4, 9.72e-7, 9.44e-13",
     "Q2.3c", "correct"),
    ("wrong-plain-text-list", "## Q2.3\nFor T = 1, 5, 10, 20: ρ(0.05)^T ≈ 0.5, 9.86e-3, 9.72e-6, 9.44e-12",
     "Q2.3c", "incorrect"),
    # a bare number as plain text under the part's own label, as in an answers file
    ("right-label-line", "## Q2.3\nQ2.3b: 0.2505", "Q2.3b", "correct"),
    ("wrong-label-line", "## Q2.3\nQ2.3b: 0.025", "Q2.3b", "incorrect"),
    ("right-bare-fraction", "## Q2.1\nQ2.1a: \\frac{1}{4}", "Q2.1a", "correct"),
    ("wrong-bare-fraction", "## Q2.1\nQ2.1a: \\frac{1}{2}", "Q2.1a", "incorrect"),
    ("right-alone-under-heading", "## Q2.1b\n1", "Q2.1b", "correct"),
    ("wrong-alone-under-heading", "## Q2.1b\n-1", "Q2.1b", "incorrect"),
    ("bare-number-in-a-sentence-is-not-an-answer", "## Q2.3b\nWe get about 0.2505 here.", "Q2.3b",
     "could not read"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_spellings_get_their_verdict(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert part.status == status, (part.answer, part.feedback)


# The phrasings of "which curve decays faster" the reader already understood stay understood.
@pytest.mark.parametrize("sentence, choice", [
    ("The approximation decays faster.", "approx"),
    ("The true ratio drops slightly more slowly than the approximative ratio.", "approx"),
    ("ρ_approx^T goes to zero faster.", "approx"),
    ("The approximation drops quicker.", "approx"),
    ("The true ratio decays less quickly.", "approx"),
    ("It decays faster than the true one.", "approx"),
    ("Compared with the true ratio, the approximation decays faster.", "approx"),
    ("The approximation decays faster because the true ratio is larger.", "approx"),
    ("Although both decay, the approximation decays faster.", "approx"),
    ("The true ratio, not the approximation, decays more slowly.", "approx"),
    ("Unlike the true ratio, it decays faster.", "approx"),
    ("The true ratio decays faster than the approximation.", "true"),
    ("The approximation decays more slowly.", "true"),
    ("The true one decays faster.", "true"),
    ("The approximation does not decay faster than the true ratio.", "true"),
    ("The true ratio does not decay more slowly.", "true"),
    ("The approximation is slower to decay.", "true"),
    ("Compared with the approximation, the true ratio decays faster.", "true"),
    ("Even though the approximation is smaller, the true ratio decays faster.", "true"),
    ("Because the approximation is smaller, the true ratio decays faster.", "true"),
    ("The approximation decays slower, which surprised me.", "true"),
    ("Both curves drop exponentially as T increases.", None),
    ("The approximation is faster to compute.", None),
])
def test_choices_said_in_prose(sentence, choice):
    assert choice_from_prose(sentence, ["approx", "true"]) == choice


def test_all_real_numbers_except_a_point_is_read_as_that_set(q2):
    found = read_markdown_text("## Q2.2\nAll real numbers except 0.\n", q2).answers["Q2.2"]
    assert found.value == "\\mathbb{R}\\setminus\\{0\\}"


def test_all_real_numbers_with_a_condition_in_words_is_not_read_as_all_of_them(q2):
    found = read_markdown_text("## Q2.2\nAll real numbers greater than one half.\n", q2).answers["Q2.2"]
    assert found.problem and "greater than one half" in found.problem


def test_a_negated_all_real_numbers_is_not_the_real_line(q2):
    found = read_markdown_text("## Q2.2\nThe inequality does not hold for all real numbers.\n", q2).answers["Q2.2"]
    assert found.problem


def test_for_all_epsilon_is_only_read_in_the_sets_own_section(q2):
    # Without headings a derivation's "for all ε" is not an answer to Q2.2.
    reading = read_markdown_text("Since $\\ddot\\sigma(0) = 0$ for all $\\varepsilon$, the term drops.\n", q2)
    assert "Q2.2" not in reading.answers


# ---------------------------------------------------------------------------
# Documents labelled by bold paragraphs

RUBRIC = ("In back-propagation through time the gradient is multiplied by one activation derivative per time "
          "step. The sigmoid's derivative is at most 1/4 while tanh's is at most 1, so with sigmoid the product "
          "shrinks like $(1/4)^T$. Gradients vanish much faster with sigmoid; tanh suffers less from vanishing "
          "gradients, though it is not immune.")
BOLD_LABELS = f"""\
**Q2.1**

$\\dot\\sigma_{{approx}}(\\varepsilon) = \\frac14$ and $\\dot\\tanh_{{approx}}(\\varepsilon) = 1$.

**Q2.2:** $\\varepsilon \\in (-\\infty, \\infty)$

**Q2.3**

$\\rho_{{approx}}(\\varepsilon) = \\frac14$, $\\rho(0.05) \\approx 0.2505$,
$\\rho(0.05)^T \\approx 0.2505, 9.86\\times10^{{-4}}, 9.72\\times10^{{-7}}, 9.44\\times10^{{-13}}$.

**(d)** approx

**Q2.4**

{RUBRIC}
"""


def test_a_document_labelled_by_bold_paragraphs_is_graded_in_full_through_the_cli(tmp_path):
    path = tmp_path / "q2.md"
    path.write_text(BOLD_LABELS, encoding="utf-8")
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml", str(path),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    for label, test in tests.items():
        assert test["score"] == test["max_score"], (label, test["output"])


def test_a_wrong_answer_under_a_bold_label_is_graded_wrong(q2_grader, tmp_path):
    wrong = BOLD_LABELS.replace("(-\\infty, \\infty)", "(0, \\infty)").replace("**(d)** approx", "**(d)** true")
    wrong = wrong.replace(RUBRIC, "With tanh the gradients vanish faster than with sigmoid, because tanh's "
                                  "derivative is at most 1/4 while the sigmoid's is at most 1.")
    parts = grade_text(q2_grader, tmp_path, wrong)
    assert (parts["Q2.2"].status, parts["Q2.3d"].status, parts["Q2.4"].status) == ("incorrect",) * 3


def test_a_bold_label_inside_a_sentence_does_not_start_a_section(q2):
    reading = read_markdown_text("## Q2.2\n**Q2.1** gave $\\frac14 \\le 1$, so $\\varepsilon \\in \\mathbb{R}$.\n", q2)
    assert reading.answers["Q2.2"].value == "\\mathbb{R}"
    assert "Q2.1a" not in reading.answers
