"""Written answers in notations the Markdown reader did not take, each next to a wrong twin that stays wrong.

A choice answered with two of its options ("tanh or relu") was "not found" in Markdown but "could not tell
which choice" in answers.yaml.  Each document goes through a real ``grader check`` subprocess, or the real
pipeline (``q2_grader``) for the Q2 problem set.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from test_written_false_accepts_3 import check as check_q2, grade_text

ROOT = Path(__file__).resolve().parents[1]

CHOICE_SPEC = """\
id: act-choice
title: "Activations"
submission_files: [answers.md, answers.yaml]
parts:
  - label: W4
    title: "Which activation is convex?"
    points: 1
    kind: choice
    options: {choices: [relu, sigmoid, tanh]}
    reference: '"relu"'
"""


def check_file(tmp_path: Path, name: str, text: str) -> dict:
    """``grader check`` of the choice spec on a folder holding ``name`` with ``text``: W4's JSON test."""
    spec, folder, out = tmp_path / "spec.yaml", tmp_path / "submission", tmp_path / "out.json"
    spec.write_text(CHOICE_SPEC, encoding="utf-8")
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(spec), str(folder), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}["W4"]


# ---------------------------------------------------------------------------
# 1. Two choices named equally: "could not tell which choice", in Markdown as in answers.yaml

@pytest.mark.parametrize("name, text", [
    ("answers.md", "## W4\nI think maybe tanh or relu\n"),
    ("answers.yaml", "W4: tanh or relu\n"),
])
def test_two_choices_named_equally_cannot_be_told_apart(tmp_path, name, text):
    test = check_file(tmp_path, name, text)
    assert test["score"] == 0
    assert test["extra_data"]["verdict"] == "could not read", test["output"]
    assert "Could not tell which choice" in test["output"], test["output"]


def test_markdown_says_which_choices_it_read_and_quotes_the_section(tmp_path):
    output = check_file(tmp_path, "answers.md", "## W4\nI think maybe tanh or relu\n")["output"]
    assert "“relu” and “tanh”" in output and "“I think maybe tanh or relu”" in output, output
    assert "No answer for W4 was found" not in output, output


@pytest.mark.parametrize("text, score, verdict", [
    ("## W4\nAnswer: relu\n", 1, "correct"),
    ("## W4\nAnswer: tanh\n", 0, "incorrect"),
    ("## W4\ntanh\n", 0, "incorrect"),
    ("## W4\nReLU is convex; tanh and sigmoid are not.\n", 0, "could not read"),  # never picks one of three
])
def test_one_choice_keeps_its_verdict_and_several_never_earn_credit(tmp_path, text, score, verdict):
    test = check_file(tmp_path, "answers.md", text)
    assert (test["score"], test["extra_data"]["verdict"]) == (score, verdict), test["output"]


@pytest.mark.parametrize("text", ["## Q2.3\n(d) approx or true\n",
                                  "## Q2.3(d)\nEither the true ratio or the approximation, I am not sure.\n"])
def test_q2_3d_naming_both_curves_is_unclear_not_missing(tmp_path, text):
    test = check_q2(tmp_path, text)["Q2.3d"]
    assert test["score"] == 0
    assert "Could not tell which choice the answer to Q2.3d names" in test["output"], test["output"]


# ---------------------------------------------------------------------------
# 2a. Leibniz's notation names σ̇(ε) as \dot\sigma(\varepsilon) does

LEIBNIZ = """## Q2.1
${sigma} \\approx {sigma_value}$ and ${tanh} \\approx {tanh_value}$
"""
BAR_SIGMA = "\\frac{d\\sigma}{dx}\\Big|_{x=\\varepsilon}"
BAR_TANH = "\\left.\\frac{d\\tanh}{dx}\\right|_{x=\\varepsilon}"
AFTER_SIGMA = "\\frac{d}{dx}\\sigma(x)\\big|_{x=\\varepsilon}"


@pytest.mark.parametrize("sigma", [BAR_SIGMA, AFTER_SIGMA])
def test_a_derivative_in_leibniz_notation_at_epsilon_is_read(tmp_path, sigma):
    tests = check_q2(tmp_path, LEIBNIZ.format(sigma=sigma, sigma_value="\\frac14", tanh=BAR_TANH, tanh_value="1"))
    assert tests["Q2.1a"]["score"] == tests["Q2.1a"]["max_score"], tests["Q2.1a"]["output"]
    assert tests["Q2.1b"]["score"] == tests["Q2.1b"]["max_score"], tests["Q2.1b"]["output"]


def test_a_wrong_approximation_in_leibniz_notation_stays_wrong(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, LEIBNIZ.format(sigma=BAR_SIGMA, sigma_value="\\frac14 + \\frac{\\varepsilon}{4}",
                                                           tanh=BAR_TANH, tanh_value="1 - \\varepsilon^2"))
    assert parts["Q2.1a"].score == 0 and "first-order term of σ̇ vanishes" in parts["Q2.1a"].feedback
    assert parts["Q2.1b"].score == 0, parts["Q2.1b"].feedback


@pytest.mark.parametrize("at_zero", ["\\frac{d\\sigma}{dx}\\Big|_{x=0}", "\\dot\\sigma(0)"])
def test_the_derivative_at_zero_is_no_answer_in_either_notation(q2_grader, tmp_path, at_zero):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n${at_zero} = \\frac14$\n")["Q2.1a"]
    assert part.score == 0 and "No answer for Q2.1a was found" in part.feedback, part.feedback


# ---------------------------------------------------------------------------
# 2b. The definition restated, then its value: the value is the answer

DEFINITION_THEN_VALUE = """## Q2.3
(a) $\\rho_{{approx}}(\\varepsilon) = \\frac{{\\dot\\sigma_{{approx}}}}{{\\dot\\tanh_{{approx}}}}$. {after}
"""


def test_the_value_after_a_restated_definition_is_the_answer(tmp_path):
    test = check_q2(tmp_path, DEFINITION_THEN_VALUE.format(after="With Q2.1 this is $\\frac{1/4}{1} = 0.25$."))["Q2.3a"]
    assert test["score"] == test["max_score"], test["output"]


@pytest.mark.parametrize("after, feedback", [
    ("With Q2.1 this is $\\frac{1}{1/4} = 4$.", "upside down"),
    ("The numerator is $1/4$.", "Could not read"),  # not handed on by "this is": the definition stays the answer
    ("", "Could not read"),
])
def test_a_restated_definition_with_a_wrong_or_no_value_earns_nothing(q2_grader, tmp_path, after, feedback):
    part = grade_text(q2_grader, tmp_path, DEFINITION_THEN_VALUE.format(after=after))["Q2.3a"]
    assert part.score == 0 and feedback in part.feedback, part.feedback


@pytest.mark.parametrize("value, right", [("\\frac14", True), ("4", False)])
def test_a_definition_recalled_after_the_answer_does_not_replace_it(q2_grader, tmp_path, value, right):
    text = (f"## Q2.3\n(a) $\\rho_{{approx}} = {value}$. Recall "
            f"$\\rho_{{approx}}(\\varepsilon) = \\dot\\sigma_{{approx}}/\\dot\\tanh_{{approx}}$.\n")
    part = grade_text(q2_grader, tmp_path, text)["Q2.3a"]
    assert (part.score == part.max_score) is right, part.feedback


# ---------------------------------------------------------------------------
# 2c. "the linear approximation of σ̇ is just the constant 1/4", in prose

PROSE = "## Q2.1\nExpanding around 0, the linear approximation of σ̇ is just the constant {value} since the " \
        "first-order term vanishes; the linear approximation of tanḣ is simply {tanh}.\n"


def test_the_approximation_named_in_prose_is_read(tmp_path):
    tests = check_q2(tmp_path, PROSE.format(value="1/4", tanh="1"))
    assert tests["Q2.1a"]["score"] == tests["Q2.1a"]["max_score"], tests["Q2.1a"]["output"]
    assert tests["Q2.1b"]["score"] == tests["Q2.1b"]["max_score"], tests["Q2.1b"]["output"]


@pytest.mark.parametrize("value, right", [("$\\frac14$", True), ("$\\frac12$", False)])
def test_the_approximation_named_in_prose_may_have_its_value_in_maths(q2_grader, tmp_path, value, right):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\nThe linear approximation of σ̇ is just the constant {value}.\n")
    assert (part["Q2.1a"].score == part["Q2.1a"].max_score) is right, part["Q2.1a"].feedback


def test_a_wrong_approximation_in_prose_stays_wrong(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, PROSE.format(value="1/2", tanh="1 - ε"))
    assert parts["Q2.1a"].score == 0 and parts["Q2.1b"].score == 0, (parts["Q2.1a"].feedback, parts["Q2.1b"].feedback)


@pytest.mark.parametrize("text", ["Expanding around 0, σ̇ is just the constant 1/4.",  # the exact σ̇: no answer
                                  "The error of the linear approximation of σ̇ is 0.25."])
def test_prose_about_something_else_is_no_answer(q2_grader, tmp_path, text):
    part = grade_text(q2_grader, tmp_path, f"## Q2.1\n{text}\n")["Q2.1a"]
    assert part.score == 0 and "No answer for Q2.1a was found" in part.feedback, part.feedback
