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

The steps live in modules of this package, each importing only from those listed before it:

- :mod:`.labels`: part labels in headings and text (``normalise_label``, ``heading_key``, ``covers``) and the
  name key of a quantity written any way (``name_key``);
- :mod:`.document`: step 2, parsing into sections of blocks of segments, tables, labels that open a section;
- :mod:`.statements`: the relation chains (``ρ(0.05) ≈ 0.2505``) found in a block's maths and plain text;
- :mod:`.named`: step 4 for a value named by the part's quantity, and what is never an answer (remarks, the
  question pasted);
- :mod:`.intervals`, :mod:`.lists`, :mod:`.choices`: step 4 for a set, a list of values indexed by ``T``, a
  choice said in prose;
- :mod:`.extract`: a part's answer from its sections, by its kind, and answers named outside any section;
- this module: step 1, loading, and step 3 in :func:`read_markdown_text`, which maps sections to parts and
  reads each part's answer.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from grader.readers import (EMPTY_FILE, RTF_DOCUMENT, UTF16_WITHOUT_MARK, WrittenAnswer, WrittenReading, decoded_text,
                            is_rtf, looks_like_utf16, marked_encoding, not_utf8)
from grader.mathread import halfwidth
from grader.spec import Part, ProblemSet

from .labels import HEADING_LABEL, LABEL_WORDS, LABEL_WORD_PATTERN, covers, heading_key, name_key, normalise_label
from .document import Section, _unquoted, _without_quotes, parse_sections
from .statements import _SET_WORDS, block_statements, split_chain
from .named import _leave_out_copied_questions, _listed, _name_keys, _without_remark_sentences_in, _without_remarks_in
from .intervals import inequality_to_interval
from .lists import _groups_thousands, list_items
from .choices import choice_from_prose
from .extract import (_answer_as_subject, _answer_by_name, _interval_by_name, _read_by_name, _under_plain_label,
                      extract_answer)

# The names the rest of grader and the tests import from this package, wherever each is defined.
__all__ = [
    "MAX_DOCUMENT_BYTES", "MarkdownReadError", "load_document", "read_markdown", "read_markdown_text",
    "LABEL_WORD_PATTERN", "LABEL_WORDS", "HEADING_LABEL", "normalise_label", "heading_key", "covers", "name_key",
    "parse_sections", "split_chain", "block_statements", "inequality_to_interval", "list_items", "choice_from_prose",
    "with_decimal_comma", "DECIMAL_COMMA_KINDS",
]


MAX_DOCUMENT_BYTES = 1_000_000  # a written answer is a few pages; more is a wrong file


class MarkdownReadError(ValueError):
    """A document that cannot be read at all; the message names the file."""


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
        text = decoded_text(data)
    except UnicodeDecodeError as exc:
        raise MarkdownReadError(f"{name} is {not_utf8(data, exc)}. Save the file as UTF-8 and hand it in "
                                "again.") from None
    if is_rtf(text):
        raise MarkdownReadError(f"{name} is {RTF_DOCUMENT}, and hand it in again.")
    return halfwidth(text)


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
        if part.kind in DECIMAL_COMMA_KINDS and part.label in reading.answers:
            reading.answers[part.label] = with_decimal_comma(reading.answers[part.label])
    return reading


def _section_answer(part: Part, own: list[Section], source: str, only_part: bool, quantities: frozenset[str],
                    part_keys: frozenset[str]) -> WrittenAnswer | None:
    return _labelled_answer(part, own, source, only_part) or extract_answer(
        part, own, source, only_part=only_part, quantities=quantities, part_keys=part_keys)


# A number with a comma between its digits, written alone: "0,2505", "3,14", "1,000" (and "$…$", a final stop)
_COMMA_NUMBER = re.compile(r"\s*\$?\s*(?P<sign>[-+−]?)\s*(?P<whole>\d+),(?P<fraction>\d+)\s*\$?\s*\.?\s*")


# The kinds of part whose answer may be one number: there "0,25" is a decimal comma, never a pair.
DECIMAL_COMMA_KINDS = ("number", "expression")


def with_decimal_comma(answer: WrittenAnswer) -> WrittenAnswer:
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
