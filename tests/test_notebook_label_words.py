"""A notebook's part labels in other languages are read as in a Markdown file.

Students label parts in their own language: ``## Frage 2.1 (a)``, ``## Aufgabe 2.2``,
``Pregunta 2.3(d):``.  The Markdown reader knows these label words; a notebook's
Markdown cells must know the same ones, so that the same text grades the same
in ``lab.ipynb`` as in ``lab.md`` (and a notebook whose labels cannot be read
there says so, whatever the language).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.readers.code import load_code
from grader.readers.notebook import read_notebook_answers
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

SIGMA = "$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4}$"
TANH = "$\\dot{\\tanh}_{approx}(\\varepsilon) = 1$"
SET = "$\\varepsilon \\in (-\\infty, \\infty)$"

# One Markdown cell per part, headed in German, Spanish and English.
HEADED_CELLS = [
    f"## Frage 2.1 (a)\n\n{SIGMA}",
    f"## Frage 2.1 (b)\n\n{TANH}",
    f"## Aufgabe 2.2\n\n{SET}",
    "## Pregunta 2.3(d)\n\napprox",
    "## Frage 2.4\n\nBack-propagation through time multiplies one activation derivative per step.",
]


def write_notebook(path: Path, markdown: list[str]) -> Path:
    cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    nbformat.write(nbformat.v4.new_notebook(cells=cells + [nbformat.v4.new_code_cell("import numpy as np")]), path)
    return path


def scores(grader, path: Path) -> dict[str, float]:
    return {p.label: p.score for p in grader.grade("s", [path]).parts}


def test_headings_in_other_languages_grade_as_in_the_markdown_file(q2_grader, tmp_path):
    notebook = write_notebook(tmp_path / "lab.ipynb", HEADED_CELLS)
    (tmp_path / "md").mkdir()
    markdown = tmp_path / "md" / "lab.md"
    markdown.write_text("\n\n".join(HEADED_CELLS) + "\n", encoding="utf-8")
    from_markdown, from_notebook = scores(q2_grader, markdown), scores(q2_grader, notebook)
    assert from_notebook == from_markdown
    assert all(from_notebook[label] > 0 for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3d")), from_notebook


@pytest.mark.parametrize("word", ["Aufgabe", "Frage", "Teilaufgabe", "Übung", "Exercice", "Pregunta", "Ejercicio",
                                  "Problema", "Esercizio", "Domanda", "Opgave", "Zadanie", "Uppgift", "Questão"])
def test_every_label_word_of_the_markdown_reader_names_a_part(tmp_path, word):
    # In a notebook other than the set's own, only a heading naming a part opens a section to read.
    notebook = write_notebook(tmp_path / "lab.ipynb", [f"## {word} 2.2\n\n{SET}"])
    reading = read_notebook_answers(load_code(notebook), load_problem_set(Q2))
    assert list(reading.answers) == ["Q2.2"], (reading.answers, reading.notes)
    assert reading.answers["Q2.2"].source == "lab.ipynb, Markdown cells"


def test_a_bare_number_still_numbers_another_homeworks_section(tmp_path):
    notebook = write_notebook(tmp_path / "lab.ipynb", [f"## 2.2 Sets\n\n{SET}"])
    reading = read_notebook_answers(load_code(notebook), load_problem_set(Q2))
    assert not reading.answers and not reading.notes


@pytest.mark.parametrize("label", ["**Frage 2.1 (a)**", "**Aufgabe 2.2**", "Pregunta 2.3(d):", "**Question 2.1a**"])
def test_worded_labels_without_headings_get_the_note_in_any_language(tmp_path, label):
    notebook = write_notebook(tmp_path / "lab.ipynb", [f"{label}\n\n{SIGMA if '2.1' in label else SET}"])
    reading = read_notebook_answers(load_code(notebook), load_problem_set(Q2))
    assert not reading.answers
    bare = label.strip("*_: ")
    assert len(reading.notes) == 1 and reading.notes[0].startswith("lab.ipynb: its Markdown cells label parts"), \
        reading.notes
    assert f"'{bare}'" in reading.notes[0] and f"'## {bare}'" in reading.notes[0], reading.notes


def test_the_cli_grades_a_notebook_headed_in_german(tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", [f"## Frage 2.1 (a)\n\n{SIGMA}", f"## Aufgabe 2.2\n\n{SET}"])
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(notebook)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    assert "total: 4 / 13 points" in run.stdout, run.stdout
