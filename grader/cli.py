"""The ``grader`` command line (see INTERFACE.md for the promises kept here).

Exit status: 0 success; 1 the check asked for did not pass; 2 bad input or
usage, with a one-paragraph message on stderr and never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Sequence

from grader.results import SubmissionResult, dumps, write_atomic
from grader.spec import SpecError

DEFAULT_PROBLEMS = "problems"


class UsageError(Exception):
    """Bad input or usage: printed as one paragraph, exit status 2."""


# Modules that add their own sub-command: each has register(subparsers).
COMMAND_MODULES = ("grader.equiv",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade code, notebooks and written maths "
                                     "against YAML problem specs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    validate = sub.add_parser("validate", help="load every spec, compute every reference, prove each earns full marks")
    validate.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    validate.set_defaults(func=run_validate)

    check = sub.add_parser("check", help="self-check one submission (file or folder) on the public cases")
    check.add_argument("paths", nargs="+", metavar="[PROBLEMS...] SUBMISSION")
    add_output_options(check)
    check.set_defaults(func=run_check)

    grade = sub.add_parser("grade", help="grade a class: every submission, hidden cases included")
    grade.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    grade.add_argument("--submissions", default="submissions", metavar="DIR",
                       help="one entry per student: a folder or a single file (default: submissions/)")
    grade.add_argument("--out", default="reports", metavar="DIR", help="where results go (default: reports/)")
    grade.add_argument("--jobs", type=int, default=0, metavar="N", help="parallel workers (default: all cores)")
    grade.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: only on a terminal, never in CI)")
    add_output_options(grade)
    grade.set_defaults(func=run_grade)

    override = sub.add_parser("override", help="set a part's score and comment for a student (survives regrading)")
    override.add_argument("student", nargs="?", metavar="STUDENT")
    override.add_argument("part", nargs="?", metavar="PART", help="the part's label, e.g. Q2.4")
    override.add_argument("score", nargs="?", metavar="SCORE")
    override.add_argument("--out", default="reports", metavar="DIR", help="the graded run's folder (default: reports/)")
    override.add_argument("--comment", metavar="TEXT", help="shown to the student with the score")
    override.add_argument("--remove", action="store_true", help="remove the override of STUDENT PART")
    override.add_argument("--from", dest="overrides_file", metavar="FILE",
                          help="a CSV of overrides: columns student, part, score[, comment]")
    override.set_defaults(func=run_override)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.register(sub)
    return parser


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", help="write results as JSON (Gradescope results.json format)")
    parser.add_argument("--html", metavar="FILE|DIR", help="write the HTML feedback report")
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML, one test case per part")
    parser.add_argument("--fail-under", type=float, metavar="SCORE", help="exit 1 when the total is lower")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2
    except SpecError as exc:
        print("grader: the problem specs have problems:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------------
def load_references(problem_paths: Sequence[str]):
    """Specs → computed references (raises SpecError with every located problem)."""
    from grader.references import compute_references
    from grader.spec import SpecIssue, load_problem_sets

    sets = load_problem_sets(problem_paths)
    refs, issues = [], []
    for ps in sets:
        try:
            refs.append(compute_references(ps))
        except SpecError as exc:
            issues.extend(exc.issues)
    if issues:
        raise SpecError(issues)
    return refs


def run_validate(args: argparse.Namespace) -> int:
    from grader.grading import Grader
    from grader.validate import prove_references

    refs = load_references(args.problems)
    issues = prove_references(refs, lambda r: Grader(r))
    if issues:
        raise SpecError(issues)
    parts = sum(len(r.problem_set.parts) for r in refs)
    cases = sum(len(p.cases) for r in refs for p in r.parts.values())
    print(f"{len(refs)} problem set(s), {parts} parts, {cases} code cases: every reference computes and earns "
          f"full marks under its own checker.")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from grader.grading import Grader, submission_files

    *problems, submission = args.paths
    submission = Path(submission)
    if not submission.exists():
        raise UsageError(f"the submission {submission} does not exist")
    refs = load_references(problems or [DEFAULT_PROBLEMS])
    with Grader(refs, public_only=True) as grader:
        result = grader.grade(submission.stem if submission.is_file() else submission.name,
                              submission_files(submission))
    print_table(result)
    write_outputs(args, result, public_only=True)
    return fail_under_status(args, result)


def run_grade(args: argparse.Namespace) -> int:
    from grader.batch import grade_class

    return grade_class(args, load_references(args.problems))


def run_override(args: argparse.Namespace) -> int:
    from grader.batch import override_command

    return override_command(args)


# ---------------------------------------------------------------------------
def print_table(result: SubmissionResult, stream=None) -> None:
    stream = stream or sys.stdout
    width = max((len(p.label) for p in result.parts), default=4)
    print(f"{'part':<{width}}  {'points':>11}  {'verdict':<15} feedback", file=stream)
    for p in result.parts:
        first_line = p.feedback.splitlines()[0] if p.feedback else ""
        verdict = p.status + (" (provisional)" if p.provisional else "")
        print(f"{p.label:<{width}}  {p.score:>5.2f}/{p.max_score:<5.2f}  {verdict:<15} {first_line}", file=stream)
    for note in result.notes:
        print(f"note: {note}", file=stream)
    hidden = sum(p.hidden_cases for p in result.parts)
    print(f"total: {result.score:g} / {result.max_score:g}", file=stream)
    if all(p.passed for p in result.parts):
        message = "public checks passed"
        if hidden:
            message += f" — {hidden} hidden checks will run at grading"
        print(message, file=stream)


def write_outputs(args: argparse.Namespace, result: SubmissionResult, *, public_only: bool) -> None:
    from grader.report import render_student_report

    if args.json:
        write_atomic(Path(args.json), dumps(result.to_gradescope()))
    if args.html:
        target = Path(args.html)
        if target.is_dir() or not target.suffix:
            target = target / "report.html"
        write_atomic(target, render_student_report(result, public_only=public_only))
    if args.junit:
        from grader.exports import junit_xml

        write_atomic(Path(args.junit), junit_xml([result]))


def fail_under_status(args: argparse.Namespace, result: SubmissionResult) -> int:
    if args.fail_under is not None and result.score < args.fail_under:
        print(f"score {result.score:g} is under --fail-under {args.fail_under:g}", file=sys.stderr)
        return 1
    return 0


