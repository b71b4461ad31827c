"""A function that returns None (its `return` forgotten) is told so, for a number and for an array."""
from __future__ import annotations

from pathlib import Path

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]

MISSING_RETURNS = '''
def dot(u, v):
    total = sum(a * b for a, b in zip(u, v))


def matmul(A, B):
    pass
'''


def test_a_forgotten_return_is_named_not_taken_for_an_unreadable_value(tmp_path, capsys):
    path = tmp_path / "foundations.py"
    path.write_text(MISSING_RETURNS)
    main(["check", str(ROOT / "problems" / "foundations.yaml"), str(path)])
    out = " ".join(capsys.readouterr().out.split())  # the table wraps its feedback
    assert "Expected a number, got None, no value (a function that ends without `return` gives None)." in out
    assert "Expected an array of numbers, got None, no value" in out
    assert "missing values" not in out and "NoneType" not in out

