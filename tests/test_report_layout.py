"""Reports fit the window they are read in: a laptop, a phone, a printed page.

Measured in a real headless Chromium (tests/test_browser.py): the page is
shown in an iframe of the width under test (a headless window is never
narrower than 500 px), and a small script appended to the report posts what
it measured to the frame's parent, which writes it into the DOM that
``--dump-dom`` prints.  The rest checks the pages' markup: marks beside the
colours, plots named for a screen reader, notes for the instructor.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.mathml import answer_markup
from grader.report import render_class_summary, render_student_report
from grader.results import CaseResult, PartResult, SubmissionResult
from test_batch import grade
from test_browser import CHROMIUM, FLAGS

REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

MEASURE = """
<script>
window.addEventListener("load", () => {
  const right = e => Math.round(e.getBoundingClientRect().right);
  const feedback = [...document.querySelectorAll('td[data-label="Feedback"]')];
  window.parent.postMessage(JSON.stringify({
    window_width: window.innerWidth,
    page_width: document.documentElement.scrollWidth,
    feedback_cells: feedback.length,
    feedback_right: Math.max(0, ...feedback.map(right)),
    feedback_width: Math.min(...feedback.map(td => td.getBoundingClientRect().width)),
    widest_other_cell: Math.max(0, ...[...document.querySelectorAll("tr.part td:not([data-label=Feedback])")]
                                     .map(td => td.getBoundingClientRect().width)),
    shaded_columns: [...document.querySelectorAll("col")].filter(col =>
      getComputedStyle(col).backgroundColor !== "rgba(0, 0, 0, 0)").map(col => col.className),
    colours: Object.fromEntries(["body", ".ok", ".bad", ".partial", "small", "a", ".answer"].map(selector => {
      const element = document.querySelector(selector);
      return [selector, element && getComputedStyle(element).color];
    })),
    page_colour: getComputedStyle(document.body).backgroundColor,
    column_names: [...new Set(feedback.map(td => getComputedStyle(td, "::before").content))],
  }), "*");
});
</script>
"""

FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="border:0;width:{width}px;height:900px"></iframe>
<script>
window.addEventListener("message", event => {{
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = event.data;
  document.body.appendChild(probe);
}});
</script></body></html>"""

A4_WIDTH = 718  # px: 210 mm less Chromium's default 1 cm margins


def measure(page: Path, width: int, tmp: Path, *, printed: bool = False, flags: tuple[str, ...] = (),
            script: str = MEASURE) -> dict:
    """The page laid out ``width`` px wide; ``printed``: with its print stylesheet applied, as on paper.
    ``script`` measures it and posts what it found to the frame around the page."""
    text = page.read_text()
    if printed:
        text = text.replace("@media print", "@media all")
    measured = tmp / f"measured-{page.parent.name}-{page.stem}-{width}{'-print' if printed else ''}.html"
    measured.write_text(text.replace("</body>", script + "</body>"))
    frame = tmp / f"frame-{measured.name}"
    frame.write_text(FRAME.format(src=measured.name, width=width))
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--window-size=1400,1000",
                          "--virtual-time-budget=5000", *flags, "--dump-dom", frame.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the measurement did not run"
    seen = json.loads(html.unescape(found.group(1)))
    assert seen["window_width"] == width, seen
    return seen


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The bundled problem sets graded on the bundled submissions, as an instructor first runs them."""
    out = tmp_path_factory.mktemp("samples") / "out"
    run = grade(REPO / "problems", REPO / "submissions", out)
    assert run.returncode == 0, run.stderr
    return out


LONG_LINE = "value " + "x" * 300
LONG_ERROR = "ValueError: " + "the matrix has the wrong shape" + "_" * 280


def crashing_result() -> SubmissionResult:
    """A code part whose case printed a 300-character line and raised with a 300-character message."""
    case = CaseResult("public case 1", True, "error", 0.0,
                      f"Traceback (most recent call last):\n  File \"hw.py\", line 3, in f\n{LONG_ERROR}",
                      stdout=LONG_LINE)
    return SubmissionResult("dev", (
        PartResult("set", "Q1", "Matrix shape", 2.0, 0.0, "error", f"Your f raised an error.\n{LONG_ERROR}",
                   source="hw.py", answer="f", cases=(case,), details=(LONG_ERROR,)),
        PartResult("set", "Q2", "A value", 1.0, 1.0, "correct", "Correct.", source="hw.md",
                   answer=r"\begin{pmatrix}1 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0"
                          r" & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 & 0 \end{pmatrix}"),
    ))


@pytest.fixture(scope="module")
def crashing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crashing") / "dev"
    folder.mkdir()
    page = folder / "report.html"
    page.write_text(render_student_report(crashing_result(), expected={"Q2": answer_markup(r"\frac{1}{4}")}))
    return page


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", ["alice/report.html", "bob/report.html", "carol/report.html", "index.html"])
def test_the_sample_reports_fit_the_window(samples, tmp_path, page, width):
    seen = measure(samples / page, width, tmp_path)
    assert seen["page_width"] <= width, seen
    assert seen["feedback_right"] <= width, seen  # the Feedback column is on the screen, not cut off


@needs_chromium
def test_feedback_gets_the_most_width(samples, tmp_path):
    seen = measure(samples / "bob" / "report.html", 1280, tmp_path)
    assert seen["feedback_cells"] > 0 and seen["feedback_width"] > seen["widest_other_cell"], seen


@needs_chromium
@pytest.mark.parametrize("width", [1280, 1024, 390])
def test_a_long_printed_line_and_error_wrap_inside_the_page(crashing, tmp_path, width):
    seen = measure(crashing, width, tmp_path)
    assert seen["page_width"] <= width and seen["feedback_right"] <= width, seen


@pytest.fixture(scope="module")
def self_check(tmp_path_factory):
    """`grader check --html` on a foundations.py whose dot product prints a long debugging line."""
    tmp = tmp_path_factory.mktemp("self-check")
    (tmp / "foundations.py").write_text(
        "import numpy as np\n\n\ndef dot(u, v):\n"
        "    print('debug: u =', u, 'v =', v, 'weights =', np.linspace(0, 1, 7).round(3).tolist(), '-' * 40)\n"
        "    return float(np.dot(u, v))\n")
    (tmp / "report").mkdir()
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(REPO / "problems" / "foundations.yaml"),
                          str(tmp / "foundations.py"), "--html", str(tmp / "report" / "report.html")],
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    page = tmp / "report" / "report.html"
    assert page.exists(), run.stderr
    assert "<pre>debug: u =" in page.read_text()
    return page


@needs_chromium
@pytest.mark.parametrize("width", [1024, 390])
def test_a_self_check_with_a_long_print_fits_the_window(self_check, tmp_path, width):
    seen = measure(self_check, width, tmp_path)
    assert seen["page_width"] <= width and seen["feedback_right"] <= width, seen


@needs_chromium
def test_on_a_phone_each_cell_is_named_by_its_column(crashing, tmp_path):
    seen = measure(crashing, 390, tmp_path)
    assert seen["column_names"] == ['"Feedback"'], seen
    assert measure(crashing, 1280, tmp_path)["column_names"] == ["none"]  # a laptop has the table's header


@needs_chromium
def test_only_the_answer_itself_is_shaded(samples, tmp_path):
    """The Answer column is not grey from top to bottom: only the answer's own box is (bob's code parts
    have none)."""
    seen = measure(samples / "bob" / "report.html", 1280, tmp_path)
    assert seen["shaded_columns"] == [], seen


@needs_chromium
@pytest.mark.parametrize("page", ["bob/report.html", "index.html"])
def test_a_printed_page_keeps_every_column(samples, tmp_path, page):
    seen = measure(samples / page, A4_WIDTH, tmp_path, printed=True)
    assert seen["page_width"] <= A4_WIDTH and seen["feedback_right"] <= A4_WIDTH, seen


@needs_chromium
def test_a_printed_long_error_fits_the_paper(crashing, tmp_path):
    seen = measure(crashing, A4_WIDTH, tmp_path, printed=True)
    assert seen["page_width"] <= A4_WIDTH and seen["feedback_cells"] == 2, seen


def luminance(css: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@needs_chromium
@pytest.mark.parametrize("scheme, flags", [("light", ()), ("dark", ("--blink-settings=preferredColorScheme=0",))])
def test_text_keeps_its_contrast_in_light_and_dark_mode(samples, tmp_path, scheme, flags):
    seen = measure(samples / "bob" / "report.html", 1280, tmp_path, flags=flags)
    if seen["page_colour"] == "rgba(0, 0, 0, 0)":  # no background of its own: the browser's white canvas
        seen["page_colour"] = "rgb(255, 255, 255)"
    assert (luminance(seen["page_colour"]) < 0.05) == (scheme == "dark"), seen
    for selector, colour in seen["colours"].items():
        if colour:
            assert contrast(colour, seen["page_colour"]) >= 4.5, (selector, seen)


# ---------------------------------------------------------------------------
# The markup
def test_error_text_keeps_its_lines_and_cases_have_marks():
    page = render_student_report(crashing_result())
    assert re.search(r"\.cases li, \.details li \{ white-space: pre-line", page)
    assert "Traceback (most recent call last):\n  File" in page  # the lines reach the page unjoined
    assert '<span class="mark" aria-hidden="true">✗ </span><span class="sr-only">failed: </span>public case 1' in page
    assert '<th scope="row"><strong>Q1</strong>' in page


def test_a_notebook_error_note_keeps_its_lines():
    note = "hw.ipynb: cell 3 raised an error:\nTraceback (most recent call last):\nZeroDivisionError: division by zero"
    page = render_student_report(SubmissionResult("dev", crashing_result().parts, notes=(note,)))
    assert f'<p class="note"><bdi>{html.escape(note, quote=False)}</bdi></p>' in page
    assert re.search(r"\.note \{[^}]*white-space: pre-line", page)


def test_maths_has_a_maths_font_and_the_page_a_dark_palette():
    page = render_student_report(crashing_result())
    assert 'math { font-size: 1.1em; font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", ' \
           '"DejaVu Math TeX Gyre", math; }' in page
    assert "@media screen and (prefers-color-scheme: dark)" in page and "color-scheme: light dark" in page


def test_a_matrix_answer_is_typeset():
    shown = str(answer_markup(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"))
    markup = re.sub(r'alttext="[^"]*"', "", shown)  # the LaTeX as written, for screen readers: inert text
    assert shown.startswith("<math") and "<mtable>" in markup and "pmatrix" not in markup


def test_a_self_check_page_says_so_and_counts_one_hidden_check():
    result = SubmissionResult("hw1.py", (PartResult("set", "Q1", "Sum", 1.0, 1.0, "correct", "Correct.",
                                                    hidden_cases=1),))
    page = render_student_report(result, public_only=True)
    assert "<title>hw1.py — Self-check</title>" in page and "<h1>Self-check</h1>" in page
    assert "1 hidden check will run at grading." in page
    assert "<title>hw1.py — Feedback</title>" in render_student_report(result)


def test_plots_are_named_images_with_ids_of_their_own():
    results = [crashing_result(), SubmissionResult("eve", crashing_result().parts)]
    page = render_class_summary(results, title="HW", max_score=3)
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.match(r'<svg role="img" aria-label="[^"]{20,}"', svg) and "<title>" in svg
    ids = re.findall(r'\bid="([^"]+)"', "".join(svgs))
    assert ids and len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for svg in svgs:  # every reference points inside its own plot
        own = set(re.findall(r'\bid="([^"]+)"', svg))
        assert set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg)) <= own


def test_the_students_table_notes_what_needs_the_instructor():
    unread = PartResult("set", "Q2", "Words", 1.0, 0.0, "could not read", "Could not read your answer.")
    provisional = PartResult("set", "Q3", "Essay", 2.0, 1.0, "partial", "Some ideas.", provisional=True)
    long_id = "s" * 200
    results = [SubmissionResult(long_id, (*crashing_result().parts, unread, unread, provisional))]
    page = render_class_summary(results, title="HW", max_score=6)
    assert '<span class="attention">2 parts could not be read: Q2, Q2; 1 part provisional: Q3; 1 part crashed: Q1</span>' in page
    assert f"<bdi>{long_id}</bdi>" in page and re.search(r"bdi \{ overflow-wrap: anywhere", page)


def test_a_long_note_on_the_class_page_is_cut_between_words_with_an_ellipsis():
    note = "hw.ipynb: cell 3 raised an error " + " ".join(["ValueError: shapes (3,) and (4,) not aligned"] * 8)
    page = render_class_summary([SubmissionResult("dev", crashing_result().parts, notes=(note,))],
                                title="HW", max_score=3)
    shown = re.search(r"<small><bdi>([^<]*)</bdi></small></td>", page).group(1)
    assert shown.endswith("…") and not shown.endswith("...")
    assert html.unescape(shown[:-1]).rstrip() + " " in note + " "  # whole words only
