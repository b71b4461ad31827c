"""What a class run tells the instructor: the problems of the class, one line per kind with
counts and names; the whole run's time; one meaning of "to review" on the class page, in
summary.md and in the documented query; and a folder renamed only by case is one student."""
from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

from grader.cli import main
from test_batch import answers, write_spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = [ROOT / "problems" / "foundations.yaml", ROOT / "problems" / "q2-activations.yaml"]
ALICE = ROOT / "submissions" / "alice"


def grade(capsys, subs: Path, out: Path, *specs: Path) -> str:
    capsys.readouterr()
    assert main(["grade", *map(str, specs), "--submissions", str(subs), "--out", str(out), "--no-progress"]) == 0
    return capsys.readouterr().err


def put(subs: Path, relative: str, data: str | bytes) -> None:
    path = subs / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def test_the_end_of_a_run_names_the_students_with_each_kind_of_problem(tmp_path, capsys):
    subs, out = tmp_path / "class", tmp_path / "out"
    code = (ALICE / "foundations.py").read_text(encoding="utf-8")
    put(subs, "ok/foundations.py", code)
    put(subs, "s20/foundations.py", code.replace("def dot(u, v):", "def dot(u, v)"))  # a syntax error
    put(subs, "s22/foundations.py", "import pandas as pd\n" + code)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("foundations.py", code)
    put(subs, "s14/submission.zip", archive.getvalue())
    put(subs, "hank.zip", archive.getvalue())
    (subs / "s13").mkdir()
    put(subs, "s27/answers.yaml", "Q2.1a: '1/4\nQ2.1b: [1\n  bad: : yaml\n")
    put(subs, "s09/foundations.py.txt", code)
    put(subs, "s30/q2.pdf", b"%PDF-1.4\n%fake\n")
    put(subs, "s31/foundations.py", code)
    put(subs, "s31/foundations (1).py", code.replace("return", "return 2 *", 1))  # an LMS-renamed attempt
    put(subs, "s32/answers.txt", "1. 1/4\n2. 1\n")
    shutil.copytree(ROOT / "submissions" / "alice", subs / "s33")  # full marks, and the zip it came in
    put(subs, "s33/homework.zip", archive.getvalue())

    err = grade(capsys, subs, out, *SPECS)
    assert f"to look at (each student's report says more; see {out / 'index.html'}):" in err
    lines = err[err.index("to look at"):].splitlines()[1:]
    said = {line.split(":")[0].strip(): line for line in lines if line.startswith("  ")}
    assert said["code could not be run (a syntax error, a missing library, an error as it loads)"].endswith(
        ": 2 students (s20, s22)")
    assert said["code imports a library that is not installed"].endswith(": 1 student (s22)")
    assert said["an archive (.zip…), not opened"].endswith(": 2 students (hank, s14)")
    assert said["an empty submission"].endswith(": 1 student (s13)")
    assert said["answers could not be read"].endswith(": 1 student (s27)")
    assert said["files not read (a PDF, a Word file, code saved as foundations.py.txt…)"].endswith(
        ": 2 students (s09, s30)")
    assert said["several copies answering the same parts (graded part by part from the best)"].endswith(
        ": 1 student (s31)")
    assert said["nothing handed in answers any problem set"].endswith(": 1 student (s32)")
    assert "ok" not in " ".join(lines).replace("not opened", "")
    # The whole run's time, with the grading's share of it.
    assert re.search(r"graded 12 submission\(s\) in (\d+\.\d) s \((\d+\.\d) s of it grading and writing reports\)",
                     err)


def test_a_class_without_problems_has_no_list_to_look_at(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ann.yaml").write_text(answers(0))
    assert "to look at" not in grade(capsys, subs, out, spec)


def review_query() -> str:
    """The query docs/instructor.md gives for the parts left for review."""
    docs = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    return re.search(r'sqlite3 reports/gradebook\.sqlite "(.*?)"\n```', docs, re.S).group(1)


def to_review_column(out: Path) -> dict[str, int]:
    rows = [line for line in (out / "summary.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| P") and not line.startswith("| Part")]
    return {row.split()[1]: int(row.rstrip(" |").rsplit("|", 1)[1]) for row in rows}


def test_to_review_means_one_thing_on_the_class_page_in_summary_md_and_in_the_docs(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for number, student in enumerate(["ann", "bob", "cat", "dan", "eve"]):
        (subs / f"{student}.yaml").write_text(answers(number))  # P3, a rubric part, is provisional
    (subs / "bad.yaml").write_text("P1: not a list\nP2: [1, 2]\n")  # could not read, not provisional
    grade(capsys, subs, out, spec)
    assert main(["override", "--out", str(out), "ann", "P3", "1"]) == 0  # confirmed: nothing to review
    (subs / "eve.yaml").unlink()  # no longer in the class
    grade(capsys, subs, out, spec)

    column = to_review_column(out)
    assert column == {"P1": 0, "P2": 0, "P3": 3}  # bob, cat and dan
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert dict(db.execute(review_query()).fetchall()) == {"P3": 3}
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "3 part verdicts to review (provisional, not yet confirmed by the instructor)" in page
    unread = sum(t["extra_data"]["verdict"] == "could not read"
                 for t in json.loads((out / "bad" / "results.json").read_text())["tests"])
    assert unread == 1 and "\n1 part answer could not be read;" in page


def test_a_folder_renamed_only_by_case_is_the_same_student(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    (subs / "S37").mkdir(parents=True)
    (subs / "S37" / "answers.yaml").write_text(answers(1))
    (subs / "ann.yaml").write_text(answers(2))
    grade(capsys, subs, out, spec)
    assert main(["override", "--out", str(out), "S37", "P3", "1", "--comment", "fine"]) == 0
    before = (out / "S37" / "results.json").read_text(encoding="utf-8")

    (subs / "S37").rename(subs / "s37")
    err = grade(capsys, subs, out, spec)
    assert "graded 0 submission(s), kept 2 graded earlier" in err
    assert f"note: S37 is now s37, a name that differs only by case" in err and f"{out / 's37'}/" in err
    assert "no submission any more" not in err and "apply to no one" not in err
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ann", "s37"]
    after = json.loads((out / "s37" / "results.json").read_text(encoding="utf-8"))
    assert after["extra_data"]["student"] == "s37"
    assert before.replace('"S37"', '"s37"') == (out / "s37" / "results.json").read_text(encoding="utf-8")
    assert "s37" in (out / "grades.csv").read_text() and "S37" not in (out / "grades.csv").read_text()


def test_a_former_students_folder_that_differs_only_by_case_from_a_students_is_removed(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    (subs / "S37").mkdir(parents=True)
    (subs / "S37" / "answers.yaml").write_text(answers(1))
    grade(capsys, subs, out, spec)
    # A gradebook that holds both names already (graded by an earlier version as two students).
    shutil.copytree(out / "S37", out / "s37")
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        for table in ("submissions", "parts", "grading_log"):
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
            picked = ", ".join("'s37'" if c == "student" else c for c in columns)
            db.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picked} FROM {table} "
                       "WHERE student = 'S37'")
        db.execute("UPDATE submissions SET result = json_set(result, '$.student', 's37') WHERE student = 's37'")
    (subs / "S37").rename(subs / "s37")
    err = grade(capsys, subs, out, spec)
    assert f"note: {out / 'S37'}/, the folder of S37, who is no longer in the class, was removed" in err
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["s37"]


def test_the_list_to_look_at_names_five_students_rather_than_four_and_an_ellipsis(tmp_path):
    from grader.batch import problems_note
    from grader.grading import NOTHING_TO_READ
    from grader.results import SubmissionResult

    def empty(count: int) -> list[SubmissionResult]:
        return [SubmissionResult(f"s{i}", (), (NOTHING_TO_READ[0],)) for i in range(count)]

    assert "an empty submission: 5 students (s0, s1, s2, s3, s4)" in problems_note(empty(5), tmp_path)
    assert "an empty submission: 6 students (s0, s1, s2, s3, …)" in problems_note(empty(6), tmp_path)


def test_on_a_terminal_the_seconds_before_the_progress_bar_are_explained(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ann.yaml").write_text(answers(2))
    argv = ["grade", str(spec), "--submissions", str(subs), "--out", str(out)]
    capsys.readouterr()
    assert main([*argv, "--progress"]) == 0
    err = capsys.readouterr().err
    assert "grader: loading the specs and computing their references…" in err
    assert "grader: checking that the specs' own solutions earn full marks" in err
    assert main([*argv, "--progress"]) == 0  # proved once: not said again
    assert "own solutions" not in capsys.readouterr().err
    (subs / "bea.yaml").write_text(answers(1))
    assert main([*argv, "--no-progress"]) == 0  # CI, a pipe: none of it
    assert "loading the specs" not in capsys.readouterr().err
