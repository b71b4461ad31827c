"""Kind ``array``: shape first, then element-wise tolerance relative to the reference."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checkers.base import Checker, Verdict, register
from grader.checkers.values import as_float_array, close_mask, describe_shape, fit_written, read_values
from grader.mathread import Unreadable


@register
class ArrayChecker(Checker):
    kind = "array"

    @dataclass(frozen=True)
    class Options:
        rtol: float = 1e-6
        atol: float = 1e-9
        per_element_credit: bool = False  # each element earns its share (Q2.3c's four values)
        sign_per_column: bool = False  # columns equal up to a factor ±1 (eigenvectors)

    def check(self, reference: Any, answer: Any, options: "ArrayChecker.Options") -> Verdict:
        ref = as_float_array(reference)
        if ref is None:
            raise TypeError(f"the reference is not numeric array data: {type(reference).__name__}")
        read_as = None
        if isinstance(answer, str):
            try:
                got, read_as = _read_written(answer)
            except Unreadable as exc:
                return Verdict.unreadable(f"Could not read this as numbers: {exc}.")
            got = fit_written(ref.shape, got)
        else:
            got = as_float_array(answer)
            if got is None:
                return Verdict.incorrect(f"Expected an array of numbers, got {_kind_of(answer)}.")
        verdict = self._compare(ref, got, options)
        return dataclasses.replace(verdict, read_as=read_as) if read_as else verdict

    def _compare(self, ref: np.ndarray, got: np.ndarray, options: "ArrayChecker.Options") -> Verdict:
        if got.shape != ref.shape:
            return Verdict.incorrect(
                f"Wrong shape: expected {describe_shape(ref.shape)}, got {describe_shape(got.shape)}."
            )
        if options.sign_per_column and ref.ndim == 2:
            flipped = np.where(np.sum(got * ref, axis=0) < 0, -1.0, 1.0)
            got = got * flipped
        ok = close_mask(ref, got, options.rtol, options.atol)
        if ok.all():
            return Verdict.correct()
        wrong = int((~ok).sum())
        total = ok.size
        first = tuple(int(i) for i in np.argwhere(~ok)[0])
        where = f"first at index {first[0] if len(first) == 1 else first}"
        message = f"{wrong} of {total} values are not within tolerance ({where})."
        if np.isnan(got[~ok]).any():
            message += " Some values are nan: look for an overflow or a division by zero."
        if options.per_element_credit:
            return Verdict.partial(float(ok.mean()), message)
        return Verdict.incorrect(message)


def _kind_of(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "a list that is not rectangular numeric data"
    return f"a value of type {type(value).__name__}"


def _read_written(text: str) -> tuple[np.ndarray, str]:
    """A written list, vector or matrix (``[0.25, 9.9e-4]``, ``\\begin{pmatrix}…``) as numbers, keeping rows."""
    values, latex = read_values(text)
    got = as_float_array(values)
    if got is None:
        raise Unreadable("not a list or table of numbers", text)
    return got, latex
