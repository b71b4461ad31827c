"""Read a code submission (a ``.py`` file or an ``.ipynb`` notebook) into
ordered code cells, without running anything.

A ``.py`` file is one cell: it is imported as a module, so an exception at
import time stops it there (exactly as ``import foundations`` would).  A
notebook gives one cell per code cell, run in order by the sandbox; a cell
that raises is reported and the following cells still run.

IPython syntax is not Python: magic lines (``%matplotlib inline``), shell
lines (``!pip install ...``) and help lines (``np.mean?``) are replaced by a
``pass`` with the same indentation, so line numbers in tracebacks still match
the student's cell; a magic's or shell command's result assigned to a name
(``x = %timeit -o f()``, ``files = !ls``) becomes ``x = None``.  A cell
magic (``%%bash``, ``%%html``...) skips its whole cell, except the
timing/capture magics whose body is ordinary Python (``%%time``,
``%%timeit``, ``%%capture``), whose body runs once.  Each skip is reported
in ``notes``.

A notebook's saved outputs (plots, logs) are not graded: they are dropped
when the notebook is read, and the size limit applies to the code and
Markdown that remain (:data:`MAX_SOURCE_BYTES`), not to the file, which may
be up to :data:`MAX_NOTEBOOK_BYTES`.  Each file is run on its own, so a note
says when one imports another file handed in beside it.
"""
from __future__ import annotations

import io
import json
import os
import re
import stat
import sys
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path

# What is graded (a .py file, a notebook's code and Markdown cells) is at most this large.
MAX_SOURCE_BYTES = 5 * 1024 * 1024
# A notebook file with its saved outputs (plots, long logs), which are dropped before anything else.
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024

# Cell magics whose body is plain Python that should still define things.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

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


@dataclass(frozen=True)
class CodeSource:
    path: Path
    cells: list  # list[str | Cell]
    notes: list[str] = field(default_factory=list)
    # A notebook's Markdown cells, in order: they may hold written answers.
    markdown_cells: list[str] = field(default_factory=list)

    @property
    def is_notebook(self) -> bool:
        return Path(self.path).suffix.lower() == ".ipynb"

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
    cannot be read (missing, too large, not text in its encoding, not a valid notebook)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".py", ".ipynb"):
        raise CodeReadError(f"{path.name}: expected a .py file or an .ipynb notebook")
    if suffix == ".py":
        source = CodeSource(path, [Cell(_python_text(path, _read_bytes(path, MAX_SOURCE_BYTES)), path.name, 1)], [])
    else:
        source = _load_notebook(path, _read_bytes(path, MAX_NOTEBOOK_BYTES))
    source.notes.extend(_sibling_import_notes(path, source.normalised_cells()))
    return source


def _read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, at most ``limit`` of them; never blocks (a FIFO is refused, not read)."""
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
    return f"{path.name}: file is {size} bytes, more than the {limit}-byte limit"


def _python_text(path: Path, data: bytes) -> str:
    """The text of a ``.py`` file, decoded as Python imports it: UTF-8 (with or without a BOM) unless a
    PEP 263 declaration on its first two lines (``# -*- coding: latin-1 -*-``) names another encoding."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if exc.msg.startswith("unknown encoding: "):
            raise CodeReadError(f"{path.name}: its coding line names an encoding Python does not know "
                                f"({exc.msg.removeprefix('unknown encoding: ')[:40]!r})") from None
        encoding = "utf-8-sig"  # first lines that are not UTF-8 and declare nothing: said below, with the byte
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        what = "UTF-8 text" if encoding in ("utf-8", "utf-8-sig") else f"{encoding} text, as its coding line says"
        raise CodeReadError(f"{path.name}: not {what} (bad byte at position {exc.start})") from None


# Files handed in under a notebook's name by mistake, by their first bytes.
_NOT_NOTEBOOKS = ((b"PK\x03\x04", "a zip archive"), (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
                  (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"))


def _load_notebook(path: Path, data: bytes) -> CodeSource:
    name = path.name
    kind = next((kind for magic, kind in _NOT_NOTEBOOKS if data.startswith(magic)), None)
    if kind is not None:
        advice = " (unzip it and hand in the .ipynb inside)" if "archive" in kind else ""
        raise CodeReadError(f"{name}: is {kind}, not a notebook{advice}")
    try:
        raw = json.loads(data)  # JSON's own encodings: UTF-8 with or without a BOM, UTF-16, UTF-32
    except UnicodeDecodeError as exc:
        raise CodeReadError(f"{name}: not UTF-8 text (bad byte at position {exc.start})") from None
    except RecursionError:
        raise CodeReadError(f"{name}: not a valid notebook (its JSON is nested too deeply)") from None
    except ValueError:
        raise CodeReadError(f"{name}: not a valid notebook (the file is not JSON)") from None
    del data
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
    cells_json = _v4_cells(raw, name, notes) if version == 4 else _converted_cells(raw, name, version)
    return _read_cells(path, cells_json, notes)


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
        cell.pop("outputs", None)
        cell.pop("attachments", None)
        kept.append(cell)
    return kept


def _json_type(value: object) -> str:
    return {list: "list", str: "string", bool: "true/false", type(None): "null"}.get(type(value), "number")


def _converted_cells(raw: dict, name: str, version: int) -> list[dict]:
    """The cells of an older notebook (versions 1 to 3), converted by nbformat, without their outputs."""
    import nbformat

    for sheet in raw.get("worksheets", []) if isinstance(raw.get("worksheets"), list) else []:
        for cell in sheet.get("cells", []) if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list) else []:
            if isinstance(cell, dict):
                cell.pop("outputs", None)
                cell.setdefault("metadata", {})
                if cell.get("cell_type") == "code":
                    cell["outputs"] = []
    if not isinstance(raw.get("metadata"), dict):
        raw["metadata"] = {}
    try:
        with warnings.catch_warnings():
            # nbformat warns on stderr about notebooks it still reads: nothing a grader's user can fix.
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several types for bad structure
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise CodeReadError(f"{name}: not a valid notebook (version {version}: {reason})") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise CodeReadError(f"{name}: not a valid notebook (no list of cells)")
    return [cell for cell in cells if isinstance(cell, dict)]


def _read_cells(path: Path, cells_json: list[dict], notes: list[str]) -> CodeSource:
    """Code cells (IPython syntax stripped) and Markdown cells; the size limit applies to these."""
    cells: list[Cell] = []
    markdown_cells: list[str] = []
    size = 0
    number = 0
    for raw in cells_json:
        if raw.get("cell_type") not in ("code", "markdown"):
            continue
        source = raw.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if isinstance(source, str):
            size += len(source.encode("utf-8", "surrogatepass"))
            if size > MAX_SOURCE_BYTES:
                raise CodeReadError(f"{path.name}: its code and Markdown cells hold more than the "
                                    f"{MAX_SOURCE_BYTES:,}-byte limit (saved outputs are not counted)")
        if raw["cell_type"] == "markdown":
            if isinstance(source, str):
                markdown_cells.append(source)
            else:  # the code can still be graded without it
                notes.append(f"{path.name}: skipped a Markdown cell whose source is not text")
            continue
        if not isinstance(source, str):
            raise CodeReadError(f"{path.name}: not a valid notebook (a code cell's source is not text)")
        number += 1
        label = f"{path.name}, code cell {number}"
        code, cell_notes = strip_ipython(source, label)
        notes.extend(cell_notes)
        if code is not None:
            cells.append(Cell(code, label, number))
    return CodeSource(path, cells, notes, markdown_cells)


# "import helpers", "from foundations import *", "import numpy as np, helpers"; linear on any text
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\w+)[ \t]+import\b|import[ \t]+([^\n#;]*))", re.M)
_IMPORTED = re.compile(r"(\w+)(?:\.\w+)*(?:[ \t]+as[ \t]+\w+)?")
_MAX_SIBLINGS = 200


def _sibling_import_notes(path: Path, cells: list[Cell]) -> list[str]:
    """A note for each import of another code file handed in beside this one.

    The sandbox runs each file on its own, with none of the submission's other files beside it, so
    ``from foundations import *`` in ``q2.ipynb`` fails there although it works in the student's folder."""
    imported: dict[str, str] = {}  # module name -> label of the first cell importing it
    for cell in cells:
        for match in _IMPORT.finditer(cell.source):
            items = [match.group(1)] if match.group(1) else match.group(2).split(",")
            names = [m.group(1) for m in map(_IMPORTED.fullmatch, (item.strip() for item in items)) if m]
            for module in names:
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


def strip_ipython(source: str, label: str) -> tuple[str | None, list[str]]:
    """Replace IPython-only lines by ``pass``; ``None`` when the whole cell
    is skipped.  Returns the code and notes describing what was skipped.

    A line is IPython syntax only where a statement can start: not inside
    open brackets, a triple-quoted string or after a backslash, where Black
    puts ``!= B.shape[0]`` or ``% (a, b)`` at the start of a line."""
    notes: list[str] = []
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic in PYTHON_BODY_CELL_MAGICS:
            notes.append(f"{label}: ran the body of the %%{magic} cell without the magic")
            lines[0] = "pass"
        else:
            notes.append(f"{label}: skipped the %%{magic} cell (not Python)")
            return None, notes
    scanner = _LineScanner()
    in_continuation = False  # a skipped magic/shell line continued with a trailing backslash
    for index, line in enumerate(lines):
        stripped = line.strip()
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
        kind = "help" if is_help else "shell" if magic.startswith("!") else "magic"
        notes.append(f"{label}: skipped {kind} line: {stripped[:80]}")
        indent = line[: len(line) - len(line.lstrip())]
        # "files = !ls" still assigns, so that later lines using the name run.
        lines[index] = f"{indent}{assigned.group('target')} = None" if assigned else f"{indent}pass"
        in_continuation = stripped.endswith("\\")
    return "\n".join(lines), notes


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
