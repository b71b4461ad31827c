"""Q2 answered in code, as the handout tells students to: the starter's functions say what the
assignment asks of them, every function the assignment lists for a graded part is one the grader
calls (Q2.2's ``approx_leq_interval()`` too), and the README carries what students need to answer.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from grader.cli import load_references
from grader.handout import HandoutError, questions, starter_code, tolerance_text
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

# The functions the assignment lists, with their parameters and the part each answers.
ASSIGNED = {
    "sigma_dot_approx": (["eps"], "Q2.1a"),
    "tanh_dot_approx": (["eps"], "Q2.1b"),
    "approx_leq_interval": ([], "Q2.2"),
    "rho_approx": (["eps"], "Q2.3a"),
    "rho": (["eps"], "Q2.3b"),
    "rho_powers": (["eps", "T_max"], "Q2.3c"),
    "faster_decay": ([], "Q2.3d"),
}


@pytest.fixture(scope="module")
def q2_references():
    return load_references([str(Q2)])


@pytest.fixture(scope="module")
def readme(q2_references) -> str:
    return questions(q2_references)


def stubs() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(starter_code(load_problem_set(Q2)))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def grade(grader, tmp_path: Path, name: str, text: str) -> dict:
    folder = tmp_path / "student"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return {p.label: p for p in grader.grade("student", [folder / name], folder).parts}


# ------------------------------------------------------------------ the starter says what the assignment asks

def test_every_assigned_function_is_in_the_starter_with_its_arguments_and_part():
    ps = load_problem_set(Q2)
    found = {stub.name: ([a.arg for a in stub.args.args], ast.get_docstring(stub).split(" ", 1)[0])
             for stub in stubs().values()}
    assert found == ASSIGNED
    assert {p.code.function: p.label for p in ps.parts if p.code} == {f: label for f, (_, label) in ASSIGNED.items()}


def test_docstrings_say_what_the_function_returns_not_the_written_question():
    docs = {name: " ".join(ast.get_docstring(stub).split()) for name, stub in stubs().items()}
    assert "ρ(eps)" in docs["rho"] and "any eps" in docs["rho"] and "0.05" in docs["rho"]  # its tolerance, 0.05 %
    assert "For ε = 0.05 give" not in docs["rho"] and "4 significant figures" not in docs["rho"]
    assert "1-D NumPy array" in docs["rho_powers"] and "T = 1, 2, …, T_max" in docs["rho_powers"]
    assert "T = 1, 5, 10 and 20" not in docs["rho_powers"]
    assert "pair (low, high)" in docs["approx_leq_interval"] and "inf" in docs["approx_leq_interval"]
    assert '"approx" or "true"' in docs["faster_decay"]
    for name, doc in docs.items():
        assert doc.startswith(f"{ASSIGNED[name][1]} ("), doc  # the part it answers, with its points
        assert "Give " not in doc, doc  # no written question ("Give ρ_approx(ε) …") as a function's contract


def test_the_readme_shows_each_function_s_signature_and_contract(readme):
    assert "*In code:* define `rho(eps)` in `q2.py`. Return the true ratio ρ(eps)" in readme
    assert "*In code:* define `rho_powers(eps, T_max)` in `q2.py`. Return a 1-D NumPy array" in readme
    assert "*In code:* define `approx_leq_interval()` in `q2.py`." in readme
    section = readme.split("## Q2.3b", 1)[1].split("## Q2.3c", 1)[0]
    assert "within a relative tolerance of 0.0005 (0.05 %)" in section


# ------------------------------------------------------------------ Q2.2 in code

RIGHT_PAIRS = {
    "a tuple of NumPy infinities": "import numpy as np\ndef approx_leq_interval():\n    return (-np.inf, np.inf)\n",
    "a list of math infinities": "import math\ndef approx_leq_interval():\n    return [-math.inf, math.inf]\n",
    "float('inf')": "def approx_leq_interval():\n    return (float('-inf'), float('inf'))\n",
    "a NumPy array": "import numpy as np\ndef approx_leq_interval():\n    return np.array([-np.inf, np.inf])\n",
    "NumPy scalars": "import numpy as np\ndef approx_leq_interval():\n"
                     "    return (np.float64('-inf'), np.float64('inf'))\n",
}


@pytest.mark.parametrize("body", list(RIGHT_PAIRS.values()), ids=list(RIGHT_PAIRS))
def test_q2_2_answered_by_the_function_earns_its_points(q2_grading_grader, tmp_path, body):
    part = grade(q2_grading_grader, tmp_path, "q2.py", body)["Q2.2"]
    assert (part.status, part.score) == ("correct", 2.0), part.feedback


@pytest.mark.parametrize("body, feedback", [
    ("import numpy as np\ndef approx_leq_interval():\n    return (0.0, np.inf)\n", "negative ε too"),
    ("import math\ndef approx_leq_interval():\n    return (-2 / math.sqrt(5), 2 / math.sqrt(5))\n", "ε² terms"),
    ("def approx_leq_interval():\n    return (-10.0, 10.0)\n", ""),
    ("def approx_leq_interval():\n    return (-1e308, 1e308)\n", ""),
    ("import numpy as np\ndef approx_leq_interval():\n    return (np.inf, -np.inf)\n", ""),
], ids=["half line", "second order", "finite", "huge but finite", "reversed"])
def test_a_wrong_pair_is_wrong_with_the_known_mistake_s_feedback(q2_grading_grader, tmp_path, body, feedback):
    part = grade(q2_grading_grader, tmp_path, "q2.py", body)["Q2.2"]
    assert part.score == 0 and part.status == "incorrect", part.feedback
    assert feedback in part.feedback


def test_the_second_order_interval_written_gets_its_feedback(q2_grading_grader, tmp_path):
    answer = "## Q2.2\n$\\varepsilon \\in [-2/\\sqrt{5}, 2/\\sqrt{5}]$\n"
    part = grade(q2_grading_grader, tmp_path, "q2.md", answer)["Q2.2"]
    assert part.score == 0 and "ε² terms" in part.feedback, part.feedback


def test_rho_powers_follows_t_max(q2_grading_grader, tmp_path):
    fixed = ("import math\ndef rho(eps):\n    s = 1 / (1 + math.exp(-eps))\n"
             "    return s * (1 - s) / (1 - math.tanh(eps) ** 2)\n"
             "def rho_powers(eps, T_max):\n    return [rho(eps) ** T for T in range(1, 21)]\n")
    parts = grade(q2_grading_grader, tmp_path, "q2.py", fixed)
    assert parts["Q2.3b"].score == 1.0, parts["Q2.3b"].feedback
    assert 0 < parts["Q2.3c"].score < 1.0, parts["Q2.3c"].feedback  # right for T_max = 20 only
    general = fixed.replace("range(1, 21)", "range(1, T_max + 1)")
    assert grade(q2_grading_grader, tmp_path, "q2.py", general)["Q2.3c"].score == 1.0


# ------------------------------------------------------------------ the README: notes, rules, tolerances

def test_the_readme_carries_the_spec_s_notes_and_the_rules_for_code(readme):
    assert "**Notation.**" in readme and "σ̇(x) = dσ/dx" in readme
    assert "answers.yaml" in readme and "Q2.3c: [v1, v5, v10, v20]" in readme
    rules = readme.split("## Rules for code", 1)[1].split("\n---", 1)[0]
    for said in ("2 s", "1 GiB", "import within 10 s", "30 s", "NumPy 2.4 or newer", "list or tuple"):
        assert said in rules, said
    assert "compared within a relative tolerance of 1e-6 or an absolute one of 1e-9" in readme


def test_the_readme_states_what_the_assignment_asks_of_each_written_part(readme):
    sections = dict(re.findall(r"\n## (Q2\.\w+) — (.*?)(?=\n## |\Z)", readme, flags=re.S))
    assert "Show your derivation" in sections["Q2.1a"] and "Show your derivation" in sections["Q2.1b"]
    assert "within 0.05 %" in sections["Q2.3b"]
    assert "Plot" in sections["Q2.3c"] and "within 10 %" in sections["Q2.3c"]
    assert "three ideas" in sections["Q2.4"] and "(1/4)^T" in sections["Q2.4"]


def test_handout_notes_that_are_not_text_are_refused_with_the_file_and_line(tmp_path):
    spec = tmp_path / "q2.yaml"
    text = Q2.read_text(encoding="utf-8")
    text = re.sub(r"\nhandout: \|\n(?:  .*\n|\n)*", "\nhandout:\n  notation: sigma\n\n", text, count=1)
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(HandoutError, match=r"q2\.yaml, line \d+: 'handout' must be text"):
        questions(load_references([str(spec)]))


def test_tolerances_in_words():
    from grader.checkers import make_options

    assert tolerance_text(make_options("array", {"rtol": 0.1, "atol": 0.0})) == "within a relative tolerance of 0.1 (10 %)"
    assert tolerance_text(make_options("array", {"rtol": 0.0, "atol": 1e-4})) == \
        "within an absolute tolerance of 0.0001"
    assert tolerance_text(make_options("number", {"mode": "sigfigs", "sigfigs": 4})) == "to 4 significant figures"
    assert tolerance_text(make_options("choice", {"choices": ["a", "b"]})) == ""


# ------------------------------------------------------------------ the students' page

def test_students_page_names_every_file_the_handout_writes(q2_references, tmp_path):
    from grader.handout import handout_files

    page = (ROOT / "docs" / "students.md").read_text(encoding="utf-8")
    table = page.split("### 1. Make the handout", 1)[1].split("### 2.", 1)[0]
    named = re.findall(r"^\| `handout/([^`]+)` \|", table, flags=re.M)
    both = load_references([str(ROOT / "problems")])
    written = [path.relative_to(tmp_path).as_posix() for path in handout_files(both, tmp_path)]
    for path in written:
        assert any(re.fullmatch(re.escape(n).replace(r"\*", "[^/]+"), path) for n in named), path


@pytest.mark.parametrize("returned, score", [("approximation", 1.0), ("the true ratio", 0.0), ("neither", 0.0)])
def test_q2_3d_s_function_may_name_a_curve_in_the_handout_s_words(q2_grading_grader, tmp_path, returned, score):
    part = grade(q2_grading_grader, tmp_path, "q2.py", f"def faster_decay():\n    return {returned!r}\n")["Q2.3d"]
    assert part.score == score, part.feedback
    if returned == "neither":  # the choices are the handout's: a hidden case may name them
        assert 'The answer names none of the choices ("approx", "true").' in part.explanation()
