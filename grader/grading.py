"""Answers → verdicts → results: grade one submission against computed references.

A submission is a list of files.  Written-answer files (answers.yaml,
Markdown) are read in this process; code files run in the sandbox, which
returns plain data.  Each part is graded from every file that answers it and
the best verdict counts (the result says which file it came from).

Nothing here lets an exception escape for one part or one file: a failure
becomes that part's status with the reason, so other parts and other
students are never lost.
"""
from __future__ import annotations

import ast
import builtins
import os
import re
import stat
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from grader.checkers import Status, Verdict, get_checker
from grader.checkers.exception import StudentException
from grader.checkers.rubric import PROVISIONAL_NOTE
from grader.memo import BoundedCache, value_key
from grader.readers import (CHECKPOINTS, CODE_SUFFIXES, WrittenAnswer, WrittenReading, hidden_part, is_checkpoint,
                            text_reader_for)
from grader.readers.answers_file import keys_naming_no_part
from grader.readers.code import EMPTY_CODE_NOTE, Cell, CodeSource, defined_names, load_code
from grader.readers.markdown import (HEADING_LABEL, LABEL_WORDS, covers, heading_key, load_document,
                                     parse_sections)
from grader.readers.notebook import CELL_SEPARATOR, LABEL_LINE, names_a_question, read_notebook_answers
from grader.references import CaseReference, PartReference, ProblemReferences, RaisedException
from grader.results import CaseResult, PartResult, SubmissionResult, number_text, points_phrase
from grader.safetext import one_line
from grader.spec import did_you_mean
from grader.yamlread import load_yaml_file

NOT_ANSWERED = "not answered"
NOT_DEFINED = "not defined"
NOT_IMPLEMENTED = "not implemented"  # a starter stub that still raises NotImplementedError
AT_GRADING = "checked at grading"  # a written answer under a published spec: read now, checked later
ERROR = "error"

MAX_SUBMISSION_FILE_BYTES = 5_000_000
# Remembered verdicts (see grader.memo): a class has a few distinct answers per part and outcomes per case.
WRITTEN_VERDICTS_KEPT = 4096
CASE_VERDICTS_KEPT = 8192


@dataclass(frozen=True)
class SetOutcome:
    """What grading one problem set gave one submission: its parts, the notes and sandbox
    isolation its grading gave, and the files that answered it (positions in the submission's
    files, in the order they answered).  A submission's result is its sets' outcomes put
    together, with the notes on the whole submission that follow from them."""

    problem_set: str
    parts: tuple[PartResult, ...]
    notes: tuple[str, ...]
    isolation: dict
    answering: tuple[int, ...]


@dataclass(frozen=True)
class Candidate:
    """One file's verdict on one part, before the best is chosen."""

    verdict: Verdict
    source: str
    answer: str = ""
    answer_latex: str = ""
    cases: tuple[CaseResult, ...] = ()
    hidden_cases: int = 0
    status: str = ""  # a more specific status than the verdict's, e.g. "not defined"
    returned: bool = False  # code: the function returned a value on every case (it gave an answer)
    checked: bool = True  # False: code whose cases are all hidden, under a self-check (nothing was run)
    file: Path | None = None  # the file it was read from
    written: bool = False  # read as a written answer (a notebook's Markdown cells too), not run as code


def _rank(candidate: Candidate) -> tuple:
    """How good a candidate is: best credit first; among equals, a file that answers the part beats one
    that does not define its function (a notebook's plot helper must not hide the written answer) or
    leaves it the handout's stub (q2.py untouched must not hide q2.md's "could not read"), one that
    was checked beats code none of whose cases ran, and a readable verdict beats "could not read"."""
    return (candidate.verdict.credit, candidate.status not in (NOT_DEFINED, NOT_IMPLEMENTED), candidate.checked,
            candidate.verdict.status is not Status.UNREADABLE)


def _gives_an_answer(candidate: Candidate) -> bool:
    """Does the file answer the part: a function it defines (not the handout's stub) that was run or
    is left to grading, or a written answer that could be read?"""
    if candidate.status in (NOT_DEFINED, NOT_IMPLEMENTED) or candidate.verdict.status is Status.UNREADABLE:
        return False
    return bool(candidate.cases or candidate.answer) or candidate.status == AT_GRADING


def notes_for(notes: Iterable[str], problem_set: Any, sets: Iterable[Any]) -> list[str]:
    """The submission's notes that may concern ``problem_set``: all but those naming only files
    another problem set is handed in as (``foundations.ipynb``'s skipped magics are not Q2's)."""
    own = set(problem_set.submission_files)
    others = {name for s in sets if s is not problem_set for name in s.submission_files} - own
    labels = [p.label for p in problem_set.parts]

    def concerns(note: str) -> bool:
        if any(name in note for name in own) or any(re.search(rf"\b{re.escape(label)}\b", note) for label in labels):
            return True
        return not any(name in note for name in others)

    return [note for note in notes if concerns(note)]


def untouched_sets(result: SubmissionResult, problem_sets: Iterable[Any]) -> set[str]:
    """Ids of the problem sets nothing in the submission answers and no note on it concerns: a self-check
    shows each as one line, not a table of zeros.  A note (a notebook cell that would not run) may say why
    every function is missing, so such a set keeps its table; one that the submission holds nothing to read
    says it for every set at once, and so does one that nothing in it answers any set."""
    problem_sets = list(problem_sets)
    notes = [note for note in result.notes if not note.startswith((*NOTHING_TO_READ, NOTHING_ANSWERS))]
    quiet = set()
    for problem_set in problem_sets:
        parts = [p for p in result.parts if p.problem_set == problem_set.id]
        if all(p.status in (NOT_ANSWERED, NOT_DEFINED) for p in parts) and \
                not notes_for(notes, problem_set, problem_sets):
            quiet.add(problem_set.id)
    return quiet


# How the note on a submission with nothing to read begins: no files at all, or only Jupyter's copies.
NOTHING_TO_READ = ("The submission holds no files.", "The submission holds only Jupyter checkpoint copies")
# How the note on a submission none of whose files answers any part begins.
NOTHING_ANSWERS = "Nothing in the submission answers any problem set"
SEVERAL_COPIES = "Several copies were handed in"  # how copies_note begins


def checkpoints_only_note(copies: list[Path]) -> str:
    """Why a submission of Jupyter checkpoint copies alone is not graded."""
    shown = ", ".join(f"{CHECKPOINTS}/{p.name}" for p in copies[:3]) + (" …" if len(copies) > 3 else "")
    originals = ", ".join(dict.fromkeys(p.name.replace("-checkpoint", "", 1) for p in copies))
    return (f"{NOTHING_TO_READ[1]} ({shown}), which Jupyter saves by itself and "
            f"which are not graded: hand in the notebook itself ({originals}).")


# What a student's file that is not a regular file is, said in words.
_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
               (stat.S_ISBLK, "a device"))


def not_regular_notes(entry: Path) -> list[str]:
    """A note for each file in ``entry`` named like a file the grader reads but that is
    not a regular file (a named pipe, a socket): it is not listed, never opened
    (opening a named pipe waits for a writer), and the student must hear why."""
    if entry.is_symlink():
        return []
    base = entry if entry.is_dir() else entry.parent
    try:
        paths = sorted(entry.rglob("*")) if entry.is_dir() else [entry]
    except OSError:  # an unreadable folder: the listing of the files says so
        return []
    notes = []
    for path in paths:
        if hidden_part(path.relative_to(base).parts) or not read_by_name(path):
            continue
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode) and not _holds_a_file(path):
            # "foundations.py/": made by an unzip or a misplaced save; the parts would say only "not defined"
            notes.append(f"{path.relative_to(base).as_posix()} is a folder, not a file; nothing in it was read.")
            continue
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
            continue
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "of an unknown kind")
        notes.append(f"{path.relative_to(base).as_posix()} is not a regular file ({kind}); it was not read.")
    return notes


def _holds_a_file(folder: Path) -> bool:
    try:
        return any(path.is_file() for path in folder.rglob("*"))
    except OSError:
        return True  # unreadable: the listing of the files says so


# Archives a student may hand in instead of their files: by name, and by their first bytes
# (a zip renamed, or saved without a suffix).  Never unpacked: a student's archive can
# hold paths outside their folder, links, or a few bytes that fill the disk.
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".gz", ".bz2",
                    ".xz", ".7z", ".rar")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")
ARCHIVE_NOTE = "{name} is an archive, which the grader does not open; hand in the files themselves."


def archive_notes(files: list[Path], names: dict[Path, str]) -> list[str]:
    """A note for each file that is an archive (zip, tar, 7z, rar…): the grader reads none of
    what is inside, and without a word every part would just say it is not answered."""
    return [ARCHIVE_NOTE.format(name=names.get(path, path.name)) for path in files
            if not path.is_symlink() and _is_archive(path)]


def _is_archive(path: Path) -> bool:
    if path.name.lower().endswith(ARCHIVE_SUFFIXES):
        return True
    # By content only where the name does not say what the file is: a .docx or .xlsx is a zip too.
    if path.suffix and not read_by_name(path):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(265)
    except OSError:
        return False
    bzip2 = head[:3] == b"BZh" and head[4:10] == b"1AY&SY"  # "BZh" alone could open a text
    return head.startswith(_ARCHIVE_MAGIC) or bzip2 or head[257:262] == b"ustar"


# Files the grader does not read get a note too, or the student sees only "not answered" (a silent zero).
READ_KINDS = "the grader reads code (.py, .ipynb), Markdown or text (.md, .qmd, .Rmd, .txt) and answers files (.yaml)"
UNREAD_NOTE = "{name} was not read: " + READ_KINDS + "."
# Documents and pictures that hold answers the grader cannot read: the student is told what to hand in.
_DOCUMENTS = {".pdf": "a PDF", ".docx": "a Word document", ".doc": "a Word document", ".odt": "an OpenDocument text",
              ".rtf": "a rich-text document", ".pages": "a Pages document", ".tex": "a LaTeX file",
              ".html": "a web page", ".htm": "a web page"}
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".heic", ".webp", ".bmp", ".tif", ".tiff", ".svg")
# Files a computer or an unzip leaves beside the student's own, rightly ignored without a word.
_JUNK_NAMES = {"thumbs.db", "desktop.ini"}
_JUNK_STEMS = {"readme", "license", "licence", "copying"}


def unread_notes(files: list[Path], names: dict[Path, str], answering: Iterable[Path],
                 problem_sets: list[Any]) -> list[str]:
    """A note for each file of the submission the grader does not read (a PDF, a Word file, code saved as
    ``foundations.py.txt``), saying what to hand in instead where that is clear.  Junk (a README, Thumbs.db,
    an unzip's __MACOSX), a picture a write-up shows, and files read that answer nothing stay quiet."""
    answering = set(answering)
    handed_in = {path.name.casefold() for path in files}
    wanted = {name.casefold(): name for ps in problem_sets for name in ps.submission_files}
    written = [names.get(p, p.name) for p in files if p in answering and p.suffix.lower() not in CODE_SUFFIXES]
    notes = []
    for path in files:
        name, suffix = names.get(path, path.name), path.suffix.lower()
        document = suffix in _DOCUMENTS or suffix in _PICTURES  # q2.md.pdf too: made from q2.md, not q2.md
        intended = wanted.get(path.stem.casefold()) if suffix and not document else None
        misnamed = intended is not None and intended.casefold() not in handed_in
        if (read_by_name(path) and not misnamed) or path.is_symlink() or _is_junk(path) or _is_archive(path):
            continue  # read, or junk; links and archives have notes of their own
        if misnamed:
            notes.append(_misnamed_note(name, path.suffix, intended, path in answering))
        elif suffix in _PICTURES and _shown_in(path, [p for p in files if p in answering]):
            continue  # the plot a write-up shows: part of the write-up, not graded alone
        elif document:
            kind = _DOCUMENTS.get(suffix, "a picture")
            notes.append(f"{name} is {kind}, which the grader does not read" + _instead(path, written, problem_sets))
        else:
            notes.append(UNREAD_NOTE.format(name=name))
    return notes


def _is_junk(path: Path) -> bool:
    if path.stem.casefold() in _JUNK_STEMS and path.suffix.lower() in ("", ".txt", ".rst", ".md"):
        return True  # a repository's README or LICENCE (README.pdf may hold answers)
    return path.name.casefold() in _JUNK_NAMES or path.suffix.lower() in (".pyc", ".pyo")


def _misnamed_note(name: str, ending: str, intended: str, graded: bool) -> str:
    """``foundations.py.txt``: the file the student meant, with an ending an editor or a browser added."""
    if graded:
        return f"{name} looks like {intended} with an extra {ending} ending; it was read as a text file, but " \
               f"hand it in as {intended}."
    return f"{name} looks like {intended} with an extra {ending} ending, and was not graded as {intended}: " \
           f"hand it in as {intended}."


def _instead(path: Path, written: list[str], problem_sets: list[Any]) -> str:
    """What to hand in instead of a document: the files of the problem sets its name suggests
    (``Q2_answers.docx``: Q2's written answers; ``foundations.pdf``: its code), else every set's written
    answer files; or, when written answers were graded, where from."""
    if written:
        return f" (the written answers were graded from {', '.join(sorted(written))})."
    stem = path.stem.casefold()
    named = [ps for ps in problem_sets if any(Path(f).stem.casefold() in stem for f in ps.submission_files)]
    files = [f for ps in named or problem_sets for f in ps.submission_files if Path(f).suffix not in CODE_SUFFIXES]
    if files:
        return f": hand in the written answers as {either(files)} instead."
    code = [f for ps in named for f in ps.submission_files]
    return f": hand in {either(code)} instead." if code else "."


def either(names: list[str]) -> str:
    """'q2.md or answers.yaml', 'a, b or c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


FOREIGN_LABELS_SHOWN = 4  # a whole other homework's labels would fill the note


def foreign_label_notes(files: list[Path], names: dict[Path, str], answering: Iterable[Path],
                        loaded: Mapping[Path, Any], problem_sets: list[Any]) -> list[str]:
    """A note for each file read that answers nothing but labels parts no problem set has (``## Q3.1``
    in a file written for another homework): without it every part says only "not answered", and the
    student never learns that the file was read and why nothing in it counted.  A file without
    question-like labels (notes, a README) stays quiet, and so does one naming a part a set has."""
    answering = set(answering)
    known = [part.label for ps in problem_sets for part in ps.parts]
    notes = []
    for path in files:
        if path in answering or path.is_symlink() or _is_junk(path) or _is_handout(path):
            continue
        found = _part_like_labels(path, loaded)
        if not found or any(covers(key, label) for key in found.values() for label in known):
            continue
        shown = list(found)[:FOREIGN_LABELS_SHOWN]
        listed = ", ".join(shown) + (", …" if len(found) > len(shown) else "")
        which = "which are" if len(found) > 1 else "which is"
        sets = "the problem sets" if len(problem_sets) > 1 else "the problem set"
        notes.append(f"{names.get(path, path.name)} names {listed}, {which} no part of {sets} graded "
                     f"({_labels_asked(problem_sets)}); it was not graded.")
    return notes


def stray_key_notes(answering: Iterable[Path], names: dict[Path, str], problem_sets: list[Any]) -> list[str]:
    """A note for each key of an answers file that looks like a part's label but names no part of any
    problem set (``Q2.3f:``, a typo): its answer was not graded, and without the note the part it
    meant says only "not answered".  A key of another set's part is no stray: every set's labels count.
    Only files that answer some part are looked at: one that answers none, written for another
    homework, is named whole by :func:`foreign_label_notes`."""
    labels = [part.label for ps in problem_sets for part in ps.parts]
    sets = "the problem sets" if len(problem_sets) > 1 else "the problem set"
    notes = []
    for path in answering:
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue
        shown = names.get(path, path.name)
        for key, line in keys_naming_no_part(path, labels):
            where = f"{shown}, line {line}" if line else shown
            notes.append(f"{where}: '{one_line(key)}' names no part of {sets} graded ({_labels_asked(problem_sets)}); "
                         f"it was not graded{did_you_mean(key, labels)}.")
    return notes


def _part_like_labels(path: Path, loaded: Mapping[Path, Any]) -> dict[str, str]:
    """The labels that look like a question's (``Q3.1``, ``Question 3``, ``**Problem 3.2**``, an answers
    file's ``Q3.1:``) that a file the grader reads gives its headings, paragraphs or keys, as written →
    their keys; {} for any other file, or one that cannot be read (its own note says why)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            data = load_yaml_file(path, max_bytes=1_000_000, untrusted=True)
            titles = [str(key).strip() for key in data] if isinstance(data, dict) else []
            return _question_labels(titles)
        if suffix == ".ipynb":
            source = loaded[path] if path in loaded else _load_code(path)
            text = CELL_SEPARATOR.join(getattr(source, "markdown_cells", []))
        elif text_reader_for(path) is not None:
            text = load_document(path)
        else:
            return {}
    except Exception:  # noqa: BLE001 - unreadable: the reader's note already names the file
        return {}
    # The Markdown reader finds labels opening paragraphs only among those it is given: offer it each line's
    # label-like opening ("**Q3.1** $x$", "Q3.1: 5"); it keeps those that really open a paragraph.
    offered = {heading_key(_line_at(text, m.start()), None) for m in LABEL_LINE.finditer(text)} - {None}
    return _question_labels(section.heading for section in parse_sections(text, sorted(offered)))


def _line_at(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start:end if end >= 0 else None]


def _question_labels(titles: Iterable[str]) -> dict[str, str]:
    """Of headings or keys, those that name a question (not "Derivation", "(a)" or a bare "2.2 Sets"):
    each shown as written up to the end of its label → its key."""
    found: dict[str, str] = {}
    for title in titles:
        key = heading_key(title, None)
        if key is None or not names_a_question(key, title):
            continue
        text = re.sub(r"[*_`#]", "", title).strip()
        word = LABEL_WORDS.match(text)
        start = word.end() if word else 0
        label = HEADING_LABEL.match(text[start:])
        shown = text[:start + label.end()].rstrip(" .:-–") if label else text
        if key not in found.values():
            found[shown] = key
    return found


def _labels_asked(problem_sets: list[Any]) -> str:
    """The labels the sets' written answers use ("q2-activations: Q2.1a … Q2.4"), else how code answers."""
    written = [(ps.id, [p.label for p in ps.parts if p.kind]) for ps in problem_sets]
    asked = [f"{set_id}: {_span(labels)}" for set_id, labels in written if labels]
    if asked:
        return "; ".join(asked)
    return "; ".join(f"{ps.id} is answered in code: {either(list(ps.submission_files))}" for ps in problem_sets)


def _span(labels: list[str]) -> str:
    return ", ".join(labels) if len(labels) <= 2 else f"{labels[0]} … {labels[-1]}"


def _shown_in(picture: Path, written: Iterable[Path]) -> bool:
    """Does a written answer file name ``picture`` (``![ratio](plots/q2-plot.png)``)?"""
    for path in written:
        try:
            if path.stat().st_size <= MAX_SUBMISSION_FILE_BYTES and picture.name in path.read_text("utf-8", "replace"):
                return True
        except OSError:
            continue
    return False


def _blank(path: Path) -> bool:
    try:
        return path.stat().st_size <= 4096 and not path.read_bytes().strip()
    except OSError:
        return False


# The first line of the README `grader handout` writes: a repository handed in whole holds it, and its
# questions (with the parts' headings) are not the student's answers.
HANDOUT_MARK = b"<!-- grader: handout."


def _is_handout(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(HANDOUT_MARK)) == HANDOUT_MARK
    except OSError:
        return False


def read_by_name(path: Path) -> bool:
    return path.suffix.lower() in CODE_SUFFIXES or text_reader_for(path) is not None


def shown_names(files: list[Path], entry: Path | None = None) -> dict[Path, str]:
    """How feedback names each file: by its name, or, when two files share it
    (old/foundations.py and final/foundations.py), by its path within the
    student's folder (``entry``; else the folder all the files are in).  Control characters
    and newlines show as symbols: a file's name must never start a line of a note."""
    return {path: one_line(name) for path, name in _names_within(files, entry).items()}


def _names_within(files: list[Path], entry: Path | None) -> dict[Path, str]:
    counts: dict[str, int] = {}
    for path in files:
        counts[path.name] = counts.get(path.name, 0) + 1
    if all(count == 1 for count in counts.values()):
        return {path: path.name for path in files}
    if entry is not None:
        base = entry if entry.is_dir() and not entry.is_symlink() else entry.parent
    else:
        try:
            base = Path(os.path.commonpath([str(p.parent) for p in files]))
        except ValueError:  # relative and absolute paths mixed: no common folder
            base = Path(os.sep)
    names = {}
    for path in files:
        try:
            names[path] = path.relative_to(base).as_posix() if counts[path.name] > 1 else path.name
        except ValueError:
            names[path] = str(path)
    return names


@dataclass(frozen=True)
class Copies:
    """Files of one kind (code run, or written answers) that answer some of the same parts of a problem
    set: two attempts an LMS renamed (``foundations (1).py``, ``…_attempt_<date>_foundations.py``), a
    script and a notebook with the same functions, two write-ups."""

    files: tuple[Path, ...]  # in the submission's order
    shared: tuple[str, ...]  # the parts two or more of them answer
    whole: Path | None  # a file that scores best on every part any of them answers, if one does
    disputed: tuple[str, ...]  # without such a file: the parts the files score differently on


def find_copies(candidates: Mapping[str, list[Candidate]], labels: list[str], files: list[Path]) -> list[Copies]:
    """The groups of files that answer the same parts, code and written answers apart: a notebook's
    functions and q2.md's derivation of one part are two ways the handout allows, not two copies."""
    position = {path: i for i, path in enumerate(files)}
    found = []
    for written in (False, True):
        own = {label: [c for c in candidates.get(label, []) if c.written == written and c.file is not None]
               for label in labels}
        answering = {label: {c.file for c in cands if _gives_an_answer(c)} for label, cands in own.items()}
        groups: list[set[Path]] = []
        for answered in answering.values():
            if len(answered) > 1:  # linked part by part: a.py and b.py answer A1, b.py and c.py answer A2
                linked = [g for g in groups if g & answered]
                groups = [g for g in groups if not g & answered] + [answered.union(*linked)]
        for group in groups:
            found.append(_copies_of(sorted(group, key=position.__getitem__), own, answering))
    return found


def _copies_of(group: list[Path], own: dict[str, list[Candidate]], answering: dict[str, set[Path]]) -> Copies:
    answered = [label for label, by in answering.items() if by & set(group)]
    best = {label: max(_rank(c) for c in own[label] if c.file in group) for label in answered}
    whole = next((path for path in group if all(
        any(c.file == path and _rank(c) == best[label] for c in own[label]) for label in answered)), None)
    disputed = () if whole else tuple(label for label in answered if len(
        {c.verdict.credit for c in own[label] if c.file in group and _gives_an_answer(c)}) > 1)
    shared = tuple(label for label in answered if len(answering[label] & set(group)) > 1)
    return Copies(tuple(group), shared, whole, disputed)


def copies_note(copies: Copies, problem_set: Any, names: dict[Path, str]) -> list[str]:
    """A note for an answer handed in as several differing copies: every copy was graded, each part
    took the best verdict, and the student is told to hand in one.  Identical copies stay quiet."""
    if _identical(list(copies.files)):
        return []
    listed = ", ".join(names.get(p, p.name) for p in copies.files)
    note = (f"{SEVERAL_COPIES} ({listed}), answering the same parts of {problem_set.id} "
            f"({_parts(copies.shared)}): each part was graded from the copy that scores best on it, and "
            "names the copy it was graded from.")
    if copies.disputed:
        note += (" No one copy scores best on every part, so the parts where the copies disagree "
                 f"({_parts(copies.disputed)}) are provisional until the instructor confirms them.")
    return [note + " Hand in one file."]


def _parts(labels: tuple[str, ...]) -> str:
    """'A1, A2, B1', or '25 parts, A1 … D5' when there are many."""
    return ", ".join(labels) if len(labels) <= 4 else f"{len(labels)} parts, {labels[0]} … {labels[-1]}"


def _identical(paths: list[Path]) -> bool:
    try:
        if len({p.stat().st_size for p in paths}) > 1:
            return False
        first = paths[0].read_bytes()
        return all(p.read_bytes() == first for p in paths[1:])
    except OSError:
        return False


# What each note above (and the code reader's, for a pipe) says of a file handed in but not read, so the
# class summary can count the students who have one.  A new note of that kind adds its words here.
_NOT_READ_WORDS = (" was not read: ", "which the grader does not read", " is a symbolic link",
                   " is not a regular file (", " is a folder, not a file")


def tells_of_a_file_not_read(note: str) -> bool:
    """Whether ``note`` is about a file of the submission the grader did not read (or not as what it is)."""
    return any(words in note for words in _NOT_READ_WORDS) or (" extra " in note and " ending" in note)


# A folder handed in with node_modules/ or a virtual environment in it holds thousands of files not read:
# the first few are named, the rest counted, or the notes would fill megabytes of results and report.
FILES_NOT_READ_NAMED = 20
_NAMED_FIRST = re.compile(r"(.*?)(?: was not read: | is | looks like )")  # how those notes open: the file's name


def capped_file_notes(notes: list[str]) -> list[str]:
    """``notes`` (each once), naming the first :data:`FILES_NOT_READ_NAMED` files not read and counting the
    others by their ending in one line: "… and 19,980 more files that were not read (.js: 19,980)"."""
    about_files = [note for note in notes if tells_of_a_file_not_read(note)]
    if len(about_files) <= FILES_NOT_READ_NAMED:
        return notes
    left_out = set(about_files[FILES_NOT_READ_NAMED:])
    endings = Counter(_ending(note) for note in about_files[FILES_NOT_READ_NAMED:])
    counted = ", ".join(f"{ending}: {count:,}" for ending, count in sorted(endings.items(),
                                                                          key=lambda item: (-item[1], item[0])))
    summary = f"… and {len(left_out):,} more files that were not read ({counted})."
    last_named = about_files[FILES_NOT_READ_NAMED - 1]
    capped = []
    for note in notes:
        if note not in left_out:
            capped.append(note)
        if note == last_named:
            capped.append(summary)
    return capped


def _ending(note: str) -> str:
    """The ending of the file a note about a file not read opens with (".js"), or "no ending"."""
    named = _NAMED_FIRST.match(note)
    return (Path(named.group(1)).suffix.lower() if named else "") or "no ending"


def nothing_answers_note(files: list[Path], names: dict[Path, str], problem_sets: list[Any]) -> str:
    """Why a submission whose files answer no part scores 0, when no other note says why: the files read
    name no part (answers.txt numbered 1., 2. …), or are not answers at all (a README)."""
    read = [names.get(p, p.name) for p in files if read_by_name(p) and not p.is_symlink()]
    quiet = [names.get(p, p.name) for p in files if not read_by_name(p) or p.is_symlink()]
    said = []
    if read:
        said.append(f"{either(read)} {'was' if len(read) == 1 else 'were'} read but "
                    f"{'names' if len(read) == 1 else 'name'} no part")
    if quiet:
        said.append(f"{either(quiet)} {'is' if len(quiet) == 1 else 'are'} not read, as {READ_KINDS}")
    return f"{NOTHING_ANSWERS}: {'; '.join(said)}. {_how_to_answer(problem_sets)}"


def _how_to_answer(problem_sets: list[Any]) -> str:
    """"Write each answer of q2-activations under its part label (e.g. `Q2.1a:`) in q2.md or answers.yaml;
    define the functions of foundations in foundations.py or foundations.ipynb." """
    ways = []
    for ps in problem_sets:
        written = [p.label for p in ps.parts if p.kind]
        files = list(ps.submission_files)
        if written:
            where = [f for f in files if Path(f).suffix not in CODE_SUFFIXES] or files
            ways.append(f"write each answer of {ps.id} under its part label (e.g. `{written[0]}:`)"
                        + (f" in {either(where)}" if where else ""))
        else:
            ways.append(f"define the functions of {ps.id} in {either(files) if files else 'a .py file'}")
    text = "; ".join(ways)
    return text[:1].upper() + text[1:] + "."


def _renamed(text: str, path: Path, shown: str) -> str:
    """``text`` (a note or source that starts with the file's name) naming the file as ``shown``."""
    if shown != path.name and text.startswith(path.name):
        return shown + text[len(path.name):]
    return text


# A link in a student's repository could point at the specs, or at any file
# the grader can read, and what is read can be quoted back in the report.
SYMLINK_NOTE = ("{name} is a symbolic link, which the grader does not follow (it could point at files "
                "that are not the student's); hand in the file itself.")


class Grader:
    """Grades submissions against problem sets.  One per run; reuses its sandbox pool.

    ``public_only`` is the student self-check: hidden cases are neither run
    nor named, only counted.

    ``withhold`` is for results students see while they may still
    resubmit: every rubric part is checked with ``name_missing_ideas`` off,
    so its feedback numbers the ideas and never quotes them, and a hidden
    case says only "Passed." or "Failed." (:data:`WITHHELD`): which
    exception, hint or kind of failure would be a few bits a resubmission
    could choose, and carry the case's inputs out, case by case.

    Verdicts are remembered by (part or case, answer): a verdict depends on
    nothing else, and a class gives the same answers again and again.
    """

    def __init__(self, references: list[ProblemReferences], *, public_only: bool = False, pool: Any = None,
                 call_timeout: float = 2.0, withhold: bool = False):
        self.references = references
        self.public_only = public_only
        self.withhold = withhold
        self._pool = pool
        self._own_pool = False
        self.call_timeout = call_timeout
        # Memo keys name a part by id(); holding the parts here keeps those ids from being reused.
        self._known_parts = {id(ref): ref for refs in references for ref in refs.parts.values()}
        self._written_verdicts = BoundedCache(WRITTEN_VERDICTS_KEPT)
        self._case_verdicts = BoundedCache(CASE_VERDICTS_KEPT)
        self._plans: dict[int, tuple] = {}

    # -- the sandbox pool is started lazily: written answers never need it
    @property
    def pool(self):
        if self._pool is None:
            from grader.sandbox import WorkerPool

            self._pool = WorkerPool()
            self._own_pool = True
        return self._pool

    def close(self) -> None:
        if self._own_pool and self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -----------------------------------------------------------------------
    def grade(self, student: str, files: Iterable[Path], entry: Path | None = None) -> SubmissionResult:
        """Grade ``files``; ``entry``, the student's folder (or file) they were
        listed from, names them within it and finds what was left out."""
        return self.grade_by_set(student, files, entry)[0]

    def grade_by_set(self, student: str, files: Iterable[Path], entry: Path | None = None,
                     kept: Mapping[str, SetOutcome] | None = None) -> tuple[SubmissionResult, tuple[SetOutcome, ...]]:
        """:meth:`grade`, and what grading each problem set gave.  The sets in ``kept`` (by id)
        are not graded again: their stored outcome is put together with the others exactly as
        a fresh grading would be (a class run keeps them when only another set's spec changed)."""
        kept = kept or {}
        started = time.perf_counter()
        files = list(files)
        checkpoints = [path for path in files if is_checkpoint(path)]
        files = [path for path in files if not is_checkpoint(path)]
        notes: list[str] = not_regular_notes(entry) if entry is not None else []
        isolation: dict = {}
        parts: list[PartResult] = []
        if not files and checkpoints:
            notes.append(checkpoints_only_note(checkpoints))
        elif not files and not notes:
            notes.append(NOTHING_TO_READ[0])
        names = shown_names(files, entry)
        notes.extend(archive_notes(files, names))
        answering: dict[Path, None] = {}  # the files that answered a part, in order
        loaded: dict[Path, Any] = {}  # each code file is read once, whatever the number of problem sets
        outcomes = []
        for refs in self.references:
            outcome = kept.get(refs.problem_set.id) or self._grade_set(refs, files, loaded, names)
            outcomes.append(outcome)
            answering.update(dict.fromkeys(files[i] for i in outcome.answering if i < len(files)))
            notes.extend(outcome.notes)
            isolation.update(outcome.isolation)
            parts.extend(outcome.parts)
        # An empty code file the name does not tie to a set (ben.py, a file per student) is read, answers
        # nothing and would stay quiet; the sets' own files (foundations.py) say so as they are run.
        notes.extend(EMPTY_CODE_NOTE.format(name=names.get(path, path.name)) for path, source in loaded.items()
                     if path not in answering and isinstance(source, CodeSource) and source.is_empty)
        problem_sets = [refs.problem_set for refs in self.references]
        notes.extend(foreign_label_notes(files, names, answering, loaded, problem_sets))
        notes.extend(stray_key_notes(answering, names, problem_sets))
        notes.extend(unread_notes(files, names, answering, problem_sets))
        notes = capped_file_notes(list(dict.fromkeys(notes)))
        if files and not answering and not notes and not self.public_only:
            # A zero must say why; a self-check says it itself, set by set (see untouched_sets).
            notes.append(nothing_answers_note(files, names, problem_sets))
        result = SubmissionResult(student, tuple(parts), tuple(notes), isolation, time.perf_counter() - started)
        return result, tuple(outcomes)

    def _grade_set(self, refs: ProblemReferences, files: list[Path], loaded: dict[Path, Any],
                   names: dict[Path, str]) -> SetOutcome:
        answering: dict[Path, None] = {}
        candidates, notes, isolation = self._candidates(refs, files, loaded, names, answering)
        labels = [part.label for part in refs.problem_set.parts]
        disputed: set[str] = set()
        for copies in find_copies(candidates, labels, files):
            notes.extend(copies_note(copies, refs.problem_set, names))
            disputed.update(copies.disputed)
            if copies.whole is not None:  # parts it ties on are graded from it too: one file, not a patchwork
                for label in copies.shared:
                    candidates[label].sort(key=lambda c: c.file != copies.whole)
        answering_names = [names.get(path, path.name) for path in answering]
        parts = tuple(self._best(refs, refs[label], candidates.get(label, []), label in disputed, answering_names)
                      for label in labels)
        position = {path: i for i, path in enumerate(files)}
        return SetOutcome(refs.problem_set.id, parts, tuple(notes), dict(isolation),
                          tuple(position[path] for path in answering))

    # -----------------------------------------------------------------------
    def _candidates(self, refs: ProblemReferences, files: list[Path], loaded: dict[Path, Any],
                    names: dict[Path, str], answering: dict[Path, None]):
        candidates: dict[str, list[Candidate]] = {}
        notes: list[str] = []
        isolation: dict = {}
        ps = refs.problem_set
        for path in files:
            shown = names.get(path, path.name)
            if path.is_symlink():
                notes.append(SYMLINK_NOTE.format(name=shown))
                continue
            if path.suffix.lower() in CODE_SUFFIXES:
                if path not in loaded:
                    loaded[path] = _load_code(path)
                source = loaded[path]
                if _answers_code_of(ps, path, source):
                    code_candidates, code_notes, isolation = self._grade_code(refs, path, source, shown)
                    notes.extend(code_notes)
                    for label, cand in code_candidates.items():
                        candidates.setdefault(label, []).append(replace(cand, file=path))
                        answering[path] = None
                if isinstance(source, CodeSource):
                    self._add_written(refs, read_notebook_answers(source, ps), candidates, notes, path, shown,
                                      answering)
                continue
            reader = text_reader_for(path)
            if reader is None or _is_handout(path):
                continue
            try:
                if path.stat().st_size > MAX_SUBMISSION_FILE_BYTES:
                    notes.append(f"{shown}: the file is too large to read "
                                 f"({path.stat().st_size} bytes; the limit is {MAX_SUBMISSION_FILE_BYTES}).")
                    continue
                reading: WrittenReading = reader(path, ps)
            except Exception as exc:  # noqa: BLE001 - a bad file must not stop the submission
                problem = _file_problem(path, exc, shown)
                notes.append(problem)
                if path.name in ps.submission_files and not _blank(path):
                    # the set's own answer file (q2.md) holds something: its parts could not be read, not unanswered
                    for part in ps.parts:
                        if part.kind is not None:
                            candidates.setdefault(part.label, []).append(
                                Candidate(Verdict(Status.UNREADABLE, 0.0, problem), shown, file=path, written=True))
                continue
            self._add_written(refs, reading, candidates, notes, path, shown, answering)
        return candidates, notes, isolation

    def _add_written(self, refs: ProblemReferences, reading: WrittenReading, candidates: dict[str, list[Candidate]],
                     notes: list[str], path: Path, shown: str, answering: dict[Path, None]) -> None:
        notes.extend(_renamed(note, path, shown) for note in reading.notes)
        for label, answer in reading.answers.items():
            if shown != path.name:
                answer = replace(answer, source=_renamed(answer.source, path, shown))
            candidate = self._grade_written(refs[label], answer)
            candidates.setdefault(label, []).append(replace(candidate, file=path, written=True))
            answering[path] = None

    # -----------------------------------------------------------------------
    def _grade_written(self, ref: PartReference, answer: WrittenAnswer) -> Candidate:
        part = ref.part
        shown = _show(answer.value)
        if answer.problem:
            return Candidate(Verdict.unreadable(answer.problem), answer.source, shown)
        if part.kind is None:
            return Candidate(Verdict.unreadable("This part is answered by code, not in writing."), answer.source, shown)
        if part.at_grading:
            problem = get_checker(part.kind).read_problem(answer.value, part.options)
            if problem:  # grading could not read it either: say so now, not at grading
                return Candidate(Verdict.unreadable(problem), answer.source, shown)
            return Candidate(Verdict(Status.INCORRECT, 0.0, "Answer found; written answers are checked at grading."),
                             answer.source, shown, status=AT_GRADING)
        key = self._memo_key(ref, value_key(answer.value))
        verdict = self._written_verdicts.get(key) if key else None
        if verdict is None:
            verdict = _check_written(ref, answer.value, options=self._written_options(ref.part))
            if key:
                self._written_verdicts.put(key, verdict)
        return Candidate(verdict, answer.source, shown, verdict.read_as or "")

    def _written_options(self, part) -> Any:
        """The part's checker options, with a rubric's ideas withheld when this grader withholds them."""
        if self.withhold and part.kind == "rubric":
            return replace(part.options or get_checker("rubric").Options(), name_missing_ideas=False)
        return part.options

    def _memo_key(self, ref: PartReference, *answer_key: Any) -> tuple | None:
        """A memo key for an answer to one of this grader's parts; None when it cannot be remembered."""
        if any(k is None for k in answer_key) or self._known_parts.get(id(ref)) is not ref:
            return None
        return (id(ref), *answer_key)

    # -----------------------------------------------------------------------
    def _code_plan(self, refs: ProblemReferences) -> tuple[list, list, list]:
        """(code parts, calls, (label, number, case) per call): the same for every submission, so made once."""
        planned = self._plans.get(id(refs))
        if planned is not None and planned[0] is refs:
            return planned[1]
        from grader.sandbox import Call

        code_parts = [refs[p.label] for p in refs.problem_set.parts if p.code is not None]
        calls, index = [], []
        for ref in code_parts:
            for number, case_ref in enumerate(ref.cases, 1):
                if self.public_only and not case_ref.case.public:
                    continue
                calls.append(Call(ref.part.code.function, case_ref.args,
                                  case_id=f"{ref.part.label}/{number}", capture_output=case_ref.case.public))
                index.append((ref.part.label, number, case_ref))
        plan = (code_parts, calls, index)
        self._plans[id(refs)] = (refs, plan)  # holding refs keeps its id from being reused
        return plan

    def _grade_code(self, refs: ProblemReferences, path: Path, source: "CodeSource | Exception", shown: str):
        code_parts, calls, index = self._code_plan(refs)
        if isinstance(source, Exception):  # e.g. a malformed notebook
            message = _file_problem(path, source, shown)
            return {r.part.label: Candidate(Verdict(Status.UNREADABLE, 0.0, message), shown)
                    for r in code_parts}, [message], {}
        run = self.pool.run(source, calls, call_timeout=self.call_timeout)
        notes = [_renamed(n, path, shown) if n.startswith(path.name) else f"{shown}: {n}" for n in run.notes]
        notes = _with_run_order_hints(notes, source)
        if run.load_status != "ok":
            # "foundations.py: SyntaxError on line 8 …" is said once, not "foundations.py … foundations.py: …"
            reason = run.load_message.removeprefix(f"{path.name}: ")
            message = f"{shown} could not be run: {reason}"
            return {r.part.label: Candidate(Verdict.incorrect(message), shown) for r in code_parts}, \
                [message], run.isolation

        outcomes: dict[str, list[tuple[int, CaseReference, Any]]] = {}
        for (label, number, case_ref), outcome in zip(index, run.outcomes):
            outcomes.setdefault(label, []).append((number, case_ref, outcome))
        result = {}
        defined = _defined_names(source, {r.part.code.function for r in code_parts}) if self.public_only else {}
        stopped = {int(m.group(1)): m.group(2) for n in notes if (m := _CELL_RAISED.search(n))}
        cells = {cell.number: cell.source for cell in source.normalised_cells()} if stopped else {}
        for ref in code_parts:
            candidate = self._code_part(ref, outcomes.get(ref.part.label, []), shown, defined)
            # Written in a cell Jupyter does not run (Raw, Markdown): that cell is the reason, and the fix.
            if candidate.status == NOT_DEFINED and (why := source.not_run_definition(ref.part.code.function)):
                candidate = replace(candidate, verdict=replace(candidate.verdict, feedback=why))
            result[ref.part.label] = _blame_stopped_cell(candidate, ref.part.code.function, stopped, cells)
        return result, notes, run.isolation

    def _code_part(self, ref: PartReference, runs: list, source: str, defined: dict[str, bool]) -> Candidate:
        code = ref.part.code
        hidden_total = sum(1 for c in ref.cases if not c.case.public)
        hidden_not_run = hidden_total if self.public_only else 0
        if not runs and self.public_only and ref.part.kind is not None:
            # A written part's function has hidden cases only (a public expected value would give the
            # written answer away): nothing runs in a self-check, which is no failure.  Whether the
            # function is there at all is known from the code, read, not run.
            if code.function not in defined:
                return Candidate(Verdict(Status.INCORRECT, 0.0, f"{code.function} is not defined."), source,
                                 hidden_cases=hidden_not_run, status=NOT_DEFINED, checked=False)
            if defined[code.function]:
                return Candidate(Verdict(Status.INCORRECT, 0.0, f"{code.function} is not implemented yet "
                                         "(it raises NotImplementedError)."), source,
                                 hidden_cases=hidden_not_run, status=NOT_IMPLEMENTED, checked=False)
            return Candidate(Verdict(Status.INCORRECT, 0.0, f"{code.function} has no public checks: it is "
                                     "checked only at grading."), source, hidden_cases=hidden_not_run,
                             status=AT_GRADING, checked=False)
        if not runs:
            return Candidate(Verdict.incorrect("No cases were run."), source, hidden_cases=hidden_not_run,
                             checked=False)
        if all(outcome.status == NOT_DEFINED for _, _, outcome in runs):
            return Candidate(Verdict(Status.INCORRECT, 0.0, _not_defined(code.function, runs[0][2])), source,
                             hidden_cases=hidden_total, status=NOT_DEFINED)
        if all(_not_implemented(case_ref, outcome) for _, case_ref, outcome in runs):
            return Candidate(Verdict(Status.INCORRECT, 0.0, f"{code.function} is not implemented yet "
                                     "(it raises NotImplementedError)."), source,
                             hidden_cases=hidden_total, status=NOT_IMPLEMENTED)
        case_results: list[CaseResult] = []
        credits: list[float] = []
        mistake_feedback: list[str] = []
        hidden_number = 0
        for number, case_ref, outcome in runs:
            public = case_ref.case.public
            if not public:
                hidden_number += 1
            verdict, matched = self._case_verdict(ref, number, case_ref, outcome)
            if not public and matched:
                # A hidden case's own reason may quote its values: it says only the known mistake's feedback.
                verdict = Verdict(verdict.status, verdict.credit, matched)
            elif not public and self.withhold:
                verdict = Verdict(verdict.status, verdict.credit, WITHHELD[verdict.is_correct])
            elif not public and not verdict.is_correct:
                # The student's own messages can echo hidden inputs: say only what kind of failure it was.
                verdict = Verdict(verdict.status, verdict.credit, _hidden_feedback(outcome, verdict, case_ref))
            elif public and not verdict.is_correct and outcome.status == "ok" \
                    and not isinstance(case_ref.expected, RaisedException):
                # A public case's expected value is in the handout: showing both says how far off it is.
                # A known mistake's feedback is said once, for the part, so its cases show the values, and
                # the case's own reason only when the values alone would not show it (a warning).
                expected, got = _shown_apart(case_ref.expected, _scalar(outcome.value, code.kind))
                values = f"Expected {expected}; got {got}."
                if outcome.value is None and outcome.stdout.strip():  # a beginner's print for return
                    values += f" It printed {_quoted_output(outcome.stdout)}: print only shows a value; return it."
                own = verdict.feedback if not matched or verdict.feedback.startswith(WARNED) else ""
                verdict = Verdict(verdict.status, verdict.credit, f"{own} {values}".strip())
            credits.append(verdict.credit)
            if matched and matched not in mistake_feedback:
                mistake_feedback.append(matched)
            name = case_ref.case.name if public else f"hidden case {hidden_number}"
            case_results.append(CaseResult(name, public, verdict.status.value, round(verdict.credit, 6),
                                           verdict.feedback, outcome.stdout if public else ""))
        credit = sum(credits) / len(credits)
        passed = sum(1 for c in credits if c >= 1.0)
        summary = f"{passed} of {_cases(len(credits))} passed."
        if credit >= 1.0:
            summary = "The case passed." if len(credits) == 1 else f"All {len(credits)} cases passed."
        if mistake_feedback:
            summary += " " + " ".join(mistake_feedback)
        verdict = Verdict.partial(credit, summary)
        returned = all(outcome.status == "ok" for _, _, outcome in runs)
        return Candidate(verdict, source, cases=tuple(case_results), hidden_cases=hidden_total, returned=returned)

    def _case_verdict(self, ref: PartReference, number: int, case_ref: CaseReference,
                      outcome: Any) -> tuple[Verdict, str]:
        """The verdict of case ``number`` of ``ref`` (remembered by the call's outcome) and a mistake's feedback."""
        key = self._memo_key(ref, number, _outcome_key(outcome))
        found = self._case_verdicts.get(key) if key else None
        if found is None:
            found = self._code_case(ref, case_ref, outcome)
            if key:
                self._case_verdicts.put(key, found)
        return found

    def _code_case(self, ref: PartReference, case_ref: CaseReference, outcome: Any) -> tuple[Verdict, str]:
        code = ref.part.code
        status = outcome.status
        if status == NOT_DEFINED:
            return Verdict.incorrect(_not_defined(code.function, outcome)), ""
        if status in ("timeout", "memory", "crashed", "bad value"):
            return Verdict.incorrect(_outcome_reason(outcome)), ""
        if _not_implemented(case_ref, outcome):
            return Verdict.incorrect(f"{code.function} is not implemented yet (it raises NotImplementedError)."), ""
        answer = _student_answer(outcome)
        warned = tuple(getattr(outcome, "warnings", ()) or ())
        if isinstance(case_ref.expected, RaisedException):
            verdict = _safe_check(get_checker("exception"), case_ref.expected, answer, None)
        elif isinstance(answer, StudentException):
            verdict = Verdict.incorrect(f"Raised {answer.shown(300)}")
        elif code.kind in _VALUE_KINDS and (text := _text_in(answer)) is not None:
            # Checkers read text into values for written answers; a function
            # must return the value itself, not a text that spells it.
            article = "an" if code.kind[0] in "aeiou" else "a"
            where = "" if text is answer else " inside what it returned"
            verdict = Verdict.incorrect(f"Returned the text {_short(repr(text), 80)}{where}, not {article} "
                                        f"{code.kind} value.")
        else:
            verdict = _safe_check(get_checker(code.kind), case_ref.expected, _scalar(answer, code.kind),
                                  code.options)
        if verdict.is_correct and code.fail_on_warnings and warned:
            verdict = Verdict.incorrect(f"{WARNED} ({_short(warned[0], 120)}): {MUST_NOT_WARN}",
                                        hint=f"{WARNED}: {MUST_NOT_WARN}")  # its message may quote values
        if verdict.is_correct:
            return verdict, ""
        for mistake, wrong in case_ref.mistake_values:
            if isinstance(wrong, RaisedException) or isinstance(answer, StudentException):
                continue
            if _safe_check(get_checker(code.kind), wrong, _scalar(answer, code.kind), code.options).is_correct:
                return Verdict.partial(mistake.credit, verdict.feedback), mistake.feedback
        for mistake, predicate in ref.predicates:
            scope = {"value": answer if not isinstance(answer, StudentException) else None,
                     "exception": answer.name if isinstance(answer, StudentException) else None,
                     "message": answer.message if isinstance(answer, StudentException) else "",
                     "args": case_ref.args, "warnings": warned}
            if predicate(scope):
                return Verdict.partial(mistake.credit, verdict.feedback), mistake.feedback
        return verdict, ""

    # -----------------------------------------------------------------------
    def _best(self, refs: ProblemReferences, ref: PartReference, candidates: list[Candidate],
              disputed: bool = False, answering: Sequence[str] = ()) -> PartResult:
        """The part's result from its best candidate.  ``disputed``: copies of the submission answer it
        differently and none of them scores best on every part (see :func:`find_copies`).  ``answering``:
        the files that answer other parts of the set, named when none answers this one."""
        part = ref.part
        ps = refs.problem_set
        hidden = sum(1 for c in ref.cases if not c.case.public)
        if not candidates:
            if part.kind is None and part.code is not None:
                status, feedback = NOT_DEFINED, f"{part.code.function} is not defined in any file of the submission."
            elif answering:  # the student handed the set's file in: it is the part that is missing, not the file
                files = " and ".join(answering[:3]) + (" …" if len(answering) > 3 else "")
                status, feedback = NOT_ANSWERED, (f"Not answered: {files} answer{'s' if len(answering) == 1 else ''} "
                                                  f"other parts of {ps.id}, but not this one.")
            else:
                status, feedback = NOT_ANSWERED, "Not answered: no file of the submission answers this part."
            # Nothing to review: a rubric part's verdict is provisional only when there is an answer to read.
            # Nor to grade later: with no answer and no function, grading gives the same 0 (not "at grading").
            return PartResult(ps.id, part.label, part.title, part.points, 0.0, status, feedback,
                              hidden_cases=hidden)
        best = max(candidates, key=_rank)
        verdict = best.verdict
        # A rubric's verdict waits for an instructor; a file that could not be read has none to confirm.
        provisional = part.kind == "rubric" and not best.cases and verdict.status is not Status.UNREADABLE
        feedback = verdict.feedback
        # The best verdict counts, so two answers that disagree (a choice made both
        # ways in two files) would always win: it is left to the instructor.  Written
        # answers are compared with each other; a function's answer only for a
        # choice, where code and write-up are the same guess made twice, or when
        # copies of the code are merged part by part (a disputed part).
        choice = part.kind == "choice" or (part.code is not None and part.code.kind == "choice")

        def answers(c: Candidate) -> bool:
            if c.cases:
                return (choice and c.returned) or (disputed and _gives_an_answer(c))
            return bool(c.answer) and c.verdict.status is not Status.UNREADABLE

        disagreeing = sorted({c.source for c in candidates if answers(c) and c.verdict.credit != verdict.credit})
        if disagreeing and (not best.cases or choice or disputed):
            merged = ", and the problem set's parts were graded from different copies" if disputed else ""
            feedback += f" Another file answers this part differently ({', '.join(disagreeing)}){merged}{UNTIL_CONFIRMED}"
            provisional = True
        return PartResult(
            problem_set=ps.id, label=part.label, title=part.title, max_score=part.points,
            score=round(verdict.credit * part.points, 6), status=best.status or verdict.status.value,
            feedback=feedback, source=best.source, answer=best.answer,
            answer_latex=best.answer_latex, provisional=provisional,
            details=verdict.details, cases=best.cases, hidden_cases=hidden,
            at_grading=best.status == AT_GRADING or (self.public_only and not checkable_now(ref)
                                                     and not _nothing_left_to_grade(candidates)),
        )


def _nothing_left_to_grade(candidates: list[Candidate]) -> bool:
    """Every written answer cannot be read and every function is missing or still a starter stub:
    grading cannot score any of them either, so a self-check's 0 is final, and fails now (the
    starter q2.py handed out beside q2.md must not hide an unreadable answer until grading)."""
    return all(c.status in (NOT_DEFINED, NOT_IMPLEMENTED)
               or (not c.cases and c.checked and c.verdict.status is Status.UNREADABLE) for c in candidates)


def checkable_now(ref: PartReference) -> bool:
    """Can a self-check (public cases only) score this part?  Yes for a function with a public
    case, and for a written answer the spec lets it judge; not under a published spec, whose
    written answers are judged only at grading."""
    part = ref.part
    code = part.code is not None and any(case.case.public for case in ref.cases)
    return code or (part.kind is not None and not part.at_grading)


# ---------------------------------------------------------------------------
def _check_written(ref: PartReference, value: Any, options: Any = None) -> Verdict:
    """A written answer's verdict: the reference's, else a known mistake's partial credit
    (``options``: the checker's, when not the part's own)."""
    part = ref.part
    options = part.options if options is None else options
    checker = get_checker(part.kind)
    verdict = _safe_check(checker, ref.value, value, options)
    if not verdict.is_correct and verdict.status is not Status.UNREADABLE:
        for mistake in ref.mistakes:
            match = _safe_check(checker, mistake.value, value, options)
            if match.is_correct:
                credit = max(verdict.credit, mistake.mistake.credit)
                return Verdict.partial(credit, mistake.mistake.feedback, verdict.read_as)
    return verdict


def _load_code(path: Path) -> "CodeSource | Exception":
    """A code file's cells, or why it cannot be read (reported by the parts it was handed in for)."""
    try:
        return load_code(path)
    except Exception as exc:  # noqa: BLE001 - a bad file must not stop the submission
        return exc


def _answers_code_of(ps, path: Path, source: "CodeSource | Exception") -> bool:
    """Does this code file belong to the problem set?  By its name, or by the functions it defines."""
    if path.name in ps.submission_files:
        return True
    wanted = {p.code.function for p in ps.parts if p.code is not None}
    if not wanted or isinstance(source, Exception):
        return False  # unreadable files are reported when handed in by name
    return bool(_defined_names(source, wanted))


def _defined_names(source: "CodeSource", wanted: set[str]) -> dict[str, bool]:
    """Which of ``wanted`` the code defines at top level (a def or an assignment), read, not run:
    name → whether its last definition is a stub (a body that only raises NotImplementedError)."""
    defined: dict[str, bool] = {}
    for cell in source.cells:
        text = getattr(cell, "source", cell)
        if not _may_name(text, wanted):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined[node.name] = _is_stub(node)
            elif isinstance(node, ast.Assign):
                defined.update((t.id, False) for t in node.targets if isinstance(t, ast.Name))
    return {name: stub for name, stub in defined.items() if name in wanted}


def _is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``def f(x): \"\"\"doc\"\"\" raise NotImplementedError`` — the handout's starter, not yet filled in."""
    body = [n for n in function.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def _may_name(text: str, names: set[str]) -> bool:
    """Could code define one of ``names``?  Only if it writes it: a quick test that spares parsing."""
    if any(name in text for name in names):
        return True
    if text.isascii():
        return False
    # Python reads identifiers in NFKC form: ``ｒｈｏ`` defines ``rho``.
    normal = unicodedata.normalize("NFKC", text)
    return any(name in normal for name in names)


_CELL_RAISED = re.compile(r"\bcode cell (\d+) raised (\w+)")
_NAME_ERROR = re.compile(r"NameError\b.*?name '(\w+)' is not defined")


def _blame_stopped_cell(candidate: Candidate, function: str, stopped: dict[int, str],
                        cells: dict[int, str]) -> Candidate:
    """A function missing, or a name missing when it ran, after a notebook cell that mentions the name raised
    (``stopped``: code cell number → exception; ``cells``: number → source): the cell stopped before
    its later lines ran, which is likely why.  The note on the submission says more."""
    if not stopped:
        return candidate
    if candidate.status == NOT_DEFINED:
        name = function
    else:
        texts = [candidate.verdict.feedback, *(c.feedback for c in candidate.cases)]
        name = next((m.group(1) for text in texts if (m := _NAME_ERROR.search(text))), None)
    if name is None:
        return candidate
    mention = re.compile(rf"\b{re.escape(name)}\b")
    number = next((n for n in sorted(stopped) if mention.search(cells.get(n, ""))), None)
    if number is None:
        return candidate
    why = f" Notebook code cell {number} raised {stopped[number]} and stopped early (see the notes), which may be why."
    return replace(candidate, verdict=replace(candidate.verdict, feedback=candidate.verdict.feedback + why))


def _with_run_order_hints(notes: list[str], source: CodeSource) -> list[str]:
    """The notes, where a notebook cell raised NameError for a name that only a later cell defines saying
    so: the student ran that cell first in Jupyter, but the cells run top to bottom here."""
    missing = {index: found for index, note in enumerate(notes) if (found := _missing_name(note))}
    if not missing:
        return notes
    cells = source.normalised_cells()
    by_number = {cell.number: cell for cell in cells}
    defining = [(cell, defined_names(cell.source)) for cell in cells]
    hinted = list(notes)
    for index, (number, name, end) in missing.items():
        first = next((cell for cell, names in defining if name in names), None)
        if first is not None and first.number > number and number in by_number:
            hint = _run_order_hint(name, by_number[number], first)
            hinted[index] = notes[index][:end] + hint + notes[index][end:]
    return hinted


def _missing_name(note: str) -> tuple[int, str, int] | None:
    """(code cell number, name, where its message ends) for a note "code cell 3 raised NameError ...:
    name 'W' is not defined"."""
    raised = _CELL_RAISED.search(note)
    if raised is None or raised.group(2) != "NameError":
        return None
    message = _NAME_ERROR.match(note, raised.start(2))
    return (int(raised.group(1)), message.group(1), message.end()) if message else None


def _run_order_hint(name: str, raising: Cell, later: Cell) -> str:
    """" — W is defined in a later cell (code cell 4, ...): the grader runs the cells top to bottom ..."""
    beginning = f", the cell beginning “{later.quote}”" if later.quote else ""
    ran_first = ""
    if raising.execution_count is not None and later.execution_count is not None and \
            later.execution_count < raising.execution_count:
        ran_first = (f", which in Jupyter was run first (execution counts [{raising.execution_count}] and "
                     f"[{later.execution_count}])")
    return (f" — {name} is defined in a later cell (code cell {later.number}{beginning}){ran_first}: the grader "
            "runs the cells top to bottom, as Jupyter's Restart & Run All does; move that cell up")


def _elided(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _not_defined(function: str, outcome: Any) -> str:
    """Why ``function`` could not be called: missing, or its name holds something else
    (a notebook's ``variance = variance(data)`` leaves a float there)."""
    message = getattr(outcome, "message", "") or ""
    if message.startswith(f"{function} is defined but is a "):
        return _elided(message, 200) + "; was the name reassigned after the function was written?"
    if message.startswith(f"{function} is not defined: "):  # e.g. NumPy's own, from `from numpy import *`
        return _elided(message, 300) + "."
    return f"{function} is not defined."


def _not_implemented(case_ref: CaseReference, outcome: Any) -> bool:
    """A starter stub's call: it raised NotImplementedError, and the case did not ask for exactly that."""
    expected = case_ref.expected
    asked = isinstance(expected, RaisedException) and "NotImplementedError" in expected.bases
    return outcome.status == "raised" and outcome.exception == "NotImplementedError" and not asked


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def _outcome_key(outcome: Any) -> tuple | None:
    """Everything of a call's outcome that a case's verdict depends on (not its stdout or timing)."""
    value = value_key(outcome.value)
    if value is None:
        return None
    key = (outcome.status, value, outcome.exception, outcome.exception_bases, outcome.message,
           getattr(outcome, "warnings", ()))
    try:
        hash(key)
    except TypeError:  # not the sandbox's own record (e.g. lists for tuples): check it afresh
        return None
    return key


def _student_answer(outcome: Any) -> Any:
    if outcome.status == "raised":
        return StudentException(outcome.exception or "Exception", tuple(outcome.exception_bases or ()),
                                outcome.message or "")
    return outcome.value


def _scalar(value: Any, kind: str) -> Any:
    """A 0-d array counts as a float where a number is asked (the handout allows it)."""
    if kind == "number" and isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    if kind == "number" and isinstance(value, np.generic):
        return value.item()
    return value


def _shown(value: Any, limit: int = 160, digits: int = 6) -> str:
    """A value as a student would print it, cut to about ``limit`` characters: ``digits``
    significant digits, long arrays with their ends only."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        text = f"{value:.{digits}g}"
    elif isinstance(value, np.ndarray):
        text = np.array2string(value, precision=digits, threshold=12, edgeitems=3, separator=", ",
                               max_line_width=10 ** 6).replace("\n", "")
        text = re.sub(r"\s+", " ", text)
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(_shown(item, limit, digits) for item in value[:8]) + (", …" if len(value) > 8 else "")
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown_apart(expected: Any, got: Any) -> tuple[str, str]:
    """Both values as :func:`_shown` prints them, with more digits where six print a near miss
    alike ("Expected 32; got 32.")."""
    for digits in (6, 10, 17):
        shown = _shown(expected, digits=digits), _shown(got, digits=digits)
        if shown[0] != shown[1]:
            break
    return shown


def _quoted_output(stdout: str, limit: int = 80) -> str:
    """What a call printed, on one line in quotes: “3.0”."""
    text = " ".join(stdout.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


def _builtin_exception_name(outcome: Any) -> str:
    """The exception's name if Python defines it, else the nearest built-in one it derives from: a class the
    code makes is named by the code, and could carry a hidden case's inputs out (``type(f"u={u}", …)``)."""
    for name in (outcome.exception, *(outcome.exception_bases or ())):
        if isinstance(name, str) and isinstance(getattr(builtins, name, None), type) \
                and issubclass(getattr(builtins, name), BaseException):
            own_class = f"an exception of a class the code defines, derived from {name}"
            return name if name == outcome.exception else own_class
    return "an exception"


# A hidden case's feedback under --withhold, whatever went wrong (or right: "Raised ValueError as
# required" would tell which hidden cases expect an exception).
WITHHELD = {True: "Passed.", False: "Failed."}


def _hidden_feedback(outcome: Any, verdict: Verdict, case_ref: CaseReference) -> str:
    """A hidden case's feedback: what kind of failure it was, in words that carry no data."""
    if outcome.status == "raised":
        return f"Raised {_builtin_exception_name(outcome)}."
    if outcome.status == "timeout" and outcome.message.startswith("not run: "):
        return "Not run: the function had already run out of time on earlier cases."
    if outcome.status in ("timeout", "memory", "crashed", "bad value"):
        return _outcome_reason(outcome).split(" (")[0]
    if outcome.status == "ok" and outcome.value is None and not isinstance(case_ref.expected, RaisedException):
        return "Wrong result: the function returned None (is a return statement missing?)."
    if verdict.hint.startswith(WARNED):  # right values: not a wrong result
        return verdict.hint
    return f"Wrong result. {verdict.hint}" if verdict.hint else "Wrong result."


# Exceptions that usually come without a message, said in words.
_WITHOUT_MESSAGE = {MemoryError: "reading it needed more memory than the grader allows",
                    RecursionError: "it is nested too deeply to read"}


def _outcome_reason(outcome: Any) -> str:
    reasons = {
        "timeout": "The call took longer than the time limit and was stopped.",
        "memory": "The call used more memory than allowed and was stopped.",
        "crashed": "The process running the call crashed.",
        "bad value": "The function returned a value the grader cannot accept.",
    }
    reason = reasons.get(outcome.status, outcome.status)
    if outcome.message:
        reason += f" ({_short(outcome.message)})"
    return reason


WARNED = "The right values, but the call warned"  # a case failed only for its warning
MUST_NOT_WARN = "this function must not overflow or warn."


def _safe_check(checker: Any, reference: Any, answer: Any, options: Any) -> Verdict:
    """Run a checker; a checker failure is an explicit 'could not read', never a crash."""
    try:
        return checker.check(reference, answer, options)
    except Exception as exc:  # noqa: BLE001
        return Verdict.unreadable(f"The grader could not check this answer ({type(exc).__name__}: {_short(str(exc))}).")


ANSWER_SHOWN_CHARS = 2000  # of an answer as read, in reports: a long essay is cut, and says so


def _show(value: Any) -> str:
    if isinstance(value, str):
        if len(value) <= ANSWER_SHOWN_CHARS:
            return value
        return f"{value[:ANSWER_SHOWN_CHARS]}… (the first {ANSWER_SHOWN_CHARS:,} of {len(value):,} characters)"
    return _short(repr(value), ANSWER_SHOWN_CHARS)


# Kinds whose values a function returns as numbers or containers, never as text.
_VALUE_KINDS = frozenset({"number", "array", "tuple", "eigenpairs", "interval", "set"})


def _text_in(value: Any) -> str | None:
    """The first text in a returned value, looking inside lists, tuples and dicts (as decoded)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            return item
        if isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
    return None


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _file_problem(path: Path, exc: Exception, shown: str = "") -> str:
    """Why a file could not be read, naming it as ``shown`` (default: its name)."""
    message = str(exc) or _WITHOUT_MESSAGE.get(type(exc), type(exc).__name__)
    shown = shown or path.name
    if path.name not in message:
        message = f"{shown}: {message}"
    elif shown != path.name:
        message = message.replace(path.name, shown, 1)
    if message.startswith(f"{shown} "):  # a sentence about the file already ("q2.md is not UTF-8 text")
        return message
    return f"Could not read {message}"


# How a part graded from disagreeing copies ends its feedback, until an override settles it.
UNTIL_CONFIRMED = ", so the score is provisional until the instructor confirms it."


def with_overrides(result: SubmissionResult, overrides: dict[str, tuple[float, str]]) -> SubmissionResult:
    """Apply instructor overrides (label → (score, comment)) to a result.

    An overridden part's status follows the instructor's score (correct,
    partial or incorrect), the automatic one is kept in ``automatic_status``,
    and its feedback opens with the instructor's decision: the automatic
    feedback follows as what automatic grading said.
    """
    parts = []
    for p in result.parts:
        if p.label in overrides:
            score, comment = overrides[p.label]
            p = _overridden(p, score, comment)
        parts.append(p)
    return replace(result, parts=tuple(parts))


def _overridden(p: PartResult, score: float, comment: str) -> PartResult:
    kept = min(max(score, 0.0), p.max_score)
    # "1 of 2 points", not "1/2": next to a fraction answer (1/2 is σ(0)) a score must not read as one.
    decision = f"Set by the instructor: {number_text(kept)} of {points_phrase(p.max_score)}"
    if comment:
        decision += f" — {comment}"
    if not decision.endswith((".", "!", "?")):
        decision += "."
    if score > p.max_score:  # the spec has made the part worth less since the override was set
        decision += (f" (The instructor's score of {number_text(score)} is capped at "
                     f"{points_phrase(p.max_score)}, what the part is worth now.)")
    # Confirmed now: what said it awaited confirmation goes (the reason, another file, stays).
    automatic = p.feedback.replace(PROVISIONAL_NOTE, "").replace(UNTIL_CONFIRMED, ".").strip()
    feedback = f"{decision}\nAutomatic grading said: {automatic}" if automatic else decision
    status = "correct" if kept >= p.max_score - 1e-9 else "partial" if kept > 0 else "incorrect"
    return replace(p, score=kept, status=status, feedback=feedback, provisional=False, override=comment,
                   overridden=True, automatic_status=p.automatic_status or p.status)
