"""Maths → MathML for reports (browsers render MathML natively: no script, no network).

Reference answers are SymPy objects, printed with SymPy's presentation
MathML printer; student answers are LaTeX text, converted with latex2mathml.
Either way the MathML is rebuilt from an element tree through an allow-list
of presentation elements and attributes before it reaches a page: student
text must never become markup (latex2mathml copies ``\\text{<script>}``
through unescaped, and keeps ``\\href`` targets).  Its lengths and text sizes are
bounded too, so no formula can make a page thousands of pixels tall or draw
over its neighbours.  When conversion fails the caller shows the escaped text instead, and so it
does for LaTeX that is not whole (a group left open, a fraction with one argument): latex2mathml
would complete it into maths the student did not write, hiding the very slip a verdict is about.
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

# Lengths a student can set (\rule, \hspace, \mspace, \kern, \raise, \rlap, \above …), in ems:
# (least, most).  A longer one is cut to the most: "\rule{1em}{2500em}" must not make a
# table cell 44,000 px tall.  One below the least is dropped, so no negative space or
# zero-width box draws text over its neighbours.
LENGTH_LIMITS = {
    "width": (0, 3), "height": (0, 3), "depth": (0, 3), "lspace": (0, 3), "rspace": (0, 3),
    "minsize": (0, 3), "maxsize": (0, 3), "columnspacing": (0, 3), "rowspacing": (0, 3),
    "voffset": (-1, 1), "linethickness": (0, 0.25),
}
# The scale of the text (\Huge, \tiny), nested sizes multiplied: outside it, a size is dropped.
TEXT_SCALE = (0.5, 2.5)
_EMS_PER_UNIT = {"em": 1, "ex": 0.5, "px": 1 / 16, "pt": 1 / 12, "pc": 1, "in": 6, "cm": 6 / 2.54,
                 "mm": 0.6 / 2.54, "mu": 1 / 18}
_NAMED_SPACES = {f"{name}mathspace": eighteenths / 18 for eighteenths, name in enumerate(
    ("veryverythin", "verythin", "thin", "medium", "thick", "verythick", "veryverythick"), start=1)}
_LENGTH = re.compile(r"(-?(?:\d+\.?\d*|\.\d+))(em|ex|px|pt|pc|in|cm|mm|mu|%)?")


def _ems(value: str) -> float | None:
    """A length in ems (a percentage as a fraction of an em), or None for what is not a plain
    length: a unitless number but 0, a relative "+1em", a pseudo-unit "-1width"."""
    value = value.strip()
    if value in _NAMED_SPACES:
        return _NAMED_SPACES[value]
    found = _LENGTH.fullmatch(value)
    if not found or (found.group(2) is None and float(found.group(1)) != 0):
        return None
    number, unit = float(found.group(1)), found.group(2) or "em"
    return number / 100 if unit == "%" else number * _EMS_PER_UNIT[unit]


def _bounded_length(tag: str, name: str, value: str) -> str | None:
    """``value`` of a length attribute within its limits, in ems; None to drop it."""
    least, most = LENGTH_LIMITS[name]
    shown = []
    for item in value.split() or [""]:
        ems = None if item.endswith("%") else _ems(item)  # of the content or the line: no fixed bound
        if ems is None or ems < least or (ems == 0 and tag == "mpadded"):
            return None
        shown.append(f"{round(min(ems, most), 4):g}em" if ems else "0")
    return " ".join(shown)


def _size_factor(value: str, scale: float) -> float | None:
    """The factor a ``mathsize`` scales its text by, in ems of the text around it, or None when
    it is no relative size (em, ex, %) or would take the text's ``scale`` out of TEXT_SCALE."""
    factor = _ems(value) if value.strip().endswith(("em", "ex", "%")) else None
    if factor is None or not TEXT_SCALE[0] <= scale * factor <= TEXT_SCALE[1]:
        return None
    return factor


def _clean(element: ET.Element, scale: float = 1.0) -> ET.Element:
    """A copy of a MathML tree with only allowed elements and attributes, lengths and text sizes
    bounded (``scale``: the text's, relative to the page), text unescaped once."""
    tag = element.tag.split("}", 1)[-1]
    copy = ET.Element(tag if tag in ALLOWED_ELEMENTS else "mrow")
    for name, value in element.attrib.items():
        if name not in ALLOWED_ATTRIBUTES:
            continue
        if name == "mathsize":
            factor = _size_factor(value, scale)
            value = None if factor is None else f"{round(factor, 4):g}em"
            scale *= factor or 1
        elif name == "scriptlevel":  # a negative or relative level enlarges the text
            value = value.strip() if value.strip() in ("0", "1", "2") else None
        elif name in LENGTH_LIMITS:
            value = _bounded_length(copy.tag, name, value)
        if value is not None:
            copy.set(name, value)
    # latex2mathml stores character references as literal text ("&#x003C3;"): decode them here
    # so serialising escapes only what must be escaped.
    copy.text = html.unescape(element.text) if element.text else None
    for child in element:
        cleaned = _clean(child, scale)
        cleaned.tail = html.unescape(child.tail) if child.tail else None
        copy.append(cleaned)
    return copy


def _math(root: ET.Element, display: bool) -> ET.Element:
    """A cleaned tree under one <math> element, its numbers' signs written as operators."""
    root = _clean(root)
    if root.tag != "math":
        wrapper = ET.Element("math")
        wrapper.append(root)
        root = wrapper
    _signs_as_operators(root)
    root.set("display", "block" if display else "inline")
    return root


def _signs_as_operators(root: ET.Element) -> None:
    """A negative number as student maths shows it, a minus operator before the digits: SymPy's
    printer writes "<mn>-7</mn>", an ASCII hyphen set as part of the number."""
    for parent in root.iter():
        for index, child in enumerate(parent):
            if child.tag == "mn" and child.text and child.text.startswith("-") and len(child) == 0:
                signed = ET.Element("mrow")
                ET.SubElement(signed, "mo").text = "\u2212"
                ET.SubElement(signed, "mn").text = child.text[1:]
                signed.tail = child.tail
                parent[index] = signed


def _markup(root: ET.Element, alttext: str) -> Markup:
    # alttext: what a screen reader without MathML reads, and what is copied.
    if alttext:
        root.set("alttext", " ".join(alttext.split()))
    # HTML parsers put <math> in the MathML namespace themselves; no xmlns needed.
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=False))


def _serialise(root: ET.Element, display: bool, alttext: str = "") -> Markup:
    return _markup(_math(root, display), alttext)


# What stands taller than a line: a list holding one keeps its brackets stretched around it, whole.
_TALL = frozenset("mfrac mtable msqrt mroot munder mover munderover menclose mpadded".split())


def _list_row(math: ET.Element) -> ET.Element | None:
    """The row holding a formula's items when it is one line tall ("[0.25, 9.8×10⁻⁴, …]"), else None."""
    row = math
    while len(row) == 1 and row[0].tag == "mrow" and not row.text:
        row = row[0]
    if row is math or any(element.tag in _TALL for element in row.iter()):
        return None
    return row


_SPACE = re.compile(r"\s|~|\\[ ,:;]|\\q?quad\b")  # a space as written, or one of LaTeX's spacing commands


def _latex_commas(latex: str) -> list[tuple[int, bool]]:
    """Where each comma outside a group ends in ``latex``, and whether a space follows it: a list's
    comma, where a line may break, not a thousands' one (1,000)."""
    commas, depth = [], 0
    for token in re.finditer(r"\\.|[{},]", latex, re.S):
        depth += {"{": 1, "}": -1}.get(token.group(), 0)
        if token.group() == "," and depth == 0:
            commas.append((token.end(), bool(_SPACE.match(latex, token.end()))))
    return commas


def _wrapping(root: ET.Element, latex: str) -> Markup:
    """Inline maths as one <math> per list item, so a long list wraps between its items in a
    narrow column (browsers never break a line inside a <math>); each item's alttext is its LaTeX.
    Anything else, or a list whose LaTeX has other commas than its maths, stays one <math>."""
    math = _math(root, display=False)
    row = _list_row(math)
    commas = [] if row is None else [index for index, child in enumerate(row)
                                     if child.tag == "mo" and (child.text or "").strip() == ","]
    written = _latex_commas(latex)
    cuts = [(index, end) for index, (end, spaced) in zip(commas, written) if spaced]
    if not cuts or len(commas) != len(written):
        return _markup(math, latex)
    pieces, start, written_start = [], 0, 0
    for index, end in [*cuts, (len(row) - 1, len(latex))]:
        piece = ET.Element("math", display="inline")
        ET.SubElement(piece, "mrow").extend(list(row)[start:index + 1])
        pieces.append(_markup(piece, latex[written_start:end]))
        start, written_start = index + 1, end
    return Markup("<wbr>").join(pieces)


_GROUP_BRACE = re.compile(r"\\.|[{}]", re.S)  # a command's character (\{ shows a brace) or a group's brace
# The arguments of each fraction, root and script: latex2mathml builds "\frac{1}" as a fraction of one.
_ARGUMENTS = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2, "msubsup": 3, "munderover": 3}


def _groups_closed(latex: str) -> bool:
    """Every group's { closed by a } after it, and no } without one (latex2mathml closes
    what is left open itself: "\\frac{1}{4" would show as a perfect ¼)."""
    depth = 0
    for brace in _GROUP_BRACE.finditer(latex):
        depth += {"{": 1, "}": -1}.get(brace.group(), 0)
        if depth < 0:
            return False
    return depth == 0


def _arguments_complete(root: ET.Element) -> bool:
    return all(len(element) == _ARGUMENTS[tag] for element in root.iter()
               if (tag := element.tag.split("}", 1)[-1]) in _ARGUMENTS)


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> Markup | None:
    """Student LaTeX as MathML, or None when it cannot be converted as written."""
    latex = latex.strip().strip("$").strip()
    if not latex or len(latex) > MAX_LATEX_CHARS or not _groups_closed(latex):
        return None
    try:
        from latex2mathml.converter import convert_to_element

        root = convert_to_element(latex, display="block" if display else "inline")
        if not _arguments_complete(root):
            return None
        return _serialise(root, display, latex) if display else _wrapping(root, latex)
    except Exception:  # noqa: BLE001 - the converter raises many kinds of errors on odd input
        return None


def sympy_to_mathml(value: Any, display: bool = False) -> Markup | None:
    """A SymPy object (or number, list of them) as presentation MathML, or None."""
    try:
        import sympy
        from sympy.printing.mathml import mathml

        if isinstance(value, str):
            return None
        alttext = _reference_text(value)
        if isinstance(value, (list, tuple)):
            rows = [list(map(_shown_number, row)) if isinstance(row, (list, tuple)) else [_shown_number(row)]
                    for row in value]
            # A list of numbers stands as a column: the Expected column is narrow, and a row of four
            # six-digit values would scroll out of sight.
            value = sympy.Matrix(rows)
        else:
            value = _shown_number(sympy.sympify(value))  # trusted: reference values computed from the spec
        text = _XML_SAFE_ENTITIES.sub(_entity_character, mathml(value, printer="presentation"))
        return _serialise(ET.fromstring(f'<math xmlns="{MATHML_NS}">{text}</math>'), display, alttext)
    except Exception:  # noqa: BLE001 - an unprintable reference is shown as text instead
        return None


SIGNIFICANT_DIGITS = 6
# SymPy's printer writes HTML entities (&InvisibleTimes;, &ExponentialE;) that XML does not know.
_XML_SAFE_ENTITIES = re.compile(r"&(?!(?:lt|gt|amp|quot|apos|#x?[0-9A-Fa-f]+);)([A-Za-z][A-Za-z0-9]*);")


def _entity_character(match: re.Match) -> str:
    import html.entities

    return html.entities.html5.get(match.group(1) + ";", "")


def _reference_text(value: Any) -> str:
    """A reference in plain text, its numbers as the page shows them: "[0.250469, 9.71715e-7]", "x^2/4"."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_reference_text, value)) + "]"
    return str(_shown_number(value)).replace("**", "^")


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
    # Words inside \text{…} or naming an environment (\begin{pmatrix}) are LaTeX, not prose.
    if _LATEX_SIGNS.search(text) and not _PROSE.search(
            re.sub(r"\\(text|mathrm|operatorname|begin|end)\{[^{}]*\}", "", text)):
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
