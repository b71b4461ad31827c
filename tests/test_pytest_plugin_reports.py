"""What `pytest --grader` prints: safe to show, said once, each submission's tests named after it.

Each test runs pytest in a subprocess, as a student or an instructor runs it, on the sample class's
submissions or on ones written here (a notebook written with nbformat).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "submissions"  # alice is right, bob follows the tutorial, carol hands in a notebook
BOB = SAMPLES / "bob" / "foundations.py"
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pytest_run(cwd: Path, *args: str, cache: bool = False) -> subprocess.CompletedProcess:
    """``python -m pytest ARGS`` in ``cwd``, without the cache unless asked."""
    no_cache = [] if cache else ["-p", "no:cacheprovider"]
    return subprocess.run([sys.executable, "-m", "pytest", *no_cache, *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


def own_config(folder: Path) -> str:
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return str(folder / "pytest.ini")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The specs as students get them (grader publish): no hidden cases, written answers checked at grading."""
    out = tmp_path_factory.mktemp("handout") / "problems"
    run = subprocess.run([sys.executable, "-m", "grader", "publish", str(ROOT / "problems"), "--out", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


def failures(junit: Path) -> dict[str, str]:
    """label → its failure text, from a JUnit file."""
    return {case.get("name"): case.find("failure").text for case in ET.parse(junit).getroot().iter("testcase")
            if case.find("failure") is not None}


def notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, str(path))


def test_a_students_terminal_controls_are_shown_as_symbols_in_failures_notes_and_summary(tmp_path, published):
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "foundations.py").write_text(
        BOB.read_text(encoding="utf-8") + '\nraise ValueError("boom\\n\\x1b[32mPASSED\\x1b[0m fake line")\n',
        encoding="utf-8")
    (mallory / "q2.md").write_text("## Q2.1\n\n\x1b]0;PWNED\x07 $x = 1$\n", encoding="utf-8")
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(mallory), "-rA")
    assert run.returncode == 1, run.stdout + run.stderr
    assert not TERMINAL_CONTROLS.findall(run.stdout), run.stdout
    assert "boom\n␛[32mPASSED␛[0m fake line" in run.stdout  # as grader check shows it
    assert "␛]0;PWNED␇" in run.stdout
    assert "grader: note: foundations.py could not be run: ValueError" in run.stdout


def test_a_notebooks_control_characters_in_notes_are_shown_as_symbols(tmp_path, published):
    ada = tmp_path / "ada"
    ada.mkdir()
    notebook(ada / "foundations.ipynb", "%matplotlib inline  # \x1b]0;PWNED\x07",
             'raise ValueError("\\x1b[2J\\a")', BOB.read_text(encoding="utf-8"))
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(ada))
    assert run.returncode == 1, run.stdout + run.stderr
    assert not TERMINAL_CONTROLS.findall(run.stdout), run.stdout
    notes = [line for line in run.stdout.splitlines() if line.startswith("grader: note:")]
    assert any("␛]0;PWNED␇" in note for note in notes), notes
    assert any("␛[2J␇" in note for note in notes), notes


def test_each_submissions_tests_are_named_after_it_when_pytests_rootdir_is_elsewhere(tmp_path, published):
    """A course repository's pytest settings above the specs make it pytest's rootdir; the class is beside it."""
    course, klass = tmp_path / "course", tmp_path / "class"
    course.mkdir()
    shutil.copytree(published, course / "problems")
    (course / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = \"-ra\"\n", encoding="utf-8")
    for student in ("bob", "alice"):
        shutil.copytree(SAMPLES / student, klass / student)
    collected = pytest_run(klass, "--grader", "../course/problems", "bob", "alice", "--co", "-q")
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert len(ids) == len(set(ids)) == 66, collected.stdout
    assert sum(i.endswith("bob::A1") for i in ids) == sum(i.endswith("alice::A1") for i in ids) == 1, ids

    run = pytest_run(klass, "--grader", "../course/problems", "bob", "alice", "--junitxml", str(tmp_path / "j.xml"),
                     "-v", cache=True)
    assert run.returncode == 1, run.stdout + run.stderr
    # Shown from the current folder, as pytest shows its own tests.
    assert "bob::A1 FAILED" in run.stdout and "alice::A1 PASSED" in run.stdout, run.stdout
    assert "FAILED bob::A1" in run.stdout and "alice::" not in run.stdout.split("short test summary")[1]
    cases = list(ET.parse(tmp_path / "j.xml").getroot().iter("testcase"))
    classnames = {case.get("classname") for case in cases}
    assert len(classnames) == 2 and all(classnames), classnames  # one per student
    # --lf runs bob's failures again, not alice's parts of the same names.
    again = pytest_run(klass, "--grader", "../course/problems", "bob", "alice", "--lf", cache=True)
    assert "25 failed" in again.stdout and "passed" not in again.stdout.splitlines()[-1], again.stdout


def test_a_function_part_checked_only_at_grading_is_skipped_saying_so(tmp_path, published):
    bea = tmp_path / "bea"
    bea.mkdir()
    (bea / "foundations.py").write_bytes((SAMPLES / "alice" / "foundations.py").read_bytes())
    (bea / "q2.py").write_text("def sigma_dot_approx(eps):\n    return 1/0\n", encoding="utf-8")
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(bea), "-rs")
    skips = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert any("sigma_dot_approx has no public checks: it is checked only at grading" in s for s in skips), skips
    assert not any("sigma_dot_approx" in s and "written answer" in s for s in skips), skips


def test_hidden_grading_ends_with_the_total_and_every_note(tmp_path):
    run = pytest_run(tmp_path, "-c", os.devnull, "--grader", str(ROOT / "problems"), "--grader-hidden",
                     str(SAMPLES / "carol"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^grader: carol: [\d.]+ / 63 points", run.stdout, re.M), run.stdout
    notes = [line for line in run.stdout.splitlines() if line.startswith("grader: note:")]
    assert any("%matplotlib was skipped" in note for note in notes), run.stdout
    assert any("raised NameError" in note for note in notes), run.stdout
    assert "hidden checks will run at grading" not in run.stdout  # they ran


@pytest.mark.parametrize("specs", ["submissions/alice", "not-specs"])
def test_specs_that_are_not_specs_are_a_usage_error_in_the_plugins_own_terms(tmp_path, specs):
    shutil.copytree(SAMPLES, tmp_path / "submissions")
    (tmp_path / "not-specs").mkdir()
    (tmp_path / "not-specs" / "empty.yaml").write_text("", encoding="utf-8")
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", specs, "submissions/bob")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "--submissions" not in run.stderr, run.stderr
    assert f"pytest --grader PROBLEMS {specs}" in run.stderr, run.stderr


def test_a_file_level_error_is_said_once_per_part_and_in_one_line_with_tb_line(tmp_path, published):
    cy = tmp_path / "cy"
    cy.mkdir()
    (cy / "foundations.py").write_text("def matmul(A, B):\n    return A @@ B\n", encoding="utf-8")
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(cy),
                     "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 1, run.stdout + run.stderr
    a1 = failures(tmp_path / "j.xml")["A1"]
    assert a1.count("foundations.py could not be run: SyntaxError") == 1, a1
    assert "Notes on the submission" not in a1

    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(cy), "--tb=line")
    section = run.stdout.split("= FAILURES =")[1].split("short test summary")[0]
    lines = [line for line in section.splitlines() if line.strip(" =") and not line.startswith("grader:")]
    assert len(lines) == 25, section  # one per failing part
    assert all(re.match(r".*foundations\.yaml:\d+: [A-D]\d ", line) for line in lines), section


def test_one_part_of_a_submission_is_chosen_with_k_or_the_file_and_label(tmp_path, published):
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published), str(SAMPLES / "bob"),
                     "-k", "A1")
    assert "1 failed, 32 deselected" in run.stdout, run.stdout
    run = pytest_run(tmp_path, "-c", own_config(tmp_path), "--grader", str(published),
                     f"{SAMPLES / 'bob' / 'foundations.py'}::A1")
    assert "1 failed in" in run.stdout, run.stdout
