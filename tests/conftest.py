"""Shared test fixtures."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TINY_SPEC = """\
id: tiny
title: "Tiny set"
parts:
  - label: P1
    title: "One half"
    points: 2
    kind: number
    reference: "Rational(1, 2)"
"""


@pytest.fixture
def tiny_spec(tmp_path) -> Path:
    """A one-part problem set (answer: 1/2, 2 points), written to a file."""
    path = tmp_path / "problems" / "tiny.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TINY_SPEC)
    return path


@pytest.fixture(scope="session")
def q2_grader():
    """A self-check Grader of the Q2 problem set, shared by the tests of written answers."""
    from grader.cli import load_references
    from grader.grading import Grader

    spec = Path(__file__).resolve().parents[1] / "problems" / "q2-activations.yaml"
    with Grader(load_references([str(spec)]), public_only=True) as grader:
        yield grader


@pytest.fixture(scope="session")
def q2_grading_grader():
    """A Grader of the Q2 problem set as at grading, hidden cases run: Q2's functions have no public case."""
    from grader.cli import load_references
    from grader.grading import Grader

    spec = Path(__file__).resolve().parents[1] / "problems" / "q2-activations.yaml"
    with Grader(load_references([str(spec)])) as grader:
        yield grader


@pytest.fixture(scope="session")
def handout(tmp_path_factory) -> Path:
    """What students get, made once by the real ``grader handout problems`` (read it, never write into it)."""
    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("handout")
    run = subprocess.run([sys.executable, "-m", "grader", "handout", str(root / "problems"), "--out", str(out)],
                         cwd=root, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out
