"""Shared test fixtures."""
from __future__ import annotations

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
