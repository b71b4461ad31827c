"""Extraction of a choice said in prose (Q2.3d: "the approximation decays faster"), after a label, in a table
row or in a sentence, and which paragraphs belong to which part's label.
"""
from __future__ import annotations

import re
from typing import Iterable

from grader.checkers.choice import NEGATED_BEFORE
from grader.spec import Part

from .labels import (ANSWER_ONLY_WORD_ABROAD, ANSWER_ONLY_WORD_BEFORE_COLON, HEADING_LABEL, LABEL_WORDS, _SUB_HEADING,
                     covers, name_key, normalise_label)
from .document import Section, _shorten
from .statements import CORRECTION_OPENING, _boxed_inside
from .named import Found, _cell_text, _listed, _table_statements


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
        for k, text in enumerate(CORRECTION_OPENING.split(b.prose())):
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
    m = _CHOICE_GIVEN.search(text)
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


# The choice written after words that give it: "Answer: approx", "faster decay = true", "**Antwort:** approx"
_CHOICE_GIVEN = re.compile(rf"(?:\b(?:answer|faster(?:\s+decay)?|decays\s+faster)|{ANSWER_ONLY_WORD_BEFORE_COLON})"
                           r"\s*(?:[*_]{1,2}\s*)?[:=：]\s*\**\s*[\"'“`]?(\w+)", re.I)
# A table row's first cell that asks for the choice: "| faster decay | approx |", "| Antwort | approx |"
_CHOICE_ROW = re.compile(r"(?:the\s+)?(?:answer|choice|faster(?:\s+decay(?:ing)?)?(?:\s+curve)?|decays?\s+faster|"
                         rf"which\s+(?:curve\s+|one\s+)?decays\s+faster\??|{ANSWER_ONLY_WORD_ABROAD})\s*[:：]?")
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
_CHOICE_PHRASE = re.compile(r"(?:(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*)?[:=]?\s*"
                            rf"|{ANSWER_ONLY_WORD_BEFORE_COLON}\s*[:：]\s*)?(?:the\s+)?(?P<word>[a-z]+)\.?"
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
