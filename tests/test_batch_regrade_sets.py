"""A class run after a spec change grades again only the problem sets whose spec changed, keeping
each student's verdicts for the others, and ends exactly as a fresh run with the new specs; OS
litter beside a student's files (Thumbs.db, desktop.ini, __MACOSX/) never makes a regrade."""
from __future__ import annotations

import io
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from grader import batch
from grader.cli import main
from test_batch import answers, write_spec

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "submissions"

# Q2.3b's written answer is right within 0.05 %; 0.2508 is 0.12 % off ρ(0.05) = 0.25052…
STRICT = "    options: {rtol: 0.0005}\n    reference: rho_at_eps"
LOOSE = "    options: {rtol: 0.005}\n    reference: rho_at_eps"


def specs_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name in ("foundations.yaml", "q2-activations.yaml"):
        shutil.copy(ROOT / "problems" / name, folder / name)
    assert STRICT in (folder / "q2-activations.yaml").read_text(encoding="utf-8")
    return folder


def sample_class(tmp_path: Path) -> Path:
    """The sample submissions, and students whose notes depend on both problem sets: code saved
    as foundations.py.txt beside Q2's answers, a zip, an answers file alone."""
    subs = tmp_path / "class"
    shutil.copytree(SAMPLES, subs)
    (subs / "dan").mkdir()
    shutil.copy(SAMPLES / "alice" / "foundations.py", subs / "dan" / "foundations.py.txt")
    shutil.copy(SAMPLES / "bob" / "q2.md", subs / "dan" / "q2.md")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("q2.md", "x")
    (subs / "dan" / "work.zip").write_bytes(archive.getvalue())
    (subs / "erin").mkdir()
    (subs / "erin" / "answers.yaml").write_text("Q2.3a: 1/4\nQ2.3b: 0.2508\nQ2.3d: approx\n", encoding="utf-8")
    return subs


def outputs(out: Path) -> dict[str, bytes]:
    """Every file a run writes under ``out`` but the gradebook and the kept sandbox runs (dot folders,
    with their timings): the students' results.json and report.html, index.html, grades.csv,
    junit.xml and summary.md."""
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and not path.name.startswith("gradebook.sqlite")
            and not any(part.startswith(".") for part in path.relative_to(out).parts)}


def grade(capsys, specs: Path, subs: Path, out: Path) -> str:
    capsys.readouterr()
    assert main(["grade", str(specs), "--submissions", str(subs), "--out", str(out), "--no-progress"]) == 0
    return capsys.readouterr().err


def graded_times(out: Path) -> dict[str, int]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return dict(db.execute("SELECT student, COUNT(*) FROM grading_log GROUP BY student").fetchall())


def score(out: Path, student: str, label: str) -> float:
    import json

    tests = json.loads((out / student / "results.json").read_text(encoding="utf-8"))["tests"]
    return next(t["score"] for t in tests if t["number"] == label)


@pytest.fixture
def sandbox_runs(monkeypatch) -> list[str]:
    """Every time student code is run in the sandbox during a class run (one entry per file run)."""
    runs: list[str] = []
    original = batch.SharedPool.run

    def counted(self, source, *args, **kwargs):
        runs.append(getattr(source, "path", source))
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(batch.SharedPool, "run", counted)
    return runs


def test_a_tolerance_change_regrades_only_its_problem_set_and_ends_as_a_fresh_run(tmp_path, capsys,
                                                                                   sandbox_runs):
    specs, subs, out = specs_copy(tmp_path), sample_class(tmp_path), tmp_path / "out"
    grade(capsys, specs, subs, out)
    assert sandbox_runs and score(out, "erin", "Q2.3b") == 0
    first = outputs(out)
    sandbox_runs.clear()

    q2 = specs / "q2-activations.yaml"
    q2.write_text(q2.read_text(encoding="utf-8").replace(STRICT, LOOSE), encoding="utf-8")
    err = grade(capsys, specs, subs, out)
    assert "q2-activations spec changed: 5 students regraded for q2-activations only" in err
    assert "graded 5 submission(s)" in err
    assert sandbox_runs == []  # no student's foundations code ran again
    assert score(out, "erin", "Q2.3b") == 1
    assert graded_times(out) == {student: 2 for student in ("alice", "bob", "carol", "dan", "erin")}

    fresh = tmp_path / "fresh"
    grade(capsys, specs, subs, fresh)
    regraded = outputs(out)
    assert regraded == outputs(fresh)  # results.json, report.html and every class file, byte for byte
    assert regraded != first

    q2.write_text(q2.read_text(encoding="utf-8").replace(LOOSE, STRICT), encoding="utf-8")
    err = grade(capsys, specs, subs, out)
    assert "q2-activations spec changed: 5 students regraded for q2-activations only" in err
    assert outputs(out) == first


def test_a_problem_set_left_out_keeps_the_other_sets_verdicts_and_grades_nothing(tmp_path, capsys, sandbox_runs):
    specs, subs, out = specs_copy(tmp_path), sample_class(tmp_path), tmp_path / "out"
    grade(capsys, specs, subs, out)
    sandbox_runs.clear()

    only_foundations = specs / "foundations.yaml"
    err = grade(capsys, only_foundations, subs, out)
    assert "q2-activations no longer given: 5 students put together again without it, nothing graded again" in err
    assert sandbox_runs == []
    fresh = tmp_path / "fresh"
    grade(capsys, only_foundations, subs, fresh)
    assert outputs(out) == outputs(fresh)


def test_a_gradebook_without_results_per_problem_set_grades_everyone_whole_once(tmp_path, capsys):
    specs, subs, out = specs_copy(tmp_path), sample_class(tmp_path), tmp_path / "out"
    shutil.rmtree(subs / "dan")
    grade(capsys, specs, subs, out)
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        db.execute("DELETE FROM set_gradings")  # as a gradebook written before results were kept per set
    q2 = specs / "q2-activations.yaml"
    q2.write_text(q2.read_text(encoding="utf-8").replace(STRICT, LOOSE), encoding="utf-8")
    err = grade(capsys, specs, subs, out)
    assert ("q2-activations spec changed: 4 students regraded for foundations, q2-activations (foundations too: "
            "their earlier results were not kept per problem set)") in err
    fresh = tmp_path / "fresh"
    grade(capsys, specs, subs, fresh)
    assert outputs(out) == outputs(fresh)


LITTER = {"Thumbs.db": b"\xd0\xcf\x11\xe0", "desktop.ini": b"[.ShellClassInfo]\r\n", "._answers.yaml": b"\0\5\x16\7",
          ".ipynb_checkpoints/answers-checkpoint.ipynb": b"{}", "__MACOSX/._answers.yaml": b"\0\5\x16\7",
          "~$notes.docx": b"owner"}


@pytest.mark.parametrize("name", sorted(LITTER))
def test_os_and_editor_litter_beside_the_files_regrades_nothing(tmp_path, capsys, name):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "answers.yaml").write_text(answers(1))
    grade(capsys, spec, subs, out)
    before = outputs(out)

    litter = subs / "ann" / name
    litter.parent.mkdir(parents=True, exist_ok=True)
    litter.write_bytes(LITTER[name])
    assert "graded 0 submission(s), kept 1 graded earlier" in grade(capsys, spec, subs, out)
    assert outputs(out) == before
    litter.unlink()
    assert "graded 0 submission(s), kept 1 graded earlier" in grade(capsys, spec, subs, out)


def test_litter_in_the_class_folder_is_no_student(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ann.yaml").write_text(answers(1))
    (subs / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (subs / "desktop.ini").write_bytes(b"[.ShellClassInfo]\r\n")
    (subs / "__MACOSX").mkdir()
    (subs / "__MACOSX" / "._ann.yaml").write_bytes(b"\0\5\x16\7")
    assert "graded 1 submission(s)" in grade(capsys, spec, subs, out)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ann"]


def test_a_folder_of_litter_and_checkpoint_copies_says_to_hand_in_the_notebook(tmp_path, capsys):
    spec, subs, out = write_spec(tmp_path), tmp_path / "subs", tmp_path / "out"
    (subs / "ann" / ".ipynb_checkpoints").mkdir(parents=True)
    (subs / "ann" / ".ipynb_checkpoints" / "answers-checkpoint.ipynb").write_text("{}")
    (subs / "ann" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    grade(capsys, spec, subs, out)
    text = (out / "ann" / "results.json").read_text(encoding="utf-8")
    assert "holds only Jupyter checkpoint copies" in text and "holds no files" not in text


def test_after_an_interrupted_spec_change_run_the_next_run_still_says_the_spec_changed(tmp_path, capsys,
                                                                                          monkeypatch):
    """The interrupted run already graded some students with the new spec; what the others are
    regraded for is still the spec change, not "earlier results were not kept per problem set"."""
    from grader.gradebook import Gradebook

    specs, subs, out = specs_copy(tmp_path), sample_class(tmp_path), tmp_path / "out"
    grade(capsys, specs, subs, out)
    q2 = specs / "q2-activations.yaml"
    q2.write_text(q2.read_text(encoding="utf-8").replace(STRICT, LOOSE), encoding="utf-8")

    original, recorded = Gradebook.record, []

    def interrupt_after_two(self, *args, **kwargs):
        if len(recorded) == 2:
            raise KeyboardInterrupt  # Ctrl-C, after two students were committed
        recorded.append(True)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Gradebook, "record", interrupt_after_two)
    capsys.readouterr()
    assert main(["grade", str(specs), "--submissions", str(subs), "--out", str(out), "--no-progress",
                 "--jobs", "1"]) == 130  # as after Ctrl-C
    monkeypatch.setattr(Gradebook, "record", original)
    # Said at once, before waiting for the submissions still being graded.
    assert "grader: interrupting: waiting for the submissions being graded to stop (Ctrl-C again to stop at " \
           "once); what was graded is kept" in capsys.readouterr().err

    err = grade(capsys, specs, subs, out)
    assert "q2-activations spec changed: 3 students regraded for q2-activations only" in err, err
    assert "were not kept per problem set" not in err
