"""Reading a write-up as ``grader check`` reads it, for the tests of the Markdown reader: the file written, read,
and each part's answer as read (None when the part has no answer, or one that could not be read)."""
from __future__ import annotations

from pathlib import Path

from grader.readers.markdown import read_markdown


def read(tmp_path: Path, text: str, problem_set) -> dict:
    path = tmp_path / "q2.md"
    path.write_text(text, encoding="utf-8")
    return read_markdown(path, problem_set).answers


def value(answers: dict, label: str) -> str | None:
    answer = answers.get(label)
    return None if answer is None or answer.problem else answer.value
