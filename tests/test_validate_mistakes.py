"""`grader validate` reports a known mistake that its part's own checker
grades as correct: no answer could ever get its feedback."""
from __future__ import annotations

from pathlib import Path

from grader.cli import main

SPEC = """\
id: rho
title: Ratios
setup: |
  rho_at_eps = Rational(2505, 10000)
  approx_rho = Rational(1, 4)
  x = Symbol("x")
parts:
  - label: P1
    title: "rho(0.05)"
    points: 1
    kind: number
    options: {{rtol: {rtol}}}
    reference: rho_at_eps
    mistakes:
      - value: "2 * rho_at_eps"
        feedback: "Twice the ratio."
      - value: approx_rho
        feedback: "That is the approximation."
  - label: P2
    title: "The derivative"
    points: 1
    kind: expression
    reference: "2*x"
    mistakes:
      - value: "{expression_mistake}"
        feedback: "Differentiate again."
  - label: P3
    title: "scale"
    points: 1
    code:
      function: scale
      kind: number
      solution: |
        def scale(v):
            return 2 * v
      cases:
        - {{public: true, args: [1]}}
    mistakes:
      - solution: |
          def scale(v):
              return v
        feedback: "Forgot to double: a wrong function is matched against code outcomes, not checked here."
"""


def write(tmp_path: Path, rtol: str = "0.01", expression_mistake: str = "x**2") -> Path:
    path = tmp_path / "ratios.yaml"
    path.write_text(SPEC.format(rtol=rtol, expression_mistake=expression_mistake), encoding="utf-8")
    return path


def mistake_line(path: Path, value: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if f"value: {value}" in line or f'value: "{value}"' in line)


def test_a_mistake_within_the_parts_tolerance_is_reported_with_file_and_line(tmp_path, capsys):
    path = write(tmp_path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = mistake_line(path, "approx_rho")
    assert (f"{path}, line {line}: part P1: mistake 'approx_rho' (\\frac{{1}}{{4}}) is accepted as correct by "
            "the part's tolerance, so it can never be matched") in err
    assert "2 * rho_at_eps" not in err  # far from the reference: matched as a mistake, as it should be
    assert "P3" not in err  # a wrong function is matched against code outcomes, not checked here
    assert len([line for line in err.splitlines() if line.startswith("  ")]) == 1


def test_a_mistake_outside_the_tolerance_is_fine(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path, rtol="0.0005"))]) == 0
    assert "every reference computes and earns full marks" in capsys.readouterr().out


def test_a_mistake_equal_to_the_reference_is_reported_for_any_kind(tmp_path, capsys):
    path = write(tmp_path, rtol="0.0005", expression_mistake="x + x")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = mistake_line(path, "x + x")
    assert f"{path}, line {line}: part P2: mistake 'x + x' (2 x) is accepted as correct by the part's checker" in err


def test_the_bundled_problems_have_no_unreachable_mistake(capsys):
    problems = Path(__file__).resolve().parents[1] / "problems"
    assert main(["validate", str(problems)]) == 0, capsys.readouterr().err
