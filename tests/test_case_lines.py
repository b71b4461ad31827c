"""Each failing public case says why it failed, also when a known mistake explains the part; hidden cases
that match a known mistake say no more than the mistake's feedback."""
from __future__ import annotations

import json
from pathlib import Path

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"

TUTORIAL_MISTAKES = '''
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))  # overflows for x = -1000


def matmul(A, B):
    return np.asarray(A) * np.asarray(B)  # element-wise, and no error for mismatched shapes
'''


def part_output(results: Path, label: str) -> str:
    tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    return next(t["output"] for t in tests if t["number"] == label)


def test_a_public_case_of_a_known_mistake_says_its_own_reason(tmp_path):
    path = tmp_path / "foundations.py"
    path.write_text(TUTORIAL_MISTAKES)
    main(["check", str(FOUNDATIONS), str(path), "--json", str(tmp_path / "check.json")])
    sigmoid, matmul = part_output(tmp_path / "check.json", "D1"), part_output(tmp_path / "check.json", "A1")
    assert "exp overflows for large |x|" in sigmoid  # the mistake, said for the part
    assert "✗ handout example (x = -1000 gives 0.0): The right values, but the call warned (RuntimeWarning: " \
           "overflow encountered in exp)" in sigmoid  # not only "Expected [0.]; got [0.]"
    assert "Hadamard" in matmul
    assert "✗ tutorial 2×3 and 2×3 (inner dimensions differ): Expected ValueError to be raised, but the " \
           "function returned a value." in matmul
    assert "✗ tutorial 2×2 example: Expected [[19., 22.], [43., 50.]]; got [[ 5, 12], [21, 32]]." in matmul


def test_hidden_cases_of_a_known_mistake_say_only_the_mistake(tmp_path):
    student = tmp_path / "class" / "s1"
    student.mkdir(parents=True)
    (student / "foundations.py").write_text(TUTORIAL_MISTAKES)
    assert main(["grade", str(FOUNDATIONS), "--submissions", str(tmp_path / "class"), "--out",
                 str(tmp_path / "out"), "--no-progress"]) == 0
    for label in ("A1", "D1"):
        hidden = [line for line in part_output(tmp_path / "out" / "s1" / "results.json", label).splitlines()
                  if line.startswith("✗ hidden case")]
        assert hidden
        assert not any("Expected" in line or "got" in line or "warned" in line for line in hidden), hidden
