"""A class run stopped from outside (SIGTERM, SIGHUP) or whose files change under it: what it keeps,
what it says, and that running the same command again gives the results of an undisturbed run."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SLEEP_SECONDS = 6  # long enough to act while the student is graded, under the 10 s a file may take to load


def make_class(folder: Path, slow: str) -> Path:
    """alice, bob and carol from the sample submissions, and ``slow``: alice's code, which sleeps as it loads."""
    subs = folder / "class"
    for student in ("alice", "bob", "carol"):
        shutil.copytree(REPO / "submissions" / student, subs / student)
    shutil.copytree(REPO / "submissions" / "alice", subs / slow)
    code = subs / slow / "foundations.py"
    code.write_text(f"import time\ntime.sleep({SLEEP_SECONDS})\n" + code.read_text())
    return subs


def command(subs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "grader", "grade", str(REPO / "problems"), "--submissions", str(subs),
            "--out", str(out), "--jobs", "1"]


def grade(subs: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(subs, out), capture_output=True, text=True, timeout=600, cwd=REPO)


def start(subs: Path, out: Path) -> subprocess.Popen:
    # As from a terminal: under nohup (a test run started so) SIGHUP would be ignored, and the run keep going.
    return subprocess.Popen(command(subs, out), cwd=REPO, start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))


def gradebook_count(out: Path, table: str) -> int:
    db = out / "gradebook.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def wait_for(process: subprocess.Popen, out: Path, table: str, count: int, patience: float = 300) -> None:
    deadline = time.monotonic() + patience
    while gradebook_count(out, table) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{table} never reached {count} rows"
        time.sleep(0.05)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=300)
    finally:
        with suppress(ProcessLookupError):  # anything the run left behind
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, stderr


def outputs(out: Path) -> dict[str, bytes]:
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.name in ("results.json", "grades.csv", "summary.md")}


# ---------------------------------------------------------------------------
def test_files_changed_while_the_run_grades_them_are_graded_again_once_restored(tmp_path):
    subs = make_class(tmp_path, slow="aaron")  # graded first (--jobs 1): the others wait for it
    clean = grade(subs, tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr

    out = tmp_path / "out"
    process = start(subs, out)
    wait_for(process, out, "runs", 1)  # grading has begun: aaron sleeps as he loads
    answers, code = subs / "aaron" / "q2.md", subs / "bob" / "foundations.py"
    kept_answers, kept_code = answers.read_bytes(), code.read_bytes()
    answers.write_text("Q2.1a: 7/8\n")  # aaron's, while he is being graded
    code.unlink()  # bob's, before he is graded
    returncode, stderr = finish(process)
    assert returncode == 0, stderr
    assert "the files of 2 student(s) changed while they were being graded: aaron, bob" in stderr
    assert "run the same command again" in stderr

    answers.write_bytes(kept_answers)
    code.write_bytes(kept_code)
    again = grade(subs, out)
    assert again.returncode == 0, again.stderr
    assert "graded 2 submission(s), kept 2 graded earlier" in again.stderr
    assert "changed while they were being graded" not in again.stderr
    assert outputs(out) == outputs(tmp_path / "clean")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_a_run_as_ctrl_c_does(tmp_path, sig):
    subs = make_class(tmp_path, slow="dave")  # graded last (--jobs 1)
    out = tmp_path / "out"
    process = start(subs, out)
    wait_for(process, out, "submissions", 3)
    time.sleep(0.5)  # dave is being graded
    os.kill(process.pid, sig)
    returncode, stderr = finish(process)

    assert returncode == 128 + sig, stderr
    assert "grader: interrupting: waiting for the submissions being graded to stop" in stderr
    assert "the same command finishes the rest" in stderr
    assert stderr.rstrip().endswith("grader: interrupted"), stderr
    assert "Traceback" not in stderr
    assert gradebook_count(out, "submissions") == 3  # what was graded is kept

    rest = grade(subs, out)
    assert rest.returncode == 0, rest.stderr
    assert "graded 1 submission(s), kept 3 graded earlier" in rest.stderr
