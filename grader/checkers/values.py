"""Helpers shared by checkers that compare plain values (code outputs, YAML lists, lists written as text)."""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import sympy


def within(reference: float, value: float, rtol: float, atol: float) -> bool:
    """|s − r| ≤ max(rtol·|r|, atol), relative to the *reference*; inf and nan deliberately."""
    if math.isnan(reference):
        return math.isnan(value)
    if math.isinf(reference) or math.isinf(value):
        return reference == value
    if math.isnan(value):
        return False
    return abs(value - reference) <= max(rtol * abs(reference), atol)


def as_float_array(value: Any) -> np.ndarray | None:
    """A numeric array from an array, list or number; None when it is not numeric data."""
    if isinstance(value, str) or value is None:
        return None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # ragged lists
        return None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            return None
    if np.iscomplexobj(array):
        return None
    return array.astype(float)


def array_shape(value: Any) -> tuple:
    """The shape of an array a function returned (a NumPy array or matrix, or an ``{"__array__": ...}``
    record); ``()`` for anything else, including a 0-d array, which counts as one number."""
    if isinstance(value, dict) and "__array__" in value:
        value = value["__array__"]
        if not isinstance(value, list):
            return ()
        try:
            return np.shape(value)
        except ValueError:  # ragged
            return (len(value),)
    return value.shape if isinstance(value, np.ndarray) else ()


def describe_shape(shape: tuple) -> str:
    return "a scalar" if shape == () else "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


# Within 0.1 % but outside the tolerance: float32 arithmetic, rounding, a cruder method.
CLOSE_RTOL = 1e-3
CLOSE_HINT = ("Close to the expected value, but not within the tolerance: look for rounding, reduced "
              "precision (float32) or a cruder method.")


def close_mask(reference: np.ndarray, value: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Element-wise ``within`` for arrays of equal shape (tolerance relative to the reference)."""
    both_nan = np.isnan(reference) & np.isnan(value)
    finite = np.isfinite(reference) & np.isfinite(value)
    with np.errstate(invalid="ignore"):
        ok = np.abs(value - reference) <= np.maximum(rtol * np.abs(reference), atol)
        infinite_equal = ~np.isfinite(reference) & (reference == value)
    return both_nan | (finite & ok) | infinite_equal


# --- values written as text ------------------------------------------------
# A command before "[" makes it an optional argument (\sqrt[3]{x}), except these sizing ones.
_COMMAND_BEFORE = re.compile(r"\\([a-zA-Z]+)\s*$")
_SIZING = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "Bigl", "biggl", "Biggl",
           "bigr", "Bigr", "biggr", "Biggr"}


def list_brackets(text: str) -> str:
    """``[0.25, 0.5]`` → ``(0.25, 0.5)``: where values are asked for, square brackets hold a list.

    The maths reader takes a bracketed pair for a closed interval; only
    matched pairs change, so ``[0, 1)`` stays an interval (and is refused)."""
    from grader.mathread import MAX_CHARS

    if len(text) > MAX_CHARS:
        return text  # refused by the reader anyway; not worth a pass
    chars = list(text)
    opened: list[int | None] = []
    for index, char in enumerate(text):
        if char == "[":
            command = _COMMAND_BEFORE.search(text[max(0, index - 40):index])
            opened.append(None if command and command.group(1) not in _SIZING else index)
        elif char == "]" and opened:
            start = opened.pop()
            if start is not None:
                chars[start], chars[index] = "(", ")"
    return "".join(chars)


_STATEMENTS = (sympy.logic.boolalg.BooleanAtom, sympy.logic.boolalg.BooleanFunction, sympy.core.relational.Relational)


def read_values(text: str) -> tuple[Any, str]:
    """(value, how it was read as LaTeX) of a written tuple, list, vector or matrix.

    Tuples and lists become Python lists, a matrix a list of its rows, and a
    lone value stays itself (SymPy).  Raises ``Unreadable`` naming the text
    when it is not values: an interval, a relation, words."""
    from grader.mathread import Unreadable, read_math

    reading = read_math(list_brackets(text))
    if isinstance(reading.value, _STATEMENTS):  # "(1, 2) = (1, 2)" reads as True
        raise Unreadable("expected values, read a true/false statement", text)
    if reading.kind not in ("tuple", "matrix", "number", "expression"):
        raise Unreadable(f"expected values, read a {reading.kind}", text)
    return _nested(reading.value), reading.latex


def _nested(value: Any) -> Any:
    if isinstance(value, sympy.Tuple):
        return [_nested(item) for item in value]
    if isinstance(value, sympy.MatrixBase):
        return [[_nested(item) for item in row] for row in value.tolist()]
    return value


def fit_written(reference_shape: tuple, got: np.ndarray) -> np.ndarray:
    """A written vector fits a 1-D reference in any orientation.

    On paper a vector is a column ``\\begin{pmatrix}1\\\\2\\end{pmatrix}``,
    a row, or a list, and one value is a 1-vector: NumPy's shapes are not
    something writing can show.  A 2-D reference keeps its exact shape."""
    vector_like = sum(1 for n in got.shape if n > 1) <= 1
    if len(reference_shape) <= 1 and vector_like and got.size == int(np.prod(reference_shape)):
        return got.reshape(reference_shape)
    return got
