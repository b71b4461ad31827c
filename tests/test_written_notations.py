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

