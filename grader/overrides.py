"""``grader override``: an instructor's score and comment for a student's part, one at a time or
from a CSV file, checked in full before anything changes, kept in the gradebook apart from the
automatic results (so they survive regrading), and written into every output at once.
"""
from __future__ import annotations

import argparse
import io
import shlex
import sqlite3
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from grader.batch import (RunLock, answered_key, not_written, publish, unwritten_note, use_nfc_names,
                          write_former_student)
from grader.classfolder import nfc
from grader.gradebook import GRADEBOOK_NAME, Gradebook, GradebookError, Override, unusable
from grader.results import number_text, points_phrase
from grader.spec import did_you_mean
from grader.roster import Roster

@dataclass(frozen=True)
class OverrideRequest:
    student: str
    label: str
    score: float | None  # None: remove the override
    comment: str = ""
    score_text: str = ""  # the score as given, for messages (3.0000001 is not 3)
    where: str = ""  # e.g. "overrides.csv, line 3", for messages
    file: str = ""  # the overrides file, and the request's line in it
    line: int = 0


def read_overrides_file(path: Path) -> list[OverrideRequest]:
    """A CSV with the columns student, part, score and optionally comment (empty score: remove)."""
    import csv

    from grader.cli import UsageError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read the overrides file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                         "save it as 'CSV UTF-8'") from None
    missing = object()  # what DictReader gives for a field the row does not have
    # newline="": a quoted comment keeps its line breaks, and line_num counts the file's lines
    reader = csv.DictReader(io.StringIO(text, newline=""), restval=missing)
    try:
        rows = list(_rows_and_lines(reader))
    except csv.Error as exc:
        raise UsageError(f"{path}, line {reader.line_num}: not readable as CSV ({exc})") from None
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    if not {"student", "part", "score"} <= columns:
        raise UsageError(f"{path}: an overrides file is a CSV with a header row naming the columns student, "
                         f"part, score and optionally comment; this one has: {', '.join(sorted(columns)) or 'none'}")
    requests, problems = [], []  # every bad row is named at once: the file is fixed in one go
    for line, row in rows:
        where = f"{path}, line {line}"
        if None in row:  # DictReader's key for fields beyond the header
            problems.append(f"{where}: more fields than the header names; a comment holding a comma "
                            'must be in double quotes ("Good, but …")')
            continue
        if any(v is missing for v in row.values()):
            problems.append(f"{where}: fewer fields than the header names (student, part, score…); "
                            "an empty score removes an override, but its column must be there")
            continue
        row = {k.strip().lower(): v.strip() for k, v in row.items()}
        score = None
        if row["score"]:
            try:
                score = score_given(row["score"])
            except ValueError:
                problems.append(f"{where}: the score '{row['score']}' is not a number")
                continue
        requests.append(OverrideRequest(row["student"], row["part"], score, row.get("comment", ""), row["score"],
                                        where, str(path), line))
    if problems:
        raise UsageError(rows_refused(problems, path))
    return requests


def _rows_and_lines(reader) -> Iterable[tuple[int, dict]]:
    """Each row with the file line it begins on: a row whose quoted comment spans lines ends
    further down (line_num is where it ends), and blank lines are skipped."""
    for row in reader:
        breaks = sum(v.count("\n") for v in row.values() if isinstance(v, str))
        breaks += sum(v.count("\n") for v in row.get(None, ()))  # fields beyond the header
        yield reader.line_num - breaks, row


def score_given(text: str) -> float:
    """A typed score as a number; -0 is 0 (else shown as "-0 points")."""
    return float(text) + 0.0


def apply_overrides(out: Path, requests: list[OverrideRequest]) -> list[str]:
    """Check and store overrides, then rewrite the outputs they change.  Returns what was done."""
    from grader.cli import UsageError

    if not (out / "gradebook.sqlite").exists():
        raise UsageError(f"{out}/ holds no gradebook: run 'grader grade --out {out}' first")
    done = []
    try:
        with RunLock(out), Gradebook.in_folder(out) as gradebook:
            use_nfc_names(gradebook, out)
            results = {}
            present = set(gradebook.last_class())
            stored = gradebook.overrides()
            rows = gradebook.roster()
            roster = Roster.from_json(rows) if rows else None
            requests = [_as_named_in(present, r, roster, stored) for r in requests]
            problems = []
            for index, request in enumerate(requests):  # check everything before changing anything
                where = f"{request.where}: " if request.where else ""
                own = stored.get(request.student, {})
                if request.score is None and (label := _matching_label(request.label, own)) is not None:
                    requests[index] = replace(request, label=label)
                    continue  # a stored override can be removed whatever the parts are now
                if request.student not in results:
                    result = gradebook.result(request.student) if request.student in present else None
                    if result is None:
                        problems.append(where + _no_such_student(gradebook, request, present, out, roster))
                        continue
                    results[request.student] = result
                parts = {p.label: p for p in results[request.student].parts}
                label = _matching_label(request.label, parts)
                if label is None:
                    problems.append(f"{where}'{request.label}' is not a part of {request.student}'s results"
                                    f"{did_you_mean(request.label, parts)}; the parts are: {', '.join(parts)}")
                    continue
                requests[index] = request = replace(request, label=label)
                top = parts[request.label].max_score
                if request.score is not None and not 0 <= request.score <= top:
                    given = request.score_text.strip() or number_text(request.score)
                    problems.append(f"{where}the score {given} for {request.label} is outside 0…{number_text(top)}")
            problems += _duplicate_rows(requests)
            if problems:
                raise UsageError(rows_refused(problems, requests[0].file))
            if all(r.score is None and r.label not in stored.get(r.student, {}) for r in requests):
                raise UsageError(nothing_to_remove(requests, stored))
            for request in requests:
                if request.score is None:
                    removed = gradebook.remove_override(request.student, request.label)
                    done.append(f"{request.student} {request.label}: "
                                f"{'override removed' if removed else 'had no override'}")
                else:
                    part = {p.label: p for p in results[request.student].parts}[request.label]
                    gradebook.set_override(request.student, request.label, request.score, request.comment,
                                           answered_key(part))
                    done.append(f"{request.student} {request.label}: {points_phrase(request.score)} (set by the instructor)")
            published = publish(gradebook, out, present)
            for student in sorted({r.student for r in requests} - present):
                try:
                    rewritten = write_former_student(gradebook, out, student)
                except OSError as exc:
                    published.unwritten[student] = not_written(out / student, exc)
                    continue
                done.append(former_student_note(student, out, rewritten))
    except GradebookError as exc:
        raise UsageError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise UsageError(unusable(out / GRADEBOOK_NAME, exc)) from None
    if published.unwritten:
        raise UsageError("the overrides are stored and the class files rewritten, but "
                         + unwritten_note(published.unwritten).removeprefix("error: "))
    return done


def _matching_label(typed: str, labels: Iterable[str]) -> str | None:
    """The part label typed, or the one label it spells in other case ("q2.4" for "Q2.4")."""
    labels = list(labels)
    if typed in labels:
        return typed
    same = [label for label in labels if label.casefold() == typed.strip().casefold()]
    return same[0] if len(same) == 1 else None


def _no_such_student(gradebook: Gradebook, request: OverrideRequest, present: set[str], out: Path,
                     roster: Roster | None) -> str:
    """Why an override cannot be set for a student: not in the class any more (their results kept), or
    no such student at all, with the closest id if it looks like a typo."""
    student = request.student
    if gradebook.result(student) is not None:
        return (f"'{student}' is no longer in the class: the last run of 'grader grade' in {out}/ found no "
                "submission of theirs (their results are kept in the gradebook). An override can be set only "
                "for a student in the class: put their submission back and grade again. An override set "
                f"before can still be dropped: grader override --out {shlex.quote(str(out))} "
                f"{shlex.quote(student)} PART --remove")
    return (f"no student '{student}' in the gradebook in {out}/ as of its last run"
            f"{did_you_mean(student, present)}. {how_to_name_students(roster)}")


def nothing_to_remove(requests: list[OverrideRequest], stored: dict[str, dict[str, Override]]) -> str:
    """Every request removes an override that is not there: said, and nothing is rewritten."""
    if len(requests) == 1:
        student, label = requests[0].student, requests[0].label
        own = stored.get(student, {})
        has = f"the parts with one are: {', '.join(own)}" if own else "they have none"
        return f"{student} {label} has no override to remove ({has}); nothing was changed"
    return (f"none of the {len(requests)} rows of {requests[0].file} removes an override (none of those parts "
            "has one); nothing was changed")


def _duplicate_rows(requests: list[OverrideRequest]) -> list[str]:
    """Two rows of an overrides file for one student's part are refused: which
    one was meant cannot be told (the later would silently win)."""
    first: dict[tuple[str, str], OverrideRequest] = {}
    problems = []
    for request in requests:
        earlier = first.setdefault((request.student, request.label), request)
        if earlier is not request:
            problems.append(f"{request.file}, lines {earlier.line} and {request.line} are both for "
                            f"{request.student}'s {request.label}; keep one row per student and part")
    return problems


def rows_refused(problems: list[str], path: str | Path | None) -> str:
    """Every problem of the overrides asked for, at once (the file is fixed in one go), and that none was set."""
    if len(problems) == 1:
        return f"{problems[0]} (nothing was changed)"
    return f"{len(problems)} rows of {path} cannot be used; nothing was changed:\n  " + "\n  ".join(problems)


def former_student_note(student: str, out: Path, rewritten: bool) -> str:
    """What an override did for a student no longer in the class (no submission in the last run)."""
    folder = f"{out / student}/"
    where = (f"their folder {folder} was rewritten" if rewritten else
             f"they have no folder under {out}/ to rewrite")
    return f"note: {student} has no submission any more, so is not in the class files; {where}"


def how_to_name_students(roster: Roster | None) -> str:
    if roster is None:
        return ("Name a student by their submission's id: its folder name, or its file name without the "
                "extension, as listed on index.html and in grades.csv.")
    return ("Name a student by their submission's id (its folder name, or its file name without the extension, "
            "as listed on index.html), or by the roster's Student name, ID, SIS User ID or SIS Login ID "
            "as in grades.csv.")


def _as_named_in(present: Iterable[str], request: OverrideRequest, roster: Roster | None = None,
                 stored: dict[str, dict[str, Override]] | None = None) -> OverrideRequest:
    """The request, naming its student as the gradebook does.  A name copied
    from grades.csv may carry the ``'`` that keeps a spreadsheet from running
    it; with a roster, grades.csv shows the roster's name and ids, which name
    the student whose submission matched that row."""
    from grader.cli import UsageError
    from grader.exports import spreadsheet_text

    name = nfc(request.student)  # typed or pasted in either Unicode form (see student_id)
    request = replace(request, student=name)
    if name in present or name in (stored or {}):
        return request
    if name.startswith("'"):
        for student in present:
            if spreadsheet_text(student) == name:
                return replace(request, student=student)
    if roster is None:
        return request
    wanted = name.strip().casefold()
    matches = sorted(student for student in present if (entry := roster.match(student)) is not None
                     and wanted in {nfc(entry.student).casefold(), nfc(spreadsheet_text(entry.student)).casefold(),
                                    *entry.keys()})
    if len(matches) > 1:
        where = f"{request.where}: " if request.where else ""
        raise UsageError(f"{where}'{name}' is the roster's name or id for several submissions "
                         f"({', '.join(matches)}); name one of them by its id")
    return replace(request, student=matches[0]) if matches else request


def override_command(args: argparse.Namespace) -> int:
    """The ``grader override`` command."""
    from grader.cli import UsageError

    out = Path(args.out)
    positional = [args.student, args.part, args.score]
    if args.overrides_file:
        if any(v is not None for v in positional):
            raise UsageError("give either STUDENT PART SCORE or --from FILE, not both")
        requests = read_overrides_file(Path(args.overrides_file))
    else:
        if args.student is None or args.part is None or (args.score is None and not args.remove):
            raise UsageError("override needs STUDENT PART SCORE (or STUDENT PART --remove, or --from FILE)")
        if args.remove and (args.score is not None or args.comment):
            given = " and ".join(w for w, v in (("a score", args.score), ("--comment", args.comment)) if v)
            raise UsageError(f"--remove drops the override of {args.student} {args.part}: give it without {given} "
                             "(to change the override instead, leave out --remove)")
        score = None
        if not args.remove:
            try:
                score = score_given(args.score)
            except ValueError:
                raise UsageError(f"the score '{args.score}' is not a number") from None
        requests = [OverrideRequest(args.student, args.part, score, args.comment or "", args.score or "")]
    for line in apply_overrides(out, requests):
        print(line)
    print(f"outputs in {out}/ rewritten", file=sys.stderr)
    return 0
