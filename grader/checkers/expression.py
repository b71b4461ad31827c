"""Kind ``expression``: a formula in declared variables, e.g. ``1/4 - epsilon/8``.

Checks run cheap to expensive:

1. **structure** – the two SymPy trees are equal after evaluation;
2. **random points** – both are evaluated (30 digits) at ``points`` random
   points of the variables' domains; points where either side is undefined are
   redrawn.  One disagreeing point means "incorrect";
3. **proof** – ``simplify(reference - answer) == 0`` in a forked worker with a
   time and memory limit.  When the proof is not found in time, the verdict
   rests on the random points (as in WeBWorK) and says so in ``details``.

Variables are declared in the options as ``"name: domain"`` strings, e.g.
``("epsilon: real", "x: positive")``; domains are ``real`` (drawn from
[-2, 2]), ``positive`` / ``nonnegative`` ([0.1, 3]), ``negative``
([-3, -0.1]), ``integer`` ([-6, 6]) and ``complex``.  Students may write a
Greek name any usual way (``\\varepsilon``, ``\\epsilon``, ``ε``, ``eps``).
A symbol that is not declared makes the answer "could not read", with the
name shown.  With no declaration, the reference's own symbols are declared.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any, Mapping

import sympy

from grader.checkers.base import Checker, Verdict, register
from grader.mathread import LimitExceeded, Reading, Unreadable, is_plain_number, make_symbol, read_math, run_limited

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12
PROOF_SECONDS = 2.0
_DOMAINS = {
    "positive": (0.1, 3.0), "nonnegative": (0.1, 3.0), "negative": (-3.0, -0.1), "integer": (-6, 6),
}


@dataclass(frozen=True)
class ExpressionOptions:
    variables: tuple = ()
    rtol: float | None = None
    atol: float | None = None
    points: int = 5
    prove: bool = True


def declare(variables: tuple | list, reference: Any = None) -> dict[str, sympy.Symbol]:
    """Names -> symbols from ``"name: domain"`` strings, else from the reference."""
    names: dict[str, sympy.Symbol] = {}
    for spec in variables:
        name, symbol = make_symbol(spec) if isinstance(spec, str) else (spec.name, spec)
        names[name] = symbol
    if not variables and isinstance(reference, sympy.Basic):
        for sym in reference.free_symbols:
            names[sym.name] = sym
    return names


def _draw(symbol: sympy.Symbol, rng: random.Random) -> Any:
    if symbol.is_integer:
        return sympy.Integer(rng.randint(*_DOMAINS["integer"]))
    for key in ("positive", "nonnegative", "negative"):
        if getattr(symbol, "is_" + key):
            lo, hi = _DOMAINS[key]
            return sympy.Float(rng.uniform(lo, hi), 30)
    if symbol.is_real:
        x = rng.uniform(-2.0, 2.0)
        return sympy.Float(x if abs(x) > 0.05 else 0.5, 30)
    # complex or unspecified: real and imaginary parts
    return sympy.Float(rng.uniform(-2, 2), 30) + sympy.I * sympy.Float(rng.uniform(-2, 2), 30)


def _finite(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and value.is_number and not value.has(
        sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) and all(
        not a.is_infinite for a in value.atoms(sympy.Number))


# evalf(subs=...) works out each |…|'s argument twice (its real and its
# imaginary part), so nested bars cost 2^depth: 20 levels took 9 s a point.
# Deeper than this, the point is substituted first and evaluated bottom-up.
MAX_ABS_DEPTH_FOR_EVALF = 4


def _abs_depth(expr: Any) -> int:
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return 0
    return max(_abs_depth(a) for a in expr.args) + isinstance(expr, sympy.Abs)


def _substitute_first(expr: Any) -> bool:
    """Should ``expr`` be evaluated bottom-up (see MAX_ABS_DEPTH_FOR_EVALF)?  Worked out once per comparison."""
    try:
        return _abs_depth(expr) > MAX_ABS_DEPTH_FOR_EVALF
    except RecursionError:
        return True


def _evaluate_at(expr: Any, point: dict, substitute_first: bool = False) -> Any:
    try:
        if substitute_first:
            value = expr.xreplace(point).evalf(30)
        else:
            value = expr.evalf(30, subs=point)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError, AttributeError):
        return None
    if value.free_symbols or not _finite(value) or not is_plain_number(value):
        return None  # undefined there, or left a formula evalf could not work out
    return value


def sample_agree(reference: Any, answer: Any, symbols: list, *, points: int = 5, rtol: float = DEFAULT_RTOL,
                 atol: float = DEFAULT_ATOL, relation: str = "equal") -> tuple[bool | None, str]:
    """Compare at random points.  Returns (verdict or None if no usable point, note).

    ``relation="proportional"``: answer = c * reference for one nonzero
    constant c (equations written differently).
    """
    seed = int(hashlib.sha256((sympy.srepr(reference) + "|" + sympy.srepr(answer)).encode()).hexdigest()[:12], 16)
    rng = random.Random(seed)
    used = 0
    ratio = None
    deep_reference, deep_answer = _substitute_first(reference), _substitute_first(answer)
    attempts = 0
    while used < points and attempts < points * 6:
        attempts += 1
        point = {s: _draw(s, rng) for s in symbols}
        r = _evaluate_at(reference, point, deep_reference)
        a = _evaluate_at(answer, point, deep_answer)
        if r is None or a is None:
            continue
        used += 1
        if relation == "proportional":
            if abs(r) <= atol:
                if abs(a) > max(atol, 1e-12):
                    return False, "differs"
                continue
            c = a / r
            if ratio is None:
                if abs(c) <= 1e-12:
                    return False, "differs"
                ratio = c
            elif abs(c - ratio) > max(rtol * abs(ratio), atol):
                return False, "differs"
            continue
        if abs(a - r) > max(rtol * abs(r), atol):
            if abs(a + r) <= max(rtol * abs(r), atol) and abs(r) > atol:
                return False, "sign"
            return False, "differs"
    if used == 0:
        return None, "no point where both are defined"
    return True, f"equal at {used} random point(s)"


def _prove_zero(difference: Any) -> bool | None:
    # runs in the forked worker
    simplified = sympy.simplify(difference)
    if simplified == 0:
        return True
    if simplified.is_number and simplified != 0:
        return False
    return None


def prove_equal(reference: Any, answer: Any, timeout: float = PROOF_SECONDS) -> bool | None:
    """Exact proof under a time limit: True, False, or None (not found)."""
    try:
        difference = sympy.Add(reference, -answer)
    except (TypeError, ValueError):
        return None
    if difference == 0:
        return True
    try:
        return run_limited(_prove_zero, difference, timeout=timeout)
    except (LimitExceeded, RuntimeError, OSError):
        return None


def compare_expressions(reference: Any, answer: Any, symbols: list, options: ExpressionOptions) -> tuple[bool, str, tuple]:
    """(equal?, feedback, details) for two SymPy expressions."""
    if reference == answer:
        return True, "Looks good.", ("structurally equal",)
    rtol = options.rtol if options.rtol is not None else DEFAULT_RTOL
    atol = options.atol if options.atol is not None else DEFAULT_ATOL
    if not isinstance(answer, sympy.Expr) or not isinstance(reference, sympy.Expr):
        return False, "The answer is not an expression of the expected form.", ()
    agree, note = sample_agree(reference, answer, symbols, points=max(1, options.points), rtol=rtol, atol=atol)
    if agree is False:
        if note == "sign":
            return False, "The sign is wrong.", (note,)
        return False, "The expression is not equivalent to the expected one.", ("differs at a random point",)
    if not options.prove:
        return bool(agree), "Looks good.", (note,)
    proof = prove_equal(reference, answer)
    if proof is True:
        return True, "Looks good.", (note, "proved equal")
    if proof is False:
        return False, "The expression is not equivalent to the expected one.", (note, "proved different")
    if agree:
        return True, "Looks good.", (note, "exact proof not found within the time limit")
    return False, "Could not establish that the expression is equivalent.", (note,)


@register
class ExpressionChecker(Checker):
    kind = "expression"
    Options = ExpressionOptions

    def read_problem(self, answer: Any, options: ExpressionOptions | None) -> str | None:
        options = options or ExpressionOptions()
        if not isinstance(answer, (str, Reading)) or not options.variables:
            return None  # without declared variables, only the reference says which names are known
        try:
            _read(answer, declare(options.variables))
        except Unreadable as exc:
            return f"Could not read the answer: {exc}"
        return None

    def check(self, reference: Any, answer: Any, options: ExpressionOptions | None = None) -> Verdict:
        options = options or ExpressionOptions()
        if isinstance(reference, str):
            reference = read_math(reference).value
        reference = sympy.sympify(reference) if isinstance(reference, (int, float)) else reference
        names = declare(options.variables, reference)
        try:
            reading = _read(answer, names)
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read the answer: {exc}")
        value = reading.value if isinstance(reading, Reading) else reading
        read_as = reading.latex if isinstance(reading, Reading) else None
        if isinstance(reading, Reading) and reading.kind not in ("number", "expression"):
            return Verdict.incorrect(f"Expected an expression, read a {reading.kind}.", read_as=read_as)
        symbols = sorted(set(names.values()), key=lambda s: s.name)
        ok, feedback, details = compare_expressions(reference, value, symbols, options)
        status_verdict = Verdict.correct(feedback, read_as) if ok else Verdict.incorrect(feedback, read_as)
        return Verdict(status_verdict.status, status_verdict.credit, feedback, read_as, tuple(details))


def _read(answer: Any, names: Mapping[str, sympy.Symbol]) -> Reading | Any:
    if isinstance(answer, Reading):
        return answer
    if isinstance(answer, str):
        return read_math(answer, variables=names)
    if isinstance(answer, bool):
        raise Unreadable("expected an expression, got true/false", repr(answer))
    if isinstance(answer, (int, float)):
        return sympy.Float(answer, 30) if isinstance(answer, float) else sympy.Integer(answer)
    if isinstance(answer, sympy.Basic):
        return answer
    raise Unreadable(f"expected an expression, got {type(answer).__name__}", repr(answer)[:60])
