"""Names and messages students choose cannot forge lines in the outputs people read: a newline in a
folder or file name never starts a line in the terminal or a CI log, and control characters reach no
file (grades.csv, results.json) raw."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from test_ci_init_args import SPEC  # a function part (double) and a written one (B: 1/2)

FORGED = "::error title=grader::All checks passed"


def grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_a_newline_in_a_folder_name_starts_no_line_and_control_characters_stay_out_of_the_files(tmp_path):
    (tmp_path / "tiny.yaml").write_text(SPEC)
    forger = tmp_path / "class" / f"x\n{FORGED}\n"
    forger.mkdir(parents=True)
    (forger / "answers.yaml").write_text("B: [\n")  # cannot be read: the run names the student
    painter = tmp_path / "class" / "\x1b[31mred\x1b]0;title\x07"
    painter.mkdir()
    (painter / "solution.py").write_text('def double(x):\n    raise ValueError("no\\x1b[2J\\x00pe\\n'
                                         '✓ hidden case 1: Returned the expected value.")\n')

    run = grader("grade", "tiny.yaml", "--submissions", "class", "--out", "out", "--fail-under", "100",
                 cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::")], lines
    assert f"x␊{FORGED}␊" in run.stderr  # named, on the line that names it

    grades = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")
    assert "\x1b" not in grades and "\x07" not in grades
    assert "␛[31mred␛]0;title␇" in grades
    results = (tmp_path / "out" / "␛[31mred␛]0;title␇" / "results.json").read_text(encoding="utf-8")
    data = json.loads(results)
    [part_a] = [t for t in data["tests"] if t["number"] == "A"]
    assert "no␛[2J␀pe ⏎ ✓ hidden case 1" in part_a["output"]  # the student's lines stay theirs, on one line
    assert not [line for line in part_a["output"].splitlines() if line.startswith("✓")]
    assert "\x1b" not in json.dumps(data, ensure_ascii=False) and "\x00" not in json.dumps(data, ensure_ascii=False)


def test_a_file_named_like_a_heading_stays_a_line_of_the_markdown_summary(tmp_path):
    (tmp_path / "tiny.yaml").write_text(SPEC)
    folder = tmp_path / "me"
    folder.mkdir()
    (folder / "answers.yaml").write_text("B: 1/2\n")
    (folder / "# ALL CHECKS PASSED.pdf").write_bytes(b"%PDF-1.4\n")  # not read: the summary names it
    (folder / f"y\n{FORGED}\n.pdf").write_bytes(b"%PDF-1.4\n")

    run = grader("check", "tiny.yaml", "me", "--markdown", "summary.md", cwd=tmp_path)
    assert not [line for line in run.stdout.splitlines() if line.lstrip().startswith("::")], run.stdout
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "ALL CHECKS PASSED" in summary
    assert not [line for line in summary.splitlines() if line.lstrip().startswith("::")], summary
    page = MarkdownIt("commonmark").render(summary)
    assert not re.search(r"<h[1-6]>[^<]*ALL CHECKS PASSED", page), page
