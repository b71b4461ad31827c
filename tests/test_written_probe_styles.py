"""Ways of writing Question 2 answers that a probe of realistic write-ups found misread, each through the
real pipeline, each right spelling next to a wrong twin spelt the same way.

The shapes: a later remark on ρ(ε) or ρ_approx replacing the answer ρ(0.05); a bare list of Q2.3c's values
under its own heading; "Answer: $\\mathbb{R}$" for Q2.2; intervals written with a semicolon; struck-out
drafts; ``\\begin{align*}`` written without ``$$``; and tables (named rows, a ``| T | value |`` table, a
``| faster decay | approx |`` row).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import Grader


def grade_text(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


RIGHT_VALUES = "0.2505,\\ 9.86\\times10^{-4},\\ 9.72\\times10^{-7},\\ 9.44\\times10^{-13}"
WRONG_VALUES = "0.5,\\ 2\\times10^{-3},\\ 2\\times10^{-6},\\ 2\\times10^{-12}"  # each off by more than 10 %
RIGHT_LIST = "[0.2505, 9.86\\times10^{-4}, 9.72\\times10^{-7}, 9.44\\times10^{-13}]"
WRONG_LIST = "[0.5, 9.86\\times10^{-3}, 9.72\\times10^{-6}, 9.44\\times10^{-12}]"

# (id, document, part, expected status); each "right-" row has a "wrong-" twin spelt the same way.
CASES = [
    # 1. the answer at the asked argument beats a later remark on ρ at another argument, ρ bare or ρ_approx
    ("right-then-generic-remark", "## Q2.3\n$\\rho(0.05) \\approx 0.2505$. This is close to the approximation, "
     "since $\\rho(\\varepsilon) \\approx \\rho_{approx}(\\varepsilon) = \\frac14$ for small ε.", "Q2.3b", "correct"),
    ("wrong-then-generic-remark", "## Q2.3\n$\\rho(0.05) \\approx 0.2$. This is close to the approximation, "
     "since $\\rho(\\varepsilon) \\approx \\rho_{approx}(\\varepsilon) = \\frac14$ for small ε.", "Q2.3b", "incorrect"),
    ("right-then-bare-remark", "## Q2.3\n$\\rho(0.05) \\approx 0.2505$ while the approximation gives "
     "$\\rho \\approx 0.25$.", "Q2.3b", "correct"),
    ("wrong-then-bare-remark", "## Q2.3\n$\\rho(0.05) \\approx 0.25$ while the exact value is "
     "$\\rho \\approx 0.2505$.", "Q2.3b", "incorrect"),
    ("generic-alone-still-answers", "## Q2.3b\n$\\rho \\approx 0.2505$", "Q2.3b", "correct"),
    # 2. a bare list of Q2.3c's values under its own heading, or after "(c)" in Q2.3's section
    ("right-bare-list", f"### Q2.3c\n${RIGHT_LIST}$", "Q2.3c", "correct"),
    ("wrong-bare-list", f"### Q2.3c\n${WRONG_LIST}$", "Q2.3c", "incorrect"),
    ("right-list-after-answer", f"### Q2.3c\n**Answer:** $[{RIGHT_VALUES}]$", "Q2.3c", "correct"),
    ("wrong-list-after-answer", f"### Q2.3c\n**Answer:** $[{WRONG_VALUES}]$", "Q2.3c", "incorrect"),
    ("right-list-after-for-T", f"### Q2.3c\nFor $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$", "Q2.3c", "correct"),
    ("wrong-list-after-for-T", f"### Q2.3c\nFor $T = 1, 5, 10, 20$: ${WRONG_VALUES}$", "Q2.3c", "incorrect"),
    ("right-list-reversed-T", "### Q2.3c\nFor $T = 20, 10, 5, 1$: $9.44\\times10^{-13},\\ 9.72\\times10^{-7},\\ "
     "9.86\\times10^{-4},\\ 0.2505$", "Q2.3c", "correct"),
    ("list-for-other-T", f"### Q2.3c\nFor $T = 2, 5, 10, 20$: ${RIGHT_VALUES}$", "Q2.3c", "could not read"),
    ("right-list-after-letter", f"## Q2.3\n(c) For $T = 1, 5, 10, 20$: ${RIGHT_VALUES}$", "Q2.3c", "correct"),
    ("wrong-list-after-letter", f"## Q2.3\n(c) For $T = 1, 5, 10, 20$: ${WRONG_VALUES}$", "Q2.3c", "incorrect"),
    ("unlabelled-list-in-shared-section", f"## Q2.3\n${RIGHT_LIST}$", "Q2.3c", "could not read"),
    # Unicode superscripts for the powers and exponents, in maths or in plain text
    ("right-unicode-superscripts", "## Q2.3\n(c) ρ(0.05)¹ ≈ 0.2505, ρ(0.05)⁵ ≈ 9.86·10⁻⁴, ρ(0.05)¹⁰ ≈ 9.72·10⁻⁷, "
     "ρ(0.05)²⁰ ≈ 9.44·10⁻¹³", "Q2.3c", "correct"),
    ("wrong-unicode-superscripts", "## Q2.3\n(c) ρ(0.05)¹ ≈ 0.2505, ρ(0.05)⁵ ≈ 9.86·10⁻³, ρ(0.05)¹⁰ ≈ 9.72·10⁻⁶, "
     "ρ(0.05)²⁰ ≈ 9.44·10⁻¹²", "Q2.3c", "partial"),
    ("right-unicode-superscripts-in-maths", "## Q2.3\n$ρ(0.05)⁵ ≈ 9.86·10⁻⁴$, $ρ(0.05)¹ ≈ 0.2505$, "
     "$ρ(0.05)²⁰ ≈ 9.44·10⁻¹³$, $ρ(0.05)¹⁰ ≈ 9.72·10⁻⁷$", "Q2.3c", "correct"),
    # label lines on consecutive lines of one paragraph: each opens its own part
    ("right-label-lines-in-one-paragraph", "## Q2.3\nQ2.3a: $\\rho_{approx} = 1/4$\nQ2.3b: $\\rho(0.05) = 0.2505$\n"
     "Q2.3d: approx", "Q2.3d", "correct"),
    ("wrong-label-lines-in-one-paragraph", "## Q2.3\nQ2.3a: $\\rho_{approx} = 1/4$\nQ2.3b: $\\rho(0.05) = 0.2505$\n"
     "Q2.3d: true", "Q2.3d", "incorrect"),
    ("bold-label-lines-in-one-paragraph", "## Q2.3\n**Q2.3a:** $\\rho_{approx} = 1/4$\n**Q2.3b:** "
     "$\\rho(0.05) = 0.2505$", "Q2.3b", "correct"),
    # 3. "Answer:" before the set
    ("right-bold-answer-interval", "## Q2.2\n**Answer:** $(-\\infty, \\infty)$", "Q2.2", "correct"),
    ("wrong-bold-answer-interval", "## Q2.2\n**Answer:** $(0, \\infty)$", "Q2.2", "incorrect"),
    ("right-answer-reals", "## Q2.2\nAnswer: $\\mathbb{R}$", "Q2.2", "correct"),
    ("wrong-answer-empty", "## Q2.2\nAnswer: $\\emptyset$", "Q2.2", "incorrect"),
    ("answer-outside-its-section-is-no-set", "## Q2\nAnswer: $(-\\infty, \\infty)$", "Q2.2", "not answered"),
    # 4. intervals written with a semicolon
    ("right-semicolon-in", "## Q2.2\n$\\varepsilon \\in (-\\infty; +\\infty)$", "Q2.2", "correct"),
    ("wrong-semicolon-in", "## Q2.2\n$\\varepsilon \\in [0; +\\infty)$", "Q2.2", "incorrect"),
    ("right-semicolon-alone", "## Q2.2\n$(-\\infty;\\infty)$", "Q2.2", "correct"),
    ("wrong-semicolon-alone", "## Q2.2\n$(0;\\infty)$", "Q2.2", "incorrect"),
    ("right-semicolon-set-is", "## Q2.2\nThe set is $(-\\infty; +\\infty)$.", "Q2.2", "correct"),
    ("right-semicolon-named-outside", "# Question 2\nThe inequality holds for $\\varepsilon \\in (-\\infty; \\infty)$.",
     "Q2.2", "correct"),
    # 5. a struck-out draft is no answer
    ("right-then-struck-draft", "## Q2.3\n(b) $\\rho(0.05) = 0.2505$ ~~$\\rho(0.05) = 0.2500$~~", "Q2.3b", "correct"),
    ("wrong-then-struck-draft", "## Q2.3\n(b) $\\rho(0.05) = 0.2500$ ~~$\\rho(0.05) = 0.2505$~~", "Q2.3b",
     "incorrect"),
    ("right-struck-paragraph-after", "## Q2.3b\n$0.2505$\n\n~~$0.25$~~", "Q2.3b", "correct"),
    ("wrong-struck-paragraph-after", "## Q2.3b\n$0.25$\n\n~~$0.2505$~~", "Q2.3b", "incorrect"),
    ("struck-only", "## Q2.3\n~~(b) $\\rho(0.05) = 0.2505$~~", "Q2.3b", "not answered"),
    # 6. \begin{align*} … \end{align*} (and equation, gather) without $$ around it
    ("right-bare-align", "## Q2.3\n\n\\begin{align*}\n\\rho(0.05) &= \\frac{0.24984}{0.99750} \\\\\n"
     "&\\approx 0.2505\n\\end{align*}", "Q2.3b", "correct"),
    ("wrong-bare-align", "## Q2.3\n\n\\begin{align*}\n\\rho(0.05) &= \\frac{0.24984}{0.99934} \\\\\n"
     "&\\approx 0.2500\n\\end{align*}", "Q2.3b", "incorrect"),
    ("right-align-after-letter", "## Q2.3\n(b)\n\\begin{align}\n\\rho(0.05) &= \\frac{0.24984}{0.99750} \\\\\n"
     "&\\approx 0.2505\n\\end{align}", "Q2.3b", "correct"),
    ("right-bare-gather", "## Q2.1\n\\begin{gather}\n\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 \\\\\n"
     "\\dot\\tanh_{approx}(\\varepsilon) = 1\n\\end{gather}", "Q2.1b", "correct"),
    ("wrong-bare-gather", "## Q2.1\n\\begin{gather}\n\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 \\\\\n"
     "\\dot\\tanh_{approx}(\\varepsilon) = 1 - \\varepsilon\n\\end{gather}", "Q2.1b", "incorrect"),
    ("right-bare-equation", "## Q2.3\n\\begin{equation}\n\\rho(0.05) \\approx 0.2505\n\\end{equation}", "Q2.3b",
     "correct"),
    ("wrong-bare-equation", "## Q2.3\n\\begin{equation}\n\\rho(0.05) \\approx 0.3\n\\end{equation}", "Q2.3b",
     "incorrect"),
    # 7. tables: rows naming each value, a "| T | value |" table in the part's own section, a choice row
    ("right-named-rows", "## Q2.3\n| quantity | value |\n|---|---|\n| $\\rho(0.05)^{1}$ | $0.2505$ |\n"
     "| $\\rho(0.05)^{5}$ | $9.9 \\cdot 10^{-4}$ |\n| $\\rho(0.05)^{10}$ | $9.7 \\cdot 10^{-7}$ |\n"
     "| $\\rho(0.05)^{20}$ | $9.4 \\cdot 10^{-13}$ |", "Q2.3c", "correct"),
    ("wrong-named-rows", "## Q2.3\n| quantity | value |\n|---|---|\n| $\\rho(0.05)^{1}$ | $0.5$ |\n"
     "| $\\rho(0.05)^{5}$ | $9.9 \\cdot 10^{-3}$ |\n| $\\rho(0.05)^{10}$ | $9.7 \\cdot 10^{-6}$ |\n"
     "| $\\rho(0.05)^{20}$ | $9.4 \\cdot 10^{-12}$ |", "Q2.3c", "incorrect"),
    ("one-named-row-is-a-quarter", "## Q2.3\n| quantity | value |\n|---|---|\n| $\\rho(0.05)^{5}$ | $9.9\\cdot10^{-4}$ |",
     "Q2.3c", "partial"),
    ("right-T-value-table", "## Q2.3 (c)\n| T | value |\n|---|---|\n| 1 | 0.2505 |\n| 5 | 0.000986 |\n"
     "| 10 | 9.72e-7 |\n| 20 | 9.44e-13 |", "Q2.3c", "correct"),
    ("wrong-T-value-table", "## Q2.3 (c)\n| T | value |\n|---|---|\n| 1 | 0.5 |\n| 5 | 0.00986 |\n"
     "| 10 | 9.72e-6 |\n| 20 | 9.44e-12 |", "Q2.3c", "incorrect"),
    ("T-value-table-in-shared-section", "## Q2.3\n| T | value |\n|---|---|\n| 1 | 0.2505 |\n| 5 | 0.000986 |\n"
     "| 10 | 9.72e-7 |\n| 20 | 9.44e-13 |", "Q2.3c", "could not read"),
    ("right-choice-row", "## Q2.3\n| quantity | value |\n|---|---|\n| $\\rho(0.05)$ | $0.2505$ |\n"
     "| faster decay | approx |", "Q2.3d", "correct"),
    ("wrong-choice-row", "## Q2.3\n| quantity | value |\n|---|---|\n| $\\rho(0.05)$ | $0.2505$ |\n"
     "| faster decay | true |", "Q2.3d", "incorrect"),
    ("choice-row-against-prose", "## Q2.3\n| | |\n|---|---|\n| faster decay | approx |\n\nThe true ratio decays faster.",
     "Q2.3d", "could not read"),
]


@pytest.mark.parametrize("document, label, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_probe_styles_get_their_verdict(q2_grader, tmp_path, document, label, status):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert part.status == status, (part.answer, part.feedback)
