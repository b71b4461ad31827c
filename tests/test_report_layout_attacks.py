"""Reports hold their layout against a student who tries to bend it.

No script runs from student text (tests/test_reports.py); these are the
layout attacks left: maths made huge or drawn over its neighbours, a student
id that reads as another one, terminal escapes shown in a page.
"""
from __future__ import annotations

import html
import json
import math
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from grader.mathml import latex_to_mathml
from grader.report import render_class_summary, render_student_report
from grader.results import CaseResult, PartResult, SubmissionResult

# ---------------------------------------------------------------------------
# Sizes from student LaTeX
LENGTH_ATTRIBUTES = ("width", "height", "depth", "lspace", "rspace", "voffset", "minsize", "maxsize",
                     "linethickness", "columnspacing", "rowspacing")
EM_PER_UNIT = {"em": 1, "ex": 0.5, "px": 1 / 16, "pt": 1 / 12, "pc": 1, "in": 6, "cm": 6 / 2.54, "mm": 0.6 / 2.54}


def em(value: str) -> float:
    """A length as ems; NaN for anything a browser would not read as a plain length."""
    found = re.fullmatch(r"(-?(?:\d+\.?\d*|\.\d+))(em|ex|px|pt|pc|in|cm|mm)?", value.strip())
    if not found or (found.group(2) is None and float(found.group(1)) != 0):
        return math.nan
    return float(found.group(1)) * EM_PER_UNIT[found.group(2) or "em"]


def sizes(markup: str):
    """(element, attribute, ems) of every length in a MathML string, and the largest text scale."""
    found, scales = [], [1.0]

    def walk(element, scale):
        for name in LENGTH_ATTRIBUTES:
            for value in element.get(name, "").split():
                found.append((element.tag, name, em(value)))
        if "mathsize" in element.attrib:
            scale *= em(element.get("mathsize"))
            scales.append(scale)
        for child in element:
            walk(child, scale)

    walk(ET.fromstring(str(markup)), 1.0)
    return found, max(scales)


ATTACKS = [
    r"\rule{1em}{2500em}",
    r"\rule{50000em}{1em}",
    r"\rule{1em}{100cm}",
    r"\hspace{50000em} x",
    r"\mspace{90000mu} x",
    r"\kern 900em x",
    r"x \hspace{-30em} \text{NEGATIVE-SPACE}",
    r"\rlap{\text{OVERLAP-OVERLAP}} y",
    r"\llap{\text{OVERLAP}} y",
    r"\mathrlap{x} y",
    r"\moveleft 30em x y",
    r"\raise 400em x",
    r"\lower 400em x",
    r"\smash{\begin{array}{l} a \\ b \\ c \end{array}} y",
    r"\frac{1}{2 \above 40em 3}",
    r"x \kern-5em y \! z \negthickspace w",
    r"\Huge{\Huge{\Huge{\Huge{\Huge{x}}}}}",
    r"\tiny{\tiny{\tiny{\tiny{x}}}}",
]


@pytest.mark.parametrize("latex", ATTACKS)
def test_sizes_from_student_latex_stay_small_and_never_negative(latex):
    markup = latex_to_mathml(latex)
    assert markup is not None
    found, scale = sizes(markup)
    for tag, name, value in found:
        assert not math.isnan(value), (tag, name, markup)  # only lengths a browser reads
        low = -1 if name == "voffset" else 0
        assert low <= value <= 3, (tag, name, value, markup)
        if tag == "mpadded" and name in ("width", "height", "depth"):
            assert value > 0, markup  # \rlap, \smash: nothing drawn over what follows
    assert 0.5 <= scale <= 2.5, markup


def test_ordinary_spacing_and_sizes_are_kept():
    found, _ = sizes(latex_to_mathml(r"a \, b \quad c \qquad d"))
    assert [value for _, name, value in found if name == "width"] == pytest.approx([0.167, 1, 2], abs=1e-3)
    assert ("mfrac", "linethickness", 0) in sizes(latex_to_mathml(r"\binom{n}{k}"))[0]
    assert ("mo", "minsize", 1.2) in sizes(latex_to_mathml(r"\big( x \big)"))[0]
    assert sizes(latex_to_mathml(r"\Large x"))[1] == pytest.approx(1.44)
    assert sizes(latex_to_mathml(r"\begin{smallmatrix} a & b \end{smallmatrix}"))[0]  # its spacing stays


def part(label="Q1", answer="", status="incorrect", score=0.0, **extra) -> PartResult:
    return PartResult("set", label, f"Title {label}", 1.0, score, status, extra.pop("feedback", "Not quite."),
                      source=extra.pop("source", "q.md"), answer=answer, **extra)


TALL = r"$\begin{array}{l}" + r" \\ ".join(["a"] * 300) + r"\end{array}$"


def test_maths_in_a_table_cell_is_boxed_so_it_cannot_stretch_the_cell():
    """The browser tests measure it; here: each page puts a cell's maths in a box its CSS bounds."""
    results = [SubmissionResult(s, (part("Q1", answer=a), part("Q2", answer="plain words")))
               for s, a in (("rex", r"tanh $\rule{1em}{2500em}$"), ("tall", TALL))]
    index = render_class_summary(results, title="HW", max_score=2)
    reports = [render_student_report(r) for r in results]
    for page in (index, *reports):
        assert '"2500em"' not in page
        style = re.search(r"\.bounded\s*\{([^}]*)\}", page)
        assert style and "max-height" in style.group(1) and "overflow: auto" in style.group(1), page[:2000]
    # The class page: each list of wrong answers; a report: an answer cell with maths (not one of prose).
    assert index.count('<div class="bounded"><ol class="wrong">') == 2
    for report in reports:
        assert re.search(r'<div class="bounded">\s*<div class="answer">(tanh )?<math', report)
        assert re.search(r'<div>\s*<div class="answer">plain words', report)


# ---------------------------------------------------------------------------
# Bidi controls in student ids
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def isolated(page: str) -> list[str]:
    return re.findall(r"<bdi>(.*?)</bdi>", page, re.S)


def test_a_student_id_with_bidi_controls_is_isolated_and_shows_them():
    spoof = "\u202eecila"
    results = [SubmissionResult(spoof, (part("Q1", answer="1/3"),), notes=(f"{spoof}/q.py: not read",)),
               SubmissionResult("alice", (part("Q1", answer="1/3"),)),
               SubmissionResult("x" + BIDI_CONTROLS, (part("Q1", answer="1/5"),))]
    page = render_class_summary(results, title="HW", max_score=1, names={spoof: "\u2067Alice\u2069"},
                                absent=["\u202ebob"])
    assert not set(BIDI_CONTROLS) & set(page)
    shown = isolated(page)
    assert "alice" in shown  # every id isolated, the plain one too
    spoofed = [text for text in shown if text.endswith("ecila")]
    assert spoofed and all("202E" in text.upper() for text in spoofed), shown  # the override is visible
    assert any("Alice" in text and "2067" in text for text in shown)  # the roster's name too
    assert 'href="%E2%80%AEecila/report.html"' in page  # the link still leads to the folder

    report = render_student_report(SubmissionResult(spoof, (part("Q1", answer="1/3", source=f"{spoof}.md"),),
                                                    notes=(f"{spoof}: imported with a warning",)))
    assert not set(BIDI_CONTROLS) & set(report)
    title = re.search(r"<title>(.*?)</title>", report).group(1)
    assert "202E" in title.upper()
    assert sum("202E" in text.upper() for text in isolated(report)) >= 3  # heading, note, source file


# ---------------------------------------------------------------------------
# Terminal escapes and other control characters in student text
def test_terminal_escapes_from_student_text_are_shown_not_sent():
    esc = "\x1b[31mRED\x1b[0m"
    result = SubmissionResult("ada" + esc, (
        part("Q1", answer=esc, answer_latex=esc + "x", feedback=f"ValueError: {esc}", details=(esc,)),
        part("Q2", answer=r"$x$ " + esc, cases=(CaseResult("small", True, "incorrect", 0.0, f"raised {esc}",
                                                           f"printed {esc}\x07\r"),)),
    ), notes=(f"q.py: {esc}",))
    for page in (render_student_report(result), render_class_summary([result], title="HW", max_score=2)):
        assert "\x1b" not in page and "\x07" not in page and "\r" not in page
        assert "␛[31m" in page
    assert render_student_report(result).count("␛[31mRED") >= 7


# ---------------------------------------------------------------------------
# In a real browser: the class page and reports of a class with such students
from test_batch import grade  # noqa: E402
from test_browser import ANSWERS, CHROMIUM, FLAGS, REPO  # noqa: E402

SPOOF = "\u202eecila"  # reads "alice" where the override acts
ATTACKERS = {
    "rex": r"RNNs have vanishing gradients with tanh. $\rule{1em}{2500em}$ $\rule{50000em}{1em}$",
    "tall": "RNNs have vanishing gradients with tanh. " + TALL,
    "ovl": r"RNNs use tanh. $\hspace{-30em}\text{NEGATIVE-SPACE}$ $\rlap{OVERLAP-OVERLAP}$ $\Huge\Huge\Huge x$",
    SPOOF: "tanh is fine \x1b[2J\x1b[31mRED",
    "L" * 200: "tanh is fine",  # an id with nowhere to break
}

LAYOUT_PROBE = """
<script>
window.addEventListener("load", () => {
  const top = e => e ? Math.round(e.getBoundingClientRect().top + scrollY) : null;
  const height = e => e ? Math.round(e.getBoundingClientRect().height) : null;
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({
    page_height: document.documentElement.scrollHeight,
    page_width: document.documentElement.scrollWidth,
    parts_top: top(document.getElementById("parts")),
    students_top: top(document.getElementById("students")),
    tallest_box: Math.max(0, ...[...document.querySelectorAll(".bounded")].map(height)),
    // A box scrolls only when its content is too big: an ordinary formula gives it no scroll bar.
    scrolling: [...document.querySelectorAll(".bounded")].filter(b => b.scrollHeight > b.clientHeight
      || b.scrollWidth > b.clientWidth).map(b => b.closest("tr").id),
    students: [...document.querySelectorAll("#students a")].map(a => a.innerText),
  });
  document.body.appendChild(probe);
});
</script>
"""


def layout(page, tmp):
    probed = tmp / f"probed-{abs(hash(str(page)))}.html"
    probed.write_text(page.read_text().replace("</body>", LAYOUT_PROBE + "</body>"))
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--window-size=1280,900",
                          "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    spec = REPO / "problems" / "q2-activations.yaml"
    if not spec.exists():
        pytest.skip("the Q2 problem set is not in this checkout")
    tmp = tmp_path_factory.mktemp("hostile-class")
    subs = tmp / "subs"
    subs.mkdir()
    (subs / "ada.yaml").write_text(ANSWERS)
    for student, paragraph in ATTACKERS.items():
        q24 = json.dumps(paragraph)  # a JSON string is a YAML double-quoted string
        (subs / f"{student}.yaml").write_text(re.sub(r"(?m)^Q2\.4: .*$", lambda _: f"Q2.4: {q24}", ANSWERS))
    run = grade(spec, subs, tmp / "out")
    assert run.returncode == 0, run.stderr
    return tmp / "out"


@pytest.fixture(scope="module")
def class_page(hostile_class, tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    return layout(hostile_class / "index.html", tmp_path_factory.mktemp("class-page"))


def test_huge_maths_leaves_the_class_page_readable(class_page):
    # The parts table (8 parts, the wrong answers of Q2.4 among them) stays a screen or two tall,
    # not tens of thousands of pixels: the Students table is there to be found.
    assert class_page["students_top"] < 3000, class_page  # below two plots and the parts table
    assert class_page["students_top"] - class_page["parts_top"] < 1800, class_page
    assert class_page["page_height"] < 4000 and class_page["page_width"] <= 1280, class_page
    assert len(class_page["students"]) == len(ATTACKERS) + 1


def test_a_spoofed_id_does_not_read_as_another_on_the_class_page(class_page):
    assert "alice" not in class_page["students"] and "⟨U+202E⟩ecila" in class_page["students"], class_page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("student", ["rex", "tall", "ovl"])
def test_huge_maths_leaves_the_student_report_readable(hostile_class, tmp_path, student):
    seen = layout(hostile_class / student / "report.html", tmp_path)
    assert seen["tallest_box"] < 500 and seen["page_height"] < 3000 and seen["page_width"] <= 1280, seen
    assert seen["scrolling"] == (["part-Q2.4"] if student == "tall" else []), seen  # rex's rules are cut to 3 em


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_ordinary_maths_gets_no_scroll_bar(hostile_class, tmp_path, class_page):
    seen = layout(hostile_class / "ada" / "report.html", tmp_path)
    assert seen["scrolling"] == [] and seen["tallest_box"] < 100, seen
    assert class_page["scrolling"] == ["part-Q2.4"], class_page  # the wrong answers, tall's among them


def test_no_raw_controls_reach_the_pages(hostile_class):
    for page in [hostile_class / "index.html", *hostile_class.glob("*/report.html")]:
        text = page.read_text()
        assert "\x1b" not in text and not set(BIDI_CONTROLS) & set(text), page
