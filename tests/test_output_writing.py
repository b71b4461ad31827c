"""Writing outputs: atomic files, results stored and read back exactly, the gradebook's parts rows."""
from __future__ import annotations

import dataclasses
import json
import errno
import os
import subprocess
import sys
import threading

import pytest
from pathlib import Path

from grader.gradebook import Gradebook
from grader.results import CaseResult, PartResult, SubmissionResult, dumps, write_atomic


def case(name: str, credit: float = 1.0, status: str = "correct") -> CaseResult:
    return CaseResult(name, name.startswith("public"), status, credit, "Looks good." if credit else "Wrong.")


def result(student: str, wrong: int = -1, parts: int = 3) -> SubmissionResult:
    """``parts`` code parts; part number ``wrong`` misses its hidden case."""
    return SubmissionResult(student, tuple(
        PartResult("set", f"P{i}", f"Part {i}", 2.0, 1.0 if i == wrong else 2.0,
                   "partial" if i == wrong else "correct", "Feedback.", source="f.py", details=("a detail",),
                   cases=(case("public case"), case("hidden case 1", 0.0 if i == wrong else 1.0)), hidden_cases=1)
        for i in range(parts)), ("a note",), {"mode": "zygote", "limits": {"memory": 1 << 30}}, 1.5)


# ---------------------------------------------------------------------------
# results.json / the gradebook's JSON
def test_to_json_is_asdict_with_the_totals():
    r = result("s1", wrong=1)
    expected = dataclasses.asdict(r) | {"score": r.score, "max_score": r.max_score}
    assert r.to_json() == expected
    assert json.dumps(r.to_json(), sort_keys=True) == json.dumps(expected, sort_keys=True)
    r.to_json()["isolation"]["limits"]["memory"] = 0
    assert r.isolation["limits"]["memory"] == 1 << 30  # a copy, as asdict's


def test_results_read_back_equal_and_equal_records_are_shared():
    stored = [result("s1"), result("s2"), result("s3", wrong=2)]
    shared: dict = {}
    read = [SubmissionResult.from_json(json.loads(json.dumps(r.to_json())), shared) for r in stored]
    assert read == stored
    assert [dumps(r.to_gradescope()) for r in read] == [dumps(r.to_gradescope()) for r in stored]
    assert read[0].parts[0] is read[1].parts[0] is read[2].parts[0]  # the same correct part
    assert read[2].parts[2] is not read[0].parts[2] and read[2].parts[2].score == 1.0
    assert read[0].parts[0].cases[0] is read[2].parts[2].cases[0]  # the same public case


def test_sharing_keeps_numbers_as_they_were_written():
    first = json.loads(json.dumps(result("s1").to_json()))
    second = json.loads(json.dumps(result("s2").to_json()).replace('"credit": 1.0', '"credit": 1'))
    shared: dict = {}
    a, b = SubmissionResult.from_json(first, shared), SubmissionResult.from_json(second, shared)
    assert type(a.parts[0].cases[0].credit) is float and type(b.parts[0].cases[0].credit) is int
    assert json.dumps(b.to_json(), sort_keys=True) == json.dumps(second, sort_keys=True)


# ---------------------------------------------------------------------------
# write_atomic
def test_write_atomic_makes_folders_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "a" / "b" / "report.html"
    write_atomic(target, "first ✓\n")
    write_atomic(target, "second\n")
    assert target.read_bytes() == b"second\n"
    assert os.listdir(target.parent) == ["report.html"]


def test_an_output_that_cannot_be_created_is_named_not_its_temporary_file(tmp_path):
    # /proc takes no new files: the error must name the path the user gave (--junit /proc/x.xml).
    with pytest.raises(OSError) as error:
        write_atomic(Path("/proc/junit.xml"), "x")
    assert error.value.filename == "/proc/junit.xml" and ".tmp" not in str(error.value)


def test_write_atomic_files_are_readable_as_the_umask_says(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "grades.csv", "x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "grades.csv").stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    write_atomic(target, "old\n")

    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError):
        write_atomic(target, "new\n")
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["results.json"]


def test_a_lone_surrogate_is_written_as_a_replacement_character(tmp_path):
    # Student text can spell one ("\ud800" in JSON or YAML); the file is still written.
    write_atomic(tmp_path / "report.html", "half \udc00 written")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "half \ufffd written"


def test_threads_write_one_folder_at_once(tmp_path):
    def write(number: int) -> None:
        for round_ in range(20):
            write_atomic(tmp_path / f"student{number}" / "report.html", f"{number} {round_}\n")
            write_atomic(tmp_path / "index.html", f"{number}\n")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(os.listdir(tmp_path)) == ["index.html"] + [f"student{n}" for n in range(8)]
    assert all((tmp_path / f"student{n}" / "report.html").read_text() == f"{n} 19\n" for n in range(8))
    assert int((tmp_path / "index.html").read_text()) in range(8)


# ---------------------------------------------------------------------------
# The gradebook
def test_every_part_gets_its_row_in_order_however_many_there_are(tmp_path):
    with Gradebook.in_folder(tmp_path) as book:
        run = book.start_run(spec_digest="d", problem_sets=[], executor="thread", jobs=1, submissions=2,
                             to_grade=2)
        book.record(run, result("many", wrong=150, parts=201), content_hash="h", spec_digest="d")
        book.record(run, result("few"), content_hash="h", spec_digest="d")
        book.record(run, result("many", parts=2), content_hash="h2", spec_digest="d")  # regraded: rows replaced
        rows = book._db.execute("SELECT student, position, label, score FROM parts ORDER BY student, position")
        assert rows.fetchall() == ([("few", i, f"P{i}", 2.0) for i in range(3)]
                                   + [("many", i, f"P{i}", 2.0) for i in range(2)])
        book.record(run, result("many", wrong=150, parts=201), content_hash="h3", spec_digest="d")
        rows = book._db.execute("SELECT position, label, score FROM parts WHERE student = 'many' ORDER BY position")
        assert rows.fetchall() == [(i, f"P{i}", 1.0 if i == 150 else 2.0) for i in range(201)]
        assert list(book.results()) == [result("few"), result("many", wrong=150, parts=201)]


# ---------------------------------------------------------------------------
# Reports
def test_the_class_summary_draws_its_plots_without_pyplot():
    code = ("import sys\n"
            "from grader.report import render_class_summary\n"
            "from grader.results import PartResult, SubmissionResult\n"
            "r = SubmissionResult('s', (PartResult('set', 'P', 'Part', 1.0, 1.0, 'correct', 'ok'),))\n"
            "page = render_class_summary([r], title='T', max_score=1)\n"
            "assert page.count('<svg') == 2, page\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
