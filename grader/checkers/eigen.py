"""Kind ``eigenpairs``: ``(w, V)`` of a symmetric matrix.

Eigenvalues are compared in order with tolerance.  Eigenvectors are right
when the columns are unit length and, for each group of equal eigenvalues,
span the same space as the reference's: compared through the orthogonal
projector V_g V_gᵀ, which is the same for any sign or any orthonormal basis
of a repeated eigenvalue's eigenspace.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checkers.base import Checker, Verdict, register
from grader.checkers.values import as_float_array, close_mask, describe_shape


@register
class EigenpairsChecker(Checker):
    kind = "eigenpairs"

    @dataclass(frozen=True)
    class Options:
        rtol: float = 1e-6
        atol: float = 1e-9

    def check(self, reference: Any, answer: Any, options: "EigenpairsChecker.Options") -> Verdict:
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            return _fixed("Expected a pair (w, V): eigenvalues and a matrix of eigenvectors.")
        ref_w, ref_v = (as_float_array(x) for x in reference)
        w, v = (as_float_array(x) for x in answer)
        if w is None or v is None:
            if any(np.iscomplexobj(x) for x in answer):
                return _fixed("Expected real arrays for w and V, got complex ones: a symmetric matrix's "
                              "eigenpairs are real (np.linalg.eigh returns them real).")
            return _fixed("Expected numeric arrays for w and V.")
        if w.shape != ref_w.shape:
            return Verdict.incorrect(f"Eigenvalues: expected shape {describe_shape(ref_w.shape)}, "
                                     f"got {describe_shape(w.shape)}.")
        if v.shape != ref_v.shape:
            return Verdict.incorrect(f"Eigenvectors: expected shape {describe_shape(ref_v.shape)}, "
                                     f"got {describe_shape(v.shape)}.")
        if not close_mask(ref_w, w, options.rtol, options.atol).all():
            if close_mask(ref_w, np.sort(w), options.rtol, options.atol).all():
                return _fixed("The eigenvalues are right but not in ascending order.")
            return _fixed("The eigenvalues are wrong.")
        scale = max(1.0, float(np.abs(ref_w).max(initial=0.0)))
        tol = max(options.atol, 1e-7) * scale + options.rtol * scale
        if not np.allclose(np.linalg.norm(v, axis=0), 1.0, rtol=0, atol=1e-6):
            return _fixed("The eigenvector columns must have unit length.")
        for group in _groups(ref_w, tol):
            projector_ref = ref_v[:, group] @ ref_v[:, group].T
            projector = v[:, group] @ v[:, group].T
            if not np.allclose(projector, projector_ref, rtol=0, atol=1e-5):
                which = ", ".join(str(i) for i in group)
                in_eigenspace = np.allclose(projector_ref @ v[:, group], v[:, group], rtol=0, atol=1e-5)
                if len(group) > 1 and in_eigenspace:
                    # np.linalg.eig's unit eigenvectors of a repeated eigenvalue need not be orthogonal.
                    return Verdict.incorrect(
                        f"Columns {which} are eigenvectors of one repeated eigenvalue but not orthogonal to each "
                        f"other: {ORTHONORMAL_WITHIN}", hint=f"Eigenvectors of a repeated eigenvalue are not "
                        f"orthogonal to each other: {ORTHONORMAL_WITHIN}")
                return Verdict.incorrect(f"Eigenvector column(s) {which} do not match their eigenvalue.",
                                         hint="Eigenvectors do not match their eigenvalues.")
        return Verdict.correct()


ORTHONORMAL_WITHIN = ("within a repeated eigenvalue they must be an orthonormal basis of its eigenspace "
                      "(np.linalg.eigh gives one).")


def _fixed(text: str) -> Verdict:
    """An incorrect verdict whose words are fixed, so also safe to show for a hidden case."""
    return Verdict.incorrect(text, hint=text)


def _groups(values: np.ndarray, tol: float) -> list[list[int]]:
    """Indices of (sorted) eigenvalues grouped where they are equal within ``tol``."""
    groups: list[list[int]] = []
    for index, value in enumerate(values):
        if groups and abs(value - values[groups[-1][-1]]) <= tol:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups
