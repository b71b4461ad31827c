"""A messy class graded with `grader grade`, as an instructor meets it: files the grader does
not read are named to the student (never a silent zero), names spelt in either Unicode form are one
student, a changed answer under an override shows what changed, and a kept roster still reports."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
ALICE_Q2 = ROOT / "submissions" / "alice" / "q2.md"
ALICE_CODE = ROOT / "submissions" / "alice" / "foundations.py"

READ_KINDS = "the grader reads code (.py, .ipynb), Markdown or text (.md, .qmd, .Rmd, .txt) and answers files (.yaml)"


def grade(capsys, subs: Path, out: Path, *specs: Path, extra: tuple[str, ...] = ()) -> str:
    """Run `grader grade` on ``subs`` and return what it printed on stderr."""
    capsys.readouterr()
    code = main(["grade", *(str(s) for s in specs or (Q2,)), "--submissions", str(subs), "--out", str(out),
                 "--no-progress", *extra])
    assert code == 0
    return capsys.readouterr().err


def notes(out: Path, student: str) -> list[str]:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))["output"].splitlines()[1:]


def entry(subs: Path, student: str, files: dict[str, str | bytes]) -> Path:
    folder = subs / student
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------
# 1. Files that are not read are named, and a misnamed submission says what to hand in
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00word/document.xml"


def test_a_pdf_or_word_file_is_named_with_what_to_hand_in_instead(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "wes", {"q2.pdf": PDF})
    entry(subs, "xena", {"Q2_answers.docx": DOCX})
    grade(capsys, subs, out)
    for student, name, kind in (("wes", "q2.pdf", "a PDF"), ("xena", "Q2_answers.docx", "a Word document")):
        said = (f"{name} is {kind}, which the grader does not read: hand in the written answers as q2.md "
                "or answers.yaml instead.")
        assert notes(out, student) == [said]
        assert said in (out / student / "report.html").read_text(encoding="utf-8")
        assert said[:100] in (out / "index.html").read_text(encoding="utf-8")  # the class page shortens notes
        assert said in (out / "gradebook.sqlite").read_bytes().decode("utf-8", "replace")


def test_quarto_and_r_markdown_documents_are_read_as_markdown_and_a_web_page_is_named(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    front = '---\ntitle: "Homework 2"\nformat: html\n---\n\n```{python}\nimport numpy as np\n```\n\n'
    entry(subs, "quinn", {"q2.qmd": front + ALICE_Q2.read_text()})
    entry(subs, "rhea", {"Q2.Rmd": front.replace("{python}", "{r}") + ALICE_Q2.read_text()})
    entry(subs, "hal", {"q2.html": "<html><body><h2>Q2.1</h2><p>1/4</p></body></html>"})
    grade(capsys, subs, out)
    alice = tmp_path / "ALICE"
    grade(capsys, ROOT / "submissions", alice)
    full = json.loads((alice / "alice" / "results.json").read_text())["score"]
    for student in ("quinn", "rhea"):
        assert json.loads((out / student / "results.json").read_text())["score"] == full
        assert notes(out, student) == []
    assert notes(out, "hal") == ["q2.html is a web page, which the grader does not read: hand in the written "
                                 "answers as q2.md or answers.yaml instead."]


def test_code_saved_as_text_is_named_with_the_file_to_hand_in(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "xena", {"foundations.py.txt": ALICE_CODE.read_text(), "Q2_answers.docx": DOCX})
    grade(capsys, subs, out, Q2, FOUNDATIONS)  # nothing runs: there is no code file to run
    said = notes(out, "xena")
    assert ("foundations.py.txt looks like foundations.py with an extra .txt ending, and was not graded as "
            "foundations.py: hand it in as foundations.py.") in said
    assert any(n.startswith("Q2_answers.docx is a Word document") for n in said)
    assert json.loads((out / "xena" / "results.json").read_text())["score"] == 0


def test_an_answer_file_with_an_extra_ending_is_graded_and_named(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "yves", {"q2.md.txt": ALICE_Q2.read_text()})
    grade(capsys, subs, out)
    assert notes(out, "yves") == ["q2.md.txt looks like q2.md with an extra .txt ending; it was read as a text "
                                  "file, but hand it in as q2.md."]
    assert json.loads((out / "yves" / "results.json").read_text())["score"] > 0


def test_a_file_of_another_kind_is_named_with_the_kinds_that_are_read(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "zoe", {"q2.md": ALICE_Q2.read_text(), "scratch.R": "x <- 1\n"})
    grade(capsys, subs, out)
    assert notes(out, "zoe") == [f"scratch.R was not read: {READ_KINDS}."]


def test_junk_and_files_read_without_answers_stay_quiet(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "quiet", {
        "q2.md": ALICE_Q2.read_text().replace("`q2-plot.png`", "![ratio](plots/q2-plot.png)"),
        "README.md": "# My homework\n\nSee q2.md.\n",
        "plots/q2-plot.png": b"\x89PNG\r\n\x1a\n" + bytes(16),  # the plot the write-up shows
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "__pycache__/helper.cpython-311.pyc": b"\xa7\r\r\n" + bytes(12),
        ".hidden/notes.pdf": PDF,
        "__MACOSX/._q2.md": b"\x00\x05\x16\x07",
        "Thumbs.db": bytes(8),
        "q2.md.txt": "an older copy, kept beside q2.md\n",
    })
    grade(capsys, subs, out)
    assert notes(out, "quiet") == []


def test_a_picture_the_write_up_does_not_show_is_named(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "pia", {"q2.md": ALICE_Q2.read_text(), "IMG_2041.jpg": b"\xff\xd8\xff\xe0" + bytes(16)})
    grade(capsys, subs, out)
    assert notes(out, "pia") == ["IMG_2041.jpg is a picture, which the grader does not read (the written "
                                 "answers were graded from q2.md)."]


# ---------------------------------------------------------------------------
# 2. A name spelt in either Unicode form (é as one character, or e and an accent as a Mac unzips it)
JOSE = "José Núñez"
JOSE_MAC = unicodedata.normalize("NFD", JOSE)
ROSTER = f'Student,ID,SIS User ID,SIS Login ID,Section\n"Núñez, José",101,s101,{JOSE},A\n'


def q2_score(out: Path, student: str, label: str) -> float:
    tests = json.loads((out / student / "results.json").read_text(encoding="utf-8"))["tests"]
    return next(t["score"] for t in tests if t["number"] == label)


def test_a_folder_unzipped_on_a_mac_matches_the_roster_and_overrides_typed_either_way(tmp_path, capsys):
    assert JOSE != JOSE_MAC
    subs, out, roster = tmp_path / "CLASS", tmp_path / "OUT", tmp_path / "export.csv"
    entry(subs, JOSE_MAC, {"q2.md": ALICE_Q2.read_text()})
    roster.write_text(ROSTER, encoding="utf-8")
    err = grade(capsys, subs, out, extra=("--roster", str(roster)))
    assert "roster: 1 of 1 submission(s) matched a student" in err
    assert '"Núñez, José","101","s101",' in (out / "grades.csv").read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir() if p.is_dir()] == [JOSE]  # one report folder, spelt one way

    for name, points in ((JOSE, "1"), (JOSE_MAC, "2"), (unicodedata.normalize("NFD", "Núñez, José"), "0.5")):
        assert main(["override", "--out", str(out), name, "Q2.4", points]) == 0
        assert q2_score(out, JOSE, "Q2.4") == float(points)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(f"student,part,score,comment\n{JOSE_MAC},Q2.4,1.5,By the file.\n", encoding="utf-8")
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 0
    assert q2_score(out, JOSE, "Q2.4") == 1.5
    assert main(["override", "--out", str(out), JOSE, "Q2.4", "--remove"]) == 0
    assert "override removed" in capsys.readouterr().out


def test_two_folders_whose_names_differ_only_in_unicode_form_are_refused(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, JOSE, {"q2.md": ALICE_Q2.read_text()})
    entry(subs, JOSE_MAC, {"q2.md": "## Q2.1\n"})
    capsys.readouterr()
    assert main(["grade", str(Q2), "--submissions", str(subs), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "differ only in how their accented letters are encoded" in err and "nothing was graded" in err
    assert not (out / "gradebook.sqlite").exists()


def test_a_gradebook_made_before_names_were_compared_in_one_form_keeps_its_results(tmp_path, capsys, monkeypatch):
    import grader.batch as batch
    import grader.classfolder as classfolder
    import grader.overrides as overrides

    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, JOSE_MAC, {"q2.md": ALICE_Q2.read_text()})
    with monkeypatch.context() as before:  # names as they were spelt, compared as they were spelt
        for module in (classfolder, overrides):
            before.setattr(module, "nfc", lambda name: name)
        for module in (batch, overrides):
            before.setattr(module, "use_nfc_names", lambda gradebook, out: None)
        grade(capsys, subs, out)
        assert main(["override", "--out", str(out), JOSE_MAC, "Q2.4", "1", "--comment", "Kept."]) == 0
    assert (out / JOSE_MAC / "results.json").exists()

    err = grade(capsys, subs, out)
    assert "graded 0 submission(s), kept 1 graded earlier" in err and "no submission any more" not in err
    assert "apply to no one" not in err
    assert [p.name for p in out.iterdir() if p.is_dir()] == [JOSE]  # the old folder is renamed, not left behind
    assert q2_score(out, JOSE, "Q2.4") == 1
    assert main(["override", "--out", str(out), JOSE, "Q2.4", "2"]) == 0
    assert q2_score(out, JOSE, "Q2.4") == 2
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT student, COUNT(*) FROM grading_log GROUP BY student").fetchall() == [(JOSE, 1)]


# ---------------------------------------------------------------------------
# 3. An override on an answer that changed since shows what changed, not the same opening twice
def test_a_changed_answer_under_an_override_is_shown_where_it_changed(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    folder = entry(subs, "una", {"q2.md": ALICE_Q2.read_text()})
    grade(capsys, subs, out)
    assert main(["override", "--out", str(out), "una", "Q2.4", "3", "--comment", "Read by hand."]) == 0
    text = ALICE_Q2.read_text()
    assert "much faster with\nsigmoid" in text
    (folder / "q2.md").write_text(text.replace("much faster with\nsigmoid", "much slower with\nsigmoid"))
    err = grade(capsys, subs, out)
    line = next(line for line in err.splitlines() if line.startswith("  una Q2.4:"))
    then, now = line.split("the answer was “", 1)[1].split("”, now “")
    now = now.removesuffix("”")
    assert then != now
    assert then.startswith("…") and then.endswith("…") and "much faster with sigmoid" in then
    assert now.startswith("…") and now.endswith("…") and "much slower with sigmoid" in now
    assert len(then) <= 70 and len(now) <= 70


# ---------------------------------------------------------------------------
# 4. A roster kept from an earlier run still reports on every run
def test_a_kept_roster_reports_new_students_and_its_warnings_on_every_run(tmp_path, capsys):
    subs, out, roster = tmp_path / "CLASS", tmp_path / "OUT", tmp_path / "export.csv"
    entry(subs, "ann", {"q2.md": ALICE_Q2.read_text()})
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Homework 9 (77)\n"
                      "\"Ames, Ann\",1,s1,ann,A,\n\"Bell, Ben\",2,s2,ben,A,\n", encoding="utf-8")
    first = grade(capsys, subs, out, extra=("--roster", str(roster)))
    assert "roster: 1 of 1 submission(s) matched a student; 1 student(s) on the roster have no submission" in first
    assert "which is none of the assignment columns of" in first

    entry(subs, "zed", {"q2.md": "## Q2.1\n"})
    again = grade(capsys, subs, out)
    assert ("roster: 1 of 2 submission(s) matched a student; not on the roster (graded, listed under their own "
            "id): zed; 1 student(s) on the roster have no submission") in again
    assert "which is none of the assignment columns of the roster kept from an earlier run" in again
    assert grade(capsys, subs, out).count("roster:") == 1  # nothing graded: still said


# ---------------------------------------------------------------------------
# An empty code file is named, whether its name ties it to a problem set or not
def test_an_empty_code_file_is_named_to_the_student_and_at_the_end_of_the_run(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    entry(subs, "nina", {"foundations.py": "", "q2.md": ALICE_Q2.read_text()})
    subs.joinpath("ben.py").write_text("  \n\n", encoding="utf-8")  # a file per student, blank lines only
    entry(subs, "alice", {"foundations.py": ALICE_CODE.read_text()})
    entry(subs, "omar", {"q2.md": "\n \n", "foundations.py": ALICE_CODE.read_text()})  # written answers: empty
    entry(subs, "yann", {"answers.yaml": "# nothing yet\n", "foundations.py": ALICE_CODE.read_text()})
    err = grade(capsys, subs, out, Q2, FOUNDATIONS)
    assert "foundations.py is empty: it defines no functions." in notes(out, "nina")
    assert "ben.py is empty: it defines no functions." in notes(out, "ben")
    assert "q2.md is empty: no answers were read from it." in notes(out, "omar")
    assert "answers.yaml is empty: no answers were read from it." in notes(out, "yann")
    assert not any("empty" in note for note in notes(out, "alice"))
    assert "an empty file handed in: 4 students (ben, nina, omar, yann)" in err


def test_a_folder_or_a_pipe_named_like_a_submission_file_is_named_and_listed(tmp_path, capsys):
    subs, out = tmp_path / "CLASS", tmp_path / "OUT"
    (subs / "eve" / "foundations.py").mkdir(parents=True)  # a folder, empty
    entry(subs, "eve", {"q2.md": ALICE_Q2.read_text()})
    entry(subs, "fay", {"foundations.py": ALICE_CODE.read_text()})
    os.mkfifo(subs / "fay" / "q2.md")
    entry(subs, "gil", {"hw/foundations.py": ALICE_CODE.read_text()})  # a folder holding the file: no note
    err = grade(capsys, subs, out, Q2, FOUNDATIONS)
    assert "foundations.py is a folder, not a file; nothing in it was read." in notes(out, "eve")
    assert "q2.md is not a regular file (a named pipe); it was not read." in notes(out, "fay")
    assert notes(out, "gil") == []
    assert "files not read (a PDF, a Word file, code saved as foundations.py.txt…): 2 students (eve, fay)" in err
