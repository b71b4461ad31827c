"""Submission → answers: one reader per file format, all with one signature.

A text reader takes a file and a problem set and returns a
:class:`WrittenReading`: the written answers it found, by part label, plus
notes.  Code files (``.py``, ``.ipynb``) are not read here but run in the
sandbox (:mod:`grader.sandbox`); :mod:`grader.readers.code` loads them.
"""
from __future__ import annotations

import codecs
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

# -- which files of a student's entry are read

def submission_files(entry: Path) -> list[Path]:
    """The files of one student's entry: a single file, or every file in a
    folder.  Symbolic links are listed too, so that the grading can say why
    it does not read them, and so are Jupyter's checkpoint copies when the
    entry holds nothing else (the student handed in the wrong copy)."""
    if entry.is_file() or entry.is_symlink():  # a linked folder is not followed either
        return [entry]
    found = sorted(p for p in entry.rglob("*") if p.is_symlink() or p.is_file())
    # A virtual environment committed with the work holds libraries, not answers: numpy's own
    # fromnumeric.py defines mean() too.  Its root is the folder holding pyvenv.cfg.
    environments = [p.parent for p in found if p.name == VIRTUAL_ENVIRONMENT and p.parent != entry]
    files = [p for p in found if not hidden_part(p.relative_to(entry).parts)
             and not any(p.is_relative_to(root) for root in environments)]
    if files:
        return files
    return [p for p in found if hidden_part(p.relative_to(entry).parts) == CHECKPOINTS and is_checkpoint(p)]


CHECKPOINTS = ".ipynb_checkpoints"  # where Jupyter keeps its own copies of a notebook
VIRTUAL_ENVIRONMENT = "pyvenv.cfg"  # what marks a folder as a Python virtual environment


# What computers and unzipping leave beside a student's files, never part of a
# submission: not graded, not in a class run's content hash (adding or removing it
# regrades nothing), and never a student of its own in the class folder.  Hidden
# names (.DS_Store, a Mac's ._notes.md, .ipynb_checkpoints/, .git/) are left out too.
LITTER_NAMES = frozenset({"__pycache__", "__macosx", "thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"})


def is_litter(name: str) -> bool:
    """Hidden files and folders, Python's __pycache__/, a Mac unzip's __MACOSX/,
    Windows' Thumbs.db and desktop.ini, and Office's ~$ lock files."""
    return name.startswith((".", "~$")) or name.casefold() in LITTER_NAMES


def hidden_part(parts: tuple[str, ...]) -> str:
    """The first hidden or litter folder or file name among ``parts`` ("" when none is)."""
    return next((part for part in parts if is_litter(part)), "")


def is_checkpoint(path: Path) -> bool:
    return path.parent.name == CHECKPOINTS and path.stem.endswith("-checkpoint")


# Every reader's note on an empty file reads "<name> is empty: <what that means>"; the class summary counts them.
EMPTY_FILE = " is empty: "


# Markdown by any name: Quarto's and R Markdown's documents are Markdown whose code chunks are fenced blocks.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".qmd", ".rmd", ".txt")


def text_reader_for(path: Path) -> TextReader | None:
    """The reader for a written-answer file, or None when the file is not one."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from grader.readers.answers_file import read_answers_file

        return read_answers_file
    if suffix in MARKDOWN_SUFFIXES:
        try:
            from grader.readers.markdown import read_markdown
        except ImportError:  # the Markdown reader is optional until it lands
            return None
        return read_markdown
    return None


# Byte-order marks of the Unicode encodings besides UTF-8, as Windows Notepad saves "Unicode": UTF-32's
# little-endian mark begins as UTF-16's does, so it is looked for first.
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                     (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def marked_encoding(data: bytes) -> str:
    """"UTF-16" or "UTF-32" when ``data`` begins with that encoding's byte-order mark; "" otherwise."""
    return next((name for mark, name in _BYTE_ORDER_MARKS if data.startswith(mark)), "")


def decoded_text(data: bytes) -> str:
    """A text file's text: UTF-8 with or without a byte-order mark, or UTF-16 or UTF-32 with one.  Raises
    UnicodeDecodeError (:func:`not_utf8` says why)."""
    return data.decode(marked_encoding(data) or "utf-8-sig")


def not_utf8(data: bytes, exc: UnicodeDecodeError, what: str = "UTF-8 text") -> str:
    """Why ``data`` is not ``what``, where, for a message that names the file first and then says
    what to do: "not UTF-8 text (byte 0xe9 on line 12 cannot be decoded)".  A line, unlike a byte
    offset, can be found in an editor; a Latin-1 é or a UTF-16 file is the usual cause."""
    marked = marked_encoding(data)
    if marked and exc.encoding.replace("-", "").lower().startswith(marked.replace("-", "").lower()):
        line = data[:exc.start].decode(marked, "replace").count("\n") + 1
        return f"not {what}: it begins as {marked} but is damaged or cut short on line {line}"
    if marked:
        notepad = ' ("Unicode" in Windows Notepad)' if marked == "UTF-16" else ""
        return f"not {what}: it was saved as {marked}{notepad}"
    if looks_like_utf16(data):
        return f"not {what}: {UTF16_WITHOUT_MARK}"
    line = data[: exc.start].count(b"\n") + 1
    return f"not {what} (byte 0x{data[exc.start]:02x} on line {line} cannot be decoded)"


UTF16_WITHOUT_MARK = "it looks like UTF-16 saved without a byte-order mark (a NUL byte every other byte)"
# TextEdit saves rich text by default: a file that begins so is no plain text, whatever its name says.
RTF_DOCUMENT = ("an RTF document (rich text, as TextEdit saves by default), not plain text: in TextEdit choose "
                "Format > Make Plain Text, or save it as plain text from your editor")


def is_rtf(text: str) -> bool:
    return text.lstrip().startswith("{\\rtf")


def with_nul_bytes(data: bytes, what: str = "UTF-8 text") -> str:
    """Why ``data``, which decoded to text holding NUL characters, is not ``what``: UTF-16 saved without a
    byte-order mark (Latin letters decode as UTF-8 too, each followed by a NUL), or not text at all."""
    if looks_like_utf16(data):
        return f"not {what}: {UTF16_WITHOUT_MARK}"
    return f"not {what}: it holds NUL bytes, as binary files do"


def looks_like_utf16(data: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: in one of the two halves of its bytes (odd or even places)
    at least half are NUL, as Latin letters leave them, and in the other almost none are."""
    sample = data[:4096]
    halves = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    return len(sample) >= 2 and halves[1] * 2 >= len(sample) // 2 and halves[0] * 10 <= len(sample) // 2
