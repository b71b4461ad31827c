"""Reports: MathML for references and student LaTeX, escaping, the class summary with its plots."""
from __future__ import annotations

import re

import sympy

from grader.mathml import answer_markup, latex_to_mathml, sympy_to_mathml, text_with_maths
from grader.report import part_summaries, render_class_summary, render_student_report
from grader.results import CaseResult, PartResult, SubmissionResult


def part(label="Q1", answer="", latex="", status="correct", score=1.0, **extra) -> PartResult:
    return PartResult("set", label, f"Title {label}", 1.0, score, status, extra.pop("feedback", "Looks good."),
                      source="q.md", answer=answer, answer_latex=latex, **extra)


def test_student_latex_becomes_mathml():
    markup = latex_to_mathml(r"\frac{1}{4} + \varepsilon^2")
    assert markup.startswith('<math display="inline" alttext="\\frac{1}{4} + \\varepsilon^2">')
    assert "<mfrac>" in markup and "<msup>" in markup and "ε" in markup


def test_student_latex_cannot_inject_markup():
    text = latex_to_mathml(r"\text{<script>alert(1)</script>} + \href{javascript:alert(1)}{x}")
    assert "<script>" not in text and "&lt;script&gt;" in text
    markup = re.sub(r'alttext="[^"]*"', "", text)  # the LaTeX as written, for screen readers: inert text
    assert "href" not in markup and "javascript" not in markup


def test_unconvertible_latex_falls_back_to_escaped_text():
    assert latex_to_mathml(r"\frac{1}{") is None
    assert str(answer_markup(r"<b> \frac{1}{")) == r"&lt;b&gt; \frac{1}{"


def test_prose_is_escaped_and_maths_spans_are_typeset():
    markup = str(text_with_maths(r"since $x^2 \ge 0$ we have <i>this</i>"))
    assert "<msup>" in markup and "&lt;i&gt;this&lt;/i&gt;" in markup and "$" not in markup
    prose = str(answer_markup("the gradient vanishes over many time steps"))
    assert prose == "the gradient vanishes over many time steps"


def test_references_print_as_presentation_mathml():
    eps = sympy.Symbol("epsilon")
    assert "<mfrac>" in sympy_to_mathml(sympy.Rational(1, 4) + eps / 4)
    interval = sympy_to_mathml(sympy.Interval(-sympy.oo, 0))
    assert "∞" in interval and "<mo>]</mo>" in interval
    assert "<mtable>" in sympy_to_mathml([0.5, 1, sympy.sqrt(2)])
    assert sympy_to_mathml("approx") is None  # a choice is shown as text


def student_result() -> SubmissionResult:
    return SubmissionResult("ada <3", (
        part("Q1", answer=r"\frac{1}{4}", latex=r"\frac{1}{4}"),
        part("Q2", answer="<img src=x onerror=alert(1)>", status="could not read", score=0.0,
             feedback="Could not read <that>."),
        part("Q3", answer="gradients vanish", status="partial", score=0.5, provisional=True),
        part("Q4", status="partial", score=0.5, cases=(
            CaseResult("small", True, "correct", 1.0, "Looks good.", "printed"),
            CaseResult("hidden case 1", False, "incorrect", 0.0, "Wrong shape."))),
        part("Q5", answer="1", status="correct", override="Checked by hand.", overridden=True,
             automatic_status="partial"),
    ), notes=("q.py: imported with a warning",))


def test_student_report_shows_verdicts_maths_expected_and_escapes_student_text():
    page = render_student_report(student_result(), title="Homework", expected={"Q1": "<math><mn>0.25</mn></math>"})
    assert "<mfrac>" in page  # the student's answer, typeset
    assert "<math><mn>0.25</mn></math>" in page  # the expected answer
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Could not read &lt;that&gt;." in page and "ada &lt;3" in page
    assert "provisional" in page and "set by the instructor" in page
    assert "hidden case 1: Wrong shape." in page and "q.py: imported with a warning" in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org", "")  # self-contained


def test_expected_column_only_when_there_is_something_to_show():
    assert "Expected" not in render_student_report(student_result())


def results_for_class() -> list[SubmissionResult]:
    answers = ["1/4", "1/4", "1/2", "1/4", "1", "1/2", "0.25"]
    results = []
    for number, answer in enumerate(answers):
        correct = answer in ("0.25",)
        results.append(SubmissionResult(f"s{number}", (
            part("Q1", answer=answer, status="correct" if correct else "incorrect", score=float(correct)),
            part("Q2", answer="x", score=1.0),
        )))
    return results


def test_most_common_wrong_answers_are_counted():
    q1 = part_summaries(results_for_class())[0]
    assert q1.wrong_answers == (("1/4", 3), ("1/2", 2), ("1", 1))
    assert q1.full_marks == 1 / 7 and dict(q1.statuses) == {"correct": 1, "incorrect": 6}


def test_text_that_could_not_be_read_is_no_common_wrong_answer():
    results = results_for_class() + [SubmissionResult("kim", (
        part("Q1", answer="σ̇_approx = 1/4", status="could not read", score=0.0),
        part("Q2", answer="x", score=1.0)))]
    q1 = part_summaries(results)[0]
    assert q1.wrong_answers == (("1/4", 3), ("1/2", 2), ("1", 1))
    assert dict(q1.statuses)["could not read"] == 1


def test_class_summary_has_plots_links_and_is_stable():
    results = results_for_class()
    page = render_class_summary(results, title="Homework", max_score=2)
    assert page.count("<svg") == 2
    assert 'href="s3/report.html"' in page
    assert "× 3" in page
    assert "<?xml" not in page and "<script" not in page
    assert page == render_class_summary(list(reversed(results)), title="Homework", max_score=2)


def test_class_summary_of_no_students():
    page = render_class_summary([], title="Empty", max_score=3)
    assert "0 students" in page and "<svg" not in page


def test_a_right_answer_scored_down_by_the_instructor_is_no_common_wrong_answer():
    """An override says what an answer is worth (a late penalty, a partial score), not that it is
    wrong; a wrong answer the instructor gave credit for is still a wrong answer to learn from."""
    results = results_for_class() + [
        SubmissionResult("lee", (part("Q1", answer="0.25", status="partial", score=0.5, overridden=True,
                                      automatic_status="correct"),)),
        SubmissionResult("max", (part("Q1", answer="1/2", status="correct", score=1.0, overridden=True,
                                      automatic_status="incorrect"),))]
    q1 = part_summaries(results)[0]
    assert q1.wrong_answers == (("1/2", 3), ("1/4", 3), ("1", 1))
