"""Extraction of a value named by the part's quantity (``ρ(0.05) ≈ 0.2505``, a boxed value, a table row, the
value after "Answer:"), and of what is never an answer: remarks in brackets, comments on an answer given, the
question pasted into the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from grader.checkers.expression import declare
from grader.mathread import Unreadable, read_math
from grader.spec import Part

from .labels import (ANSWER_ONLY_WORD_BEFORE_COLON, ANSWER_WORD_BEFORE_COLON, LABEL_WORDS, _unicode_maths, name_key,
                     normalise_label)
from .document import Block, Section, Segment, Table, _ANSWER_CALLOUT, _REMARK_COLUMN, _answer_column, _shorten
from .statements import (Statement, _EQUALITIES, _INEQUALITIES, _NAME_CHARS, _PRECISION_SAID, _brace_pairs,
                         _looks_like_name, _split_top, _variable_like, block_statements, split_chain)


@dataclass(frozen=True)
class Found:
    value: object
    line: int
    tier: float  # 2 boxed, 1 named statement, 0 the last value in a section of its own
    problem: str = ""  # the statement that gives it cannot be read: the part could not be read


def _index_template(part: Part) -> tuple[str, str, list[str]] | None:
    """A name such as ``\\rho(0.05)^{T} for T in 1, 5, 10, 20``: (name key with the index, index, values)."""
    for name in part.names:
        m = re.fullmatch(r"(.+?)\s+for\s+([A-Za-z])\s+in\s+(.+)", name.strip())
        if m:
            values = [v.strip() for v in re.split(r",|\band\b", m.group(3)) if v.strip()]
            return m.group(1), m.group(2), values
    return None


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
_CAPITAL_OPENING = re.compile(r"\(\s*[A-Z]")
_GIVES_IT_AGAIN = re.compile(r"\b(?:more\s+precisely|precisely|exactly|correct(?:ed|ion|ly)?|rather|actually|i\.\s?e\."
                             r"|that\s+is|rounded|to\s+\w+\s+(?:significant|decimal))", re.I)
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")


def _is_remark(remark: list[Segment], opens_sentence: bool) -> bool:
    """Is a closed bracket (its pieces, "(" first and ")" last) a remark: on the approximation's validity, or a
    sentence of its own — opening where a sentence starts, ending with its full stop, in two words or more (not a
    label such as "(b)", nor "(4 s.f.)" after a value)?"""
    words = "".join(r.text if r.kind == "text" else " $ " for r in remark)  # "(… $x$)" ends with no full stop
    if _VALIDITY_REMARK.search(words):
        return True
    # Straight after the value, a sentence is one when it opens with a capital: "$… 0.2437$ (The handout hints at
    # …, but I trust my computation.)", unless it gives the value again ("(More precisely, $0.2505$.)")
    own_sentence = opens_sentence or (_CAPITAL_OPENING.match(words) is not None and not _GIVES_IT_AGAIN.search(words))
    return (own_sentence and bool(_SENTENCE_ENDS.search(words[:-1])) and len(_WORD.findall(words)) >= 2
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
                          rf"|(?:\b(?:answer|solution|result)|{ANSWER_WORD_BEFORE_COLON})\s*[:：])\s*$", re.I)


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
# answer is", "Result:", "Numerically this is (about)", "Antwort:".  What follows them beats the working before (not a
# box).  "Solution:", "Lösung:" open the working, so the value after them does not.
_ANSWER_SAID = (r"(?<!\w)(?:(?:final|my)\s+)?answer\s*(?::|=|\bis\b\s*:?)|(?<!\w)(?:final\s+)?result\s*[:=]"
                rf"|{ANSWER_ONLY_WORD_BEFORE_COLON}\s*(?:[*_]{{1,2}}\s*)?[:：]"
                r"|\bfinal\s+result\s+is\b|\bnumerically\s*,?\s*(?:(?:this|that|it)\s+(?:is|gives|equals|comes\s+to|"
                r"becomes)|(?:we|I)\s+(?:get|have|obtain|find))(?:\s+(?:about|approximately|roughly|around))?\s*[:=]?")
_ANSWER_SAID_IN = re.compile(_ANSWER_SAID, re.I)
_ANSWER_SAID_BEFORE = re.compile(rf"(?:{_ANSWER_SAID})\s*$", re.I)
# Where the value after those words ends: its sentence, a remark in brackets
_ANSWER_ENDS = re.compile(r"\.(?=\s|$)|[;!?\n]|,\s|\s\(")
_ANSWER_LINE = 1.5  # above any statement naming the quantity, below a box
_CLOSING_BOLD = re.compile(r"^\s*+(?:[*_]{1,2}(?![*_])\s*+)?")


def _answer_line(block: Block, part: Part, keys: set[str]) -> str | None:
    """The value written alone after words that give the answer ("**Answer:** $0.2505$", "Numerically this is
    0.2505."), or after the label of an answer callout ("> **Solution:** $0.2505$"), the last in the block; None if
    there is none.  A statement after them is read as a statement."""
    text = block.prose()
    value = None
    callout = [_ANSWER_CALLOUT.match(text)] if block.answer_callout and _ANSWER_CALLOUT.match(text) else []
    for m in [*callout, *_ANSWER_SAID_IN.finditer(text)]:
        # "**答案：** 0.2505" is "**答案: ** 0.2505" once its colon is read as ASCII, a bold left open after it
        rest = _CLOSING_BOLD.sub("", text[m.end():], count=1)
        end = _ANSWER_ENDS.search(rest)
        rest = rest[: end.start() if end else None]
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


def _unspaced(value: str) -> str:
    """A value without the spaces written before it in a list: ``0.25,\\ 9.8`` and ``\\quad``."""
    return re.sub(r"\\(?:quad|qquad|enspace|thinspace)(?![a-zA-Z])|\\(?=\s)|~", " ", value)
