"""What students are handed and what their CI shows, as a student meets it.

The starter's functions take the parameters the questions name
(``sigmoid(x)``), the answer template gives an example the grader reads for
every written part, the pytest plugin shows why nothing could be read, and
``ci-init`` will not put the instructor's own specs into a student's CI.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.handout import HandoutError, answer_template, starter_code, stated_parameters, stub_source
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
Q2 = ROOT / "problems" / "q2-activations.yaml"


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def check_json(tmp_path: Path, spec: Path, submission: Path) -> dict:
    out = tmp_path / "results.json"
    run = grader("check", spec, submission, "--json", out)
    assert run.returncode == 0, run.stderr
    return {test["number"]: test for test in json.loads(out.read_text(encoding="utf-8"))["tests"]}


# ------------------------------------------------------------------ starter signatures

def test_starter_parameters_are_the_ones_the_questions_name():
    ps = load_problem_set(FOUNDATIONS)
    starter = starter_code(ps)
    for line in ("def sigmoid(x):", "def relu(x):", "def softmax(x):", "def product_rule_derivative(x):",
                 "def chain_rule_derivative(x):", "def matmul(A, B):"):
        assert line in starter.splitlines()
    stubs = {node.name: node for node in ast.parse(starter).body if isinstance(node, ast.FunctionDef)}
    for part in ps.parts:
        title = re.match(r"(\w+)\(([^)]*)\)", part.title)
        assert [arg.arg for arg in stubs[part.code.function].args.args] == title[2].split(", "), part.label


def test_a_body_written_with_the_question_s_names_passes(tmp_path):
    starter = starter_code(load_problem_set(FOUNDATIONS))
    stub = re.search(r"def sigmoid\(x\):\n(?:    .*\n|\n)*?    raise NotImplementedError\n", starter)[0]
    body = "def sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n"
    path = tmp_path / "foundations.py"
    path.write_text("import numpy as np\n" + starter.replace(stub, body), encoding="utf-8")
    results = check_json(tmp_path, FOUNDATIONS, path)
    assert results["D1"]["extra_data"]["verdict"] == "correct", results["D1"]["output"]


def test_names_are_taken_from_the_prompt_when_the_title_states_none():
    part = load_problem_set(FOUNDATIONS).part("D1")
    part = type(part)(**{**part.__dict__, "title": "the logistic function"})
    assert stated_parameters(part) == ["x"]  # from "Write `sigmoid(x)` returning …"
    assert stated_parameters(type(part)(**{**part.__dict__, "prompt": "Call `sigmoid(0.5)`."})) is None


def test_a_stated_signature_the_solution_does_not_have_is_refused():
    with pytest.raises(HandoutError, match=r"spec.yaml: the part states f\(x, y\) but the reference solution is "
                                           r"f\(values\)"):
        stub_source("def f(values):\n    return values\n", "f", "doc", "spec.yaml", ["x", "y"])
    text = stub_source("def f(values, scale: float = 2.0):\n    return values\n", "f", "doc", "spec.yaml", ["x", "s"])
    assert text.splitlines()[0] == "def f(x, s: float=2.0):"


# ------------------------------------------------------------------ the answer template

Q2_RIGHT = {"Q2.1a": "\\frac{1}{4}", "Q2.1b": "1", "Q2.2": "(-\\infty, \\infty)", "Q2.3a": "\\frac{1}{4}",
            "Q2.3b": "0.2505", "Q2.3c": ["0.2505", "9.9\\times10^{-4}", "9.7\\times10^{-7}", "9.4\\times10^{-13}"],
            "Q2.3d": "approx"}


def test_every_written_part_but_prose_has_an_example_the_grader_reads(tmp_path):
    ps = load_problem_set(Q2)
    template = answer_template(ps)
    assert "faster?." not in starter_code(ps)  # "Which curve decays faster?" ends its own sentence
    filled = []
    for line in template.splitlines():
        filled.append(line)
        comment = re.match(r"<!-- (\S+) \(.*?\): .*? — e\.g\. (.*) -->$", line)
        if comment:  # the answer, as the example says, right under the part's comment
            values = iter(Q2_RIGHT[comment[1]] if isinstance(Q2_RIGHT[comment[1]], list) else [Q2_RIGHT[comment[1]]])
            example = re.sub(r" \((?:\w+ or )+\w+\)$", "", comment[2])  # "Answer: … (approx or true)"
            filled.append(re.sub("…", lambda _: next(values), example))
    examples = [line for line in template.splitlines() if " — e.g. " in line]
    assert [line[5:10].strip() for line in examples] == ["Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c",
                                                         "Q2.3d"]
    path = tmp_path / "q2.md"
    path.write_text("\n".join(filled), encoding="utf-8")
    results = check_json(tmp_path, Q2, path)
    verdicts = {label: results[label]["extra_data"]["verdict"] for label in Q2_RIGHT}
    assert set(verdicts.values()) == {"correct"}, {label: results[label]["output"] for label in Q2_RIGHT}


# ------------------------------------------------------------------ the pytest plugin shows the notes

def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
                           "--rootdir", str(tmp_path), "--junitxml", str(tmp_path / "j.xml"), *map(str, args)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)


def junit_outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """label → (passed | failed | skipped, the failure's text)."""
    from xml.etree import ElementTree as ET

    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        failure = case.find("failure")
        outcome = "failed" if failure is not None else "skipped" if case.find("skipped") is not None else "passed"
        found[case.get("name")] = (outcome, failure.text if failure is not None else "")
    return found


def test_an_answers_file_nothing_of_which_can_be_read_fails_with_the_reason(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "answers.yaml").write_text("a: &a [1]\nb: *a\nQ2.1a: 1/4\n", encoding="utf-8")
    run = run_pytest(tmp_path, "--grader", ROOT / "problems", submission)
    assert run.returncode == 1, run.stdout + run.stderr  # not "33 skipped", exit 0
    found = junit_outcomes(tmp_path / "j.xml")
    q2 = [p.label for p in load_problem_set(Q2).parts]
    assert {label: found[label][0] for label in q2} == dict.fromkeys(q2, "failed")
    assert "YAML aliases (*name) are not allowed" in found["Q2.1a"][1]
    assert "Q2.3a ρ_approx(ε): 0 / 1 point — could not read" in found["Q2.3a"][1]  # the set's own answer file
    assert "YAML aliases (*name) are not allowed" in found["Q2.3a"][1]
    # answers.yaml is handed in for Q2 only: the programming homework is still just not touched.
    assert {found[p.label][0] for p in load_problem_set(FOUNDATIONS).parts} == {"skipped"}
    assert "grader: note: Could not read answers.yaml, line 2: YAML aliases" in run.stdout


def test_a_failing_part_shows_the_notebook_cell_that_did_not_run(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import numpy as np"),
                      nbformat.v4.new_code_cell("def dot(u, v)\n    return float(np.dot(u, v))\n"),
                      nbformat.v4.new_code_cell("def l1_norm(v):\n    return float(np.sum(np.abs(v)))\n")]
    submission = tmp_path / "submission"
    submission.mkdir()
    nbformat.write(notebook, submission / "foundations.ipynb")
    run = run_pytest(tmp_path, "--grader", FOUNDATIONS, submission)
    assert run.returncode == 1
    found = junit_outcomes(tmp_path / "j.xml")
    assert found["A3"][0] == "passed"
    a2 = found["A2"][1]
    assert "dot is not defined." in a2
    assert "Notes on the submission:\n  foundations.ipynb, code cell 2 raised SyntaxError on line 1" in a2


# ------------------------------------------------------------------ ci-init takes published specs only

SMALL = """\
id: small
title: "Small set"
parts:
  - label: A
    title: "double(x)"
    points: 1
    code:
      function: double
      kind: number
      solution: |
        def double(x):
            return 2 * x
      cases:
        - {name: "x = 1", public: true, args: [1]}
        - {name: "secret", args: [12345]}
"""
INSTALL = "grader @ git+https://example.org/course/grader@v1"
WORKFLOW = Path(".github") / "workflows" / "grader.yml"


def test_ci_init_refuses_the_instructor_s_own_specs(tmp_path, capsys):
    from grader.cli import main

    repo = tmp_path / "repo"
    (repo / "problems").mkdir(parents=True)
    (repo / "problems" / "small.yaml").write_text(SMALL, encoding="utf-8")
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL]) == 2
    err = capsys.readouterr().err
    assert "small.yaml: not published (no 'published: true')" in err
    assert "run 'grader publish SPECS --out" in err and "--allow-unpublished" in err
    assert not (repo / WORKFLOW).exists()
    # Said explicitly, for a repository no student reads.
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL, "--allow-unpublished"]) == 0
    assert (repo / WORKFLOW).exists()


def test_ci_init_refuses_an_instructor_s_spec_hidden_among_published_ones(tmp_path, capsys):
    from grader.cli import main

    spec = tmp_path / "small.yaml"
    spec.write_text(SMALL, encoding="utf-8")
    repo = tmp_path / "repo"
    assert main(["publish", str(spec), "--out", str(repo / "problems")]) == 0
    # Put aside as a dot-file: never graded, but the students read it all the same.
    (repo / "problems" / ".small-full.yaml").write_text(SMALL, encoding="utf-8")
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL]) == 2
    assert ".small-full.yaml: not published (no 'published: true')" in capsys.readouterr().err
    assert not (repo / WORKFLOW).exists()
    (repo / "problems" / ".small-full.yaml").unlink()
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL]) == 0


def test_ci_init_takes_published_specs_and_says_point_for_one(tmp_path, capsys):
    from grader.cli import main

    spec = tmp_path / "small.yaml"
    spec.write_text(SMALL, encoding="utf-8")
    repo = tmp_path / "repo"
    assert main(["publish", str(spec), "--out", str(repo / "problems")]) == 0
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL, "--fail-under", "2"]) == 2
    assert "--fail-under 2 is more than the 1 point the specs in" in capsys.readouterr().err
    assert main(["ci-init", "--dir", str(repo), "--install", INSTALL, "--fail-under", "1"]) == 0
    assert (repo / WORKFLOW).exists()


def test_installing_the_grader_installs_pytest_for_its_plugin():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "grader" in project["entry-points"]["pytest11"]
    assert any(re.match(r"pytest\b", requirement) for requirement in project["dependencies"])
