"""Extraction of a list of values indexed by ``T`` (Q2.3c): one statement per index, a list after the name, or a
table of the values.
"""
from __future__ import annotations

import functools
import re

from grader.mathread import brackets_balanced
from grader.spec import Part

from .labels import _unicode_maths, name_key
from .document import Block, Table
from .statements import Statement, _NAME_CHARS, _split_top, _unwrap_boxed, block_statements, split_chain
from .named import (Found, _a_value, _clean_value, _index_template, _looks_numeric, _stated_value, _table_statements,
                    _unspaced)


def _find_indexed(part: Part, blocks: list[Block], tables: list[Table] = (),
                  own: list[tuple[Block, str]] = (), unnamed_column: bool = False) -> tuple[Found | None, str]:
    """Values named with the index written out (``\\rho(0.05)^{10}``), with the index given before the
    statement ("When $T=5$: $\\rho(0.05)^T \\approx …$"), as one list or vector, or in a table; in index
    order.  An unnamed list counts in the part's ``own`` blocks (its own section, or a paragraph opening
    with its label, ``(c) …``): boxed, or a list of numbers alone in its maths span.  A table's rows may name
    the values (``| $\\rho(0.05)^{5}$ | … |``) or give them by index (``| T | ρ(0.05)^T |``; in a section of
    the part's own, ``unnamed_column``, the value column's header may be any word: ``| T | value |``).

    A list said to be another's (introduced by the approximation's name or "The approximation gives", or a
    draft: "my first attempt, but I had a bug") is none; of several lists, the last one written counts."""
    template, index, wanted = _index_template(part)
    generic = name_key(template)
    # the power may come before the argument: \rho^{5}(0.05) is \rho(0.05)^{5}
    power_first = re.sub(r"^(.*?)(\([^()]*\))(\^" + re.escape(index.lower()) + r")$", r"\1\3\2", generic)
    generics = {generic, power_first}
    # the key with the index as a capture: rho(0.05)^t → rho\(0\.05\)\^(\d+)
    power = re.escape("^" + index.lower())
    pattern = re.compile("|".join(re.escape(g).replace(power, r"\^(\d+)") for g in sorted(generics)))
    index_given = re.compile(rf"(?<![A-Za-z]){re.escape(index)}\s*=\s*(\d+)")
    values: dict[str, tuple[str, int]] = {}
    lists: list[tuple[tuple[int, int], Found]] = []  # ((line, segment), the list): the last one written counts
    own_ids = {id(b) for b, _ in own}
    # "$\\rho(0.05)^T$ for $T = 1, 5, 10, 20$: $0.2505$, …" anywhere: the list named before its colon
    named = [(b, b.prose()) for b in blocks if id(b) not in own_ids and _names_any(b.prose(), generics)]
    for block, text in [*own, *named]:  # "For $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, …", "0.2505, …"
        items, context = _values_written(text)
        if id(block) not in own_ids and not _names_any(context, generics):
            continue
        if len(items) == len(wanted) and not _list_of_another(context, ""):
            items, problem = _in_index_order(items, context, index, wanted)
            if problem:
                return None, problem
            lists.append(((block.line, len(block.segments)), Found(f"[{', '.join(items)}]", block.line, 1)))
        elif 1 < len(items) < len(wanted) and not _list_of_another(context, ""):  # "For T = 1, 5: 0.2505, 9.86e-4"
            some, problem = _shorter_list(items, context, index, wanted)
            if problem:
                return None, problem
            if some:
                found = Found(_partial_list({t: (v, block.line) for t, v in some.items()}, wanted), block.line, 1)
                lists.append(((block.line, len(block.segments)), found))
    rows = [(None, st) for st in _table_statements(tables)]  # "| $\rho(0.05)^{5}$ | $9.9\cdot10^{-4}$ |"
    for block, st in [*((b, st) for b in blocks for st in block_statements(b)), *rows]:
        stated = _stated_value(st)
        if stated is None:
            items = list_items(st.parts[0]) if id(block) in own_ids and not st.ops else []
            if len(items) == len(wanted) and (st.boxed or all(_a_value(v) for v in items)) \
                    and not _list_of_another(st.context, _text_after(block, st)):
                items, problem = _in_index_order(items, st.context, index, wanted)
                if problem:
                    return None, problem
                lists.append(((st.line, st.segment), Found(f"[{', '.join(items)}]", st.line, 1)))
            continue
        lhs, context = st.lhs_key, st.context
        evaluated = _evaluation_bar(st.parts[0], index)
        if evaluated is not None:  # "\rho(0.05)^{T}\Big|_{T=1,5,10,20} \approx …": the values at the bar's
            lhs, context = name_key(evaluated[0]), f"{context} {index} = {', '.join(evaluated[1])}"
        value = _clean_value(stated)
        m = pattern.fullmatch(lhs)
        if m:
            values[next(i for i in m.groups() if i)] = (value, st.line)
            continue
        if lhs in generics:
            items = list_items(value)
            if len(items) == len(wanted):
                if block is not None and _list_of_another("", _text_after(block, st)):
                    continue  # "… was my first attempt"
                items, problem = _in_index_order(items, context, index, wanted)
                if problem:
                    return None, problem
                lists.append(((st.line, st.segment), Found(f"[{', '.join(items)}]", st.line, 1)))
                continue
            given = index_given.findall(st.context[-80:])
            if given:
                values[given[-1]] = (value, st.line)
    for block, text in [*own, *named]:  # "0.2505 (T=1), 9.86e-4 (T=5), …", "T=1: 0.2505, T=5: 9.86e-4, …"
        # Values said to be the approximation's stay so up to a sentence's end or the quantity named again;
        # the words between two values are looked at once, so a paragraph of many stays linear.
        another, after = False, 0
        for t, value, start, end in _values_by_index(text, index):
            gap, after = text[after:start], end
            if _SENTENCE_BREAK.search(gap) or _names_any(gap, generics):
                another = False
            another = another or _list_of_another(gap, "")
            if t in wanted and not another:
                values.setdefault(t, (value, block.line))
    for table in tables:
        values.update(_indexed_from_table(table, index, generic, wanted, unnamed_column))
    if values:
        present = [t for t in wanted if t in values]
        line = values[present[0]][1] if present else blocks[0].line
        if len(present) == len(wanted):
            return Found("[" + ", ".join(values[t][0] for t in wanted) + "]", line, 1), ""
        if present:
            return Found(_partial_list(values, wanted), line, 1), ""
    if lists:
        return max(lists, key=lambda at: at[0])[1], ""
    return None, ""


# A name evaluated at its index's values by a bar: "\rho(0.05)^{T}\Big|_{T=1,5,10,20}", "\left.…\right|_{T = 1, 5}",
# "…|_{T\in\{1, 5\}}"
_EVALUATION_BAR = re.compile(r"^\s*(?:\\left\s*\.)?(?P<name>.+?)\s*(?:\\(?:[bB]igg?|right|middle)[lr]?\s*)?(?:\||\\vert(?![a-zA-Z]))"
                             r"\s*_\s*\{\s*(?P<index>[A-Za-z])\s*(?:=|\\in(?![a-zA-Z]))\s*(?:\\\{)?(?P<values>[\d\s,]+?)"
                             r"(?:\\\})?\s*\}\s*$")


def _evaluation_bar(lhs: str, index: str) -> tuple[str, list[str]] | None:
    """(the name, the index values) of a left side evaluated at the index's values by a bar, or None."""
    m = _EVALUATION_BAR.match(lhs)
    if m is None or m.group("index") != index:
        return None
    values = re.findall(r"\d+", m.group("values"))
    return (m.group("name"), values) if len(values) > 1 else None


def _names_any(text: str, keys: set[str]) -> bool:
    """Does ``text`` name one of the quantities ``keys``: a word of plain text, or a maths span or one side of its
    relation (``$\\rho(0.05)^T \\approx$``)?"""
    for token in re.findall(r"\$[^$]++\$|[^\s$]++", text):
        sides = split_chain(token.strip("$"))[0] if token.startswith("$") else [token.rstrip(".,;:")]
        if any(len(side) <= _NAME_CHARS and name_key(side) in keys for side in sides):
            return True
    return False


# A number in plain text: 0.2505, 9.86e-4, 9.86·10⁻⁴, 9.86 \times 10^{-4}.  Possessive and starting only where a
# number can start, so a long run of digits or spaces is passed over in one step.
_PLAIN_NUMBER = (r"(?<![\w.])[-+]?+(?:\d++(?:\.\d*+)?+|\.\d++)(?:[eE][-+]?+\d++)?+"
                 r"(?:\s*+(?:×|\\times|·|\\cdot|\*)\s*+10\s*+(?:\^\s*+\{?+\s*+[-+−]?+\d++\s*+\}?+|[⁻⁺]?+[⁰¹²³⁴⁵⁶⁷⁸⁹]++))?+")


def _indexed_value(tag: str) -> str:
    """A value as :func:`_index_pairs` reads it, in maths or a plain number, its groups tagged ``tag``."""
    return rf"\$(?P<m{tag}>[^$]++)\$|(?P<p{tag}>{_PLAIN_NUMBER})(?![\w.])"


def _index_given(index: str, tag: str) -> str:
    """``T = 5`` (also in maths), its number's group tagged ``tag``."""
    return rf"\$?+\s*+(?<![A-Za-z]){re.escape(index)}\s*+=\s*+(?P<t{tag}>\d++)\s*+\$?+"


@functools.lru_cache(maxsize=8)
def _index_pairs(index: str) -> re.Pattern:
    """The pattern of values each written with its index: "0.2505 (T=1)" and "T=1: 0.2505" (also in maths)."""
    return re.compile(rf"(?:{_indexed_value('1')})\s*+\(\s*+(?:(?:at|for|with)\s++)?+{_index_given(index, '1')}\)"
                      rf"|{_index_given(index, '2')}\s*+(?::|→|->|\\to\b|\\rightarrow\b)\s*+(?:{_indexed_value('2')})")


def _values_by_index(text: str, index: str) -> list[tuple[str, str, int, int]]:
    """(index value, value, start, end) of each number written with its index in ``text``: "0.2505 (T=1), 9.86e-4
    (T=5)", "T=1: 0.2505, T=5: 9.86e-4", "$T = 5$: $9.86\\times10^{-4}$"; the index's own values are never taken."""
    out = []
    for m in _index_pairs(index).finditer(text):
        value = next(v for v in m.group("m1", "p1", "m2", "p2") if v is not None).strip()
        if m.group("p1") or m.group("p2"):
            value = _unicode_maths(value)
        if _looks_numeric(_unspaced(value)):
            out.append((m.group("t1") or m.group("t2"), value, m.start(), m.end()))
    return out


# Words that make a list of values a draft: "my first attempt", "but I had a bug"
_DRAFT = re.compile(r"\b(?:first\s+(?:attempt|try|version|go)|attempt(?:ed)?|draft|bugs?|buggy|mistakes?|wrong|incorrect|"
                    r"earlier|previous(?:ly)?|initial(?:ly)?|old|scratch)\b", re.I)
# After a list: words that say it is the approximation's ("…, i.e. the approximation's values")
_APPROXIMATION_AFTER = re.compile(r"\b(?:i\.?\s*e\.?|is|are|these\s+are|which\s+(?:is|are)|from|by|of|using|with)\s+"
                                  r"(?:the\s+|my\s+|a\s+)?(?:linear(?:i[sz]ed)?\s+)?approx", re.I)


_SENTENCE_BREAK = re.compile(r"(?<!\bi\.e)(?<!\be\.g)[.!?](?=\s|$)|\n")  # "i.e." and "e.g." end no sentence


def _list_of_another(before: str, after: str) -> bool:
    """Is a list of values said to be another quantity's or a draft?  Introduced, since the last sentence or
    list before it, by words or a name of the approximation (``$\\rho_{approx}(0.05)^T$ for …:``, "The
    approximation gives …:") or of a draft ("my first attempt gave"); or followed, in its sentence, by a
    draft's words ("… was my first attempt, but I had a bug") or "i.e. the approximation's"."""
    lead = _since_last_list(before)
    tail = _SENTENCE_BREAK.split(after, maxsplit=1)[0]
    return bool(re.search(r"(?<!\\)approx(?!imately)", lead, re.I) or _DRAFT.search(lead) or _DRAFT.search(tail)
                or _APPROXIMATION_AFTER.search(tail))


def _since_last_list(text: str) -> str:
    """The words that introduce what follows ``text``: since its last sentence end or list of numbers."""
    text = _SENTENCE_BREAK.split(text)[-1]
    for m in reversed(list(re.finditer(r"\$[^$]*\$", text))):
        items = list_items(m.group()[1:-1])
        if len(items) > 1 and all(_looks_numeric(_unspaced(v)) for v in items):
            return text[m.end():]
    return text


def _text_after(block: Block, st: Statement) -> str:
    """The plain text right after a statement's maths in its block (its sentence's rest, for a remark)."""
    k = st.segment + 1
    return block.segments[k].text if 0 < k < len(block.segments) and block.segments[k].kind == "text" else ""


_LIST_WORD = re.compile(r"(,|;|\band\b)")
_SEMICOLON = re.compile(r"(?<!\\);")  # "\;" is a space
_MATH_SPACE = re.compile(r"\\(?:[ ,;:!]|q?quad(?![a-zA-Z]))")
_SEMICOLON_WORD = re.compile(r"(;|\band\b)")
_DIGITS_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")


def _groups_thousands(whole: str, fraction: str) -> bool:
    """Could ``whole,fraction`` group thousands (1,000; 12,500)?  Not with other than three digits after the comma
    (0,2505; 3,14) or a leading 0 (0,250): a decimal comma then."""
    return len(fraction) == 3 and re.fullmatch(r"[1-9]\d{0,2}", whole) is not None


def _decimal_commas(value: str) -> str:
    """``value`` with each decimal comma between digits made a point (9,86·10⁻⁴ → 9.86·10⁻⁴); one that could group
    thousands is left as written."""
    return _DIGITS_COMMA.sub(lambda m: m.group(0) if _groups_thousands(m[1], m[2]) else f"{m[1]}.{m[2]}", value)


def _values_written(text: str) -> tuple[list[str], str]:
    """A paragraph that is a list of numbers, each in its own maths span or as plain text, after what the
    last colon ends ("For $T = 1, 5, 10, 20$: $0.2505$, $9.86\\times10^{-4}$, …", "0.2505, 9.86e-4, …"):
    (the values, the words before the colon); ([], "") when anything else stands in the list."""
    pieces = re.findall(r"\$[^$]*\$|[^$]+", text)
    colon = max((k for k, piece in enumerate(pieces) if not piece.startswith("$") and ":" in piece), default=None)
    context = ""
    if colon is not None:
        head, _, tail = pieces[colon].rpartition(":")
        context = "".join(pieces[:colon]) + head
        pieces = ([tail] if tail.strip() else []) + pieces[colon + 1:]
    # "0,2505; 9,86·10⁻⁴; …": decimal commas, so the values are separated by semicolons (in maths or not)
    commas = ";" in "".join(pieces) and re.search(r"\d,\d", "".join(pieces)) is not None
    separator = _SEMICOLON_WORD if commas else _LIST_WORD
    items: list[list[str]] = [[]]
    for piece in pieces:
        if piece.startswith("$") and not commas:
            # "$0.2505;\ 9.86\cdot10^{-4};\ …$": one maths span holding the list, its values between semicolons
            values = [v for v in (_MATH_SPACE.sub(" ", v).strip() for v in _split_top(piece.strip("$"), _SEMICOLON))
                      if v] or [""]
            for k, value in enumerate(values):
                if k:
                    items.append([])
                items[-1].append(value)
            continue
        for chunk in separator.split(piece.strip("$") if piece.startswith("$") else piece):
            if separator.fullmatch(chunk):
                items.append([])
            elif chunk.strip(" \t\n."):
                item = chunk.strip() if piece.startswith("$") else _unicode_maths(chunk.strip(" \t\n."))
                items[-1].append(_decimal_commas(item) if commas else item)
    if len(items) < 2 or any(len(item) != 1 for item in items):
        return [], ""
    values = [item[0] for item in items]
    if not all(_a_value(v) and len(list_items(v)) == 1 for v in values):
        return [], ""
    return values, context


def _in_index_order(items: list[str], context: str, index: str, wanted: list[str]) -> tuple[list[str], str]:
    """A list's values in the question's order: "For T = 20, 10, 5, 1: …" lists them in its own order.
    (items, "") or ([], why) when the list is for other values of the index than the question's."""
    order = _index_list(context[-120:], index)
    if order is None or len(order) != len(items):
        return items, ""
    if set(order) != set(wanted) or len(set(order)) != len(order):
        return [], (f"The values are given for {index} = {', '.join(order)}, but the question "
                    f"asks for {index} = {', '.join(wanted)}.")
    return [items[order.index(t)] for t in wanted], ""


def _shorter_list(items: list[str], context: str, index: str, wanted: list[str]) -> tuple[dict[str, str], str]:
    """The values of a list shorter than the question's, by the index values written before it: "For T = 1, 5:
    …" gives T = 1 and 5, and "For T = 1, 5, 10, 20: a, b" the first ones.  ({index value: value}, "");
    ({}, "") when no index values are written (which values they are is not guessed); ({}, why) when the list
    is for other values of the index than the question's."""
    order = _index_list(context[-120:], index)
    if order is None or len(order) < len(items) or (len(order) > len(items) and order != wanted):
        return {}, ""
    if not set(order) <= set(wanted):
        return {}, (f"The values are given for {index} = {', '.join(order)}, but the question "
                    f"asks for {index} = {', '.join(wanted)}.")
    return dict(zip(order, items)), ""


def _index_list(context: str, index: str) -> list[str] | None:
    """The last list of index values written before a statement, ``T = 1, 5, 10, 20`` (or ``… and 20``)."""
    lists = re.findall(rf"(?<![A-Za-z]){re.escape(index)}\s*=\s*(\d+(?:\s*(?:,|\band\b|\\text\s*\{{\s*and\s*\}})\s*\d+)+)",
                       context)
    return re.findall(r"\d+", lists[-1]) if lists else None


_LIST_SEPARATOR = re.compile(r"(?<!\\),")  # not the thin space \,
_CELL_SEPARATOR = re.compile(r"(?<!\\)&|\\\\")
_ROW_SEPARATOR = re.compile(r"\\\\")
_TRANSPOSED = re.compile(r"\^\s*(?:T|\{\s*T\s*\}|\\top|\{\s*\\top\s*\}|\\intercal)\s*$")
_VECTOR = re.compile(r"\\begin\s*\{\s*(?P<name>[pbB]?matrix\*?|smallmatrix|array)\s*\}(?:\{[^{}]*\}|\[[^\]]*\])?"
                     r"(?P<body>.*)\\end\s*\{\s*(?P=name)\s*\}", re.S)
_BRACKETS = re.compile(r"(?:\\left\s*)?[(\[](?P<body>.*?)(?:\\right\s*)?[)\]]", re.S)


def list_items(value: str) -> list[str]:
    r"""The values of a list or vector, as written: ``a, b``, ``[a, b]``, ``(a, b)``, ``\left[a, b\right]``,
    ``\begin{pmatrix}a & b\end{pmatrix}`` (a row or a column, also bmatrix, ``\left(\begin{array}…``,
    transposed), with ``\boxed{}`` around any of these.  A matrix of several rows and columns is one item."""
    inner, separator = value.strip(), _LIST_SEPARATOR
    for _ in range(4):  # a few wrappings (\boxed{\left(\begin{pmatrix}…): each look is one pass
        inner = _unwrap_boxed(inner)[0].strip()
        m = _wrapped_list(inner) or _wrapped_list(_TRANSPOSED.sub("", inner, count=1).rstrip())
        if m is None:
            break
        inner = m.group("body").strip()
        if m.re is _VECTOR:
            rows = [r for r in _split_top(inner, _ROW_SEPARATOR) if r.strip()]
            if len(rows) > 1 and any("&" in r for r in rows):
                return [value]  # a matrix, not a vector
            if "&" in inner or len(rows) > 1:
                separator = _CELL_SEPARATOR  # else one cell: "\begin{pmatrix}a, b\end{pmatrix}"
            break
    return [v.strip() for v in _split_top(inner, separator) if v.strip()]


def _wrapped_list(text: str) -> re.Match | None:
    """``text`` as a matrix environment, or as one pair of brackets around the whole of it."""
    m = _VECTOR.fullmatch(text) or _BRACKETS.fullmatch(text)
    return m if m and brackets_balanced(m.group("body")) else None


def _indexed_from_table(table: Table, index: str, key: str, wanted: list[str],
                        unnamed_column: bool = False) -> dict[str, tuple[str, int]]:
    """Rows of a table headed ``| T | ρ(0.05)^T |``: {"5": ("9.8e-4", line), …}; with ``unnamed_column``
    (the part's own section) the other column of a two-column table too: ``| T | value |``.  The same table
    with T as its columns (``| T | 1 | 5 | … |`` over a row ``| ρ(0.05)^T | 0.2505 | … |``) is read the same way."""
    if len(table.rows) < 2:
        return {}
    lines = [table.line] + [table.line + number + 1 for number in range(1, len(table.rows))]  # no |---| row
    found = _indexed_records(table.rows, lambda record, field: lines[record], index, key, wanted, unnamed_column)
    if found:
        return found
    width = max(len(row) for row in table.rows)
    columns = [[row[k] if k < len(row) else "" for row in table.rows] for k in range(width)]
    return _indexed_records(columns, lambda record, field: lines[field], index, key, wanted, unnamed_column)


def _indexed_records(records: list[list[str]], line_of, index: str, key: str, wanted: list[str],
                     unnamed_column: bool) -> dict[str, tuple[str, int]]:
    """The values of a table's ``records`` (its rows, or its columns when T heads a row), the first record naming
    each field: the index T and the quantity; ``line_of(record, field)`` is a value's line in the document."""
    header = [cell.strip().strip("$").strip() for cell in records[0]]
    index_column = next((k for k, h in enumerate(header) if h.lower() == index.lower()), None)
    value_column = next((k for k, h in enumerate(header) if h and name_key(h) == key), None)
    if value_column is None and unnamed_column and index_column is not None and len(header) == 2:
        value_column = 1 - index_column
    if index_column is None or value_column is None:
        return {}
    found = {}
    for number, record in enumerate(records[1:], 1):
        if max(index_column, value_column) >= len(record):
            continue
        t = record[index_column].strip().strip("$").strip()
        value = _clean_value(record[value_column].strip().strip("$").strip())
        if t in wanted and value:
            found[t] = (value, line_of(number, value_column))
    return found


def _partial_list(values: dict[str, tuple[str, int]], wanted: list[str]) -> list[float | str | None]:
    """Some indices answered, so each answered value still earns its share: floats; None where
    no value was given and the text as written where it could not be read (the checker names both)."""
    from grader.mathread import Unreadable, numeric_value, read_math

    out: list[float | str | None] = []
    for t in wanted:
        if t not in values:
            out.append(None)
            continue
        try:
            number = numeric_value(read_math(values[t][0]).value)
            out.append(float(number) if number is not None else values[t][0])
        except (Unreadable, TypeError, ValueError):
            out.append(values[t][0])
    return out
