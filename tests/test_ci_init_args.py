"""`grader ci-init --fail-under`: a number of points, finite and not negative,
written into the workflow as typed; anything else exits 2 with a message."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main

INSTALL = "grader @ git+https://example.org/course/grader@v1"
WORKFLOW = Path(".github") / "workflows" / "grader.yml"


def ci_init(repo: Path, fail_under: str) -> int:
    """The exit status of `grader ci-init` (argparse exits on a bad argument)."""
    try:
        return main(["ci-init", "--dir", str(repo), f"--fail-under={fail_under}", "--install", INSTALL])
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize("value, says", [
    ("nan", "0 or more, got 'nan'"),  # no score is under nan: the job would never fail
    ("NaN", "0 or more, got 'NaN'"),
    ("inf", "0 or more, got 'inf'"),  # every score is under inf: the job would always fail
    ("-inf", "0 or more, got '-inf'"),
    ("1e400", "0 or more, got '1e400'"),  # too large for a float: inf
    ("-1", "0 or more, got '-1'"),
    ("abc", "'abc' is not a number of points"),
    ("", "'' is not a number of points"),
])
def test_a_threshold_that_is_not_a_number_of_points_is_refused(tmp_path, capsys, value, says):
    assert ci_init(tmp_path, value) == 2
    err = capsys.readouterr().err
    assert "argument --fail-under:" in err and says in err
    assert "Traceback" not in err
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize("value, written", [
    ("0", "0"), ("-0", "0"), ("12.5", "12.5"),
    ("101", "101"),  # points, not a percentage: a problem set may be worth more than 100
    ("1234567", "1234567"), ("0.1", "0.1"),
])
def test_a_threshold_in_points_is_written_as_typed(tmp_path, value, written):
    assert ci_init(tmp_path, value) == 0
    workflow = (tmp_path / WORKFLOW).read_text(encoding="utf-8")
    assert f"--fail-under {written} 2>" in workflow


def test_the_command_exits_2_for_nan(tmp_path):
    run = subprocess.run([sys.executable, "-m", "grader", "ci-init", "--dir", str(tmp_path), "--fail-under", "nan",
                          "--install", INSTALL], capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert "grader ci-init: error: argument --fail-under: must be a number of points, 0 or more, got 'nan'" \
        in run.stderr
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize("command", [
    ["check", "problems/q2-activations.yaml", "submissions/alice/q2.md"],
    ["grade", "problems/q2-activations.yaml", "--submissions", "submissions"],
])
@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_check_and_grade_refuse_the_same_thresholds(tmp_path, capsys, command, value):
    # The thresholds ci-init writes are the ones check and grade take: nan would let every run pass.
    root = Path(__file__).resolve().parents[1]
    with pytest.raises(SystemExit) as exited:
        main([*command[:1], *(str(root / a) if "/" in a or a == "submissions" else a for a in command[1:]),
              "--out" if command[0] == "grade" else "--json", str(tmp_path / "out"), f"--fail-under={value}"])
    assert exited.value.code == 2
    assert "argument --fail-under:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# Two parts: a function with a public case (2 points), and a written answer (3 points)
# that the public checks of a published spec cannot judge.
SPEC = """\
id: small
title: "Small set"
parts:
  - label: A
    title: "Double"
    points: 2
    code:
      function: double
      kind: number
      solution: |
        def double(x):
            return 2 * x
      cases:
        - {name: "x = 1", public: true, args: [1]}
        - {name: "x = 5", args: [5]}
  - label: B
    title: "One half"
    points: 3
    kind: number
    reference: "Rational(1, 2)"
"""


@pytest.fixture
def repo(tmp_path, capsys) -> Path:
    """A submission repository with the published spec in problems/."""
    spec = tmp_path / "small.yaml"
    spec.write_text(SPEC)
    repo = tmp_path / "repo"
    assert main(["publish", str(spec), "--out", str(repo / "problems")]) == 0
    capsys.readouterr()
    return repo


def test_a_threshold_above_every_point_is_refused(repo, capsys):
    assert ci_init(repo, "5.5") == 2
    err = capsys.readouterr().err
    assert "--fail-under 5.5 is more than the 5 points the specs in" in err and "fail for every submission" in err
    assert not (repo / WORKFLOW).exists()


def test_a_threshold_above_what_the_public_checks_award_is_written_with_a_note(repo, capsys):
    assert ci_init(repo, "4") == 0
    out = capsys.readouterr().out
    assert "--fail-under 4 is more than the 2 of 5 points the public checks can award" in out
    assert "fails even for a perfect submission; 2 or less lets it pass" in out
    assert "--fail-under 4 2>" in (repo / WORKFLOW).read_text(encoding="utf-8")
    (repo / WORKFLOW).unlink()
    assert ci_init(repo, "2") == 0
    assert "public checks can award" not in capsys.readouterr().out


def test_check_says_what_the_public_checks_can_award_when_it_fails(repo, tmp_path, capsys):
    perfect = tmp_path / "perfect"
    perfect.mkdir()
    (perfect / "small.py").write_text("def double(x):\n    return 2 * x\n")
    (perfect / "answers.yaml").write_text("B: 1/2\n")
    assert main(["check", str(repo / "problems"), str(perfect), "--fail-under", "2"]) == 0
    capsys.readouterr()
    assert main(["check", str(repo / "problems"), str(perfect), "--fail-under", "3"]) == 1
    assert ("score 2 is under --fail-under 3; the public checks can award at most 2 of the 5 points (written "
            "answers and hidden cases count only at grading)") in capsys.readouterr().err
