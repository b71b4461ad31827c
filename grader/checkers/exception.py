"""Kind ``exception``: a case where the function must raise a given exception.

The reference is the exception the reference solution raised; the answer is
what the student's function did.  A subclass counts (``LinAlgError`` is a
``ValueError``), judged by the exception's class hierarchy as reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.checkers.base import Checker, Verdict, register


@dataclass(frozen=True)
class StudentException:
    """What the student's code raised, as plain data (never the exception object)."""

    name: str
    bases: tuple[str, ...]
    message: str

    def shown(self, limit: int = 200) -> str:
        """``ValueError: shapes differ``, or ``ValueError (with no message)`` for a bare ``raise ValueError``."""
        if not self.message.strip():
            return f"{self.name} (with no message)"
        return f"{self.name}: {_short(self.message, limit)}"


@register
class ExceptionChecker(Checker):
    kind = "exception"

    @dataclass(frozen=True)
    class Options:
        pass

    def check(self, reference: Any, answer: Any, options: Any) -> Verdict:
        expected = reference if isinstance(reference, str) else reference.name
        if isinstance(answer, StudentException):
            if expected in answer.bases or answer.name == expected:
                return Verdict.correct(f"Raised {answer.name} as required.")
            return Verdict.incorrect(f"Expected {expected} to be raised, but got {answer.shown()}")
        message = f"Expected {expected} to be raised, but the function returned a value."
        return Verdict.incorrect(message, hint=message)


def _short(message: str, limit: int = 200) -> str:
    # One line: a student's "checked.\n✓ hidden case 1: Returned the expected value." must not read
    # as lines of the grader's own under the case it failed.
    message = " ⏎ ".join(message.splitlines())
    return message if len(message) <= limit else message[:limit] + "…"
