"""An instructor's score says so everywhere: results.json, its output, JUnit, the reports and the summaries."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from grader.cli import main
from grader.exports import junit_xml, markdown_summary
from grader.grading import with_overrides
from grader.report import render_class_summary, render_student_report
from grader.results import CaseResult, PartResult, SubmissionResult

AUTOMATIC = "1 of 2 cases passed."


def graded() -> SubmissionResult:
    cases = (CaseResult("small", True, "correct", 1.0, "Looks good."),
             CaseResult("hidden case 1", False, "incorrect", 0.0, "Wrong result."))
    return SubmissionResult("ann", (
        PartResult("set", "A1", "matmul", 2.0, 1.0, "partial", AUTOMATIC, source="foundations.py", cases=cases),
        PartResult("set", "A2", "rho", 1.0, 1.0, "correct", "The case passed.", source="foundations.py"),
        PartResult("set", "Q1", "Why", 1.0, 1.0, "correct", "All 1 rubric ideas found. (Provisional: an "
                   "instructor confirms this.)", provisional=True),
    ))


def overridden() -> SubmissionResult:
    return with_overrides(graded(), {"A1": (2.0, "by hand"), "A2": (0.5, ""), "Q1": (3.0, "")})


def test_an_overridden_part_follows_the_instructors_score_and_keeps_the_automatic_verdict():
    a1, a2, q1 = overridden().parts
    assert (a1.status, a1.automatic_status, a1.overridden, a1.score) == ("correct", "partial", True, 2.0)
    assert (a2.status, a2.automatic_status, a2.score) == ("partial", "correct", 0.5)
    assert (q1.status, q1.score, q1.provisional) == ("correct", 1.0, False)
    assert a1.feedback == f"Set by the instructor: 2 of 2 points — by hand.\nAutomatic grading said: {AUTOMATIC}"
    assert a2.feedback == "Set by the instructor: 0.5 of 1 point.\nAutomatic grading said: The case passed."
    assert q1.feedback.startswith("Set by the instructor: 1 of 1 point. (The instructor's score of 3 is capped at 1 point, ")
    assert "Provisional" not in q1.feedback
    assert not any(p.overridden for p in graded().parts)


def test_results_json_flags_the_override_and_opens_with_the_instructors_decision():
    tests = {t["number"]: t for t in overridden().to_gradescope()["tests"]}
    a1 = tests["A1"]
    assert a1["extra_data"] == {"problem_set": "set", "verdict": "correct", "automatic_verdict": "partial",
                                "overridden": True, "provisional": False}
    assert (a1["score"], a1["status"]) == (2.0, "passed")
    assert a1["output"].startswith("Set by the instructor: 2 of 2 points — by hand.\nAutomatic grading said: 1 of 2")
    assert a1["output"].endswith("(graded from foundations.py)")
    assert tests["A2"]["status"] == "failed" and tests["A2"]["extra_data"]["verdict"] == "partial"
    automatic = {t["number"]: t for t in graded().to_gradescope()["tests"]}
    assert automatic["A1"]["extra_data"] == {"problem_set": "set", "verdict": "partial", "overridden": False,
                                             "provisional": False}


def test_junit_follows_the_overridden_score():
    suite = ET.fromstring(junit_xml([overridden()])).find("testsuite")
    assert suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["A1 matmul"].find("failure") is None  # 1/2 automatically, 2/2 by the instructor
    failure = cases["A2 rho"].find("failure")
    assert failure.get("message") == "partial: 0.5/1 (set by the instructor)"
    assert failure.text.startswith("Set by the instructor: 0.5 of 1 point.")


def test_reports_say_set_by_the_instructor_and_count_overridden_parts():
    page = render_student_report(overridden())
    a1_row = page[page.index('id="part-A1"'):page.index('id="part-A2"')]
    verdict_cell = a1_row.split("</td>")[1]  # the part's label is the row's header (th), then points, verdict
    assert "set by the instructor" in verdict_cell and "automatic grading: partial" in verdict_cell
    assert ">partial" not in verdict_cell
    assert "Set by the instructor: 2 of 2 points — by hand." in a1_row

    index = render_class_summary([overridden(), graded()], title="Homework", max_score=4)
    assert "3 part scores set by the instructor" in index
    assert "set by the instructor: 1" in index  # in each part's verdicts
    assert "set by the instructor: A1, A2, Q1" in index  # beside the student

    summary = markdown_summary([overridden(), graded()], "Homework", 4)
    assert "3 part scores set by the instructor:" in summary
    # Each is listed, so a CI job page shows which verdicts a person changed, and why.
    assert "- ann A1: 2 / 2 (automatic: partial) — by hand" in summary
    assert "- ann A2: 0.5 / 1 (automatic: correct)\n" in summary
    one = markdown_summary([overridden()], "Homework", 4)
    assert "| A2 | 0.5 / 1 | partial (set by the instructor) | Set by the instructor: 0.5 of 1 point. |" in one


def test_an_override_without_a_comment_still_reads_as_set_by_the_instructor(tmp_path, tiny_spec, capsys):
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "answers.yaml").write_text("P1: 0.25\n")
    (tmp_path / "subs" / "bo.yaml").write_text("P1: 0.5\n")
    out = tmp_path / "out"
    assert main(["grade", str(tiny_spec), "--submissions", str(tmp_path / "subs"), "--out", str(out)]) == 0
    assert main(["override", "--out", str(out), "ann", "P1", "2"]) == 0

    test = json.loads((out / "ann" / "results.json").read_text())["tests"][0]
    assert test["extra_data"]["overridden"] is True
    assert (test["extra_data"]["verdict"], test["extra_data"]["automatic_verdict"]) == ("correct", "incorrect")
    assert test["output"].startswith("Set by the instructor: 2 of 2 points.\nAutomatic grading said: ")
    assert ET.fromstring((out / "junit.xml").read_text()).find("testsuite").get("failures") == "0"
    assert "set by the instructor" in (out / "ann" / "report.html").read_text()
    assert "1 part score set by the instructor" in (out / "index.html").read_text()
    assert json.loads((out / "bo" / "results.json").read_text())["tests"][0]["extra_data"]["overridden"] is False
