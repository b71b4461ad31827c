"""Mistakes an instructor makes writing a new spec are refused with the file, the line and what was
expected, by `grader validate`, `publish` and `check` alike (exit 2, no traceback), before a student
gets a spec that scores right answers 0 or crashes their self-check."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SPEC = '''\
id: authoring
title: Authoring mistakes
submission_files: [work.py, answers.yaml]
defaults: {rtol: 1.0e-6, atol: 1.0e-9}
handout: |
  Hand in `work.py` and `answers.yaml`.
setup: |
  x = Symbol("x", real=True)
parts:
  - label: E1
    title: "d/dx of x sin x"
    points: 1
    kind: expression
    options: {variables: ["x: real"]}
    reference: diff(x * sin(x), x)
  - label: N1
    title: "one third"
    points: 1
    kind: number
    options: {mode: sigfigs, sigfigs: 3}
    reference: Rational(1, 3)
  - label: C1
    title: "Which activation is convex?"
    points: 1
    kind: choice
    options: {choices: [relu, sigmoid, tanh]}
    reference: '"relu"'
  - label: F1
    title: "halve(v): half of each value"
    points: 2
    code:
      function: halve
      kind: array
      solution: |
        def halve(v):
            """Return half of each value of the 1-D array v."""
            return np.asarray(v, dtype=float) / 2
      cases:
        - {name: "pair", public: true, args: [[3.0, 4.0]]}
        - {name: "random", args: "[rng.normal(size=4)]"}
    mistakes:
      - when: "exception == 'ZeroDivisionError'"
        feedback: "Dividing by two never divides by zero."
  - label: F2
    title: "ratio(a, b): a over b"
    points: 1
    code:
      function: ratio
      kind: number
      solution: |
        def ratio(a, b):
            """Return a / b."""
            return a / b
      cases:
        - {name: "six by three", public: true, args: [6.0, 3.0]}
        - {name: "one by four", args: [1.0, 4.0]}
'''

STUDENT_CODE = '''\
import numpy as np


def halve(v):
    return np.asarray(v, dtype=float) / 2


def ratio(a, b):
    return a / b
'''
STUDENT_ANSWERS = '''\
E1: "\\\\sin x + x \\\\cos x"
N1: "0.333"
C1: relu
'''


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def write_spec(tmp_path: Path, old: str = "", new: str = "", name: str = "authoring.yaml") -> Path:
    """The base spec with ``old`` replaced by ``new`` (once), written to ``tmp_path/specs/name``."""
    assert old in SPEC, old
    folder = tmp_path / "specs"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(SPEC.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The line of ``path`` where ``text`` first occurs."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "ann"
    folder.mkdir(exist_ok=True)
    (folder / "work.py").write_text(STUDENT_CODE, encoding="utf-8")
    (folder / "answers.yaml").write_text(STUDENT_ANSWERS, encoding="utf-8")
    return folder


def refused(run: subprocess.CompletedProcess, where: str, *phrases: str) -> None:
    """The command stopped with exit 2, no traceback, and a message at ``where`` saying ``phrases``."""
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    located = [line for line in run.stderr.splitlines() if where in line]
    assert located, run.stderr
    for phrase in phrases:
        assert any(phrase in line for line in located), (phrase, run.stderr)


def refused_everywhere(tmp_path: Path, spec: Path, where: str, *phrases: str) -> None:
    """validate, publish, check and grade all refuse ``spec`` with the same located message."""
    refused(grader("validate", spec), where, *phrases)
    out = tmp_path / "published"
    refused(grader("publish", spec, "--out", out), where, *phrases)
    assert not (out / spec.name).exists()
    student = submission(tmp_path)
    refused(grader("check", spec, student), where, *phrases)
    refused(grader("grade", spec, "--submissions", student.parent, "--out", tmp_path / "reports"), where, *phrases)


def test_the_base_spec_validates_publishes_and_checks(tmp_path):
    spec = write_spec(tmp_path)
    run = grader("validate", spec)
    assert run.returncode == 0, run.stderr
    run = grader("publish", spec, "--out", tmp_path / "published")
    assert run.returncode == 0, run.stderr
    run = grader("check", tmp_path / "published" / spec.name, submission(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr


# ---------------------------------------------------------------------------
# 1. Expression variables are checked when the spec loads

BAD_VARIABLES = [
    ('["x: reall"]', "unknown domain 'reall' for variable 'x'; expected one of: real, positive, nonnegative, "
                     "negative, integer, complex"),
    ("[1]", 'each variable is declared as text like "x: real", got 1'),
    ('["x real"]', "'x real' needs a colon between the name and the domain, as in \"x: real\""),
    ('["x: real", "x: positive"]', "the variable 'x' is declared twice"),
]


@pytest.mark.parametrize("written, said", BAD_VARIABLES, ids=[b[0] for b in BAD_VARIABLES])
def test_a_bad_variable_declaration_is_refused_at_its_line(tmp_path, written, said):
    spec = write_spec(tmp_path, '{variables: ["x: real"]}', "{variables: " + written + "}")
    where = f"{spec}, line {line_of(spec, 'variables:')}: part E1:"
    refused(grader("validate", spec), where, f"option 'variables': {said}")


def test_a_bad_variable_declaration_stops_publish_and_check_without_a_traceback(tmp_path):
    spec = write_spec(tmp_path, '{variables: ["x: real"]}', '{variables: ["x: reall"]}')
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'variables:')}: part E1:",
                       "unknown domain 'reall'")


def test_a_published_copy_with_a_bad_declaration_stops_the_self_check_cleanly(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "published"
    assert grader("publish", spec, "--out", out).returncode == 0
    copy = out / spec.name
    text = copy.read_text(encoding="utf-8")
    assert "- 'x: real'" in text or "- x: real" in text, text
    copy.write_text(text.replace("x: real", "x: reall", 1), encoding="utf-8")
    refused(grader("check", copy, submission(tmp_path)), f"{copy}, line", "unknown domain 'reall'")


# ---------------------------------------------------------------------------
# 2. Options the part's mode does not use, and digit counts that are not whole numbers

def test_sigfigs_without_its_mode_is_refused_and_says_which_mode_uses_it(tmp_path):
    spec = write_spec(tmp_path, "{mode: sigfigs, sigfigs: 3}", "{sigfigs: 3}")
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'sigfigs: 3')}: part N1:",
                       "option 'sigfigs' is used only in mode 'sigfigs'; add 'mode: sigfigs'")


@pytest.mark.parametrize("options, said", [
    ("{decimals: 2}", "option 'decimals' is used only in mode 'decimals'; add 'mode: decimals'"),
    ("{mode: sigfigs, sigfigs: 3, rtol: 1.0e-3}", "option 'rtol' is used only in mode 'tolerance' (the default), "
                                                 "but this part's mode is 'sigfigs'"),
    ("{mode: magnitude, sigfigs: 3}", "option 'sigfigs' is used only in mode 'sigfigs'"),
    ("{mode: sigfigs, sigfigs: 0}", "option 'sigfigs' must be a positive whole number, got 0"),
    ("{mode: sigfigs, sigfigs: 2.5}", "option 'sigfigs' must be a positive whole number, got 2.5"),
    ("{mode: sigfigs, sigfigs: three}", "option 'sigfigs' must be a positive whole number, got 'three'"),
    ("{mode: decimals, decimals: -1}", "option 'decimals' must be a whole number ≥ 0, got -1"),
])
def test_a_mode_option_that_does_nothing_or_a_bad_digit_count_is_refused(tmp_path, options, said):
    spec = write_spec(tmp_path, "{mode: sigfigs, sigfigs: 3}", options)
    refused(grader("validate", spec), f"{spec}, line {line_of(spec, options)}: part N1:", said)


def test_set_wide_tolerances_under_a_sigfigs_part_are_fine(tmp_path):
    # The set's defaults reach every part that takes them; only a part's own options must fit its mode.
    spec = write_spec(tmp_path, "{mode: sigfigs, sigfigs: 3}", "{mode: sigfigs, sigfigs: 3.0}")
    run = grader("validate", spec)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------------------
# 3. A choice part's reference must be one of its choices

def test_a_choice_reference_outside_the_choices_is_refused_when_the_spec_loads(tmp_path):
    spec = write_spec(tmp_path, """reference: '"relu"'""", """reference: '"softplus"'""")
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'softplus')}: part C1:",
                       "the reference 'softplus' is not one of the part's choices (relu, sigmoid, tanh)")


def test_a_computed_choice_reference_outside_the_choices_is_refused_by_validate(tmp_path):
    spec = write_spec(tmp_path, """reference: '"relu"'""", """reference: '"soft" + "plus"'""")
    refused(grader("validate", spec), f"{spec}, line {line_of(spec, 'soft')}: part C1:",
            "the reference 'softplus' is not one of the part's choices")


def test_a_choice_reference_written_in_another_case_is_one_of_the_choices(tmp_path):
    spec = write_spec(tmp_path, """reference: '"relu"'""", """reference: '"ReLU "'""")
    run = grader("validate", spec)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------------------
# 4. A known-mistake predicate naming what it cannot know

def test_a_misspelt_name_in_a_when_predicate_is_refused_with_a_did_you_mean(tmp_path):
    spec = write_spec(tmp_path, "when: \"exception == ", "when: \"exeption == ")
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'when:')}: part F1 mistake 'when':",
                       "the name 'exeption' is not defined (did you mean 'exception'?)",
                       "it sees value, exception, message, warnings, args, the setup's names")


def test_a_when_predicate_may_use_the_setup_numpy_builtins_and_its_own_variables(tmp_path):
    spec = write_spec(tmp_path, "when: \"exception == 'ZeroDivisionError'\"",
                      "when: \"exception == 'ZeroDivisionError' or (value is not None and "
                      "any(np.isnan(v) for v in value) and len(args) > 0 and x is not None and "
                      "'nan' in str(warnings) + message)\"")
    run = grader("validate", spec)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------------------
# 5. Part labels differing only in case

def test_labels_differing_only_in_case_are_refused_like_a_label_used_twice(tmp_path):
    spec = write_spec(tmp_path, "  - label: N1\n", "  - label: e1\n")
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'label: e1')}:",
                       f"part label 'e1' differs from 'E1' (line {line_of(spec, 'label: E1')}) only in case")


# ---------------------------------------------------------------------------
# 6. A case whose 'args' is not the list of the arguments

def test_one_list_argument_written_as_the_arguments_says_how_to_write_it(tmp_path):
    spec = write_spec(tmp_path, 'args: [[3.0, 4.0]]}', 'args: [3.0, 4.0]}')
    refused_everywhere(tmp_path, spec, f"{spec}, line {line_of(spec, 'args: [3.0, 4.0]')}: part F1 case 'pair':",
                       "'args' gives 2 arguments, but the reference solution halve(v) takes 1; 'args' is the list "
                       "of the arguments, so one list argument is written [[3.0, 4.0]]")


@pytest.mark.parametrize("old, new, said", [
    ('args: [1.0, 4.0]}', 'args: [1.0]}', "'args' gives 1 argument, but the reference solution ratio(a, b) takes 2"),
    ('args: [1.0, 4.0]}', 'args: [1.0, 4.0, 2.0]}',
     "'args' gives 3 arguments, but the reference solution ratio(a, b) takes 2"),
])
def test_too_few_or_too_many_arguments_are_refused_at_the_case(tmp_path, old, new, said):
    spec = write_spec(tmp_path, old, new)
    refused(grader("validate", spec), f"{spec}, line {line_of(spec, new)}: part F2 case 'one by four':", said)


def test_a_case_that_must_raise_type_error_may_call_with_the_wrong_arguments(tmp_path):
    spec = write_spec(tmp_path, 'args: [1.0, 4.0]}', 'args: [1.0], raises: TypeError}')
    run = grader("validate", spec)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------------------
# 7. A case repeating another case's arguments

def test_a_hidden_case_repeating_a_public_one_is_reported_by_validate(tmp_path):
    spec = write_spec(tmp_path, '{name: "random", args: "[rng.normal(size=4)]"}', '{name: "again", args: [[3.0, 4.0]]}')
    where = f"{spec}, line {line_of(spec, 'again')}: part F1:"
    refused(grader("validate", spec), where,
            f"hidden case 'again' has the same arguments as public case 'pair' (line {line_of(spec, 'pair')}), so "
            "it tests nothing new, though students are told it is one more hidden case")


# ---------------------------------------------------------------------------
# 8. validate refuses what grader handout would refuse

@pytest.mark.parametrize("old, new, where, said", [
    ('title: "ratio(a, b): a over b"', 'title: "ratio(a): a over b"', 'function: ratio',  # its code section
     "part F2: the part states ratio(a) but the reference solution is ratio(a, b); make them take the same "
     "arguments"),
    ("handout: |\n  Hand in `work.py` and `answers.yaml`.\n", "handout: 42\n", "handout: 42",
     "'handout' must be text (Markdown shown under the problem set's title in the handout's README), not int 42"),
    ("handout: |\n  Hand in `work.py` and `answers.yaml`.\n", "handout: [work.py, answers.yaml]\n", "handout: [",
     "'handout' must be text (Markdown shown under the problem set's title in the handout's README), not a list"),
])
def test_validate_refuses_what_the_handout_would_refuse(tmp_path, old, new, where, said):
    spec = write_spec(tmp_path, old, new)
    handout = grader("handout", spec, "--out", tmp_path / "handout")
    assert handout.returncode == 2 and said in handout.stderr, handout.stderr
    refused(grader("validate", spec), f"{spec}, line {line_of(spec, where)}: {said}")


# ---------------------------------------------------------------------------
# 9. publish refuses what validate rejects

@pytest.mark.parametrize("old, new, where, said", [
    ("""reference: '"relu"'""", """reference: '"soft" + "plus"'""", "soft",
     "part C1: the reference 'softplus' is not one of the part's choices"),
    ('{name: "random", args: "[rng.normal(size=4)]"}', '{name: "again", args: [[3.0, 4.0]]}', "again",
     "part F1: hidden case 'again' has the same arguments as public case 'pair'"),
    ('title: "ratio(a, b): a over b"', 'title: "ratio(a): a over b"', "function: ratio",
     "part F2: the part states ratio(a) but the reference solution is ratio(a, b)"),
    ("return a / b\n", "return a / b + np.random.default_rng().normal()\n", "label: F2",  # unseeded
     "part F2: the reference earns 0 of 1 points under its own checker"),
])
def test_publish_refuses_a_spec_validate_rejects_and_writes_nothing(tmp_path, old, new, where, said):
    spec = write_spec(tmp_path, old, new)
    located = f"{spec}, line {line_of(spec, where)}: {said}"
    refused(grader("validate", spec), located)
    out = tmp_path / "published"
    refused(grader("publish", spec, "--out", out), located)
    assert not (out / spec.name).exists()
