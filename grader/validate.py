"""`grader validate`: every spec loads, every reference computes, and each
part's own reference solution earns full marks under its own checker.

The proof is done through the real pipeline: the references are written out
as a submission — an answers file with each written reference as LaTeX, and
a Python file with every reference solution — and graded like a student's.
Anything short of full marks is a problem in the spec.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import sympy
import yaml

from grader.references import ProblemReferences
from grader.spec import SpecIssue

REFERENCE_PRELUDE = """\
import numpy as np
import scipy
import scipy.integrate
import scipy.optimize
import scipy.special
from scipy import stats
from sympy import *
"""


def reference_text(value: Any, kind: str) -> Any:
    """How a student would write the reference in an answers file."""
    if kind == "rubric":
        return " ".join(idea.idea for idea in value)
    if kind == "array":
        return [float(v) for v in np.asarray(value, dtype=float).ravel()]
    if kind == "choice":
        return str(value)
    if isinstance(value, sympy.Basic):
        return sympy.latex(value)
    return value


def reference_submission(refs: ProblemReferences, folder: Path) -> list[Path]:
    """Write the references of a problem set as a submission; return its files."""
    ps = refs.problem_set
    files = []
    answers = {p.label: reference_text(refs[p.label].value, p.kind) for p in ps.parts if p.kind is not None}
    if answers:
        path = folder / "answers.yaml"
        path.write_text(yaml.safe_dump(answers, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files.append(path)
    solutions = [p.code.solution for p in ps.parts if p.code is not None]
    if solutions:
        name = next((f for f in ps.submission_files if f.endswith(".py")), "solution.py")
        path = folder / name
        path.write_text(REFERENCE_PRELUDE + ps.setup + "\n\n" + "\n\n".join(solutions), encoding="utf-8")
        files.append(path)
    return files


def prove_references(all_refs: list[ProblemReferences], grader_factory) -> list[SpecIssue]:
    """Grade each problem set's reference submission; every part short of full marks is an issue.

    A published copy (``grader publish``) holds expected values, not
    solutions, so there is nothing to prove: loading it has already computed
    every expected value, and it is skipped here."""
    issues: list[SpecIssue] = []
    for refs in all_refs:
        ps = refs.problem_set
        if ps.published:
            continue
        with tempfile.TemporaryDirectory(prefix="grader-validate-") as tmp:
            files = reference_submission(refs, Path(tmp))
            with grader_factory([refs]) as grader:
                result = grader.grade("reference", files)
        for part_result in result.parts:
            if part_result.score < part_result.max_score - 1e-9:
                part = ps.part(part_result.label)
                reason = part_result.feedback.replace("\n", " ")
                failing = [f"{c.name}: {c.feedback}" for c in part_result.cases if c.credit < 1.0]
                if failing:
                    reason += " " + "; ".join(failing[:3])
                issues.append(SpecIssue(ps.path, part.line, f"part {part.label}: the reference earns "
                                        f"{part_result.score:g} of {part_result.max_score:g} points under its own "
                                        f"checker ({part_result.status}): {reason}"))
    return issues
