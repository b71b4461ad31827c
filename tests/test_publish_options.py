"""`grader publish` writes each part's options as grading uses them: a student's self-check on the
published copy passes or fails a public case exactly where grading does."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]

# Set-wide defaults, and explicit options on a tuple, a number and an array code part (the tuple's rtol
# is also the kind's own default), beside a written number in mode sigfigs, which reads no rtol.
SPEC = textwrap.dedent("""\
    id: opts
    title: Options
    submission_files: [hw.py, answers.yaml]
    defaults: {rtol: 1.0e-6}
    parts:
      - label: P1
        title: A third
        points: 1
        prompt: "Give 1/3 to 3 significant figures."
        kind: number
        options: {mode: sigfigs, sigfigs: 3}
        reference: 1/3
      - label: P2
        title: mean_var
        points: 1
        code:
          function: mean_var
          kind: tuple
          options: {names: [mean, variance], rtol: 1.0e-6}
          solution: |
            def mean_var(s):
                s = np.asarray(s, dtype=float)
                return (float(s.mean()), float(s.var(ddof=1)))
          cases:
            - {name: "1..5", public: true, args: [[1.0, 2.0, 3.0, 4.0, 5.0]]}
      - label: P3
        title: half
        points: 1
        code:
          function: half
          kind: number
          options: {rtol: 1.0e-4}
          solution: |
            def half(x):
                return x / 2
          cases:
            - {name: "three", public: true, args: [3.0]}
      - label: P4
        title: doubled
        points: 1
        code:
          function: doubled
          kind: array
          options: {rtol: 1.0e-5, atol: 1.0e-8}
          solution: |
            def doubled(v):
                return 2 * np.asarray(v, dtype=float)
          cases:
            - {name: "three values", public: true, args: [[1.0, 2.0, 3.0]]}
    """)

# A student's functions, each off by `scale` times its part's rtol.
STUDENT = textwrap.dedent("""\
    import numpy as np

    def mean_var(s):
        s = np.asarray(s, dtype=float)
        return (float(s.mean()) * (1 + {scale} * 1e-6), float(s.var(ddof=1)))

    def half(x):
        return x / 2 * (1 + {scale} * 1e-4)

    def doubled(v):
        return 2 * np.asarray(v, dtype=float) * (1 + {scale} * 1e-5)
    """)


def grader(*args) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("options")
    spec = folder / "problems" / "opts.yaml"
    spec.parent.mkdir()
    spec.write_text(SPEC, encoding="utf-8")
    grader("publish", spec, "--out", folder / "public")
    return spec, folder / "public" / "opts.yaml"


def test_every_public_case_is_checked_with_the_instructors_options(specs):
    spec, published = specs
    mine, theirs = load_problem_set(spec), load_problem_set(published)
    for part in mine.parts:
        if part.code is not None:
            copy = theirs.part(part.label).code
            assert copy.cases and copy.options == part.code.options, part.label


def test_the_published_copy_states_the_options_as_the_instructor_may_write_them(specs):
    _, published = specs
    parts = {p["label"]: p for p in yaml.safe_load(published.read_text(encoding="utf-8"))["parts"]}
    # The tuple's explicit rtol is kept, though it is the kind's default.
    assert parts["P2"]["code"]["options"]["rtol"] == 1e-6
    assert parts["P3"]["code"]["options"]["rtol"] == 1e-4
    assert parts["P4"]["code"]["options"]["atol"] == 1e-8
    # The set-wide rtol does nothing in mode sigfigs, and the instructor's loader refuses it there.
    assert parts["P1"]["options"] == {"sigfigs": 3, "mode": "sigfigs"}


def verdicts(results: dict) -> dict[str, str]:
    return {test["number"]: test["extra_data"]["verdict"] for test in results["tests"]}


@pytest.mark.parametrize("scale", [0.5, 2.0], ids=["just inside", "just outside"])
def test_self_check_and_grading_agree_at_the_edge_of_the_tolerance(specs, tmp_path, scale):
    spec, published = specs
    student = tmp_path / "submissions" / "alice"
    student.mkdir(parents=True)
    (student / "hw.py").write_text(STUDENT.format(scale=scale), encoding="utf-8")
    grader("grade", spec, "--submissions", student.parent, "--out", tmp_path / "reports", "--no-progress",
           "--json", tmp_path / "graded.json")
    grader("check", published, student / "hw.py", "--json", tmp_path / "checked.json")
    graded = verdicts(json.loads((tmp_path / "graded.json").read_text(encoding="utf-8"))["alice"])
    checked = verdicts(json.loads((tmp_path / "checked.json").read_text(encoding="utf-8")))
    expected = "correct" if scale < 1 else "incorrect"
    for label in ("P2", "P3", "P4"):
        assert graded[label] == checked[label] == expected, label
