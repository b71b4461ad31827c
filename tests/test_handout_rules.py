"""`grader handout`: the set's own rules (the spec's `handout` text) reach both the README and the
starter file, a tolerance is said once, and public checks are listed so they can be counted."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def spec_notes(spec: Path) -> str:
    return yaml.safe_load(spec.read_text(encoding="utf-8"))["handout"].strip()


def readme_section(readme: str, label: str) -> str:
    """The README's ``## <label> — …`` section: heading, prompt, how to answer it in code."""
    return re.search(rf"(?ms)^## {re.escape(label)} — .*?(?=^## |^---|\Z)", readme)[0]


def stub_docstrings(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {node.name: ast.get_docstring(node) for node in tree.body if isinstance(node, ast.FunctionDef)}


# ------------------------------------------------------------------ the homework's own rules

def test_the_foundations_rules_are_in_the_readme_and_the_starter(handout):
    """Hidden cases pass plain lists: a student reading either file is told so, and how points are split."""
    notes = spec_notes(PROBLEMS / "foundations.yaml")
    for rule in ("plain Python lists", "shared equally among its cases", "raising another type, or none"):
        assert rule in " ".join(notes.split()), rule
    readme = (handout / "README.md").read_text(encoding="utf-8")
    section = readme.split("# Mathematical foundations for deep learning\n", 1)[1]
    assert section.index(notes) < section.index("## A1 — ")  # under the title, before the questions
    starter = ast.get_docstring(ast.parse((handout / "submission" / "foundations.py").read_text(encoding="utf-8")))
    assert notes in starter
    assert "2 s" in starter and "1 GiB" in starter  # the limits per call, as the grader applies them


def test_the_q2_notes_keep_their_latex_in_the_starter(handout):
    notes = spec_notes(PROBLEMS / "q2-activations.yaml")
    assert "\\boxed{…}" in notes
    starter = ast.get_docstring(ast.parse((handout / "submission" / "q2.py").read_text(encoding="utf-8")))
    assert notes in starter


# ------------------------------------------------------------------ a small spec of our own

SPEC = r'''
id: rules
title: "Rules"
submission_files: [rules.py]
defaults: {rtol: 1.0e-6, atol: 1.0e-9}
handout: |
  Inputs may be lists. A backslash as in `\alpha`, and three quotes """ in a row, are kept.
parts:
  - {label: T1, title: "half(x)", points: 1, prompt: "Write `half(x)`.",
     code: {function: half, kind: number, solution: "def half(x):\n    return x / 2\n",
            cases: [{name: "one and two", public: true, args: [1]}, {name: "three, four", public: true, args: [3]},
                    {name: "hidden", args: [5]}]}}
  - {label: T2, title: "double(x)", points: 1, prompt: "Write `double(x)`. It is compared with an absolute tolerance of $10^{-3}$.",
     code: {function: double, kind: number, options: {rtol: 0, atol: 1.0e-3},
            solution: "def double(x):\n    return 2 * x\n", cases: [{name: "two", public: true, args: [2]}]}}
  - {label: T3, title: "triple(x)", points: 1, prompt: "Write `triple(x)`.",
     code: {function: triple, kind: number, options: {rtol: 0, atol: 1.0e-3},
            solution: "def triple(x):\n    return 3 * x\n", cases: [{name: "three", public: true, args: [3]}]}}
  - {label: T4, title: "quad(x)", points: 1, prompt: "Write `quad(x)`; a value within 1 % of the exact one is accepted.",
     code: {function: quad, kind: number, options: {rtol: 0.01, atol: 0},
            solution: "def quad(x):\n    return 4 * x\n", cases: [{name: "four", public: true, args: [4]}]}}
  - {label: T5, title: "same(x)", points: 1, prompt: "Write `same(x)`.",
     code: {function: same, kind: number, solution: "def same(x):\n    return x\n", cases: [{name: "one", public: true, args: [1]}]}}
'''


@pytest.fixture(scope="module")
def rules_handout(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    spec = folder / "problems" / "rules.yaml"
    spec.parent.mkdir()
    spec.write_text(SPEC, encoding="utf-8")
    run = grader("handout", spec, "--out", folder / "out")
    assert run.returncode == 0, run.stderr
    return folder / "out"


def test_notes_with_backslashes_and_triple_quotes_leave_the_starter_importable(rules_handout):
    source = (rules_handout / "submission" / "rules.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source))
    assert "`\\alpha`" in docstring and 'three quotes \\"\\"\\" in a row' in docstring
    namespace: dict = {}
    exec(compile(source, "rules.py", "exec"), namespace)  # noqa: S102 - our own output
    assert callable(namespace["half"])


@pytest.mark.parametrize("label, function, stated", [
    ("T2", "double", True),  # "an absolute tolerance of $10^{-3}$" in the prompt
    ("T3", "triple", False),
    ("T4", "quad", True),  # "within 1 % of the exact one"
])
def test_a_tolerance_the_prompt_states_is_not_said_again(rules_handout, label, function, stated):
    readme = readme_section((rules_handout / "README.md").read_text(encoding="utf-8"), label)
    docstring = stub_docstrings((rules_handout / "submission" / "rules.py").read_text(encoding="utf-8"))[function]
    for text in (readme, docstring):
        assert ("Compared within" in text) is not stated, text


def test_d5_states_its_tolerance_once(handout):
    readme = readme_section((handout / "README.md").read_text(encoding="utf-8"), "D5")
    docstring = stub_docstrings((handout / "submission" / "foundations.py").read_text(encoding="utf-8"))
    for text in (readme, docstring["minimize_quadratic"]):
        assert text.count("tolerance") == 1, text
    # rho's own docstring, which describes it in the starter and the README, does not say how close it
    # must be (Q2.3b's prompt does, for the written answer): both still say it, once, for the function.
    rho = stub_docstrings((handout / "submission" / "q2.py").read_text(encoding="utf-8"))["rho"]
    q2_3b = readme_section((handout / "README.md").read_text(encoding="utf-8"), "Q2.3b")
    for text in (rho, q2_3b):
        assert text.count("Compared within a relative tolerance of 0.0005 (0.05 %)") == 1, text


# ------------------------------------------------------------------ public checks, counted

def public_checks(section: str) -> list[str]:
    match = re.search(r"Public checks \((\d+)\): (.*)\.$|Public check: (.*)\.$", section, flags=re.M)
    if match is None:
        return []
    if match[3] is not None:
        return [match[3]]
    names = match[2].split("; ")
    assert len(names) == int(match[1]), section
    return names


def test_every_public_check_is_listed_once_and_counted(handout, rules_handout):
    readme = (handout / "README.md").read_text(encoding="utf-8")
    for spec in ("foundations.yaml", "q2-activations.yaml"):
        for part in load_problem_set(PROBLEMS / spec).parts:
            if part.code:
                listed = public_checks(readme_section(readme, part.label))
                assert listed == [case.name for case in part.code.cases if case.public], part.label
    a1 = readme_section(readme, "A1")
    assert "Public checks (2): tutorial 2×2 example; tutorial 2×3 and 2×3 (inner dimensions differ)." in a1
    t1 = readme_section((rules_handout / "README.md").read_text(encoding="utf-8"), "T1")
    assert public_checks(t1) == ["one and two", "three, four"]
