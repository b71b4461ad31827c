"""Results → exports: JUnit XML, a Canvas gradebook CSV, a Markdown summary.  Renderers return strings.

Every export is deterministic: students sorted by id, numbers formatted the
same way, no timestamps.
"""
from __future__ import annotations

import csv
import html
import io
import re
import statistics
import sys
from typing import Iterable, Sequence
from xml.etree import ElementTree as ET

from grader.grading import AT_GRADING
from grader.results import PartResult, SubmissionResult
from grader.roster import Roster, RosterEntry
from grader.safetext import alphabetical, control_pictures


def say(message: str) -> None:
    """A message naming students (folder names the students chose) on
    stderr: control characters shown as symbols, never run by the terminal."""
    print(control_pictures(message), file=sys.stderr)


def format_score(value: float) -> str:
    """At most 4 decimals, no trailing zeros: 7.5, 12, 3.3333."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_statistic(value: float) -> str:
    """A class statistic (a mean, a median) as the class summary page shows it: at most 2 decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def junit_xml(results: Sequence[SubmissionResult], *, per_student: bool = False) -> str:
    """One <testsuite> per submission, one <testcase> per part: a failure when short of full
    marks, skipped when only grading can score the part (a written answer under published specs).

    CI dashboards know a test case by its classname and name, so with ``per_student`` (a class run's
    file) the classname names the student too, ``alice.foundations``, and no two students' cases
    merge; one student's self-check keeps the problem set's id alone."""
    suites = ET.Element("testsuites")
    for result in sorted(results, key=lambda r: alphabetical(r.student)):
        owner = f"{control_pictures(result.student)}." if per_student else ""
        skipped = sum(1 for p in result.parts if p.at_grading)
        failed = sum(1 for p in result.parts if not p.passed and not p.at_grading)
        suite = ET.SubElement(suites, "testsuite", name=control_pictures(result.student),
                              tests=str(len(result.parts)), failures=str(failed), skipped=str(skipped))
        for p in result.parts:
            case = ET.SubElement(suite, "testcase", classname=f"{owner}{p.problem_set}", name=f"{p.label} {p.title}")
            if p.at_grading:
                ET.SubElement(case, "skipped", message=control_pictures(f"{AT_GRADING}: {p.feedback}"))
            elif not p.passed:
                failure = ET.SubElement(case, "failure", message=f"{p.status}: {format_score(p.score)}/"
                                        f"{format_score(p.max_score)}{OVERRIDDEN_MARK if p.overridden else ''}")
                failure.text = control_pictures(p.explanation())
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# How an instructor's score is marked where the verdict is shown.
OVERRIDDEN_MARK = " (set by the instructor)"

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The quote added: a cell already starting with it gets another, so that no two cells come out the same.
_TEXT_MARK = "'"


def spreadsheet_text(text: str) -> str:
    """``text`` that Excel or LibreOffice shows as text, never runs as a formula:
    one starting like a formula gets a leading ``'``, and so does one starting
    with ``'``: ``=a`` is written ``'=a`` and ``'=a`` ``''=a``, so that two
    students stay two, and removing one ``'`` gives the name back.  For what
    students choose (submission names, their names in the roster), never for
    the scores, which must stay numbers, nor for Canvas's ids, which it
    matches as they are.

    A carriage return becomes a newline: the csv module quotes a cell holding
    a newline but not one holding a lone CR, which readers take as the end of
    the row, so ``x<CR>=1+1`` would start a row with a formula."""
    safe = _TEXT_MARK + text if text.startswith((*_FORMULA_STARTS, _TEXT_MARK)) else text
    return safe.replace("\r\n", "\n").replace("\r", "\n")


def grades_csv(results: Sequence[SubmissionResult], assignment: str, max_score: float | None = None,
               roster: Roster | None = None) -> str:
    """Canvas gradebook import: its fixed leading columns, a Points Possible row, one row per student.

    With a roster, a student's row carries the roster's name, Canvas ID, SIS
    ids and section, and the roster's students without a submission follow
    with an empty score (Canvas leaves an empty cell unchanged).  Without
    one, or for a student it does not list, the student id goes in "SIS
    User ID" and "SIS Login ID" (Canvas matches rows on those).  A name, a
    section or a submission's id that a spreadsheet would run as a formula
    gets a leading ``'`` (:func:`spreadsheet_text`); the roster's ids are
    Canvas's own, written as it exported them, for it to match.

    The score column's header is ``assignment``; Canvas adds a new
    assignment for a header that is not one of its own, so when the roster
    (a Canvas export) has exactly one assignment column of that name, its
    header ("Homework 1 (123)", the id included) is used instead.
    """
    out = io.StringIO()
    # Every text cell quoted, numbers bare: a spreadsheet that splits rows on ";" or tabs (the
    # separator in many locales) then keeps a name like "x;=1+1" in one cell, as text.
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    if max_score is None:
        max_score = max((r.max_score for r in results), default=0.0)
    header = (roster.assignment_column(assignment) if roster is not None else None) or assignment
    writer.writerow(CANVAS_COLUMNS + [header])
    writer.writerow(["Points Possible", "", "", "", "", _number(max_score)])
    rows = []  # (the identity as given, to sort on, so that a quote added does not move a row; the row)
    listed: set[int] = set()
    for r in results:
        entry = roster.match(r.student) if roster is not None else None
        if entry is None:
            identity = [r.student, "", r.student, r.student, ""]
            rows.append((identity, [spreadsheet_text(cell) for cell in identity] + [_number(r.score)]))
        else:
            listed.add(id(entry))
            rows.append((entry.identity(), _roster_cells(entry) + [_number(r.score)]))
    if roster is not None:
        rows.extend((e.identity(), _roster_cells(e) + [""]) for e in roster.entries if id(e) not in listed)
    writer.writerows(row for _, row in sorted(rows, key=lambda pair: [alphabetical(cell) for cell in pair[0]]))
    return out.getvalue()


def _roster_cells(entry: RosterEntry) -> list[str]:
    """A roster student's leading cells: the name and section safe in a spreadsheet (a student may
    choose their name), the Canvas ID and SIS ids exactly as Canvas exported them, for it to match."""
    return [spreadsheet_text(entry.student), entry.canvas_id, entry.sis_user_id, entry.sis_login_id,
            spreadsheet_text(entry.section)]


def _number(score: float) -> int | float:
    """A score as format_score writes it (7.5, 12, 3.3333), as a number the csv module leaves unquoted."""
    text = format_score(score)
    return float(text) if "." in text else int(text)


# Markdown's inline markup: a student's "[the grader's report](https://…)", "![](https://…/pixel)" or
# "**All checks passed**" must show as typed on a CI job page, not as a link, an image or bold text.
_MARKUP = re.compile(r"([\\`*_\[\]!~|#])")  # "#" too: "- # All checks passed" would be a heading


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item: a student's ``<b>``, link or image is shown,
    not rendered, and control characters are shown as symbols."""
    return _MARKUP.sub(r"\\\1", html.escape(control_pictures(" ".join(str(text).split())), quote=False))


def _feedback_cell(p: PartResult) -> str:
    """The feedback's first line, the answer as read, and each failing public case, as the terminal
    lists them (hidden cases are never named), one per line of the cell."""
    first = p.feedback.splitlines()[0] if p.feedback else ""
    read = p.read_line(80)
    lines = [first] + ([read] if read else [])
    for case in p.cases:
        if case.public and case.credit < 1.0 and not (len(p.cases) == 1 and case.feedback in p.feedback):
            lines.append(f"✗ {case.name}" + ("" if case.feedback in p.feedback else f": {case.feedback}"))
    return "<br>".join(_cell(line) for line in lines[:6])


def _points_cell(p: PartResult) -> str:
    """``1 / 2``, or ``– / 2`` for a part only grading can score, as the terminal shows it: not a 0 yet."""
    return f"{'–' if p.at_grading else format_score(p.score)} / {format_score(p.max_score)}"


# An override whose part has changed under it since it was set (see grader.batch.changed_overrides).
OVERRIDE_TO_REVIEW = "⚠ set before the answer, automatic verdict or points changed: to review"


def markdown_summary(results: Sequence[SubmissionResult], title: str, max_score: float | None = None,
                     untouched: Sequence[str] = (), to_review: Iterable[tuple[str, str]] = (),
                     unapplied: Sequence[tuple[str, str, float, str, str]] = ()) -> str:
    """A Markdown summary for a CI job page (e.g. ``$GITHUB_STEP_SUMMARY``).

    For one submission: its per-part table.  For a class: the score
    distribution, each part's mean and full-marks rate, and every override
    (the instructor's record), ``to_review`` (student, part) ones marked,
    and ``unapplied`` ones: (student, part, score, comment, why it applies to nothing now).
    """
    results = sorted(results, key=lambda r: alphabetical(r.student))
    if max_score is None:
        max_score = max((r.max_score for r in results), default=0.0)
    lines = [f"## {_cell(title)}", ""]
    if len(results) == 1:
        r = results[0]
        total = r.total_text(max_score)
        lines += [f"**{_cell(r.student)}**: {total}", "",
                  "| Part | Points | Verdict | Feedback |", "|---|---:|---|---|"]
        for p in r.parts:
            if p.problem_set in untouched:
                continue
            provisional = p.provisional and p.status != AT_GRADING  # not judged yet: nothing to confirm
            verdict = p.status + (OVERRIDDEN_MARK if p.overridden else " (provisional)" if provisional else "")
            lines.append(f"| {_cell(p.label)} | {_points_cell(p)} | {_cell(verdict)} | {_feedback_cell(p)} |")
        for set_id in sorted(untouched):  # as the terminal says it: one line, not a table of zeros
            parts = [p for p in r.parts if p.problem_set == set_id]
            lines.append(f"| {_cell(set_id)} | 0 / {format_score(sum(p.max_score for p in parts))} | not answered | "
                         f"no file of the submission answers its {len(parts)} parts |")
        lines.extend(f"- {_cell(n)}" for n in r.notes)
        return "\n".join(lines) + "\n"
    scores = [r.score for r in results]
    if scores:
        lines += [f"{len(results)} students · mean {format_statistic(statistics.fmean(scores))} · median "
                  f"{format_statistic(statistics.median(scores))} · min {format_score(min(scores))} · max "
                  f"{format_score(max(scores))} of {format_score(max_score)} points", ""]
    else:
        lines += ["No submissions.", ""]
    by_label: dict[str, list] = {}
    for r in results:
        for p in r.parts:
            by_label.setdefault(p.label, []).append(p)
    if by_label:
        lines += ["| Part | Mean | Full marks | Could not read / not answered / not defined | To review |",
                  "|---|---:|---:|---:|---:|"]
        for label, parts in by_label.items():
            mean = statistics.fmean(p.score for p in parts)
            full = sum(p.passed for p in parts)
            unread = sum(p.status in ("could not read", "not answered", "not defined", "error") for p in parts)
            review = sum(p.provisional for p in parts)
            lines.append(f"| {_cell(label)} {_cell(parts[0].title)} | {format_statistic(mean)} / "
                         f"{format_score(parts[0].max_score)} | {full} ({100 * full / len(parts):.0f}%) | "
                         f"{unread} | {review} |")
    overridden = [(r.student, p) for r in results for p in r.parts if p.overridden]
    if overridden:
        count = len(overridden)
        lines += ["", f"{count} part score{'' if count == 1 else 's'} set by the instructor:", ""]
        review = set(to_review)
        for student, p in overridden:
            comment = f" — {_cell(p.override)}" if p.override else ""
            mark = f" {OVERRIDE_TO_REVIEW}" if (student, p.label) in review else ""
            lines.append(f"- {_cell(student)} {_cell(p.label)}: {format_score(p.score)} / "
                         f"{format_score(p.max_score)} (automatic: {_cell(p.automatic_status)}){comment}{mark}")
    if unapplied:
        count = len(unapplied)
        lines += ["", f"{count} part score{'' if count == 1 else 's'} set by the instructor "
                      f"appl{'ies' if count == 1 else 'y'} to nothing now (kept in the gradebook):", ""]
        for student, label, score, comment, why in unapplied:
            said = f" — {_cell(comment)}" if comment else ""
            lines.append(f"- {_cell(student)} {_cell(label)}: {format_score(score)}{said} ({why})")
    crashed = [r.student for r in results if any(p.status == "error" for p in r.parts)]
    if crashed:
        lines += ["", f"Could not be graded: {', '.join(_cell(s) for s in crashed)}"]
    return "\n".join(lines) + "\n"
