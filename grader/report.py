"""Results → reports: HTML feedback pages rendered with Jinja2.

Autoescaped throughout (answers are student text), and every value printed
has its control characters shown as symbols (:func:`shown`); maths is MathML
built by :mod:`grader.mathml`, plots are inline SVG drawn by matplotlib, so
every page is one self-contained file that needs no network to view.

Renderers return strings; writing them is :func:`grader.results.write_atomic`'s job.
"""
from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import jinja2
from markupsafe import Markup, escape

from grader.checkers.base import Status
from grader.exports import control_pictures, format_statistic
from grader.safetext import alphabetical
from grader.grading import AT_GRADING, ERROR
from grader.mathml import answer_markup, latex_to_mathml
from grader.results import PartResult, SubmissionResult

COMMON_WRONG_ANSWERS = 5


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates ship with the package: no stat of the file at every render
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown,
    )
    env.filters["points"] = format_statistic
    env.filters["status_class"] = status_class
    env.filters["case_mark"] = case_mark
    env.filters["attention"] = attention_note
    env.tests["unread"] = could_not_read
    env.tests["to_confirm"] = to_confirm
    env.filters["answer_maths"] = answer_markup
    env.filters["read_as_maths"] = read_as_maths
    env.filters["breakable"] = breakable
    env.tests["lost_points"] = lost_points
    env.filters["percent"] = lambda value: f"{100 * value:.0f}%"
    env.tests["maths"] = lambda markup: "<math" in markup  # typeset: shown in a box of bounded size
    return env


def shown(value):
    """A value as a page prints it: control characters in text as the terminal and text outputs show
    them (ESC as ␛, a bidi override as ⟨U+202E⟩), so a student's escapes or reordering act on nothing.
    Markup (MathML, SVG) stays markup: the symbols are plain characters."""
    if isinstance(value, Markup):
        return Markup(control_pictures(str(value)))
    return control_pictures(value) if isinstance(value, str) else value




# The verdict shown for a part whose score the instructor set (its status follows that score).
OVERRIDDEN = "set by the instructor"


def lost_points(part: PartResult) -> bool:
    """A part scored below its points (one checked at grading has no score yet): the top of the page links it."""
    return part.score < part.max_score - 1e-9 and part.status != AT_GRADING


_NAME_BREAK = re.compile(r"(?<=[_(])(?=\w)")  # after a function name's underscore or opening bracket


def breakable(name: str) -> Markup:
    """A part's name that may break after an underscore or a bracket (tensor_shape_|rank(T),
    variance(|values)): a narrow column then breaks a function's name between its words, not at
    whatever letter reaches the edge."""
    return Markup("<wbr>").join(escape(piece) for piece in _NAME_BREAK.split(name))


# SymPy writes the letter ε as \epsilon, which LaTeX (and so the page) draws as the lunate ϵ.
_SYMPY_EPSILON = re.compile(r"\\epsilon(?![A-Za-z])")


def read_as_maths(latex: str, answer: str) -> Markup | str:
    """How the grader read an answer (SymPy's LaTeX) typeset, its ε drawn as the student wrote it:
    ε unless they wrote \\epsilon or ϵ themselves."""
    if not (_SYMPY_EPSILON.search(answer) or "ϵ" in answer):
        latex = _SYMPY_EPSILON.sub(r"\\varepsilon", latex)
    return latex_to_mathml(latex) or latex


def status_class(status: str) -> str:
    """The colour of a verdict: an answer that could not be read scores nothing, as a wrong one does;
    one checked at grading has no verdict yet, so it is neither a pass nor a failure."""
    return {"correct": "ok", "partial": "partial", AT_GRADING: "pending", OVERRIDDEN: "review"}.get(status, "bad")


@lru_cache(maxsize=None)  # a report has a line per case, and a class thousands of reports
def case_mark(status: str) -> Markup:
    """A case line's ✓ / ✗ beside its colour, with words for a screen reader (colour alone tells neither)."""
    mark, words = {"correct": ("✓", "passed"), "partial": ("½", "partly passed"),
                   AT_GRADING: ("…", "checked at grading")}.get(status, ("✗", "failed"))
    return Markup('<span class="mark" aria-hidden="true">{} </span><span class="sr-only">{}: </span>').format(mark, words)


def attention_note(result: SubmissionResult) -> str:
    """What in one student's results waits for the instructor, naming the parts ("2 parts could not be
    read: Q1, Q3; 1 part provisional: Q2.4"), so the class page shows where to look without opening
    every report."""
    kinds = [
        ([p.label for p in result.parts if could_not_read(p) and not p.overridden], "could not be read"),
        ([p.label for p in result.parts if to_confirm(p) and not p.overridden], "provisional"),
        ([p.label for p in result.parts if p.status == ERROR], "crashed"),
    ]
    return "; ".join(f"{len(labels)} part{'' if len(labels) == 1 else 's'} {what}: {', '.join(labels)}"
                     for labels, what in kinds if labels)


def could_not_read(part: PartResult) -> bool:
    """The grader could not read this part's answer (even where the instructor has since set its score):
    the page shows it as written, since typesetting would mend the very slip the feedback is about."""
    return Status.UNREADABLE.value in (part.status, part.automatic_status)


def to_confirm(part: PartResult) -> bool:
    """A provisional verdict (a rubric's) waiting for the instructor; one checked at grading has no
    verdict yet, so nothing to confirm (as the terminal and Markdown say it)."""
    return part.provisional and part.status != AT_GRADING


def render_student_report(result: SubmissionResult, *, title: str | None = None, public_only: bool = False,
                          expected: dict[str, str] | None = None, summary: str = "") -> str:
    """One student's page.  ``expected``: label → MathML of written references to show; ``summary``: a
    self-check's last word ("public checks passed — 67 hidden checks will run at grading")."""
    expected = {label: Markup(text) for label, text in (expected or {}).items()}
    title = title or ("Self-check" if public_only else "Feedback")  # a self-check is not the graded feedback
    return environment().get_template("student.html.j2").render(
        result=result, title=title, public_only=public_only, expected=expected, summary=summary)


# ---------------------------------------------------------------------------
# The class summary
@dataclass(frozen=True)
class PartSummary:
    label: str
    title: str
    max_score: float
    mean: float
    full_marks: float  # fraction of students with full marks
    statuses: tuple[tuple[str, int], ...]
    wrong_answers: tuple[tuple[str, int], ...]  # most common wrong answers, with counts


def part_summaries(results: Sequence[SubmissionResult]) -> list[PartSummary]:
    by_label: dict[str, list[PartResult]] = {}
    for result in results:
        for part in result.parts:
            by_label.setdefault(part.label, []).append(part)
    summaries = []
    for label, parts in by_label.items():
        # What "could not read" shows is the text where an answer was looked for (often another
        # part's statement), not an answer; one checked at grading is not judged yet: neither is a wrong answer.
        # An instructor's score says what the answer is worth, not whether it is right: the grader's verdict does.
        wrong = Counter(" ".join(p.answer.split()) for p in parts
                        if (automatic := p.automatic_status if p.overridden else p.status) != Status.CORRECT.value
                        and p.answer.strip() and automatic not in (Status.UNREADABLE.value, AT_GRADING))
        # Most common first; ties in a fixed order so the page is the same on every run.
        common = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:COMMON_WRONG_ANSWERS]
        statuses = Counter(OVERRIDDEN if p.overridden else p.status for p in parts)
        summaries.append(PartSummary(
            label, parts[0].title, parts[0].max_score,
            statistics.fmean(p.score for p in parts),
            sum(p.passed for p in parts) / len(parts),
            tuple(sorted(statuses.items())), tuple(common)))
    return summaries


_SVG_ID = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _svg(figure, name: str, description: str) -> Markup:
    """A matplotlib figure as an inline <svg> element (no XML prologue, fixed ids), an image named by
    ``description`` for a screen reader.  Its ids get the prefix ``name``: two plots in one page otherwise
    share matplotlib's ids, and one plot's references would pick up the other's clip paths and markers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = _SVG_ID.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text[text.index("<svg"):])
    opening = text.index(">") + 1
    label = escape(description)
    return Markup(f'<svg role="img" aria-label="{label}"{text[4:opening]}<title>{label}</title>{text[opening:]}')


def _figure(width: float, height: float):
    """A bare matplotlib Figure: pyplot's global list of open figures is not needed, nor safe across threads."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "grader"  # stable element ids: the same page every run
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small and searchable
    return Figure(figsize=(width, height))


def score_histogram(scores: Sequence[float], max_score: float) -> Markup:
    figure = _figure(6.4, 2.8)
    axes = figure.subplots()
    bins = max(1, min(20, int(max_score) or 1))
    axes.hist(scores, bins=bins, range=(0, max_score or 1), color="#4c78a8", edgecolor="white")
    axes.set_xlabel("total score")
    axes.set_ylabel("students")
    axes.set_title(f"Scores of {len(scores)} students")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "scores", f"Histogram of the total scores of {len(scores)} students, "
                                  f"from 0 to {format_statistic(max_score)} points")


def part_success_plot(summaries: Sequence[PartSummary]) -> Markup:
    figure = _figure(6.4, max(2.0, 0.28 * len(summaries) + 0.8))
    axes = figure.subplots()
    labels = [s.label for s in summaries][::-1]
    axes.barh(labels, [100 * s.full_marks for s in summaries][::-1], color="#54a24b", label="full marks")
    axes.scatter([100 * s.mean / s.max_score if s.max_score else 0 for s in summaries][::-1], labels,
                 color="#222", marker="|", s=120, label="mean score", zorder=3)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of students")
    axes.set_title("Success per part")
    axes.legend(loc="lower right", fontsize="small", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "parts", "Bar chart: for each part, the percentage of students with full marks, "
                                 "and a mark at the mean score")


def render_class_summary(results: Sequence[SubmissionResult], *, title: str, max_score: float,
                         report_name: str = "report.html", names: dict[str, str] | None = None,
                         absent: Sequence[str] = (), to_review: Iterable[tuple[str, str]] = ()) -> str:
    """The class page; ``names`` (student id -> name, from the roster) are shown beside the ids;
    ``absent``: the roster's students with no submission, so the page shows who is missing;
    ``to_review``: (student, part) of overrides set before the part's answer, verdict or points changed."""
    results = sorted(results, key=lambda r: alphabetical(r.student))
    scores = [r.score for r in results]
    summaries = part_summaries(results)
    stats = {
        "students": len(results),
        "mean": statistics.fmean(scores) if scores else 0.0,
        "median": statistics.median(scores) if scores else 0.0,
        "full": sum(1 for r in results if r.max_score and r.score >= r.max_score - 1e-9),
        # As summary.md's "To review": verdicts left provisional (an overridden part is not), of this class's
        # students; an answer that could not be read is counted on its own.
        "review": sum(1 for r in results for p in r.parts if p.provisional),
        "unread": sum(1 for r in results for p in r.parts if p.status == "could not read"),
        "overridden": sum(1 for r in results for p in r.parts if p.overridden),
    }
    plots = [score_histogram(scores, max_score), part_success_plot(summaries)] if results else []
    return environment().get_template("index.html.j2").render(
        title=title, results=results, summaries=summaries, stats=stats, max_score=max_score, plots=plots,
        report_name=report_name, names=names or {}, absent=list(absent), to_review=overrides_to_review(to_review))


def overrides_to_review(to_review: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Student → the parts whose override is to review, as the class page lists them."""
    by_student: dict[str, list[str]] = {}
    for student, label in to_review:
        by_student.setdefault(student, []).append(label)
    return by_student
