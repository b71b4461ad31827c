"""A relation with nothing on one side: "= 1/4" is the value 1/4, and "1/4 =" or an HTML tag says what is
missing instead of "the answer is empty" (the student's text is plainly there)."""
from __future__ import annotations

import pytest

from grader.cli import main


@pytest.mark.parametrize("answer", ["= 1/4", "≈ 0.25", r"\approx \frac{1}{4}", "$= \\frac14$", "= x = 1/4"])
def test_a_value_after_a_leading_equals_sign_is_read(answer, capsys):
    assert main(["equiv", "--", answer, "1/4"]) == 0, capsys.readouterr()


@pytest.mark.parametrize("answer, message", [
    ("1/4 =", "nothing after the '='"),
    ("<b>1/4</b>", "nothing before the '<'"),
    ("x = ", "nothing after the '='"),
])
def test_a_relation_missing_a_side_says_which(answer, message, capsys):
    assert main(["equiv", "--", answer, "1/4"]) == 2
    err = capsys.readouterr().err
    assert message in err and "empty" not in err, err


def test_an_empty_answer_is_still_empty(capsys):
    assert main(["equiv", "--", "  ", "1/4"]) == 2
    assert "the answer is empty" in capsys.readouterr().err
