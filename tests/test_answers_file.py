"""Answers files end to end through the real CLI: right answers score full marks,
each wrong answer scores 0 on its part with feedback saying why, and
results.json keeps INTERFACE.md's promises."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
Q2 = ROOT / "problems" / "q2-activations.yaml"

PROSE = (
    "Back-propagation through time multiplies the gradient by the activation derivative at every time step, "
    "a product of T factors. The sigmoid's derivative is at most 1/4 while tanh's is at most 1, so with sigmoid "
    "the product shrinks like (1/4)^T. So gradients vanish exponentially, much faster with sigmoid than with tanh."
)

RIGHT = {
    "Q2.1a": "1/4",
    "Q2.1b": "1",
    "Q2.2": "(-oo, oo)",
    "Q2.3a": "\\frac{1}{4}",
    "Q2.3b": 0.2505,
    "Q2.3c": [0.2505, 9.9e-4, 9.7e-7, 9.4e-13],
    "Q2.3d": "approx",
    "Q2.4": PROSE,
}

# part → (a wrong answer, words the feedback must contain)
WRONG = {
    "Q2.1a": ("1/4 + epsilon/4", "σ̈(0) = 0"),
    "Q2.1b": ("1 - epsilon^2", "second-order"),
    "Q2.2": ("[0, oo)", "negative ε"),
    "Q2.3a": ("4", "upside down"),
    "Q2.3b": (0.25, "approximation's value"),
    "Q2.3c": ([1.0, 1.0, 1.0, 1.0], "not within tolerance"),
    "Q2.3d": ("true", ""),
    "Q2.4": ("I am not sure what this implies.", "missing"),
}


def grader(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def write_answers(folder: Path, answers: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    return path


def test_labels_are_matched_whatever_their_case(tmp_path):
    answers = write_answers(tmp_path / "lower", {label.lower(): value for label, value in RIGHT.items()})
    out = tmp_path / "results.json"
    run = grader("check", str(Q2), str(answers), "--json", str(out))
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["score"] == 13


def test_all_right_scores_full_marks(tmp_path):
    answers = write_answers(tmp_path / "ann", RIGHT)
    out = tmp_path / "results.json"
    run = grader("check", str(Q2), str(answers), "--json", str(out))
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert results["score"] == 13
    assert all(t["status"] == "passed" for t in results["tests"]), results["tests"]
    assert "public checks passed" in run.stdout


def test_each_wrong_part_scores_zero_with_a_reason(tmp_path):
    answers = dict(RIGHT)
    answers.update({label: wrong for label, (wrong, _) in WRONG.items()})
    path = write_answers(tmp_path / "bo", answers)
    out = tmp_path / "results.json"
    run = grader("check", str(Q2), str(path), "--json", str(out))
    assert run.returncode == 0, run.stderr
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    for label, (_, words) in WRONG.items():
        assert tests[label]["score"] == 0, (label, tests[label])
        assert tests[label]["status"] == "failed"
        assert tests[label]["output"].strip(), label
        assert words in tests[label]["output"], (label, tests[label]["output"])


def test_results_json_matches_the_interface(tmp_path):
    write_answers(tmp_path / "subs" / "cy", RIGHT)
    run = grader("grade", str(Q2), "--submissions", str(tmp_path / "subs"), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "out" / "cy" / "results.json").read_text())
    assert set(results) >= {"score", "execution_time", "output", "tests"}
    assert [t["number"] for t in results["tests"]] == list(RIGHT)
    for test in results["tests"]:
        assert set(test) >= {"number", "name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
    assert (tmp_path / "out" / "cy" / "report.html").is_file()
    assert (tmp_path / "out" / "grades.csv").is_file()


def test_unreadable_answer_is_could_not_read_not_zero_silently(tmp_path):
    answers = dict(RIGHT, **{"Q2.1a": "\\frac{1}{"})
    path = write_answers(tmp_path / "di", answers)
    out = tmp_path / "r.json"
    grader("check", str(Q2), str(path), "--json", str(out))
    test = {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.1a"]
    assert test["score"] == 0
    assert test["extra_data"]["verdict"] == "could not read"
    assert "\\frac{1}{" in test["output"]


def test_missing_part_is_not_answered(tmp_path):
    answers = {k: v for k, v in RIGHT.items() if k != "Q2.2"}
    path = write_answers(tmp_path / "ed", answers)
    out = tmp_path / "r.json"
    grader("check", str(Q2), str(path), "--json", str(out))
    test = {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.2"]
    assert test["score"] == 0
    # the file was handed in: it is the part that is missing from it
    assert test["output"] == "Not answered: answers.yaml answers other parts of q2-activations, but not this one."


def test_a_part_of_a_set_no_file_answers_says_no_file_does(tmp_path):
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "foundations.py").write_text("def dot(u, v):\n    return 0.0\n", encoding="utf-8")
    out = tmp_path / "r.json"
    grader("check", str(Q2), str(folder), "--json", str(out))
    test = {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.2"]
    assert test["output"] == "Not answered: no file of the submission answers this part."


# "Billion laughs": nine lines of aliases stand for 9^9 values.
ALIAS_BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 9)) + "Q2.1a: *a8\n"


@pytest.mark.parametrize("content, words", [
    ("Q2.1a: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "maps part labels to answers (e.g. 'Q2.1a: 1/4'), but this file holds a list"),
    (ALIAS_BOMB, "line 2: YAML aliases (*name) are not allowed"),
    ("Q2.1a: " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_broken_answers_file_gets_a_clear_message(tmp_path, content, words):
    folder = tmp_path / "fi"
    folder.mkdir()
    (folder / "answers.yaml").write_text(content, encoding="utf-8")
    out = tmp_path / "r.json"
    run = grader("check", str(Q2), str(folder), "--json", str(out))
    assert run.returncode == 0, run.stderr
    assert "answers.yaml" in run.stdout and words in run.stdout
    assert json.loads(out.read_text())["score"] == 0


def test_fail_under_exits_1(tmp_path):
    answers = write_answers(tmp_path / "gi", {"Q2.1a": "1/4"})
    run = grader("check", str(Q2), str(answers), "--fail-under", "10")
    assert run.returncode == 1


def test_latex_in_double_quotes_keeps_its_backslashes(tmp_path):
    """YAML reads "\\frac" as a form feed and "rac", "\\varepsilon" as a vertical tab, and refuses "\\infty":
    in a student's answers file, a backslash in double quotes stays the LaTeX it was written as."""
    answers = tmp_path / "answers.yaml"
    answers.write_text('Q2.1a: "\\frac{1}{4}"\n'
                       'Q2.2: "\\varepsilon \\in (-\\infty, \\infty)"\n'
                       'Q2.3a: "\\\\tfrac{1}{4}"\n', encoding="utf-8")  # a doubled backslash is one
    run = grader("check", str(Q2), str(answers), "--json", str(tmp_path / "r.json"))
    verdicts = {t["number"]: t["status"] for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    assert verdicts["Q2.1a"] == verdicts["Q2.2"] == verdicts["Q2.3a"] == "passed", run.stdout


def test_bad_usage_exits_2_without_traceback(tmp_path):
    run = grader("check", str(Q2), str(tmp_path / "nowhere.yaml"))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "does not exist" in run.stderr


def test_lone_surrogates_and_control_characters_in_answers_break_no_output(tmp_path):
    # YAML's "\ud800" is not a character: no UTF-8 report, database or
    # terminal takes it; "\x1b[2J" would clear the instructor's terminal.
    folder = tmp_path / "class" / "zed"
    folder.mkdir(parents=True)
    (folder / "answers.yaml").write_text('Q2.1a: "1/4 \\ud800 \\x1b[2J"\nQ2.4: "gradient \\ud800"\n')
    out = tmp_path / "reports"
    run = grader("grade", str(Q2), "--submissions", str(folder.parent), "--out", str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    assert (out / "zed" / "report.html").exists() and (out / "index.html").exists()
    check = grader("check", str(Q2), str(folder))
    assert check.returncode == 0, check.stderr[-3000:]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", check.stdout)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    # `grader check … | head -1`: the pipe closes before the table is written.
    answers = write_answers(tmp_path / "pipe", RIGHT)
    process = subprocess.Popen([sys.executable, "-m", "grader", "check", str(Q2), str(answers)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr, stderr.decode()[-2000:]


def test_a_file_yaml_cannot_read_only_for_unquoted_brackets_is_read_line_by_line(tmp_path):
    # "Q2.2: [0, oo)" is an interval to the student and an unclosed list to YAML: one slip zeroed every part.
    path = tmp_path / "answers.yaml"
    path.write_text("# my answers\nQ2.1a: 1/4\nQ2.2: [0, oo)   # half-open\nQ2.3b: '0.2505'\n"
                    "Q2.3c: [0.2505, 9.86 \\cdot 10^{-4}, 9.72e-7, 9.44e-13]\n", encoding="utf-8")
    out = tmp_path / "results.json"
    run = grader("check", str(Q2), str(path), "--json", str(out))
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    parts = {t["number"]: t for t in results["tests"]}
    assert [parts[label]["score"] for label in ("Q2.1a", "Q2.3b", "Q2.3c")] == [2, 1, 1]
    assert parts["Q2.2"]["score"] == 0 and "negative ε" in parts["Q2.2"]["output"]  # its known mistake, said
    assert ("answers.yaml, line 3 is not valid YAML" in results["output"]
            and "it was read line by line" in results["output"]
            and "Put quotes around an answer that begins with [ or { (Q2.2: '[0, oo)')" in results["output"])


def test_a_file_yaml_cannot_read_with_lines_of_another_shape_says_to_quote_brackets(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("Q2.2: [0, oo)\nQ2.4: |\n  The gradient vanishes.\n", encoding="utf-8")
    out = tmp_path / "results.json"
    run = grader("check", str(Q2), str(path), "--json", str(out))
    assert run.returncode == 0, run.stderr
    said = {t["number"]: t for t in json.loads(out.read_text())["tests"]}["Q2.2"]["output"]
    assert "answers.yaml, line 1: not valid YAML" in said
    assert "An answer that begins with [ or { needs quotes around it: Q2.2: '[0, oo)'" in said
