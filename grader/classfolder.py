"""The class folder given to ``grader grade --submissions``: which of its entries are students, their
ids, and the files of each that are graded (and hashed, so that an unchanged submission is kept).

Each entry directly in the folder is a student (a folder, or a single file whose stem is the id), but
litter (``__MACOSX/``, ``Thumbs.db``), the run's own inputs and outputs (the roster, the specs, an
earlier run's reports) and Gradescope's list of its export.  A folder laid out as an LMS's download
(several entries per student) is graded as it is, with a hint on what to do first.
"""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import sqlite3
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Callable, Iterable, Sequence

from grader.canvas_import import parse_canvas_name
from grader.exports import say
from grader.safetext import one_line
from grader.gradebook import GRADEBOOK_NAME, Gradebook, GradebookError
from grader.grading import SetOutcome
from grader.readers import CHECKPOINTS, is_litter, submission_files

RESULTS_NAME = "results.json"
REPORT_NAME = "report.html"


@dataclass(frozen=True)
class Submission:
    student: str
    entry: Path
    files: tuple[Path, ...]
    content_hash: str
    # Problem sets not to grade again (only another set's spec changed): their stored outcomes.
    kept: tuple[SetOutcome, ...] = ()


def class_files(entry: Path) -> list[Path]:
    """The files of a student's entry that are graded and hashed: those grading
    lists (:func:`~grader.readers.submission_files`), without litter.  A folder
    holding only litter and Jupyter's checkpoint copies gives the copies, as one
    holding only the copies does (grading then says to hand in the notebook)."""
    files = submission_files(entry)
    if entry.is_file() or entry.is_symlink():
        return files
    kept = [p for p in files if not any(is_litter(part) for part in p.relative_to(entry).parts)]
    if kept or not files:
        return kept
    return [p for p in sorted(entry.rglob("*")) if (p.is_file() or p.is_symlink()) and p.parent.name == CHECKPOINTS
            and p.stem.endswith("-checkpoint") and not any(is_litter(part) for part in
                                                           p.relative_to(entry).parts[:-2])]


def student_entries(folder: Path, out: Path | None = None) -> list[tuple[str, Path]]:
    """(student id, entry) for each folder or file directly in ``folder``,
    sorted by id; the output folder ``out``, when it lies there, is none."""
    if not folder.is_dir():
        raise NotADirectoryError(folder)
    outputs = out.resolve() if out is not None else None
    entries = []
    for entry in sorted(folder.iterdir()):
        if is_litter(entry.name) or entry.resolve() == outputs:
            continue
        entries.append((student_id(entry.name if entry.is_dir() else entry.stem), entry))
    return entries


def student_id(name: str) -> str:
    """The id of an entry called ``name``: the name itself, but for a name
    that is not valid UTF-8 (a zip made with another encoding).  Python keeps
    its undecodable bytes as lone surrogates, which SQLite, JSON files and
    terminals refuse; each is written as the four characters ``\\xNN``
    instead (the bytes ``latin`` + 0xE9 give ``latin\\xe9``), so the id stays
    one per student, shows in every output and can be typed for an override.

    The id is in Unicode's composed form (NFC): a folder unzipped on a Mac
    spells ``é`` as ``e`` and an accent, which a roster, Canvas and a name
    typed for an override spell as one character.

    Control characters are shown as symbols (:func:`~grader.safetext.one_line`), the newline
    too: a folder named ``x<newline>::error …`` would otherwise start a line of its own in the
    terminal and in a CI log, which takes it for a command."""
    if not name.isascii():
        if _SURROGATES.search(name):
            name = os.fsencode(name).decode("utf-8", "backslashreplace")
        name = nfc(name)
    return one_line(name)


def nfc(text: str) -> str:
    """``text`` in Unicode's composed form, the one names are compared in (see :func:`student_id`)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


_SURROGATES = re.compile("[\ud800-\udfff]")


def content_hash(entry: Path, files: Sequence[Path]) -> str:
    """A hash of the student's files, names and bytes: a changed submission is regraded."""
    digest = hashlib.sha256()
    base = entry if entry.is_dir() else entry.parent
    for path in files:
        # os.fsencode: the name's own bytes, also when they are not valid UTF-8
        digest.update(os.fsencode(path.relative_to(base).as_posix()) + b"\0")
        try:
            if path.is_symlink():  # never read: the link itself is the content
                digest.update(b"link: " + os.fsencode(os.readlink(path)))
                continue
            with path.open("rb") as data:  # in chunks: a student's file can be large
                digest.update(hashlib.file_digest(data, "sha256").digest())
        except OSError as exc:  # an unreadable file is reported by the grading itself
            digest.update(f"unreadable: {exc.strerror}".encode())
    return digest.hexdigest()


def files_to_warm(submissions: Path, out: Path, entries: int = 20) -> list[Path]:
    """The files of the first few entries that the gradebook under ``out`` does
    not hold as they are: the code a run is about to grade, whose sandbox
    zygotes can warm up while the references compute."""
    try:
        found = student_entries(submissions, out)[:entries]
    except OSError:
        return []  # reported properly when the run starts
    stored: dict = {}
    if (out / GRADEBOOK_NAME).exists():
        try:
            with Gradebook.in_folder(out) as gradebook:
                stored = gradebook.stored_keys()
        except (GradebookError, sqlite3.Error, OSError):
            stored = {}  # the run itself says what is wrong with it
    files = []
    for student, entry in found:
        paths = class_files(entry)
        key = stored.get(student)
        if key is None or key.content_hash != content_hash(entry, paths):
            files.extend(paths)
    return files


# The class's own files under --out: a student with one of these ids would
# need a folder where the file is.
CLASS_FILE_NAMES = frozenset({"index.html", "grades.csv", "junit.xml", "summary.md", GRADEBOOK_NAME,
                              *(f"{GRADEBOOK_NAME}-{end}" for end in ("wal", "shm", "journal"))})


_CLASS_FILES_FOLDED = {name.casefold(): name for name in CLASS_FILE_NAMES}


def find_submissions(folder: Path, out: Path | None = None, *, roster: Path | None = None,
                     specs: Iterable[Path] = ()) -> list[Submission]:
    """Every entry in the submissions folder (but ``out``, and the files that are
    no student: see :func:`not_a_student`, said on stderr); two entries with
    one student id, or an id that is a class file's name, are bad input.
    A folder laid out the way an LMS's download is gets a hint on what to do first."""
    from grader.cli import UsageError

    entries, left_out = sort_out_students(student_entries(folder, out), roster, specs)
    for why, names in left_out.items():
        say(f"note: not a student, left out of the class: {', '.join(names)} ({why})")
    if hint := download_hint(folder, [entry for _, entry in entries]) or wrapper_hint(folder, entries):
        say(hint)
    seen: dict[str, Path] = {}
    by_case: dict[str, tuple[str, Path]] = {}  # casefolded id → the id and entry that had it first
    found, clashes = [], []
    for student, entry in entries:
        clash = _clash(student, entry, seen, by_case)
        if clash:
            clashes.append(clash)
            continue
        seen[student] = entry
        files = tuple(class_files(entry))
        found.append(Submission(student, entry, files, content_hash(entry, files)))
    if len(clashes) == 1:
        raise UsageError(clashes[0])
    if clashes:  # all of them at once: a download with several clashes is mended in one pass
        raise UsageError(f"{len(clashes)} entries of {folder} clash with others (nothing was graded):\n"
                         + "\n".join(f"  - {clash}" for clash in clashes))
    return found


def _clash(student: str, entry: Path, seen: dict[str, Path], by_case: dict[str, tuple[str, Path]]) -> str | None:
    """Why ``entry``, student ``student``, cannot be graded beside the entries before it (``seen``: by id;
    ``by_case``: by casefolded id, which this records), or None."""
    if student.casefold() in _CLASS_FILES_FOLDED:
        own = _CLASS_FILES_FOLDED[student.casefold()]
        alike = "" if student == own else (f" on a file system that ignores case (macOS, Windows), "
                                           f"where '{student}' and '{own}' are one name")
        return (f"{entry} would be student '{student}', whose report folder would take the place "
                f"of the class's own {own}{alike}; rename it (nothing was graded).")
    if student in seen:
        if _entry_name(seen[student]) != _entry_name(entry):
            return (f"{seen[student]} and {entry} are both student '{student}': their names differ "
                    "only in how their accented letters are encoded (é as one character, or as e and "
                    "an accent, as a Mac writes it), so a roster, Canvas and 'grader override' take "
                    "them for one student, and on macOS they are one folder. Keep one of them (nothing "
                    "was graded).")
        return (f"{seen[student]} and {entry} are both student '{student}' "
                f"(one entry per student: a folder or a single file).")
    other, other_entry = by_case.setdefault(student.casefold(), (student, entry))
    if other != student:
        return (f"{other_entry} and {entry} are students '{other}' and '{student}', whose ids differ "
                "only by case: on macOS and Windows their report folders would be one folder, and a "
                "roster or Canvas matches ids ignoring case. Rename one of them (nothing was graded).")
    return None


def _entry_name(entry: Path) -> str:
    return entry.name if entry.is_dir() else entry.stem


# What a class folder may hold that is no student: the run's own inputs and outputs, and Gradescope's
# list of its export's submissions.  Anything else, a stray notes.txt included, may be a student's
# (answers in a .txt file are read), so it stays in the class.
ROSTER_GIVEN = "the roster given with --roster"
SPEC_READ = "problem specs this run grades with"
EARLIER_REPORTS = "the reports of an earlier 'grader grade' run"
GRADESCOPE_METADATA = "submission_metadata.yml"
GRADESCOPE_LIST = "Gradescope's list of the submissions of its export"


def sort_out_students(entries: list[tuple[str, Path]], roster: Path | None, specs: Iterable[Path]
                      ) -> tuple[list[tuple[str, Path]], dict[str, list[str]]]:
    """The entries that are students, and why → the names of those that are not."""
    roster = Path(roster).resolve() if roster else None
    specs = [Path(spec).resolve() for spec in specs]
    ids = {student for student, _ in entries}
    students, left_out = [], {}
    for student, entry in entries:
        why = not_a_student(entry, roster, specs, ids - {student})
        if why is None:
            students.append((student, entry))
        else:
            left_out.setdefault(why, []).append(f"{entry}/" if entry.is_dir() else str(entry))
    return students, left_out


def not_a_student(entry: Path, roster: Path | None, specs: Sequence[Path], classmates: AbstractSet[str] = frozenset()
                  ) -> str | None:
    """Why ``entry`` is no student's, or None: it is the roster (``roster``, ``specs``: resolved),
    a spec or a folder of specs the run reads, it holds an earlier run's reports on some of
    ``classmates`` (the ids of the other entries), or it is Gradescope's list.
    (A roster kept in a student's folder leaves the student in: only the file itself is left out.)"""
    if entry.is_symlink():
        return None  # never followed: graded as a student's, whose report says to hand in the file itself
    target = entry.resolve()
    if target == roster:
        return ROSTER_GIVEN
    if any(spec.is_relative_to(target) for spec in specs):
        return SPEC_READ
    if entry.is_dir() and holds_earlier_reports(entry, classmates):
        return EARLIER_REPORTS
    if entry.name == GRADESCOPE_METADATA and entry.is_file():
        return GRADESCOPE_LIST
    return None


def holds_earlier_reports(folder: Path, classmates: AbstractSet[str]) -> bool:
    """A folder ``grader grade`` wrote, lying among the students it reports on: its gradebook or a
    class file, beside report folders (holding results.json) named like ``classmates``.

    Files alone are no proof: a student may hand in a summary.md beside experiments/results.json,
    or a gradebook.sqlite, and a handout folder holds results.json and report.html from
    ``grader check``.  Reports on the very students beside them are, and a class of one (a
    Gradescope submission) has no one else to report on, so its student is always graded."""
    try:
        names = {p.name for p in folder.iterdir()}
        if not names & CLASS_FILE_NAMES:
            return False
        return any(student_id(name) in classmates and (folder / name / RESULTS_NAME).is_file() for name in names)
    except OSError:
        return False


@dataclass(frozen=True)
class DownloadLayout:
    """How an LMS names the entries of its submissions download (files or folders of one student's
    upload, several per student), and what to do before grading such a folder."""
    lms: str
    naming: str  # the pattern of its names, for the message
    student: Callable[[str], str | None]  # the student an entry's name is of; None: not named that way
    what_to_do: str  # {folder}, {target}: the download and a folder to gather it into, quoted for a shell

    def students_of(self, names: Sequence[str]) -> list[str]:
        """The student of each name laid out this way, when most of ``names`` are; none otherwise."""
        students = [student for name in names if (student := self.student(name))]
        return students if 2 * len(students) > len(names) else []

    def advice(self, download: Path) -> str:
        return self.what_to_do.format(folder=shlex.quote(str(download)),
                                      target=shlex.quote(str(gathered_folder(download))))


def _canvas_student(name: str) -> str | None:
    parsed = parse_canvas_name(name)
    return parsed.student if parsed else None


def _student_in(pattern: re.Pattern) -> Callable[[str], str | None]:
    return lambda name: match["student"] if (match := pattern.search(name)) else None


DOWNLOAD_LAYOUTS = (
    DownloadLayout("Canvas", "<name>[_LATE]_<user id>_<attachment id>_<file>", _canvas_student,
                   "Run `grader import-canvas {folder} --to {target}` first, which puts each student's files "
                   "into one folder, then grade with --submissions {target}."),
    DownloadLayout("Blackboard", "<assignment>_<user>_attempt_<date>_<file>, and a <assignment>_<user>_attempt_"
                                 "<date>.txt receipt", _student_in(re.compile(
                       r"_(?P<student>[^_]+)_attempt_\d{4}(?:-\d\d){5}(?:_.|\.txt$)")),
                   "Put each student's files into one folder named by their id (jdoe/foundations.py) and leave "
                   "the .txt receipts out, then grade that folder."),
    DownloadLayout("Moodle", "<full name>_<id>_assignsubmission_<type>_", _student_in(re.compile(
                       r"^(?P<student>.+?_\d+)_assignsubmission_[a-z]+_")),
                   "Put each student's files (from both of their folders, when they handed in files and online "
                   "text) into one folder named by their id, then grade that folder."),
)


def download_hint(folder: Path, entries: Sequence[Path]) -> str | None:
    """A hint when most entries are named the way an LMS names its download's files: each of a
    student's files (and each receipt) would be graded as a student of its own."""
    for layout in DOWNLOAD_LAYOUTS:
        if students := layout.students_of([entry.name for entry in entries]):
            return (f"note: {folder} looks like a {layout.lms} submissions download: {len(students)} of its "
                    f"{len(entries)} entries are named {layout.naming}, the files of {len(set(students))} students, "
                    f"yet each entry is graded as a student of its own. {layout.advice(folder)}")
    return None


def wrapper_hint(folder: Path, entries: Sequence[tuple[str, Path]]) -> str | None:
    """A hint when the class folder's only entry is a folder of folders (the top folder of an
    unzipped download), none of them litter and each holding files: the students are most likely
    one level down, and would be graded as one student with the best of everyone's work.  Only a
    hint: a class of one (a Gradescope upload) may be a student's own folders, graded as it is."""
    if len(entries) != 1 or not entries[0][1].is_dir() or entries[0][1].is_symlink():
        return None
    student, inner = entries[0]
    try:
        children = [child for child in inner.iterdir() if not is_litter(child.name)]
        if any(not child.is_dir() for child in children):
            return None
        holding_files = [child for child in children if class_files(child)]
    except OSError:
        return None
    if len(holding_files) < 2:
        return None
    return (f"note: {folder} holds one folder, {inner.name}/, and its {len(holding_files)} folders hold files: if "
            f"they are the students, this run grades them as one student, '{student}', with each part taken from "
            f"whichever of their files scores best. Grade with --submissions {shlex.quote(str(inner))} instead.")


def gathered_folder(download: Path) -> Path:
    """A folder beside ``download`` (a folder or a zip) to gather its students' files into:
    the zip's name without .zip, unless that is taken."""
    unzipped = download.with_name(download.stem)
    if download.is_file() and not unzipped.exists():
        return unzipped
    return download.with_name(f"{unzipped.name}-students")


def not_a_class_folder(path: Path) -> str:
    """Why --submissions ``path`` (no folder) cannot be graded, and, for a zip, what to do with it."""
    said = f"--submissions {path} is not a folder of submissions"
    try:
        with zipfile.ZipFile(path) as archive:
            members = [Path(info.filename).name for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return said
    canvas = DOWNLOAD_LAYOUTS[0]
    if canvas.students_of(members):
        return f"{said}: it is a zip of Canvas's submissions download. {canvas.advice(path)}"
    return (f"{said}: it is a zip file, which the grader does not unpack. Extract it into a folder and name "
            "that folder with --submissions.")
