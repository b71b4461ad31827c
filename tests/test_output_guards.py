"""An output option (--json, --junit, --html, --markdown) never writes over what the run reads.

`grader check` and `grader grade` refuse, before grading anything (exit 2, a message naming the
file), to write an output onto a file of the submission (or into a submission under a name the
grader would read as an answer next time), onto a spec being read, or onto another output of the
same run.  A new file, or last run's output, is written as before.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def work(tmp_path: Path, monkeypatch) -> Path:
    """A student's checkout (problems/, submission/) beside a class folder (submissions/)."""
    shutil.copytree(ROOT / "problems", tmp_path / "problems")
    shutil.copytree(ROOT / "submissions" / "alice", tmp_path / "submission")
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(capsys, argv: list[str], kept: Path, named: str) -> str:
    """Run the CLI; assert exit 2, ``kept`` untouched (or still absent) and ``named`` in the message."""
    before = kept.read_bytes() if kept.exists() else None
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert (kept.read_bytes() if kept.exists() else None) == before
    assert named in err and "Traceback" not in err, err
    assert err.count("\n") == 1, err  # one line
    return err


# ---------------------------------------------------------------------------
# grader check

@pytest.mark.parametrize("option", ["--json", "--junit", "--html", "--markdown"])
def test_check_never_writes_over_the_submission_it_checks(work, capsys, option):
    code = work / "submission" / "foundations.py"
    err = refused(capsys, ["check", "problems", "submission", option, "submission/foundations.py"], code,
                  "submission/foundations.py")
    assert "submission" in err and "Nothing was graded or written" in err


def test_check_never_writes_over_a_single_file_submission(work, capsys):
    code = work / "submission" / "foundations.py"
    refused(capsys, ["check", "problems/foundations.yaml", "submission/foundations.py", "--json",
                     "./submission/../submission/foundations.py"], code, "foundations.py")


def test_check_sees_the_submission_through_a_link_and_another_spelling(work, capsys):
    os.symlink(work / "submission", work / "mywork")
    code = work / "submission" / "q2.md"
    refused(capsys, ["check", "problems", "submission", "--junit", "mywork/./q2.md"], code, "mywork/q2.md")
    refused(capsys, ["check", "problems", "mywork", "--html", "submission/q2.md"], code, "submission/q2.md")


def test_a_new_file_the_grader_would_read_is_not_put_into_the_submission(work, capsys):
    """summary.md in the submission would be read as written answers at the next check."""
    summary = work / "submission" / "summary.md"
    err = refused(capsys, ["check", "problems", "submission", "--markdown", "submission/summary.md"], summary,
                  "submission/summary.md")
    assert not summary.exists() and "read as" in err


def test_check_never_writes_over_a_spec_it_reads(work, capsys):
    spec = work / "problems" / "foundations.yaml"
    err = refused(capsys, ["check", "problems", "submission", "--json", "problems/foundations.yaml"], spec,
                  "problems/foundations.yaml")
    assert "spec being read" in err


def test_an_instructor_checking_from_elsewhere_keeps_the_spec(work, capsys, monkeypatch):
    instructor = work / "course"
    shutil.move(work / "problems", instructor / "problems")
    monkeypatch.chdir(instructor)
    spec = instructor / "problems" / "foundations.yaml"
    refused(capsys, ["check", "problems", "../submission", "--junit", "problems/foundations.yaml"], spec,
            "problems/foundations.yaml")
    refused(capsys, ["check", "problems/foundations.yaml", "../submission", "--json",
                     str(work / "course" / "problems" / "foundations.yaml")], spec, "foundations.yaml")


@pytest.mark.parametrize("first, second", [("--json", "--junit"), ("--junit", "--markdown"), ("--html", "--json")])
def test_two_outputs_of_one_check_may_not_share_a_file(work, capsys, first, second):
    earlier = work / "out.txt"
    earlier.write_text("last run's output\n")
    err = refused(capsys, ["check", "problems", "submission", first, "out.txt", second, "./out.txt"], earlier,
                  "out.txt")
    assert first in err and second in err


def test_new_files_and_last_run_s_outputs_are_still_written(work, capsys):
    """Outside the submission, and inside it where the grader reads nothing (results.json, report.html)."""
    (work / "q2work").mkdir()
    shutil.copy(work / "submission" / "q2.md", work / "q2work" / "q2.md")
    (work / "results.json").write_text("last run\n")
    (work / "q2work" / "report.html").write_text("last run\n")
    argv = ["check", "problems/q2-activations.yaml", "q2work", "--json", "results.json", "--html", "q2work",
            "--junit", "q2work/junit.xml", "--markdown", "summary.md"]
    for _ in range(2):  # the second run writes over the first run's outputs, q2work/junit.xml among them
        assert main(argv) == 0, capsys.readouterr().err
    assert (work / "results.json").read_text().startswith("{")
    assert "<html" in (work / "q2work" / "report.html").read_text().lower()
    assert (work / "q2work" / "junit.xml").read_text().startswith("<?xml")
    assert (work / "summary.md").read_text().count("Public checks") == 2  # appended


# ---------------------------------------------------------------------------
# grader grade

def test_grade_never_writes_over_a_student_s_file(work, capsys):
    code = work / "submissions" / "alice" / "foundations.py"
    refused(capsys, ["grade", "problems", "--submissions", "submissions", "--out", "reports", "--json",
                     "submissions/alice/foundations.py"], code, "submissions/alice/foundations.py")
    assert not (work / "reports").exists()  # refused before grading anything


@pytest.mark.parametrize("target", ["submissions/class.json", "submissions/alice/results.xml"])
def test_grade_puts_no_output_among_the_submissions(work, capsys, target):
    """A file there would be graded as a student's ('class') or as part of one's submission next time."""
    err = refused(capsys, ["grade", "problems", "--submissions", "submissions", "--junit", target],
                  work / target, target)
    assert "graded" in err


def test_grade_never_writes_over_a_spec_it_reads(work, capsys):
    spec = work / "problems" / "q2-activations.yaml"
    refused(capsys, ["grade", "problems", "--submissions", "submissions", "--html", "problems/q2-activations.yaml"],
            spec, "problems/q2-activations.yaml")


@pytest.mark.parametrize("target", ["reports/gradebook.sqlite", "reports/grades.csv", "reports/alice/results.json"])
def test_grade_never_writes_one_output_over_another_of_its_own(work, capsys, target):
    refused(capsys, ["grade", "problems", "--submissions", "submissions", "--out", "reports", "--json", target],
            work / target, target)


def test_two_outputs_of_one_class_run_may_not_share_a_file(work, capsys):
    refused(capsys, ["grade", "problems", "--submissions", "submissions", "--json", "class.out", "--junit",
                     "class.out"], work / "class.out", "class.out")


def test_a_class_run_may_write_beside_the_specs_and_into_its_own_out(work, capsys):
    """An --out inside the submissions folder is no student's: --json may go there too."""
    for name in ("alice", "bob"):
        (work / "class" / name).mkdir(parents=True)
        shutil.copy(work / "submissions" / name / "q2.md", work / "class" / name / "q2.md")
    spec = work / "problems" / "q2-activations.yaml"
    before = spec.read_bytes()
    status = main(["grade", "problems/q2-activations.yaml", "--submissions", "class", "--out", "class/reports",
                   "--json", "class/reports/class.json", "--junit", "problems/junit.xml", "--html", "problems"])
    assert status == 0, capsys.readouterr().err
    assert spec.read_bytes() == before
    assert (work / "class" / "reports" / "class.json").read_text().startswith("{")
    assert (work / "problems" / "junit.xml").exists() and (work / "problems" / "index.html").exists()
