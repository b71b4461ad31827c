"""A course taught in German or French: rubric ideas and choices in those languages, graded through the real
``grader check``.  A denial ("nicht", "kein", "ne … pas") or a reported belief ("Viele glauben, …", "On
pourrait croire que …") earns nothing, as "not" does in English; words spelt without their letters ("Groesse",
"hoechstens", "derivee") match a pattern that spells them with; a spec saved in decomposed Unicode matches
what students type."""
from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SPEC = r"""id: a2
title: "Aufgabe 2"
submission_files: [a2.md]
parts:
  - label: A2.3
    title: "Welche Kurve fällt schneller?"
    points: 1
    kind: choice
    options:
      choices: [schneller, langsamer]
      synonyms: {schneller: [rascher, plus vite], langsamer: [plus lentement]}
    reference: "'schneller'"
  - label: A2.4
    title: "Folgerung"
    points: 2
    kind: rubric
    rubric:
      - idea: "Der Gradient wird mit einer Ableitung pro Zeitschritt multipliziert."
        points: 1
        patterns: ['\bmultipliz\w*', '\bprodukt\b', '\bmultipli\w*']
      - idea: "Die Größe der Ableitung ist höchstens 1/4; la dérivée est au plus 1/4."
        points: 1
        patterns: ['\bgröße[^.]{0,40}höchstens', '\bdérivée[^.]{0,60}au plus']
        contradicted_by: ['\btanh\b[^.;,]{0,40}\bimmun']
"""


def check(tmp_path: Path, answers: dict[str, str], spec: str = SPEC) -> dict[str, dict]:
    (tmp_path / "a2.yaml").write_text(spec, encoding="utf-8")
    document = "".join(f"## Aufgabe {label[1:]}\n\n{text}\n\n" for label, text in answers.items())
    (tmp_path / "a2.md").write_text(document, encoding="utf-8")
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(tmp_path / "a2.yaml"), str(tmp_path / "a2.md"),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    return {test["number"]: test for test in json.loads(out.read_text())["tests"]}


@pytest.mark.parametrize("said", [
    "Die Näherung fällt nicht schneller ab.", "Antwort: nicht schneller", "Sie fällt keineswegs schneller ab.",
    "La courbe approchée ne décroît pas plus vite.",
])
def test_a_choice_denied_in_german_or_french_is_not_chosen(tmp_path, said):
    assert check(tmp_path, {"A2.3": said})["A2.3"]["score"] == 0


def test_a_choice_said_outright_in_german_or_french_is_chosen(tmp_path):
    assert check(tmp_path, {"A2.3": "Die Näherung fällt schneller ab."})["A2.3"]["score"] == 1
    assert check(tmp_path, {"A2.3": "La courbe approchée décroît plus vite."})["A2.3"]["score"] == 1


@pytest.mark.parametrize("paragraph", [
    "Der Gradient wird bei BPTT nicht mit den Ableitungen multipliziert.",
    "Es entsteht kein Produkt der Ableitungen.",
    "Die Größe der Ableitung ist nicht höchstens 1/4.",
    "La dérivée de la sigmoïde n'est pas au plus 1/4.",
    "Viele glauben, der Gradient werde multipliziert.",
    "On pourrait croire que le gradient est multiplié.",
])
def test_an_idea_denied_or_reported_as_a_belief_earns_nothing(tmp_path, paragraph):
    assert check(tmp_path, {"A2.4": paragraph})["A2.4"]["score"] == 0


def test_not_only_and_a_but_keep_the_claim(tmp_path):
    said = check(tmp_path, {"A2.4": "Der Gradient wird nicht nur einmal multipliziert. Tanh ist nicht immun, aber die "
                                    "Größe der Ableitung ist höchstens 1/4."})["A2.4"]
    assert said["score"] == 2, said["output"]


@pytest.mark.parametrize("paragraph", [
    "Es gibt ein Produkt. Die GRÖSSE der Ableitung ist hoechstens 1/4.",
    "Es gibt ein Produkt. Die Groesse der Ableitung ist höchstens 1/4.",
    "Es gibt ein Produkt. Die Grösse der Ableitung ist höchstens 1/4.",
    "Il y a un produit, multiplié. LA DERIVEE EST AU PLUS 1/4.",
])
def test_words_spelt_without_their_letters_match(tmp_path, paragraph):
    said = check(tmp_path, {"A2.4": paragraph})["A2.4"]
    assert said["score"] == 2, said["output"]


def test_the_found_idea_is_quoted_as_the_student_wrote_it(tmp_path):
    said = check(tmp_path, {"A2.4": "Es gibt ein Produkt. Die Groesse der Ableitung ist hoechstens 1/4."})["A2.4"]
    assert "“Groesse der Ableitung ist hoechstens”" in said["output"], said["output"]


def test_a_spec_saved_in_decomposed_unicode_matches_composed_answers(tmp_path):
    said = check(tmp_path, {"A2.4": "Es gibt ein Produkt. Die Größe der Ableitung ist höchstens 1/4.",
                            "A2.3": "Die Näherung fällt schneller ab."}, unicodedata.normalize("NFD", SPEC))
    assert said["A2.4"]["score"] == 2, said["A2.4"]["output"]
    assert said["A2.3"]["score"] == 1
