"""A notebook's Markdown cells, read as a written answer.

Students often write their derivations in a notebook's Markdown cells next to
the code.  Those cells are read like a Markdown answer (see
:mod:`grader.readers.markdown`), but only when a heading names one of the
problem set's parts: a notebook's Markdown is mostly narrative ("Load the
data", "Plot"), and hunting for quantities' names through all of it would
take a worked example for an answer.  A bare number (``## 2.2 Sets``) names a
part only in the problem set's own notebook (``q2.ipynb``): in another
homework's notebook it is that homework's section.
"""
from __future__ import annotations

import re

from grader.readers import WrittenReading
from grader.readers.code import CodeSource
from grader.readers.markdown import MAX_DOCUMENT_BYTES, covers, heading_key, read_markdown_text
from grader.spec import ProblemSet

# Cells are joined by a blank line, so that no inline maths runs from one cell into the next.
CELL_SEPARATOR = "\n\n"
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+)$", re.MULTILINE)


def read_notebook_answers(source: CodeSource, problem_set: ProblemSet) -> WrittenReading:
    """Written answers to ``problem_set`` in the Markdown cells of a loaded notebook."""
    written = [part.label for part in problem_set.parts if part.kind]
    if not source.markdown_cells or not written:
        return WrittenReading()
    text = CELL_SEPARATOR.join(source.markdown_cells)
    name = source.path.name
    if not _names_a_part(text, written, bare_numbers=name in problem_set.submission_files):
        return WrittenReading()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        reading = WrittenReading()
        reading.notes.append(f"{name}: its Markdown cells are too large to read as a written answer "
                             f"({size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}).")
        return reading
    return read_markdown_text(text, problem_set, source=f"{name}, Markdown cells")


def _names_a_part(text: str, labels: list[str], *, bare_numbers: bool) -> bool:
    """Does a heading name one of the parts?  (A quick look at ATX headings, before any parsing.)"""
    for match in _ATX_HEADING.finditer(text):
        key = heading_key(match.group(1), None)
        if key is None or not (bare_numbers or key[:1].isalpha()):
            continue
        if any(covers(key, label) for label in labels):
            return True
    return False
