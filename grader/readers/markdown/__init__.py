"""Reader for written answers in Markdown with LaTeX maths (``.md``, ``.markdown``, ``.txt``).

Reading a document is four steps, each a small function:

1. **load** the file as text, refusing empty, binary, non-UTF-8 and huge
   files with a message naming the file;
2. **parse** it with markdown-it-py and its maths plugins into *sections*
   (one per heading) made of *blocks* (paragraphs, list items, display
   maths, table cells), each a sequence of text and maths segments with a
   line number;
3. **map** sections to parts by the label in their heading (``## Q2.1``,
   ``## Q2.3 Ratio plot``, ``### Q2.3(b)``, ``### (b)`` under ``## Q2.3``,
   or a paragraph opening with a part's label in bold, ``**Q2.4**``,
   ``**Q2.2** Since …``, or followed by a colon, ``Q2.2: …``); a section labelled ``Q2.1`` holds the
   sub-parts ``Q2.1a`` and ``Q2.1b``;
4. **extract** each part's answer from the sections that hold it, by the
   part's kind: the statement whose left side names the quantity (the spec's
   ``names``), ``\\boxed{}`` first; an interval (also from inequalities or
   "all real numbers"); a list of values indexed by ``T``; a choice said in
   prose; or the section's prose for a rubric.  Console output pasted in a fenced code block is read, as plain
   text, only when nothing else in the part's sections answers.

The answer handed to a checker is the student's own text (LaTeX or plain),
so the report shows the answer as read.  A part whose section is present but
holds no readable answer gets ``WrittenAnswer.problem`` (shown as "could not
read", with a snippet).  A part with no section at all is looked for by
its quantity's names anywhere in the document (statements only: never a bare
value, a choice said in prose or prose), and its source says so; failing
that it is not answered.  A section left empty (its paragraphs under
sub-headings or another part's label) is still the part's: it is never
filled from elsewhere in the document.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.texmath import texmath_plugin

from grader.checkers.choice import NEGATED_BEFORE
from grader.checkers.expression import declare
from grader.mathread import Unreadable, brackets_balanced, read_math
from grader.readers import (EMPTY_FILE, UTF16_WITHOUT_MARK, WrittenAnswer, WrittenReading, decoded_text,
                            looks_like_utf16, marked_encoding, not_utf8)
from grader.spec import Part, ProblemSet

MAX_DOCUMENT_BYTES = 1_000_000  # a written answer is a few pages; more is a wrong file
SNIPPET_CHARS = 160


class MarkdownReadError(ValueError):
    """A document that cannot be read at all; the message names the file."""


# ---------------------------------------------------------------------------
# 1. Loading

def load_document(path: Path) -> str:
    """The document's text; raises :class:`MarkdownReadError` naming the file and the problem."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise MarkdownReadError(f"{name} is too large to be a written answer ({size:,} bytes; "
                                f"the limit is {MAX_DOCUMENT_BYTES:,}). Hand in the Markdown text only.")
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not marked_encoding(data):
        if looks_like_utf16(data):
            raise MarkdownReadError(f"{name} is not UTF-8 text: {UTF16_WITHOUT_MARK}. Save the file as UTF-8 and "
                                    "hand it in again.")
        raise MarkdownReadError(f"{name} looks like a binary file, not Markdown text "
                                f"(it contains NUL bytes). Hand in a .md text file.")
    try:  # Windows editors save "Unicode" as UTF-16 with a byte-order mark
        return decoded_text(data)
    except UnicodeDecodeError as exc:
        raise MarkdownReadError(f"{name} is {not_utf8(data, exc)}. Save the file as UTF-8 and hand it in "
                                "again.") from None


def read_markdown(path: Path, problem_set: ProblemSet) -> WrittenReading:
    """Read a Markdown document's answers to ``problem_set`` (the text-reader interface)."""
    path = Path(path)
    text = load_document(path)
    if not text.strip():
        reading = WrittenReading()
        reading.notes.append(f"{path.name}{EMPTY_FILE}no answers were read from it.")
        return reading
    return read_markdown_text(text, problem_set, source=path.name)


def read_markdown_text(text: str, problem_set: ProblemSet, source: str = "answer.md") -> WrittenReading:
    """Read answers from Markdown text (the core; tests call it directly)."""
    reading = WrittenReading()
    parts = [p for p in problem_set.parts if p.kind]
    sections = parse_sections(text, [p.label for p in parts])
    _leave_out_copied_questions(sections, parts)
    quantities = _quantities(parts)
    unheaded = []
    for part in parts:
        held = [s for s in sections if covers(s.key, part.label)]
        own = [s for s in held if s.blocks]
        if not held:
            unheaded.append(part)  # no section at all: looked for by name below
            continue
        unclear = next((s for s in held if s.problem), None)  # a table row whose answer cell is not clear
        if not own:  # an empty section is still the part's: never filled from another part's
            answer = _emptied_section(part, held, sections, source, quantities)
        else:
            only_part = all(sum(1 for p in parts if covers(s.key, p.label)) == 1 for s in own)
            own = _without_quotes(own)
            if part.kind != "rubric":  # prose is the student's whole explanation, remarks and all
                own = _without_remarks_in(own)
            part_keys = frozenset(normalise_label(p.label) for p in parts)
            answer = _section_answer(part, own, source, only_part, quantities, part_keys)
            plain, remark_line = _without_remark_sentences_in(own) if part.kind != "rubric" else (own, None)
            if remark_line is not None:  # an answer stated before a remark on it is the answer
                before = _section_answer(part, plain, source, only_part, quantities, part_keys) if plain else None
                if before is not None and not before.problem and before.line <= remark_line:
                    answer = before
            if answer is not None and not answer.problem and all(s.plain_label for s in held):
                answer = replace(answer, source=_under_plain_label(source, answer.line, part.label, held))
        if answer is None or answer.problem:  # "```\nrho(0.05) = 0.2505\n```": console output pasted
            coded = _from_code_blocks(part, held, parts, source, quantities)
            if coded is not None and (answer is None or not coded.problem):
                answer = coded
        if unclear is not None and (answer is None or answer.problem):
            answer = WrittenAnswer(part.label, unclear.quoted, source, unclear.line, problem=unclear.problem)
        if answer is not None:
            reading.answers[part.label] = answer
    if unheaded:
        # "Q2.3(d): true" labels a paragraph, it is no heading; but like one it shows what the document answers
        headed = any(covers(s.key, p.label) and not s.plain_label for s in sections for p in parts)
        labelled = any(s.plain_label and s.key[:1].isalpha() for s in sections)
        _read_by_name(unheaded, sections, problem_set, source, reading, headed=headed, labelled=labelled,
                      quantities=quantities)
    for part in parts:  # "**Q2.2** is all of ℝ, …": the part's label opens a sentence, which is no answer
        if part.label not in reading.answers:
            unlabelled = _answer_as_subject(part, sections, source)
            if unlabelled is not None:
                reading.answers[part.label] = unlabelled
    for part in parts:  # "0,2505": a number written with a decimal comma
        if part.kind == "number" and part.label in reading.answers:
            reading.answers[part.label] = _with_decimal_comma(reading.answers[part.label])
    return reading


def _section_answer(part: Part, own: list[Section], source: str, only_part: bool, quantities: frozenset[str],
                    part_keys: frozenset[str]) -> WrittenAnswer | None:
    return _labelled_answer(part, own, source, only_part) or extract_answer(
        part, own, source, only_part=only_part, quantities=quantities, part_keys=part_keys)


# A number with a comma between its digits, written alone: "0,2505", "3,14", "1,000" (and "$…$", a final stop)
_COMMA_NUMBER = re.compile(r"\s*\$?\s*(?P<sign>[-+−]?)\s*(?P<whole>\d+),(?P<fraction>\d+)\s*\$?\s*\.?\s*")
_DIGITS_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")


def _groups_thousands(whole: str, fraction: str) -> bool:
    """Could ``whole,fraction`` group thousands (1,000; 12,500)?  Not with other than three digits after the comma
    (0,2505; 3,14) or a leading 0 (0,250): a decimal comma then."""
    return len(fraction) == 3 and re.fullmatch(r"[1-9]\d{0,2}", whole) is not None


def _with_decimal_comma(answer: WrittenAnswer) -> WrittenAnswer:
    """A one-number answer written with a decimal comma ("0,2505") read as the decimal it is, saying so in a remark
    after it; one that could group thousands as well ("1,000") is not guessed: it could not be read, and the
    problem says how to write either."""
    m = _COMMA_NUMBER.fullmatch(answer.value) if isinstance(answer.value, str) and not answer.problem else None
    if m is None:
        return answer
    written = f"{m['sign']}{m['whole']},{m['fraction']}"
    if _groups_thousands(m["whole"], m["fraction"]):
        decimal = f"{m['whole']}.{m['fraction'].rstrip('0') or '0'}"
        return replace(answer, problem=f"{written} could group thousands ({m['whole']}{m['fraction']}) or be a decimal "
                                       f"comma ({decimal}): write {m['whole']}{m['fraction']} or {decimal}. "
                                       f"The answer reads: “{written}”")
    # The remark in brackets is read as one, and shows in "Read: …" when the value is wrong
    value = f"{m['sign']}{m['whole']}.{m['fraction']}".replace("−", "-")
    return replace(answer, value=f"{value} (written with a decimal comma)")


def _decimal_commas(value: str) -> str:
    """``value`` with each decimal comma between digits made a point (9,86·10⁻⁴ → 9.86·10⁻⁴); one that could group
    thousands is left as written."""
    return _DIGITS_COMMA.sub(lambda m: m.group(0) if _groups_thousands(m[1], m[2]) else f"{m[1]}.{m[2]}", value)


def _from_code_blocks(part: Part, held: list[Section], parts: list[Part], source: str,
                      quantities: frozenset[str]) -> WrittenAnswer | None:
    """The part's answer read from the console output in code blocks of its sections, as plain text, when nothing
    else in them answers; None when they hold none.  The source says where it was read."""
    coded = [replace(s, blocks=s.code, tables=[], answer_after_label=False) for s in held if s.code]
    if not coded:
        return None
    only_part = all(sum(1 for p in parts if covers(s.key, p.label)) == 1 for s in coded)
    answer = extract_answer(part, coded, source, only_part=only_part, quantities=quantities,
                            part_keys=frozenset(normalise_label(p.label) for p in parts))
    if answer is None:
        return None
    where = next((s for s in coded if any(b.line == answer.line for b in s.blocks)), coded[0])
    return replace(answer, source=f"{source}, line {answer.line}, read from a code block in the section "
                                  f"'{where.heading or 'the document'}'")


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


def _quantities(parts: list[Part]) -> frozenset[str]:
    """The name keys of every quantity the problem set names, and of those its answers approximate."""
    return frozenset(key for p in parts for key in (_name_keys(p) | {name_key(n) for n in p.approximates}))


def _labelled_answer(part: Part, own: list[Section], source: str, only_part: bool) -> WrittenAnswer | None:
    """A set written after the part's label in its paragraph ("Q2.2: the set is …"), or None.

    ``ε \\in \\mathbb{R}`` is everywhere in derivations, so a later paragraph of the section replaces the
    labelled set only when it says it is the set, as outside any section ("so the set is …", "the
    inequality holds for …"): "recall that tanh is defined for ε ∈ ℝ" does not."""
    labelled = [s for s in own if s.answer_after_label]
    if part.kind not in ("interval", "set") or not labelled:
        return None
    firsts = {id(s.blocks[0]) for s in labelled}
    later = [b for s in own for b in s.blocks if id(b) not in firsts]
    if _interval_by_name(later, _name_keys(part) | _SET_WORDS) is not None:
        return None  # the section's last set counts, as in any section
    first = [replace(s, blocks=s.blocks[:1], tables=[]) for s in labelled]
    answer = extract_answer(part, first, source, only_part=only_part)
    return answer if answer is not None and not answer.problem else None


def _emptied_section(part: Part, held: list[Section], sections: list[Section], source: str,
                     quantities: frozenset[str] = frozenset()) -> WrittenAnswer | None:
    """The answer of a part whose sections are all empty, which is never looked for outside them.

    Their paragraphs may have gone to sub-sections: a sibling's (``### (d)`` or ``**(d)**`` under ``## Q2.3``,
    for Q2.3c) is still inside the part's section, so a statement there naming the part's quantity answers
    it; another question's label (``**Q2.1:** …`` under ``## Q2.2``) makes its paragraphs that question's,
    so the part could not be read, and the feedback says why.  Otherwise the part is not answered."""
    held_ids = {id(h) for h in held}
    inside = [s for s in sections if s.blocks and _held_within(s, held_ids) is not None]
    keys = {h.key for h in held}
    taken = [s for s in inside if not any(covers(key, s.key) for key in keys)]
    if taken:
        where = _held_within(taken[0], held_ids)
        labels = _listed([f"'{s.heading}'" for s in taken])
        problem = (f"The section '{where.heading}' (line {where.line}) holds no answer for {part.label}: its "
                   f"paragraphs start with another part's label ({labels}), so they are read as that part's answer. "
                   f"Start {part.label}'s answer without another part's label (e.g. 'From {taken[0].heading}, …').")
        return WrittenAnswer(part.label, taken[0].snippet(), source, taken[0].line,
                             problem=f"{problem} The paragraph reads: “{taken[0].snippet()}”")
    blocks = _unquoted([b for s in _without_remarks_in(inside) for b in s.blocks])
    found = _answer_by_name(part, blocks, [t for s in inside for t in s.tables], _name_keys(part), quantities)
    if found is None:
        return None
    return WrittenAnswer(part.label, found.value, f"{source}, line {found.line}, found by its name in the "
                                                  f"section '{held[0].heading}'", found.line, problem=found.problem)


def _held_within(section: Section, held_ids: set[int]) -> Section | None:
    """The section of ``held_ids`` that ``section`` (a sub-heading, a label's paragraphs) is inside, or None."""
    within = section.within
    while within is not None and id(within) not in held_ids:
        within = within.within
    return within


# ---------------------------------------------------------------------------
# 2. Parsing: sections of blocks of segments

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
    md.inline.ruler.before("escape", "math_inline_bracket_display",
                           _bracket_math("\\[", "\\]", "math_inline_double", 0))
    md.core.ruler.before("text_join", "keep_set_difference", _keep_set_difference)
    return md


_MD = _parser()
_MATH_TOKENS = {"math_inline", "math_inline_double", "math_block", "math_block_eqno", "math_single",
                "math_inline_eqno"}


def parse_sections(text: str, labels: Iterable[str] = ()) -> list[Section]:
    """Split a document into sections by heading; unlabelled sub-headings stay in their parent.

    A paragraph that starts with one of ``labels`` in bold (``**Q2.4**``, ``**(d)** approx``) heads a
    section too, nested under the heading above it; the rest of the paragraph is the section's first block.
    So does a table row whose first cell is a label (``| Q2.1a | $\\frac14$ |``): its answer cell is the
    section's one block, and what follows the table stays in the section around it; and so does each column of a
    table with the parts as its columns (``| part | (a) | (b) |``, see :func:`_column_sections`)."""
    tokens = _MD.parse(text)
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
            table.rows[-1].append(_without_struck_source(tok.content) if struck else tok.content)
        if tok.type == "heading_open":
            level = heading_level = int(tok.tag[1:])
            title = tokens[i + 1].content.strip()
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
            for offset, piece in (_label_lines(children, stack, heading_level, labels) if labelled
                                  else [(0, children)]):
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
# …", "> Final answer: …", "> **Solution**: …"
_ANSWER_CALLOUT = re.compile(r"\s*[*_]{0,2}\s*(?:(?:final|my)\s+)?(?:answer|solution)\s*(?::|[*_]{1,2}\s*:)", re.I)


def _answer_callout(tokens: list, start: int) -> bool:
    """Does the block quote opening at ``tokens[start]`` open with a paragraph labelled as the answer?"""
    first = tokens[start + 2] if start + 2 < len(tokens) else None  # blockquote_open, paragraph_open, inline
    return tokens[start + 1].type == "paragraph_open" and first is not None and first.type == "inline" \
        and bool(_ANSWER_CALLOUT.match(first.content))


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


# The words a label may open with, in the languages students write in: "Question 2.4", "Aufgabe 2.4",
# "Exercice 2.4", "Teilaufgabe a)"; the word must end there ("Problema 2.4" is not "Problem" + "a 2.4").
# A regex group to match case-insensitively; public, as the notebook reader must know the same words.
LABEL_WORD_PATTERN = (r"(?:question|problem|exercise|task|part|aufgabe|teilaufgabe|frage|übung|uebung|teil|exercice"
                      r"|partie|pregunta|ejercicio|problema|parte|esercizio|domanda|quesito|opgave|vraag|oefening"
                      r"|zadanie|pytanie|uppgift|questão|questao|exercício|exercicio)(?![^\W\d_])")
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


# The header of a table's answer column: "Answer", "My answer", "Value", "Final result" …
_ANSWER_COLUMN = re.compile(r"\b(?:answers?|values?|results?|solutions?|final)\b", re.I)
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
            out.append(Segment("math", child.content, display=child.type != "math_inline"))
        elif child.type in ("text", "code_inline"):
            _append_text(out, child.content)
        elif child.type in ("softbreak", "hardbreak"):
            _append_text(out, "\n")
        elif child.type in ("em_open", "em_close", "strong_open", "strong_close"):
            # Keep the markup: an underscore in σ̇_approx may have been read as emphasis.
            _append_text(out, child.markup if child.markup == "_" else "")
    return out


def _append_text(out: list[Segment], text: str) -> None:
    if out and out[-1].kind == "text":
        out[-1] = Segment("text", out[-1].text + text)
    elif text:
        out.append(Segment("text", text))


# ---------------------------------------------------------------------------
# 3. Labels

LABEL_WORDS = re.compile(rf"^{LABEL_WORD_PATTERN}\s*", re.I)
# "Q2.3b", "Q2.3(b)", "Q2.3 (b)", "Q2.3 b)", "Q2.3.b", "Q2.3.b)", "Q2.3-b", "Q2.3 b" ending the title (or before
# a colon); not "Q2.4 A short answer"
HEADING_LABEL = re.compile(r"^([A-Za-z]{0,3})\s*(\d+(?:\.\d+)*)(?:(?:\s*|[.\-–])\(?([a-z])\)|[.\-–]?([a-z])(?![a-z])"
                            r"|\s+([a-z])(?=\s*(?:$|[:.](?:\s|$)|[-–—]\s)))?", re.I)
_SUB_HEADING = re.compile(r"^\(?([a-z])\)(?:\s|$|[.:])|^([a-z])[.:](?:\s|$)", re.I)
# "Part A", "Teilaufgabe a": the letter alone after a label word (a bare "A" heading may be a title)
_WORDED_LETTER = re.compile(r"^([a-z])(?=\s*$|\s+[-–—]\s)", re.I)


# "Q2-2", "Question 2-3(b)": a question's number and its part's joined by a dash instead of a full stop
_DASHED_LABEL = re.compile(rf"^((?:{LABEL_WORD_PATTERN}\s*|[A-Za-z]{{1,3}})\d+)[-–](\d+)", re.I)


def normalise_label(label: str) -> str:
    """``Q2.3(b)`` → ``q2.3b``; spaces, brackets and case do not matter."""
    return re.sub(r"[\s()\[\]]", "", label).lower()


def heading_key(title: str, parent: str | None) -> str | None:
    """The normalised label a heading names, or None.  ``parent`` resolves ``### (b)``."""
    text = re.sub(r"[*_`#]", "", title).strip()
    text = _DASHED_LABEL.sub(r"\1.\2", text)  # "Q2-2" is Q2.2
    worded = LABEL_WORDS.match(text) is not None
    text = LABEL_WORDS.sub("", text)
    m = HEADING_LABEL.match(text)
    if m and (m.group(1) or "." in m.group(2) or m.group(3) or m.group(4) or m.group(5) or parent is None):
        letter = m.group(3) or m.group(4) or m.group(5) or ""
        return normalise_label(m.group(1) + m.group(2) + letter)
    m = _SUB_HEADING.match(text) or (_WORDED_LETTER.match(text) if worded else None)
    if m and parent is not None:
        return parent + next(g for g in m.groups() if g).lower()
    return None


@functools.lru_cache(maxsize=4096)  # pure; asked for every part of every section of every document
def covers(section_key: str | None, label: str) -> bool:
    """Does a section with this key hold the part?  ``q2.1`` holds ``Q2.1a``; ``""`` holds all."""
    if section_key is None:
        return False
    if section_key == "":
        return True
    part = normalise_label(label)
    candidates = {part}
    if "." in section_key:  # "## 2.1" for Q2.1; a bare "## 1" is too weak to name A1 or B1
        candidates.add(part.lstrip("abcdefghijklmnopqrstuvwxyz"))
    for p in candidates:
        if p == section_key:
            return True
        if p.startswith(section_key) and re.fullmatch(r"[a-z]", p[len(section_key):]):
            return True
    return False


# ---------------------------------------------------------------------------
# Names: many spellings, one key

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
          "sigma tau upsilon phi chi psi omega").split()
_UNICODE_GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψω", _GREEK)) | {"ϵ": "epsilon", "ϕ": "phi", "ς": "sigma"}
_EPSILON = {"epsilon", "varepsilon", "eps"}


def _unicode_maths(text: str) -> str:
    """Unicode maths as LaTeX: σ̇ → \\dot{\\sigma}, tanḣ → \\dot{\\tanh}, ε → \\varepsilon, ≈ → \\approx."""
    text = unicodedata.normalize("NFD", text)
    text = re.sub(r"tanh\u0307", r"\\dot{\\tanh}", text)
    text = re.sub(r"([^\s\\])\u0307", lambda m: r"\dot{" + _greek_command(m.group(1)) + "}", text)
    text = re.sub(r"([^\s\\])\u0308", lambda m: r"\ddot{" + _greek_command(m.group(1)) + "}", text)
    text = unicodedata.normalize("NFC", text)
    for ch, name in _UNICODE_GREEK.items():
        text = text.replace(ch, "\\" + ("varepsilon" if name == "epsilon" else name) + " ")
    replacements = {"≈": r"\approx ", "≃": r"\approx ", "≤": r"\le ", "≥": r"\ge ", "∈": r"\in ",
                    "≠": r"\ne ", "∞": r"\infty ", "ℝ": r"\mathbb{R}", "−": "-", "′": "'", "·": r"\cdot ",
                    "×": r"\times ", "∪": r"\cup "}
    for ch, latex in replacements.items():
        text = text.replace(ch, latex)
    # ρ(0.05)⁵, 10⁻⁴: a run of superscripts is a power
    return _SUPERSCRIPT_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPT_DIGITS) + "}", text)


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")


def _greek_command(ch: str) -> str:
    name = _UNICODE_GREEK.get(ch)
    return "\\" + name if name else ch


_TEXT_COMMANDS = re.compile(r"\\(?:text|mathrm|mathit|mathsf|textrm|textit|operatorname|mbox|rm|it)\s*")


@functools.lru_cache(maxsize=8192)  # pure, and asked again for the spec's names in every document
def name_key(text: str) -> str:
    """One key per way of naming a quantity.

    ``\\dot{\\sigma}_{\\text{approx}}(\\varepsilon)``, ``\\sigma'_{approx}``,
    ``\\dot\\sigma_{approx}``, ``σ̇_approx(ε)`` and ``sigma_dot_approx`` all
    give ``sigma_approx'``; an argument that is a variable is dropped, a
    number is kept (``\\rho(0.05)^{10}`` → ``rho(0.05)^10``).
    """
    s = _unicode_maths(text)
    s = s.replace("$", "")
    s = re.sub(r"\\left\s*\.", "", s)  # "\left. \frac{dσ}{dx} \right|_{x=ε}": the bar's invisible partner
    s = re.sub(r"\\(?:left|right|displaystyle)(?![a-zA-Z])|\\[,;:! ]", "", s)
    s = _TEXT_COMMANDS.sub("", s)
    s = _leibniz_as_prime(s)
    s = re.sub(r"\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![a-zA-Z])|\\prime(?![a-zA-Z])", "'", s)
    primes = 0

    def dot(m: re.Match) -> str:
        nonlocal primes
        primes += 2 if m.group(1) == "ddot" else 1
        return ""

    s = re.sub(r"\\(ddot|dot)(?![a-zA-Z])", dot, s)
    s = re.sub(r"\s+", "", s).replace("{", "").replace("}", "").replace("\\", "")
    primes += s.count("'")
    s = s.replace("'", "")
    pieces = [p for p in s.split("_") if p != ""]
    kept = []
    for p in pieces:
        if p.lower() == "dot":
            primes += 1
        elif p.lower() == "ddot":
            primes += 2
        else:
            kept.append(p)
    s = "_".join(kept)
    # an argument given with its variable is the number: ρ(ε = 0.05) is ρ(0.05)
    s = re.sub(r"\((?:varepsilon|epsilon|eps|e|x|t|z)=([^()=]+)\)", r"(\1)", s)
    # an argument that is a variable name is not part of the name: σ̇(ε) is σ̇, and so is sigma'(e) in plain text
    s = re.sub(r"\((?:varepsilon|epsilon|eps|e|x|t|z)\)", "", s)
    s = re.sub(r"(?<![A-Za-z])(?:varepsilon|epsilon|eps)(?![A-Za-z])", "eps", s)
    return s.lower() + "'" * primes


_VARIABLE = r"(?:x|t|z|\\varepsilon|\\epsilon)"
_D = r"\{?\s*d\s*\}?"  # d, or {d} once \mathrm{d} has lost its command
# dσ/dx as a fraction: \frac{d\sigma}{dx}, \frac{d}{dx}\sigma(x), \frac{\mathrm{d}\tanh}{\mathrm{d}x}
_LEIBNIZ = re.compile(rf"^\s*\\[dt]?frac\s*\{{\s*{_D}\s*(?P<inner>\\[A-Za-z]+|[A-Za-z])?\s*\}}\s*"
                      rf"\{{\s*{_D}\s*{_VARIABLE}\s*\}}\s*(?P<outer>.*)$")
# "…\Big|_{x=\varepsilon}", "…|_{x = 0}": the bar evaluates at a point, as an argument in brackets does
_AT_POINT = re.compile(rf"\s*(?:\\(?:[bB]igg?|middle)[lr]?\s*)?(?:\||\\vert(?![a-zA-Z]))\s*_\s*"
                       rf"\{{\s*{_VARIABLE}\s*=\s*(?P<at>[^{{}}=]+?)\s*\}}\s*$")


def _leibniz_as_prime(name: str) -> str:
    """dσ/dx in Leibniz's notation as σ' (``\\frac{d\\sigma}{dx}\\Big|_{x=\\varepsilon}`` → ``\\sigma'(\\varepsilon)``), so
    it names what ``\\dot\\sigma(\\varepsilon)`` does; anything else unchanged."""
    m = _LEIBNIZ.match(name)
    if m is None:
        return name
    function, rest = m.group("inner"), m.group("outer").strip()
    if function is None:  # \frac{d}{dx}\sigma(x): the function follows the fraction
        after = re.match(r"\\[A-Za-z]+|[A-Za-z]", rest)
        if after is None:
            return name
        function, rest = after.group(), rest[after.end():]
    at = _AT_POINT.search(rest)
    if at is not None:
        # σ(x)|_{x=ε} is σ(ε): the point replaces the variable
        rest = re.sub(rf"\(\s*{_VARIABLE}\s*\)\s*$", "", rest[:at.start()]) + f"({at.group('at')})"
    if not _SUBSCRIPT_AND_ARGUMENT.fullmatch(rest.strip()):
        return name  # "\frac{d\sigma}{dx}\sigma": a product, not a name
    return f"{function}'{rest}"


_SUBSCRIPT_AND_ARGUMENT = re.compile(r"(?:_\s*(?:\{[^{}]*\}|\w))?\s*(?:\([^()]*\))?")


# ---------------------------------------------------------------------------
# Statements: relation chains found in maths and in plain text

_RELATIONS = [
    (r"\approx", "≈"), (r"\simeq", "≈"), (r"\sim", "≈"), (r"\equiv", "="), (r"\coloneqq", "="),
    (r"\leqslant", "≤"), (r"\geqslant", "≥"), (r"\leq", "≤"), (r"\geq", "≥"), (r"\le", "≤"), (r"\ge", "≥"),
    (r"\neq", "≠"), (r"\ne", "≠"), (r"\in", "∈"), (r"\lt", "<"), (r"\gt", ">"),
    (":=", "="), ("<=", "≤"), (">=", "≥"), ("~=", "≈"), ("≈", "≈"), ("≤", "≤"), ("≥", "≥"), ("∈", "∈"),
    ("≠", "≠"), ("≃", "≈"), ("=", "="), ("<", "<"), (">", ">"),
]
# Break a maths span into separate statements here (never inside brackets).
_SEPARATORS = re.compile(r"\\\\|\\(?:quad|qquad|Rightarrow|Longrightarrow|implies|therefore|iff|Leftrightarrow"
                         r"|text\s*\{\s*(?:and|so|thus|hence|therefore|i\.e\.|where|for|if|since)\b[^{}]*\})"
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
    body = re.sub(r"(?<=\d)\\,(?=\d)", "", body)  # "0.250\,47": a thin space groups a number's digits
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
    """``a = 1, b = 2`` is two statements; ``a = 1, 2, 3`` is one list."""
    if len(st.ops) < 2:
        return [st]
    out: list[Statement] = []
    parts, ops = [st.parts[0]], []
    for k in range(1, len(st.parts)):
        piece = st.parts[k]
        pieces = _split_top(piece, _COMMA) if k < len(st.parts) - 1 else [piece]
        if len(pieces) > 1 and _looks_like_name(pieces[-1]):
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
    return bool(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*'*(\(\d+(\.\d+)?\))?(\^[a-z0-9]+)?", key)) and not re.fullmatch(
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
_CLAUSE_END = re.compile(r"(?<!\d)\.(?=\s|$)|\.\s|\.$|;|:\s|\n|,\s+(?=[A-Za-z]{3}|[α-ωΑ-Ωϵϕ])"
                         r"|\s(?:for|when|which|since|because|as|so|and|where|if|but|while|then)\s"
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


# ---------------------------------------------------------------------------
# 4. Extraction, by kind

@dataclass(frozen=True)
class Found:
    value: object
    line: int
    tier: float  # 2 boxed, 1 named statement, 0 the last value in a section of its own
    problem: str = ""  # the statement that gives it cannot be read: the part could not be read


def extract_answer(part: Part, sections: list[Section], source: str, *, only_part: bool = False,
                   quantities: frozenset[str] = frozenset(), part_keys: frozenset[str] = frozenset()
                   ) -> WrittenAnswer | None:
    """The part's answer from its sections; ``only_part``: the sections hold no other part; ``quantities``:
    the name keys of the problem set's quantities; ``part_keys``: its parts' labels, normalised."""
    blocks = [b for s in sections for b in s.blocks]
    if not blocks:
        return None  # an empty section: not answered
    if part.kind == "rubric":
        text = "\n".join(b.prose() for b in blocks)
        return WrittenAnswer(part.label, text, source, blocks[0].line)
    if part.kind == "choice":
        found, problem = _find_choice(part, sections, only_part)
    elif part.kind in ("interval", "set"):
        found, problem = _find_interval(part, blocks, only_part)
    elif _index_template(part) is not None:
        # the part's own blocks, each with what follows the part's label in it ("(c) 0.2505, …"), and the
        # paragraphs after that label's ("(c) See the plot below." then "For T = 1, 5, 10, 20: …")
        owners = {} if only_part else _paragraph_owners(sections, part_keys)
        mine = normalise_label(part.label)
        own = [(b, after) for s in sections for b in s.blocks
               if (after := b.prose() if only_part or owners.get(id(b)) == mine and _opening_label(
                   b.prose(), s.key) is None else _after_own_label(b, s, part, part_keys))]
        found, problem = _find_indexed(part, blocks, [t for s in sections for t in s.tables], own,
                                       unnamed_column=only_part)
    else:
        # "(b) 0.2505" in the section of Q2.3: the value written alone after the part's own label
        labelled = [] if only_part else [(b, after) for s in sections for b in s.blocks
                                          if (after := _after_own_label(b, s, part, part_keys))]
        owners = {} if only_part else _paragraph_owners(sections, part_keys)
        found, problem = _find_named(part, blocks, only_part, [t for s in sections for t in s.tables],
                                     labelled=labelled, quantities=quantities, owners=owners), ""
    if found is not None:
        return WrittenAnswer(part.label, found.value, source, found.line, problem=found.problem)
    where = sections[0]
    heading = f"the section '{where.heading}' (line {where.line})" if where.heading else "the document"
    if not problem:
        problem = f"No answer for {part.label} was found in {heading}. {_how_to_write(part)}"
        unclosed = next((b.line for b in blocks if b.unclosed_dollar), None)
        if unclosed is not None:
            problem += (f" The $ in the paragraph on line {unclosed} is not closed in that paragraph (maths in "
                        f"$…$ cannot run across a blank line), so it was read as text.")
    return WrittenAnswer(part.label, where.snippet(), source, where.line,
                         problem=f"{problem} The section reads: “{where.snippet()}”")


def _after_own_label(block: Block, section: Section, part: Part, part_keys: frozenset[str]) -> str | None:
    """What a block gives the part as if after its label: all of it in a section of the part's own inside its
    question's (a table row ``| (b) | $0.2505$ |`` or ``### (b)`` in ``## Q2.3``, which holds other words too);
    else what follows the part's own label opening it ("(b) 0.2505"), or None."""
    if _holds_only(section, part, part_keys):
        return block.prose()
    return _after_label(block.prose(), section.key, part.label)


def _holds_only(section: Section, part: Part, part_keys: frozenset[str]) -> bool:
    """Does the section hold this part and no other of the problem set?"""
    return bool(part_keys) and covers(section.key, part.label) and sum(covers(section.key, k) for k in part_keys) == 1


def _how_to_write(part: Part) -> str:
    indexed = _index_template(part)
    if indexed is not None:
        template, index, values = indexed
        first = template.replace(index, values[0]) if values else template
        return (f"Write each value as ${first} = …$ (or \\approx), for {index} = {', '.join(values)}, "
                f"or all of them as one list.")
    if part.kind == "choice":
        return f"Write it as e.g. 'Answer: {part.options.choices[0]}' or in a sentence."
    if part.names:
        name = part.names[0]
        if part.kind in ("interval", "set"):
            return f"Write it as ${name} \\in (a, b)$."
        return f"Write it as ${name} = …$ (or put the final answer in \\boxed{{…}})."
    return "Put the final answer in \\boxed{…}."


# -- answers named outside their part's section ---------------------------------

def _read_by_name(parts: list[Part], sections: list[Section], problem_set: ProblemSet, source: str,
                  reading: WrittenReading, *, headed: bool, labelled: bool = False,
                  quantities: frozenset[str] = frozenset()) -> None:
    """Answers to ``parts``, which have no section of their own, from statements anywhere in the document
    that name their quantity (``ρ(0.05) ≈ 0.2505``, a value boxed after its name, a table row, an
    interval as ``ε \\in …``, a choice after the part's label).  A bare value, a choice said in prose and
    prose itself belong to a part only in the part's own section.

    Every text file is read against every problem set, and a name of one bare word (ρ, ε) is common in any
    mathematical text, so such names count only in a document evidently written for this problem set: it
    heads a section with a part's label (``labelled``: a paragraph opens with one, ``Q2.3(d): …``), names the
    question in a heading (``# Question 2``), is one of the problem set's files (``q2.md``), or names another
    quantity by a name of its own (``\\rho_{approx}``)."""
    blocks = _unquoted([b for s in _without_remarks_in(sections) for b in s.blocks])
    tables = [t for s in sections for t in s.tables]
    distinct = {p.label: _answer_by_name(p, blocks, tables, _name_keys(p, bare=False), quantities) for p in parts}
    evident = (headed or labelled or source in problem_set.submission_files or any(distinct.values())
               or _names_the_question(sections, parts))
    for part in parts:
        found = distinct[part.label]
        if evident and _name_keys(part) != _name_keys(part, bare=False):
            found = _answer_by_name(part, blocks, tables, _name_keys(part), quantities)
        if found is not None:
            where = _named_outside(source, found.line, part.label)
            reading.answers[part.label] = WrittenAnswer(part.label, found.value, where, found.line,
                                                        problem=found.problem)
    unanswered = [p.label for p in parts if p.label not in reading.answers]
    if not headed and evident and unanswered:
        example = _question_of(unanswered[0])
        opening = (f"{source} labels paragraphs with part labels but heads no section with one, so the parts "
                   f"without a label of their own" if labelled else f"{source} has no section headed by a part "
                   f"label, so answers")
        reading.notes.append(
            f"{opening} were looked for only as statements "
            f"naming their quantity; {_listed(unanswered)} "
            f"{'was' if len(unanswered) == 1 else 'were'} not found that way. Unnamed answers (a bare value, a "
            f"choice, prose) are read only under the part's own label: a heading such as '## {example}', or a "
            f"paragraph opening with '{unanswered[0]}:'.")


def _answer_as_subject(part: Part, sections: list[Section], source: str) -> WrittenAnswer | None:
    """"Could not read" for a part that nothing answers but a paragraph opening with its bold label as the
    subject of a sentence ("**Q2.2** is all of ℝ, since …"): the feedback says how to label the answer.
    None when no such paragraph names the part."""
    block = next((b for s in sections for b in s.blocks if b.subject_of and covers(b.subject_of[0], part.label)),
                 None)
    if block is None:
        return None
    written = block.subject_of[1]
    quoted = _shorten(block.prose())
    problem = (f"The paragraph on line {block.line} opens with {written} in bold followed by a sentence about it, "
               f"so it is not read as the answer to {part.label}. Write the label with a colon, '**{written}:** …', "
               f"or head a section with it, '## {written}', and the answer after it. The paragraph reads: "
               f"“{quoted}”")
    return WrittenAnswer(part.label, quoted, source, block.line, problem=problem)


def _under_plain_label(source: str, line: int, label: str, held: list[Section]) -> str:
    """The source of an answer read in a section that a label in the text opened, not a heading: under a label
    alone on its line ("Q2.2", then the answer), or after the label on its line ("Q2.3(d): approx", which names
    the part as a statement outside any section would)."""
    section = next((s for s in held if any(b.line == line for b in s.blocks)), held[0])
    if not _label_alone(section):
        return _named_outside(source, line, label)
    return (f"{source}, line {line}, read under the label '{section.heading}' (line {section.line}), written as text; "
            f"a heading such as '## {_question_of(label)}' is the sure way to head a part's section")


def _label_alone(section: Section) -> bool:
    """Does the label that opened ``section`` stand alone on its line, the answer on the lines after it?"""
    if not section.blocks:
        return False
    first = section.blocks[0]
    lead = first.segments[0] if first.segments else None
    return first.line > section.line or (lead is not None and lead.kind == "text"
                                         and re.match(r"[ \t]*\n", lead.text) is not None)


def _named_outside(source: str, line: int, label: str) -> str:
    return (f"{source}, line {line}, found by its name outside any section for {label}; "
            f"head each part's section with its label, e.g. '## {_question_of(label)}'")


def _answer_by_name(part: Part, blocks: list[Block], tables: list[Table], keys: set[str],
                    quantities: frozenset[str] = frozenset()) -> Found | None:
    """The part's answer from statements that name it, anywhere in ``blocks``; prose is never an answer."""
    if not blocks or part.kind == "rubric":
        return None
    if part.kind == "choice":
        return _choice_after_label(part, blocks)
    if part.kind in ("interval", "set"):
        return _interval_by_name(blocks, keys)
    if _index_template(part) is not None:
        return _find_indexed(part, blocks, tables)[0]
    if not keys:
        return None
    return _find_named(part, blocks, False, tables, keys=keys, numbers_only=part.kind == "number",
                       quantities=quantities)


def _choice_after_label(part: Part, blocks: list[Block]) -> Found | None:
    """A choice given after the part's own label at the start of a paragraph: "Q2.3(d): approx"."""
    choices = [str(c) for c in getattr(part.options, "choices", ())]
    found = None
    for b in blocks:
        word = _choice_word(_after_label(b.prose(), None, part.label) or "", choices)
        if word:
            found = Found(word, b.line, 2)
    return found


def _interval_by_name(blocks: list[Block], keys: set[str]) -> Found | None:
    """A set stated of its variable: ``ε \\in …``, ``\\{ε \\in \\mathbb{R}\\} = …``, ``the interval is (a, b)``
    or ``a < ε < b``.  ``ε = 0.05`` gives the variable a value (as in Q2.3b), it does not answer the set,
    and ``ε > 0`` is too often a derivation's condition to be read as the answer outside its section.

    ``ε \\in \\mathbb{R}`` is everywhere in derivations ("ρ_approx = 1/4 for all ε ∈ ℝ", "tanh is defined
    for ε ∈ ℝ"), so a set stated of the bare variable answers only when it is boxed, stands alone in its
    paragraph, or follows words that say it is the set asked for ("the inequality holds for", "the set is");
    and, unless boxed, only when no other set is said to be it ("the inequality holds for ε ≥ 0" included)."""
    best: Found | None = None
    said: set[str] = set()  # every set said to be the answer, one key per way of writing the same set
    for block in blocks:
        for st in block_statements(block):
            if not st.ops:
                continue
            lhs = _FORALL_PREFIX.sub("", st.parts[0])
            value = _clean_value(st.parts[-1])
            tier = 2 if st.boxed else 1
            if len(st.ops) == 1 and st.ops[0] in _INEQUALITIES:
                one_sided = inequality_to_interval([lhs, st.parts[1]], st.ops, keys)
                if one_sided and _said_to_be_the_set(st, block):
                    said.add(_set_key(one_sided))  # "holds for ε ≥ 0": no answer here, but it rivals one
                continue
            inequality = _inequality_after_set_word(st, keys - _SET_WORDS) if name_key(lhs) in keys else None
            if inequality:
                found = Found(inequality[0], st.line, tier)  # "the interval is $-1 < \varepsilon < 1$"
            elif name_key(lhs) in keys or _builds_set_of(lhs, keys):
                if not (st.ops[0] == "∈" or (set(st.ops) == {"="} and _SET_LIKE.match(value))):
                    continue
                found = Found(value, st.line, tier)
            elif len(st.ops) == 2 and all(op in _INEQUALITIES for op in st.ops) and name_key(st.parts[1]) in keys:
                found = Found(inequality_to_interval([lhs, *st.parts[1:]], st.ops, keys), st.line, tier)
            else:
                continue
            if name_key(lhs) not in _SET_WORDS and not _said_to_be_the_set(st, block):
                continue
            said.add(_set_key(inequality[1] if inequality else found.value))
            if best is None or found.tier >= best.tier:
                best = found
    if best is not None and best.tier < 2 and len(said) > 1:
        return None  # "holds for ε ≥ 0" and "holds for all ε ∈ ℝ": which one is the answer is not clear
    return replace(best, value=_semicolons_as_commas(best.value)) if best is not None else None


# A remark in brackets is never the answer: one on where the approximation is good, wherever it stands ("(Of
# course the approximation itself is only valid for small ε, say ε ∈ (−0.1, 0.1).)" gives no set of Q2.2's
# inequality), and a sentence of its own in brackets ("(The handout hints at $\rho(0.05) \approx 0.2505$, but I
# trust my computation.)"), which comments on the answer it follows.
_VALIDITY_REMARK = re.compile(r"\b(?:approximations?|expansions?|lineari[sz]ations?|taylor|maclaurin)\b[^()]{0,120}?"
                              r"\b(?:valid|accurate|good|reasonable|works?|appropriate|justified|meaningful|applies)\b",
                              re.I)
_SENTENCE_ENDS = re.compile(r"[.!?]\s*$")
_SENTENCE_IN_BRACKETS = re.compile(r"[.!?]\s*\)")
_WORD = re.compile(r"[^\W\d_]+")
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")


def _is_remark(remark: list[Segment], opens_sentence: bool) -> bool:
    """Is a closed bracket (its pieces, "(" first and ")" last) a remark: on the approximation's validity, or a
    sentence of its own — opening where a sentence starts, ending with its full stop, in two words or more (not a
    label such as "(b)", nor "(4 s.f.)" after a value)?"""
    words = "".join(r.text if r.kind == "text" else " $ " for r in remark)  # "(… $x$)" ends with no full stop
    if _VALIDITY_REMARK.search(words):
        return True
    return (opens_sentence and bool(_SENTENCE_ENDS.search(words[:-1])) and len(_WORD.findall(words)) >= 2
            and _LONG_WORD.search(words) is not None)


def _without_remarks(block: Block) -> Block:
    """The block without its remarks in brackets (:func:`_is_remark`), or the block itself when it has none;
    computed once a block.  A bracket is opened and closed in the text; maths between them is the remark's.
    Pieces are joined once at the end, so a paragraph of many brackets stays linear."""
    if block.without_remarks is not None:
        return block.without_remarks
    block.without_remarks = block
    prose = block.prose()
    if "(" not in prose or not (_VALIDITY_REMARK.search(prose) or _SENTENCE_IN_BRACKETS.search(prose)):
        return block
    kept: list[Segment] = []  # text pieces not yet joined, maths whole
    remark: list[Segment] = []  # the pieces of the bracket being read, its "(" first
    depth = 0
    sentence_start = True  # the text kept so far ends a sentence: a bracket opening here may be one
    opens_sentence = False  # the bracket being read opened at a sentence's start
    dropped = False

    def keep(pieces: list[Segment]) -> None:
        nonlocal sentence_start
        kept.extend(pieces)
        for piece in pieces:
            if piece.kind == "math":
                sentence_start = False
            elif piece.text.strip():
                sentence_start = bool(_SENTENCE_ENDS.search(piece.text))

    for seg in block.segments:
        if seg.kind == "math":
            if depth:
                remark.append(seg)
            else:
                keep([seg])
            continue
        at = 0
        for m in re.finditer(r"[()]", seg.text):
            if depth == 0 and m.group() == ")":
                continue  # a closing bracket with no opening stays text
            if depth == 0:
                keep([Segment("text", seg.text[at:m.start()])])
                opens_sentence, at = sentence_start, m.start()
            depth += 1 if m.group() == "(" else -1
            if depth == 0:
                remark.append(Segment("text", seg.text[at:m.end()]))
                at = m.end()
                if _is_remark(remark, opens_sentence):
                    dropped = True
                else:
                    keep(remark)
                remark = []
        piece = Segment("text", seg.text[at:])
        if depth:
            remark.append(piece)
        else:
            keep([piece])
    kept.extend(remark)  # a bracket never closed opens no remark
    if dropped:
        block.without_remarks = replace(block, segments=_joined(kept), statements=None, without_remarks=None)
    return block.without_remarks


def _without_remarks_in(sections: list[Section]) -> list[Section]:
    """The sections with their blocks' remarks in brackets left out (:func:`_without_remarks`), and without the
    blocks that were nothing else."""
    kept = [replace(s, blocks=[b for b in map(_without_remarks, s.blocks) if b.segments]) for s in sections]
    return [s for s in kept if s.blocks]


# A sentence that comments on an answer already given is not the answer: one introduced as a check, a note or a
# remark ("Check: this is close to the approximation, $\rho(0.05) \approx 0.25$, as it should be."), or one that
# says it is about where the approximation holds or about practice ("Note that the approximation itself is only
# accurate for $\varepsilon \in (-0.1, 0.1)$", "In practice we only care about $\varepsilon \in [0, 1]$").  It is
# left out only when the part's answer is stated before it; a correction ("Correction: …", "Actually, …") is no
# remark and still replaces the answer before it.
_REMARK_OPENING = re.compile(r"^[\s*_>]*(?:(?:sanity|quick|as\s+a)\s+check|check(?:ing)?|notes?|n\.?b\.?|remarks?|"
                             r"aside|side\s+note|for\s+comparison|compare|in\s+practice|of\s+course)\b", re.I)
_REMARK_TOPIC = re.compile(r"\bin\s+practice\b|\bonly\s+(?:accurate|valid|good|reasonable|meaningful)\b", re.I)


def _is_remark_sentence(pieces: list[Segment]) -> bool:
    words = "".join(p.text if p.kind == "text" else " $ " for p in pieces)
    return bool(_REMARK_OPENING.search(words) or _REMARK_TOPIC.search(words) or _VALIDITY_REMARK.search(words))


def _without_remark_sentences(block: Block) -> Block:
    """The block without its remark sentences (see above), or the block itself when it has none."""
    sentences: list[list[Segment]] = [[]]
    for seg in block.segments:
        if seg.kind == "math":
            sentences[-1].append(seg)
            continue
        at = 0
        for m in _SENTENCE_STOP.finditer(seg.text):
            sentences[-1].append(Segment("text", seg.text[at:m.end()]))
            sentences.append([])
            at = m.end()
        sentences[-1].append(Segment("text", seg.text[at:]))
    kept = [piece for sentence in sentences if not _is_remark_sentence(sentence) for piece in sentence]
    if len(kept) == sum(map(len, sentences)):
        return block
    return replace(block, segments=_joined(kept), statements=None, without_remarks=None)


def _without_remark_sentences_in(sections: list[Section]) -> tuple[list[Section], int | None]:
    """The sections without their remark sentences, and the line of the first paragraph that held one (None: no
    paragraph did)."""
    first: int | None = None
    out: list[Section] = []
    for section in sections:
        blocks = []
        for block in section.blocks:
            kept = _without_remark_sentences(block)
            if kept is not block:
                first = block.line if first is None else min(first, block.line)
            if kept.segments:
                blocks.append(kept)
        if blocks:
            out.append(replace(section, blocks=blocks))
    return out, first


# The handout's prompt pasted into an answer is the question, not the answer: "(d) Which of the two curves decays
# faster? Answer "approx" or "true"; …" says nothing of the student's, nor does Q2.4's prompt, which lists the
# rubric's ideas, nor a block quote of those ideas.  A sentence is copied when most of its words come in the pairs a prompt's sentence has them in, and it
# repeats most of that sentence: the handout's own rewording ("in a written answer you may say it") is still a copy,
# while a phrase the prompt quotes ("the true ratio decays more slowly than the approximation") is the student's.
_WORDS = re.compile(r"[^\W_]+")
_SENTENCE_STOP = re.compile(r"[.!?]+(?=\s|$)")
_COPIED_SHARE = 0.8  # of a sentence's words that a prompt's sentence has, next to the same neighbour
_REPEATED_SHARE = 0.6  # of that prompt's sentence's words the sentence repeats


@dataclass(frozen=True)
class Questions:
    """The sentences of a problem set's prompts (and of its rubrics' ideas, with ``ideas``), as lower-case words,
    indexed by pairs of words."""

    sentences: tuple[tuple[str, ...], ...]
    by_pair: dict[tuple[str, str], tuple[int, ...]]

    @staticmethod
    def of(parts: Iterable[Part], ideas: bool = False) -> "Questions":
        texts = [text for part in parts for text in (part.prompt, *(i.idea for i in part.rubric if ideas))]
        sentences = [words for text in texts for sentence in _split_sentences(text)
                     if len(words := _lower_words(sentence)) >= 3]
        by_pair: dict[tuple[str, str], list[int]] = {}
        for number, words in enumerate(sentences):
            for pair in set(zip(words, words[1:])):
                by_pair.setdefault(pair, []).append(number)
        return Questions(tuple(sentences), {pair: tuple(numbers) for pair, numbers in by_pair.items()})

    def copied(self, words: list[str]) -> int | None:
        """Where the copy of a prompt's sentence starts in ``words`` (after a label such as "(d)"), or None when
        the words are the student's own, or hold an answer of theirs."""
        if len(words) < 3:
            return None
        pairs = set(zip(words, words[1:]))
        shared: dict[int, int] = {}
        for pair in pairs:
            for number in self.by_pair.get(pair, ()):
                shared[number] = shared.get(number, 0) + 1
        for number, count in shared.items():
            question = self.sentences[number]
            if count < 2 or count < (1 - _COPIED_SHARE) * min(len(pairs), len(question)):
                continue  # too few pairs in common for either share: skip the word-by-word count
            mine = _paired(words, set(zip(question, question[1:])))
            if sum(mine) < _COPIED_SHARE * len(words) or sum(_paired(question, pairs)) < _REPEATED_SHARE * len(
                    question):
                continue
            start = mine.index(True)
            # The student's own words in it are a rewording, not an answer: none is a number ("ρ(0.05) = 0.2505
            # to 4 significant figures"), and the sentence does not go on past the copy ("… is ℝ")
            if mine[-1] and not any(not paired and any(c.isdigit() for c in word)
                                    for word, paired in zip(words[start:], mine[start:])):
                return start
        return None


def _split_sentences(text: str) -> list[str]:
    return _SENTENCE_STOP.split(text)


def _lower_words(text: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(text)]


def _paired(words: list[str] | tuple[str, ...], pairs: set[tuple[str, str]]) -> list[bool]:
    """For each word, whether it comes in one of ``pairs`` with the word before or after it."""
    flags = [False] * len(words)
    for k in range(len(words) - 1):
        if (words[k], words[k + 1]) in pairs:
            flags[k] = flags[k + 1] = True
    return flags


def _without_copied_questions(block: Block, questions: Questions) -> tuple[Block, bool]:
    """The block without the sentences it copies from the prompts (:class:`Questions`), what leads into each
    kept ("(d) "); and whether anything else is left, the student's own.  A sentence with maths in it is the
    student's: the prompts are plain text."""
    segments: list[Segment] = []
    own = False
    changed = False
    last = len(block.segments) - 1
    for k, seg in enumerate(block.segments):
        if seg.kind == "math":
            segments.append(seg)
            own = True
            continue
        text, kept = seg.text, []
        stops = [m.end() for m in _SENTENCE_STOP.finditer(seg.text)]
        starts = [0, *stops]
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(text)
            sentence = text[start:end]
            math_before = n == 0 and k > 0 and block.segments[k - 1].kind == "math"
            math_after = n == len(starts) - 1 and k < last and block.segments[k + 1].kind == "math"
            words = list(_WORDS.finditer(sentence))
            copy = None if math_before or math_after else questions.copied([w.group().lower() for w in words])
            if copy is None:
                kept.append(sentence)
                own = own or bool(sentence.strip())
            else:
                kept.append(sentence[:words[copy].start()])
                changed = True
        segments.append(Segment("text", "".join(kept)))
    if not changed:
        return block, True
    return replace(block, segments=_joined(segments), statements=None, without_remarks=None), own


def _leave_out_copied_questions(sections: list[Section], parts: list[Part]) -> None:
    """Take the prompts' sentences copied into the sections out of them (:func:`_without_copied_questions`): a
    section left with nothing of the student's own but labels ("(d) ") is empty, so its parts are not answered.

    A block quote is pasted text, so the rubrics' ideas as the handout lists them are looked for in it too; the
    student's own sentences may say an idea in the rubric's words: that is the answer."""
    prompts, handout = Questions.of(parts), Questions.of(parts, ideas=True)
    if not handout.sentences:
        return
    for section in sections:
        blocks = [_without_copied_questions(b, handout if b.quoted else prompts) for b in section.blocks]
        section.blocks = ([b for b, _ in blocks if any(s.kind == "math" or s.text.strip() for s in b.segments)]
                          if any(own for _, own in blocks) else [])


def _joined(pieces: list[Segment]) -> list[Segment]:
    """Segments with each run of text pieces joined into one text segment, empty ones left out."""
    out: list[Segment] = []
    run: list[str] = []
    for piece in [*pieces, None]:
        if piece is not None and piece.kind == "text":
            run.append(piece.text)
            continue
        if "".join(run):
            out.append(Segment("text", "".join(run)))
        run = []
        if piece is not None:
            out.append(piece)
    return out


def _semicolons_as_commas(value: str) -> str:
    """``(-\\infty; +\\infty)`` is ``(-\\infty, +\\infty)``: inside brackets a semicolon separates the ends."""
    out, depth = [], 0
    for ch in value:
        depth += (ch in "([") - (ch in ")]")
        out.append("," if ch == ";" and depth > 0 else ch)
    return "".join(out)


def _set_key(value: str) -> str:
    """One key per way of writing a set, enough to tell two sets apart: ℝ, \\mathbb{R} and (-∞, ∞) are one."""
    key = re.sub(r"\s+|\\left|\\right|\\!|\\,", "", _unicode_maths(_semicolons_as_commas(value))).replace("−", "-")
    return "R" if key in ("\\mathbb{R}", "\\mathbbR", "\\R", "(-\\infty,\\infty)", "(-\\infty,+\\infty)") else key


# The words right before a set that say it is the answer: "the inequality holds (only) for", "the set is", "Answer:"
_SET_LEAD_IN = re.compile(r"(?:\b(?:holds?|holding|true|satisfied|fulfill?ed|met)(?:\s+(?:only|exactly|precisely|just))?"
                          r"\s+(?:for|when|whenever|if|on)(?:\s+(?:all|every|any|each))?(?:\s+(?:values?\s+of|real))?"
                          r"|\b(?:set|interval|solutions?|answer|range)\b[^.!?;:$]{0,20}?(?:\bis|\bare|=)"
                          # "Hence the requested set is the complement, $\mathbb{R}$"
                          r"(?:\s+(?:the|its)\s+complement(?:\s+of\s+(?:that|this|it|the\s+empty\s+set))?\s*,?)?"
                          r"|\b(?:answer|solution|result)\s*:)\s*$", re.I)


def _said_to_be_the_set(st: Statement, block: Block) -> bool:
    """Is a set stated of the bare variable the answer, not a derivation's domain?  Boxed, alone in its
    paragraph, or after words that say so."""
    if st.boxed or _SET_LEAD_IN.search(st.context[-80:]):
        return True
    if len(block_statements(block)) > 1:
        return False  # "$\\dot\\sigma_{approx} = \\frac14 \\quad \\forall \\varepsilon \\in \\mathbb{R}$" qualifies another
    text = block.prose().rstrip(" .")  # once a paragraph: it holds this one statement
    return bool(re.fullmatch(r"\$[^$]+\$", text)) or (not st.context.strip() and "$" not in text
                                                      and text.endswith(st.parts[-1].strip().rstrip(".")))


def _names_the_question(sections: list[Section], parts: list[Part]) -> bool:
    """Does a heading name the question the parts belong to: ``# Question 2``, ``# Q2``?  A bare number
    (``## 2. Vectors``) does not: it numbers another text's sections as often."""
    for s in sections:
        title = re.sub(r"[*_`#]", "", s.heading).strip()
        if not s.key or not (s.key[0].isalpha() or LABEL_WORDS.match(title)):
            continue
        for part in parts:
            label = normalise_label(part.label)
            if label.startswith(s.key + ".") or label.lstrip("abcdefghijklmnopqrstuvwxyz").startswith(s.key + "."):
                return True
    return False


def _question_of(label: str) -> str:
    """``Q2.3b`` → ``Q2.3``, the heading that holds a sub-part; ``Q2.2`` stays."""
    return re.sub(r"(?<=\d)\s*\(?[a-z]\)?$", "", label)


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _name_keys(part: Part, bare: bool = True) -> set[str]:
    """The keys of the part's names; ``bare=False`` leaves out names of one bare word (ρ, ε, "interval")."""
    keys = {name_key(n) for n in part.names if " for " not in n}
    return keys if bare else {k for k in keys if not re.fullmatch(r"[a-z]+", k)}


def _clean_value(value: str) -> str:
    """Trim what follows a value in the same statement: punctuation, ``\\text{for all …}``, ``\\forall``."""
    v = value.strip()
    v = re.split(r"\\forall(?![a-zA-Z])|\\quad|\\qquad|,?\s*\\text\s*\{\s*(?:for|when|if|where|since|as)\b", v)[0]
    v = re.sub(r"\\[,;! ]\s*$", "", v.strip())
    return v.strip().rstrip(".,;:").strip()


def _statements(blocks: list[Block]) -> list[Statement]:
    return [st for b in blocks for st in block_statements(b)]


def _find_named(part: Part, blocks: list[Block], only_part: bool, tables: Iterable[Table] = (),
                keys: set[str] | None = None, numbers_only: bool = False,
                labelled: Iterable[tuple[Block, str]] = (), quantities: frozenset[str] = frozenset(),
                owners: dict[int, str] | None = None) -> Found | None:
    """\\boxed{} first, then the last statement naming the quantity, then (in a section of its own) the
    last value written.  ``numbers_only``: a number part's definition (``ρ(ε) = σ̇/tanḣ``) is no answer.
    ``labelled``: (block, what follows the part's label in it); a value alone there (``(b) 0.2505``) counts
    as if named.  ``quantities``: the name keys of every quantity the problem set names (see
    :func:`_last_unnamed_maths`).  ``owners``: the part whose label each paragraph is under (see
    :func:`_paragraph_owners`): once the part's own paragraphs give an answer, another part's paragraphs
    ("(c) Using the handout's value $\\rho(0.05) \\approx 0.2505$ …") give none."""
    keys = _name_keys(part) if keys is None else keys
    approximated = {name_key(n) for n in part.approximates}
    found: list[Found] = []
    unnamed_boxes: list[Found] = []
    approximations: dict[int, tuple[Block, Statement]] = {}  # id of a Found read from the approximated quantity
    origin: dict[int, int] = {}  # id of a Found → id of the block it was read from

    def add(f: Found, block: Block | None, to: list[Found] = found) -> None:
        to.append(f)
        if block is not None:
            origin[id(f)] = id(block)

    labelled = list(labelled)
    labelled_ids = {id(b) for b, _ in labelled}
    mine = normalise_label(part.label)

    def own(block: Block | None) -> bool:
        """Is the block the part's own: its section, or under its label in its question's?"""
        return block is not None and (only_part or id(block) in labelled_ids or (owners or {}).get(id(block)) == mine)

    statements = [*((b, st) for b in blocks for st in block_statements(b)),
                  *((None, st) for st in _table_statements(tables))]
    # the last statement of each maths span, and the block after each in its section: a value may go on there
    last_maths = {(id(b), st.segment): st for b, st in statements if b is not None and st.span is None}
    next_block = {id(a): b for a, b in zip(blocks, blocks[1:]) if a.section == b.section}
    for block, st in statements:
        named = _naming(st, keys, quantities | approximated) or _approximation_named(st, approximated, quantities)
        if named is None and (named := _approximating(st, approximated)) is not None:
            if value := _clean_value(named[1]):
                add(Found(value, st.line, 0.75, st.problem), block)  # a name of the answer itself wins
                if block is not None:
                    approximations[id(found[-1])] = (block, st)
            continue
        if named is not None:
            key, stated = named
            value = _clean_value(stated)
            if st.handed_on_from is not None and stated == st.parts[-1] and \
                    not _final_form(_clean_value(st.handed_on_from), value, part):
                value = _clean_value(st.handed_on_from)  # "1 - \varepsilon^2 \Rightarrow 1": a limit, not the answer
            if not value:
                continue
            # ρ(0.05) ≈ 0.2505 answers; a later "ρ(ε) ≈ ρ_approx = 1/4" or "ρ ≈ 0.25" is a remark on it
            tier = 2.0 if st.boxed else 1.25 if _at_an_argument(key) else 1.0
            if not st.boxed and _defined_by_names(value, quantities | keys | approximated):
                # "ρ_approx(ε) = σ̇_approx/tanḣ_approx" restates the definition; "this is $\frac{1/4}{1} = 0.25$"
                # right after it gives the value, else a value named elsewhere beats the definition
                continued = _value_continuing(block, st, quantities | keys | approximated) if own(block) else None
                if continued is not None:
                    value = continued
                else:
                    tier -= 0.5
            if part.kind == "number" and not _looks_numeric(value):
                if numbers_only:
                    continue
                tier -= 0.5  # "ρ(ε) = σ̇(ε)/tanḣ(ε)" is a definition; "ρ(0.05) ≈ 0.2505" the answer
            elif 1 <= tier < 2 and own(block) and (block.answer_callout
                                                    or _ANSWER_SAID_BEFORE.search(st.context[-80:])):
                tier = _ANSWER_LINE  # "**Answer:** $\rho(0.05) \approx 0.2505$", also in "> **Solution:** …"
            if block is not None and not st.boxed and (refined := _refined_value(
                    block, st, part, keys, last_in_span=last_maths.get((id(block), st.segment)) is st,
                    next_block=next_block.get(id(block)), names=quantities | keys | approximated)) \
                    and _final_form(value, refined, part):
                value = refined  # "$\rho(0.05) \approx 0.25$ (more precisely $0.2505$)"
            add(Found(value, st.line, tier, st.problem), block)
        elif st.table_row:
            continue  # a row of a table is only read when its first cell names the quantity
        elif st.boxed and (not st.ops or not _looks_like_name(st.parts[0])):
            add(Found(_clean_value(st.parts[-1]), st.line, 2), block, unnamed_boxes)
        elif only_part and st.parts[-1].strip() and not (st.ops and st.ops[-1] not in _EQUALITIES):
            add(Found(_clean_value(st.parts[-1]), st.line, 0), block)
    if only_part:
        for b in blocks:
            if (value := _bare_number(b)) is not None:
                add(Found(value, b.line, 0), b)
    for b, after in labelled:
        if (value := _value_after_label(after, part, keys)) is not None:
            add(Found(value, b.line, 1.0), b)
    for b in blocks:
        if own(b) and (value := _answer_line(b, part, keys)) is not None:
            add(Found(value, b.line, _ANSWER_LINE), b)  # "**Answer:** $0.2505$" after the working
    named_lines: dict[int, bool] = {}  # one look per line, however many boxes it holds
    for box in unnamed_boxes:  # "(b) $\boxed{0.2505}$": the box after the part's label is the part's
        owned = only_part or origin.get(id(box)) in labelled_ids
        if not owned and box.line not in named_lines:
            named_lines[box.line] = _named_nearby(box, blocks, keys)
        if owned or named_lines[box.line]:
            found.append(box)
    # "σ'(ε) ≈ σ'(0) = ¼" as a first step, the final answers unnamed after it: the approximated quantity's
    # value does not count, and if nothing else does, which is the final answer is not clear
    passed_over: Found | None = None
    last_unnamed = _last_unnamed_maths(blocks, quantities | keys | approximated) if approximations else {}
    index = {id(b): k for k, b in enumerate(blocks)} if approximations else {}
    dropped: set[int] = set()
    for f in [f for f in found if id(f) in approximations]:
        block, st = approximations[id(f)]
        unnamed = last_unnamed.get(block.section)
        if unnamed is not None and unnamed[0] > _position(index[id(block)], st):
            dropped.add(id(f))
            passed_over = replace(f, problem=(
                f"“{_shorten(st.raw, 80)}” (line {st.line}) gives the exact quantity approximately, but maths "
                f"after it in the same section (“{_shorten(unnamed[1], 60)}”) is not said to be any quantity of the "
                f"question, so which is the final answer for {part.label} is not clear. {_how_to_write(part)}"))
    found = [f for f in found if id(f) not in dropped]
    if owners:  # once the part's own paragraphs answer, another part's do not, nor the question's general ones
        under = {id(f): owners.get(origin.get(id(f))) for f in found}
        if any(under[id(f)] == mine and f.tier >= 1 for f in found):  # a value, not a definition
            found = [f for f in found if under[id(f)] == mine]
        elif mine in under.values():
            found = [f for f in found if under[id(f)] in (None, mine)]
    if not found:
        return passed_over
    found.sort(key=lambda f: f.line)  # a table's rows come after the paragraphs: put them in place
    top = max(f.tier for f in found)
    return [f for f in found if f.tier == top][-1]


_PRODUCT = re.compile(r"/|\*|\\(?:cdot|times)(?![a-zA-Z])")
_FRACTION = re.compile(r"\\[dt]?frac\s*(?=\{)")


def _defined_by_names(value: str, names: set[str]) -> bool:
    """Is the value a product or ratio of quantities' own names and nothing else (``\\frac{\\dot\\sigma_{approx}}
    {\\dot\\tanh_{approx}}``, ``σ̇_approx/tanḣ_approx``): a definition, not an answer?"""
    atoms = _factors(value)
    return len(atoms) > 1 and all(_only_names(a.strip(), names) for a in atoms)


def _factors(text: str) -> list[str]:
    """The factors of a product or ratio at the top level: ``\\frac{a}{b}`` → [a, b], ``a/b \\cdot c`` → [a, b, c]."""
    text = text.strip()
    m = _FRACTION.match(text)
    if m:
        pairs = _brace_pairs(text)
        top_end = pairs.get(m.end(), -1)
        bottom = top_end + 1 + len(text[top_end + 1:]) - len(text[top_end + 1:].lstrip())
        if top_end > 0 and text.startswith("{", bottom) and pairs.get(bottom) == len(text) - 1:
            return _factors(text[m.end() + 1:top_end]) + _factors(text[bottom + 1:-1])
    return [p for p in _split_top(text, _PRODUCT) if p.strip()]


# "… $\rho_{approx} = \dot\sigma_{approx}/\dot\tanh_{approx}$. With Q2.1 this is $\frac{1/4}{1} = 0.25$": the
# words that hand the definition on to its value, right before the maths that gives it
_CONTINUES = re.compile(r"\b(?:this|that|it|which)\s+(?:is|gives|equals|becomes|comes\s+to|evaluates\s+to)"
                        r"(?:\s+(?:just|simply|then|now))?\s*:?\s*$", re.I)


def _value_continuing(block: Block, st: Statement, names: set[str]) -> str | None:
    """The value in the maths right after a definition when the words between hand it on ("this is"): the
    last side of its chain of equalities (``\\frac{1/4}{1} = 0.25`` → ``0.25``).  None otherwise."""
    if st.span is not None:
        return None  # a definition in plain text: no maths span follows it as one
    between = ""
    for k in range(st.segment + 1, len(block.segments)):
        seg = block.segments[k]
        if seg.kind != "math":
            between += seg.text
            continue
        if not _CONTINUES.search(between) or not _is_a_value(seg.text, block, k, names):
            return None
        chains = [s for s in block_statements(block) if s.segment == k]
        if any(_says_a_quantity(s, names) or not set(s.ops) <= _EQUALITIES for s in chains) or len(chains) > 1:
            return None
        return _clean_value(chains[0].parts[-1] if chains else seg.text) or None
    return None


# Words that give the final answer, in the part's own section or paragraphs: "**Answer:**", "Final answer:", "The
# answer is", "Result:", "Numerically this is (about)".  What follows them beats the working before (not a box).
_ANSWER_SAID = (r"(?<!\w)(?:(?:final|my)\s+)?answer\s*(?::|=|\bis\b\s*:?)|(?<!\w)(?:final\s+)?result\s*[:=]"
                r"|\bfinal\s+result\s+is\b|\bnumerically\s*,?\s*(?:(?:this|that|it)\s+(?:is|gives|equals|comes\s+to|"
                r"becomes)|(?:we|I)\s+(?:get|have|obtain|find))(?:\s+(?:about|approximately|roughly|around))?\s*[:=]?")
_ANSWER_SAID_IN = re.compile(_ANSWER_SAID, re.I)
_ANSWER_SAID_BEFORE = re.compile(rf"(?:{_ANSWER_SAID})\s*$", re.I)
# Where the value after those words ends: its sentence, a remark in brackets
_ANSWER_ENDS = re.compile(r"\.(?=\s|$)|[;!?\n]|,\s|\s\(")
_ANSWER_LINE = 1.5  # above any statement naming the quantity, below a box


def _answer_line(block: Block, part: Part, keys: set[str]) -> str | None:
    """The value written alone after words that give the answer ("**Answer:** $0.2505$", "Numerically this is
    0.2505."), or after the label of an answer callout ("> **Solution:** $0.2505$"), the last in the block; None if
    there is none.  A statement after them is read as a statement."""
    text = block.prose()
    value = None
    callout = [_ANSWER_CALLOUT.match(text)] if block.answer_callout and _ANSWER_CALLOUT.match(text) else []
    for m in [*callout, *_ANSWER_SAID_IN.finditer(text)]:
        rest = text[m.end():]
        end = _ANSWER_ENDS.search(rest.lstrip())
        rest = rest.lstrip()[: end.start() if end else None]
        value = _value_after_label(rest, part, keys) or value
    return value


# Words right after a value that give it more precisely: "(more precisely $0.2505$)", ", or more precisely 0.2505"
_MORE_PRECISELY = re.compile(r"\s*+[(,;]?\s*+(?:or\s+)?(?:more\s+(?:precisely|accurately|exactly)|to\s+be\s+(?:more\s+)?"
                             r"precise|precisely)\s*+[,:]?\s*+(?:=|≈|\\approx)?\s*+", re.I)


# Words that hand a value on to the final one written right after it: ", which gives $0.2505$", ", i.e. $0.2505$",
# ". Rounded: $0.2505$", ", so my final value is $0.2505$" (nothing but punctuation when that maths opens with
# its relation: "$\rho(0.05) = \frac{0.2498}{0.9975}$ $\approx 0.2505$").  Words about another value ("about a
# quarter", "compared with …", "which is close to") hand nothing on.
_HANDED_ON = re.compile(
    r"\s*+[,;:.]?\s*+(?:and\s+)?(?P<words>(?:(?:so|thus|hence|therefore)\b\s*+,?\s*+)?(?:(?:(?:which|this|that|it)\s+"
    r"(?:then\s+)?)?(?:gives|yields|rounds\s+(?:off\s+)?to|simplifies\s+to|reduces\s+to|comes\s+to|evaluates\s+to)\b"
    r"|i\.\s*e\.?|that\s+is\b|rounded(?:\s+off)?\b|simplified\b|(?:(?:my|the)\s+)?final\s+(?:value|answer|result)"
    r"(?:\s+is\b)?|⇒|=>)|(?:so|thus|hence|therefore)\b)?\s*+[,:]?\s*+", re.I)
# The relation a value handed on may open with, and what may follow it: its sentence's end or a remark
_OPENING_RELATION = re.compile(r"\s*+(?:=|≈|\\approx(?![a-zA-Z])|\\simeq(?![a-zA-Z]))\s*+")
_VALUE_ENDS = re.compile(rf"\s*+(?:$|[.,;!?(]|{_PRECISION_SAID})", re.I)


def _refined_value(block: Block, st: Statement, part: Part, keys: set[str], last_in_span: bool = True,
                   next_block: Block | None = None, names: set[str] = frozenset()) -> str | None:
    """The value a statement's own words give more precisely or hand on to right after it, or None: ``$\\rho(0.05)
    \\approx 0.25$ (more precisely $0.2505$)``, "…, or more precisely 0.2505" (a number, written alone),
    ``$\\rho(0.05) \\approx 0.2498/0.9975$, which gives $0.2505$.`` (see :data:`_HANDED_ON`), when it is
    ``last_in_span`` (no other statement follows it in its maths).  ``next_block``: the block after the
    statement's, whose display maths may go on with its relation (``$$= 0.2505$$``).  ``names``: the quantities'
    name keys; a value handed on is none of them, nor made of them ("…, i.e. $\\dot\\sigma(0)$")."""
    k = st.segment
    if st.span is not None:  # plain text: what follows the statement in its own text
        after, following = block.segments[k].text[st.span[1]:], k + 1
    elif k + 1 < len(block.segments) and block.segments[k + 1].kind == "text":
        after, following = block.segments[k + 1].text, k + 2
    else:
        after, following = "", k + 1
    m = _MORE_PRECISELY.match(after)
    if m is not None:
        rest = after[m.end():]
        if not rest.strip(" )") and following < len(block.segments) and block.segments[following].kind == "math":
            rest = f"${block.segments[following].text}$"
        number = re.match(r"\$[^$]++\$|[^\s),;]++", rest.strip())
        return _value_after_label(number.group(), part, keys) if number else None
    if st.span is None and not last_in_span:
        return None
    value = _value_handed_on(block, after, following, part, keys, next_block if not after.strip() else None)
    if value is None or _looks_like_name(value) or _only_names(value, names) or _defined_by_names(value, names):
        return None
    return value


def _final_form(named: str, handed_on: str, part: Part) -> bool:
    r"""Whether ``handed_on``, a value written after the named answer ``named`` ("…, which gives $0.2505$", "⇒ 0.2505"),
    is the answer's final form rather than a remark on it.  It must read as the part's answers do ("…, i.e.
    $\sigma(0)(1-\sigma(0))$" does not), be a number where a number is asked and the named value is one, and keep
    the part's variables where the named value has them ("$1 - \varepsilon^2 \Rightarrow 1$ when ε is small",
    "$= 0.25 \quad (\varepsilon = 0)$" are a limit and a value at one point, not the answer)."""
    if part.kind == "number":
        return _looks_numeric(handed_on) or not _looks_numeric(named)
    variables = declare(getattr(part.options, "variables", ()) or ())
    try:
        handed = read_math(handed_on, variables=variables or None).value
    except Unreadable:
        return False
    try:
        before = read_math(named, variables=variables or None).value
    except Unreadable:
        return True  # the named value cannot be read: the value it was handed on to can

    def free(value) -> set:
        return getattr(value, "free_symbols", None) or set()
    return not (free(before) and not free(handed))


def _value_handed_on(block: Block, after: str, following: int, part: Part, keys: set[str],
                     next_block: Block | None) -> str | None:
    """The value alone that ``after`` (the text right after a statement) hands the statement's value on to, in
    that text or in the maths after it (``following``, the next segment; or, when nothing follows in the block,
    ``next_block``'s display maths), then ending its sentence; None if there is none."""
    m = _HANDED_ON.match(after)
    rest = after[m.end():]
    maths = not rest.strip()
    if not maths:  # a plain-text value: "ρ(0.05) ≈ 0.2498/0.9975, which gives 0.2505."
        value = re.match(r"[^\s,;]++", rest.strip()).group()
        if value.endswith("."):
            value, tail = value[:-1], "."
        else:
            tail = rest.strip()[len(value):]
    elif following < len(block.segments) and block.segments[following].kind == "math":
        value = block.segments[following].text
        tail = block.segments[following + 1].text if following + 1 < len(block.segments) else ""
    elif next_block is not None and next_block.segments[0].kind == "math" and next_block.segments[0].display:
        value = next_block.segments[0].text
        tail = next_block.segments[1].text if len(next_block.segments) > 1 else ""
    else:
        return None
    relation = _OPENING_RELATION.match(value)
    if relation is not None:
        value = value[relation.end():]
    elif not m.group("words"):
        return None  # "$\\rho(0.05) \\approx 0.2505$, $0.25$": a value of its own, not this one's end
    if not _VALUE_ENDS.match(tail) or split_chain(value)[1]:
        return None  # "which gives $0.2505^{20}$ at T = 20", "so $0.2505^T = …$": about something else
    return _value_after_label(f"${value.strip()}$" if maths else value, part, keys)


# Plain-text maths: "1/4 + ε/4", "1 − ε", "0.2505", "2·0" (not "Q2.1", "Part 1." or "first-order")
_PLAIN_MATHS = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+)?|[εϵ]|eps(?:ilon)?\b)\s*[-+−*/×·^²]\s*(?:\d|[εϵ(]|eps)"
                          r"|(?<![\w.])\d*\.\d+(?![\w.])", re.I)
_CONDITION = re.compile(r"\\(?:ll|gg|to|rightarrow|approx\s*0)(?![a-zA-Z])|→")


def _last_unnamed_maths(blocks: list[Block], quantities: set[str]) -> dict[int, tuple[tuple, str]]:
    """For each section, the last maths in it that no statement gives a quantity of the question (a name in
    ``quantities``): a boxed or displayed value, a formula, a plain-text value such as ``1/4 + ε/4``; as
    (its position, as :func:`_position` orders them; its text).  A name or the variable alone
    (``$\\varepsilon$``) and a condition (``$\\varepsilon \\ll 1$``, ``$x = 0$``) are no values.  One pass over
    the blocks, however many statements ask."""
    last: dict[int, tuple[tuple, str]] = {}
    for at, block in enumerate(blocks):
        attributed = [s for s in block_statements(block) if _says_a_quantity(s, quantities)]
        for k, seg in enumerate(block.segments):
            if seg.kind == "math":
                if not any(s.segment == k for s in attributed) and _is_a_value(seg.text, block, k, quantities):
                    last[block.section] = ((at, k, 0), seg.text.strip())
                continue
            for m in _PLAIN_MATHS.finditer(seg.text):
                if not any(s.segment == k and s.span and s.span[0] <= m.start() < s.span[1] for s in attributed):
                    last[block.section] = ((at, k, m.start()), seg.text[m.start(): m.start() + 40].strip())
    return last


def _position(at: int, st: Statement) -> tuple:
    """Where a statement ends, comparable with :func:`_last_unnamed_maths`' positions: maths in the same span
    is the statement's own; in plain text what starts after its end is after it."""
    return (at, st.segment, st.span[1] - 0.5 if st.span else float("inf"))


def _says_a_quantity(st: Statement, quantities: set[str]) -> bool:
    """Does the statement give a value to a quantity the question names (on its left or inside the chain)?"""
    return st.lhs_key in quantities or any(key in quantities for _, key in st.inner_keys)


def _is_a_value(latex: str, block: Block, k: int, quantities: set[str]) -> bool:
    """Is a maths span that no statement names a value or a formula, not a name, the variable or a condition?"""
    text = latex.strip().rstrip(".,;").strip()
    if not text or name_key(text) in quantities or _looks_like_name(text) or _CONDITION.search(text):
        return False
    statements = [s for s in block_statements(block) if s.segment == k and s.ops]
    if statements and all(set(s.ops) <= _INEQUALITIES | {"∈"} or _variable_like(s.parts[0]) for s in statements):
        return False  # "$\\varepsilon < 1$", "at $x = 0$": a condition, not a value
    return True


def _bare_number(block: Block) -> str | None:
    """A number written alone as plain text in its paragraph (``0.2505``, ``Q2.3b: 0.2505``, ``\\frac{1}{4}``)."""
    text = block.prose().strip().rstrip(".").strip()
    if "$" in text or len(text) > 60 or not _looks_numeric(text):
        return None
    return _clean_value(text)


def _value_after_label(after: str, part: Part, keys: set[str]) -> str | None:
    """A value written alone after a part's label: ``(b) 0.2505``, ``(b) $0.2505$``, ``(a) $\\frac14$``, or the
    last side of an unnamed chain of equalities (``(b) $\\frac{0.2498}{0.9975} = 0.2505$``); a number part's
    value must be a number.  None for a sentence ("(b) we get about 0.2505") or a statement
    (read as one), and for the quantity's name alone (``(b) $\\rho(0.05)$``)."""
    text = after.strip().rstrip(".").strip()
    m = re.fullmatch(r"\$([^$]+)\$", text)
    if m is None and ("$" in text or len(text) > 60 or not _looks_numeric(text)):
        return None
    value = _clean_value(m.group(1) if m else text)
    parts, ops = split_chain(value)
    if ops and set(ops) <= _EQUALITIES and parts[0].strip() and not _looks_like_name(parts[0]) \
            and not _variable_like(parts[0]):
        value = _clean_value(parts[-1])  # "(b) $\\frac{0.2498}{0.9975} = 0.2505$": a working's last value
    elif ops:
        return None  # a statement, read as one
    if not value or name_key(value) in keys:
        return None
    return value if part.kind != "number" or _looks_numeric(value) else None


def _stated_value(st: Statement, start: int = 0, names: Iterable[str] = ()) -> str | None:
    """What a chain says its left side (or its part ``start``) equals: the value after the last =/≈ of the
    ones that follow; a relation after it is a remark on the value (``ρ ≈ 0.2505 < 1`` → ``0.2505``).  A last
    side that only names a quantity (its key in ``names``) is a remark too: ``ρ(0.05) ≈ 0.2505 ≈
    ρ_approx(0.05)`` → ``0.2505``.  None if no =/≈ follows."""
    k = start
    while k < len(st.ops) and st.ops[k] in _EQUALITIES:
        k += 1
    while k > start + 1 and _only_names(st.parts[k], names):
        k -= 1
    return st.parts[k] if k > start else None


def _only_names(text: str, names: Iterable[str]) -> bool:
    """Is ``text`` a quantity's name and nothing else, at a number or not (``\\rho_{approx}(0.05)``, ``\\dot\\sigma(0)``
    for the names ρ_approx and σ̇)?"""
    if not names or len(text) > _NAME_CHARS:
        return False
    key = name_key(text)
    return key in names or re.sub(r"\(\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*\)", "", key) in names


def _naming(st: Statement, keys: set[str], names: Iterable[str] = ()) -> tuple[str, str] | None:
    """(the name's key, the value) a chain gives the quantity named by ``keys``: named on the left, or in the
    middle of equalities (``σ̇(ε) ≈ σ̇_approx(ε) = 1/4`` → ``1/4``); ``names``: the keys of every quantity,
    whose name alone last in the chain is no value (see :func:`_stated_value`)."""
    names = frozenset(names) | frozenset(keys)
    if st.lhs_key in keys:
        value = _stated_value(st, 0, names)
        return (st.lhs_key, value) if value is not None else None
    for k, key in st.inner_keys:
        if key in keys and st.ops[k - 1] in _EQUALITIES:
            value = _stated_value(st, k, names)
            return (key, value) if value is not None else None
    return None


# "the linear approximation of σ̇ is 1/4": the words before the exact quantity's name make it the approximation's
# ("the error of the linear approximation of σ̇ is …" names something else)
_APPROXIMATION_OF = re.compile(r"(?<!\bof\s)(?<!\bin\s)(?<!\bfor\s)\bthe\s+(?:linear|first[- ]order)\s+"
                               r"approximation\s+(?:of|to)\s+(?:the\s+)?$", re.I)


def _approximation_named(st: Statement, approximated: set[str], names: Iterable[str]) -> tuple[str, str] | None:
    """(key, value) of a statement that names the approximation by the exact quantity's name after "the linear
    approximation of": what the part asks, as ``σ̇_approx(ε) = 1/4`` is."""
    if st.lhs_key not in approximated or not _APPROXIMATION_OF.search(st.context[-80:]):
        return None
    value = _stated_value(st, 0, frozenset(names) | approximated)
    return (st.lhs_key, value) if value is not None else None


def _approximating(st: Statement, keys: set[str]) -> tuple[str, str] | None:
    """(key, value) of ``σ'(ε) ≈ 1/4``: the exact quantity, said to be approximately the value (a ≈ in the
    chain).  ``σ'(ε) = σ(ε)(1 − σ(ε))`` defines the exact quantity and is no answer."""
    if st.lhs_key not in keys:
        return None
    k = 0
    while k < len(st.ops) and st.ops[k] in _EQUALITIES:
        k += 1
    return (st.lhs_key, st.parts[k]) if "≈" in st.ops[:k] else None


def _at_an_argument(key: str) -> bool:
    """Does a name's key hold the number the question asks at: ``rho(0.05)``, not ``rho``?"""
    return re.search(r"\(\s*[-+]?\.?\d", key) is not None


def _table_statements(tables: Iterable[Table]) -> list[Statement]:
    r"""``| $\dot\sigma_{approx}$ | $\frac14$ |``: each row of two cells or more as ``first = answer``, the answer
    the cell of its table's answer column (:func:`_value_column`)."""
    out = []
    for table in tables:
        header = [re.sub(r"[*_`]", "", cell).strip() for cell in table.rows[0]] if table.rows else []
        for number, row in enumerate(table.rows):
            column = _value_column(header, len(row)) if len(row) > 2 else 1
            cells = [_cell_text(c) for c in (row[0], row[column])] if column is not None and len(row) >= 2 else []
            if len(cells) == 2 and all(cells):
                line = table.line + number + (1 if number else 0)  # the |---| line is not a row
                out.append(Statement(*_row_chain(*cells), line, " | ".join(row), table_row=True))
    return out


def _row_chain(name: str, value: str) -> tuple[list[str], list[str]]:
    """A row ``| name | value |`` as a chain: ``name = value``, a chain in the value cell going on from it
    (``| $\\rho(0.05)$ | $\\frac{0.2498}{0.9975} = 0.2505$ |`` is ρ(0.05) = 0.2498/0.9975 = 0.2505)."""
    parts, ops = split_chain(value)
    if ops and ops[0] in _EQUALITIES and parts[0].strip():
        return [name, *parts], ["=", *ops]
    return [name, value], ["="]


def _value_column(header: list[str], width: int) -> int | None:
    """The column of a table keyed by quantity (``| Quantity | Derivation | Result |``) that holds the values: the
    one headed as the answer (:func:`_answer_column`), else the last not headed as a remark ("Notes"); None if
    every column after the first is a remark's."""
    column = _answer_column(header, width)
    if column is not None:
        return column
    kept = [k for k in range(1, width) if not (k < len(header) and _REMARK_COLUMN.search(header[k]))]
    return kept[-1] if kept else None


def _cell_text(cell: str) -> str:
    return cell.strip().strip("*").strip().strip("$").strip()


def _named_nearby(box: Found, blocks: list[Block], keys: set[str]) -> bool:
    for b in blocks:
        if b.line == box.line:
            text = b.prose()
            before = text[: text.find("\\boxed")] if "\\boxed" in text else text
            tokens = re.findall(r"\$([^$]+)\$|(\S+)", before)
            for formula, word in reversed(tokens):
                token = formula or word
                if name_key(token) in keys:
                    return True
    return False


_NUMERIC = re.compile(r"^[\s\d.,+\-*/^{}()eE]*$")


_PERCENT_AFTER = re.compile(r"\s*(?:\\%|%|\\text\s*\{\s*\\?%\s*\})\s*$")


def _a_value(value: str) -> bool:
    """Is ``value``, as written in a list, one number, perhaps in percent (``25.05\\%``, ``9.44e-11%``)?"""
    return _looks_numeric(_unspaced(_PERCENT_AFTER.sub("", value)))


def _looks_numeric(value: str) -> bool:
    v = re.sub(r"\\(?:mathrm|text|rm)\s*\{\s*([eE])\s*\}", r"\1", value)  # 9.72\mathrm{e}{-7}
    v = re.sub(r"\\(?:frac|dfrac|tfrac|times|cdot|left|right|,|!|;)", " ", v)
    return bool(_NUMERIC.match(v)) and bool(re.search(r"\d", v))


# -- intervals ---------------------------------------------------------------

_ALL_REALS = re.compile(r"\b(?:all|every|any)\s+(?:the\s+)?real(?:\s+numbers?|\s+values?)?\b|\bthe\s+(?:whole|entire)\s+"
                        r"real\s+(?:line|axis)\b|\bthe\s+real\s+line\b", re.I)
# "for all ε", "for every $\varepsilon$": the variable itself is checked by its name.
_FOR_ALL = re.compile(r"\bfor\s+(?:all|every|any|each)\s+(?:(?:the\s+)?values?\s+of\s+)?(?P<variable>\$[^$]{1,40}\$|[^\s.,;:$]+)"
                      r"|\$\s*(?:\\forall(?![a-zA-Z])|∀)\s*(?P<symbol>[^$]{1,40}?)\s*\$", re.I)
_HOLDS = re.compile(r"\b(?:holds?|holding|true|satisfied|valid|fulfill?ed|met)\b[^.!?]*$", re.I)
# What may follow "all real numbers": the variable, "(values) of ε"
_VARIABLE_AFTER = re.compile(r"\s*(?:(?:values?\s+)?of\s+)?(?P<variable>\$[^$]{1,40}\$|[^\s.,;:$]+)")
# "all real numbers except 0", "…, apart from 1", "but 1" (", but …" starts a new clause)
_EXCEPT = re.compile(r"\s*,?\s*(?:except(?:\s+for)?|excluding|other\s+than|apart\s+from|aside\s+from|save(?:\s+for)?|"
                     r"besides)\s+(?P<what>[^.;:!?\n]*)|\s*(?:but|without)\s+(?!the\b|it\b|this\b|that\b|exception)"
                     r"(?P<what2>[^.,;:!?\n]*)", re.I)
# A condition that narrows "all real numbers" down, said in words or maths.
_NARROWED = re.compile(r"\s*(?:(?:(?:that|which)\s+are|such|so\s+that|where|whose|with|satisfying|for\s+which|greater|larger|"
                       r"bigger|more|less|smaller|lower|higher|above|below|under|over|between|from|up\s+to|at\s+least|"
                       r"at\s+most|within|in|inside|near|close|not|strictly|positive|negative|non)\b|[<>=≤≥≠∈]|"
                       r"\$\s*(?:[<>=≤≥≠∈]|\\(?:[lg]eq?|[lg]t|neq?|in)(?![a-zA-Z])))", re.I)
_NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "minus one": "-1", "one half": "1/2"}
_SET_LIKE = re.compile(r"\s*(?:(?:\\left\s*)?[(\[\]].*[,;]|\\mathbb\s*\{?\s*R\b|\\R(?![a-zA-Z])|ℝ|\\emptyset|\\varnothing|∅"
                       rf"|{_PLAIN_REALS_LESS})", re.S)
# Matched against stripped text, with no \s* beside the lazy group: that combination backtracked
# cubically on "|" followed by thousands of spaces.
_ABSOLUTE = re.compile(r"(?:\\left\s*)?(?:\||\\lvert|\\vert)(?P<inner>[^|]*?)(?:\\right\s*)?(?:\||\\rvert|\\vert)",
                       re.S)
_NAME_MAX = 200  # more than any variable's name, written any way
_FORALL_PREFIX = re.compile(r"^\s*(?:\\forall(?![a-zA-Z])|∀)\s*")
_INEQUALITIES = {"<", ">", "≤", "≥"}
# Words that name the set itself: "the set is $\mathbb{R}$", "the interval is …"
_SET_WORDS = {"set", "interval", "domain"}


def _find_interval(part: Part, blocks: list[Block], only_part: bool) -> tuple[Found | None, str]:
    """The set: stated (``ε \\in …``, ``\\{ε \\in \\mathbb{R}\\} = …``), from inequalities (also ``|ε| < ∞``),
    alone on its line in the part's own section, or said in words ("all real numbers", "for all ε")."""
    keys = _name_keys(part) | _SET_WORDS | _variable_key(part)
    variable_keys = {k for k in keys if k not in _SET_WORDS}
    best: Found | None = None
    whole: Found | None = None  # the last inequality in the variable, read whole

    def take(found: Found) -> None:
        nonlocal best
        if best is None or found.tier >= best.tier:
            best = found

    for st in _statements(blocks):
        if not st.ops:
            if st.boxed:
                take(Found(_clean_value(st.parts[0]), st.line, 2 if only_part else 1))
            elif only_part and _SET_LEAD_IN.search(st.context[-80:]) and _SET_LIKE.match(st.parts[0]):
                take(Found(_clean_value(st.parts[0]), st.line, 1))  # "Answer: $\mathbb{R}$"
            continue
        lhs = _FORALL_PREFIX.sub("", st.parts[0])  # "\forall ε \in \mathbb{R}"
        inequality = _inequality_after_set_word(st, variable_keys)
        if inequality:
            take(Found(inequality[0], st.line, 2 if st.boxed else 1))  # "the set is $\varepsilon \geq 0$"
            continue
        if (name_key(lhs) in keys or _builds_set_of(lhs, variable_keys)) and st.ops[0] in ("∈", "="):
            take(Found(_clean_value(st.parts[-1]), st.line, 2 if st.boxed else 1))
            continue
        if not all(op in _INEQUALITIES for op in st.ops):
            continue
        parts = [lhs, *st.parts[1:]]
        interval = None
        if any(name_key(p) in variable_keys for p in parts):
            interval = inequality_to_interval(parts, st.ops, variable_keys)
        elif len(st.ops) == 1:
            interval = _absolute_interval(parts[0], st.ops[0], parts[1], variable_keys)
        if interval:
            take(Found(interval, st.line, 2 if st.boxed else 1))
        elif only_part and _names_the_variable(parts, variable_keys):
            # "$p^2 < 1$", "$1 - p^2 > 0$": taken whole, as in answers.yaml, for the checker to solve; only when
            # nothing else gives the set, as a step of the working may be such an inequality
            whole = Found(_written_inequality([*parts[:-1], _clean_value(parts[-1])], st.ops), st.line, 0)
    if only_part:
        for b in blocks:
            value = _value_alone(b)
            if value is not None:
                take(Found(value, b.line, 0))  # "$(-\infty, \infty)$" on its own line
    if best is not None:
        return replace(best, value=_semicolons_as_commas(best.value)), ""
    for b in blocks:
        said, problem = _set_in_words(b.prose(), variable_keys, only_part)
        if said is not None or problem:
            return (Found(said, b.line, 1) if said is not None else None), problem
    return whole, ""


def _inequality_after_set_word(st: Statement, variable_keys: set[str]) -> tuple[str, str] | None:
    """"The set is $\\varepsilon \\geq 0$", "the interval is $-1 < \\varepsilon < 1$": the inequality in the
    variable that a set word is said to be, written out (``\\varepsilon ≥ 0``) for the checker to read as the
    set it describes (its last part alone, ``0``, is no set), and that set as an interval, to compare it with
    other sets said.  None if the statement is not of that form."""
    if len(st.ops) < 2 or st.ops[0] != "=" or name_key(st.parts[0]) not in _SET_WORDS:
        return None
    parts, ops = [*st.parts[1:-1], _clean_value(st.parts[-1])], st.ops[1:]
    if len(ops) > 2 or not all(op in _INEQUALITIES for op in ops):
        return None
    if len(ops) == 2 and name_key(parts[1]) not in variable_keys:
        return None  # "-1 < ε < 1": the variable stands between its bounds
    interval = inequality_to_interval(parts, ops, variable_keys) or (
        _absolute_interval(parts[0], ops[0], parts[1], variable_keys) if len(ops) == 1 else None)
    if not interval:
        return None
    return _written_inequality(parts, ops), interval


def _written_inequality(parts: list[str], ops: list[str]) -> str:
    """An inequality as the checker reads it: ``\\varepsilon ≥ 0``."""
    return " ".join([parts[0].strip(), *(f"{op} {part.strip()}" for op, part in zip(ops, parts[1:]))])


# A name in LaTeX maths: a command (\varepsilon) or one letter (p^2 is p squared)
_MATHS_NAME = re.compile(r"\\[A-Za-z]+|[A-Za-z]")


def _names_the_variable(sides: list[str], variable_keys: set[str]) -> bool:
    """Does the variable appear anywhere in the sides of a relation: ``1 - p^2``, ``\\varepsilon^2``?"""
    return any(name_key(name) in variable_keys
               for side in sides for name in _MATHS_NAME.findall(_unicode_maths(side)))


def _variable_key(part: Part) -> set[str]:
    """The key of the variable the part's options name (``variable: x``): ``x \\in (-2, 2)``, ``|x| < 2``."""
    variable = getattr(part.options, "variable", None)
    return {name_key(variable)} if variable else set()


def _builds_set_of(text: str, variable_keys: set[str]) -> bool:
    """Is ``text`` set-builder notation over the variable: ``\\{ε \\in \\mathbb{R}\\}``, ``\\{ε : …\\}``?"""
    m = re.match(r"\\\{(.+?)(?:\\in(?![a-zA-Z])|∈|:|\\mid(?![a-zA-Z])|\||\\\})", text.strip()[:_NAME_MAX], re.S)
    return bool(m) and name_key(m.group(1).strip()) in variable_keys


def _absolute_interval(left: str, op: str, bound: str, variable_keys: set[str]) -> str | None:
    """``|ε| < c`` → ``(-c, c)``; ``|ε| \\ge c`` → ``(-\\infty, -c] \\cup [c, \\infty)``."""
    left = left.strip()
    m = _ABSOLUTE.fullmatch(left) if len(left) <= _NAME_MAX else None
    if not m or name_key(m.group("inner").strip()) not in variable_keys:
        return None
    bound = bound.strip()
    negative = f"-{bound}" if re.fullmatch(r"[\w\\.{}∞]+", bound) else f"-({bound})"
    strict = op in ("<", ">")
    if op in ("<", "≤"):
        return f"({negative}, {bound})" if strict else f"[{negative}, {bound}]"
    low, high = (")", "(") if strict else ("]", "[")
    return f"(-\\infty, {negative}{low} \\cup {high}{bound}, \\infty)"


# Words that only say what follows is the answer: "Answer:", "**Final answer:**", "The set is"
_ANSWER_WORDS = re.compile(r"(?:the\s+)?(?:(?:final|my)\s+)?(?:answer|solution|result|set|interval)\s*(?::|\bis\b\s*:?)\s*",
                           re.I)


def _value_alone(block: Block) -> str | None:
    """A set written alone in its paragraph, or after words that only say it is the answer ("Answer: ℝ"):
    ``$(-\\infty, \\infty)$``, ``$\\mathbb{R}$``, ``(−∞, ∞)``, ``(-inf, inf) \\ {0}``."""
    text = block.prose().rstrip(".").strip()
    text = text[m.end():] if (m := _ANSWER_WORDS.match(text)) and text[m.end():].strip() else text
    m = re.fullmatch(r"\$([^$]+)\$", text)
    value = m.group(1).strip() if m else text if "$" not in text else None
    if value is None or not _SET_LIKE.match(value) or split_chain(value)[1]:
        return None
    return _clean_value(value)


def _set_in_words(text: str, variable_keys: set[str], only_part: bool) -> tuple[str | None, str]:
    """"all real numbers" → ℝ; "all real numbers except 0" → ℝ∖{0}; in the part's own section also "for all ε".
    A condition in words ("greater than 1", "such that …") or a negation ("does not hold for all real numbers")
    is not read as ℝ: (None, why)."""
    m = _ALL_REALS.search(text)
    if m:
        return _all_of_them(text, m.start(), m.end(), variable_keys)
    if only_part:
        for m in _FOR_ALL.finditer(text):
            # "It holds for all ε" answers; "σ̇_approx = 1/4 for all ε" describes a derivation
            alone = not text[: m.start()].strip() and not text[m.end():].strip(" .")  # "$\forall \varepsilon$"
            said_of_the_set = alone or _HOLDS.search(text, max(0, m.start() - 120), m.start())
            if said_of_the_set and name_key((m.group("variable") or m.group("symbol")).strip("$")) in variable_keys:
                return _all_of_them(text, m.start(), m.end(), variable_keys)
    return None, ""


def _all_of_them(text: str, start: int, end: int, variable_keys: set[str]) -> tuple[str | None, str]:
    """What "all real numbers" (or "for all ε") at ``text[start:end]`` says, given the words around it."""
    said = text[start:end]
    if NEGATED_BEFORE.search(text, max(0, start - 80), start):
        return None, (f"“{_shorten(text[max(0, start - 40): end], 100)}” is negated, so it is not read as "
                      f"the set of all real numbers.")
    window = tail = text[end: end + 200]
    variable = _VARIABLE_AFTER.match(tail)
    if variable and name_key(variable.group("variable").strip("$")) in variable_keys:
        tail = tail[variable.end():]
    excepted = _EXCEPT.match(tail)
    if excepted or _NARROWED.match(tail):
        points = _listed_numbers(excepted.group("what") or excepted.group("what2") or "", variable_keys) \
            if excepted else []
        if not points:
            condition = _shorten(said + tail[: (excepted or _NARROWED.match(tail)).end() + 40], 100)
            return None, (f"“{condition}” narrows the set down in words, which is not read: write the set in maths, "
                          f"e.g. $\\varepsilon \\in (a, b)$ or $\\mathbb{{R}} \\setminus \\{{0\\}}$.")
    consumed = end + len(window) - len(tail) + (excepted.end() if excepted else 0)
    other = _another_set(text, (start, consumed), variable_keys)
    if other is not None:
        return None, (f"The paragraph states more than one set: “{_shorten(said, 60)}” and “{other}”, so it is not "
                      f"read as the set of all real numbers. Write the one set, in maths, e.g. "
                      f"$\\varepsilon \\in (a, b)$.")
    if excepted:
        return "\\mathbb{R}\\setminus\\{" + ", ".join(points) + "\\}", ""
    return "\\mathbb{R}", ""


# Words that state another set than "all real numbers", or narrow or deny it, anywhere in its paragraph.
_SIGN = r"(?:strictly\s+)?(?:non-?\s*(?:positive|negative|zero)|positive|negative)"
_OF_THE_VARIABLE = (r"(?:ε|ϵ|\$|\\varepsilon|\\epsilon|\b(?:epsilon|eps|reals?|real\s+numbers?|numbers?|values?|ones|half|"
                    r"side|part|(?:semi-?)?axis)\b)")
_ANOTHER_SET = re.compile(
    rf"\b{_SIGN}\s+{_OF_THE_VARIABLE}"  # "positive ε", "non-negative values", "the positive ones"
    rf"|(?:ε|\\varepsilon|\bepsilon)\$?\s*(?:is|are|be|being|must\s+be|has\s+to\s+be|should\s+be)?\s*(?:strictly\s+)?"
    rf"(?:{_SIGN}|greater|larger|bigger|more|less|smaller|lower|higher|above|below|at\s+least|at\s+most|between|"
    rf"within|near|close\s+to|up\s+to)\b"  # "ε is positive", "ε greater than 1"
    rf"|\bonly\s+(?:for|when|if|whenever|on|in|at|where|with|those|the\s+ones|ones|some|small|large|{_SIGN})\b"
    r"|\bonly\s*(?:\$|ε)"  # "holds only for …", "only positive ε", "only $\varepsilon > 0$"
    r"|\b(?:for\s+)?no\s+(?:real\b|values?\b|numbers?\b|solutions?\b|ε|\$|\\varepsilon|epsilon\b|eps\b)"
    r"|\bfor\s+no(?:ne)?\b|\bnone\s+of\b|(?:^|[.!?:;]\s*)no\s*[.!,;]"  # "for no ε", "No."
    r"|\bnever\s+(?:holds?|true|satisfied|valid|met|fulfil)|\bnowhere\b"
    r"|\bempty\b|\\emptyset|\\varnothing|∅"
    r"|\bnot\s+(?:for\s+)?(?:all|every|any|each)\b|(?:\bnot|n't)\s+(?:hold|true|satisf|valid|met|fulfil)"
    r"|\bas\s+long\s+as\b|\bprovided\b|\bunless\b|\bexcept\b|\bexcluding\b|\bother\s+than\b|\bapart\s+from\b"
    r"|\\setminus|\\mathbb\s*\{?\s*R\s*\}?\s*[\^_]|ℝ\s*[⁺⁻₊₋^_]",  # ℝ∖{0}, ℝ^+, \mathbb{R}_{>0}
    re.I)
# Both signs, signs said to be included, and what "not only" names narrow nothing: "positive and negative",
# "including negative ones", "not only for positive ε"
_EVERY_SIGN = re.compile(rf"\b{_SIGN}\s*(?:,|and|or|as\s+well\s+as|&)\s*(?:also\s+)?{_SIGN}"
                         rf"|\b(?:including|incl\.|even|also|both)\s+(?:the\s+)?{_SIGN}"
                         r"|\bnot\s+(?:just|only|merely|simply)\b[^.;:!?]*", re.I)  # "not just for ε > 0"
_ENDPOINT = r"(?:[-+−]\s*+)?(?:\d+(?:[./]\d+)?|\\infty|∞|\\frac\s*\{?\d+\}?\s*\{?\d+\}?)"
# Possessive spaces: a bracket followed by a long run of spaces is passed over in one step.
_WRITTEN_INTERVAL = re.compile(rf"[(\[]\s*+(?P<low>{_ENDPOINT})\s*+,\s*+(?P<high>{_ENDPOINT})\s*+[)\]]")
_COMPARISON = re.compile(r"<=|>=|!=|[<>≤≥≠]|\\(?:leq?|geq?|lt|gt|neq?|leqslant|geqslant)(?![a-zA-Z])")
_SIDE = re.compile(r"[\s$(),:;]")  # what ends the name on either side of a comparison


def _another_set(paragraph: str, said: tuple[int, int], variable_keys: set[str]) -> str | None:
    """The words of ``paragraph``, outside its "all real numbers" at ``said``, that state another set, narrow
    it or deny it ("only for positive ε", "No.", "the empty set", "ε > 0", "$[0, \\infty)$"), quoted; None if none."""
    start, end = said
    text = paragraph[:start] + " " * (end - start) + paragraph[end:]  # blanked: the positions stay
    text = _EVERY_SIGN.sub(lambda m: " " * len(m.group()), text)
    m = _ANOTHER_SET.search(text)
    if m:
        return _clause_around(paragraph, m.start(), m.end())
    for m in _WRITTEN_INTERVAL.finditer(text):
        low, high = (re.sub(r"\s+", "", g).replace("−", "-").replace("∞", "\\infty") for g in m.group("low", "high"))
        if (low, high.lstrip("+")) != ("-\\infty", "\\infty"):
            return m.group()
    for m in _COMPARISON.finditer(text):  # a comparison with the variable on one side: "(ε > 0)", "$0 < \\varepsilon$"
        before = _SIDE.split(text[max(0, m.start() - 40): m.start()].rstrip(" \t\n$"))[-1]
        after = _SIDE.split(text[m.end(): m.end() + 40].lstrip(" \t\n$"))[0]
        if any(side and name_key(side.strip("|")) in variable_keys for side in (before, after)):
            return _clause_around(paragraph, m.start(), m.end())
    return None


_CLAUSE_MARKS = ".;:?!,—–"


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` that holds ``text[start:end]``, to quote it: "but it holds only for positive ε"."""
    low = max(text.rfind(mark, 0, start + 1) for mark in _CLAUSE_MARKS) + 1
    ends = [i for i in (text.find(mark, max(start + 1, end - 1)) for mark in _CLAUSE_MARKS) if i >= 0]
    return _shorten(text[low: min(ends, default=len(text))].strip(), 80)


def _listed_numbers(text: str, variable_keys: set[str]) -> list[str]:
    """"0", "$0$ and $1$", "ε = 0", "zero" → ["0"] …; [] if any piece is not a number."""
    points = []
    for piece in re.split(r",|\band\b|\bor\b", text.strip()):
        piece = piece.strip().strip("$").strip()
        name, _, value = piece.rpartition("=")
        if name and name_key(name.strip("$ ")) in variable_keys:
            piece = value.strip().strip("$").strip()
        piece = _NUMBER_WORDS.get(piece.lower(), piece)
        if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?(?:/\d+)?|[+-]?\\frac\s*\{?\d+\}?\s*\{?\d+\}?", piece):
            return []
        points.append(piece)
    return points


def inequality_to_interval(parts: list[str], ops: list[str], variable_keys: set[str]) -> str | None:
    """``-\\infty < ε < \\infty`` → ``(-\\infty, \\infty)``; ``ε \\ge 0`` → ``[0, \\infty)``."""
    where = [k for k, p in enumerate(parts) if name_key(p) in variable_keys]
    if len(where) != 1:
        return None
    k = where[0]
    low, high = ("-\\infty", "("), ("\\infty", ")")
    increasing = {"<", "≤"}
    for side, bound_index, op_index in (("left", k - 1, k - 1), ("right", k + 1, k)):
        if not 0 <= bound_index < len(parts):
            continue
        op = ops[op_index]
        bound = parts[bound_index].strip()
        strict = op in ("<", ">")
        # Read each relation as "bound OP ε" (left) or "ε OP bound" (right).
        is_lower = (side == "left") == (op in increasing)
        if is_lower:
            low = (bound, "(" if strict else "[")
        else:
            high = (bound, ")" if strict else "]")
    return f"{low[1]}{low[0]}, {high[0]}{high[1]}"


# -- values indexed by T (Q2.3c) -----------------------------------------------

def _index_template(part: Part) -> tuple[str, str, list[str]] | None:
    """A name such as ``\\rho(0.05)^{T} for T in 1, 5, 10, 20``: (name key with the index, index, values)."""
    for name in part.names:
        m = re.fullmatch(r"(.+?)\s+for\s+([A-Za-z])\s+in\s+(.+)", name.strip())
        if m:
            values = [v.strip() for v in re.split(r",|\band\b", m.group(3)) if v.strip()]
            return m.group(1), m.group(2), values
    return None


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


def _unspaced(value: str) -> str:
    """A value without the spaces written before it in a list: ``0.25,\\ 9.8`` and ``\\quad``."""
    return re.sub(r"\\(?:quad|qquad|enspace|thinspace)(?![a-zA-Z])|\\(?=\s)|~", " ", value)


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


# -- choices said in words (Q2.3d) -----------------------------------------------

_FASTER = r"faster|quicker|more\s+quickly|more\s+rapidly|more\s+steeply|more\s+sharply|steeper|sharper|more\s+strongly"
_SLOWER = r"slower|more\s+slowly|less\s+quickly|less\s+rapidly|less\s+steeply|more\s+gradually|less\s+fast"
_COMPARATIVE = re.compile(rf"\b(?P<faster>{_FASTER})\b|\b(?P<slower>{_SLOWER})\b", re.I)
_DECAY_VERB = re.compile(r"\b(?:decay|drop|fall|fell|decreas|shrink|vanish|diminish|declin|go(?:es)?\s+to\s+zero|"
                         r"approach|converg|tend|die|reduc|get|become)", re.I)
_NEGATION = re.compile(r"\b(?:not|never|no)\b|n't\b", re.I)
# A curve named right after these is the one compared with, not the one said to decay.
_CONTRASTED = re.compile(r"\b(?:than|below|above|under|over|beneath|unlike|versus|vs\.?|against|to|not|"
                         r"compared\s+with|in\s+comparison\s+with|instead\s+of)\s+(?:the\s+|that\s+of\s+the\s+)?$",
                         re.I)


_SCRIPT = r"\s*(?:\{[^{}$]{0,20}\}|\w)"  # a superscript or subscript: ^T, ^{T}


def _mentions(text: str, choices: Iterable[str]) -> list[tuple[int, str]]:
    """Where each choice is mentioned: ("approx", "approximation", ρ_approx …; "true", "exact", ρ(0.05) …)."""
    spellings = {
        "approx": r"approx\w*|linear(?:i[sz]ed)?\s+(?:approximation|version)|(?:\\rho|ρ)(?:\s*\^" + _SCRIPT + r")?\s*_\s*"
                  r"\{?\\?(?:text|mathrm)?\{?approx|\(1/4\)\^|0\.25\^",
        # ρ with no subscript is the true ratio: ρ(0.05), \rho(\varepsilon), \rho^T
        "true": r"true|exact|actual|real\s+(?:ratio|one|curve|function|value)|(?:\\rho(?![a-zA-Z])|ρ)(?!\s*_)"
                r"(?!\s*\^" + _SCRIPT + r"\s*_)",
    }
    found = []
    for choice in choices:
        pattern = spellings.get(str(choice), re.escape(str(choice)))
        for m in re.finditer(rf"(?<![A-Za-z])(?:{pattern})", text, re.I):
            found.append((m.start(), str(choice)))
    return sorted(found)


def choice_from_prose(sentence: str, choices: list[str]) -> str | None:
    """The choice a sentence says decays faster, or None.

    "the true ratio drops more slowly than the approximation" → approx;
    "the approximation decays faster" → approx; "the approximation does not
    decay faster than the true ratio" → true.
    """
    if len(choices) != 2:
        return None
    comp = _COMPARATIVE.search(sentence)
    if not comp or not _DECAY_VERB.search(sentence):
        return None
    mentions = _mentions(sentence, choices)
    before = [(pos, c) for pos, c in mentions if pos < comp.start()]
    clause = _clause_start(sentence, comp.start())
    if any(pos >= clause for pos, _ in before):  # "Since ρ(0.05) > ρ_approx(0.05), ρ^T decays faster": ρ^T
        before = [(pos, c) for pos, c in before if pos >= clause]
    than = re.search(r"\bthan\b", sentence[comp.end():], re.I)
    after = [c for pos, c in mentions if than and pos > comp.end() + than.end()]
    other = {choices[0]: choices[1], choices[1]: choices[0]}
    # "lies below the true one", "unlike the approximation": compared with, not what decays
    subjects = [c for pos, c in before if not _CONTRASTED.search(sentence, max(0, pos - 40), pos)]
    if before and _RELATIVE.search(sentence, before[-1][0], comp.start()):
        subject = before[-1][1]  # "… below the true ratio, which decays more slowly"
    elif subjects:
        subject = subjects[-1]
    elif before:
        subject = other[before[-1][1]]  # "Unlike the true ratio, it decays faster"
    elif after:
        subject = other[after[0]]
    else:
        return None
    faster = comp.group("faster") is not None
    # A negation between the last curve named and the comparative is the verb's ("does not decay faster");
    # one before it belongs to what was named ("the true ratio, not the approximation, …").
    if _NEGATION.search(sentence, before[-1][0] if before else 0, comp.start()):
        faster = not faster
    return subject if faster else other[subject]


# A reason or condition given before the clause that says which curve decays: "Since ρ(0.05) > ρ_approx(0.05), …",
# "… for all T ≥ 1, so …" (maths in $…$ may hold commas).
_LEADING_REASON = re.compile(r"\W*(?:\(?[a-z]\)\s*)?(?:since|because|as|given\s+that|considering\s+that|if|when|whereas)"
                             r"\b(?:\$[^$]*+\$|[^,$])*+,", re.I)
_CONSEQUENCE = re.compile(r"[;:]|,\s*(?:and\s+)?(?:so|thus|hence|therefore|consequently|which\s+means(?:\s+that)?|"
                          r"meaning(?:\s+that)?)\b", re.I)


def _clause_start(sentence: str, at: int) -> int:
    """Where the clause holding position ``at`` starts, after a reason or condition given before it."""
    start = 0
    reason = _LEADING_REASON.match(sentence)
    if reason and reason.end() <= at:
        start = reason.end()
    for m in _CONSEQUENCE.finditer(sentence, start, at):
        start = m.end()
    return start


# "…, which decays": the curve named last is what decays ("which means it decays" is about something else).
_RELATIVE = re.compile(r"\b(?:which|that|who)\s+(?!means?\b|shows?\b|impl|indicat|explain|is\s+why|tells?\b)", re.I)
# A full stop ends a sentence, but not in "the approx. ratio", "e.g." or "vs.".
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bapprox\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bcf\.)"
                           r"(?<!\bresp\.)\s+|\n", re.I)


def _find_choice(part: Part, sections: list[Section], only_part: bool) -> tuple[Found | None, str]:
    choices = [str(c) for c in getattr(part.options, "choices", ())]
    synonyms = _choice_synonyms(part)
    explicit: list[Found] = []
    prose: list[tuple[Found, str]] = []
    for section, b in ((s, b) for s in sections for b in s.blocks):
        own = _own_section(section, part, only_part)
        first = section.answer_after_label and b is section.blocks[0]
        for k, text in enumerate(_CORRECTION.split(b.prose())):
            said, said_in = _choices_said(text, b.line, section.key, part, choices, synonyms, own and k == 0,
                                          first and k == 0, corrected=k > 0)
            if k > 0 and (said or said_in):  # "Correction: … the approximation decays faster.": the choice now
                explicit, prose = said, said_in
            else:
                explicit, prose = explicit + said, prose + said_in
    for row in _table_statements(t for s in sections for t in s.tables):
        # "| faster decay | approx |", "| Q2.3d | approx |"
        asks = _cell_text(row.parts[0]).lower()
        if _CHOICE_ROW.fullmatch(asks) or normalise_label(asks) == normalise_label(part.label):
            word = _choice_word(row.parts[1], choices)
            if word:
                explicit.append(Found(word, row.line, 2))
    explicit.sort(key=lambda f: f.line)
    # The answer given and the prose around it must agree: "approx" then "actually the true curve decays
    # faster" says both, and so does "… decays faster for small T, but the true one decays faster overall".
    said = {f.value for f, _ in prose} | ({explicit[-1].value} if explicit else set())
    if len(said) > 1:
        quotes = [f"“{_shorten(s, 100)}”" for _, s in prose]
        if explicit:
            quotes.insert(0, f"“{explicit[-1].value}” (line {explicit[-1].line})")
        return None, f"The answer to {part.label} says both ways which curve decays faster: {' / '.join(quotes)}."
    if explicit:
        return explicit[-1], ""
    if prose:
        return prose[-1][0], ""
    own_texts = _own_texts(part, sections, only_part)
    named = _choices_named([text for _, text in own_texts], choices, synonyms)
    if len(named) > 1:  # "tanh or relu": as unclear as the same words in answers.yaml
        listed = ", ".join(f'"{c}"' for c in choices)
        return None, (f"Could not tell which choice the answer to {part.label} names: it names "
                      f"{_listed([f'“{c}”' for c in named])}; expected one of: {listed}. Write only the one you mean, "
                      f"as 'Answer: …'.")
    if named:  # "I would use the singular value decomposition.": the one choice named, as in answers.yaml
        return _stated_in_sentences(own_texts, named[0], choices, synonyms), ""
    return None, ""


def _own_section(section: Section, part: Part, only_part: bool) -> bool:
    """Is the section the part's own (``## Q2.3(d)``, or any section when the sections hold only this part)?"""
    return only_part or bool(section.key and section.key[-1].isalpha() and covers(section.key, part.label))


def _own_texts(part: Part, sections: list[Section], only_part: bool) -> list[tuple[int, str]]:
    """(line, text) of the paragraphs of the part's own section, and of what follows the part's own label
    opening a paragraph in a section it shares ("(d) tanh or relu" under ``## Q2.3``)."""
    texts = []
    for section in sections:
        own = _own_section(section, part, only_part)
        for b in section.blocks:
            text = b.prose() if own else _after_label(b.prose(), section.key, part.label)
            if text:
                texts.append((b.line, text))
    return texts


def _choice_words(choices: list[str], synonyms: dict[str, str]) -> dict[str, str]:
    """Each word that names a choice inside a sentence → its choice: the choice's own word and the spec's
    synonyms; a choice of one letter ("A") is no evidence inside a sentence, as the checker holds."""
    return {c.lower(): c for c in choices if len(c) > 1} | synonyms


def _choices_named(texts: list[str], choices: list[str], synonyms: dict[str, str]) -> list[str]:
    """The choices that the texts name by their own word or a synonym from the spec, in the spec's order."""
    named = set()
    for text in texts:
        plain = re.sub(r"\\(?:text|mathrm|textbf)\s*\{([^{}]*)\}", r"\1", text)
        for word, choice in _choice_words(choices, synonyms).items():
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", plain, re.I):
                named.add(choice)
    return [c for c in choices if c in named]


_MATHS = re.compile(r"\$[^$]*\$")


def _stated_in_sentences(texts: list[tuple[int, str]], choice: str, choices: list[str],
                         synonyms: dict[str, str]) -> Found | None:
    """The one choice the texts name, read as the answer where their prose states it ("We use the SVD of the
    centred data.", "Cholesky, because …"), as a sentence in answers.yaml is; None when the prose names it only
    in maths, in a question ("Is it the SVD?"), in what the student expected ("I thought …") or after a negation
    ("I would not use the SVD"), which give no answer.

    A synonym of one word is an everyday word ("real", "exact"): it names its choice only in a short phrase
    ("the real one", read above), not anywhere in a sentence ("the real question is hard").  A choice after
    another label's colon is that label's ("From my plot: true"): only the part's label or "Answer:" give it."""
    words = [word for word, named in _choice_words(choices, synonyms).items()
             if named == choice and (word == choice.lower() or " " in word)]
    stated = None
    for line, text in texts:
        for sentence in _SENTENCE_END.split(_MATHS.sub(" ", text)):
            mentions = [m for word in words for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", sentence, re.I)]
            if not mentions:
                continue
            if sentence.rstrip().endswith("?") or _EXPECTED.search(sentence) or any(
                    NEGATED_BEFORE.search(sentence, max(0, m.start() - 80), m.start()) for m in mentions):
                return None
            if any(not _after_another_label(sentence, m) for m in mentions):
                stated = Found(choice, line, 1)
    return stated


def _after_another_label(sentence: str, mention: re.Match) -> bool:
    """Is the mention all that follows a colon in its sentence: "From my plot: true"?"""
    colon = sentence.rfind(":", 0, mention.start())
    if colon < 0:
        return False
    around = sentence[colon + 1:mention.start()] + sentence[mention.end():]
    return not re.sub(r"[\s*\"'`“”.!]", "", around)


# Where a student corrects an answer given above: "Correction: …", "**Edit:** …", opening a paragraph or a sentence
_CORRECTION = re.compile(r"(?:^|(?<=[.!?])[ \t]+|\n)[ \t]*(?:corrections?|corrected(?:\s+answer)?|erratum|errata|edit|"
                         r"update|revised(?:\s+answer)?)[ \t]*[:—–][ \t]*", re.I)


def _choices_said(text: str, line: int, key: str | None, part: Part, choices: list[str], synonyms: dict[str, str],
                  own: bool, first: bool, corrected: bool = False) -> tuple[list[Found], list[tuple[Found, str]]]:
    """The choices a paragraph (or its text after a correction) gives: (given as the answer, said in prose).

    ``own``: the paragraph is in the part's own section, so a choice's word alone answers; ``first``: it is the
    first of a section opened by the part's label.  After "Correction:" the word alone answers too."""
    explicit: list[Found] = []
    prose: list[tuple[Found, str]] = []
    # "approx" alone in the part's own section, or after its label: "Q2.3(d): approx", "(d) approx"
    labelled = None if corrected else _after_label(text, key, part.label)
    alone = text if (own or corrected) and labelled is None else labelled or ""
    word = _choice_word(alone, choices) or _choice_phrase(alone, choices, synonyms)  # "(d) The real one."
    given = labelled if labelled is not None else text if first else None
    if not word and given:  # "Q2.3(d): true, because …": the word the label gives, then the reason
        lead = _LEADING_WORD.match(given)
        word = _choice_word(lead.group(1), choices) if lead else None
        # "(d) the true ratio, as …"
        word = word or _choice_phrase(_FIRST_CLAUSE.split(given, 1)[0], choices, synonyms)
    if word:
        explicit.append(Found(word, line, 2))
    boxed = _boxed_inside(text)
    if boxed is not None:
        word = _choice_word(boxed, choices)
        if word:
            explicit.append(Found(word, line, 2))
    m = re.search(r"\b(?:answer|faster(?:\s+decay)?|decays\s+faster)\s*[:=]\s*\**\s*[\"'“`]?(\w+)", text, re.I)
    if m and _choice_word(m.group(1), choices):
        explicit.append(Found(_choice_word(m.group(1), choices), line, 2))
    sentences = _SENTENCE_END.split(text)
    for k, sentence in enumerate(sentences):
        if sentence.rstrip().endswith("?"):
            # "Which decays faster? The approximation.": the short answer right after the question asked
            replied = _reply_to_question(sentence, sentences[k + 1:k + 2], choices, synonyms)
            if replied:
                explicit.append(Found(replied, line, 2))
            continue  # "the approximation decays faster? no." asks, it does not say
        prose.extend((Found(said, line, 1), said_in) for said, said_in in _choices_in_sentence(sentence, choices))
    return explicit, prose


# A table row's first cell that asks for the choice: "| faster decay | approx |"
_CHOICE_ROW = re.compile(r"(?:the\s+)?(?:answer|choice|faster(?:\s+decay(?:ing)?)?(?:\s+curve)?|decays?\s+faster|"
                         r"which\s+(?:curve\s+|one\s+)?decays\s+faster\??)\s*:?")
_LEADING_WORD = re.compile(r"\s*[*\"'“`]*(\w+)[*\"'”`]*\s*[,;:.!—–-]")
# Where a sentence turns to another clause that may say the other curve: "…, but …", "; whereas …"
# Never starts inside a run of spaces, and takes runs whole: linear on long runs of (no-break) spaces.
_CLAUSE_TURN = re.compile(r"(?!(?<=\s)\s)(?:\s*+[;,])?\s++(?:but|whereas|while|however|although|though|yet)\b\s*+,?"
                          r"|(?!(?<=\s)\s)\s*+;\s*+", re.I)


# What the student expected is no claim: "I expected that the true ratio decays more slowly …, but …"
_EXPECTED = re.compile(r"\b(?:I|we)\s+(?:had\s+|have\s+|first\s+|initially\s+|originally\s+|at\s+first\s+)?"
                       r"(?:expected|thought|assumed|guessed|predicted|believed|suspected|hoped|was\s+expecting|"
                       r"would\s+have\s+(?:expected|thought|guessed))\b", re.I)
# … and what follows it may say it was wrong: "but my plot shows the opposite"
_OPPOSITE = re.compile(r"\b(?:(?:the\s+)?opposite|the\s+reverse|the\s+contrary|(?:the\s+)?other\s+way\s+(?:round|around)|"
                       r"(?:I|we)\s+(?:was|were)\s+wrong)\b", re.I)


def _choices_in_sentence(sentence: str, choices: list[str]) -> list[tuple[str, str]]:
    """(choice, the words that say it) for a sentence: the sentence's reading, or each of its clauses' when
    they say different choices ("the approximation decays faster for small T, but the true one overall").
    A clause saying what the student expected claims nothing; a clause after it that says it was the opposite
    claims the other choice."""
    clauses = [c for c in _CLAUSE_TURN.split(sentence) if c.strip()]
    expected = next((k for k, c in enumerate(clauses) if _EXPECTED.search(c)), None)
    if expected is not None:
        return _after_expectation(clauses, expected, choices)
    said = choice_from_prose(sentence, choices)
    in_clauses = [(c.strip(), choice_from_prose(c, choices)) for c in clauses] if len(clauses) > 1 else []
    if len({choice for _, choice in in_clauses if choice}) > 1:
        return [(choice, clause) for clause, choice in in_clauses if choice]
    return [(said, sentence.strip())] if said else []


def _after_expectation(clauses: list[str], expected: int, choices: list[str]) -> list[tuple[str, str]]:
    """What a sentence claims whose clause ``expected`` says what the student expected: the other clauses'
    choices, and "the opposite" (or "I was wrong") after it, un-negated, as the other choice than expected."""
    other = {choices[0]: choices[1], choices[1]: choices[0]} if len(choices) == 2 else {}
    guess = choice_from_prose(clauses[expected], choices)
    said = []
    for k, clause in enumerate(clauses):
        if k == expected:
            continue
        choice = choice_from_prose(clause, choices)
        if choice is None and k > expected and guess in other and _OPPOSITE.search(clause) \
                and not _NEGATION.search(clause):
            choice = other[guess]
        if choice is not None:
            said.append((choice, clause.strip()))
    return said


def _after_label(text: str, parent: str | None, label: str) -> str | None:
    """What follows the part's own label at the start of a paragraph: "Q2.3(d): approx" → "approx";
    "(d) approx" under ``## Q2.3`` too.  None when the paragraph does not start with that label."""
    opening = _opening_label(text, parent)
    if opening is None or not covers(opening[0], label):
        return None  # another part's label, or none
    return opening[1]


def _opening_label(text: str, parent: str | None) -> tuple[str, str] | None:
    """(the key, what follows) of a sub-part's label opening a paragraph: "Q2.3(d): approx", "(d) approx"
    under ``## Q2.3``; None without one (a label without the sub-part's letter, "Q2.3: …", is none)."""
    text = LABEL_WORDS.sub("", re.sub(r"[*`#]", "", text).strip())
    m = HEADING_LABEL.match(text)
    if m and (m.group(3) or m.group(4)):
        key = normalise_label(m.group(1) + m.group(2) + (m.group(3) or m.group(4)))
    else:
        m = _SUB_HEADING.match(text)
        if not m or not parent:
            return None
        key = parent + (m.group(1) or m.group(2)).lower()
    if not key[-1].isalpha():
        return None
    return key, text[m.end():].lstrip(" :.=-–—")


def _paragraph_owners(sections: list[Section], part_keys: frozenset[str]) -> dict[int, str]:
    """id(block) → the key of the part whose label opens the block, or the last paragraph before it in its
    section that a part's label opens ("(b) …", then "(c) …" and the paragraphs after it)."""
    owners: dict[int, str] = {}
    for section in sections:
        current = section.key if section.key in part_keys else None  # "### (b)", "| (b) | … |" in Q2.3
        for block in section.blocks:
            opening = _opening_label(block.prose(), section.key)
            if opening is not None and opening[0] in part_keys:
                current = opening[0]
            if current is not None:
                owners[id(block)] = current
    return owners


# The question of Q2.3(d) asked again: "Which decays faster?", "Which of the two curves decays more slowly?"
_WHICH_DECAYS = re.compile(r"\bwhich\b", re.I)


def _reply_to_question(question: str, following: list[str], choices: list[str],
                       synonyms: dict[str, str]) -> str | None:
    """The choice a short reply names right after the question asked again ("Which decays faster? The
    approximation."), or None.  Asked which decays more slowly, the reply names the other choice."""
    comp = _COMPARATIVE.search(question)
    if not following or len(choices) != 2 or comp is None or not _WHICH_DECAYS.search(question) \
            or not _DECAY_VERB.search(question):
        return None
    named = _choice_word(following[0], choices) or _choice_phrase(following[0], choices, synonyms)
    if named is None or comp.group("faster"):
        return named
    return choices[1] if named == choices[0] else choices[0]


def _choice_synonyms(part: Part) -> dict[str, str]:
    """The spec's other words for each choice (``synonyms``), lower case, each → its choice; a word given to
    two choices names neither."""
    out: dict[str, str] = {}
    given = getattr(part.options, "synonyms", None) or {}
    for choice, words in given.items():
        for word in [words] if isinstance(words, str) else words or ():
            key = " ".join(str(word).lower().split())
            out[key] = str(choice) if out.get(key, choice) == choice else ""
    return {k: v for k, v in out.items() if v}


# A choice named in a few words: "the approximation", "The approximate one.", "Answer: the approximated ratio",
# "the true ratio"; the word names the choice (below), the noun after it adds nothing.
_CHOICE_PHRASE = re.compile(r"(?:(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*)?[:=]?\s*)?(?:the\s+)?(?P<word>[a-z]+)\.?"
                            r"(?:\s+(?:ones?|ratios?|curves?|versions?|values?|functions?|plots?|lines?|graphs?))?", re.I)
_FIRST_CLAUSE = re.compile(r"[,;:(—–]|\.\s|\s-\s|\s+(?:because|since|as|so)\s", re.I)


def _choice_phrase(text: str, choices: list[str], synonyms: dict[str, str] | None = None) -> str | None:
    """The choice a short phrase names: its word is the choice, one of the spec's synonyms of it ("real",
    "exact" name *true*) or, for a choice of five letters or more, starts with it ("approximation",
    "approximated" name *approx*; "true" only *true*): "the approximation", "The approximate one.", "Answer: the
    approximated ratio", "the real one", a synonym of several words ("the true ratio"), or a maths name with the
    choice as its index (``$\\rho_{approx}$``).  None for anything longer or negated ("not the approximation")."""
    text = re.sub(r"[*`\"'“”]", "", text).strip().rstrip(".!").strip()
    synonyms = synonyms or {}
    m = re.fullmatch(r"\$([^$]{1,60})\$", text)
    if m:  # "$\rho_{approx}$": the name's index is the choice
        index = re.fullmatch(r"[a-z]+_([a-z]+)(?:\^[a-z0-9]+)?", name_key(m.group(1)))
        return _choice_named(index.group(1), choices, synonyms) if index else None
    said = " ".join(text.lower().split())
    if said in synonyms:
        return synonyms[said]
    m = _CHOICE_PHRASE.fullmatch(text)
    return _choice_named(m.group("word"), choices, synonyms) if m else None


def _choice_named(word: str, choices: list[str], synonyms: dict[str, str] | None = None) -> str | None:
    word = word.lower()
    named = [c for c in choices if word == c.lower() or (len(c) >= 5 and word.startswith(c.lower()))]
    if not named and (synonyms or {}).get(word):
        named = [synonyms[word]]  # "the real one": a one-word synonym of a choice
    return named[0] if len(named) == 1 else None


def _choice_word(text: str, choices: list[str]) -> str | None:
    word = re.sub(r"\\(?:text|mathrm|textbf)\s*\{([^{}]*)\}", r"\1", text).strip(" $*\"'`.").lower()
    for c in choices:
        if word == c.lower():
            return c
    return None


def _shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
