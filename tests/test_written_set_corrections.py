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

from grader.spec import load_problem_set
from written_reading import read, value

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

ROUGH = r"$\rho(0.05) \approx 0.25$"
SOLUTION_WORDS = ["Lösung:", "Solución:", "Solução:", "Soluzione:", "Oplossing:", "Rozwiązanie:", "Lösning:",
                  "Solution :"]


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(Q2)


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


# ---------------------------------------------------------------------------
# A set said under a supposition: neither the set nor the supposed condition is the answer

SUPPOSED = ["Assuming ε > 0, the set is ℝ.", "For ε > 0 the set is ℝ", "For ε > 0, the set is ℝ.",
            "If ε were negative, the set is ℝ.", "Assuming $\\varepsilon > 0$, the set is $\\mathbb{R}$.",
            "For $\\varepsilon > 0$ the set is $\\mathbb{R}$.", "If ε were negative, the set is $\\mathbb{R}$.",
            "If ε ≥ 0 then maybe the set is ℝ.", "For positive ε, the set is ℝ.", "The set is ℝ if ε > 0.",
            "The set is $\\mathbb{R}$ if $\\varepsilon > 0$.", "The set is ℝ, assuming ε > 0."]


@pytest.mark.parametrize("sentence", SUPPOSED)
def test_a_set_said_under_a_supposition_is_not_read_and_the_feedback_says_why(tmp_path, q2, sentence):
    answer = read(tmp_path, f"## Q2.2\n\n{sentence}\n", q2)["Q2.2"]
    assert answer.problem, answer  # neither ℝ nor the condition's (0, ∞)
    assert "only under a supposition" in answer.problem, answer.problem


def test_a_supposed_set_gives_way_to_the_answer_said_after_it(tmp_path, q2):
    text = "## Q2.2\n\nAssuming ε > 0, the set is ℝ.\n\nAnswer: ℝ\n"
    assert value(read(tmp_path, text, q2), "Q2.2") == "ℝ"


@pytest.mark.parametrize("sentence", ["Since ¼ is never larger than 1, the set is ℝ.",
                                      "Since ¼ is never larger than 1, the set is $\\mathbb{R}$.",
                                      "No matter what ε is, the set is ℝ.",
                                      "Since 1/4 ≤ 1 for every ε, the set is ℝ.",
                                      "For $\\varepsilon > 0$ both sides are positive, so the set is $\\mathbb{R}$.",
                                      "It holds for ε ≥ 0 and also for ε < 0, hence the set is ℝ.",
                                      "Whether or not ε is small, the set is ℝ.", "We have shown that the set is ℝ.",
                                      "Both sides don't depend on ε, hence the set is $\\mathbb{R}$.",
                                      "There is no ε for which it fails, so the set is $\\mathbb{R}$."])
def test_a_reason_or_a_condition_elsewhere_in_the_sentence_keeps_the_set(tmp_path, q2, sentence):
    assert value(read(tmp_path, f"## Q2.2\n\n{sentence}\n", q2), "Q2.2") in ("ℝ", r"\mathbb{R}")


# ---------------------------------------------------------------------------
# A set corrected: the set said last counts

@pytest.mark.parametrize("text", [
    "The set is [0, ∞). Correction: the set is ℝ.", "The set is [0, ∞), no wait, it is ℝ",
    "The set is [0, ∞), no wait, ℝ.", "~~[0, ∞)~~ ℝ", "The set is [0, ∞). Actually, the set is ℝ.",
    "The set is [0, ∞).\n\nCorrection: the set is ℝ.", "Answer: [0, ∞). Correction: ℝ.",
    "The set is $[0, \\infty)$, no wait, it is $\\mathbb{R}$",
    "$\\boxed{[0, \\infty)}$\n\nCorrection: the set is $\\mathbb{R}$.",
    "**Answer:** $[0, \\infty)$\n\n**Correction:** $\\mathbb{R}$",
])
def test_a_corrected_set_is_read_as_corrected(tmp_path, q2, text):
    assert value(read(tmp_path, f"## Q2.2\n\n{text}\n", q2), "Q2.2") in ("ℝ", r"\mathbb{R}")


@pytest.mark.parametrize("text", ["The set is ℝ. Actually, this is clear since ¼ ≤ 1.",
                                  "The set is $\\mathbb{R}$. Actually, for $\\varepsilon < 0$ both are constant too."])
def test_a_comment_after_the_set_is_no_correction(tmp_path, q2, text):
    assert value(read(tmp_path, f"## Q2.2\n\n{text}\n", q2), "Q2.2") in ("ℝ", r"\mathbb{R}")


# ---------------------------------------------------------------------------
# The set said after a clause

@pytest.mark.parametrize("sentence", ["Since σ̇ > 0 everywhere, the solution set is ℝ.",
                                      "Since 1/4 ≤ 1 for every ε, the answer is therefore ℝ.",
                                      "Since 1/4 ≤ 1 for every ε, the answer is therefore $\\mathbb{R}$.",
                                      "The solution set is ℝ.", "We have ¼ ≤ 1. Hence the set is ℝ."])
def test_the_set_after_a_clause_is_read_as_after_the_set_is(tmp_path, q2, sentence):
    assert value(read(tmp_path, f"## Q2.2\n\n{sentence}\n", q2), "Q2.2") in ("ℝ", r"\mathbb{R}")


# ---------------------------------------------------------------------------
# ... and where none of these readings may give ℝ: hedges, questions, denials, corrections taken back

NOT_SAID = [
    "Since σ̇ > 0 everywhere, the solution set is not ℝ.", "Is the solution set ℝ?", "Perhaps the solution set is ℝ.",
    "Since σ̇ > 0, the answer is therefore not ℝ.", "Is the answer therefore ℝ?", "I doubt the answer is therefore ℝ.",
    "The set is not ℝ.", "Is the set ℝ?", "It is not ℝ.", "Is it ℝ?", "It is ℝ?", "Maybe it is ℝ.",
    "The set is $\\mathbb{R}$?", "Perhaps the solution set is $\\mathbb{R}$.",
    "I do not think the answer is therefore $\\mathbb{R}$.", "It is wrong to say the set is ℝ.",
    "The claim that the set is ℝ is false.",
    "The set is ℝ, no wait, is it [0, ∞)?", "The set is ℝ. Correction: the set is not ℝ.",
    "The set is ℝ. Actually, perhaps the set is [0, ∞).", "The set is ℝ, no wait, maybe [0, ∞).",
    "The set is $\\mathbb{R}$. Actually, I am not sure the set is $\\mathbb{R}$.",
    "Assuming ε > 0, the set is not ℝ.", "For ε > 0, is the set ℝ?", "We want to check whether the set is ℝ.",
    "We must show that the set is ℝ.", "I wonder if the set is ℝ.", "It is false that the set is $\\mathbb{R}$.",
]


@pytest.mark.parametrize("text", NOT_SAID)
def test_a_set_not_said_outright_is_never_credited(q2_grader, tmp_path, text):
    path = tmp_path / "q2.md"
    path.write_text(f"## Q2.2\n\n{text}\n", encoding="utf-8")
    part = next(p for p in q2_grader.grade("student", [path]).parts if p.label == "Q2.2")
    assert part.status != "correct", (part.answer, part.feedback)


def test_grader_check_reads_a_corrected_set_and_refuses_a_supposed_one(tmp_path):
    rows = {}
    for name, text in (("corrected", "The set is [0, ∞), no wait, it is ℝ"),
                       ("supposed", "Assuming ε > 0, the set is ℝ.")):
        path = tmp_path / name / "q2.md"
        path.parent.mkdir()
        path.write_text(f"## Q2.2\n\n{text}\n", encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(path)],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert "Traceback" not in run.stderr, run.stderr
        rows[name] = " ".join(run.stdout[run.stdout.index("Q2.2 "):run.stdout.index("Q2.3a")].split())
    assert " correct" in rows["corrected"], rows
    assert "could not read" in rows["supposed"] and "only under a supposition" in rows["supposed"], rows


@pytest.mark.parametrize("paragraph", ["for $\\varepsilon > 0$ " * 10_000, "the set is $\\mathbb{R}$ " * 5_000])
def test_a_paragraph_of_thousands_of_conditions_is_read_within_a_minute(tmp_path, paragraph):
    # each statement once looked at all the paragraph before and after it: 400 s
    path = tmp_path / "q2.md"
    path.write_text(f"## Q2.2\n\n{paragraph}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "Q2.2" in run.stdout, run.stderr[-2000:]
