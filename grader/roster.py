"""A class roster, read from the gradebook CSV an LMS exports (Canvas's
"Export Entire Gradebook"), so ``grades.csv`` carries each student's name,
Canvas ID, SIS ids and section and imports back without matching by hand.

A student of the grader is known by the name of their submission (a folder
or a file stem).  A roster row matches it when that name equals, ignoring
case, the row's SIS Login ID, SIS User ID or ID, or the part of the SIS
Login ID before an ``@`` (``alice`` for ``alice@uni.example``); a folder
``grader import-canvas`` made (``smithbob_340934``) matches on the Canvas
ID after its last underscore.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

IDENTITY_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MATCHED_ON = ("SIS Login ID", "SIS User ID", "ID")
MAX_ROSTER_BYTES = 20 << 20
IMPORTED_FOLDER = re.compile(r"[^_]+_(?P<canvas_id>\d+)")  # <name key>_<Canvas user id>


class RosterError(Exception):
    """A roster file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class RosterEntry:
    student: str
    canvas_id: str
    sis_user_id: str
    sis_login_id: str
    section: str

    def identity(self) -> list[str]:
        """The leading columns of a Canvas import row."""
        return [self.student, self.canvas_id, self.sis_user_id, self.sis_login_id, self.section]

    def keys(self) -> set[str]:
        login = self.sis_login_id.casefold()
        keys = {login, self.sis_user_id.casefold(), self.canvas_id.casefold()}
        if "@" in login:
            keys.add(login.split("@", 1)[0])
        return keys - {""}

    def to_json(self) -> list[str]:
        return self.identity()

    @classmethod
    def from_json(cls, row: list[str]) -> "RosterEntry":
        return cls(*[str(value) for value in row[:5]])


class Roster:
    def __init__(self, entries: list[RosterEntry]):
        self.entries = entries
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
        entry = self._by_key.get(student.casefold())
        if entry is None and (imported := IMPORTED_FOLDER.fullmatch(student)):
            entry = self._by_canvas_id.get(imported["canvas_id"])
        return entry

    def to_json(self) -> list[list[str]]:
        return [entry.to_json() for entry in self.entries]

    @classmethod
    def from_json(cls, rows: list[list[str]]) -> "Roster":
        return cls([RosterEntry.from_json(row) for row in rows])


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
        raise RosterError(f"{path}: the roster is not UTF-8 text (byte {exc.start}); "
                          "export it again as CSV in UTF-8") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(rows, [])]
    except csv.Error as exc:
        raise RosterError(f"{path}, line 1: not CSV ({exc})") from None
    if "Student" not in header or not any(name in header for name in MATCHED_ON):
        raise RosterError(f"{path}, line 1: a roster needs a 'Student' column and at least one of "
                          f"{', '.join(repr(n) for n in MATCHED_ON)} (found: {', '.join(header[:8]) or 'nothing'})")
    where = {name: header.index(name) for name in IDENTITY_COLUMNS if name in header}
    entries: list[RosterEntry] = []
    try:
        for row in rows:
            cells = {name: row[i].strip() if i < len(row) else "" for name, i in where.items()}
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
    return Roster(entries)
