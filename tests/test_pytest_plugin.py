"""The pytest plugin, run as students run it: `pytest --grader SPECS SUBMISSION` in a subprocess."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parents[1] / "submissions"  # the sample class: alice is right, bob follows the tutorial
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest in a folder of its own (its own ini file, no cache), as a student would run it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\njunit_family = xunit1\n", encoding="utf-8")  # xunit1 records file and line
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
                           "--rootdir", str(tmp_path), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)


def outcomes(junit: Path) -> dict[str, tuple[str, ET.Element]]:
    """label → (passed | failed | skipped, the testcase element)."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = "failed" if case.find("failure") is not None else \
            "skipped" if case.find("skipped") is not None else "passed"
        found[case.get("name")] = (outcome, case)
    return found


def test_one_item_per_part_with_outcomes_explanations_and_locations(tmp_path):
    submission = tmp_path / "ann"
    submission.mkdir()
    (submission / "foundations.py").write_bytes((SAMPLES / "bob" / "foundations.py").read_bytes())
    run = run_pytest(tmp_path, "--grader", str(FOUNDATIONS), str(submission), "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 1, run.stdout + run.stderr  # some parts fail
    found = outcomes(tmp_path / "j.xml")
    spec = load_problem_set(FOUNDATIONS)
    assert sorted(found) == sorted(p.label for p in spec.parts)
    passed = sorted(label for label, (outcome, _) in found.items() if outcome == "passed")
    assert passed == []  # the tutorial's naive sigmoid and softmax overflow on the handout's large inputs
    assert "25 failed" in run.stdout
    # repr_failure explains like the report: points, verdict, the targeted feedback, the failing public case.
    b5 = found["B5"][1].find("failure").text
    assert "B5 trapezoid(y, x): 0 / 2 points — incorrect" in b5
    assert "np.trapz was removed in NumPy 2" in b5
    assert "✗ tutorial example (x² on [0, 1])" in b5
    assert f"(the part is at {FOUNDATIONS}:{spec.part('B5').line})" in b5  # where to look, in the text itself
    assert "Traceback" not in run.stdout
    # reportinfo: the spec file and the part's line (pytest counts from 0).
    a6 = found["A6"][1]
    assert a6.get("file").endswith("foundations.yaml")
    assert int(a6.get("line")) == spec.part("A6").line - 1
    assert "do not pass their public checks yet" in run.stdout and "hidden checks will run at grading" in run.stdout


def test_a_right_submission_passes_and_untouched_sets_are_skipped(tmp_path):
    run = run_pytest(tmp_path, "--grader", str(ROOT / "problems"), str(SAMPLES / "alice" / "foundations.py"),
                     "--junitxml", str(tmp_path / "j.xml"), "-rs")
    assert run.returncode == 0, run.stdout + run.stderr
    # The skip summary points at each part in its spec, not into the plugin's code.
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped and all("q2-activations.yaml:" in line for line in skipped), skipped
    found = outcomes(tmp_path / "j.xml")
    by_outcome = {}
    for label, (outcome, _) in found.items():
        by_outcome.setdefault(outcome, []).append(label)
    assert len(by_outcome["passed"]) == 25
    assert sorted(by_outcome["skipped"]) == sorted(p.label for p in load_problem_set(ROOT / "problems" / "q2-activations.yaml").parts)
    assert "public checks passed" in run.stdout and "all tests passed" not in run.stdout.lower()


def test_inert_without_the_option(tmp_path):
    (tmp_path / "foundations.py").write_bytes((SAMPLES / "alice" / "foundations.py").read_bytes())
    run = run_pytest(tmp_path, str(tmp_path / "foundations.py"))
    assert run.returncode == 5, run.stdout  # pytest: no tests collected
    assert "no tests ran" in run.stdout


def test_a_broken_spec_is_a_usage_error_naming_file_and_line(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("id: bad\ntitle: Bad\nparts:\n  - label: P1\n    title: t\n    point: 2\n    kind: number\n"
                    "    reference: '1'\n", encoding="utf-8")
    (tmp_path / "answers.yaml").write_text("P1: 1\n", encoding="utf-8")
    run = run_pytest(tmp_path, "--grader", str(spec), str(tmp_path / "answers.yaml"))
    assert run.returncode == 4, run.stdout + run.stderr
    assert "bad.yaml, line 6: unknown key 'point'" in run.stderr
    assert "Traceback" not in run.stderr


def test_hidden_cases_asked_of_a_published_copy_is_a_usage_error(tmp_path):
    published = tmp_path / "published"
    run = subprocess.run([sys.executable, "-m", "grader", "publish", str(FOUNDATIONS), "--out", str(published)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    (tmp_path / "foundations.py").write_bytes((SAMPLES / "alice" / "foundations.py").read_bytes())
    run = run_pytest(tmp_path, "--grader", str(published), "--grader-hidden", str(tmp_path / "foundations.py"))
    assert run.returncode == 4, run.stdout + run.stderr
    assert "is a published copy" in run.stderr and "holds no hidden cases" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_summary_line_leaves_out_points_only_grading_gives(tmp_path):
    published = tmp_path / "published"
    run = subprocess.run([sys.executable, "-m", "grader", "publish", str(ROOT / "problems"), "--out", str(published)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    run = run_pytest(tmp_path, "--grader", str(published), str(SAMPLES / "alice"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "grader: alice: 50 / 50 points on the public checks (13 more checked at grading); public checks " \
        "passed" in run.stdout


def test_the_plugin_and_grader_check_count_the_same_hidden_checks(tmp_path):
    """Q2 answered only in writing runs none of its functions' hidden cases: neither front end counts them."""
    import re

    check = subprocess.run([sys.executable, "-m", "grader", "check", str(ROOT / "problems"), str(SAMPLES / "alice")],
                           capture_output=True, text=True, timeout=600)
    plugin = run_pytest(tmp_path, "--grader", str(ROOT / "problems"), str(SAMPLES / "alice"))
    counts = [re.findall(r"(\d+) hidden checks? will run at grading", run.stdout + run.stderr)
              for run in (check, plugin)]
    assert counts[0] and counts[0] == counts[1], (check.stdout, plugin.stdout)
