"""A class run and its overrides when the class changes under them: renamed
entries, outputs edited since, ids that differ only by case, overrides files
naming one part twice."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from grader.cli import main
from test_batch import answers, outputs, write_spec


def small_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for number, student in enumerate(["ann", "bob", "cat"]):
        (subs / student).mkdir(parents=True)
        (subs / student / "answers.yaml").write_text(answers(number + 1))
    return subs


def grade(spec: Path, subs: Path, out: Path, capsys) -> tuple[int, str]:
    code = main(["grade", str(spec), "--submissions", str(subs), "--out", str(out), "--no-progress"])
    return code, capsys.readouterr().err


def p3(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))["tests"][2]


def stored_overrides(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute("SELECT student, label, score, comment FROM overrides").fetchall()


def test_an_override_of_a_renamed_entry_is_listed_by_every_run_with_how_to_move_it(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    assert main(["override", "--out", str(out), "bob", "P3", "1", "--comment", "by hand"]) == 0
    (subs / "bob").rename(subs / "bob2")

    for _ in range(2):  # said on every run, not only the one that saw the rename
        code, err = grade(spec, subs, out, capsys)
        assert code == 0, err
        assert "1 instructor override(s) apply to no one: the student has no submission any more" in err
        assert '  bob P3: 1 point, "by hand"' in err
        assert "enter it again under the new id" in err and f"--out {out} STUDENT PART --remove" in err
    assert stored_overrides(out) == [("bob", "P3", 1.0, "by hand")]

    (subs / "bob2").rename(subs / "bob")  # back under its old name: the override applies again
    code, err = grade(spec, subs, out, capsys)
    assert "apply to no one" not in err
    assert p3(out, "bob")["score"] == 1


def test_a_student_output_that_differs_from_the_gradebook_is_written_again(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    clean = outputs(out)
    report = (out / "bob" / "report.html").read_bytes()
    (out / "ann" / "results.json").write_text("garbage\n")
    (out / "bob" / "report.html").write_text("<p>edited</p>\n")

    code, err = grade(spec, subs, out, capsys)
    assert code == 0 and "graded 0 submission(s), kept 3" in err
    assert outputs(out) == clean
    assert (out / "bob" / "report.html").read_bytes() == report


def test_a_rerun_leaves_files_that_are_already_right_alone(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    files = [out / s / name for s in ("ann", "bob", "cat") for name in ("results.json", "report.html")]
    before = {f: f.stat().st_ino for f in files}
    assert grade(spec, subs, out, capsys)[0] == 0
    assert {f: f.stat().st_ino for f in files} == before  # not replaced: no new file was renamed over them


def test_removing_the_override_of_a_student_who_left_rewrites_their_folder(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    automatic = p3(out, "cat")
    assert main(["override", "--out", str(out), "cat", "P3", "0.5", "--comment", "by hand"]) == 0
    assert p3(out, "cat")["extra_data"]["overridden"]
    (subs / "cat" / "answers.yaml").unlink()
    (subs / "cat").rmdir()
    code, err = grade(spec, subs, out, capsys)
    assert "Their folders under" in err and "are left as they were" in err
    assert p3(out, "cat")["extra_data"]["overridden"]  # a run leaves the folder of a student who left alone

    capsys.readouterr()
    assert main(["override", "--out", str(out), "cat", "P3", "--remove"]) == 0
    said = capsys.readouterr().out
    assert "cat P3: override removed" in said
    assert f"cat has no submission any more, so is not in the class files; their folder {out / 'cat'}/ " \
           "was rewritten" in said
    assert p3(out, "cat") == automatic
    assert "cat" not in (out / "grades.csv").read_text()


def test_an_override_for_a_student_who_left_and_whose_folder_was_deleted_says_so(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    assert main(["override", "--out", str(out), "cat", "P3", "0.5"]) == 0
    (subs / "cat").rename(tmp_path / "cat-away")
    grade(spec, subs, out, capsys)
    for name in ("results.json", "report.html"):
        (out / "cat" / name).unlink()
    (out / "cat").rmdir()
    assert main(["override", "--out", str(out), "cat", "P3", "--remove"]) == 0
    assert f"they have no folder under {out}/ to rewrite" in capsys.readouterr().out
    assert not (out / "cat").exists()  # not made again


@pytest.mark.parametrize("names, other", [(["ann", "Ann"], None), (["ann", "ANN.yaml"], None),
                                          (["Index.HTML"], "index.html"), (["GRADES.csv.yaml"], "grades.csv")])
def test_ids_that_differ_only_by_case_are_refused_before_grading(tmp_path, capsys, names, other):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in names:
        if name.endswith(".yaml"):
            (subs / name).write_text(answers(0))
        else:
            (subs / name).mkdir()
            (subs / name / "answers.yaml").write_text(answers(0))
    code, err = grade(spec, subs, out, capsys)
    assert code == 2
    if other is None:
        assert "whose ids differ only by case" in err and "Rename one of them (nothing was graded)" in err
    else:
        assert f"would take the place of the class's own {other} on a file system that ignores case" in err
    assert not (out / "gradebook.sqlite").exists()


def test_an_overrides_file_with_two_rows_for_one_part_is_refused_naming_both_lines(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    before = outputs(out)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,part,score,comment\nann,P3,1,yes\nbob,P3,0,no\nann,P3,0.5,or not\n")
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 2
    err = capsys.readouterr().err
    assert f"{overrides}, lines 2 and 4 are both for ann's P3; keep one row per student and part" in err
    assert stored_overrides(out) == [] and outputs(out) == before


def test_an_overrides_file_names_every_bad_row_at_once(tmp_path, capsys):
    """An instructor fixes the file in one go, not one error per run."""
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    before = outputs(out)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,part,score,comment\nann,P3,1,fine\nann,P3,0,again\nzed,P3,1,who\n"
                         "bob,P9,1,what\nbob,P3,99,too many\n")
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 2
    err = capsys.readouterr().err
    assert f"4 rows of {overrides} cannot be used; nothing was changed" in err
    assert f"{overrides}, lines 2 and 3 are both for ann's P3" in err
    assert f"{overrides}, line 4: no student 'zed' in the gradebook" in err
    assert f"{overrides}, line 5: 'P9' is not a part of bob's results" in err
    assert f"{overrides}, line 6: the score 99 for P3 is outside 0…" in err
    assert stored_overrides(out) == [] and outputs(out) == before


def test_one_point_is_said_in_the_singular(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), small_class(tmp_path), tmp_path / "out"
    assert grade(spec, subs, out, capsys)[0] == 0
    assert main(["override", "--out", str(out), "ann", "P3", "1"]) == 0
    assert main(["override", "--out", str(out), "bob", "P1", "1.5"]) == 0
    said = capsys.readouterr().out
    assert "ann P3: 1 point (set by the instructor)" in said
    assert "bob P1: 1.5 points (set by the instructor)" in said


def test_a_rubric_part_not_answered_is_not_left_for_review(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ann.yaml").write_text("P1: [1, 2, 3]\nP2: [1, 2]\n")  # no P3, the rubric part
    (subs / "bob.yaml").write_text(answers(0))
    assert grade(spec, subs, out, capsys)[0] == 0
    ann, bob = p3(out, "ann")["extra_data"], p3(out, "bob")["extra_data"]
    assert (ann["verdict"], ann["provisional"]) == ("not answered", False)
    assert bob["provisional"]  # an answer to a rubric part is still the instructor's to confirm
    summary = (out / "summary.md").read_text()
    row = next(line for line in summary.splitlines() if line.startswith("| P3 "))
    assert row.endswith("| 1 | 1 |")  # one not answered, one to review
    assert "1 part verdict to review" in (out / "index.html").read_text()


def test_hidden_files_in_a_problems_folder_are_not_specs(tmp_path, capsys):
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = write_spec(specs)
    (specs / ".mini-old.yaml").write_text(spec.read_text())  # the same id twice would be refused
    (specs / ".git").mkdir()
    (specs / ".git" / "config.yaml").write_text("core: {}\n")
    subs = small_class(tmp_path)
    code = main(["grade", str(specs), "--submissions", str(subs), "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert main(["validate", str(specs / ".mini-old.yaml")]) == 0  # named on its own, it is read

    spec.unlink()
    assert main(["validate", str(specs)]) == 2
    assert "no problem specs (*.yaml) found here: hidden files (.git/config.yaml, .mini-old.yaml) are left " \
           "out" in capsys.readouterr().err


def test_a_class_folder_of_answers_files_given_as_problems_gets_one_hint(tmp_path, capsys):
    spec, subs = write_spec(tmp_path), tmp_path / "subs"
    subs.mkdir()
    for number in range(5):
        (subs / f"s{number}.yaml").write_text(answers(number))
    (subs / "broken.yaml").write_text("P1: [\n")
    (subs / "ann").mkdir()
    (subs / "ann" / "q2.md").write_text("## P1\n\n$[1, 2]$\n")
    assert main(["grade", str(spec), str(subs), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{subs}: no problem specs here: its .yaml files (broken.yaml, s0.yaml, s1.yaml …) are not problem " \
           f"sets (no 'title' or 'parts'); if it holds submissions, pass it as --submissions {subs}" in err
    assert "unknown key" not in err and len(err.splitlines()) == 2


def test_a_broken_spec_keeps_its_own_error_next_to_other_files(tmp_path, capsys):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "mini.yaml").write_text("id: [\n")
    (specs / "README.md").write_text("# The specs\n")
    assert main(["validate", str(specs)]) == 2
    err = capsys.readouterr().err
    assert "mini.yaml" in err and "--submissions" not in err
