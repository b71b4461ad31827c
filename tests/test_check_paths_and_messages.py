"""`grader check` as a submission repository's CI runs it: the repository itself is the submission
(`.`), its outputs land in it, and the specs may be named twice; messages stay exact."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_a_repository_checked_as_dot_goes_by_its_folders_name_and_ignores_its_own_outputs(tmp_path):
    repo = tmp_path / "ada-homework"
    shutil.copytree(ROOT / "submissions" / "alice", repo)
    for _ in range(2):  # the second run finds the first run's results.json and junit.xml in the submission
        run = check(repo, str(PROBLEMS), ".", "--json", "results.json", "--junit", "junit.xml",
                    "--markdown", str(tmp_path / "summary.md"))
        assert run.returncode == 0, run.stderr
    text = (repo / "results.json").read_text(encoding="utf-8")
    results = json.loads(text)
    assert '"student": "ada-homework"' in text
    assert "results.json" not in results["output"] and "junit.xml" not in results["output"]
    assert 'testsuite name="ada-homework"' in (repo / "junit.xml").read_text(encoding="utf-8")
    assert "**ada-homework**" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_an_output_named_as_a_folder_is_refused_before_grading(tmp_path):
    for option in ("--json", "--junit", "--markdown"):
        run = check(tmp_path, str(PROBLEMS), str(ROOT / "submissions" / "alice"), option, str(tmp_path))
        assert run.returncode == 2
        assert f"{option} {tmp_path} is a folder; name a file" in run.stderr, run.stderr
        assert "Nothing was graded or written" in run.stderr
        assert "Traceback" not in run.stderr and "total:" not in run.stdout


def test_a_threshold_just_above_the_score_is_not_shown_equal_to_it(tmp_path):
    run = check(tmp_path, str(PROBLEMS), str(ROOT / "submissions" / "alice"), "--fail-under", "63.0000001")
    assert run.returncode == 1
    assert "score 63 is under --fail-under 63.0000001" in run.stderr, run.stderr


def test_the_same_specs_named_twice_are_read_once(tmp_path):
    run = check(ROOT, "problems", "./problems/", str(PROBLEMS / "foundations.yaml"), "submissions/alice")
    assert run.returncode == 0, run.stderr
    assert "also used by" not in run.stderr
    assert "total: 63 / 63 points" in run.stdout
