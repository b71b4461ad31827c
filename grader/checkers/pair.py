"""Kind ``tuple``: a fixed-length tuple of values, compared item by item.

Numbers are compared with tolerance (relative to the reference), sequences
element-wise, anything else exactly.  A list is accepted where a tuple is
expected (the handout allows it); a wrong length is reported as such.
Written text is read into values first: ``(1, 2)``, ``[1, 2]``,
``\\left(\\frac{1}{2}, 2\\right)``, or a list whose items are text.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from numbers import Number
from typing import Any

import numpy as np
import sympy

from grader.checkers.base import Checker, Status, Verdict, register
from grader.checkers.values import as_float_array, close_mask, describe_shape, fit_written, read_values, within
from grader.mathread import Unreadable, quoted


@register
class TupleChecker(Checker):
    kind = "tuple"

    @dataclass(frozen=True)
    class Options:
        rtol: float = 1e-6
        atol: float = 1e-9
        names: tuple = ()  # what each item is, for messages: e.g. ["t", "p"]

    def check(self, reference: Any, answer: Any, options: "TupleChecker.Options") -> Verdict:
        reference = _plain(reference)
        if not isinstance(answer, str):
            return self._compare_items(reference, answer, options)
        try:
            values, read_as = read_values(answer)
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read this as {len(reference)} values: {exc}.")
        verdict = self._compare_items(reference, _written_items(values, reference), options, written=True)
        return dataclasses.replace(verdict, read_as=read_as)

    def read_problem(self, answer: Any, options: "TupleChecker.Options") -> str | None:
        if not isinstance(answer, str):
            return None
        try:
            read_values(answer)
        except Unreadable as exc:
            return f"Could not read the values: {exc}."
        return None

    def _compare_items(self, reference: list, answer: Any, options: "TupleChecker.Options",
                       written: bool = False) -> Verdict:
        if isinstance(answer, np.ndarray) and answer.ndim == 1:
            answer = list(answer)
        if not isinstance(answer, (tuple, list)):
            return Verdict.incorrect(f"Expected a pair/tuple of {len(reference)} values, got a value of type "
                                     f"{type(answer).__name__}.",
                                     hint=f"Expected a pair/tuple of {len(reference)} values, got another kind "
                                          "of value.")
        if len(answer) != len(reference):
            return Verdict.incorrect(f"Expected {len(reference)} values, got {len(answer)}.",
                                     hint=f"Expected {len(reference)} values, got another number of them.")
        for index, (ref_item, got_item) in enumerate(zip(reference, answer)):
            wrong = _item_verdict(ref_item, got_item, options, written)
            if wrong is not None:
                name = options.names[index] if index < len(options.names) else f"item {index + 1}"
                name = name[:1].upper() + name[1:]
                # The hint names the item only: its feedback quotes the values.
                said = wrong.hint or ("wrong value." if wrong.status is Status.INCORRECT else "could not be read.")
                hint = f"{name}: {said}"
                return dataclasses.replace(wrong, feedback=f"{name}: {wrong.feedback}", hint=hint)
        return Verdict.correct()


def _item_verdict(reference: Any, value: Any, options: TupleChecker.Options, written: bool) -> Verdict | None:
    """What is wrong with one item (feedback without its name), or None when it matches."""
    text = None
    if isinstance(value, str) and not isinstance(reference, str):  # an answers file's ["1/2", 2]
        text, written = value, True
        try:
            value, _ = read_values(text)
        except Unreadable as exc:
            return Verdict.unreadable(f"{exc}.")  # "could not read the LaTeX: …", "unknown name …"
    value = _plain(value)
    if written and _is_number(_plain(reference)) and isinstance(value, sympy.Basic):
        # read, but a name or an undefined value (1/0) where a number is asked
        return Verdict.unreadable(f"could not read {_shown(text or value)} as a number.")
    problem = _compare(reference, value, options, written)
    return Verdict.incorrect(problem) if problem else None


def _plain(value: Any) -> Any:
    """SymPy containers and numbers as the Python ones the comparisons know."""
    if isinstance(value, sympy.Tuple):
        return [_plain(item) for item in value]
    if isinstance(value, sympy.MatrixBase):
        return value.tolist()
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, sympy.Basic) and value.is_number:
        if value.is_Integer:
            return int(value)
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):  # complex: compared exactly
            return value
    return value


def _shown(value: Any) -> str:
    return quoted(value if isinstance(value, str) else sympy.sstr(value), 60)


def _written_items(values: Any, reference: list) -> list:
    """The items of a written answer: a lone value is one item, a row or column vector its entries."""
    if not isinstance(values, list):
        return [values]
    scalars = not any(isinstance(item, (list, tuple, np.ndarray)) for item in reference)
    if scalars and len(values) == 1 and isinstance(values[0], list):
        return values[0]
    if scalars and len(values) > 1 and all(isinstance(v, list) and len(v) == 1 for v in values):
        return [v[0] for v in values]
    return values


def _is_number(value: Any) -> bool:
    return isinstance(value, (Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _compare(reference: Any, value: Any, options: TupleChecker.Options, written: bool = False) -> str | None:
    """Return what is wrong, or None when the item matches."""
    if isinstance(reference, (int, np.integer)) and not isinstance(reference, bool):
        # Counts such as a rank or a shape entry are exact.
        if not _is_number(value):
            return f"expected an integer, got {type(value).__name__}."
        return None if value == reference else "wrong value."
    if _is_number(reference):
        if not _is_number(value):
            return f"expected a number, got {type(value).__name__}."
        return None if within(float(reference), float(value), options.rtol, options.atol) else "wrong value."
    if isinstance(reference, (tuple, list, np.ndarray)):
        ref = as_float_array(reference)
        sequence = written or isinstance(value, (tuple, list, np.ndarray))
        got = as_float_array(value) if sequence else None
        if got is None:
            return f"expected a sequence, got {type(value).__name__}."
        if written:
            got = fit_written(ref.shape, got)
        if ref.shape != got.shape:
            return f"wrong shape: expected {describe_shape(ref.shape)}, got {describe_shape(got.shape)}."
        return None if close_mask(ref, got, options.rtol, options.atol).all() else "wrong values."
    return None if value == reference else "wrong value."
