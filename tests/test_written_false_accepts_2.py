"""More wrong written answers that must never earn credit, each next to the right answer the reading is for.

A second probe of Question 2 write-ups found wrong answers graded right in readings added for real layouts:
a label-keyed table whose remark column ("Sanity check", "Notes", "Expected") was read as the answer, or
whose "My answer" column was not; a plain-text value cut at a remark in brackets or ", i.e." although it
goes on (``1 (constant) − ε²`` read as ``1``); and "σ'(ε) ≈ ¼", which answers Q2.1a, taken although the
student's own final answers follow it unnamed; Q2.3c's list of the approximation's powers, or a first attempt,
taken for the answer; Q2.3b read from the "(c)" paragraph although "(b)" has its own; and Q2.3d read from a
pasted prompt in a block quote, or from what the student says they expected.  Every false accept has a twin that checks the right answer the reading
was added for still reads.  Each document goes through the real pipeline (``q2_grader``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


RIGHT_VALUES = "0.2505, 9.86\\times10^{-4}, 9.72\\times10^{-7}, 9.44\\times10^{-13}"
WRONG_VALUES = "0.31, 2.9\\times10^{-3}, 8.2\\times10^{-6}, 6.7\\times10^{-11}"  # each off by more than 10 %


def table(header: str, *rows: str) -> str:
    columns = header.count("|") - 1
    return "# Question 2\n\n" + header + "\n" + "|---" * columns + "|\n" + "".join(r + "\n" for r in rows)


# (id, document, part, expected status)
CASES = [
    # 1. label-keyed tables: the answer column is the one headed as the answer, never a remark column
    ("remark-column-last", table("| Part | Derived value | Sanity check |",
                                 "| Q2.1a | $\\frac14 + \\frac{\\varepsilon}{4}$ | $\\sigma'(0) = \\frac14$ |",
                                 "| Q2.3d | true | (approx curve is lower) |"), "Q2.1a", "incorrect"),
    ("remark-column-last-choice", table("| Part | Derived value | Sanity check |",
                                        "| Q2.3d | true | (approx curve is lower) |"), "Q2.3d", "incorrect"),
    ("right-value-column-before-check", table("| Part | Derived value | Sanity check |",
                                              "| Q2.1a | $\\frac14$ | $\\sigma'(0) = \\frac14$ |"), "Q2.1a", "correct"),
    ("my-answer-column", table("| Part | My answer | Expected (from a friend) |",
                               "| Q2.3b | $0.2601$ | $0.2505$ |"), "Q2.3b", "incorrect"),
    ("my-answer-column-choice", table("| Part | My answer | Expected (from a friend) |",
                                      "| Q2.3d | true | approx |"), "Q2.3d", "incorrect"),
    ("right-my-answer-column", table("| Part | My answer | Expected (from a friend) |",
                                     "| Q2.3b | $0.2505$ | $0.26$ |"), "Q2.3b", "correct"),
    ("no-answer-header-three-columns", table("| Part | Expression | Notes |",
                                             "| Q2.3b | $0.2601$ | handout example: $0.2505$ |"), "Q2.3b",
     "could not read"),
    ("no-answer-header-right-is-still-unread", table("| Part | Expression | Notes |",
                                                     "| Q2.1a | $\\frac14$ | at $\\varepsilon=0$ |"), "Q2.1a",
     "could not read"),
    ("expected-value-column-is-no-answer", table("| Part | Expected value | Notes |",
                                                 "| Q2.3b | $0.2505$ | mine was 0.26 |"), "Q2.3b", "could not read"),
    ("two-answer-columns", table("| Part | Answer | Value |", "| Q2.3b | $0.2601$ | $0.2505$ |"), "Q2.3b",
     "could not read"),
    ("final-of-two-value-columns", table("| Part | Value | Final value |", "| Q2.3b | $0.2505$ | $0.2601$ |"),
     "Q2.3b", "incorrect"),
    ("right-final-of-two-value-columns", table("| Part | Value | Final value |", "| Q2.3b | $0.26$ | $0.2505$ |"),
     "Q2.3b", "correct"),
    # a two-column table needs no header; nor does a header-less layout of two cells
    ("right-two-columns-any-header", table("| Part | Expression |", "| Q2.1a | $\\frac14$ |"), "Q2.1a", "correct"),
    ("wrong-two-columns-any-header", table("| Part | Expression |", "| Q2.1a | $\\frac12$ |"), "Q2.1a", "incorrect"),
    # a remark cell of a label row is the row's: it answers nothing in the section around the table
    ("remark-cell-not-in-section", "## Q2.3\n\n| Part | Answer | Comment |\n|---|---|---|\n"
     "| (d) | true | the handout says $\\rho(0.05) \\approx 0.2505$ |\n", "Q2.3b", "could not read"),
    # 2. a plain-text remark in brackets is dropped from the value, not where it ends; ", i.e." ends it only
    # when the remark does not go on with the value
    ("bracket-remark-then-more-terms", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant) − ε²/16, and tanḣ_approx(ε) = 1.\n",
     "Q2.1a", "incorrect"),
    ("bracket-remark-dodges-known-mistake", "## Q2.1\nσ̇_approx(ε) = 1/4, and tanḣ_approx(ε) = 1 (constant) − ε².\n",
     "Q2.1b", "incorrect"),
    ("bracket-remarks-between-terms", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant term) + ε/4 (linear term)\n", "Q2.1a",
     "incorrect"),
    ("bracket-remark-then-words", "## Q2.3\nρ_approx(ε) = 1/4 (the ratio of constants) times (1 + ε)\n", "Q2.3a",
     "could not read"),
    ("bracket-remark-then-words-right-value", "## Q2.3\nρ_approx(ε) = 1/4 (the ratio of constants) times 1\n", "Q2.3a",
     "could not read"),
    ("ie-remark-goes-on", "## Q2.1\nsigma'_approx(e) = 1/4, i.e. a constant plus e/4 from the second derivative\n",
     "Q2.1a", "could not read"),
    ("ie-remark-then-relation", "## Q2.1\ntanh'_approx(e) = 1, i.e. constant minus e times tanh''(0)/1 = 1 - e\n",
     "Q2.1b", "incorrect"),
    ("right-ie-remark-then-relation", "## Q2.1\ntanh'_approx(e) = 1 - e, i.e. constant minus e times 0 = 1\n",
     "Q2.1b", "correct"),
    ("bracket-never-closed", "## Q2.1\nσ̇_approx(ε) = 1/4 (1 + ε\n", "Q2.1a", "could not read"),
    # the readings these remarks were added for still hold
    ("right-bracket-remark", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant) and tanḣ_approx(ε) = 1 (constant)\n", "Q2.1a",
     "correct"),
    ("right-bracket-remark-b", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant) and tanḣ_approx(ε) = 1 (constant)\n", "Q2.1b",
     "correct"),
    ("right-bracket-remark-end", "## Q2.1\nσ̇_approx(ε) = 1/4 (a constant).\n", "Q2.1a", "correct"),
    ("right-ie-remark", "## Q2.1\nσ̇_approx(ε) = 1/4, i.e. a constant, and tanḣ_approx(ε) = 1.\n", "Q2.1a", "correct"),
    ("right-ie-remark-fraction", "## Q2.3\n(b) ρ(0.05) = 0.2505, i.e. about 0.2% above 1/4.\n", "Q2.3b", "correct"),
    ("right-sf-remark-then-more", "## Q2.3\nρ(0.05) = 0.2505 (4 s.f.), as the plot shows\n", "Q2.3b", "correct"),
    ("wrong-sf-remark-then-more", "## Q2.3\nρ(0.05) = 0.2500 (4 s.f.), as the plot shows\n", "Q2.3b", "incorrect"),
    # 3. "σ'(ε) ≈ ¼" (the exact quantity, approximately) answers only when no unnamed maths follows it in its
    # section: a zeroth-order step followed by the student's own, unnamed, final answers is no answer
    *[(f"approx-step-then-unnamed-boxes-{label}", "## Q2.1\nZeroth order: $\\sigma'(\\varepsilon) \\approx \\sigma'(0) = "
       "\\frac14$ and $\\tanh'(\\varepsilon) \\approx \\tanh'(0) = 1$.\n\nAdding the first-order terms:\n\n"
       "$$\\boxed{\\frac14 + \\frac{\\varepsilon}{4}} \\qquad \\boxed{1 - \\varepsilon}$$\n", label, "could not read")
      for label in ("Q2.1a", "Q2.1b")],
    ("approx-step-then-unnamed-display", "## Q2.1\nThe derivative near zero: σ'(ε) ≈ 1/4, tanh'(ε) ≈ 1. The linear "
     "approximations are\n\n$$\\frac14 + \\frac{\\varepsilon}{4} \\quad\\text{and}\\quad 1 - \\varepsilon.$$\n", "Q2.1a",
     "could not read"),
    ("approx-step-then-plain-values", "# Question 2\n\nPart 1. Zeroth order: σ'(ε) ≈ 1/4 and tanh'(ε) ≈ 1. Keeping the "
     "first-order terms too, the linear approximations are 1/4 + ε/4 and 1 − ε.\n", "Q2.1a", "could not read"),
    ("approx-step-then-unnamed-step", "## Q2.1\n$\\sigma'(\\varepsilon) \\approx \\frac14$ and $\\tanh'(\\varepsilon) "
     "\\approx 1$, then adding $\\sigma''(0)\\varepsilon = \\frac{\\varepsilon}{4}$.\n", "Q2.1a", "could not read"),
    # … and still answers when what follows names its quantity, is a condition, or comes before it
    ("right-approx-then-condition", "## Q2.1\nσ'(ε) ≈ 1/4 and tanh'(ε) ≈ 1, for $\\varepsilon \\ll 1$ (near $x = 0$).\n",
     "Q2.1a", "correct"),
    ("right-approx-after-derivation", "## Q2.1\nSince $\\sigma''(0) = 0$ and $\\tanh''(0) = 0$: "
     "$\\sigma'(\\varepsilon) \\approx \\frac14$ and $\\tanh'(\\varepsilon) \\approx 1$.\n", "Q2.1a", "correct"),
    ("wrong-approx-after-derivation", "## Q2.1\nSince $\\sigma''(0) = 0$ and $\\tanh''(0) = 0$: "
     "$\\sigma'(\\varepsilon) \\approx \\frac12$ and $\\tanh'(\\varepsilon) \\approx 1$.\n", "Q2.1a", "incorrect"),
    ("right-approx-then-named-rho", "## Q2.1\n$\\sigma'(\\varepsilon) \\approx \\frac14$, $\\tanh'(\\varepsilon) \\approx 1$, "
     "so $\\rho_{approx}(\\varepsilon) = \\frac14$.\n", "Q2.1a", "correct"),
    ("right-approx-plain-each", "## Q2.1\nσ'(ε) ≈ 1/4 and tanh'(ε) ≈ 1.0, near zero.\n", "Q2.1b", "correct"),
    # in a part's own section the last value written is its answer, as everywhere there
    ("right-own-section-unnamed-after-approx", "## Q2.1a\n$\\sigma'(\\varepsilon) \\approx \\sigma'(0) + "
     "\\sigma''(0)\\varepsilon$, hence\n\n$$\\frac{1}{4}$$\n", "Q2.1a", "correct"),
    ("wrong-own-section-unnamed-after-approx", "## Q2.1a\n$\\sigma'(\\varepsilon) \\approx \\frac14$, and to first "
     "order\n\n$$\\frac14 + \\frac{\\varepsilon}{4}$$\n", "Q2.1a", "incorrect"),
    # 4. Q2.3c: a list named or introduced as the approximation's, or called a draft, is no answer; of two
    # lists the last one written counts
    ("approx-list-after-true-list", f"## Q2.3\n(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: ${WRONG_VALUES}$, compared "
     f"with $\\rho_{{approx}}(0.05)^T$ for $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$.\n", "Q2.3c", "incorrect"),
    ("right-true-list-before-approx-list", f"## Q2.3\n(c) $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$, "
     f"compared with $\\rho_{{approx}}(0.05)^T$ for $T = 1, 5, 10, 20$: ${WRONG_VALUES}$.\n", "Q2.3c", "correct"),
    ("approx-named-list-after-label", f"## Q2.3\n(c) $\\rho_{{approx}}(0.05)^T$ for $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$"
     f"\n\nand $\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: ${WRONG_VALUES}$\n", "Q2.3c", "incorrect"),  # the true ratio's list, named, is wrong
    ("only-approx-named-list", f"## Q2.3\n(c) See the plot. $\\rho_{{approx}}(0.05)^T$ for $T = 1, 5, 10, 20$: "
     f"${RIGHT_VALUES}$. I did not manage to evaluate the true ratio's powers.\n", "Q2.3c", "could not read"),
    ("approximation-gives-list", f"## Q2.3\n### (c)\nThe approximation gives, for $T = 1, 5, 10, 20$: $[{RIGHT_VALUES}]$. "
     "The true values I could not compute.\n", "Q2.3c", "could not read"),
    ("approximation-gives-plain-list", "## Q2.3\n### (c)\nThe approximation gives, for T = 1, 5, 10, 20: 0.2505, 9.86e-4, "
     "9.72e-7, 9.44e-13\n", "Q2.3c", "could not read"),
    ("first-attempt-then-final", f"## Q2.3\n### (c)\nFor $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$ was my first attempt, but "
     "I had a bug.\n\nFinal values: 0.5, 9.86e-3, 9.72e-6, 9.44e-12\n", "Q2.3c", "incorrect"),
    ("right-first-attempt-then-final", f"## Q2.3\n### (c)\nFor $T = 1, 5, 10, 20$: ${WRONG_VALUES}$ was my first attempt, "
     "but I had a bug.\n\nFinal values: 0.2505, 9.86e-4, 9.72e-7, 9.44e-13\n", "Q2.3c", "correct"),
    ("final-then-draft", f"## Q2.3\n### (c)\nFor $T = 1, 5, 10, 20$: ${WRONG_VALUES}$\n\n"
     f"(My first attempt gave ${RIGHT_VALUES}$, but it had a bug.)\n", "Q2.3c", "incorrect"),
    ("list-said-to-be-approximations", f"## Q2.3\n### (c)\n${RIGHT_VALUES}$, i.e. the approximation's values\n", "Q2.3c",
     "could not read"),
    # the lists these readings were added for still read
    ("right-list-after-label", f"## Q2.3\n(c) For $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$\n", "Q2.3c", "correct"),
    ("right-list-above-the-approximation", f"## Q2.3\n### (c)\n$\\rho(0.05)^T$: $[{RIGHT_VALUES}]$, slightly above "
     "the approximation's $0.25^T$.\n", "Q2.3c", "correct"),
    ("right-named-list", f"## Q2.3\n$\\rho(0.05)^T = [{RIGHT_VALUES}]$ for $T = 1, 5, 10, 20$\n", "Q2.3c", "correct"),
    # 5. once a part's own labelled paragraph answers, another part's paragraph does not
    ("value-in-next-part-paragraph", "## Q2.3\n(a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n\n"
     "(b) $\\rho(0.05) = \\frac{0.2431}{0.9975} = 0.2437$\n\n(c) Using the handout's value $\\rho(0.05) \\approx 0.2505$ "
     "instead of mine, the powers are as below.\n", "Q2.3b", "incorrect"),
    ("right-value-before-next-part-paragraph", "## Q2.3\n(b) $\\rho(0.05) = \\frac{0.2499}{0.9975} = 0.2505$\n\n"
     "(c) Using my value $\\rho(0.05) \\approx 0.2437$ instead of the handout's, the powers are as below.\n", "Q2.3b",
     "correct"),
    ("value-in-paragraph-after-next-label", "## Q2.3\n(b) $\\rho(0.05) = 0.2437$\n\n(c) For the powers:\n\n"
     "the handout has $\\rho(0.05) \\approx 0.2505$.\n", "Q2.3b", "incorrect"),
    # with no answer in its own paragraph the part is still read where it is named
    ("right-named-in-another-paragraph", "## Q2.3\n(b) see below\n\n(c) With $\\rho(0.05) \\approx 0.2505$ the powers "
     "follow.\n", "Q2.3b", "correct"),
    ("right-later-correction-in-own-paragraphs", "## Q2.3\n(b) 0.2601\n\nCorrection after re-checking: "
     "$\\rho(0.05) = 0.2505$.\n", "Q2.3b", "correct"),
    # 6. Q2.3d: a block quote is the question pasted, not the answer; what the student expected is no claim
    ("expected-then-opposite", "## Q2.3\n(d) I expected that the true ratio decays more slowly than the "
     "approximation, but my plot shows the opposite.\n", "Q2.3d", "incorrect"),
    ("right-expected-then-opposite", "## Q2.3\n(d) I expected that the true ratio decays faster than the "
     "approximation, but my plot shows the opposite.\n", "Q2.3d", "correct"),
    ("expected-alone-is-no-claim", "## Q2.3\n(d) I thought the approximation decays faster.\n", "Q2.3d",
     "could not read"),
    ("expected-then-other-claim", "## Q2.3\n(d) I had expected the approximation to decay faster, but the true ratio "
     "decays faster.\n", "Q2.3d", "incorrect"),
    ("quoted-prompt-then-true", "## Q2.3\n### (d)\n> Which of the two curves decays faster? In a written answer you "
     "may say it in words (\"the true ratio decays more slowly than the approximation\").\n\nFrom my plot: true.\n",
     "Q2.3d", "could not read"),
    ("quoted-prompt-then-answer-true", "## Q2.3\n### (d)\n> Which of the two curves decays faster? Answer \"approx\" "
     "or \"true\"; in a written answer you may say it in words (\"the true ratio decays more slowly than the "
     "approximation\").\n\n**Answer:** true\n", "Q2.3d", "incorrect"),
    ("right-quoted-prompt-then-answer", "## Q2.3\n### (d)\n> Which of the two curves decays faster? Answer \"approx\" "
     "or \"true\".\n\nThe approximation decays faster.\n", "Q2.3d", "correct"),
    ("right-answer-only-in-quote", "## Q2.3\n### (d)\n> approx\n", "Q2.3d", "correct"),
    ("right-as-expected", "## Q2.3\n(d) As expected, the approximation decays faster.\n", "Q2.3d", "correct"),
    # a pasted prompt is no answer for other parts either
    ("quoted-prompt-is-no-rubric-answer", "## Q2.4\n> What does this imply for training a recurrent neural network "
     "with back-propagation through time? BPTT multiplies one activation derivative per time step.\n\nNo idea.\n",
     "Q2.4", "incorrect"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_false_accepts_are_gone(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert part.status == status, (part.answer, part.feedback)


def test_unclear_table_row_says_why(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, table("| Part | Expression | Notes |",
                                                 "| Q2.3b | $0.2601$ | handout example: $0.2505$ |"))["Q2.3b"]
    assert "no single one is headed as the answer" in part.feedback
    assert "'Expression', 'Notes'" in part.feedback and "Q2.3b | $0.2601$" in part.feedback


def test_remark_that_goes_on_says_why(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.3\nρ_approx(ε) = 1/4 (the ratio of constants) times (1 + ε)\n")["Q2.3a"]
    assert "goes on in words after the remark “(the ratio of constants)”" in part.feedback


def test_approx_step_before_unnamed_answers_says_why(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.1\nThe derivative near zero: σ'(ε) ≈ 1/4, tanh'(ε) ≈ 1. The linear "
                      "approximations are\n\n$$\\frac14 + \\frac{\\varepsilon}{4} \\quad\\text{and}\\quad 1 - "
                      "\\varepsilon.$$\n")["Q2.1a"]
    assert "“σ'(ε) ≈ 1/4” (line 2) gives the exact quantity approximately" in part.feedback
    assert "is not said to be any quantity of the question" in part.feedback
