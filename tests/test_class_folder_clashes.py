"""Entries of a class folder that cannot be graded side by side are all named in one run,
so an instructor mends the folder in one pass, not one clash per run."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "q2-activations.yaml"
ANSWER = ROOT / "submissions" / "alice" / "q2.md"


def test_every_clash_is_named_at_once_and_nothing_is_graded(tmp_path):
    subs = tmp_path / "class"
    for name in ("Dave", "dave", "Eve", "eve", "Index.html", "zoe"):
        (subs / name).mkdir(parents=True)
        shutil.copy(ANSWER, subs / name / "q2.md")
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(SPEC), "--submissions", str(subs),
                          "--out", str(tmp_path / "out"), "--no-progress"], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 2
    assert f"3 entries of {subs} clash with others (nothing was graded):" in run.stderr, run.stderr
    assert "students 'Dave' and 'dave'" in run.stderr and "students 'Eve' and 'eve'" in run.stderr
    assert "would take the place of the class's own index.html" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "gradebook.sqlite").exists()
