"""Statements: the relation chains (``ρ(0.05) = \\frac14 ≈ 0.25``, ``ε ∈ ℝ``, "ρ is 0.2505") found in a block's
maths and plain text, with the text before each for context.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from grader.mathread import joined_thin_spaced_decimals

from .labels import _GREEK, name_key
from .document import Block, _shorten


_RELATIONS = [
    (r"\approx", "≈"), (r"\simeq", "≈"), (r"\sim", "≈"), (r"\equiv", "="), (r"\coloneqq", "="),
    (r"\leqslant", "≤"), (r"\geqslant", "≥"), (r"\leq", "≤"), (r"\geq", "≥"), (r"\le", "≤"), (r"\ge", "≥"),
    (r"\neq", "≠"), (r"\ne", "≠"), (r"\in", "∈"), (r"\lt", "<"), (r"\gt", ">"),
    (":=", "="), ("<=", "≤"), (">=", "≥"), ("~=", "≈"), ("≈", "≈"), ("≤", "≤"), ("≥", "≥"), ("∈", "∈"),
    ("≠", "≠"), ("≃", "≈"), ("=", "="), ("<", "<"), (">", ">"),
]
# Words that join two statements in German, French, Spanish and Italian, as "and", "so", "where" do
# in English (in plain text the one-letter ones, "y", "e", "o", are too often a variable to be words).
_OTHER_LANGUAGES_JOINS = ("und|sowie|oder|also|daher|somit|wobei|da|weil|et|ou|où|donc|ainsi|puisque|car|"
                          "pues|porque|luego|entonces|quindi|dove|poiché")
# Break a maths span into separate statements here (never inside brackets).
_SEPARATORS = re.compile(r"\\\\|\\(?:quad|qquad|Rightarrow|Longrightarrow|implies|therefore|iff|Leftrightarrow"
                         r"|text\s*\{\s*(?:and|so|thus|hence|therefore|i\.e\.|where|for|if|since|"
                         rf"{_OTHER_LANGUAGES_JOINS}|y|e|o|和|且|及|以及)\b[^{{}}]*\}})"
                         r"(?![a-zA-Z])|;")
_EQUALITIES = {"=", "≈"}
_NAME_CHARS = 80  # a part longer than this is an expression, not a quantity's name


@dataclass
class Statement:
    """A relation chain ``parts[0] ops[0] parts[1] …`` as written, with where it was found."""

    parts: list[str]
    ops: list[str]
    line: int
    raw: str
    boxed: bool = False
    context: str = ""  # the end of the text before it in the block ("When T=5:")
    table_row: bool = False  # made from a table's row: "| name | value |"
    problem: str = ""  # why its value cannot be read (plain text that goes on in words after a remark)
    segment: int = -1  # the block's segment that holds it (its value, for one written across text and maths)
    span: tuple[int, int] | None = None  # in plain text: where in that segment it starts and ends
    handed_on_from: str | None = None  # the value its last part was handed on from ("0.2498/0.9975 ⇒ 0.2505")

    @functools.cached_property
    def lhs_key(self) -> str:
        return name_key(self.parts[0]) if self.parts else ""

    @functools.cached_property
    def inner_keys(self) -> list[tuple[int, str]]:
        """(index, name key) of the parts between the first and the last that may be names, the last first;
        computed once a statement, however many parts look at it."""
        return [(k, name_key(self.parts[k])) for k in range(len(self.parts) - 2, 0, -1)
                if len(self.parts[k]) <= _NAME_CHARS and self.ops[k] in _EQUALITIES]


_CHAIN_TOKENS = re.compile(
    r"(?P<open>\\\{|[(\[{])|(?P<close>\\\}|[)\]}])|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|(?P<rel>"
    + "|".join(re.escape(spelling) + ("(?![a-zA-Z])" if spelling[0] == "\\" else "") for spelling, _ in _RELATIONS)
    + ")")
_RELATION_OF = dict(_RELATIONS)


def split_chain(latex: str) -> tuple[list[str], list[str]]:
    """Split ``a = b \\approx c`` on top-level relations: (["a", "b", "c"], ["=", "≈"])."""
    parts, ops = [], []
    depth, start = 0, 0
    for m in _CHAIN_TOKENS.finditer(latex):
        if m.group("open"):
            depth += 1
        elif m.group("close"):
            depth -= 1
        elif m.group("rel") and depth <= 0:
            parts.append(latex[start:m.start()].strip())
            ops.append(_RELATION_OF[m.group("rel")])
            start = m.end()
    parts.append(latex[start:].strip())
    return parts, ops


def _split_top(text: str, pattern: re.Pattern) -> list[str]:
    """Split on a pattern at bracket depth 0."""
    return _split_top_keeping(text, pattern)[0]


def _split_top_keeping(text: str, pattern: re.Pattern) -> tuple[list[str], list[str]]:
    """Split on a pattern at bracket depth 0: the pieces, and the separator after each but the last."""
    pieces, separators, depth, start, i = [], [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if text.startswith(("\\{", "\\}"), i):
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            m = pattern.match(text, i)
            if m and m.end() > i:
                pieces.append(text[start:i])
                separators.append(m.group())
                i = start = m.end()
                continue
        i += 1
    pieces.append(text[start:])
    return pieces, separators


def _unwrap_boxed(text: str) -> tuple[str, bool]:
    """``\\boxed{X}`` → (X, True); the whole text must be the box."""
    s = text.strip()
    m = re.match(r"\\(?:boxed|fbox)\s*\{", s)
    if m and _closing(s, m.end() - 1) == len(s) - 1:
        return s[m.end(): -1].strip(), True
    return text, False


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return i
    return -1


def _boxed_inside(text: str) -> str | None:
    """The content of the last ``\\boxed{…}`` anywhere in ``text``."""
    found = None
    closings = _brace_pairs(text)  # one pass: a box per opening brace would rescan the rest
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        end = closings.get(m.end() - 1, -1)
        if end > 0:
            found = text[m.end(): end].strip()
    return found


def _brace_pairs(text: str) -> dict[int, int]:
    """Opening brace position → its closing brace's, as :func:`_closing` matches them."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, char in enumerate(text):
        if char == "{" and (i == 0 or text[i - 1] != "\\"):
            stack.append(i)
        elif char == "}" and (i == 0 or text[i - 1] != "\\") and stack:
            pairs[stack.pop()] = i
    return pairs


# Environments that are one value, never rows of statements: a matrix (and a
# determinant, ``vmatrix``: one expression) keeps its ``&`` and ``\\``.
_MATRIX_ENVIRONMENTS = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix",
                        "matrix*", "pmatrix*", "bmatrix*", "Bmatrix*", "vmatrix*", "Vmatrix*"}
_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*([a-zA-Z]+\*?)\s*\}")
_BRACKET_BEFORE = re.compile(r"[(\[|]\s*$")
# A matrix set aside is marked by its number between two private-use characters; the
# student's own copies of those characters become U+FFFD first, so typed text is never
# taken for a mark (10,000 typed marks once copied a 50 KB matrix 10,000 times).
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
_NOT_A_MARK = str.maketrans({_MARK_OPEN: "\ufffd", _MARK_CLOSE: "\ufffd"})


def _matrix_spans(latex: str) -> list[tuple[int, int]]:
    """Where the outermost matrix environments are, as (start, end) in ``latex``, in one pass.

    ``array`` is a matrix only inside brackets (``\\left[\\begin{array}…``);
    otherwise it lines up equations like ``aligned``.  A matrix never closed
    runs to the end of the environment around it, or of the span, so it is
    read as one (unreadable) value rather than as loose numbers."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int, bool]] = []  # (name, start, is a matrix)
    open_names: dict[str, int] = {}  # how many of each name are on the stack
    open_matrices = 0

    def pop(end: int) -> None:
        nonlocal open_matrices
        name, start, is_matrix = stack.pop()
        open_names[name] -= 1
        if is_matrix:
            open_matrices -= 1
            if open_matrices == 0:  # the outermost: a matrix inside it goes with it
                spans.append((start, end))

    for m in _ENVIRONMENT.finditer(latex):
        name = m.group(2)
        if m.group(1) == "begin":
            is_matrix = name in _MATRIX_ENVIRONMENTS or (
                name == "array" and bool(_BRACKET_BEFORE.search(latex, max(0, m.start() - 8), m.start())))
            stack.append((name, m.start(), is_matrix))
            open_names[name] = open_names.get(name, 0) + 1
            open_matrices += is_matrix
        elif open_names.get(name):
            while stack[-1][0] != name:  # environments left open inside end here
                pop(m.start())
            pop(m.end())
    while stack:
        pop(len(latex))
    return sorted(spans)


def _protect_matrices(latex: str) -> tuple[str, list[str]]:
    """``latex`` with each matrix replaced by a placeholder, and the matrices, for :func:`_restore`."""
    spans = _matrix_spans(latex) if "\\begin" in latex else []
    if not spans:
        return latex, []
    latex = latex.translate(_NOT_A_MARK)  # one character for one: the spans stay where they were
    pieces, matrices, at = [], [], 0
    for start, end in spans:
        pieces.append(latex[at:start])
        pieces.append(f"{_MARK_OPEN}{len(matrices)}{_MARK_CLOSE}")
        matrices.append(latex[start:end])
        at = end
    pieces.append(latex[at:])
    return "".join(pieces), matrices


def _restore(text: str, matrices: list[str]) -> str:
    """Put back the matrices :func:`_protect_matrices` set aside (each mark is its own, placed once)."""
    if not matrices or _MARK_OPEN not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: matrices[int(m.group(1))], text)


# An equation's number or label is no part of its maths: "\boxed{\frac14} \label{eq:sig}", "… \tag{2}"
_EQUATION_NUMBERING = re.compile(r"\\(?:label|tag\*?)\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![a-zA-Z])")


def _math_statements(latex: str, line: int, context: str) -> list[Statement]:
    """Statements in one maths span: rows of ``aligned``, ``\\quad``-separated pieces, relation chains.

    Matrices are set aside first, so their rows and columns stay one value."""
    body, matrices = _protect_matrices(latex)
    restored: dict[str, str] = {}  # "&= …" rows share the left side above: put its matrices back once

    def restore(text: str) -> str:
        if text not in restored:
            restored[text] = _restore(text, matrices)
        return restored[text]

    body = _EQUATION_NUMBERING.sub(" ", body)
    body = re.sub(r"\\(?:begin|end)\s*\{[a-zA-Z*]+\}(?:\{[^{}]*\})?", r"\\\\", body)
    body = body.replace("&", " ")
    body = joined_thin_spaced_decimals(body)  # "0.250\,47", as every answer is read (mathread)
    body = re.sub(r"(?<!\\)\\[,;]", " ", body)  # \, and \; are spaces, not list or row separators
    out: list[Statement] = []
    previous_lhs = ""
    previous_approximate = False  # the chain the rows so far continue holds a ≈
    for row, separator in _rows(body):
        row = row.strip().rstrip(".,").strip()
        if not row:
            continue
        inner, boxed = _unwrap_boxed(row)
        inner = _set_builder(inner)
        parts, ops = split_chain(inner)
        if _HANDS_ON.fullmatch(separator) and not ops and not boxed and out and _ends_in_equality(out[-1]) \
                and not _looks_like_name(inner):
            # "\rho(0.05) \approx 0.2505 \Rightarrow 0.2437": the value after ⇒ is where the chain above ends
            out[-1].handed_on_from = out[-1].parts[-1]
            out[-1].parts.append(restore(inner) if matrices else inner)
            out[-1].ops.append("=")
            out[-1].raw = f"{out[-1].raw} {separator.strip()} {_restore(row, matrices)}"
            continue
        if not boxed and ops:
            for k, p in enumerate(parts):
                unboxed, was_boxed = _unwrap_boxed(p)
                if was_boxed:
                    parts[k], boxed = unboxed, True
        if ops and parts[0] == "" and previous_lhs:
            parts[0] = previous_lhs  # "&= …" continues the row above
            if previous_approximate and ops[0] == "=":
                ops[0] = "≈"  # "σ̇(ε) &≈ σ̇(0) + σ̈(0)ε \\ &= ¼": σ̇(ε) is still only approximately ¼
        elif ops and parts[0]:
            previous_approximate = False
        if ops and parts[0]:
            previous_lhs = parts[0]
            previous_approximate = previous_approximate or "≈" in ops
        statements = _merge_commas(Statement(parts, ops, line, _restore(row, matrices), boxed, context))
        for st in statements:  # the raw row is restored once: the statements of a row share it
            st.parts = [restore(p) if matrices else p for p in st.parts]
        out.extend(statements)
    return out


# A row that starts with a binary operator carries on the expression above it: "&= \frac14 \\ &\quad +
# \frac{\varepsilon}{4}" is one value.  Only line breaks and spaces (\quad) may stand between the two.
_CONTINUING_ROW = re.compile(r"\s*(?:[-+−*]|\\(?:cdot|times|pm|mp|div)(?![a-zA-Z]))")
_LINE_BREAK = re.compile(r"\\\\|\\q?quad")


# A separator that hands the value before it on to the one after it: "… \\approx 0.2498/0.9975 \\Rightarrow 0.2505"
_HANDS_ON = re.compile(r"\s*\\(?:Rightarrow|Longrightarrow|implies|therefore|text\s*\{\s*(?:so|thus|hence|therefore|"
                       r"i\.e\.)\s*\})\s*")


def _ends_in_equality(st: Statement) -> bool:
    return bool(st.ops) and st.ops[-1] in _EQUALITIES


def _rows(body: str) -> list[tuple[str, str]]:
    """A maths span's pieces between separators, a row that continues the one above joined to it; each row with
    the separator before it ("" for the first, the last one when several stand between).

    A row with a relation of its own is a statement of its own, even after a sign: "-\\infty < ε < \\infty"."""
    pieces, separators = _split_top_keeping(body, _SEPARATORS)
    rows: list[list[str]] = []  # each row's pieces, joined once at the end
    before: list[str] = []  # the separator before each row
    breaks_only = False  # whether only line breaks stand between the last row and this piece
    handing_on = ""  # a separator that hands a value on (⇒) since the last row, else the last one
    for k, piece in enumerate(pieces):
        if piece.strip():
            if rows and breaks_only and _CONTINUING_ROW.match(piece) and not split_chain(piece)[1]:
                rows[-1].append(piece.strip())
            else:
                rows.append([piece.strip()])
                before.append(handing_on)
            breaks_only, handing_on = True, ""
        if k < len(separators):
            breaks_only = breaks_only and bool(_LINE_BREAK.fullmatch(separators[k]))
            if not _HANDS_ON.fullmatch(handing_on):
                handing_on = separators[k]
    return [(" ".join(row), separator) for row, separator in zip(rows, before)]


_COMMA = re.compile(r",")


def _set_builder(text: str) -> str:
    """``\\{ε \\in \\mathbb{R}\\}`` → ``ε \\in \\mathbb{R}``; ``\\{ε : -\\infty < ε < \\infty\\}`` → the condition."""
    m = re.fullmatch(r"\s*\\\{(.*)\\\}\s*", text, re.S)
    if not m:
        return text
    inner = m.group(1)
    pieces = _split_top(inner, re.compile(r":|\\mid(?![a-zA-Z])|\|"))
    condition = pieces[-1] if len(pieces) == 2 else inner
    return condition if split_chain(condition)[1] else text


def _merge_commas(st: Statement) -> list[Statement]:
    r"""``a = 1, b = 2`` is two statements; ``a = 1, 2, 3`` is one list.  A comma inside a chain always ends a
    statement, whatever follows it (``a = ε/4, \dot\sigma(0) = 1/4``): read on as one chain, its last value,
    another quantity's, would be taken for the first's."""
    if len(st.ops) < 2:
        return [st]
    out: list[Statement] = []
    parts, ops = [st.parts[0]], []
    for k in range(1, len(st.parts)):
        piece = st.parts[k]
        pieces = _split_top(piece, _COMMA) if k < len(st.parts) - 1 else [piece]
        if len(pieces) > 1:
            parts.append(",".join(pieces[:-1]).strip())
            ops.append(st.ops[k - 1])
            out.append(Statement(parts, ops, st.line, st.raw, st.boxed, st.context))
            parts, ops = [pieces[-1].strip()], []
        else:
            parts.append(piece)
            ops.append(st.ops[k - 1])
    out.append(Statement(parts, ops, st.line, st.raw, st.boxed, st.context))
    return out


def _looks_like_name(text: str) -> bool:
    key = name_key(text)
    return bool(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*'*(\(\d+(\.\d+)?\))?'*(\^[a-z0-9]+)?", key)) and not re.fullmatch(
        r"\d.*", key)


# A tilde alone in plain text is "approximately" ("ρ(0.05) ~ 0.2505"); in maths it is a space.
_TEXT_RELATION = re.compile(r"(?!(?<=\s)\s)\s*(:=|~=|<=|>=|≈|≃|(?<!~)~(?![~=])|≤|≥|∈|≠|=|<|>"
                            r"|\bis\s+approximately\b|\bis\s+about\b"
                            r"|\bis\s+equal\s+to\b|\bequals\b|\bis\s+in\b|\bis\b|\bin\b)\s*", re.I)
# What a set may start with, after "in" for ∈: a bracket, ℝ, \mathbb{R}, ∅, a plain R less a set ("R \ [0,1]",
# ℝ with grader.mathread's set difference) (then _SET_LIKE decides).
_PLAIN_REALS_LESS = r"R(?![\w}])\s*+\\(?!\\)"
_SET_START = re.compile(rf"\s*+(?:[(\[\]ℝ∅]|\\(?:left|mathbb|R|emptyset|varnothing)(?![a-zA-Z])|{_PLAIN_REALS_LESS})")
# A remark in brackets inside a plain-text value, dropped from it: "1/4 (constant)", "0.2505 (4 s.f.)"
_BRACKET_REMARK = (r"\s\((?=[^()]*[A-Za-z]{3})[A-Za-z'’.,\s]+\)"
                   r"|\s\(\s*(?:to\s+)?\d+\s*(?:s\.?\s*f\.?|sig\.?\s*figs?\.?|significant\s+figures|d\.?\s*p\.?|"
                   r"decimal\s+places)\s*\)")
_THAT_IS = r",\s*(?:i\.\s*e|e\.\s*g)\b\.?"  # "1/4, i.e. a constant": a remark that ends the value, or not
# "ρ(0.05) is 0.2505 to four significant figures": how precise the value is, after it, ends it
_PRECISION_SAID = (r"\s(?:(?:correct|accurate|rounded)\s+)?to\s+(?:\d+|one|two|three|four|five|six|seven|eight)\s+"
                   r"(?:significant|sig\b|s\.?\s*f\b|decimal|d\.?\s*p\b|digits|places)")
# A clause that says what the set or the answer is starts a new statement: "ε > 0 the set is ℝ", "ε ≥ 0 the answer
# is …" (the bound is 0, not "0 the set is ℝ")
SET_SAID = (r"(?:the\s+|my\s+|our\s+)?(?:(?:final|requested|required)\s+)?(?:answer|solution(?:\s+set)?|result|set"
            r"|interval|domain)")
_CLAUSE_END = re.compile(r"(?<!\d)\.(?=\s|$)|\.\s|\.$|;|:\s|\n|,\s+(?=[A-Za-z]{3}|[α-ωΑ-Ωϵϕ])"
                         rf"|\s(?={SET_SAID}\s+is\b)"
                         r"|\s(?:for|when|which|since|because|as|so|and|where|if|but|while|then|"
                         rf"{_OTHER_LANGUAGES_JOINS})\s"
                         rf"|{_PRECISION_SAID}"
                         rf"|(?P<that_is>{_THAT_IS})|(?P<remark>{_BRACKET_REMARK})", re.I)
# What says a remark's words go on with the value: "i.e. a constant plus e/4", "1/4 (constant) − ε²/16" is maths
_GOES_ON = re.compile(r"\b(?:plus|minus|times|multiplied|divided|added|subtracted)\b|\s[-+−]\s*[\w(]", re.I)
_FURTHER_RELATION = re.compile(r"=|≈|~=|\\approx\b")
# Words a plain-text value may hold: names of functions, constants and the variable
_MATHS_WORDS = {"eps", "epsilon", "varepsilon", "inf", "infty", "infinity", "exp", "sqrt", "log", "ln", "sin", "cos",
                "tan", "tanh", "sinh", "cosh", "sigma", "rho", "approx", "frac", "cdot", "dot", *_GREEK}


_LEAD_IN = re.compile(r"(?:(?:just|simply)\s+)?(?:the\s+constant\s+(?=[-+−]?\d|$))?", re.I)
# No stretch of text a student writes between two maths spans holds this many relations ("is",
# "=", "in" …); a document repeating "ε is " for a megabyte would take half a minute to read.
MAX_TEXT_RELATIONS = 2000


def _text_statements(block: Block) -> list[Statement]:
    """Relations written across text and maths: ``σ̇_approx(ε) ≈ 1/4``, ``$\\rho(0.05)$ = 0.2505``,
    ``the interval is $(-\\infty, \\infty)$``."""
    out: list[Statement] = []
    segs = block.segments
    for idx, seg in enumerate(segs):
        if seg.kind != "text":
            continue
        text = seg.text
        consumed = 0  # a chain "a = b = c" is one statement: skip relations inside the last one read
        for seen, m in enumerate(_TEXT_RELATION.finditer(text)):
            if seen >= MAX_TEXT_RELATIONS:
                break
            if m.start() < consumed:
                continue
            word = m.group(1).lower()
            membership = word.split()[-1] == "in"  # "ε in ℝ", "epsilon is in (-inf, inf)"
            maths_next = m.end() == len(text) and idx + 1 < len(segs)  # "ε in $\mathbb{R}$"
            if membership and not (maths_next or _SET_START.match(text, m.end())):
                continue  # "in practice", "as in the plot": ∈ only before a set (checked first: prose is full of "in")
            before = text[max(0, m.start() - 200): m.start()]  # bounded: long texts stay linear
            lhs = _trailing_name(before)
            context = before.rstrip()[: len(before.rstrip()) - len(lhs)]  # "They hold for " before "ε ∈ …"
            if not lhs.strip() and not before.strip() and idx > 0 and segs[idx - 1].kind == "math":
                if "=" in segs[idx - 1].text or "\\in" in segs[idx - 1].text:
                    continue
                lhs, context = segs[idx - 1].text, ""  # "$\dot\sigma_{approx}$ = 1/4"
            if not lhs.strip():
                continue
            if membership and not _variable_like(lhs):
                continue  # "ρ(0.05) in (0.25, 0.26)", "see (a) in (1, 2)": only a variable is in a set
            if not membership and word.startswith(("is", "equals")) and not _word_relation_ok(lhs):
                continue
            # "σ̇_approx is just the constant 1/4": the words before the value say nothing about it
            lead_in = _LEAD_IN.match(text, m.end()).end() - m.end() if word[0].isalpha() else 0
            after = text[m.end() + lead_in: m.end() + 400]
            value, used, problem = _plain_value(after)
            used += lead_in
            if not after.strip() and idx + 1 < len(segs) and segs[idx + 1].kind == "math":
                value = segs[idx + 1].text.strip()  # "σ̇_approx(ε) = $\frac14$"
                if membership and not _SET_LIKE.match(value):
                    continue
                parts, ops = split_chain(value)
                inner, boxed = _unwrap_boxed(parts[-1])
                op = _op_of(word)
                out.append(Statement([lhs.strip(), *parts[:-1], inner], [op, *ops], block.line,
                                     f"{lhs.strip()} {m.group(1)} {value}", boxed, context, segment=idx + 1))
                continue
            if membership and not _SET_LIKE.match(value):
                continue  # "ε in (a)": a bracket that holds no interval
            if not value or (word[0].isalpha() and not membership and not re.search(r"[\d\\^/∞()\[\]]", value)):
                continue  # "σ̇_approx is constant" describes, it does not state a value
            consumed = m.end() + used
            parts, ops = split_chain(value)
            out.append(Statement([lhs.strip(), *parts], [_op_of(word), *ops], block.line,
                                 f"{lhs.strip()} {m.group(1)} {value}", context=context, problem=problem,
                                 segment=idx, span=(max(0, m.start() - len(lhs)), consumed)))
    return out


def _plain_value(text: str) -> tuple[str, int, str]:
    """The plain-text value ``text`` opens with (what follows a relation): (the value, how much of ``text`` it
    takes, why it cannot be read or "").

    It ends at its clause's end, but a remark in brackets is dropped from it, not an end: ``1/4 (constant)``
    is ``1/4``, ``1 (constant) − ε²`` is ``1 − ε²``; when words go on after such a remark (``1/4 (the ratio of
    constants) times (1 + ε)``) the value cannot be read.  ", i.e. …" ends it, unless a relation follows in
    the remark (``= 1, i.e. constant minus … = 1 - e``: the chain goes on to its last value) or the remark goes
    on with the value ("i.e. a constant plus e/4": cannot be read)."""
    ends = _clause_ends(text)
    pieces, start, problem = [], 0, ""
    for k, m in enumerate(ends):
        if m.group("remark"):
            pieces.append(text[start:m.start()])
            start = m.end()
            rest = text[m.end(): ends[k + 1].start() if k + 1 < len(ends) else len(text)]
            if _words_in_value(rest) and not problem:
                problem = (f"The value “{_shorten(text[:m.end()] + rest, 100)}” goes on in words after the remark "
                           f"“{m.group().strip()}”, so where it ends is not clear.")
            continue
        if m.group("that_is"):
            rest = text[m.end(): next((e.start() for e in ends[k + 1:] if not e.group("remark")), len(text))]
            if _FURTHER_RELATION.search(rest):
                continue  # "= 1, i.e. constant minus e times tanh''(0) = 1 - e": the chain goes on
            if _GOES_ON.search(rest) and not problem:
                problem = (f"The remark “{_shorten(m.group().lstrip(', ') + rest, 100)}” goes on with the value, "
                           f"so it is not clear what the value is.")
        pieces.append(text[start:m.start()])
        value = re.sub(r"\s+", " ", "".join(pieces)).strip()
        return value, m.start(), _unreadable(problem)
    pieces.append(text[start:])
    return re.sub(r"\s+", " ", "".join(pieces)).strip(), len(text), _unreadable(problem)


def _unreadable(problem: str) -> str:
    return f"{problem} Write the value in maths ($…$), or give the remark a sentence of its own." if problem else ""


# Where a student corrects an answer given above: "Correction: …", "**Edit:** …", opening a paragraph or a sentence
CORRECTION_OPENING = re.compile(r"(?:^|(?<=[.!?])[ \t]+|\n)[ \t]*(?:corrections?|corrected(?:\s+answer)?|erratum|errata|"
                                r"edit|update|revised(?:\s+answer)?)[ \t]*[:—–][ \t]*", re.I)


def _words_in_value(text: str) -> bool:
    """Does a piece of a plain-text value hold words that are no maths ("times", "the ratio")?"""
    return any(w.lower() not in _MATHS_WORDS for w in re.findall(r"(?<![\\_A-Za-z])[A-Za-z]{3,}", text))


def _clause_ends(text: str) -> list[re.Match]:
    """Where clauses end in a plain-text value, outside brackets, so the comma of "(-inf, inf)" is the
    interval's, not the end of the value; none if the text ends inside the clause ("ε in (-inf, inf)" at
    the end of its line); a bracket never closed: the first clause end only."""
    depth, at, first, ends = 0, 0, None, []
    for m in _CLAUSE_END.finditer(text):
        depth += sum(text.count(c, at, m.start()) for c in "([") - sum(text.count(c, at, m.start()) for c in ")]")
        at, first = m.start(), first or m
        if depth <= 0:
            ends.append(m)
    if ends:
        return ends
    depth += sum(text.count(c, at) for c in "([") - sum(text.count(c, at) for c in ")]")
    return [first] if depth > 0 and first is not None else []


def _op_of(word: str) -> str:
    parts, ops = split_chain(f"a {word} b") if not word[0].isalpha() else ([], [])
    if ops:
        return ops[0]
    if word.split()[-1].lower() == "in":
        return "∈"
    return "≈" if "approx" in word or "about" in word or word == "~" else "="


def _trailing_name(text: str) -> str:
    """The name-like token right before a relation in plain text (``… so σ̇_approx(ε)``)."""
    m = re.search(r"([^\s,:;]+(?:\s*\([^()\s]*\))?)\s*$", text)
    return m.group(1) if m else ""


def _variable_like(lhs: str) -> bool:
    """Does ``lhs`` name a variable, as before "in" for ∈: a letter (ε, x, $\\varepsilon$) or a Greek letter's
    name (epsilon, eps), not a word of prose ("used in", "as in")."""
    key = name_key(lhs)
    return bool(re.fullmatch(r"[a-z]", key)) or key in _GREEK or key == "eps"


def _word_relation_ok(lhs: str) -> bool:
    """"is" only relates a maths name, not prose ("this is …")."""
    return bool(re.search(r"[\\_^'{}()]|[^\x00-\x7f]", lhs)) or lhs.lower() in _SET_WORDS


def block_statements(block: Block) -> list[Statement]:
    """Every statement in a block (computed once: each part looks at the same statements)."""
    if block.statements is None:
        block.statements = _block_statements(block)
    return block.statements


# How much of the text before a statement it keeps: enough for "When T=5:".
# Keeping all of it would cost a long paragraph of maths spans quadratic
# time and memory (every statement its own copy of what came before).
CONTEXT_CHARS = 200


def _block_statements(block: Block) -> list[Statement]:
    out: list[Statement] = []
    context = ""
    for k, seg in enumerate(block.segments):
        if seg.kind == "math":
            for st in _math_statements(seg.text, block.line, context):
                st.segment = k
                out.append(st)
            context = (context + f" ${seg.text}$ ")[-CONTEXT_CHARS:]
        else:
            context = (context + seg.text)[-CONTEXT_CHARS:]
    out.extend(_text_statements(block))
    return out


# How a set starts, an inequality's relations and the words naming a set: statements here, the
# sets and intervals read in the modules above.
_SET_LIKE = re.compile(r"\s*(?:(?:\\left\s*)?[(\[\]].*[,;]|\\mathbb\s*\{?\s*R\b|\\R(?![a-zA-Z])|ℝ|\\emptyset|\\varnothing|∅"
                       rf"|{_PLAIN_REALS_LESS})", re.S)
_INEQUALITIES = {"<", ">", "≤", "≥"}
# Words that name the set itself: "the set is $\mathbb{R}$", "the interval is …"
_SET_WORDS = {"set", "interval", "domain"}
