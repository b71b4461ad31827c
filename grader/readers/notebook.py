"""A notebook's Markdown cells, read as a written answer.

Students often write their derivations in a notebook's Markdown cells next to
the code.  Those cells are read like a Markdown answer (see
:mod:`grader.readers.markdown`), but only when they carry part headings
(``## Q2.1`` ...): a notebook's Markdown is mostly narrative ("Load the
data", "Plot"), and hunting for quantities' names through all of it would
take a worked example for an answer.
"""
from __future__ import annotations

from grader.readers import WrittenReading
from grader.readers.code import CodeSource
from grader.readers.markdown import parse_sections, read_markdown_text
from grader.spec import ProblemSet

# Cells are joined by a blank line, so that no inline maths runs from one cell into the next.
CELL_SEPARATOR = "\n\n"


def read_notebook_answers(source: CodeSource, problem_set: ProblemSet) -> WrittenReading:
    """Written answers to ``problem_set`` in the Markdown cells of a loaded notebook."""
    if not source.markdown_cells or not any(part.kind for part in problem_set.parts):
        return WrittenReading()
    text = CELL_SEPARATOR.join(source.markdown_cells)
    if not any(section.key is not None for section in parse_sections(text)):
        return WrittenReading()
    return read_markdown_text(text, problem_set, source=f"{source.path.name}, Markdown cells")
