"""Writing outputs: atomic files, results stored and read back exactly, the gradebook's parts rows."""
from __future__ import annotations

import os
import threading

import pytest

from grader.results import write_atomic


# ---------------------------------------------------------------------------
# write_atomic
def test_write_atomic_makes_folders_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "a" / "b" / "report.html"
    write_atomic(target, "first ✓\n")
    write_atomic(target, "second\n")
    assert target.read_bytes() == b"second\n"
    assert os.listdir(target.parent) == ["report.html"]


def test_write_atomic_files_are_readable_as_the_umask_says(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "grades.csv", "x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "grades.csv").stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "results.json"
    write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half \udc00 written")  # a lone surrogate cannot be encoded
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["results.json"]


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
