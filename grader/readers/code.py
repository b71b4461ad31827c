"""Read a code submission (a ``.py`` file or an ``.ipynb`` notebook) into
ordered code cells, without running anything.

A ``.py`` file is one cell: it is imported as a module, so an exception at
import time stops it there (exactly as ``import foundations`` would).  A
notebook gives one cell per code cell, run in order by the sandbox; a cell
that raises is reported and the following cells still run.

IPython syntax is not Python: magic lines (``%matplotlib inline``), shell
lines (``!pip install ...``) and help lines (``np.mean?``) are replaced by a
``pass`` with the same indentation, so line numbers in tracebacks still match
the student's cell.  A cell magic (``%%bash``, ``%%html``...) skips its whole
cell, except the timing/capture magics whose body is ordinary Python
(``%%time``, ``%%timeit``, ``%%capture``), whose body runs once.  Each skip is
reported in ``notes``.
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

MAX_SOURCE_BYTES = 5 * 1024 * 1024

# Cell magics whose body is plain Python that should still define things.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

_HELP_LINE = re.compile(r"^[\w.\[\]()]+\?{1,2}$")


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
    cannot be read (missing, too large, not UTF-8, not a valid notebook)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".py", ".ipynb"):
        raise CodeReadError(f"{path.name}: expected a .py file or an .ipynb notebook")
    text = _read_text(path)
    if suffix == ".py":
        return CodeSource(path, [Cell(text, path.name, 1)], [])
    return _load_notebook(path, text)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise CodeReadError(f"{path.name}: file is {size} bytes, more than the {MAX_SOURCE_BYTES}-byte limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CodeReadError(f"{path.name}: file not found") from None
    except IsADirectoryError:
        raise CodeReadError(f"{path.name}: is a directory, not a file") from None
    except OSError as exc:
        raise CodeReadError(f"{path.name}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodeReadError(f"{path.name}: not UTF-8 text (bad byte at position {exc.start})") from None


def _load_notebook(path: Path, text: str) -> CodeSource:
    import nbformat
    from nbformat.reader import NotJSONError

    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raw = None  # nbformat says what is wrong with it, below
    if isinstance(raw, dict) and "nbformat" not in raw:
        # nbformat would take it for a version-1 notebook and drop every cell.
        raise CodeReadError(f"{path.name}: not a valid notebook (it names no nbformat version); "
                            "save it from Jupyter, or hand in a .py file")
    try:
        with warnings.catch_warnings():
            # nbformat warns on stderr about notebooks it still reads (cells
            # without ids, from older editors): nothing a grader's user can fix.
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except NotJSONError:
        raise CodeReadError(f"{path.name}: not a valid notebook (the file is not JSON)") from None
    except Exception as exc:  # nbformat raises several types for bad structure
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise CodeReadError(f"{path.name}: not a valid notebook ({reason})") from None
    cells_json = notebook.get("cells")
    if not isinstance(cells_json, list):
        raise CodeReadError(f"{path.name}: not a valid notebook (no list of cells)")
    cells: list[Cell] = []
    notes: list[str] = []
    markdown_cells: list[str] = []
    number = 0
    for raw in cells_json:
        if not isinstance(raw, dict) or raw.get("cell_type") not in ("code", "markdown"):
            continue
        source = raw.get("source", "")
        if isinstance(source, list):  # tolerated even though v4 normalises it
            source = "".join(str(part) for part in source)
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


def strip_ipython(source: str, label: str) -> tuple[str | None, list[str]]:
    """Replace IPython-only lines by ``pass``; ``None`` when the whole cell
    is skipped.  Returns the code and notes describing what was skipped."""
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
    in_continuation = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        skip = not in_continuation and (
            stripped.startswith(("%", "!")) or bool(_HELP_LINE.match(stripped))
        )
        # A magic/shell line continued with a trailing backslash goes on.
        if skip:
            kind = "shell" if stripped.startswith("!") else "magic"
            notes.append(f"{label}: skipped {kind} line: {stripped[:80]}")
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}pass"
        elif in_continuation:
            lines[index] = ""  # blank lines are valid at any indentation
        in_continuation = (skip or in_continuation) and stripped.endswith("\\")
    return "\n".join(lines), notes
