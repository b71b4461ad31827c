"""`grader grade --withhold`, for results students see while they may still resubmit: a hidden case
that fails says only "Failed.".  Otherwise which exception it raised, or which hint it got, is a few
bits per case a resubmission chooses, and the module's state carries the inputs of earlier calls, so
a file could spell hidden inputs out in its feedback (one chosen exception per hidden case)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "problems" / "foundations.yaml"

# l1_norm raises an exception named by the call's position: a channel the feedback must not carry.
SIGNALLING = (ROOT / "submissions" / "alice" / "foundations.py").read_text(encoding="utf-8") + '''

_calls = []


def l1_norm(x):
    _calls.append(len(x))
    raise (LookupError if len(_calls) % 2 else ArithmeticError)("no")
'''


def grade(tmp_path: Path, *flags: str) -> tuple[dict, str]:
    """One student graded; their A3 test and everything the student is given, as text."""
    (tmp_path / "subs" / "eve").mkdir(parents=True, exist_ok=True)
    (tmp_path / "subs" / "eve" / "foundations.py").write_text(SIGNALLING, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade", str(SPEC), "--submissions", str(tmp_path / "subs"), "--out", str(out), "--jobs", "1",
                 "--no-progress", "--junit", str(tmp_path / "junit.xml"), *flags]) == 0
    results = json.loads((out / "eve" / "results.json").read_text(encoding="utf-8"))
    a3 = next(t for t in results["tests"] if t["number"] == "A3")
    given = "\n".join(path.read_text(encoding="utf-8") for path in
                      (out / "eve" / "results.json", out / "eve" / "report.html", tmp_path / "junit.xml"))
    return a3, given


def hidden_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"✗ hidden case \d+:", line)]


def test_withheld_hidden_failures_say_only_failed(tmp_path):
    a3, given = grade(tmp_path, "--withhold")
    lines = hidden_lines(a3["output"])
    assert lines and all(line.endswith(": Failed.") for line in lines), a3["output"]
    assert a3["score"] == 0
    # The public case is the handout's: its exception is still named.
    assert "Raised LookupError" in a3["output"] or "Raised ArithmeticError" in a3["output"]
    hidden_text = "\n".join(lines)
    assert "LookupError" not in hidden_text and "ArithmeticError" not in hidden_text
    # Nothing of any hidden case's kind of failure, or of which ones expect an exception (A1's pass
    # with "Raised ValueError as required"), reaches the report or the JUnit file either.
    assert not re.search(r"hidden case \d+: Raised", given)
    assert "hidden case 4: Passed." in given


def test_the_former_flag_name_withholds_the_same(tmp_path):
    a3, _ = grade(tmp_path, "--withhold-rubric")
    assert all(line.endswith(": Failed.") for line in hidden_lines(a3["output"]))


def test_without_withhold_the_kind_of_failure_is_named(tmp_path):
    a3, _ = grade(tmp_path)
    lines = hidden_lines(a3["output"])
    assert lines and all(re.search(r": Raised (LookupError|ArithmeticError)\.$", line) for line in lines)
