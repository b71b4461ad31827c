"""A class folder whose only entry is the top folder of an unzipped download gets a hint:
the students are one level down, and would be graded as one student with the best of
everyone's work."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "q2-activations.yaml"
SAMPLES = ROOT / "submissions"


def grade(submissions: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(SPEC), "--submissions", str(submissions),
                           "--out", str(out), "--no-progress"], capture_output=True, text=True, timeout=600)


def test_a_folder_of_students_folders_inside_the_class_folder_is_pointed_out(tmp_path):
    wrapper = tmp_path / "class" / "HW1 Submissions"
    for student in ("alice", "bob"):
        (wrapper / student).mkdir(parents=True)
        shutil.copy(SAMPLES / student / "q2.md", wrapper / student / "q2.md")
    (tmp_path / "class" / "__MACOSX").mkdir()  # what a Mac's zip leaves beside it changes nothing
    run = grade(tmp_path / "class", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "holds one folder, HW1 Submissions/, and its 2 folders hold files" in run.stderr, run.stderr
    assert f"Grade with --submissions '{wrapper}' instead." in run.stderr


def test_a_class_of_students_or_one_students_own_folders_gets_no_such_hint(tmp_path):
    for student in ("alice", "bob"):
        (tmp_path / "class" / student).mkdir(parents=True)
        shutil.copy(SAMPLES / student / "q2.md", tmp_path / "class" / student / "q2.md")
    run = grade(tmp_path / "class", tmp_path / "out")
    assert run.returncode == 0 and "holds one folder" not in run.stderr, run.stderr
    # One student (a Gradescope upload) with a file of their own at the top and folders beside it.
    own = tmp_path / "one" / "submission"
    (own / "notes").mkdir(parents=True)
    (own / "drafts").mkdir()
    shutil.copy(SAMPLES / "alice" / "q2.md", own / "q2.md")
    (own / "notes" / "ideas.txt").write_text("sigmoid vs tanh\n", encoding="utf-8")
    (own / "drafts" / "old.txt").write_text("first try\n", encoding="utf-8")
    run = grade(tmp_path / "one", tmp_path / "out-one")
    assert run.returncode == 0 and "holds one folder" not in run.stderr, run.stderr
