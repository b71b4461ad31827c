"""Kind ``number``: one real number, compared with a tolerance relative to the reference.

Pass iff ``|s - r| <= max(rtol*|r|, atol)`` with ``r`` the reference (never the
student's value).  Nothing is ever rounded to a fixed number of decimals or
chopped: ``1e-20`` and ``2e-20`` are different numbers.

Modes (option ``mode``):

``tolerance`` (default)
    ``rtol``/``atol`` as above.  With neither given: ``rtol = 1e-6``, except
    that when both values are exact (no decimals anywhere, e.g. ``1/2^99``)
    they must be equal exactly (to 40 significant digits).
``sigfigs``
    The answer must agree with the reference to ``sigfigs`` significant figures:
    ``|s - r| <= 0.5 * 10^(floor(log10|r|) - sigfigs + 1)``.  A written answer
    with fewer significant figures fails with the hint "too few significant
    figures" when it is the reference correctly rounded.
``decimals``
    ``|s - r| <= 0.5 * 10^-decimals``.
``magnitude``
    Order of magnitude (answers like ``≈ 10^{-6}``): same sign and
    ``|log10|s| - log10|r|| <= 0.5``.

Percent signs: a written ``x %`` is ``x/100``, so ``25.05 %`` matches 0.2505.
Option ``percent``: ``true`` when the reference counts percent (28 for 28 %):
``x %`` then means ``x``.  ``false``: a percent sign always divides by 100.
Unset (the default): ``x %`` also matches a reference equal to ``x`` that is
larger than 1 in size ("28 %" for 28), never one of at most 1, which may be a
fraction or a ratio: ``0.2505 %`` is 0.002505, not 0.2505.

``inf`` and ``nan``: an infinite reference needs the same infinity; a ``nan``
reference needs ``nan`` (a function that should return nan); a ``nan`` or
infinite answer to a finite reference is incorrect with its own message.

Feedback names the likely slip ("off by a factor of 10^3", "the sign is
wrong", "too few significant figures") and never shows the reference value.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from grader.checkers.base import NOTHING_RETURNED, Checker, Verdict, register
from grader.checkers.values import CLOSE_HINT, CLOSE_RTOL, array_shape, describe_shape
from grader.mathread import Reading, Unreadable, numeric_value, read_math

DEFAULT_RTOL = 1e-6
EXACT_DIGITS = 40
_MODES = ("tolerance", "sigfigs", "decimals", "magnitude")
PERCENT_HINT = ("The % sign makes the value 100 times smaller than the number written (x % is x/100); "
                "without it the value would be right.")


@dataclass(frozen=True)
class NumberOptions:
    rtol: float | None = None
    atol: float | None = None
    sigfigs: int | None = None
    decimals: int | None = None
    mode: str = "tolerance"
    percent: bool | None = None  # does the reference count percent?  None: decided by its size

    def __post_init__(self) -> None:
        # Checked here, so that a spec (or its defaults) with a wrong mode fails when it is loaded.
        if self.mode not in _MODES:
            raise ValueError(f"option 'mode' must be one of: {', '.join(_MODES)}; got {self.mode!r}")
        if self.percent is not None and not isinstance(self.percent, bool):
            raise ValueError(f"option 'percent' must be true or false, got {self.percent!r}")


def significant_figures(text: str) -> int | None:
    """Significant figures of a written decimal (``0.2504`` -> 4, ``1.0e-6`` -> 2, ``250`` -> 2)."""
    s = text.strip().lstrip("+-").strip()
    m = re.fullmatch(r"(\d*)(?:\.(\d*))?(?:\s*(?:[eE]|\\times\s*10\^|\*\s*10\s*\*\*|\\cdot\s*10\^)\s*\{?[+-]?\d+\}?)?", s)
    if not m or not (m.group(1) or m.group(2)):
        return None
    whole, frac = m.group(1) or "", m.group(2)
    digits = (whole + (frac or "")).lstrip("0")
    if frac is None:
        digits = digits.rstrip("0") or ("0" if whole else "")
    return max(len(digits), 1)


def _is_exact(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, sympy.Basic) and not value.atoms(sympy.Float)


def _to_number(answer: Any) -> tuple[Any, Reading | None]:
    """(numeric-able value, reading or None); raises Unreadable."""
    if isinstance(answer, Reading):
        reading = answer
    elif isinstance(answer, str):
        reading = read_math(answer, variables={}, prefer="last")
    else:
        if isinstance(answer, bool):
            raise Unreadable("expected a number, got true/false", repr(answer))
        if isinstance(answer, dict) and "__array__" in answer:
            return _to_number(answer["__array__"])
        if isinstance(answer, (int, float, sympy.Basic)):
            return answer, None
        if hasattr(answer, "__float__"):
            try:
                return float(answer), None
            except (TypeError, ValueError, OverflowError) as exc:
                raise Unreadable(f"expected a number, got {type(answer).__name__}", repr(answer)[:60]) from exc
        raise Unreadable(f"expected a number, got {type(answer).__name__}", repr(answer)[:60])
    if reading.kind != "number":
        raise Unreadable(f"expected a number, read a {reading.kind}", reading.raw)
    return reading.value, reading


def _python_number(value: Any) -> Any:
    """A spec's ``np.int64(3)`` or ``np.array(0.5)`` as the Python number it holds."""
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        return value.item()
    return value


def within(ref: sympy.Basic, ans: sympy.Basic, rtol: float, atol: float) -> bool:
    """|ans - ref| <= max(rtol*|ref|, atol), computed in high precision."""
    diff = abs(ans - ref)
    return bool(diff <= max(rtol * abs(ref), atol))


class _Judge:
    """The number comparison itself, shared with ``grader equiv``."""

    def __init__(self, options: NumberOptions):
        self.options = options

    def accepts(self, ref_value: Any, ans_value: Any) -> bool:
        ok, _ = self.compare(ref_value, ans_value, None)
        return ok

    def compare(self, ref_value: Any, ans_value: Any, reading: Reading | None) -> tuple[bool, str]:
        o = self.options
        ref_value = _python_number(ref_value)
        r = numeric_value(ref_value, EXACT_DIGITS + 10)
        s = numeric_value(ans_value, EXACT_DIGITS + 10)
        if r is None:
            raise ValueError(f"the reference {ref_value!r} is not a number")
        if s is None:
            return False, "The answer is not a number."
        if r is sympy.nan or s is sympy.nan:
            if r is sympy.nan and s is sympy.nan:
                return True, "Looks good."
            return False, "The answer is not a number (nan)." if s is sympy.nan else "Expected not-a-number (nan)."
        if r.is_infinite or s.is_infinite:
            if r == s:
                return True, "Looks good."
            if s.is_infinite:
                return False, "The answer is infinite; a finite value was expected."
            return False, "A finite answer was given; an infinite value was expected."
        if not s.is_real or not r.is_real:
            if within(r, s, o.rtol or DEFAULT_RTOL, o.atol or 0.0):
                return True, "Looks good."
            return False, "The value is not right."
        if o.mode == "magnitude":
            return self._magnitude(r, s)
        rtol, atol = self._tolerances(ref_value, ans_value, r)
        if (o.mode == "tolerance" and o.rtol is None and o.atol is None
                and isinstance(ref_value, sympy.Rational) and isinstance(ans_value, sympy.Rational)):
            # two exact rationals: exact equality, not 40 digits
            return (True, "Looks good.") if ref_value == ans_value else (False, self._hint(r, s, rtol, atol, reading))
        if within(r, s, rtol, atol):
            return True, "Looks good."
        return False, self._hint(r, s, rtol, atol, reading)

    def _tolerances(self, ref_value: Any, ans_value: Any, r: sympy.Basic) -> tuple[float, float]:
        o = self.options
        if o.mode == "sigfigs":
            n = int(o.sigfigs or 3)
            if r == 0:
                return 0.0, 0.5 * 10.0 ** (-n)
            exponent = math.floor(float(sympy.log(abs(r), 10).evalf(30)))
            return 0.0, 0.5 * 10.0 ** (exponent - n + 1) * (1 + 1e-12)
        if o.mode == "decimals":
            return 0.0, 0.5 * 10.0 ** (-int(o.decimals or 0)) * (1 + 1e-12)
        if o.rtol is None and o.atol is None:
            if _is_exact(ref_value) and _is_exact(ans_value):
                return 10.0 ** (-EXACT_DIGITS), 0.0
            return DEFAULT_RTOL, 0.0
        return (o.rtol or 0.0), (o.atol or 0.0)

    def _magnitude(self, r: sympy.Basic, s: sympy.Basic) -> tuple[bool, str]:
        if r == 0 or s == 0:
            return (r == s), ("Looks good." if r == s else "The order of magnitude is not right.")
        if (r > 0) != (s > 0):
            return False, "The sign is wrong."
        gap = abs(float(sympy.log(abs(s) / abs(r), 10).evalf(20)))
        if gap <= 0.5:
            return True, "Looks good: the order of magnitude is right."
        return False, f"The order of magnitude is off by about {round(gap)}."

    def _hint(self, r, s, rtol, atol, reading: Reading | None) -> str:
        if not _is_zero(r) and within(r, -s, rtol, atol):
            return "The sign is wrong."
        if not _is_zero(r) and not _is_zero(s):
            ratio = float(sympy.log(abs(s / r), 10).evalf(20))
            k = round(ratio) if math.isfinite(ratio) else 0  # 10^{10^{400}}: no float holds the ratio
            # |k| is bounded: 10**k for a huge k would be an exact computation that never ends
            if 0 < abs(k) <= 30 and (s > 0) == (r > 0) and within(
                    r, s / sympy.Float(10, 50) ** k, max(rtol, 1e-9), atol / 10.0**k if atol else 0):
                return f"Off by a power of ten (a factor of 10^{k}): check units and exponents."
        if reading is not None:
            given = significant_figures(reading.raw if reading.lhs is None else _value_text(reading.raw))
            if given is not None and not _is_zero(r):
                exponent = math.floor(float(sympy.log(abs(r), 10).evalf(30)))
                # in SymPy's Floats: a float overflows past 10^308 (a reference of 10^{1000})
                half_unit = sympy.Float(10, 30) ** (exponent - given + 1) * sympy.Float("0.5000000005", 30)
                if given < 15 and bool(abs(s - r) <= half_unit):
                    return "Right value, but too few significant figures."
        if not _is_zero(r) and within(r, s, CLOSE_RTOL, 0.0):
            return CLOSE_HINT
        return "The value is not right."


def _is_zero(value) -> bool:
    # SymPy's Float(0.0) != 0 (a Float never equals an Integer), hence is_zero.
    return value == 0 or bool(getattr(value, "is_zero", False))


def _value_text(raw: str) -> str:
    from grader.mathread import split_relations

    return split_relations(raw)[-1]


@register
class NumberChecker(Checker):
    kind = "number"
    Options = NumberOptions

    def read_problem(self, answer: Any, options: NumberOptions | None) -> str | None:
        if not isinstance(answer, (str, Reading)):
            return None
        try:
            _to_number(answer)
        except Unreadable as exc:
            return f"Could not read the answer as a number: {exc}"
        return None

    def check(self, reference: Any, answer: Any, options: NumberOptions | None = None) -> Verdict:
        options = options or NumberOptions()
        judge = _Judge(options)
        shape = array_shape(answer)
        if shape:
            # One number is asked: a 1x1 np.matrix from a product, or keepdims=True, has the wrong shape.
            return Verdict.incorrect(f"Expected one number, got an array of shape {describe_shape(shape)}.",
                                     hint="Expected one number, got an array.")
        if answer is None:
            return Verdict.incorrect(f"Expected a number, got {NOTHING_RETURNED}.", hint="Expected a number, got None.")
        if isinstance(answer, (list, tuple)):  # `[x]` is as wrong as np.array([x])
            kind = type(answer).__name__
            return Verdict.incorrect(f"Expected one number, got a {kind} of {len(answer)}.",
                                     hint=f"Expected one number, got a {kind}.")
        try:
            value, reading = _to_number(answer)
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read the answer as a number: {exc}", read_as=None)
        read_as = reading.latex if reading else _plain(value)
        percent = reading is not None and reading.percent
        if percent and options.percent:
            value = value * 100  # the reference counts percent: "28 %" is 28
        ok, message = judge.compare(reference, value, reading)
        if not ok and percent and not options.percent and judge.compare(reference, value * 100, None)[0]:
            # "28 %" for 28: the number before the % sign is the reference
            if options.percent is None and counts_percent(reference):
                ok, message = True, "Looks good."
            else:
                message = PERCENT_HINT
        if ok:
            return Verdict.correct(message, read_as=read_as)
        return Verdict.incorrect(message, read_as=read_as, hint=_hint_of(message))


# Feedback that names a kind of mistake and nothing of the values (Verdict.hint).  Not "an
# infinite value was expected": that tells a hidden case's expected value.
_FIXED_WORDS = {CLOSE_HINT, "The sign is wrong.", "The answer is not a number (nan).",
                "The answer is infinite; a finite value was expected.",
                "Right value, but too few significant figures."}


def _hint_of(message: str) -> str:
    if message in _FIXED_WORDS:
        return message
    if message.startswith("Off by a power of ten"):
        return "Off by a power of ten: check units and exponents."  # without the power, which the answer sets
    return ""


def counts_percent(reference: Any) -> bool:
    """May a reference equal to the number before a % sign be a count of percent ("28 %" for 28)?

    Only when it is larger than 1 in size: one of at most 1 may be a fraction or a ratio, which a
    % sign makes 100 times smaller (0.2505 % is not 0.2505)."""
    r = numeric_value(_python_number(reference), 20)
    return r is not None and bool(r.is_real) and bool(abs(r) > 1)


def _plain(value: Any) -> str:
    try:
        return sympy.latex(value) if isinstance(value, sympy.Basic) else repr(value)
    except (ValueError, TypeError):
        return "(a number)"
