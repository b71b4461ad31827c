"""A class run: every student's entry under --submissions graded, results written under --out."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.exports import grades_csv
from grader.grading import Grader, submission_files
from grader.report import render_student_report
from grader.results import dumps, write_atomic


def student_entries(folder: Path) -> list[tuple[str, Path]]:
    """(student id, entry) for each folder or file directly in ``folder``, sorted by id."""
    if not folder.is_dir():
        raise NotADirectoryError(folder)
    entries = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        entries.append((entry.name if entry.is_dir() else entry.stem, entry))
    return entries


def grade_class(args: argparse.Namespace, refs) -> int:
    from grader.cli import UsageError

    submissions, out = Path(args.submissions), Path(args.out)
    if not submissions.is_dir():
        raise UsageError(f"--submissions {submissions} is not a folder of submissions")
    results = []
    with Grader(refs) as grader:
        for student, entry in student_entries(submissions):
            result = grader.grade(student, submission_files(entry))
            write_atomic(out / student / "results.json", dumps(result.to_gradescope()))
            write_atomic(out / student / "report.html", render_student_report(result))
            results.append(result)
    title = " + ".join(r.problem_set.title for r in refs)
    write_atomic(out / "grades.csv", grades_csv(results, title))
    print(f"graded {len(results)} submission(s); reports in {out}/", file=sys.stderr)
    return 0
