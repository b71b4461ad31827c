"""A notebook that keeps the questions in Markdown cells grades like the same code in a ``.py`` file.

Instructors often hand out a notebook built from the handout: a Markdown cell
with the part's heading and prompt before each code cell.  The prompt is the
question, not the student's answer: a part answered by code must still read
"not defined" or "not implemented" when its function is missing or a stub,
never "could not read".  The student's own written answers under the same
headings are still read.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
Q2 = ROOT / "problems" / "q2-activations.yaml"

FOUNDATIONS_CODE = {
    "matmul": ("def matmul(A, B):\n"
               "    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)\n"
               "    if A.shape[1] != B.shape[0]:\n"
               "        raise ValueError('inner dimensions differ')\n"
               "    return A @ B\n"),
    "dot": "def dot(u, v):\n    raise NotImplementedError\n",
    "l1_norm": "# TODO\n",  # left undefined
}
Q2_CODE = {
    "sigma_dot_approx": "def sigma_dot_approx(eps):\n    return 0.25\n",
    "tanh_dot_approx": "def tanh_dot_approx(eps):\n    raise NotImplementedError\n",
    "rho_approx": "# TODO\n",  # left undefined
    "rho": "def rho(eps):\n    raise NotImplementedError\n",
    "rho_powers": "",  # left undefined
    "faster_decay": "def faster_decay():\n    return 'approx'\n",
}


def check(spec: Path, submission: Path, tmp_path: Path) -> dict:
    """``grader check`` on one submission; its tests by part label."""
    out = tmp_path / f"{submission.stem}-{submission.suffix[1:]}.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(spec), str(submission), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}


def verdicts(tests: dict) -> dict:
    """Each part's verdict, score and feedback, without the "(graded from …)" line that names the file, and
    with the file named in feedback ("q2.ipynb answers other parts …") the same whether notebook or .py."""
    return {label: (t["extra_data"]["verdict"], t["score"],
                    re.sub(r"\b(\w+)\.(?:ipynb|py)\b", r"\1.*", t["output"].split("\n(graded from")[0]))
            for label, t in tests.items()}


def write_notebook(path: Path, cells: list) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def handout_sections(handout: str, labels: list[str]) -> dict[str, str]:
    """The handout README's ``## <label> — …`` section of each part (heading, prompt, how to hand in)."""
    sections = {}
    for label in labels:
        match = re.search(rf"(?ms)^## {re.escape(label)} — .*?(?=^## |^---|\Z)", handout)
        assert match, label
        sections[label] = match.group(0).strip()
    return sections


def handout_readme(tmp_path: Path) -> str:
    out = tmp_path / "handout"
    run = subprocess.run([sys.executable, "-m", "grader", "handout", str(FOUNDATIONS), str(Q2), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return (out / "README.md").read_text(encoding="utf-8")


def prompted_notebook(path: Path, prompts: dict[str, str], code: dict[str, str], header: str) -> Path:
    """A notebook with each part's prompt in a Markdown cell before the cell of its function."""
    cells = [nbformat.v4.new_markdown_cell(header), nbformat.v4.new_code_cell("import numpy as np")]
    for prompt, source in zip(prompts.values(), code.values()):
        cells.append(nbformat.v4.new_markdown_cell(prompt))
        cells.append(nbformat.v4.new_code_cell(source))
    return write_notebook(path, cells)


def as_python_file(path: Path, code: dict[str, str]) -> Path:
    path.write_text("import numpy as np\n\n\n" + "\n\n".join(code.values()), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# foundations: every part is answered by code

def test_instructor_prompts_do_not_hide_a_missing_function(tmp_path):
    # The instructor's own wording, as in a notebook written by hand rather than from the handout.
    prompts = {
        "matmul": "## A1. matmul\nImplement `matmul(A, B)` that returns the matrix product of $A$ and $B$; "
                  "raise ValueError when shapes mismatch.",
        "dot": "## A2. dot\nImplement `dot(u, v)` returning the dot product $u \\cdot v = \\sum_i u_i v_i$.",
        "l1_norm": "## A3. l1_norm\nImplement `l1_norm(v)`, the L1 norm $\\lVert v \\rVert_1 = \\sum_i |v_i|$.",
    }
    (tmp_path / "nb").mkdir()
    notebook = prompted_notebook(tmp_path / "nb" / "foundations.ipynb", prompts, FOUNDATIONS_CODE, "# Foundations")
    tests = verdicts(check(FOUNDATIONS, notebook, tmp_path))
    assert tests["A1"][:2] == ("correct", 2.0), tests["A1"]
    assert tests["A2"][0] == "not implemented" and "not implemented yet" in tests["A2"][2], tests["A2"]
    assert tests["A3"] == ("not defined", 0.0, "l1_norm is not defined."), tests["A3"]
    assert not [label for label, t in tests.items() if t[0] == "could not read"]
    python = verdicts(check(FOUNDATIONS, as_python_file(tmp_path / "foundations.py", FOUNDATIONS_CODE), tmp_path))
    assert tests == python


def test_handout_prompts_of_foundations_grade_like_the_python_file(tmp_path):
    sections = handout_sections(handout_readme(tmp_path), ["A1", "A2", "A3"])
    (tmp_path / "nb").mkdir()
    notebook = prompted_notebook(tmp_path / "nb" / "foundations.ipynb", sections, FOUNDATIONS_CODE,
                                 "# Mathematical foundations for deep learning")
    tests = verdicts(check(FOUNDATIONS, notebook, tmp_path))
    assert tests["A3"] == ("not defined", 0.0, "l1_norm is not defined."), tests["A3"]
    python = verdicts(check(FOUNDATIONS, as_python_file(tmp_path / "foundations.py", FOUNDATIONS_CODE), tmp_path))
    assert tests == python


# ---------------------------------------------------------------------------
# Q2: parts answered by code or in writing

def test_handout_prompts_of_q2_grade_like_the_python_file(tmp_path):
    labels = ["Q2.1a", "Q2.1b", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d"]
    sections = handout_sections(handout_readme(tmp_path), labels + ["Q2.2", "Q2.4"])
    (tmp_path / "nb").mkdir()
    notebook = prompted_notebook(tmp_path / "nb" / "q2.ipynb", {k: sections[k] for k in labels}, Q2_CODE,
                                 "# Question 2\n\n" + sections["Q2.2"] + "\n\n" + sections["Q2.4"])
    tests = verdicts(check(Q2, notebook, tmp_path))
    assert tests["Q2.3a"] == ("not defined", 0.0, "rho_approx is not defined."), tests["Q2.3a"]
    assert tests["Q2.3c"] == ("not defined", 0.0, "rho_powers is not defined."), tests["Q2.3c"]
    assert tests["Q2.3b"][0] == "not implemented", tests["Q2.3b"]
    assert tests["Q2.1a"][0] == "checked at grading", tests["Q2.1a"]  # its cases are all hidden
    # The written parts' questions are not answers either.
    assert tests["Q2.2"] == ("not defined", 0.0, "approx_leq_interval is not defined."), tests["Q2.2"]
    assert tests["Q2.4"][0] == "not answered", tests["Q2.4"]
    python = verdicts(check(Q2, as_python_file(tmp_path / "q2.py", Q2_CODE), tmp_path))
    assert tests == python


def test_the_handouts_questions_alone_answer_nothing(tmp_path):
    # The handout's Q2 section as a notebook, nothing filled in: every part is unanswered, none unreadable.
    handout = handout_readme(tmp_path)
    q2 = handout[handout.index('<a id="q2-activations">'):]
    cells = [nbformat.v4.new_markdown_cell(cell.strip()) for cell in re.split(r"(?m)^(?=## )", q2) if cell.strip()]
    (tmp_path / "nb").mkdir()
    notebook = write_notebook(tmp_path / "nb" / "q2.ipynb", cells + [nbformat.v4.new_code_cell("import numpy as np")])
    tests = verdicts(check(Q2, notebook, tmp_path))
    assert {t[0] for t in tests.values()} <= {"not defined", "not answered"}, tests
    assert all(t[1] == 0 for t in tests.values())


def test_prompts_right_under_the_heading_are_not_answers(tmp_path):
    # "## Q2.3a" and the spec's prompt in one paragraph, as a notebook written from the spec would have them.
    prompts = {part.label: part.prompt for part in load_problem_set(Q2).parts}
    labels = ["Q2.1a", "Q2.1b", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d"]
    notebook = prompted_notebook(tmp_path / "q2.ipynb", {k: f"## {k}\n{prompts[k]}" for k in labels}, Q2_CODE,
                                 f"## Q2.2\n{prompts['Q2.2']}\n\n## Q2.4\n{prompts['Q2.4']}")
    tests = verdicts(check(Q2, notebook, tmp_path))
    assert tests["Q2.3a"] == ("not defined", 0.0, "rho_approx is not defined."), tests["Q2.3a"]
    python = verdicts(check(Q2, as_python_file(tmp_path / "q2.py", Q2_CODE), tmp_path))
    assert tests == python


def test_instructor_prompts_of_q2_do_not_hide_a_missing_function(tmp_path):
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell("## Q2.3a\nImplement `rho_approx(eps)` returning the approximate ratio "
                                      "of the two derivatives at `eps`."),
        nbformat.v4.new_code_cell("# TODO"),
        nbformat.v4.new_markdown_cell("## Q2.3c\nImplement `rho_powers(eps, T_max)`: the powers of ρ(ε) "
                                      "for T = 1, …, T_max."),
        nbformat.v4.new_code_cell("def rho_powers(eps, T_max):\n    raise NotImplementedError\n"),
    ])
    tests = verdicts(check(Q2, notebook, tmp_path))
    assert tests["Q2.3a"] == ("not defined", 0.0, "rho_approx is not defined."), tests["Q2.3a"]
    assert tests["Q2.3c"][0] == "not implemented", tests["Q2.3c"]


def test_a_written_answer_after_the_prompt_is_still_read(tmp_path):
    sections = handout_sections(handout_readme(tmp_path), ["Q2.2", "Q2.3a"])
    notebook = write_notebook(tmp_path / "q2.ipynb", [
        nbformat.v4.new_markdown_cell(sections["Q2.2"] + "\n\n$\\varepsilon \\in (-\\infty, \\infty)$"),
        nbformat.v4.new_markdown_cell(sections["Q2.3a"] + "\n\n$\\rho_{approx}(\\varepsilon) = \\frac{1}{4}$"),
        # The answer on the line right after the prompt, in the same paragraph.
        nbformat.v4.new_markdown_cell("## Q2.3b\nFor ε = 0.05 give ρ(0.05) to 4 significant figures.\n"
                                      "$\\rho(0.05) = 0.2505$"),
        nbformat.v4.new_code_cell("import numpy as np"),
    ])
    tests = check(Q2, notebook, tmp_path)
    for label in ("Q2.2", "Q2.3a", "Q2.3b"):
        assert tests[label]["extra_data"]["verdict"] == "correct", tests[label]["output"]
        assert "q2.ipynb, Markdown cells" in tests[label]["output"]
