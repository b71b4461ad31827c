"""Feedback on a beginner's habits, through the real ``grader check``: a function that prints its
result instead of returning it hears what it printed (on public cases only: hidden cases' output is
never shown)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"


def check(tmp_path: Path, code: str, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    (tmp_path / "foundations.py").write_text(code, encoding="utf-8")
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(FOUNDATIONS), str(tmp_path / "foundations.py"),
                          "--json", str(out), *options], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    return run, {t["number"]: t for t in json.loads(out.read_text())["tests"]}


def test_a_function_that_prints_instead_of_returning_hears_what_it_printed(tmp_path):
    run, tests = check(tmp_path, "import numpy as np\n\ndef dot(u, v):\n    print('dot is', float(np.dot(u, v)))\n")
    assert "It printed “dot is 32.0”: print only shows a value; return it." in tests["A2"]["output"]
    assert "It printed" in run.stdout


def test_a_function_returning_none_without_printing_gets_no_such_words(tmp_path):
    _, tests = check(tmp_path, "def dot(u, v):\n    total = sum(a * b for a, b in zip(u, v))\n")
    assert "without `return`" in tests["A2"]["output"]
    assert "printed" not in tests["A2"]["output"]


def test_what_hidden_cases_print_is_never_shown(tmp_path):
    graded = tmp_path / "graded"
    graded.mkdir()
    code = "import numpy as np\n\ndef dot(u, v):\n    print('HIDDEN-MARK', list(u))\n"
    (graded / "foundations.py").write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(FOUNDATIONS), "--submissions", str(graded),
                          "--out", str(tmp_path / "out"), "--jobs", "1"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode in (0, 1), run.stderr
    results = json.loads((tmp_path / "out" / "foundations" / "results.json").read_text())
    a2 = next(t for t in results["tests"] if t["number"] == "A2")["output"]
    assert "It printed “HIDDEN-MARK [" in a2  # the public case's own output
    assert a2.count("HIDDEN-MARK") == 1, a2  # the hidden cases' is not shown
