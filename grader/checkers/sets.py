"""Kinds ``interval`` and ``set``: subsets of the real line, as SymPy sets.

Accepted answers: intervals ``[a, b)``, ``(-\\infty, 1] \\cup (2, 3)``,
``\\mathbb{R}`` / "all real numbers", finite sets ``\\{1, 2\\}``, ``x \\in S``,
and inequalities in one variable (``-2 \\le x \\le 7``, ``x \\neq 3``), which are
solved into sets (one that holds for every x, ``x^2+1 > 0``, is ℝ; one that
never holds is the empty set).  Unions are reduced, so ``(-\\infty, \\infty)`` equals
``\\mathbb{R}`` and ``[0,1] \\cup [1,2]`` equals ``[0,2]``.  A pair from code,
``(low, high)``, is compared by its ends (a pair cannot say open or closed).

Open and closed ends matter; when only end types are wrong the feedback says
so.  An end closed at ±∞ (``[-\\infty, \\infty]``) is such a wrong end type: ∞ is
not a real number.  SymPy opens that end as it builds the interval, so the
checker sees it only when the reading reports it (``closed_at_infinity``).
Options: ``variable`` (the name an inequality or ``x \\in S`` must use; any
single name when not given), ``rtol``/``atol`` for the ends (exact when
neither is given).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from grader.checkers.base import Checker, Verdict, register
from grader.mathread import (NOT_REAL_END, Reading, Unreadable, canonical_name, interval_end_problem, numeric_value,
                             quoted, read_math)

MAX_DEGREE = 4
MAX_ABSOLUTE_VALUES = 4
NO_UNKNOWN = "the inequality does not involve the variable"
CLOSED_AT_INFINITY = ("The endpoints are right, but an end at ∞ is closed: ∞ is not a real number, so the "
                      "interval is open there.")


@dataclass(frozen=True)
class SetOptions:
    variable: str | None = None
    rtol: float | None = None
    atol: float | None = None


def relation_to_set(relation: Any, raw: str = "") -> sympy.Set:
    """Solve an inequality/equation chain in one unknown into a subset of ℝ."""
    if isinstance(relation, sympy.And):
        sets = [relation_to_set(r, raw) for r in relation.args]
        return sympy.Intersection(*sets)
    if isinstance(relation, sympy.Or):
        return sympy.Union(*[relation_to_set(r, raw) for r in relation.args])
    if not isinstance(relation, Relational):
        raise Unreadable("expected an inequality", raw)
    if any(isinstance(side, sympy.Set) or side.atoms(sympy.Set) for side in relation.args):
        raise Unreadable("an inequality compares numbers, not sets (write ε ∈ ℝ for a set)", raw)
    for kind, what in ((sympy.MatrixBase, "matrices"), (sympy.Tuple, "pairs")):
        if any(isinstance(side, kind) or side.atoms(kind) for side in relation.args):
            raise Unreadable(f"an inequality compares numbers, not {what}", raw)
    unknowns = _unknowns(relation)
    if len(unknowns) > 1:
        raise Unreadable("an inequality must have exactly one unknown", raw)
    x = sympy.Dummy("x", real=True)
    # x^2+1 > 0 holds for every real x: SymPy decides it as it builds it (of any degree)
    rel = relation.xreplace({unknowns.pop(): x}) if unknowns else relation.func(*relation.args)
    if isinstance(rel, BooleanAtom):
        return sympy.Reals if rel else sympy.EmptySet
    if not rel.has(x):
        raise Unreadable(NO_UNKNOWN, raw)
    lhs, rhs = rel.lhs, rel.rhs
    # fast path: x OP number / number OP x
    if isinstance(rel, sympy.Ne):
        other = rhs if lhs == x else lhs if rhs == x else None
        if other is not None and other.is_number:
            return sympy.Complement(sympy.Reals, sympy.FiniteSet(other))
    try:
        poly = sympy.Poly(sympy.Add(lhs, -rhs), x)
        degree = poly.degree()
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        degree = None
    if degree is not None and degree > MAX_DEGREE:
        raise Unreadable("the inequality is too complicated to solve", raw)
    if degree is None and _too_complex(rel):
        raise Unreadable("the inequality is too complicated to solve", raw)
    try:
        if isinstance(rel, sympy.Ne):
            return sympy.Complement(sympy.Reals, sympy.solveset(sympy.Eq(lhs, rhs), x, sympy.Reals))
        if isinstance(rel, sympy.Eq):
            return sympy.solveset(rel, x, sympy.Reals)
        from sympy.solvers.inequalities import solve_univariate_inequality

        return solve_univariate_inequality(rel, x, relational=False, domain=sympy.Reals)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise Unreadable("could not turn the inequality into a set", raw) from exc


def _unknowns(relation: Relational) -> set:
    found = set()
    for side in (relation.lhs, relation.rhs):
        for app in side.atoms(sympy.core.function.AppliedUndef):
            found.add(app)
        found |= {s for s in side.free_symbols if not any(s in a.free_symbols for a in found)}
    # f(x): the application is the unknown, not x inside it
    apps = {f for f in found if isinstance(f, sympy.core.function.AppliedUndef)}
    if apps:
        found = apps | {s for s in found if not isinstance(s, sympy.core.function.AppliedUndef)
                        and not any(s in a.free_symbols for a in apps)}
    return found


def _too_complex(rel: Relational) -> bool:
    """Beyond what SymPy's inequality solver does in a moment: each |…| doubles the cases it
    solves (13 of them take minutes), and denominators multiply into one polynomial."""
    allowed = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Abs, sympy.Symbol, sympy.Number, sympy.Dummy,
               sympy.core.numbers.NumberSymbol)
    absolute_values = denominator_degree = 0
    for node in sympy.preorder_traversal(rel.lhs - rel.rhs):
        if not isinstance(node, allowed):
            return True
        if isinstance(node, sympy.Abs):
            absolute_values += 1
        if isinstance(node, sympy.Pow) and node.exp.is_number:
            if abs(node.exp) > MAX_DEGREE:
                return True
            if node.exp.is_negative and node.base.free_symbols:
                denominator_degree += _degree(node.base) * abs(node.exp)
    return absolute_values > MAX_ABSOLUTE_VALUES or denominator_degree > MAX_DEGREE


def _degree(expr: Any) -> float:
    try:
        return sympy.Poly(expr, *expr.free_symbols).total_degree()
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        return MAX_DEGREE + 1


def as_set(value: Any, raw: str = "") -> sympy.Set:
    """A SymPy set from a reading's value, a pair, or a relation."""
    if isinstance(value, sympy.Set):
        return value
    if isinstance(value, (sympy.Tuple, tuple, list)) and len(value) == 2:
        lo, hi = (_num(v) for v in value)
        for end in (lo, hi):
            problem = interval_end_problem(end)
            if problem:
                raise Unreadable(problem, raw)
        try:
            return sympy.Interval(lo, hi, True, True)
        except (ValueError, TypeError) as exc:
            raise Unreadable(NOT_REAL_END, raw) from exc
    if isinstance(value, (Relational, sympy.And, sympy.Or)):
        return relation_to_set(value, raw)
    if isinstance(value, BooleanAtom):  # 1 > 0: an inequality about x would have stayed one
        raise Unreadable(NO_UNKNOWN, raw)
    if isinstance(value, sympy.Basic) and value.is_number:
        if value.has(sympy.nan, sympy.zoo):
            raise Unreadable("expected an interval or a set, and an undefined value (such as 0/0) is neither", raw)
        return sympy.FiniteSet(value)
    raise Unreadable("expected an interval or a set", raw)


def _num(v: Any) -> Any:
    if isinstance(v, float):
        if v == float("inf"):
            return sympy.oo
        if v == float("-inf"):
            return -sympy.oo
        return sympy.Float(v, 30)
    if isinstance(v, int) and not isinstance(v, bool):
        return sympy.Integer(v)
    if isinstance(v, (sympy.Basic, str, bool)):
        return v
    try:  # NumPy's numbers from code (np.int64(0)), a complex
        return sympy.sympify(v, strict=True)
    except (sympy.SympifyError, TypeError, ValueError):
        return v


def components(s: sympy.Set) -> list[tuple[Any, Any, bool, bool]]:
    """A reduced set as sorted (lo, hi, left_open, right_open) pieces; points have lo == hi."""
    if s is sympy.EmptySet:
        return []
    if s == sympy.Reals:
        return [(-sympy.oo, sympy.oo, True, True)]
    if isinstance(s, sympy.Interval):
        return [(s.start, s.end, bool(s.left_open), bool(s.right_open))]
    if isinstance(s, sympy.FiniteSet):
        return sorted(((p, p, False, False) for p in s), key=lambda c: _key(c[0]))
    if isinstance(s, sympy.Union):
        pieces = [c for arg in s.args for c in components(arg)]
        return sorted(pieces, key=lambda c: (_key(c[0]), _key(c[1])))
    if isinstance(s, sympy.Complement) and s.args[0] == sympy.Reals and isinstance(s.args[1], sympy.FiniteSet):
        points = sorted(s.args[1], key=_key)
        ends = [-sympy.oo] + points + [sympy.oo]
        return [(a, b, True, True) for a, b in zip(ends, ends[1:])]
    raise ValueError(f"cannot compare this kind of set: {type(s).__name__}")


def _key(v: Any) -> float:
    n = numeric_value(v, 20)
    try:
        return float(n) if n is not None else 0.0
    except TypeError:
        return 0.0


def _close(a: Any, b: Any, rtol: float | None, atol: float | None) -> bool:
    if a == b:
        return True
    if a.is_infinite or b.is_infinite:
        return False
    x, y = numeric_value(a, 40), numeric_value(b, 40)
    if x is None or y is None:
        return False
    if rtol is None and atol is None:
        return bool(abs(x - y) <= 1e-30 * max(abs(x), 1))
    return bool(abs(y - x) <= max((rtol or 0) * abs(x), atol or 0))


def compare_sets(reference: sympy.Set, answer: sympy.Set, rtol: float | None = None,
                 atol: float | None = None, ends_only: bool = False) -> tuple[bool, str]:
    """(equal?, feedback) for two subsets of the real line."""
    if reference == answer:
        return True, "Looks good."
    try:
        ref_c, ans_c = components(reference), components(answer)
    except ValueError:
        try:
            same = sympy.Complement(reference, answer) is sympy.EmptySet and sympy.Complement(
                answer, reference) is sympy.EmptySet
        except Exception:  # SymPy set algebra can fail on odd sets
            same = False
        return same, "Looks good." if same else "The set is not right."
    if len(ref_c) != len(ans_c):
        return False, "The set is not right (it has a different number of pieces)."
    ends_ok = all(_close(r[0], a[0], rtol, atol) and _close(r[1], a[1], rtol, atol) for r, a in zip(ref_c, ans_c))
    if not ends_ok:
        return False, "The set is not right."
    if ends_only:
        return True, "Looks good."
    types_ok = all(r[2] == a[2] and r[3] == a[3] for r, a in zip(ref_c, ans_c))
    if types_ok:
        return True, "Looks good."
    return False, "The endpoints are right, but an end is open where it should be closed, or closed where it should be open."


class _SetChecker(Checker):
    Options = SetOptions

    def check(self, reference: Any, answer: Any, options: SetOptions | None = None) -> Verdict:
        options = options or SetOptions()
        ref_set = as_set(_num_pair(reference))
        ends_only = False
        read_as = reading = None
        try:
            if isinstance(answer, (str, Reading)):
                reading = answer if isinstance(answer, Reading) else read_math(answer, variables=self._names(answer, options))
                read_as = reading.latex
                wrong_name = self._wrong_name(reading, options)
                if wrong_name:
                    return Verdict.unreadable(wrong_name, read_as)
                ans_set = as_set(reading.value, reading.raw)
            elif isinstance(answer, (list, tuple)) and len(answer) == 2:
                ans_set = as_set(tuple(answer))
                ends_only = True
            else:
                raise Unreadable(f"expected an interval or a set, got {type(answer).__name__}", repr(answer)[:60])
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read the answer as a set: {exc}", read_as)
        ok, feedback = compare_sets(ref_set, ans_set, options.rtol, options.atol, ends_only=ends_only)
        if ok and getattr(reading, "closed_at_infinity", False):
            # the set as read is right only because SymPy opened the end at ±∞ that the student closed
            return Verdict.incorrect(CLOSED_AT_INFINITY, read_as)
        return Verdict.correct(feedback, read_as) if ok else Verdict.incorrect(feedback, read_as)

    def read_problem(self, answer: Any, options: SetOptions | None) -> str | None:
        if not isinstance(answer, (str, Reading)):
            return None
        options = options or SetOptions()
        try:
            reading = answer if isinstance(answer, Reading) else read_math(answer, variables=self._names(answer, options))
            wrong_name = self._wrong_name(reading, options)
            if wrong_name:
                return wrong_name
            as_set(reading.value, reading.raw)
        except Unreadable as exc:
            return f"Could not read the answer as a set: {exc}"
        return None

    @staticmethod
    def _wrong_name(reading: Reading, options: SetOptions) -> str:
        if options.variable and reading.lhs and canonical_name(reading.lhs) != canonical_name(options.variable):
            return (f"Could not read the answer: unknown name {quoted(reading.lhs)}; the set should be given for "
                    f"{options.variable}.")
        return ""

    def _names(self, answer: Any, options: SetOptions) -> dict | None:
        """The names an answer may use: the set's variable, when the spec names one (else any name), and R.

        Beside the variable, a bare R ("ε ∈ R", "R \\ {0}") can only be ℝ typed without \\mathbb."""
        if options.variable:
            name = canonical_name(options.variable)
            return {"R": sympy.S.Reals, name: sympy.Symbol(name, real=True)}  # a variable named R stays one
        return None


def _num_pair(reference: Any) -> Any:
    if isinstance(reference, (list, tuple)) and len(reference) == 2:
        return tuple(_num(v) for v in reference)
    return reference


@register
class IntervalChecker(_SetChecker):
    kind = "interval"


@register
class SetChecker(_SetChecker):
    kind = "set"
