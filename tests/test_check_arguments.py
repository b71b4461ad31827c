"""`grader check` takes problem specs first and one submission last; paths the other way round are
refused with a message saying so, instead of grading the specs as a submission or reading code as YAML."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALICE = ROOT / "submissions" / "alice"


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "problems", tmp_path / "problems")
    shutil.copytree(ALICE, tmp_path / "work")
    return tmp_path


@pytest.mark.parametrize("args, says", [
    (["work", "problems"], "problems holds problem specs, not a submission"),  # the order swapped
    (["problems"], "problems holds problem specs, not a submission"),  # the submission forgotten
    (["problems/foundations.yaml"], "foundations.yaml is a problem spec, not a submission"),
    (["problems", "work/foundations.py", "work/q2.md"], "work/foundations.py is not a problem spec"),
])
def test_misplaced_paths_are_refused_with_the_order_to_use(work, args, says):
    run = check(*args, cwd=work)
    assert run.returncode == 2 and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_the_right_order_still_checks(work):
    run = check("problems", "work", cwd=work)
    assert run.returncode == 0, run.stderr
    assert "public checks passed" in run.stdout


def test_the_closing_line_counts_in_the_singular_when_there_is_one(tmp_path):
    from grader.cli import self_check_summary
    from grader.results import PartResult

    part = PartResult(problem_set="p", label="A1", title="t", max_score=1.0, score=0.0, status="incorrect",
                      feedback="")
    assert self_check_summary([part], 1) == "1 of 1 part does not pass its public checks yet — " \
                                             "1 hidden check will run at grading"


def test_check_outside_a_handout_folder_says_where_specs_are_looked_for(tmp_path):
    import subprocess
    import sys

    submission = tmp_path / "foundations.py"
    submission.write_text("def dot(u, v):\n    return 0.0\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(submission)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert "there is no problems/ folder here, where they are looked for by default" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_option_is_reported_with_the_commands_own_usage():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "grader", "grade", "--bogus"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("usage: grader grade") and "grader grade: error: unrecognized arguments: --bogus" \
        in run.stderr


@pytest.mark.parametrize("args, says", [
    # the class folder typed where specs go, with no submissions/ folder here
    (["problems", "work", "--out", "out"], "work: no problem specs (*.yaml) found here; it holds submission files "
                                            "(.py, .ipynb, .md, answers.yaml): to grade them, pass it as "
                                            "--submissions work"),
    (["problems", "--out", "out"], "the folder of submissions submissions does not exist: name the class's "
                                   "folder with --submissions DIR"),
])
def test_grade_without_a_submissions_folder_says_how_to_name_one(work, args, says):
    run = subprocess.run([sys.executable, "-m", "grader", "grade", *args], cwd=work, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 2 and says in run.stderr, run.stderr
    assert "--submissions submissions is not a folder" not in run.stderr and not (work / "out").exists()
