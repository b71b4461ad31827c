"""A set part that names no quantity: a domain asked for in a spec whose
interval options name the variable (``options: {variable: x}``).  Students
write the answer as a membership, an inequality or in a sentence about the
domain, and each is read the same as the bare interval."""
from __future__ import annotations


import pytest

from grader.readers.markdown import read_markdown_text
from grader.spec import load_problem_set

SPEC = """\
id: domains
title: Domains
parts:
  - label: D1
    title: Domain of ln(4 - x^2)
    points: 1
    kind: interval
    options: {variable: x}
    reference: Interval.open(-2, 2)
"""


@pytest.fixture(scope="module")
def domains(tmp_path_factory) -> object:
    path = tmp_path_factory.mktemp("spec") / "domains.yaml"
    path.write_text(SPEC)
    return load_problem_set(path)


def read_d1(problem_set, body: str) -> str | None:
    reading = read_markdown_text(f"## D1\n{body}\n", problem_set)
    answer = reading.answers.get("D1")
    return answer.value if answer and not answer.problem else None


@pytest.mark.parametrize("body, expected", [
    (r"$x \in (-2,2)$", "(-2,2)"),
    (r"We need $4-x^2>0$, so $x \in (-2, 2)$.", "(-2, 2)"),
    (r"$|x| < 2$", "(-2, 2)"),
    (r"$-2 < x < 2$", "(-2, 2)"),
    (r"The domain is $(-2, 2)$.", "(-2, 2)"),
    (r"so the domain is $[-2, 2]$", "[-2, 2]"),
])
def test_the_variable_of_the_options_and_the_word_domain_name_the_answer(domains, body, expected):
    assert read_d1(domains, body).replace(" ", "") == expected.replace(" ", "")


def test_another_variable_is_not_the_answer(domains):
    assert read_d1(domains, r"$y \in (-2,2)$") is None
