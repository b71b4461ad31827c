"""The spec loader: valid specs load; each broken spec gets a located, specific message."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.references import compute_references
from grader.spec import SpecError, load_problem_set, load_problem_sets

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
id: demo
title: Demo
setup: |
  x = Symbol("x")
parts:
  - label: P1
    title: a list
    points: 2
    kind: array
    reference: "[1.0, 2.0]"
  - label: P2
    title: code
    points: 1
    code:
      function: double
      kind: array
      solution: |
        def double(v):
            return 2 * np.asarray(v, dtype=float)
      cases:
        - {name: small, public: true, args: [[1, 2]]}
        - {name: random, args: "[rng.normal(size=3)]"}
"""


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def issues_of(path: Path, compute: bool = False) -> list[str]:
    try:
        ps = load_problem_set(path)
        if compute:
            compute_references(ps)
    except SpecError as exc:
        return [str(issue) for issue in exc.issues]
    return []


def test_good_spec_loads_with_parts_in_order(tmp_path):
    ps = load_problem_set(write(tmp_path, GOOD))
    assert [p.label for p in ps.parts] == ["P1", "P2"]
    assert ps.max_score == 3
    assert ps.part("P2").code.cases[0].public is True
    assert ps.part("P2").code.cases[1].public is False


def test_generated_cases_are_reproducible(tmp_path):
    path = write(tmp_path, GOOD)
    first = compute_references(load_problem_set(path))["P2"].cases[1].args[0]
    second = compute_references(load_problem_set(path))["P2"].cases[1].args[0]
    assert (first == second).all()


BROKEN = [
    # (what is wrong, the spec with the fault, the line, words the message must contain)
    ("misspelt key", GOOD.replace("    points: 2\n", "    point: 2\n"), 8, ["unknown key 'point'", "did you mean 'points'"]),
    ("missing reference", GOOD.replace('    reference: "[1.0, 2.0]"\n', ""), 6, ["no 'reference'"]),
    ("tolerance not a number", GOOD.replace('    reference: "[1.0, 2.0]"\n',
                                            '    reference: "[1.0, 2.0]"\n    options: {rtol: tight}\n'),
     11, ["rtol", "must be a number", "'tight'"]),
    ("label used twice", GOOD.replace("label: P2", "label: P1"), 11, ["'P1' is used twice", "first on line 6"]),
    ("unknown kind", GOOD.replace("kind: array\n    reference", "kind: arrray\n    reference"), 9,
     ["unknown kind 'arrray'", "did you mean 'array'"]),
    ("points not a number", GOOD.replace("points: 2", "points: two"), 8, ["'points' must be a number"]),
    ("approximates not a list", GOOD.replace("    kind: array\n    reference", "    kind: array\n    approximates: σ'\n"
                                             "    reference"), 10, ["'approximates' must be a list of texts"]),
    ("negative points", GOOD.replace("points: 2", "points: -1"), 8, ["at least 0"]),
    ("no public case", GOOD.replace("public: true, ", ""), 20, ["no public case"]),
    ("bad raises", GOOD.replace("args: [[1, 2]]}", "args: [[1, 2]], raises: 42}"), 21, ["'raises' must be an exception name"]),
    ("duplicate key", GOOD.replace("    points: 1\n", "    points: 1\n    points: 3\n"), 14, ["appears twice"]),
    ("invalid YAML", GOOD.replace("title: Demo", "title: [Demo"), 0, ["not valid YAML"]),
    ("indentation slip", GOOD.replace("    points: 2\n", "  points: 2\n", 1), 8, ["not valid YAML",
                                                                          "indented differently"]),
    ("backslash in double quotes", GOOD.replace("title: Demo", 'title: "\\sigma"'), 2,
     ["unknown escape", "write LaTeX in single quotes"]),
    ("missing title", GOOD.replace("title: Demo\n", ""), 1, ["missing the required key 'title'"]),
    ("mistake without a matcher", GOOD.replace("        - {name: random, args: \"[rng.normal(size=3)]\"}\n",
                                               "        - {name: random, args: \"[rng.normal(size=3)]\"}\n"
                                               "    mistakes:\n      - feedback: nope\n"), 24,
     ["exactly one of 'value', 'solution' or 'when'"]),
]


@pytest.mark.parametrize("what, text, line, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_spec_is_reported_with_file_line_and_reason(tmp_path, what, text, line, words):
    path = write(tmp_path, text)
    issues = issues_of(path)
    assert issues, f"{what}: no problem reported"
    matching = [i for i in issues if all(w in i for w in words)]
    assert matching, f"{what}: expected a message with {words}, got {issues}"
    assert str(path) in matching[0]
    if line:
        assert f"line {line}:" in matching[0], matching[0]


COMPUTE_BROKEN = [
    # A failing reference is reported at its own 'reference:' line, not the part's first line.
    ("reference raises", GOOD.replace('reference: "[1.0, 2.0]"', 'reference: "[1.0, 2.0][5]"'), 10,
     ["computing the reference failed", "IndexError"]),
    ("reference not Python", GOOD.replace('reference: "[1.0, 2.0]"', 'reference: "[1.0, 2.0"'), 10,
     ["not a valid Python expression"]),
    # A failing setup is reported at the line of the setup code that failed, not at 'setup:'.
    ("setup fails", GOOD.replace('x = Symbol("x")', "x = undefined_name"), 4, ["'setup' code failed", "NameError"]),
    ("setup fails on its third line", GOOD.replace('x = Symbol("x")', 'x = Symbol("x")\n  y = x + 1\n  z = len(y) / 0'),
     6, ["'setup' code failed", "TypeError"]),
    ("setup fails inside its own function", GOOD.replace(
        'x = Symbol("x")', 'def scale(v):\n      return v / 0\n  x = Symbol("x")\n  w = scale(2)'),
     5, ["'setup' code failed", "ZeroDivisionError"]),
    ("setup not Python", GOOD.replace('x = Symbol("x")', 'x = Symbol("x")\n  y = (x +'), 5,
     ["'setup' code failed", "SyntaxError"]),
    ("setup fails in a one-line setup", GOOD.replace('setup: |\n  x = Symbol("x")', 'setup: "x = 1 / 0"'), 3,
     ["'setup' code failed", "ZeroDivisionError"]),
    ("solution raises unexpectedly", GOOD.replace("return 2 * np.asarray(v, dtype=float)", "raise KeyError('x')"),
     21, ["raised KeyError", "add 'raises: KeyError'"]),
    ("expected exception not raised", GOOD.replace("args: [[1, 2]]}", "args: [[1, 2]], raises: ValueError}"), 21,
     ["expects ValueError", "returned normally"]),
    ("solution misses the function", GOOD.replace("def double(v):", "def twice(v):"), 15,
     ["does not define a function 'double'"]),
]


@pytest.mark.parametrize("what, text, line, words", COMPUTE_BROKEN, ids=[b[0] for b in COMPUTE_BROKEN])
def test_reference_failures_are_located(tmp_path, what, text, line, words):
    path = write(tmp_path, text)
    issues = issues_of(path, compute=True)
    matching = [i for i in issues if all(w in i for w in words)]
    assert matching, f"{what}: expected {words}, got {issues}"
    assert f"line {line}:" in matching[0], matching[0]


def test_every_problem_in_a_spec_is_reported_at_once(tmp_path):
    text = GOOD.replace("points: 2", "points: two").replace("kind: array\n    reference", "kind: nope\n    reference")
    assert len(issues_of(write(tmp_path, text))) >= 2


def test_directory_loading_reports_duplicate_ids(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(SpecError) as info:
        load_problem_sets([tmp_path])
    assert "problem set id 'demo' is also used by" in str(info.value)


def test_two_sets_graded_together_cannot_share_a_part_label(tmp_path):
    # Results, overrides and reports name a part by its label: a shared
    # label once graded one set's part from the other set's answers.
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("id: demo", "id: other"), "b.yaml")
    with pytest.raises(SpecError) as info:
        load_problem_sets([tmp_path])
    message = str(info.value)
    assert "b.yaml, line" in message and "is also a part of 'demo'" in message and "a.yaml" in message


def test_bundled_specs_load():
    sets = load_problem_sets([ROOT / "problems"])
    labels = {ps.id: [p.label for p in ps.parts] for ps in sets}
    assert labels["q2-activations"] == ["Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d", "Q2.4"]
    assert labels["foundations"] == [f"A{i}" for i in range(1, 10)] + [f"B{i}" for i in range(1, 6)] + \
        [f"C{i}" for i in range(1, 7)] + [f"D{i}" for i in range(1, 6)]
