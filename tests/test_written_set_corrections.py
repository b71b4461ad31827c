"""Written answers: the words for "solution" in other languages, and sets said under a supposition, corrected, or
after a clause.

"Solution:" usually opens a student's working, so it gives the answer only where it cannot be mistaken: before a
set, opening an answer callout (``> **Solution:** …``).  "Lösung:", "Solución:", "Soluzione:" … are read the same
way, while "Antwort:", "Réponse :" (answer) stay answer words everywhere.  A set is read as a careful grader
reads it: not when the student states it only under a supposition, the corrected one when the student corrects
it, and after "Since …, the solution set is" as after "the set is".
Every document here is a real file, read as ``grader check`` reads it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.readers.markdown import read_markdown
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

ROUGH = r"$\rho(0.05) \approx 0.25$"
SOLUTION_WORDS = ["Lösung:", "Solución:", "Solução:", "Soluzione:", "Oplossing:", "Rozwiązanie:", "Lösning:",
                  "Solution :"]


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(Q2)


def read(tmp_path: Path, text: str, q2) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return read_markdown(path, q2).answers


def value(answers: dict, label: str) -> str | None:
    answer = answers.get(label)
    return None if answer is None or answer.problem else answer.value


# ---------------------------------------------------------------------------
# The words for "solution" read as "Solution:" is

@pytest.mark.parametrize("word", SOLUTION_WORDS)
def test_a_rough_value_after_a_solution_word_does_not_beat_the_final_one(tmp_path, q2, word):
    text = (f"## Q2.3\n\n### (b)\n\n{word} {ROUGH} as a first guess. Computing exactly, "
            "$\\dot\\sigma(0.05) \\approx 0.249844$ and $\\dot\\tanh(0.05) \\approx 0.997504$, so\n\n"
            "$\\rho(0.05) \\approx 0.2505$\n")
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


@pytest.mark.parametrize("word", SOLUTION_WORDS)
def test_a_solution_word_still_gives_a_set_and_opens_an_answer_callout(tmp_path, q2, word):
    assert value(read(tmp_path, f"## Q2.2\n\n{word} (-∞, ∞)\n", q2), "Q2.2") == "(-∞, ∞)"
    text = f"## Q2.2\n\nFür ε = 0 gilt $\\varepsilon \\in [0, 0]$.\n\n{word} $\\mathbb{{R}}$\n"
    assert value(read(tmp_path, text, q2), "Q2.2") == r"\mathbb{R}"
    bold = f"**{word.rstrip(': ')}:**"
    text = f"## Q2.3\n\n### (b)\n\n{ROUGH}\n\n> {bold} $0.2505$\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


DOCUMENTS = [
    "## Q2.3\n\n### (b)\n\n{ROUGH} roughly, then closer:\n\n{word} $0.2505$\n",
    "## Q2.3\n\n### (b)\n\n{ROUGH} roughly. {word} 0.2505\n",
    "## Q2.3\n\n### (d)\n\nThe true ratio is larger, so the two differ.\n\n{word} approx\n",
    "## Q2.3\n\n### (d)\n\n{word} the approximation\n",
    "## Q2.3\n\n| Part | Working | {bare} |\n|---|---|---|\n| Q2.3b | $0.2498/0.9975$ | $0.2505$ |\n",
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("word", SOLUTION_WORDS)
def test_a_solution_word_reads_as_the_english_one(tmp_path, q2, word, document):
    def answers(w: str) -> dict:
        bare = w.rstrip(": ")
        text = document.format(ROUGH=ROUGH, word=w, bare=bare)
        return {label: (a.value.replace(w, "Solution:").replace(bare, "Solution"), bool(a.problem))
                for label, a in read(tmp_path, text, q2).items() if label in ("Q2.3b", "Q2.3d")}
    assert answers(word) == answers("Solution:")


@pytest.mark.parametrize("word", ["Antwort:", "Réponse :", "Respuesta:", "Ответ:", "答案："])
def test_the_words_for_answer_still_give_the_number_after_the_working(tmp_path, q2, word):
    text = f"## Q2.3\n\n### (b)\n\n{ROUGH} roughly. {word} 0.2505\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"
