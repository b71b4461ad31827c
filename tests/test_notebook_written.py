"""Written answers in a notebook's Markdown cells, graded like a Markdown file.

A student who works in ``q2.ipynb`` writes the derivations in Markdown cells
and some functions in code cells.  Both are graded, each part from whichever
answers it best; Markdown cells without part headings are narrative and are
not searched.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest


ROOT = Path(__file__).resolve().parents[1]
WRITTEN_PARTS = ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d")


def markdown_cells(document: str) -> list[str]:
    """A Markdown document cut into one cell per ``## `` section, as a student would lay out a notebook."""
    return [cell.strip("\n") for cell in re.split(r"(?m)^(?=## )", document) if cell.strip()]


def write_notebook(path: Path, cells: list) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_markdown_cells_grade_like_the_markdown_file(q2_grader, tmp_path):
    document = (ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8")
    cells = [nbformat.v4.new_markdown_cell(text) for text in markdown_cells(document)]
    cells.insert(1, nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np"))
    notebook = write_notebook(tmp_path / "q2.ipynb", cells)

    from_markdown = {p.label: p for p in q2_grader.grade("alice", [ROOT / "submissions" / "alice" / "q2.md"]).parts}
    from_notebook = {p.label: p for p in q2_grader.grade("alice", [notebook]).parts}
    for label in WRITTEN_PARTS + ("Q2.4",):
        assert from_notebook[label].score == from_markdown[label].score, (label, from_notebook[label].feedback)
        assert from_notebook[label].status == from_markdown[label].status
    assert all(from_notebook[label].score == from_notebook[label].max_score for label in WRITTEN_PARTS)
    assert from_notebook["Q2.1a"].source == "q2.ipynb, Markdown cells"
    assert from_notebook["Q2.4"].provisional


def test_full_width_forms_in_markdown_cells_read_as_in_a_markdown_file(q2_grader, tmp_path):
    # An IME types "Q２.３", "（ｂ）" and "答案："; the Markdown file reader folds them to ASCII, and so must a notebook's.
    cells = ["## Q２.３\n\n**（ｂ）** ρ（０.０５）＝ ０.２５０５\n\n**（ｄ）** 答案：approx", "## Q2.2\n\nε ∈ （−∞，∞）"]
    (tmp_path / "q2.md").write_text("\n\n".join(cells), encoding="utf-8")
    notebook = write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell(cell) for cell in cells])
    from_markdown = {p.label: p for p in q2_grader.grade("s", [tmp_path / "q2.md"]).parts}
    from_notebook = {p.label: p for p in q2_grader.grade("s", [notebook]).parts}
    for label in ("Q2.2", "Q2.3b", "Q2.3d"):
        assert from_markdown[label].score == from_markdown[label].max_score, (label, from_markdown[label].feedback)
        assert from_notebook[label].score == from_markdown[label].score, (label, from_notebook[label].feedback)


def test_code_and_markdown_cells_of_one_notebook_answer_different_parts(q2_grading_grader, tmp_path):
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell("# My homework\n\n## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac12$"),
        nbformat.v4.new_code_cell("def faster_decay():\n    return 'approx'\n"),
        nbformat.v4.new_markdown_cell("## Q2.2\n$\\varepsilon \\in (-\\infty, \\infty)$"),
    ])
    parts = {p.label: p for p in q2_grading_grader.grade("student", [notebook]).parts}
    assert parts["Q2.1a"].status == "incorrect" and parts["Q2.1a"].source == "q2.ipynb, Markdown cells"
    assert parts["Q2.2"].status == "correct"
    assert parts["Q2.3d"].status == "correct" and parts["Q2.3d"].source == "q2.ipynb"
    assert parts["Q2.3a"].status == "not defined"  # q2.ipynb is handed in for the code parts too


def test_narrative_markdown_cells_are_not_searched_for_answers(q2_grader, tmp_path):
    # Without part headings another notebook's Markdown is narrative: even a quantity written there is not taken.
    notebook = write_notebook(tmp_path / "lab.ipynb", [
        nbformat.v4.new_markdown_cell("# Activations\n\nFirst we plot; $\\rho_{approx}(\\varepsilon) = 0.25$ is shown."),
        nbformat.v4.new_code_cell("import numpy as np"),
    ])
    result = q2_grader.grade("student", [notebook])
    written = [p for p in result.parts if p.label in WRITTEN_PARTS]
    assert all(p.score == 0 and "Markdown" not in p.source for p in written), [(p.label, p.source) for p in written]
    assert not any("section" in note or "Markdown" in note for note in result.notes), result.notes


def test_a_malformed_notebook_with_answers_is_reported_once_by_name(tmp_path):
    (tmp_path / "q2.ipynb").write_text('{"cells": [{"cell_type": "markdown", "source": "## Q2.1"}]', encoding="utf-8")
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml",
                          str(tmp_path / "q2.ipynb"), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in run.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 0
    assert report["output"].count("q2.ipynb ends early") == 1, report["output"]


def test_a_notebook_answers_through_the_cli(tmp_path):
    document = (ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8")
    write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell(t) for t in markdown_cells(document)])
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml",
                          str(tmp_path / "q2.ipynb"), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    for label in WRITTEN_PARTS:
        assert tests[label]["score"] == tests[label]["max_score"], tests[label]["output"]


def test_another_homeworks_numbered_headings_are_not_taken_for_parts(q2_grader, tmp_path):
    # foundations.ipynb's "## 2.2 Sets" is its own section 2.2, not Q2.2.
    notebook = write_notebook(tmp_path / "foundations.ipynb", [
        nbformat.v4.new_markdown_cell("## 2.2 Sets\n$\\varepsilon \\in [0, 1]$"),
        nbformat.v4.new_markdown_cell("## 2.3 Probability\n$\\rho(0.05) = 0.9$"),
        nbformat.v4.new_code_cell("import numpy as np"),
    ])
    write_up = tmp_path / "q2.md"
    write_up.write_text("## Q2.2\n$\\varepsilon \\in \\mathbb{R}$\n", encoding="utf-8")
    parts = {p.label: p for p in q2_grader.grade("student", [write_up, notebook]).parts}
    assert parts["Q2.2"].status == "correct" and not parts["Q2.2"].provisional, parts["Q2.2"].feedback
    assert parts["Q2.3b"].status == "not answered"
    # In the problem set's own notebook, "## 2.2" is read as Q2.2, as in a Markdown file.
    own = write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell("## 2.2\n$\\varepsilon \\in \\mathbb{R}$")])
    assert {p.label: p for p in q2_grader.grade("student", [own]).parts}["Q2.2"].status == "correct"


def test_question_headings_are_read_in_any_notebook(q2_grader, tmp_path):
    # "Question 2.2" names the question, unlike a bare "2.2": read even in a notebook with another name.
    notebook = write_notebook(tmp_path / "homework2_activations.ipynb", [
        nbformat.v4.new_markdown_cell("## Question 2.2\n$\\varepsilon \\in (-\\infty, \\infty)$"),
        nbformat.v4.new_markdown_cell("## Problem 2.3 (b)\n$\\rho(0.05) \\approx 0.2505$"),
        nbformat.v4.new_code_cell("import numpy as np"),
    ])
    parts = {p.label: p for p in q2_grader.grade("student", [notebook]).parts}
    assert parts["Q2.2"].status == "correct", parts["Q2.2"].feedback
    assert parts["Q2.3b"].status == "correct", parts["Q2.3b"].feedback


def test_a_markdown_cell_without_text_does_not_lose_the_code(q2_grading_grader, tmp_path):
    path = tmp_path / "q2.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("def rho_approx(eps):\n    return 0.25\n")]
    raw = json.loads(nbformat.writes(notebook))
    raw["cells"].append({"cell_type": "markdown", "id": "broken", "metadata": {}, "source": None})
    path.write_text(json.dumps(raw), encoding="utf-8")
    parts = {p.label: p for p in q2_grading_grader.grade("student", [path]).parts}
    assert parts["Q2.3a"].status == "correct", parts["Q2.3a"].feedback


def test_markdown_cells_over_the_written_answer_limit_get_a_note(q2_grading_grader, tmp_path):
    from grader.readers.markdown import MAX_DOCUMENT_BYTES

    table = "## Q2.3\n| T | $\\rho(0.05)^T$ |\n|---|---|\n" + "| 5 | 0.001 |\n" * (MAX_DOCUMENT_BYTES // 14)
    notebook = write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell(table),
                                                      nbformat.v4.new_code_cell("def faster_decay():\n    return 'approx'\n")])
    result = q2_grading_grader.grade("student", [notebook])
    parts = {p.label: p for p in result.parts}
    assert any("Markdown cells are too large to read" in note for note in result.notes), result.notes
    assert parts["Q2.3d"].status == "correct"  # the code is graded all the same


@pytest.mark.parametrize("returns, writes", [("'true'", "the approximation decays faster"),
                                             ("'approx'", "the true ratio decays faster")])
def test_a_choice_made_both_ways_in_code_and_markdown_is_left_to_the_instructor(q2_grading_grader, tmp_path, returns,
                                                                                writes):
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell(f"## Q2.3d\nAnswer: {writes}."),
        nbformat.v4.new_code_cell(f"def faster_decay():\n    return {returns}\n"),
    ])
    q23d = {p.label: p for p in q2_grading_grader.grade("student", [notebook]).parts}["Q2.3d"]
    assert q23d.score == q23d.max_score and q23d.provisional
    assert "answers this part differently" in q23d.feedback


def test_code_and_writing_that_agree_or_code_that_raises_leave_a_choice_as_it_is(q2_grading_grader, tmp_path):
    for body in ("return 'approx'", "raise ValueError('todo')"):
        notebook = write_notebook(tmp_path / "q2.ipynb", [
            nbformat.v4.new_markdown_cell("## Q2.3d\nAnswer: approx."),
            nbformat.v4.new_code_cell(f"def faster_decay():\n    {body}\n"),
        ])
        q23d = {p.label: p for p in q2_grading_grader.grade("student", [notebook]).parts}["Q2.3d"]
        assert q23d.status == "correct" and not q23d.provisional, (body, q23d.feedback)


def _bold_labels(document: str) -> str:
    return re.sub(r"(?m)^## (Q2\.\d)\b.*$", r"**\1**", document)


def _no_headings(document: str) -> str:
    return re.sub(r"(?m)^#+ .*$", "", document)


LABEL_LINES = ("Q2.1a: \\frac{1}{4}\n\nQ2.1b: 1\n\nQ2.2: (-oo, oo)\n\nQ2.3a: 1/4\n\nQ2.3b: 0.2505\n\n"
               "Q2.3d: approx\n")


@pytest.mark.parametrize("layout", [_bold_labels, _no_headings, lambda document: LABEL_LINES],
                         ids=["bold labels", "no headings", "label lines"])
def test_the_problem_sets_own_notebook_is_read_like_its_markdown_file(q2_grader, tmp_path, layout):
    # q2.ipynb is one of the set's own files: its Markdown cells are read exactly as q2.md would be.
    document = layout((ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8"))
    assert "## Q2" not in document
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "q2.md").write_text(document, encoding="utf-8")
    notebook = write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell(document)])
    from_markdown = {p.label: p for p in q2_grader.grade("s", [tmp_path / "md" / "q2.md"]).parts}
    from_notebook = {p.label: p for p in q2_grader.grade("s", [notebook]).parts}
    scores = {label: from_notebook[label].score for label in from_notebook}
    assert scores == {label: from_markdown[label].score for label in from_markdown}
    assert sum(scores.values()) >= 9, scores
    assert from_notebook["Q2.2"].source.startswith("q2.ipynb, Markdown cells"), from_notebook["Q2.2"].source


def test_the_own_notebooks_markdown_still_leaves_out_the_sets_prompts(q2_grader, tmp_path):
    from grader.spec import load_problem_set

    prompt = next(p.prompt for p in load_problem_set(ROOT / "problems" / "q2-activations.yaml").parts
                  if p.label == "Q2.3b")
    notebook = write_notebook(tmp_path / "q2.ipynb", [nbformat.v4.new_markdown_cell(prompt)])
    parts = {p.label: p for p in q2_grader.grade("s", [notebook]).parts}
    assert all("Markdown" not in p.source for p in parts.values()), [(p.label, p.source) for p in parts.values()]


def test_another_notebooks_labels_without_headings_get_a_note(q2_grader, tmp_path):
    document = _bold_labels((ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8"))
    notebook = write_notebook(tmp_path / "lab.ipynb", [nbformat.v4.new_markdown_cell(document),
                                                       nbformat.v4.new_code_cell("import numpy as np")])
    result = q2_grader.grade("s", [notebook])
    assert all(p.score == 0 for p in result.parts)
    note = next(note for note in result.notes if note.startswith("lab.ipynb: its Markdown cells label parts"))
    assert "'Q2.1'" in note and "not read" in note and "## Q2.1" in note and "q2.ipynb" in note


def test_an_untouched_stub_does_not_hide_a_written_answer_that_could_not_be_read(q2_grading_grader, tmp_path):
    # The handout gives q2.py with stubs; a student answers in q2.md only, in a way the grader cannot read.
    stub = tmp_path / "q2.py"
    stub.write_text("def rho_powers(eps, T):\n    \"\"\"rho(eps)**T.\"\"\"\n    raise NotImplementedError\n",
                    encoding="utf-8")
    write_up = tmp_path / "q2.md"
    write_up.write_text("## Q2.3\n### Q2.3(c)\nThey get very small very fast.\n", encoding="utf-8")
    part = {p.label: p for p in q2_grading_grader.grade("student", [stub, write_up]).parts}["Q2.3c"]
    assert part.status == "could not read" and part.source.startswith("q2.md"), (part.status, part.feedback)
    assert "They get very small" in part.feedback


def test_an_unreadable_answer_in_a_cell_is_said_unless_the_code_answers_the_part(q2_grader, tmp_path):
    # The part's function is not defined in the notebook: "could not read" quoting the cell says what to mend,
    # where "sigma_dot_approx is not defined" hid it.  A part the code answers keeps the code's verdict.
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell("## Q2.1b\n\n1 + 0·ε"),
        nbformat.v4.new_markdown_cell("## Q2.3b\n\nit is about a quarter"),
        nbformat.v4.new_code_cell("import numpy as np\ndef rho(eps):\n    return 0.2505"),
    ])
    parts = {p.label: p for p in q2_grader.grade("s", [notebook]).parts}
    assert parts["Q2.1b"].status == "could not read", parts["Q2.1b"].feedback
    assert "The section reads: “1 + 0·ε”" in parts["Q2.1b"].feedback
    assert "could not read" not in parts["Q2.3b"].status and "about a quarter" not in parts["Q2.3b"].feedback
