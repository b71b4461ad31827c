"""Reports in a real headless browser: maths laid out as MathML, plots drawn, nothing fetched.

Needs Chromium (Debian: ``apt-get install -y chromium chromium-driver``);
skipped cleanly without it.  The report is copied with a small probe script
appended that measures the page after layout and writes what it found into
the DOM, which ``--dump-dom`` prints.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_batch import grade

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]

PROBE = """
<script>
window.addEventListener("load", () => {
  const NS = "http://www.w3.org/1998/Math/MathML";
  const maths = [...document.querySelectorAll("math")];
  const fracs = [...document.querySelectorAll("mfrac")].map(f => {
    const [num, den] = [...f.children].map(c => c.getBoundingClientRect());
    return {stacked: num.bottom <= den.top + 1, display: getComputedStyle(f).display};
  });
  const svgs = [...document.querySelectorAll("svg")].map(s => {
    const box = s.getBoundingClientRect();
    return {width: box.width, height: box.height, shapes: s.querySelectorAll("path, rect, use").length};
  });
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({
    maths: maths.length,
    mathml_namespace: maths.every(m => m.namespaceURI === NS),
    math_display: [...new Set(maths.map(m => getComputedStyle(m).display))],
    math_sized: maths.every(m => m.getBoundingClientRect().width > 0),
    fracs, svgs,
    resources: performance.getEntriesByType("resource").map(r => r.name),
  });
  document.body.appendChild(probe);
});
</script>
"""

ANSWERS = r"""Q2.1a: '\frac{1}{4}'
Q2.1b: '1 - \varepsilon^{2}'
Q2.2: '(-\infty, \infty)'
Q2.3a: '\frac{1}{4}'
Q2.3b: 0.2505
Q2.3c: [0.2505, 9.9e-4, 9.7e-7, 9.4e-13]
Q2.3d: approx
Q2.4: 'Back-propagation through time multiplies one derivative per time step; the sigmoid derivative is at most 1/4, tanh at most 1, so the gradient shrinks like (1/4)^T.'
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    spec = REPO / "problems" / "q2-activations.yaml"
    if not spec.exists():
        pytest.skip("the Q2 problem set is not in this checkout")
    tmp = tmp_path_factory.mktemp("browser")
    subs = tmp / "subs"
    subs.mkdir()
    (subs / "ada.yaml").write_text(ANSWERS)
    (subs / "ben.yaml").write_text(ANSWERS.replace(r"1 - \varepsilon^{2}", "1").replace("approx", "true"))
    (subs / "cy.yaml").write_text(ANSWERS.replace(r"Q2.1a: '\frac{1}{4}'", r"Q2.1a: '\frac{1}{2}'"))
    run = grade(spec, subs, tmp / "out")
    assert run.returncode == 0, run.stderr
    return tmp / "out"


def probe(page: Path, tmp: Path) -> dict:
    probed = tmp / f"probed-{page.parent.name}-{page.name}"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=5000",
                          "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    import html

    return json.loads(html.unescape(found.group(1)))


def test_student_report_renders_maths_as_mathml(graded, tmp_path):
    seen = probe(graded / "ada" / "report.html", tmp_path)
    assert seen["maths"] >= 4 and seen["mathml_namespace"] and seen["math_sized"]
    assert all("math" in d for d in seen["math_display"]), seen["math_display"]  # laid out as MathML
    assert seen["fracs"] and all(f["stacked"] for f in seen["fracs"])  # numerator above denominator
    assert seen["resources"] == []  # nothing fetched: the page is self-contained


def test_class_summary_draws_its_plots(graded, tmp_path):
    seen = probe(graded / "index.html", tmp_path)
    assert len(seen["svgs"]) == 2
    assert all(s["width"] > 200 and s["height"] > 100 and s["shapes"] > 5 for s in seen["svgs"]), seen["svgs"]
    assert seen["resources"] == []


def test_screenshot_of_a_student_report(graded, tmp_path):
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,900",
                    f"--screenshot={shot}", (graded / "cy" / "report.html").as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 10_000 < shot.stat().st_size < 300_000


if __name__ == "__main__":  # regenerate docs/report-screenshot.png
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subs = Path(tmp) / "subs"
        subs.mkdir()
        (subs / "student.yaml").write_text(ANSWERS.replace(r"Q2.1a: '\frac{1}{4}'", r"Q2.1a: '\frac{1}{4} + \frac{\varepsilon}{4}'"))
        grade(REPO / "problems" / "q2-activations.yaml", subs, out)
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp}/profile", "--window-size=1280,1000",
                        f"--screenshot={REPO / 'docs' / 'report-screenshot.png'}",
                        (out / "student" / "report.html").as_uri()], capture_output=True, timeout=120)
    print((REPO / "docs" / "report-screenshot.png").stat().st_size, "bytes", file=sys.stderr)
