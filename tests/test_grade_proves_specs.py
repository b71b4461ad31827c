"""`grader grade` proves each spec as `grader validate` does, once per version of the spec, and
warns (naming file and line) when a reference fails its own checker; grading still goes on."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.gradebook import Gradebook

ROOT = Path(__file__).resolve().parents[1]

UNSEEDED = textwrap.dedent("""\
    id: unseeded
    title: Unseeded randomness
    parts:
      - label: P1
        title: noise
        points: 1
        code:
          function: noise
          kind: array
          solution: |
            def noise(n):
                return np.random.default_rng().normal(size=n)
          cases:
            - {name: three, public: true, args: [3]}
      - label: P2
        title: a number
        points: 1
        kind: number
        reference: "sympy.Rational(1, 4)"
    """)


def grade(spec: Path, submissions: Path, out: Path, executor: str = "thread") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(spec), "--submissions", str(submissions),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GRADER_EXECUTOR": executor})


def make_class(tmp_path: Path) -> Path:
    student = tmp_path / "class" / "ada"
    student.mkdir(parents=True)
    (student / "noise.py").write_text("import numpy as np\n\ndef noise(n):\n    return np.zeros(n)\n")
    (student / "answers.yaml").write_text("P2: '1/4'\n")
    return tmp_path / "class"


@pytest.mark.parametrize("executor", ["thread", "process"])  # beside the grading, or before it
def test_unsound_spec_is_reported_on_every_run_and_grading_goes_on(tmp_path, executor):
    spec = tmp_path / "unseeded.yaml"
    spec.write_text(UNSEEDED, encoding="utf-8")
    submissions, out = make_class(tmp_path), tmp_path / "out"
    for _ in range(2):  # not proved, so the next run says it again
        run = grade(spec, submissions, out, executor)
        assert run.returncode == 0, run.stderr
        assert f"warning: {spec}, line 4: part P1: the reference earns 0 of 1 points" in run.stderr
        assert "fix what `grader validate` reports" in run.stderr
        assert "Traceback" not in run.stderr
        assert (out / "ada" / "results.json").exists()
    with Gradebook.in_folder(out) as gradebook:
        assert not gradebook.proved_specs()


QUARTER = textwrap.dedent("""\
    id: quarter
    title: A quarter
    parts:
      - label: P2
        title: a number
        points: 1
        kind: number
        reference: "sympy.Rational(1, 4)"
    """)


def test_sound_spec_is_proved_once_per_version(tmp_path):
    spec = tmp_path / "quarter.yaml"
    spec.write_text(QUARTER, encoding="utf-8")
    submissions, out = make_class(tmp_path), tmp_path / "out"
    run = grade(spec, submissions, out)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr
    with Gradebook.in_folder(out) as gradebook:
        proved = gradebook.proved_specs()
    assert len(proved) == 1 and next(iter(proved)).startswith("quarter:")

    # A changed spec is a new version, proved again: this one lists the right answer as a mistake.
    spec.write_text(QUARTER + "    mistakes:\n      - value: sympy.Rational(2, 8)\n"
                              "        feedback: Not a quarter.\n", encoding="utf-8")
    run = grade(spec, submissions, out)
    assert run.returncode == 0, run.stderr
    assert f"warning: {spec}, line 10: part P2: mistake" in run.stderr
    assert "is accepted as correct" in run.stderr
    with Gradebook.in_folder(out) as gradebook:
        assert gradebook.proved_specs() == proved  # the old version's proof only
