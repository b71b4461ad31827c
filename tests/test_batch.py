"""Class runs: parallel, resumable after SIGKILL, crash-proof, deterministic, with overrides."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader import batch, classfolder
from grader.cli import load_references, main
from grader.gradebook import Gradebook
from grader.results import SubmissionResult

REPO = Path(__file__).resolve().parents[1]

# A small problem set answered in answers files: fast to grade, so a class of
# hundreds is graded in seconds.
MINI_SPEC = """\
id: mini
title: "Mini set"
setup: |
  half = Rational(1, 2)
parts:
  - label: P1
    title: "The vector v"
    points: 2
    kind: array
    reference: "[half, 2*half, sqrt(2)]"
    mistakes:
      - value: "[1, 2, 3]"
        feedback: "Off by a factor."
        credit: 0.5
  - label: P2
    title: "The pair (a, b)"
    points: 1
    kind: tuple
    reference: "(1, 2)"
  - label: P3
    title: "Why gradients vanish"
    points: 1
    kind: rubric
    rubric:
      - idea: "mentions gradients"
        points: 1
        patterns: ['gradient']
"""

P1_ANSWERS = ["[0.5, 1.0, 1.41421356]", "[1, 2, 3]", "[0.5, 1, 1.5]", "[0.5, 1]", "not a list", "[0.5, 1.0, 1.4142]"]
P2_ANSWERS = ["[1, 2]", "[2, 1]", "[1, 2, 3]", "[1.0, 2.0]"]
P3_ANSWERS = ['"the gradient vanishes"', '"no idea"', '"products shrink"', '"gradients explode & <b>vanish</b>"']


def write_spec(folder: Path) -> Path:
    path = folder / "mini.yaml"
    path.write_text(MINI_SPEC)
    return path


def answers(number: int) -> str:
    return (f"P1: {P1_ANSWERS[number % len(P1_ANSWERS)]}\n"
            f"P2: {P2_ANSWERS[(number // 2) % len(P2_ANSWERS)]}\n"
            f"P3: {P3_ANSWERS[(number // 3) % len(P3_ANSWERS)]}\n")


def make_class(folder: Path, students: int) -> Path:
    """A class of generated submissions: folders with answers.yaml, and single files."""
    subs = folder / "subs"
    subs.mkdir(parents=True)
    for number in range(students):
        student = f"s{number:04d}"
        if number % 3 == 0:
            (subs / f"{student}.yaml").write_text(answers(number))
        else:
            (subs / student).mkdir()
            (subs / student / "answers.yaml").write_text(answers(number))
            if number % 7 == 0:  # a second file that answers one part better: the best verdict counts
                (subs / student / "extra.yaml").write_text("P1: [0.5, 1.0, 1.41421356]\n")
    (subs / "broken.yaml").write_text("P1: [\n")  # unreadable YAML: still gets every part listed
    return subs


def grade(spec: Path, subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(spec), "--submissions", str(subs),
                           "--out", str(out), *extra], capture_output=True, text=True, timeout=600, cwd=REPO)


def outputs(out: Path) -> dict[str, bytes]:
    """Every deterministic output file under ``out`` (results, CSV, JUnit, summary), by relative path."""
    files = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name in ("results.json", "grades.csv", "junit.xml", "summary.md"):
            files[path.relative_to(out).as_posix()] = path.read_bytes()
    return files


def committed(out: Path) -> int:
    db = out / "gradebook.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def kill_part_way(spec: Path, subs: Path, out: Path, *, after_commits: int, poll: float,
                  patience: float = 120) -> None:
    """Start `grader grade` and SIGKILL its main process once ``after_commits`` results are committed
    (its workers are orphaned, then cleaned up with the rest of its process group)."""
    process = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(spec), "--submissions", str(subs),
                                "--out", str(out), "--jobs", "2"], cwd=REPO, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + patience
        while committed(out) < after_commits and process.poll() is None and time.monotonic() < deadline:
            time.sleep(poll)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------------------
def test_sigkill_part_way_then_resume_gives_the_uninterrupted_results(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 400)
    total = len(list(subs.iterdir()))

    reference = grade(spec, subs, tmp_path / "clean", "--jobs", "2")
    assert reference.returncode == 0, reference.stderr

    out = tmp_path / "killed"
    kill_part_way(spec, subs, out, after_commits=30, poll=0.005)
    done_before = committed(out)
    assert 0 < done_before < total, f"the run was not stopped part-way ({done_before} of {total} committed)"
    assert not (out / "grades.csv").exists()

    resumed = grade(spec, subs, out, "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"graded {total - done_before} submission(s), kept {done_before} graded earlier" in resumed.stderr

    assert outputs(out) == outputs(tmp_path / "clean")
    assert len([k for k in outputs(out) if k.endswith("results.json")]) == total
    with Gradebook.in_folder(out) as gradebook:
        counts = gradebook.grading_counts()
        runs = gradebook.runs()
    assert sorted(counts) == sorted(p.stem for p in subs.iterdir())  # nobody missing
    assert set(counts.values()) == {1}  # nobody graded twice
    assert [r["to_grade"] for r in runs] == [total, total - done_before]


def test_second_run_grades_nothing_and_changes_are_regraded(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 12)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    first = outputs(out)

    again = grade(spec, subs, out)
    assert "graded 0 submission(s), kept 13 graded earlier" in again.stderr
    assert outputs(out) == first

    (subs / "s0001" / "answers.yaml").write_text("P1: [0.5, 1.0, 1.41421356]\nP2: [1, 2]\nP3: gradient\n")
    changed = grade(spec, subs, out)
    assert "graded 1 submission(s), kept 12 graded earlier" in changed.stderr
    assert json.loads((out / "s0001" / "results.json").read_text())["score"] == 4

    spec.write_text(MINI_SPEC.replace("points: 2", "points: 4"))
    regraded = grade(spec, subs, out)
    assert "graded 13 submission(s)" in regraded.stderr
    assert '"Points Possible","","","","",6' in (out / "grades.csv").read_text()


def test_every_student_gets_results_with_every_part_listed(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 8)
    out = tmp_path / "out"
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    broken = json.loads((out / "broken" / "results.json").read_text())
    assert [t["number"] for t in broken["tests"]] == ["P1", "P2", "P3"]
    assert broken["score"] == 0 and "broken.yaml" in broken["output"]
    best = json.loads((out / "s0007" / "results.json").read_text())  # extra.yaml answers P1 correctly
    assert best["tests"][0]["score"] == 2 and "extra.yaml" in best["tests"][0]["output"]
    for name in ("grades.csv", "junit.xml", "summary.md", "index.html", "gradebook.sqlite"):
        assert (out / name).exists(), name


def test_symbolic_links_in_a_submission_are_never_followed(tmp_path):
    # A student's repository can hold links to the grader's files; what is
    # read could be quoted back in the student's own report.
    spec = write_spec(tmp_path)
    secret = tmp_path / "instructor"
    secret.mkdir()
    (secret / "answers.yaml").write_text("P1: [0.5, 1.0, 1.41421356]\nP3: the gradient SECRET-PHRASE-123\n")
    subs = tmp_path / "subs"
    (subs / "mallory").mkdir(parents=True)
    (subs / "mallory" / "answers.yaml").symlink_to(secret / "answers.yaml")
    (subs / "mallory" / "more").symlink_to(secret, target_is_directory=True)
    (subs / "mallory" / "mine.yaml").write_text("P2: [1, 2]\n")  # a real file is still graded
    out = tmp_path / "out"
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    results = json.loads((out / "mallory" / "results.json").read_text())
    scores = {t["number"]: t["score"] for t in results["tests"]}
    assert scores == {"P1": 0, "P2": 1, "P3": 0}
    assert results["output"].startswith(f"{results['score']:g} / ")  # the total first, then the notes
    assert "answers.yaml is a symbolic link, which the grader does not follow" in results["output"]
    assert "more is a symbolic link" in results["output"]
    for path in out.rglob("*"):
        if path.is_file():
            assert b"SECRET-PHRASE" not in path.read_bytes(), path
    # A student entry that is itself a link to another folder is not followed either.
    (subs / "eve").symlink_to(secret, target_is_directory=True)
    run = grade(spec, subs, out)
    assert run.returncode == 0, run.stderr
    eve = json.loads((out / "eve" / "results.json").read_text())
    assert eve["score"] == 0 and "eve is a symbolic link" in eve["output"]


def test_an_output_path_that_cannot_be_written_is_bad_input_not_a_traceback(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"grader: --out must be a folder; {blocker} is a file") and "Traceback" not in err
    assert main(["gradescope", str(spec), "--out", str(tmp_path), "--install", "grader @ https://example.org/grader-1.0.tar.gz"]) == 2
    assert f"grader: {tmp_path}: a folder is there, not a file" in capsys.readouterr().err


def test_json_and_junit_options_collect_the_class(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    run = grade(spec, subs, tmp_path / "out", "--json", str(tmp_path / "all.json"), "--junit", str(tmp_path / "j.xml"))
    assert run.returncode == 0, run.stderr
    everyone = json.loads((tmp_path / "all.json").read_text())
    assert sorted(everyone) == ["broken", "s0000", "s0001", "s0002"]
    assert everyone["s0001"] == json.loads((tmp_path / "out" / "s0001" / "results.json").read_text())
    assert (tmp_path / "j.xml").read_bytes() == (tmp_path / "out" / "junit.xml").read_bytes()


def test_an_empty_output_file_left_by_a_power_cut_is_written_again(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    before = outputs(out)
    (out / "s0001" / "results.json").write_bytes(b"")
    (out / "s0002" / "report.html").write_bytes(b"")
    run = grade(spec, subs, out)
    assert run.returncode == 0 and "graded 0 submission(s)" in run.stderr
    assert outputs(out) == before
    assert (out / "s0002" / "report.html").stat().st_size > 0


def test_only_code_not_yet_graded_warms_the_sandbox(tmp_path):
    subs = tmp_path / "subs"
    for name in ("ann", "ben"):
        (subs / name).mkdir(parents=True)
        (subs / name / "foundations.py").write_text("import numpy as np\n")
    out = tmp_path / "out"
    assert sorted(p.parent.name for p in classfolder.files_to_warm(subs, out)) == ["ann", "ben"]
    with batch.Gradebook.in_folder(out) as gradebook:
        run_id = gradebook.start_run(spec_digest="d", problem_sets=[], executor="thread", jobs=1,
                                     submissions=2, to_grade=2)
        for sub in classfolder.find_submissions(subs):
            gradebook.record(run_id, batch.SubmissionResult(sub.student, (), (), {}, 0.0),
                             content_hash=sub.content_hash, spec_digest="d", crashed=False)
    assert classfolder.files_to_warm(subs, out) == []
    (subs / "ben" / "foundations.py").write_text("import scipy\n")
    assert [p.parent.name for p in classfolder.files_to_warm(subs, out)] == ["ben"]


def test_fail_under_names_the_students_below_it(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = tmp_path / "out"
    run = grade(spec, subs, out, "--fail-under", "4")  # 4 of 4 points: only s0000 answers everything right
    scores = {p.name: json.loads((p / "results.json").read_text())["score"] for p in out.iterdir() if p.is_dir()}
    below = sorted(name for name, score in scores.items() if score < 4)
    assert below and len(below) < len(scores)
    assert run.returncode == 1
    assert f"{len(below)} student(s) scored under --fail-under 4: {', '.join(below)}" in run.stderr
    assert grade(spec, subs, out, "--fail-under", "0").returncode == 0  # nothing regraded, nobody below


def _crash_on_mallory(self, student, files, entry=None, kept=None):
    if student == "mallory":
        raise RuntimeError("the grader tripped over this one")
    return ORIGINAL_GRADE(self, student, files, entry=entry, kept=kept)


def _die_on_mallory(self, student, files, entry=None, kept=None):
    if student == "mallory":
        os._exit(3)  # the worker process dies: the pool breaks
    return ORIGINAL_GRADE(self, student, files, entry=entry, kept=kept)


ORIGINAL_GRADE = batch.Grader.grade_by_set


def run_class_with_mallory(tmp_path: Path, students: int, kind: str):
    """A class plus 'mallory' graded in-process through a ``kind`` executor of 2 workers:
    (the run's stats, the output folder, a function that runs it again)."""
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, students)
    (subs / "mallory.yaml").write_text(answers(0))
    refs = load_references([str(spec)])
    source = batch.SpecSource((str(spec),), batch.spec_digest(refs))
    out = tmp_path / "out"

    def run():
        with Gradebook.in_folder(out) as gradebook:
            return batch.run(gradebook, out, refs, classfolder.find_submissions(subs), source,
                             executor_factory=lambda: batch.EXECUTORS[kind](2))
    return run(), out, run


@pytest.mark.parametrize("kind, fault", [("thread", _crash_on_mallory), ("process", _crash_on_mallory),
                                         ("process", _die_on_mallory)])
def test_a_crash_in_one_submission_never_stops_the_run(tmp_path, monkeypatch, kind, fault):
    monkeypatch.setattr(batch.Grader, "grade_by_set", fault)  # forked workers inherit the patch
    stats, out, _ = run_class_with_mallory(tmp_path, 8, kind)
    assert stats.graded == 10 and stats.crashed == 1
    mallory = json.loads((out / "mallory" / "results.json").read_text())
    assert [t["number"] for t in mallory["tests"]] == ["P1", "P2", "P3"]
    assert all(t["score"] == 0 and "could not be graded" in t["output"] for t in mallory["tests"])
    assert json.loads((out / "s0000" / "results.json").read_text())["score"] == 4
    assert "mallory" in (out / "summary.md").read_text()


def test_overrides_survive_regrading_and_reach_every_output(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 4)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    before = json.loads((out / "s0001" / "results.json").read_text())

    assert main(["override", "--out", str(out), "s0001", "P3", "1", "--comment", "Confirmed by hand."]) == 0
    after = json.loads((out / "s0001" / "results.json").read_text())
    assert after["score"] == before["score"] - before["tests"][2]["score"] + 1
    assert "Confirmed by hand." in after["tests"][2]["output"]
    assert f'"s0001","","s0001","s0001","",{after["score"]:g}' in (out / "grades.csv").read_text()
    assert "Confirmed by hand." in (out / "s0001" / "report.html").read_text()
    assert "set by the instructor" in (out / "s0001" / "report.html").read_text()

    (subs / "s0001" / "answers.yaml").write_text(answers(1) + "# edited\n")  # forces a regrade
    assert "graded 1 submission(s)" in grade(spec, subs, out).stderr
    assert json.loads((out / "s0001" / "results.json").read_text()) == after

    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,part,score,comment\ns0001,P3,,\ns0002,P1,1.5,Nearly.\n")
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 0
    assert json.loads((out / "s0001" / "results.json").read_text()) == before
    assert json.loads((out / "s0002" / "results.json").read_text())["tests"][0]["score"] == 1.5


@pytest.mark.parametrize("argv, message", [
    (["s0001", "P9", "1"], "'P9' is not a part of s0001's results; the parts are: P1, P2, P3"),
    (["nobody", "P1", "1"], "no student 'nobody' in the gradebook"),
    (["s0001", "P1", "7"], "the score 7 for P1 is outside 0…2"),
    (["s0001", "P1", "lots"], "the score 'lots' is not a number"),
])
def test_bad_overrides_are_refused_with_a_clear_message(tmp_path, capsys, argv, message):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    assert main(["override", "--out", str(out), *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    ("student,part,score,comment\ns0001,P1,1.5,Good, but short\n".encode(), "line 2: more fields than the header"),
    ("student,part,score,comment\ns0001,P1\n".encode(), "line 2: fewer fields than the header"),
    ("student,part,score,comment\ns0001,P1,1.5,Tr\u00e8s bien\n".encode("cp1252"), "not UTF-8 text"),
    ("student,part,score\ns0001,P1,lots\ns0002,P1\ns0001,P2,1\ns0002,P2,much\n".encode(),
     "3 rows of"),  # every bad row at once: lines 2, 3 and 5
])
def test_a_bad_overrides_file_changes_nothing_and_says_why(tmp_path, capsys, content, message):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    before = outputs(out)
    overrides = tmp_path / "overrides.csv"
    overrides.write_bytes(content)
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 2
    err = capsys.readouterr().err
    assert message in err
    if message == "3 rows of":
        assert all(f"line {n}:" in err for n in (2, 3, 5)) and "line 4:" not in err
    assert outputs(out) == before


def test_override_without_a_gradebook_and_bad_submissions_folder(tmp_path, capsys):
    assert main(["override", "--out", str(tmp_path), "s1", "P1", "1"]) == 2
    assert "holds no gradebook" in capsys.readouterr().err
    spec = write_spec(tmp_path)
    assert main(["grade", str(spec), "--submissions", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist: name the class's folder with --submissions DIR" in capsys.readouterr().err


def test_a_class_folder_given_as_problems_says_to_use_submissions(tmp_path, capsys):
    (tmp_path / "specs").mkdir()
    spec = write_spec(tmp_path / "specs")
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "answers.yaml").write_text(answers(0))
    out = tmp_path / "o"
    assert main(["grade", str(spec), str(subs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{subs}: no problem specs (*.yaml) found here" in err
    assert f"pass it as --submissions {subs}" in err
    assert "unknown key" not in err  # the student's answers.yaml is not read as a spec
    assert not out.exists()


def test_two_entries_for_one_student_are_bad_input(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "answers.yaml").write_text(answers(0))
    (subs / "ann.yaml").write_text(answers(0))
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(tmp_path / "out")]) == 2
    assert "are both student 'ann'" in capsys.readouterr().err


def test_a_second_run_on_the_same_out_folder_is_refused(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    with batch.RunLock(out):
        assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(out)]) == 2
    assert "another grader run is using" in capsys.readouterr().err


def test_progress_bar_only_when_asked_or_on_a_terminal(tmp_path):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    quiet = grade(spec, subs, tmp_path / "a")
    assert "student/s" not in quiet.stderr and "%|" not in quiet.stderr
    shown = grade(spec, subs, tmp_path / "b", "--progress")
    assert "4/4" in shown.stderr


def foundations_file(refs) -> str:
    """A foundations.py assembled from the spec's own reference solutions."""
    ps = refs[0].problem_set
    pieces = ["import numpy as np", "import scipy", "from sympy import *", ps.setup]
    pieces += [p.code.solution for p in ps.parts if p.code is not None]
    return "\n\n".join(pieces) + "\n"


def test_code_submissions_survive_kill_and_resume(tmp_path):
    """foundations.py files run in the sandbox; the same resume guarantee holds."""
    spec = REPO / "problems" / "foundations.yaml"
    if not spec.exists():
        pytest.skip("the foundations problem set is not in this checkout")
    refs = load_references([str(spec)])
    good = foundations_file(refs)
    subs = tmp_path / "subs"
    subs.mkdir()
    for number in range(12):
        text = good if number % 3 else good.replace("return A @ B", "return np.multiply(A, B)")
        if number == 5:
            text += "\nraise SystemExit('no')\n"  # fails on import: every part still listed
        (subs / f"c{number:02d}").mkdir()
        (subs / f"c{number:02d}" / "foundations.py").write_text(text)
    clean = grade(spec, subs, tmp_path / "clean", "--jobs", "2")
    assert clean.returncode == 0, clean.stderr

    out = tmp_path / "killed"
    kill_part_way(spec, subs, out, after_commits=3, poll=0.01, patience=300)
    assert 0 < committed(out) < 12
    assert grade(spec, subs, out, "--jobs", "2").returncode == 0
    assert outputs(out) == outputs(tmp_path / "clean")
    hung = json.loads((out / "c05" / "results.json").read_text())
    assert hung["score"] == 0 and len(hung["tests"]) == len(refs[0].problem_set.parts)


def ran_with(**isolation) -> list[SubmissionResult]:
    """Results of a run whose one code submission had this isolation."""
    return [SubmissionResult("ann", (), isolation={"mode": "pool", **isolation}),
            SubmissionResult("written-only", ())]  # no code, no sandbox, no record


def test_a_run_whose_sandbox_could_read_the_specs_warns_the_instructor():
    # pytest's tmp_path lies in a folder only its owner may enter; this one
    # is in the system's temporary folder, which every user can enter.
    with tempfile.TemporaryDirectory() as folder:
        if not os.stat(Path(folder).parent).st_mode & 0o001:
            pytest.skip("the temporary folder is not open to other users here")
        problems = Path(folder) / "problems"
        problems.mkdir()
        spec = write_spec(problems)
        os.chmod(folder, 0o755)
        os.chmod(problems, 0o755)
        os.chmod(spec, 0o644)
        # Landlock hides the specs whatever their permissions.
        assert batch.spec_exposure_warning(ran_with(landlock=True, uid_drop=True), [spec]) is None
        # Without it, a world-readable spec is readable by the sandbox's uid ...
        warning = batch.spec_exposure_warning(ran_with(landlock=False, uid_drop=True), [spec])
        assert warning and str(spec) in warning and f"chmod -R o-rwx {problems}" in warning
        # ... until only the grading user may read it.
        os.chmod(spec, 0o600)
        assert batch.spec_exposure_warning(ran_with(landlock=False, uid_drop=True), [spec]) is None
        # Code that ran as the grading user itself can read whatever that user can.
        warning = batch.spec_exposure_warning(ran_with(landlock=False, uid_drop=False), [spec])
        assert warning and "ran as the grading user" in warning
        # Written answers only: no student code ran.
        assert batch.spec_exposure_warning([SubmissionResult("w", ())], [spec]) is None


def test_a_student_named_like_a_class_file_is_refused_before_grading(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 2)
    (subs / "index.html").mkdir()
    (subs / "index.html" / "answers.yaml").write_text(answers(0))
    out = tmp_path / "out"
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(out)]) == 2
    assert "would be student 'index.html'" in capsys.readouterr().err
    assert not (out / "gradebook.sqlite").exists()


def test_reports_inside_the_submissions_folder_are_not_a_student(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = subs / "reports"
    for _ in range(2):
        run = grade(spec, subs, out)
        assert run.returncode == 0, run.stderr
    assert "graded 0 submission(s), kept 4" in run.stderr  # nothing new: the reports were not graded
    assert not (out / "reports").exists()
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(subs)]) == 2
    assert "is the submissions folder" in capsys.readouterr().err


def test_an_override_keeps_the_class_of_the_last_run(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    (subs / "s0000.yaml").unlink()  # s0000 left the class
    assert grade(spec, subs, out).returncode == 0
    assert main(["override", "--out", str(out), "s0001", "P1", "1"]) == 0
    assert "s0000" not in (out / "grades.csv").read_text()
    assert "s0000" not in (out / "index.html").read_text()
    assert main(["override", "--out", str(out), "s0000", "P1", "1"]) == 2
    assert "'s0000' is no longer in the class" in capsys.readouterr().err


def test_an_override_above_what_the_part_is_now_worth_is_capped_and_says_so(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 3)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    assert main(["override", "--out", str(out), "s0001", "P1", "2", "--comment", "Fine."]) == 0
    spec.write_text(MINI_SPEC.replace("points: 2", "points: 1.5", 1))  # the part is now worth less
    assert grade(spec, subs, out).returncode == 0
    p1 = json.loads((out / "s0001" / "results.json").read_text())["tests"][0]
    assert p1["score"] == p1["max_score"] == 1.5
    assert "Fine." in p1["output"] and "score of 2 is capped at 1.5" in p1["output"]


def test_a_name_copied_from_grades_csv_finds_its_student(tmp_path, capsys):
    # grades.csv shows '=x for a student named =x, so that spreadsheets do not run it.
    spec = write_spec(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "=1+1.yaml").write_text(answers(0))
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    assert "\"'=1+1\"," in (out / "grades.csv").read_text()
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,part,score,comment\n'=1+1,P1,1,Half.\n")
    assert main(["override", "--out", str(out), "--from", str(overrides)]) == 0
    assert json.loads((out / "=1+1" / "results.json").read_text())["tests"][0]["score"] == 1


def test_a_damaged_gradebook_gets_a_clear_message(tmp_path, capsys):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 30)
    out = tmp_path / "out"
    assert grade(spec, subs, out).returncode == 0
    book = out / "gradebook.sqlite"
    data = bytearray(book.read_bytes())
    page = 4096
    data[2 * page:5 * page] = os.urandom(3 * page)  # pages 3-5 overwritten, the header intact
    book.write_bytes(bytes(data))
    for argv in (["grade", str(spec), "--submissions", str(subs), "--out", str(out)],
                 ["override", "--out", str(out), "s0001", "P1", "1"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "gradebook.sqlite cannot be used" in err and "Move it away" in err


def _hang_on_mallory(self, student, files, entry=None, kept=None):
    if student == "mallory":
        while True:  # something nobody foresaw takes forever to read
            pass
    return ORIGINAL_GRADE(self, student, files, entry=entry, kept=kept)


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_a_submission_that_takes_too_long_is_stopped_and_the_class_finishes(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(batch.Grader, "grade_by_set", _hang_on_mallory)
    monkeypatch.setenv("GRADER_SUBMISSION_TIME_LIMIT", "2")
    stats, out, run_again = run_class_with_mallory(tmp_path, 6, kind)
    assert stats.graded == 8 and stats.crashed == 1
    with Gradebook.in_folder(out) as gradebook:
        assert set(gradebook.stored_keys()) == {f"s{k:04d}" for k in range(6)} | {"mallory", "broken"}
    mallory = json.loads((out / "mallory" / "results.json").read_text())
    assert all(t["score"] == 0 and "took longer than 2 s, the limit for one submission" in t["output"]
               and "Look for code that runs for a long time" in t["output"] for t in mallory["tests"])
    assert json.loads((out / "s0000" / "results.json").read_text())["score"] == 4
    # Recorded, so a second run does not try it again.
    again = run_again()
    assert again.graded == 0 and again.kept == 8
    if kind == "thread":
        assert batch.watchdog.threads_left_behind() == 0  # the exception raised into it stopped the loop


def test_a_submission_time_limit_that_is_not_a_number_is_bad_input(tmp_path, capsys, monkeypatch):
    spec = write_spec(tmp_path)
    subs = make_class(tmp_path, 1)
    monkeypatch.setenv("GRADER_SUBMISSION_TIME_LIMIT", "ten minutes")
    assert main(["grade", str(spec), "--submissions", str(subs), "--out", str(tmp_path / "out")]) == 2
    assert "GRADER_SUBMISSION_TIME_LIMIT=ten minutes is not a time limit" in capsys.readouterr().err


def test_a_class_page_written_elsewhere_links_to_the_reports_under_out(tmp_path):
    from html.parser import HTMLParser
    from urllib.parse import unquote, urljoin

    subs = make_class(tmp_path, 4)
    target = tmp_path / "site" / "class.html"
    run = grade(write_spec(tmp_path), subs, tmp_path / "out", "--html", str(target))
    assert run.returncode == 0, run.stderr

    class Links(HTMLParser):
        base, links = "", []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "base":
                self.base = attrs["href"]
            elif tag == "a" and attrs.get("href", "").endswith("report.html"):
                self.links.append(attrs["href"])

    page = Links()
    page.feed(target.read_text(encoding="utf-8"))
    assert len(page.links) == 5  # four students and the unreadable file
    for link in page.links:
        resolved = unquote(urljoin(urljoin(target.as_uri(), page.base), link))  # as a browser resolves it
        assert Path(resolved.removeprefix("file://")).is_file(), link


def test_a_second_run_on_a_busy_out_folder_is_turned_away_before_any_reference_is_computed(tmp_path):
    import fcntl

    marker = tmp_path / "references-computed"
    spec = write_spec(tmp_path)
    # trusted spec code: its setup runs when the references are computed
    spec.write_text(MINI_SPEC.replace("  half = Rational(1, 2)\n",
                                      f"  half = Rational(1, 2)\n  open({str(marker)!r}, 'w').close()\n"))
    subs = make_class(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".grader.lock", "a+") as held:  # what a running `grader grade` holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        run = grade(spec, subs, out)
    assert run.returncode == 2 and "another grader run is using" in run.stderr
    assert not marker.exists()
    assert grade(spec, subs, out).returncode == 0 and marker.exists()  # free again: graded as usual
