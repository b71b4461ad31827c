"""What a probe of the Gradescope autograder found, run end to end as Gradescope does: a student's
ordinary upload graded (never taken for an earlier run's reports), truthful messages for a class of
one, when students see their results, how long grading took, and a grader installed from a wheel."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.batch import took_too_long
from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "foundations.yaml"
ALICE = ROOT / "submissions" / "alice" / "foundations.py"
INSTALL = "grader @ git+https://example.org/course/grader@v1"
GRADER = str(Path(sys.executable).with_name("grader"))


def package(folder: Path, *options: str, install: str = INSTALL) -> Path:
    out = folder / "autograder.zip"
    assert main(["gradescope", str(SPEC), "--out", str(out), "--install", install, *options]) == 0
    return out


@pytest.fixture(scope="module")
def foundations_zip(tmp_path_factory) -> Path:
    return package(tmp_path_factory.mktemp("package"))


def run_autograder(zip_file: Path, root: Path, files: dict[str, bytes | str], grader: str = GRADER,
                   **env: str) -> dict:
    """What Gradescope does: the zip in source/, the student's files in submission/."""
    with zipfile.ZipFile(zip_file) as archive:
        archive.extractall(root / "source")
    script = root / "source" / "run_autograder"
    script.chmod(0o755)
    for name, data in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    environment = {name: value for name, value in os.environ.items() if name != "GRADER_SUBMISSION_TIME_LIMIT"}
    environment.update(env, AUTOGRADER=str(root), GRADER=grader)
    subprocess.run([str(script)], env=environment, check=True, timeout=300, capture_output=True)
    return json.loads((root / "results" / "results.json").read_text())


def part(results: dict, label: str) -> dict:
    return next(t for t in results["tests"] if t["number"] == label)


# ------------------------------------------------ a student's upload is graded, whatever files it holds

@pytest.mark.parametrize("extra", [
    {"summary.md": "# What I found\n\nThe loops are slow.\n", "experiments/results.json": '{"seconds": 1.5}'},
    {"gradebook.sqlite": b""},
], ids=["summary-and-results-json", "empty-gradebook"])
def test_a_students_ordinary_upload_is_graded_not_taken_for_old_reports(foundations_zip, tmp_path, extra):
    results = run_autograder(foundations_zip, tmp_path, {"foundations.py": ALICE.read_bytes(), **extra})
    assert results["score"] == 50, results["output"]
    assert part(results, "A1")["status"] == "passed"


def test_an_earlier_runs_reports_in_a_class_folder_are_still_left_out(tmp_path):
    """The protection is for an instructor's class folder holding an --out folder among the students it
    reports on; a student who hands in a summary.md beside experiments/results.json is graded there too."""
    subs = tmp_path / "class"
    for student in ("alice", "bob"):
        shutil.copytree(ROOT / "submissions" / student, subs / student)
    earlier = grader(tmp_path, "grade", str(SPEC), "--submissions", "class", "--out", "class/reports-old")
    assert earlier.returncode == 0, earlier.stderr
    shutil.copytree(subs / "reports-old", subs / "reports-copy")
    (subs / "reports-copy" / "gradebook.sqlite").unlink()  # the class files alone still say what it is
    dave = subs / "dave"
    (dave / "experiments").mkdir(parents=True)
    shutil.copy(ALICE, dave / "foundations.py")
    (dave / "summary.md").write_text("# What I found\n")
    (dave / "experiments" / "results.json").write_text("{}")

    run = grader(tmp_path, "grade", str(SPEC), "--submissions", "class", "--out", "reports")

    assert run.returncode == 0, run.stderr
    assert ("note: not a student, left out of the class: class/reports-copy/, class/reports-old/ "
            "(the reports of an earlier 'grader grade' run)") in run.stderr
    with (tmp_path / "reports" / "grades.csv").open(encoding="utf-8") as rows:
        graded = sorted(row["SIS Login ID"] for row in csv.DictReader(rows) if row["Student"] != "Points Possible")
    assert graded == ["alice", "bob", "dave"]


def grader(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def stub(folder: Path, body: str) -> str:
    path = folder / "grader-stub"
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)
    return str(path)


def test_a_grader_that_graded_nothing_says_so_rather_than_that_it_could_not_run(foundations_zip, tmp_path):
    results = run_autograder(foundations_zip, tmp_path / "root", {"foundations.py": ALICE.read_bytes()},
                             grader=stub(tmp_path, "exit 0\n"))
    assert results["score"] == 0 and results["tests"] == []
    assert "could not run" not in results["output"]
    assert results["output"].startswith("The autograder graded nothing: the grader finished (exit status 0) "
                                        "without a result for this submission")


# ------------------------------------------------------------------ what a student of a class of one reads

def test_a_module_of_the_students_own_handed_in_beside_the_code_is_named_truthfully(foundations_zip, tmp_path):
    code = ALICE.read_text().replace("import math\n", "import math\nfrom helpers import *\n", 1)
    results = run_autograder(foundations_zip, tmp_path, {"foundations.py": code,
                                                         "helpers.py": "def helper():\n    return 1\n"})
    said = part(results, "A1")["output"]
    assert "No module named 'helpers'" in said, said
    assert "beside" not in said
    assert ("helpers is not a library installed where submissions are graded. The grader runs each file handed in "
            "on its own, so one file cannot import another: if helpers.py is a file of your own, put the code it "
            "holds in this file itself.") in said


def test_a_submission_over_the_time_limit_on_gradescope_is_not_told_about_a_class(foundations_zip, tmp_path):
    results = run_autograder(foundations_zip, tmp_path, {"foundations.py": "import time\nwhile True:\n"
                                                                           "    time.sleep(0.01)\n"},
                             GRADER_SUBMISSION_TIME_LIMIT="2")
    said = part(results, "A1")["output"]
    assert "grading it took longer than 2 s, the limit for one submission, and was stopped" in said
    assert "class" not in said
    assert "on Gradescope, build the autograder again with grader gradescope --time-limit" in said
    # In a class, the instructor still reads that the others were graded.
    assert took_too_long(2).endswith("; the rest of the class was graded.")


# ---------------------------------------------------------------------- when students see their results

VISIBLE_STUB = """while [ "$1" != "--out" ]; do shift; done
mkdir -p "$2/submission"
printf '{"score": 1, "output": "1 / 2 points.", "tests": [
  {"number": "A1", "score": 1, "max_score": 1, "visibility": "visible"},
  {"number": "A2", "score": 0, "max_score": 1, "visibility": "visible"}]}' > "$2/submission/results.json"
"""


@pytest.mark.parametrize("options, seen", [
    ([], "visible"),  # as before: students see their results at once
    (["--visibility", "after_due_date"], "after_due_date"),
    (["--visibility", "after_published"], "after_published"),
    (["--visibility", "hidden"], "hidden"),
])
def test_the_instructor_chooses_when_students_see_their_results(tmp_path, options, seen):
    zip_file = package(tmp_path, *options)
    results = run_autograder(zip_file, tmp_path / "root", {"foundations.py": ALICE.read_bytes()},
                             grader=stub(tmp_path, VISIBLE_STUB))
    assert results["visibility"] == seen
    assert [t["visibility"] for t in results["tests"]] == [seen, seen]
    assert results["score"] == 1 and results["output"] == "1 / 2 points."  # the rest as the grader wrote it


def test_a_visibility_gradescope_does_not_know_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["gradescope", str(SPEC), "--out", str(tmp_path / "a.zip"), "--install", INSTALL,
              "--visibility", "later"])
    assert exited.value.code == 2
    assert "argument --visibility: invalid choice: 'later'" in capsys.readouterr().err


def test_results_json_says_how_long_grading_took(tmp_path):
    zip_file = package(tmp_path, "--visibility", "after_due_date")
    started = time.monotonic()
    results = run_autograder(zip_file, tmp_path / "root", {"foundations.py": ALICE.read_bytes()})
    took = time.monotonic() - started
    assert results["score"] == 50
    assert {t["visibility"] for t in results["tests"]} == {"after_due_date"}
    assert 1 <= results["execution_time"] <= took + 0.1  # starting the grader alone takes over a second


# ------------------------------------------------------------------------- a grader installed from a wheel

def dummy_wheel(folder: Path, name: str = "gradershim-1.0-py3-none-any.whl") -> Path:
    """A real (tiny) wheel pip can install: one module and its metadata."""
    path = folder / name
    info = "gradershim-1.0.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("gradershim.py", "MARK = 'installed from the zip'\n")
        archive.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: gradershim\nVersion: 1.0\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                          "Tag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", "")
    return path


def test_a_wheel_file_goes_into_the_zip_and_setup_installs_it_from_there(tmp_path):
    wheel = dummy_wheel(tmp_path)
    run = grader(tmp_path, "gradescope", str(SPEC), "--out", "autograder.zip", "--install", f"./{wheel.name}")
    assert run.returncode == 0, run.stderr
    assert f"pip installs {wheel.name}, which is in the zip, on Gradescope" in run.stdout
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        assert archive.read(wheel.name) == wheel.read_bytes()
        archive.extractall(tmp_path / "autograder" / "source")
    setup = (tmp_path / "autograder" / "source" / "setup.sh").read_text()
    line = next(line for line in setup.splitlines() if line.startswith("/autograder/venv/bin/pip install ")
                and "--upgrade" not in line)
    assert line == f"/autograder/venv/bin/pip install /autograder/source/{wheel.name}"
    # That line, run with this machine's pip and Gradescope's folder where the test unpacked the zip.
    site = tmp_path / "site"
    command = line.replace("/autograder/venv/bin/pip install",
                           f"{sys.executable} -m pip install --quiet --no-deps --no-index --target {site}")
    subprocess.run(["bash", "-c", command.replace("/autograder/", f"{tmp_path}/autograder/")], check=True,
                   capture_output=True, timeout=120)
    assert "installed from the zip" in (site / "gradershim.py").read_text()


@pytest.mark.parametrize("given, said", [
    (".", "--install . is a folder on this machine, which Gradescope's does not have. Give a wheel of the grader"),
    ("./dist/grader-1.0-py3-none-any.whl", "--install ./dist/grader-1.0-py3-none-any.whl: there is no such file."),
    ("./grader.whl", "--install ./grader.whl: pip reads a wheel's name, version and platform from its file name"),
    ("grader @ file:///home/me/grader", "a place on this machine, which Gradescope does not have"),
    ("-e git+https://example.org/grader.git", "setup.sh gives pip the whole text as one quoted argument"),
])
def test_a_local_path_gradescope_cannot_install_is_refused_in_gradescopes_words(tmp_path, given, said):
    dummy_wheel(tmp_path, "grader.whl")
    run = grader(tmp_path, "gradescope", str(SPEC), "--out", "autograder.zip", "--install", given)
    assert run.returncode == 2
    assert said in run.stderr
    assert "CI" not in run.stderr and "workflow" not in run.stderr
    assert not (tmp_path / "autograder.zip").exists()
