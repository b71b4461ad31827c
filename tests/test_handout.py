"""`grader handout`: what students get follows from the spec, and works with `grader check`."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.handout import section_label, stated_parameters, stub_source
from grader.spec import load_problem_set
from grader.validate import REFERENCE_PRELUDE

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def grader(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_layout(handout):
    files = sorted(str(p.relative_to(handout)) for p in handout.rglob("*") if p.is_file())
    assert files == ["README.md", "problems/foundations.yaml", "problems/q2-activations.yaml",
                     "submission/foundations.py", "submission/q2.md", "submission/q2.py"]


def test_questions_carry_every_part_with_points_and_prompt(handout):
    readme = (handout / "README.md").read_text(encoding="utf-8")
    for spec in ("foundations.yaml", "q2-activations.yaml"):
        ps = load_problem_set(PROBLEMS / spec)
        assert f"# {ps.title}" in readme
        for part in ps.parts:
            assert f"## {part.label} — {part.title} ({part.points:g} point" in readme
            assert part.prompt.strip() in readme
    assert "$P(H \\mid E)$" in readme  # maths kept as written
    assert "grader check submission" in readme


def test_starter_stubs_every_function_with_the_reference_signature(handout):
    ps = load_problem_set(PROBLEMS / "foundations.yaml")
    tree = ast.parse((handout / "submission" / "foundations.py").read_text(encoding="utf-8"))
    stubs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert list(stubs) == [p.code.function for p in ps.parts]
    for part in ps.parts:
        stub = stubs[part.code.function]
        solution = next(n for n in ast.parse(part.code.solution).body
                        if isinstance(n, ast.FunctionDef) and n.name == part.code.function)
        # The parameters are named as the part's title states them ("sigmoid(x)"), the rest is the solution's.
        for arg, name in zip(solution.args.args, stated_parameters(part) or []):
            arg.arg = name
        assert ast.dump(stub.args) == ast.dump(solution.args), part.label
        assert part.label in ast.get_docstring(stub) and part.title in ast.get_docstring(stub)
        assert isinstance(stub.body[-1], ast.Raise) and len(stub.body) == 2


def test_stub_source_keeps_defaults_annotations_and_docstrings():
    solution = 'HELPER = 3\n\ndef f(x: float, *rest, scale=2.0, **opts) -> float:\n    """Scaled x."""\n    return x\n'
    text = stub_source(solution, "f", "ignored", "spec.yaml")
    assert text.splitlines()[0] == "def f(x: float, *rest, scale=2.0, **opts) -> float:"
    assert '"""Scaled x."""' in text and "raise NotImplementedError" in text and "return x" not in text
    namespace: dict = {}
    exec(text, namespace)  # noqa: S102 - our own output
    with pytest.raises(NotImplementedError):
        namespace["f"](1.0)


def test_answer_template_has_one_heading_per_question(handout):
    template = (handout / "submission" / "q2.md").read_text(encoding="utf-8")
    headings = [line for line in template.splitlines() if line.startswith("## ")]
    assert headings == ["## Q2.1", "## Q2.2", "## Q2.3", "## Q2.4"]
    assert [section_label(x) for x in ("Q2.1a", "Q2.3d", "Q2.4", "A1")] == ["Q2.1", "Q2.3", "Q2.4", "A1"]


def test_unfilled_starters_check_as_not_implemented_or_not_answered(handout, tmp_path):
    run = grader("check", "submission", "--json", tmp_path / "r.json", cwd=handout)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    verdicts = {t["number"]: t["extra_data"]["verdict"] for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    ps = load_problem_set(PROBLEMS / "foundations.yaml")
    assert all(verdicts[p.label] == "not implemented" for p in ps.parts)
    # q2.py's stubs answer Q2's code parts, whose cases are all hidden (a written part's), so nothing
    # of them runs now: the stub is seen for what it is by reading it.  The empty template answers nothing.
    q2 = load_problem_set(PROBLEMS / "q2-activations.yaml")
    assert all(verdicts[p.label] == "not implemented" for p in q2.parts if p.code), verdicts
    assert verdicts["Q2.4"] == "not answered"


def test_reference_solutions_dropped_into_the_starter_pass_every_public_check(handout, tmp_path):
    for spec, name in (("foundations.yaml", "foundations.py"), ("q2-activations.yaml", "q2.py")):
        ps = load_problem_set(PROBLEMS / spec)
        source = (handout / "submission" / name).read_text(encoding="utf-8")
        lines = source.splitlines(keepends=True)
        # Replace each stub (its def … raise lines) by the reference solution, bottom up.
        solutions = {p.code.function: p.code.solution for p in ps.parts if p.code}
        stubs = sorted((n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)), key=lambda n: -n.lineno)
        for stub in stubs:
            lines[stub.lineno - 1:stub.end_lineno] = [solutions[stub.name]]
        folder = tmp_path / spec
        folder.mkdir()
        (folder / name).write_text(REFERENCE_PRELUDE + ps.setup + "\n" + "".join(lines), encoding="utf-8")
        run = grader("check", handout / "problems" / spec, folder, "--json", folder / "r.json")
        tests = json.loads((folder / "r.json").read_text())["tests"]
        code_labels = {p.label for p in ps.parts if p.code and any(c.public for c in p.code.cases)}
        assert {t["number"] for t in tests if t["status"] == "passed"} >= code_labels, run.stdout
        later = {t["number"] for t in tests if t["extra_data"]["verdict"] == "checked at grading"}
        assert later >= {p.label for p in ps.parts if p.code and not any(c.public for c in p.code.cases)}, run.stdout


def test_existing_starters_are_not_overwritten(handout, tmp_path):
    out = tmp_path / "repo"
    (out / "submission").mkdir(parents=True)
    (out / "submission" / "foundations.py").write_text("# my work\n")
    run = grader("handout", PROBLEMS / "foundations.yaml", "--out", out)
    assert run.returncode == 0 and "--force" in run.stdout + run.stderr  # the rest refreshed; the work kept
    assert (out / "submission" / "foundations.py").read_text() == "# my work\n"
    run = grader("handout", handout / "problems" / "foundations.yaml", "--out", tmp_path / "other")
    assert run.returncode == 2 and "published spec" in run.stderr


def copy_specs(folder: Path) -> dict[Path, bytes]:
    """The project's specs copied into ``folder``/problems, with their bytes."""
    (folder / "problems").mkdir(parents=True)
    for spec in PROBLEMS.glob("*.yaml"):
        (folder / "problems" / spec.name).write_bytes(spec.read_bytes())
    return {p: p.read_bytes() for p in (folder / "problems").iterdir()}


@pytest.mark.parametrize("out", [".", "ABSOLUTE", "link"])
def test_handout_never_writes_over_the_specs_it_reads(tmp_path, out):
    """`--out .` beside problems/ would replace the specs by their published copies: refused, nothing written."""
    specs = copy_specs(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path)  # another spelling of the same folder
    before = sorted(tmp_path.rglob("*"))
    run = grader("handout", "problems", "--out", tmp_path if out == "ABSOLUTE" else out, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "problems/foundations.yaml would be overwritten" in run.stderr and "Traceback" not in run.stderr
    assert {p: p.read_bytes() for p in specs} == specs
    assert sorted(tmp_path.rglob("*")) == before  # no README.md, no submission/: refused before any write


def test_regenerating_a_handout_into_its_folder_follows_the_edited_spec(tmp_path):
    specs = copy_specs(tmp_path)
    assert grader("handout", "problems", "--out", "handout", cwd=tmp_path).returncode == 0
    spec = tmp_path / "problems" / "foundations.yaml"
    edited = spec.read_text(encoding="utf-8").replace('\ntitle: "', '\ntitle: "Edited ', 1)
    spec.write_text(edited, encoding="utf-8")
    run = grader("handout", "problems", "--out", "handout", "--force", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "# Edited " in (tmp_path / "handout" / "README.md").read_text(encoding="utf-8")
    assert spec.read_text(encoding="utf-8") == edited
    other = tmp_path / "problems" / "q2-activations.yaml"
    assert other.read_bytes() == specs[other]


def test_a_repository_handed_in_whole_is_graded_without_its_handout_readme(handout, tmp_path):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(handout, repo)
    for name in ("foundations.py", "q2.md"):
        shutil.copy(PROBLEMS.parent / "submissions" / "alice" / name, repo / "submission" / name)
    (repo / "submission" / "q2.py").unlink(missing_ok=True)  # the starter's stubs, untouched
    out = tmp_path / "r.json"
    run = grader("check", PROBLEMS, repo, "--json", out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "README.md" not in run.stdout + out.read_text(encoding="utf-8")  # the questions are not answers
    assert "total: 63 / 63" in run.stdout
