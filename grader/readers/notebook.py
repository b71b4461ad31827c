"""A notebook's Markdown cells, read as a written answer.

Students often write their derivations in a notebook's Markdown cells next to
the code.  Those cells are read like a Markdown answer (see
:mod:`grader.readers.markdown`), but only when a heading names one of the
problem set's parts: a notebook's Markdown is mostly narrative ("Load the
data", "Plot"), and hunting for quantities' names through all of it would
take a worked example for an answer.  A bare number (``## 2.2 Sets``) names a
part only in the problem set's own notebook (``q2.ipynb``): in another
homework's notebook it is that homework's section.

Notebooks handed out by instructors keep the questions in Markdown cells, often
under the same part headings.  A question is not an answer: the problem set's
own prompts and the handout's hand-in lines are left out before reading, and
for a part answered by code a section that gives no answer (an instructor's
own wording of the question, or notes) is not "could not read" either, so the
code's verdict ("not defined", "not implemented yet") stands.
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
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")
# The handout's lines telling where each part is answered ("*In code:* define `rho` in `q2.py`; …").
_HANDOUT_HAND_IN = re.compile(r"^\*In (code|writing):\* ")


def read_notebook_answers(source: CodeSource, problem_set: ProblemSet) -> WrittenReading:
    """Written answers to ``problem_set`` in the Markdown cells of a loaded notebook."""
    written = [part.label for part in problem_set.parts if part.kind]
    if not source.markdown_cells or not written:
        return WrittenReading()
    questions = _question_paragraphs(problem_set)
    text = CELL_SEPARATOR.join(_without_questions(cell, questions) for cell in source.markdown_cells)
    name = source.path.name
    if not _names_a_part(text, written, bare_numbers=name in problem_set.submission_files):
        return WrittenReading()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        reading = WrittenReading()
        reading.notes.append(f"{name}: its Markdown cells are too large to read as a written answer "
                             f"({size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}).")
        return reading
    return _answers_only(read_markdown_text(text, problem_set, source=f"{name}, Markdown cells"), problem_set)


def _question_paragraphs(problem_set: ProblemSet) -> set[str]:
    """The paragraphs of the parts' prompts, as :func:`_normal` writes them."""
    return {_normal(paragraph) for part in problem_set.parts
            for paragraph in _PARAGRAPH_BREAK.split(part.prompt or "") if _normal(paragraph)}


def _without_questions(cell: str, questions: set[str]) -> str:
    """A Markdown cell without the prompts and hand-in lines copied from the handout.

    A prompt is a paragraph of its own, or a line of one (a student may write the
    answer on the next line).  What is left out becomes blank lines, so that the
    lines of what is read stay where they were.
    """
    kept: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if _normal("\n".join(paragraph)) in questions:
            kept.extend("" for _ in paragraph)
        else:
            kept.extend("" if _normal(line) in questions else line for line in paragraph)
        paragraph.clear()

    for line in cell.split("\n"):
        if line.strip() and not _ATX_HEADING.match(line) and not _HANDOUT_HAND_IN.match(line):
            paragraph.append(line)
            continue
        end_paragraph()  # a blank line, a heading or a hand-in line ends the paragraph
        kept.append("" if _HANDOUT_HAND_IN.match(line) else line)
    end_paragraph()
    return "\n".join(kept)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _answers_only(reading: WrittenReading, problem_set: ProblemSet) -> WrittenReading:
    """Drop the sections of parts answered by code that give no answer: they hold the question, not an answer."""
    coded = {part.label for part in problem_set.parts if part.code is not None}
    reading.answers = {label: answer for label, answer in reading.answers.items()
                       if not (answer.problem and label in coded)}
    return reading


def _names_a_part(text: str, labels: list[str], *, bare_numbers: bool) -> bool:
    """Does a heading name one of the parts?  (A quick look at ATX headings, before any parsing.)"""
    for match in _ATX_HEADING.finditer(text):
        key = heading_key(match.group(1), None)
        if key is None or not (bare_numbers or key[:1].isalpha()):
            continue
        if any(covers(key, label) for label in labels):
            return True
    return False
