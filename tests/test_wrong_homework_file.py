"""A file written for another homework (``## Q3.1`` where the problem sets ask Q2.1a … Q2.4): the self-check
names the labels it found and the ones it could have used, and the pytest plugin fails, never passes green,
on a submission nothing of which answers any problem set."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from grader.cli import load_references
from grader.grading import Grader
from grader.readers import submission_files

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"
Q2 = PROBLEMS / "q2-activations.yaml"
FOUNDATIONS = PROBLEMS / "foundations.yaml"
SAMPLES = ROOT / "submissions"

Q3_MD = "## Q3.1\n\n$x=5$\n\n## Q3.2\n\n$\\boxed{7}$\n"
Q3_NOTE = ("q3.md names Q3.1, Q3.2, which are no part of the problem sets graded (q2-activations: Q2.1a … Q2.4); "
           "it was not graded.")


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "check", *args], capture_output=True, text=True,
                          timeout=600)


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest in a folder of its own (its own ini file, no cache), as CI on a student's repository runs it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
                           "--rootdir", str(tmp_path), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)


def outcomes(junit: Path) -> dict[str, str]:
    """test name → passed | failed | skipped."""
    return {case.get("name"): "failed" if case.find("failure") is not None else
            "skipped" if case.find("skipped") is not None else "passed"
            for case in ET.parse(junit).getroot().iter("testcase")}


def notes_of(files: list[Path], *specs: Path) -> list[str]:
    with Grader(load_references([str(s) for s in specs]), public_only=True) as grader:
        return list(grader.grade("s", files).notes)


# ---------------------------------------------------------------------------
# 1. The note


def test_check_names_the_labels_of_another_homework_and_those_it_could_have_used(tmp_path):
    q3 = tmp_path / "q3.md"
    q3.write_text(Q3_MD, encoding="utf-8")
    run = check(str(PROBLEMS), str(q3))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"note: {Q3_NOTE}" in run.stdout
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name, text, found", [
    ("q3.txt", "Q3.1: x = 5\nQ3.2: 7\n", "Q3.1, Q3.2"),  # labels that open lines of a text file
    ("hw3.md", "**Q3.1** $x = 5$\n\n**Q3.2** $7$\n", "Q3.1, Q3.2"),  # bold labels
    ("hw3.md", "# Homework 3\n\n## Question 3\n\n$x=5$\n\n## Problem 4.2 (b)\n\n7\n", "Question 3, Problem 4.2 (b)"),
    ("answers3.yaml", "Q3.1: 5\nQ3.2: 7\n", "Q3.1, Q3.2"),
])
def test_labels_of_another_homework_are_named_in_any_written_file(tmp_path, name, text, found):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    notes = notes_of([path], PROBLEMS)
    assert notes == [f"{name} names {found}, which are no part of the problem sets graded "
                     "(q2-activations: Q2.1a … Q2.4); it was not graded."]


def test_a_notebook_of_another_homework_is_named(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["## Q3.1\n", "\n", "$x = 5$"]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["y = 7"]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "q3.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert notes_of([path], Q2) == ["q3.ipynb names Q3.1, which is no part of the problem set graded "
                                    "(q2-activations: Q2.1a … Q2.4); it was not graded."]


def test_a_set_answered_in_code_only_says_so(tmp_path):
    path = tmp_path / "q3.md"
    path.write_text(Q3_MD, encoding="utf-8")
    assert notes_of([path], FOUNDATIONS) == [
        "q3.md names Q3.1, Q3.2, which are no part of the problem set graded (foundations is answered in code: "
        "foundations.py or foundations.ipynb); it was not graded."]


def test_notes_and_files_without_part_labels_or_beside_answers_stay_quiet(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# My notes\n\n## Sigmoid\n\nIn 2.1 we saw $x=5$.\n\n## 2.2 Sets\n\nQ3.1 gave 5, I think.\n",
                     encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("# Homework\n\n## Q3.1\n\nSee q2.md.\n", encoding="utf-8")
    assert notes_of([notes, readme], PROBLEMS) == []
    # A file that answers a part is graded, whatever else it labels.
    q2 = tmp_path / "q2.md"
    q2.write_text("## Q2.1a\n\n$\\frac14$\n\n## Q3.1\n\n$5$\n", encoding="utf-8")
    assert notes_of([q2], PROBLEMS) == []


# ---------------------------------------------------------------------------
# 2. The pytest plugin


def test_pytest_fails_when_nothing_answers_any_problem_set(tmp_path):
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "q3.md").write_text(Q3_MD, encoding="utf-8")
    run = run_pytest(tmp_path, "--grader", str(PROBLEMS), str(wrong / "q3.md"), "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 1, run.stdout + run.stderr
    found = outcomes(tmp_path / "j.xml")
    assert set(found.values()) == {"failed"} and len(found) == 33
    assert Q3_NOTE in run.stdout


def test_pytest_fails_on_a_repository_holding_only_a_readme(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# Homework 2\n\nMy answers will go here.\n", encoding="utf-8")
    run = run_pytest(tmp_path, "--grader", str(Q2), str(repo), "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert set(outcomes(tmp_path / "j.xml").values()) == {"failed"}
    assert "Nothing in the submission answers any problem set checked" in run.stdout
    assert "q2.md, q2.py, q2.ipynb or answers.yaml" in run.stdout


def test_pytest_still_skips_an_untouched_set_when_another_is_answered(tmp_path):
    run = run_pytest(tmp_path, "--grader", str(PROBLEMS), str(SAMPLES / "alice" / "foundations.py"),
                     "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 0, run.stdout + run.stderr
    found = outcomes(tmp_path / "j.xml")
    assert sorted(found.values()).count("skipped") == 8 and sorted(found.values()).count("passed") == 25
