"""Q2.3c gives a quarter of the part per value: one value that cannot be read
costs its quarter, not the whole part, and the feedback names it.

Through the real ``grader check`` command on an answers.yaml, and through
``grader.grading.Grader`` on Markdown documents, with the project's Q2 spec.
Every value unreadable, a list of the wrong length, or a part without
per-element credit keep their whole-part verdicts."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.grading import Grader

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
WRITTEN_OPTIONS = "options: {rtol: 0.1, atol: 0.0, per_element_credit: true}"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def check_answers(tmp_path: Path, value, spec: Path = Q2) -> dict:
    """``grader check SPEC answers.yaml --json``: the Q2.3c entry of results.json."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"Q2.3c": value}), encoding="utf-8")
    out = tmp_path / "results.json"
    run = cli("check", str(spec), str(answers), "--json", str(out))
    assert run.returncode == 0, run.stderr
    return {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.3c"]


def table(*values: str) -> str:
    rows = "".join(f"| {t} | {v} |\n" for t, v in zip((1, 5, 10, 20), values))
    return f"## Q2.3\n\n| T | ρ(0.05)^T |\n|---|---|\n{rows}"


def grade_markdown(q2_grader: Grader, tmp_path: Path, text: str):
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}["Q2.3c"]


# --- answers.yaml through the command ------------------------------------------
def test_yaml_list_with_one_unreadable_value_earns_three_quarters(tmp_path):
    test = check_answers(tmp_path, [0.2505, 9.9e-4, 9.7e-7, "9.4e-13 roughly"])
    assert test["score"] == pytest.approx(0.75)
    assert test["extra_data"]["verdict"] == "partial"
    assert "the 4th value could not be read: '9.4e-13 roughly'" in test["output"]
    assert "not rectangular" not in test["output"]


def test_yaml_values_written_as_maths_are_read_one_by_one(tmp_path):
    test = check_answers(tmp_path, ["0.2505", "9.9 \\cdot 10^{-4}", 9.7e-7, "about"])
    assert test["score"] == pytest.approx(0.75)
    assert "the 4th value could not be read: 'about'" in test["output"]


def test_yaml_list_of_the_wrong_length_keeps_the_shape_verdict(tmp_path):
    test = check_answers(tmp_path, [0.2505, 9.9e-4, "9.4e-13 roughly"])
    assert test["score"] == 0
    assert "not rectangular" in test["output"]
    assert "could not be read" not in test["output"]


def test_yaml_list_with_nothing_readable_keeps_today_verdict(tmp_path):
    test = check_answers(tmp_path, ["small", "smaller", "tiny", "tinier"])
    assert test["score"] == 0
    assert test["extra_data"]["verdict"] == "incorrect"
    assert "Expected an array of numbers" in test["output"]


def test_without_per_element_credit_one_unreadable_value_costs_the_part(tmp_path):
    text = Q2.read_text(encoding="utf-8")
    assert text.count(WRITTEN_OPTIONS) == 2  # the written part's, then its code's
    spec = tmp_path / "q2-whole.yaml"
    spec.write_text(text.replace(WRITTEN_OPTIONS, "options: {rtol: 0.1, atol: 0.0}", 1), encoding="utf-8")
    test = check_answers(tmp_path, [0.2505, 9.9e-4, 9.7e-7, "9.4e-13 roughly"], spec)
    assert test["score"] == 0
    assert "Expected an array of numbers" in test["output"]


# --- Markdown tables through the grading pipeline ---------------------------------
def test_markdown_table_with_one_unreadable_cell_earns_three_quarters(q2_grader, tmp_path):
    part = grade_markdown(q2_grader, tmp_path, table("0.2505", "9.9e-4", "9.7e-7", "about \\foo{x}"))
    assert part.status == "partial"
    assert part.score == pytest.approx(0.75)
    assert "the 4th value could not be read: 'about \\foo{x}'" in part.feedback


def test_markdown_unreadable_and_wrong_values_each_lose_their_share(q2_grader, tmp_path):
    part = grade_markdown(q2_grader, tmp_path, table("0.2505", "5e-3", "9.7e-7", "about \\foo{x}"))
    assert part.score == pytest.approx(0.5)
    assert "the 4th value could not be read: 'about \\foo{x}'" in part.feedback
    assert "1 of 3 values read are not within tolerance (first: the 2nd value)" in part.feedback


def test_markdown_table_with_nothing_readable_could_not_be_read(q2_grader, tmp_path):
    part = grade_markdown(q2_grader, tmp_path, table("\\foo", "\\bar{x}", "about \\foo{x}", "\\baz"))
    assert part.status == "could not read"
    assert part.score == 0
    assert "Could not read this as numbers" in part.feedback


# --- grader equiv compares arrays as before -----------------------------------
def test_equiv_array_with_an_unreadable_value_is_still_unreadable():
    run = cli("equiv", "[0.25, 1e-3, \\foo{x}]", "[0.25, 1e-3, 2]", "--kind", "array")
    assert run.returncode == 2
    assert "could not read" in run.stderr and "\\foo{x}" in run.stderr


@pytest.mark.parametrize("returned, text", [
    ("[0.2505 ** T for T in range(1, T_max)] + ['0.00394']", "'0.00394'"),  # a text that spells a right value
    ("[0.2505 ** T for T in range(1, T_max)] + [('x', 1)]", "'x'"),
])
def test_a_function_returning_text_among_its_values_earns_nothing_for_it(tmp_path, returned, text):
    # Written answers are text to be read; a function must return numbers, even with per-element credit.
    # Q2's function cases are hidden (their values are the written answers): a copy of the spec makes the
    # rho_powers case public, so that the self-check runs it and shows its feedback.
    case = '- {name: "ε = 0.05, T up to 20", args: [0.05, 20]}'
    spec_text = Q2.read_text(encoding="utf-8")
    assert case in spec_text
    spec = tmp_path / "q2-activations.yaml"
    spec.write_text(spec_text.replace(case, case.replace("args:", "public: true, args:")), encoding="utf-8")
    code = tmp_path / "q2.py"
    code.write_text(f"def rho_powers(eps, T_max):\n    return {returned}\n", encoding="utf-8")
    out = tmp_path / "results.json"
    run = cli("check", str(spec), str(code), "--json", str(out))
    assert run.returncode == 0, run.stderr
    part = {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.3c"]
    assert part["score"] == 0
    assert f"Returned the text {text} inside what it returned" in part["output"]


def test_a_wrong_value_in_a_written_list_is_named_as_the_reader_counts(q2_grader, tmp_path):
    part = grade_markdown(q2_grader, tmp_path, table("0.2505", "9.9e-4", "5e-6", "9.4e-13"))
    assert part.score == pytest.approx(0.75)
    # The third row (T = 10): index 2 for a programmer, the 3rd value for a reader.
    assert "1 of 4 values are not within tolerance (first at index 2, the 3rd value)" in part.feedback
