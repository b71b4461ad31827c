"""Layouts of Question 2 write-ups that a probe found misread: answer tables keyed by part label, part labels
inside list items, "(b) 0.2505" and Q2.3d's choice in words after a label, Q2.3c's values in separate maths
spans or in plain text, and plain-text names with remarks after the value.

Each case goes through the real pipeline; every "right-" row has a "wrong-" twin written the same way, so a
new way of reading never turns a wrong answer right.
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
WRONG_VALUES = "0.5, 9.86\\times10^{-3}, 9.72\\times10^{-6}, 9.44\\times10^{-12}"  # each off by more than 10 %


def label_table(q21a: str, q22: str, q23c: str, q23d: str) -> str:
    return ("## Q2 answers\n\n| Part | Quantity | Answer |\n|---|---|---|\n"
            f"| Q2.1a | $\\dot\\sigma_{{approx}}(\\varepsilon)$ | {q21a} |\n"
            "| Q2.1b | $\\dot\\tanh_{approx}(\\varepsilon)$ | $1$ |\n"
            f"| Q2.2 | set of $\\varepsilon$ | {q22} |\n"
            "| Q2.3a | $\\rho_{approx}(\\varepsilon)$ | $\\frac14$ |\n"
            "| Q2.3b | $\\rho(0.05)$ | $0.2505$ |\n"
            f"| Q2.3c | $\\rho(0.05)^T$, $T=1,5,10,20$ | {q23c} |\n"
            f"| Q2.3d | faster decay | {q23d} |\n\n"
            "## Q2.4\n\nBack-propagation through time multiplies one activation derivative per time step.\n")


RIGHT_TABLE = label_table("$\\frac{1}{4}$", "$(-\\infty, \\infty)$", f"${RIGHT_VALUES}$", "approx")
WRONG_TABLE = label_table("$\\frac{1}{2}$", "$[0, \\infty)$", f"${WRONG_VALUES}$", "true")

RUBRIC_RIGHT = ("BPTT multiplies the gradient by one derivative per time step; the sigmoid's derivative is at most "
                "1/4 while tanh's is at most 1, so gradients vanish faster with sigmoid.")
RUBRIC_WRONG = "The gradients are added up over the sequence, so nothing changes with the activation."


def labelled_items(q22: str, q23d: str, q24: str) -> str:
    return ("# Question 2\n\n"
            "1. **Q2.1:** $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$, $\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n"
            f"2. **Q2.2:** {q22}.\n"
            "3. **Q2.3:**\n"
            "   - (a) $\\rho_{approx}(\\varepsilon) = \\frac14$\n"
            "   - (b) $\\rho(0.05) \\approx 0.2505$\n"
            f"   - (d) {q23d}\n"
            f"4. **Q2.4:** {q24}\n")


# (id, document, part, expected status)
CASES = [
    # 1. a table whose rows are keyed by part label: the answer cell answers the part the first cell labels
    *[(f"right-label-table-{label}", RIGHT_TABLE, label, "correct") for label in
      ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d")],
    *[(f"wrong-label-table-{label}", WRONG_TABLE, label, "incorrect") for label in ("Q2.1a", "Q2.2", "Q2.3c", "Q2.3d")],
    ("right-two-column-label-table", "# Question 2\n\n| Part | Answer |\n|---|---|\n| Q2.1a | $\\frac14$ |\n"
     "| Q2.3b | $0.2505$ |\n", "Q2.1a", "correct"),
    ("wrong-two-column-label-table", "# Question 2\n\n| Part | Answer |\n|---|---|\n| Q2.1a | $\\frac12$ |\n"
     "| Q2.3b | $0.2505$ |\n", "Q2.1a", "incorrect"),
    ("right-two-column-label-table-number", "# Question 2\n\n| Part | Answer |\n|---|---|\n| Q2.1a | $\\frac14$ |\n"
     "| Q2.3b | $0.2505$ |\n", "Q2.3b", "correct"),
    ("wrong-two-column-label-table-number", "# Question 2\n\n| Part | Answer |\n|---|---|\n| Q2.1a | $\\frac14$ |\n"
     "| Q2.3b | $0.25$ |\n", "Q2.3b", "incorrect"),
    ("right-letter-rows-in-section", "## Q2.3\n\n| Part | Answer |\n|---|---|\n| (a) | $\\rho_{approx} = \\frac14$ |\n"
     "| (d) | approx |\n", "Q2.3d", "correct"),
    ("wrong-letter-rows-in-section", "## Q2.3\n\n| Part | Answer |\n|---|---|\n| (a) | $\\rho_{approx} = \\frac14$ |\n"
     "| (d) | true |\n", "Q2.3d", "incorrect"),
    # the column headed "Answer" is the answer, not a comment after it
    ("right-answer-column-before-comment", "# Question 2\n\n| Part | Answer | Comment |\n|---|---|---|\n"
     "| Q2.3b | $0.2505$ | the approximation gives $0.25$ |\n", "Q2.3b", "correct"),
    ("wrong-answer-column-before-comment", "# Question 2\n\n| Part | Answer | Comment |\n|---|---|---|\n"
     "| Q2.3b | $0.25$ | the true value is $0.2505$ |\n", "Q2.3b", "incorrect"),
    # what follows the table is still the section's
    ("right-paragraph-after-letter-table", "## Q2.3\n\n| Part | Answer |\n|---|---|\n| (d) | approx |\n\n"
     "$\\rho(0.05) \\approx 0.2505$\n", "Q2.3b", "correct"),
    ("wrong-paragraph-after-letter-table", "## Q2.3\n\n| Part | Answer |\n|---|---|\n| (d) | approx |\n\n"
     "$\\rho(0.05) \\approx 0.25$\n", "Q2.3b", "incorrect"),
    # one label for two quantities: the cell before the answer names which
    ("right-shared-label-rows", "## Answers\n\n| Part | Quantity | Answer |\n|---|---|---|\n"
     "| Q2.1 | $\\dot\\sigma_{approx}$ | $\\frac14$ |\n| Q2.1 | $\\dot\\tanh_{approx}$ | $1$ |\n", "Q2.1a", "correct"),
    ("wrong-shared-label-rows", "## Answers\n\n| Part | Quantity | Answer |\n|---|---|---|\n"
     "| Q2.1 | $\\dot\\sigma_{approx}$ | $1$ |\n| Q2.1 | $\\dot\\tanh_{approx}$ | $\\frac14$ |\n", "Q2.1a", "incorrect"),
    # a number in the first cell is a row of values, not a label
    ("numbered-row-is-no-label", "# Question 2\n\n| x | y |\n|---|---|\n| 2.2 | $(-\\infty, \\infty)$ |\n",
     "Q2.2", "not answered"),
    ("label-row-with-empty-answer", "# Question 2\n\n| Part | Answer |\n|---|---|\n| Q2.3b | |\n", "Q2.3b",
     "not answered"),
    # 2. part labels opening list items: the label's section is the item
    *[(f"right-labelled-items-{label}", labelled_items("$\\varepsilon \\in \\mathbb{R}$", "approx", RUBRIC_RIGHT), label,
       "correct") for label in ("Q2.1a", "Q2.2", "Q2.3b", "Q2.3d", "Q2.4")],
    *[(f"wrong-labelled-items-{label}", labelled_items("$\\varepsilon \\in [0, \\infty)$", "true", RUBRIC_WRONG), label,
       "incorrect") for label in ("Q2.2", "Q2.3d", "Q2.4")],
    ("right-bold-label-then-answer-item", "# Question 2\n\n1. **Q2.2** Both are constants, so "
     "$(-\\infty, \\infty)$\n2. **Q2.4** " + RUBRIC_RIGHT, "Q2.4", "correct"),
    ("wrong-bold-label-then-answer-item", "# Question 2\n\n1. **Q2.2** Both are constants, so "
     "$(-\\infty, \\infty)$\n2. **Q2.4** " + RUBRIC_WRONG, "Q2.4", "incorrect"),
    ("right-plain-label-lines", "1. Q2.1\n   $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$\n2. Q2.2\n\n"
     "   $(-\\infty, \\infty)$\n", "Q2.2", "correct"),
    ("wrong-plain-label-lines", "1. Q2.1\n   $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$\n2. Q2.2\n\n"
     "   $(0, \\infty)$\n", "Q2.2", "incorrect"),
    ("right-plain-label-item-prose", "1. Q2.1\n   $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$\n2. Q2.4\n\n"
     "   " + RUBRIC_RIGHT, "Q2.4", "correct"),
    ("wrong-plain-label-item-prose", "1. Q2.1\n   $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$\n2. Q2.4\n\n"
     "   " + RUBRIC_WRONG, "Q2.4", "incorrect"),
    ("wrong-letter-item-with-maths", labelled_items("$\\mathbb{R}$", "approx", RUBRIC_RIGHT).replace(
        "0.2505", "0.25"), "Q2.3b", "incorrect"),
    ("labelled-items-leave-out-c", labelled_items("$\\mathbb{R}$", "approx", RUBRIC_RIGHT), "Q2.3c", "not answered"),
    ("right-letter-items-in-section", "## Q2.3\n\n- (a) $\\rho_{approx} = \\frac14$\n- (d) approx\n", "Q2.3d",
     "correct"),
    ("wrong-letter-items-in-section", "## Q2.3\n\n- (a) $\\rho_{approx} = \\frac14$\n- (d) true\n", "Q2.3d",
     "incorrect"),
    # the item's section ends with the item: a paragraph after the list is the heading's again
    ("right-paragraph-after-labelled-items", "## Q2.3\n\n- (d) approx\n\n$\\rho(0.05) \\approx 0.2505$\n", "Q2.3b",
     "correct"),
    ("wrong-paragraph-after-labelled-items", "## Q2.3\n\n- (d) approx\n\n$\\rho(0.05) \\approx 0.25$\n", "Q2.3b",
     "incorrect"),
    ("items-are-not-the-next-parts-answer", "## Q2.2\n\n- (a) $\\varepsilon \\in [0, \\infty)$\n\n"
     "## Q2.3\n\n- (d) approx\n", "Q2.2", "incorrect"),
    # an item numbered like a part without its letter is no label
    ("numbered-item-is-no-label", "# Question 2\n\n- 2.2\n\n  $(-\\infty, \\infty)$\n", "Q2.2", "not answered"),
    # 3. a value alone after the part's letter, without a colon, in the section of Q2.3
    ("right-letter-then-number", "## Q2.3\n\n(a) $\\rho_{approx} = \\frac14$\n\n(b) 0.2505\n", "Q2.3b", "correct"),
    ("wrong-letter-then-number", "## Q2.3\n\n(a) $\\rho_{approx} = \\frac14$\n\n(b) 0.25\n", "Q2.3b", "incorrect"),
    ("right-letter-then-maths-number", "## Q2.3\n\n(b) $0.2505$\n", "Q2.3b", "correct"),
    ("wrong-letter-then-maths-number", "## Q2.3\n\n(b) $0.25$\n", "Q2.3b", "incorrect"),
    ("right-letter-then-expression", "## Q2.3\n\n(a) $\\frac{1}{4}$\n", "Q2.3a", "correct"),
    ("wrong-letter-then-expression", "## Q2.3\n\n(a) $\\frac{1}{4(1-\\varepsilon^2)}$\n", "Q2.3a", "incorrect"),
    ("letter-then-sentence-is-no-value", "## Q2.3\n\n(b) we get about 0.2505 here\n", "Q2.3b", "could not read"),
    ("letter-then-name-alone-is-no-value", "## Q2.3\n\n(b) $\\rho(0.05)$\n", "Q2.3b", "could not read"),
    ("another-letter-is-not-the-part", "## Q2.3\n\n(c) 0.2505\n", "Q2.3b", "could not read"),
    # Q2.3d's choice named in a few words after its letter; the spec's choices say which words name which
    *[(f"right-choice-phrase-{k}", f"## Q2.3\n\n(a) $\\rho_{{approx}}(\\varepsilon) = \\frac14$\n\n{said}\n", "Q2.3d",
       "correct") for k, said in enumerate(["(d) The approximation.", "(d) approximation", "(d): the approximation",
                                            "(d) The approximate one.", "(d) Answer: the approximated ratio",
                                            "(d) $\\rho_{approx}$", "(d) The approximation, since $\\rho > \\frac14$."])],
    *[(f"wrong-choice-phrase-{k}", f"## Q2.3\n\n(a) $\\rho_{{approx}}(\\varepsilon) = \\frac14$\n\n{said}\n", "Q2.3d",
       "incorrect") for k, said in enumerate(["(d) The true ratio.", "(d) true", "(d): the true one",
                                            "(d) Answer: the true ratio", "(d) the true curve, since $\\rho > \\frac14$."])],
    *[(f"choice-phrase-not-read-{k}", f"## Q2.3\n\n(a) $\\rho_{{approx}}(\\varepsilon) = \\frac14$\n\n{said}\n",
       "Q2.3d", "could not read") for k, said in enumerate(["(d) not the approximation", "(d) The approximation?",
                                                            "(d) the approximation and the true one",
                                                            "(d) approximately the same"])],
    # 4. Q2.3c's values each in its own maths span, or as plain text, in the part's own section or after "(c)"
    ("right-values-in-own-spans", "## Q2.3\n### (c)\nFor $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, "
     "$9.72\\times10^{-7}$, $9.44\\times10^{-13}$.\n", "Q2.3c", "correct"),
    ("wrong-values-in-own-spans", "## Q2.3\n### (c)\nFor $T = 1, 5, 10, 20$: $0.5$, $9.86\\times10^{-3}$, "
     "$9.72\\times10^{-6}$, $9.44\\times10^{-12}$.\n", "Q2.3c", "incorrect"),
    ("right-values-in-own-spans-alone", "## Q2.3\n### (c)\n$0.2505$, $9.86\\times10^{-4}$, $9.72\\times10^{-7}$, "
     "$9.44\\times10^{-13}$\n", "Q2.3c", "correct"),
    ("wrong-values-in-own-spans-alone", "## Q2.3\n### (c)\n$0.5$, $9.86\\times10^{-3}$, $9.72\\times10^{-6}$, "
     "$9.44\\times10^{-12}$\n", "Q2.3c", "incorrect"),
    ("right-values-in-own-spans-after-letter", "## Q2.3\n\n(c) $0.25$, $0.00098$, $9.5 \\times 10^{-7}$, "
     "$9.4 \\times 10^{-13}$\n", "Q2.3c", "correct"),
    ("wrong-values-in-own-spans-after-letter", "## Q2.3\n\n(c) $0.25$, $0.0098$, $9.5 \\times 10^{-6}$, "
     "$9.4 \\times 10^{-12}$\n", "Q2.3c", "partial"),
    ("right-plain-values-for-T", "## Q2.3\n### (c)\nFor T = 1, 5, 10, 20: 0.2505, 9.86e-4, 9.72e-7, 9.44e-13\n",
     "Q2.3c", "correct"),
    ("wrong-plain-values-for-T", "## Q2.3\n### (c)\nFor T = 1, 5, 10, 20: 0.5, 9.86e-3, 9.72e-6, 9.44e-12\n",
     "Q2.3c", "incorrect"),
    ("right-plain-decimals", "## Q2.3\n### (c)\nFor T = 1, 5, 10, 20: 0.2505, 0.000986, 0.000000972, "
     "0.000000000000944\n", "Q2.3c", "correct"),
    ("wrong-plain-decimals", "## Q2.3\n### (c)\nFor T = 1, 5, 10, 20: 0.2505, 0.00986, 0.00000972, "
     "0.00000000000944\n", "Q2.3c", "partial"),
    ("right-plain-values-alone", "## Q2.3\n### (c)\n0.2505, 9.86e-4, 9.72e-7 and 9.44e-13\n", "Q2.3c", "correct"),
    ("wrong-plain-values-alone", "## Q2.3\n### (c)\n0.5, 9.86e-3, 9.72e-6 and 9.44e-12\n", "Q2.3c", "incorrect"),
    ("right-plain-values-reversed-T", "## Q2.3\n### (c)\nFor T = 20, 10, 5, 1: 9.44e-13, 9.72e-7, 9.86e-4, 0.2505\n",
     "Q2.3c", "correct"),
    ("wrong-plain-values-reversed-T", "## Q2.3\n### (c)\nFor T = 20, 10, 5, 1: 0.2505, 9.86e-4, 9.72e-7, 9.44e-13\n",
     "Q2.3c", "incorrect"),
    ("plain-values-for-other-T", "## Q2.3\n### (c)\nFor T = 2, 5, 10, 20: 0.2505, 9.86e-4, 9.72e-7, 9.44e-13\n",
     "Q2.3c", "could not read"),
    ("right-mathrm-e-list", "## Q2.3\n### (c)\n$[0.2505,\\; 0.000986,\\; 9.72\\mathrm{e}{-7},\\; 9.44\\mathrm{e}{-13}]$\n",
     "Q2.3c", "correct"),
    ("wrong-mathrm-e-list", "## Q2.3\n### (c)\n$[0.2505,\\; 0.00986,\\; 9.72\\mathrm{e}{-6},\\; 9.44\\mathrm{e}{-12}]$\n",
     "Q2.3c", "partial"),
    ("plain-values-in-shared-section", "## Q2.3\n\n0.2505, 9.86e-4, 9.72e-7, 9.44e-13\n", "Q2.3c", "could not read"),
    ("words-in-the-list-are-no-list", "## Q2.3\n### (c)\nabout 0.25, 1e-3, 1e-6 and 1e-12 roughly\n", "Q2.3c",
     "could not read"),
    ("three-values-are-no-answer", "## Q2.3\n### (c)\n0.2505, 9.86e-4, 9.72e-7\n", "Q2.3c", "could not read"),
    # 5. plain text: an argument "e" (for ε) in a name, and remarks after the value
    ("right-e-argument", "## Q2.1\nExpanding: sigma'(e) = sigma'(0) + sigma''(0) e = 1/4 + 0*e\n\n"
     "So sigma'_approx(e) = 1/4.\n", "Q2.1a", "correct"),
    ("wrong-e-argument", "## Q2.1\nExpanding: sigma'(e) = sigma'(0) + sigma''(0) e = 1/4 + 0*e\n\n"
     "So sigma'_approx(e) = 1/4 + e/4.\n", "Q2.1a", "incorrect"),
    ("right-e-argument-in-maths", "## Q2.3\n(a) $\\rho_{approx}(e) = 1/4$\n", "Q2.3a", "correct"),
    ("wrong-e-argument-in-maths", "## Q2.3\n(a) $\\rho_{approx}(e) = 4$\n", "Q2.3a", "incorrect"),
    ("right-ie-remark", "## Q2.1\nSo σ̇_approx(ε) = 1/4, i.e. a constant, and tanḣ_approx(ε) = 1, also a constant.\n",
     "Q2.1a", "correct"),
    ("wrong-ie-remark", "## Q2.1\nSo σ̇_approx(ε) = 1/2, i.e. a constant, and tanḣ_approx(ε) = 1, also a constant.\n",
     "Q2.1a", "incorrect"),
    ("right-bracketed-remark", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant) and tanḣ_approx(ε) = 1 (constant)\n", "Q2.1b",
     "correct"),
    ("wrong-bracketed-remark", "## Q2.1\nσ̇_approx(ε) = 1/4 (constant) and tanḣ_approx(ε) = 1/4 (constant)\n", "Q2.1b",
     "incorrect"),
    ("right-ie-remark-on-number", "## Q2.3\n(b) ρ(0.05) = 0.2505, i.e. about 0.2% above 1/4.\n", "Q2.3b", "correct"),
    ("wrong-ie-remark-on-number", "## Q2.3\n(b) ρ(0.05) = 0.2500, i.e. exactly 1/4.\n", "Q2.3b", "incorrect"),
    ("right-significant-figures-remark", "## Q2.3\nρ(0.05) = 0.2505 (4 s.f.)\n", "Q2.3b", "correct"),
    ("wrong-significant-figures-remark", "## Q2.3\nρ(0.05) = 0.2500 (4 s.f.)\n", "Q2.3b", "incorrect"),
    # the comma of a plain-text interval is the interval's, not the end of the clause
    ("right-plain-inf-interval", "## Q2.2\n1/4 <= 1 for every e, so the set is (-inf, inf).\n", "Q2.2", "correct"),
    ("wrong-plain-inf-interval", "## Q2.2\n1/4 <= 1 for every e, so the set is (0, inf).\n", "Q2.2", "incorrect"),
    # a bracket holding maths is part of the value, not a remark
    ("bracketed-factor-stays", "## Q2.1\nsigma_dot_approx(eps) = 1/4 (1 + eps)\n", "Q2.1a", "incorrect"),
    ("right-choice-phrase-own-section", "## Q2.3\n### (d)\nThe approximate curve.\n", "Q2.3d", "correct"),
    ("wrong-choice-phrase-own-section", "## Q2.3\n### (d)\nThe true curve.\n", "Q2.3d", "incorrect"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layouts_get_their_verdict(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert part.status == status, (part.answer, part.feedback)
