"""Answer words and part headings in the student's own language.

Students in international classes write "Antwort:", "Réponse :", "Ответ:" or "答案：" where others write
"Answer:", and head a part "## Aufgabe 2.2", "## Задача 2.2" or "## 问题 Q2.2".  The Markdown reader reads
them as it reads the English ones, in every place that knows "Answer:" (a set, a number over its working,
an answer callout, a choice, a table's answer column); the same words in a sentence answer nothing.
Every document here is a real file, read as ``grader check`` reads it (full-width colons and all).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.readers.markdown import heading_key
from grader.spec import load_problem_set
from written_reading import read, value

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

# German, French (a space before the colon), Spanish, Italian, Russian, Chinese and Japanese (full-width colon)
ANSWER_WORDS = ["Antwort:", "Ergebnis:", "Réponse :", "Résultat :", "Respuesta:", "Resultado:",
                "Risposta:", "Ответ:", "答案：", "解答：", "回答："]
HEADINGS = ["Aufgabe Q2.2", "Frage 2.2", "Question 2.2", "Exercice 2.2", "Ejercicio 2.2", "Pregunta 2.2",
            "Задача 2.2", "Вопрос 2.2", "问题 Q2.2", "问题Q2.2", "题 2.2", "题目 2.2", "問 2.2"]
ROUGH = r"$\rho(0.05) \approx 0.25$"
CLOSER = r"$\rho(0.05) \approx 0.2505$"


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(Q2)


# ---------------------------------------------------------------------------
# Answer words, in every place "Answer:" is read

@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_the_set_after_an_answer_word_is_the_answer(tmp_path, q2, word):
    text = f"## Q2.2\n\nFür ε = 0 gilt $\\varepsilon \\in [0, 0]$.\n\n{word} $\\mathbb{{R}}$\n"
    assert value(read(tmp_path, text, q2), "Q2.2") == r"\mathbb{R}"


@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_the_set_alone_after_an_answer_word_is_read(tmp_path, q2, word):
    assert value(read(tmp_path, f"## Q2.2\n\n{word} (-∞, ∞)\n", q2), "Q2.2") == "(-∞, ∞)"


@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_the_number_after_an_answer_word_beats_the_working(tmp_path, q2, word):
    text = f"## Q2.3\n\n### (b)\n\n{ROUGH} grob, dann genauer:\n\n{word} $0.2505$\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_an_answer_word_later_in_the_paragraph_gives_the_number(tmp_path, q2, word):
    text = f"## Q2.3\n\n### (b)\n\n{ROUGH} grob. {word} 0.2505\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_a_block_quote_opened_by_an_answer_word_is_the_students_answer(tmp_path, q2, word):
    bold = f"**{word.rstrip(':： ')}{word[-1]}**"  # "**Antwort:**", "**答案：**"
    text = f"## Q2.3\n\n### (b)\n\n{ROUGH}\n\n> {bold} $0.2505$\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"
    assert value(read(tmp_path, f"## Q2.2\n\n> {bold} $\\mathbb{{R}}$\n", q2), "Q2.2") == r"\mathbb{R}"


@pytest.mark.parametrize("word", ANSWER_WORDS)
def test_the_choice_after_an_answer_word_is_the_answer(tmp_path, q2, word):
    text = f"## Q2.3\n\n### (d)\n\nThe true ratio is larger, so the two differ.\n\n{word} approx\n"
    assert value(read(tmp_path, text, q2), "Q2.3d") == "approx"
    assert value(read(tmp_path, f"## Q2.3\n\n### (d)\n\n{word} the approximation\n", q2), "Q2.3d") == "approx"
    text = f"## Q2.3\n\n### (d)\n\nI plotted both curves. {word} `true`\n"
    assert value(read(tmp_path, text, q2), "Q2.3d") == "true"


def test_a_table_column_headed_in_german_holds_the_answers(tmp_path, q2):
    text = ("## Q2.3\n\n| Teil | Rechnung | Antwort |\n|---|---|---|\n"
            "| Q2.3b | $0.2498/0.9975$ | $0.2505$ |\n| Q2.3d | Plot | approx |\n")
    answers = read(tmp_path, text, q2)
    assert value(answers, "Q2.3b") == "0.2505" and value(answers, "Q2.3d") == "approx"


# ... and where they are no answer words

def test_an_intermediate_result_is_not_the_answer(tmp_path, q2):
    text = f"## Q2.3\n\n### (b)\n\nZwischenergebnis: {ROUGH}\n\nGenauer: {CLOSER}\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


@pytest.mark.parametrize("sentence", [f"Die Lösung ist grob {ROUGH}.", f"Die Antwort wäre grob {ROUGH}.",
                                      f"La réponse est environ {ROUGH}."])
def test_an_answer_word_in_a_sentence_gives_no_answer(tmp_path, q2, sentence):
    text = f"## Q2.3\n\n### (b)\n\n{sentence}\n\nGenauer: {CLOSER}\n"
    assert value(read(tmp_path, text, q2), "Q2.3b") == "0.2505"


@pytest.mark.parametrize("lead", ["Zwischenergebnis:", "Aufgabe:", "Die Aufgabe fragt:"])
def test_a_choice_after_other_words_is_no_answer(tmp_path, q2, lead):
    text = f"## Q2.3\n\n### (d)\n\n{lead} approx\n\nDie wahre Kurve fällt schneller.\n"
    assert value(read(tmp_path, text, q2), "Q2.3d") != "approx"


# ---------------------------------------------------------------------------
# Headings naming the part in other languages

@pytest.mark.parametrize("heading", HEADINGS)
def test_a_heading_in_another_language_names_the_part(tmp_path, q2, heading):
    # a set alone in its paragraph answers only in the part's own section, never found by a name outside it
    answers = read(tmp_path, f"## {heading}\n\nWeil ¼ ≤ 1:\n\n(-∞, ∞)\n", q2)
    assert value(answers, "Q2.2") == "(-∞, ∞)", answers
    assert answers["Q2.2"].source == "q2.md"


@pytest.mark.parametrize("label", ["**Задача 2.2:**", "Вопрос 2.2:", "**问题 Q2.2**"])
def test_a_paragraph_labelled_in_another_language_answers_the_part(tmp_path, q2, label):
    answers = read(tmp_path, f"# Q2\n\n{label} $\\varepsilon \\in \\mathbb{{R}}$\n", q2)
    assert value(answers, "Q2.2") == r"\mathbb{R}", answers


@pytest.mark.parametrize("sentence", ["Задача 2.2 связана с этим: $\\varepsilon \\in (0, 1)$ там не нужно.",
                                      "Question 2.2 is related: $\\varepsilon \\in (0, 1)$ is not needed there.",
                                      "题 2.2 与此有关 $\\varepsilon \\in (0, 1)$", "问题是 $\\varepsilon \\in (0, 1)$"])
def test_a_label_word_in_a_sentence_labels_nothing(tmp_path, q2, sentence):
    answers = read(tmp_path, f"## Q2.4\n\nBPTT multiplies one derivative per step.\n\n{sentence}\n", q2)
    assert "Q2.2" not in answers, answers


@pytest.mark.parametrize("heading", ["## 问题的讨论", "## 题目"])
def test_a_chinese_heading_word_without_a_number_is_a_title(tmp_path, q2, heading):
    assert heading_key(heading.lstrip("# "), None) is None
    answers = read(tmp_path, f"{heading}\n\n$\\varepsilon \\in (0, 1)$\n", q2)
    assert "outside any section" in answers["Q2.2"].source, answers  # found by its name, as under any title


# ---------------------------------------------------------------------------
# Whole write-ups, graded by the command line

GERMAN = r"""# Hausaufgabe 2

## Aufgabe Q2.1

Mit σ(0) = 1/2 folgt $\dot\sigma_{approx}(\varepsilon) = \frac{1}{4}$ und $\dot\tanh_{approx}(\varepsilon) = 1$.

## Frage 2.2

Da ¼ ≤ 1 immer gilt:

**Antwort:** $\varepsilon \in \mathbb{R}$

## Aufgabe 2.3

### (b)

Zwischenergebnis: $\rho(0.05) \approx 0.25$

> **Ergebnis:** $0.2505$

### (d)

Die wahre Kurve liegt höher.

Ergebnis: approx
"""

CHINESE = r"""# 作业 2

## 问题 Q2.1

$\dot\sigma_{approx}(\varepsilon) = \frac{1}{4}$，$\dot\tanh_{approx}(\varepsilon) = 1$

## 题 2.2

因为 ¼ ≤ 1：

**答案：** $\varepsilon \in \mathbb{R}$

## 问题 Q2.3

### (b)

粗略地 $\rho(0.05) \approx 0.25$。

> **答案：** $0.2505$

### (d)

真实曲线更高。

解答：approx
"""


@pytest.mark.parametrize("name, text", [("german", GERMAN), ("chinese", CHINESE)])
def test_grader_check_grades_a_write_up_in_another_language(tmp_path, name, text):
    path = tmp_path / name / "q2.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(Q2), str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3b", "Q2.3d"):
        row = next((line for line in run.stdout.splitlines() if line.strip().startswith(label + " ")), "")
        assert " correct" in row, run.stdout
    assert "total: 8 / 13 points" in run.stdout, run.stdout
