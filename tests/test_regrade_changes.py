"""What a class run says after the instructor changed the specs: whose totals the regrade changed,
that grades.csv's score column was renamed when a problem set is no longer graded, and which
current part an override of a renamed part probably meant."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BASICS = """\
id: basics
title: "Basics"
parts:
  - label: A1
    title: "The pair (a, b)"
    points: 2
    kind: tuple
    reference: "(1, 2)"
    mistakes:
      - value: "(2, 1)"
        feedback: "Swapped."
        credit: 0.5
  - label: A2d
    title: "A half"
    points: 1
    kind: expression
    reference: "1/2"
"""

VECTORS = """\
id: vectors
title: "Vectors"
parts:
  - label: V1
    title: "The vector v"
    points: 1
    kind: array
    reference: "[1, 2, 3]"
"""


def write_specs(folder: Path) -> Path:
    specs = folder / "specs"
    specs.mkdir()
    (specs / "basics.yaml").write_text(BASICS)
    (specs / "vectors.yaml").write_text(VECTORS)
    return specs


def write_class(folder: Path, answers: dict[str, str]) -> Path:
    subs = folder / "class"
    subs.mkdir()
    for student, text in answers.items():
        (subs / student).mkdir()
        (subs / student / "answers.yaml").write_text(text)
    return subs


def grade(specs: Path, subs: Path, out: Path, *extra: str) -> str:
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(specs), "--submissions", str(subs),
                          "--out", str(out), "--no-progress", *extra],
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    assert run.returncode == 0, run.stderr
    return run.stderr


def override(out: Path, student: str, label: str, score: str) -> None:
    run = subprocess.run([sys.executable, "-m", "grader", "override", "--out", str(out), student, label, score],
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    assert run.returncode == 0, run.stderr


CLASS = {
    "dave": "A1: (1, 2)\nA2d: 1/2\nV1: [1, 2, 3]\n",  # 4 of 4
    "erin": "A1: (2, 1)\nA2d: 1/2\nV1: [1, 2, 3]\n",  # the known mistake: 3 of 4
    "fay": "A1: (5, 5)\nA2d: 1/3\nV1: [1, 2, 3]\n",  # 1 of 4
}


def test_a_spec_change_says_whose_totals_changed_from_what_to_what(tmp_path):
    specs, subs, out = write_specs(tmp_path), write_class(tmp_path, CLASS), tmp_path / "out"
    grade(specs, subs, out)

    # A1 worth 4 points: dave's right answer and erin's half credit count for more, fay's wrong one does not.
    (specs / "basics.yaml").write_text(BASICS.replace("points: 2", "points: 4"))
    err = grade(specs, subs, out)
    assert "basics spec changed: 3 students regraded for basics only" in err
    assert "totals changed for 2 of 3 students regraded: dave 4 → 6, erin 3 → 4" in err, err

    # A feedback typo fixed: everyone is regraded, nobody's total moves.
    (specs / "basics.yaml").write_text(BASICS.replace("points: 2", "points: 4").replace("Swapped.", "Swapped!"))
    err = grade(specs, subs, out)
    assert "basics spec changed: 3 students regraded for basics only" in err
    assert "no total changed for the 3 students regraded" in err, err
    assert "totals changed for" not in err


def test_totals_are_compared_as_grades_csv_has_them_with_overrides(tmp_path):
    specs, subs, out = write_specs(tmp_path), write_class(tmp_path, CLASS), tmp_path / "out"
    grade(specs, subs, out)
    override(out, "dave", "A1", "2")  # the instructor's 2 points stay 2 whatever A1 is worth
    (specs / "basics.yaml").write_text(BASICS.replace("points: 2", "points: 4"))
    err = grade(specs, subs, out)
    assert "totals changed for 1 of 3 students regraded: erin 3 → 4" in err, err


def test_a_long_list_of_changed_totals_is_cut_after_ten_names(tmp_path):
    answers = {f"s{number:02d}": CLASS["dave"] for number in range(12)}
    specs, subs, out = write_specs(tmp_path), write_class(tmp_path, answers), tmp_path / "out"
    grade(specs, subs, out)
    (specs / "basics.yaml").write_text(BASICS.replace("points: 2", "points: 4"))
    err = grade(specs, subs, out)
    shown = ", ".join(f"s{number:02d} 4 → 6" for number in range(10))
    assert f"totals changed for 12 of 12 students regraded: {shown} …" in err, err


def test_a_problem_set_no_longer_graded_says_grades_csv_column_is_renamed(tmp_path):
    specs, subs, out = write_specs(tmp_path), write_class(tmp_path, CLASS), tmp_path / "out"
    err = grade(specs, subs, out)
    assert "no longer graded" not in err
    assert (out / "grades.csv").read_text().splitlines()[0].endswith('"Basics + Vectors"')

    (specs / "vectors.yaml").rename(tmp_path / "vectors.yaml")
    err = grade(specs, subs, out)
    assert (out / "grades.csv").read_text().splitlines()[0].endswith('"Basics"')
    assert ("vectors is no longer graded (its spec is not among the problem specs given); grades.csv's score "
            "column is now 'Basics' (was 'Basics + Vectors'): Canvas takes a column it does not have for a new "
            "assignment; to keep filling the old one, run the same command again with "
            "--assignment 'Basics + Vectors' (results already graded are kept)") in err, err

    # As the note says: --assignment brings the old column back, and keeps it when a set comes back.
    err = grade(specs, subs, out, "--assignment", "Basics + Vectors")
    assert (out / "grades.csv").read_text().splitlines()[0].endswith('"Basics + Vectors"')
    assert "Canvas takes" not in err and "no longer graded" not in err
    (tmp_path / "vectors.yaml").rename(specs / "vectors.yaml")
    err = grade(specs, subs, out)
    assert ("note: vectors is graded now (the last run did not grade it); grades.csv's score column stays "
            "'Basics + Vectors' (--assignment)") in err, err
    assert "Canvas takes" not in err

    # The same problem sets as the last run: nothing said.
    err = grade(specs, subs, out)
    assert "the last run did not grade it" not in err and "no longer graded" not in err


def test_an_override_of_a_renamed_part_suggests_the_part_it_likely_meant(tmp_path):
    specs, subs, out = write_specs(tmp_path), write_class(tmp_path, CLASS), tmp_path / "out"
    grade(specs, subs, out)
    override(out, "dave", "A2d", "0.5")
    (specs / "basics.yaml").write_text(BASICS.replace("label: A2d", "label: A2(d)"))
    err = grade(specs, subs, out)
    assert "dave A2d: 0.5 points (did you mean 'A2(d)'?)" in err, err
