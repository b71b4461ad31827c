"""Reviewing a graded class with ``grader override``: an overrides file read as
written, overrides set before their part changed shown where a TA looks
(summary.md, index.html), and typing mistakes answered with what to type.

The class is the project's sample submissions, graded once for the module;
each test works on its own copy of the output folder."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
Q2_4 = '  - label: Q2.4\n    title: "What this implies for training an RNN with back-propagation through time"\n'


def grade(problems: Path, submissions: Path, out: Path) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "grader", "grade", *sorted(map(str, problems.glob("*.yaml"))),
                          "--submissions", str(submissions), "--out", str(out), "--no-progress"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("class") / "out"
    grade(ROOT / "problems", ROOT / "submissions", out)
    return out


@pytest.fixture
def graded(graded_once, tmp_path) -> Path:
    """A copy of the graded class's output folder, with problems/ and submissions/ beside it."""
    shutil.copytree(ROOT / "problems", tmp_path / "problems")
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    return Path(shutil.copytree(graded_once, tmp_path / "out"))


def override(out: Path, *args: str) -> int:
    return main(["override", "--out", str(out), *args])


def stored(out: Path) -> dict[tuple[str, str], tuple[float, str]]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return {(s, label): (score, comment)
                for s, label, score, comment in db.execute("SELECT student, label, score, comment FROM overrides")}


def worth_two_points(problems: Path) -> None:
    """Q2.4 goes from 3 points to 2 (its three rubric ideas 1, ½ and ½)."""
    spec = problems / "q2-activations.yaml"
    text = spec.read_text(encoding="utf-8")
    start = text.index(Q2_4)
    end = text.find("\n  - label:", start + len(Q2_4))
    part = text[start:] if end < 0 else text[start:end]
    head, ideas = part.split("    kind: rubric\n", 1)
    first = ideas.index("        points: 1\n") + len("        points: 1\n")
    new = (head.replace("    points: 3\n", "    points: 2\n") + "    kind: rubric\n" + ideas[:first]
           + ideas[first:].replace("        points: 1\n", "        points: 0.5\n", 2))
    spec.write_text(text.replace(part, new), encoding="utf-8")


# 1. The overrides file ------------------------------------------------------
def test_a_multi_line_comment_in_the_overrides_file_keeps_its_line_breaks(graded, tmp_path, capsys):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text('student,part,score,comment\nbob,Q2.4,1.5,"line one\nline two"\n', encoding="utf-8")
    assert override(graded, "--from", str(overrides)) == 0
    assert stored(graded)[("bob", "Q2.4")] == (1.5, "line one\nline two")
    report = json.loads((graded / "bob" / "results.json").read_text(encoding="utf-8"))
    q24 = next(t for t in report["tests"] if t["number"] == "Q2.4")
    assert "line one\nline two" in q24["output"]


def test_a_bad_row_after_a_multi_line_comment_is_named_by_its_line_in_the_file(graded, tmp_path, capsys):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text('student,part,score,comment\n'
                         'bob,Q2.4,1.5,"line one\nline two\nline three"\n'  # lines 2 to 4
                         '\n'
                         'carol,Q2.4,lots,\n'  # line 6
                         'alice,Q2.4,9,\n', encoding="utf-8")  # line 7
    assert override(graded, "--from", str(overrides)) == 2
    err = capsys.readouterr().err
    assert f"{overrides}, line 6: the score 'lots' is not a number" in err
    capsys.readouterr()
    overrides.write_text(overrides.read_text(encoding="utf-8").replace("lots", "1"), encoding="utf-8")
    assert override(graded, "--from", str(overrides)) == 2
    assert f"{overrides}, line 7: the score 9 for Q2.4 is outside 0…3" in capsys.readouterr().err
    assert stored(graded) == {}


# 2 and 3. Overrides set before their part changed ---------------------------
def test_an_override_on_a_part_whose_points_changed_is_listed_and_marked_for_review(graded, capsys):
    assert override(graded, "bob", "Q2.4", "1.5", "--comment", "two ideas of three") == 0
    assert override(graded, "alice", "A1", "1", "--comment", "untouched part") == 0
    problems = graded.parent / "problems"
    worth_two_points(problems)
    run = grade(problems, graded.parent / "submissions", graded)
    note = run.stderr[run.stderr.index("instructor override(s) were set on"):]
    assert "1 instructor override(s) were set on an answer, automatic verdict or points" in run.stderr
    assert "bob Q2.4: 1.5 points by the instructor" in note and "of 3 points" in note and "of 2 points" in note
    assert "alice A1" not in note

    summary = (graded / "summary.md").read_text(encoding="utf-8")
    bob = next(line for line in summary.splitlines() if line.startswith("- bob Q2.4"))
    assert bob.startswith("- bob Q2.4: 1.5 / 2") and "⚠ set before the answer, automatic verdict or points changed" in bob
    alice = next(line for line in summary.splitlines() if line.startswith("- alice A1"))
    assert "⚠" not in alice

    page = (graded / "index.html").read_text(encoding="utf-8")
    row = page[page.index('href="bob/report.html"'):]
    row = row[:row.index("</tr>")]
    assert re.search(r"⚠ to review, set before the answer, automatic verdict or points changed: Q2\.4", row)
    alice_row = page[page.index('href="alice/report.html"'):]
    assert "⚠" not in alice_row[:alice_row.index("</tr>")]

    capsys.readouterr()
    assert override(graded, "bob", "Q2.4", "1", "--comment", "confirmed out of 2") == 0  # set again: reviewed
    assert "⚠" not in (graded / "summary.md").read_text(encoding="utf-8")
    assert "⚠" not in (graded / "index.html").read_text(encoding="utf-8")


def test_an_override_from_a_gradebook_that_did_not_keep_the_points_is_not_flagged(graded):
    assert override(graded, "bob", "Q2.4", "1.5") == 0
    with sqlite3.connect(graded / "gradebook.sqlite") as db:  # as an older grader stored it
        (answered,) = db.execute("SELECT answered FROM overrides").fetchone()
        older = {k: v for k, v in json.loads(answered).items() if k != "max_score"}
        db.execute("UPDATE overrides SET answered = ?", (json.dumps(older, sort_keys=True),))
    run = grade(ROOT / "problems", ROOT / "submissions", graded)
    assert "changed since" not in run.stderr
    assert "⚠" not in (graded / "summary.md").read_text(encoding="utf-8")


# 4. The class page names the parts ------------------------------------------
def test_the_class_page_names_the_provisional_parts(graded):
    page = (graded / "index.html").read_text(encoding="utf-8")
    row = page[page.index('href="carol/report.html"'):]
    assert '<span class="attention">1 part provisional: Q2.4</span>' in row[:row.index("</tr>")]
    assert "3 part verdicts to review" in page


def test_one_part_to_review_reads_in_the_singular(graded):
    for student in ("alice", "bob"):
        assert override(graded, student, "Q2.4", "2") == 0
    assert "1 part verdict to review" in (graded / "index.html").read_text(encoding="utf-8")


# 6. summary.md is the instructor's record ----------------------------------
def test_summary_md_lists_every_override(graded, tmp_path):
    labels = [t["number"] for t in json.loads((graded / "bob" / "results.json").read_text())["tests"]]
    rows = [f"{student},{label},0,reviewed" for student in ("alice", "bob") for label in labels[:13]]
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,part,score,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert override(graded, "--from", str(overrides)) == 0
    summary = (graded / "summary.md").read_text(encoding="utf-8")
    assert "26 part scores set by the instructor" in summary
    listed = [line for line in summary.splitlines() if line.startswith(("- alice ", "- bob "))]
    assert len(listed) == 26 and "more" not in summary


# 5. Typing mistakes ----------------------------------------------------------
def test_a_part_label_in_other_case_is_the_part(graded, capsys):
    assert override(graded, "bob", "q2.4", "2") == 0
    assert "bob Q2.4: 2 points (set by the instructor)" in capsys.readouterr().out
    assert stored(graded) == {("bob", "Q2.4"): (2.0, "")}


@pytest.mark.parametrize(("student", "part", "suggested"), [
    ("bbo", "Q2.4", "did you mean 'bob'?"),
    ("bob", "Q2.44", "did you mean 'Q2.4'?"),
])
def test_a_typo_in_a_student_or_part_gets_the_closest_one(graded, capsys, student, part, suggested):
    assert override(graded, student, part, "1") == 2
    assert suggested in capsys.readouterr().err
    assert stored(graded) == {}


def test_a_score_just_over_the_top_is_shown_as_typed(graded, capsys):
    assert override(graded, "bob", "Q2.4", "3.0000001") == 2
    assert "the score 3.0000001 for Q2.4 is outside 0…3" in capsys.readouterr().err


def test_minus_zero_is_zero(graded, capsys):
    assert override(graded, "bob", "Q2.4", "-0") == 0
    assert "bob Q2.4: 0 points (set by the instructor)" in capsys.readouterr().out
    summary = (graded / "summary.md").read_text(encoding="utf-8")
    assert "- bob Q2.4: 0 / 3" in summary and "-0" not in summary


def test_removing_an_override_that_is_not_there_says_so_and_rewrites_nothing(graded, capsys):
    before = {path: path.stat().st_mtime_ns for path in graded.rglob("*") if path.is_file()}
    assert override(graded, "bob", "Q2.4", "--remove") == 2
    err = capsys.readouterr().err
    assert "bob Q2.4 has no override to remove" in err and "nothing was changed" in err
    assert "rewritten" not in err
    after = {path: path.stat().st_mtime_ns for path in graded.rglob("*") if path.is_file()
             and path.name != "gradebook.sqlite"}
    assert after == {path: t for path, t in before.items() if path.name != "gradebook.sqlite"}


def test_a_student_who_left_the_class_is_named_as_such(graded, capsys):
    submissions = graded.parent / "submissions"
    shutil.rmtree(submissions / "carol")
    grade(graded.parent / "problems", submissions, graded)
    assert override(graded, "carol", "Q2.4", "1") == 2
    err = capsys.readouterr().err
    assert "'carol' is no longer in the class" in err and "no student" not in err
    assert "put their submission back and grade again" in err
    assert stored(graded) == {}


def test_summary_md_lists_overrides_that_apply_to_nothing_now(graded):
    assert override(graded, "bob", "Q2.4", "1.5", "--comment", "two ideas") == 0
    assert override(graded, "carol", "Q2.4", "2") == 0
    problems, submissions = graded.parent / "problems", graded.parent / "submissions"
    spec = problems / "q2-activations.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("- label: Q2.4\n", "- label: Q2.5\n"), encoding="utf-8")
    shutil.rmtree(submissions / "carol")
    grade(problems, submissions, graded)
    summary = (graded / "summary.md").read_text(encoding="utf-8")
    assert "2 part scores set by the instructor apply to nothing now (kept in the gradebook)" in summary
    assert "- bob Q2.4: 1.5 — two ideas (the part is not in the problem specs any more)" in summary
    assert "- carol Q2.4: 2 (the student has no submission any more)" in summary
