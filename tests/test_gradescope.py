"""grader gradescope: the autograder zip, and its run_autograder run for real
on a Gradescope-shaped folder."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
INSTALL = "grader @ git+https://example.org/course/grader@v1"
GRADER = str(Path(sys.executable).with_name("grader"))


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "autograder.zip"
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(out), "--install", INSTALL]) == 0
    return out


def test_the_package_holds_two_executable_scripts_and_the_full_specs(package, tmp_path):
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        spec = archive.read("problems/foundations.yaml")
    assert names == ["setup.sh", "run_autograder", "problems/foundations.yaml", "problems/q2-activations.yaml"]
    assert all(modes[name] & stat.S_IXUSR for name in ("setup.sh", "run_autograder"))
    assert f"pip install '{INSTALL}'" in setup
    assert "grader validate problems" in setup  # a broken spec fails the image build
    assert "chmod -R go-rwx /autograder/source" in setup  # specs hidden from student code without Landlock
    assert spec == (ROOT / "problems" / "foundations.yaml").read_bytes()  # hidden cases included
    again = tmp_path / "again.zip"
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(again), "--install", INSTALL]) == 0
    assert again.read_bytes() == package.read_bytes()


def run_autograder(package: Path, root: Path, submission: Path, grader: str = GRADER, **env: str) -> dict:
    """What Gradescope does: the zip in source/, the student's files in submission/."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
    script = root / "source" / "run_autograder"
    script.chmod(0o755)
    shutil.copytree(submission, root / "submission")
    environment = {name: value for name, value in os.environ.items() if name != "GRADER_SUBMISSION_TIME_LIMIT"}
    environment.update(env, AUTOGRADER=str(root), GRADER=grader)
    subprocess.run([str(script)], env=environment, check=True, timeout=300, capture_output=True)
    return json.loads((root / "results" / "results.json").read_text())


def test_the_install_requirement_reaches_pip_exactly_as_given(tmp_path):
    """Quotes, dollars, backquotes and backslashes (a valid requirement may hold them in its URL): pip gets
    the one argument, nothing expanded or dropped."""
    install = 'grader @ https://example.org/g?x=$TAG&y=`id`&z=${HOME}\\it\'s"v1"'
    out = tmp_path / "autograder.zip"
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(out), "--install", install]) == 0
    with zipfile.ZipFile(out) as archive:
        setup = archive.read("setup.sh").decode()
    line = next(line for line in setup.splitlines() if line.startswith("/autograder/venv/bin/pip install ")
                and "--upgrade" not in line)
    # The same line with pip replaced by a command that prints its arguments, one per line.
    echoed = subprocess.run(["bash", "-c", line.replace("/autograder/venv/bin/pip install", "printf '%s\\n'")],
                            capture_output=True, text=True, check=True, env={"TAG": "oops", "HOME": "/oops"})
    assert echoed.stdout == install + "\n"


def test_a_requirement_on_two_lines_is_refused(tmp_path, capsys):
    out = tmp_path / "autograder.zip"
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(out), "--install", "grader\nrm -rf /"]) == 2
    assert "--install must be one pip requirement on one line" in capsys.readouterr().err
    assert not out.exists()


STUB = """#!/usr/bin/env bash
# Stands in for the grader: leaves a results.json saying how it was called.
while [ "$1" != "--out" ]; do shift; done
mkdir -p "$2/submission"
printf '{"score": 0, "tests": [], "output": "limit=%s args=%s"}' "$GRADER_SUBMISSION_TIME_LIMIT" "$*" \
    > "$2/submission/results.json"
"""


@pytest.mark.parametrize("options, env, limit", [
    ([], {}, "480"),  # under Gradescope's default timeout of 10 minutes, with time to spare
    (["--time-limit", "1500"], {}, "1500"),  # for a course that raised that timeout
    ([], {"GRADER_SUBMISSION_TIME_LIMIT": "90"}, "90"),  # the variable, when set, wins
])
def test_run_autograder_stops_a_submission_before_gradescope_does(tmp_path, options, env, limit):
    out = tmp_path / "autograder.zip"
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(out), "--install", INSTALL, *options]) == 0
    stub = tmp_path / "grader-stub"
    stub.write_text(STUB)
    stub.chmod(0o755)
    results = run_autograder(out, tmp_path / "root", ROOT / "submissions" / "alice", grader=str(stub), **env)
    assert results["output"].startswith(f"limit={limit} args=")
    assert " --withhold" in results["output"]


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "ten"])
def test_a_time_limit_that_is_not_seconds_is_refused(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["gradescope", str(ROOT / "problems"), "--out", str(tmp_path / "a.zip"), "--install", INSTALL,
              f"--time-limit={value}"])
    assert exited.value.code == 2
    assert "argument --time-limit:" in capsys.readouterr().err


def test_students_resubmitting_on_gradescope_never_read_the_rubric_ideas(package, tmp_path):
    """Every result is visible at once and a student may resubmit: the missing ideas are
    numbered, so pasting them back word for word is not possible."""
    student = tmp_path / "student"
    student.mkdir()
    (student / "q2.md").write_text("## Q2.4\n\nBack-propagation multiplies the gradient by one derivative "
                                   "per time step.\n")
    results = run_autograder(package, tmp_path / "root", student)
    essay = next(t for t in results["tests"] if t["number"] == "Q2.4")
    assert essay["score"] == 1
    assert essay["output"].startswith("1 of 3 rubric ideas found; missing: ideas 2 and 3.")
    text = json.dumps(results)
    for words in ("(1/4)^T", "at most 1/4", "vanish exponentially", "one activation derivative per time step"):
        assert words not in text


def test_run_autograder_grades_a_submission_with_its_hidden_cases(package, tmp_path):
    results = run_autograder(package, tmp_path, ROOT / "submissions" / "alice")
    assert results["score"] == 63  # both homeworks, every part right
    labels = [t["number"] for t in results["tests"]]
    assert "A1" in labels and "Q2.4" in labels
    matmul = next(t for t in results["tests"] if t["number"] == "A1")
    assert matmul["status"] == "passed" and matmul["output"].startswith("All 6 cases passed.")
    assert not any(tmp_path.glob("*/out"))  # the work folder is gone


def test_a_broken_submission_still_gets_a_results_json(package, tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "foundations.py").write_text("def matmul(A, B):\n    return A @\n")
    results = run_autograder(package, tmp_path / "root", student)
    assert results["score"] == 0
    matmul = next(t for t in results["tests"] if t["number"] == "A1")
    assert matmul["score"] == 0 and "SyntaxError" in matmul["output"]


def test_a_grader_that_cannot_run_leaves_a_results_json_saying_so(package, tmp_path):
    results = run_autograder(package, tmp_path, ROOT / "submissions" / "alice", grader="false")
    assert results["score"] == 0 and results["tests"] == []
    assert "could not run" in results["output"]


def test_a_published_copy_or_an_unknown_install_is_refused(tmp_path, capsys):
    public = tmp_path / "public"
    assert main(["publish", str(ROOT / "problems" / "q2-activations.yaml"), "--out", str(public)]) == 0
    capsys.readouterr()
    assert main(["gradescope", str(public), "--out", str(tmp_path / "a.zip"), "--install", INSTALL]) == 2
    assert "is a published copy" in capsys.readouterr().err
    # Installed from a local folder (as in this test run): no URL Gradescope could reach.
    assert main(["gradescope", str(ROOT / "problems"), "--out", str(tmp_path / "b.zip")]) == 2
    assert "say where Gradescope installs the grader from with --install" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "b.zip").exists()
