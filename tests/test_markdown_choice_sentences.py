"""Written answers of any course's spec read in Markdown as they are in answers.yaml: a choice said in a
sentence under the part's heading, and an interval given as an inequality in the part's variable.

A small spec of a course other than Q2 (a choice between decompositions, with synonyms; the values of p for
which a matrix is positive definite) is written for each test, and Markdown files are graded through the real
pipeline and the ``grader check`` command.  Each reading has a wrong twin, so a form the reader learns to read
can never turn a wrong answer into a right one.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.cli import load_references
from grader.grading import Grader

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_6f4e6de2cd5000a2.txt"
Q2_PARTS = ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d")

SPEC = r"""
id: linalg
title: "Linear algebra for data"
submission_files: [hw.md, answers.yaml]
setup: |
  p = Symbol("p", real=True)

parts:
  - label: D1
    title: "Positive definiteness"
    points: 1
    prompt: "For which real $p$ is $A = \\begin{pmatrix}1 & p\\\\ p & 1\\end{pmatrix}$ positive definite?"
    kind: interval
    options: {variable: p}
    reference: Interval.open(-1, 1)
    names: ['p']

  - label: D2
    title: "Decomposition for PCA"
    points: 1
    prompt: "Which decomposition of the centred data matrix directly gives the principal directions? Answer svd, lu or cholesky."
    kind: choice
    options:
      choices: [svd, lu, cholesky]
      synonyms: {svd: ["singular value decomposition"], cholesky: ["cholesky decomposition"], lu: ["lu decomposition"]}
    reference: '"svd"'
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("course") / "problems" / "linalg.yaml"
    path.parent.mkdir()
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def grader(spec):
    with Grader(load_references([str(spec)]), public_only=True) as g:
        yield g


def grade_file(grader: Grader, tmp_path: Path, name: str, text: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {p.label: p for p in grader.grade("student", [path]).parts}


def grade_markdown(grader: Grader, tmp_path: Path, label: str, answer: str):
    return grade_file(grader, tmp_path, "hw.md", f"## {label}\n{answer}\n")[label]


def grade_answers_file(grader: Grader, tmp_path: Path, label: str, answer: str):
    return grade_file(grader, tmp_path, "answers.yaml", f"{label}: {json.dumps(answer)}\n")[label]


# -- a choice said in a sentence ------------------------------------------------------------------------------------

CHOICE_SENTENCES = [
    ("I would use the singular value decomposition.", "correct"),
    ("We use the SVD of the centred data.", "correct"),
    ("svd, because it is stable.", "correct"),
    ("The singular value decomposition: the right singular vectors are the directions.", "correct"),
    ("Cholesky, because the covariance is positive definite.", "incorrect"),
    ("The LU decomposition of the data matrix.", "incorrect"),
]


@pytest.mark.parametrize("sentence, status", CHOICE_SENTENCES)
def test_a_sentence_naming_one_choice_is_that_choice(grader, tmp_path, sentence, status):
    part = grade_markdown(grader, tmp_path, "D2", sentence)
    assert part.status == status, (part.answer, part.feedback)
    assert part.score == (1 if status == "correct" else 0)


@pytest.mark.parametrize("sentence, status", CHOICE_SENTENCES)
def test_a_sentence_reads_as_it_does_in_an_answers_file(grader, tmp_path, sentence, status):
    assert grade_answers_file(grader, tmp_path, "D2", sentence).status == status
    assert grade_markdown(grader, tmp_path, "D2", sentence).status == status


def test_a_sentence_after_the_bold_label_still_reads(grader, tmp_path):
    part = grade_file(grader, tmp_path, "hw.md", "**D2:** svd, because it is stable.\n")["D2"]
    assert part.status == "correct", (part.answer, part.feedback)


def test_a_sentence_naming_two_choices_is_not_read(grader, tmp_path):
    part = grade_markdown(grader, tmp_path, "D2", "Either the SVD or the Cholesky decomposition would do.")
    assert part.status == "could not read", (part.answer, part.feedback)
    assert "“svd” and “cholesky”" in part.feedback
    assert "Write only the one you mean" in part.feedback


@pytest.mark.parametrize("sentence", ["A decomposition of the centred data.",
                                      "The one that gives the principal directions directly."])
def test_a_sentence_naming_no_choice_is_not_read(grader, tmp_path, sentence):
    part = grade_markdown(grader, tmp_path, "D2", sentence)
    assert part.status == "could not read", (part.answer, part.feedback)
    assert "Write it as e.g. 'Answer: svd' or in a sentence." in part.feedback


@pytest.mark.parametrize("sentence", ["I would not use the singular value decomposition.",
                                      "Is it the SVD?"])
def test_a_choice_denied_or_asked_is_not_given(grader, tmp_path, sentence):
    part = grade_markdown(grader, tmp_path, "D2", sentence)
    assert part.status == "could not read", (part.answer, part.feedback)


# -- an interval given as an inequality in its variable -------------------------------------------------------------

@pytest.mark.parametrize("answer, status", [
    ("$p^2 < 1$", "correct"),
    ("$1 - p^2 > 0$", "correct"),
    ("Answer: $p^2 < 1$", "correct"),
    ("The determinant is positive when $p^2 < 1$.", "correct"),
    ("$p^2 \\le 1$", "incorrect"),
    ("$p^2 < 4$", "incorrect"),
    ("$1 - p^2 \\ge 0$", "incorrect"),
])
def test_an_inequality_in_the_variable_is_the_set(grader, tmp_path, answer, status):
    part = grade_markdown(grader, tmp_path, "D1", answer)
    assert part.status == status, (part.answer, part.feedback)


@pytest.mark.parametrize("answer", ["$-1 < p < 1$", "$\\lvert p \\rvert < 1$", "$p \\in (-1, 1)$"])
def test_the_forms_read_before_still_read(grader, tmp_path, answer):
    part = grade_markdown(grader, tmp_path, "D1", answer)
    assert part.status == "correct", (part.answer, part.feedback)


def test_the_set_stated_wins_over_the_inequality_it_came_from(grader, tmp_path):
    part = grade_markdown(grader, tmp_path, "D1", "We need $1 - p^2 > 0$.\n\nSo $p \\in [-1, 1]$.")
    assert part.status == "incorrect", (part.answer, part.feedback)


def test_an_inequality_without_the_variable_is_no_answer(grader, tmp_path):
    part = grade_markdown(grader, tmp_path, "D1", "The trace gives $0 < 2$.")
    assert part.status == "could not read", (part.answer, part.feedback)


# -- through the command ---------------------------------------------------------------------------------------------

def test_grader_check_reads_both_sentences(spec, tmp_path):
    submission = tmp_path / "hw.md"
    submission.write_text("## D1\n$p^2 < 1$\n\n## D2\nI would use the singular value decomposition.\n",
                          encoding="utf-8")
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(spec.parent), str(submission),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    for label in ("D1", "D2"):
        assert tests[label]["score"] == tests[label]["max_score"], tests[label]["output"]


def test_a_notebooks_markdown_cells_read_the_same(grader, tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("## D1\nThe matrix is positive definite when $1 - p^2 > 0$."),
                      nbformat.v4.new_code_cell("import numpy as np"),
                      nbformat.v4.new_markdown_cell("## D2\nWe use the SVD of the centred data.")]
    path = tmp_path / "hw.ipynb"
    nbformat.write(notebook, path)
    parts = {p.label: p for p in grader.grade("student", [path]).parts}
    for label in ("D1", "D2"):
        assert parts[label].status == "correct", (label, parts[label].answer, parts[label].feedback)


# -- the seed answer of Q2 is read as before ----------------------------------------------------------------------

@pytest.mark.skipif(not SEED.exists(), reason="the seed answer is not available here")
def test_seed_answer_still_earns_full_marks(q2_grader):
    parts = {p.label: p for p in q2_grader.grade("seed", [SEED]).parts}
    for label in Q2_PARTS:
        assert parts[label].status == "correct", (label, parts[label].answer, parts[label].feedback)
        assert parts[label].score == parts[label].max_score
