"""The gradebook: results stored per submission, replaced on regrading, overrides kept apart."""
from __future__ import annotations

import sqlite3

import pytest

from grader.gradebook import Gradebook, GradebookError, Override, StoredKey, unusable
from grader.results import CaseResult, PartResult, SubmissionResult


def result(student: str, score: float = 1.0) -> SubmissionResult:
    parts = (PartResult("set", "P1", "One", 2.0, score, "partial", "Half.", source="a.md", answer="1/2",
                        details=("detail",), cases=(CaseResult("c", True, "correct", 1.0, "ok"),)),
             PartResult("set", "P2", "Two", 1.0, 1.0, "correct", "Looks good.", provisional=True))
    return SubmissionResult(student, parts, ("a note",), {"mode": "zygote"}, 0.25)


@pytest.fixture
def gradebook(tmp_path):
    with Gradebook.in_folder(tmp_path) as book:
        yield book


def start(book: Gradebook) -> int:
    return book.start_run(spec_digest="spec1", problem_sets=[{"id": "set", "title": "Set", "max_score": 3}],
                          executor="process", jobs=2, submissions=2, to_grade=2)


def test_results_round_trip_and_are_replaced_on_regrading(gradebook):
    run = start(gradebook)
    gradebook.record(run, result("bo"), content_hash="h1", spec_digest="spec1")
    gradebook.record(run, result("al"), content_hash="h2", spec_digest="spec1")
    assert gradebook.result("bo") == result("bo")
    gradebook.record(run, result("bo", 2.0), content_hash="h3", spec_digest="spec1")
    assert [r.student for r in gradebook.results()] == ["al", "bo"]
    assert gradebook.result("bo").score == 3.0
    assert gradebook.stored_keys() == {"al": StoredKey("h2", "spec1"), "bo": StoredKey("h3", "spec1")}
    assert gradebook.grading_counts() == {"al": 1, "bo": 2}
    assert gradebook.result("nobody") is None


def test_parts_table_holds_verdicts_for_queries(gradebook, tmp_path):
    gradebook.record(start(gradebook), result("bo"), content_hash="h", spec_digest="spec1")
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as db:
        rows = db.execute("SELECT label, status, score, provisional, source FROM parts ORDER BY position").fetchall()
    assert rows == [("P1", "partial", 1.0, 0, "a.md"), ("P2", "correct", 1.0, 1, "")]


def test_runs_are_logged(gradebook):
    run = start(gradebook)
    gradebook.finish_run(run, graded=2, crashed=0, seconds=1.5)
    (row,) = gradebook.runs()
    assert (row["graded"], row["seconds"], row["executor"]) == (2, 1.5, "process")
    assert gradebook.last_problem_sets() == [{"id": "set", "max_score": 3, "title": "Set"}]


def test_overrides_are_kept_apart_from_results(gradebook):
    gradebook.record(start(gradebook), result("bo"), content_hash="h", spec_digest="spec1")
    gradebook.set_override("bo", "P1", 2.0, "Fine.")
    gradebook.record(1, result("bo", 0.0), content_hash="h2", spec_digest="spec1")  # a regrade
    assert gradebook.overrides() == {"bo": {"P1": Override(2.0, "Fine.")}}
    assert gradebook.remove_override("bo", "P1") and not gradebook.remove_override("bo", "P1")
    assert gradebook.overrides() == {}


def test_expected_answers_per_spec_digest(gradebook):
    gradebook.save_expected("spec1", {"P1": "<math/>"})
    gradebook.save_expected("spec1", {"P2": "<math><mn>2</mn></math>"})
    assert gradebook.expected("spec1") == {"P2": "<math><mn>2</mn></math>"}
    assert gradebook.expected("other") == {}


def test_a_file_that_is_not_a_gradebook_is_refused(tmp_path):
    (tmp_path / "gradebook.sqlite").write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(GradebookError, match="cannot be used .*not a grader gradebook"):
        Gradebook.in_folder(tmp_path)


def test_a_gradebook_from_another_schema_is_refused(tmp_path):
    Gradebook.in_folder(tmp_path).close()
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(GradebookError, match="schema 99"):
        Gradebook.in_folder(tmp_path)


def _sqlite_error(run) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as raised:
        run()
    return raised.value


def test_a_full_disk_is_not_called_a_damaged_gradebook(tmp_path):
    """Moving the gradebook away, the advice for a damaged one, would lose every result and override;
    on a full disk (here SQLite's own limit raises the same error a full disk does) nothing is lost."""
    book = tmp_path / "gradebook.sqlite"
    db = sqlite3.connect(book)
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA max_page_count = 3")
    full = _sqlite_error(lambda: db.executemany("INSERT INTO t VALUES (?)", [("x" * 2000,)] * 50))
    message = unusable(book, full)
    assert message.startswith(f"the disk holding {tmp_path} is full (database or disk is full): free some space")
    assert "what was graded so far is kept" in message and "Move it away" not in message


def test_a_read_only_gradebook_says_so_and_keeps_the_results(tmp_path):
    Gradebook.in_folder(tmp_path)._db.close()
    book = tmp_path / "gradebook.sqlite"
    read_only = sqlite3.connect(f"{book.as_uri()}?mode=ro", uri=True)
    error = _sqlite_error(lambda: read_only.execute("CREATE TABLE t (x)"))
    message = unusable(book, error)
    assert message.startswith(f"{book} cannot be written (attempt to write a readonly database): the file or its "
                              "folder is read-only")
    assert "Move it away" not in message
