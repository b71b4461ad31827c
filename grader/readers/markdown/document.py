"""Parsing a written answer into sections (one per heading or label), each made of blocks (paragraphs, list items,
display maths, table cells) of text and maths segments with their line numbers; tables, block quotes, struck-out
text and code blocks of console output are told apart here.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.texmath import texmath_plugin

from .labels import (ANSWER_WORD_ABROAD, ANSWER_WORD_BEFORE_COLON, HEADING_LABEL, LABEL_WORDS, LABEL_WORD_PATTERN,
                     _SUB_HEADING, covers, heading_key, normalise_label)


SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Segment:
    kind: str  # "text" or "math"
    text: str
    display: bool = False


@dataclass
class Block:
    line: int
    segments: list[Segment]
    statements: list | None = field(default=None, repr=False)  # filled once, by block_statements
    unclosed_dollar: bool = False  # a "$" opens maths that its paragraph never closes
    section: int = -1  # the number of the section that holds it, set once the document is parsed
    quoted: bool = False  # inside a block quote ("> Which curve decays faster?"): the question, pasted
    answer_callout: bool = False  # inside a block quote labelled as the answer ("> **Answer:** …"): a final line
    # (key, label as written) of a part whose bold label is its sentence's subject: "**Q2.2** is all of ℝ, …"
    subject_of: tuple[str, str] | None = None
    # The block without its remarks in brackets, once computed (see :func:`_without_remarks`)
    without_remarks: "Block | None" = field(default=None, repr=False, compare=False)

    def prose(self) -> str:
        """The block as one line of text, maths kept in ``$…$``."""
        text = "".join(s.text if s.kind == "text" else f" ${s.text.strip()}$ " for s in self.segments)
        return re.sub(r"[ \t]+", " ", text).strip()


@dataclass
class Section:
    key: str | None  # normalised part label of the heading ("q2.3b"); "" = the whole document
    heading: str
    line: int
    level: int
    blocks: list[Block] = field(default_factory=list)
    tables: list["Table"] = field(default_factory=list)
    # Opened by a label at the start of a paragraph ("**Q2.2:** …", "Q2.2: …") with the answer after it:
    # that first block is the answer, the paragraphs after it are remarks.
    answer_after_label: bool = False
    plain_label: bool = False  # opened by a label and a colon, not in bold and not a heading: "Q2.2: …"
    problem: str = ""  # why the section's answer cannot be told (a table row without an answer column)
    # Console output pasted in a fenced code block, a block per line: read only when nothing else answers.
    code: list[Block] = field(default_factory=list)
    quoted: str = ""  # what the problem quotes: the row as written
    # The labelled heading section a paragraph's label opened this one inside ("**Q2.1:**" under "## Q2.2").
    within: "Section | None" = field(default=None, repr=False, compare=False)

    def snippet(self) -> str:
        text = " ".join(b.prose() for b in self.blocks)
        return _shorten(text)


@dataclass
class Table:
    """A Markdown table: its first row is the header; cells are the raw Markdown of each cell."""

    line: int
    rows: list[list[str]] = field(default_factory=list)


def _closers(state: StateInline, closing: str) -> list[int]:
    """Where ``closing`` occurs in the paragraph, found once per paragraph."""
    cache = state.__dict__.setdefault("_math_closers", {})
    if closing not in cache:
        cache[closing] = [m.start() for m in re.finditer(re.escape(closing), state.src)]
    return cache[closing]


def _bracket_math(opening: str, closing: str, token_type: str, min_content: int):
    r"""An inline rule for ``\( … \)`` or ``\[ … \]`` inside a paragraph.

    It runs before texmath's own rule, whose pattern scans to the end of the
    paragraph for every opening without a closing: a paragraph of unclosed
    ``\(`` took minutes.  Here the closings are listed once, and an opening
    with none after it is taken as text on the spot."""
    def rule(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith(opening, state.pos):
            return False
        closers = _closers(state, closing)
        k = bisect.bisect_left(closers, state.pos + len(opening) + min_content)
        if k == len(closers):
            if not silent:
                state.pending += opening
            state.pos += len(opening)
            return True
        end = closers[k]
        if not silent:
            token = state.push(token_type, "math", 0)
            token.content = state.src[state.pos + len(opening): end]
            token.markup = opening
        state.pos = end + len(closing)
        return True
    return rule


# A part letter pandoc escaped at the start of a paragraph or table cell, so no list opens there: "\(b\) 0.2505",
# "\(iv\)"; not "\(a\) is the slope" or "\(b = 2\)", maths as it stands
_ESCAPED_PART_LETTER = re.compile(r"\\\((?P<letter>[a-h]|i{1,3}|iv|vi{0,3}|ix|x)\\\)(?=\s+\S|\s*$)"
                                  r"(?!\s*(?:[-=<>≤≥≈∈+*/^_,.;:]|\\[a-z]"
                                  r"|(?:is|are|and|or|be|denotes|where)\b))")


def _unescaped_part_letter(cell: str) -> str:
    """A table cell's Markdown with the part letter opening it unescaped: ``\\(b\\)`` → ``(b)``."""
    m = _ESCAPED_PART_LETTER.match(cell)
    return f"({m['letter']}){cell[m.end():]}" if m else cell


def _escaped_part_letter(state: StateInline, silent: bool) -> bool:
    r"""An inline rule: ``\(b\)`` opening a paragraph, list item or table cell is the part letter "(b)"."""
    if state.pos != 0:
        return False
    m = _ESCAPED_PART_LETTER.match(state.src)
    if m is None:
        return False
    if not silent:
        state.pending += f"({m['letter']})"
    state.pos = m.end()
    return True


# LaTeX's display environments, which Jupyter and many renderers show written without $$ around them.
_DISPLAY_ENVIRONMENT = re.compile(r"\\begin\s*\{\s*((?:align|equation|gather|multline|eqnarray|alignat|flalign)\*?)"
                                  r"\s*\}")


def _environment_lines(state: StateBlock, name: str) -> tuple[list[int], list[int]]:
    """The lines holding ``\\end{name}`` and the blank lines of the document, listed once per parse: a
    paragraph of many unclosed ``\\begin{align}`` lines stays linear."""
    cache = state.env.setdefault("_environment_lines", {})
    if "blank" not in cache:
        lines = [state.src[state.bMarks[k]:state.eMarks[k]] for k in range(len(state.bMarks) - 1)]
        cache["lines"] = lines
        cache["blank"] = [k for k, text in enumerate(lines) if not text.strip()]
    if name not in cache:
        end = re.compile(r"\\end\s*\{\s*" + re.escape(name) + r"\s*\}")
        cache[name] = [k for k, text in enumerate(cache["lines"]) if "end" in text and end.search(text)]
    return cache[name], cache["blank"]


def _environment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``\\begin{align*}`` … ``\\end{align*}`` on lines of their own, without ``$$``: display maths, so
    Markdown does not eat its ``\\\\`` (also ``equation``, ``gather``, … and their starred forms).  It may
    interrupt a paragraph ("(b)" on the line above); a blank line before its ``\\end`` leaves it text."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # indented code
    start = state.bMarks[start_line] + state.tShift[start_line]
    m = _DISPLAY_ENVIRONMENT.match(state.src, start, state.eMarks[start_line])
    if not m:
        return False
    ends, blanks = _environment_lines(state, m.group(1))
    k = bisect.bisect_left(ends, start_line)
    if k == len(ends) or ends[k] >= end_line:
        return False
    last = ends[k]
    blank = bisect.bisect_left(blanks, start_line)
    if blank < len(blanks) and blanks[blank] < last:
        return False
    if silent:
        return True
    state.line = last + 1
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = state.src[start: state.eMarks[last]]
    token.markup = "\\begin"
    token.map = [start_line, state.line]
    return True


# What ends a set right before a backslash: ℝ, a plain R, a closing bracket, \mathbb{R} (as grader.mathread's set
# difference).
_SET_BEFORE_BACKSLASH = re.compile(r"(?:ℝ|(?<![\w\\])R|[)\]]|\\mathbb\s*\{?\s*R\s*\}?|\\R)\s*$")
_KEPT_WITHIN = {"em_open", "em_close", "strong_open", "strong_close"}  # "**ℝ**\{0}" is still ℝ\{0}


def _keep_set_difference(state: StateCore) -> None:
    """``ℝ\\{0}`` in plain text is ℝ∖{0}, but Markdown's escape leaves ``ℝ{0}``: the backslash of a ``\\{``
    right after a set stays, and so does that of the ``\\}`` closing it, so ``ℝ\\{0\\}`` stays what it is in
    LaTeX (ℝ{0}).  Runs before the text tokens are joined, while escapes are still tokens of their own."""
    for token in state.tokens:
        tail, restored = "", False  # the end of the text so far; a "\{" given back its backslash is open
        for child in token.children or ():
            if child.type == "text_special" and child.info == "escape" and child.markup in ("\\{", "\\}"):
                if child.markup == "\\{" and _SET_BEFORE_BACKSLASH.search(tail):
                    child.content, restored = child.markup, True
                elif child.markup == "\\}" and restored:
                    child.content, restored = child.markup, False
            if child.type in ("text", "text_special"):
                tail = (tail + child.content)[-20:]
            elif child.type not in _KEPT_WITHIN:
                tail = ""


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # ~~a draft~~ is struck out
    # A closing $ followed by a digit is money ("$5 and $6"), not maths.
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")  # its block rules: \[ … \] on lines of their own
    # "[^1]: …" defines a footnote, a remark on the text, never an answer (parse_sections leaves them out);
    # "^[…]" stays text, as in plain-text maths.
    md.use(footnote_plugin, inline=False)
    # Inside a paragraph: \( … \) as texmath reads it (one character at least), and
    # \[ … \] too (texmath only knows it on its own lines).
    md.block.ruler.before("paragraph", "math_environment", _environment_block, {"alt": ["paragraph"]})
    md.inline.ruler.before("math_inline", "math_inline_paren", _bracket_math("\\(", "\\)", "math_inline", 1))
    md.inline.ruler.before("math_inline_paren", "escaped_part_letter", _escaped_part_letter)
    md.inline.ruler.before("escape", "math_inline_bracket_display",
                           _bracket_math("\\[", "\\]", "math_inline_double", 0))
    md.core.ruler.before("text_join", "keep_set_difference", _keep_set_difference)
    return md


_MD = _parser()
_MATH_TOKENS = {"math_inline", "math_inline_double", "math_block", "math_block_eqno", "math_single",
                "math_inline_eqno"}


# HTML tags that only wrap Markdown: Notion's callouts (<aside>), folded sections (<details>, <summary>), <div>
_WRAPPER_TAG = re.compile(r"</?(?:aside|details|summary|div|section|center)(?![\w-])[^>]*>", re.I)
# The icon Notion writes at the start of a callout ("💡 **Answer:** …"): an emoji and its modifiers
_CALLOUT_ICON = re.compile(r"^\s*(?:[\u2190-\u2BFF\U0001F000-\U0001FAFF]"
                           r"[\uFE0E\uFE0F\u200D\U0001F3FB-\U0001F3FF]*)+\s*")


def _unwrapped(text: str) -> str:
    """The document with the HTML tags that wrap Markdown left out (each line kept, so line numbers stay), and
    the icon opening a Notion callout: CommonMark reads ``<aside>`` to the next blank line as HTML, so the
    answer in ``<aside>\n💡 **Answer:** $0.2505$\n\n</aside>`` was never read."""
    if not _WRAPPER_TAG.search(text):
        return text
    lines = text.split("\n")
    for tok in _MD.parse(text):
        if tok.type != "html_block" or not tok.map or not _WRAPPER_TAG.match(tok.content.lstrip()):
            continue
        icon = False  # the first words after an <aside> may open with its icon
        for k in range(*tok.map):
            icon = icon or bool(re.search(r"<aside(?![\w-])", lines[k], re.I))
            lines[k] = _WRAPPER_TAG.sub("", lines[k])
            if icon and lines[k].strip():
                lines[k], icon = _CALLOUT_ICON.sub("", lines[k], count=1), False
    return "\n".join(lines)


# Quarto's and pandoc's equation label after display maths: "$$ {#eq-sigma}"
_EQUATION_LABEL = re.compile(r"(\$\$)[ \t]*\{#[^}\s]*\}[ \t]*$", re.M)
# A line opening or closing a pandoc fenced div (a Quarto callout): "::: {.callout-note}", ":::"
_DIV_FENCE = re.compile(r"[ \t]{0,3}:{3,}[ \t]*(?P<attributes>\{[^}\n]*\}|[\w-]+)?[ \t]*:*[ \t]*")
_CODE_FENCE = re.compile(r"[ \t]{0,3}(?P<fence>`{3,}|~{3,})")


def _without_equation_labels(text: str) -> str:
    """The document without the labels after display maths (``$$ {#eq-sigma}``), which left the maths unclosed."""
    return _EQUATION_LABEL.sub(r"\1", text) if "{#" in text else text


def _without_div_fences(text: str) -> tuple[str, set[int]]:
    """The document with pandoc's fenced-div lines (``::: {.callout-note}``, ``:::``) left blank, so they are no
    text of the answer, and the numbers (from 0) of the lines inside a div: a heading there (``## Answers`` in a
    callout) titles the callout, it does not end the part's section around it.  Code blocks are left as they are."""
    if ":::" not in text:
        return text, set()
    lines = text.split("\n")
    inside: set[int] = set()
    depth, fence = 0, ""
    for k, line in enumerate(lines):
        code = _CODE_FENCE.match(line)
        if fence:
            fence = "" if code and code["fence"][0] == fence[0] and len(code["fence"]) >= len(fence) else fence
        elif code:
            fence = code["fence"]
        elif (div := _DIV_FENCE.fullmatch(line)) is not None:
            depth = depth + 1 if div["attributes"] else max(depth - 1, 0)
            lines[k] = ""
        elif depth:
            inside.add(k)
    return "\n".join(lines), inside


# LaTeX's structure pasted into Markdown (from Overleaf): "\subsection*{Q2.3}", "\begin{enumerate}", "\item …"
_LATEX_SECTION = re.compile(r"[ \t]*\\(?P<depth>(?:sub){0,2})section\*?[ \t]*\{(?P<title>[^{}\n]*)\}[ \t]*")
_LATEX_LIST = re.compile(r"[ \t]*\\(?P<edge>begin|end)[ \t]*\{(?P<kind>enumerate|itemize)\}(?:\[[^\]\n]*\])?[ \t]*")
_LATEX_ITEM = re.compile(r"[ \t]*\\item(?:\[(?P<mark>[^\]\n]*)\])?(?![a-zA-Z])[ \t]*")


def _latex_structure_as_markdown(text: str) -> str:
    r"""The document with LaTeX's sections and lists written as Markdown's, line for line: ``\subsection*{Q2.3}``
    heads the part, and each ``\item`` of an ``enumerate`` is a numbered item (so four under ``## Q2.3`` are
    (a)–(d)), of an ``itemize`` a bullet; ``\item[(d)]`` keeps its label.  Code blocks are left as they are."""
    if "\\section" not in text and "\\subsection" not in text and "\\item" not in text:
        return text
    lines = text.split("\n")
    lists: list[list] = []  # the LaTeX lists open, innermost last: [kind, items so far]
    fence = ""
    for k, line in enumerate(lines):
        code = _CODE_FENCE.match(line)
        if fence:
            fence = "" if code and code["fence"][0] == fence[0] and len(code["fence"]) >= len(fence) else fence
            continue
        if code:
            fence = code["fence"]
        elif (section := _LATEX_SECTION.fullmatch(line)) is not None:
            lines[k] = "#" * (1 + len(section["depth"]) // 3) + " " + section["title"]
        elif (edge := _LATEX_LIST.fullmatch(line)) is not None:
            if edge["edge"] == "begin":
                lists.append([edge["kind"], 0])
            elif lists:
                lists.pop()
            lines[k] = ""
        elif lists and (item := _LATEX_ITEM.match(line)) is not None:
            lists[-1][1] += 1
            kind, number = lists[-1]
            marker = f"{number}." if kind == "enumerate" else "-"
            label = f"{item['mark']} " if item["mark"] else ""
            lines[k] = "   " * (len(lists) - 1) + f"{marker} {label}{line[item.end():]}"
        elif lists and line.strip():
            lines[k] = "   " * len(lists) + line.strip()  # the item's next line stays in it
    return "\n".join(lines)


# Pandoc's simple and multiline tables: a line of dashes under each column ("  --------- ------"), and for a
# multiline table a line of dashes across the table above and below it
_COLUMN_DASHES = re.compile(r"[ \t]{0,3}-+(?:[ \t]+-+)+[ \t]*")
_TABLE_BORDER = re.compile(r"[ \t]{0,3}-{3,}[ \t]*")


def _pandoc_tables_as_pipes(text: str) -> str:
    """The document with pandoc's simple and multiline tables written as pipe tables, which are read as tables.
    The columns are where the dashes under the header are; a multiline table's row (its lines up to a blank
    one) is one row of the pipe table, and the lines it saves are left blank after the table, so the lines after
    it keep their numbers.  Code blocks are left as they are."""
    if "--" not in text:
        return text
    lines = text.split("\n")
    fence, k = "", 0
    while k < len(lines):
        code = _CODE_FENCE.match(lines[k])
        if fence or code:
            if fence and code and code["fence"][0] == fence[0] and len(code["fence"]) >= len(fence):
                fence = ""
            elif not fence:
                fence = code["fence"]
            k += 1
            continue
        k = _pipe_table_at(lines, k)
    return "\n".join(lines)


def _pipe_table_at(lines: list[str], k: int) -> int:
    """Rewrite the pandoc table starting at ``lines[k]``, if one does, as a pipe table; the next line to look at."""
    if k > 0 and lines[k - 1].strip():
        return k + 1  # a table follows a blank line
    multiline = bool(_TABLE_BORDER.fullmatch(lines[k]))
    header = k + 1 if multiline else k
    dashes = next((j for j in range(header + 1, min(header + 4, len(lines))) if not lines[j].strip()
                   or _COLUMN_DASHES.fullmatch(lines[j])), None)
    if dashes is None or not lines[dashes].strip() or dashes + 1 >= len(lines) or not lines[dashes + 1].strip() \
            or any(not lines[j].strip() for j in range(header, dashes)):
        return k + 1
    starts = [m.start() for m in re.finditer(r"-+", lines[dashes])]
    end = dashes + 1
    rows: list[list[str]] = [[]]  # each row's lines: one in a simple table, up to a blank line in a multiline one
    while end < len(lines) and not (multiline and _TABLE_BORDER.fullmatch(lines[end])):
        if not lines[end].strip():
            if not multiline or end + 1 >= len(lines) or not lines[end + 1].strip():
                break  # a blank line ends a simple table; two end a multiline one, which is then no table
            rows.append([])
        elif multiline or not rows[-1]:
            rows[-1].append(lines[end])
        else:
            rows.append([lines[end]])
        end += 1
    if multiline and (end >= len(lines) or not _TABLE_BORDER.fullmatch(lines[end])):
        return k + 1
    last = end if multiline else end - 1  # the table's last line
    table = ([""] if multiline else []) + [_pipe_row(lines[header:dashes], starts),
                                           "|" + "---|" * len(starts)] + [_pipe_row(row, starts) for row in rows]
    lines[k:last + 1] = table + [""] * (last + 1 - k - len(table))
    return last + 1


def _pipe_row(row_lines: list[str], starts: list[int]) -> str:
    """One row of a pipe table from the lines of a pandoc table's row, cut into cells where the columns start."""
    bounds = [*starts[1:], None]
    cells = [" ".join(line[start:stop].strip() for line in row_lines if line[start:stop].strip())
             for start, stop in zip(starts, bounds)]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def parse_sections(text: str, labels: Iterable[str] = ()) -> list[Section]:
    """Split a document into sections by heading; unlabelled sub-headings stay in their parent.

    A paragraph that starts with one of ``labels`` in bold (``**Q2.4**``, ``**(d)** approx``) heads a
    section too, nested under the heading above it; the rest of the paragraph is the section's first block.
    So does a table row whose first cell is a label (``| Q2.1a | $\\frac14$ |``): its answer cell is the
    section's one block, and what follows the table stays in the section around it; and so does each column of a
    table with the parts as its columns (``| part | (a) | (b) |``, see :func:`_column_sections`)."""
    # What exporters write that CommonMark does not read as they mean it, rewritten line for line
    text = _without_equation_labels(_latex_structure_as_markdown(_pandoc_tables_as_pipes(text)))
    text, in_divs = _without_div_fences(text)
    tokens = _MD.parse(_unwrapped(text))
    _read_callout_titles(tokens)
    labels = tuple(labels)
    sections = [Section(key=None, heading="", line=1, level=0)]
    stack: list[Section] = []  # labelled headings that are open, outermost first
    heading_level = 0  # of the last real heading: a bold label nests under it
    last_line = 1
    body = sections[0]  # the section that takes the blocks read next (a table row's section never does)

    def open_section(key: str | None, title: str, level: int, answer_after_label: bool = False,
                     plain_label: bool = False) -> None:
        nonlocal body
        while stack and stack[-1].level >= level:
            stack.pop()
        section = Section(key=key, heading=title, line=last_line, level=level, answer_after_label=answer_after_label,
                          plain_label=plain_label, within=stack[-1] if stack else None)
        sections.append(section)
        body = section
        if key is not None:
            stack.append(section)
    table: Table | None = None
    row_blocks: list[Block | None] = []  # the blocks of the table row being read, one per cell
    table_cells: list[list[Block | None]] = []  # the blocks of each row of the table being read
    keyed_rows = False  # a row of the table being read opened a part's section (its first cell is a label)
    # Open list items, innermost last: (the section and labelled headings before the item, did a label open one)
    items: list[tuple[Section, list[Section], bool]] = []
    item_first = False  # the next inline is the first paragraph of a list item
    numbered: list[str] = []  # the sub-parts the items of a numbered list being read answer, in order
    pasted: list[bool] = []  # the block quotes open around the token: is each pasted (not an answer callout)?
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "footnote_block_open":  # the footnotes, gathered at the end: no part's answer
            while tokens[i].type != "footnote_block_close":
                i += 1
            i += 1
            continue
        if tok.map:
            last_line = tok.map[0] + 1
        if tok.type == "blockquote_open":
            pasted.append(not _answer_callout(tokens, i))
        elif tok.type == "blockquote_close" and pasted:
            pasted.pop()
        quoted, callout = any(pasted), bool(pasted) and not any(pasted)
        if tok.type == "ordered_list_open" and not items and labels and stack and body is stack[-1]:
            numbered = _numbered_sub_parts(tokens, i, stack[-1].key, labels)
        if tok.type == "list_item_open":
            items.append((body, list(stack), False))
            item_first = True
            if numbered and len(items) == 1:  # "2. $0.2505$" under "## Q2.3": the item is (b)'s section
                key = numbered.pop(0)
                open_section(key, f"({key[-1]})", heading_level + 2, answer_after_label=True)
                items[-1] = (*items[-1][:2], True)
                item_first = False
        elif tok.type == "list_item_close" and items:
            before, open_labels, labelled_item = items.pop()
            if labelled_item:  # "1. **Q2.2:** …": the label's section ends with its item
                body, stack[:] = before, open_labels
        elif tok.type in _MATH_TOKENS or tok.type in ("fence", "code_block"):
            item_first = False
        if tok.type == "table_open":
            table = Table(last_line)
            body.tables.append(table)
            table_cells, keyed_rows = [], False
        elif tok.type == "table_close":
            if table is not None and labels and not keyed_rows:  # "| part | (a) | (b) |": the parts as columns
                sections.extend(_column_sections(table, table_cells, body, stack, heading_level, labels))
            table = None
        elif tok.type == "tr_open" and table is not None:
            table.rows.append([])
            row_blocks = []
        elif tok.type == "tr_close" and table is not None and labels:
            table_cells.append(row_blocks)
            row = _row_section(table, row_blocks, body, stack, heading_level, labels)
            if row is not None:
                sections.append(row)
                keyed_rows = True
        elif tok.type == "inline" and table is not None and table.rows:
            struck = any(c.type in ("s_open", "html_inline") for c in tok.children or ())  # not "~~" in maths
            cell = _without_struck_source(tok.content) if struck else tok.content
            table.rows[-1].append(_GITHUB_MATH.sub(r"$\g<maths>$", _unescaped_part_letter(cell)))
        if tok.type == "heading_open":
            level = heading_level = int(tok.tag[1:])
            title = tokens[i + 1].content.strip()
            if stack and tok.map and tok.map[0] in in_divs and heading_key(title, stack[-1].key) is None:
                level = heading_level = max(level, stack[-1].level + 1)  # a callout's "## Answers" is inside it
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1].key if stack else None
            key = heading_key(title, parent)
            if key is None and parent is not None:
                key = parent  # "### Derivation" under "## Q2.1" is still Q2.1
            open_section(key, title, level)
            i += 3
            continue
        children = tok.children or []
        if tok.type == "inline":
            if item_first:
                children = _without_ticked_box(children)
            if item_first and labels and table is None and (label := _item_label(children, stack, heading_level,
                                                                                   labels)) is not None:
                key, title, level, children, plain = label
                answered = any(s.kind == "math" or s.text.strip() for s in _segments(children))
                open_section(key, title, level, answer_after_label=answered, plain_label=plain)
                items[-1] = (*items[-1][:2], True)
            item_first = False
            labelled = bool(labels) and table is None and tok.level == 1
            unclosed = _unclosed_dollar(tok.content, _segments(children))
            paragraph_line = last_line
            # "Q2.3a: …" / "Q2.3d: approx" on consecutive lines of one paragraph: each label line opens its part
            pieces = _label_lines(children, stack, heading_level, labels) if labelled else [(0, children)]
            for offset, piece in [line for offset, piece in pieces for line in _part_letter_lines(offset, piece)]:
                last_line = paragraph_line + offset
                if labelled:
                    label = _bold_label(piece, stack, heading_level, labels)
                    plain = label is None
                    if plain:
                        label = _plain_label(piece, stack, heading_level, labels)
                    if label is not None:
                        key, title, level, piece = label
                        answered = any(s.kind == "math" or s.text.strip() for s in _segments(piece))
                        open_section(key, title, level, answer_after_label=answered, plain_label=plain)
                segments = _segments(piece)
                block = None
                if any(s.kind == "math" or s.text.strip() for s in segments):  # not struck out whole
                    block = Block(last_line, segments, unclosed_dollar=unclosed, quoted=quoted,
                                  answer_callout=callout)
                    if labelled and label is None:
                        block.subject_of = _subject_label(piece, stack, heading_level, labels)
                    body.blocks.append(block)
                if table is not None:
                    row_blocks.append(block)
        elif tok.type in _MATH_TOKENS:
            body.blocks.append(Block(last_line, [Segment("math", tok.content, display=True)], quoted=quoted,
                                     answer_callout=callout))
        elif tok.type in ("fence", "code_block") and tok.info.strip().lower() in ("math", "latex", "tex"):
            body.blocks.append(Block(last_line, [Segment("math", tok.content, display=True)], quoted=quoted,
                                     answer_callout=callout))
        elif tok.type in ("fence", "code_block"):
            body.code.extend(_console_lines(tok, quoted))
        i += 1
    kept = [s for s in sections if s.blocks or s.key is not None]
    for number, section in enumerate(kept):
        for block in [*section.blocks, *section.code]:
            block.section = number
    return kept


# A block quote that opens by labelling itself the answer is the student's, not the question pasted: "> **Answer:**
# …", "> Final answer: …", "> **Solution**: …", "> **Antwort:** …"
_ANSWER_CALLOUT = re.compile(rf"\s*[*_]{{0,2}}\s*(?:(?:(?:final|my)\s+)?(?:answer|solution)|{ANSWER_WORD_BEFORE_COLON})"
                             r"\s*(?:[:：]|[*_]{1,2}\s*[:：])", re.I)


def _answer_callout(tokens: list, start: int) -> bool:
    """Does the block quote opening at ``tokens[start]`` open with a paragraph labelled as the answer?"""
    first = tokens[start + 2] if start + 2 < len(tokens) else None  # blockquote_open, paragraph_open, inline
    return tokens[start + 1].type == "paragraph_open" and first is not None and first.type == "inline" \
        and (bool(_ANSWER_CALLOUT.match(first.content)) or first.meta.get("answer_callout", False))


# An Obsidian callout's first line: "> [!success] Answer", "> [!note]- Working" (folded), its type and title
_CALLOUT_HEAD = re.compile(r"\s*\[!(?P<type>[\w-]+)\][+-]?[ \t]*")
# The callout types that hold a result, as a student boxes the answer; the others ("question", "quote", "note",
# "warning") hold the question pasted or a remark, as a plain block quote does, unless their title says "Answer"
_RESULT_CALLOUTS = {"answer", "answers", "solution", "success", "check", "done", "tip", "important", "abstract",
                    "summary", "tldr", "result"}
# A callout's title that calls it the answer: "Answer", "Final answer", "Solution", "Answers:", "Antwort"
_ANSWER_TITLE = re.compile(rf"[*_]{{0,2}}\s*(?:(?:(?:final|my)\s+)?(?:answers?|solutions?|results?)(?!\w)"
                           rf"|{ANSWER_WORD_ABROAD})\s*[*_]{{0,2}}\s*(?P<colon>[:：]\s*[*_]{{0,2}})?\s*", re.I)


def _read_callout_titles(tokens: list) -> None:
    """Obsidian's callouts (``> [!success] Answer``, ``> [!tip]``) read as block quotes: the ``[!type]`` mark
    leaves the text, and a callout whose type or title says it holds the result is an answer callout, as
    ``> **Answer:** …`` is: its title reads "Answer:", so the value after it is the final answer."""
    for k, tok in enumerate(tokens[:-2]):
        if tok.type != "blockquote_open" or tokens[k + 1].type != "paragraph_open":
            continue
        inline = tokens[k + 2]
        first = inline.children[0] if inline.type == "inline" and inline.children else None
        head = _CALLOUT_HEAD.match(first.content) if first is not None and first.type == "text" else None
        if head is None:
            continue
        title = first.content[head.end():]
        worded = _ANSWER_TITLE.match(title)
        if worded is not None and (worded["colon"] or worded.end() == len(title)):  # not "Solution of the ODE"
            title = "Answer: " + title[worded.end():]  # "Final answer", "Solution" name the answer as "Answer:" does
        elif head["type"].lower() in _RESULT_CALLOUTS:
            inline.meta["answer_callout"] = True
            if not title.strip() and len(inline.children) > 1:
                title = "Answer:"  # "> [!tip]" alone on its line: the lines below are the answer
        if inline.content.startswith(first.content):
            inline.content = title + inline.content[len(first.content):]
        first.content = title


# The info strings of a fenced block of output or plain text; a block named for a language holds a program.
_CONSOLE_INFO = {"", "text", "txt", "plain", "plaintext", "console", "output", "out", "none", "stdout", "result"}
# A line of a program, not of its output: Python's keywords, a prompt, a call of a module's function
_PROGRAM_LINE = re.compile(r"^\s*(?:(?:def|class|import|from|return|for|while|if|elif|else|print|with|lambda)\b|>>>|"
                           r"In\s*\[\d*\]:)|\b(?:np|math|sp|sympy|numpy|plt|torch)\.[A-Za-z_]")


def _console_lines(tok, quoted: bool) -> list[Block]:
    """The lines of a fenced (or indented) code block of console output, each a block of plain text, or none for
    a block named for a language (```` ```python ````) or holding a line of a program: a program's assignments
    are no answer."""
    if tok.info.strip().lower() not in _CONSOLE_INFO or not tok.map:
        return []
    lines = tok.content.split("\n")
    if any(_PROGRAM_LINE.search(line) for line in lines):
        return []
    first = tok.map[0] + (2 if tok.type == "fence" else 1)  # the opening ``` is a line of its own
    return [Block(first + k, [Segment("text", line.strip())], quoted=quoted)
            for k, line in enumerate(lines) if line.strip()]


# An item that opens with a label of its own ("1. (a) …", "1. **Q2.3a:** …") is not numbered as a sub-part
_ITEM_LABELLED = re.compile(rf"\s*[*_]*\s*(?:\(?[a-z]\)|[a-z][.:]\s|(?:q|{LABEL_WORD_PATTERN})\s*\d)", re.I)


def _numbered_sub_parts(tokens: list, start: int, key: str | None, labels: tuple[str, ...]) -> list[str]:
    """The keys of the sub-parts that the items of the numbered list opening at ``tokens[start]`` answer, in
    order: ``1.``–``4.`` under ``## Q2.3`` are (a)–(d).  Only when the list starts at 1, has one item per
    sub-part of the section's question, three sub-parts at least (two numbered steps are a derivation as
    often), and no item opens with a label of its own; else [].  Looks only at the list's own tokens."""
    if not key or tokens[start].attrs.get("start", 1) != 1:
        return []
    subs = sorted(normalise_label(label) for label in labels if covers(key, label))
    letters = [sub[-1] for sub in subs]
    if len(subs) < 3 or letters != [chr(ord("a") + k) for k in range(len(subs))]:
        return []
    level, count, k = tokens[start].level, 0, start + 1
    while k < len(tokens) and not (tokens[k].type == "ordered_list_close" and tokens[k].level == level):
        if tokens[k].type == "list_item_open" and tokens[k].level == level + 1:
            count += 1
            first = tokens[k + 2] if k + 2 < len(tokens) else None  # list_item_open, paragraph_open, inline
            if first is not None and first.type == "inline" and _ITEM_LABELLED.match(first.content):
                return []
        k += 1
    return [key + letter for letter in letters] if count == len(subs) else []


# The header of a table's answer column: "Answer", "My answer", "Value", "Final result", "Antwort" …
_ANSWER_COLUMN = re.compile(rf"\b(?:answers?|values?|results?|solutions?|final)\b|{ANSWER_WORD_ABROAD}", re.I)
# … unless it says the column holds someone else's value or a remark: "Expected answer", "Handout value"
_REMARK_COLUMN = re.compile(r"\b(?:expected|reference|handout|friends?|check(?:s|ed)?|sanity|official|textbook|book|"
                            r"key|target|given|notes?|comments?|remarks?|draft|previous|old|wrong)\b", re.I)


def _answer_column(header: list[str], width: int) -> int | None:
    """The column of a label-keyed table that holds the answers: the one headed "Answer" (also "My answer",
    "Value", "Result", "Final"); in a two-column table (label | value) the second.  None when three columns or
    more have no such header, or several: a remark column ("Notes", "Sanity check") is never guessed at."""
    if width == 2:
        return 1
    named = [k for k, cell in enumerate(header[:width]) if k > 0 and _ANSWER_COLUMN.search(cell)
             and not _REMARK_COLUMN.search(cell)]
    if len(named) > 1:  # "| Part | Value | Final value |": the one said to be final, or the student's own
        named = [k for k in named if re.search(r"\b(?:final|my|our)\b", header[k], re.I)]
    return named[0] if len(named) == 1 else None


def _row_section(table: Table, cells: list[Block | None], body: Section, stack: list[Section], heading_level: int,
                 labels: tuple[str, ...]) -> Section | None:
    """The section of a table row whose first cell labels a part (``| Q2.1a | $\\frac14$ |``, ``| (d) | approx |``
    under ``## Q2.3``), holding the row's answer cell; the row's cells all leave ``body``.  None for any other row.

    The answer cell is the one under an "Answer" (or "My answer", "Value", "Result") header, or the second
    of two; with three cells or more and no such header the section holds no block and says why (its
    ``problem``).  A bare number (``| 2.2 | 0.5 |``) is a row of values, not a label: the label needs a
    letter (``Q2.2``, ``(d)``)."""
    row = table.rows[-1]
    if len(row) < 2 or len(cells) != len(row) or (len(table.rows) == 1 and _labels_only(row, stack, heading_level,
                                                                                       labels)):
        return None  # "| (a) | (b) |" heads the parts as columns (_column_sections)
    title = re.sub(r"[*_`]", "", row[0]).strip().rstrip(":.").strip()
    if not re.search(r"[A-Za-z]", title) or len(title) > 40:
        return None
    found = _label_section(title, [], stack, heading_level, labels)
    if found is None:
        return None
    key, title, level, _ = found
    header = [re.sub(r"[*_`]", "", cell).strip() for cell in table.rows[0]] if len(table.rows) > 1 else []
    column = _answer_column(header, len(cells))
    # The row's cells are the row's, not the surrounding section's: each is one of the section's last blocks
    # (found by identity, so a long table stays linear).  A remark cell left there could answer by name.
    ids = {id(cell) for cell in cells if cell is not None}
    while ids and body.blocks and id(body.blocks[-1]) in ids:
        ids.discard(id(body.blocks.pop()))
    line = table.line + len(table.rows) - (1 if len(table.rows) == 1 else 0)  # the |---| line is not a row
    within = stack[-1] if stack else None
    if column is None:
        headers = ", ".join(f"'{h}'" for h in header[1:len(cells)])
        shown = f"its headers are {headers}" if header else "it has no header"
        problem = (f"The table row for {title} (line {line}) has {len(cells)} columns and no single one is headed as "
                   f"the answer ({shown}), so which cell is the answer is not clear. Head the answer column "
                   f"'Answer', or write the row as | {title} | value |.")
        quoted = _shorten(" | ".join(row))
        return Section(key=key, heading=title, line=line, level=level, answer_after_label=True, within=within,
                       problem=f"{problem} The row reads: “{quoted}”", quoted=quoted)
    answer = cells[column]
    # "| Q2.1 | $\\dot\\sigma_{approx}$ | $\\frac14$ |": a cell before the answer may name its quantity
    named_row = [Table(line, [[row[column - 1], row[column]]])] if column > 1 else []
    return Section(key=key, heading=title, line=line, level=level, blocks=[answer] if answer is not None else [],
                   tables=named_row, answer_after_label=True, within=within)


def _column_sections(table: Table, cells: list[list[Block | None]], body: Section, stack: list[Section],
                     heading_level: int, labels: tuple[str, ...]) -> list[Section]:
    """The sections of a table with the parts as its columns, a header row of labels after its first cell and a row
    of answers (``| part | (a) | (b) |`` then ``| answer | $\\frac14$ | 0.2505 |`` under ``## Q2.3``): each column's
    answer cell is its part's section's one block, and the table's cells all leave ``body``.  [] for any other table.
    A header of labels only (``| (a) | (b) |``) makes every column a part's, over one row of answers.

    With several rows of values, the answer row is the one whose first cell says so ("Answer", "Value", "Result",
    as :data:`_ANSWER_COLUMN`); with no single one, each part's section holds no block and says why."""
    if len(table.rows) < 2 or len(cells) != len(table.rows) or any(len(r) != len(c) for r, c in zip(table.rows, cells)):
        return []
    header = [re.sub(r"[*_`]", "", cell).strip().rstrip(":.").strip() for cell in table.rows[0]]
    first = 0 if _labels_only(table.rows[0], stack, heading_level, labels) else 1  # the first part's column
    if first and (len(header) < 3 or _is_label(header[0])):
        return []  # a label and two parts at least; rows keyed by their label are read by _row_section
    found = [_label_section(title, [], stack, heading_level, labels)
             if re.search(r"[A-Za-z]", title) and len(title) <= 40 else None for title in header[first:]]
    if not all(found):
        return []
    # The cells are the columns' sections', as in _row_section, and so is the table: its rows are no statements of
    # the section around it ("| answer | $\\frac14$ | … | approx |" is no row naming the choice).
    ids = {id(cell) for row in cells for cell in row if cell is not None}
    while ids and body.blocks and id(body.blocks[-1]) in ids:
        ids.discard(id(body.blocks.pop()))
    if body.tables and body.tables[-1] is table:
        body.tables.pop()
    values = list(range(1, len(table.rows)))
    if len(values) > 1 and first:
        values = [k for k in values if _ANSWER_COLUMN.search(table.rows[k][0])
                  and not _REMARK_COLUMN.search(table.rows[k][0])]
    within = stack[-1] if stack else None
    out = []
    for column, (key, title, level, _) in enumerate(found, first):
        if len(values) == 1:
            line = table.line + values[0] + 1  # the |---| line is not a row
            answer = cells[values[0]][column]
            out.append(Section(key=key, heading=title, line=line, level=level, answer_after_label=True, within=within,
                               blocks=[answer] if answer is not None else []))
            continue
        out.append(_unclear_answer_row(table, column, title, key, level, within, headed=bool(first)))
    return out


def _labels_only(header: list[str], stack: list[Section], heading_level: int, labels: tuple[str, ...]) -> bool:
    """Is a table's header row two parts' labels or more and nothing else (``| (a) | (b) |``)?"""
    titles = [re.sub(r"[*_`]", "", cell).strip().rstrip(":.").strip() for cell in header]
    return len(titles) >= 2 and all(_is_label(t) and _label_section(t, [], stack, heading_level, labels) is not None
                                    for t in titles)


def _unclear_answer_row(table: Table, column: int, title: str, key: str, level: int, within: Section | None,
                        headed: bool) -> Section:
    """The section of a part whose column has several rows of values and no single one headed as the answer."""
    rows = len(table.rows) - 1
    if headed:
        quoted = _shorten(" | ".join(f"{row[0].strip()}: {row[column].strip()}" for row in table.rows[1:]))
        problem = (f"The table on line {table.line} has the parts as columns and {rows} rows of values, none of them "
                   f"alone headed as the answer in its first cell, so which row is the answer for {title} is not "
                   f"clear. Head the answer row 'Answer', or keep one row of values.")
    else:
        quoted = _shorten(" | ".join(row[column].strip() for row in table.rows[1:]))
        problem = (f"The table on line {table.line} has the parts as columns and {rows} rows of values, with no first "
                   f"column to head the answer row, so which row is the answer for {title} is not clear. Keep one "
                   f"row of values, or add a first column and head the answer row 'Answer'.")
    return Section(key=key, heading=title, line=table.line, level=level, answer_after_label=True,
                   within=within, problem=f"{problem} The column reads: “{quoted}”", quoted=quoted)


# A part letter opening a line: "(b) 0.2505", "(iv) approx"
_PART_LETTER_LINE = re.compile(r"\s*\((?:[a-h]|i{1,3}|iv|vi{0,3}|ix|x)\)\s")


def _part_letter_lines(offset: int, children) -> list[tuple[int, list]]:
    """A paragraph's piece cut before each line that opens with a part letter, when its first line does too:
    ``(b) 0.2505`` and ``(d) approx`` on consecutive lines (as Bear writes them) are two answers.  As
    (lines after the paragraph's first, children)."""
    def opens_with_letter(k: int) -> bool:
        return k < len(children) and children[k].type == "text" and bool(_PART_LETTER_LINE.match(children[k].content))
    first = next((k for k, c in enumerate(children) if c.type != "text" or c.content.strip()), len(children))
    if not opens_with_letter(first):
        return [(offset, children)]
    pieces: list[tuple[int, list]] = [(offset, [])]
    line = offset
    for k, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            if opens_with_letter(k + 1):
                pieces.append((line, []))
                continue
        pieces[-1][1].append(child)
    return pieces


# A ticked box opening a task-list item: "- [x] (d) approx"
_TICKED_BOX = re.compile(r"\s*\[[xX]\]\s+")


def _without_ticked_box(children) -> list:
    """A list item's first paragraph without the ticked box of a task list: ``- [x] (d) approx`` answers (d)."""
    children = list(children)
    k = next((k for k, c in enumerate(children) if c.type != "text" or c.content.strip()), None)
    m = _TICKED_BOX.match(children[k].content) if k is not None and children[k].type == "text" else None
    if m is None:
        return children
    rest = children[k].content[m.end():]
    return children[:k] + ([children[k].copy(content=rest)] if rest else []) + children[k + 1:]


def _label_lines(children, stack: list[Section], heading_level: int,
                 labels: tuple[str, ...]) -> list[tuple[int, list]]:
    """A paragraph's inline children cut before each later line that opens with a part's label, as
    (lines after the paragraph's first, children); one piece when no later line does."""
    pieces: list[tuple[int, list]] = [(0, [])]
    line = 0
    for k, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            following = []
            for after in children[k + 1:]:
                if after.type in ("softbreak", "hardbreak"):
                    break
                following.append(after)
            if following and (_bold_label(following, stack, heading_level, labels)
                              or _plain_label(following, stack, heading_level, labels)):
                pieces.append((line, []))
                continue
        pieces[-1][1].append(child)
    return pieces


# What makes a bold label the subject of its sentence, not a label: a verb or a word joining it to the sentence
# ("**Q2.1** gave ¼, so …", "**Q2.1** shows", "**Q2.1** and **Q2.2** …"), a comma or a possessive ("**Q2.1**'s").
_LABEL_AS_SUBJECT = re.compile(
    r"\s*(?:,|['’]s\b|(?:is|was|are|were|has|had|have|gave|gives|give|giving|shows?|showed|shown|says|said|asks?|"
    r"asked|finds|found|yields?|yielded|gets|got|derived|derives|computed|computes|tells|told|states|stated|proves?|"
    r"proved|proven|means|meant|implies|implied|uses|used|requires|required|needs|needed|suggests|suggested|"
    r"provides|provided|produces|produced|returns|returned|results|resulted|established|establishes|demonstrated|"
    r"demonstrates|confirms|confirmed|concluded|concludes|explains|explained|leads|led|follows|covers|covered|"
    r"did|does|will|would|can|could|should|may|might|must|already|also|above|earlier|itself|and|or)\b)")
# The mark between a bold label and its answer: a colon, full stop or dash ("**Q2.2** — the set is …"),
# not a minus sign before a number ("**Q2.3b** -0.25").
_AFTER_BOLD_LABEL = re.compile(r"^\s*(?:[:.]|[–—]|-(?=\s))?\s*")


def _bold_title(children) -> tuple[str, list] | None:
    """(the text in bold or italics opening a paragraph, what follows it), or None: ``**Q2.4** …``."""
    children = list(children)
    while children and children[0].type == "text" and not children[0].content.strip():
        children.pop(0)  # markdown-it starts an inline run with an empty text
    if len(children) < 3 or children[0].type not in ("strong_open", "em_open"):
        return None
    close = children[0].type.replace("_open", "_close")
    end = next((k for k, c in enumerate(children) if c.type == close), None)
    if end is None or any(c.type != "text" for c in children[1:end]):
        return None
    return "".join(c.content for c in children[1:end]).strip(), list(children[end + 1:])


def _bold_label(children, stack: list[Section], heading_level: int,
                labels: tuple[str, ...]) -> tuple[str, str, int, list] | None:
    """A paragraph opening with a part's label in bold or italics: ``**Q2.4**``, ``**Q2.2:** …``,
    ``**Q2.2** Since …``, ``**(d)** approx`` → (key, title, level, the rest of the paragraph); None for any other
    paragraph.

    The label must name a part of the problem set.  Followed by words, it is the sentence's subject, not a
    label, when a verb or a comma comes right after it ("**Q2.1** gave ¼, so …": see :func:`_subject_label`)."""
    found = _bold_title(children)
    if found is None:
        return None
    title, rest = found
    if rest and rest[0].type == "text":
        after = rest[0].content
        if not title.endswith((":", ".", ")")) and _LABEL_AS_SUBJECT.match(after):
            return None
        stripped = _AFTER_BOLD_LABEL.sub("", after, count=1)
        rest = ([rest[0].copy(content=stripped)] if stripped else []) + rest[1:]
    return _label_section(title.rstrip(":. "), rest, stack, heading_level, labels)


def _subject_label(children, stack: list[Section], heading_level: int,
                   labels: tuple[str, ...]) -> tuple[str, str] | None:
    """(key, label as written) of a part whose bold label opens a paragraph as the subject of its sentence ("**Q2.2** is all of
    ℝ, since …"), outside any other part's section, or None.  Such a paragraph is not the part's answer, but
    a part left without one is "could not read", saying how to label it, rather than not answered."""
    found = _bold_title(children)
    if found is None or not found[1] or found[1][0].type != "text" or not _LABEL_AS_SUBJECT.match(found[1][0].content):
        return None
    label = _label_section(found[0].rstrip(":. "), [], stack, heading_level, labels)
    if label is None or any(s.key and not covers(s.key, label[0]) for s in stack if s.level < label[2]):
        return None  # "**Q2.1** gave ¼, so …" under "## Q2.2": Q2.2's answer citing Q2.1
    return label[0], label[1]


def _item_label(children, stack: list[Section], heading_level: int,
                labels: tuple[str, ...]) -> tuple[str, str, int, list, bool] | None:
    """A list item opening with a part's label → (key, title, level, the rest of its paragraph, not in bold);
    None for any other item.  As a paragraph (``2. **Q2.2:** …``, ``Q2.2: …``), and also a bold label followed
    by its answer (``4. **Q2.4** BPTT multiplies …``), a label alone on the item's first line (``1. Q2.1``),
    or a sub-part's letter in brackets (``- (d) approx`` in Q2.3's item or section).  The label must have a
    letter: ``1. 2.2`` numbers something else."""
    label = _bold_label(children, stack, heading_level, labels)
    if label is not None:
        return (*label, False)
    label = _plain_label(children, stack, heading_level, labels)
    if label is not None:
        return (*label, True)
    children = list(children)
    while children and children[0].type == "text" and not children[0].content.strip():
        children.pop(0)
    if not children:
        return None
    if children[0].type in ("strong_open", "em_open"):  # "**Q2.4** BPTT multiplies …"
        close = children[0].type.replace("_open", "_close")
        end = next((k for k, c in enumerate(children) if c.type == close), None)
        if end is None or any(c.type != "text" for c in children[1:end]):
            return None
        title = "".join(c.content for c in children[1:end]).strip().rstrip(":.").strip()
        found = _label_section(title, children[end + 1:], stack, heading_level, labels) if _is_label(title) else None
        return (*found, False) if found is not None else None
    if children[0].type != "text":
        return None
    first = children[0].content
    m = re.match(r"\s*(\([a-z]\))(?:\s+(?=\S)|\s*$)", first, re.I)  # "(d) approx", "(b) $\\rho(0.05) …$"
    if m is not None and not first[m.end():].strip() and len(children) == 1:
        m = None  # "- (d)" alone: the answer is not in the item
    if m is None:
        line_ends = len(children) == 1 or children[1].type in ("softbreak", "hardbreak")
        m = re.fullmatch(r"\s*([^\n]{1,40}?)[\s:.]*", first) if line_ends else None  # "Q2.1" alone on its line
    if m is None or not _is_label(m.group(1)):
        return None
    rest = ([children[0].copy(content=first[m.end():])] if first[m.end():] else []) + children[1:]
    found = _label_section(m.group(1), rest, stack, heading_level, labels)
    return (*found, True) if found is not None else None


def _is_label(title: str) -> bool:
    """Is ``title`` a part's label and nothing else, with a letter: ``Q2.4``, ``Question 2.2``, ``(d)``?"""
    bare = LABEL_WORDS.sub("", title.strip())
    return bool(re.search(r"[A-Za-z]", title)) and bool(HEADING_LABEL.fullmatch(bare) or _BARE_SUB_LABEL.fullmatch(bare))


# "Q2.2: …", "Question 2.3(d): …", "(b): …": a label and a colon open a paragraph (not "Q2.1 gave ¼: …")
_PLAIN_LABEL = re.compile(r"\s*(?P<title>[^:\n]{1,40}?)\s*:(?![=:])\s*")
_BARE_SUB_LABEL = re.compile(r"\(?[a-z]\)", re.I)


def _plain_label(children, stack: list[Section], heading_level: int,
                 labels: tuple[str, ...]) -> tuple[str, str, int, list] | None:
    """A paragraph opening with a part's label and a colon, not in bold: ``Q2.2: …``, ``Q2.3(d): approx``,
    ``(b): …`` under ``## Q2.3`` → (key, title, level, the rest of the paragraph); None for any other."""
    children = list(children)
    while children and children[0].type == "text" and not children[0].content.strip():
        children.pop(0)
    if not children or children[0].type != "text":
        return None
    m = _PLAIN_LABEL.match(children[0].content)
    title = m.group("title").strip() if m else ""
    bare = LABEL_WORDS.sub("", title)
    if not (HEADING_LABEL.fullmatch(bare) or _BARE_SUB_LABEL.fullmatch(bare)):
        m = _line_label(children)
        if m is None:
            return None  # words before the colon: a sentence ("Note: …"), not a label
        title = m.group("title").strip()
    after = children[0].content[m.end():]
    rest = ([children[0].copy(content=after)] if after else []) + children[1:]
    return _label_section(title, rest, stack, heading_level, labels)


# A question's label without a colon: "Q2.2)", "Q2.2.", "Q2.2 (2 points)", "Question 2.2" (see _line_label)
_LINE_LABEL = re.compile(rf"\s*(?P<title>(?:{LABEL_WORD_PATTERN}\s*)?[A-Za-z]{{0,3}}\s*\d+(?:\.\d+)+"
                         r"(?:(?:\s*|[.\-–])\(?[a-z]\)|[.\-–]?[a-z](?![a-z]))?)(?P<mark>\s*[).](?![\d=]))?"
                         r"(?:\s*\(\s*\d+(?:\.\d+)?\s*(?:points?|pts?\.?|marks?)\s*\))?\s*", re.I)


def _line_label(children) -> re.Match | None:
    """A question's label opening a paragraph's line without a colon, on its own (``Q2.2``, ``Question 2.2``,
    ``Q2.2 (2 points)``) or before the answer after a bracket or full stop (``Q2.2) ε ∈ ℝ``, ``Q2.3a.``): the
    match in the first child's text, or None.  It needs a letter (``2.2.`` numbers something else) and a dotted
    number; a label followed by words without a mark is a sentence ("Q2.1 gave ¼ …")."""
    first = children[0].content
    m = _LINE_LABEL.match(first)
    if m is None or not re.search(r"[A-Za-z]", m.group("title")):
        return None
    line_ends = m.end() == len(first) and (len(children) == 1 or children[1].type in ("softbreak", "hardbreak"))
    closed = m.group("mark") is not None or m.group("title").endswith(")")
    return m if line_ends or (closed and first[m.end():].strip()) else None


def _label_section(title: str, rest: list, stack: list[Section], heading_level: int,
                   labels: tuple[str, ...]) -> tuple[str, str, int, list] | None:
    """The section a label at the start of a paragraph opens, if it names a part of the problem set."""
    sub_letter = _SUB_HEADING.match(title) is not None and HEADING_LABEL.match(title) is None
    level = heading_level + (2 if sub_letter else 1)  # "**(d)**" nests under a bold "**Q2.3**"
    parents = [s for s in stack if s.level < level]
    key = heading_key(title, parents[-1].key if parents else None)
    if key is None or not any(covers(key, label) for label in labels):
        return None
    return key, title, level, rest


def _unclosed_dollar(source: str, segments: list[Segment]) -> bool:
    """Does a paragraph hold a ``$`` left unpaired that is not money (``$5``)?  Maths in ``$…$`` ends with
    its paragraph, so ``$x = `` + blank line + ``1$`` is read as text."""
    if (source.count("$") - source.count("\\$")) % 2 == 0:
        return False
    return any(s.kind == "text" and re.search(r"\$(?!\s*\d)", s.text) for s in segments)


# HTML that strikes text out as ``~~…~~`` does: ``<s>``, ``<del>``, ``<strike>``, a span styled line-through.
_STRIKING_TAG = re.compile(r"<(?P<close>/)?(?P<name>s|del|strike|span)(?![\w-])(?P<attributes>[^>]*)>", re.I)
_LINE_THROUGH = re.compile(r"text-decoration(?:-line)?\s*:[^;\"'>]*line-through", re.I)
# Struck text in a table cell's Markdown source: ``~~…~~`` or one of those elements (not nested)
_STRUCK_SOURCE = re.compile(r"~~(?!~).*?~~|<(?P<name>s|del|strike)(?![\w-])[^>]*>.*?</(?P=name)\s*>"
                            r"|<span(?![\w-])[^>]*text-decoration(?:-line)?\s*:[^;\"'>]*line-through[^>]*>.*?</span\s*>",
                            re.I | re.S)


def _strike_change(tag: str, open_tags: list[tuple[str, bool]]) -> int:
    """How an inline HTML tag changes the depth of struck text: +1 where ``<s>`` (``<del>``, ``<strike>``, a span
    styled line-through) opens, -1 where its closing tag ends it.  ``open_tags`` holds each open ``<span>`` and
    striking tag with whether it strikes, so a plain span's ``</span>`` ends nothing."""
    m = _STRIKING_TAG.fullmatch(tag.strip())
    if m is None or m.group("attributes").rstrip().endswith("/"):
        return 0
    name = m.group("name").lower()
    if m.group("close"):
        k = next((k for k in range(len(open_tags) - 1, -1, -1) if open_tags[k][0] == name), None)
        return -1 if k is not None and open_tags.pop(k)[1] else 0
    strikes = name != "span" or bool(_LINE_THROUGH.search(m.group("attributes")))
    open_tags.append((name, strikes))
    return 1 if strikes else 0


def _without_struck_source(cell: str) -> str:
    """A table cell's Markdown with its struck-out drafts left out, a space in their place."""
    return _STRUCK_SOURCE.sub(" ", cell)


def _segments(children) -> list[Segment]:
    out: list[Segment] = []
    struck = 0  # inside ~~…~~ (or <s>…</s>): a draft the student struck out, never an answer
    open_tags: list[tuple[str, bool]] = []  # the HTML tags open that may strike text out, see _strike_change
    for child in children:
        change = (1 if child.type == "s_open" else -1 if child.type == "s_close"
                  else _strike_change(child.content, open_tags) if child.type == "html_inline" else 0)
        if change:
            struck += change
            _append_text(out, " ")  # the draft ends a clause: "0.2505 ~~0.25~~ is close" is no "0.2505 is"
        elif struck > 0:
            continue
        elif child.type in _MATH_TOKENS:
            maths = _unescaped_maths(_without_code_marks(child))
            out.append(Segment("math", maths, display=child.type != "math_inline"))
        elif child.type == "html_inline" and _SCRIPT_TAG.fullmatch(child.content.strip()):
            _append_text(out, _script_text(child.content))  # "10<sup>−4</sup>" is 10^{−4}
        elif child.type == "text":
            _append_escaped_maths(out, child.content)
        elif child.type == "code_inline":
            _append_text(out, child.content)
        elif child.type in ("softbreak", "hardbreak"):
            _append_text(out, "\n")
        elif child.type in ("em_open", "em_close", "strong_open", "strong_close"):
            # Keep the markup: an underscore in σ̇_approx may have been read as emphasis.
            _append_text(out, child.markup if child.markup == "_" else "")
    return out


# GitHub's and GitLab's inline maths in a table cell's Markdown: "$`\frac{1}{4}`$"
_GITHUB_MATH = re.compile(r"\$`(?P<maths>[^`\n]+)`\$")


# A LaTeX command with its backslash doubled, and one written as it should be
_DOUBLED_COMMAND = re.compile(r"\\\\[a-zA-Z]")
_SINGLE_COMMAND = re.compile(r"(?<!\\)\\[a-zA-Z]")
# What an over-escaping export puts a backslash before: a backslash, and Markdown's punctuation
_EXPORT_ESCAPE = re.compile(r"\\([\\_=*\[\]()!<>|~^+\-.#`])")


def _unescaped_maths(maths: str) -> str:
    r"""Maths whose every backslash an export doubled, and whose ``_`` and ``=`` it escaped, as written: Google Docs
    writes ``$\\dot{\\sigma}\_{approx} \= \\frac{1}{4}$``.  Maths with one command written as it should be is
    left as it is (``\\`` ends a line there)."""
    if not _DOUBLED_COMMAND.search(maths) or _SINGLE_COMMAND.search(maths):
        return maths
    return _EXPORT_ESCAPE.sub(r"\1", maths)


# Maths in text whose delimiters an export escaped: "\$\\frac{1}{4}\$" (Google Docs), "\\(\\frac{1}{4}\\)" and
# "\\[…\\]" (a JSON string), which Markdown reads as "$\frac{1}{4}$", "\(\frac{1}{4}\)" and "\[…\]" in text; in
# dollars only with a LaTeX command inside, so "$5 and $6" stays money
# (the maths stops at the next opening, so a line of unclosed ones is read in linear time)
_ESCAPED_MATHS = re.compile(r"\$(?P<dollar>[^$\n]+)\$|\\\((?P<paren>(?:(?!\\[()])[^\n])+?)\\\)"
                            r"|\\\[(?P<display>(?:(?!\\[\[\]])[^\n])+?)\\\]")


def _append_escaped_maths(out: list[Segment], text: str) -> None:
    """Append a text token's text, its maths with escaped delimiters (see :data:`_ESCAPED_MATHS`) as maths."""
    start = 0
    for m in _ESCAPED_MATHS.finditer(text):
        if m["dollar"] is not None and not re.search(r"\\[a-zA-Z]", m["dollar"]):
            continue  # "$5 and $6": money
        _append_text(out, text[start:m.start()])
        out.append(Segment("math", next(group for group in m.groups() if group is not None),
                           display=m["display"] is not None))
        start = m.end()
    _append_text(out, text[start:])


def _without_code_marks(token) -> str:
    """Inline maths without the backticks GitHub and GitLab put inside its dollars: ``$`\\rho = 0.25`$``."""
    content = token.content
    if token.type == "math_inline" and len(content) > 1 and content.startswith("`") and content.endswith("`"):
        return content[1:-1]
    return content


# HTML superscripts and subscripts, as pandoc writes "10⁻⁴" and "x₁" in plain Markdown: "10<sup>−4</sup>"
_SCRIPT_TAG = re.compile(r"<(?P<close>/)?(?P<name>sup|sub)\s*>", re.I)


def _script_text(tag: str) -> str:
    """The plain-text maths an HTML ``<sup>``/``<sub>`` tag stands for: ``^{`` or ``_{``, and ``}`` closing it."""
    m = _SCRIPT_TAG.fullmatch(tag.strip())
    return "}" if m["close"] else "^{" if m["name"].lower() == "sup" else "_{"


def _append_text(out: list[Segment], text: str) -> None:
    if out and out[-1].kind == "text":
        out[-1] = Segment("text", out[-1].text + text)
    elif text:
        out.append(Segment("text", text))


def _without_quotes(sections: list[Section]) -> list[Section]:
    """The sections without their block quotes, when they hold anything else: a quote is the question pasted
    ("> Which of the two curves decays faster? … ("the true ratio decays more slowly …")"), not the answer.
    A part written only in block quotes is read from them."""
    if all(b.quoted for s in sections for b in s.blocks) or not any(b.quoted for s in sections for b in s.blocks):
        return sections
    kept = [replace(s, blocks=[b for b in s.blocks if not b.quoted]) for s in sections]
    return [s for s in kept if s.blocks]


def _unquoted(blocks: list[Block]) -> list[Block]:
    """The blocks outside block quotes, when there are any (as :func:`_without_quotes`)."""
    outside = [b for b in blocks if not b.quoted]
    return outside if outside else blocks


def _shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
