"""`grader ci-init`: the workflow it writes, its refusal to overwrite, and the `--markdown` summary it relies on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.ci import requirement_from_direct_url

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parents[1] / "submissions"  # the sample class: alice is right, bob follows the tutorial


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_writes_a_workflow_that_checks_summarises_uploads_and_fails_under(tmp_path):
    run = grader("ci-init", "--dir", tmp_path, "--fail-under", "30", "--install", "git+https://example.org/grader")
    assert run.returncode == 0, run.stderr
    workflow = tmp_path / ".github" / "workflows" / "grader.yml"
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert set(data[True]) >= {"push", "pull_request"}  # YAML 1.1 reads the key `on` as true
    steps = data["jobs"]["check"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install "git+https://example.org/grader"' in runs
    check = next(step["run"] for step in steps if "grader check" in step.get("run", ""))
    assert "\ngrader check problems submission " in check
    assert '--markdown "$GITHUB_STEP_SUMMARY"' in check and "--fail-under 30" in check
    assert "--junit grader-junit.xml" in check
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and "grader-junit.xml" in upload["with"]["path"]
    assert "@" not in "".join(line for line in workflow.read_text().splitlines() if "@" in line and "uses:" not in line
                              and "example.org" not in line)  # every placeholder filled
    # The repository has neither folder yet: said, not fatal.
    assert "do not exist yet" in run.stdout


INSTALL = "grader @ git+https://example.org/course/grader@v1"


def test_a_local_install_needs_to_be_told_where_ci_gets_the_grader(tmp_path):
    """The tests run from a local (editable) install, which a CI machine cannot reach."""
    run = grader("ci-init", "--dir", tmp_path)
    assert run.returncode == 2
    assert "--install" in run.stderr and "different project" in run.stderr
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize("record, requirement", [
    ('{"url": "https://github.com/course/grader", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
     "grader @ git+https://github.com/course/grader@abc123"),
    ('{"url": "https://example.org/grader-1.0.tar.gz", "archive_info": {}}', "grader @ https://example.org/grader-1.0.tar.gz"),
    ('{"url": "file:///home/me/grader", "dir_info": {"editable": true}}', None),
    ('{"url": "file:///tmp/grader-1.0-py3-none-any.whl", "archive_info": {}}', None),
    ("not json", None),
    (None, None),
])
def test_the_default_install_is_where_this_grader_came_from_if_ci_can_reach_it(record, requirement):
    assert requirement_from_direct_url(record) == requirement


def test_the_install_requirement_reaches_pip_exactly_as_given(tmp_path):
    """Quotes, dollars, backquotes, backslashes and spaces: the workflow's shell gives pip the one argument."""
    install = 'grader @ git+https://example.org/g@v1$TAG`id`\\it\'s ; platform_version != "$TAG"'
    assert grader("ci-init", "--dir", tmp_path, "--install", install).returncode == 0
    steps = yaml.safe_load((tmp_path / ".github" / "workflows" / "grader.yml").read_text())["jobs"]["check"]["steps"]
    command = next(step["run"] for step in steps if "pip install" in step.get("run", ""))
    echoed = subprocess.run(["bash", "-c", command.replace("python -m pip install", "printf '%s\\n'")],
                            capture_output=True, text=True, check=True, env={"TAG": "oops"})
    assert echoed.stdout == install + "\n"


@pytest.mark.parametrize("install, says", [
    ('grader @ https://example.org/g.tar.gz ; platform_version != "a #b"', "cannot be written into the workflow"),
    ('grader @ https://example.org/g.tar.gz ; platform_version != "a: b"', "cannot be written into the workflow"),
    ("grader\nrm -rf ~", "must be one pip requirement on one line"),
])
def test_an_install_the_workflow_cannot_hold_is_refused(tmp_path, install, says):
    run = grader("ci-init", "--dir", tmp_path, "--install", install)
    assert run.returncode == 2 and says in run.stderr
    assert not (tmp_path / ".github").exists()


def test_refuses_to_overwrite_without_force(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "grader.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("# my own workflow\n", encoding="utf-8")
    run = grader("ci-init", "--dir", tmp_path)
    assert run.returncode == 2 and "already exists; pass --force" in run.stderr
    assert workflow.read_text() == "# my own workflow\n"
    run = grader("ci-init", "--dir", tmp_path, "--force", "--fail-under", "12.5", "--install", INSTALL)
    assert run.returncode == 0
    assert "--fail-under 12.5" in workflow.read_text()


def test_bad_repository_is_a_usage_error(tmp_path):
    run = grader("ci-init", "--dir", tmp_path / "missing")
    assert run.returncode == 2 and "is not a folder" in run.stderr


def test_the_workflow_command_runs_as_written(tmp_path):
    """Run the workflow's own check step in a handout repository, as the CI job would."""
    repo = tmp_path / "repo"
    assert grader("handout", ROOT / "problems" / "foundations.yaml", "--out", repo).returncode == 0
    assert grader("ci-init", "--dir", repo, "--fail-under", "40", "--install", INSTALL).returncode == 0
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "grader.yml").read_text())
    script = next(s["run"] for s in workflow["jobs"]["check"]["steps"] if "grader check" in s.get("run", ""))
    summary = tmp_path / "step-summary.md"
    summary.write_text("previous step's summary\n", encoding="utf-8")
    # The step's shell, with this Python's `grader` first on the PATH, as pip installs it in CI.
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}

    def step() -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=600)

    starter = step()  # the unfilled starter: under the threshold
    assert starter.returncode == 1 and "under --fail-under 40" in starter.stderr
    (repo / "submission" / "foundations.py").write_bytes((SAMPLES / "alice" / "foundations.py").read_bytes())
    done = step()
    assert done.returncode == 0, done.stdout + done.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("previous step's summary\n")  # appended, never replaced
    assert "| A1 | 2 / 2 | correct |" in text
    assert "public checks passed — " in text and "hidden checks will run at grading" in text
    assert (repo / "grader-junit.xml").exists()
