"""Kind ``rubric``: prose graded against a list of required ideas.

Each idea has points and regular expressions for the ways it may be said; an
idea is found when any of its patterns matches the answer (case-insensitive,
after folding Unicode maths and LaTeX spacing).  The verdict names which
ideas were found and which were not.  It is always *provisional*: the
pipeline marks rubric parts for an instructor to confirm or override.

With ``name_missing_ideas: false`` the verdict numbers the ideas instead of
quoting them: a student who may still resubmit could otherwise paste the
missing ideas back in, word for word.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from grader.checkers.base import Checker, Status, Verdict, register


PROVISIONAL_NOTE = " (Provisional: an instructor confirms this.)"


def fold_prose(text: str) -> str:
    """Lower-case, NFKC-folded text with LaTeX noise reduced, for pattern matching."""
    text = unicodedata.normalize("NFKC", text).replace("\u2044", "/")  # NFKC makes ¼ "1⁄4": a fraction slash
    text = re.sub(r"\\(left|right|,|;|!|quad|qquad)", " ", text)
    text = re.sub(r"\\(text|mathrm|operatorname)\{([^{}]*)\}", r"\2", text)
    text = text.replace("\\cdot", "*").replace("\\times", "*").replace("$", " ")
    return re.sub(r"\s+", " ", text).lower()


@register
class RubricChecker(Checker):
    kind = "rubric"

    @dataclass(frozen=True)
    class Options:
        name_missing_ideas: bool = True  # false: "missing: idea 3", never the idea's words

    def check(self, reference: Any, answer: Any, options: Any) -> Verdict:
        ideas = tuple(reference)
        named = getattr(options, "name_missing_ideas", True)
        text = fold_prose(answer if isinstance(answer, str) else str(answer))
        if not text.strip():
            return Verdict(Status.INCORRECT, 0.0, "No answer text found.")
        total = sum(idea.points for idea in ideas)
        found, missing, details = 0.0, [], []
        for number, idea in enumerate(ideas, 1):
            hit = next((m for p in idea.patterns for m in re.finditer(p, text, re.IGNORECASE)
                        if not _denied(text, m)), None)
            if hit:
                found += idea.points
                said = f": {idea.idea}" if named else ""
                details.append(f"idea {number} found ({idea.points:g} pt){said} — “{_whole_words(text, hit)}”")
            else:
                missing.append(number)
                details.append(f"idea {number} not found: {idea.idea}" if named else
                               f"idea {number} not found ({idea.points:g} pt)")
        credit = found / total if total else 0.0
        if not missing:
            summary = f"All {len(ideas)} rubric ideas found."
        else:
            listed = "; ".join(ideas[n - 1].idea.strip() for n in missing) if named else _numbered(missing)
            # An idea written as a sentence brings its own full stop: no second one.
            summary = (f"{len(ideas) - len(missing)} of {len(ideas)} rubric ideas found; missing: {listed}"
                       + ("" if listed.endswith((".", "!", "?", "…")) else "."))
        summary += PROVISIONAL_NOTE
        verdict = Verdict.partial(credit, summary)
        return Verdict(verdict.status, verdict.credit, verdict.feedback, None, tuple(details))


# A match that says "not", or follows a denial in its clause ("gradients do not vanish faster with
# sigmoid", "it is a myth that tanh helps"), or ends in a question ("the sigmoid suffers more?"), says
# the idea is false: the next match, or the next pattern, may still say it.
_NEGATION = re.compile(r"\bnot\b|n['’]t\b|\bnor\b")
_DENIAL = re.compile(r"\bnot\b|n['’]t\b|\bnor\b|\bmyth\b|\bwrong to\b|\bfalse that\b")
_CLAUSE_END = re.compile(r"[.;:!?]")


def _whole_words(text: str, match: re.Match) -> str:
    """The matched text to quote, its last word completed (a pattern may stop at a stem: "multipl")."""
    rest = re.match(r"\w*", text[match.end():match.end() + 40])
    return match.group(0) + rest.group(0)


def _denied(text: str, match: re.Match) -> bool:
    if _NEGATION.search(match.group(0)):
        return True
    start = max(text.rfind(c, 0, match.start()) for c in ".;:!?") + 1
    if _DENIAL.search(text[max(start, match.start() - 160):match.start()]):
        return True
    end = _CLAUSE_END.search(text, match.end())
    return end is not None and end.group(0) == "?" and end.start() - match.end() < 160


def _numbered(numbers: list[int]) -> str:
    """"idea 3", "ideas 1 and 3", "ideas 1, 2 and 4": the missing ideas by number only."""
    if len(numbers) == 1:
        return f"idea {numbers[0]}"
    return f"ideas {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"
