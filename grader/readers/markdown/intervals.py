"""Extraction of a set or interval: stated of its variable (``ε ∈ (-1, 1)``), from inequalities, or said in
words ("all real numbers except 0").
"""
from __future__ import annotations

import re
from dataclasses import replace

from grader.checkers.choice import NEGATED_BEFORE
from grader.spec import Part

from .labels import ANSWER_WORD_BEFORE_COLON, _unicode_maths, name_key
from .document import Block, Segment, _shorten
from .statements import (CORRECTION_OPENING, SET_SAID, Statement, _INEQUALITIES, _SET_LIKE, _SET_WORDS,
                         block_statements, split_chain)
from .named import Found, _SET_LEAD_IN, _clean_value, _name_keys, _semicolons_as_commas


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
# Matched against stripped text, with no \s* beside the lazy group: that combination backtracked
# cubically on "|" followed by thousands of spaces.
_ABSOLUTE = re.compile(r"(?:\\left\s*)?(?:\||\\lvert|\\vert)(?P<inner>[^|]*?)(?:\\right\s*)?(?:\||\\rvert|\\vert)",
                       re.S)
_NAME_MAX = 200  # more than any variable's name, written any way
_FORALL_PREFIX = re.compile(r"^\s*(?:\\forall(?![a-zA-Z])|∀)\s*")


def _find_interval(part: Part, blocks: list[Block], only_part: bool) -> tuple[Found | None, str]:
    """The set: stated (``ε \\in …``, ``\\{ε \\in \\mathbb{R}\\} = …``), from inequalities (also ``|ε| < ∞``),
    alone on its line in the part's own section, or said in words ("all real numbers", "for all ε").  A set the
    student corrects ("The set is [0, ∞). Correction: the set is ℝ.") gives way to the correction; one said only
    under a supposition or hedge ("Assuming ε > 0, the set is ℝ.") is not read, nor is the supposition's condition."""
    keys = _name_keys(part) | _SET_WORDS | _variable_key(part)
    variable_keys = {k for k in keys if k not in _SET_WORDS}
    best: Found | None = None
    whole: Found | None = None  # the last inequality in the variable, read whole
    doubted = ""  # a sentence that says the set only under a supposition or hedge, quoted

    def take(found: Found, correction: bool = False) -> None:
        nonlocal best
        if correction and best is not None:  # a correction replaces what it corrects, however that was written
            found = replace(found, tier=max(found.tier, best.tier))
        if best is None or found.tier >= best.tier:
            best = found

    for b in blocks:
        before_block = best
        for k, block in enumerate(_corrected_pieces(b)):
            correction, before_piece = k > 0, best
            for st in block_statements(block):
                if _said_of_the_set(st) and not _said_outright(_text_before(block, st), _text_after(block, st)):
                    doubted = doubted or _sentence_of(block, st)
                    continue  # "If ε were negative, the set is $\mathbb{R}$."
                if _condition_of_a_set_said(block, st, variable_keys) or (correction and _supposed(block, st)):
                    # "Assuming $\varepsilon > 0$, the set is …": ε > 0 is supposed, not the set; "The set is ℝ.
                    # Actually, for $\varepsilon < 0$ …": a condition after a correction's opening corrects nothing
                    continue
                found = _set_stated(st, keys, variable_keys, only_part)
                if found is not None:
                    take(found, correction)
                elif only_part and _names_the_variable(st.parts, variable_keys) and _whole_inequality(st):
                    # "$p^2 < 1$", "$1 - p^2 > 0$": taken whole, as in answers.yaml, for the checker to solve; only
                    # when nothing else gives the set, as a step of the working may be such an inequality
                    parts = [_FORALL_PREFIX.sub("", st.parts[0]), *st.parts[1:-1], _clean_value(st.parts[-1])]
                    whole = Found(_written_inequality(parts, st.ops), st.line, 0)
            if only_part:
                value, doubt = _value_alone(block)
                if value is not None:
                    take(Found(value, block.line, 0), correction)  # "$(-\infty, \infty)$" on its own line
                doubted = doubted or doubt
            if correction and best is before_piece and _withdraws(block):
                # "The set is ℝ, no wait, is it [0, ∞)?": what the paragraph said is taken back, and nothing given
                best, doubted = before_block, doubted or _shorten(b.prose(), 100)
    if best is not None:
        return replace(best, value=_semicolons_as_commas(best.value)), ""
    for b in blocks:
        said, problem = _set_in_words(b.prose(), variable_keys, only_part)
        if said is not None or problem:
            return (Found(said, b.line, 1) if said is not None else None), problem
    if doubted and whole is None:
        return None, (f"“{doubted}” says the set only under a supposition, a hedge or a denial, so it is not read as "
                      f"the answer. Write the set for which the inequality holds, e.g. $\\varepsilon \\in (a, b)$.")
    return whole, ""


def _set_stated(st: Statement, keys: set[str], variable_keys: set[str], only_part: bool) -> Found | None:
    """The set a statement gives: boxed, after "Answer:", of the variable (``ε \\in …``, ``-1 < ε < 1``,
    ``|ε| < ∞``) or after a set word ("the set is $\\varepsilon \\geq 0$"); None if it gives none."""
    if not st.ops:
        if st.boxed:
            return Found(_clean_value(st.parts[0]), st.line, 2 if only_part else 1)
        if only_part and _SET_LEAD_IN.search(st.context[-80:]) and _SET_LIKE.match(st.parts[0]):
            return Found(_clean_value(st.parts[0]), st.line, 1)  # "Answer: $\mathbb{R}$"
        return None
    tier = 2 if st.boxed else 1
    lhs = _FORALL_PREFIX.sub("", st.parts[0])  # "\forall ε \in \mathbb{R}"
    inequality = _inequality_after_set_word(st, variable_keys)
    if inequality:
        return Found(inequality[0], st.line, tier)  # "the set is $\varepsilon \geq 0$"
    if (name_key(lhs) in keys or _builds_set_of(lhs, variable_keys)) and st.ops[0] in ("∈", "="):
        return Found(_clean_value(st.parts[-1]), st.line, tier)
    if not all(op in _INEQUALITIES for op in st.ops):
        return None
    parts = [lhs, *st.parts[1:]]
    interval = None
    if any(name_key(p) in variable_keys for p in parts):
        interval = inequality_to_interval(parts, st.ops, variable_keys)
    elif len(st.ops) == 1:
        interval = _absolute_interval(parts[0], st.ops[0], parts[1], variable_keys)
    return Found(interval, st.line, tier) if interval else None


def _whole_inequality(st: Statement) -> bool:
    return bool(st.ops) and all(op in _INEQUALITIES for op in st.ops)


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


# Words that only say what follows is the answer: "Answer:", "**Final answer:**", "The set is", "the solution set is",
# "The answer is therefore", "Antwort:", also in a bold left open by a full-width colon read as ASCII ("**答案：**" is
# "**答案: **"); and "it is" ("…, no wait, it is ℝ")
_SAID_IS = (r"\s*(?:[:：]|\bis\b(?:\s+(?:therefore|thus|hence|then|so|simply|just))?\s*:?)\s*(?:[*_]{1,2}\s*)?")
_ANSWER_WORDS = re.compile(rf"(?:[*_]{{1,2}}\s*)?(?:{SET_SAID}|it|{ANSWER_WORD_BEFORE_COLON}){_SAID_IS}", re.I)
# ... or open the paragraph's last clause: "Since ¼ ≤ 1, the set is ℝ", "…; hence the answer is ℝ", "Since σ̇ > 0
# everywhere the solution set is ℝ", unless the words before it in its sentence deny, suppose or hedge ("It is false
# that, …", "If ε were negative, …", "Perhaps …"; see _said_outright)
_CLAUSE_ANSWER_WORDS = re.compile(rf"(?<![^\s,;])\s*(?:(?:so|hence|thus|therefore)\s+)?(?:[*_]{{1,2}}\s*)?"
                                  rf"(?:{SET_SAID}|{ANSWER_WORD_BEFORE_COLON}){_SAID_IS}", re.I)

# What keeps a sentence from stating a set it says: a hedge or supposition ("If ε were negative, …", "Perhaps …",
# "I doubt …", "…, assuming ε > 0"), a denial ("It is false that …", "I do not think that …") unless in a clause that
# gives a reason ("Since ¼ is never larger than 1, …"), or a condition on the variable right before or after the set
# ("For ε > 0 the set is ℝ", "For positive ε, …", "… is ℝ for ε ≠ 0"): the student says the set only under it.
_HEDGED = re.compile(r"\b(?:if|unless|whether|were|would|could|suppose|supposing|assume|assuming|provided|perhaps|maybe|"
                     r"might|probably|possibly|guess|doubt|unsure|wonder)\b"
                     r"|\b(?:(?:need|have|want|try|going)\s+to|must|shall)\s+(?:show|prove|check|verify)\b", re.I)  # a goal
_DENIED = re.compile(r"\b(?:not|no|never|false|wrong|incorrect|nobody)\b|n[’']t\b", re.I)
# ... words that hold such a word but neither hedge nor deny: "No matter what ε is, …", "Whether or not …"
_NO_DOUBT = re.compile(r"\b(?:no\s+matter|whether\s+or\s+not|not\s+only|regardless)\b", re.I)
# A consequence opening the clause that says the set: "…, so the set is", "hence it is" (not "the answer is therefore")
_CONSEQUENCE = re.compile(r"\b(?:so|hence|thus|therefore|consequently)\b(?=\s*,?\s*(?:the|my|our|its?|we|this)\b)", re.I)
_GIVES_A_REASON = re.compile(r"\s*(?:since|because|as|given\s+that|from)\b", re.I)
# A condition on the variable, after the word that restricts to it: "ε > 0", "$\varepsilon \ne 0$", "positive ε"
_RESTRICTING = r"\b(?:for|when|whenever|given|with|if|provided|assuming|supposing)\s+"
_THE_VARIABLE = r"\$?\s*(?:ε|ϵ|\\varepsilon|\\epsilon|\bepsilon\b|\beps\b)\s*"
_SIGN_WORD = r"(?:strictly\s+)?(?:non-?\s*)?(?:positive|negative)\b"
_CONDITION = (rf"(?:(?:all|every|any|each)\s+)?(?:{_THE_VARIABLE}(?:[<>≤≥≠]|\\(?:le|ge|leq|geq|lt|gt|ne|neq)(?![a-zA-Z])"
              rf"|(?:is|are|be)\s+{_SIGN_WORD})(?:[^,;.!?a-zA-Z]|\\[a-zA-Z]+){{0,30}}|{_SIGN_WORD}\s+{_THE_VARIABLE}\$?)")
# ... the condition ending the words before the set, which may end with the words saying it ("For ε > 0 the set is")
_CONDITION_BEFORE = re.compile(rf"{_RESTRICTING}{_CONDITION}\s*,?\s*(?:then\s+)?(?:(?:the|my|our)\s+)?"
                               rf"(?:(?:{SET_SAID}|it){_SAID_IS})?\$?\s*$", re.I)
_CONDITION_AFTER = re.compile(rf"[\s$]*,?\s*(?:{_RESTRICTING}{_CONDITION}|(?:if|unless|assuming|provided|supposing)\b)",
                              re.I)
# The end of a sentence, before the one a set is said in
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s|$)|\n")


def _said_outright(before: str, after: str = "") -> bool:
    """Does a sentence state the set it says outright, given its words ``before`` the set (and ``after`` it)?
    See :data:`_HEDGED`."""
    sentence, after = _SENTENCE_BREAK.split(before[-_NEAR:])[-1], after[:_NEAR]
    # In a clause giving a reason, a condition is part of the reason: "Since 1/4 ≤ 1 only for positive ε, the set
    # is [0, ∞)" states its set outright (a wrong one)
    if (_CONDITION_BEFORE.search(sentence) and not _GIVES_A_REASON.match(sentence)) or _CONDITION_AFTER.match(after):
        return False
    if re.match(r"[^.!]*\?", after):
        return False  # "The set is $\mathbb{R}$?" asks
    sentence = _NO_DOUBT.sub(" ", sentence)
    if _HEDGED.search(sentence) or _GIVES_A_REASON.match(sentence):
        return not _HEDGED.search(sentence)
    # "Both sides don't depend on ε, so the set is ℝ": a denial before a consequence is the reason for it
    return not _DENIED.search(_CONSEQUENCE.split(sentence)[-1])


def _said_of_the_set(st: Statement) -> bool:
    """Is the statement a set said after words naming it: "the set is $\\mathbb{R}$", "Answer: $\\mathbb{R}$"?"""
    if st.ops:
        return name_key(st.parts[0]) in _SET_WORDS
    return bool(_SET_LEAD_IN.search(st.context[-80:])) and bool(_SET_LIKE.match(st.parts[0]))


def _sentence_of(block: Block, st: Statement) -> str:
    """The sentence of ``block`` that holds the statement, to quote it."""
    prose = block.prose()
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", prose) if s.strip()]
    return _shorten(next((s for s in sentences if st.parts[-1].strip() in s), prose), 100)


# A set said in a sentence, before or after a condition in it: "the set is", "the answer would be"
_SET_SAID_IN = re.compile(rf"\b{SET_SAID}\s+(?:is|are|=|would|could|might|may|must|will)\b|\bis\s+{SET_SAID}\b", re.I)
# The word supposing a condition, right before it: "Assuming ", "for every ", "If $"
_SUPPOSED_BEFORE = re.compile(r"\b(?:for|when|whenever|given|with|if|provided|assuming|supposing|suppose|assume)"
                              r"(?:\s+(?:all|every|any|each))?[\s$]*$", re.I)


def _condition_of_a_set_said(block: Block, st: Statement, variable_keys: set[str]) -> bool:
    """Is the statement an inequality in the variable supposed in a sentence that says a set: the ``ε > 0`` of
    "Assuming ε > 0, the set is ℝ", "If $\\varepsilon \\ge 0$ then maybe the set is …", "The set is ℝ if ε > 0"?"""
    if not _supposed(block, st) or not any(name_key(p) in variable_keys for p in st.parts):
        return False
    before = _SENTENCE_BREAK.split(_text_before(block, st))[-1]
    after = _SENTENCE_BREAK.split((" ".join(st.parts[1:]) + _text_after(block, st))[:_NEAR])[0]  # a value may run on
    return bool(_SET_SAID_IN.search(before) or _SET_SAID_IN.search(after))


def _supposed(block: Block, st: Statement) -> bool:
    """Is the statement an inequality right after a word that supposes it: "Assuming ε > 0", "for $\\varepsilon < 0$"?"""
    return bool(st.ops) and all(op in _INEQUALITIES for op in st.ops) and \
        bool(_SUPPOSED_BEFORE.search(_SENTENCE_BREAK.split(_text_before(block, st))[-1]))


# How much text around a statement or a set is looked at for the words that suppose, hedge or deny it: more than a
# sentence's worth, and bounded, so that a paragraph of thousands of statements is read in linear time.
_NEAR = 300


def _text_before(block: Block, st: Statement) -> str:
    """The block's text right before a statement (at most :data:`_NEAR` characters), maths in ``$…$`` (a
    statement's own context stops at its maths)."""
    pieces = [block.segments[st.segment].text[:st.span[0]]] if st.span is not None else []
    for seg in reversed(block.segments[:max(st.segment, 0)]):
        if sum(map(len, pieces)) >= _NEAR:
            break
        pieces.append(seg.text if seg.kind == "text" else f" ${seg.text}$ ")
    return "".join(reversed(pieces))[-_NEAR:]


def _text_after(block: Block, st: Statement) -> str:
    """The block's text right after a statement (at most :data:`_NEAR` characters), maths in ``$…$``."""
    pieces = [block.segments[st.segment].text[st.span[1]:]] if st.span is not None else []
    for seg in block.segments[st.segment + 1:]:
        if sum(map(len, pieces)) >= _NEAR:
            break
        pieces.append(seg.text if seg.kind == "text" else f" ${seg.text}$ ")
    return "".join(pieces)[:_NEAR]


# A student taking back what was just said: "…, no wait, it is ℝ", "Sorry, …"
_RETRACTION = r"(?:no\s+wait|wait|sorry|oops|actually|i\s+mean|or\s+rather|scratch\s+that)\b"
# Where a student takes back a set just said and gives another: "Correction: …", "**Edit:** …" opening a paragraph
# or a sentence, or a retraction in it: "[0, ∞), no wait, it is ℝ", "Actually, …", "…, or rather ℝ"
_SET_CORRECTION = re.compile(rf"{CORRECTION_OPENING.pattern}|(?:[,;—–]|(?<=[.!?])|^)\s*(?:[*_]{{1,2}})?{_RETRACTION}"
                             r"\s*(?:[*_]{1,2})?\s*[,:!—–]?\s*", re.I)


def _corrected_pieces(block: Block) -> list[Block]:
    """The block cut where the student corrects a set said in it: what it says first, then each correction (the
    block itself when it holds none)."""
    pieces: list[list[Segment]] = [[]]
    for seg in block.segments:
        at = 0
        for m in _SET_CORRECTION.finditer(seg.text) if seg.kind == "text" else ():
            pieces[-1].append(Segment("text", seg.text[at:m.start()]))
            pieces.append([])
            at = m.end()
        pieces[-1].append(seg if at == 0 else Segment("text", seg.text[at:]))
    if len(pieces) == 1:
        return [block]
    return [replace(block, segments=p, statements=None, without_remarks=None) for p in pieces]


def _withdraws(piece: Block) -> bool:
    """Does a correction take back the set said before it without giving another: "…, no wait, is it ℝ?",
    "Actually, I am not sure the set is ℝ.", "…, no wait, maybe ℝ"?"""
    sentences = re.split(r"(?<=[.!?])\s+", piece.prose().strip())
    # not "The set is ℝ. Actually, this is clear since ¼ ≤ 1.": it speaks of no set
    return any(sentence.endswith("?") or not _said_outright(sentence.rstrip("."))
               for sentence in sentences if _MENTIONS_A_SET.search(sentence))


_MENTIONS_A_SET = re.compile(r"ℝ|∅|\\mathbb|\\emptyset|\\varnothing|[(\[][^()\[\]]*,[^()\[\]]*[)\]]|\b(?:set|interval)\b")


def _after_a_set(text: str) -> str:
    """What follows the set that opens ``text`` (a plain-text set, or one in maths): " if ε > 0" of "ℝ if ε > 0"."""
    m = re.match(r"\s*(?:\$[^$]*\$|[^\s,;]+(?:\s*,\s*[^\s,;]+[)\]])?)", text)
    return text[m.end():] if m else text


def _value_alone(block: Block) -> tuple[str | None, str]:
    """A set written alone in its paragraph, or after words that only say it is the answer ("Answer: ℝ"):
    ``$(-\\infty, \\infty)$``, ``$\\mathbb{R}$``, ``(−∞, ∞)``, ``(-inf, inf) \\ {0}``; and, when the words before
    them keep it from being the answer ("If ε were negative, the set is ℝ."), the paragraph, quoted.  A question
    ("The set is ℝ?") gives none."""
    text = block.prose().rstrip(".").strip()
    if text.endswith("?"):
        return None, ""
    m = _ANSWER_WORDS.match(text)
    if m is None:
        m = next(reversed(list(_CLAUSE_ANSWER_WORDS.finditer(text))), None)
    if m and not _said_outright(text[:m.end()], _after_a_set(text[m.end():])):
        return None, _shorten(block.prose(), 100)
    text = text[m.end():] if m and text[m.end():].strip() else text
    m = re.fullmatch(r"\$([^$]+)\$", text)
    value = m.group(1).strip() if m else text if "$" not in text else None
    if value is None or not _SET_LIKE.match(value) or split_chain(value)[1]:
        return None, ""
    return _clean_value(value), ""


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
