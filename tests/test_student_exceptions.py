"""What a student's exception looks like in the feedback, through the real ``grader check``.

A bare ``raise ValueError`` has no message: the feedback says so in words, never
"Raised ValueError: " with nothing after the colon."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"

CODE = '''\
import numpy as np


def matmul(A, B):
    raise ValueError                      # a bare raise: no message, on every case


def inverse(M):
    M = np.asarray(M, dtype=float)
    if np.linalg.matrix_rank(M) < len(M):
        raise TypeError()                 # the wrong exception, and no message either
    return np.linalg.inv(M)
'''


def public_cases(tmp_path: Path) -> dict[str, str]:
    """``grader check foundations.yaml foundations.py --json``: each public case's feedback, by part and case."""
    (tmp_path / "foundations.py").write_text(CODE, encoding="utf-8")
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(FOUNDATIONS), str(tmp_path / "foundations.py"),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    feedback = {}
    for test in json.loads(out.read_text())["tests"]:
        for line in test["output"].splitlines():
            feedback[f"{test['number']} {line.split(':', 1)[0]}"] = line
    return feedback


def test_an_exception_without_a_message_is_said_in_words(tmp_path):
    feedback = public_cases(tmp_path)
    raised = next(line for key, line in feedback.items() if key.startswith("A1") and "2×2 example" in line)
    assert "Raised ValueError (with no message)" in raised
    wrong_kind = next(line for key, line in feedback.items() if key.startswith("A6") and "singular 2×2" in line)
    assert "Expected ValueError to be raised, but got TypeError (with no message)" in wrong_kind
    assert not any(line.rstrip().endswith((":", ": .")) or ": ;" in line or ":  " in line
                   for line in feedback.values()), feedback
