"""A notebook's Markdown cells, read as a written answer.

Students often write their derivations in a notebook's Markdown cells next to
the code.  In the problem set's own notebook (``q2.ipynb``, one of its
``submission_files``) the Markdown cells are read exactly as a Markdown
answer file (see :mod:`grader.readers.markdown`): under part headings
(``## Q2.1``, a bare ``## 2.1``), bold labels (``**Q2.1**``), label lines
(``Q2.1a: …``) or none at all.  In any other notebook they are read only
when a heading names one of the problem set's parts (``## Q2.1``,
``## Question 2.1 (a)``, ``## Aufgabe 2.2``: the label words the Markdown reader knows, in any of its
languages; a bare ``## 2.2 Sets`` is that homework's own section): there the Markdown is mostly
narrative ("Load the data", "Plot"), and hunting for quantities' names
through all of it would take a worked example for an answer.  When such a
notebook labels parts in bold or on label lines but heads no section with
one, a note says its Markdown was not read, and why.

Notebooks handed out by instructors keep the questions in Markdown cells, often
under the same part headings.  A question is not an answer: the problem set's
own prompts and the handout's hand-in lines are left out before reading, and
for a part answered by code a section that gives no answer (an instructor's
own wording of the question, or notes) is not "could not read" either, so the
code's verdict ("not defined", "not implemented yet") stands.
"""
from __future__ import annotations

import re
from dataclasses import replace

from grader.mathread import halfwidth
from grader.readers import WrittenReading
from grader.readers.code import CodeSource, defined_names, ipython_lines
from grader.readers.markdown import (LABEL_WORD_PATTERN, MAX_DOCUMENT_BYTES, covers, heading_key, parse_sections,
                                     read_markdown_text)
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
    # As a Markdown file is read: "Q２.３" and "答案：" typed in full-width forms mean "Q2.3" and "答案:".
    text = halfwidth(CELL_SEPARATOR.join(_without_questions(cell, questions) for cell in source.markdown_cells))
    name = source.path.name
    own = name in problem_set.submission_files
    if not text.strip():
        return WrittenReading()
    if not own and not _names_a_part(text, written):
        return _labels_not_read(text, written, name, problem_set)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        reading = WrittenReading()
        reading.notes.append(f"{name}: its Markdown cells are too large to read as a written answer "
                             f"({size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}).")
        return reading
    where = f"{name}, Markdown cells"
    if not own:
        return _answers_only(read_markdown_text(text, problem_set, source=where), problem_set, source, text)
    # Read under the file's own name, as the Markdown reader reads the problem set's files; then say where.
    return _answers_only(_renamed(read_markdown_text(text, problem_set, source=name), name, where), problem_set,
                         source, text)


def _renamed(reading: WrittenReading, name: str, where: str) -> WrittenReading:
    """``reading`` with its sources and notes naming ``where`` instead of ``name``."""
    def rename(text: str) -> str:
        return where + text[len(name):] if text == name or text.startswith((f"{name},", f"{name} ")) else text

    reading.answers = {label: replace(answer, source=rename(answer.source))
                       for label, answer in reading.answers.items()}
    reading.notes = [rename(note) for note in reading.notes]
    return reading


# A paragraph opening with what may be a part's label: "**Q2.1**", "Q2.1a:", "Question 2.3(d):", "**Frage 2.2**".
# Bounded repeats only: linear on any text.
LABEL_LINE = re.compile(rf"^ {{0,3}}(?:[*_]{{1,2}})?[ \t]{{0,3}}(?:{LABEL_WORD_PATTERN}[ \t]{{0,3}})?"
                         r"[a-z]{0,3}[ \t]{0,3}\d+\.\d", re.IGNORECASE | re.MULTILINE)


def _labels_not_read(text: str, labels: list[str], name: str, problem_set: ProblemSet) -> WrittenReading:
    """Nothing read; but a note when the Markdown labels parts in bold or on label lines, which only
    the problem set's own files may do."""
    reading = WrittenReading()
    if len(text) > MAX_DOCUMENT_BYTES or not LABEL_LINE.search(text):
        return reading
    named = [s for s in parse_sections(text, labels)
             if names_a_question(s.key, s.heading) and any(covers(s.key, label) for label in labels)]
    if not named:
        return reading
    shown = ", ".join(f"'{s.heading}'" for s in named[:3]) + (", …" if len(named) > 3 else "")
    own = [f for f in problem_set.submission_files if f.lower().endswith((".md", ".ipynb"))]
    elsewhere = f" (in {' or '.join(own)} such labels are read)" if own else ""
    reading.notes.append(
        f"{name}: its Markdown cells label parts ({shown}) but were not read as written answers: in a notebook "
        f"other than the problem set's own{elsewhere}, Markdown is read only under a heading naming a part, "
        f"such as '## {named[0].heading.strip('*_: ')}'.")
    return reading


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


def _answers_only(reading: WrittenReading, problem_set: ProblemSet, source: CodeSource, text: str) -> WrittenReading:
    """Drop the sections that give no answer to parts answered in code: the notebook defines their function,
    or its Markdown names it ("Implement `rho_approx(eps)` …"), so the section holds the question, not an
    answer.  For another part, "could not read" quoting the section says more than "not defined"."""
    defined = _functions_defined(source)
    coded = {part.label for part in problem_set.parts if part.code is not None
             and (part.code.function in defined or re.search(rf"\b{re.escape(part.code.function)}\b", text))}
    reading.answers = {label: answer for label, answer in reading.answers.items()
                       if not (answer.problem and label in coded)}
    return reading


def _functions_defined(source: CodeSource) -> set[str]:
    """The names the notebook's code cells bind (their IPython lines left out, as they run)."""
    names: set[str] = set()
    for cell in source.normalised_cells():
        code, _ = ipython_lines(cell.source)
        names |= defined_names(code or "")
    return names


# "Question 2.1 (a)", "**Problem 2.2**", "Aufgabe 2.2": a word saying the number is a question's, not a section's.
# The Markdown reader's label words, so that a notebook reads the labels a Markdown file does.
_QUESTION_WORD = re.compile(rf"^[\s*_`]{{0,6}}{LABEL_WORD_PATTERN}\s{{0,3}}\d", re.IGNORECASE)


def names_a_question(key: str | None, title: str) -> bool:
    """Is a heading's label a question's (``Q2.2``, ``Question 2.2``, ``Aufgabe 2.2``), not a bare section
    number (``2.2 Sets``)?"""
    return bool(key) and (key[:1].isalpha() or _QUESTION_WORD.match(title) is not None)


def _names_a_part(text: str, labels: list[str]) -> bool:
    """Does a heading name one of the parts?  (A quick look at ATX headings, before any parsing.)
    A bare number (``## 2.2 Sets``) does not: it numbers another homework's sections as often;
    ``## Q2.2`` or ``## Question 2.2`` does."""
    for match in _ATX_HEADING.finditer(text):
        key = heading_key(match.group(1), None)
        if not names_a_question(key, match.group(1)):
            continue
        if any(covers(key, label) for label in labels):
            return True
    return False
