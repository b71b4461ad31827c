"""`grader ci-init`: the result files its workflow's `grader check` writes into the repository are
git-ignored, so a student who runs the same command on their machine does not commit them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALL = "grader @ git+https://example.org/course/grader@v1"


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def ci_init(repo: Path, *extra: str) -> subprocess.CompletedProcess:
    return grader("ci-init", "--dir", repo, "--install", INSTALL, *extra)


def check_command(repo: Path) -> list[str]:
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "grader.yml").read_text(encoding="utf-8"))
    script = next(s["run"] for s in workflow["jobs"]["check"]["steps"] if "grader check" in s.get("run", ""))
    # The step's script runs `grader check …` (continued over lines), its messages kept apart with 2>.
    command = next(line for line in script.replace("\\\n", " ").splitlines() if line.startswith("grader check"))
    return command.partition(" 2>")[0].split()


def result_files(repo: Path) -> list[str]:
    """The files the workflow's `grader check` writes: its --junit and --json arguments."""
    words = check_command(repo)
    return [words[words.index(option) + 1] for option in ("--junit", "--json")]


def test_a_new_gitignore_lists_the_workflow_s_result_files(tmp_path):
    run = ci_init(tmp_path)
    assert run.returncode == 0, run.stderr
    files = result_files(tmp_path)
    assert files == ["grader-junit.xml", "grader-results.json"]
    lines = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert all(name in lines for name in files)
    assert f"wrote grader-junit.xml and grader-results.json to {tmp_path / '.gitignore'}" in run.stdout


def test_an_existing_gitignore_is_appended_to_once(tmp_path):
    gitignore = tmp_path / ".gitignore"
    gitignore.write_bytes(b"__pycache__/\r\n/grader-junit.xml\r\n*.pyc")  # no newline at its end
    run = ci_init(tmp_path)
    assert run.returncode == 0, run.stderr
    text = gitignore.read_bytes()
    assert text.startswith(b"__pycache__/\r\n/grader-junit.xml\r\n*.pyc\r\n")  # the student's lines kept
    assert text.endswith(b"\r\ngrader-results.json\r\n") and text.count(b"grader-junit.xml") == 1
    assert f"added grader-results.json to {gitignore}" in run.stdout
    again = ci_init(tmp_path, "--force")
    assert again.returncode == 0, again.stderr
    assert gitignore.read_bytes() == text and ".gitignore" not in again.stdout


def test_nothing_is_added_when_the_workflow_is_not_written(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "grader.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("# my own workflow\n", encoding="utf-8")
    run = ci_init(tmp_path)
    assert run.returncode == 2 and "--force" in run.stderr
    assert not (tmp_path / ".gitignore").exists()
    (tmp_path / ".gitignore").mkdir()
    run = ci_init(tmp_path, "--force")
    assert run.returncode == 2 and ".gitignore is not a file" in run.stderr
    assert workflow.read_text(encoding="utf-8") == "# my own workflow\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_running_the_workflow_s_check_locally_leaves_nothing_to_commit(tmp_path):
    repo = tmp_path / "repo"
    assert grader("handout", ROOT / "problems" / "foundations.yaml", "--out", repo).returncode == 0
    assert ci_init(repo).returncode == 0
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    args = [word for word in check_command(repo)[1:] if word != '"$GITHUB_STEP_SUMMARY"' and word != "--markdown"]
    grader(*args, cwd=repo)
    assert all((repo / name).exists() for name in result_files(repo))
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"], capture_output=True,
                            text=True, check=True).stdout
    assert "grader-" not in status, status
