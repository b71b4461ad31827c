"""summary.md is shown rendered (a CI job page, $GITHUB_STEP_SUMMARY): what a student wrote must show as
typed there, never as a link that looks like the grader's, a remote image, or bold "All checks passed"."""
from __future__ import annotations

import re

from grader.cli import main
from grader.exports import control_pictures, markdown_summary
from grader.results import PartResult, SubmissionResult

LURE = "**All checks passed** - [open the full report](https://evil.example/r) ![ok](https://evil.example/p.png)"


def test_a_students_markdown_in_a_self_check_summary_is_shown_as_text(tmp_path, tiny_spec):
    submission = tmp_path / "answers.yaml"
    submission.write_text(f"P1: '{LURE}'\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    main(["check", str(tiny_spec), str(submission), "--markdown", str(summary)])
    text = summary.read_text(encoding="utf-8")
    assert "open the full report" in text  # the answer is quoted, as the student wrote it
    unescaped = re.compile(r"(?<!\\)(\]\(|!\[|\*\*)")  # a link's "](", an image's "![", bold "**"
    row = next(line for line in text.splitlines() if line.startswith("| P1 |"))
    assert not unescaped.search(row), row
    assert r"\*\*All checks passed\*\* - \[open the full report\](https://evil.example/r) \!\[ok\]" in text


def test_student_ids_and_notes_in_a_class_summary_are_text_with_controls_shown():
    crashed = PartResult("set", "A1", "[Official report](https://evil.example)", 1.0, 0.0, "error", "It broke.")
    results = [SubmissionResult("[Official grader report](https://evil.example)", (crashed,)),
               SubmissionResult("\u202eecila", (crashed,))]
    text = markdown_summary(results, "Homework", 1.0)
    assert r"\[Official grader report\](https://evil.example)" in text
    assert "⟨U+202E⟩ecila" in text and "\u202e" not in text


def test_bidi_overrides_are_shown_by_name_wherever_control_pictures_apply():
    assert control_pictures("\u202eecila\u2066x\u2069\u200f") == "⟨U+202E⟩ecila⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩"
    assert control_pictures("σ̇ ≈ ¼, ℝ") == "σ̇ ≈ ¼, ℝ"  # other Unicode is left alone
