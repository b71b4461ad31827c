"""Write-ups exported by the tools students write them in.

Obsidian, Notion, GitHub, pandoc, Quarto, Bear, Google Docs and Overleaf each write Markdown of their own: callouts
(``> [!success] Answer``), ``<aside>`` boxes, ``$`…`$`` maths, ``<sup>`` exponents, ``\\(b\\)`` for a part letter,
equation labels, fenced divs, a part letter on each line of a paragraph, task lists, simple and multiline tables,
doubled backslashes, ``\\item``s.  Each document here is the Markdown such a tool writes, read as ``grader check``
reads it.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.readers.markdown import parse_sections
from grader.spec import load_problem_set
from written_reading import read, value

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
WORKING = "## Q2.3\n\nWorking: $\\rho(0.05) = \\frac{0.249844}{0.997504}$.\n\n"


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(Q2)


def number(answers: dict, label: str) -> float | None:
    """The number an answer gives, its maths and approximations left out."""
    found = value(answers, label)
    return None if found is None else float(found.replace("\\approx", "").replace("$", "").split("=")[-1].strip())


# ---------------------------------------------------------------------------
# Obsidian callouts

CALLOUT_HEADS = ["[!success] Answer:", "[!success] Answer", "[!answer]", "[!note] Final answer", "[!tip]",
                 "[!abstract] Solution", "[!success]- Answers", "[!check]"]


@pytest.mark.parametrize("head", CALLOUT_HEADS)
def test_an_obsidian_answer_callout_gives_the_answers(tmp_path, q2, head):
    text = WORKING + f"> {head}\n> (b) $\\rho(0.05) \\approx 0.2505$\n>\n> (d) approx\n"
    found = read(tmp_path, text, q2)
    assert "0.2505" in value(found, "Q2.3b")
    assert value(found, "Q2.3d") == "approx"


def test_a_wrong_final_answer_in_a_callout_beats_the_working(tmp_path, q2):
    text = WORKING + "> [!success] Answer:\n> (b) $\\rho(0.05) \\approx 0.2437$\n"
    assert "0.2437" in value(read(tmp_path, text, q2), "Q2.3b")


def test_a_right_final_answer_in_a_callout_beats_a_rough_working(tmp_path, q2):
    text = ("## Q2.3\n\nWorking: $\\rho(0.05) \\approx \\rho_{approx}(0.05) = 0.25$ at first order.\n\n"
            "> [!success] Answer\n> $\\rho(0.05) \\approx 0.2505$\n")
    assert "0.2505" in value(read(tmp_path, text, q2), "Q2.3b")


def test_a_callout_with_the_answer_in_its_title_gives_it(tmp_path, q2):
    text = WORKING + "> [!success] Answer: $\\rho(0.05) \\approx 0.2505$\n"
    assert "0.2505" in value(read(tmp_path, text, q2), "Q2.3b")


def test_a_callout_titled_with_other_words_is_no_answer(tmp_path, q2):
    text = WORKING + "> [!example] Solution of a similar problem\n> (b) $\\rho(0.05) \\approx 0.2437$\n"
    assert "0.2437" not in (value(read(tmp_path, text, q2), "Q2.3b") or "")


def test_a_question_callout_is_the_question_pasted(tmp_path, q2):
    text = ("## Q2.3\n\n> [!question] Which curve decays faster? Say \"approx\" or \"true\".\n\n"
            "The true ratio decays more slowly, so the approximation decays faster: approx.\n")
    assert value(read(tmp_path, text, q2), "Q2.3d") == "approx"


# ---------------------------------------------------------------------------
# Notion callouts and other HTML wrappers

def test_a_notion_callout_is_read(tmp_path, q2):
    text = ("## Q2.3\n\nWorking: $\\rho(0.05) = \\dfrac{\\dot\\sigma(0.05)}{\\dot\\tanh(0.05)}$.\n\n"
            "<aside>\n💡 **Answer:** $\\rho(0.05) \\approx 0.2505$\n\n</aside>\n\n"
            "<aside>\n💡 (d) approx\n\n</aside>\n")
    found = read(tmp_path, text, q2)
    assert "0.2505" in value(found, "Q2.3b")
    assert value(found, "Q2.3d") == "approx"


def test_a_collapsed_details_block_is_read(tmp_path, q2):
    text = "## Q2.3\n\n<details>\n<summary>Answers</summary>\n\n(b) 0.2505\n\n(d) approx\n\n</details>\n"
    found = read(tmp_path, text, q2)
    assert value(found, "Q2.3d") == "approx"
    assert number(found, "Q2.3b") == pytest.approx(0.2505)


# ---------------------------------------------------------------------------
# Maths and text as exporters write them

def test_github_inline_maths_is_read_without_its_backticks(tmp_path, q2):
    found = read(tmp_path, "## Q2.3\n\n(b) $`\\rho(0.05) \\approx 0.2505`$\n", q2)
    assert value(found, "Q2.3b") is not None and "`" not in value(found, "Q2.3b")
    assert "0.2505" in value(found, "Q2.3b")


def test_github_inline_maths_in_a_table_is_read(tmp_path, q2):
    text = ("## Q2.1\n\n| Quantity | Answer |\n|---|---|\n"
            "| $`{\\dot{\\sigma}}_{\\text{approx}}(\\varepsilon)`$ | $`\\frac{1}{4}`$ |\n"
            "| $`{\\dot{\\tanh}}_{\\text{approx}}(\\varepsilon)`$  | $`1`$ |\n")
    found = read(tmp_path, text, q2)
    assert value(found, "Q2.1a") == "\\frac{1}{4}"
    assert value(found, "Q2.1b") == "1"


@pytest.mark.parametrize("maths", [r"$\\dot{\\sigma}\_{\\text{approx}}(\\varepsilon) \= \\frac{1}{4}$",
                                   r"\$\\dot{\\sigma}\_{\\text{approx}}(\\varepsilon) \= \\frac{1}{4}\$",
                                   r"\\(\\dot{\\sigma}_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}\\)"])
def test_maths_an_export_escaped_is_read(tmp_path, q2, maths):
    """Google Docs' "Download as Markdown" doubles each backslash and escapes "_", "=" and "$"; a JSON string
    doubles each backslash."""
    assert value(read(tmp_path, f"## Q2.1\n\n{maths}\n", q2), "Q2.1a") == "\\frac{1}{4}"


def test_money_in_escaped_dollars_stays_text():
    sections = parse_sections("The runs cost me \\$5 and \\$6 of compute.\n")
    assert [segment.kind for segment in sections[0].blocks[0].segments] == ["text"]


@pytest.mark.parametrize("opening", ["\\\\( a ", "\\$\\\\a "])
def test_a_paragraph_of_escaped_openings_never_closed_is_read_at_once(opening):
    started = time.monotonic()
    parse_sections("## Q2.1\n" + opening * 60_000 + "\n")
    assert time.monotonic() - started < 10


def test_a_line_break_in_maths_stays_one(tmp_path, q2):
    text = ("## Q2.1\n\n$$\n\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4} \\\\\n"
            "\\dot\\tanh_{approx}(\\varepsilon) = 1\n$$\n")
    found = read(tmp_path, text, q2)
    assert value(found, "Q2.1a") == "\\frac{1}{4}"
    assert value(found, "Q2.1b") == "1"


def test_html_superscripts_are_exponents(tmp_path, q2):
    text = ("## Q2.3\n\n(c) For T = 1, 5, 10, 20: 0.2505, 9.86 × 10<sup>−4</sup>, 9.72 × 10<sup>−7</sup>, "
            "9.44 × 10<sup>−13</sup>\n")
    answer = value(read(tmp_path, text, q2), "Q2.3c")
    assert answer is not None and re.search(r"10\^\{[−-]4\}", answer)


@pytest.mark.parametrize("text", ["## Q2.3\n\n\\(b\\) 0.2505\n\n\\(d\\) approx\n",
                                  "## Q2.3\n\n| Part  | Answer |\n|-------|--------|\n| \\(b\\) | $0.2505$ |\n"
                                  "| \\(d\\) | approx |\n"])
def test_a_part_letter_escaped_by_pandoc_is_the_part_letter(tmp_path, q2, text):
    found = read(tmp_path, text, q2)
    assert number(found, "Q2.3b") == pytest.approx(0.2505)
    assert value(found, "Q2.3d") == "approx"


def test_a_letter_in_brackets_in_a_sentence_is_still_maths():
    sections = parse_sections("## Q2.3\n\n\\(a\\) is the slope and \\(b\\) the intercept.\n")
    segments = sections[-1].blocks[0].segments
    assert [(s.kind, s.text) for s in segments][:2] == [("math", "a"), ("text", " is the slope and ")]


def test_inline_maths_in_brackets_is_still_maths(tmp_path, q2):
    found = read(tmp_path, "## Q2.3\n\n\\(\\rho(0.05) \\approx 0.2505\\) and the curve: approx.\n", q2)
    assert "0.2505" in value(found, "Q2.3b")


# ---------------------------------------------------------------------------
# Quarto

def test_an_equation_label_after_display_maths_leaves_it_readable(tmp_path, q2):
    text = ("## Q2.1\n\n$$\n\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4}\n$$ {#eq-sigma}\n\n"
            "$$\n\\dot\\tanh_{approx}(\\varepsilon) = 1\n$$ {#eq-tanh}\n\n## Q2.2\n\nBy @eq-sigma, "
            "the set is $\\varepsilon \\in (-\\infty, \\infty)$.\n")
    found = read(tmp_path, text, q2)
    assert value(found, "Q2.1a") == "\\frac{1}{4}"
    assert value(found, "Q2.1b") == "1"
    assert value(found, "Q2.2") == "(-\\infty, \\infty)"


def test_a_heading_inside_a_quarto_callout_stays_in_its_part(tmp_path, q2):
    text = ("## Q2.3\n\nWorking: $\\rho(0.05) = \\frac{0.249844}{0.997504}$.\n\n::: {.callout-note}\n## Answers\n\n"
            "(b) $\\rho(0.05) \\approx 0.2505$\n\n(d) approx\n:::\n")
    found = read(tmp_path, text, q2)
    assert "0.2505" in value(found, "Q2.3b")
    assert value(found, "Q2.3d") == "approx"


# ---------------------------------------------------------------------------
# A part letter on each line; task lists

@pytest.mark.parametrize("first", ["(b) $\\rho(0.05) \\approx 0.2505$", "(b) 0.2505"])
def test_each_line_opening_with_a_part_letter_is_its_own_answer(tmp_path, q2, first):
    found = read(tmp_path, f"## Q2.3\n\n{first}\n(d) approx\n", q2)
    assert "0.2505" in value(found, "Q2.3b")
    assert value(found, "Q2.3d") == "approx"


def test_a_ticked_task_is_the_answer_it_holds(tmp_path, q2):
    assert value(read(tmp_path, "## Q2.3\n\n- [x] (d) approx\n", q2), "Q2.3d") == "approx"


# ---------------------------------------------------------------------------
# Pandoc's tables

SIMPLE_TABLE = """## Q2.1

  Quantity                                        Answer
  ----------------------------------------------- ---------------
  $\\dot{\\sigma}_{\\text{approx}}(\\varepsilon)$       $\\frac{1}{4}$
  $\\dot{\\tanh}_{\\text{approx}}(\\varepsilon)$        $1$

## Q2.2

The set is $\\varepsilon \\in (-\\infty, \\infty)$.
"""

MULTILINE_TABLE = """## Q2.3

  -------------------------------------------------------------
  Part                           Answer
  ------------------------------ ------------------------------
  \\(b\\)                          $0.2505$

  \\(d\\)                          the approximation
                                 decays faster: approx
  -------------------------------------------------------------

## Q2.4

Done.
"""


def test_a_pandoc_simple_table_is_read_as_a_table(tmp_path, q2):
    found = read(tmp_path, SIMPLE_TABLE, q2)
    assert value(found, "Q2.1a") == "\\frac{1}{4}"
    assert value(found, "Q2.1b") == "1"
    assert found["Q2.2"].line == 10  # the lines after the table keep their numbers


def test_a_pandoc_multiline_table_is_read_row_by_row(tmp_path, q2):
    found = read(tmp_path, MULTILINE_TABLE, q2)
    assert number(found, "Q2.3b") == pytest.approx(0.2505)
    assert value(found, "Q2.3d") == "approx"


def test_a_thematic_break_is_no_table(tmp_path, q2):
    text = "## Q2.3\n\n(b) 0.2505\n\n---\n\n(d) approx\n\n---\n"
    found = read(tmp_path, text, q2)
    assert value(found, "Q2.3d") == "approx"
    assert found["Q2.3d"].line == 7


# ---------------------------------------------------------------------------
# LaTeX pasted from Overleaf

def test_each_item_of_a_latex_enumerate_answers_its_sub_part(tmp_path, q2):
    text = ("\\subsection*{Q2.3}\n\\begin{enumerate}[label=(\\alph*)]\n"
            "  \\item $\\rho_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$\n  \\item $\\rho(0.05) \\approx 0.2505$\n"
            "  \\item For $T = 1, 5, 10, 20$: $\\rho(0.05)^T \\approx 0.2505,\\ 9.86\\times10^{-4},\\ "
            "9.72\\times10^{-7},\\ 9.44\\times10^{-13}$\n  \\item \\textbf{Answer:}\n  approx\n\\end{enumerate}\n")
    found = read(tmp_path, text, q2)
    assert "0.2505" in value(found, "Q2.3b")
    assert value(found, "Q2.3d") == "approx"


def test_a_labelled_latex_item_keeps_its_label(tmp_path, q2):
    text = "## Q2.3\n\n\\begin{itemize}\n\\item[(d)] approx\n\\end{itemize}\n"
    assert value(read(tmp_path, text, q2), "Q2.3d") == "approx"


# ---------------------------------------------------------------------------
# Through grader check

OBSIDIAN = """## Q2.1
Maclaurin: $\\dot\\sigma(\\varepsilon) \\approx \\dot\\sigma(0) + \\ddot\\sigma(0)\\varepsilon$ with $\\ddot\\sigma(0)=0$.

> [!success] Answer
> $\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and $\\dot\\tanh_{approx}(\\varepsilon) = 1$

## Q2.2
> [!success] Answer
> $\\varepsilon \\in (-\\infty, \\infty)$

## Q2.3
> [!note]- Working
> $\\rho(0.05) = \\frac{0.249844}{0.997504}$

> [!success] Answers
> - (a) $\\rho_{approx}(\\varepsilon) = \\frac{1}{4}$
> - (b) $\\rho(0.05) \\approx 0.2505$
> - (c) $\\rho(0.05)^T \\approx 0.2505,\\ 9.86\\times10^{-4},\\ 9.72\\times10^{-7},\\ 9.44\\times10^{-13}$ for $T = 1, 5, 10, 20$
> - (d) approx
"""


def test_grader_check_grades_an_obsidian_write_up(tmp_path):
    path = tmp_path / "q2.md"
    path.write_text(OBSIDIAN, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(path)], capture_output=True,
                         text=True, cwd=ROOT, timeout=300)
    assert "total: 10 / 13" in run.stdout, run.stdout + run.stderr
