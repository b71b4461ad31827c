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
    assert f"--fail-under {written}\n" in workflow


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
