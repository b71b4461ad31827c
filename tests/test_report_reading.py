"""Reports read whole: on a phone, on a laptop, on paper, and by a screen reader.

A long list of numbers as an answer wraps inside its column instead of being cut off; a
printed page shows every answer whole; a small formula gets no scroll bar of its own.  Measured in a
real headless Chromium as tests/test_report_layout.py does (the page in an iframe of the width under
test, the print stylesheet applied to emulate paper); the rest is checked in the rendered pages:
text alternatives for the maths, part names, the page title, the list of parts that lost points.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.mathml import answer_markup, latex_to_mathml, sympy_to_mathml
from grader.report import render_student_report
from grader.results import PartResult, SubmissionResult
from test_browser import CHROMIUM
import test_report_layout as report_layout
from test_report_layout import A4_WIDTH, samples  # noqa: F401 - samples is a fixture used here

REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

# For each box holding an answer or a reference: its row, how wide and tall its content is against
# the box, and whether the box would draw a scroll bar for it.  For each part name: the characters
# its lines break after.
BOXES = """
<script>
window.addEventListener("load", () => {
  const boxes = [...document.querySelectorAll(".bounded, .scrolls")].map(box => {
    const style = getComputedStyle(box);
    return {row: box.closest("tr").id, cell: box.closest("td").dataset.label,
            content_width: box.scrollWidth, box_width: box.clientWidth,
            content_height: box.scrollHeight, box_height: box.clientHeight,
            overflow_x: style.overflowX, overflow_y: style.overflowY};
  });
  const breaks = [...document.querySelectorAll("tr th[scope=row]")].map(th => {
    const after = [];
    let previous = null;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("strong")) continue;  // the label, on its own line
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!node.data[i].trim()) { if (previous) previous.char = " "; continue; }
        if (!rect) continue;
        if (previous && rect.top > previous.top + 2) after.push(previous.char);
        previous = {top: rect.top, char: node.data[i]};
      }
    }
    return {row: th.closest("tr").id, after};
  });
  window.parent.postMessage(JSON.stringify({
    window_width: window.innerWidth, page_width: document.documentElement.scrollWidth, boxes, breaks,
  }), "*");
});
</script>
"""


def measure(page: Path, width: int, tmp: Path, *, printed: bool = False) -> dict:
    """Every answer and reference box of the page laid out ``width`` px wide (or on paper)."""
    return report_layout.measure(page, width, tmp, printed=printed, script=BOXES)


def cut_off(seen: dict) -> list[dict]:
    """The boxes whose content is wider than they are: on a phone (no scroll bars) or paper, cut off."""
    return [box for box in seen["boxes"] if box["content_width"] > box["box_width"] + 1]


@needs_chromium
@pytest.mark.parametrize("student, width", [("alice", 390), ("bob", 390), ("alice", 1280), ("bob", 1280)])
def test_a_long_list_answer_wraps_inside_its_column(samples, tmp_path, student, width):
    seen = measure(samples / student / "report.html", width, tmp_path)
    assert any(box["row"] == "part-Q2.3c" and box["cell"] == "Answer as read" for box in seen["boxes"]), seen
    assert cut_off(seen) == [], seen


@needs_chromium
@pytest.mark.parametrize("student", ["alice", "bob", "carol"])
def test_a_printed_report_shows_every_answer_whole(samples, tmp_path, student):
    seen = measure(samples / student / "report.html", A4_WIDTH, tmp_path, printed=True)
    assert seen["page_width"] <= A4_WIDTH, seen
    assert all(box["overflow_x"] == box["overflow_y"] == "visible" for box in seen["boxes"]), seen
    assert cut_off(seen) == [], seen


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_a_small_reference_gets_no_scroll_bar(samples, tmp_path, width):
    """1/4 reaches a pixel or two past its line: that is no reason to draw a vertical scroller beside it."""
    seen = measure(samples / "alice" / "report.html", width, tmp_path)
    expected = [box for box in seen["boxes"] if box["cell"] == "Expected"]
    assert {"part-Q2.1a", "part-Q2.3a"} <= {box["row"] for box in expected}, seen
    # Room for the glyphs, and no scroller even where another font reaches further.
    assert [box for box in expected if box["content_height"] > box["box_height"]] == [], expected
    assert {box["overflow_y"] for box in expected} == {"hidden"}, expected


@needs_chromium
def test_a_part_name_breaks_between_its_words(samples, tmp_path):
    seen = measure(samples / "bob" / "report.html", 1280, tmp_path)
    breaks = {row["row"]: row["after"] for row in seen["breaks"]}
    assert "part-A9" in breaks and "part-C2" in breaks, breaks  # tensor_shape_rank(T), variance(values)
    assert {row: after for row, after in breaks.items() if set(after) - {" ", "_", "(", "-"}} == {}, breaks


# ---------------------------------------------------------------------------
# The markup
def maths(markup: str) -> list[str]:
    return re.findall(r"<math\b[^>]*>", str(markup))


def test_every_formula_has_a_text_alternative(samples):
    for page in samples.glob("*/report.html"):
        opened = maths(page.read_text())
        assert opened and all('alttext="' in tag for tag in opened), (page, [t for t in opened if "alttext" not in t])


def test_a_student_formula_is_read_out_as_written():
    assert maths(answer_markup(r"\frac{1}{4} + \varepsilon")) == \
        ['<math display="inline" alttext="\\frac{1}{4} + \\varepsilon">']
    listed = answer_markup(r"[0.2505, 9.82 \times 10^{-4}]")
    assert maths(listed) == ['<math display="inline" alttext="[0.2505,">',
                             '<math display="inline" alttext="9.82 \\times 10^{-4}]">']


def test_only_a_list_is_cut_into_pieces_that_may_wrap():
    assert len(maths(answer_markup(r"\left( 0.2505, \  0.000982\right)"))) == 2  # as SymPy writes a tuple
    assert len(maths(latex_to_mathml("1,000"))) == 1  # a thousands' comma: one number
    assert len(maths(latex_to_mathml(r"(\frac{1}{2}, 3)"))) == 1  # its brackets stretch around the fraction


def test_a_reference_is_read_out_in_plain_text_with_minus_operators():
    shown = str(sympy_to_mathml([0.250469, 9.71715e-7]))
    assert 'alttext="[0.250469, 9.71715e-7]"' in shown
    assert "<mn>-7</mn>" not in shown and "<mo>−</mo><mn>7</mn>" in shown


def test_the_students_epsilon_is_shown_as_written(samples):
    bob = (samples / "bob" / "report.html").read_text()
    assert "ϵ" not in bob and "<mi>ε</mi>" in bob  # bob wrote \varepsilon, read back by SymPy as \epsilon
    part = PartResult("set", "Q1", "Slope", 1.0, 0.0, "incorrect", "Not quite.", answer=r"\epsilon / 4",
                      answer_latex=r"\frac{\epsilon}{4}")
    assert "<mi>ϵ</mi>" in render_student_report(SubmissionResult("eve", (part,)))  # \epsilon as written


def test_the_title_names_the_student_first(samples):
    assert re.search(r"<title>bob — Mathematical foundations", (samples / "bob" / "report.html").read_text())


def test_the_top_of_a_report_links_the_parts_that_lost_points():
    parts = (PartResult("set", "Q1", "Sum", 1.0, 1.0, "correct", "Correct."),
             PartResult("set", "Q2.1a", "Slope", 2.0, 1.0, "partial", "Half."),
             PartResult("set", "Q3", "Product", 1.0, 0.0, "incorrect", "Not quite."))
    page = render_student_report(SubmissionResult("eve", parts))
    assert re.search(r"<body>\s*<main>", page) and re.search(r"</main>\s*</body>", page)
    jump = re.search(r'<nav id="lost-points" aria-label="Parts that lost points">(.*?)</nav>', page, re.S)
    assert jump, page
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', jump.group(1))
    assert links == [("part-Q2.1a", "Q2.1a"), ("part-Q3", "Q3")]
    assert all(f'<tr id="{target}"' in page for target, _ in links)
    full_marks = render_student_report(SubmissionResult("eve", parts[:1]))
    assert "lost-points" not in full_marks
