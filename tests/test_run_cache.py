"""A spec edit that changes no call runs no student code again: a class run reuses the sandbox runs
it kept under --out, and runs the code again when a call, the code or the kept entry changes."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox.runcache import FOLDER_NAME

REPO = Path(__file__).resolve().parents[1]

# ``draw`` returns a new random number on every run of the student's code, and the public case's
# feedback shows it: the same number after a regrade means the run was reused, not repeated.
SPEC = """\
id: cached
title: "Cached runs"
parts:
  - label: A
    title: "Zero"
    points: 2
    code:
      function: draw
      kind: number
      solution: |
        def draw(x):
            return 0.0
      cases:
        - {name: "x = 1", public: true, args: [1]}
  - label: B
    title: "Double"
    points: 3
    code:
      function: double
      kind: number
      solution: |
        def double(x):
            return 2 * x
      cases:
        - {name: "x = 1", public: true, args: [1]}
        - {name: "x = 5", args: [5]}
"""

STUDENT = """\
import random


def draw(x):
    return random.random() + 1.0


def double(x):
    return 2 * x
"""


def grade(tmp_path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(tmp_path / "cached.yaml"),
                           "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode in (0, 1), done.stderr
    return json.loads((tmp_path / "out" / "ada" / "results.json").read_text())


def test(results: dict, label: str) -> dict:
    [found] = [t for t in results["tests"] if t["number"] == label]
    return found


test.__test__ = False  # a helper, not a test


@pytest.fixture
def class_run(tmp_path) -> Path:
    (tmp_path / "cached.yaml").write_text(SPEC)
    (tmp_path / "class" / "ada").mkdir(parents=True)
    (tmp_path / "class" / "ada" / "foundations.py").write_text(STUDENT)
    return tmp_path


def test_editing_points_regrades_with_the_kept_run_and_a_new_case_runs_the_code_again(class_run):
    first = grade(class_run)
    drawn = test(first, "A")["output"]
    assert test(first, "A")["score"] == 0 and "1." in drawn, drawn

    # Points changed: the class is graded again, with the new points, from the kept run.
    (class_run / "cached.yaml").write_text(SPEC.replace("points: 3", "points: 4"))
    regraded = grade(class_run)
    assert test(regraded, "B")["max_score"] == 4 and test(regraded, "B")["score"] == 4
    assert test(regraded, "A")["output"] == drawn

    # A new hidden case is a new call: the code runs again, and draws a new number.
    (class_run / "cached.yaml").write_text(SPEC.replace("points: 3", "points: 4").replace(
        '        - {name: "x = 5", args: [5]}\n',
        '        - {name: "x = 5", args: [5]}\n        - {name: "x = -2", args: [-2]}\n'))
    rerun = grade(class_run)
    assert test(rerun, "A")["output"] != drawn
    assert test(rerun, "B")["score"] == 4


def test_a_damaged_kept_run_is_run_again_and_a_gone_file_forgets_its_run(class_run):
    drawn = test(grade(class_run), "A")["output"]
    [entry] = (class_run / "out" / FOLDER_NAME).iterdir()
    entry.write_bytes(gzip.compress(b'{"key": "'))  # cut short, as by a full disk
    (class_run / "cached.yaml").write_text(SPEC.replace("points: 3", "points: 4"))
    regraded = grade(class_run)
    assert test(regraded, "A")["output"] != drawn and test(regraded, "B")["score"] == 4
    assert json.loads(gzip.decompress(entry.read_bytes()))["key"]  # written again, whole

    # The student renames the file: the old file's run is gone from the folder, the new one's kept.
    (class_run / "class" / "ada" / "foundations.py").rename(class_run / "class" / "ada" / "my_foundations.py")
    grade(class_run)
    [kept] = (class_run / "out" / FOLDER_NAME).iterdir()
    assert json.loads(gzip.decompress(kept.read_bytes()))["path"].endswith("my_foundations.py")
