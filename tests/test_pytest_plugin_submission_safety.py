"""`pytest --grader` imports nothing of a submission into its own process, and grades only submissions.

Each test runs pytest in a subprocess, as a student or an instructor runs it, on submissions that carry
a hostile conftest.py, a Python file that writes a marker when imported, or a pytest.ini of their own.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"  # the instructor's specs: solutions and hidden cases
BOB = ROOT / "submissions" / "bob" / "foundations.py"  # follows the tutorial: fails parts

# Marks every failed test as passed, and leaves a marker to show it ran.
HOSTILE_CONFTEST = """\
import pathlib
import pytest

pathlib.Path(__file__).with_name("CONFTEST_RAN").write_text("ran", encoding="utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.outcome = "passed"
"""


def pytest_run(cwd: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m pytest ARGS`` in ``cwd``; with ``config``, that file is pytest's configuration (-c)."""
    chosen = ["-c", str(config), "--rootdir", str(cwd)] if config else []
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *chosen, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def own_config(folder: Path) -> Path:
    ini = folder / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    return ini


def outcomes(junit: Path) -> list[str]:
    return ["failed" if case.find("failure") is not None else "skipped" if case.find("skipped") is not None
            else "passed" for case in ET.parse(junit).getroot().iter("testcase")]


def submission_with(tmp_path: Path, name: str, text: str) -> Path:
    submission = tmp_path / "bob"
    submission.mkdir()
    (submission / "foundations.py").write_bytes(BOB.read_bytes())
    (submission / name).write_text(text, encoding="utf-8")
    return submission


@pytest.mark.parametrize("hidden", [["--grader-hidden"], []], ids=["instructor", "self-check"])
@pytest.mark.parametrize("named", ["folder", "file"])
def test_a_conftest_in_the_submission_never_runs_and_cannot_turn_the_run_green(tmp_path, hidden, named):
    submission = submission_with(tmp_path, "conftest.py", HOSTILE_CONFTEST)
    path = submission if named == "folder" else submission / "foundations.py"
    run = pytest_run(tmp_path, "--grader", str(PROBLEMS), *hidden, str(path), "--junitxml", str(tmp_path / "j.xml"),
                     config=own_config(tmp_path))
    assert not (submission / "CONFTEST_RAN").exists(), run.stdout + run.stderr
    assert run.returncode == 1, run.stdout + run.stderr
    assert "failed" in outcomes(tmp_path / "j.xml")


def test_a_python_file_named_as_the_submission_is_not_imported_into_pytest(tmp_path):
    """pytest collects a .py named on the command line as a test module; under --grader it is only graded."""
    submission = tmp_path / "bob"
    submission.mkdir()
    marker = tmp_path / "IMPORTED"
    (submission / "foundations.py").write_text(
        BOB.read_text(encoding="utf-8") + f"\nimport pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n",
        encoding="utf-8")
    run = pytest_run(tmp_path, "--grader", str(PROBLEMS), str(submission / "foundations.py"), "--collect-only", "-q",
                     config=own_config(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "foundations.py::A1" in run.stdout
    assert not marker.exists()


def test_hidden_grading_requires_the_instructors_own_pytest_configuration(tmp_path):
    # Left to itself, pytest would take bob/pytest.ini as its configuration (it looks for one above the
    # paths named; --grader=SPECS is one word, no path): "-p no:grader" there would switch the plugin off,
    # and with it everything that keeps the submission's conftest.py out of this process.
    submission = submission_with(tmp_path, "pytest.ini", "[pytest]\naddopts = -k A1\n")
    run = pytest_run(tmp_path, f"--grader={PROBLEMS}", "--grader-hidden", str(submission))
    assert run.returncode == 4, run.stdout + run.stderr
    assert "with --grader-hidden, give pytest your own configuration file with -c FILE" in run.stderr
    assert "Traceback" not in run.stderr
    # With a configuration of the instructor's, the submission's settings do not apply: graded in full.
    run = pytest_run(tmp_path, "--grader", str(PROBLEMS), "--grader-hidden", str(submission), "-c", os.devnull)
    assert run.returncode == 1 and "33 failed" in run.stdout, run.stdout + run.stderr


@pytest.fixture
def repository(tmp_path) -> Path:
    """A student's repository: the submission, and tests of their own that leave a marker when run."""
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "foundations.py").write_bytes(BOB.read_bytes())
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("", encoding="utf-8")
    (tmp_path / "tests" / "test_mine.py").write_text(
        "import pathlib\n\ndef test_mine():\n    pathlib.Path(__file__).with_name('MINE_RAN').write_text('x')\n",
        encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("tests", ["tests", "tests/test_mine.py"])
def test_the_repositorys_own_tests_named_beside_the_submission_are_refused_with_what_to_do(repository, tests):
    run = pytest_run(repository, "--grader", str(PROBLEMS), "submission", tests, config=own_config(repository))
    assert run.returncode == 4, run.stdout + run.stderr
    assert f"{repository / tests} is not a submission: it holds tests" in run.stderr
    assert "pytest --grader grades every path it is given as a submission; run your own tests in a separate " \
        "pytest call" in run.stderr
    assert not (repository / "tests" / "MINE_RAN").exists()
    # The separate call runs them; the grading call alone grades the submission.
    assert pytest_run(repository, tests, config=own_config(repository)).returncode == 0
    assert (repository / "tests" / "MINE_RAN").exists()
    run = pytest_run(repository, "--grader", str(PROBLEMS), "submission", config=own_config(repository))
    assert run.returncode == 1 and "25 failed, 8 skipped" in run.stdout, run.stdout + run.stderr


def test_no_submission_named_is_a_usage_error_rather_than_grading_the_current_folder(repository):
    run = pytest_run(repository, "--grader", str(PROBLEMS), config=own_config(repository))
    assert run.returncode == 4, run.stdout + run.stderr
    assert "none is named: give one, e.g. pytest --grader" in run.stderr
    assert not (repository / "tests" / "MINE_RAN").exists()
