"""What `grader validate` tells a spec author about slips in a new problem set: each message names the
real mistake, at its line, once."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE_PART = """\
id: msgs
title: Messages
parts:
  - label: P1
    title: "bce(p, y)"
    points: 2
    code:
      function: bce
      kind: number
      solution: |
        def bce(p, y):
            if not 0 < p < 1:
                raise ValueError("p must lie in (0, 1)")
            return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
      cases:
        - {name: "p=0.9", public: true, args: [0.9, 1]}
        - {name: "p=1.5", args: [1.5, 0], raises: ValueError}
"""

RUBRIC_PART = """\
id: rub
title: Rubric
parts:
  - label: W5
    title: "Why subtract the max"
    points: 2
    kind: rubric
    rubric:
      - idea: "Subtracting the max prevents overflow of the exponential."
        points: 1
        patterns: ['\\boverflow\\w*+']
      - idea: "The result is unchanged because softmax is shift invariant."
        points: 1
        patterns: ['shift[- ]invarian\\w*+']
"""


def write(tmp_path: Path, text: str, old: str = "", new: str = "", name: str = "spec.yaml") -> Path:
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def grader(*args: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def problems(run: subprocess.CompletedProcess) -> list[str]:
    """The located messages of a failed run, one per line."""
    return [line.strip() for line in run.stderr.splitlines() if ", line " in line]


# --- knock-on errors --------------------------------------------------------------------------

def test_a_bad_rubric_regex_is_reported_alone(tmp_path):
    path = write(tmp_path, RUBRIC_PART, "'\\boverflow\\w*+'", "'\\boverflow(\\w*+'")
    run = grader("validate", path)
    assert run.returncode == 2
    said = problems(run)
    assert len(said) == 1, said
    assert "is not a valid regular expression" in said[0]
    assert "add up to" not in run.stderr


def test_a_public_written_as_text_is_reported_alone(tmp_path):
    path = write(tmp_path, CODE_PART, 'public: true', 'public: "true"')
    run = grader("validate", path)
    assert run.returncode == 2
    said = problems(run)
    assert said == [f"{path}, line 16: part P1 case 1 'public' must be true or false, got str 'true'"], said


# --- regexes quoted as written ---------------------------------------------------------------

def test_a_bad_regex_is_quoted_as_written_in_the_yaml(tmp_path):
    path = write(tmp_path, RUBRIC_PART, "'\\boverflow\\w*+'", "'\\boverflow(\\w*+'")
    run = grader("validate", path)
    assert "pattern '\\boverflow(\\w*+' is not a valid regular expression" in run.stderr
    assert "\\\\" not in run.stderr


# --- raises names an exception ---------------------------------------------------------------

def test_raises_naming_a_builtin_function_is_refused(tmp_path):
    path = write(tmp_path, CODE_PART, "raises: ValueError}", "raises: print}")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 17: part P1 case 2 'raises': print is a built-in function, not an exception; "
            "name the exception the call must raise, like ValueError") in run.stderr


# --- booleans ---------------------------------------------------------------------------------

def test_public_yes_is_refused_as_not_true_or_false(tmp_path):
    """YAML 1.1 reads yes as true; a spec takes only true and false, so a 'yes' is not silently a boolean."""
    path = write(tmp_path, CODE_PART, "public: true", "public: yes")
    run = grader("validate", path)
    assert run.returncode == 2
    assert f"{path}, line 16: part P1 case 1 'public' must be true or false, got str 'yes'" in run.stderr


def test_yes_and_no_choices_stay_text(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        id: yn
        title: Yes or no
        parts:
          - label: W1
            title: "Is exp convex?"
            points: 1
            kind: choice
            options: {choices: [yes, no]}
            reference: '"yes"'
        """))
    run = grader("validate", path)
    assert run.returncode == 0, run.stderr


# --- indentation --------------------------------------------------------------------------------

WRITTEN_PART = """\
id: ind
title: Indentation
parts:
  - label: W3
    title: "Domain of log(1 - x^2)"
    points: 1
    kind: interval
    options: {variable: x}
    reference: Interval.open(-1, 1)
"""


def test_a_key_indented_too_deep_is_named_at_its_line(tmp_path):
    path = write(tmp_path, WRITTEN_PART, "    options:", "      options:")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 8: not valid YAML: `options:` is indented more than the keys above it (`kind:` on "
            "line 7); give it their indentation") in run.stderr
    assert "quotes" not in run.stderr


def test_a_key_indented_too_little_is_named_at_its_line(tmp_path):
    path = write(tmp_path, CODE_PART, "      kind: number", "    kind: number")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 9: not valid YAML: `kind:` is indented less than the keys above it (`function:` on "
            "line 8); give it their indentation") in run.stderr
    assert "quotes" not in run.stderr


def test_a_number_typed_where_code_is_wanted_says_how_to_write_it(tmp_path):
    path = write(tmp_path, "id: num\ntitle: Num\nparts:\n  - label: P1\n    title: a number\n    points: 1\n"
                           "    kind: number\n    reference: 0.25\n    mistakes:\n      - value: 0.5\n"
                           "        feedback: Twice.\n")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 8: part P1 'reference' must be non-empty text, got float 0.25 (a Python expression "
            "in quotes: write '0.25', or the expression that computes it)") in run.stderr
    assert (f"{path}, line 10: part P1 mistake 'value' must be Python code as text (a Python expression in "
            "quotes: write '0.5', or the expression that computes it)") in run.stderr


def test_a_bracket_left_open_is_reported_where_it_was_opened(tmp_path):
    """PyYAML gives up on a later line than an unclosed '[': the line to fix is the one that opened it."""
    path = write(tmp_path, "id: msgs\ntitle: [Messages\nparts: []\n")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 2: not valid YAML: the list opened with '[' on this line is not closed: is a ']' "
            "missing? (at line 3: ") in run.stderr


def test_a_quote_left_open_is_reported_where_it_was_opened(tmp_path):
    path = write(tmp_path, "id: msgs\ntitle: 'Messages\nparts: []\n")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 2: not valid YAML: the quoted text that starts on this line is not closed: is a "
            "quote missing? (the file ends first)") in run.stderr


def test_a_colon_inside_a_value_still_says_to_quote_it(tmp_path):
    path = write(tmp_path, WRITTEN_PART, 'title: "Domain of log(1 - x^2)"', "title: Domain: log(1 - x^2)")
    run = grader("validate", path)
    assert run.returncode == 2
    assert f"{path}, line 5: not valid YAML: mapping values are not allowed here (a ': ' inside a value: put the " \
        "value in quotes)" in run.stderr


# --- known mistakes that can never fire -------------------------------------------------------

SOFTMAX_PART = """\
id: soft
title: Softmax
setup: |
  scale = 1.0
parts:
  - label: P1
    title: "softmax(z)"
    points: 3
    code:
      function: softmax
      kind: array
      solution: |
        def softmax(z):
            z = np.asarray(z, dtype=float)
            e = np.exp(z - z.max())
            return e / e.sum()
      cases:
        - {name: "three logits", public: true, args: [[1.0, 2.0, 3.0]]}
        - {name: "two logits", args: [[0.0, 1.0]]}
    mistakes:
      - solution: |
          def softmax(z):
              return np.exp(np.asarray(z, dtype=float))
        feedback: "Divide by the sum of the exponentials."
        credit: 0.25
"""


def test_a_mistake_solution_that_raises_on_every_case_is_reported(tmp_path):
    path = write(tmp_path, SOFTMAX_PART, "return np.exp(np.asarray(z, dtype=float))", "return np.exxp(z)")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 21: part P1: the mistake's solution raises on every case (AttributeError: module "
            "'numpy' has no attribute 'exxp'), so it never matches a wrong answer and its feedback is never "
            "given") in run.stderr


def test_a_mistake_solution_that_raises_or_is_right_on_every_case_is_reported(tmp_path):
    path = write(tmp_path, SOFTMAX_PART, "return np.exp(np.asarray(z, dtype=float))",
                 "return np.exp(z) / np.exp(z).sum() if len(z) == 3 else np.exxp(z)")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 21: part P1: the mistake's solution raises (AttributeError) or returns what the "
            "reference solution returns on every case, so it never matches a wrong answer") in run.stderr


def test_a_mistake_solution_right_on_every_case_is_reported(tmp_path):
    """Subtracting the max is the right softmax, not the naive one the mistake means: every case gives the
    reference's answer, so a student making the mistake passes, and its feedback is never given."""
    path = write(tmp_path, SOFTMAX_PART, "return np.exp(np.asarray(z, dtype=float))",
                 "z = np.asarray(z, dtype=float)\n              return np.exp(z) / np.exp(z).sum()")
    run = grader("validate", path)
    assert run.returncode == 2
    assert (f"{path}, line 21: part P1: the mistake's solution returns what the reference solution returns on "
            "every case (as the part's checker judges), so no case tells it apart and its feedback is never given; "
            "add a case where the mistake gives a wrong answer, or remove it") in run.stderr


def test_a_mistake_solution_wrong_on_some_case_passes(tmp_path):
    run = grader("validate", write(tmp_path, SOFTMAX_PART))
    assert run.returncode == 0, run.stderr


# --- a rubric idea stated as a negation ------------------------------------------------------

NEGATED_IDEA = """\
id: rubnot
title: Rubric negation
parts:
  - label: W5
    title: "Why subtract the max in softmax"
    points: 1
    kind: rubric
    rubric:
      - idea: "Subtracting the max means exp does not overflow."
        points: 1
        patterns: ['\\bexp\\w*+ (?P<not>does not|doesn''t) overflow']
"""


def rubric_score(tmp_path: Path, spec: Path, answer: str) -> float:
    submission = tmp_path / "submission"
    submission.mkdir(exist_ok=True)
    (submission / "answers.yaml").write_text(f"W5: {answer!r}\n", encoding="utf-8")
    out = tmp_path / "results.json"
    run = grader("check", spec, submission, "--json", out)
    assert "Traceback" not in run.stderr, run.stderr
    return json.loads(out.read_text(encoding="utf-8"))["tests"][0]["score"]


def test_a_not_group_in_patterns_lets_an_idea_be_a_negation(tmp_path):
    """docs/spec-format.md: an idea's patterns may name their own "not" as contradicted_by patterns do."""
    spec = write(tmp_path, NEGATED_IDEA)
    assert "(?P<not>" in (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8").split("An idea that is "
                                                                                            "itself a negation")[1][:200]
    assert grader("validate", spec).returncode == 0
    assert rubric_score(tmp_path, spec, "We subtract the max so that exp doesn't overflow.") == 1
    assert rubric_score(tmp_path, spec, "It is not true that exp does not overflow.") == 0
    without_group = write(tmp_path, NEGATED_IDEA.replace("(?P<not>", "("), name="plain.yaml")
    assert rubric_score(tmp_path, without_group, "We subtract the max so that exp doesn't overflow.") == 0
