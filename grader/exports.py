"""Results → exports: JUnit XML, Canvas CSV, Markdown summaries.  Renderers return strings."""
from __future__ import annotations

import csv
import io
from typing import Sequence
from xml.etree import ElementTree as ET

from grader.results import SubmissionResult


def junit_xml(results: Sequence[SubmissionResult]) -> str:
    """One <testsuite> per submission, one <testcase> per part (failure when short of full marks)."""
    suites = ET.Element("testsuites")
    for result in results:
        failed = sum(1 for p in result.parts if not p.passed)
        suite = ET.SubElement(suites, "testsuite", name=result.student, tests=str(len(result.parts)),
                              failures=str(failed))
        for p in result.parts:
            case = ET.SubElement(suite, "testcase", classname=f"{p.problem_set}", name=f"{p.label} {p.title}")
            if not p.passed:
                failure = ET.SubElement(case, "failure", message=f"{p.status}: {p.score:g}/{p.max_score:g}")
                failure.text = p.feedback
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def grades_csv(results: Sequence[SubmissionResult], assignment: str) -> str:
    """Canvas gradebook import: fixed leading columns, a Points Possible row, then one row per student."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    max_score = max((r.max_score for r in results), default=0.0)
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["Points Possible", "", "", "", "", f"{max_score:g}"])
    for r in sorted(results, key=lambda r: r.student):
        writer.writerow([r.student, "", r.student, r.student, "", f"{r.score:g}"])
    return out.getvalue()
