"""Read a code submission (a ``.py`` file or an ``.ipynb`` notebook) into
ordered code cells, without running anything.

A ``.py`` file is one cell: it is imported as a module, so an exception at
import time stops it there (exactly as ``import foundations`` would).  A
notebook gives one cell per code cell, run in order by the sandbox; a cell
that raises is reported and the following cells still run.

A notebook cell is first cleaned as Jupyter cleans it (:func:`jupyter_cleaned`): its first line's
indentation taken off the lines beginning with it, pasted console prompts stripped.
IPython syntax is not Python: magic lines (``%matplotlib inline``), shell
lines (``!pip install ...``) and help lines (``np.mean?``) are replaced by a
``pass`` with the same indentation, so line numbers in tracebacks still match
the student's cell; a magic's or shell command's result assigned to a name
(``x = %timeit -o f()``, ``files = !ls``) becomes ``x = None``.  The
timing and profiling line magics run their statement once instead, as
Jupyter runs it (``%time W = np.eye(3)`` defines ``W``; ``x = %time f()``
assigns ``f()``).  A cell magic (``%%bash``, ``%%html``...) skips its whole
cell, except the timing/capture magics whose body is ordinary Python
(``%%time``, ``%%timeit``, ``%%capture``), whose body runs once, and
``%%writefile NAME``, which becomes the call Jupyter makes
(``get_ipython().run_cell_magic('writefile', 'NAME', text)``): the sandbox
writes the file where the code runs, so a later ``import`` finds it.  A
notebook's skipped and rewritten lines are told in one note
(:func:`ipython_lines_note`), so they do not crowd out the notes that matter;
other notes on reading it stop at :data:`MAX_READING_NOTES`.

A ``.py`` file whose text is a notebook's JSON (renamed, or saved from
Jupyter under a ``.py`` name) is read as the notebook it is, with a note
saying so: Python would take it for one dict expression defining nothing.
The other way round, a ``.ipynb`` file whose text is Python (a ``.py`` file
renamed) is run as the Python file it is, with a note saying to rename it.  A
notebook that is not JSON says why when it can: empty, cut off, or holding
Git's merge-conflict markers.

Jupyter runs only code cells.  A notebook with no code in its code cells
says so in a note, and names a Markdown or Raw cell its code was written in;
a function written only in such a cell is named with its cell
(:class:`CellNotRun`; :meth:`CodeSource.not_run_definition` says it for a
part whose function is not defined).

A notebook's saved outputs (plots, logs) are not graded: they are dropped
when the notebook is read, and the size limit applies to the code and
Markdown that remain (:data:`MAX_SOURCE_BYTES`), not to the file, which may
be up to :data:`MAX_NOTEBOOK_BYTES`; one holding more JSON lists and objects
than :data:`MAX_NOTEBOOK_CONTAINERS` is refused before it is parsed.  Each
file is run on its own, so a note says when one imports another file handed
in beside it.
Jupyter shows no cell numbers, so each code cell carries the line it
begins with (:func:`cell_quote`), for notes that name it, and its saved
execution count, the order the student ran it in.

A notebook whose kernel is not Python (an R or Julia notebook, by its
metadata's language) has its code cells left out, with a note saying so
(:func:`_foreign_kernel_note`): run as Python they would give one
SyntaxError per cell.  A notebook that names no language is run as Python.
"""
from __future__ import annotations

import ast
import io
import json
import os
import re
import stat
import sys
import threading
import time
import tokenize
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.magics import VALUE_OPTIONS, magic_code
from grader.readers import EMPTY_FILE, marked_encoding, not_utf8, with_nul_bytes

# What is graded (a .py file, a notebook's code and Markdown cells) is at most this large.
MAX_SOURCE_BYTES = 5 * 1024 * 1024
# A notebook file with its saved outputs (plots, long logs), which are dropped before anything else.
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
# Its JSON lists and objects, counted as "[" and "{" bytes before parsing: each costs some 60 to 200 bytes
# once parsed, so 24 million empty ones in 96 MB took 2 GB.  Notebooks saved by Jupyter hold at most
# about 25,000 per MB (one small stream output per print; plotly's figures and plotly.js about 20,000,
# GeoJSON maps 12,000), so at most 2.5 million at the file limit; this leaves twice that.
MAX_NOTEBOOK_CONTAINERS = 5_000_000
# Notes on reading one notebook (skipped magic lines...); one more says how many were left out.
MAX_READING_NOTES = 50
# A cell's first line quoted in notes, shortened to about this many characters.
QUOTE_CHARS = 40
# Readings kept, so that a file read twice in a run (to choose the sandbox's libraries, then to grade it)
# is parsed once: at most this many, holding at most MAX_KEPT_CHARS characters of code and Markdown.
MAX_KEPT_READINGS = 64
MAX_KEPT_CHARS = 32 * 1024 * 1024
# A file changed less than this long ago is read again each time: a coarse file-system clock (a jiffy, or
# FAT's 2 s) could give a change made just after it was read the same time, size staying the same.
SETTLED_NS = 2_000_000_000

# Cell magics whose body is plain Python that should still define things.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
# Line magics whose argument is a Python statement Jupyter runs (timed, or profiled).
STATEMENT_LINE_MAGICS = frozenset(VALUE_OPTIONS)

# "np.mean?", "np.mean??", "?np.linalg.eigh", "??np.linalg.eigh": IPython's help, nothing to run.
_HELP_LINE = re.compile(r"^(?:[\w.\[\]()*]+\?{1,2}|\?{1,2}[\w.\[\]()*]+)$")
# "x = %timeit -o f()", "files = !ls", "a, b = %sx cmd": IPython assigns a magic's or a shell command's result.
_MAGIC_ASSIGNMENT = re.compile(
    r"^[ \t]*(?P<target>[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)[ \t]*=[ \t]*(?P<magic>[%!].*)$")


class CodeReadError(ValueError):
    """The submission file cannot be read as code; the message names the file."""


@dataclass(frozen=True)
class Cell:
    """One unit of code, run as a whole.

    ``label`` is the name the code is compiled under, so tracebacks show
    e.g. ``foundations.ipynb, code cell 3`` and the student's own lines."""

    source: str
    label: str
    number: int = 1  # 1-based position among the code cells
    quote: str = ""  # a notebook cell's first line (cell_quote), for notes: Jupyter shows no cell numbers
    # Its [n] when the notebook was saved: the order the student ran the cells in, in Jupyter.
    execution_count: int | None = None


@dataclass(frozen=True)
class CellNotRun:
    """A notebook's Raw or Markdown cell that holds code: Jupyter does not run it."""

    kind: str  # "Raw" or "Markdown"
    position: int  # 1-based, among all the notebook's cells
    quote: str  # its first line (cell_quote)
    fenced: bool = False  # the code is in a fenced block (```python), which a Code cell would not run either

    def described(self) -> str:
        """How notes name the cell, and what to do: ``a Raw cell (cell 3, beginning “def relu(x):”), which
        Jupyter does not run: change the cell type to Code``."""
        beginning = f", beginning “{self.quote}”" if self.quote else ""
        advice = "put the code, without the ``` lines, in a Code cell" if self.fenced else \
            "change the cell type to Code"
        return f"a {self.kind} cell (cell {self.position}{beginning}), which Jupyter does not run: {advice}"


# A .py file with nothing in it: every part would say "not defined" with no word on why.
EMPTY_CODE_NOTE = "{name}" + EMPTY_FILE + "it defines no functions."


@dataclass(frozen=True)
class CodeSource:
    path: Path
    cells: list  # list[str | Cell]
    notes: list[str] = field(default_factory=list)
    # A notebook's Markdown cells, in order: they may hold written answers.
    markdown_cells: list[str] = field(default_factory=list)
    # A notebook saved under a .py name: run cell by cell, as the notebook it is.
    read_as_notebook: bool = False
    # A .py file saved under a .ipynb name: run as the Python file it is.
    read_as_python: bool = False
    # Functions a notebook defines only in cells Jupyter does not run (Raw or Markdown): name -> the cell.
    defined_in_cells_not_run: dict = field(default_factory=dict)  # dict[str, CellNotRun]

    def not_run_definition(self, function: str) -> str:
        """Why ``function`` is not defined when it is written only in a Raw or Markdown cell
        ("relu is defined in a Raw cell (cell 3, …), which Jupyter does not run: change the cell type to
        Code."); "" otherwise.  For a part's "not defined", which would say no more."""
        cell = self.defined_in_cells_not_run.get(function)
        return f"{function} is defined in {cell.described()}." if cell else ""

    @property
    def is_empty(self) -> bool:
        """A .py file of blank lines (its note says so)."""
        return not self.is_notebook and not any(cell.source.strip() for cell in self.cells)

    @property
    def is_notebook(self) -> bool:
        return self.read_as_notebook or (Path(self.path).suffix.lower() == ".ipynb" and not self.read_as_python)

    def normalised_cells(self) -> list[Cell]:
        """Cells as :class:`Cell` objects (plain strings get labels)."""
        name = Path(self.path).name
        out = []
        for number, cell in enumerate(self.cells, start=1):
            if isinstance(cell, Cell):
                out.append(cell)
            elif len(self.cells) == 1 and not self.is_notebook:
                out.append(Cell(str(cell), name, number))
            else:
                out.append(Cell(str(cell), f"{name}, code cell {number}", number))
        return out


def load_code(path: str | Path) -> CodeSource:
    """Read ``path`` (``.py`` or ``.ipynb``) into a :class:`CodeSource`.

    Raises :class:`CodeReadError` with a message naming the file when it
    cannot be read (missing, too large, not text in its encoding, not a valid notebook).
    A file read again unchanged (same place, size and times) is not parsed again."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".py", ".ipynb"):
        raise CodeReadError(f"{path.name}: expected a .py file or an .ipynb notebook")
    key = _reading_key(path)
    source = _kept_reading(key)
    if source is None:
        if suffix == ".py":
            source = _load_python(path, _read_bytes(path, MAX_SOURCE_BYTES, json_limit=MAX_NOTEBOOK_BYTES))
        else:
            source = _load_notebook(path, _read_bytes(path, MAX_NOTEBOOK_BYTES))
        _keep_reading(key, source)
    # Each caller gets its own lists; notes on files beside it are made afresh, as the folder may change.
    source = replace(source, cells=list(source.cells), notes=list(source.notes),
                     markdown_cells=list(source.markdown_cells))
    source.notes.extend(_sibling_import_notes(path, source.normalised_cells()))
    return source


_kept: OrderedDict[tuple, tuple[CodeSource, int]] = OrderedDict()  # key -> (reading, its characters)
_kept_lock = threading.Lock()  # the batch grader's threads share readings


def _reading_key(path: Path) -> tuple | None:
    """What tells this file's reading from another's: place, size and times; None when the file
    is not a settled regular file (:data:`SETTLED_NS`), which is read each time."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < SETTLED_NS:
        return None
    return (os.path.abspath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _kept_reading(key: tuple | None) -> CodeSource | None:
    if key is None:
        return None
    with _kept_lock:
        kept = _kept.get(key)
        if kept is None:
            return None
        _kept.move_to_end(key)
        return kept[0]


def _keep_reading(key: tuple | None, source: CodeSource) -> None:
    """Keep ``source``, dropping the readings least recently used beyond the limits."""
    size = sum(len(cell.source) if isinstance(cell, Cell) else len(str(cell)) for cell in source.cells) + \
        sum(len(text) for text in source.markdown_cells)
    if key is None or size > MAX_KEPT_CHARS:
        return
    with _kept_lock:
        _kept[key] = (source, size)
        total = sum(kept_size for _, kept_size in _kept.values())
        while len(_kept) > MAX_KEPT_READINGS or total > MAX_KEPT_CHARS:
            _, (_, dropped) = _kept.popitem(last=False)
            total -= dropped


def forget_readings() -> None:
    """Drop the readings kept by :func:`load_code`."""
    with _kept_lock:
        _kept.clear()


def _read_bytes(path: Path, limit: int, json_limit: int | None = None) -> bytes:
    """The file's bytes, at most ``limit`` of them (``json_limit`` when they begin as JSON's ``{``
    does: a notebook saved under a .py name, with its outputs); never blocks (a FIFO is refused, not read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CodeReadError(f"{path.name}: file not found") from None
    except IsADirectoryError:
        raise CodeReadError(f"{path.name}: is a directory, not a file") from None
    except OSError as exc:
        raise CodeReadError(f"{path.name}: cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise CodeReadError(f"{path.name}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise CodeReadError(f"{path.name}: is not a regular file (a pipe or a device), so it was not read")
        chunks: list[bytes] = []
        size = info.st_size
        if json_limit is not None and size > limit and _begins_as_json(os.pread(fd, 64, 0)):
            limit = json_limit
        if size <= limit:
            size = 0  # counted again while reading: the file may have grown since
            while size <= limit:
                chunk = os.read(fd, min(1 << 22, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except OSError as exc:
        raise CodeReadError(f"{path.name}: cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise CodeReadError(_too_large(path, size, limit))
    return b"".join(chunks)


def _too_large(path: Path, size: int, limit: int) -> str:
    if path.suffix.lower() == ".ipynb":
        return (f"{path.name}: file is {size:,} bytes, more than the {limit:,}-byte limit for a notebook with "
                "its saved outputs; clear the outputs in Jupyter (Edit, Clear Outputs of All Cells), save it "
                "and hand it in again")
    return f"{path.name}: file is {size} bytes, more than the {MAX_SOURCE_BYTES}-byte limit"


def _python_text(path: Path, data: bytes) -> str:
    """The text of a ``.py`` file, decoded as Python imports it: UTF-8 (with or without a BOM) unless a
    PEP 263 declaration on its first two lines (``# -*- coding: latin-1 -*-``) names another encoding.
    UTF-16 and UTF-32 with a byte-order mark (Notepad's "Unicode") are read too, as Markdown and
    notebooks are, though Python would not import them."""
    marked = marked_encoding(data)
    encoding = marked or _declared_encoding(path, data)
    declared = not marked and encoding not in ("utf-8", "utf-8-sig")
    what = f"{encoding} text, as its coding line says" if declared else "UTF-8 text"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CodeReadError(f"{path.name}: {not_utf8(data, exc, what)}; save it as UTF-8 and hand it in "
                            "again") from None
    if "\x00" in text:  # Python refuses it, on no line ("line None")
        raise CodeReadError(f"{path.name}: {with_nul_bytes(data, what)}; save it as UTF-8 and hand it in "
                            "again")
    return text


def _declared_encoding(path: Path, data: bytes) -> str:
    """The encoding Python reads a file in: UTF-8 unless a PEP 263 line names another."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if exc.msg.startswith("unknown encoding: "):
            raise CodeReadError(f"{path.name}: its coding line names an encoding Python does not know "
                                f"({exc.msg.removeprefix('unknown encoding: ')[:40]!r})") from None
        return "utf-8-sig"  # first lines that are not UTF-8 and declare nothing: said when decoding, with the byte
    return encoding


def _begins_as_json(data: bytes) -> bool:
    """Whether ``data`` begins as a JSON object, as a notebook does (``{``, after a BOM or spaces)."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{")


def _load_python(path: Path, data: bytes) -> CodeSource:
    """A ``.py`` file: one cell; or, when its text is a notebook's JSON, that notebook's cells.

    Python takes a notebook's JSON for one dict expression that defines nothing, so every part would
    be "not defined" with no word on why: it is graded as the notebook it is, with a note saying so."""
    notebook = _notebook_in_python_file(path, data)
    if notebook is None:
        if len(data) > MAX_SOURCE_BYTES:  # read further only in case it was a notebook
            raise CodeReadError(_too_large(path, len(data), MAX_SOURCE_BYTES))
        text = _python_text(path, data)
        # Every part would say "not defined": the note says why, as for an empty Markdown file.
        notes = [EMPTY_CODE_NOTE.format(name=path.name)] if not text.strip() else []
        return CodeSource(path, [Cell(text, path.name, 1)], notes)
    del data
    said = f"{path.name} holds a Jupyter notebook (JSON), not Python"
    try:
        source = _notebook_source(path, notebook)
    except CodeReadError as exc:
        raise CodeReadError(f"{said}, which cannot be read: {str(exc).removeprefix(path.name + ': ')}") from None
    source.notes.insert(0, f"{said}: it was read as a notebook; save it with File > Download as > Python, "
                           "or hand in the .ipynb")
    return replace(source, read_as_notebook=True)


def _notebook_in_python_file(path: Path, data: bytes) -> dict | None:
    """The parsed JSON of a notebook saved under a .py name; None for Python (anything that is not JSON
    with "cells" and "nbformat": a notebook cut short is Python's syntax error, as it would be in Jupyter)."""
    if not _begins_as_json(data[:64]) or b'"nbformat"' not in data:
        return None
    _check_containers(path.name, data)
    try:
        raw = json.loads(data, object_hook=_unless_output)
    except (ValueError, RecursionError):  # UnicodeDecodeError too: Python's decoding says what is wrong
        return None
    if isinstance(raw, dict) and "nbformat" in raw and ("cells" in raw or "worksheets" in raw):
        return raw
    return None


# Files handed in under a notebook's name by mistake, by their first bytes.
_NOT_NOTEBOOKS = ((b"PK\x03\x04", "a zip archive"), (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
                  (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"))


def _load_notebook(path: Path, data: bytes) -> CodeSource:
    name = path.name
    kind = next((kind for magic, kind in _NOT_NOTEBOOKS if data.startswith(magic)), None)
    if kind is not None:
        advice = " (unzip it and hand in the .ipynb inside)" if "archive" in kind else ""
        raise CodeReadError(f"{name}: is {kind}, not a notebook{advice}")
    _check_containers(name, data)
    try:
        # JSON's own encodings: UTF-8 with or without a BOM, UTF-16, UTF-32
        raw = json.loads(data, object_hook=_unless_output)
    except UnicodeDecodeError as exc:
        raise CodeReadError(f"{name}: {not_utf8(data, exc)}; save it as UTF-8 and hand it in again") from None
    except RecursionError:
        raise CodeReadError(f"{name}: not a valid notebook (its JSON is nested too deeply)") from None
    except ValueError as exc:
        python = _python_in_notebook_file(path, data)
        if python is not None:
            return python
        raise CodeReadError(_why_not_json(name, data, exc)) from None
    del data
    return _notebook_source(path, raw)


def _python_in_notebook_file(path: Path, data: bytes) -> CodeSource | None:
    """A ``.ipynb`` file whose text is Python (a .py file renamed): run as the Python file it is, with a
    note saying so, as a notebook saved under a .py name is read as a notebook.  None when it is not Python."""
    if not data.strip() or len(data) > MAX_SOURCE_BYTES or _begins_as_json(data[:64]):
        return None  # a notebook cut short is told as such, not run as one dict expression
    try:
        text = _python_text(path, data)
        compile(text, path.name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (CodeReadError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    note = (f"{path.name} holds Python code, not a Jupyter notebook: it was run as the Python file it is; "
            f"rename it {path.stem}.py")
    return CodeSource(path, [Cell(text, path.name, 1)], [note], read_as_python=True)


# Git's merge-conflict markers, at the start of a line: "<<<<<<< HEAD", "=======", ">>>>>>> branch".
_CONFLICT_MARKER = re.compile(rb"^(?:<{7}|>{7})(?:[ \t]|\r?$)", re.MULTILINE)


def _why_not_json(name: str, data: bytes, exc: ValueError) -> str:
    """What is wrong with a notebook that is not JSON, in words a student can act on."""
    if not data.strip():
        return (f"{name}{EMPTY_FILE}there is no notebook in it to run; save the notebook in Jupyter and hand it "
                "in again")
    if _CONFLICT_MARKER.search(data):
        return (f"{name} holds Git merge-conflict markers (<<<<<<< … >>>>>>>): resolve the conflict and hand it "
                "in again")
    position, message, text = getattr(exc, "pos", None), getattr(exc, "msg", ""), getattr(exc, "doc", "")
    # Cut off: the parser ran out of text, or a string was still open at its end.
    if _begins_as_json(data[:64]) and position is not None and \
            (position >= len(text.rstrip()) or message.startswith("Unterminated string")):
        return (f"{name} ends early — the file was cut off (saved while copying?): save the notebook again in "
                "Jupyter and hand it in again")
    return f"{name}: not a valid notebook (the file is not JSON)"


def _check_containers(name: str, data: bytes) -> None:
    """Refuse a notebook with too many JSON lists and objects, counted before parsing, which would take
    gigabytes (brackets inside strings count too: more is refused)."""
    if data.count(b"{") + data.count(b"[") > MAX_NOTEBOOK_CONTAINERS:
        raise CodeReadError(f"{name}: its saved outputs or metadata are too large to read (more than "
                            f"{MAX_NOTEBOOK_CONTAINERS:,} JSON lists and objects); clear the outputs in Jupyter "
                            "(Edit, Clear Outputs of All Cells), save it and hand it in again")


def _notebook_source(path: Path, raw: object) -> CodeSource:
    """The cells of a notebook's parsed JSON, whose outputs :func:`_unless_output` dropped."""
    name = path.name
    if not isinstance(raw, dict) or ("cells" not in raw and "worksheets" not in raw):
        raise CodeReadError(f"{name}: is JSON but not a Jupyter notebook (no 'cells' list)")
    version = raw.get("nbformat")
    if version is None:
        # nbformat would take it for a version-1 notebook and drop every cell.
        raise CodeReadError(f"{name}: not a valid notebook (it names no nbformat version); "
                            "save it from Jupyter, or hand in a .py file")
    if type(version) is not int:
        raise CodeReadError(f"{name}: not a valid notebook (its nbformat version, {str(version)[:20]!r}, "
                            "is not a whole number)")
    if version not in (1, 2, 3, 4):
        raise CodeReadError(f"{name}: not a valid notebook (nbformat version {version} is not one Jupyter "
                            "writes); save it from Jupyter, or hand in a .py file")
    notes: list[str] = []
    foreign = _foreign_kernel(raw.get("metadata"))
    if version == 4:
        cells_json = _v4_cells(raw, name, notes)
    else:
        slim = _slim_old_notebook(raw, version)
        del raw  # most of an old notebook may be outputs and metadata: freed before nbformat parses the rest
        cells_json = _converted_cells(slim, name, version)
    if foreign is None:
        return _read_cells(path, cells_json, notes)
    # Its Markdown may still hold written answers; notes on its code (magic lines...) would be about another
    # language's syntax.
    source = _read_cells(path, cells_json, list(notes))
    return CodeSource(path, [], [*notes, _foreign_kernel_note(name, *foreign)], source.markdown_cells)


# The language a Python kernel names in a notebook's metadata: "python" (ipykernel, xeus-python, Pyodide),
# "python3", "ipython3" (older IPython), "Python 3".
_PYTHON_LANGUAGE = re.compile(r"i?python\s*[\d.]*", re.I)


def _foreign_kernel(metadata: object) -> tuple[str, str] | None:
    """(language, kernel name) of a notebook whose kernel is not Python, by its metadata's
    ``language_info.name`` and ``kernelspec.language``: ``("R", "ir")``.  None for a Python notebook, and
    for one naming no language (written by hand, or by a tool), which is run as Python."""
    if not isinstance(metadata, dict):
        return None
    spec, info = metadata.get("kernelspec"), metadata.get("language_info")
    named = [table.get(key) for table, key in ((info, "name"), (spec, "language")) if isinstance(table, dict)]
    languages = [language.strip() for language in named if isinstance(language, str) and language.strip()]
    if not languages or any(_PYTHON_LANGUAGE.fullmatch(language) for language in languages):
        return None
    kernel = spec.get("name") if isinstance(spec, dict) else None
    return languages[0][:30], kernel.strip()[:40] if isinstance(kernel, str) else ""


def _foreign_kernel_note(name: str, language: str, kernel: str) -> str:
    """``foundations.ipynb is a notebook in R (its kernel is ir); the grader runs Python, ...``"""
    which = f" (its kernel is {kernel})" if kernel else ""
    return (f"{name} is a notebook in {language}{which}; the grader runs Python, so its code cells were not run: "
            "hand in a Python notebook or .py file")


def _unless_output(value: dict) -> dict | None:
    """For ``json.loads``: a saved output (a plot, a line of a log) is dropped as soon as it is parsed, so
    that a million of them never stand in memory at once (1.45 million small ones took 900 MB, now 200 MB)."""
    if "output_type" in value and not ("cell_type" in value or "cells" in value or "worksheets" in value):
        return None
    return value


def _v4_cells(raw: dict, name: str, notes: list[str]) -> list[dict]:
    """The cells of a version-4 notebook, without their outputs, which are not graded.

    Read as Jupyter opens them: keys Jupyter fills in itself (``metadata``, ``outputs``,
    ``execution_count``, ``id``) may be missing, and what is not a cell is skipped with a note."""
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise CodeReadError(f"{name}: not a valid notebook ('cells' is not a list)")
    kept = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            notes.append(f"{name}: skipped cell {number}, which is not a cell but a JSON {_json_type(cell)}")
            continue
        kind = cell.get("cell_type")
        if kind not in ("code", "markdown", "raw"):
            what = ("which has no cell_type to say whether it is code or Markdown" if kind is None else
                    f"whose cell_type {str(kind)[:20]!r} is not code, markdown or raw")
            notes.append(f"{name}: skipped cell {number}, {what}{_beginning(_text_of(cell.get('source')))}")
            continue
        cell.pop("outputs", None)
        cell.pop("attachments", None)
        kept.append(cell)
    return kept


def _execution_count(cell: dict) -> int | None:
    """A code cell's saved ``[n]``; None when it was not run (or the value is not a count)."""
    count = cell.get("execution_count")
    return count if type(count) is int else None


def defined_names(code: str) -> set[str]:
    """The names a cell's code binds when run: functions, classes, assignments, imports, loop and ``with``
    targets, also under ``if``, ``for``, ``try``...; not names local to a function, class or comprehension.
    No names when the code does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # its body binds its own names
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.partition(".")[0] for alias in node.names if alias.name != "*")
        pending.extend(ast.iter_child_nodes(node))
    return names


def _text_of(source: object) -> str | None:
    """A cell's source as text (Jupyter saves it as a string or a list of lines), its lines ending in "\n"
    whatever the editor saved ("\r\n" on Windows, "\r" on old Macs), as Python and Markdown read them;
    None when it is neither."""
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    return source.replace("\r\n", "\n").replace("\r", "\n") if isinstance(source, str) else None


def cell_quote(source: str) -> str:
    """The line a notebook cell begins with, shortened, to name the cell in notes: its first line
    that is not blank or a cell magic (``%%time``), else its first line that is not blank."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    line = next((line for line in lines if not line.startswith("%%")), lines[0] if lines else "")
    if len(line) <= QUOTE_CHARS:
        return line
    cut = line[:QUOTE_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > QUOTE_CHARS // 2 else cut).rstrip() + "…"


def _beginning(source: str | None, before: str = "the cell") -> str:
    """" (the cell beginning “for epoch in range(100):”)", or nothing for a cell with no text."""
    quote = cell_quote(source) if source else ""
    return f" ({before} beginning “{quote}”)" if quote else ""


def _json_type(value: object) -> str:
    return {list: "list", dict: "object", str: "string", bool: "true/false", type(None): "null"}.get(type(value),
                                                                                                  "number")


def _converted_cells(slim: dict, name: str, version: int) -> list[dict]:
    """The cells of an older notebook (versions 1 to 3, :func:`_slim_old_notebook`), converted by nbformat."""
    import nbformat

    try:
        with warnings.catch_warnings():
            # nbformat warns on stderr about notebooks it still reads: nothing a grader's user can fix.
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(slim), as_version=4)
    except Exception as exc:  # nbformat raises several types for bad structure
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        reason = first_line if len(first_line) <= 200 else first_line[:199] + "…"
        raise CodeReadError(f"{name}: not a valid notebook (version {version}: {reason})") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise CodeReadError(f"{name}: not a valid notebook (no list of cells)")
    return [cell for cell in cells if isinstance(cell, dict)]


# What nbformat's conversion of an old cell reads (version 1 names a code cell's text "code", and a text
# cell's "text"; versions 2 and 3 "input" and "source").
_OLD_CELL_KEYS = frozenset({"cell_type", "source", "input", "code", "text", "level", "language",
                            "prompt_number", "collapsed"})


def _slim_old_notebook(raw: dict, version: int) -> dict:
    """An old notebook with only its cells' text and types: no outputs and no metadata, which may be most of
    the file, and which nbformat would otherwise parse and validate a second time."""
    minor = raw.get("nbformat_minor")
    slim = {"nbformat": version, "nbformat_minor": minor if type(minor) is int else 0, "metadata": {}}
    if isinstance(raw.get("cells"), list):  # version 1
        slim["cells"] = _slim_old_cells(raw["cells"])
    if "worksheets" in raw:
        sheets = raw["worksheets"]
        slim["worksheets"] = [{"metadata": {}, "cells": _slim_old_cells(sheet["cells"])}
                              if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list) else sheet
                              for sheet in sheets] if isinstance(sheets, list) else sheets
    return slim


def _slim_old_cells(cells: list) -> list:
    slim = []
    for cell in cells:
        if isinstance(cell, dict):
            cell = {key: value for key, value in cell.items() if key in _OLD_CELL_KEYS}
            cell["metadata"] = {}
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
        slim.append(cell)  # what is not a cell nbformat reports
    return slim


def _read_cells(path: Path, cells_json: list[dict], notes: list[str]) -> CodeSource:
    """Code cells (IPython syntax stripped) and Markdown cells; the size limit applies to these."""
    cells: list[Cell] = []
    markdown_cells: list[str] = []
    size = 0
    number = 0
    previous = None  # the text of the last cell read, to place a cell that has none
    ipython: list[tuple[int, str, IPythonLine]] = []  # magic, shell and help lines, by code cell
    not_run: list[tuple[CellNotRun, str]] = []  # Raw and Markdown cells holding code, with their text
    has_code = False  # a code cell with something written in it
    for position, raw in enumerate(cells_json, start=1):
        raw_source = raw.get("source", "")
        source = _text_of(raw_source)
        if raw.get("cell_type") == "raw" or (raw.get("cell_type") == "markdown" and source is not None):
            if source is not None and _holds_code(source):
                kind = "Raw" if raw["cell_type"] == "raw" else "Markdown"
                fenced = kind == "Markdown" and _PYTHON_FENCE.search(source) is not None
                not_run.append((CellNotRun(kind, position, cell_quote(source), fenced), source))
        if raw.get("cell_type") not in ("code", "markdown"):
            continue
        if source is not None:
            size += len(source.encode("utf-8", "surrogatepass"))
            if size > MAX_SOURCE_BYTES:
                raise CodeReadError(f"{path.name}: its code and Markdown cells hold more than the "
                                    f"{MAX_SOURCE_BYTES:,}-byte limit (saved outputs are not counted)")
        if raw["cell_type"] == "markdown":
            if source is not None:
                markdown_cells.append(source)
                previous = source
            else:  # the code can still be graded without it
                notes.append(f"{path.name}: skipped a Markdown cell whose source is not text")
            continue
        number += 1  # counted, so that the later cells' numbers are their places among the code cells
        if source is None:  # the other cells can still be graded
            notes.append(f"{path.name}: skipped code cell {number}, whose source is not text but a JSON "
                         f"{_json_type(raw_source)}{_beginning(previous, 'it comes after the cell')}")
            continue
        previous = source
        has_code = has_code or bool(source.strip())
        label = f"{path.name}, code cell {number}"
        code, found = ipython_lines(jupyter_cleaned(source))
        quote = cell_quote(source)
        ipython.extend((number, quote, line) for line in found)
        if code is not None:
            cells.append(Cell(code, label, number, quote, _execution_count(raw)))
    if len(notes) > MAX_READING_NOTES:
        notes[MAX_READING_NOTES:] = [f"{path.name}: {len(notes) - MAX_READING_NOTES:,} more notes on reading it "
                                     "were left out"]
    if ipython:
        notes.append(ipython_lines_note(path.name, ipython))
    defined_not_run = _defined_only_in(not_run, cells)
    notes.extend(_code_not_run_notes(path.name, len(cells_json), number, has_code, not_run, defined_not_run))
    return CodeSource(path, cells, notes, markdown_cells, defined_in_cells_not_run=defined_not_run)


# "def relu(x):" at a line's start: a function written in a cell; "```python", "~~~ py": a fenced Python block.
_DEF_LINE = re.compile(r"^[ \t]{0,40}(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w{0,99})[ \t]*\(", re.MULTILINE)
_PYTHON_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*\{?\.?(?:python3?|py|ipython3?)\}?[ \t]*$",
                           re.MULTILINE | re.IGNORECASE)
# At most this many function names in a note on a cell Jupyter does not run.
MAX_NOTED_NAMES = 5


def _holds_code(text: str) -> bool:
    """Does a Raw or Markdown cell hold Python code: a function written in it, or a fenced Python block?"""
    return _DEF_LINE.search(text) is not None or _PYTHON_FENCE.search(text) is not None


def _defined_only_in(not_run: list[tuple[CellNotRun, str]], cells: list[Cell]) -> dict[str, CellNotRun]:
    """The functions written in cells Jupyter does not run that no code cell defines: name -> first such cell."""
    written = {name: cell for cell, text in reversed(not_run) for name in _DEF_LINE.findall(text)}
    if not written:
        return {}
    in_code = set().union(*(defined_names(cell.source) for cell in cells))
    return {name: cell for name, cell in sorted(written.items(), key=lambda item: item[1].position)
            if name not in in_code}


def _code_not_run_notes(name: str, cells: int, code_cells: int, has_code: bool,
                        not_run: list[tuple[CellNotRun, str]], defined_not_run: dict[str, CellNotRun]) -> list[str]:
    """Notes on a notebook whose code is not where Jupyter runs it, where every part would say only "not
    defined": it has no cells, or its code is only in Raw or Markdown cells; or a function is written only in
    a Raw cell or as plain Markdown.  A notebook of prose (written answers) gets none, nor does a function shown
    in a fenced block beside code cells, which may be an illustration (a part whose function is not defined
    still says where it is written: :meth:`CodeSource.not_run_definition`)."""
    if not has_code:
        nothing = "has no code cells" if not code_cells else "has only empty code cells"
        if not_run:
            return [f"{name} {nothing}, so nothing in it was run; its code is in {not_run[0][0].described()}"]
        return [f"{name} has no code cells, so nothing in it was run"] if not cells else []
    by_cell: dict[CellNotRun, list[str]] = {}
    for function, cell in defined_not_run.items():
        if not cell.fenced:
            by_cell.setdefault(cell, []).append(function)
    notes = []
    for cell, functions in by_cell.items():
        shown = functions[:MAX_NOTED_NAMES] + ([f"{len(functions) - MAX_NOTED_NAMES} more"]
                                               if len(functions) > MAX_NOTED_NAMES else [])
        verb = "is" if len(functions) == 1 else "are"
        notes.append(f"{name}: {_and(shown)} {verb} defined in {cell.described()}")
    return notes


# In the one note on a notebook's IPython lines: at most this many groups of lines, and of cells in a group.
MAX_NOTED_GROUPS = 6
MAX_NOTED_CELLS = 3
# What became of a group of lines: (said of one name, said of several).
_DONE = {"ran": ("ran its statement", "ran their statements"),
         "ran body": ("ran its cell's body", "ran their cells' bodies"),
         "skipped": ("was skipped", "were skipped"),
         "skipped cell": ("was skipped with its whole cell", "were skipped with their whole cells"),
         "none": ("was skipped, giving None,", "were skipped, giving None,"),
         "wrote": ("wrote its cell's text to its file", "wrote their cells' text to their files")}
# How a note words what became of lines, by their action.
_FATE = {"ran": "run without the magic", "ran body": "run without the magic", "wrote": "written to a file",
         "skipped": "skipped", "skipped cell": "skipped", "none": "skipped"}


def ipython_lines_note(name: str, found: list[tuple[int, str, IPythonLine]]) -> str:
    """One note on all the magic, shell and help lines of notebook ``name``, found as (code cell number,
    cell_quote, line): a note per line would crowd out the notes that matter.  Lines of one name and
    fate are one group, and names whose groups are in the same cells share it; each cell is named with
    the line it begins with, as Jupyter shows no cell numbers.

    ``foundations.ipynb: 3 IPython magic and shell lines were skipped or run without the magic:
    %matplotlib and !pip were skipped in code cell 1 (beginning “import numpy as np”); %time ran its
    statement in code cell 2 (beginning “%time W = np.eye(3)”)``"""
    groups: dict[tuple[str, str], dict[int, str]] = {}  # (action, name) -> {cell number: quote}
    sizes: dict[tuple[str, str], int] = {}
    for number, quote, line in found:
        key = (line.action, line.name)
        groups.setdefault(key, {})[number] = quote
        sizes[key] = sizes.get(key, 0) + 1
    shared: dict[tuple[str, tuple[int, ...]], list[str]] = {}  # (action, cells) -> names
    for (action, shown), cells in groups.items():
        shared.setdefault((action, tuple(cells)), []).append(shown)
    parts = []
    for (action, numbers), names in list(shared.items())[:MAX_NOTED_GROUPS]:
        quotes = groups[(action, names[0])]
        done = _DONE[action][len(names) > 1]
        parts.append(f"{_and(names)} {done} in {_cells_named(numbers, quotes)}")
    left = sum(sizes[(action, shown)] for (action, _), names in list(shared.items())[MAX_NOTED_GROUPS:]
               for shown in names)
    if left:
        parts.append(f"and {left:,} more line{'s' if left > 1 else ''}")
    kinds = [kind for kind in ("magic", "shell", "help") if any(line.kind == kind for _, _, line in found)]
    fate = _or(sorted({_FATE[line.action] for _, _, line in found}, key=list(_FATE.values()).index, reverse=True))
    count = len(found)
    lines = f"{count:,} IPython {_and(kinds)} line"
    lines += " was" if count == 1 else "s were"
    return f"{name}: {lines} {fate}: " + "; ".join(parts)


def python_file_ipython_note(name: str, source: str, cleaned: str) -> str:
    """The note on a ``.py`` file graded with its IPython lines handled as Jupyter handles them (Colab's
    "Download .py" keeps ``!pip install ...`` as written, which Python cannot read): each line quoted with
    its number and what became of it, and what to do so that the file runs as Python.

    ``foundations.py holds 1 IPython line, which is not Python (a notebook's "Download .py" keeps them):
    line 7 “!pip install -q scipy” was skipped, as in a notebook. Delete it so that the file runs with python.``"""
    _, found = ipython_lines(source)
    originals = source.split("\n")
    changed = [number for number, (line, now) in enumerate(zip(originals, cleaned.split("\n")), 1)
               if line != now and not (number > 1 and originals[number - 2].rstrip().endswith("\\"))]
    said = [f"line {number} “{_quoted_line(originals[number - 1])}” {_DONE[line.action][False].rstrip(',')}"
            for number, line in zip(changed, found)][:MAX_NOTED_GROUPS]
    if len(found) > len(said):
        said.append(f"and {len(found) - len(said):,} more")
    count = len(found)
    lines = f"{count:,} IPython line{'s' if count > 1 else ''}, which {'are' if count > 1 else 'is'} not Python"
    return (f"{name} holds {lines} (a notebook's \"Download .py\" keeps them): {'; '.join(said)}, as in a "
            f"notebook. Delete {'them' if count > 1 else 'it'} so that the file runs with python.")


def _quoted_line(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= QUOTE_CHARS * 2 else line[:QUOTE_CHARS * 2 - 1] + "…"


def _cells_named(numbers: tuple[int, ...], quotes: dict[int, str]) -> str:
    """"code cells 2 (beginning “W = np.eye(3)”) and 4 (beginning “x = 1”)", at most MAX_NOTED_CELLS of them."""
    named = [f"{number} (beginning “{quotes[number]}”)" if quotes[number] else str(number)
             for number in numbers[:MAX_NOTED_CELLS]]
    if len(numbers) > MAX_NOTED_CELLS:
        named.append(f"{len(numbers) - MAX_NOTED_CELLS:,} more")
    return f"code cell{'s' if len(numbers) > 1 else ''} {_and(named)}"


def _and(words: list[str], conjunction: str = "and") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _or(words: list[str]) -> str:
    return _and(words, "or")


# "import helpers", "from foundations import *", "import numpy as np, helpers"; linear on any text
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\w+)[ \t]+import\b|import[ \t]+([^\n#;]*))", re.M)
_IMPORTED = re.compile(r"(\w+)(?:\.\w+)*(?:[ \t]+as[ \t]+\w+)?")
_MAX_SIBLINGS = 200


def _imports(source: str) -> list[str]:
    """The top-level modules a cell imports: ``helpers`` for ``from helpers import *``."""
    modules = []
    for match in _IMPORT.finditer(source):
        items = [match.group(1)] if match.group(1) else match.group(2).split(",")
        modules += [m.group(1) for m in map(_IMPORTED.fullmatch, (item.strip() for item in items)) if m]
    return modules


def _sibling_import_notes(path: Path, cells: list[Cell]) -> list[str]:
    """A note for each import of another code file handed in beside this one.

    The sandbox runs each file on its own, with none of the submission's other files beside it, so
    ``from foundations import *`` in ``q2.ipynb`` fails there although it works in the student's folder."""
    imported: dict[str, str] = {}  # module name -> label of the first cell importing it
    for cell in cells:
        for module in _imports(cell.source):
            imported.setdefault(module, cell.label)
    imported = {m: label for m, label in imported.items() if m.isidentifier() and m not in sys.stdlib_module_names}
    if not imported:
        return []
    try:
        siblings = {}
        for count, entry in enumerate(os.scandir(path.parent)):
            if count >= _MAX_SIBLINGS:
                break
            stem, _, suffix = entry.name.rpartition(".")
            if suffix.lower() in ("py", "ipynb") and entry.name != path.name and stem in imported:
                siblings.setdefault(stem, entry.name)
    except OSError:
        return []
    return [f"{label} imports {module}, but {siblings[module]} is another file of the submission: each file "
            f"is run on its own, so one cannot import another; put the code {path.name} needs in {path.name} "
            f"itself" for module, label in imported.items() if module in siblings]


@dataclass(frozen=True)
class IPythonLine:
    """One magic, shell or help line (or cell magic) of a cell, and what became of it."""

    action: str  # "ran" (its statement), "ran body", "wrote" (%%writefile), "skipped", "skipped cell", "none"
    kind: str  # "magic", "shell" or "help"
    name: str  # "%time", "%%bash", "!pip", "np.mean?": what the notebook's note names
    said: str  # what a note on this line alone says: "skipped magic line: %matplotlib inline"


def strip_ipython(source: str, label: str) -> tuple[str | None, list[str]]:
    """Replace IPython-only lines by ``pass``; ``None`` when the whole cell
    is skipped.  Returns the code and a note on each line skipped or run without its magic
    (a notebook's reading groups them into one note: :func:`ipython_lines_note`)."""
    code, found = ipython_lines(source)
    return code, [f"{label}: {line.said}" for line in found]


# IPython's prompts, stripped from code pasted from a console: ">>> " and "... ", "In [3]: " and "   ...: ".
_CLASSIC_FIRST_PROMPT = re.compile(r"^>>>(?: |(?=\r?$))")
_CLASSIC_PROMPT = re.compile(r"^(?:>>>|\.\.\.)(?: |(?=\r?$))")
_IPYTHON_PROMPT = re.compile(r"^(?:(?:(?:\[nav\]|\[ins\])? )?In \[\d+\]: |\s*\.{3,}: ?)")
_INDENT = re.compile(r"^[ \t]+")
# What Python takes for indentation.  A magic follows only these, as in Jupyter: after a no-break space
# ("\xa0%matplotlib", pasted from a web page) the line is Python's error, quoted as written.
_INDENTATION = " \t\f"


def jupyter_cleaned(source: str) -> str:
    """A notebook cell's text cleaned as Jupyter (IPython's input transformers) cleans it before running
    it: the first written line's indentation removed from every line that begins with it, and pasted
    console prompts stripped when the cell's first written line (or the next) carries one.  Leading blank
    lines, which IPython drops, are kept, as Python ignores them: line numbers stay the cell's own."""
    lines = source.split("\n")
    start = _first_written(lines)
    if start == len(lines):
        return source
    body = _without_leading_indent(lines[start:])
    body = _without_prompts(body, _CLASSIC_PROMPT, _CLASSIC_FIRST_PROMPT)
    body = _without_prompts(body, _IPYTHON_PROMPT, _IPYTHON_PROMPT)
    return "\n".join(lines[:start] + body)


def _first_written(lines: list[str]) -> int:
    """The index of the first line that is not blank (len(lines) when all are)."""
    return next((index for index, line in enumerate(lines) if line.strip()), len(lines))


def _without_leading_indent(lines: list[str]) -> list[str]:
    """IPython's ``leading_indent``: the first line's indentation removed from each line that begins with it,
    so that a cell pasted with its indentation (or a stray space before ``import``) runs."""
    match = _INDENT.match(lines[0])
    if match is None:
        return lines
    indent = match.group(0)
    return [line[len(indent):] if line.startswith(indent) else line for line in lines]


def _without_prompts(lines: list[str], prompt: re.Pattern, first_prompt: re.Pattern) -> list[str]:
    """IPython's ``classic_prompt`` and ``ipython_prompt``: when the first line carries a first prompt, or the
    second a prompt, each line's prompt is stripped (``>>> x = 1`` runs ``x = 1``)."""
    if first_prompt.match(lines[0]) or (len(lines) > 1 and prompt.match(lines[1])):
        return [prompt.sub("", line, count=1) for line in lines]
    return lines


def ipython_lines(source: str) -> tuple[str | None, list[IPythonLine]]:
    """The cell's code with IPython-only lines replaced by ``pass`` (``None`` when the whole cell
    is skipped), and those lines.

    A line is IPython syntax only where a statement can start: not inside
    open brackets, a triple-quoted string or after a backslash, where Black
    puts ``!= B.shape[0]`` or ``% (a, b)`` at the start of a line."""
    found: list[IPythonLine] = []
    lines = source.split("\n")
    # Jupyter drops a cell's leading blank lines before it looks for a cell magic.
    start = _first_written(lines)
    first = lines[start].lstrip(_INDENTATION).rstrip() if start < len(lines) else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic == "writefile":  # as Jupyter calls it: the sandbox writes the file where the code runs
            found.append(IPythonLine("wrote", "magic", "%%writefile", "ran the %%writefile cell: wrote its file"))
            body = "\n".join(lines[start + 1:])
            return "\n" * start + f"get_ipython().run_cell_magic('writefile', {first[11:].strip()!r}, {body!r})", found
        if magic in PYTHON_BODY_CELL_MAGICS:
            found.append(IPythonLine("ran body", "magic", f"%%{magic}",
                                     f"ran the body of the %%{magic} cell without the magic"))
            lines[start] = "pass"
        else:
            found.append(IPythonLine("skipped cell", "magic", f"%%{magic}", f"skipped the %%{magic} cell (not Python)"))
            return None, found
    scanner = _LineScanner()
    in_continuation = False  # a skipped magic/shell line continued with a trailing backslash
    for index, line in enumerate(lines):
        stripped = line.lstrip(_INDENTATION).rstrip()
        if in_continuation:
            lines[index] = ""  # blank lines are valid at any indentation
            in_continuation = stripped.endswith("\\")
            continue
        if not scanner.at_statement_start:
            scanner.scan(line)
            continue
        assigned = _MAGIC_ASSIGNMENT.match(line)
        is_help = bool(_HELP_LINE.match(stripped))
        if not (stripped.startswith(("%", "!")) or is_help or assigned is not None):
            scanner.scan(line)
            continue
        magic = assigned.group("magic") if assigned else stripped
        indent = line[: len(line) - len(line.lstrip(_INDENTATION))]
        statement = None if is_help else _timed_statement(magic, assigned is not None)
        if statement is not None:
            name, statement = statement
            found.append(IPythonLine("ran", "magic", f"%{name}", f"ran the statement of the %{name} line without the magic"))
            lines[index] = f"{indent}{assigned.group('target')} = {statement}" if assigned else indent + statement
            scanner.scan(lines[index])  # the statement may open brackets that later lines close
            continue
        kind = "help" if is_help else "shell" if magic.startswith("!") else "magic"
        found.append(IPythonLine("none" if assigned else "skipped", kind, _shown_name(kind, magic),
                                 f"skipped {kind} line: {stripped[:80]}"))
        # "files = !ls" still assigns, so that later lines using the name run.
        lines[index] = f"{indent}{assigned.group('target')} = None" if assigned else f"{indent}pass"
        in_continuation = stripped.endswith("\\")
    return "\n".join(lines), found


_MAGIC_NAME = re.compile(r"(?:%%?|!!?)[ \t]*[\w.-]{0,30}")


def _shown_name(kind: str, line: str) -> str:
    """How a notebook's note names a skipped line: "%matplotlib", "!pip", or a help line itself."""
    if kind == "help":
        return line if len(line) <= 30 else line[:30] + "…"
    return _MAGIC_NAME.match(line).group(0).replace(" ", "").replace("\t", "")


_LINE_MAGIC = re.compile(r"%(\w+)(?:[ \t]+(.*))?")


def _timed_statement(magic: str, assigned: bool) -> tuple[str, str] | None:
    """``("time", "W = np.eye(3)")`` for the line magic ``%time W = np.eye(3)``: Jupyter runs the statement
    of ``%time``, ``%timeit`` and ``%prun`` (timed, or profiled), so it runs once, without the magic.  None
    for other magics, and for an assigned one whose value is not the statement's (``t = %timeit -o f()``)."""
    match = _LINE_MAGIC.fullmatch(magic.rstrip())
    if match is None or match.group(1) not in STATEMENT_LINE_MAGICS or (assigned and match.group(1) != "time"):
        return None
    name = match.group(1)
    rest = magic_code(name, (match.group(2) or "").lstrip())
    if not rest.strip() or (assigned and not _is_expression(rest)):
        return None
    return name, rest


def _is_expression(text: str) -> bool:
    """Whether ``x = text`` is Python: ``x = %time f()`` assigns f()'s value; only parsed, never run."""
    try:
        compile(text, "<magic>", "eval", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the parser's stack is full: not read
        return False
    return True


_STRING_START = re.compile(r"(?i)(?:[rbuf]|br|rb|fr|rf)?(\"\"\"|'''|\"|')")


class _LineScanner:
    """Follows Python's line structure, line by line, as far as telling where a statement can start:
    open brackets, strings (triple-quoted ones span lines), comments and backslash continuations.
    Linear in the text; never fails on code that is not valid Python."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # the delimiter of a string still open at the end of the last line
        self.continued = False  # the last line ended with a backslash

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def scan(self, line: str) -> None:
        self.continued = False
        line = line.rstrip("\r")  # a notebook saved with Windows line ends
        i, end = 0, len(line)
        if self.quote is not None:
            i = self._close_string(line, 0)
        while i < end:
            char = line[i]
            if char == "#":
                return
            if char == "\\" and i == end - 1:
                self.continued = True
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char in "\"'rRbBuUfF":
                match = _STRING_START.match(line, i)
                if match and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
                    self.quote = match.group(1)
                    i = self._close_string(line, match.end())
                    continue
                if char.isalpha():  # a name such as "rb2" or "fn": skip it whole
                    while i < end and (line[i].isalnum() or line[i] == "_"):
                        i += 1
                    continue
            i += 1

    def _close_string(self, line: str, i: int) -> int:
        """Past the end of the open string on ``line`` from ``i``; the end of the line when it stays open."""
        quote, end = self.quote, len(line)
        while i < end:
            if line[i] == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                self.quote = None
                return i + len(quote)
            i += 1
        if len(quote) == 1 and not line.endswith("\\"):
            self.quote = None  # an unclosed one-line string is an error Python reports; the next line starts afresh
        return end
