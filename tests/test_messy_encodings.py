"""Submissions saved on Windows and macOS, graded through the real `grader check`.

Old Mac line ends ("\\r") in a notebook, UTF-16 and UTF-32 files as Notepad saves "Unicode", a
no-break space typed with Option+Space, smart quotes, a TextEdit RTF document, a DOS editor's
Ctrl-Z: each is graded as the student meant it, or told in words that say what to do.
"""
from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
Q2 = ROOT / "problems" / "q2-activations.yaml"
ALICE = (ROOT / "submissions" / "alice" / "foundations.py").read_text(encoding="utf-8")
RIGHT = {"Q2.1a": "1/4", "Q2.1b": "1", "Q2.2": "(-oo, oo)", "Q2.3a": "\\frac{1}{4}", "Q2.3b": 0.2505,
         "Q2.3c": [0.2505, 9.9e-4, 9.7e-7, 9.4e-13], "Q2.3d": "approx"}
RIGHT_POINTS = 10  # all but Q2.4's 3, the prose left out here


def check(spec: Path, submission: Path) -> dict:
    """`grader check` on one submission file: the JSON results."""
    out = submission.parent / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", spec, submission, "--json", out],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def said(results: dict) -> str:
    """Everything the student reads: the notes and each part's feedback."""
    return "\n".join([results.get("output", "")] + [test.get("output", "") for test in results["tests"]])


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def alice_score(tmp_path_factory) -> float:
    """What alice's foundations.py scores saved as UTF-8."""
    folder = tmp_path_factory.mktemp("utf8")
    return check(FOUNDATIONS, write(folder, "foundations.py", ALICE.encode("utf-8")))["score"]


def answers_text(answers: dict) -> str:
    return yaml.safe_dump(answers, allow_unicode=True, sort_keys=False)


# ------------------------------------------------------------------ line ends in a notebook

@pytest.mark.parametrize("line_end", ["\r", "\r\n"], ids=["old-mac", "windows"])
def test_a_notebook_cell_with_a_magic_line_and_its_own_line_ends_is_graded(tmp_path, alice_score, line_end):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(("%matplotlib inline\n" + ALICE).replace("\n", line_end))]
    tmp_path.joinpath("foundations.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    results = check(FOUNDATIONS, tmp_path / "foundations.ipynb")
    assert results["score"] == alice_score
    assert "1 IPython magic line was skipped: %matplotlib was skipped in code cell 1" in results["output"]
    assert "is not defined" not in said(results)


def test_a_no_break_space_before_a_magic_is_reported_on_the_students_own_line(tmp_path):
    """Jupyter does not take "\\xa0%matplotlib" for a magic either: Python's error quotes the line written."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("\u00a0%matplotlib inline\n" + ALICE)]
    nbformat.write(notebook, tmp_path / "foundations.ipynb")
    text = said(check(FOUNDATIONS, tmp_path / "foundations.ipynb"))
    assert "invalid non-printable character U+00A0 in “%matplotlib inline”" in text
    assert "“pass”" not in text and '"pass"' not in text
    assert "magic line" not in text  # it was not skipped as one


# ------------------------------------------------------------------ UTF-16 and UTF-32

MARKED = {  # as Notepad and other editors save "Unicode": a byte-order mark, then the text
    "UTF-16 LE": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "UTF-16 BE": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "UTF-32 LE": lambda text: codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
}


@pytest.mark.parametrize("encoding", MARKED)
def test_a_python_file_in_utf16_or_utf32_with_a_byte_order_mark_is_graded(tmp_path, alice_score, encoding):
    results = check(FOUNDATIONS, write(tmp_path, "foundations.py", MARKED[encoding](ALICE)))
    assert results["score"] == alice_score
    assert "UTF" not in said(results)


@pytest.mark.parametrize("encoding", MARKED)
def test_an_answers_file_in_utf16_or_utf32_with_a_byte_order_mark_is_graded(tmp_path, encoding):
    results = check(Q2, write(tmp_path, "answers.yaml", MARKED[encoding](answers_text(RIGHT))))
    assert results["score"] == RIGHT_POINTS


@pytest.mark.parametrize("name", ["foundations.py", "answers.yaml"])
def test_utf16_without_a_byte_order_mark_is_told_as_such(tmp_path, name):
    text = ALICE if name.endswith(".py") else answers_text(RIGHT)
    results = check(FOUNDATIONS if name.endswith(".py") else Q2, write(tmp_path, name, text.encode("utf-16-le")))
    told = said(results)
    assert f"Could not read {name}" in told
    assert "not UTF-8 text: it looks like UTF-16 saved without a byte-order mark" in told
    assert "save it as UTF-8" in told
    assert "line None" not in told and "null bytes" not in told


def test_a_damaged_utf32_file_is_not_called_utf16(tmp_path):
    data = MARKED["UTF-32 LE"](ALICE)[:-2]  # cut off inside its last character
    told = said(check(FOUNDATIONS, write(tmp_path, "foundations.py", data)))
    assert "UTF-32" in told and "UTF-16" not in told


# ------------------------------------------------------------------ answers.yaml from a Mac or an old editor

def test_a_no_break_space_after_a_colon_is_the_space_the_student_meant(tmp_path):
    text = answers_text(RIGHT).replace("Q2.1b: ", "Q2.1b:\u00a0")
    assert "\u00a0" in text
    results = check(Q2, write(tmp_path, "answers.yaml", text.encode("utf-8")))
    assert results["score"] == RIGHT_POINTS


def test_smart_quotes_around_a_value_are_quotes(tmp_path):
    text = answers_text(RIGHT)
    text = text.replace("Q2.1a: 1/4", "Q2.1a: ‘1/4’").replace("Q2.3a: \\frac{1}{4}", "Q2.3a: “\\frac{1}{4}”")
    assert "‘1/4’" in text and "“\\frac{1}{4}”" in text
    results = check(Q2, write(tmp_path, "answers.yaml", text.encode("utf-8")))
    assert results["score"] == RIGHT_POINTS, said(results)


RTF = "\n".join([r"{\rtf1\ansi\ansicpg1252\cocoartf2761", r"{\fonttbl\f0\fswiss\fcharset0 Helvetica;}",
                 r"\f0\fs24 \cf0 Q2.1a: 1/4\\", r"Q2.1b: 1}", ""])


def test_an_rtf_document_saved_as_answers_yaml_is_told_as_such(tmp_path):
    told = said(check(Q2, write(tmp_path, "answers.yaml", RTF.encode("ascii"))))
    assert "answers.yaml: the file is an RTF document" in told and "plain text" in told
    assert "{" not in told.partition("RTF")[2].partition("\n")[0]  # no word on an unclosed '{'


def test_an_rtf_document_saved_as_q2_md_is_told_as_such(tmp_path):
    rtf = RTF.replace("Q2.1a: 1/4", "## Q2.1 \\\\ $\\dot\\sigma_{approx} = 1/4$")
    told = said(check(Q2, write(tmp_path, "q2.md", rtf.encode("ascii"))))
    assert "q2.md is an RTF document (rich text, as TextEdit saves by default), not plain text" in told, told
    assert "Format > Make Plain Text" in told


def test_a_dos_end_of_file_mark_is_dropped(tmp_path):
    results = check(Q2, write(tmp_path, "answers.yaml", answers_text(RIGHT).encode("utf-8") + b"\x1a"))
    assert results["score"] == RIGHT_POINTS


def test_a_control_character_inside_the_file_is_named_with_its_line(tmp_path):
    text = answers_text(RIGHT).replace("Q2.1b: '1'", "Q2.1b: '1'\x1a")
    assert "\x1a" in text
    told = said(check(Q2, write(tmp_path, "answers.yaml", text.encode("utf-8"))))
    assert "answers.yaml, line 2: " in told and "U+001A (Ctrl-Z)" in told
    assert "<unicode string>" not in told and "#x001a" not in told


Q2_MARKDOWN = (ROOT / "submissions" / "alice" / "q2.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", MARKED)
def test_a_markdown_answer_in_utf16_or_utf32_with_a_byte_order_mark_is_graded(tmp_path, encoding):
    results = check(Q2, write(tmp_path, "q2.md", MARKED[encoding](Q2_MARKDOWN)))
    assert results["score"] == 13, said(results)


def test_a_markdown_answer_in_utf16_without_a_byte_order_mark_is_told_as_such(tmp_path):
    told = said(check(Q2, write(tmp_path, "q2.md", Q2_MARKDOWN.encode("utf-16-le"))))
    assert "q2.md is not UTF-8 text: it looks like UTF-16 saved without a byte-order mark" in told
    assert "binary" not in told
