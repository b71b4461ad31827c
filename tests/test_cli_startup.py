"""The command line loads only what a command needs.

SymPy, SciPy and the checkers take a second or more to import; ``grader
check`` warms its sandbox up during that time, which it can only do if
reading the command line has not imported them already.  ``grader --help``
and a mistyped option answer at once for the same reason.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sympy", "scipy", "grader.spec", "grader.grading", "grader.checkers", "jinja2")


def modules_loaded_by(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_reading_the_command_line_loads_no_heavy_module():
    assert modules_loaded_by("import grader.cli\n"
                             "grader.cli.build_parser().parse_args(['check', 'problems', 'submission'])") == []


@pytest.mark.parametrize("command", [["equiv", "1/2", "0.5"], ["publish", "--help"], ["handout", "--help"]])
def test_commands_whose_options_live_in_the_cli_still_run(command, tmp_path):
    run = subprocess.run([sys.executable, "-m", "grader", *command], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()


def test_a_spec_error_is_reported_without_a_traceback(tmp_path):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "broken.yaml").write_text("id: broken\ntitle: Broken\nparts: 3\n", encoding="utf-8")
    (tmp_path / "answers.yaml").write_text("A1: 1\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "check", "answers.yaml"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "broken.yaml" in run.stderr and "Traceback" not in run.stderr
