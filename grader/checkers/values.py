"""Helpers shared by checkers that compare plain values (code outputs, YAML lists)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


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


def describe_shape(shape: tuple) -> str:
    return "a scalar" if shape == () else "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def close_mask(reference: np.ndarray, value: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Element-wise ``within`` for arrays of equal shape (tolerance relative to the reference)."""
    both_nan = np.isnan(reference) & np.isnan(value)
    finite = np.isfinite(reference) & np.isfinite(value)
    with np.errstate(invalid="ignore"):
        ok = np.abs(value - reference) <= np.maximum(rtol * np.abs(reference), atol)
        infinite_equal = ~np.isfinite(reference) & (reference == value)
    return both_nan | (finite & ok) | infinite_equal
