"""`grader validate`: every spec loads, every reference computes, and each
part's own reference solution earns full marks under its own checker.

The proof is done through the real pipeline: the references are written out
as a submission — an answers file with each written reference as a student
would write it (numbers and lists as YAML data, SymPy values as LaTeX), and
a Python file with every reference solution — and graded like a student's.
Anything short of full marks is a problem in the spec, and so is a reference
no answers file can hold.
"""
from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import sympy
import yaml

from grader.checkers import get_checker
from grader.checkers.values import as_float_array
from grader.handout import HandoutError, handout_files
from grader.mathread import MAX_CHARS, numeric_value
from grader.publish import _accepted as checker_accepts
from grader.publish import same_value
from grader.references import ProblemReferences, RaisedException
from grader.spec import Part, SpecIssue, choice_reference_problem

REFERENCE_PRELUDE = """\
import numpy as np
import scipy
import scipy.integrate
import scipy.optimize
import scipy.special
from scipy import stats
from sympy import *
"""


class Unwritable(ValueError):
    """A reference that no answers file can hold (the message says why)."""


def reference_text(value: Any, kind: str) -> Any:
    """How a student would write the reference in an answers file: plain YAML data or LaTeX."""
    if kind == "rubric":
        return " ".join(idea.idea for idea in value)
    if kind == "array":
        array = as_float_array(_python(value))
        if array is None:
            raise Unwritable("the reference is not an array of real numbers")
        return array.tolist()  # nested lists keep the shape: a 2-D reference written flat never passes
    if kind == "choice":
        return str(value)
    if kind == "number":
        return _number_text(value)
    return _yaml_ready(value)


def _python(value: Any) -> Any:
    """NumPy scalars and 0-d arrays as the Python numbers they hold."""
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _yaml_ready(value: Any) -> Any:
    """Python's own numbers, strings and lists, and SymPy values as LaTeX: all YAML can write."""
    value = _python(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_yaml_ready(item) for item in value]
    if isinstance(value, complex):
        value = sympy.sympify(value)
    if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        return _written_out(sympy.latex, value)
    if isinstance(value, int) and not isinstance(value, bool):
        _written_out(str, value)  # YAML writes it with str()
        return value
    if value is None or isinstance(value, (bool, float, str)):
        return value
    raise Unwritable(f"the reference is a {type(value).__name__}, which an answers file cannot hold")


def _written_out(write: Any, value: Any) -> str:
    try:
        return write(value)
    except ValueError as exc:  # Python writes no integer of more than 4300 digits
        if "integer string conversion" not in str(exc):
            raise
        raise Unwritable("the reference holds an integer of more than 4300 digits, too long to write "
                         "as an answer") from None


def _number_text(value: Any) -> Any:
    """A number as a student writes it: in full, or to 20 significant figures when too long for an answer.

    ``factorial(2000)`` has 5736 digits, more than an answer may hold; a
    student writes ``3.3162750924506332412 \\cdot 10^{5735}``, which the
    number checker compares with the default tolerance."""
    try:
        text = _yaml_ready(value)
    except Unwritable:
        text = None
    if isinstance(text, int) or (text is not None and len(str(text)) <= MAX_CHARS):
        return text  # a YAML integer is data, not text: it has no length limit
    approximate = numeric_value(sympy.sympify(_python(value)), 20)  # sympified: an int too is evaluated
    if approximate is None or not approximate.is_finite:
        raise Unwritable(f"the reference is a number too long to write as an answer (at most {MAX_CHARS} "
                         f"characters)")
    return sympy.latex(approximate)


def reference_submission(refs: ProblemReferences, folder: Path) -> tuple[list[Path], dict[str, SpecIssue]]:
    """Write the references of a problem set as a submission.

    Returns its files, and an issue for each part whose reference cannot be
    written as an answer (left out of the submission)."""
    ps = refs.problem_set
    files: list[Path] = []
    answers, unwritable = {}, {}
    for part in ps.parts:
        if part.kind is None:
            continue
        try:
            answers[part.label] = reference_text(refs[part.label].value, part.kind)
        except Unwritable as exc:
            unwritable[part.label] = SpecIssue(ps.path, part.line, f"part {part.label}: {exc}")
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
    return files, unwritable


def prove_references(all_refs: list[ProblemReferences], grader_factory) -> list[SpecIssue]:
    """Grade each problem set's reference submission; every part short of full marks is an issue.
    Then grade its known mistakes the same way: one the part's checker takes
    for the right answer can never be matched, which is an issue too.

    A published copy (``grader publish``) holds expected values, not
    solutions, so there is nothing to prove: loading it has already computed
    every expected value, and it is skipped here."""
    issues: list[SpecIssue] = []
    for refs in all_refs:
        ps = refs.problem_set
        if ps.published:
            continue
        with tempfile.TemporaryDirectory(prefix="grader-validate-") as tmp:
            files, unwritable = reference_submission(refs, Path(tmp))
            with grader_factory([refs]) as grader:
                result = grader.grade("reference", files)
                issues.extend(mistakes_taken_for_correct(refs, grader, Path(tmp)))
        issues.extend(unwritable.values())
        issues.extend(choices_missing_their_reference(refs))
        issues.extend(repeated_cases(refs))
        issues.extend(mistake_solutions_never_matched(refs))
        issues.extend(handout_problems(refs))
        for part_result in result.parts:
            if part_result.label in unwritable:
                continue
            if part_result.score < part_result.max_score - 1e-9:
                part = ps.part(part_result.label)
                deaf = rubric_ideas_not_matching_themselves(refs, part)
                if deaf:  # the cause, at its own line, rather than the part's score
                    issues.extend(deaf)
                    continue
                reason = part_result.feedback.replace("\n", " ")
                failing = [f"{c.name}: {c.feedback}" for c in part_result.cases if c.credit < 1.0]
                if failing:
                    reason += " " + "; ".join(failing[:3])
                issues.append(SpecIssue(ps.path, part.line, f"part {part.label}: the reference earns "
                                        f"{part_result.score:g} of {part_result.max_score:g} points under its own "
                                        f"checker ({part_result.status}): {reason}"))
    return issues


def rubric_ideas_not_matching_themselves(refs: ProblemReferences, part: Part) -> list[SpecIssue]:
    """Each rubric idea whose own text earns nothing under its patterns, at the idea's line.

    The reference answer of a rubric part is its ideas written out, so such an
    idea is why the reference falls short; and a student who writes the idea
    in the instructor's own words would get nothing for it."""
    if part.kind != "rubric":
        return []
    checker = get_checker("rubric")
    return [SpecIssue(refs.problem_set.path, idea.line,
                      f"part {part.label}, rubric idea {number} (“{_short(idea.idea.strip())}”): none of its "
                      f"patterns matches the idea's own text, so an answer saying it in these words earns "
                      f"nothing for it. Add a pattern that matches this wording, or reword the idea the way "
                      f"its patterns expect.")
            for number, idea in enumerate(part.rubric, 1)
            # its patterns alone: an idea its own contradicted_by denies is reported as that, by the proof
            if checker.check((dataclasses.replace(idea, contradicted_by=()),), idea.idea, part.options).credit < 1.0]


def choices_missing_their_reference(refs: ProblemReferences) -> list[SpecIssue]:
    """Choice parts whose computed reference is none of their choices (a literal one is refused
    when the spec loads): the reference itself earns full marks, every answer naming a choice 0."""
    ps = refs.problem_set
    issues = []
    for part in ps.parts:
        problem = choice_reference_problem(refs[part.label].value, part.options) if part.kind == "choice" else None
        if problem:
            issues.append(SpecIssue(ps.path, part.reference_line, f"part {part.label}: {problem}"))
    return issues


def repeated_cases(refs: ProblemReferences) -> list[SpecIssue]:
    """Cases calling their function with the same arguments as an earlier case of the part: they
    test nothing new, and a hidden one is counted among the hidden cases students are told of."""
    ps = refs.problem_set
    issues = []
    for part in ps.parts:
        earlier = []
        for case_ref in refs[part.label].cases:
            case = case_ref.case
            same = next((e for e in earlier if same_value(list(e.args), list(case_ref.args))), None)
            if same is not None:
                counted = "" if case.public else ", though students are told it is one more hidden case"
                issues.append(SpecIssue(ps.path, case.line, f"part {part.label}: {_case_named(case)} has the same "
                                        f"arguments as {_case_named(same.case)} (line {same.case.line}), so it "
                                        f"tests nothing new{counted}; give it other arguments or remove it"))
            else:
                earlier.append(case_ref)
    return issues


def mistake_solutions_never_matched(refs: ProblemReferences) -> list[SpecIssue]:
    """Known mistakes given by a wrong function (``solution:``) that raise where no case can give
    their feedback.

    Grading gives it where a student's output is wrong and equals the mistake's; so on a case
    where the mistake raises, or returns what the part's checker accepts as right, it cannot
    match.  A mistake that raises on every case, or raises on some and is right on the others, is
    dead feedback, usually from a slip in its code (``np.exxp``).  One that is right on every case
    is dead too: no case tells it apart (sample and population variance agree on a constant
    vector), and a student making it passes every case anyway."""
    ps = refs.problem_set
    issues = []
    for part in ps.parts:
        outputs: dict[int, list] = {}  # by id of the mistake: its output on each case
        for case_ref in refs[part.label].cases:
            for mistake, wrong in case_ref.mistake_values:
                outputs.setdefault(id(mistake), []).append((case_ref, wrong))
        for mistake in part.mistakes:
            ran = outputs.get(id(mistake), [])
            raised = [wrong for _, wrong in ran if isinstance(wrong, RaisedException)]
            if not ran or any(_mistake_can_match(part.code, case_ref, wrong) for case_ref, wrong in ran):
                continue
            if not raised:
                issues.append(SpecIssue(ps.path, mistake.line, f"part {part.label}: the mistake's solution returns "
                                        "what the reference solution returns on every case (as the part's checker "
                                        "judges), so no case tells it apart and its feedback is never given; add a "
                                        "case where the mistake gives a wrong answer, or remove it"))
                continue
            why = f"raises on every case ({raised[0].name}: {_short(raised[0].message)})" if len(raised) == len(ran) \
                else f"raises ({raised[0].name}) or returns what the reference solution returns on every case"
            issues.append(SpecIssue(ps.path, mistake.line, f"part {part.label}: the mistake's solution {why}, so it "
                                    "never matches a wrong answer and its feedback is never given; make it return "
                                    "the wrong value the mistake gives, or remove it"))
    return issues


def _mistake_can_match(code, case_ref, wrong: Any) -> bool:
    """Whether a student returning ``wrong`` on this case would fail it, and so get the mistake's feedback."""
    return not isinstance(wrong, RaisedException) and not checker_accepts(code, case_ref.expected, wrong)


def _case_named(case) -> str:
    return f"{'public' if case.public else 'hidden'} case {case.name!r}"


def handout_problems(refs: ProblemReferences) -> list[SpecIssue]:
    """What would stop ``grader handout`` (and so ``grader publish``) making the students' side of
    the set: its own checks, run by rendering everything it writes, in memory."""
    ps = refs.problem_set
    try:
        handout_files([refs], Path(tempfile.gettempdir()) / "grader-validate-handout")
    except HandoutError as exc:
        return [_issue_from_message(ps.path, str(exc))]
    return []


def _issue_from_message(path: Path, message: str) -> SpecIssue:
    """A message that starts with its own location ("q2.yaml, line 12: …") as a located issue."""
    located = re.match(rf"{re.escape(str(path))}(?:, line (\d+))?: (.*)", message, re.S)
    if located is None:
        return SpecIssue(path, 0, message)
    return SpecIssue(path, int(located[1] or 0), located[2])


def mistakes_taken_for_correct(refs: ProblemReferences, grader, folder: Path) -> list[SpecIssue]:
    """Known mistakes with a value (``value:``) that their part's checker
    grades as correct against the reference: an answer making that mistake
    earns full marks, and its feedback is never given.

    Each mistake's value is written as a student would write it and graded
    through the real pipeline, as the references are: the first mistake of
    every part in one answers file, then the second, and so on.  Mistakes
    given by a wrong function (``solution:``) or a predicate (``when:``) are
    matched against code outcomes and are not checked here."""
    ps = refs.problem_set
    issues: list[SpecIssue] = []
    rounds = max((len(refs[p.label].mistakes) for p in ps.parts if p.kind not in (None, "rubric")), default=0)
    for number in range(rounds):
        answers, tried = {}, {}
        for part in ps.parts:
            mistakes = refs[part.label].mistakes if part.kind not in (None, "rubric") else ()
            if number >= len(mistakes):
                continue
            try:
                answers[part.label] = reference_text(mistakes[number].value, part.kind)
            except (Unwritable, ValueError, TypeError):
                continue  # a value no answer can hold cannot be matched by an answer either
            tried[part.label] = mistakes[number].mistake
        if not answers:
            continue
        path = folder / f"mistakes-{number + 1}" / "answers.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(answers, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = grader.grade("mistakes", [path])
        for part_result in result.parts:
            mistake = tried.get(part_result.label)
            if mistake is None or part_result.status != "correct":
                continue
            by = "tolerance" if ps.part(part_result.label).kind in ("number", "array") else "checker"
            issues.append(SpecIssue(ps.path, mistake.line, f"part {part_result.label}: mistake "
                                    f"'{_short(mistake.value)}' ({_short(str(answers[part_result.label]))}) is "
                                    f"accepted as correct by the part's {by}, so it can never be matched: an answer "
                                    "making it earns full marks and never gets its feedback. Tighten the part's "
                                    "options or remove the mistake."))
    return issues


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
