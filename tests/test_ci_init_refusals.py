"""`grader ci-init` refuses what the CI job could not use, and the job page says why when
`grader check` stops before checking anything (exit 2).

Each test runs `python -m grader ci-init` into a git repository, reads the workflow it wrote
as YAML, and where it matters runs the check step's own shell script with bash."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.ci import requirement_from_direct_url
from test_ci_init_args import SPEC  # a function with a public case (2 points), a written answer (3)

ROOT = Path(__file__).resolve().parents[1]
INSTALL = "grader @ git+https://example.org/course/grader@v1"
WORKFLOW = Path(".github") / "workflows" / "grader.yml"
GOOD = "e.g. --install 'grader @ git+https://github.com/COURSE/grader@v1'"

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty git repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def steps(repo: Path) -> list[dict]:
    return yaml.safe_load((repo / WORKFLOW).read_text(encoding="utf-8"))["jobs"]["check"]["steps"]


def run_check_step(repo: Path, summary: Path) -> subprocess.CompletedProcess:
    """The workflow's check step, run as GitHub runs a `shell: bash` step, with this Python's
    `grader` first on the PATH (as pip installs it in CI)."""
    step = next(step for step in steps(repo) if "grader check" in step.get("run", ""))
    assert step["shell"] == "bash"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=600)


# ------------------------------------------------------------------ --install

@pytest.mark.parametrize("install, says", [
    ("grader", "would have pip install 'grader' from PyPI, which is a different project"),
    ("grader>=0.1", "would have pip install 'grader' from PyPI, which is a different project"),
    ("not a req !!", "is not a pip requirement"),
    ("grader @ git+URL", "names 'git+URL' as where to get it, which is not a web address"),
    ("-e git+https://example.org/course/grader#egg=grader", "is a pip option, not a requirement"),
    ("grader @ file:///home/me/grader",
     "names 'file:///home/me/grader', a place on this machine, which a CI machine does not have"),
])
def test_an_install_ci_cannot_use_is_refused_with_what_to_give(repo, install, says):
    run = grader("ci-init", "--dir", repo, "--install", install)
    assert run.returncode == 2, run.stdout
    assert f"--install {install!r} {says}" in run.stderr and GOOD in run.stderr
    assert "Traceback" not in run.stderr
    assert not (repo / WORKFLOW).exists()


@pytest.mark.parametrize("install", [INSTALL, "git+https://example.org/course/grader@v1",
                                     "grader @ https://example.org/grader-1.0.tar.gz"])
def test_an_install_ci_can_reach_is_written(repo, install):
    run = grader("ci-init", "--dir", repo, "--install", install)
    assert run.returncode == 0, run.stderr
    assert any(step.get("run") == f'python -m pip install "{install}"' for step in steps(repo))
    assert "SSH" not in run.stdout


def test_an_ssh_install_is_written_with_a_note_that_ci_has_no_key(repo):
    install = "grader @ git+ssh://git@github.com/course/grader@v1"
    run = grader("ci-init", "--dir", repo, "--install", install)
    assert run.returncode == 0, run.stderr
    assert f"note: the workflow installs {install} over SSH, but a CI machine has no SSH key" in run.stdout
    assert any(step.get("run") == f'python -m pip install "{install}"' for step in steps(repo))


@pytest.mark.parametrize("record, requirement", [
    ('{"url": "https://github.com/course/tools", "subdirectory": "grader", '
     '"vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
     "grader @ git+https://github.com/course/tools@abc123#subdirectory=grader"),
    ('{"url": "https://example.org/tools.tar.gz", "subdirectory": "grader", "archive_info": {}}',
     "grader @ https://example.org/tools.tar.gz#subdirectory=grader"),
])
def test_the_default_install_keeps_the_folder_the_grader_is_in(record, requirement):
    assert requirement_from_direct_url(record) == requirement


# ------------------------------------------------------------------ --problems and --submission

@pytest.mark.parametrize("option", ["--problems", "--submission"])
def test_a_path_outside_the_repository_is_refused(repo, tmp_path, option):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for given in (str(elsewhere), "../elsewhere", "a/../../elsewhere"):
        run = grader("ci-init", "--dir", repo, "--install", INSTALL, option, given)
        assert run.returncode == 2, run.stdout
        assert f"{option} {given} is outside the repository {repo}" in run.stderr
        assert "Give a path inside the repository, relative to it" in run.stderr
        assert not (repo / WORKFLOW).exists()


def test_an_absolute_path_inside_the_repository_is_refused_with_the_relative_one(repo):
    run = grader("ci-init", "--dir", repo, "--install", INSTALL, "--problems", repo / "course" / "problems")
    assert run.returncode == 2, run.stdout
    assert (f"--problems {repo / 'course' / 'problems'} is an absolute path on this machine" in run.stderr
            and "Give it relative to the repository: --problems course/problems" in run.stderr)
    assert not (repo / WORKFLOW).exists()


def test_a_flat_repository_is_checked_with_submission_dot(tmp_path):
    """The student's files at the repository's top, beside problems/: `--submission .`."""
    repo = tmp_path / "repo"
    assert grader("handout", ROOT / "problems" / "foundations.yaml", "--out", repo).returncode == 0
    for path in (repo / "submission").iterdir():
        path.rename(repo / path.name)
    (repo / "submission").rmdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    run = grader("ci-init", "--dir", repo, "--install", INSTALL, "--submission", ".")
    assert run.returncode == 0, run.stderr
    assert "not exist" not in run.stdout
    summary = tmp_path / "summary.md"
    check = run_check_step(repo, summary)
    assert check.returncode == 0, check.stderr
    assert "public checks" in summary.read_text(encoding="utf-8")
    assert (repo / "grader-junit.xml").exists() and (repo / "grader-results.json").exists()


# ------------------------------------------------------------------ the workflow

def test_the_workflow_uses_actions_that_run_on_node_24(repo):
    assert grader("ci-init", "--dir", repo, "--install", INSTALL).returncode == 0
    assert [step["uses"] for step in steps(repo) if "uses" in step] == [
        "actions/checkout@v5", "actions/setup-python@v6", "actions/upload-artifact@v6"]


def test_the_job_page_says_why_nothing_was_checked_when_both_folders_are_missing(repo, tmp_path):
    run = grader("ci-init", "--dir", repo, "--install", INSTALL)
    assert run.returncode == 0, run.stderr
    assert (f"note: {repo / 'problems'} (the published specs) and {repo / 'submission'} (the submission) do not "
            "exist yet: the workflow's check stops with exit 2, saying so on the job page") in run.stdout
    summary = tmp_path / "summary.md"
    check = run_check_step(repo, summary)
    assert check.returncode == 2
    text = summary.read_text(encoding="utf-8")
    assert "grader check stopped before checking anything (exit 2)" in text
    assert "- The published specs, `problems`, are not in the repository: commit them." in text
    assert "- The submission, `submission`, is not in the repository: commit it." in text
    assert "the submission submission does not exist" in text  # grader check's own words
    assert "the submission submission does not exist" in check.stderr  # and in the log, as before


def test_the_job_page_quotes_grader_check_for_a_path_with_shell_characters(repo, tmp_path):
    """The reason reaches the job page for any path: quoted for the shell, never run."""
    assert grader("publish", ROOT / "problems" / "foundations.yaml", "--out", repo / "problems").returncode == 0
    odd = "it's $HOME `id`"
    run = grader("ci-init", "--dir", repo, "--install", INSTALL, "--submission", odd)
    assert run.returncode == 0, run.stderr
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    check = run_check_step(repo, summary)
    assert check.returncode == 2
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")  # appended to
    assert f"- The submission, `{odd}`, is not in the repository: commit it." in text
    assert "published specs" not in text
    assert f"the submission {odd} does not exist" in text


# ------------------------------------------------------------------ --fail-under

def test_a_threshold_just_above_the_points_never_prints_equal_to_them(repo, tmp_path):
    spec = tmp_path / "small.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert grader("publish", spec, "--out", repo / "problems").returncode == 0
    over_total = grader("ci-init", "--dir", repo, "--install", INSTALL, "--fail-under", "5.0000001")
    assert over_total.returncode == 2
    assert "--fail-under 5.0000001 is more than the 5 points the specs in" in over_total.stderr
    over_public = grader("ci-init", "--dir", repo, "--install", INSTALL, "--fail-under", "2.0000001")
    assert over_public.returncode == 0, over_public.stderr
    assert "--fail-under 2.0000001 is more than the 2 of 5 points the public checks can award" in over_public.stdout
    assert "--fail-under 2.0000001 2>" in (repo / WORKFLOW).read_text(encoding="utf-8")
