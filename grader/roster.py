"""A class roster, read from the gradebook CSV an LMS exports (Canvas's
"Export Entire Gradebook"), so ``grades.csv`` carries each student's name,
Canvas ID, SIS ids and section and imports back without matching by hand.

A student of the grader is known by the name of their submission (a folder
or a file stem).  A roster row matches it when that name equals, ignoring
case and how accented letters are encoded (compared in NFC), the row's SIS
Login ID, SIS User ID or ID, or the part of the SIS Login ID before an
``@`` (``alice`` for ``alice@uni.example``); a folder
``grader import-canvas`` made (``smithbob_340934``) matches on the Canvas
ID after its last underscore.

The export's assignment columns ("Homework 1 (1234)") are kept too:
``grades.csv`` takes the header of the one named like the graded problem
sets, so that Canvas fills that assignment instead of adding a new one;
when none is, :meth:`Roster.assignment_warning` says so for the run to print,
naming the ``--assignment`` that would fill one.  The export's "Points
Possible" row gives each column's points: a column worth other than the
points graded gets a warning too (Canvas keeps a score over them as extra
credit), and the column suggested is one worth the points graded when there
is one.
"""
from __future__ import annotations

import csv
import io
import math
import re
import shlex
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.readers import not_utf8

IDENTITY_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MATCHED_ON = ("SIS Login ID", "SIS User ID", "ID")
MAX_ROSTER_BYTES = 20 << 20
IMPORTED_FOLDER = re.compile(r"(?P<key>[^_]+)_(?P<canvas_id>\d+)")  # <name key>_<Canvas user id>
# A Canvas export names an assignment's column "<name> (<assignment id>)"; its
# totals ("Current Score", "Assignments Final Points") carry no id.
ASSIGNMENT_COLUMN = re.compile(r"(?P<name>.*\S)\s+\((?P<id>\d+)\)")


class RosterError(Exception):
    """A roster file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class RosterEntry:
    student: str
    canvas_id: str
    sis_user_id: str
    sis_login_id: str
    section: str

    @property
    def is_test_student(self) -> bool:
        """Canvas's own "Student, Test" of Student View, in every export: never a missing submission."""
        return self.student.strip() in ("Student, Test", "Test Student") and not self.sis_user_id.strip()

    def identity(self) -> list[str]:
        """The leading columns of a Canvas import row."""
        return [self.student, self.canvas_id, self.sis_user_id, self.sis_login_id, self.section]

    def keys(self) -> set[str]:
        login = _folded(self.sis_login_id)
        keys = {login, _folded(self.sis_user_id), _folded(self.canvas_id)}
        if "@" in login:
            keys.add(login.split("@", 1)[0])
        return keys - {""}

    def to_json(self) -> list[str]:
        return self.identity()

    @classmethod
    def from_json(cls, row: list[str]) -> "RosterEntry":
        return cls(*[str(value) for value in row[:5]])


class Roster:
    """The students of a roster and, from a Canvas export, its assignment columns' headers and the
    points each is worth (``points_possible``: header → points, for the columns the export gives)."""

    def __init__(self, entries: list[RosterEntry], assignments: tuple[str, ...] = (),
                 points_possible: dict[str, float] | None = None):
        self.entries = entries
        self.assignments = tuple(assignments)
        self.points_possible = dict(points_possible or {})
        self._by_key: dict[str, RosterEntry] = {}
        self._by_canvas_id = {e.canvas_id: e for e in entries if e.canvas_id}
        ambiguous: set[str] = set()
        for entry in entries:
            for key in entry.keys():
                if key in self._by_key and self._by_key[key] is not entry:
                    ambiguous.add(key)
                self._by_key[key] = entry
        for key in ambiguous:  # two students share it: matching on it would guess
            del self._by_key[key]

    def match(self, student: str) -> RosterEntry | None:
        entry = self._by_key.get(_folded(student))
        if entry is None and (imported := IMPORTED_FOLDER.fullmatch(student)):
            entry = self._by_canvas_id.get(imported["canvas_id"])
        return entry

    def matched_by_number_alone(self, student: str) -> RosterEntry | None:
        """The roster student ``student`` matched through the number after its last ``_`` only, its
        name part not being the student's name as Canvas writes it in a download (``liddellalice_101``
        for "Liddell, Alice"): ``team_2`` matching Canvas user 2 is more likely chance than a
        student.  (A student renamed since the download matches this way too, rightly.)"""
        entry = self.match(student)
        if entry is None or self._by_key.get(_folded(student)) is entry:
            return None
        key = IMPORTED_FOLDER.fullmatch(student)["key"]
        return None if _letters(key) == _letters(entry.student) else entry

    def assignment_column(self, name: str) -> str | None:
        """The header of the roster's one assignment column called ``name``
        (with or without its `` (id)``), or None when none or several are."""
        wanted = _plain(name)
        found = [header for header in self.assignments
                 if _plain(header) == wanted or _plain(assignment_name(header)) == wanted]
        return found[0] if len(found) == 1 else None

    def assignment_warning(self, name: str, roster: str = "the roster", points: float | None = None) -> str | None:
        """What to tell the instructor when grades.csv's score column, ``name``, is none of the
        roster's assignment columns (Canvas would add a new assignment for it), or is one worth
        other than the ``points`` graded (Canvas would keep the difference as extra credit, or
        show full marks as a low score).  None when all is well, or when the roster has no
        assignment columns (then nothing better is known)."""
        if not self.assignments:
            return None
        column = self.assignment_column(name)
        if column is not None:
            return self._points_warning(column, roster, points)
        same = [header for header in self.assignments if _plain(assignment_name(header)) == _plain(name)]
        offered = same or list(self.assignments)
        listed = ", ".join(offered[:5]) + (" …" if len(offered) > 5 else "")
        best = min(offered, key=lambda header: not self._worth(header, points))  # the first worth the points
        if same:
            why = (f"and several assignment columns of {roster} have that name ({listed}): Canvas cannot "
                   f"tell which one it fills and may add a new assignment")
        else:
            why = (f"which is none of the assignment columns of {roster} ({listed}): importing grades.csv "
                   f"into Canvas adds a new assignment")
        other = " or another column's header" if len(offered) > 1 else ""
        advice = (f"warning: grades.csv's score column is {name.strip()!r}, {why}. To fill an existing one, run "
                  f"the same command again with --assignment {_shell_word(best)}{other}, as the export "
                  f"has it (results already graded are kept).")
        if self._differs(best, points):  # then none of those offered is worth the points graded
            advice += (f" But {best!r} is worth {_points(self.points_possible[best])}, not the "
                       f"{_points(points)} graded. {self._instead(points)}")
        return advice

    def _points_warning(self, column: str, roster: str, points: float | None) -> str | None:
        """The warning for grades.csv filling ``column`` with scores out of other than its points."""
        if not self._differs(column, points):
            return None
        worth = _points(self.points_possible[column])
        outcome = (f"Canvas keeps a score over {worth} as extra credit" if points > self.points_possible[column]
                   else f"full marks show in Canvas as {points:g} of {worth}")
        return (f"warning: {column!r}, the column grades.csv fills, is worth {worth} in {roster}, not the "
                f"{_points(points)} graded: {outcome}. {self._instead(points)}")

    def _instead(self, points: float) -> str:
        """What fills a column worth ``points``: the export's first such column, or one run per homework."""
        worth = [header for header in self.assignments if self._worth(header, points)]
        if worth:
            return (f"{worth[0]!r} is worth {_points(points)}: to fill it, run the same command again with "
                    f"--assignment {_shell_word(worth[0])} (results already graded are kept).")
        return ONE_COLUMN_PER_HOMEWORK

    def _worth(self, column: str, points: float | None) -> bool:
        """Whether the export says ``column`` is worth ``points``."""
        worth = self.points_possible.get(column)
        return points is not None and worth is not None and math.isclose(worth, points)

    def _differs(self, column: str, points: float | None) -> bool:
        """Whether the export says ``column`` is worth other than ``points`` (False when either is unknown)."""
        return points is not None and column in self.points_possible and not self._worth(column, points)

    def to_json(self) -> dict:
        return {"students": [entry.to_json() for entry in self.entries], "assignments": list(self.assignments),
                "points_possible": self.points_possible}

    @classmethod
    def from_json(cls, data: "dict | list[list[str]]") -> "Roster":
        """A roster :meth:`to_json` stored (or a list of rows, as stored before assignments were kept)."""
        if isinstance(data, dict):
            return cls([RosterEntry.from_json(row) for row in data.get("students", ())],
                       tuple(str(header) for header in data.get("assignments", ())),
                       {str(header): float(worth) for header, worth in data.get("points_possible", {}).items()})
        return cls([RosterEntry.from_json(row) for row in data])


# What to do when one run grades several homeworks that Canvas keeps in several columns.
ONE_COLUMN_PER_HOMEWORK = ("grades.csv has one score column for every problem set graded: to fill one Canvas "
                           "column per homework, grade each homework's spec into its own --out with its own "
                           "--assignment (see \"Two homeworks, two Canvas columns\" in the instructor's guide).")


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def assignment_name(header: str) -> str:
    """An assignment column's name without Canvas's `` (id)``."""
    found = ASSIGNMENT_COLUMN.fullmatch(header.strip())
    return found["name"] if found else header.strip()


def _shell_word(text: str) -> str:
    """``text`` quoted to be pasted into a shell: in double quotes as people write it, when that is safe."""
    return f'"{text}"' if not re.search(r'["$`\\!]', text) else shlex.quote(text)


def _letters(text: str) -> str:
    """Only the letters and digits of a name, unaccented and in lower case: how Canvas keys a student's
    download files ("Núñez, José" → "nunezjose")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.casefold() if c.isalnum())


def _folded(text: str) -> str:
    """An id as ids are compared: ignoring case, and in Unicode's composed form (NFC), as a folder unzipped
    on a Mac spells ``é`` as ``e`` and an accent where the roster has one character."""
    return unicodedata.normalize("NFC", text).casefold()


def _plain(text: str) -> str:
    return " ".join(_folded(text).split())


def _delimiter(text: str) -> str:
    """Canvas exports with commas; a spreadsheet set up for a language that writes 1,5 saves the file again
    with semicolons (or tabs): a header line without a comma but with those is read that way."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    return max(";\t", key=header.count) if any(c in header for c in ";\t") else ","


def read_roster(path: Path) -> Roster:
    """The students of a Canvas gradebook export (or any CSV with a
    ``Student`` column and at least one of ID, SIS User ID, SIS Login ID)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc.strerror or exc})") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError(f"{path}: the roster is over {MAX_ROSTER_BYTES >> 20} MiB; is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"{path}: the roster is {not_utf8(data, exc)}; export it again as CSV in UTF-8") from None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [cell.strip() for cell in next(rows, [])]
    except csv.Error as exc:
        raise RosterError(f"{path}, line 1: not CSV ({exc})") from None
    if "Student" not in header or not any(name in header for name in MATCHED_ON):
        raise RosterError(f"{path}, line 1: a roster needs a 'Student' column and at least one of "
                          f"{', '.join(repr(n) for n in MATCHED_ON)} (found: {', '.join(header[:8]) or 'nothing'})")
    where = {name: header.index(name) for name in IDENTITY_COLUMNS if name in header}
    assignments = tuple(name for name in header if ASSIGNMENT_COLUMN.fullmatch(name))
    points_possible: dict[str, float] = {}
    entries: list[RosterEntry] = []
    try:
        for row in rows:
            cells = {name: row[i].strip() if i < len(row) else "" for name, i in where.items()}
            if cells.get("Student") == "Points Possible":
                points_possible = _points_row(header, row, assignments)
            # Canvas puts "Points Possible" (and a posting-policy row) under
            # the header; they have no ids, and a row without ids cannot be
            # imported anyway.
            if not any(cells.get(column) for column in MATCHED_ON):
                continue
            entries.append(RosterEntry(cells.get("Student", ""), cells.get("ID", ""), cells.get("SIS User ID", ""),
                                       cells.get("SIS Login ID", ""), cells.get("Section", "")))
    except csv.Error as exc:
        raise RosterError(f"{path}, line {rows.line_num}: not CSV ({exc})") from None
    if not entries:
        raise RosterError(f"{path}: the roster lists no students")
    return Roster(entries, assignments, points_possible)


def _points_row(header: list[str], row: list[str], assignments: tuple[str, ...]) -> dict[str, float]:
    """The points of each assignment column, from Canvas's "Points Possible" row (a cell that is
    not a number, as "(read only)" under a total, gives none)."""
    points = {}
    for column in assignments:
        cell = row[header.index(column)].strip() if header.index(column) < len(row) else ""
        try:
            value = float(cell)
        except ValueError:
            continue
        if math.isfinite(value) and value >= 0:
            points[column] = value
    return points
