"""Submission → answers: one reader per file format, all with one signature.

A text reader takes a file and a problem set and returns a
:class:`WrittenReading`: the written answers it found, by part label, plus
notes.  Code files (``.py``, ``.ipynb``) are not read here but run in the
sandbox (:mod:`grader.sandbox`); :mod:`grader.readers.code` loads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # not at run time: the sandbox's zygotes load this package and must stay small
    from grader.spec import ProblemSet


@dataclass(frozen=True)
class WrittenAnswer:
    """One answer as written: ``value`` is text (LaTeX or plain) or a YAML value.

    ``problem`` is set when the part was found but no answer could be taken
    from it (the pipeline reports "could not read" with this message).
    """

    label: str
    value: Any
    source: str
    line: int = 0
    problem: str = ""


@dataclass
class WrittenReading:
    answers: dict[str, WrittenAnswer] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


TextReader = Callable[[Path, "ProblemSet"], WrittenReading]

CODE_SUFFIXES = (".py", ".ipynb")

# Every reader's note on an empty file reads "<name> is empty: <what that means>"; the class summary counts them.
EMPTY_FILE = " is empty: "


def text_reader_for(path: Path) -> TextReader | None:
    """The reader for a written-answer file, or None when the file is not one."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from grader.readers.answers_file import read_answers_file

        return read_answers_file
    if suffix in (".md", ".markdown", ".txt"):
        try:
            from grader.readers.markdown import read_markdown
        except ImportError:  # the Markdown reader is optional until it lands
            return None
        return read_markdown
    return None


def not_utf8(data: bytes, exc: UnicodeDecodeError, what: str = "UTF-8 text") -> str:
    """Why ``data`` is not ``what``, where, for a message that names the file first and then says
    what to do: "not UTF-8 text (byte 0xe9 on line 12 cannot be decoded)".  A line, unlike a byte
    offset, can be found in an editor; a Latin-1 é or a UTF-16 file is the usual cause."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"not {what}: it was saved as UTF-16 (\"Unicode\" in Windows Notepad)"
    line = data[: exc.start].count(b"\n") + 1
    return f"not {what} (byte 0x{data[exc.start]:02x} on line {line} cannot be decoded)"

