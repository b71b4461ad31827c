"""A probe's Markdown answers to Q2 that were graded on the wrong value, each next to a right twin.

Text struck out with HTML (``<s>``, ``<del>``, ``<strike>``, a span styled line-through) was read as if it
stood; a final value handed on from the named one ("…, which rounds to $0.2437$") was passed over for the
named one; a block quote that says it is the answer ("> **Answer:** …") was taken for the pasted prompt; and a
table's value cell holding a chain was read whole.  Each document goes through the real pipeline
(``q2_grader``) or the real ``grader check``.
"""
from __future__ import annotations

import pytest

from test_written_false_accepts_3 import check, grade_text

RIGHT, WRONG = "0.2505", "0.2437"  # ρ(0.05) to 4 significant figures, and a value 2.7 % off


def rho_b(body: str) -> str:
    """A write-up answering Q2.3b under its own sub-heading."""
    return f"## Q2.3\n\n### (b)\n\n{body}\n"


def verdict(q2_grader, tmp_path, text: str, label: str):
    part = grade_text(q2_grader, tmp_path, text)[label]
    return part.status, part.answer, part.feedback


# ---------------------------------------------------------------------------
# 1. Struck out with HTML is a draft, as ~~…~~ is

STRIKES = [
    "<s>{}</s>",
    "<del>{}</del>",
    "<strike>{}</strike>",
    "<S>{}</S>",
    '<span style="text-decoration: line-through">{}</span>',
    "<span style='color: grey; text-decoration-line: line-through'>{}</span>",
    "~~{}~~",
]


@pytest.mark.parametrize("strike", STRIKES)
@pytest.mark.parametrize("kept, struck, status", [(WRONG, RIGHT, "incorrect"), (RIGHT, WRONG, "correct")])
def test_a_value_struck_out_with_html_is_a_draft(q2_grader, tmp_path, strike, kept, struck, status):
    body = f"$\\rho(0.05) \\approx {kept}$ " + strike.format(f"$\\rho(0.05) \\approx {struck}$")
    assert verdict(q2_grader, tmp_path, rho_b(body), "Q2.3b")[:2] == (status, kept)


@pytest.mark.parametrize("strike", STRIKES[:2])
def test_a_struck_box_does_not_win(q2_grader, tmp_path, strike):
    body = f"$\\rho(0.05) \\approx {WRONG}$\n\n" + strike.format(f"$\\boxed{{{RIGHT}}}$")
    assert verdict(q2_grader, tmp_path, rho_b(body), "Q2.3b")[:2] == ("incorrect", WRONG)


def test_a_span_that_strikes_nothing_is_read(q2_grader, tmp_path):
    """Only a span styled line-through strikes: a coloured one is the student's text, its last value the answer."""
    body = f'$\\rho(0.05) \\approx {WRONG}$ <span style="color: red">$\\rho(0.05) \\approx {RIGHT}$</span>'
    assert verdict(q2_grader, tmp_path, rho_b(body), "Q2.3b")[:2] == ("correct", RIGHT)


@pytest.mark.parametrize("kept, struck, status", [("true", "approx", "incorrect"), ("approx", "true", "correct")])
def test_a_struck_choice_is_a_draft(q2_grader, tmp_path, kept, struck, status):
    text = f"## Q2.3\n\n### (d)\n\n{kept} <del>{struck}</del>\n"
    assert verdict(q2_grader, tmp_path, text, "Q2.3d")[:2] == (status, kept)


def test_a_struck_set_is_a_draft(q2_grader, tmp_path):
    text = "## Q2.2\n\nThe set is $[0, \\infty)$. <s>The set is $(-\\infty, \\infty)$.</s>\n"
    assert verdict(q2_grader, tmp_path, text, "Q2.2")[:2] == ("incorrect", "[0, \\infty)")


def test_a_struck_paragraph_earns_no_rubric_idea(q2_grader, tmp_path):
    struck = ("BPTT multiplies the gradient by one activation derivative per time step. The sigmoid's derivative "
              "is at most 1/4 while tanh's is at most 1, so gradients vanish much faster with the sigmoid.")
    text = f"## Q2.4\n\nTraining is hard.\n\n<s>{struck}</s>\n"
    status, answer, feedback = verdict(q2_grader, tmp_path, text, "Q2.4")
    assert status == "incorrect" and "BPTT" not in answer, feedback
    assert verdict(q2_grader, tmp_path, f"## Q2.4\n\nTraining is hard.\n\n{struck}\n", "Q2.4")[0] == "correct"


@pytest.mark.parametrize("row", [
    "| (b) | {kept} <s>{struck}</s> |",  # a row labelled by the part
    "| $\\rho(0.05)$ | ${kept}$ <s>${struck}$</s> |",  # a row naming the quantity
    "| $\\rho(0.05)$ | ${kept}$ ~~${struck}$~~ |",
])
@pytest.mark.parametrize("kept, struck, status", [(WRONG, RIGHT, "incorrect"), (RIGHT, WRONG, "correct")])
def test_a_value_struck_in_a_table_cell_is_a_draft(q2_grader, tmp_path, row, kept, struck, status):
    text = "## Q2.3\n\n| Part | Answer |\n|---|---|\n" + row.format(kept=kept, struck=struck) + "\n"
    status_read, answer, feedback = verdict(q2_grader, tmp_path, text, "Q2.3b")
    assert (status_read, answer) == (status, kept), feedback


# ---------------------------------------------------------------------------
# 2. A value handed on from the named one ("…, which rounds to $0.2437$") is the final value

HANDED_ON = [
    "$\\rho(0.05) \\approx {named}$, which rounds to ${final}$.",
    "$\\rho(0.05) \\approx {named}$, i.e. ${final}$.",
    "$\\rho(0.05) \\approx {named}$, that gives ${final}$.",
    "$\\rho(0.05) \\approx {named} \\;\\Rightarrow\\; {final}$",
    "$\\rho(0.05) \\approx {named} \\implies {final}$",
    "$\\rho(0.05) \\approx {named}$. Rounded: ${final}$.",
    "$\\rho(0.05) \\approx {named}$, so my final value is ${final}$.",
    "$\\rho(0.05) = \\frac{{0.2498}}{{0.9975}} \\approx {named}$ $\\approx {final}$",
    "$$\\rho(0.05) = \\frac{{0.2498}}{{0.9975}} \\approx {named}$$\n$$= {final}$$",
    "ρ(0.05) ≈ {named}, which rounds to {final}.",
]


@pytest.mark.parametrize("sentence", HANDED_ON)
@pytest.mark.parametrize("named, final, status", [(RIGHT, WRONG, "incorrect"), (WRONG, RIGHT, "correct")])
def test_a_value_handed_on_from_the_named_one_is_the_answer(q2_grader, tmp_path, sentence, named, final, status):
    text = rho_b(sentence.format(named=named, final=final))
    status_read, answer, feedback = verdict(q2_grader, tmp_path, text, "Q2.3b")
    assert (status_read, answer) == (status, final), feedback


@pytest.mark.parametrize("final, status", [(WRONG, "incorrect"), (RIGHT, "correct")])
def test_a_ratio_handed_on_to_its_value_is_graded_on_that_value(q2_grader, tmp_path, final, status):
    text = rho_b(f"$\\rho(0.05) = \\dot\\sigma(0.05)/\\dot\\tanh(0.05) \\approx 0.2498/0.9975$, which gives ${final}$.")
    assert verdict(q2_grader, tmp_path, text, "Q2.3b")[:2] == (status, final)


@pytest.mark.parametrize("final, status", [("4", "incorrect"), ("\\frac14", "correct")])
def test_an_expression_simplified_to_its_final_form_is_graded_on_it(q2_grader, tmp_path, final, status):
    text = f"## Q2.3\n\n### (a)\n\n$\\rho_{{approx}}(\\varepsilon) = \\frac{{1/4}}{{1}}$, which simplifies to ${final}$.\n"
    assert verdict(q2_grader, tmp_path, text, "Q2.3a")[:2] == (status, final)


@pytest.mark.parametrize("document, label, answer", [
    # prose about another value hands nothing on
    (rho_b(f"$\\rho(0.05) \\approx {RIGHT}$, about a quarter, compared with $\\rho_{{approx}} = 0.25$."), "Q2.3b", RIGHT),
    (rho_b(f"$\\rho(0.05) \\approx {RIGHT}$, which is close to $0.25$."), "Q2.3b", RIGHT),
    (rho_b(f"$\\rho(0.05) \\approx {RIGHT}$ and $0.25$ for the approximation."), "Q2.3b", RIGHT),
    # a value that the sentence goes on about, a relation, a quantity's name: no final value
    (rho_b(f"$\\rho(0.05) \\approx {RIGHT}$, which gives $0.2505^{{20}}$ at $T = 20$."), "Q2.3b", RIGHT),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$, so $\\frac14 \\le 1$.\n", "Q2.1a", "\\frac14"),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$, i.e. $\\dot\\sigma(0)$.\n", "Q2.1a", "\\frac14"),
    ("## Q2.1\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and $\\dot\\tanh_{approx}(\\varepsilon) = 1$.\n",
     "Q2.1a", "\\frac14"),
])
def test_a_value_after_unrelated_words_does_not_replace_the_answer(q2_grader, tmp_path, document, label, answer):
    assert verdict(q2_grader, tmp_path, document, label)[:2] == ("correct", answer)


SIGMA_A = "$\\dot\\sigma_{approx}(\\varepsilon) = "
TANH_B = "$\\tanh'_{approx}(\\varepsilon) = "


@pytest.mark.parametrize("document, label, answer", [
    # a limit or a value at one point after the named expression is a remark: the known mistake stands
    (f"## Q2.1\n\n### (b)\n\n{TANH_B}1 - \\varepsilon^2 \\Rightarrow 1$ when ε is small\n", "Q2.1b",
     "1 - \\varepsilon^2"),
    (f"## Q2.1\n\n### (a)\n\n{SIGMA_A}\\frac14 + \\frac{{\\varepsilon}}{{4}}$\n\n$$= 0.25 \\quad (\\varepsilon = 0)$$\n",
     "Q2.1a", "\\frac14 + \\frac{\\varepsilon}{4}"),
    (f"## Q2.1\n\n### (a)\n\n{SIGMA_A}0.25 + 0.25\\varepsilon$, which rounds to $0.25$ for small ε.\n", "Q2.1a",
     "0.25 + 0.25\\varepsilon"),
    ("## Q2.3\n\n### (a)\n\n$\\rho_{approx}(\\varepsilon) = \\frac{1+\\varepsilon}{4} \\Rightarrow \\frac14$ for small ε.\n",
     "Q2.3a", "\\frac{1+\\varepsilon}{4}"),
])
def test_a_limit_after_the_named_expression_is_not_the_answer(q2_grader, tmp_path, document, label, answer):
    assert verdict(q2_grader, tmp_path, document, label)[:2] == ("incorrect", answer)


@pytest.mark.parametrize("document, label, answer", [
    # what follows names things the part's answers may not use: a remark, and the named value is the answer
    (f"## Q2.1\n\n### (a)\n\n{SIGMA_A}\\frac14$, i.e. $\\sigma(0)(1-\\sigma(0))$.\n", "Q2.1a", "\\frac14"),
    (f"## Q2.1\n\n### (b)\n\n{TANH_B}1$, that is $4\\,\\dot\\sigma_{{approx}}$.\n", "Q2.1b", "1"),
    (f"## Q2.1\n\n### (b)\n\n{TANH_B}1 \\Rightarrow 1^T$\n", "Q2.1b", "1"),
])
def test_a_remark_that_cannot_be_the_answer_leaves_the_named_value(q2_grader, tmp_path, document, label, answer):
    assert verdict(q2_grader, tmp_path, document, label)[:2] == ("correct", answer)


# ---------------------------------------------------------------------------
# 3. A block quote labelled as the answer is the student's answer, not the prompt pasted

@pytest.mark.parametrize("callout", [
    "> **Answer:** $\\rho(0.05) \\approx {final}$",
    "> Final answer: ${final}$",
    "> **Solution**: ${final}$",
    "> **Answer**:\n>\n> $\\rho(0.05) \\approx {final}$",
])
@pytest.mark.parametrize("working, final, status", [(RIGHT, WRONG, "incorrect"), (WRONG, RIGHT, "correct")])
def test_an_answer_callout_wins_over_the_working_above_it(q2_grader, tmp_path, callout, working, final, status):
    text = rho_b(f"$\\rho(0.05) = \\frac{{0.2498}}{{0.9975}} \\approx {working}$\n\n" + callout.format(final=final))
    status_read, answer, feedback = verdict(q2_grader, tmp_path, text, "Q2.3b")
    assert (status_read, answer) == (status, final), feedback


@pytest.mark.parametrize("choice, status", [("true", "incorrect"), ("approx", "correct")])
def test_an_answer_callout_gives_the_choice(q2_grader, tmp_path, choice, status):
    text = f"## Q2.3\n\n### (d)\n\nI plotted both curves for T up to 20.\n\n> **Answer:** {choice}\n"
    assert verdict(q2_grader, tmp_path, text, "Q2.3d")[:2] == (status, choice)


def test_an_answer_callout_against_the_prose_above_it_is_not_read_as_the_prose(tmp_path):
    """As the same line written without ">": the section says both ways, so it could not be read, quoting both."""
    test = check(tmp_path, "## Q2.3\n\n### (d)\n\nThe approximation decays faster, I think.\n\n> **Answer:** true\n")
    assert test["Q2.3d"]["score"] == 0 and "both ways" in test["Q2.3d"]["output"], test["Q2.3d"]["output"]


def test_a_quote_that_is_not_labelled_as_the_answer_is_still_the_prompt(q2_grader, tmp_path):
    text = rho_b("> For ε = 0.05 give ρ(0.05), the true ratio, to 4 significant figures. Answer: 0.2437\n\n"
                 f"$\\rho(0.05) \\approx {RIGHT}$")
    assert verdict(q2_grader, tmp_path, text, "Q2.3b")[:2] == ("correct", RIGHT)


# ---------------------------------------------------------------------------
# 4. A value cell holding a chain gives the chain's last value

@pytest.mark.parametrize("table", [
    "| Quantity | Value |\n|---|---|\n| $\\rho(0.05)$ | $\\frac{{0.2498}}{{0.9975}} = {final}$ |",
    "| Quantity | Value |\n|---|---|\n| $\\rho(0.05)$ | $\\frac{{0.2498}}{{0.9975}} \\approx {final} < 1$ |",
    "| Part | Answer |\n|---|---|\n| (b) | $\\frac{{0.2498}}{{0.9975}} = {final}$ |",
])
@pytest.mark.parametrize("final, status", [(WRONG, "incorrect"), (RIGHT, "correct")])
def test_a_chain_in_a_value_cell_gives_its_last_value(q2_grader, tmp_path, table, final, status):
    status_read, answer, feedback = verdict(q2_grader, tmp_path, f"## Q2.3\n\n{table.format(final=final)}\n", "Q2.3b")
    assert (status_read, answer) == (status, final), feedback


@pytest.mark.parametrize("value, status, answer", [
    ("\\frac14 + 0 \\cdot \\varepsilon = \\frac14", "correct", "\\frac14"),
    ("\\frac14 + 0 \\cdot \\varepsilon = \\frac14 + \\frac{\\varepsilon}{4}", "incorrect", "\\frac14 + \\frac{\\varepsilon}{4}"),
])
def test_a_chain_in_an_expressions_value_cell_gives_its_last_value(q2_grader, tmp_path, value, status, answer):
    text = f"## Q2.1\n\n| Quantity | Value |\n|---|---|\n| $\\dot\\sigma_{{approx}}$ | ${value}$ |\n"
    assert verdict(q2_grader, tmp_path, text, "Q2.1a")[:2] == (status, answer)


def test_another_quantitys_statement_after_a_label_is_still_no_value(q2_grader, tmp_path):
    status, _, feedback = verdict(q2_grader, tmp_path, "## Q2.3\n\n(b) $\\rho_{approx}(0.05) = 0.25$\n\n(d) approx\n",
                                  "Q2.3b")
    assert status == "could not read", feedback


def test_tildes_inside_maths_in_a_table_cell_strike_nothing(q2_grader, tmp_path):
    """``~`` is a space in LaTeX: ``a~~\\approx~~b`` inside ``$…$`` is maths, not a struck draft."""
    text = f"## Q2.3\n\n| Quantity | Value |\n|---|---|\n| $\\rho(0.05)$ | $0.2498/0.9975~~\\approx~~{RIGHT}$ |\n"
    status, answer, feedback = verdict(q2_grader, tmp_path, text, "Q2.3b")
    assert status == "correct" and answer.endswith(RIGHT), (answer, feedback)
