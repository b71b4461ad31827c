"""Results → storage: the class gradebook, one SQLite file under ``--out``.

The gradebook is the truth of a class run; every file under ``--out``
(results.json, reports, CSV, summaries) is regenerated from it.  Each
submission's result is committed in its own transaction as soon as it is
graded, so a run killed at any moment (even ``kill -9``) loses at most the
submissions that were still being graded, and a restart regrades only what
is missing or out of date.

What a stored result is "up to date" with: the content hash of the
student's files and the digest of the problem specs.  A change to the files
means the submission is graded again; a change to one problem set's spec,
that its parts are graded again: each result is also kept per problem set
(``set_gradings``: the set's digest, the notes its grading gave, which files
answered it), so the other sets' verdicts are kept as they are.  A result
graded from files that changed while they were being graded is stored
under :data:`CHANGED_WHILE_GRADED`, a hash no files have, so it is shown
until the next run grades the student again.

Instructor overrides live in their own table, keyed by (student, part), so
they survive any number of regradings; they are applied when outputs are
written, never folded into the stored raw result.
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from grader import __version__
from grader.results import SubmissionResult

GRADEBOOK_NAME = "gradebook.sqlite"
SCHEMA_VERSION = 1

# The content hash stored with a result whose files changed while they were being graded: what was
# graded is not known to be any version of them, and no files hash to this, so the next run grades again.
CHANGED_WHILE_GRADED = "changed while graded"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    spec_digest TEXT NOT NULL,
    problem_sets TEXT NOT NULL,      -- JSON: [{"id", "title", "digest", "max_score"}]
    grader_version TEXT NOT NULL,
    executor TEXT NOT NULL,
    jobs INTEGER NOT NULL,
    submissions INTEGER NOT NULL,    -- entries found under --submissions
    to_grade INTEGER NOT NULL,       -- of which new or changed
    graded INTEGER NOT NULL DEFAULT 0,
    crashed INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    spec_digest TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    graded_at TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    crashed INTEGER NOT NULL,
    isolation TEXT NOT NULL,         -- JSON: what isolation the sandbox had
    seconds REAL NOT NULL,           -- grading time (kept out of results.json)
    result TEXT NOT NULL             -- JSON: SubmissionResult.to_json(), without overrides
);
CREATE TABLE IF NOT EXISTS parts (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    problem_set TEXT NOT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,            -- the verdict
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    provisional INTEGER NOT NULL,
    feedback TEXT NOT NULL,
    source TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (student, problem_set, label)
);
CREATE TABLE IF NOT EXISTS set_gradings (  -- what grading one problem set gave a stored result
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE,
    problem_set TEXT NOT NULL,
    digest TEXT NOT NULL,            -- the set's spec digest it was graded with
    notes TEXT NOT NULL,             -- JSON: the notes grading the set gave
    isolation TEXT NOT NULL,         -- JSON: the sandbox's isolation when the set's code ran
    answering TEXT NOT NULL,         -- JSON: positions of the files that answered a part, in the submission's files
    PRIMARY KEY (student, problem_set)
);
CREATE TABLE IF NOT EXISTS overrides (
    student TEXT NOT NULL,
    label TEXT NOT NULL,
    score REAL NOT NULL,
    comment TEXT NOT NULL,
    set_at TEXT NOT NULL,
    answered TEXT,                   -- the automatic answer and verdict it was set on (JSON), if known
    PRIMARY KEY (student, label)
);
CREATE TABLE IF NOT EXISTS expected (
    spec_digest TEXT NOT NULL,
    label TEXT NOT NULL,
    markup TEXT NOT NULL,            -- the reference answer as MathML, for reports
    PRIMARY KEY (spec_digest, label)
);
CREATE TABLE IF NOT EXISTS grading_log (  -- one row per grading ever done: proves nothing is graded twice
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    student TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    spec_digest TEXT NOT NULL,
    seconds REAL NOT NULL,
    crashed INTEGER NOT NULL
);
"""


PART_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
PARTS_PER_INSERT = 80  # 12 values a row: under the 999 variables older SQLite builds allow per statement


class GradebookError(Exception):
    """A gradebook that cannot be used (named in the message)."""


# SQLite's primary result codes (the low byte of an extended one) that say the file itself is fine.
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 8, 10, 13


def unusable(path: Path, exc: Exception) -> str:
    """Why the gradebook at ``path`` could not be used, and what to do.  Moving it away loses every
    result and override, so that is advised only when the file itself is at fault: a full disk, a
    read-only one or a failing write is put right where it happens, and nothing graded is lost."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    kept = "what was graded so far is kept, and the next run with the same --out finishes the rest"
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _disk_nearly_full(path.parent)):
        return f"the disk holding {path.parent} is full ({exc}): free some space and run again; {kept}."
    if code == _SQLITE_READONLY:
        return (f"{path} cannot be written ({exc}): the file or its folder is read-only; make it writable, or "
                f"choose another --out, and run again.")
    if code == _SQLITE_IOERR:
        return f"{path} could not be read or written ({exc}): check the disk it is on and run again; {kept}."
    return (f"{path} cannot be used ({exc}): it is damaged or not a grader gradebook. "
            "Move it away and grade again: every submission is then graded afresh.")


def _disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1 << 20  # SQLite says only "disk I/O error" for some ENOSPC
    except OSError:
        return False


@dataclass(frozen=True)
class StoredKey:
    content_hash: str
    spec_digest: str


@dataclass(frozen=True)
class SetGrading:
    """What grading one problem set gave a submission besides its parts: enough,
    with the stored parts, to rebuild the whole result when only another
    set's spec changed (see :mod:`grader.batch`)."""

    problem_set: str
    digest: str  # the set's spec digest (marked as the run's grading digest is)
    notes: tuple[str, ...]
    isolation: dict
    answering: tuple[int, ...]  # positions, in the submission's sorted files, of those that answered a part


@dataclass(frozen=True)
class Override:
    score: float
    comment: str
    answered: str | None = None  # the automatic answer and verdict it was set on (see answered_key)


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` as SQLite can store it: a lone surrogate (a file name that is
    not valid UTF-8, quoted in feedback; student text spelling one in JSON)
    becomes U+FFFD, as in the files written from the same result."""
    return text if text.isascii() or not _SURROGATES.search(text) else _SURROGATES.sub("\ufffd", text)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Gradebook:
    """One class's gradebook.  Only one process writes to it (the run's main process)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            # WAL + synchronous=NORMAL: a committed submission survives the process being killed
            # (kill -9 included) without an fsync per commit; after a power cut the last commits
            # may roll back, never corrupt, and are simply graded again.  Readers never block the writer.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise GradebookError(unusable(self.path, exc)) from None

    @classmethod
    def in_folder(cls, out: Path) -> "Gradebook":
        return cls(Path(out) / GRADEBOOK_NAME)

    def _check_schema(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise GradebookError(f"{self.path} has gradebook schema {row[0]}; this grader reads schema "
                                 f"{SCHEMA_VERSION}. Use a new --out folder.")
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(overrides)")}
        if "answered" not in columns:  # a gradebook from before overrides remembered their answer
            self._db.execute("ALTER TABLE overrides ADD COLUMN answered TEXT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------
    def start_run(self, *, spec_digest: str, problem_sets: list[dict], executor: str, jobs: int,
                  submissions: int, to_grade: int) -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (started_at, spec_digest, problem_sets, grader_version, executor, jobs, "
            "submissions, to_grade) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), spec_digest, json.dumps(problem_sets, sort_keys=True), __version__, executor, jobs,
             submissions, to_grade))
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, *, graded: int, crashed: int, seconds: float) -> None:
        self._db.execute("UPDATE runs SET finished_at = ?, graded = ?, crashed = ?, seconds = ? WHERE id = ?",
                         (_now(), graded, crashed, seconds, run_id))

    def runs(self) -> list[dict]:
        cursor = self._db.execute("SELECT * FROM runs ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def last_problem_sets(self) -> list[dict]:
        row = self._db.execute("SELECT problem_sets FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else []

    # -- submissions --------------------------------------------------------
    def stored_keys(self) -> dict[str, StoredKey]:
        """Student → what their stored result was graded from."""
        rows = self._db.execute("SELECT student, content_hash, spec_digest FROM submissions")
        return {student: StoredKey(content, spec) for student, content, spec in rows}

    def record(self, run_id: int, result: SubmissionResult, *, content_hash: str, spec_digest: str,
               crashed: bool = False, sets: Iterable[SetGrading] = ()) -> None:
        """Store one graded submission (replacing an older result) in one transaction;
        ``sets``: what grading each problem set gave (none for a submission that crashed)."""
        data = storable(json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False))
        with self._transaction():
            self._db.execute("DELETE FROM submissions WHERE student = ?", (result.student,))
            self._db.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result.student, content_hash, spec_digest, run_id, _now(), result.score, result.max_score,
                 int(crashed), json.dumps(result.isolation, sort_keys=True), result.seconds, data))
            self._insert_parts(result)
            self._db.executemany("INSERT INTO set_gradings VALUES (?, ?, ?, ?, ?, ?)", [
                (result.student, g.problem_set, g.digest, storable(json.dumps(list(g.notes), ensure_ascii=False)),
                 json.dumps(g.isolation, sort_keys=True), json.dumps(list(g.answering))) for g in sets])
            self._db.execute(
                "INSERT INTO grading_log (run_id, student, content_hash, spec_digest, seconds, crashed) "
                "VALUES (?, ?, ?, ?, ?, ?)", (run_id, result.student, content_hash, spec_digest, result.seconds,
                                             int(crashed)))

    def set_digests(self) -> dict[str, dict[str, str]]:
        """Student → problem set → the set's digest their stored result was graded with
        (students graded before results were kept per set, or whose grading crashed, have none)."""
        table: dict[str, dict[str, str]] = {}
        for student, problem_set, digest in self._db.execute("SELECT student, problem_set, digest FROM set_gradings"):
            table.setdefault(student, {})[problem_set] = digest
        return table

    def set_gradings(self, student: str) -> dict[str, SetGrading]:
        """Problem set → what grading it gave the student's stored result."""
        rows = self._db.execute("SELECT problem_set, digest, notes, isolation, answering FROM set_gradings "
                                "WHERE student = ?", (student,))
        return {problem_set: SetGrading(problem_set, digest, tuple(json.loads(notes)), json.loads(isolation),
                                        tuple(json.loads(answering)))
                for problem_set, digest, notes, isolation, answering in rows}

    def _insert_parts(self, result: SubmissionResult) -> None:
        # A few rows per statement rather than executemany's one step per row: every step lets go of
        # the GIL, and during a class run the grading threads make each one wait to get it back.
        rows = [(result.student, position, p.problem_set, p.label, p.title, p.status, p.score, p.max_score,
                 int(p.provisional), storable(p.feedback), storable(p.source), storable(p.answer))
                for position, p in enumerate(result.parts)]
        for start in range(0, len(rows), PARTS_PER_INSERT):
            chunk = rows[start:start + PARTS_PER_INSERT]
            self._db.execute("INSERT INTO parts VALUES " + ", ".join([PART_ROW] * len(chunk)),
                             [value for row in chunk for value in row])

    def _transaction(self):
        db = self._db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *_):
                db.execute("ROLLBACK" if exc_type else "COMMIT")
                return False

        return _Tx()

    def students(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT student FROM submissions ORDER BY student")]

    def result(self, student: str) -> SubmissionResult | None:
        row = self._db.execute("SELECT result FROM submissions WHERE student = ?", (student,)).fetchone()
        return SubmissionResult.from_json(json.loads(row[0])) if row else None

    def graded_with(self, student: str) -> tuple[str, list[dict]]:
        """The spec digest and problem sets the student's stored result was graded with."""
        row = self._db.execute("SELECT s.spec_digest, r.problem_sets FROM submissions s JOIN runs r "
                               "ON r.id = s.run_id WHERE s.student = ?", (student,)).fetchone()
        return (row[0], json.loads(row[1])) if row else ("", [])

    def results(self, students: Iterable[str] | None = None) -> Iterator[SubmissionResult]:
        """Stored raw results (no overrides), sorted by student."""
        wanted = None if students is None else set(students)
        shared: dict = {}  # equal parts and cases across students become one object
        for student, text in self._db.execute("SELECT student, result FROM submissions ORDER BY student"):
            if wanted is None or student in wanted:
                yield SubmissionResult.from_json(json.loads(text), shared)

    def grading_counts(self) -> dict[str, int]:
        """Student → how many times they were graded, over all runs."""
        rows = self._db.execute("SELECT student, COUNT(*) FROM grading_log GROUP BY student")
        return dict(rows.fetchall())

    # -- overrides ----------------------------------------------------------
    def set_override(self, student: str, label: str, score: float, comment: str,
                     answered: str | None = None) -> None:
        self._db.execute("INSERT OR REPLACE INTO overrides (student, label, score, comment, set_at, answered) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (student, label, float(score), comment, _now(), answered))

    def remove_override(self, student: str, label: str) -> bool:
        cursor = self._db.execute("DELETE FROM overrides WHERE student = ? AND label = ?", (student, label))
        return cursor.rowcount > 0

    def overrides(self) -> dict[str, dict[str, Override]]:
        """Student → part label → override."""
        table: dict[str, dict[str, Override]] = {}
        for student, label, score, comment, answered in self._db.execute(
                "SELECT student, label, score, comment, answered FROM overrides ORDER BY student, label"):
            table.setdefault(student, {})[label] = Override(score, comment, answered)
        return table

    # -- student names in one Unicode form ---------------------------------------
    def use_nfc_names(self) -> list[tuple[str, str]]:
        """Rename students stored under a name not in Unicode's composed form (NFC: a gradebook from
        before ids were made so, holding a folder name unzipped on a Mac) to that form, with their
        results, overrides and log, unless the new name is taken.  Returns (old, new) for each."""
        stored = self.stored_names()
        renames: dict[str, str] = {}
        for old in sorted(stored):
            new = unicodedata.normalize("NFC", old)
            if new != old and new not in stored and new not in renames.values():
                renames[old] = new
        self.rename_students(renames)
        return sorted(renames.items())

    def stored_names(self) -> set[str]:
        """Every student the gradebook holds anything of: a result, an override, a grading."""
        return {row[0] for row in self._db.execute(
            "SELECT student FROM submissions UNION SELECT student FROM overrides UNION SELECT student FROM grading_log")}

    def rename_students(self, renames: dict[str, str]) -> None:
        """Store each old name's results, overrides and log under its new name (which must be free)."""
        if not renames:
            return
        with self._transaction():
            self._db.execute("PRAGMA defer_foreign_keys = ON")  # parts follow their submission in this transaction
            for old, new in renames.items():
                for table in ("submissions", "parts", "set_gradings", "overrides", "grading_log"):
                    self._db.execute(f"UPDATE {table} SET student = ? WHERE student = ?", (new, old))
                row = self._db.execute("SELECT result FROM submissions WHERE student = ?", (new,)).fetchone()
                if row is not None:
                    data = json.loads(row[0])
                    data["student"] = new
                    self._db.execute("UPDATE submissions SET result = ? WHERE student = ?",
                                     (json.dumps(data, sort_keys=True, ensure_ascii=False), new))
            for key in ("class", "unwritten"):
                row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    names = sorted(renames.get(name, name) for name in json.loads(row[0]))
                    self._db.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(names), key))

    # -- the class roster behind grades.csv ------------------------------------
    def save_roster(self, rows: list[list[str]]) -> None:
        """Keep the roster (``Roster.to_json``) so that every later output,
        after an override too, carries the same names and ids."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('roster', ?)", (json.dumps(rows),))

    def roster(self) -> list[list[str]] | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'roster'").fetchone()
        return json.loads(row[0]) if row else None

    # -- the header of grades.csv's score column (``--assignment``) ------------
    def save_assignment(self, header: str) -> None:
        """Kept, like the roster, so that a later override writes the same header."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('assignment', ?)", (header,))

    def assignment(self) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'assignment'").fetchone()
        return row[0] if row else None

    # -- problem sets proved sound (``grader validate``'s proof, run by ``grade``) --
    def proved_specs(self) -> set[str]:
        """``id:digest`` of each problem set version whose references earned full marks."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'proved_specs'").fetchone()
        return set(json.loads(row[0])) if row else set()

    def save_proved_specs(self, keys: Iterable[str]) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('proved_specs', ?)", (json.dumps(sorted(keys)),))

    # -- the class of the last run ---------------------------------------------
    def save_class(self, students: Iterable[str]) -> None:
        """The students the last run found: the class files list them, and
        keep listing only them when an override rewrites the files."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('class', ?)", (json.dumps(sorted(students)),))

    def last_class(self) -> list[str]:
        """The students of the last run (every stored student when no run saved its class)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'class'").fetchone()
        return json.loads(row[0]) if row else self.students()

    # -- students whose files under --out could not be written -----------------
    def unwritten(self) -> set[str]:
        """Students whose results.json and report.html the last writing failed
        (a folder the grader may not write): the next run writes them again
        even when an older file is there."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'unwritten'").fetchone()
        return set(json.loads(row[0])) if row else set()

    def save_unwritten(self, students: Iterable[str]) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('unwritten', ?)", (json.dumps(sorted(students)),))

    def add_unwritten(self, student: str) -> None:
        self.save_unwritten(self.unwritten() | {student})

    # -- reference answers shown in reports ----------------------------------
    def save_expected(self, spec_digest: str, markup: dict[str, str]) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM expected WHERE spec_digest = ?", (spec_digest,))
            self._db.executemany("INSERT INTO expected VALUES (?, ?, ?)",
                                 [(spec_digest, label, text) for label, text in sorted(markup.items())])

    def expected(self, spec_digest: str) -> dict[str, str]:
        rows = self._db.execute("SELECT label, markup FROM expected WHERE spec_digest = ?", (spec_digest,))
        return dict(rows.fetchall())
