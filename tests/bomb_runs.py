"""Running `grader equiv` and `grader check` on answers that once hung the grader.

Shared by the tests of matrix and parse-time bombs.  Every command runs in a
subprocess with a ``timeout``: a hang fails the test; no test measures time.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 60  # seconds before a command counts as hung; each takes a few at most


def equiv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "equiv", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=LIMIT)


def refused(run: subprocess.CompletedProcess, message: str) -> bool:
    return run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def check(tmp_path: Path, value: str) -> dict:
    """`grader check` of a q2.md answering Q2.1a with ``value``: Q2.1a's entry of results.json."""
    return check_document(tmp_path, f"## Q2.1a\n\n$\\dot\\sigma_{{approx}}(\\varepsilon) = {value}$\n")["Q2.1a"]


def check_document(tmp_path: Path, document: str) -> dict:
    """`grader check` of a q2.md holding ``document``: results.json's entries by part label."""
    submission = tmp_path / "q2.md"
    submission.write_text(document, encoding="utf-8")
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml", str(submission),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=LIMIT)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return {t["number"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}
