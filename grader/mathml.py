"""Maths → MathML for reports (browsers render MathML natively: no script, no network).

Reference answers are SymPy objects, printed with SymPy's presentation
MathML printer; student answers are LaTeX text, converted with latex2mathml.
Either way the MathML is rebuilt from an element tree through an allow-list
of presentation elements and attributes before it reaches a page: student
text must never become markup (latex2mathml copies ``\\text{<script>}``
through unescaped, and keeps ``\\href`` targets).  When conversion fails the
caller shows the escaped text instead.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

ALLOWED_ELEMENTS = frozenset("""
math mrow mi mn mo ms mtext mspace mfrac msqrt mroot mstyle merror mpadded mphantom mfenced menclose
msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd mlabeledtr
semantics annotation
""".split())
ALLOWED_ATTRIBUTES = frozenset("""
display mathvariant mathsize stretchy fence separator accent accentunder columnalign rowalign
columnlines rowlines columnspacing rowspacing lspace rspace form movablelimits largeop symmetric
minsize maxsize linethickness displaystyle scriptlevel width height depth voffset notation open close
separators bevelled encoding
""".split())

MAX_LATEX_CHARS = 2000  # longer text is prose, not a formula to typeset


def _clean(element: ET.Element) -> ET.Element:
    """A copy of a MathML tree with only allowed elements and attributes, text unescaped once."""
    tag = element.tag.split("}", 1)[-1]
    copy = ET.Element(tag if tag in ALLOWED_ELEMENTS else "mrow")
    for name, value in element.attrib.items():
        if name in ALLOWED_ATTRIBUTES:
            copy.set(name, value)
    # latex2mathml stores character references as literal text ("&#x003C3;"): decode them here
    # so serialising escapes only what must be escaped.
    copy.text = html.unescape(element.text) if element.text else None
    for child in element:
        cleaned = _clean(child)
        cleaned.tail = html.unescape(child.tail) if child.tail else None
        copy.append(cleaned)
    return copy


def _serialise(root: ET.Element, display: bool) -> Markup:
    root = _clean(root)
    if root.tag != "math":
        wrapper = ET.Element("math")
        wrapper.append(root)
        root = wrapper
    root.attrib.pop("xmlns", None)
    root.set("display", "block" if display else "inline")
    # HTML parsers put <math> in the MathML namespace themselves; no xmlns needed.
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=False))


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> Markup | None:
    """Student LaTeX as MathML, or None when it cannot be converted."""
    latex = latex.strip().strip("$").strip()
    if not latex or len(latex) > MAX_LATEX_CHARS:
        return None
    try:
        from latex2mathml.converter import convert_to_element

        return _serialise(convert_to_element(latex, display="block" if display else "inline"), display)
    except Exception:  # noqa: BLE001 - the converter raises many kinds of errors on odd input
        return None


def sympy_to_mathml(value: Any, display: bool = False) -> Markup | None:
    """A SymPy object (or number, list of them) as presentation MathML, or None."""
    try:
        import sympy
        from sympy.printing.mathml import mathml

        if isinstance(value, str):
            return None
        if isinstance(value, (list, tuple)):
            rows = [list(map(_shown_number, row)) if isinstance(row, (list, tuple)) else [_shown_number(row)]
                    for row in value]
            value = sympy.Matrix(rows).T if all(len(r) == 1 for r in rows) else sympy.Matrix(rows)
        else:
            value = _shown_number(sympy.sympify(value))  # trusted: reference values computed from the spec
        text = _XML_SAFE_ENTITIES.sub(_entity_character, mathml(value, printer="presentation"))
        return _serialise(ET.fromstring(f'<math xmlns="{MATHML_NS}">{text}</math>'), display)
    except Exception:  # noqa: BLE001 - an unprintable reference is shown as text instead
        return None


SIGNIFICANT_DIGITS = 6
# SymPy's printer writes HTML entities (&InvisibleTimes;, &ExponentialE;) that XML does not know.
_XML_SAFE_ENTITIES = re.compile(r"&(?!(?:lt|gt|amp|quot|apos|#x?[0-9A-Fa-f]+);)([A-Za-z][A-Za-z0-9]*);")


def _entity_character(match: re.Match) -> str:
    import html.entities

    return html.entities.html5.get(match.group(1) + ";", "")


def _shown_number(value: Any) -> Any:
    """A number as a reader wants it: exact when rational, else 6 significant digits (0.250469)."""
    import sympy

    value = sympy.sympify(value)
    if value.is_number and not value.is_Rational and value.is_finite and value.is_real:
        return sympy.Float(sympy.N(value, 15), SIGNIFICANT_DIGITS)
    return value


_MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)


def text_with_maths(text: str) -> Markup:
    """Student text with its ``$…$`` / ``\\(…\\)`` spans typeset; everything else escaped."""
    pieces: list[str] = []
    position = 0
    for match in _MATH_SPAN.finditer(text):
        pieces.append(escape(text[position:match.start()]))
        display = match.group(1) is not None or match.group(4) is not None
        latex = next(g for g in match.groups() if g is not None)
        pieces.append(latex_to_mathml(latex, display) or escape(match.group(0)))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


_LATEX_SIGNS = re.compile(r"[\\^_{]")
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{4,}")  # a word that is not a LaTeX command


def answer_markup(text: str) -> Markup:
    """An answer as read: maths spans typeset; a bare LaTeX formula typeset whole; anything else escaped."""
    if not text:
        return Markup("")
    if _MATH_SPAN.search(text):
        return text_with_maths(text)
    if _LATEX_SIGNS.search(text) and not _PROSE.search(re.sub(r"\\(text|mathrm|operatorname)\{[^{}]*\}", "", text)):
        return latex_to_mathml(text) or escape(text)
    return escape(text)


def expected_markup(refs) -> dict[str, str]:
    """Label → the reference of each written part as MathML (for the report's "expected" column).

    Only written answers: their reference is the answer to a handout
    question.  Code cases are not shown (hidden ones must stay hidden), nor
    rubrics (their reference is a list of ideas, named in the feedback).
    """
    shown: dict[str, str] = {}
    for problem in refs:
        for label, ref in problem.parts.items():
            part = ref.part
            if part.kind is None or part.kind == "rubric" or ref.value is None:
                continue
            markup = sympy_to_mathml(ref.value)
            shown[label] = str(markup) if markup is not None else str(escape(_plain_text(ref.value)))
    return shown


def _plain_text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 500 else text[:500] + "…"
