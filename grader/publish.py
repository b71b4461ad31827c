"""Spec → the student's copy: ``grader publish PROBLEMS --out DIR``.

A published spec lets students run ``grader check`` on the public cases and
holds nothing secret:

- code parts keep their public cases only, each with its arguments and its
  **expected value written out** (computed here by the instructor's
  reference solution), so no ``solution`` is needed to check them;
- a part with a written answer *and* code keeps its function but no case
  that has an expected value: that value would be the written answer, or
  give it away (``sigma_dot_approx(0.05)`` is σ̇_approx).  Such a public
  case is refused (:func:`refuse_giving_written_answers_away`), so the
  instructor makes it hidden;
- written-answer parts keep what a reader needs to *find* an answer (kind,
  options, names) but not the ``reference`` nor the rubric: their answers are
  read at self-check time and checked only at grading;
- known mistakes keep their ``when`` predicates (they describe a symptom,
  such as "np.trapz was removed", not an answer), except one that uses a
  name of the ``setup``, which is not published (:func:`setup_notes`); a ``solution`` mistake's
  code is dropped, but what it returns on each *public* case is written into
  that case (``mistakes: [{returns, feedback}]``) where a student returning
  it would fail, so the self-check gives its feedback: that output tells no
  more than the public case's expected value.  ``value`` mistakes (known
  wrong written answers) would show a wrong answer to a hidden question and
  are dropped; so are ``setup`` and the hidden cases.

Nothing is published from a spec ``grader validate`` finds a problem in
(:func:`refuse_unproved`): a student's self-check must never run against a spec
whose right answers fail.

Values are written as Python expressions (``np.array([...], dtype='float64')``,
``srepr`` for SymPy objects) evaluated by the loader like any spec
expression.  Publishing proves the round trip: the published file is loaded
again and every public case's arguments and expected value must read back
identical, and every part's options as its checker reads them, or nothing is
written.  Options are written as grading uses them (:func:`_options`): those
that differ from the kind's defaults, tolerances always, and none that the
part's mode ignores (a set-wide ``rtol`` beside ``mode: sigfigs``).
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import yaml

from grader.checkers import get_checker
from grader.references import (CaseReference, ProblemReferences, RaisedException, base_namespace,
                               compute_references)
from grader.results import write_atomic
from grader.spec import (CodeSpec, Mistake, Part, SpecError, load_problem_set, names_from_setup,
                         unused_by_mode)


class PublishError(Exception):
    """A spec that cannot be published (a value with no faithful written form, a failed round trip)."""


# ---------------------------------------------------------------------------
# Values as Python source

def value_source(value: Any) -> str:
    """A Python expression that evaluates (with ``np`` and SymPy in scope) to an equal value."""
    import sympy

    if isinstance(value, np.generic):  # before float/int/str: np.float64 is a float, np.str_ a str
        return f"np.{type(value).__name__}({value_source(value.item())})"
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, complex):
        return f"complex({value_source(value.real)}, {value_source(value.imag)})"
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise PublishError(f"an array of dtype {value.dtype} cannot be published")
        body = value_source(value.tolist())
        text = f"np.array({body}, dtype=np.{value.dtype.name})"
        return f"{text}.reshape({value.shape!r})" if value.size == 0 else text
    if isinstance(value, tuple):
        items = [value_source(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(value_source(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{value_source(k)}: {value_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, sympy.Basic):
        return sympy.srepr(value)
    raise PublishError(f"a value of type {type(value).__name__} cannot be written into a published spec")


def same_value(a: Any, b: Any) -> bool:
    """Exact equality, types included (NaN equals NaN): the round-trip test."""
    if isinstance(a, RaisedException) or isinstance(b, RaisedException):
        return isinstance(a, RaisedException) and isinstance(b, RaisedException) and a.name == b.name
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


# ---------------------------------------------------------------------------
# Spec → published mapping

# Tolerances decide a verdict at its edge: a published copy states them even where they are the
# kind's own defaults, so a student reads the tolerance grading uses (and a later version of the
# grader with other defaults would still check the copy the same way).
TOLERANCES = ("rtol", "atol")


def checked_options(kind: str, options: Any) -> dict:
    """The options a part's checker reads, by name: all of them but those its mode ignores.

    A set-wide default (``defaults: {rtol: …}``) is given to every part whose
    kind takes it, also to a ``mode: sigfigs`` number that never reads it: such
    an option is no part of how the part is checked."""
    if options is None:
        return {}
    mode = getattr(options, "mode", None)
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
            if unused_by_mode(kind, f.name, mode) is None}


def _options(kind: str, options: Any) -> dict:
    """The options a published copy writes: those the checker reads that differ from the kind's
    defaults, and its tolerances always; never one its mode ignores (the loader refuses it)."""
    if options is None:
        return {}
    default = type(options)()
    return {name: _plain_data(value) for name, value in checked_options(kind, options).items()
            if value != getattr(default, name) or (name in TOLERANCES and value is not None)}


def _plain_data(value: Any) -> Any:
    """Lists and dicts YAML writes: the spec loader's mappings carry line numbers (a dict subclass)."""
    if isinstance(value, (tuple, list)):
        return [_plain_data(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain_data(item) for key, item in value.items()}
    return value


def _part(refs: ProblemReferences, part: Part) -> dict:
    out: dict[str, Any] = {"label": part.label, "title": part.title, "points": part.points}
    if part.prompt:
        out["prompt"] = part.prompt
    if part.kind is not None:
        out["kind"] = part.kind
        if _options(part.kind, part.options):
            out["options"] = _options(part.kind, part.options)
        if part.names:
            out["names"] = list(part.names)
        if part.approximates:
            out["approximates"] = list(part.approximates)
    if part.code is not None:
        code = part.code
        section: dict[str, Any] = {"function": code.function, "kind": code.kind}
        if _options(code.kind, code.options):
            section["options"] = _options(code.kind, code.options)
        if code.fail_on_warnings:
            section["fail_on_warnings"] = True
        cases = []
        for case_ref in refs[part.label].cases:
            if not case_ref.case.public:
                continue
            what = f"part {part.label}, case {case_ref.case.name!r}"
            case: dict[str, Any] = {"name": case_ref.case.name, "public": True}
            try:
                case["args"] = value_source(list(case_ref.args))
                if isinstance(case_ref.expected, RaisedException):
                    case["raises"] = case_ref.case.raises or case_ref.expected.name
                else:
                    case["expected"] = value_source(case_ref.expected)
            except PublishError as exc:
                raise PublishError(f"{refs.problem_set.path}: {what}: {exc}") from None
            known = [{"returns": value_source(wrong), "feedback": m.feedback,
                      **({"credit": m.credit} if m.credit else {})} for m, wrong in known_mistakes(code, case_ref)]
            if known:
                case["mistakes"] = known
            cases.append(case)
        section["cases"] = cases
        out["code"] = section
    mistakes = [{"when": m.when, "feedback": m.feedback, **({"credit": m.credit} if m.credit else {})}
                for m in part.mistakes if m.when is not None and not names_from_setup(m.when)]
    if mistakes:
        out["mistakes"] = mistakes
    return out


def known_mistakes(code: CodeSpec, case_ref: CaseReference) -> list[tuple[Mistake, Any]]:
    """What each ``solution`` mistake returns on a public case, where a student returning it would fail.

    Grading gives these mistakes' feedback by comparing a student's value with
    theirs; a published spec has no solutions to run, so it carries the values.
    Left out: a mistake that raises here or returns the right answer (grading
    says nothing of it either), and a value with no faithful written form."""
    found = []
    for mistake, wrong in case_ref.mistake_values:
        if isinstance(wrong, RaisedException) or _accepted(code, case_ref.expected, wrong):
            continue
        try:
            value_source(wrong)
        except PublishError:
            continue
        found.append((mistake, wrong))
    return found


def _accepted(code: CodeSpec, expected: Any, value: Any) -> bool:
    """Whether the part's checker accepts ``value`` for ``expected`` (a value is never a raise)."""
    if isinstance(expected, RaisedException):
        return False
    try:
        return get_checker(code.kind).check(expected, value, code.options).is_correct
    except Exception:  # noqa: BLE001 - a value the checker cannot read is not accepted
        return False


def written_answers_given_away(refs: ProblemReferences) -> list[str]:
    """Each public case whose published expected value would give a written answer away, located.

    Its part has a written answer, so the value would be that answer, or what
    it is computed from; a case that must raise publishes no value and is fine.
    """
    ps = refs.problem_set
    return [f"{ps.path}, line {case.line}: part {part.label}, public case {case.name!r}"
            for part in ps.parts if part.kind is not None and part.code is not None
            for case in part.code.cases if case.public and case.raises is None]


def refuse_giving_written_answers_away(all_refs: Sequence[ProblemReferences]) -> None:
    """Raise :class:`PublishError` listing every public case that would publish a written answer."""
    found = [where for refs in all_refs for where in written_answers_given_away(refs)]
    if found:
        raise PublishError(
            "a published spec would give written answers away: these public cases belong to parts that also "
            "have a written answer, and their expected values would be published for students to read. "
            "Make them hidden (remove 'public: true'); a part with a written answer needs no public case, as "
            "its answer is checked at grading. Nothing was written.\n  " + "\n  ".join(found))


def published_text(refs: ProblemReferences) -> str:
    """The published spec of one problem set, as YAML text."""
    ps = refs.problem_set
    data: dict[str, Any] = {"published": True, "id": ps.id, "title": ps.title}
    if ps.submission_files:
        data["submission_files"] = list(ps.submission_files)
    # The total only: students learn how much grading adds, never what or where.
    data["hidden_cases"] = sum(1 for p in refs.parts.values() for c in p.cases if not c.case.public)
    data["parts"] = [_part(refs, p) for p in ps.parts]
    header = (f"# {ps.title}: the public checks, for `grader check`.\n"
              f"# Published by `grader publish` from {ps.path.name} (sha256 {ps.digest[:12]}).\n"
              "# Expected values were computed by the instructor's reference solutions, and a case's\n"
              "# mistakes are what known mistaken solutions return on it. Hidden cases, solutions and\n"
              "# the references of written answers are not in this file: written answers, and\n"
              "# functions with no case here, are checked only at grading.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100_000)


def verify_round_trip(refs: ProblemReferences, text: str) -> None:
    """Load the published text again; every public case must read back identical."""
    ps = refs.problem_set
    with tempfile.TemporaryDirectory(prefix="grader-publish-") as tmp:
        path = Path(tmp) / ps.path.name
        path.write_text(text, encoding="utf-8")
        published = compute_references(load_problem_set(path))
    problems = []
    for part in ps.parts:
        mine, theirs = refs[part.label], published[part.label]
        if not _same_options(part, theirs.part):
            problems.append(f"part {part.label}: its options do not read back the same")
        public = [c for c in mine.cases if c.case.public]
        for original, copy in zip(public, theirs.cases):
            if not same_value(list(original.args), list(copy.args)) or \
                    not same_value(original.expected, copy.expected) or \
                    not _same_mistakes(known_mistakes(part.code, original), copy.case.mistakes):
                problems.append(f"part {part.label}, case {original.case.name!r}: its values do not read back "
                                f"identical")
        if len(public) != len(theirs.cases):
            problems.append(f"part {part.label}: {len(public)} public cases, {len(theirs.cases)} published")
    if problems:
        raise PublishError(f"{ps.path}: the published spec would not check like the original: "
                           + "; ".join(problems))


def _same_options(part: Part, copy: Part) -> bool:
    """Whether a published part is checked with the options grading uses, its code's cases included."""
    same = checked_options(part.kind, part.options) == checked_options(copy.kind, copy.options)
    if part.code is not None:
        same = same and checked_options(part.code.kind, part.code.options) == \
            checked_options(copy.code.kind, copy.code.options)
    return same


def _same_mistakes(published: list[tuple[Mistake, Any]], read_back: Sequence[Mistake]) -> bool:
    """Whether a published case's mistakes read back with the same feedback, credit and value."""
    ns = base_namespace()
    return len(published) == len(read_back) and all(
        m.feedback == back.feedback and m.credit == back.credit and
        same_value(wrong, eval(back.value, dict(ns)))  # noqa: S307 - the text we just wrote
        for (m, wrong), back in zip(published, read_back))


def publish(refs: ProblemReferences) -> str:
    """The verified published text of one problem set."""
    refuse_giving_written_answers_away([refs])
    text = published_text(refs)
    verify_round_trip(refs, text)
    return text


def refuse_writing_over_specs(targets: Iterable[Path], all_refs: Sequence[ProblemReferences]) -> None:
    """Raise :class:`PublishError` if a file about to be written is one of the specs being read.

    A spec's solutions, hidden cases and references exist nowhere else: an
    ``--out`` that holds the specs (``--out .`` beside ``problems/``) would
    replace them with their published copies for good.
    """
    specs = [refs.problem_set.path for refs in all_refs]
    for target in targets:
        spec = spec_written_over(target, specs)
        if spec is not None:
            raise PublishError(
                f"{overwriting_spec(target, spec)}, and its solutions and hidden cases exist nowhere else. "
                f"Nothing was written; choose an --out folder that does not hold the specs (e.g. a new folder).")


def spec_written_over(target: Path, specs: Iterable[Path]) -> Path | None:
    """The spec among ``specs`` that writing ``target`` would replace, if any (also ``grader check`` and ``grade``)."""
    return next((spec for spec in specs if same_file(target, spec)), None)


def overwriting_spec(target: Path, spec: Path, by: str = "") -> str:
    """The start of every refusal to write over a spec: which spec, and ``by`` what (" by --json")."""
    where = "" if str(target) == str(spec) else f" (written as {target})"
    return f"{spec} would be overwritten{by}{where}: it is a spec being read"


def same_file(target: Path, spec: Path) -> bool:
    """Whether writing ``target`` reaches the existing file ``spec``."""
    if target.resolve() == spec.resolve():  # the same path, through any symbolic links
        return True
    try:
        return os.path.samefile(target, spec)  # a hard link, or another spelling on a case-insensitive disk
    except OSError:
        return False  # the target does not exist yet


def published_files(all_refs: Sequence[ProblemReferences], out: Path) -> dict[Path, str]:
    """Each problem set's verified published spec, by the path it goes to in ``out`` (same file names)."""
    names = [refs.problem_set.path.name for refs in all_refs]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise PublishError(f"two problem sets have the same file name ({', '.join(clashes)}); "
                           f"rename one so both fit in {out}")
    refuse_writing_over_specs([out / name for name in names], all_refs)
    refuse_giving_written_answers_away(all_refs)
    return {out / refs.problem_set.path.name: publish(refs) for refs in all_refs}


def setup_notes(all_refs: Sequence[ProblemReferences]) -> list[str]:
    """What the published copies leave out because it needs the setup, which is not published:
    a ``when`` predicate using the setup's names would never match in a student's self-check."""
    notes = []
    for refs in all_refs:
        for part in refs.problem_set.parts:
            for mistake in part.mistakes:
                names = names_from_setup(mistake.when) if mistake.when is not None else []
                if names:
                    notes.append(f"{refs.problem_set.path}, line {mistake.line}: part {part.label}: this mistake's "
                                 f"'when' uses the setup's {', '.join(repr(n) for n in names)}, and the setup is "
                                 f"not published, so the self-check does not give its feedback (grading does)")
    return notes


def publish_all(all_refs: Sequence[ProblemReferences], out: Path) -> list[Path]:
    """Write each problem set's published spec into ``out``; return the paths (all or nothing)."""
    files = published_files(all_refs, out)
    for path, text in files.items():
        write_atomic(path, text)
    return list(files)


# ---------------------------------------------------------------------------
# Command line (its options: grader.cli)

def refuse_unproved(all_refs: Sequence[ProblemReferences]) -> None:
    """Raise :class:`SpecError` with what ``grader validate`` finds wrong in the specs, if anything:
    a student must never receive a spec whose right answers fail, or that crashes their self-check."""
    from grader.grading import Grader
    from grader.validate import prove_references  # it imports this module

    issues = prove_references(list(all_refs), lambda refs: Grader(refs))
    if issues:
        raise SpecError(issues)


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError, load_references

    refs = load_references(args.problems)
    if any(r.problem_set.published for r in refs):
        already = next(r.problem_set.path for r in refs if r.problem_set.published)
        raise UsageError(f"{already} is already a published spec; publish from the instructor's spec")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    refuse_unproved(refs)
    try:
        written = publish_all(refs, out)
    except PublishError as exc:
        raise UsageError(str(exc)) from None
    for path in written:
        print(f"wrote {path}")
    for note in setup_notes(refs):
        print(f"note: {note}")
    hidden = sum(1 for r in refs for p in r.parts.values() for c in p.cases if not c.case.public)
    print(f"{len(written)} published spec(s): public checks only; {hidden} hidden cases stay with you.")
    return 0
