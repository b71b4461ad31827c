"""Kind ``choice``: one of a fixed set of answers ("approx" / "true", "A".."E").

The reference is the right choice (a string).  Options:

``choices``
    All allowed choices, e.g. ``["approx", "true"]``.  An answer naming a
    different listed choice is incorrect; one naming none is "could not read".
``synonyms``
    A mapping from a choice to other ways of saying it, e.g.
    ``{"true": ["the true ratio", "exact", "ρ"]}``; phrases are matched inside
    a sentence ("the true ratio decays more slowly" names "true" unless a
    longer synonym of another choice matches).

Matching ignores case, surrounding ``$``/``\\text{}``/parentheses/quotes and
final punctuation, so ``(C)``, ``\\text{C}`` and ``c.`` all name ``C``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

from grader.checkers.base import Checker, Status, Verdict, register


@dataclass(frozen=True)
class ChoiceOptions:
    choices: tuple = ()
    synonyms: Any = None


def normalise_choice(text: Any) -> str:
    s = str(text).strip()
    s = s.strip("$").strip()
    for _ in range(3):
        m = re.fullmatch(r"\\(?:text|textbf|textrm|mathrm|mbox|boxed|textit)\s*\{(.*)\}", s, re.S)
        if not m:
            break
        s = m.group(1).strip()
    s = s.strip(" .;:!\"'`")
    while len(s) >= 2 and s[0] + s[-1] in ("()", "[]", "{}"):
        s = s[1:-1].strip()
    return " ".join(unicodedata.normalize("NFC", s).lower().split())  # "grösser" typed on a Mac is NFD


def _phrases(choice: str, synonyms: Mapping[str, Any] | None) -> list[str]:
    found = [normalise_choice(choice)]
    if synonyms:
        extra = synonyms.get(choice, ())
        if isinstance(extra, str):
            extra = (extra,)
        found.extend(normalise_choice(e) for e in extra)
    return [p for p in found if p]


def identify(answer: Any, choices: tuple | list, synonyms: Mapping[str, Any] | None = None) -> str | None:
    """The choice an answer names, or None (no choice, or several)."""
    named = named_choices(answer, choices, synonyms)
    return next(iter(named)) if len(named) == 1 else None


def named_choices(answer: Any, choices: tuple | list, synonyms: Mapping[str, Any] | None = None) -> set[str]:
    """The choices an answer names: the one it is, or those a sentence names and does not deny."""
    text = normalise_choice(answer)
    if not text:
        return set()
    for choice in choices:
        if text in _phrases(choice, synonyms):
            return {choice}
    # phrases inside a sentence: the longest wins ("approximation decays faster" in "the approximation decays
    # faster than the true ratio"), unless denied ("I would not use the SVD"); but choices merely listed
    # ("approx or true", "the approximation and the true ratio") are several answers, not one
    spans: list[tuple[int, int, str]] = []
    for choice in choices:
        for phrase in _phrases(choice, synonyms):
            if len(phrase) < 2 and len(text) > len(phrase):
                continue  # a one-letter choice inside a sentence is no evidence
            spans += [(m.start(), m.end(), choice)
                      for m in re.finditer(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])", text)
                      if not NEGATED_BEFORE.search(text, max(0, m.start() - 80), m.start())]
    if not spans:
        return set()
    longest = max(end - start for start, end, _ in spans)
    best = {choice for start, end, choice in spans if end - start == longest}
    named = {choice for start, end, choice in spans}
    if len(named) > 1 and _only_listed(text, spans):
        return named
    return best


# What may stand between choices merely listed: "approx or true", "approx/true", "both approx and true"
_LISTING = re.compile(r"(?:[\s,;/&|+.]|\b(?:or|and|both|either|nor|vs|versus|oder|und|ou|et|o|y|e)\b)*")


def _only_listed(text: str, spans: list[tuple[int, int, str]]) -> bool:
    """Whether the text holds nothing but the choices' phrases and words that list them."""
    rest = list(text)
    for start, end, _ in spans:
        rest[start:end] = [" "] * (end - start)
    return _LISTING.fullmatch("".join(rest)) is not None


# Words that deny, in the languages students write in: German "nicht", "kein", French "ne … pas", "n'est",
# "jamais", Spanish and Italian "no", "non", "nunca" ("non-linear" is no denial).
NEGATION_ABROAD = (r"\b(?:nicht|kein(?:e[nmrs]?)?|keineswegs|keinesfalls|nie|niemals|ne|pas|jamais|nunca|non(?!-))\b"
                   r"|\bn['’](?=[^\W\d_])")
# A denial just before a word ("not", "never", "no", "n't", up to four words before it): "I would not use
# the SVD" names the SVD without choosing it; so does "Die Näherung fällt nicht schneller ab".
NEGATED_BEFORE = re.compile(rf"(?:\b(?:not|never|no)\b|n't|{NEGATION_ABROAD})(?:\s+[^\s.,;:]+){{0,4}}\s*$", re.I)


@register
class ChoiceChecker(Checker):
    kind = "choice"
    Options = ChoiceOptions

    def read_problem(self, answer: Any, options: ChoiceOptions | None) -> str | None:
        options = options or ChoiceOptions()
        if not options.choices:
            return None  # the reference is the only choice named
        verdict = self.check(options.choices[0], answer, options)
        return verdict.feedback if verdict.status is Status.UNREADABLE else None

    def check(self, reference: Any, answer: Any, options: ChoiceOptions | None = None) -> Verdict:
        options = options or ChoiceOptions()
        reference = str(reference)
        choices = tuple(options.choices) or (reference,)
        if reference not in choices:
            choices = choices + (reference,)
        if not isinstance(answer, (str, int, float)) or isinstance(answer, bool):
            return Verdict.unreadable("Expected a choice written as text.")
        several = named_choices(answer, choices, options.synonyms)
        if len(several) > 1:
            said = " and ".join(f"“{c}”" for c in choices if c in several)
            return Verdict.unreadable(f"Could not tell which choice the answer names: it names {said}; write only "
                                      "the one you mean.")
        named = next(iter(several), None)
        read_as = named
        if named is None:
            listed = ", ".join(f'"{c}"' for c in options.choices)
            hint = f"; expected one of: {listed}" if listed else ""
            # The choices are the handout's, so a hidden case may say them too.
            return Verdict.unreadable(f"Could not tell which choice the answer names{hint}.",
                                      hint=f"The answer names none of the choices ({listed})." if listed else "")
        if normalise_choice(named) == normalise_choice(reference):
            return Verdict.correct("Looks good.", read_as=read_as)
        return Verdict.incorrect("That is not the right choice.", read_as=read_as)
