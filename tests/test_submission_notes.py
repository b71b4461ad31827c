"""What a submission's files say about themselves: a named pipe, Jupyter's
checkpoint copies alone, several copies of one answer."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.cli import load_references, main
from grader.grading import Grader
from grader.readers import submission_files


@pytest.fixture
def tiny_grader(tiny_spec):
    with Grader(load_references([str(tiny_spec)])) as grader:
        yield grader


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_named_like_a_submission_file_is_reported_not_read(tmp_path, tiny_spec, capsys):
    entry = tmp_path / "ann"
    write(entry / "notes.md", "Nothing here.\n")
    os.mkfifo(entry / "answers.yaml")  # opening it would wait for a writer forever
    report = tmp_path / "ann.json"
    assert main(["check", str(tiny_spec), str(entry), "--json", str(report)]) == 0
    note = "answers.yaml is not a regular file (a named pipe); it was not read."
    assert f"note: {note}" in capsys.readouterr().out
    assert note in json.loads(report.read_text())["output"]

    with Grader(load_references([str(tiny_spec)])) as grader:
        assert note in grader.grade("ann", submission_files(entry), entry=entry).notes
        alone = tmp_path / "bo.yaml"
        os.mkfifo(alone)
        notes = grader.grade("bo", submission_files(alone), entry=alone).notes
    assert notes == ("bo.yaml is not a regular file (a named pipe); it was not read.",)


def test_only_jupyter_checkpoint_copies_say_to_hand_in_the_notebook(tmp_path, tiny_grader):
    entry = tmp_path / "ann"
    copy = write(entry / ".ipynb_checkpoints" / "tiny-checkpoint.ipynb", "{}")
    assert submission_files(entry) == [copy]
    result = tiny_grader.grade("ann", submission_files(entry), entry=entry)
    assert result.notes == ("The submission holds only Jupyter checkpoint copies (.ipynb_checkpoints/"
                            "tiny-checkpoint.ipynb), which Jupyter saves by itself and which are not graded: "
                            "hand in the notebook itself (tiny.ipynb).",)
    assert result.score == 0

    notebook = write(entry / "tiny.ipynb", "{}")
    assert submission_files(entry) == [notebook]  # beside the notebook, its copies are left out as before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert tiny_grader.grade("empty", submission_files(empty), entry=empty).notes == (
        "The submission holds no files.",)


def test_copies_of_one_file_are_named_by_their_path_and_noted(tmp_path, tiny_grader):
    entry = tmp_path / "ann"
    write(entry / "old" / "answers.yaml", "P1: 0.25\n")
    write(entry / "final" / "answers.yaml", "P1: 0.5\n")
    result = tiny_grader.grade("ann", submission_files(entry), entry=entry)
    (p1,) = result.parts
    assert (p1.score, p1.source) == (2.0, "final/answers.yaml")
    assert result.notes == ("Several copies were handed in (final/answers.yaml, old/answers.yaml), answering the "
                            "same parts of tiny (P1): each part was graded from the copy that scores best on it, and "
                            "names the copy it was graded from. Hand in one file.",)
    output = result.to_gradescope()["tests"][0]["output"]
    assert output.endswith("(graded from final/answers.yaml)")
    # Without the entry, the files' own folder is where paths start.
    assert tiny_grader.grade("ann", submission_files(entry)).parts[0].source == "final/answers.yaml"


def test_copies_of_one_answer_in_two_formats_are_noted_unless_they_are_the_same(tmp_path, tiny_grader):
    entry = tmp_path / "ann"
    write(entry / "answers.yaml", "P1: 0.5\n")
    write(entry / "answers.md", "## P1\n\n$\\frac{1}{4}$\n")
    result = tiny_grader.grade("ann", submission_files(entry), entry=entry)
    assert result.parts[0].source == "answers.yaml"
    assert any(n.startswith("Several copies were handed in (answers.md, answers.yaml)") for n in result.notes)

    same = tmp_path / "bo"
    write(same / "a" / "answers.yaml", "P1: 0.5\n")
    write(same / "b" / "answers.yaml", "P1: 0.5\n")
    result = tiny_grader.grade("bo", submission_files(same), entry=same)
    assert result.notes == () and result.parts[0].source == "a/answers.yaml"


def test_a_file_that_cannot_be_read_is_named_by_its_path_among_copies(tmp_path, tiny_grader):
    entry = tmp_path / "ann"
    write(entry / "old" / "answers.yaml", "P1: [unclosed\n")
    write(entry / "final" / "answers.yaml", "P1: 0.5\n")
    notes = tiny_grader.grade("ann", submission_files(entry), entry=entry).notes
    assert any("old/answers.yaml" in n for n in notes), notes
    assert not any(n.startswith("answers.yaml") or "read answers.yaml" in n for n in notes), notes
