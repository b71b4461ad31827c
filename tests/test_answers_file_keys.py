"""The keys of an answers file name their parts the way Markdown headings do: ``Q2.3(d)``, ``Q2.3 d``,
``q2.3d`` and ``2.1b`` (the handout's own spellings) all answer their part, whichever of them the spec
uses.  A key that names no part, one that could answer two, and two keys answering one part differently
are said, never silently dropped or picked; a key of another problem set's part is no stray."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.checkers import Status
from grader.cli import load_references
from grader.grading import Grader
from conftest import TINY_SPEC

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
Q2_PARTS = "q2-activations: Q2.1a … Q2.4"


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def answers(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answers.yaml").write_text(text, encoding="utf-8")
    return folder


def verdicts(stdout: str) -> dict[str, str]:
    """part label → its verdict, from the table `grader check` prints."""
    found = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0].startswith("Q2.") and "/" in cells[1]:
            found[cells[0]] = " ".join(cells[2:4])
    return found


def test_the_handouts_spellings_of_a_label_answer_its_part(tmp_path):
    folder = answers(tmp_path / "ada", "q2.1a: '1/4'\n2.1b: '1'\nQuestion 2.2: (-oo, oo)\nQ2.3 b: 0.2505\n"
                                       "Q2.3(d): approx\n")
    run = grader("check", str(Q2), str(folder))
    assert run.returncode == 0, run.stdout + run.stderr
    shown = verdicts(run.stdout)
    for label in ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3b", "Q2.3d"):
        assert shown[label].startswith("correct"), run.stdout
    assert "note:" not in run.stdout


def test_a_key_naming_no_part_is_noted_with_its_line_and_the_label_meant(tmp_path):
    folder = answers(tmp_path / "hal", "q2.1a: '1/4'\n2.1b: '1'\nQ2.3 d: approx\nQ2.3(d): approx\nQ2.3f: approx\n")
    run = grader("check", str(Q2), str(folder))
    assert run.returncode == 0, run.stdout + run.stderr
    shown = verdicts(run.stdout)
    assert [shown[label].split()[0] for label in ("Q2.1a", "Q2.1b", "Q2.3d")] == ["correct"] * 3, run.stdout
    assert (f"note: answers.yaml, line 5: 'Q2.3f' names no part of the problem set graded ({Q2_PARTS}); "
            "it was not graded (did you mean 'Q2.3d'?).") in run.stdout
    assert run.stdout.count("note:") == 1, run.stdout  # two keys giving Q2.3d the same answer need no note


def test_two_keys_answering_one_part_differently_grade_neither(tmp_path, q2_grader):
    folder = answers(tmp_path / "cy", "Q2.3d: approx\nQ2.3(d): 'true'\n")
    part = next(p for p in q2_grader.grade("cy", [folder / "answers.yaml"]).parts if p.label == "Q2.3d")
    assert part.status == Status.UNREADABLE and part.score == 0
    assert ("answers.yaml, lines 1 and 2: 'Q2.3d' and 'Q2.3(d)' both answer Q2.3d, with different answers: "
            "keep one of them") in part.feedback


def test_a_key_that_could_answer_two_parts_is_noted_and_graded_for_neither(tmp_path, q2_grader):
    folder = answers(tmp_path / "di", "Q2.1: '1/4'\nQ2.2: (-oo, oo)\n")
    result = q2_grader.grade("di", [folder / "answers.yaml"])
    scores = {p.label: p.score for p in result.parts}
    assert (scores["Q2.1a"], scores["Q2.1b"], scores["Q2.2"]) == (0, 0, 2)
    assert result.notes == ("answers.yaml, line 1: 'Q2.1' could answer Q2.1a or Q2.1b; it was not graded: "
                            "give each part its own key (e.g. 'Q2.1a:').",)


def test_a_label_renamed_in_the_spec_still_takes_the_students_keys(tmp_path):
    spec = tmp_path / "q2-activations.yaml"
    text = Q2.read_text(encoding="utf-8")
    assert "label: Q2.3d\n" in text
    spec.write_text(text.replace("label: Q2.3d\n", "label: Q2.3(d)\n"), encoding="utf-8")
    folder = answers(tmp_path / "eve", "Q2.3d: approx\nq2.3 b: 0.2505\n")
    with Grader(load_references([str(spec)]), public_only=True) as renamed:
        result = renamed.grade("eve", [folder / "answers.yaml"])
    scores = {p.label: p.score for p in result.parts}
    assert (scores["Q2.3(d)"], scores["Q2.3b"]) == (1, 1)
    assert result.notes == ()


def test_one_answers_file_for_two_problem_sets_notes_only_the_key_neither_has(tmp_path):
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(TINY_SPEC, encoding="utf-8")
    answers(tmp_path / "class" / "ada", "name: Ada\nQ2.1a: '1/4'\nP1: '1/2'\nQ2.3f: approx\n")
    out = tmp_path / "out"
    run = grader("grade", str(Q2), str(tiny), "--submissions", str(tmp_path / "class"), "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((out / "ada" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 4  # Q2.1a from q2-activations, P1 from tiny
    notes = results["output"].splitlines()[1:]
    assert notes == [f"answers.yaml, line 4: 'Q2.3f' names no part of the problem sets graded ({Q2_PARTS}; "
                     "tiny: P1); it was not graded (did you mean 'Q2.3d'?)."]


def test_a_label_without_a_number_is_still_its_own_key(tmp_path):
    spec = tmp_path / "letters.yaml"
    spec.write_text(TINY_SPEC.replace("label: P1", "label: B"), encoding="utf-8")
    folder = answers(tmp_path / "flo", "b: '1/2'\nname: Flo\n")
    with Grader(load_references([str(spec)]), public_only=True) as letters:
        result = letters.grade("flo", [folder / "answers.yaml"])
    assert [(p.label, p.score) for p in result.parts] == [("B", 2)]
    assert result.notes == ()
