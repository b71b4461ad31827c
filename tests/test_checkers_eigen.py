"""Kind ``eigenpairs`` (A8): any sign, any orthonormal basis of a repeated eigenvalue's eigenspace."""
from __future__ import annotations

import numpy as np

from grader.checkers import Status, get_checker, make_options

M = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 2.0]])  # eigenvalues 1, 1, 4


def check(answer):
    checker = get_checker("eigenpairs")
    return checker.check(tuple(np.linalg.eigh(M)), answer, make_options("eigenpairs", {}))


def test_another_orthonormal_basis_and_flipped_signs_are_right():
    w, v = np.linalg.eigh(M)
    rotation = np.array([[np.cos(0.7), -np.sin(0.7)], [np.sin(0.7), np.cos(0.7)]])
    other = v.copy()
    other[:, :2] = v[:, :2] @ rotation
    other[:, 2] *= -1
    assert check((w, other)).status is Status.CORRECT


def test_eigenvectors_of_a_repeated_eigenvalue_that_are_not_orthogonal_are_named_as_such():
    w, v = np.linalg.eigh(M)
    skewed = v.copy()
    skewed[:, 1] = v[:, 0] + v[:, 1]
    skewed[:, 1] /= np.linalg.norm(skewed[:, 1])  # unit length, same eigenspace, not orthogonal to column 0
    verdict = check((w, skewed))
    assert verdict.status is Status.INCORRECT
    assert "Columns 0, 1 are eigenvectors of one repeated eigenvalue but not orthogonal" in verdict.feedback


def test_a_vector_outside_the_eigenspace_does_not_match_its_eigenvalue():
    w, v = np.linalg.eigh(M)
    wrong = v.copy()
    wrong[:, [1, 2]] = wrong[:, [2, 1]]
    verdict = check((w, wrong))
    assert verdict.status is Status.INCORRECT
    assert "do not match their eigenvalue" in verdict.feedback
