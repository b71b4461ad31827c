"""Kind ``tuple``: a fixed-length tuple of values, compared item by item.

Numbers are compared with tolerance (relative to the reference), sequences
element-wise, anything else exactly.  A list is accepted where a tuple is
expected (the handout allows it); a wrong length is reported as such.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Number
from typing import Any

import numpy as np

from grader.checkers.base import Checker, Verdict, register
from grader.checkers.values import as_float_array, close_mask, describe_shape, within


@register
class TupleChecker(Checker):
    kind = "tuple"

    @dataclass(frozen=True)
    class Options:
        rtol: float = 1e-6
        atol: float = 1e-9
        names: tuple = ()  # what each item is, for messages: e.g. ["t", "p"]

    def check(self, reference: Any, answer: Any, options: "TupleChecker.Options") -> Verdict:
        if isinstance(answer, np.ndarray) and answer.ndim == 1:
            answer = list(answer)
        if not isinstance(answer, (tuple, list)):
            return Verdict.incorrect(f"Expected a pair/tuple of {len(reference)} values, got a value of type "
                                     f"{type(answer).__name__}.")
        if len(answer) != len(reference):
            return Verdict.incorrect(f"Expected {len(reference)} values, got {len(answer)}.")
        for index, (ref_item, got_item) in enumerate(zip(reference, answer)):
            name = options.names[index] if index < len(options.names) else f"item {index + 1}"
            problem = _compare(ref_item, got_item, options)
            if problem:
                return Verdict.incorrect(f"{name[:1].upper() + name[1:]}: {problem}")
        return Verdict.correct()


def _is_number(value: Any) -> bool:
    return isinstance(value, (Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _compare(reference: Any, value: Any, options: TupleChecker.Options) -> str | None:
    """Return what is wrong, or None when the item matches."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(reference, (int, np.integer)) and not isinstance(reference, bool):
        # Counts such as a rank or a shape entry are exact.
        if not _is_number(value):
            return f"expected an integer, got {type(value).__name__}."
        return None if float(value) == float(reference) else "wrong value."
    if _is_number(reference):
        if not _is_number(value):
            return f"expected a number, got {type(value).__name__}."
        return None if within(float(reference), float(value), options.rtol, options.atol) else "wrong value."
    if isinstance(reference, (tuple, list, np.ndarray)):
        ref = as_float_array(reference)
        got = as_float_array(value) if isinstance(value, (tuple, list, np.ndarray)) else None
        if got is None:
            return f"expected a sequence, got {type(value).__name__}."
        if ref.shape != got.shape:
            return f"wrong shape: expected {describe_shape(ref.shape)}, got {describe_shape(got.shape)}."
        return None if close_mask(ref, got, options.rtol, options.atol).all() else "wrong values."
    return None if value == reference else "wrong value."

