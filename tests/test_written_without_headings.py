"""Written answers with no section of their own: found by the quantity's name anywhere in the document.

A student may head the write-up ``# Question 2`` only (or not at all) and write
each answer as a statement naming its quantity.  Those statements are read
through the real ``grader check`` command: right values are correct, wrong ones
incorrect, and the source says where each was found and that it had no section.
A bare value, a choice or prose outside its part's section is never taken, and
a file written for something else (a README, notes for another homework)
neither answers anything nor adds a note.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"
Q2 = PROBLEMS / "q2-activations.yaml"
SEED = ROOT.parent / "shared" / "seeds" / "000_6f4e6de2cd5000a2.txt"
NAMED_OUTSIDE = "found by its name outside any section for"
NO_HEADING_NOTE = "has no section headed by a part label"

QUESTION_HEADING_ONLY = """# Question 2

The linear approximations are $\\dot\\sigma_{\\text{approx}}(\\varepsilon) = \\frac14$ and $\\dot{\\tanh}_{\\text{approx}}(\\varepsilon) = 1$.

They hold for $\\varepsilon \\in (-\\infty, \\infty)$.

$\\rho_{\\text{approx}}(\\varepsilon) = \\frac14$ and $\\rho(0.05) \\approx 0.2505$.
"""

WRONG_VALUES = """# Question 2

The linear approximations are $\\dot\\sigma_{\\text{approx}}(\\varepsilon) = \\frac12$ and $\\dot{\\tanh}_{\\text{approx}}(\\varepsilon) = 2$.

They hold for $\\varepsilon \\in [1, 2]$.

$\\rho_{\\text{approx}}(\\varepsilon) = 3$ and $\\rho(0.05) \\approx 0.35$.

Q2.3(d): true
"""

UNNAMED_ONLY = """# Question 2

$\\frac14$

approx

The true ratio decays more slowly than the approximation.

It holds for all real numbers $\\varepsilon$.

$\\boxed{0.2505}$

For $\\varepsilon = 0.05$ the ratio is close to a quarter, and for $\\varepsilon > 0$ both curves decay.

Back-propagation through time multiplies the gradient by one activation derivative per time step, and the
sigmoid's derivative is at most 1/4 while tanh's is at most 1, so gradients vanish faster with sigmoid.
"""

README = """# My deep learning homework

This repository holds my homework. Run `python foundations.py` to see the examples.

## Setup

Install the requirements with `pip install -r requirements.txt`; Python 3.11 is needed.
The learning rate is $\\eta = 0.1$ and training runs for 10 epochs.
"""

# Notes for the foundations homework: a correlation ρ, an interval of ε, numbered headings.
FOUNDATIONS_NOTES = """# Statistics notes

Pearson's correlation is $\\rho = \\frac{\\operatorname{cov}(X, Y)}{\\sigma_X \\sigma_Y}$; for our data $\\rho = 0.9$.

## 2. Numerical computing

For $\\varepsilon \\in (0, 1)$ the bound holds, and $0 < \\varepsilon < 1$ keeps the step stable.
The interval is $(0, 1)$.
"""


def check(tmp_path: Path, files: dict[str, str | Path], spec: Path = Q2) -> tuple[dict, str]:
    """``grader check SPEC DIR --json`` on a submission of ``files``: (tests by part label, the notes)."""
    submission = tmp_path / f"submission{len(list(tmp_path.glob('submission*')))}"
    submission.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, submission / name)
        else:
            (submission / name).write_text(content, encoding="utf-8")
    out = submission.with_suffix(".json")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(spec), str(submission), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    return {t["number"]: t for t in results["tests"]}, results["output"]


def verdict(test: dict) -> str:
    return test["extra_data"]["verdict"]


def test_named_statements_under_a_question_heading_are_graded(tmp_path):
    tests, notes = check(tmp_path, {"q2.md": QUESTION_HEADING_ONLY})
    for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b"):
        assert verdict(tests[label]) == "correct", (label, tests[label]["output"])
        assert tests[label]["score"] == tests[label]["max_score"]
        assert f"{NAMED_OUTSIDE} {label}" in tests[label]["output"]
    assert "(graded from q2.md, line 3, found by its name outside any section for Q2.1a; " \
           "head each part's section with its label, e.g. '## Q2.1')" in tests["Q2.1a"]["output"]
    assert "q2.md, line 5," in tests["Q2.2"]["output"]
    assert "q2.md, line 7," in tests["Q2.3b"]["output"]
    assert "e.g. '## Q2.3'" in tests["Q2.3b"]["output"]
    for label in ("Q2.3c", "Q2.3d", "Q2.4"):
        assert verdict(tests[label]) == "not answered"
    # The document has no part heading and some parts are left: a note names the file and says why.
    assert f"q2.md {NO_HEADING_NOTE}" in notes
    assert "Q2.3c, Q2.3d and Q2.4 were not found that way" in notes
    assert "Unnamed answers (a bare value, a choice, prose) are read only under the part's own label: a heading " \
           "such as '## Q2.3', or a paragraph opening with 'Q2.3c:'" in notes


def test_label_paragraphs_are_named_in_the_note_about_the_other_parts(tmp_path):
    tests, notes = check(tmp_path, {"q2.md": "Q2.3b: 0.2505\n\nQ2.1a: $\\frac14$\n"})
    assert verdict(tests["Q2.3b"]) == "correct" and verdict(tests["Q2.1a"]) == "correct"
    assert "q2.md labels paragraphs with part labels but heads no section with one, so the parts without a " \
           "label of their own were looked for only as statements naming their quantity" in notes
    assert NO_HEADING_NOTE not in notes


def test_a_document_without_any_heading_is_read_the_same_way(tmp_path):
    document = QUESTION_HEADING_ONLY.replace("# Question 2\n", "").lstrip()
    tests, notes = check(tmp_path, {"answers.md": document})
    for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b"):
        assert verdict(tests[label]) == "correct", (label, tests[label]["output"])
    assert "answers.md, line 1, found by its name" in tests["Q2.1a"]["output"]
    assert f"answers.md {NO_HEADING_NOTE}" in notes


def test_wrong_values_named_outside_sections_are_incorrect(tmp_path):
    tests, notes = check(tmp_path, {"q2.md": WRONG_VALUES})
    for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3d"):
        assert verdict(tests[label]) == "incorrect", (label, tests[label]["output"])
        assert tests[label]["score"] == 0
    assert f"{NAMED_OUTSIDE} Q2.3d" in tests["Q2.3d"]["output"]  # "Q2.3(d): true" names the part by its label
    assert "Q2.3c and Q2.4 were not found that way" in notes


def test_the_last_of_two_named_values_counts(tmp_path):
    right_last = "# Question 2\n\n$\\rho(0.05) \\approx 0.35$\n\nCorrected: $\\rho(0.05) \\approx 0.2505$\n"
    tests, _ = check(tmp_path, {"q2.md": right_last})
    assert verdict(tests["Q2.3b"]) == "correct" and "line 5," in tests["Q2.3b"]["output"]
    wrong_last = "# Question 2\n\n$\\rho(0.05) \\approx 0.2505$\n\nCorrected: $\\rho(0.05) \\approx 0.35$\n"
    tests, _ = check(tmp_path, {"q2.md": wrong_last})
    assert verdict(tests["Q2.3b"]) == "incorrect"


def test_values_named_as_inequalities_tables_and_labels_are_read(tmp_path):
    document = """# Question 2

$$-\\infty < \\varepsilon < \\infty$$

| T | $\\rho(0.05)^T$ |
|---|---|
| 1 | 0.2505 |
| 5 | 9.8e-4 |
| 10 | 9.7e-7 |
| 20 | 9.4e-13 |

Q2.3(d): approx
"""
    tests, _ = check(tmp_path, {"q2.md": document})
    for label in ("Q2.2", "Q2.3c", "Q2.3d"):
        assert verdict(tests[label]) == "correct", (label, tests[label]["output"])
        assert f"{NAMED_OUTSIDE} {label}" in tests[label]["output"]


def test_unnamed_values_choices_and_prose_outside_their_section_are_not_answers(tmp_path):
    tests, notes = check(tmp_path, {"q2.md": UNNAMED_ONLY})
    assert {label: verdict(t) for label, t in tests.items()} == dict.fromkeys(tests, "not answered")
    # ε = 0.05 gives the variable a value and ε > 0 is a condition: neither answers Q2.2.
    assert f"q2.md {NO_HEADING_NOTE}" in notes


def test_a_part_without_a_section_is_found_in_another_parts_section(tmp_path):
    document = """## Q2.1
$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and $\\dot\\tanh_{approx}(\\varepsilon) = 1$,
so $\\rho_{approx}(\\varepsilon) = \\frac14$.

## Q2.2
$\\frac12$
"""
    tests, notes = check(tmp_path, {"q2.md": document})
    assert verdict(tests["Q2.1a"]) == "correct"
    assert tests["Q2.1a"]["output"].endswith("(graded from q2.md)")  # in its own section: no remark
    assert verdict(tests["Q2.3a"]) == "correct"
    assert f"{NAMED_OUTSIDE} Q2.3a" in tests["Q2.3a"]["output"]
    assert verdict(tests["Q2.2"]) != "correct"  # its own section is read as before, never replaced
    assert NO_HEADING_NOTE not in notes  # the document has part headings


def test_the_seed_answer_keeps_full_marks_next_to_a_readme(tmp_path):
    tests, notes = check(tmp_path, {"q2.md": SEED, "README.md": README})
    assert all(t["score"] == t["max_score"] for t in tests.values()), {k: t["output"] for k, t in tests.items()}
    assert all(NAMED_OUTSIDE not in t["output"] for t in tests.values())
    assert "README" not in notes


def test_a_readme_and_another_homeworks_notes_answer_nothing_and_add_no_note(tmp_path):
    tests, notes = check(tmp_path, {"README.md": README, "notes.md": FOUNDATIONS_NOTES}, spec=PROBLEMS)
    q2 = {label: t for label, t in tests.items() if label.startswith("Q2")}
    assert q2 and all(verdict(t) == "not answered" for t in q2.values()), {k: t["output"] for k, t in q2.items()}
    assert "README" not in notes and "notes.md" not in notes


def test_a_bare_letter_counts_only_in_a_document_written_for_the_question(tmp_path):
    # "ρ" alone is any text's ρ; in q2.md, or next to a quantity of Q2's own, it is Q2.3b's ρ(0.05).
    tests, notes = check(tmp_path, {"stats.md": "Our sample gives $\\rho = 0.2505$.\n"})
    assert verdict(tests["Q2.3b"]) == "not answered" and "stats.md" not in notes
    tests, _ = check(tmp_path, {"q2.md": "Our sample gives $\\rho = 0.2505$.\n"})
    assert verdict(tests["Q2.3b"]) == "correct"
    tests, _ = check(tmp_path, {"stats.md": "$\\rho_{approx} = \\frac14$ and $\\rho = 0.2505$.\n"})
    assert verdict(tests["Q2.3a"]) == "correct" and verdict(tests["Q2.3b"]) == "correct"


def write_notebook(path: Path, cells: list) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


NARRATIVE_CELLS = [
    nbformat.v4.new_markdown_cell("# Question 2\n\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$ and "
                                  "$\\rho(0.05) \\approx 0.2505$."),
    nbformat.v4.new_code_cell("def faster_decay():\n    return 'approx'\n"),
]


def test_another_notebooks_markdown_cells_without_part_headings_stay_narrative(tmp_path):
    # A notebook's Markdown is read only when a heading names a part; its code is graded either way.
    notebook = write_notebook(tmp_path / "lab.ipynb", NARRATIVE_CELLS)
    tests, notes = check(tmp_path, {"lab.ipynb": notebook})
    assert verdict(tests["Q2.3d"]) == "checked at grading"  # its code: hidden cases only
    assert verdict(tests["Q2.1a"]) in ("not defined", "not answered")
    assert NO_HEADING_NOTE not in notes


def test_the_problem_sets_own_notebook_is_read_like_its_markdown_file(tmp_path):
    notebook = write_notebook(tmp_path / "q2.ipynb", NARRATIVE_CELLS)
    tests, notes = check(tmp_path, {"q2.ipynb": notebook})
    assert verdict(tests["Q2.1a"]) == "correct" and verdict(tests["Q2.3b"]) == "correct"
    assert f"{NAMED_OUTSIDE} Q2.1a" in tests["Q2.1a"]["output"]


def test_a_notebook_with_a_part_heading_finds_other_parts_by_name(tmp_path):
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell("## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14$"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_markdown_cell("The ratio: $\\rho(0.05) \\approx 0.35$."),
    ])
    tests, notes = check(tmp_path, {"q2.ipynb": notebook})
    assert verdict(tests["Q2.1a"]) == "correct"
    assert verdict(tests["Q2.3b"]) == "incorrect"
    assert f"q2.ipynb, Markdown cells, line 4, {NAMED_OUTSIDE} Q2.3b" in tests["Q2.3b"]["output"]
    assert NO_HEADING_NOTE not in notes
