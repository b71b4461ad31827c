"""Kind choice: choices, synonyms, sentences, letters."""
from __future__ import annotations

import pytest

from grader.checkers import get_checker, make_options
from grader.checkers.base import Status

OPTIONS = {
    "choices": ["approx", "true"],
    "synonyms": {"approx": ["the approximation", "approximation decays faster",
                            "true ratio decays more slowly"],
                 "true": ["the true ratio", "true ratio decays faster", "approximation decays more slowly"]},
}


def check(reference, answer, **options):
    return get_checker("choice").check(reference, answer, make_options("choice", options))


@pytest.mark.parametrize("answer, status", [
    ("approx", Status.CORRECT), ("Approx.", Status.CORRECT), (r"\text{approx}", Status.CORRECT),
    ('"approx"', Status.CORRECT), ("true", Status.INCORRECT),
    ("The true ratio decays more slowly than the approximation.", Status.CORRECT),
    ("the approximation decays faster", Status.CORRECT),
    ("the true ratio decays faster", Status.INCORRECT),
    ("banana", Status.UNREADABLE), ("", Status.UNREADABLE), (3.5, Status.UNREADABLE),
])
def test_choice_table(answer, status) -> None:
    assert check("approx", answer, **OPTIONS).status is status


def test_unreadable_lists_the_choices() -> None:
    verdict = check("approx", "banana", **OPTIONS)
    assert verdict.feedback == 'Could not tell which choice the answer names; expected one of: "approx", "true".'


@pytest.mark.parametrize("answer, status", [("(C)", Status.CORRECT), (r"\text{C}", Status.CORRECT),
                                            ("c", Status.CORRECT), ("B", Status.INCORRECT)])
def test_letters(answer, status) -> None:
    assert check("C", answer, choices=["A", "B", "C", "D"]).status is status


def test_without_choices_the_reference_is_not_revealed() -> None:
    verdict = check("approx", "banana")
    assert "approx" not in verdict.feedback


DECOMPOSITIONS = {"choices": ["svd", "lu", "cholesky"], "synonyms": {"svd": ["singular value decomposition"]}}


@pytest.mark.parametrize("answer, status", [
    ("I would not use the SVD.", Status.UNREADABLE),  # names the SVD without choosing it
    ("Never the singular value decomposition.", Status.UNREADABLE),
    ("Not LU: the SVD, because it is stable.", Status.CORRECT),  # the denied one does not count
    ("I would use the SVD, not Cholesky.", Status.CORRECT),
    ("Cholesky, not the SVD.", Status.INCORRECT),
])
def test_a_denied_choice_in_a_sentence_is_not_the_answer(answer, status) -> None:
    assert check("svd", answer, **DECOMPOSITIONS).status is status


@pytest.mark.parametrize("answer", ["approx or true", "true or approx", "approx and true", "approx / true"])
def test_an_answer_naming_two_choices_is_no_answer(answer) -> None:
    verdict = check("approx", answer, **OPTIONS)
    assert verdict.status is Status.UNREADABLE
    assert ("Could not tell which choice the answer names: it names “approx” and “true”; write only the one you "
            "mean.") in verdict.feedback


def test_a_choice_inside_a_longer_one_is_part_of_it() -> None:
    options = {"choices": ["svd", "truncated svd"]}
    assert check("truncated svd", "I would use the truncated SVD", **options).status is Status.CORRECT
    assert check("svd", "I would use the truncated SVD", **options).status is Status.INCORRECT
    assert check("svd", "not the truncated SVD but the full SVD", **options).status is Status.CORRECT
