"""Kind ``rubric``: prose graded against a list of required ideas.

Each idea has points and regular expressions for the ways it may be said; an
idea is found when any of its patterns matches the answer (case-insensitive,
after folding Unicode maths and LaTeX spacing).  The verdict names which
ideas were found and which were not, quoting the student's own words (case
and spelling as written) for each one found.  It is always *provisional*: the
pipeline marks rubric parts for an instructor to confirm or override.

An idea may also list ``contradicted_by`` patterns: statements of a
misconception that deny it ("tanh is completely immune" against "tanh
suffers less, though it is not immune").  When one is made, and not itself
denied, the idea earns nothing even if its patterns match, and the verdict
quotes the statement.  A misconception that is itself negative ("tanh does not
suffer from vanishing gradients") names its negation in a group called ``not``
(``tanh (?P<not>does not|doesn't) suffer``): that negation is the claim, any
other still denies the match.  A ``not`` group saying "neither" takes its "nor"
along (``(?P<not>neither) tanh nor relu suffers``), and a claim the student takes
back straight after it ("…, which is wrong.") is denied like one after "not".

With ``name_missing_ideas: false`` the verdict numbers the ideas instead of
quoting them: a student who may still resubmit could otherwise paste the
missing ideas back in, word for word.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from grader.checkers.base import Checker, Status, Verdict, register
from grader.checkers.choice import NEGATION_ABROAD


PROVISIONAL_NOTE = " (Provisional: an instructor confirms this.)"


def _fold_letters(text: str) -> str:
    """NFKC, with the derivative's dot taken off a letter: "tanḣ" and "σ̇" are matched as "tanh" and "σ",
    as the patterns spell them (else a guard like "not before tanh" would miss "tanḣ")."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFD", text).replace(DOT_ABOVE, ""))


DOT_ABOVE = "\u0307"


def fold_prose(text: str) -> str:
    """Lower-case, NFKC-folded text with LaTeX noise reduced, for pattern matching."""
    text = _fold_letters(text).replace("\u2044", "/")  # NFKC makes ¼ "1⁄4": a fraction slash
    text = re.sub(r"\\(left|right|,|;|!|quad|qquad)", " ", text)
    text = re.sub(r"\\(text|mathrm|operatorname)\{([^{}]*)\}", r"\2", text)
    text = text.replace("\\cdot", "*").replace("\\times", "*").replace("$", " ")
    return re.sub(r"\s+", " ", text).lower()


# How German and French words are spelt without their letters: "Größe" as "Groesse" (or the Swiss "Grösse"),
# "dérivée" as "derivee".  Other letters lose their accents.
_SPELT_WITHOUT = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe"}


def _spelt_plainly(character: str) -> str:
    if character < "\x80":
        return character
    plain = _SPELT_WITHOUT.get(character.lower())
    if plain is not None:
        return plain
    return "".join(c for c in unicodedata.normalize("NFD", character) if not unicodedata.combining(c)) or character


def spelled_pattern(pattern: str) -> str:
    """A rubric pattern with its letters spelt plainly, to match a folded answer; the pattern as written when that
    would not compile (a range between accented letters)."""
    plain = "".join(map(_spelt_plainly, pattern))
    if plain == pattern:
        return pattern
    try:
        re.compile(plain)
    except re.error:
        return pattern
    return plain


class FoldedProse:
    """An answer folded for matching, whose matches are quoted in the student's own words; ``spelled``, with
    its letters spelt plainly too ("größe" as "groesse")."""

    def __init__(self, original: str, spelled: bool = False):
        self.original = original
        self.spelled = spelled
        self.text = fold_prose(original)
        if spelled:
            self.text = "".join(map(_spelt_plainly, self.text))

    def quote(self, start: int, end: int) -> str:
        """The words behind ``text[start:end]`` as the student wrote them (spacing made single)."""
        if not self._sources:  # folded another way than fold_prose (see _nfkc): quote the folded text
            return self.text[start:end]
        if end <= start:
            return ""
        starts, ends = self._sources
        return " ".join(self.original[starts[start]:ends[end - 1]].split())

    @cached_property
    def _sources(self) -> tuple[list[int], list[int]] | tuple[()]:
        """For each folded character, where its source starts and ends in the original: fold_prose again,
        one step at a time, carrying the sources along.  Only an answer something is quoted from pays."""
        n = len(self.original)
        mapped = _nfkc((self.original, list(range(n)), list(range(1, n + 1))))
        mapped = _same_length(re.compile("\u2044"), "/", mapped)
        mapped = _sub(re.compile(r"\\(left|right|,|;|!|quad|qquad)"), " ", mapped)
        mapped = _sub(re.compile(r"\\(text|mathrm|operatorname)\{([^{}]*)\}"), 2, mapped)
        mapped = _sub(re.compile(r"\\(cdot|times)"), "*", mapped)
        mapped = _same_length(re.compile(r"\$"), " ", mapped)
        mapped = _sub(re.compile(r"\s{2,}"), " ", mapped)  # \s+ made " ", in two steps: runs, then single ones
        text, starts, ends = _lower(_same_length(re.compile(r"[^\S ]"), " ", mapped))
        if self.spelled:
            text, starts, ends = _spelt((text, starts, ends))
        return (starts, ends) if text == self.text else ()


_Mapped = tuple[str, list[int], list[int]]  # text, and each character's source: start and end in the original


def _nfkc(mapped: _Mapped) -> _Mapped:
    """NFKC (and dots off letters, see _fold_letters), a base character and its combining marks at a time, so that each piece keeps its source.
    That is NFKC of the whole but where two base characters compose (Hangul jamo, halfwidth kana);
    FoldedProse then quotes the folded text instead."""
    text, starts, ends = mapped
    if unicodedata.is_normalized("NFKC", text) and DOT_ABOVE not in unicodedata.normalize("NFD", text):
        return mapped
    out, new_starts, new_ends, at = [], [], [], 0
    # ASCII is left as it is, but for a letter that combining marks follow ("h" + U+0307 is "ḣ").
    for run in re.finditer(r".?[^\x00-\x7f]+", text, re.DOTALL):
        out.append(text[at:run.start()])
        new_starts += starts[at:run.start()]
        new_ends += ends[at:run.start()]
        i = run.start()
        while i < run.end():
            j = i + 1
            while j < run.end() and unicodedata.combining(text[j]):
                j += 1
            piece = _fold_letters(text[i:j])
            out.append(piece)
            new_starts += [starts[i]] * len(piece)
            new_ends += [ends[j - 1]] * len(piece)
            i = j
        at = run.end()
    out.append(text[at:])
    return "".join(out), new_starts + starts[at:], new_ends + ends[at:]


def _spelt(mapped: _Mapped) -> _Mapped:
    """Each letter spelt plainly (see _spelt_plainly), keeping its source."""
    text, starts, ends = mapped
    pieces = [_spelt_plainly(c) for c in text]
    return ("".join(pieces), [s for s, p in zip(starts, pieces) for _ in p],
            [e for e, p in zip(ends, pieces) for _ in p])


def _same_length(pattern: re.Pattern, replace: str, mapped: _Mapped) -> _Mapped:
    """``pattern.sub`` where each match is as long as its replacement: every character keeps its source."""
    return pattern.sub(replace, mapped[0]), mapped[1], mapped[2]


def _sub(pattern: re.Pattern, replace: str | int, mapped: _Mapped) -> _Mapped:
    """``pattern.sub``: new text (a str) comes from the whole match; a kept group (an int) keeps its sources."""
    text, starts, ends = mapped
    out, new_starts, new_ends, at = [], [], [], 0
    for m in pattern.finditer(text):
        out.append(text[at:m.start()])
        new_starts += starts[at:m.start()]
        new_ends += ends[at:m.start()]
        if isinstance(replace, int):
            out.append(m.group(replace))
            new_starts += starts[m.start(replace):m.end(replace)]
            new_ends += ends[m.start(replace):m.end(replace)]
        else:
            out.append(replace)
            new_starts += [starts[m.start()]] * len(replace)
            new_ends += [ends[m.end() - 1]] * len(replace)
        at = m.end()
    if not out:
        return mapped
    out.append(text[at:])
    return "".join(out), new_starts + starts[at:], new_ends + ends[at:]


def _lower(mapped: _Mapped) -> _Mapped:
    text, starts, ends = mapped
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, starts, ends
    # A few letters lower to two characters ("İ" to "i̇"): both keep the letter's source.
    widths = [len(c.lower()) for c in text]
    return (lowered, [s for s, w in zip(starts, widths) for _ in range(w)],
            [e for e, w in zip(ends, widths) for _ in range(w)])


@register
class RubricChecker(Checker):
    kind = "rubric"

    @dataclass(frozen=True)
    class Options:
        name_missing_ideas: bool = True  # false: "missing: idea 3", never the idea's words

    def check(self, reference: Any, answer: Any, options: Any) -> Verdict:
        ideas = tuple(reference)
        named = getattr(options, "name_missing_ideas", True)
        prose = FoldedProse(answer if isinstance(answer, str) else str(answer))
        if not prose.text.strip():
            return Verdict(Status.INCORRECT, 0.0, "No answer text found.")
        views = [(prose, _as_written)]
        if not (prose.text.isascii() and all(p.isascii() for idea in ideas
                                             for p in (*idea.patterns, *idea.contradicted_by))):
            views.append((FoldedProse(prose.original, spelled=True), spelled_pattern))
        total = sum(idea.points for idea in ideas)
        found, missing, contradicted, details = 0.0, [], [], []
        for number, idea in enumerate(ideas, 1):
            said = f": {idea.idea}" if named else ""
            contradiction = _said_in(idea.contradicted_by, views)  # a misconception stated withholds the idea
            hit = _said_in(idea.patterns, views) if contradiction is None else None
            if contradiction:
                words = _quoted(*contradiction)
                contradicted.append((number, words))
                details.append(f"idea {number} contradicted (0 of {idea.points:g} pt){said} — “{words}”")
            elif hit:
                found += idea.points
                details.append(f"idea {number} found ({idea.points:g} pt){said} — “{_quoted(*hit)}”")
            else:
                missing.append(number)
                details.append(f"idea {number} not found: {idea.idea}" if named else
                               f"idea {number} not found ({idea.points:g} pt)")
        credit = found / total if total else 0.0
        summary = _summary(ideas, missing, contradicted, named) + PROVISIONAL_NOTE
        verdict = Verdict.partial(credit, summary)
        return Verdict(verdict.status, verdict.credit, verdict.feedback, None, tuple(details))


def _said_in(patterns: tuple[str, ...], views: list) -> tuple[re.Match, FoldedProse] | None:
    """The first match not denied, and the prose it is in: the answer as written, then both it and the patterns
    spelt alike ("Grösse" and "Groesse" for a pattern's "größe", "derivee" for "dérivée")."""
    for prose, spelt in views:
        found = _said(tuple(spelt(p) for p in patterns), prose.text)
        if found is not None:
            return found, prose
    return None


def _quoted(match: re.Match, prose: FoldedProse) -> str:
    return prose.quote(match.start(), _word_end(prose.text, match))


def _as_written(pattern: str) -> str:
    return pattern


def _said(patterns: tuple[str, ...], text: str) -> re.Match | None:
    """The first match of any of the patterns that the text does not deny."""
    return next((m for p in patterns for m in _matches(re.compile(p, re.IGNORECASE), text) if not _denied(text, m)),
                None)


def _matches(pattern: re.Pattern, text: str):
    """Every match, each tried from one character after the start of the last: a denied match may take in
    the claim that follows it ("tanh is not immune; tanh suffers less"), which must still be found."""
    at = 0
    while (match := pattern.search(text, at)) is not None:
        yield match
        at = match.start() + 1


def _summary(ideas: tuple, missing: list[int], contradicted: list[tuple[int, str]], named: bool) -> str:
    """"2 of 3 rubric ideas found; missing: …." then one sentence per contradicted idea, quoting the student."""
    if not missing and not contradicted:
        return "The rubric idea was found." if len(ideas) == 1 else f"All {len(ideas)} rubric ideas found."
    summary = f"{len(ideas) - len(missing) - len(contradicted)} of {len(ideas)} rubric ideas found"
    if missing:
        # An idea written as a sentence brings its own full stop: "A.; B." reads as a typo.
        summary += "; missing: " + ("; ".join(ideas[n - 1].idea.strip().rstrip(".") for n in missing) if named
                                    else _numbered(missing))
    summary = _full_stop(summary)
    for number, words in contradicted:
        idea = f": {ideas[number - 1].idea.strip()}" if named else ""
        summary += " " + _full_stop(f"“{words}” contradicts idea {number}{idea}")
    return summary


def _full_stop(sentence: str) -> str:
    # An idea written as a sentence brings its own full stop: no second one.
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


# A match that says "not", or follows a denial in its clause ("gradients do not vanish faster with
# sigmoid", "it is a myth that tanh helps"), or a hedge ("one might think tanh is immune"), or ends in a
# question ("the sigmoid suffers more?"), says the idea is false: the next match, or the next pattern,
# may still say it.  So for a misconception ("tanh is not immune" does not state "tanh is immune").
# A denial ends at a "but" ("whereas", "however", "though") after it, and at a comma: "tanh is not
# immune, but it suffers less" says that tanh suffers less, "one might think X, but tanh is immune" that
# tanh is immune.  A comma straight after the denial, or before the "that" it governs, opens an aside
# instead: "tanh does not, in practice, suffer less", "it is not true that, with sigmoid, …".
# "Neither … nor …" denies for both names: "neither sigmoid nor tanh suffers less" says nothing of tanh.
# "Not only" (just, merely) adds to the claim instead: "tanh not only suffers less, it is also …".
# German, French, Spanish and Italian deny too ("nicht", "kein", "ne … pas"; "nicht nur" is "not only").
_NOT = rf"(?:\bnot\b|n['’]t\b|{NEGATION_ABROAD})(?! (?:only|just|merely|nur|seulement|solo|solamente|soltanto)\b)"
_NEGATION = re.compile(_NOT + r"|\bneither\b|\bnor\b")
# A belief reported ("many people believe", "some argue", "you often read that") or called a mistake ("it is
# incorrect to say", "it would be a mistake to think") is a hedge too, but for one confirmed ("as many believe").
_DENIAL = re.compile(_NOT + r"|\bneither\b|\bnor\b|\bmyth\b|\bfalse that\b|\bmisconception\b"
                     r"|\b(wrong|incorrect|mistaken|false|untrue|a mistake|an error) to\b|\b(untrue|incorrect) that\b"
                     r"|(?<!as )(?<!as some )(?<!as many )(?<!as most )"
                     r"\b((some|many|most) (people|students|authors|sources)|some|many|people|others) "
                     r"((often|sometimes|commonly|wrongly|mistakenly) )?(say|claim|believe|think(?! of)|argue|assume)\b"
                     r"|(?<!as )\b(you|one|we) ((often|sometimes|commonly) )?(read|hear)s? that\b"
                     r"|(?<!as )\b(one|you|people|someone|many|some) (might|may|would|could) "
                     r"(think(?! of)|assume|believe|say|claim)\b|(?<!as )\b(one|you|we|people|someone) (might|may) "
                     r"(expect|guess)\b|\b(might|may) (seem|appear)\b|\bat first (glance|sight)\b"
                     r"|\b(often|commonly|widely|sometimes) (said|believed|thought|claimed|assumed)\b"
                     # German and French: "Viele glauben, …", "Man könnte meinen, …", "On pourrait croire que …"
                     r"|\b(viele|manche|einige|man) (glauben|glaubt|denken|denkt|meinen|meint|behaupten|behauptet)\b"
                     r"|\bman (könnte|koennte|würde|wuerde|mag) (meinen|denken|glauben|annehmen|vermuten)\b"
                     r"|\b(irrtum|irrglaube|mythos|mythe|idée reçue|idee recue)\b|\b(falsch|faux),? (dass|que)\b"
                     r"|\b(on|certains|beaucoup|d['’]autres) (pourrait|pourraient|croit|croient|pense|pensent|dit|"
                     r"disent|affirme|affirment)\b")
_CLAUSE_END = re.compile(r"[.;:!?]")
# A claim taken back straight after it is denied too: "tanh is immune, which is wrong", "…; that is
# false", "…, but this is not the case", "many think tanh prevents it, but it does not", or a next
# sentence saying only that ("That is not true.").  The words must end their clause: "…, which is not
# the case for tanh" and "…, which is why it is preferred" take nothing back.
_CLAIM_END = re.compile(r"[,;:!?—–]|\.(?!\d)| (?=(?:but|which) )")
_TAKEN_BACK = re.compile(
    r"[\s,;:.!—–-]*(?:(?:but|and) )?(?:which|that|this|it|they)(?: claim| statement| view| idea)? "
    r"(?:(?:is|was|['’]s) (?:(?:simply|just|plainly|clearly|quite|completely|totally|entirely|of course) )?"
    r"(?:wrong|false|untrue|incorrect|mistaken|a (?:\w+ )?(?:myth|misconception|mistake|fallacy))"
    r"|(?:(?:is|was|are|were|['’]s) not|(?:is|was|are|were)n['’]t) (?:(?:really|actually|at all) )?"
    r"(?:true|correct|right|accurate|the case|so)"
    r"|(?:is|are|was|were|does|do|did) not|(?:is|are|was|were|does|do|did)n['’]t)"
    r"(?=\s*(?:[.;:!?,)—–]|$))")
_DENIAL_END = re.compile(r"\b(but|whereas|however|although|though|aber|sondern|jedoch|doch|mais|cependant|pourtant|"
                         r"tandis|pero|sino|però|tuttavia)\b")
_THAT = re.compile(r"\bthat\b")


def _word_end(text: str, match: re.Match) -> int:
    """Where the matched text to quote ends, its last word completed (a pattern may stop at a stem: "multipl")."""
    rest = re.match(r"\w*", text[match.end():match.end() + 40])
    return match.end() + rest.end()


def _denied(text: str, match: re.Match) -> bool:
    if _reaches_end(_NEGATION, _own_words(text, match)):
        return True
    start = max(text.rfind(c, 0, match.start()) for c in ".;:!?") + 1
    if _reaches_end(_DENIAL, text[max(start, match.start() - 160):match.start()]):
        return True
    end = _CLAUSE_END.search(text, match.end())
    if end is not None and end.group(0) == "?" and end.start() - match.end() < 160:
        return True
    return _taken_back(text, match)


def _taken_back(text: str, match: re.Match) -> bool:
    """Whether the words that end the match's clause take it back ("…, which is wrong.")."""
    end = _CLAIM_END.search(text, match.end())
    return end is not None and _TAKEN_BACK.match(text, end.start()) is not None


def _own_words(text: str, match: re.Match) -> str:
    """The match without the negation its pattern names as the claim (a group called ``not``).  A
    "neither" there takes its "nor" along: "neither tanh nor relu suffers" claims that tanh does not."""
    start, end = match.span()
    if "not" in match.re.groupindex and match.start("not") >= 0:
        text = _blank(text, match.start("not"), match.end("not"))
        if re.search(r"\bneither$", match.group("not")):
            nor = re.compile(r"\bnor\b").search(text, match.end("not"), end)
            text = _blank(text, *nor.span()) if nor else text
    return text[start:end]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]  # spaces keep the words either side apart


def _reaches_end(denial: re.Pattern, words: str) -> bool:
    """Whether a denial in the words still holds at their end: no "but" follows it, nor a comma
    other than one opening an aside."""
    for found in denial.finditer(words):
        rest = words[found.end():]
        if _DENIAL_END.search(rest):
            continue
        if "," in rest and not rest.startswith(",") and not _THAT.search(rest):
            continue
        return True
    return False


def _numbered(numbers: list[int]) -> str:
    """"idea 3", "ideas 1 and 3", "ideas 1, 2 and 4": the missing ideas by number only."""
    if len(numbers) == 1:
        return f"idea {numbers[0]}"
    return f"ideas {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"
