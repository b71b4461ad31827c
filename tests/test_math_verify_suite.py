"""The external Math-Verify equivalence cases, run through grader.equiv.

Acceptance: at least 97 % agreement outside the ``text-extraction`` category
and no false accept (a pair expected *not* equivalent judged equivalent).
Skipped when the case file is not present.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checkers.base import Status
from grader.equiv import equivalent

CASES = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "math-verify" / "cases.json"

pytestmark = pytest.mark.skipif(not CASES.exists(), reason="external Math-Verify cases not available")


def _cases() -> list[dict]:
    data = json.loads(CASES.read_text(encoding="utf-8"))
    return [c for c in data["cases"] if c["category"] != "text-extraction"]


def test_agreement_and_no_false_accepts() -> None:
    cases = _cases()
    agree = 0
    false_accepts = []
    for case in cases:
        verdict = equivalent(case["student"], case["reference"], atol=case.get("atol"))
        judged = verdict.status is Status.CORRECT
        if judged == case["expected"]:
            agree += 1
        elif judged:
            false_accepts.append(case["id"])
    share = agree / len(cases)
    print(f"\nMath-Verify cases outside text-extraction: {agree}/{len(cases)} agree ({share:.1%}), "
          f"{len(false_accepts)} false accepts")
    assert not false_accepts, f"false accepts: {false_accepts}"
    assert share >= 0.97


@pytest.mark.parametrize("student, reference", [
    (r"\frac{1}{2006!}", r"\frac{1}{2004!}"),
    (r"\frac{1}{2^{98}}", r"\frac{1}{2^{99}}"),
    (r"2\cdot 10^{-20}", r"10^{-20}"),
    ("0.0000012", "0.000001"),
    ("1+1/e", "1-1/e"),
])
def test_known_math_verify_false_accepts_are_rejected(student: str, reference: str) -> None:
    assert equivalent(student, reference).status is Status.INCORRECT
