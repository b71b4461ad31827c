"""A student's text that could not be read is shown as the student wrote it, in “…”.

Not as Python's repr: one backslash stays one (a beginner who reads ``'\\\\frac{1}{4'`` thinks the
backslashes must be doubled), and the quotes are the curly ones the grader's other messages use.
A snippet that ran over lines in the student's file stays on one line of the message.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
DOUBLED = "\\\\"  # two backslashes, as Python's repr shows one


def _check(tmp_path: Path, submission: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """``grader check`` of ``submission`` against Q2: the run and its results.json."""
    results = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(submission), "--json", str(results)],
                         cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=600)
    return run, json.loads(results.read_text(encoding="utf-8"))


def _feedback(results: dict, label: str) -> str:
    return next(test["output"] for test in results["tests"] if test["number"] == label)


def _equiv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "equiv", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


def test_answers_file_latex_is_quoted_as_written(tmp_path) -> None:
    answers = tmp_path / "ANSWERS.yaml"
    answers.write_text(yaml.safe_dump({"Q2.1a": "\\frac{1}{4", "Q2.2": "\\delta \\in (-\\infty, \\infty)"}),
                       encoding="utf-8")
    run, results = _check(tmp_path, answers)
    unread = _feedback(results, "Q2.1a")
    assert "could not read the LaTeX: “\\frac{1}{4”" in unread, unread
    assert "“\\frac{1}{4”" in run.stdout, run.stdout  # the terminal table too
    # the set is asked for epsilon: the name written instead is quoted as written
    wrong_name = _feedback(results, "Q2.2")
    assert "unknown name “\\delta”" in wrong_name, wrong_name
    for shown in (unread, wrong_name, run.stdout):
        assert DOUBLED not in shown and "'\\" not in shown


def test_markdown_snippet_over_lines_stays_on_one_line(tmp_path) -> None:
    q2 = tmp_path / "q2.md"
    q2.write_text("## Q2.1a\n\n$$\n\\frac{1}\n   {4\n$$\n", encoding="utf-8")
    _, results = _check(tmp_path, q2)
    first_line = _feedback(results, "Q2.1a").splitlines()[0]
    assert first_line.endswith("could not read the LaTeX: “\\frac{1} {4” — a “{” is never closed"), first_line
    assert DOUBLED not in first_line


def test_equiv_quotes_the_answer_as_written() -> None:
    run = _equiv("\\frac{1}{4", "1/4")
    assert run.returncode == 2, run
    assert "could not read the LaTeX: “\\frac{1}{4”" in run.stderr, run.stderr
    assert DOUBLED not in run.stderr and "'" not in run.stderr


def test_equiv_names_an_unknown_name_once_as_written() -> None:
    run = _equiv("\\hat{y} + 1", "1", "--vars", "x")
    assert run.returncode == 2, run
    assert "unknown name “\\hat{y}” (not a declared variable)" in run.stderr, run.stderr
    assert run.stderr.count("\\hat{y}") == 1 and DOUBLED not in run.stderr


def test_equiv_function_at_a_point_is_quoted_as_written() -> None:
    run = _equiv("\\dot\\sigma(0.05)", "1", "--vars", "x")
    assert run.returncode == 2, run
    assert "unknown function “\\dot\\sigma” (“\\dot\\sigma(0.05)” is the function at a point" in run.stderr, run.stderr
    assert DOUBLED not in run.stderr


def test_a_tuple_item_that_cannot_be_read_says_could_not_read_once():
    run = _equiv("(\\frac{1}{4, 2)", "(1/4, 2)", "--kind", "tuple")
    assert run.returncode == 2
    assert "could not read could not read" not in run.stderr.lower(), run.stderr
    assert "“\\frac{1}{4" in run.stderr, run.stderr



def test_an_answers_file_list_item_that_cannot_be_read_says_could_not_read_once():
    """A tuple part answered in an answers file as a YAML list of texts: each item is read on its own."""
    from grader.checkers import get_checker, make_options

    verdict = get_checker("tuple").check((0.25, 2), ["\\frac{1}{4", "2"], make_options("tuple", {}))
    assert verdict.feedback == "Item 1: could not read the LaTeX: “\\frac{1}{4” — a “{” is never closed.", \
        verdict.feedback
