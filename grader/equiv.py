"""Is a student's answer equivalent to a reference?  ``grader equiv`` and its Python API.

Python::

    from grader.equiv import equivalent
    verdict = equivalent(r"\\frac{x}{7}+\\frac{2}{7}", r"\\frac{x+2}{7}")
    verdict.status      # Status.CORRECT / INCORRECT / UNREADABLE
    verdict.feedback    # why

``equivalent(student, reference, kind=None, variables=(), rtol=None, atol=None)``
compares reference first: tolerances are relative to the reference.  Both
may be LaTeX or plain text (the reference may also be a SymPy object or a
number).  With ``kind`` (``number``, ``expression``, ``interval``, ``set``,
``choice``, ...) the checker of that kind decides; without it the kind is
taken from what the reference is.  ``variables`` declares the names the
student may use (``"x"``, ``"epsilon: positive"``); by default they are the
reference's own symbols.  The status is ``UNREADABLE`` when either side
cannot be read; the feedback then names the offending text.

Conventions applied when reading free-form answers (each keeps a real
answer's meaning; none accepts a wrong value):

* the final answer is taken from ``\\boxed{}`` (several boxes: all of them),
  else from the math spans ``$..$``, ``\\(..\\)``, ``\\[..\\]``;
* a chain ``x = 5 + 5 + 1 = 11`` states its last value; when it ends with
  ``\\approx``, the last exact (``=``) value counts; ``x = 11`` and ``11``
  are the same answer when ``x`` is a name (``2x + z = 1`` is an equation);
* lists (``1, 2``; ``1 and 2``; ``p=5, q=2; p=7, q=2``) are compared without
  regard to order, except against a tuple ``(a, b)``, which is ordered;
  ``\\pm`` gives two answers;
* ``1,000.5`` and ``1 000`` group thousands; ``1,22`` alone is a decimal
  comma when the other side is one number; ``%``/``percent``/``pct`` divide by
  100, and ``28%`` also matches a bare ``28``; a trailing unit in
  ``\\text{...}`` and a currency ``$`` are ignored;
* inequalities in one unknown and ``x \\in S`` are compared as sets;
  equations as equations (``2x + 4y = 3`` equals ``y = -x/2 + 3/4``);
* numbers: both exact -> equal exactly; otherwise ``rtol`` (default 1e-6)
  and ``atol`` (default 0).

Command line: ``grader equiv STUDENT REFERENCE [--kind K] [--vars V,...]
[--rtol X] [--atol X]`` prints the verdict and why; exit 0 equivalent,
1 not equivalent, 2 unreadable.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import re
import sys
from dataclasses import dataclass
from typing import Any, Mapping

import sympy
from sympy.core.relational import Relational

from grader.checkers.base import Status, Verdict, get_checker, make_options
from grader.checkers.choice import normalise_choice
from grader.checkers.expression import ExpressionOptions, compare_expressions, sample_agree
from grader.checkers.number import NumberOptions, _Judge, counts_percent
from grader.checkers.sets import as_set, compare_sets
from grader.checkers.values import read_values
from grader.mathread import (
    Reading,
    Unreadable,
    brackets_balanced,
    _split_top,
    canonical_name,
    make_symbol,
    normalise,
    read_math,
)

__all__ = ["equivalent", "run", "extract_answer"]

MAX_INPUT = 20000  # prose around an answer may be long; the answer itself is capped by the reader


# --- extraction -----------------------------------------------------------
def _boxed_contents(text: str) -> list[str]:
    found = []
    end_of_last = -1
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        start = m.end() - 1
        if start < end_of_last:
            continue  # a box inside a box: the outer one holds it
        depth = 0
        for i in range(start, len(text)):
            ch = text[i]
            if ch == "{" and text[i - 1] != "\\":
                depth += 1
            elif ch == "}" and text[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    found.append(text[start + 1: i])
                    end_of_last = i
                    break
        else:
            found.append(text[start + 1:])  # unclosed box: take the rest
            end_of_last = len(text)
    return found


_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\\((.+?)\\\)", re.S)


def extract_answer(text: str) -> str:
    """The answer part of a free-form string (boxes, then math spans, else all)."""
    s = re.sub(r"\\n(?![a-zA-Z])", "\n", text).strip()  # a literal \n from an over-escaped string
    boxed = _boxed_contents(s)
    if boxed:
        return " ; ".join(b.strip() for b in boxed)
    spans = [next(g for g in m.groups() if g is not None) for m in _SPAN.finditer(s)]
    if spans:
        outside = _SPAN.sub(" ", s).strip()
        if len(spans) == 1 or not outside.strip(" .,;"):
            joined = " ; ".join(sp.strip() for sp in spans) if len(spans) > 1 else spans[0].strip()
        else:
            joined = " ; ".join(sp.strip() for sp in spans)
        return joined.strip().rstrip(".").strip()
    s = s.replace("$", " ").strip()  # a lone $ is a currency sign
    return s.rstrip(".").strip()


# --- answers: one value or several ---------------------------------------
@dataclass(frozen=True)
class _Many:
    items: tuple
    ordered: bool = False  # a tuple built from assignments p=5, q=2


_GROUP_SEP = re.compile(
    r";|\\text\s*\{\s*(?:and|or)\s*\}|(?<![A-Za-z\\])(?:and|or)(?![A-Za-z])"
)
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


def _decimal_comma(text: str) -> str:
    s = text.strip()
    if _DECIMAL_COMMA.fullmatch(s) and not _THOUSANDS.fullmatch(s):
        return s.replace(",", ".")
    return text


def _semicolons_in_brackets(text: str) -> str:
    """``(0;0;0)`` is a triple: inside brackets a semicolon separates coordinates."""
    out = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        out.append("," if ch == ";" and depth > 0 else ch)
    return "".join(out)


def _is_single(text: str) -> bool:
    s = normalise(text)
    return len(_split_top(s, _GROUP_SEP)) == 1 and len(_split_top(s, re.compile(","))) == 1


def _read_answer(text: str, names: Mapping[str, Any] | None) -> Any:
    s = normalise(text)
    s = re.sub(r"\\text\s*\{\s*,?\s*(and|or)\s*\}", r" \1 ", s)
    if s.startswith("{") and s.endswith("}") and brackets_balanced(s[1:-1]):
        s = s[1:-1]  # TeX grouping braces, not a set
    s = _semicolons_in_brackets(s)
    groups = [g for g in _split_top(s, _GROUP_SEP) if g.strip(" ,")]
    if not groups:
        raise Unreadable("the answer is empty", text)
    elements: list = []
    for group in groups:
        group = group.strip().strip(",").strip()
        if _THOUSANDS.fullmatch(group):
            items = [group]
        else:
            items = [i for i in _split_top(group, re.compile(",")) if i.strip()]
        readings = [read_math(i, variables=names, prefer="exact") for i in items]
        if len(groups) > 1 and len(readings) > 1 and all(r.lhs for r in readings):
            elements.append(_Many(tuple(readings), ordered=True))
        elif len(groups) == 1 and len(readings) == 1:
            return readings[0]
        else:
            elements.extend(readings)
    return _Many(tuple(elements))


# --- comparison -----------------------------------------------------------
@dataclass(frozen=True)
class _Settings:
    rtol: float | None
    atol: float | None
    symbols: tuple


def _elements(node: Any) -> tuple[list, str] | None:
    """(items, "ordered"/"unordered") for collections, else None."""
    if isinstance(node, _Many):
        return list(node.items), "ordered" if node.ordered else "list"
    if isinstance(node, Reading):
        v = node.value
        if isinstance(v, sympy.Tuple):
            return list(v), "ordered"
        if isinstance(v, sympy.FiniteSet) and len(v) > 0:
            return list(v), "unordered"
    return None


def _same(ref: Any, stu: Any, cfg: _Settings) -> tuple[bool, str]:
    ref_e, stu_e = _elements(ref), _elements(stu)
    # a pair against an interval: the pair is an open interval
    if ref_e and stu_e is None and _set_like(_value(stu)) and ref_e[1] == "ordered" and len(ref_e[0]) == 2:
        return _same_values(as_set(_value(ref)), as_set(_with_lhs(_value(stu), stu)), cfg, ref, stu)
    if stu_e and ref_e is None and _set_like(_value(ref)) and stu_e[1] == "ordered" and len(stu_e[0]) == 2:
        return _same_values(as_set(_value(ref)), as_set(_value(stu)), cfg, ref, stu)
    if ref_e is None and stu_e is not None and len(stu_e[0]) == 1:
        return _same(ref, stu_e[0][0], cfg)
    if stu_e is None and ref_e is not None and len(ref_e[0]) == 1:
        return _same(ref_e[0][0], stu, cfg)
    if ref_e is None and stu_e is None:
        return _same_values(_value(ref), _value(stu), cfg, ref, stu)
    if ref_e is None or stu_e is None:
        return False, "The answer has a different form (one value versus several)."
    ref_items, ref_mode = ref_e
    stu_items, stu_mode = stu_e
    ordered = "ordered" in (ref_mode, stu_mode) and "unordered" not in (ref_mode, stu_mode)
    if ordered:
        if len(ref_items) != len(stu_items):
            return False, f"Expected {len(ref_items)} values, got {len(stu_items)}."
        for a, b in zip(ref_items, stu_items):
            ok, why = _same(a, b, cfg)
            if not ok:
                return False, why
        return True, "Looks good."
    # as sets: every expected value given, every given value expected (repeats allowed)
    for a in ref_items:
        if not any(_same(a, b, cfg)[0] for b in stu_items):
            return False, "At least one of the expected values is missing or wrong."
    for b in stu_items:
        if not any(_same(a, b, cfg)[0] for a in ref_items):
            return False, "At least one of the values given is not expected."
    return True, "Looks good."


def _set_like(value: Any) -> bool:
    return isinstance(value, sympy.Set) or _is_inequality(value)


def _value(node: Any) -> Any:
    return node.value if isinstance(node, Reading) else node


def _same_values(r: Any, s: Any, cfg: _Settings, ref_node: Any = None, stu_node: Any = None) -> tuple[bool, str]:
    if isinstance(r, str) or isinstance(s, str):
        left = normalise_choice(r if isinstance(r, str) else getattr(ref_node, "raw", str(r)))
        right = normalise_choice(s if isinstance(s, str) else getattr(stu_node, "raw", str(s)))
        return (left == right), ("Looks good." if left == right else "The answer is not the expected one.")
    if isinstance(r, sympy.MatrixBase) or isinstance(s, sympy.MatrixBase):
        if not (isinstance(r, sympy.MatrixBase) and isinstance(s, sympy.MatrixBase)):
            return False, "Expected a matrix." if isinstance(r, sympy.MatrixBase) else "Did not expect a matrix."
        if r.shape != s.shape:
            return False, f"The matrix has shape {s.shape[0]}×{s.shape[1]}; a different shape was expected."
        for a, b in zip(r, s):
            ok, why = _same_values(a, b, cfg)
            if not ok:
                return False, "At least one matrix entry is wrong."
        return True, "Looks good."
    if isinstance(r, sympy.Set) or isinstance(s, sympy.Set) or _is_inequality(r):
        try:
            rs = as_set(r)
            ss = as_set(_with_lhs(s, stu_node)) if not isinstance(s, sympy.Set) else s
        except Unreadable as exc:
            return False, f"Expected a set or an inequality ({exc.message})."
        return compare_sets(rs, ss, cfg.rtol, cfg.atol)
    if isinstance(r, sympy.Eq):
        s = _with_lhs(s, stu_node)
        if not isinstance(s, sympy.Eq):
            return False, "Expected an equation."
        d_ref = sympy.Add(r.lhs, -r.rhs)
        d_stu = sympy.Add(s.lhs, -s.rhs)
        symbols = sorted(d_ref.free_symbols | d_stu.free_symbols, key=lambda x: x.name)
        if d_ref == d_stu or d_ref == -d_stu:
            return True, "Looks good."
        agree, _ = sample_agree(d_ref, d_stu, symbols, points=6, relation="proportional")
        return bool(agree), "Looks good." if agree else "The equation is not equivalent to the expected one."
    if isinstance(s, (Relational, sympy.And, sympy.Or)):
        return False, "Expected a value, not a relation."
    if not isinstance(r, sympy.Basic) or not isinstance(s, sympy.Basic):
        return False, "The answer has a different form."
    if r.is_number and s.is_number:
        judge = _Judge(NumberOptions(rtol=cfg.rtol, atol=cfg.atol))
        try:
            ok, why = judge.compare(r, s, stu_node if isinstance(stu_node, Reading) else None)
        except ValueError:
            return False, "The answer is not the expected number."
        if not ok:
            ref_pct = isinstance(ref_node, Reading) and ref_node.percent
            stu_pct = isinstance(stu_node, Reading) and stu_node.percent
            # "28 %" for 28, or 28 for "28 %"; but 0.2505 % is not 0.2505 (see checkers.number)
            if ref_pct != stu_pct and (ref_pct or counts_percent(r)):
                alt_r = r * 100 if ref_pct else r
                alt_s = s * 100 if stu_pct else s
                if judge.compare(alt_r, alt_s, None)[0]:
                    return True, "Looks good."
        return ok, why
    symbols = sorted(r.free_symbols | s.free_symbols, key=lambda x: x.name)
    if not symbols:
        return False, "The answer is not the expected value."
    ok, why, details = compare_expressions(r, s, symbols, ExpressionOptions(rtol=cfg.rtol, atol=cfg.atol, prove=False))
    if not ok and details and "no point" in details[0]:
        return False, "Could not evaluate the expressions to compare them."
    return ok, why


def _is_inequality(v: Any) -> bool:
    if isinstance(v, (sympy.And, sympy.Or)):
        return True
    return isinstance(v, Relational) and not isinstance(v, sympy.Eq)


def _with_lhs(value: Any, node: Any) -> Any:
    """``y = expr`` read as an assignment back into an equation (or ``x ∈ S``)."""
    if isinstance(node, Reading) and node.lhs and isinstance(value, sympy.Expr):
        name = canonical_name(node.lhs)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            return sympy.Eq(sympy.Symbol(name), value, evaluate=False)
    return value


# --- the API --------------------------------------------------------------
def _declared(variables: Any, reference: Any) -> dict | None:
    names: dict = {}
    for spec in variables or ():
        name, symbol = make_symbol(spec)
        names[name] = symbol
    return names or None


def _names_of(node: Any) -> dict:
    found: dict = {}
    values = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, _Many):
            stack.extend(n.items)
        elif isinstance(n, Reading):
            values.append(n.value)
            lhs = canonical_name(n.lhs) if n.lhs else ""
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", lhs) and isinstance(n.value, sympy.Set):
                found[lhs] = sympy.Symbol(lhs)  # x ∈ S names x
    for v in values:
        if isinstance(v, sympy.MatrixBase):
            syms = set().union(*(e.free_symbols for e in v)) if len(v) else set()
            apps = set()
        elif isinstance(v, sympy.Basic):
            syms = v.free_symbols
            apps = v.atoms(sympy.core.function.AppliedUndef)
        else:
            continue
        for s in syms:
            found[s.name] = s
        for a in apps:
            found[canonical_name(str(a.func))] = a.func
    return found


def equivalent(student: Any, reference: Any, kind: str | None = None, variables: Any = (),
               rtol: float | None = None, atol: float | None = None) -> Verdict:
    """Compare ``student`` with ``reference`` (reference first); see the module docstring.

    Raises ValueError for a tolerance that is not a finite number >= 0."""
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if tolerance is not None and not (math.isfinite(tolerance) and tolerance >= 0):
            raise ValueError(f"--{name} must be a finite number of at least 0, not {tolerance:g}")
    try:
        declared = _declared(variables, reference)
    except ValueError as exc:
        return Verdict.unreadable(f"Bad variable declaration: {exc}")
    if kind is not None:
        return _with_kind(student, reference, kind, variables, rtol, atol)
    if isinstance(student, str) and isinstance(reference, str):
        if len(student) > MAX_INPUT or len(reference) > MAX_INPUT:
            return Verdict.unreadable("The text is too long to be one answer.")
        if " ".join(student.split()) == " ".join(reference.split()):
            return Verdict.correct("Looks good (identical).", read_as=None)
    ref_text = extract_answer(reference) if isinstance(reference, str) else None
    stu_text = extract_answer(student) if isinstance(student, str) else None
    if ref_text is not None and stu_text is not None:
        if _is_single(stu_text):
            ref_text = _decimal_comma(ref_text)
        if _is_single(ref_text):
            stu_text = _decimal_comma(stu_text)
    try:
        ref_node = _read_answer(ref_text, declared) if ref_text is not None else _from_value(reference)
    except Unreadable as exc:
        return Verdict.unreadable(f"Could not read the reference: {exc}")
    except Exception as exc:  # noqa: BLE001 - the reader's failure: one line, never SymPy's text
        return Verdict.unreadable(f"Could not read the reference ({type(exc).__name__}).")
    if isinstance(ref_node, Reading) and ref_node.kind == "text" and stu_text is not None:
        same = normalise_choice(stu_text) == normalise_choice(ref_node.value)
        return Verdict.correct("Looks good.") if same else Verdict.incorrect("The answer is not the expected one.")
    names = declared if declared is not None else _names_of(ref_node)
    try:
        stu_node = _read_answer(stu_text, names) if stu_text is not None else _from_value(student)
    except Unreadable as exc:
        fallback = _number_in_prose(stu_text, ref_node) if stu_text is not None else None
        if fallback is None:
            return Verdict.unreadable(f"Could not read the answer: {exc}")
        stu_node = fallback
    except Exception as exc:  # noqa: BLE001 - the reader's failure: one line, never SymPy's text
        return Verdict.unreadable(f"Could not read the answer ({type(exc).__name__}).")
    cfg = _Settings(rtol=rtol, atol=atol, symbols=tuple(names.values()) if names else ())
    read_as = stu_node.latex if isinstance(stu_node, Reading) else None
    try:
        ok, why = _same(ref_node, stu_node, cfg)
    except Unreadable as exc:
        return Verdict.unreadable(f"Could not compare: {exc}", read_as)
    except Exception as exc:  # noqa: BLE001 - a comparison's failure: one line, never SymPy's text
        return Verdict.unreadable(f"Could not compare these answers ({type(exc).__name__}).", read_as)
    return Verdict.correct(why, read_as) if ok else Verdict.incorrect(why, read_as)


def _from_value(value: Any) -> Any:
    if isinstance(value, Reading):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = sympy.Integer(value) if isinstance(value, int) else sympy.Float(value, 30)
        return Reading(raw=repr(value), value=v, latex=sympy.latex(v), kind="number")
    if isinstance(value, (list, tuple)):
        return _Many(tuple(_from_value(v) for v in value), ordered=isinstance(value, tuple))
    if isinstance(value, sympy.Basic) or isinstance(value, sympy.MatrixBase):
        return Reading(raw=str(value), value=value, latex=sympy.latex(value), kind="expression")
    raise Unreadable(f"cannot compare a {type(value).__name__}", repr(value)[:60])


_NUMBER_TOKEN = re.compile(r"(?<![\w.,])-?\d+(?:[.,]\d+)?(?![\w,.]\w)")


def _number_in_prose(text: str, ref_node: Any) -> Reading | None:
    """The one number in a sentence ("Soucis : 2,74 a.."), when a number is expected."""
    if not (isinstance(ref_node, Reading) and ref_node.kind == "number"):
        return None
    if any(mark in text for mark in "\\{}^_") or not re.search(r"\s", text.strip()):
        return None  # broken maths (an unclosed \frac{1}{, 2.5¼), not a sentence: it stays unreadable
    tokens = _NUMBER_TOKEN.findall(text)
    if len(tokens) != 1:
        return None
    try:
        return read_math(_decimal_comma(tokens[0]), variables={})
    except Unreadable:
        return None


def _with_kind(student: Any, reference: Any, kind: str, variables: Any, rtol: float | None,
               atol: float | None) -> Verdict:
    if kind in _NOT_FROM_TEXT:
        return Verdict.unreadable(f"answers of kind '{kind}' are not compared as text: {_NOT_FROM_TEXT[kind]}")
    try:
        checker = get_checker(kind)
    except KeyError as exc:
        return Verdict.unreadable(str(exc.args[0]))
    fields = {f.name for f in dataclasses.fields(checker.Options)}
    mapping: dict = {}
    if rtol is not None and "rtol" in fields:
        mapping["rtol"] = rtol
    if atol is not None and "atol" in fields:
        mapping["atol"] = atol
    if variables and "variables" in fields:
        mapping["variables"] = list(variables)
    if variables and "variable" in fields:
        mapping["variable"] = list(variables)[0].split(":")[0]
    options = make_options(kind, mapping)
    if isinstance(reference, str) and kind in ("array", "tuple"):
        try:  # read as values, the way the checkers read a student's text ("[1, 2]" is a list)
            reference = read_values(extract_answer(reference))[0]
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read the reference: {exc}")
    elif isinstance(reference, str) and kind != "choice":
        try:
            reference = read_math(extract_answer(reference), variables=_declared(variables, None)).value
        except Unreadable as exc:
            return Verdict.unreadable(f"Could not read the reference: {exc}")
        except Exception as exc:  # noqa: BLE001 - the reader's failure: one line, never SymPy's text
            return Verdict.unreadable(f"Could not read the reference ({type(exc).__name__}).")
    problem = _reference_problem(kind, reference)
    if problem:
        return Verdict.unreadable(f"could not compare these as {kind} answers: the reference {problem}.")
    if isinstance(student, str) and kind != "choice":
        student = extract_answer(student)
    try:
        return checker.check(reference, student, options)
    except Unreadable as exc:  # what the checker reads itself is the reference (a student's text it reports)
        return Verdict.unreadable(f"could not compare these as {kind} answers: the reference is not one ({exc})")
    except Exception as exc:  # noqa: BLE001 - a checker's failure: one line, never SymPy's text
        return Verdict.unreadable(f"could not compare these as {kind} answers: the {kind} checker failed on them "
                                  f"({type(exc).__name__}).")


def _reference_problem(kind: str, reference: Any) -> str:
    """Why ``reference`` (as read) cannot be a reference of ``kind``, or "" (checked where a checker would fail)."""
    if kind == "tuple" and not isinstance(reference, (list, tuple, sympy.Tuple)):
        return "is one value, not a pair or tuple"
    if kind == "number" and not (isinstance(reference, (int, float)) or (
            isinstance(reference, sympy.Basic) and reference.is_number)):
        return "is not a number"
    return ""


# Kinds a grading run checks, but not from two pieces of text.
_NOT_FROM_TEXT = {
    "rubric": "prose is graded against a spec's rubric of ideas",
    "exception": "an exception is what a student's function raises",
}


# --- command line (its options: grader.cli) --------------------------------
def run(args: argparse.Namespace) -> int:
    """Run ``grader equiv``; returns the exit status."""
    variables = [v.strip() for v in re.split(r",(?![^:,]*\))", args.vars or "") if v.strip()]
    try:
        verdict = equivalent(args.student, args.reference, kind=args.kind, variables=variables,
                             rtol=args.rtol, atol=args.atol)
    except ValueError as exc:  # e.g. an option the kind does not take
        print(f"grader equiv: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - never a traceback: the answers could not be compared
        print(f"grader equiv: could not read: could not compare these answers ({type(exc).__name__}).",
              file=sys.stderr)
        return 2
    if verdict.status is Status.UNREADABLE:
        feedback = verdict.feedback
        said = feedback[0].lower() + feedback[1:] if feedback.startswith("Could not read") else \
            f"could not read: {feedback}"
        print(f"grader equiv: {said}", file=sys.stderr)
        return 2
    label = "equivalent" if verdict.status is Status.CORRECT else "not equivalent"
    print(f"{label}: {verdict.feedback}")
    if verdict.read_as:
        print(f"read as: {verdict.read_as}")
    for line in verdict.details:
        print(f"  {line}")
    return 0 if verdict.status is Status.CORRECT else 1
