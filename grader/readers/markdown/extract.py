"""A part's answer from its sections, read by the part's kind (rubric prose, a choice, a set, a list indexed by ``T``,
a named value), and answers found by their quantity's name outside any section of their own.
"""
from __future__ import annotations

import re
from dataclasses import replace

from grader.readers import WrittenAnswer, WrittenReading
from grader.spec import Part, ProblemSet

from .labels import covers, name_key, normalise_label
from .document import Block, Section, Table, _shorten, _unquoted
from .statements import _INEQUALITIES, _SET_LIKE, _SET_WORDS, block_statements
from .named import (Found, _clean_value, _find_named, _how_to_write, _index_template, _listed, _name_keys,
                    _names_the_question, _question_of, _said_to_be_the_set, _semicolons_as_commas, _set_key,
                    _without_remarks_in)
from .intervals import (_FORALL_PREFIX, _builds_set_of, _find_interval, _inequality_after_set_word,
                        inequality_to_interval)
from .lists import _find_indexed
from .choices import _after_label, _choice_word, _find_choice, _opening_label, _paragraph_owners


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
