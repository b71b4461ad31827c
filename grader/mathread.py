"""Reading maths written by students (plain text or LaTeX) into SymPy, safely.

Student text never reaches ``eval``, ``sympify`` or ``parse_expr`` (all three
run arbitrary code).  Instead:

* **plain text** (``1/4 - eps/8``, ``(-oo, oo)``, ``x >= 5``) is parsed with
  Python's :mod:`ast` and only an allow-list of nodes is walked: numbers,
  declared names, known functions and constants, ``+ - * / ** ^``, unary
  signs, comparisons, tuples, lists and sets.  SymPy objects are built here,
  node by node, unevaluated.  Absolute-value bars are paired by what stands
  next to them (``||x-1|-1|``); bars that pair up in more than one way
  (``|a|b|c|``) are refused, in LaTeX too.
* **LaTeX** goes through our own normalisation layer (``\\dfrac``,
  ``\\left(``, ``\\cdot``, ``\\mathrm{e}``, scientific notation such as
  ``1.0e-6``, ``2\\times10^{-3}`` or ``9.86\\mathrm{e}{-4}``, Unicode symbols,
  fractions and superscripts (``¼``, ``10⁻⁴``), a decimal comma ``0{,}25``,
  French intervals ``]0, 1[``, decorated names such as
  ``\\dot{\\sigma}_{\\text{approx}}``, each one name (``sigma_dot_approx``; applied,
  ``\\dot\\sigma(0.05)``, a function of that name)) and then the grammar-based parser of
  ``latex2sympy2_extended``.  Spacing commands (``\\,``) are spacing, also at
  the very end; a remainder term ending an approximation (``+ O(ε^2)``,
  ``+ \\dots``) is dropped, and so is a bracket of words after a value, a remark
  (``1/4 (independent of ε)``); "all real numbers except 0 and 1" is ℝ without
  those points, and any other words after "all real numbers" are refused.
  A set difference may be typed ``ℝ \\ {0}``, ``ℝ\\{0}``, ``ℝ \\ (0, 1)``, ``R \\ [0,1]`` (a plain R before it is ℝ)
  or ``\\backslash`` (``\\setminus``), its sides in plain text too (``(-inf, inf) \\ {0}``).

Functions are read from one allow-list (``_FUNCTIONS``: trigonometric and
hyperbolic functions and their inverses, exp, ln, log, sqrt, abs, sgn, floor,
ceil, factorial, max, min, erf, erfc, erfi, Gamma) in both forms: plain
``erf(1)``, LaTeX ``\\operatorname{erf}(1)``, ``\\mathrm{erf}(1)``, ``\\erf(1)``.
A name before a simple argument applies (``2x sin x``, ``sin^2 x``); one with
an argument of two readings (``sin 2x``) is refused with what to write.
``\\Gamma`` and ``\\gamma`` alone are letters, never Euler's constant.

Which of the two is used is decided by the content (a backslash, a brace or
``$`` means LaTeX).  Structure that both forms share (relations, unions of
intervals, ``[a, b)``, ``\\{1, 2\\}``, lists, percentages, text answers) is
split off first by a small bracket-aware scanner, so each parser only sees a
single expression.

Hostile input is bounded before and after parsing: a length cap, a nesting
cap, a node-count cap, and an estimate of every number's size (``10^{10^{10}}``
stays an unevaluated power, a number with more than ~10^15 digits is refused;
such a power next to a symbol is refused unless the huge factors cancel, as in
``x·10^{10^9}·10^{-10^9}``, since SymPy would multiply them out).
Expensive symbolic work (``simplify``, solving inequalities) is meant to run
through :func:`run_limited`, a forked worker with memory and CPU limits and a
wall-clock kill, which works from any thread (unlike ``SIGALRM``).  Texts whose
reading computes before any screen can see the result (a substitution bar
``x^{x}|_{x=10^{10}}``, ``\\binom``, ``\\int``, a ``\\sum`` of factorials, powers in
exponents) are read in such a worker too; the reading comes back as a JSON
tree and is rebuilt without being evaluated again.  So are sums and products,
limits, integrals and derivatives: the worker works each one out (to a closed
form, else to a number) unless it is a short sum kept as written, so that no
checker evaluates one with no limit.

Public API
----------
``read_math(text, *, variables=None, prefer="last") -> Reading``
    Parse one answer.  ``variables`` maps names (``"epsilon"``) to SymPy
    symbols; when it is given, any other symbol makes the answer unreadable.
    Greek letters are matched by meaning: ``\\varepsilon``, ``\\epsilon``,
    ``ε`` and ``eps`` all name the declared ``epsilon``.  Raises
    :class:`Unreadable` (message and offending snippet) on failure.

``split_relations(latex_text) -> list[str]``
    Split a chain such as ``a = b \\approx c`` or ``x \\in [0, 1)`` on its
    top-level relations (``=``, ``\\approx``, ``≈``, ``\\in``, ``\\le``,
    ``<``, ``\\ge``, ``\\neq``, ...), never inside braces or brackets.  The
    part after the last relation is the stated value.
    ``split_relation_chain`` returns the parts and the relation symbols.

``Reading``
    ``raw`` (the text read), ``value`` (SymPy object; a ``str`` for text
    answers), ``latex`` (``sympy.latex`` of the value), ``kind`` (``number``,
    ``expression``, ``set``, ``relation``, ``tuple``, ``list``, ``matrix``,
    ``text``), ``lhs`` (the name on the left of ``x = ...`` or
    ``x \\in ...``, else ``None``) and ``percent`` (the value carried a
    ``%``; ``value`` is then already divided by 100).
"""
from __future__ import annotations

import ast
import difflib
import math
import os
import re
import resource
import select
import signal
import json
import time
import tokenize
import io
import itertools
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import sympy
from mpmath.libmp import MPZ
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom
from sympy.matrices.utilities import dotprodsimp

from grader.timelimit import TimeBudget, process_cpu_seconds
from grader.memo import BoundedCache

__all__ = [
    "Reading",
    "Unreadable",
    "quoted",
    "read_math",
    "split_relations",
    "split_relation_chain",
    "canonical_name",
    "make_symbol",
    "run_limited",
    "LimitExceeded",
    "numeric_value",
    "is_plain_number",
    "interval_end_problem",
]

# --- limits ---------------------------------------------------------------
MAX_CHARS = 2000  # longer "answers" are not answers; refuse before parsing
MAX_DEPTH = 40  # bracket/brace nesting; deep nests blow antlr's and Python's stacks
MAX_NODES = 4000  # SymPy tree size after parsing
MAX_LOG10 = 1e15  # refuse numbers with more digits than this (evalf still copes below)
EXACT_LOG10 = 20000.0  # above this many digits, numbers stay unevaluated (no exact arithmetic)
MAX_SYMBOLIC_DET = 4  # a determinant with symbols in it is written out (24 terms at 4×4); larger ones are refused


class Unreadable(ValueError):
    """The text could not be read as maths.  ``snippet`` is the offending part; ``hint``, what is wrong in it
    where that can be told (an unclosed bracket)."""

    def __init__(self, message: str, snippet: str = "", hint: str = ""):
        super().__init__(message)
        self.message = message
        self.snippet = snippet
        self.hint = hint

    def __str__(self) -> str:
        shown = quoted(self.snippet) if self.snippet else ""
        said = self.message if not shown or shown in self.message else f"{self.message}: {shown}"
        return f"{said} — {self.hint}" if self.hint else said  # "unknown name “W”" names its snippet already


def syntax_unreadable(message: str, text: str) -> Unreadable:
    """An answer that does not parse, with its unbalanced bracket named: the usual cause, easy to miss."""
    return Unreadable(message, text, bracket_problem(text))


_BRACKETS = re.compile(r"\\[{}]|\\(?:left|right)\s*[.|]|(?P<open>[([{])|(?P<close>[)\]}])")


def bracket_problem(text: str) -> str:
    """"a “(” is never closed" or "a “]” closes nothing", else "".  Round and square brackets count as one
    kind, as intervals mix them ("(0, 1]"); braces are their own, and ``\\{ \\}`` (set braces) are not."""
    depth = {"(": 0, "{": 0}
    first_open: dict[str, str] = {}
    for m in _BRACKETS.finditer(text):
        char = m.group("open") or m.group("close")
        if not char:
            continue
        kind = "{" if char in "{}" else "("
        if m.group("open"):
            if depth[kind] == 0:
                first_open[kind] = char
            depth[kind] += 1
        elif depth[kind] == 0:
            return f"a “{char}” closes nothing"
        else:
            depth[kind] -= 1
    for kind, level in depth.items():
        if level:
            return f"a “{first_open[kind]}” is never closed"
    return ""


@dataclass(frozen=True)
class Reading:
    raw: str
    value: Any
    latex: str
    kind: str
    lhs: str | None = None
    percent: bool = False
    # An interval end written closed at ±∞ ("[-\infty, \infty]"): SymPy opens it, so it is said here.
    closed_at_infinity: bool = False


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: str, limit: int = 80) -> str:
    """A student's text for a one-line message: as written (one backslash stays one, not Python's repr),
    in “…”, its line breaks and runs of spaces one space, shortened to ``limit`` characters."""
    return f"“{_shorten(text, limit)}”"


# --- names ----------------------------------------------------------------
# Spellings of one name map to one canonical name; the spec declares canonical
# names ("epsilon"), students write any of these.
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau",
    "upsilon", "phi", "chi", "psi", "omega",
]
_ALIASES = {
    "varepsilon": "epsilon", "eps": "epsilon", "vartheta": "theta", "varphi": "phi",
    "varrho": "rho", "varsigma": "sigma", "varpi": "pi", "lamda": "lambda", "lam": "lambda",
}
_UNICODE_GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψω", _GREEK))
_UNICODE_GREEK.update({"ϵ": "epsilon", "ϑ": "theta", "ϕ": "phi", "ς": "sigma"})


def canonical_name(name: str) -> str:
    """One spelling per name: ``\\varepsilon``/``ε``/``eps`` -> ``epsilon``.

    Decorations are kept in a readable form: ``\\dot{\\sigma}_{\\text{approx}}``
    -> ``sigma_dot_approx``; ``x_{1}`` -> ``x_1``.
    """
    s = name.strip()
    s = re.sub(r"\s*(?:\\left)?\((?:[^()]|\([^()]*\))*\)\s*$", "", s) or s  # f(x) names f
    for ch, greek in _UNICODE_GREEK.items():
        s = s.replace(ch, greek)
    s = re.sub(r"\\(?:text|mathrm|mathit|mathbf|operatorname|textrm|rm|it)\s*", "", s)
    decorations = []
    for deco in ("dot", "ddot", "hat", "bar", "tilde", "vec", "overline"):
        if re.search(r"\\" + deco + r"(?![a-z])", s):
            decorations.append(deco)
            s = re.sub(r"\\" + deco + r"(?![a-z])", "", s)
    primes = s.count("'")
    s = s.replace("'", "")
    s = s.replace("\\", "").replace("{", "").replace("}", "").replace(" ", "")
    base, _, sub = s.partition("_")
    base = _ALIASES.get(base, base)
    parts = [base] + decorations + (["prime"] * primes) + ([sub] if sub else [])
    return "_".join(p for p in parts if p)


def make_symbol(spec: str) -> tuple[str, sympy.Symbol]:
    """``"epsilon: real"`` -> ("epsilon", Symbol("epsilon", real=True)).

    Domains: ``real`` (default), ``positive``, ``nonnegative``, ``negative``,
    ``integer``, ``complex``.
    """
    name, _, domain = spec.partition(":")
    name = canonical_name(name.strip())
    domain = domain.strip().lower() or "real"
    assumptions = {
        "real": {"real": True},
        "positive": {"positive": True},
        "nonnegative": {"nonnegative": True},
        "negative": {"negative": True},
        "integer": {"integer": True},
        "complex": {},
    }
    if domain not in assumptions:
        raise ValueError(
            f"unknown domain {domain!r} for variable {name!r}; expected one of: "
            + ", ".join(assumptions)
        )
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError(f"bad variable name {spec!r}")
    return name, sympy.Symbol(name, **assumptions[domain])


# --- text normalisation ---------------------------------------------------
_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": r"\times ", "\u22c5": r"\cdot ",
    "\u00b7": r"\cdot ", "\u2219": r"\cdot ", "\u00f7": "/", "\u221e": r"\infty ",
    "\u2264": r"\le ", "\u2265": r"\ge ", "\u2260": r"\ne ", "\u2248": r"\approx ",
    "\u2243": r"\approx ", "\u2208": r"\in ", "\u211d": r"\mathbb{R}", "\u222a": r"\cup ",
    "\u2229": r"\cap ", "\u221a": r"\sqrt ", "\u2205": r"\emptyset ", "\u2044": "/",
    "\u00b1": r"\pm ", "\u2009": " ", "\u00a0": " ", "\u202f": " ", "\u2032": "'",
    "\u2192": r"\to ", "\u27e8": "(", "\u27e9": ")",
}
_UNICODE_RE = re.compile("|".join(map(re.escape, _UNICODE)))
_UNICODE_GREEK_RE = re.compile("|".join(map(re.escape, _UNICODE_GREEK)))


# Superscripts and subscripts come in runs: 10⁻¹³ is 10^{-13}, x₁₂ is x_{12}.
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿⁱ", "0123456789+-()ni"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋", "0123456789+-"))
_SUPERSCRIPT_RUN = re.compile("[" + "".join(_SUPERSCRIPTS) + "]+")
_SUBSCRIPT_RUN = re.compile("[" + "".join(_SUBSCRIPTS) + "]+")
_VULGAR_FRACTIONS = {
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5), "⅗": (3, 5),
    "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8),
    "⅑": (1, 9), "⅒": (1, 10),
}
# 2¼ is a mixed number (9/4), not 2·¼; after a decimal (2.5¼) it means nothing and is refused when read.
_VULGAR_FRACTION = re.compile(r"(?<![\d.])(\d+\s?)?([" + "".join(_VULGAR_FRACTIONS) + "])")
_DECIMAL_BEFORE_FRACTION = re.compile(r"\d\.\d*\s?[" + "".join(_VULGAR_FRACTIONS) + "]")


def _scripts(run: re.Match, table: dict[str, str], mark: str) -> str:
    inner = "".join(table[ch] for ch in run.group(0))
    return mark + inner if len(inner) == 1 else mark + "{" + inner + "}"


def _vulgar_fraction(m: re.Match) -> str:
    top, bottom = _VULGAR_FRACTIONS[m.group(2)]
    fraction = rf"\frac{{{top}}}{{{bottom}}}"
    return f"({m.group(1).strip()}+{fraction})" if m.group(1) else " " + fraction + " "


# Full-width forms (ＡＳＣＩＩ as Chinese and Japanese keyboards type it: ０．２５, （, ＝) and other scripts' digits
# (Arabic-Indic ٠–٩, Persian ۰–۹, the Arabic decimal separator ٫) are the ASCII they stand for; the
# punctuation that ends a clause is followed by a space, as after its ASCII twin.  Direction marks that
# right-to-left editors put around numbers are invisible, and dropped.
_HALFWIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
              **{0xFF0C: ", ", 0xFF1B: "; ", 0xFF1A: ": ", 0x3001: ", ", 0x3002: ". ", 0x061B: "; ", 0x060C: ", ",
                 0x3000: " ", 0x066B: ".", 0x066C: ","},
              **{0x0660 + d: str(d) for d in range(10)}, **{0x06F0 + d: str(d) for d in range(10)},
              **dict.fromkeys([0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
                               0x2069, 0x061C])}


def halfwidth(text: str) -> str:
    """``σ̇＝ε／４，`` → ``σ̇=ε/4, ``: what a student typed in another script's forms, as the ASCII it means."""
    return text.translate(_HALFWIDTH)


def _unicode_to_latex(text: str) -> str:
    text = halfwidth(text)
    text = _SUPERSCRIPT_RUN.sub(lambda m: _scripts(m, _SUPERSCRIPTS, "^"), text)
    text = _SUBSCRIPT_RUN.sub(lambda m: _scripts(m, _SUBSCRIPTS, "_"), text)
    if not _DECIMAL_BEFORE_FRACTION.search(text):
        text = _VULGAR_FRACTION.sub(_vulgar_fraction, text)
    text = _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], text)
    # σ̇ (sigma + combining dot) is a dotted sigma
    text = re.sub(r"([^\s])\u0307", r"\\dot{\1}", text)
    text = _UNICODE_GREEK_RE.sub(lambda m: "\\" + _UNICODE_GREEK[m.group(0)] + " ", text)
    return text


# Brackets written as commands, as pandoc writes a Word equation's: `\lbrack 0,\infty)` is `[0,\infty)`.
_BRACKET_WORDS = re.compile(r"\\(lbrack|rbrack|lbrace|rbrace)(?![a-zA-Z])\s*")
_BRACKET_WORD_MEANINGS = {"lbrack": "[", "rbrack": "]", "lbrace": "\\{", "rbrace": "\\}"}

_SPACING = re.compile(
    r"\\(?:left|right)\s*\.|"  # \left. and \right. show no bracket: nothing is left of them
    r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg|displaystyle|textstyle|"
    r"limits|qquad|quad|mathstrut)(?![a-zA-Z])|(?<!\\)\\[,;:!> ]|~"
)


def _strip_delimiters(text: str) -> str:
    """Remove math delimiters around the whole text: $..$, $$..$$, \\(..\\), \\[..\\]."""
    s = text.strip()
    changed = True
    while changed:
        changed = False
        for left, right in (("$$", "$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]")):
            if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
                inner = s[len(left): len(s) - len(right)]
                if left == "$" and "$" in inner:
                    continue
                s = inner.strip()
                changed = True
    return s


def _matching(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (or -1)."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    opener = text[start]
    closer = pairs[opener]
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def unwrap_command(text: str, command: str) -> str:
    r"""Replace every ``\command{X}`` by ``X`` (brace-aware)."""
    out = []
    i = 0
    pattern = "\\" + command
    while True:
        j = text.find(pattern, i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        k = j + len(pattern)
        if k < len(text) and text[k].isalpha():  # a longer command name
            out.append(text[i:k])
            i = k
            continue
        while k < len(text) and text[k] == " ":
            k += 1
        if k < len(text) and text[k] == "{":
            end = _matching(text, k)
            if end < 0:
                out.append(text[i:])
                return "".join(out)
            out.append(text[i:j])
            out.append(text[k + 1: end])
            i = end + 1
        else:
            out.append(text[i:k])
            i = k


def _check_depth(text: str) -> None:
    depth = 0
    deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise Unreadable(f"the answer is nested more than {MAX_DEPTH} levels deep", text[:60])


# 0{,}2505: LaTeX's decimal comma (the braces keep the comma from being a list separator).  With
# groups of three digits after it, it groups thousands (12{,}345{,}678, 1{,}234.5); 2{,}500 alone could
# be either, and is left as written, to be refused when read.
_BRACED_COMMA_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\{,\}\d+)+)(\.\d+)?(?!\d)")
_AMBIGUOUS_BRACED_COMMA = re.compile(r"\d\{,\}\d")


def _braced_comma_number(m: re.Match) -> str:
    groups = m.group(1).split("{,}")
    decimals = m.group(2) or ""
    thousands = 1 <= len(groups[0]) <= 3 and groups[0][0] != "0" and all(len(g) == 3 for g in groups[1:])
    if thousands and (len(groups) > 2 or decimals):
        return "".join(groups) + decimals
    if len(groups) == 2 and not decimals and not thousands:
        return groups[0] + "." + groups[1]
    return m.group(0)


# 0.250\,47: SI style groups the digits after the point in threes with thin spaces; each group but the
# last has three digits, so no list of numbers is taken for one, and a power after it (9.820\,10^{-4})
# makes the last group a factor, not digits.
_THIN_SPACED_DECIMALS = re.compile(r"(?<![\d.])\d+\.\d{3}(?:\\,\d{3})*\\,\d{1,3}(?![\d.]|\\,\d|\s*\^)")


def joined_thin_spaced_decimals(text: str) -> str:
    r"""``0.250\,47`` → ``0.25047``: the digits of one number, grouped in threes after the point."""
    return _THIN_SPACED_DECIMALS.sub(lambda m: m.group(0).replace("\\,", ""), text)


def _without_dangling_backslash(text: str) -> str:
    r"""A lone backslash at the end is what is left of a spacing command (``\,`` whose comma was
    taken for punctuation, ``\ `` whose space was stripped); a row break ``\\`` stays."""
    s = text.rstrip()
    slashes = len(s) - len(s.rstrip("\\"))
    return s[:-1] if slashes % 2 else text


# Scientific notation in LaTeX, the rule: a number (the mantissa), then an e mark, then a whole-number
# exponent with at most one sign.  The mark is \mathrm{e} (or \text{e}, \rm, ...; spacing such as \, may
# stand before it), or a plain e directly followed by a braced exponent; the exponent is braced
# (9.86\mathrm{e}{-4}, 9.86e{-4}), bare right after a \mathrm{e} mark with no space between them
# (9.86\mathrm{e}-4), or inside the mark (9.86\text{e-}4, 9.86\mathrm{e-4}).  Everything else keeps
# Euler's e: \mathrm{e} alone, 2\mathrm{e} (2e), 2\mathrm{e}^{-4} (a power), 2\mathrm{e} - 4 (spaced: 2e - 4),
# 2\mathrm{e}{x} (2ex).  A braced exponent that is no whole number (9.86\mathrm{e}{-4.5}, {--4}) or with no
# number before it (\mathrm{e}{-4}) is refused when read, never taken for a product with e.  (A plain
# 9.86e-4, and what is left of \mathrm{e}-4 after a number, are read by the LaTeX and plain paths.)
_E_MARK = r"(?:\\(?:mathrm|text|textrm|rm|mathit|operatorname)\s*\{\s*[eE]\s*(?P<sign_in>[+-]?)\s*(?P<digits_in>\d*)\s*\}|[eE](?=\s*\{))"
_E_EXPONENT = (r"(?:\s*\{\s*(?P<sign>[+-]?)\s*(?P<digits>\d+)\s*\}|\s*(?P<bare>\d+)"
               r"|(?<=\})(?P<bare_sign>[+-])(?P<signed>\d++)(?!\.\d))")
_LATEX_E_NOTATION = re.compile(r"(?<![\w.])(?P<mantissa>\d+(?:\.\d*)?|\.\d+)\s*" + _E_MARK + r"(?:" + _E_EXPONENT + ")?")
_STRAY_E_NOTATION = re.compile(
    r"\\(?:mathrm|text|textrm|rm|mathit|operatorname)\s*\{\s*[eE]\s*[+-]?\s*\d*\s*\}\s*\{?\s*[+-]?\s*\d"
    r"|(?<![\\a-zA-Z_^])[eE]\s*\{\s*[+-]*\s*[\d.][^{}]{0,20}\}?")


def _latex_e_notation(m: re.Match) -> str:
    sign = m.group("sign_in") or ""
    digits = m.group("digits_in")
    sign_after = m.group("sign") or m.group("bare_sign") or ""
    if digits:
        if sign_after or m.group("digits") or m.group("bare") or m.group("signed"):
            return m.group(0)  # \mathrm{e-4}{5}: not one number
    else:
        digits = m.group("digits") or m.group("bare") or m.group("signed")
        if not digits or (sign and sign_after):
            return m.group(0)
        sign = sign or sign_after
    return rf"{m.group('mantissa')}\times 10^{{{sign}{digits}}}"


# French intervals: ]0, 1[ is (0, 1), [0, 1[ is [0, 1), ]0, 1] is (0, 1] (also with ';' between the ends).
# (Possessive runs: no backtracking, however long the text.)
_FRENCH_INTERVAL = re.compile(r"(?<!\\)([\]\[])([^\[\](),;]*+)[,;]([^\[\](),;]*+)([\]\[])(?![A-Za-z0-9_])")


def _french_interval(m: re.Match) -> str:
    opener, low, high, closer = m.group(1), m.group(2).strip(), m.group(3).strip(), m.group(4)
    indexed = opener == "[" and re.search(r"[\w)}]$", m.string[max(0, m.start() - 1):m.start()])  # a[1, 2[
    if (opener, closer) == ("[", "]") or indexed or not low or not high:
        return m.group(0)
    return ("(" if opener == "]" else "[") + f"{low}, {high}" + (")" if closer == "[" else "]")


# Font and package wrappers that change how a value looks, not what it is: \mathbf{0.2505}, \bm{1},
# \boldsymbol{\sigma}.  A bold name is the name (\mathbf{x} is x, as a vector's name is read elsewhere too).
_BOLD_COMMANDS = ("mathbf", "bm", "boldsymbol", "pmb")
_BOLD_UNBRACED = re.compile(r"\\(?:mathbf|bm|boldsymbol|pmb)(?![a-zA-Z])\s*")
# siunitx's \num{0.2505} (also \num[options]{…}): its number, where a comma is the decimal sign (\num{0,25})
# and spaces group digits (\num{12 345}).
_SIUNITX_NUMBER = re.compile(r"\\num(?![a-zA-Z])\s*(?:\[[^\[\]]*\])?\s*\{([^{}]*)\}")
# Typewriter or sans-serif text is text (\texttt{approx}); the math fonts of a label are \mathrm.
_TEXT_FONTS = re.compile(r"\\(?:texttt|textsf|textup|textmd)(?![a-zA-Z])")
_MATH_FONTS = re.compile(r"\\(?:mathtt|mathsf)(?![a-zA-Z])")
# \dfrac, \tfrac, \cfrac, nicefrac's \nicefrac[\mathrm]{1}{4} and xfrac's \sfrac{1}{4} are all \frac.
_FRACTION_COMMANDS = re.compile(r"\\(?:[dtc]|nice|s)frac(?![a-zA-Z])(?:\s*\[[^\[\]]*\])?")


def _siunitx_number(m: re.Match) -> str:
    number = re.sub(r"(?<=\d)\s+(?=\d)", "", m.group(1).strip())
    return re.sub(r"(?<=\d),(?=\d+$)", ".", number) if number.count(",") == 1 else number


def _plain_notations(text: str) -> str:
    """Spellings of a value that say nothing more than the value: bold, \\num{…}, \\nicefrac, \\texttt."""
    s = text
    for command in _BOLD_COMMANDS:
        s = unwrap_command(s, command)
    s = _BOLD_UNBRACED.sub("", s)  # \bm x, \boldsymbol\sigma: the one token after it
    s = _SIUNITX_NUMBER.sub(_siunitx_number, s)
    s = re.sub(r"\\[lr]angle(?![a-zA-Z])", lambda m: "(" if m.group(0) == r"\langle" else ")", s)  # as ⟨ ⟩
    s = _TEXT_FONTS.sub(r"\\text", s)
    s = _MATH_FONTS.sub(r"\\mathrm", s)
    return _FRACTION_COMMANDS.sub(r"\\frac", s)


# Plain TeX's fraction: "a \over b" divides everything before it in its group by everything after it.
# A group is a brace group, cut, as a student means it, at a relation, a comma or a bracket around it:
# {1 \over 4} is 1/4, {1 + 2 \over 4} is 3/4, \sigma = 1 \over 4 is σ = 1/4, [0, 1 \over 2] is [0, 1/2].
_OVER = re.compile(r"\\over(?![a-zA-Z])")
_OVER_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|.", re.S)
_OVER_CUT = re.compile(r"\\(?:le|ge|ne|approx|in|lt|gt|cup|cap|setminus|to|sim|equiv|quad|qquad)|\\\\|[=<>,;&]")
_OVER_OPEN = {"(", "[", r"\{"}
_OVER_CLOSE = {")", "]", r"\}"}
_ARGUMENT_BEFORE = re.compile(r"(?:[_^}\]]|\\[a-zA-Z]+)\s*$")  # x^{1 \over 2}, \sqrt{1 \over 4}: braces stay


def _tokens(text: str, start: int, end: int):
    """(position, token) of ``text[start:end]``, a brace group being one token."""
    i = start
    while i < end:
        if text[i] == "{":
            close = _matching(text, i)
            close = end - 1 if close < 0 or close >= end else close
            yield i, text[i:close + 1]
            i = close + 1
            continue
        token = _OVER_TOKEN.match(text, i).group(0)
        yield i, token
        i += len(token)


def _group_of(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the brace group around ``at`` (its braces excluded), the whole text at the top."""
    opened = []
    i = 0
    while i < at:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            opened.append(i)
        elif text[i] == "}" and opened:
            opened.pop()
        i += 1
    if not opened:
        return 0, len(text)
    return opened[-1] + 1, _matching(text, opened[-1])  # -1: never closed


def _over_bounds(text: str, start: int, over: re.Match, end: int) -> tuple[int, int]:
    """Where the numerator of ``over`` starts and its denominator ends, within its group [start, end)."""
    cuts = [start]  # per bracket depth, where the current piece began
    for i, token in _tokens(text, start, over.start()):
        if token in _OVER_OPEN:
            cuts.append(i + len(token))
        elif token in _OVER_CLOSE and len(cuts) > 1:
            cuts.pop()
        elif token in _OVER_CLOSE or _OVER_CUT.fullmatch(token):
            cuts[-1] = i + len(token)
    depth = 0
    for i, token in _tokens(text, over.end(), end):
        if token in _OVER_OPEN:
            depth += 1
        elif token in _OVER_CLOSE and depth:
            depth -= 1
        elif token in _OVER_CLOSE or (not depth and _OVER_CUT.fullmatch(token)):
            return cuts[-1], i
    return cuts[-1], end


def _plain_tex_fractions(text: str) -> str:
    """``{a \\over b}`` → ``\\frac{a}{b}``.  Two \\over in one piece (TeX's own error) are left to be refused."""
    s = text
    for _ in range(len(_OVER.findall(s))):
        over = _OVER.search(s)
        start, end = _group_of(s, over.start())
        if end < 0:
            return s  # an unclosed brace is said when the answer is read
        low, high = _over_bounds(s, start, over, end)
        top, bottom = s[low:over.start()].strip(), s[over.end():high].strip()
        if not top or not bottom or _OVER.search(top) or _OVER.search(bottom):
            return s
        fraction = rf"\frac{{{top}}}{{{bottom}}}"
        whole_group = start > 0 and not s[start:low].strip() and not s[high:end].strip()
        if whole_group and not _ARGUMENT_BEFORE.search(s[:start - 1]):
            s = s[:start - 1] + fraction + s[end + 1:]  # {1 \over 4} is 1/4, not the set {1/4}
        else:
            s = s[:low] + fraction + s[high:]
    return s


# A decimal with its digits trailing off, 0.2505\ldots, 0.25047… or 0.25047...: the digits shown.  Not an
# element of a list that goes on (0.1, 0.2\ldots), nor dots before more (0.1 \ldots 0.9, 0.25 + \ldots).
_DECIMAL_TRAILING_OFF = re.compile(
    r"(?<![\w.])(?P<number>\d*\.\d+)\s*(?:\\(?:ldots|dots|cdots|dotsc|dotso)(?![a-zA-Z])|\.\.\.|…)"
    r"(?=\s*(?:$|[;)\]}=<>&|]|\\(?:times|cdot|approx|text|le|ge|ne)(?![a-zA-Z])))")


def _decimal_trailing_off(m: re.Match) -> str:
    in_a_list = m.string[:m.start()].rstrip().endswith(",")
    return m.group(0) if in_a_list else m.group("number")


def normalise(text: str) -> str:
    """Common clean-up shared by the LaTeX and plain-text paths."""
    s = _unicode_to_latex(text)
    s = _strip_delimiters(s)
    s = _plain_notations(s)
    s = _BRACKET_WORDS.sub(lambda m: _BRACKET_WORD_MEANINGS[m.group(1)], s)  # Word's equations via pandoc
    # doubled backslashes before a command (from over-escaped strings); not a
    # matrix's row break before one (\\\frac: a row that starts with \frac)
    s = re.sub(r"(?<!\\)\\\\(?=(?:le|ge|leq|geq|lt|gt|ne|neq|in|frac|dfrac|text|sqrt|cdot|times|pi|infty)(?![a-zA-Z]))", r"\\", s)
    s = re.sub(r",\\!\s*", ",", s)  # 11,\! 111 groups thousands
    s = _BRACED_COMMA_NUMBER.sub(_braced_comma_number, s)
    s = joined_thin_spaced_decimals(s)
    s = _SET_MINUS.sub(_set_minus, s)  # before spacing: "ℝ \ {0}" is no space
    s = _SPACING.sub(" ", s)
    s = _without_dangling_backslash(s)
    s = _LATEX_E_NOTATION.sub(_latex_e_notation, s)
    s = _SIGNED_REALS.sub(_signed_reals, s)  # before French intervals: it writes one
    s = _FRENCH_INTERVAL.sub(_french_interval, s)
    s = _plain_tex_fractions(s)
    s = _DECIMAL_TRAILING_OFF.sub(_decimal_trailing_off, s)
    s = re.sub(r"\\(?:mathrm|mathit|text|textrm|operatorname)\s*\{\s*e\s*\}", "e", s)
    s = s.replace(r"\lt", "<").replace(r"\gt", ">")
    s = re.sub(r"\\(?:leqslant|leq|le)(?![a-zA-Z])", r"\\le ", s)
    s = re.sub(r"\\(?:geqslant|geq|ge)(?![a-zA-Z])", r"\\ge ", s)
    s = re.sub(r"\\(?:neq|ne)(?![a-zA-Z])", r"\\ne ", s)
    s = s.replace("<=", r"\le ").replace(">=", r"\ge ").replace("!=", r"\ne ").replace("=<", r"\le ")
    s = re.sub(r"\\mathbb\s*\{?\s*R\s*\}?|\\R(?![a-zA-Z])", r"\\mathbb{R}", s)
    return s.strip()


# The set difference ℝ∖{0} as students type it: \backslash, or in plain text a backslash between a set
# (ℝ, a plain R, a bracket, \}) and a braced set, "ℝ \ {0}", also unspaced, "ℝ\{0}", when the brace closes with a
# plain "}", or a spaced backslash before an interval, "ℝ \ (0, 1)", "R \ [0,1]", "(-inf, inf) \ ]0, 1[".  In LaTeX
# "\ " is a space, which between two sets means nothing else, and "\{0}" leaves its "{" open; "x\ y", "(1+x)\ (1-x)"
# (no interval after it), a matrix's row break "\\" and the braces of "\mathbb{R}\{0\}" (LaTeX for ℝ{0}) keep
# their meaning.
_INTERVAL_AHEAD = r"[(\[\]][^()\[\],]*+,[^()\[\],]*+[)\]\[]"
_SET_MINUS = re.compile(r"\\backslash(?![a-zA-Z])\s*+"
                        r"|(?P<set>\\mathbb\s*+\{?\s*+R\s*+\}?|\\R(?![a-zA-Z])|(?<![\w\\{])R(?![\w}])|[)\]]|\\\})"
                        r"\s*+(?<!\\)\\"
                        rf"(?:\s++(?=\\?\{{|{_INTERVAL_AHEAD})|(?=\{{[^{{}}\\]*+\}}(?!\{{)))")


def _set_minus(m: re.Match) -> str:
    """A set difference typed in plain text as ``\\setminus``; a plain R before it is ℝ ("R \\ {0}")."""
    whole = m.group("set") or ""
    return (r"\mathbb{R}" if whole == "R" else whole) + r" \setminus "


# ℝ with a bound written under it is one interval; ℝ⁺ alone is refused where it is read (see _AMBIGUOUS_REALS).
_SIGNED_REALS = re.compile(r"(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s*R|\\R)\s*_\s*\{\s*(?P<relation>>|<|\\[gl]e(?:q|qslant)?(?![a-zA-Z]))\s*0\s*\}")
_SIGNED_REALS_INTERVALS = {">": r"]0, \infty[", r"\ge": r"[0, \infty[", "<": r"]-\infty, 0[", r"\le": r"]-\infty, 0]"}
# Whether ℝ⁺ holds 0 depends on the textbook, and so does what ℝ⁻ and ℝ^* are.
_AMBIGUOUS_REALS = re.compile(r"\\mathbb\{R\}\s*(?P<place>[_^])\s*(?:\{\s*)?(?P<sign>[+\-*])")
_AMBIGUOUS_REALS_MEANINGS = {
    "+": "(0, \\infty) in some books and [0, \\infty) in others: write the interval, e.g. (0, \\infty) or [0, \\infty)",
    "-": "(-\\infty, 0) in some books and (-\\infty, 0] in others: write the interval, e.g. (-\\infty, 0) or "
         "(-\\infty, 0]",
    "*": "\\mathbb{R}\\setminus\\{0\\} in most books and (0, \\infty) in some books: write the set, e.g. "
         "\\mathbb{R}\\setminus\\{0\\} or (0, \\infty)",
}


def _ambiguous_reals(match: re.Match) -> str:
    """Why ℝ with a sign or star on it (as written: \\mathbb{R}_+, \\mathbb{R}^-, \\mathbb{R}^*) is refused."""
    return f"\\mathbb{{R}}{match['place']}{match['sign']} means {_AMBIGUOUS_REALS_MEANINGS[match['sign']]}"


def _signed_reals(match: re.Match) -> str:
    return _SIGNED_REALS_INTERVALS[match.group("relation")[:3]]


# --- relations ------------------------------------------------------------
_RELATION_RE = re.compile(
    r"\\approx(?![a-zA-Z])|\\simeq(?![a-zA-Z])|\\sim(?![a-zA-Z])|\\equiv(?![a-zA-Z])|"
    r"\\in(?![a-zA-Z])|\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\ne(?![a-zA-Z])|"
    r":=|<|>|="
)
_CANON_REL = {
    r"\approx": "≈", r"\simeq": "≈", r"\sim": "≈", r"\equiv": "=", r"\in": "∈",
    r"\le": "≤", r"\ge": "≥", r"\ne": "≠", ":=": "=", "<": "<", ">": ">", "=": "=",
}


def split_relation_chain(text: str) -> tuple[list[str], list[str]]:
    """Split on top-level relations: ``"a = b \\approx c"`` -> (["a","b","c"], ["=","≈"]).

    Relation symbols come back in one spelling each: ``= ≈ ∈ ≤ ≥ ≠ < >``.
    """
    s = normalise(text)
    parts: list[str] = []
    ops: list[str] = []
    start = 0
    # depth <= 0: an unbalanced closing bracket must not hide the relations after it.
    for m in _top_level_matches(s, _RELATION_RE, lenient=True):
        parts.append(s[start:m.start()].strip())
        ops.append(_CANON_REL[m.group(0)])
        start = m.end()
    parts.append(s[start:].strip())
    return parts, ops


def split_relations(latex_text: str) -> list[str]:
    """Split ``a = b \\approx c`` on its top-level relations; the last part is the value."""
    return split_relation_chain(latex_text)[0]


# --- screening ------------------------------------------------------------
def _log10_bound(expr: sympy.Basic) -> float:
    """Upper bound of log10|value| of a numeric subtree (inf when unbounded).

    Symbols count as size 1: their values are drawn from modest ranges.
    """
    if expr.is_Integer:
        n = abs(int(expr))
        # bit_length, not str(): Python refuses str() of ints over 4300 digits.
        return n.bit_length() * math.log10(2) + 1 if n > 10**15 else math.log10(n) if n > 0 else 0.0
    if expr.is_Rational:
        return max(_log10_bound(sympy.Integer(expr.p)), _log10_bound(sympy.Integer(expr.q)))
    if expr.is_Float:
        x = abs(float(expr)) if abs(expr) < 1e300 else float("inf")
        return math.log10(x) if x > 1 else 0.0
    if expr.is_Pow:
        base, exp = expr.args
        lb = _log10_bound(base)
        le = _log10_bound(exp)
        if le > 300:
            return float("inf")
        e_size = 10.0**le
        return max(lb, 1.0) * e_size if lb > 0 or not exp.is_number else e_size
    if isinstance(expr, (sympy.factorial, sympy.gamma, sympy.binomial, sympy.exp)):
        # Values that outgrow their argument: past EXACT_LOG10 digits nothing
        # computes them in bounded time (Gamma(10^10) asks for a factorial,
        # log of an exp tower for the tower), so they are too large to check.
        n = _log10_bound(expr.args[0])
        v = 10.0**n if n <= 300 else float("inf")
        if isinstance(expr, sympy.exp):
            size = v * math.log10(math.e)  # |e^x| <= e^|x|
        elif isinstance(expr, sympy.binomial):
            size = v * math.log10(2)  # C(n, k) <= 2^n
        else:
            size = v * max(math.log10(v), 1.0) if v > 1 else 0.0  # n! <= n^n
        return size if size <= EXACT_LOG10 else float("inf")
    if isinstance(expr, (sympy.Sum, sympy.Product)):
        return _series_bound(expr)
    if isinstance(expr, sympy.MatrixBase):
        return max((_log10_bound(e) for e in expr), default=0.0)
    if isinstance(expr, sympy.MatMul):
        # an entry of a product sums (inner size) products of one entry of each factor
        inner = sum(math.log10(max(a.shape[0], 1)) for a in expr.args if getattr(a, "is_Matrix", False))
        return sum(_log10_bound(a) for a in expr.args) + inner
    if isinstance(expr, sympy.MatAdd):
        return max(_log10_bound(a) for a in expr.args) + math.log10(len(expr.args))
    if expr.is_Add or expr.is_Mul:
        bounds = [_log10_bound(a) for a in expr.args]
        return sum(bounds) + math.log10(len(bounds))
    if expr.args:
        # Any other function of a number past EXACT_LOG10 digits (sin(10^{10^{10}})):
        # evaluating it needs that many digits of precision.
        inner = max((_log10_bound(a) for a in expr.args if isinstance(a, sympy.Basic)), default=0.0)
        return inner + 1 if inner <= EXACT_LOG10 else float("inf")
    return 0.0


MAX_SERIES_TERMS = 10_000


def _series_bound(expr: sympy.Basic) -> float:
    """The size bound of a written sum or product (``\\prod_{k=1}^{n}``): at
    most MAX_SERIES_TERMS terms, each bounded with its variable at its largest."""
    terms, largest = 1.0, {}
    for variable, *ends in expr.limits:
        end_bounds = [_log10_bound(end) for end in ends]
        if not end_bounds or max(end_bounds) > math.log10(MAX_SERIES_TERMS):
            return float("inf")
        top = 10.0 ** max(end_bounds)
        terms *= 2 * top + 1
        largest[variable] = sympy.Integer(math.ceil(top))
    if terms > MAX_SERIES_TERMS:
        return float("inf")
    each = _log10_bound(_substituted(expr.function, largest))
    size = terms * each if isinstance(expr, sympy.Product) else math.log10(terms) + each
    return size if size <= EXACT_LOG10 else float("inf")


def _screen(expr: Any, raw: str) -> None:
    if isinstance(expr, (sympy.MatrixBase,)):
        for item in expr:
            _screen(item, raw)
        return
    if not isinstance(expr, sympy.Basic):
        return
    nodes = 0
    for node in sympy.preorder_traversal(expr):
        nodes += 1
        if nodes > MAX_NODES:
            raise Unreadable("the answer is too large to check", raw)
    if _log10_bound(expr) > MAX_LOG10:
        raise Unreadable("a number in the answer is too large to check", raw)


def _evaluate(expr: Any) -> Any:
    """Evaluate an unevaluated tree where that is cheap and safe.

    Subtrees whose numbers would have more than ``EXACT_LOG10`` digits stay
    unevaluated (they are compared numerically instead).
    """
    if isinstance(expr, sympy.MatrixBase):
        return expr.applyfunc(_evaluate)
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    if isinstance(expr, sympy.UnevaluatedExpr):
        return _evaluate(expr.args[0])
    if isinstance(expr, sympy.matrices.expressions.MatrixExpr) and not isinstance(expr, sympy.MatrixSymbol):
        return _matrix_operation(expr.func(*[_evaluate(a) for a in expr.args]))
    if expr.is_number and _log10_bound(expr) > EXACT_LOG10:
        unmarked = _unmarked(expr)  # without the marks of a % sign, it may be small after all
        return unmarked if unmarked is expr or _log10_bound(unmarked) > EXACT_LOG10 else _evaluate(unmarked)
    # a product's factors side by side: x·10^{10^9}/10^{10^9} is read as (x·10^{10^9})·10^{-10^9}
    args = [_evaluate(a) for a in (_factors([expr]) if isinstance(expr, sympy.Mul) else expr.args)]
    if isinstance(expr, (sympy.Expr, sympy.core.relational.Relational)) and any(map(_huge, args)):
        args = _huge_factors_combined(expr, args)
    try:
        value = expr.func(*args)
    except (TypeError, ValueError, AttributeError):
        return expr
    if isinstance(value, BooleanAtom) and isinstance(expr, Relational) and expr.free_symbols:
        # x^2+1 > 0 is decided true for every real x, but it is still a statement about x
        # (the set ℝ); only a relation without unknowns (1 > 0) reads as plain true/false.
        return _unevaluated(expr.func, args)
    if isinstance(value, sympy.MatPow):  # latex2sympy writes M^{-1} as a Pow
        return _matrix_operation(value)
    return value


def _unmarked(expr: sympy.Basic) -> sympy.Basic:
    """``expr``, unevaluated, without the UnevaluatedExpr marks latex2sympy puts on a % sign: left in,
    evalf stops at them (0.25\\%^{5!} stayed a formula that no checker could compare)."""
    if isinstance(expr, sympy.UnevaluatedExpr):
        return _unmarked(expr.args[0])
    if not expr.has(sympy.UnevaluatedExpr):
        return expr
    return _unevaluated(type(expr), [_unmarked(arg) for arg in expr.args])


def _huge(value: Any) -> bool:
    """A number left unevaluated because it has more than EXACT_LOG10 digits."""
    return isinstance(value, sympy.Basic) and value.is_number and _log10_bound(value) > EXACT_LOG10


def _huge_factors_combined(expr: sympy.Basic, args: list) -> list:
    """``args`` of ``expr`` with its huge numbers multiplied together by adding exponents.

    Evaluated next to a symbol, SymPy multiplies such numbers out (x·10^{10^9}·10^{10^9}
    computes 10^{2·10^9}, a C loop no signal stops).  Only a product whose huge factors
    reduce to a number of at most EXACT_LOG10 digits (x·10^{10^9}·10^{-10^9}) is read.
    """
    too_large = Unreadable("a number in the answer is too large to check")
    if not isinstance(expr, sympy.Mul):
        raise too_large
    exponents: dict = {}
    for factor in _factors([a for a in args if a.is_number]):
        base, exponent = factor.as_base_exp()
        exponent = _evaluate(exponent)  # small: the screen bounds every exponent
        while base.is_Pow and exponent.is_Integer:  # (10^{10^8})^{10} is 10^{10^9}
            base, exponent = base.base, _evaluate(base.exp) * exponent
        exponents[base] = exponents.get(base, sympy.Integer(0)) + exponent
    powers = [sympy.Pow(base, exponent, evaluate=False) for base, exponent in exponents.items()]
    if any(_log10_bound(p) > EXACT_LOG10 for p in powers):
        raise too_large
    return [_evaluate(p) for p in powers] + [a for a in args if not a.is_number]


def _substituted(expr: sympy.Basic, mapping: Mapping) -> sympy.Basic:
    """``expr.xreplace(mapping)`` with nothing evaluated: xreplace would multiply x·10^{10^9}·10^{10^9}
    out.  Not ``with sympy.evaluate(False)``, which empties SymPy's whole cache each time."""
    if expr in mapping:
        return mapping[expr]
    args = [_substituted(a, mapping) for a in expr.args]
    if all(new is old for new, old in zip(args, expr.args)):
        return expr
    return _unevaluated(type(expr), args)


def _unevaluated(cls: type, args: list) -> sympy.Basic:
    try:
        return cls(*args, evaluate=False)
    except TypeError:  # classes without the option (Limit, Integral) are built as given
        return cls(*args)


def _factors(products: list) -> list:
    """The factors of unevaluated products, flattened."""
    factors = []
    for product in products:
        factors += _factors(list(product.args)) if isinstance(product, sympy.Mul) else [product]
    return factors


# --- matrices -------------------------------------------------------------
# Sums, products, powers and inverses of written matrices are computed, but
# only where the result has a bounded size: SymPy's own methods expand and
# cancel every entry as they go, and a 3×3 inverse of fractions or a power
# (a+b+1)^{90} of an entry then runs for minutes.
def _matrix_operation(expr: Any) -> Any:
    """A sum, product or power of written matrices (already evaluated), within the limits."""
    if isinstance(expr, sympy.MatPow):
        expr = _bounded_power(*expr.args)
    elif _log10_bound(expr) > EXACT_LOG10:
        raise Unreadable("a number in the answer is too large to check")
    try:
        with dotprodsimp(False):  # multiply, never expand
            result = expr.doit()
    except sympy.matrices.exceptions.NonInvertibleMatrixError as exc:
        raise Unreadable("the matrix has no inverse (its determinant is 0)") from exc
    except (TypeError, ValueError, sympy.ShapeError) as exc:
        raise Unreadable("the matrices do not fit together", str(exc)) from exc
    if _singular_inverse(expr, result):
        raise Unreadable("the matrix has no inverse (its determinant is 0)")
    _screen(result, "")  # unexpanded, a chain of products still grows exponentially
    return result


def _singular_inverse(expr: Any, result: Any) -> bool:
    """Was ``expr`` the inverse of a singular matrix?  SymPy inverts a diagonal one entry by entry, into 1/0s."""
    if not (isinstance(expr, sympy.MatPow) and expr.args[1].is_negative and isinstance(result, sympy.MatrixBase)):
        return False
    undefined = (sympy.zoo, sympy.nan)
    return any(e.has(*undefined) for e in result) and not any(e.has(*undefined) for e in expr.args[0])


def _bounded_power(base: Any, exponent: Any) -> Any:
    """``base^exponent`` ready to compute, or Unreadable when its result cannot be small."""
    if not isinstance(base, sympy.MatrixBase) or not base.is_square:
        raise Unreadable("only a square matrix has powers")
    if not exponent.is_Integer:
        raise Unreadable("a power of a matrix is read only with a whole number as its exponent", str(exponent))
    n, k = base.rows, abs(int(exponent))
    step = _log10_bound(base) + math.log10(n)  # digits one multiplication can add (an inverse: n of them)
    if k * (n * step if exponent < 0 else step) > EXACT_LOG10:
        raise Unreadable("a number in the answer is too large to check")
    if all(e.is_Rational or e.is_Float for e in base):
        return sympy.MatPow(base, exponent)
    # with symbols each multiplication multiplies the terms of an entry by up to n
    if (k - 1) * math.log10(n) > math.log10(MAX_NODES):
        raise Unreadable("a power of a matrix with symbols in it is too large to check")
    if exponent < 0:
        if n > MAX_SYMBOLIC_DET:
            raise Unreadable(f"an inverse of a matrix larger than {MAX_SYMBOLIC_DET}×{MAX_SYMBOLIC_DET} "
                             "with symbols in it is too large to check")
        base = _written_out_inverse(base)
    return sympy.MatPow(base, k)


def _written_out_inverse(matrix: sympy.MatrixBase) -> sympy.ImmutableMatrix:
    """adjugate / determinant, each determinant written out (SymPy's inverse cancels as it goes)."""
    n = matrix.rows
    det = sympy.Pow(_written_out_determinant(matrix), -1, evaluate=False)

    def entry(i: int, j: int) -> Any:  # (-1)^(i+j) times the minor without row j and column i
        minor = matrix.minor_submatrix(j, i)
        cofactor = _written_out_determinant(minor) if n > 1 else sympy.Integer(1)
        return sympy.Mul((-1) ** (i + j), cofactor, det, evaluate=False)

    return sympy.ImmutableMatrix(n, n, lambda i, j: _evaluate(entry(i, j)))


def _written_out_determinant(matrix: sympy.MatrixBase) -> Any:
    """The determinant as its sum over permutations, unevaluated (no expansion, no cancelling)."""
    n = matrix.rows
    terms = []
    for perm in itertools.permutations(range(n)):
        inversions = sum(perm[i] > perm[j] for i in range(n) for j in range(i + 1, n))
        term = sympy.Mul(*[matrix[i, perm[i]] for i in range(n)], evaluate=False)
        terms.append(sympy.Mul(-1, term, evaluate=False) if inversions % 2 else term)
    return sympy.Add(*terms, evaluate=False)


# --- arithmetic ------------------------------------------------------------
def _arithmetic_operand(value: Any, snippet: str) -> Any:
    """``value`` as a side of + - × / ^, or Unreadable: a pair, a set or a relation has no arithmetic
    (SymPy builds ``(0,1) + (0,1)`` and fails later, wherever it is used)."""
    what = _not_a_number(value)
    if what:
        raise _NoArithmetic(f"{what} cannot be added, multiplied or raised to a power", snippet)
    return value


class _NoArithmetic(Unreadable):
    """A pair, set or relation is added, multiplied or raised: the LaTeX parser could not read it either."""


def _not_a_number(value: Any) -> str:
    """What ``value`` is when it is a pair, a set or a relation ("a set"), else ""."""
    if isinstance(value, sympy.Tuple):
        return "a pair or tuple"
    if isinstance(value, sympy.Set):
        return "a set"
    if isinstance(value, (Relational, sympy.And, sympy.Or, sympy.Not, BooleanAtom)):
        return "a relation"
    return ""


def _refuse_arithmetic_on_collections(value: Any, raw: str) -> None:
    """Refuse a parsed tree that adds, multiplies, raises or applies a function to a pair, set or relation."""
    if not isinstance(value, sympy.Basic):
        return
    for node in sympy.preorder_traversal(value):
        if isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, sympy.Function)) and not isinstance(node, AppliedUndef):
            for arg in node.args:
                _arithmetic_operand(arg, raw)


# --- plain text (AST allow-list) ------------------------------------------
# The functions read, by every spelling a maths course writes (docs/checking.md lists them).
# In LaTeX they are also read as \operatorname{erf}, \mathrm{erf}, \text{erf} and \erf.
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc,
    "cot": sympy.cot, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan, "asec": sympy.asec,
    "acsc": sympy.acsc, "acot": sympy.acot, "arcsin": sympy.asin, "arccos": sympy.acos,
    "arctan": sympy.atan, "arcsec": sympy.asec, "arccsc": sympy.acsc, "arccot": sympy.acot,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "sech": sympy.sech, "csch": sympy.csch,
    "coth": sympy.coth, "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "arsinh": sympy.asinh, "arcosh": sympy.acosh, "artanh": sympy.atanh, "arcsinh": sympy.asinh,
    "arccosh": sympy.acosh, "arctanh": sympy.atanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign, "sgn": sympy.sign, "floor": sympy.floor,
    "ceil": sympy.ceiling, "ceiling": sympy.ceiling, "factorial": sympy.factorial, "max": sympy.Max,
    "min": sympy.Min, "erf": sympy.erf, "erfc": sympy.erfc, "erfi": sympy.erfi, "gamma": sympy.gamma,
    "Gamma": sympy.gamma,
}
_GREEK_FUNCTIONS = frozenset({"gamma", "Gamma"})  # written alone, these are the Greek letters
_SEVERAL_ARGUMENTS = frozenset({"max", "min"})  # never applied without brackets
_CONSTANTS: dict[str, Any] = {
    "pi": sympy.pi, "e": sympy.E, "E": sympy.E, "oo": sympy.oo, "inf": sympy.oo,
    "infty": sympy.oo, "infinity": sympy.oo, "Infinity": sympy.oo, "nan": sympy.nan,
}


def _applied(name: str, args: list, snippet: str) -> Any:
    """The known function ``name`` of ``args``, unevaluated."""
    if not all(isinstance(a, sympy.Expr) and not getattr(a, "is_Matrix", False) for a in args):
        raise Unreadable(f"{name} is read only of numbers and expressions (not of a matrix, set or list)", snippet)
    try:
        if name == "sqrt":
            (arg,) = args
            return sympy.Pow(arg, sympy.Rational(1, 2), evaluate=False)
        if name == "log" and len(args) == 2:
            return sympy.log(args[0], args[1], evaluate=False)
        return _FUNCTIONS[name](*args, evaluate=False)
    except (TypeError, ValueError) as exc:
        raise Unreadable("wrong number of arguments", snippet) from exc


def _did_you_mean(name: str, others: Any = ()) -> str:
    """A hint naming the known function (or one of ``others``) close to ``name`` (" (did you mean erf?)")."""
    spellings = {known.lower(): known for known in [*others, *_FUNCTIONS]}
    close = difflib.get_close_matches(name.lower(), spellings, n=1, cutoff=0.7)
    return f" (did you mean {spellings[close[0]]}?)" if close and spellings[close[0]] != name else ""


def _is_function_word(word: str, names: Mapping[str, Any] | None) -> bool:
    """Is ``word`` a known function here (a declared variable of that name wins)?"""
    return word in _FUNCTIONS and (names is None or canonical_name(word) not in names)


def _plain_tokens(text: str, raw: str) -> list[tuple[int, str]]:
    """(type, string) of the tokens of plain text that matter, by Python's tokenizer."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise syntax_unreadable("not a complete expression", raw) from exc
    skipped = (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
    return [(t.type, t.string) for t in tokens
            if t.type not in skipped and not (t.type == tokenize.ERRORTOKEN and t.string.strip() == "")]


# After a function name with no brackets (sin x), what may follow its argument: then the
# argument is unambiguous.  sin x y, sin 2x, sin x/2 have two readings and are refused.
_ENDS_ARGUMENT = frozenset({"+", "-", ")", "]", "}", ",", "<", ">", "<=", ">=", "==", "!=", "="})


def _simple_argument_end(tokens: list[tuple[int, str]], start: int, names: Mapping[str, Any] | None) -> int:
    """Where a simple argument (a name, a number, or one to a power: x^2) starting at ``start`` ends, or -1."""
    def atom(i: int) -> bool:
        if i >= len(tokens):
            return False
        kind, word = tokens[i]
        return kind == tokenize.NUMBER or (kind == tokenize.NAME and not _is_function_word(word, names))
    if not atom(start):
        return -1
    end = start + 1
    if end < len(tokens) and tokens[end][1] == "**" and atom(end + 1):
        end += 2
    return end


def _bare_functions_applied(tokens: list[tuple[int, str]], names: Mapping[str, Any] | None,
                            raw: str) -> list[tuple[int, str]]:
    """``sin x`` written ``sin(x)`` and ``sin^2 x`` written ``sin(x)^2``, as LaTeX reads ``\\sin x``; a
    function name whose argument has no brackets and more than one reading (``sin 2x``) is refused
    with what to write instead."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        kind, word = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind != tokenize.NAME or following == "(" or not _is_function_word(word, names) \
                or word in _GREEK_FUNCTIONS:
            out.append(tokens[i])
            i += 1
            continue
        power = _small_power(tokens, i + 1)
        start = i + 1 + len(power)
        if power and start < len(tokens) and tokens[start][1] == "(":  # sin^2(x)
            end = _closing_token(tokens, start) + 1
            argument = tokens[start + 1:end - 1]
        else:
            end = -1 if word in _SEVERAL_ARGUMENTS else _simple_argument_end(tokens, start, names)
            argument = tokens[start:end]
            after = tokens[end] if 0 < end < len(tokens) else None
            if end < 0 or not (after is None or after[1] in _ENDS_ARGUMENT
                               or (after[0] == tokenize.NAME and _is_function_word(after[1], names))):
                raise Unreadable(f"{quoted(word)} is a function: write its argument in brackets, "
                                 f"e.g. {word}({_argument_example(tokens, start)})", raw)
        out += [tokens[i], (tokenize.OP, "(")] + argument + [(tokenize.OP, ")")] + power
        i = end
    return out


def _small_power(tokens: list[tuple[int, str]], i: int) -> list[tuple[int, str]]:
    """The tokens of ``** 2`` (a whole number from 2 to 9) at ``i``, or []: sin^-1 x is refused, not guessed."""
    if tokens[i:i + 1] == [(tokenize.OP, "**")] and i + 1 < len(tokens) \
            and re.fullmatch(r"[2-9]", tokens[i + 1][1]):
        return tokens[i:i + 2]
    return []


def _closing_token(tokens: list[tuple[int, str]], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start``; the parser refuses what does not close."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[i][1], 0)
        if depth == 0:
            return i
    return len(tokens) - 1


def _argument_example(tokens: list[tuple[int, str]], start: int) -> str:
    """What follows a function name up to the next + - , or bracket, for a message ("x" if nothing)."""
    words = []
    for kind, word in tokens[start:]:
        if word in _ENDS_ARGUMENT or word == "(" or (not words and kind == tokenize.OP):
            break
        words.append(word.replace("**", "^"))
    return "".join(words)[:30] or "x"


def _insert_implicit_mul(tokens: list[tuple[int, str]], raw: str) -> str:
    """``2x`` -> ``2*x``, ``)(`` -> ``)*(``, ``2(`` -> ``2*(``, on tokens of :func:`_plain_tokens`."""
    out: list[str] = []
    prev = None
    for tok in tokens:
        if prev is not None:
            left_operand = prev[0] in (tokenize.NUMBER, tokenize.NAME) or prev[1] == ")"
            right_operand = tok[0] in (tokenize.NUMBER, tokenize.NAME) or tok[1] == "("
            if left_operand and right_operand and not (prev[0] == tokenize.NAME and tok[1] == "("):
                if prev[0] == tokenize.NUMBER and tok[0] == tokenize.NUMBER:
                    raise Unreadable("two numbers next to each other", raw)
                out.append("*")
        out.append(tok[1])
        prev = tok
    return " ".join(out)


class _PlainBuilder:
    def __init__(self, raw: str, names: Mapping[str, Any] | None, written: str = ""):
        self.raw = raw  # the text parsed (tokens spaced out)
        self.names = names
        self.written = written or raw  # the text as the student wrote it

    def symbol(self, name: str) -> Any:
        canon = canonical_name(name)
        if self.names is not None:
            if canon in self.names:
                return self.names[canon]
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise Unreadable(f"unknown name {quoted(name)} (not a declared variable)", name)
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        return sympy.Symbol(canon)

    def build(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise Unreadable("unsupported notation", ast.get_source_segment(self.raw, node) or self.raw)
        return method(node)

    def visit_Expression(self, node: ast.Expression) -> Any:
        return self.build(node.body)

    def visit_Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Unreadable("unsupported constant", ast.get_source_segment(self.raw, node) or repr(value))
        if isinstance(value, int):
            return sympy.Integer(value)
        text = ast.get_source_segment(self.raw, node) or repr(value)
        digits = len(re.sub(r"[^0-9]", "", text.split("e")[0].split("E")[0]))
        try:
            return sympy.Float(text.replace("_", ""), max(15, digits + 2))
        except ValueError:
            return sympy.Float(value)

    def visit_Name(self, node: ast.Name) -> Any:
        return self.symbol(node.id)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = _arithmetic_operand(self.build(node.operand), self.written)
        if isinstance(node.op, ast.USub):
            if operand is sympy.oo:
                return -sympy.oo
            return sympy.Mul(-1, operand, evaluate=False)
        if isinstance(node.op, ast.UAdd):
            return operand
        raise Unreadable("unsupported operator", ast.get_source_segment(self.raw, node) or "")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left = _arithmetic_operand(self.build(node.left), self.written)
        right = _arithmetic_operand(self.build(node.right), self.written)
        op = node.op
        if isinstance(op, ast.Add):
            return sympy.Add(left, right, evaluate=False)
        if isinstance(op, ast.Sub):
            return sympy.Add(left, sympy.Mul(-1, right, evaluate=False), evaluate=False)
        if isinstance(op, ast.Mult):
            return sympy.Mul(left, right, evaluate=False)
        if isinstance(op, ast.Div):
            return sympy.Mul(left, sympy.Pow(right, -1, evaluate=False), evaluate=False)
        if isinstance(op, (ast.Pow, ast.BitXor)):
            return sympy.Pow(left, right, evaluate=False)
        raise Unreadable("unsupported operator", ast.get_source_segment(self.raw, node) or "")

    def visit_Call(self, node: ast.Call) -> Any:
        if node.keywords or not isinstance(node.func, ast.Name):
            raise Unreadable("unsupported function call", ast.get_source_segment(self.raw, node) or "")
        name = node.func.id
        args = [self.build(a) for a in node.args]
        snippet = ast.get_source_segment(self.raw, node) or name
        if _is_function_word(name, self.names):
            return _applied(name, args, snippet)
        canon = canonical_name(name)
        declared = None if self.names is None else self.names.get(canon)
        if self.names is None or isinstance(declared, sympy.core.function.UndefinedFunction):
            return sympy.Function(canon)(*args)  # f(x): a function of the spec's (or anyone's) naming
        # x(1+x): a declared name followed by brackets multiplies
        if len(args) == 1 and declared is not None:
            return sympy.Mul(declared, _arithmetic_operand(args[0], self.written), evaluate=False)
        functions = [n for n, v in self.names.items() if isinstance(v, sympy.core.function.UndefinedFunction)]
        raise Unreadable(f"unknown function {quoted(name)}{_did_you_mean(name, functions)}", snippet)

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return sympy.Tuple(*[self.build(e) for e in node.elts])

    def visit_List(self, node: ast.List) -> Any:
        return sympy.Tuple(*[self.build(e) for e in node.elts])

    def visit_Set(self, node: ast.Set) -> Any:
        return sympy.FiniteSet(*[self.build(e) for e in node.elts])

    def visit_Compare(self, node: ast.Compare) -> Any:
        ops = {ast.Lt: sympy.StrictLessThan, ast.LtE: sympy.LessThan, ast.Gt: sympy.StrictGreaterThan,
               ast.GtE: sympy.GreaterThan, ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne}
        terms = [self.build(node.left)] + [self.build(c) for c in node.comparators]
        rels = []
        for op, a, b in zip(node.ops, terms, terms[1:]):
            if type(op) not in ops:
                raise Unreadable("unsupported comparison", ast.get_source_segment(self.raw, node) or "")
            if not isinstance(op, (ast.Eq, ast.NotEq)):
                a, b = _compared(a, self.written), _compared(b, self.written)
            rels.append(ops[type(op)](a, b, evaluate=False))
        return rels[0] if len(rels) == 1 else sympy.And(*rels, evaluate=False)


# --- absolute values --------------------------------------------------------
# A bar | opens an absolute value or closes one, and only its neighbours tell
# which: after an operator, an opening bracket, a comma or at the start it
# opens; before a closing bracket, a comma, a relation, * / ^ or at the end it
# closes; between two operands it may do either (|a|b|c| is |a|·b·|c| or
# |a·|b|·c|).  Every way of pairing the bars is counted and a text with more
# than one is refused: a guess would be a wrong reading half of the time.
_BAR_TOKENS = re.compile(
    r"(?P<norm>\\\|)|(?P<sep>\\\\|[,;&])|(?P<lvert>\\lvert(?![a-zA-Z]))|(?P<rvert>\\rvert(?![a-zA-Z]))"
    r"|(?P<group>\\\{|[(\[{])|(?P<end>\\\}|[)\]}])|(?P<command>\\[a-zA-Z]+)|(?P<bar>\|)|(?P<space>\s+)|(?P<char>.)",
    re.S,
)
_BARS = ("bar", "lvert", "rvert")
_OPERAND_COMMANDS = frozenset(_GREEK) | frozenset(_ALIASES) | {"infty", "e", "dots", "ldots", "cdots"}
_OPENS_AFTER = frozenset("+-*/^%<>=:")  # a bar after these cannot close anything
_CLOSES_BEFORE = frozenset("*/^%<>=!:")  # nor open before these (+ and - may be signs)
_CLOSING_COMMANDS = frozenset({"cdot", "times", "div", "le", "ge", "ne", "lt", "gt", "in", "cup", "cap",
                               "setminus", "to", "approx"})


class _AmbiguousBars(Unreadable):
    """The bars of a text pair up in more than one way."""


@dataclass
class _Bar:
    start: int
    can_open: frozenset  # of True (it may open) and False (it may close)
    after_bar: bool  # the token before it is a bar


def _bar_openings(text: str, latex: bool, raw: str = "") -> dict[int, bool] | None:
    """Where each absolute-value bar of ``text`` is and whether it opens.

    Raises :class:`Unreadable` when the bars pair up in more than one way, or (plain
    text) in none.  ``latex``: ``\\lvert``/``\\rvert`` count too, and a bar before
    ``_`` is a substitution bar (``f(x)|_{x=1}``): then None, nothing is claimed.
    ``raw`` is the text to name in a refusal (``text`` when not given)."""
    raw = raw or text
    tokens = [(m.lastgroup, m.group(0), m.start()) for m in _BAR_TOKENS.finditer(text)]
    tokens = [t for t in tokens if t[0] != "space"]
    segments: list[list[_Bar]] = [[]]  # bars of each open bracket group, innermost last
    openings: dict[int, bool] = {}
    for i, (kind, token, start) in enumerate(tokens):
        if kind in _BARS:
            before = tokens[i - 1] if i else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if latex and kind == "bar" and after is not None and after[1] == "_":
                return None
            can = {"lvert": {True}, "rvert": {False}}.get(kind, {True, False})  # opens?
            if _opens_after(before):
                can -= {False}
            if _closes_before(after):
                can -= {True}
            segments[-1].append(_Bar(start, frozenset(can), before is not None and before[0] in _BARS))
        elif kind == "group":
            segments.append([])
        elif kind in ("end", "sep"):
            openings.update(_pair_bars(segments.pop(), raw, latex))
            if kind == "sep" or not segments:
                segments.append([])
    for segment in segments:
        openings.update(_pair_bars(segment, raw, latex))
    return openings


def _opens_after(token: tuple | None) -> bool:
    if token is None:
        return True
    kind, text, _ = token
    if kind == "command":
        return text[1:] not in _OPERAND_COMMANDS  # \cdot|x|, \sin|x|; \pi|x| is a product
    return kind in ("group", "sep") or (kind == "char" and text in _OPENS_AFTER)


def _closes_before(token: tuple | None) -> bool:
    if token is None:
        return True
    kind, text, _ = token
    if kind == "command":
        return text[1:] in _CLOSING_COMMANDS
    return kind in ("end", "sep") or (kind == "char" and text in _CLOSES_BEFORE)


def _pair_bars(bars: list[_Bar], raw: str, latex: bool) -> dict[int, bool]:
    """The one way the bars of one bracket group pair up: {start: opens}."""
    if not bars:
        return {}
    # states: (open bars, last bar opened) -> (ways to get there, one previous state)
    layers: list[dict] = [{(0, False): (1, None)}]
    # the most the bars still to come can close: those that may close, less those that must open
    closable = sum(1 if False in bar.can_open else -1 for bar in bars)
    for bar in bars:
        closable -= 1 if False in bar.can_open else -1
        reached: dict = {}
        for (depth, opened), (ways, _) in layers[-1].items():
            for opens in (True, False):
                if opens not in bar.can_open:
                    continue
                if not opens and (depth == 0 or (bar.after_bar and opened)):  # | | would hold nothing
                    continue
                state = (depth + (1 if opens else -1), opens)
                before = reached.get(state, (0, (depth, opened)))
                reached[state] = (min(2, before[0] + ways), before[1])
        reached = {state: way for state, way in reached.items() if state[0] <= closable}
        if any(depth > MAX_DEPTH for depth, _ in reached):  # bounds the states: hostile |||…| stays quick
            raise Unreadable("there are too many absolute value bars |…| to pair them up; write abs(…) "
                             "or \\lvert…\\rvert", raw)
        layers.append(reached)
    ways, _ = layers[-1].get((0, False), (0, None))
    if ways > 1:
        raise _AmbiguousBars("the absolute value bars |…| pair up in more than one way; write abs(…) "
                             "or \\lvert…\\rvert", raw)
    if ways == 0:
        if latex:
            return {}
        raise Unreadable("the absolute value bars |…| do not pair up", raw)
    openings, state = {}, (0, False)
    for bar, layer in zip(reversed(bars), reversed(layers[1:])):
        openings[bar.start] = state[1]
        state = layer[state][1]
    return openings


def _absolute_values_as_calls(text: str, raw: str) -> str:
    """Plain text with each |…| written abs(…); after a function name, (abs(…)): sin|x| is sin(|x|)."""
    if "|" not in text:
        return text
    openings = _bar_openings(text, latex=False, raw=raw) or {}
    out, closers, done = [], [], 0
    for start in sorted(openings):
        out.append(text[done:start])
        if openings[start]:
            after_function = re.search(r"(?<![A-Za-z0-9_])([A-Za-z]+)\s*$", text[:start])
            wrapped = bool(after_function and after_function.group(1) in _FUNCTIONS
                           and after_function.group(1) not in _GREEK_FUNCTIONS)
            closers.append(wrapped)
            out.append(" (abs(" if wrapped else " abs(")
        else:
            out.append(")) " if closers.pop() else ") ")
        done = start + 1
    out.append(text[done:])
    return "".join(out)


def _read_plain(text: str, names: Mapping[str, Any] | None) -> Any:
    s = text.strip()
    s = s.replace("^", "**")
    s = re.sub(r"\\le ", "<=", s)
    s = re.sub(r"\\ge ", ">=", s)
    s = re.sub(r"\\ne ", "!=", s)
    s = re.sub(r"\\infty\s*", "oo", s)
    s = re.sub(r"\\sqrt\s*", "sqrt", s)
    s = re.sub(r"\\(?:times|cdot)\s*", "*", s)
    s = re.sub(r"\\([a-zA-Z]+)\s*", r"\1 ", s)  # remaining commands such as \pi, \varepsilon
    s = s.replace("\u02d9", "")
    if "\\" in s:
        raise Unreadable("a LaTeX command it does not know", text)
    s = _absolute_values_as_calls(s, text)
    s = _insert_implicit_mul(_bare_functions_applied(_plain_tokens(s, text), names, text), text)
    try:
        tree = ast.parse(s, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise syntax_unreadable("not a complete expression", text) from exc
    try:
        return _PlainBuilder(s, names, text).build(tree)
    except RecursionError as exc:
        raise Unreadable("the answer is nested too deeply", text) from exc


# --- LaTeX ----------------------------------------------------------------
_latex_parser = None


def _latex2sympy(text: str) -> Any:
    return _load_latex_parser()(text)


def _load_latex_parser() -> Callable[[str], Any]:
    global _latex_parser
    if _latex_parser is None:
        from latex2sympy2_extended.latex2sympy2 import ConversionConfig, latex2sympy

        config = ConversionConfig(lowercase_symbols=False, interpret_contains_as_eq=False)
        _latex_parser = lambda t: latex2sympy(t, normalization_config=None, conversion_config=config)  # noqa: E731
    return _latex_parser


# Commands antlr's lexer skips: they could stand between \operatorname and its braces.
_LEXER_SKIPS = re.compile(
    r"(?<!\\)\\(?:vrule|vcenter|vbox|vskip|vspace|hfil|thinspace|medspace|thickspace|negthinspace|"
    r"negmedspace|negthickspace|qquad|quad)(?![a-zA-Z])|(?<!\\)\\\$"
)


def _operator_names(text: str) -> str:
    """``\\operatorname{sgn}`` -> a function :func:`_parse_latex` reads, and no ``\\operatorname`` left at all.

    latex2sympy computes ``\\operatorname{eigenvals}``, ``{zeros}``, ``{svd}``...
    of a matrix as it parses (a 10×10 eigenvalue problem, a 10^5×10^5 matrix):
    without the command none of them can be reached.  A one-letter name is the letter.
    """
    s = _LEXER_SKIPS.sub(" ", text)
    s = re.sub(r"\\operatorname\*?\s*\{([^{}]*)\}", _operator_name, s)
    return s.replace("\\operatorname", " ")


def _operator_name(m: re.Match) -> str:
    name = re.sub(r"\\[a-zA-Z]+|[^a-zA-Z]", "", m.group(1))
    return name if len(name) <= 1 else _function_command(name)


# Functions latex2sympy reads from their own commands (\sin^2 x, \log_2 8, \max(a, b)); \operatorname{sin}
# is written \sin for it.  The other functions are marked \mathreadfn{erf} and read by _set_aside_named_functions.
_LATEX_NATIVE = frozenset({
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "arcsec", "arccsc", "arccot",
    "sinh", "cosh", "tanh", "arsinh", "arcosh", "artanh", "arcsinh", "arccosh", "arctanh", "exp", "log", "ln",
    "floor", "ceil", "max", "min",
})
_FUNCTION_MARK = re.compile(r"\\mathreadfn\{([a-zA-Z]+)\}")
_FUNCTION_WORDS = "|".join(sorted(_FUNCTIONS, key=len, reverse=True))
# \mathrm{erf}, \text{erf}: known functions only (\mathrm{d} and \text{approx} stay names)
_FUNCTION_IN_TEXT = re.compile(r"\\(?:mathrm|mathit|text|textrm|rm)\s*\{\s*(" + _FUNCTION_WORDS + r")\s*\}"
                               r"|\{\s*\\rm\s+(" + _FUNCTION_WORDS + r")\s*\}")  # and {\rm erf}
# \erf, \sgn, \coth: commands latex2sympy does not know (it reads \coth x as \cot(h x))
_FUNCTION_COMMAND = re.compile(r"(?<!\\)\\(" + "|".join(
    sorted(set(_FUNCTIONS) - _LATEX_NATIVE - _GREEK_FUNCTIONS - {"sqrt"}, key=len, reverse=True)) + r")(?![a-zA-Z])")
# sin(x), erf(1) in plain letters: applied, they are the functions (alone, latex2sympy's letters s·i·n)
_FUNCTION_LETTERS_APPLIED = re.compile(r"(?<![\\A-Za-z])(" + "|".join(
    sorted(set(_FUNCTIONS) - _GREEK_FUNCTIONS, key=len, reverse=True)) + r")(?=\s*(?:\(|\\left\s*\())")
_IN_SUBSCRIPT = re.compile(r"_\s*(?:\{[^{}]*)?$")


def _function_command(name: str) -> str:
    return f"\\{name} " if name in _LATEX_NATIVE else f"\\mathreadfn{{{name}}}"


def _function_names(latex: str) -> str:
    """Known functions written ``\\mathrm{erf}``, ``\\erf`` or, applied, ``\\text{erf}(…)`` or ``erf(…)`` -> what
    :func:`_operator_names` makes of ``\\operatorname{erf}``.  In a subscript (``T_{\\mathrm{max}}``)
    they stay labels, and ``5\\text{min}`` stays a unit."""
    def command(m: re.Match) -> str:
        if _IN_SUBSCRIPT.search(latex[max(0, m.start() - 200): m.start()]):
            return m.group(0)
        if m.group(0).startswith("\\text") and not re.match(r"\s*(?:\(|\\left|\^)", latex[m.end():]):
            return m.group(0)
        return _function_command(m.group(1) or m.group(2))
    latex = _FUNCTION_IN_TEXT.sub(command, latex)
    latex = _FUNCTION_COMMAND.sub(command, latex)
    return _FUNCTION_LETTERS_APPLIED.sub(command, latex)


_GAMMA = re.compile(r"(?<!\\)\\([gG]amma)(?![a-zA-Z])")


def _greek_gammas(latex: str, names: Mapping[str, Any] | None) -> str:
    """``\\gamma`` and ``\\Gamma`` alone are letters (latex2sympy reads them as Euler's constant 0.577…),
    and applied the gamma function (``\\Gamma\\left(\\frac12\\right)`` too); declared, they are always
    letters: ``\\gamma(1-x)`` multiplies, as in plain text."""
    def letter(m: re.Match) -> str:
        name = m.group(1)
        if _IN_SUBSCRIPT.search(latex[max(0, m.start() - 200): m.start()]) or latex.startswith("_", m.end()):
            return m.group(0)
        if names is not None and name in names:
            return f" \\variable{{{name}}} "
        return f"\\mathreadfn{{{name}}}"  # read by _set_aside_named_functions
    return _GAMMA.sub(letter, latex)


# A decorated name, with a subscript of letters or digits: \dot\sigma, \dot{\tanh}_{\text{approx}}, \hat{x}_1
_NAME_MACRO = re.compile(
    r"\\(dot|ddot|hat|bar|tilde|vec|overline)(?![a-zA-Z])\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\\[a-zA-Z]+|[a-zA-Z])"
    r"(?:\s*_\s*(\{\s*(?:\\(?:text|mathrm|textrm|mathit|operatorname)\s*\{\s*[A-Za-z0-9]+\s*\}|[A-Za-z0-9]+)\s*\}"
    r"|[A-Za-z0-9]))?"
)
_DECORATED = re.compile(r"\\mathreaddec\{([A-Za-z0-9]+)\}(\s*\()?")
_SUBSCRIPT_NEXT = re.compile(r"\s*_")


def _decorated_name(m: re.Match) -> str | None:
    """The canonical name of a decorated name found by _NAME_MACRO (``sigma_dot_approx``), or None when
    what is decorated is no name (``\\overline{x+y}``)."""
    inner = m.group(2).strip("{} ")
    if not re.fullmatch(r"\\?[A-Za-z]+|[0-9]+", inner):
        return None
    return canonical_name("\\" + m.group(1) + "{" + inner + "}" + ("_" + m.group(3) if m.group(3) else ""))


def _decorated_names(latex: str, names: Mapping[str, Any] | None) -> str:
    """Each decorated name marked by _latex_prepare as one name for latex2sympy (it reads the letters of
    ``sigma_dot`` as a product): applied to a bracket, a function (``\\dot\\sigma(0.05)``), unless it is a
    declared variable, whose brackets multiply (as in plain text)."""
    def one(m: re.Match) -> str:
        declared = None if names is None else names.get(m.group(1).replace("DEC", "_"))
        if m.group(2) and not isinstance(declared, sympy.Symbol):
            return rf" \mathit{{{m.group(1)}}}{m.group(2)}"
        return rf" \variable{{{m.group(1)}}} {m.group(2) or ''}"
    return _DECORATED.sub(one, latex)


def _latex_prepare(text: str) -> str:
    s = text
    # scientific notation: latex2sympy reads 1.0e-6 as 1.0*e - 6
    s = re.sub(r"(?<![\w.])(\d+(?:\.\d*)?|\.\d+)[eE]([+-]?\d+)(?![\w.])", r"\1\\times 10^{\2}", s)
    # \sqrt3, \sqrt x, \sqrt\pi, then \frac12, \frac3{3}, \frac{1}2, \frac{\sqrt{\pi}}2
    s = re.sub(r"\\sqrt\s*(\d+|[a-zA-Z](?![a-zA-Z]))", r"\\sqrt{\1}", s)
    s = re.sub(r"\\sqrt\s*(\\(?!left(?![a-zA-Z]))[a-zA-Z]+)", r"\\sqrt{\1}", s)
    s = re.sub(r"\\frac\s*(\d)\s*(\d)", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\frac\s*(\d)\s*(?=\{)", r"\\frac{\1}", s)
    # One level of braces inside the numerator; its alternatives start differently, so no backtracking.
    s = re.sub(r"\\frac\s*(\{(?:[^{}]|\{[^{}]*\})*\})\s*(\d)", r"\\frac\1{\2}", s)
    # decorated names become one name: \dot{\sigma}_{\text{approx}} -> sigma_dot_approx (see _decorated_names)
    def name(m: re.Match) -> str:
        decorated = _decorated_name(m)
        if decorated is None or _SUBSCRIPT_NEXT.match(m.string, m.end()):  # \hat{x+y}, \dot x_{i+1}:
            return m.group(0)  # latex2sympy's own reading, one symbol hat{x+y}
        return rf" \mathreaddec{{{decorated.replace('_', 'DEC')}}} "
    s = _NAME_MACRO.sub(name, s)
    s = re.sub(r"_\s*\{\s*\\(?:text|mathrm|textrm|mathit|operatorname)\s*\{([^{}]*)\}\s*\}", r"_{\1}", s)
    s = _function_names(s)
    s = re.sub(r"\\(?:mathrm|mathit)\s*\{([a-zA-Z]+)\}", r"\1", s)
    s = _operator_names(s)
    s = re.sub(r"\\pm(?![a-zA-Z])", r"\\pm ", s)
    return s


def _fix_symbols(expr: Any, names: Mapping[str, Any] | None, raw: str) -> Any:
    """Map latex2sympy's symbols onto declared ones; refuse undeclared names."""
    if isinstance(expr, sympy.MatrixBase):
        return expr.applyfunc(lambda e: _fix_symbols(e, names, raw))
    if not isinstance(expr, sympy.Basic):
        return expr
    mapping: dict = {}
    unknown = []
    for sym in expr.free_symbols:
        if not isinstance(sym, sympy.Symbol):
            continue
        name = sym.name.replace("DEC", "_")
        canon = canonical_name(name)
        if names is not None and canon in names:
            mapping[sym] = names[canon]
        elif canon in ("e",) and (names is None or "e" not in names):
            mapping[sym] = sympy.E
        elif canon == "pi":
            mapping[sym] = sympy.pi
        elif names is not None:
            unknown.append((_written(canon, raw, sym.name), canon))
        elif canon != sym.name:
            mapping[sym] = sympy.Symbol(canon)
    if unknown:  # the one written first, named as written: never a letter of a longer name
        (written, at), canon = min(sorted(unknown), key=lambda found: found[0][1])
        raise _unknown_name(canon, written, at < len(raw), raw)
    for app in sorted(expr.atoms(AppliedUndef), key=lambda a: _written(_function_name(a), raw)[1]):
        fname = _function_name(app)
        if names is not None and fname not in names:
            raise _unknown_function(app, names, raw)
        if "DEC" in str(app.func):  # \dot\sigma(x): the function sigma_dot, as declared
            function = names[fname] if names is not None else sympy.Function(fname)
            mapping[app] = function(*[_fix_symbols(a, names, raw) for a in app.args])
    return _substituted(expr, mapping) if mapping else expr


def _function_name(app: AppliedUndef) -> str:
    return canonical_name(str(app.func).replace("DEC", "_"))


def _unknown_name(canon: str, written: str, found: bool, raw: str) -> Unreadable:
    """Refusing the name ``canon``, written ``written`` (``found``: written as such, not only as part of a word)."""
    if found or written != canon or len(canon) > 1 or _spelt_function(canon, raw):
        return Unreadable(f"unknown name {quoted(written)} (not a declared variable){_spelt_function(canon, raw)}",
                          written)
    word = _word_of(canon, raw)
    if word:
        return Unreadable(f"unknown name {quoted(word)}: in LaTeX a word is read as a product of its letters, as "
                          "variables (write words outside the maths)", word)
    return Unreadable(f"unknown name {quoted(canon)} (not a declared variable)", canon)


def _unknown_function(app: AppliedUndef, names: Mapping[str, Any], raw: str) -> Unreadable:
    """Refusing an undeclared function; a decorated one at a number (``\\dot\\sigma(0.05)``) is not its value."""
    fname = _function_name(app)
    written, at = _written(fname, raw)
    if written != fname and all(getattr(a, "is_number", False) for a in app.args):
        name = _NAME_MACRO.match(raw, at)
        applied = re.compile(r"\s*\([^()]*\)").match(raw, name.end()) if name else None
        at_point = written + (re.sub(r"\s+", "", applied.group(0)) if applied else "(…)")
        return Unreadable(f"unknown function {quoted(written)} ({quoted(at_point)} is the function at a point, not a "
                          "number: write the number it comes to)", at_point)
    functions = [n for n, v in names.items() if isinstance(v, sympy.core.function.UndefinedFunction)]
    return Unreadable(f"unknown function {quoted(written)}{_did_you_mean(fname, functions)}"
                      f"{_spelt_function(fname, raw)}", str(app.func) if written == fname else written)


def _written(canon: str, raw: str, parsed: str = "") -> tuple[str, int]:
    """How the student wrote the name ``canon`` (``\\dot\\tanh`` for tanh_dot), and where (len(raw): not found).
    ``parsed``: latex2sympy's name for it (``hat{x+y}``, found as ``\\hat{x+y}``)."""
    for m in _NAME_MACRO.finditer(raw):
        if _decorated_name(m) == canon:
            return _tidy(m.group(0)), m.start()
    found = re.search(r"(?<![A-Za-z])\\?" + re.escape(canon) + r"(?![A-Za-z])", raw)
    if found:
        return canon, found.start()
    for m in _ANY_DECORATED.finditer(raw) if parsed else ():  # hat{x+y}: latex2sympy's name for \hat{x+y}
        if _letters(m.group(0)) == _letters(parsed):
            return _tidy(m.group(0)), m.start()
    return canon, len(raw)


def _tidy(latex: str) -> str:
    """``\\dot{\\sigma }`` (σ̇ as normalised) as a student would type it: ``\\dot{\\sigma}``."""
    return re.sub(r"\s+(?=\})", "", latex.strip())


_ANY_DECORATED = re.compile(r"\\(?:dot|ddot|hat|bar|tilde|vec|overline)(?![a-zA-Z])\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}"
                            r"|\\[a-zA-Z]+|[a-zA-Z])(?:\s*_\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9]))?")


def _letters(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name.replace("overline", "bar"))


def _word_of(letter: str, raw: str) -> str:
    """The word of ``raw`` (not a command, function or subscript) that ``letter`` came from, or ""."""
    for m in re.finditer(r"(?<![\\A-Za-z])[A-Za-z]{2,}(?![A-Za-z])", raw):
        word = m.group(0)
        if letter in word and word not in _FUNCTIONS and word not in _CONSTANTS \
                and not _IN_SUBSCRIPT.search(raw[max(0, m.start() - 200): m.start()]):
            return word
    return ""


_LETTERS_FUNCTION = re.compile(r"(?<![\\A-Za-z])(" + _FUNCTION_WORDS + r")(?![A-Za-z])")


def _spelt_function(letter: str, raw: str) -> str:
    """When ``letter`` is part of a function name written in plain letters in LaTeX (``erf(1)`` is
    e·r·f(1) there), what to write instead; else ""."""
    for m in _LETTERS_FUNCTION.finditer(raw):
        word = m.group(1)
        if letter in word and word not in _GREEK_FUNCTIONS:
            spelling = f"\\{word}" if word in _LATEX_NATIVE else f"\\operatorname{{{word}}}"
            return (f"; in LaTeX the letters {word} are read as a product of variables: "
                    f"write {spelling}(…) for the function")
    return ""


def _read_latex(text: str, names: Mapping[str, Any] | None) -> Any:
    prepared = _decorated_names(_greek_gammas(_latex_prepare(text), names), names)
    return _fix_symbols(_parse_latex(prepared, text), names, text)


def _parse_latex(latex: str, raw: str) -> Any:
    """latex2sympy's reading of prepared LaTeX, with determinants and norms computed here."""
    latex, values = _set_aside_matrix_functions(latex, raw)
    latex = _set_aside_named_functions(latex, raw, values)
    _refuse_matrix_work(latex, raw)
    try:
        value = _latex2sympy(latex)
    except RecursionError as exc:
        raise Unreadable("the answer is nested too deeply", raw) from exc
    except Exception as exc:  # the parser raises bare Exceptions on syntax errors
        raise syntax_unreadable("could not read the LaTeX", raw) from exc
    if value is None:  # what it skips and reads as nothing
        raise syntax_unreadable("could not read the LaTeX", raw)
    return _put_back(value, values, raw)


# --- named functions in LaTeX ----------------------------------------------
# latex2sympy knows \sin or \log but not erf, sgn or coth; those are marked \mathreadfn{erf} by
# _latex_prepare, and each one applied is read here and set aside as a placeholder, like a determinant.
_SIMPLE_LATEX_ARGUMENT = re.compile(
    r"\s*(?:\d+(?:\.\d+)?|[a-zA-Z](?![a-zA-Z])|\\(?:" + "|".join([*_GREEK, *_ALIASES, "infty"]) + r")(?![a-zA-Z]))"
    r"(?:\s*\^\s*(?:\{[^{}]*\}|[a-zA-Z0-9]))?")
# after an argument without brackets (\operatorname{erf} x): then it is unambiguous
_LATEX_ARGUMENT_ENDS = re.compile(
    r"\s*(?:$|[-+)\]},=<>&|;]|\\(?:right|le|ge|leq|geq|ne|neq|lt|gt|approx|mathreadfn|"
    + "|".join(_LATEX_NATIVE) + r")(?![a-zA-Z])|\\\\)")
_FUNCTION_POWER = re.compile(r"\s*\^\s*(?:(\{)|([a-zA-Z0-9]))")
_FUNCTION_OPEN = re.compile(r"\s*(?:\\left\s*)?([({])")


def _set_aside_named_functions(latex: str, raw: str, values: dict[str, Any]) -> str:
    """``latex`` with each marked function applied (``\\mathreadfn{erf}(x)``) replaced by
    ``\\variable{mathreadvaluefnN}``, its value added to ``values``."""
    out: list[str] = []
    done = 0
    while m := _FUNCTION_MARK.search(latex, done):
        name = m.group(1)
        if name not in _FUNCTIONS:
            raise Unreadable(f"could not read \\operatorname{{{name}}}: unknown function {quoted(name)}"
                             f"{_did_you_mean(name)}", raw)
        power, args, end = _function_arguments(latex, m.end(), name, raw)
        if args is None:  # \Gamma alone
            out.append(latex[done:m.start()] + f" \\variable{{{name}}} ")
            done = end
            continue
        value = _applied(name, [_parse_latex(a, raw) for a in args], raw)
        if power is not None:
            exponent = _parse_latex(power, raw)
            if exponent == -1:
                raise Unreadable(f"{name}^{{-1}} could be the inverse function or 1/{name}: write "
                                 f"\\frac{{1}}{{\\operatorname{{{name}}}(…)}} for the reciprocal", raw)
            value = sympy.Pow(value, exponent, evaluate=False)
        key = f"{_PLACEHOLDER}fn{len(values)}"
        values[key] = value
        out.append(latex[done:m.start()] + rf" \variable{{{key}}} ")
        done = end
    out.append(latex[done:])
    return "".join(out)


def _function_arguments(latex: str, i: int, name: str, raw: str) -> tuple[str | None, list[str] | None, int]:
    """(power or None, the arguments or None when not applied, where they end) of the function
    whose name ends at ``i``: ``^{2}(x, y)``, ``\\left(x\\right)``, ``{x}``, or a simple ``x`` or ``x^2``."""
    power, j = None, i
    raised = _FUNCTION_POWER.match(latex, i)
    if raised:
        j = raised.end()
        if raised.group(1):
            close = _matching(latex, raised.start(1))
            if close < 0:
                raise Unreadable("could not read the LaTeX", raw)
            power, j = latex[raised.end():close], close + 1
        else:
            power = raised.group(2)
    opened = _FUNCTION_OPEN.match(latex, j)
    if opened and not (name in _GREEK_FUNCTIONS and opened.group(1) == "{"):  # \Gamma{x} is no application
        close = _matching(latex, opened.start(1))
        if close < 0:
            raise Unreadable("could not read the LaTeX", raw)
        inside = re.sub(r"\\right\s*$", "", latex[opened.end():close])
        return power, _split_top(inside, _COMMA), close + 1
    # \gamma x is γ·x; max, min need brackets
    simple = None if name in _SEVERAL_ARGUMENTS | _GREEK_FUNCTIONS else _SIMPLE_LATEX_ARGUMENT.match(latex, j)
    if simple and _LATEX_ARGUMENT_ENDS.match(latex, simple.end()):
        return power, [simple.group(0)], simple.end()
    if name in _GREEK_FUNCTIONS:
        return None, None, i
    raise Unreadable(f"{name} is a function: write its argument in brackets, as in \\operatorname{{{name}}}(x)", raw)


# --- determinants and norms in LaTeX ---------------------------------------
# latex2sympy computes a determinant (vmatrix, \det) or a norm (\|..\|) of a
# matrix as it parses, with no limit: a 13×13 determinant of polynomials runs
# for minutes.  Each is set aside as a placeholder name instead, and computed
# here: numbers exactly, symbols written out up to MAX_SYMBOLIC_DET×MAX_SYMBOLIC_DET.
_PLACEHOLDER = "mathreadvalue"
_MATRIX_FUNCTION = re.compile(r"\\begin\{vmatrix\}|\\det|\\\|")
_MATRIX_START = re.compile(r"\s*\\begin\{(pmatrix|bmatrix|matrix|array)\}(?:\{[clr]*\})?")
_DET_OPEN = re.compile(r"\s*(?:\\left\s*)?([(\[])?")
_CLOSE = {"(": re.compile(r"\s*(?:\\right\s*)?\)"), "[": re.compile(r"\s*(?:\\right\s*)?\]"),
          "norm": re.compile(r"\s*\\\|")}
_NUMBER_CELL = re.compile(r"\s*[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+|\\frac\s*\{\s*\d+\s*\}\s*\{\s*\d+\s*\})\s*")


def _is_command(latex: str, i: int) -> bool:
    """Does the backslash at ``i`` start a command (and is not the second half of ``\\\\``)?"""
    slashes = len(latex[:i]) - len(latex[:i].rstrip("\\"))
    return slashes % 2 == 0


def _set_aside_matrix_functions(latex: str, raw: str) -> tuple[str, dict[str, Any]]:
    """``latex`` with each determinant and norm of a written matrix replaced by
    ``\\variable{mathreadvalueN}``, and the values of those names."""
    out: list[str] = []
    values: dict[str, Any] = {}
    done = pos = 0
    while m := _MATRIX_FUNCTION.search(latex, pos):
        found = _matrix_function_at(latex, m) if _is_command(latex, m.start()) else None
        if found is None:
            pos = m.end()
            continue
        kind, body, end = found
        name = f"{_PLACEHOLDER}{len(values)}"
        values[name] = _determinant(body, raw) if kind == "det" else _norm(body, raw)
        out.append(latex[done:m.start()] + r" \variable{" + name + "} ")
        done = pos = end
    out.append(latex[done:])
    return "".join(out), values


def _matrix_function_at(latex: str, m: re.Match) -> tuple[str, str, int] | None:
    """(kind, the matrix's body, where the construct ends) for the construct found by ``m``."""
    if m.group(0) == r"\begin{vmatrix}":
        close = _environment_end(latex, m.end(), "vmatrix")
        return None if close < 0 else ("det", latex[m.end():close], close + len(r"\end{vmatrix}"))
    kind, i, closer = "norm", m.end(), _CLOSE["norm"]
    if m.group(0) == r"\det":
        opened = _DET_OPEN.match(latex, i)
        kind, i, closer = "det", opened.end(), _CLOSE.get(opened.group(1))
    start = _MATRIX_START.match(latex, i)
    if not start:
        return None
    env = start.group(1)
    close = _environment_end(latex, start.end(), env)
    if close < 0:
        return None
    end = close + len(rf"\end{{{env}}}")
    if closer is not None:
        closed = closer.match(latex, end)
        if not closed:
            return None
        end = closed.end()
    return kind, latex[start.end():close], end


def _environment_end(latex: str, start: int, env: str) -> int:
    """Where the ``\\end{env}`` closing an environment whose body starts at ``start`` is (-1: nowhere)."""
    depth = 1
    for m in re.compile(rf"\\(begin|end)\{{{env}\}}").finditer(latex, start):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.start()
    return -1


def _matrix_cells(body: str) -> list[list[str]]:
    """The cells of a matrix body, row by row: split on ``\\\\`` and ``&`` outside braces and inner environments."""
    rows: list[list[str]] = []
    cells: list[str] = []
    depth = start = i = 0
    while i < len(body):
        if body[i] == "\\":
            if body.startswith("\\\\", i) and depth == 0:
                rows.append(cells + [body[start:i]])
                cells, start = [], i + 2
            depth += body.startswith("\\begin", i) - body.startswith("\\end", i)
            i += 2
            continue
        depth += (body[i] == "{") - (body[i] == "}")
        if body[i] == "&" and depth == 0:
            cells.append(body[start:i])
            start = i + 1
        i += 1
    last = cells + [body[start:]]
    if len(rows) == 0 or any(c.strip() for c in last):  # a final \\ ends the last row
        rows.append(last)
    return rows


def _parse_matrix(body: str, raw: str) -> sympy.MatrixBase:
    value = _parse_latex(r"\begin{pmatrix}" + body + r"\end{pmatrix}", raw)
    if not isinstance(value, sympy.MatrixBase):
        raise Unreadable("could not read the matrix", raw)
    return value


def _determinant(body: str, raw: str) -> Any:
    rows = _matrix_cells(body)
    n = len(rows)
    if any(len(row) != n for row in rows):
        raise Unreadable("a determinant needs a square matrix", raw)
    too_large = Unreadable(f"a determinant larger than {MAX_SYMBOLIC_DET}×{MAX_SYMBOLIC_DET} with "
                           "anything but numbers in it is too large to check", raw)
    if n > MAX_SYMBOLIC_DET and not all(_NUMBER_CELL.fullmatch(cell) for row in rows for cell in row):
        raise too_large  # refused before reading: reading 169 cells alone takes seconds
    matrix = _parse_matrix(body, raw)
    entries = []
    for entry in matrix:
        _screen(entry, raw)
        entries.append(_evaluate(entry))
    size = n * max(_log10_bound(e) + 1 for e in entries)  # digits of the products of n entries
    if size <= EXACT_LOG10 and all(e.is_Rational or e.is_Float for e in entries):
        with dotprodsimp(False):
            return sympy.Matrix(n, n, entries).det()
    if n > MAX_SYMBOLIC_DET:
        raise too_large
    if size > EXACT_LOG10 and not all(e.is_number for e in entries):
        # x·10^{10^9} times 10^{10^9} would be multiplied out; numbers alone stay unevaluated
        raise Unreadable("a number in the answer is too large to check", raw)
    return _written_out_determinant(matrix)


def _norm(body: str, raw: str) -> Any:
    """sqrt(sum |entry|^2), as latex2sympy's .norm() (Frobenius; 2-norm of a vector), unevaluated."""
    squares = [sympy.Pow(sympy.Abs(e, evaluate=False), 2, evaluate=False) for e in _parse_matrix(body, raw)]
    return sympy.Pow(sympy.Add(*squares, evaluate=False), sympy.Rational(1, 2), evaluate=False)


def _refuse_matrix_work(latex: str, raw: str) -> None:
    """Refuse the matrix operations latex2sympy would compute that were not set aside."""
    if re.search(r"\\x[rR]ightarrow", latex):
        # antlr takes seconds per row operation to parse, and the entries grow with each
        raise Unreadable("row operations (\\xrightarrow) are not read: give the resulting matrix", raw)
    if "\\begin" in latex and any(_is_command(latex, m.start()) for m in re.finditer(r"\\det|\\\|", latex)):
        raise Unreadable("a determinant or norm is read only of one matrix written out, as in "
                         "\\det\\begin{pmatrix}…\\end{pmatrix} or \\begin{vmatrix}…\\end{vmatrix}", raw)


def _put_back(value: Any, values: dict[str, Any], raw: str) -> Any:
    """``value`` with the placeholders replaced by what they stand for, unevaluated."""
    if not values:
        return value
    if not isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        raise Unreadable("could not read the LaTeX", raw)
    mapping = {s: values[s.name] for s in value.free_symbols if isinstance(s, sympy.Symbol) and s.name in values}
    with sympy.evaluate(False):  # |A|^{10^9} must stay a power, not be computed
        value = value.xreplace(mapping)
    if any(isinstance(s, sympy.Symbol) and s.name.startswith(_PLACEHOLDER) for s in value.free_symbols):
        raise Unreadable("could not read the LaTeX", raw)  # a placeholder not where a value can be
    return value


def _looks_latex(text: str) -> bool:
    return bool(re.search(r"[\\{}$]|\^\{", text))


def _read_expression(text: str, names: Mapping[str, Any] | None) -> Any:
    s = text.strip()
    if not s:
        raise Unreadable("the answer is empty", text)
    if _looks_latex(s):
        plain_try = None
        # simple LaTeX that is also plain text (\pi, \infty, \le...) reads faster as plain
        if not re.search(r"[{}]|\\(?!pi\b|infty\b|le\b|ge\b|ne\b|cdot\b|times\b)", s):
            try:
                plain_try = _read_plain(s, names)
            except (_AmbiguousBars, _NoArithmetic):
                raise
            except Unreadable:
                plain_try = None
        if plain_try is not None:
            return plain_try
        _bar_openings(s, latex=True)  # the LaTeX parser would pick one of several pairings
        value = _read_latex(s, names)
        _refuse_arithmetic_on_collections(value, text)
        return _settled(value, text)
    return _read_plain(s, names)


# --- sums, products, limits, integrals, derivatives ------------------------
# SymPy keeps a \\sum, \\prod, \\lim, \\int or d/dx as written and works it out only when asked for its
# value, with no limit: evalf of \\prod_{k=1}^\\infty 0.5 ran for minutes in whichever checker asked first.
# Each one is worked out while the answer is read, in the limited worker (see _read_in_worker): to its
# closed form when SymPy finds one (\\sum 1/k^2 is π²/6), else, without unknowns, to a number; one that
# comes to neither within SETTLE_SECONDS is refused.  The checkers then only see numbers and formulas.
# Only a sum or product of at most SMALL_SERIES_TERMS terms, or to a variable's value (\\sum_{k=1}^{n}),
# stays as written: evaluating it costs little.
_UNSETTLED = (sympy.Sum, sympy.Product, sympy.Integral, sympy.Limit, sympy.Derivative)
SMALL_SERIES_TERMS = 100
_UNSETTLED_NAMES = {sympy.Sum: "sum", sympy.Product: "product", sympy.Integral: "integral", sympy.Limit: "limit",
                    sympy.Derivative: "derivative"}
SETTLE_SECONDS = 1.5  # CPU seconds of the worker (reading included) by which every one must be worked out
SMALL_CLOSED_FORM = 60  # nodes: a closed form without unknowns larger than this is kept as its number
_in_worker = False  # set in the worker process only
_settle_deadline = 0.0  # the worker's CPU time (time.process_time) at which working out stops


class _NeedsWorker(Exception):
    """Raised outside the worker by a reading with a sum, product, … to work out: read it in the worker."""


class _OutOfTime(BaseException):
    """The worker's time for working out sums and products is over (never caught by SymPy's ``except Exception``)."""


def _out_of_time(signum: int, frame: Any) -> None:
    raise _OutOfTime()


def _settled(value: Any, raw: str) -> Any:
    """``value`` with each sum, product, limit, integral and derivative in it worked out (in the worker only)."""
    nodes = _outermost_unsettled(value)
    if not nodes:
        return value
    if not _in_worker:
        raise _NeedsWorker()
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(lambda entry: _settled(entry, raw))
    return _substituted(value, {node: _settled_node(node, raw) for node in nodes})


def _outermost_unsettled(value: Any) -> list:
    if isinstance(value, sympy.MatrixBase):
        return [node for entry in value for node in _outermost_unsettled(entry)]
    if not isinstance(value, sympy.Basic):
        return []
    if isinstance(value, _UNSETTLED) and _to_work_out(value):
        return [value]
    return [node for arg in value.args for node in _outermost_unsettled(arg)]


def _to_work_out(node: sympy.Basic) -> bool:
    """Must this sum, product, … be worked out while reading (not a short sum kept as written)?"""
    if not isinstance(node, (sympy.Sum, sympy.Product)) or node.function.has(*_UNSETTLED):
        return True
    return any(_many_terms(ends) for _, *ends in node.limits)


def _many_terms(ends: list) -> bool:
    """Do the ends of a sum's variable (``1, \\infty``) span more than SMALL_SERIES_TERMS terms?"""
    if len(ends) != 2:
        return True
    if any(end.free_symbols for end in ends):
        return any(end.has(sympy.oo, -sympy.oo) for end in ends)  # to n: n is small wherever it is evaluated
    if any(_log10_bound(end) > math.log10(SMALL_SERIES_TERMS) or end.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan)
           for end in ends):
        return True
    try:
        return abs(float(sympy.Add(ends[1], -ends[0]).evalf(15))) >= SMALL_SERIES_TERMS
    except (TypeError, ValueError, ArithmeticError):
        return True


def _settled_node(node: sympy.Basic, raw: str) -> Any:
    """What one sum, product, … comes to: its closed form, else (without unknowns) its number."""
    what = next(name for cls, name in _UNSETTLED_NAMES.items() if isinstance(node, cls))
    if any(end.has(sympy.oo, -sympy.oo) for limit in getattr(node, "limits", ()) for end in limit[1:]):
        what = "infinite " + what
    _screen(node, raw)  # \\sum_{k=1}^{10^4} k^k: refused before its terms are computed
    remaining = _settle_deadline - time.process_time()
    if remaining <= 0:
        raise Unreadable(f"could not evaluate this {what} in time", raw)
    previous = signal.signal(signal.SIGPROF, _out_of_time)
    signal.setitimer(signal.ITIMER_PROF, remaining)  # user and system CPU time, as the worker's limit counts
    try:
        return _worked_out(node, what, raw)
    except _OutOfTime:
        raise Unreadable(f"could not evaluate this {what} in time", raw) from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _worked_out(node: sympy.Basic, what: str, raw: str) -> Any:
    try:
        closed = node.doit()
        if not closed.has(*_UNSETTLED):
            if closed.free_symbols or _node_count(closed) <= SMALL_CLOSED_FORM:
                return closed
            return _number_of(closed, what, raw)
        if node.free_symbols:
            raise Unreadable(f"could not work out this {what} with unknowns in it (no closed form was found): "
                             "write what it comes to", raw)
        return _number_of(node, what, raw)
    except Unreadable:
        raise
    except (ValueError, TypeError, ArithmeticError, NotImplementedError, RecursionError, AttributeError) as exc:
        if "diverges" in str(exc):
            raise Unreadable(f"this {what} does not converge", raw) from exc
        raise Unreadable(f"could not work out this {what}", raw) from exc


def _number_of(value: sympy.Basic, what: str, raw: str) -> Any:
    """The number a closed sum, product, … comes to (50 digits), or Unreadable."""
    number = value.evalf(50)
    if number.has(sympy.nan, sympy.zoo):
        raise Unreadable(f"this {what} does not converge", raw)
    if not is_plain_number(number):
        raise Unreadable(f"could not work out this {what}", raw)
    return number


def _node_count(value: sympy.Basic) -> int:
    return sum(1 for _ in sympy.preorder_traversal(value))


def is_plain_number(value: Any) -> bool:
    """Is ``value`` a number written out (a real or complex Float or Rational, or ±∞), nothing left to compute?"""
    return isinstance(value, sympy.Basic) and all(
        isinstance(node, (sympy.Number, sympy.core.numbers.ImaginaryUnit, sympy.Add, sympy.Mul))
        for node in sympy.preorder_traversal(value))


# --- structure ------------------------------------------------------------
def _top_level_matches(text: str, pattern: re.Pattern, lenient: bool = False):
    """Matches of ``pattern`` outside brackets (``\\{ \\}`` count as brackets), left to right.

    ``lenient`` also matches after an unbalanced closing bracket (depth below 0).
    """
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text.startswith(("\\{", "\\}"), i):
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 or (lenient and depth < 0):
            m = pattern.match(text, i)
            if m and m.end() > i:
                yield m
                i = m.end()
                continue
        i += 1


def _split_top(text: str, separators: re.Pattern) -> list[str]:
    parts = []
    start = 0
    for m in _top_level_matches(text, separators):
        parts.append(text[start:m.start()])
        start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts]


_COMMA = re.compile(r",")
_RATIO = re.compile(r":(?!=)")
_UNION = re.compile(r"\\cup(?![a-zA-Z])|\s+U\s+")
_SET_DIFFERENCE = re.compile(r"\\setminus(?![a-zA-Z])")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_PERCENT = re.compile(r"^(.*?)\s*(?:\\%|%|\\text\{\s*\\?%\s*\}|percentage|percent|pct)\s*$", re.S)
_REALS_WORDS = re.compile(r"^(?:all\s+real\s+numbers|all\s+reals|\\mathbb\{R\}|the\s+real\s+line)$", re.I)
# "All real numbers" said in words, perhaps with exceptions after it: "except 0 and 1", "but ε = 0".  Any
# other words after it narrow the set down ("greater than 0", "\\ne 0") and are refused, never read as ℝ.
_REALS_PHRASE = re.compile(r"^(?:all\s+(?:the\s+)?real\s+numbers|all\s+(?:the\s+)?reals|(?:every|any)\s+real\s+number"
                           r"|(?:the\s+)?(?:whole\s+|entire\s+)?real\s+line)(?![A-Za-z])", re.I)
_EXCEPT_WORDS = re.compile(r"\s*,?\s*(?:except(?:\s+for)?|but(?:\s+not)?|other\s+than|excluding|apart\s+from|aside\s+from"
                           r"|without|save(?:\s+for)?|besides)\s+(?P<points>.+)", re.I | re.S)
_POINT_SEPARATORS = re.compile(r",|\s+(?:and|or)\s+", re.I)
# A remainder term at the end of an approximation: + O(ε^2), + \mathcal{O}(ε^4), + o(ε)
_REMAINDER = re.compile(r"[+-]\s*(?:\\mathcal\s*\{\s*[Oo]\s*\}|\\mathcal\s*[Oo]|\\(?:mathrm|operatorname|mathit)\s*\{\s*[Oo]\s*\}"
                        r"|(?<![A-Za-z\\])[Oo])\s*(?=\()")
_TRAILING_DOTS = re.compile(r"[+-]\s*(?:\\(?:dots[cbmio]?|ldots|cdots)(?![a-zA-Z])|\.\.\.|…)\s*$")
# What a remainder may hold: one name to a whole power, ε, ε^2, \\varepsilon^{4}.
_REMAINDER_ORDER = re.compile(r"\s*(?P<name>\\?[A-Za-z]+|[^\W\d_])\s*(?:\^\s*(?:\{\s*(?P<power>\d{1,2})\s*\}|(?P<digit>\d)))?\s*")


# A remark in brackets after a value: its words, Greek letters among them, and \text{} around either.
_REMARK_SYMBOL = re.compile(r"\\(?:" + "|".join([*_GREEK, *_ALIASES, "infty"]) + r")(?![a-zA-Z])")
_REMARK_CHARACTERS = re.compile(r"[A-Za-z\s,.;:'’!?-]*")
# Words that go on with the value ("(plus ε)") or change it ("(reciprocal)", "(percent)"): no remark.
_GOES_ON_WORDS = re.compile(r"\b(?:plus|minus|times|multiplied|divided|added|subtracted|over|squared|cubed|square|cube|"
                            r"roots?|powers?|inverse|reciprocal|negative|negated|opposite|half|halved|double|doubled|"
                            r"twice|triple|per\s*cent|percent|pct)\b", re.I)
_SIGNIFICANT_FIGURES = re.compile(r"(?:to\s+)?\d+\s*(?:s\.?\s*f\.?|sig\.?\s*figs?\.?|significant\s+figures|"
                                  r"d\.?\s*p\.?|decimal\s+places)", re.I)
# "(ε → 0)", "(as ε \\to 0)": the limit the value is taken in
_TENDING_TO_ZERO = re.compile(r"\s*(?:as\s+)?(?:\\[a-zA-Z]+|[A-Za-z])\s*(?:\\to|\\rightarrow|-+>)\s*0\s*")
# Words or a comparison in a remark that, after a set, would narrow it down
_NARROWING_REMARK = re.compile(r"[<>≤≥≠]|\\(?:geq?|leq?|gt|lt|neq?)(?![a-zA-Z])|\b(?:positive|negative|non-?zero|"
                               r"excluding|exclude[sd]?|except|without|only|greater|less|larger|smaller|above|below|"
                               r"least|most|strictly|bounded|finite)\b", re.I)
# "(> 0)", "(\\le 1)" after a value: a remark on its sign or size, which the value must bear out.
_COMPARISON_REMARK = re.compile(r"\s*(?P<relation>[<>]=?|[≤≥]|\\(?:geq?|leq?|gt|lt)(?![a-zA-Z]))\s*"
                                r"(?P<bound>[-−]?\d+(?:\.\d+)?)\s*")
_COMPARISONS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "\\le": "<=", "\\leq": "<=",
                "\\ge": ">=", "\\geq": ">=", "\\lt": "<", "\\gt": ">"}
_TEXT_COMMAND = re.compile(r"\\(?:text|textit|textrm|textnormal|mathrm|mbox|emph)\s*\{([^{}]*)\}")


# A quantifier after a value says where it holds, not what it is: "\frac14 \text{ for all } \varepsilon",
# "(-\infty, \infty) for every x", "\forall \varepsilon".  Only over one name: "for all ε > 0" narrows it down.
_FOR_ALL_WORDS = r"(?:\bfor\s+(?:all|every|any|each)\b|\\forall(?![a-zA-Z]))"
_FOR_ALL = re.compile(r"(?:,\s*)?" + _FOR_ALL_WORDS + r"(?:\s+real)?\s*\$?\s*(?:\\[a-zA-Z]+|[A-Za-z])"
                      r"(?:\s*\\in\s*\\mathbb\{R\})?\s*\$?\s*$", re.I)  # "for all ε ∈ ℝ" is over one name too
_FOR_ALL_START = re.compile(r"(?:\\text\s*\{\s*)?(?:,\s*)?" + _FOR_ALL_WORDS, re.I)


def _without_quantifier(text: str) -> str:
    """``text`` without a final "for all ε" (also in ``\\text{…}``), when a value stands before it."""
    if not _FOR_ALL.search(_unwrapped_text(text)):
        return text
    start = [m.start() for m in _FOR_ALL_START.finditer(text)][-1]
    before = _without_final_stop(text[:start], ",;")
    return before if before.strip() else text


def _unwrapped_text(latex: str) -> str:
    """``latex`` with ``\\text{…}`` and the like replaced by what they hold."""
    return _TEXT_COMMAND.sub(lambda m: m.group(1), latex)


def _trailing_bracket(text: str) -> tuple[str, str] | None:
    """(what comes before, what is inside) of a round bracket ending ``text`` (also inside a final
    ``\\text{ (…)}``), or None."""
    s = text.rstrip()
    wrapped = re.search(r"\\(?:text|textit|textrm|textnormal|mbox)\s*\{\s*(\([^{}]*\))\s*\}$", s)
    if wrapped:
        return s[:wrapped.start()], wrapped.group(1)[1:-1]
    if not s.endswith(")"):
        return None
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(s[i], 0)
        if depth == 0:
            return s[:i], s[i + 1:-1]
    return None


def _enclosed(text: str) -> tuple[str, str, str] | None:
    """(open, inside, close) when the whole text is one bracketed group."""
    s = text.strip()
    if s.startswith(r"\{") and s.endswith(r"\}"):
        inner = s[2:-2]
        if brackets_balanced(inner):
            return "{", inner, "}"
        return None
    if len(s) < 2 or s[0] not in "([" or s[-1] not in ")]":
        return None
    # the first bracket must close at the very end (any of ) or ])
    depth = 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and i != len(s) - 1:
                return None
    return s[0], s[1:-1], s[-1]


def brackets_balanced(text: str) -> bool:
    """Brackets in ``text`` close in order of opening (so ``(a) + (b)`` is not one pair of brackets)."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, sympy.MatrixBase):
        return "matrix"
    if isinstance(value, sympy.Set):
        return "set"
    if isinstance(value, sympy.Tuple):
        return "tuple"
    if isinstance(value, (sympy.core.relational.Relational, sympy.And, sympy.Or)):
        return "relation"
    if isinstance(value, sympy.Basic) and value.is_number:
        return "number"
    return "expression"


def _latex_of(value: Any, unevaluated: Any = None) -> str:
    if isinstance(value, str):
        return r"\text{" + value + "}"
    for candidate in (value, unevaluated):
        if candidate is None:
            continue
        try:
            return sympy.latex(candidate)
        except (ValueError, TypeError, RecursionError):  # e.g. a 5000-digit integer
            continue
    return r"\text{(too large to display)}"


# Set-builder notation: {ε ∈ ℝ}, {ε ∈ ℝ : ε > 0}, {ε ∈ ℝ \mid ε > 0} — a name, "∈", a set, and perhaps a condition
_SET_BUILDER = re.compile(r"\s*(?:\\[a-zA-Z]+|[A-Za-z])(?:_\{?\w+\}?)?\s*\\in(?![a-zA-Z])\s*(?P<set>.+?)\s*"
                          r"(?:(?::|\\mid(?![a-zA-Z])|\\colon(?![a-zA-Z])|\|)\s*(?P<condition>.+))?\s*")
# {ε : ε > 0}, {ε \mid ε > 0}: a set of what meets a condition
_CONDITION_IN_BRACES = re.compile(r"^\s*(?:\\[a-zA-Z]+|[A-Za-z])(?:_\{?\w+\}?)?\s*(?::|\\mid(?![a-zA-Z])|\\colon(?![a-zA-Z])|\|)")


class _Reader:
    def __init__(self, names: Mapping[str, Any] | None):
        self.names = names
        self.closed_at_infinity = False

    def value(self, text: str) -> tuple[Any, bool]:
        """Read one value (no top-level relation).  Returns (value, percent)."""
        written = _without_final_stop(text, ".")
        s = self._without_remarks(written)
        value, percent = self._value(s, text)
        # "ℝ (> 0)", "(-∞, ∞) (excluding zero)": after a number such a bracket remarks on it; after a set (or
        # a pair, which may be an open interval) it narrows the set down: dropped, a wrong set would read right.
        if isinstance(value, (sympy.Set, sympy.Tuple)) and _NARROWING_REMARK.search(written[len(s):]):
            raise Unreadable("a bracket after a set that narrows it down is not read: write the set itself, e.g. "
                             "(0, \\infty) or \\mathbb{R} \\setminus \\{0\\}", text)
        return value, percent

    def _value(self, s: str, text: str) -> tuple[Any, bool]:
        """``value`` of ``s``, the ``text`` without its remarks."""
        if not s:
            raise Unreadable("the answer is empty", text)
        m = _PERCENT.match(s)
        if m and m.group(1).strip():
            inner, _ = self.value(m.group(1))
            if not isinstance(inner, sympy.Expr):
                raise Unreadable("only a number can be a percentage", text)
            return sympy.Mul(inner, sympy.Rational(1, 100), evaluate=False), True
        ambiguous = _AMBIGUOUS_REALS.search(s)
        if ambiguous:
            raise Unreadable(_ambiguous_reals(ambiguous), text)
        if _REALS_WORDS.match(s):
            return sympy.Reals, False
        reals = _REALS_PHRASE.match(s)
        if reals:
            return self._all_reals_except(s[reals.end():], text), False
        s = self._without_remainder(s)
        if re.fullmatch(r"\\(?:emptyset|varnothing)|\\\{\s*\\\}|\{\s*\}", s):
            return sympy.EmptySet, False
        if _THOUSANDS.fullmatch(s):
            return sympy.Integer(s.replace(",", "").replace(" ", "")) if "." not in s else sympy.Float(
                s.replace(",", "").replace(" ", ""), 20), False
        # ± gives two answers
        if len(re.findall(r"\\(?:pm|mp)(?![a-zA-Z])", s)) == 1:
            plus = re.sub(r"\\(?:pm|mp)(?![a-zA-Z])", "+", s)
            minus = re.sub(r"\\(?:pm|mp)(?![a-zA-Z])", "-", s)
            if plus.lstrip().startswith("+"):
                plus = plus.lstrip()[1:]
            return sympy.FiniteSet(self.element(plus), self.element(minus)), False
        # a ratio a:b (or a time 12:00) is an ordered pair
        ratio = _split_top(s, _RATIO)
        if len(ratio) == 2 and all(ratio):
            return sympy.Tuple(self.scalar(ratio[0]), self.scalar(ratio[1])), False
        difference = self._set_difference(s)
        if difference is not None:
            return difference, False
        # unions of sets
        pieces = _split_top(s, _UNION)
        if len(pieces) > 1:
            sets = [self.as_set(p) for p in pieces]
            return sympy.Union(*sets), False
        enclosed = _enclosed(s)
        if enclosed:
            opener, inside, closer = enclosed
            items = _split_top(inside, _COMMA) if inside.strip() else []
            if opener == "{":
                builder = _SET_BUILDER.fullmatch(inside)
                if builder and builder["condition"] is None:
                    return self.as_set(builder["set"]), False  # {ε ∈ ℝ}: the set ε ranges over
                if builder or _CONDITION_IN_BRACES.search(inside):
                    raise Unreadable("a set written {ε ∈ … : condition} is not read: write the set itself, e.g. "
                                     "(0, \\infty), or the condition alone, \\varepsilon > 0", text)
                return sympy.FiniteSet(*[self.element(i) for i in items]), False
            if opener == "(" and closer == ")" and len(items) == 1:
                return self.value(inside)
            if len(items) == 2 and (opener, closer) != ("(", ")"):
                lo, hi = self.scalar(items[0]), self.scalar(items[1])
                if (opener == "[" and lo == -sympy.oo) or (closer == "]" and hi == sympy.oo):
                    self.closed_at_infinity = True
                return _interval(lo, hi, opener == "(", closer == ")", s), False
            if len(items) >= 2:
                return sympy.Tuple(*[self.scalar(i) for i in items]), False
        # \text{...} answers
        t = re.fullmatch(r"\\(?:text|textbf|textnormal|mathrm|mbox|textit)\s*\{([^{}]*)\}", s)
        if t:
            return t.group(1).strip(), False
        # a value followed by a unit in \text{...}
        u = re.fullmatch(r"(.+?)\s*\\(?:text|textbf|textnormal|mathrm|mbox)\s*\{\s*[A-Za-z][A-Za-z .]*\}", s, re.S)
        if u and not re.fullmatch(r"[A-Za-z]", u.group(1)):
            return self.value(u.group(1))
        items = _split_top(s, _COMMA)
        if len(items) > 1:
            return sympy.Tuple(*[self.scalar(i) for i in items]), False
        value = _read_expression(s, self.names)
        return value, False

    def scalar(self, text: str) -> Any:
        value, _ = self.value(text)
        return value

    def element(self, text: str) -> Any:
        """One element of a set, evaluated: an undefined one (0/0, 1/0) is refused.  Left unevaluated, SymPy's
        answers about 0·(1/0) depend on what was asked of it first, and so would the verdict."""
        value = self.scalar(text)
        if isinstance(value, sympy.Expr) and value.is_number:
            _screen(value, text)
            value = _evaluate(value)
            if value.has(sympy.nan, sympy.zoo):
                raise Unreadable("a set cannot hold an undefined value (such as 0/0 or 1/0)", text)
        return value

    def _all_reals_except(self, rest: str, raw: str) -> sympy.Set:
        """ℝ without the points listed in ``rest`` ("except 0 and 1"); any other words are refused."""
        if not rest.strip():
            return sympy.Reals
        excepted = _EXCEPT_WORDS.fullmatch(rest)
        if not excepted:
            raise Unreadable("words after 'all real numbers' narrow the set down and are not read: write the set "
                             "in maths, e.g. (0, \\infty) or \\mathbb{R} \\setminus \\{0\\}", raw)
        points = []
        for piece in _split_top(excepted.group("points"), _POINT_SEPARATORS):
            piece = piece.strip().strip("$").strip()
            name, equals, value = piece.rpartition("=")
            if equals and is_name_like(name.strip("$ ")):
                piece = value.strip().strip("$").strip()  # "except ε = 0"
            try:
                point = self.element(piece) if piece else None
            except Unreadable:
                point = None
            if not (isinstance(point, sympy.Expr) and point.is_number and point.is_finite):
                raise Unreadable("after 'all real numbers except' only numbers are read (\"except 0 and 1\"); write "
                                 "the set in maths, e.g. \\mathbb{R} \\setminus \\{0\\}", raw)
            points.append(point)
        return sympy.Complement(sympy.Reals, sympy.FiniteSet(*points))

    def _without_remarks(self, text: str) -> str:
        """``1/4 (independent of ε)`` → ``1/4``: brackets of words after a value remark on it.

        A bracket is a remark when it holds words that are no maths (``(constant)``, ``(for all ε)``,
        ``(to first order)``, ``(4 s.f.)``), perhaps with Greek letters among them; one holding maths
        (``(1+ε)``, ``(ε^2)``, ``(ab)`` of declared a and b) stays, and so does one whose words go on
        with the value (``(plus ε)``): read as maths, it is refused."""
        s = text
        while True:
            found = _trailing_bracket(s)
            if found is None:
                return s
            before, inside = found
            if not before.strip() or not self._is_remark(inside):
                return s
            self._refuse_contradicted_comparison(before, inside, text)
            s = _without_final_stop(before, ".,;")

    def _refuse_contradicted_comparison(self, before: str, inside: str, raw: str) -> None:
        """``1/4 (< 0)``: a value its own remark contradicts leaves in doubt which of the two the student
        meant, so it is refused rather than graded on the value alone."""
        compared = _COMPARISON_REMARK.fullmatch(_unwrapped_text(inside).replace("$", " "))
        if compared is None:
            return
        try:
            value = self.element(_without_final_stop(before, ".,;"))
        except Unreadable:
            return
        if not (isinstance(value, sympy.Expr) and value.is_number and value.is_extended_real):
            return
        bound = sympy.Rational(compared.group("bound").replace("−", "-"))
        relation = _COMPARISONS[compared.group("relation")]
        if sympy.Rel(value, bound, relation) == sympy.false:
            raise Unreadable(f"the remark ({inside.strip()}) contradicts the value before it: write the value "
                             "alone, or correct one of the two", raw)

    def _is_remark(self, inside: str) -> bool:
        words = _unwrapped_text(inside).replace("$", " ")
        if (_SIGNIFICANT_FIGURES.fullmatch(words.strip()) or _TENDING_TO_ZERO.fullmatch(words)
                or _COMPARISON_REMARK.fullmatch(words)):
            return True
        words = _REMARK_SYMBOL.sub(" ", words)
        if not _REMARK_CHARACTERS.fullmatch(words) or _GOES_ON_WORDS.search(words):
            return False
        english = [w for w in re.findall(r"[A-Za-z]{2,}", words) if not self._maths_word(w)]
        return len(english) >= 2 or any(len(w) >= 4 for w in english)

    def _maths_word(self, word: str) -> bool:
        """Is ``word`` maths: a function, constant or declared name, or letters of declared names (``ab``)?"""
        if word in _FUNCTIONS or word in _CONSTANTS or canonical_name(word) in _GREEK:
            return True
        if self.names is None:
            return False
        return canonical_name(word) in self.names or all(letter in self.names for letter in word)

    def _without_remainder(self, text: str) -> str:
        """``1/4 + O(ε^2)`` → ``1/4``: the remainder of an approximation says how good it is, not what it is.

        Only a remainder of higher order than every term kept is dropped: ``O(ε^k)`` with k ≥ 2 above the
        kept degree, ``o(ε^k)`` with k at least the kept degree.  ``1/4 + O(ε)`` hides the linear term and
        ``1/4 + O(1)`` hides anything, so those stay unread, as does ``1/4 + \\dots``."""
        if self.names is not None and ({"O", "o"} & set(self.names)):
            return text  # a declared O: O(…) is a product
        end = len(text.rstrip()) - 1
        for m in _top_level_matches(text, _REMAINDER):
            kept = text[:m.start()].strip()
            if _matching(text, m.end()) != end or not kept:
                continue
            little = re.findall("[Oo]", m.group(0))[-1] == "o"
            order = _REMAINDER_ORDER.fullmatch(text[m.end() + 1:end])
            if order and self._dominated(kept, order.group("name"), int(order.group("power") or order.group("digit") or 1), little):
                return kept
            raise Unreadable("the remainder term is not of higher order than the terms before it, so it could "
                             "hide part of the answer: write the approximation without it, or with a remainder "
                             "such as O(\\varepsilon^2)", text)
        if _TRAILING_DOTS.search(text):
            raise Unreadable("'+ …' leaves terms out: write the approximation in full", text)
        return text

    def _dominated(self, kept: str, name: str, power: int, little: bool) -> bool:
        """Is every term of ``kept`` of lower order in ``name`` than the remainder O(name^power) (or o(…))?"""
        try:
            value = self.scalar(kept)
        except Unreadable:
            return False
        if not isinstance(value, sympy.Expr):
            return False
        key = canonical_name(name)
        symbols = [s for s in value.free_symbols if canonical_name(s.name) == key]
        try:
            degree = sympy.Poly(value, *symbols).total_degree() if symbols else 0
        except sympy.PolynomialError:
            return False  # 1/ε, sin ε: not a polynomial, so no order to compare
        return degree <= power if little else power >= 2 and degree < power

    def _set_difference(self, text: str) -> sympy.Set | None:
        """``A \\setminus B`` with each side read as a set here, so each may be plain text: ``(-inf, inf) \\ {0}``
        (the LaTeX parser would read ``inf`` as i·n·f).  None when the text is no difference of two sets (also
        with a union beside it: which binds first is left to the LaTeX parser) or its first side is not read as a
        set; when only the second side is not, why is said of that side."""
        pieces = _split_top(text, _SET_DIFFERENCE)
        if len(pieces) != 2 or not all(p.strip() for p in pieces) or len(_split_top(text, _UNION)) > 1:
            return None
        try:
            whole = self.as_set(pieces[0])
        except Unreadable:
            return None
        return sympy.Complement(whole, self.as_set(pieces[1]))

    def as_set(self, text: str) -> sympy.Set:
        braced = re.fullmatch(r"\s*\{(.*)\}\s*", text, re.S)  # "{0}" typed in plain text, as after "ℝ \\ "
        if braced and brackets_balanced(braced.group(1)) and "{" not in braced.group(1):
            items = _split_top(braced.group(1), _COMMA) if braced.group(1).strip() else []
            return sympy.FiniteSet(*[self.element(i) for i in items])
        value = self.scalar(text)
        if isinstance(value, sympy.Tuple) and len(value) == 2:
            return _interval(value[0], value[1], True, True, text)
        if isinstance(value, sympy.Set):
            return value
        raise Unreadable("expected an interval or a set", text)


def _interval(lo: Any, hi: Any, left_open: bool, right_open: bool, raw: str) -> sympy.Set:
    lo_v, hi_v = _evaluate(lo), _evaluate(hi)
    if _huge(lo_v) or _huge(hi_v):  # comparing the ends would multiply them out
        raise Unreadable("a number in the answer is too large to check", raw)
    for end in (lo_v, hi_v):
        problem = interval_end_problem(end)
        if problem:
            raise Unreadable(problem, raw)
    if _same_number(lo_v, hi_v):
        hi_v = lo_v
    try:
        return sympy.Interval(lo_v, hi_v, left_open or lo_v == -sympy.oo, right_open or hi_v == sympy.oo)
    except (ValueError, TypeError) as exc:
        raise Unreadable(NOT_REAL_END, raw) from exc


NOT_REAL_END = "an interval's ends must be real numbers or ±∞"


def interval_end_problem(end: Any) -> str:
    """Why ``end`` (evaluated) cannot end an interval, or "": it must be a real number, ±∞ or a name.
    (SymPy's Interval raises, or builds something no comparison can use, on anything else.)"""
    if getattr(end, "is_Matrix", False):
        return "an interval's ends must be numbers, not matrices"
    for kind, name in ((sympy.Set, "sets"), (sympy.Tuple, "pairs"), (str, "text"),
                       ((Relational, sympy.And, sympy.Or, sympy.Not, BooleanAtom), "relations")):
        if isinstance(end, kind):
            return f"an interval's ends must be numbers, not {name}"
    if not isinstance(end, sympy.Expr):
        return "an interval's ends must be numbers"
    if end.is_number and end not in (sympy.oo, -sympy.oo):
        number = numeric_value(end, 15)
        if number is None or number.has(sympy.nan, sympy.zoo) or number.is_extended_real is not True:
            return NOT_REAL_END
    return ""


def _same_number(a: Any, b: Any) -> bool:
    """Are two finite ends equal to 30 digits?  SymPy proves two spellings of one algebraic
    number equal by factoring minimal polynomials, which takes minutes for a sum of six
    roots; an interval with equal ends is one point either way."""
    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr) and a.is_number and b.is_number) \
            or a.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or b.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        return False
    try:
        difference = abs(complex((b - a).evalf(30)))
        scale = max(1.0, abs(complex(a.evalf(15))))
    except (TypeError, ValueError, OverflowError):
        return False
    return difference <= 1e-25 * scale


_NAME_LIKE = re.compile(
    r"""^(?:
        \\?[A-Za-z]+(?:'|\^\{?\*\}?)*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)*(?:'|\^\{?\*\}?)*   # x, \sigma', a_{37}
        (?:\([^()]*\))?                                                           # f(x)
      | \([A-Za-z_,\s]+\)                                                          # (p, q)
      | \|[A-Za-z]+\|                                                              # |AB|
      | \\frac\{[A-Za-z]+\}\{[A-Za-z]+\}                                           # \frac{NO}{BO}
      | [A-Za-z_{}0-9]+:[A-Za-z_{}0-9]+                                            # A:B
    )$""",
    re.X,
)


def is_name_like(text: str) -> bool:
    """Does ``text`` name a quantity (``x``, ``f(x)``, ``\\dot\\sigma_{approx}(\\varepsilon)``)?"""
    s = re.sub(r"\s+", "", _latex_prepare(normalise(text)))
    s = re.sub(r"\\(?:text|mathrm|operatorname|mathreadfn|mathreaddec)\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"DEC", "_", s)
    return bool(_NAME_LIKE.match(s))


def final_value(parts: list[str], ops: list[str], prefer: str = "last") -> tuple[str | None, str]:
    """Pick the stated value of a chain: (lhs name or None, value text).

    ``prefer="last"``: the part after the last relation.  ``prefer="exact"``:
    the part after the last ``=`` when the chain also has ``≈`` after it (an
    exact statement beats an approximation).
    """
    lhs = parts[0] if is_name_like(parts[0]) else None
    if prefer == "exact" and "=" in ops:
        last_eq = max(i for i, op in enumerate(ops) if op == "=")
        return lhs, parts[last_eq + 1]
    return lhs, parts[-1]


def _relation(op: str, a: Any, b: Any, raw: str = "") -> Any:
    table = {"<": sympy.StrictLessThan, ">": sympy.StrictGreaterThan, "≤": sympy.LessThan,
             "≥": sympy.GreaterThan, "=": sympy.Eq, "≠": sympy.Ne, "≈": sympy.Eq}
    for side in (a, b):
        if isinstance(side, str):  # \text{true}: SymPy would try to parse it
            raise Unreadable("a relation compares values, not text", raw)
        if op in "<>≤≥":
            _compared(side, raw)
    return table[op](a, b, evaluate=False)


def _compared(side: Any, snippet: str = "") -> Any:
    """``side`` as a side of an inequality, or Unreadable: SymPy cannot order matrices, pairs, relations or an
    undefined value (0/0).  (A set is refused by the set checkers, which say to write ε ∈ S.)"""
    if getattr(side, "is_Matrix", False):
        raise Unreadable("an inequality compares numbers, not matrices", snippet)
    what = {"a pair or tuple": "pairs", "a relation": "relations"}.get(_not_a_number(side))
    if what:
        raise Unreadable(f"an inequality compares numbers, not {what}", snippet)
    if isinstance(side, sympy.Expr) and side.is_number:
        _screen(side, snippet)
        if _evaluate(side).has(sympy.nan, sympy.zoo):
            raise Unreadable("an inequality compares numbers, and one side is undefined (such as 0/0 or 1/0)",
                             snippet)
    return side


@dataclass(frozen=True)
class _Refusal:
    """A remembered :class:`Unreadable`: raised afresh for each caller."""

    message: str
    snippet: str
    hint: str = ""


# Readings by (text, variables, prefer): a class writes the same answers, and readers and checkers
# read the same text more than once.  Only immutable readings are kept (a Matrix value is mutable).
_READINGS = BoundedCache(4096)


def forget_readings() -> None:
    """Empty the memo of readings (a benchmark timing how long reading takes needs this)."""
    _READINGS.clear()


def read_math(text: str, *, variables: Mapping[str, sympy.Symbol] | None = None, prefer: str = "last") -> Reading:
    """Read one answer; see the module docstring.  Raises :class:`Unreadable`."""
    key = _reading_key(text, variables, prefer)
    found = _READINGS.get(key) if key is not None else None
    if found is None:
        try:
            found = _read_math(text, variables, prefer)
        except Unreadable as exc:
            # Running out of stack or memory depends on the moment, not on the text: not remembered.
            if key is not None and not isinstance(exc.__cause__, (RecursionError, MemoryError)):
                _READINGS.put(key, _Refusal(exc.message, exc.snippet, exc.hint))
            raise
        if key is not None and isinstance(found.value, (str, sympy.Basic)):
            _READINGS.put(key, found)
    if isinstance(found, _Refusal):
        raise Unreadable(found.message, found.snippet, found.hint)
    return found


def _reading_key(text: Any, variables: Mapping[str, Any] | None, prefer: str) -> tuple | None:
    if type(text) is not str or len(text) > MAX_CHARS:
        return None
    key = (text, None if variables is None else tuple(variables.items()), prefer)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _read_math(text: str, variables: Mapping[str, sympy.Symbol] | None, prefer: str) -> Reading:
    try:
        return _read_math_text(text, variables, prefer)
    except Unreadable as exc:
        if isinstance(text, str) and not _quotes_the_answer(exc, text):
            raise Unreadable(exc.message, text, exc.hint) from exc
        raise


def _quotes_the_answer(exc: Unreadable, raw: str) -> bool:
    """Does the refusal quote what the student wrote (not the text as tidied up for the parser)?"""
    def squeezed(t: str) -> str:
        return re.sub(r"\s+", "", t)
    return not exc.snippet or squeezed(exc.snippet) in squeezed(raw) or quoted(exc.snippet) in exc.message


def _read_math_text(text: str, variables: Mapping[str, sympy.Symbol] | None, prefer: str) -> Reading:
    if not isinstance(text, str):
        raise Unreadable("the answer is not text", repr(text)[:60])
    if len(text) > MAX_CHARS:
        raise Unreadable(f"the answer is longer than {MAX_CHARS} characters", text[:60])
    if _needs_worker(normalise(text)):
        return _read_in_worker(text, variables, prefer)
    try:
        return _read_here(text, variables, prefer)
    except _NeedsWorker:  # a sum, product, … to work out, which only the worker does
        return _read_in_worker(text, variables, prefer)


def _read_here(text: str, variables: Mapping[str, sympy.Symbol] | None, prefer: str) -> Reading:
    names = None
    if variables is not None:
        names = {canonical_name(k): v for k, v in variables.items()}
    raw = text
    s = normalise(text)
    boxed = re.fullmatch(r"\\boxed\s*\{(.*)\}", s, re.S)
    if boxed and brackets_balanced(boxed.group(1)):
        s = boxed.group(1).strip()
    s = _without_dangling_backslash(_without_final_stop(s, ".,")).strip()  # \frac14\,. ends at the 4
    _check_depth(s)
    s = _without_struck_out(s, raw)
    _refuse_ambiguous_spellings(s, raw)
    _refuse_derivative_at_a_point(s, raw)
    _refuse_arrows(s, raw)
    s = _without_quantifier(s)
    reader = _Reader(names)
    parts, ops = split_relation_chain(s)
    if len(parts) > 1 and not parts[0] and ops[0] in ("=", "≈"):
        # "= 1/4", "≈ 0.25": the value, with nothing to its left
        s = s[next(_top_level_matches(s, _RELATION_RE, lenient=True)).end():].strip()
        parts, ops = split_relation_chain(s)
    _refuse_empty_sides(parts, ops, raw)
    lhs = None
    percent = False
    try:
        if not ops or _REALS_PHRASE.match(s):  # "all real numbers except ε = 0" is not an equation
            value, percent = reader.value(s)
        elif ops[0] == "∈" and all(op == "=" for op in ops[1:]):
            lhs = parts[0]  # ε ∈ ℝ = (-∞, ∞) names one set twice: the last is the one stated, as in a = b = c
            value = [reader.as_set(part) for part in parts[1:]][-1]
        elif "∈" in ops:
            raise Unreadable("∈ is read only as ε ∈ S (or ε ∈ S = T, one set written twice), not in a chain with "
                             "other relations: write the set, e.g. ε ∈ (0, 1)", raw)
        elif all(op in ("=", "≈") for op in ops) and len(parts) >= 2 and (
                is_name_like(parts[0]) or len(parts) > 2):
            lhs, chosen = final_value(parts, ops, prefer)
            value, percent = reader.value(chosen)
        else:
            terms = [reader.scalar(p) for p in parts]
            rels = [_relation(op, a, b, raw) for op, a, b in zip(ops, terms, terms[1:])]
            value = rels[0] if len(rels) == 1 else sympy.And(*rels, evaluate=False)
    except RecursionError as exc:
        raise Unreadable("the answer is nested too deeply", raw[:60]) from exc
    except (OverflowError, MemoryError) as exc:
        raise Unreadable("a number in the answer is too large to check", raw[:60]) from exc
    unevaluated = value
    if not isinstance(value, str):
        _screen(value, raw)
        try:
            value = _evaluate(value)
        except Unreadable as exc:
            raise Unreadable(exc.message, exc.snippet or raw, exc.hint) from exc
    return Reading(raw=raw, value=value, latex=_latex_of(value, unevaluated), kind=_kind_of(value),
                   lhs=lhs, percent=percent, closed_at_infinity=reader.closed_at_infinity)


# Struck-out working: \cancel{…} (also \bcancel, \xcancel, ulem's \sout, soul's \st).  Read only where its
# meaning is plain: a struck-out term of a sum is gone (\frac14 + \cancel{\varepsilon}), the same factors
# struck out above and below a fraction's line cancel (\frac{\cancel{2}x}{\cancel{2}y}), and a struck-out number
# at the start of a value was replaced by the number after it (\cancel{0.25}\; 0.2505).  \cancelto{0}{x} is
# the value it was cancelled to.  Anywhere else what is meant is a guess, and the answer is refused.
_STRUCK_OUT = re.compile(r"\\(?P<command>cancelto|cancel|bcancel|xcancel|sout|st)(?![a-zA-Z])\s*")
_TERM_BEFORE = re.compile(r"(?:^|[{(\[,;=<>]|\\(?:le|ge|ne|approx|in|to)\s*)\s*$")
_TERM_AFTER = re.compile(r"\s*(?:$|[})\],;=<>]|\\(?:le|ge|ne|approx|in|to)(?![a-zA-Z]))")
_SIGN_BEFORE = re.compile(r"[+-]\s*$")
_SIGN_AS_EXPONENT = re.compile(r"(?:[_^*/]|\\(?:cdot|times|div)(?![a-zA-Z]))\s*[+-]\s*$")
_VALUE_START = re.compile(r"(?:^|[=<>]|\\(?:approx|le|ge|ne)\s*)\s*$")
_NUMBER_AFTER = re.compile(r"\s*(?:-\s*)?(?:\d|\.\d|\\frac(?![a-zA-Z]))")
_NUMBER_ONLY = re.compile(r"[\s\d.+\-/{}()]*\d[\s\d.+\-/{}()]*")


@dataclass
class _Struck:
    start: int
    end: int
    inside: str
    replacement: str | None = None  # what it is read as, once known


def _struck_outs(s: str, raw: str) -> list[_Struck]:
    found: list[_Struck] = []
    for m in _STRUCK_OUT.finditer(s):
        if found and m.start() < found[-1].end:
            continue  # struck out inside a struck-out part: gone with it
        arguments, i = [], m.end()
        if m.group("command") == "st" and not s.startswith("{", i):
            continue  # some notes' \st is "such that", not soul's strike-out
        for _ in range(2 if m.group("command") == "cancelto" else 1):
            close = _matching(s, i) if s.startswith("{", i) else -1
            if close < 0:
                raise Unreadable(f"\\{m.group('command')} needs its struck-out part in braces, as in "
                                 f"\\{m.group('command')}{{x}}", raw)
            arguments.append(s[i + 1:close])
            i = close + 1
            while i < len(s) and s[i] == " ":
                i += 1
        struck = _Struck(m.start(), i, " ".join(arguments[-1].split()))
        if m.group("command") == "cancelto":
            struck.replacement = f"({arguments[0]})"
        found.append(struck)
    return found


def _cancel_in_fractions(s: str, struck: list[_Struck]) -> None:
    """Factors struck out alike above and below a fraction's line: each read as itself, so they divide out."""
    for m in re.finditer(r"\\frac(?![a-zA-Z])\s*(?=\{)", s):
        top_end = _matching(s, m.end())
        bottom_start = top_end + 1 + len(s[top_end + 1:]) - len(s[top_end + 1:].lstrip())
        if top_end < 0 or not s.startswith("{", bottom_start) or _matching(s, bottom_start) < 0:
            continue
        bottom_end = _matching(s, bottom_start)
        above = [x for x in struck if m.end() < x.start < top_end and x.replacement is None]
        below = [x for x in struck if bottom_start < x.start < bottom_end and x.replacement is None]
        if above and sorted(x.inside for x in above) == sorted(x.inside for x in below):
            for x in above + below:
                x.replacement = f"({x.inside})"


def _struck_out_reading(s: str, x: _Struck, raw: str) -> tuple[int, str]:
    """(where the text it replaces starts, what it is read as) for a struck-out part not in a fraction."""
    before, after = s[:x.start], s[x.end:]
    if _TERM_AFTER.match(after) or re.match(r"\s*[+-]", after):
        if _TERM_BEFORE.search(before) and not _TERM_AFTER.match(after):
            return x.start, ""  # \cancel{a} + b: the + is a sign now
        sign = _SIGN_BEFORE.search(before)
        if sign and not _SIGN_AS_EXPONENT.search(before) and not _TERM_BEFORE.search(before[:sign.start()]):
            return sign.start(), ""  # a - \cancel{b}: the term goes, with its sign
    if _VALUE_START.search(before) and _NUMBER_ONLY.fullmatch(x.inside.replace(r"\frac", "")) \
            and _NUMBER_AFTER.match(after):
        return x.start, ""  # \cancel{0.25}\; 0.2505: the value after it replaces it
    struck = s[x.start:x.end].strip()
    raise Unreadable(f"could not tell what the struck-out {quoted(struck)} stands for (struck-out working is read "
                     "only as a term of a sum that drops out, the same factor struck out above and below a fraction's "
                     "line, or a number replaced by the one after it): write the answer without it", raw)


def _without_struck_out(s: str, raw: str) -> str:
    struck = _struck_outs(s, raw)
    if not struck:
        return s
    _cancel_in_fractions(s, struck)
    for x in reversed(struck):
        start, replacement = (x.start, x.replacement) if x.replacement is not None else _struck_out_reading(s, x, raw)
        s = s[:start] + replacement + s[x.end:]
    if not s.strip():
        raise Unreadable("the whole answer is struck out: write the answer without \\cancel", raw)
    return s


# A derivative at a point, \left.\frac{d\sigma}{dx}\right|_{x=0}: the parser takes σ for a constant and
# works it out to 0, which is no reading of what the student meant.
_D = r"(?:d|\\mathrm\s*\{\s*d\s*\}|\\mathrm\s*d|\\text\s*\{\s*d\s*\}|\\operatorname\s*\{\s*d\s*\}|\\partial)"
_LEIBNIZ = re.compile(r"\\frac\s*\{\s*" + _D + r"(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*" + _D)
_EVALUATION_BAR = re.compile(r"\|\s*_|\\(?:vert|rvert|Big|big|bigg|Bigg)\s*\|?\s*_")


def _refuse_derivative_at_a_point(s: str, raw: str) -> None:
    if _LEIBNIZ.search(s) and _EVALUATION_BAR.search(s):
        raise Unreadable("a derivative at a point (such as \\left.\\frac{d\\sigma}{dx}\\right|_{x=0}) is not "
                         "worked out when read: write the number it comes to", raw)


# An arrow between values ("σ -> 0.25", "… \Rightarrow 0.25") is no relation the reader knows; a limit's
# \lim_{x \to 0} and a remark "(ε → 0)" have theirs in brackets.
_ARROW = re.compile(r"-+>|=+>|\\(?:to|Rightarrow|Longrightarrow|implies|rightarrow|longrightarrow|mapsto)(?![a-zA-Z])")


def _refuse_arrows(s: str, raw: str) -> None:
    arrow = next(_top_level_matches(s, _ARROW), None)
    if arrow:
        raise Unreadable(f"an arrow ({quoted(arrow.group(0).strip())}) is not read: write the final value on its "
                         "own, or as name = value", raw)


def _refuse_empty_sides(parts: list[str], ops: list[str], raw: str) -> None:
    """A relation with nothing on one side ("1/4 =", "<b>1/4</b>") says so, not "the answer is empty"."""
    for number, part in enumerate(parts):
        if not part and ops:
            op = ops[number - 1] if number else ops[0]
            where = "after" if number else "before"
            raise Unreadable(f"nothing {where} the '{op}': write the value on its own, or as name {op} value", raw)


def _without_final_stop(text: str, stops: str) -> str:
    """``text`` without the full stop (or comma) that ends a sentence; ``+ ...`` keeps its dots."""
    s = text.strip()
    return s if s.endswith("...") else s.rstrip(stops).strip()


def _refuse_ambiguous_spellings(s: str, raw: str) -> None:
    """Spellings with two readings are refused, not guessed: 2{,}500, 2.5¼, an e-notation with no number."""
    m = _AMBIGUOUS_BRACED_COMMA.search(s)
    if m:
        number = re.search(r"[\d{},.]*" + re.escape(m.group(0)) + r"[\d{},.]*", s).group(0)
        plain = number.replace("{,}", "")
        whole, _, fraction = number.partition("{,}")
        decimal = f"{whole}.{fraction.replace('{,}', '').rstrip('0') or '0'}" if "." not in number else ""
        instead = f"write {plain} or {decimal}" if decimal else "write the number without the {,}"
        raise Unreadable(f"{number} could group thousands ({plain}) or be a decimal comma "
                         f"({decimal or number.replace('{,}', '.', 1)}): {instead}", raw)
    if _DECIMAL_BEFORE_FRACTION.search(s):
        raise Unreadable("a decimal followed by a fraction sign (such as 2.5¼) is not a number", raw)
    m = _STRAY_E_NOTATION.search(s)
    if m:
        raise Unreadable("e-notation is a number, then e, then a whole-number exponent, as in 9.86e-4 or "
                         "9.86\\times 10^{-4} (Euler's e to a power is e^{…})", m.group(0))


# --- reading in a limited worker -------------------------------------------
# Some LaTeX is computed while it is read, with no limit and in C code no
# signal interrupts: latex2sympy substitutes x^{x}|_{x=10^{10}} (10^{10^{10}})
# and multiplies \binom{10^9}{5·10^8} out, SymPy's \sum multiplies its terms
# out when asked for its symbols, and any construct may do so with a power in
# an exponent.  Such texts are read in a forked worker (run_limited) that sends
# back the reading as a JSON tree; the parent rebuilds it as it was.
READ_SECONDS = 2.0  # CPU seconds for one reading in the worker; ordinary ones take milliseconds
READ_MEMORY_MB = 1024  # address space the worker may add to what it inherits
_COMPUTED_WHEN_READ = re.compile(r"\|\s*[_^]|\\(?:[dt]?binom|choose|gcd|lcm|i*int|oint|sum|prod|lim)(?![a-zA-Z])")
_SERIES_OF_FACTORIALS = re.compile(r"\\(?:sum|prod|lim)(?![a-zA-Z]).*!", re.S)
_BIG_EXPONENT = re.compile(r"\^|!|\d{4}")


# Brace groups nested deeper than this can take the LaTeX parser seconds ({{{…1…}}} 15 deep) or
# minutes (20 deep) to read: such texts are read in the worker too, under its time limit.
BRACES_READ_HERE = 6


def _needs_worker(latex: str) -> bool:
    """Could reading ``latex`` compute a huge number, or take long, before any screen sees it?"""
    if _COMPUTED_WHEN_READ.search(latex) or _SERIES_OF_FACTORIALS.search(latex):
        return True
    if _brace_depth(latex) > BRACES_READ_HERE:
        return True
    for m in re.finditer(r"\^\s*([{(])", latex):  # a power in an exponent, or an exponent of 4+ digits
        end = _matching(latex, m.start(1))
        if _BIG_EXPONENT.search(latex[m.end(1): end if end > 0 else len(latex)]):
            return True
    return False


def _brace_depth(latex: str) -> int:
    depth = deepest = 0
    for ch in latex:
        if ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth -= 1
    return deepest


def _read_in_worker(text: str, variables: Mapping[str, sympy.Symbol] | None, prefer: str) -> Reading:
    _load_latex_parser()  # once, here, rather than in every worker
    try:
        sent = run_limited(_worker_reading, text, variables, prefer, timeout=READ_SECONDS,
                           memory_mb=_address_space_mb() + READ_MEMORY_MB)
    except LimitExceeded as exc:
        raise Unreadable("the answer is too large to check (reading it went past the time or memory limit)",
                         text) from exc
    except (RuntimeError, OSError) as exc:
        raise Unreadable("reading it failed", text) from exc
    if "refused" in sent:
        raise Unreadable(*sent["refused"])
    try:
        value = _decode(sent["value"])
    except (KeyError, TypeError, ValueError) as exc:  # a value of a kind never sent before
        raise Unreadable("reading it failed", text) from exc
    return Reading(raw=text, value=value, latex=sent["latex"], kind=sent["kind"], lhs=sent["lhs"],
                   percent=sent["percent"], closed_at_infinity=sent["closed_at_infinity"])


def _worker_reading(text: str, variables: Mapping[str, sympy.Symbol] | None, prefer: str) -> dict:
    """In the worker: the reading of ``text``, JSON-able."""
    global _in_worker, _settle_deadline
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # GMP's "cannot allocate memory" is not the student's concern
    _in_worker, _settle_deadline = True, time.process_time() + SETTLE_SECONDS
    try:
        reading = _read_here(text, variables, prefer)
    except Unreadable as exc:
        return {"refused": [exc.message, exc.snippet, exc.hint]}
    except _OutOfTime:  # the time ran out just as a sum or product was worked out
        return {"refused": ["the answer is too large to check (reading it went past the time limit)", text]}
    return {"value": _encode(reading.value), "latex": reading.latex, "kind": reading.kind, "lhs": reading.lhs,
            "percent": reading.percent, "closed_at_infinity": reading.closed_at_infinity}


def _address_space_mb() -> int:
    """This process's address space in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError):
        return 0


def _encode(node: Any) -> list:
    """A JSON tree of a reading's value; integers in hexadecimal (decimal strings stop at 4300 digits)."""
    if isinstance(node, str):
        return ["text", node]
    if isinstance(node, sympy.MatrixBase):
        return ["matrix", isinstance(node, sympy.ImmutableMatrix), node.rows, node.cols, [_encode(e) for e in node]]
    name = type(node).__name__
    if getattr(sympy.S, name, None) is node:
        return ["singleton", name]
    if isinstance(node, sympy.Integer):
        return ["integer", hex(int(node))]
    if isinstance(node, sympy.Rational):
        return ["rational", hex(node.p), hex(node.q)]
    if isinstance(node, sympy.Float):
        sign, mantissa, exponent, bits = node._mpf_
        return ["float", sign, hex(int(mantissa)), exponent, bits, node._prec]
    if isinstance(node, sympy.Dummy):
        return ["dummy", node.name, node.dummy_index, node._assumptions_orig]
    if type(node) is sympy.Symbol:
        return ["symbol", node.name, node._assumptions_orig]
    if isinstance(node, AppliedUndef):
        return ["function", node.func.__name__, node.func._kwargs] + [_encode(a) for a in node.args]
    if isinstance(node, sympy.core.symbol.Str):
        return ["str", node.name]
    if not isinstance(node, sympy.Basic):
        raise TypeError(f"cannot send a {name}")
    return ["node", f"{type(node).__module__}.{type(node).__qualname__}"] + [_encode(a) for a in node.args]


def _decode(tree: list) -> Any:
    """The value :func:`_encode` sent, rebuilt as it was (nothing multiplied out)."""
    tag, *rest = tree
    if tag == "text":
        return rest[0]
    if tag == "matrix":
        immutable, rows, cols, entries = rest
        return (sympy.ImmutableMatrix if immutable else sympy.Matrix)(rows, cols, [_decode(e) for e in entries])
    if tag == "singleton":
        return getattr(sympy.S, rest[0])
    if tag == "integer":
        return sympy.Integer(int(rest[0], 16))
    if tag == "rational":
        return sympy.Rational(int(rest[0], 16), int(rest[1], 16))
    if tag == "float":
        sign, mantissa, exponent, bits, precision = rest
        return sympy.Float._new((sign, MPZ(int(mantissa, 16)), exponent, bits), precision)
    if tag == "dummy":
        return sympy.Dummy(rest[0], dummy_index=rest[1], **rest[2])
    if tag == "symbol":
        return sympy.Symbol(rest[0], **rest[1])
    if tag == "str":
        return sympy.core.symbol.Str(rest[0])
    if tag == "function":
        return sympy.Function(rest[0], **rest[1])(*[_decode(a) for a in rest[2:]], evaluate=False)
    cls, args = _basic_class(rest[0]), [_decode(a) for a in rest[1:]]
    if issubclass(cls, (sympy.Set, ExprWithLimits)):
        # Their constructors check their arguments with arithmetic, or multiply by 1: left unevaluated,
        # Interval(-oo, 2) holds -1·(-oo).  Rebuilding what the worker built costs what it cost there.
        return cls(*args)
    return _unevaluated(cls, args)  # the worker's value is evaluated already, and its huge numbers must stay so


_CLASSES: dict[str, type] = {}


def _basic_class(path: str) -> type:
    """The SymPy class named ``module.qualname``: only classes already loaded, never an import."""
    if path not in _CLASSES:
        found, todo = {}, [sympy.Basic]
        while todo:
            cls = todo.pop()
            if not isinstance(cls, sympy.core.function.UndefinedFunction):  # f(x): named by students
                found.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
            todo.extend(cls.__subclasses__())
        _CLASSES.update(found)
    return _CLASSES[path]


# --- numbers --------------------------------------------------------------
def numeric_value(value: Any, digits: int = 30) -> sympy.Basic | None:
    """A high-precision numeric value (real or complex Float), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return sympy.nan
        if isinstance(value, float) and math.isinf(value):
            return sympy.oo if value > 0 else -sympy.oo
        return sympy.Float(value, digits) if isinstance(value, float) else sympy.Integer(value)
    if not isinstance(value, sympy.Basic) or not value.is_number:
        return None
    if value in (sympy.oo, -sympy.oo, sympy.nan, sympy.zoo):
        return value
    try:
        result = value.evalf(digits)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, RecursionError):
        return None
    if result.has(sympy.zoo, sympy.nan):
        return sympy.nan
    return result if is_plain_number(result) else None  # something evalf could not work out


# --- limited worker -------------------------------------------------------
class LimitExceeded(BaseException):
    """A limited computation ran out of time or memory.

    A ``BaseException`` so that broad ``except Exception`` blocks cannot swallow it.
    """


def run_limited(func: Callable[..., Any], *args: Any, timeout: float = 2.0, memory_mb: int = 1024) -> Any:
    """Run ``func(*args)`` in a forked child with an address-space and CPU limit.

    The child sends back ``json.dumps(result)`` (results must be JSON-able:
    the parent never unpickles).  On timeout the child is killed and
    :class:`LimitExceeded` raised; an exception in the child is re-raised as
    ``RuntimeError``.  Works from any thread: no signals in the parent.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_fd)
            limit = memory_mb * 1024 * 1024
            try:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            except (ValueError, OSError):
                pass
            cpu = int(math.ceil(timeout)) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            try:
                payload = {"ok": func(*args)}
            except BaseException as exc:  # report, never hang
                payload = {"error": f"{type(exc).__name__}"}
            data = json.dumps(payload).encode()
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    # The limit counts the child's CPU time: under a class run's load a
    # wall-clock limit would turn a proof or a reading into a timeout, and
    # the verdict would depend on how busy the machine was.
    budget = TimeBudget(lambda: process_cpu_seconds(pid), process_cpu_seconds(pid), timeout)
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], budget.wait())
            if not ready:
                if budget.spent() is not None:
                    raise LimitExceeded(f"computation exceeded {timeout:g} s")
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            if sum(map(len, chunks)) > 1_000_000:
                raise LimitExceeded("computation produced too much output")
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    if not chunks:
        raise LimitExceeded("computation was stopped (memory or CPU limit)")
    payload = json.loads(b"".join(chunks))
    if "error" in payload:
        raise RuntimeError(payload["error"])
    return payload["ok"]
