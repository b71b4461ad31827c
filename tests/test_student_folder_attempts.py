"""A student's folder as an LMS hands it over, graded with `python -m grader grade`: two attempts
renamed by the LMS (``…_attempt_<date>_foundations.py``, ``foundations (1).py``), a script beside a
notebook, a ``node_modules/`` folder, or a folder holding nothing the grader can grade.

Each part is graded from the file that scores best on it (the spec), but never silently: the student
is told which copies were graded and to hand in one, and the parts merged from different copies
are left to the instructor.  Notes about files not read are capped, and every zero says why."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = [ROOT / "problems" / "foundations.yaml", ROOT / "problems" / "q2-activations.yaml"]
ALICE = ROOT / "submissions" / "alice"
ATTEMPT_1 = "Homework 1_ksmith_attempt_2026-11-01-10-00-00_foundations.py"
ATTEMPT_2 = "Homework 1_ksmith_attempt_2026-11-02-09-30-00_foundations.py"


def _functions() -> list[str]:
    tree = ast.parse((ALICE / "foundations.py").read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


FUNCTIONS = _functions()
FIRST_HALF = FUNCTIONS[:FUNCTIONS.index("mean")]  # sections A and B
SECOND_HALF = FUNCTIONS[FUNCTIONS.index("mean"):]  # sections C and D


def alice_code_with_none_from(names: list[str]) -> str:
    """Alice's foundations.py with ``names`` redefined to return None: an attempt half done."""
    stubs = "\n".join(f"def {name}(*args, **kwargs):\n    return None\n" for name in names)
    return (ALICE / "foundations.py").read_text(encoding="utf-8") + "\n\n" + stubs


def notebook(code: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Homework 1"), nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    return nbformat.writes(nb)


STUDENTS: dict[str, dict[str, str]] = {
    "alice": {"foundations.py": (ALICE / "foundations.py").read_text(encoding="utf-8"),
              "q2.md": (ALICE / "q2.md").read_text(encoding="utf-8")},
    # Two Canvas attempts, each right on half of the functions.
    "ksmith": {ATTEMPT_1: alice_code_with_none_from(SECOND_HALF), ATTEMPT_2: alice_code_with_none_from(FIRST_HALF)},
    # A download renamed by the browser, the same two halves.
    "jdoe": {"foundations.py": alice_code_with_none_from(SECOND_HALF),
             "foundations (1).py": alice_code_with_none_from(FIRST_HALF)},
    # A script and a notebook with the same functions.
    "nbuser": {"foundations.ipynb": notebook(alice_code_with_none_from(SECOND_HALF)),
               "foundations.py": alice_code_with_none_from(FIRST_HALF)},
    # An older attempt beside one that is at least as good on every part.
    "better": {"foundations.py": (ALICE / "foundations.py").read_text(encoding="utf-8"),
               "foundations-1.py": alice_code_with_none_from(SECOND_HALF)},
    # Written answers in q2.md with Q2.1a's function in q2.py: two ways the handout allows, not copies.
    "both": {"q2.md": (ALICE / "q2.md").read_text(encoding="utf-8"),
             "q2.py": "def sigma_dot_approx(eps):\n    return 0.25\n"},
    # Two write-ups of Q2, one of them a download renamed by the browser.
    "wendy": {"q2.md": (ALICE / "q2.md").read_text(encoding="utf-8"),
              "q2 (1).md": (ROOT / "submissions" / "bob" / "q2.md").read_text(encoding="utf-8")},
    "numbered": {"answers.txt": "1. 1/4\n2. 1\n3. all real numbers\n"},
    "readme": {"README": "My homework, see the attached files.\n"},
}
NODE_FILES = 480  # node_modules/ beside alice's own files: .js and package.json files
NODE_PACKAGES = 24


def _write_class(subs: Path) -> None:
    for student, files in STUDENTS.items():
        for name, text in files.items():
            path = subs / student / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    nora = subs / "nora"
    nora.mkdir()
    (nora / "foundations.py").write_text((ALICE / "foundations.py").read_text(encoding="utf-8"), encoding="utf-8")
    for number in range(NODE_FILES):
        package = nora / "node_modules" / f"pkg{number % NODE_PACKAGES:02d}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"index{number:03d}.js").write_text("module.exports = 1;\n", encoding="utf-8")
    for number in range(NODE_PACKAGES):
        (nora / "node_modules" / f"pkg{number:02d}" / "package.json").write_text("{}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """The class graded once by a real `python -m grader grade`; the results folder."""
    base = tmp_path_factory.mktemp("attempts")
    subs, out = base / "submissions", base / "reports"
    _write_class(subs)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, SPECS), "--submissions", str(subs),
                          "--out", str(out), "--no-progress"], cwd=base, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr
    return out


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))


def notes(out: Path, student: str) -> list[str]:
    return results(out, student)["output"].splitlines()[1:]


def code_parts(out: Path, student: str) -> list[dict]:
    return [t for t in results(out, student)["tests"] if t["extra_data"]["problem_set"] == "foundations"]


def graded_from(test: dict) -> str:
    return test["output"].rsplit("(graded from ", 1)[1].rstrip(")")


# ---------------------------------------------------------------------------
# 1. Several attempts are never merged silently
@pytest.mark.parametrize("student, first, second", [("ksmith", ATTEMPT_1, ATTEMPT_2),
                                                     ("jdoe", "foundations.py", "foundations (1).py"),
                                                     ("nbuser", "foundations.ipynb", "foundations.py")])
def test_attempts_merged_part_by_part_are_noted_and_left_to_the_instructor(graded, student, first, second):
    listed = ", ".join(sorted([first, second]))
    (note,) = [n for n in notes(graded, student) if n.startswith("Several copies")]
    assert note.startswith(f"Several copies were handed in ({listed}), answering the same parts of foundations ("), note
    assert "each part was graded from the copy that scores best on it" in note
    assert "the parts where the copies disagree" in note and "provisional until the instructor" in note
    assert note.endswith("Hand in one file.")

    parts = code_parts(graded, student)
    # The best verdict still counts (the spec): the two halves give what alice's whole file gives.
    assert [t["score"] for t in parts] == [t["score"] for t in code_parts(graded, "alice")]
    first_half = [t for t in parts if t["name"].startswith(tuple(FIRST_HALF))]
    second_half = [t for t in parts if t["name"].startswith(tuple(SECOND_HALF))]
    assert first_half and second_half
    assert {graded_from(t) for t in first_half} == {first}
    assert {graded_from(t) for t in second_half} == {second}
    # Every part the attempts answer differently is left to the instructor, naming the other attempt.
    for test in first_half + second_half:
        other = second if test in first_half else first
        assert test["extra_data"]["provisional"], test
        assert f"Another file answers this part differently ({other}), and the problem set's parts were " \
               "graded from different copies, so the score is provisional" in test["output"]


def test_a_copy_best_on_every_part_is_the_one_graded_from_and_nothing_is_provisional(graded):
    (note,) = [n for n in notes(graded, "better") if n.startswith("Several copies")]
    assert note.startswith("Several copies were handed in (foundations-1.py, foundations.py), answering the same "
                           "parts of foundations (")
    assert "disagree" not in note and note.endswith("Hand in one file.")
    parts = code_parts(graded, "better")
    assert {graded_from(t) for t in parts} == {"foundations.py"}  # not a patchwork of equal verdicts
    assert not any(t["extra_data"]["provisional"] for t in parts)
    assert [t["score"] for t in parts] == [t["score"] for t in code_parts(graded, "alice")]


def test_two_write_ups_are_noted_and_their_differing_answers_stay_provisional(graded):
    (note,) = [n for n in notes(graded, "wendy") if n.startswith("Several copies")]
    assert note.startswith("Several copies were handed in (q2 (1).md, q2.md), answering the same parts of "
                           "q2-activations (")
    assert note.endswith("Hand in one file.")
    parts = [t for t in results(graded, "wendy")["tests"] if t["extra_data"]["problem_set"] == "q2-activations"]
    differing = [t for t in parts if "Another file answers this part differently" in t["output"]]
    assert differing and all(t["extra_data"]["provisional"] for t in differing)  # as before: left to the instructor


def test_a_written_answer_and_its_function_are_not_copies(graded):
    assert not any(n.startswith("Several copies") for n in notes(graded, "both"))
    assert not any(n.startswith("Several copies") for n in notes(graded, "alice"))


def test_the_class_page_shows_the_merged_parts_to_review(graded):
    page = (graded / "index.html").read_text(encoding="utf-8")
    row = page[page.index('href="ksmith/report.html"'):]
    row = row[:row.index("</tr>")]
    assert f"{len(code_parts(graded, 'ksmith'))} parts provisional" in row
    assert "Several copies were handed in" in row


# ---------------------------------------------------------------------------
# 2. A node_modules/ folder does not fill the results with a note per file
def test_files_not_read_are_named_twenty_at_most_then_counted_by_ending(graded):
    said = notes(graded, "nora")
    not_read = [n for n in said if " was not read: " in n]
    assert len(not_read) == 20
    # The first ones in the folder's sorted order: node_modules/pkg00/index000.js, index024.js …
    assert not_read[0].startswith("index000.js was not read: the grader reads code (.py, .ipynb)")
    assert not_read[1].startswith("index024.js was not read: ")
    assert said[said.index(not_read[-1]) + 1] == \
        f"… and {NODE_FILES + NODE_PACKAGES - 20} more files that were not read " \
        f"(.js: {NODE_FILES - 20}, .json: {NODE_PACKAGES})."
    assert len((graded / "nora" / "results.json").read_bytes()) < 30_000
    assert len((graded / "nora" / "report.html").read_bytes()) < 200_000
    # nora's own code is graded all the same
    assert [t["score"] for t in code_parts(graded, "nora")] == [t["score"] for t in code_parts(graded, "alice")]


# ---------------------------------------------------------------------------
# 3. Every zero says why
def test_answers_with_no_part_labels_say_why_they_score_zero(graded):
    assert results(graded, "numbered")["score"] == 0
    assert notes(graded, "numbered") == [
        "Nothing in the submission answers any problem set: answers.txt was read but names no part. Define the "
        "functions of foundations in foundations.py or foundations.ipynb; write each answer of q2-activations "
        "under its part label (e.g. `Q2.1a:`) in q2.md or answers.yaml."]


def test_a_folder_holding_only_a_readme_says_why_it_scores_zero(graded):
    assert results(graded, "readme")["score"] == 0
    assert notes(graded, "readme") == [
        "Nothing in the submission answers any problem set: README is not read, as the grader reads code (.py, "
        ".ipynb), Markdown or text (.md, .qmd, .Rmd, .txt) and answers files (.yaml). Define the functions of foundations in "
        "foundations.py or foundations.ipynb; write each answer of q2-activations under its part label (e.g. "
        "`Q2.1a:`) in q2.md or answers.yaml."]


def test_an_override_settles_a_part_graded_from_disagreeing_copies(graded, tmp_path):
    """Confirmed by the instructor, the part no longer says it awaits confirmation; which other
    copy answered it differently is still said."""
    import shutil

    out = tmp_path / "reports"
    shutil.copytree(graded, out)
    (part,) = [t for t in code_parts(out, "jdoe") if t["number"] == "A1"]
    assert "provisional until the instructor confirms it" in part["output"]
    run = subprocess.run([sys.executable, "-m", "grader", "override", "--out", str(out), "jdoe", "A1",
                          str(part["max_score"])], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    (part,) = [t for t in code_parts(out, "jdoe") if t["number"] == "A1"]
    assert "provisional" not in part["output"]
    assert "Another file answers this part differently (foundations (1).py)" in part["output"], part["output"]


def test_a_virtual_environment_in_the_folder_is_not_graded(tmp_path):
    """A student repository with its venv/ committed: numpy's own fromnumeric.py defines mean(), and
    would be graded (and noted) as a copy of the student's work."""
    student = tmp_path / "subs" / "vera"
    (student / "venv" / "lib" / "python3.11" / "site-packages" / "numpy").mkdir(parents=True)
    (student / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (student / "venv" / "lib" / "python3.11" / "site-packages" / "numpy" / "fromnumeric.py").write_text(
        "def mean(a):\n    return None\n", encoding="utf-8")
    (student / "foundations.py").write_text((ALICE / "foundations.py").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    out = tmp_path / "reports"
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(SPECS[0]), "--submissions",
                          str(tmp_path / "subs"), "--out", str(out), "--no-progress"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    graded = results(out, "vera")
    assert graded["score"] == sum(t["max_score"] for t in graded["tests"])
    assert "venv" not in graded["output"] and "pyvenv.cfg" not in graded["output"]
