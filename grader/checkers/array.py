"""Kind ``array``: shape first, then element-wise tolerance relative to the reference.

With ``per_element_credit`` each value earns its share: a value that cannot be
read earns nothing and is named, and costs the others nothing.  A value left out
of a written list (``null`` in an answers file, an empty item) is named as missing,
never as a nan from code."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checkers.base import NOTHING_RETURNED, Checker, Verdict, register
from grader.checkers.values import (CLOSE_HINT, CLOSE_RTOL, as_float_array, close_mask, describe_shape, fit_written,
                                    read_values)
from grader.mathread import _COMMA, Unreadable, _enclosed, _split_top


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
                return self._each_element(ref, answer, options) or \
                    Verdict.unreadable(f"Could not read this as numbers: {exc}.")
            got = fit_written(ref.shape, got)
        else:
            got = as_float_array(answer)
            if got is not None and np.isnan(got).any() and _has_missing(answer):
                got = None  # NumPy made a missing value (None) a nan, which feedback would blame on code
            if got is None:
                return self._each_element(ref, answer, options) or \
                    Verdict.incorrect(f"Expected an array of numbers, got {_kind_of(answer)}.")
        verdict = self._compare(ref, got, options)
        return dataclasses.replace(verdict, read_as=read_as) if read_as else verdict

    def read_problem(self, answer: Any, options: "ArrayChecker.Options") -> str | None:
        if not isinstance(answer, str) or (options and options.per_element_credit):
            return None  # with per-element credit, the readable values still earn their share
        try:
            _read_written(answer)
        except Unreadable as exc:
            return f"Could not read this as numbers: {exc}."
        return None

    def _each_element(self, ref: np.ndarray, answer: Any, options: "ArrayChecker.Options") -> Verdict | None:
        """With per-element credit, an answer of the right shape whose values are not all readable:
        the readable ones earn their share, each unreadable one nothing, named in the feedback.

        None (today's verdict stands) without per-element credit, for another shape, or when no
        value at all can be read."""
        if not options.per_element_credit:
            return None
        items = _leaves(_written_items(answer) if isinstance(answer, str) else answer, ref.shape)
        if items is None:
            return None
        values = [_one_number(item) for item in items]
        if all(value is None for value in values):
            return None
        unread = {k: _quoted(item) for k, (item, value) in enumerate(zip(items, values)) if value is None}
        got = np.array([np.nan if value is None else value for value in values]).reshape(ref.shape)
        return self._compare(ref, got, options, unread)

    def _compare(self, ref: np.ndarray, got: np.ndarray, options: "ArrayChecker.Options",
                 unread: dict[int, str] | None = None) -> Verdict:
        """``unread``: {flat index: the text, "" when missing} of values that could not be read (nan in ``got``)."""
        if got.shape != ref.shape:
            return Verdict.incorrect(
                f"Wrong shape: expected {describe_shape(ref.shape)}, got {describe_shape(got.shape)}.",
                hint="The result has the wrong shape.")
        read = np.ones(ref.shape, dtype=bool)
        read.flat[list(unread or ())] = False
        if options.sign_per_column and ref.ndim == 2:
            flipped = np.where(np.sum(np.where(read, got, 0.0) * ref, axis=0) < 0, -1.0, 1.0)
            got = got * flipped
        ok = close_mask(ref, got, options.rtol, options.atol)
        ok &= read  # an unread value is never right, even against a nan reference
        if ok.all():
            return Verdict.correct()
        message = _wrong_message(got, ~ok & read, int(read.sum()), bool(unread))
        if unread:
            names = "; ".join(_unread_name(k, ref.shape, text) for k, text in unread.items())
            message = f"{int(ok.sum())} of {ok.size} values are within tolerance; {names}. {message}".strip()
        wrong = ~ok & read
        hint = NAN_HINT if np.isnan(got[wrong]).any() else \
            CLOSE_HINT if wrong.any() and close_mask(ref[wrong], got[wrong], CLOSE_RTOL, 0.0).all() else ""
        if options.per_element_credit:
            return Verdict.partial(float(ok.mean()), message, hint=hint)
        return Verdict.incorrect(message, hint=hint)


NAN_HINT = "Some values are nan: look for an overflow or a division by zero."


def _wrong_message(got: np.ndarray, wrong: np.ndarray, total: int, some_unread: bool) -> str:
    """"2 of 4 values are not within tolerance (first at index 1, the 2nd value)."; "" when none is wrong.

    Beside unread values, named as they are (``the 2nd value``), it counts the values read."""
    if not wrong.any():
        return ""
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    if some_unread:
        where, read = f"first: {_value_name(int(np.ravel_multi_index(first, wrong.shape)), wrong.shape)}", "read "
    else:
        # Index for code, counted from 0; a written list's reader counts from 1, so a vector says both.
        where = f"first at index {first[0]}, {_value_name(first[0], wrong.shape)}" if len(first) == 1 else \
            f"first at index {first}"
        read = ""
    message = f"{int(wrong.sum())} of {total} values {read}are not within tolerance ({where})."
    if np.isnan(got[wrong]).any():
        message += " " + NAN_HINT
    return message


def _kind_of(value: Any) -> str:
    if value is None:
        return NOTHING_RETURNED
    if _has_missing(value):
        return "a list with missing values"
    if isinstance(value, (list, tuple)):
        return "a list that is not rectangular numeric data"
    return f"a value of type {type(value).__name__}"


def _value_name(flat_index: int, shape: tuple) -> str:
    """``the 4th value`` (counted as a reader counts), or ``the value in row 2, column 1`` of a matrix:
    "value 2" read as the number 2."""
    position = tuple(int(i) + 1 for i in np.unravel_index(flat_index, shape))
    if len(position) == 1:
        return f"the {_ordinal(position[0])} value"
    if len(position) == 2:
        return f"the value in row {position[0]}, column {position[1]}"
    return f"the value at {position} (counted from 1)"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unread_name(flat_index: int, shape: tuple, text: str) -> str:
    name = _value_name(flat_index, shape)
    return f"{name} is missing" if not text else f"{name} could not be read: {text}"


def _quoted(item: Any) -> str:
    """The unread item quoted for feedback; "" when nothing was written (None, blank text)."""
    text = "" if item is None else " ".join(str(item).split())
    if not text:
        return ""
    return "'" + (text if len(text) <= 60 else text[:59] + "…") + "'"


def _has_missing(value: Any) -> bool:
    """Does a list hold a missing value (None) at any depth?"""
    if value is None:
        return True
    return isinstance(value, (list, tuple)) and any(_has_missing(item) for item in value)


_SIZING = re.compile(r"\\(?:left|right)\s*(?=[()\[\]])")
_MATRIX = re.compile(r"\\begin\{([pbBvV]?matrix)\}(.*)\\end\{\1\}", re.S)


def _written_items(text: str) -> Any:
    """A written list or matrix split into its items as text, without reading them:
    ``[0.25, about 1e-3]`` → ["0.25", "about 1e-3"]; rows stay lists."""
    text = _SIZING.sub("", text.strip())
    matrix = _MATRIX.fullmatch(text)
    if matrix:
        rows = [row for row in re.split(r"\\\\", matrix.group(2)) if row.strip()]
        return [[cell.strip() for cell in row.split("&")] for row in rows]
    enclosed = _enclosed(text)
    inside = enclosed[1] if enclosed and enclosed[0] in "([" else text
    items = _split_top(inside, _COMMA)
    if len(items) == 1:
        return text
    return [_written_items(item) if _enclosed(item) else item for item in items]


def _leaves(value: Any, shape: tuple) -> list | None:
    """The items of nested lists in row order, when their nesting is ``shape``; else None.

    A 1-D reference also takes one written row or column (``\\begin{pmatrix}a\\\\b\\end{pmatrix}``)."""
    if len(shape) == 1 and _row_or_column(value, shape[0]):
        value = [item for row in value for item in row]
    if not shape:
        return None if isinstance(value, (list, tuple)) else [value]
    if not isinstance(value, (list, tuple)) or len(value) != shape[0]:
        return None
    items: list = []
    for entry in value:
        inner = _leaves(entry, shape[1:])
        if inner is None:
            return None
        items.extend(inner)
    return items


def _row_or_column(value: Any, n: int) -> bool:
    """Is ``value`` one row of n ([[a, b]]) or a column of n ([[a], [b]])?"""
    if not isinstance(value, (list, tuple)) or not all(isinstance(row, (list, tuple)) for row in value):
        return False
    return [len(row) for row in value] in ([n], [1] * n)


def _one_number(item: Any) -> float | None:
    """One value as a float, read as maths when it is text; None when it is not one real number."""
    if isinstance(item, str):
        try:
            item = read_values(item)[0]
        except Unreadable:
            return None
    value = as_float_array(item)
    return float(value) if value is not None and value.shape == () else None


def _read_written(text: str) -> tuple[np.ndarray, str]:
    """A written list, vector or matrix (``[0.25, 9.9e-4]``, ``\\begin{pmatrix}…``) as numbers, keeping rows."""
    values, latex = read_values(text)
    got = as_float_array(values)
    if got is None:
        raise Unreadable("not a list or table of numbers", text)
    return got, latex
