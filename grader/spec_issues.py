"""What is wrong with a spec, located: :class:`SpecIssue` and :class:`SpecError`.

Apart from :mod:`grader.spec` (which loads specs and needs the checkers,
hence SymPy) so that the command line can catch a spec error without
loading them: ``grader check`` starts its sandbox before that import.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SpecIssue:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class SpecError(Exception):
    """One or more problems in spec files; ``issues`` lists each, located."""

    def __init__(self, issues: list[SpecIssue]):
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues
