"""What `grader grade` takes for a student in a class folder as it comes from an LMS or an
instructor's desk: the roster, the spec, an earlier run's reports or Gradescope's list lying
there are no students; an LMS download not yet sorted into one folder per student gets a hint."""
from __future__ import annotations

import csv
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "submissions"
SPEC = REPO / "problems" / "foundations.yaml"
ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section\n"
          "Alice A,1,1,alice,S1\nBob B,2,2,bob,S1\nCarol C,3,3,carol,S1\n")


def grader(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def grade(cwd: Path, spec: Path | str, subs: str, out: str, *extra: str) -> subprocess.CompletedProcess:
    return grader(cwd, "grade", str(spec), "--submissions", subs, "--out", out, *extra)


def graded_students(out: Path) -> list[str]:
    with (out / "grades.csv").open(encoding="utf-8") as rows:
        return sorted(row["SIS Login ID"] for row in csv.DictReader(rows) if row["Student"] != "Points Possible")


def sample_class(folder: Path) -> Path:
    shutil.copytree(SAMPLES, folder)
    return folder


def test_roster_spec_earlier_reports_and_gradescope_list_are_no_students(tmp_path):
    subs = sample_class(tmp_path / "class")
    earlier = grade(tmp_path, SPEC, "class", "class/reports-old")  # an earlier run kept its reports in the class
    assert earlier.returncode == 0, earlier.stderr
    assert "left out" not in earlier.stderr and "download" not in earlier.stderr  # the samples: nothing to say
    shutil.copytree(subs / "reports-old", subs / "reports-copy")  # a copy of those reports without the gradebook
    (subs / "reports-copy" / "gradebook.sqlite").unlink()
    shutil.copy(SPEC, subs / "foundations.yaml")
    (subs / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (subs / "submission_metadata.yml").write_text("submission_1:\n  :submitters:\n  - :name: Alice A\n")
    (subs / "notes.txt").write_text("foundations: see my file\n")  # could be a student's answers: kept
    # A student who handed in their whole handout folder, with what `grader check` wrote there: kept.
    handout = subs / "dave" / "submission"
    shutil.copytree(SAMPLES / "bob", handout)
    (handout / "results.json").write_text("{}")
    (handout / "report.html").write_text("<html></html>")

    run = grade(tmp_path, "class/foundations.yaml", "class", "reports", "--roster", "class/roster.csv")

    assert run.returncode == 0, run.stderr
    assert graded_students(tmp_path / "reports") == ["alice", "bob", "carol", "dave", "notes"]
    assert "graded 5 submission(s)" in run.stderr
    notes = [line for line in run.stderr.splitlines() if "left out of the class" in line]
    assert notes == [
        "note: not a student, left out of the class: class/foundations.yaml (problem specs this run grades with)",
        "note: not a student, left out of the class: class/reports-copy/, class/reports-old/ "
        "(the reports of an earlier 'grader grade' run)",
        "note: not a student, left out of the class: class/roster.csv (the roster given with --roster)",
        "note: not a student, left out of the class: class/submission_metadata.yml "
        "(Gradescope's list of the submissions of its export)",
    ]


def canvas_download(folder: Path) -> Path:
    """The samples as Canvas's Download Submissions names them: 7 files of 4 students, flat."""
    folder.mkdir()
    for sample, name in [("alice/foundations.py", "doejane_12345_67890_foundations-1.py"),
                         ("alice/q2.md", "doejane_LATE_12345_67891_q2.md"),
                         ("bob/foundations.py", "smithbob_340934_70001_foundations.py"),
                         ("bob/q2.md", "smithbob_340934_70002_q2.md"),
                         ("carol/answers.yaml", "leecarol_22222_70003_answers.yaml"),
                         ("carol/foundations.ipynb", "leecarol_22222_70004_foundations.ipynb"),
                         ("alice/foundations.py", "kimdan_33333_70005_foundations.py")]:
        shutil.copy(SAMPLES / sample, folder / name)
    return folder


def test_a_canvas_download_graded_as_it_is_says_to_import_it_first(tmp_path):
    canvas_download(tmp_path / "canvas")

    run = grade(tmp_path, SPEC, "canvas", "reports")

    assert run.returncode == 0, run.stderr
    assert ("note: canvas looks like a Canvas submissions download: 7 of its 7 entries are named "
            "<name>[_LATE]_<user id>_<attachment id>_<file>, the files of 4 students, yet each entry is graded "
            "as a student of its own. Run `grader import-canvas canvas --to canvas-students` first") in run.stderr
    # The command it gives works as given.
    command = re.search(r"`grader (import-canvas [^`]+)`", run.stderr)[1]
    imported = grader(tmp_path, *shlex.split(command))
    assert imported.returncode == 0, imported.stderr
    assert sorted(p.name for p in (tmp_path / "canvas-students").iterdir()) == [
        "doejane_12345", "kimdan_33333", "leecarol_22222", "smithbob_340934"]


def test_blackboard_and_moodle_downloads_get_a_hint_naming_their_pattern(tmp_path):
    blackboard = tmp_path / "blackboard"
    blackboard.mkdir()
    for user, sample in [("jdoe", "alice"), ("bsmith", "bob")]:
        attempt = f"Assignment_{user}_attempt_2026-11-01-10-00-00"
        for name in ("foundations.py", "q2.md"):
            shutil.copy(SAMPLES / sample / name, blackboard / f"{attempt}_{name}")
        (blackboard / f"{attempt}.txt").write_text(f"Name: {user}\nSubmission Field:\nThere is no student "
                                                   "submission text data for this assignment.\n")
    moodle = tmp_path / "moodle"
    shutil.copytree(SAMPLES / "alice", moodle / "Jane Doe_123456_assignsubmission_file_")
    shutil.copytree(SAMPLES / "bob", moodle / "Bob Smith_123457_assignsubmission_file_")
    (moodle / "Bob Smith_123457_assignsubmission_onlinetext_").mkdir()
    (moodle / "Bob Smith_123457_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>see file</p>")

    run = grade(tmp_path, SPEC, "blackboard", "reports-bb")
    assert run.returncode == 0, run.stderr
    assert ("note: blackboard looks like a Blackboard submissions download: 6 of its 6 entries are named "
            "<assignment>_<user>_attempt_<date>_<file>, and a <assignment>_<user>_attempt_<date>.txt receipt, "
            "the files of 2 students, yet each entry is graded as a student of its own. Put each student's files "
            "into one folder named by their id") in run.stderr

    run = grade(tmp_path, SPEC, "moodle", "reports-moodle")
    assert run.returncode == 0, run.stderr
    assert ("note: moodle looks like a Moodle submissions download: 3 of its 3 entries are named "
            "<full name>_<id>_assignsubmission_<type>_, the files of 2 students, yet each entry is graded as a "
            "student of its own.") in run.stderr


def test_a_zip_given_as_the_class_folder_says_what_to_do_with_it(tmp_path):
    canvas = canvas_download(tmp_path / "download")
    with zipfile.ZipFile(tmp_path / "submissions.zip", "w") as archive:
        for path in sorted(canvas.iterdir()):
            archive.write(path, path.name)
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as archive:
        for path in sorted(SAMPLES.rglob("*")):
            archive.write(path, path.relative_to(SAMPLES).as_posix())

    run = grade(tmp_path, SPEC, "submissions.zip", "reports")
    assert run.returncode == 2
    assert run.stderr == ("grader: --submissions submissions.zip is not a folder of submissions: it is a zip of "
                          "Canvas's submissions download. Run `grader import-canvas submissions.zip --to submissions` "
                          "first, which puts each student's files into one folder, then grade with --submissions "
                          "submissions.\n")
    run = grade(tmp_path, SPEC, "class.zip", "reports")
    assert run.returncode == 2
    assert run.stderr == ("grader: --submissions class.zip is not a folder of submissions: it is a zip file, which "
                          "the grader does not unpack. Extract it into a folder and name that folder with "
                          "--submissions.\n")
    assert not (tmp_path / "reports").exists()

    command = re.search(r"`grader (import-canvas [^`]+)`", grade(tmp_path, SPEC, "submissions.zip", "r").stderr)[1]
    assert grader(tmp_path, *shlex.split(command)).returncode == 0
    assert len(list((tmp_path / "submissions").iterdir())) == 4
