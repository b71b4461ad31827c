"""Running `grader handout` again after editing a spec: everything made from the
specs is refreshed, and starter files a student may have edited are kept
(named, with how to replace them) unless --force."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBLEMS = Path(__file__).resolve().parents[1] / "problems"


def grader(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def copy_specs(folder: Path) -> Path:
    (folder / "problems").mkdir(parents=True)
    for spec in PROBLEMS.glob("*.yaml"):
        (folder / "problems" / spec.name).write_bytes(spec.read_bytes())
    return folder / "problems"


def edit_title(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('\ntitle: "', '\ntitle: "Edited ', 1), encoding="utf-8")


def test_a_rerun_refreshes_the_handout_and_keeps_the_starters(tmp_path):
    problems = copy_specs(tmp_path)
    assert grader("handout", "problems", "--out", "handout", cwd=tmp_path).returncode == 0
    handout = tmp_path / "handout"
    own = handout / "submission" / "foundations.py"
    own.write_text(own.read_text(encoding="utf-8") + "\n# my work\n", encoding="utf-8")
    untouched = {p: p.read_bytes() for p in (handout / "submission").iterdir() if p != own}
    edit_title(problems / "foundations.yaml")
    specs = {p: p.read_bytes() for p in problems.iterdir()}

    run = grader("handout", "problems", "--out", "handout", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert "# Edited " in (handout / "README.md").read_text(encoding="utf-8")
    assert "title: Edited " in (handout / "problems" / "foundations.yaml").read_text(encoding="utf-8")
    assert own.read_text(encoding="utf-8").endswith("\n# my work\n")
    assert {p: p.read_bytes() for p in untouched} == untouched
    kept = [line for line in run.stdout.splitlines() if line.startswith("kept ")]
    assert any("handout/submission/foundations.py" in line and "--force" in line for line in kept), run.stdout
    assert len(kept) == 1 + len(untouched), run.stdout  # every starter left as it was is named
    assert "wrote handout/README.md" in run.stdout and "wrote handout/submission" not in run.stdout
    assert {p: p.read_bytes() for p in problems.iterdir()} == specs

    run = grader("handout", "problems", "--out", "handout", "--force", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "# my work" not in own.read_text(encoding="utf-8")
    assert "Edited " in own.read_text(encoding="utf-8")  # the new starter
    assert "kept " not in run.stdout and "wrote handout/submission/foundations.py" in run.stdout
    assert {p: p.read_bytes() for p in problems.iterdir()} == specs


def test_a_rerun_into_the_specs_folder_is_still_refused(tmp_path):
    """A handout made beside the specs before: writing it again over `.` would replace them."""
    copy_specs(tmp_path)
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "foundations.py").write_text("# my work\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    run = grader("handout", "problems", "--out", ".", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "problems/foundations.yaml would be overwritten" in run.stderr and "Traceback" not in run.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
