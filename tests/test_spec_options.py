"""Options in a spec: tolerances must be usable numbers, and set-wide defaults are checked once, at their line."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.spec import SpecError, load_problem_set

SPEC = """\
id: opts
title: Options
defaults: {rtol: 1.0e-6}
parts:
  - label: N1
    title: a number
    points: 1
    kind: number
    options: {rtol: 1.0e-4}
    reference: "2"
  - label: N2
    title: another number
    points: 1
    kind: number
    reference: "3"
  - label: F1
    title: code
    points: 1
    code:
      function: double
      kind: number
      options: {rtol: 1.0e-9}
      solution: |
        def double(v):
            return 2 * v
      cases:
        - {name: one, public: true, args: [1]}
"""
DEFAULTS_LINE, PART_OPTIONS_LINE, CODE_OPTIONS_LINE = 3, 9, 22


def issues_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        load_problem_set(path)
    except SpecError as exc:
        return [str(issue) for issue in exc.issues]
    return []


def test_the_spec_loads(tmp_path):
    assert issues_of(tmp_path, SPEC) == []


def test_a_misspelt_default_is_an_error_at_the_defaults_line(tmp_path):
    issues = issues_of(tmp_path, SPEC.replace("defaults: {rtol: 1.0e-6}", "defaults: {rtol: 1.0e-6, atl: 1, sigfig: 2}"))
    assert len(issues) == 2, issues
    assert f"line {DEFAULTS_LINE}: 'defaults': no kind takes an option 'atl'; did you mean 'atol'?" in issues[0]
    assert "no kind takes an option 'sigfig'; did you mean 'sigfigs'?" in issues[1]


def test_a_default_some_kind_takes_is_fine(tmp_path):
    # Only the number kind takes sigfigs and only expression takes 'variables'; neither is an error.
    text = SPEC.replace("defaults: {rtol: 1.0e-6}", "defaults: {rtol: 1.0e-6, sigfigs: 3, variables: ['x: real']}")
    assert issues_of(tmp_path, text) == []


def test_a_badly_typed_default_is_reported_once_at_its_line(tmp_path):
    issues = issues_of(tmp_path, SPEC.replace("defaults: {rtol: 1.0e-6}", 'defaults: {rtol: "abc"}'))
    assert issues == [f"{tmp_path / 'spec.yaml'}, line {DEFAULTS_LINE}: 'defaults': rtol must be a number ≥ 0, "
                      "got 'abc'"]
    issues = issues_of(tmp_path, SPEC.replace("defaults: {rtol: 1.0e-6}", "defaults: {variables: 7}"))
    assert len(issues) == 1 and f"line {DEFAULTS_LINE}:" in issues[0] and "'variables' must be a list" in issues[0]


BAD_TOLERANCES = [
    # (as written in YAML, as the message quotes it)
    ("-1", "-1"),
    (".nan", ".nan"),
    (".inf", ".inf"),
    ("[1e-4]", "[1e-4]"),
    ("abc", "'abc'"),
    ("true", "true"),
]


@pytest.mark.parametrize("written, quoted", BAD_TOLERANCES, ids=[b[0] for b in BAD_TOLERANCES])
@pytest.mark.parametrize("where, line", [("defaults", DEFAULTS_LINE), ("part", PART_OPTIONS_LINE),
                                         ("code", CODE_OPTIONS_LINE)])
def test_an_unusable_tolerance_is_an_error_at_its_line(tmp_path, written, quoted, where, line):
    original = {"defaults": "{rtol: 1.0e-6}", "part": "{rtol: 1.0e-4}", "code": "{rtol: 1.0e-9}"}[where]
    text = SPEC.replace(original, "{atol: 0, rtol: " + written + "}")
    issues = issues_of(tmp_path, text)
    assert len(issues) == 1, issues
    assert f"line {line}:" in issues[0] and f"rtol must be a number ≥ 0, got {quoted}" in issues[0], issues[0]


def test_an_infinite_tolerance_says_why(tmp_path):
    issues = issues_of(tmp_path, SPEC.replace("{rtol: 1.0e-4}", "{atol: .inf}"))
    assert "atol must be a number ≥ 0, got .inf (an infinite tolerance accepts every answer)" in issues[0]


def test_a_tolerance_yaml_reads_as_text_is_still_a_number(tmp_path):
    # YAML 1.1 reads 1e-4 (no dot) as the text '1e-4'.
    text = SPEC.replace("{rtol: 1.0e-6}", "{rtol: 1e-6}").replace("{rtol: 1.0e-4}", '{rtol: "1e-4", atol: 0}')
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    ps = load_problem_set(path)
    assert ps.part("N1").options.rtol == 1e-4 and ps.part("N2").options.rtol == 1e-6


@pytest.mark.parametrize("original, line", [("defaults: {rtol: 1.0e-6}", DEFAULTS_LINE),
                                            ("options: {rtol: 1.0e-4}", PART_OPTIONS_LINE)])
def test_an_unknown_number_mode_is_an_error_when_the_spec_loads(tmp_path, original, line):
    written = original.replace("rtol: 1.0e-", "mode: sigfig, sigfigs: ")
    issues = issues_of(tmp_path, SPEC.replace(original, written))
    assert len(issues) == 1, issues
    assert f"line {line}:" in issues[0]
    assert "option 'mode' must be one of: tolerance, sigfigs, decimals, magnitude; got 'sigfig'" in issues[0]
