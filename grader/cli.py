"""The ``grader`` command line (see INTERFACE.md for the promises kept here).

Exit status: 0 success; 1 the check asked for did not pass; 2 bad input or
usage, with a one-paragraph message on stderr and never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from grader.results import SubmissionResult, dumps, number_text, write_atomic
from grader.spec_issues import SpecError

# This module loads with every command, so it imports only what is light:
# SymPy and the checkers (through grader.spec) take a second or more, which
# ``grader check`` spends warming its sandbox up at the same time.

DEFAULT_PROBLEMS = "problems"


class UsageError(Exception):
    """Bad input or usage: printed as one paragraph, exit status 2."""


# Light modules that add their own sub-command: each has register(subparsers).
COMMAND_MODULES = ("grader.ci", "grader.canvas_import", "grader.gradescope")


def run_in(module: str):
    """The ``run(args)`` of a command whose module is heavy, imported only when that command runs."""
    def run(args: argparse.Namespace) -> int:
        return importlib.import_module(module).run(args)
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade code, notebooks and written maths "
                                     "against YAML problem specs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    parser.commands = sub  # main() lets a command's own parser report options it does not know

    validate = sub.add_parser("validate", help="load every spec, compute every reference, prove each earns full marks")
    validate.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    validate.set_defaults(func=run_validate)

    check = sub.add_parser("check", help="self-check one submission (file or folder) on the public cases",
                           usage="grader check [options] [PROBLEMS ...] SUBMISSION")
    check.add_argument("paths", nargs="+", metavar="SUBMISSION",
                       help="problem specs (files or folders; default: problems/), then the submission, last")
    add_output_options(check)
    check.add_argument("--markdown", metavar="FILE", help="append a Markdown summary (e.g. to $GITHUB_STEP_SUMMARY)")
    check.set_defaults(func=run_check)

    grade = sub.add_parser("grade", help="grade a class: every submission, hidden cases included")
    grade.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    grade.add_argument("--submissions", default="submissions", metavar="DIR",
                       help="one entry per student: a folder or a single file (default: submissions/)")
    grade.add_argument("--out", default="reports", metavar="DIR", help="where results go (default: reports/)")
    grade.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="submissions graded at once, 1 or more (default: three per core with the default "
                            "thread executor, one per core with GRADER_EXECUTOR=process)")
    grade.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: only on a terminal, never in CI)")
    grade.add_argument("--roster", metavar="CSV",
                       help="the class list exported from Canvas (Grades > Export): grades.csv then carries "
                            "each student's name, ids and section; kept for later runs and overrides")
    grade.add_argument("--assignment", type=assignment_header, metavar="NAME",
                       help="the header of grades.csv's score column: the Canvas assignment's column as its "
                            "gradebook export writes it, e.g. 'Homework 1 (1234)', so that the import fills "
                            "that assignment instead of adding a new one (default: the --roster export's "
                            "column of the problem sets' title, else that title)")
    grade.add_argument("--withhold", "--withhold-rubric", action="store_true", dest="withhold",
                       help="for results students see while they may still resubmit (as on Gradescope): rubric "
                            "feedback says which ideas are missing by number ('missing: idea 3'), never their "
                            "words; a hidden case that fails says only 'Failed.', not how; reports show no "
                            "expected answers (--withhold-rubric is its former name)")
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

    equiv = sub.add_parser(
        "equiv", help="compare one answer (LaTeX or plain text) with a reference",
        description="Compare STUDENT with REFERENCE. Exit 0 equivalent, 1 not equivalent, 2 unreadable.")
    equiv.add_argument("student", metavar="STUDENT", help="the answer to check (LaTeX or plain text)")
    equiv.add_argument("reference", metavar="REFERENCE", help="the reference answer")
    equiv.add_argument("--kind", metavar="K", help="answer kind (number, expression, interval, set, choice, ...)")
    equiv.add_argument("--vars", metavar="V,...", default="",
                       help='declared variables, e.g. "x,epsilon: positive" (default: the reference\'s symbols)')
    equiv.add_argument("--rtol", type=float, metavar="X", help="relative tolerance (relative to the reference)")
    equiv.add_argument("--atol", type=float, metavar="X", help="absolute tolerance")
    equiv.set_defaults(func=run_in("grader.equiv"))

    publish = sub.add_parser(
        "publish", help="write the students' copy of the specs: public checks only, nothing secret",
        description="Write specs students can check against: public cases with their expected values, no "
                    "hidden cases, no solutions, no references of written answers.")
    publish.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    publish.add_argument("--out", required=True, metavar="DIR", help="where the published specs go")
    publish.set_defaults(func=run_in("grader.publish"))

    handout = sub.add_parser(
        "handout", help="write what students get: questions, starter files, answer template, public checks",
        description="Render the student's side of the problem sets from their specs: README.md with the "
                    "questions, submission/ with starter files, problems/ with the published specs.")
    handout.add_argument("problems", nargs="*", default=[DEFAULT_PROBLEMS], metavar="PROBLEMS")
    handout.add_argument("--out", required=True, metavar="DIR",
                         help="the folder to write (e.g. a student repository)")
    handout.add_argument("--title", metavar="TEXT", help="the README's title (default: the problem set's)")
    handout.add_argument("--force", action="store_true",
                         help="write over starter files that already exist (otherwise kept: they may hold a "
                              "student's work)")
    handout.set_defaults(func=run_in("grader.handout"))

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def points_threshold(text: str) -> float:
    """A ``--fail-under`` value: points, a finite number, 0 or more.  nan
    would never fail the job (no score is under it), inf always would."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of points") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of points, 0 or more, got '{text}'")
    return abs(value)  # -0 as 0


def assignment_header(text: str) -> str:
    """A ``--assignment`` value: one line, not blank (Canvas matches columns by their header)."""
    name = text.strip()
    if not name or "\n" in name or "\r" in name:
        raise argparse.ArgumentTypeError(f"must be an assignment's name on one line, e.g. 'Homework 1 (1234)', "
                                         f"got {text!r}")
    return name


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", help="write results as JSON (Gradescope results.json format)")
    parser.add_argument("--html", metavar="FILE|DIR", help="write the HTML feedback report")
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML, one test case per part")
    parser.add_argument("--fail-under", type=points_threshold, metavar="SCORE", help="exit 1 when the total is lower")


def main(argv: Sequence[str] | None = None) -> int:
    args_started = time.perf_counter()  # a class run's printed time counts its start-up too
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    args.started = args_started
    if unknown:  # said by the command's own parser, whose usage lists the options it has
        parser.commands.choices[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        with stopped_as_by_ctrl_c():
            return args.func(args)
    except UsageError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2
    except SpecError as exc:
        print("grader: the problem specs have problems:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        with contextlib.suppress(OSError):  # a terminal closed (SIGHUP) takes nothing more
            print("grader: interrupted", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except RuntimeError as exc:
        from grader.sandbox import SandboxUnavailable

        if not isinstance(exc, SandboxUnavailable):
            raise
        print(f"grader: no student code can run here: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`grader check … | head`): nothing left to say.
        # Python would complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        # A folder that cannot be written, a file where a folder should be, a full disk.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"grader: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


# ---------------------------------------------------------------------------
# SIGTERM and SIGHUP (`timeout`, a cancelled CI job, Slurm, `docker stop`, a closed terminal) stop a
# command as Ctrl-C does: what a class run graded is kept, its workers stopped, and the same message said.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """Ctrl-C's interruption, raised for another signal (``signum``, the exit code's 128 + signum)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def stopped_as_by_ctrl_c():
    """While in it, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread, as SIGINT raises
    KeyboardInterrupt.  A signal the caller ignores (``nohup``) stays ignored."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    main_pid = os.getpid()

    def stop(signum, frame) -> None:
        if os.getpid() != main_pid:  # a forked worker process: it ends as it would have without us
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Stopped(signum)

    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig, handler in previous.items():
        if handler == signal.SIG_DFL:
            signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# ---------------------------------------------------------------------------
def refuse_published(refs, instead: str) -> None:
    """Stop a command that needs the instructor's specs when it was given a published copy;
    ``instead`` says what to do instead."""
    published = [r.problem_set.path for r in refs if r.problem_set.published]
    if published:
        raise UsageError(f"{published[0]} is a published copy (public cases only); {instead}")


def load_references(problem_paths: Sequence[str], submissions_hint: str | None = None):
    """Specs → computed references (raises SpecError with every located problem).  ``submissions_hint``:
    how to name a folder of submissions given where the specs go (default: as ``grader grade`` does)."""
    from grader.references import compute_references
    from grader.spec import GRADE_SUBMISSIONS_HINT, load_problem_sets

    submissions_hint = submissions_hint or GRADE_SUBMISSIONS_HINT

    if list(problem_paths) == [DEFAULT_PROBLEMS] and not Path(DEFAULT_PROBLEMS).exists():
        raise UsageError(f"no problem specs: none were named, and there is no {DEFAULT_PROBLEMS}/ folder here, "
                         f"where they are looked for by default. Run the command in the folder that holds "
                         f"{DEFAULT_PROBLEMS}/ (a handout's top folder), or name the specs before anything else "
                         f"on the command line, e.g. path/to/{DEFAULT_PROBLEMS}")
    files, by_folder = spec_files(problem_paths, submissions_hint)
    try:
        sets = load_problem_sets(files)
    except SpecError as exc:
        raise SpecError(with_class_folder_hint(exc.issues, by_folder, submissions_hint)) from None
    refs, issues = [], []
    for ps in sets:
        try:
            refs.append(compute_references(ps))
        except SpecError as exc:
            issues.extend(exc.issues)
    if issues:
        raise SpecError(issues)
    return refs


def spec_files(problem_paths: Sequence[str],
               submissions_hint: str | None = None) -> tuple[list[Path], dict[str, list[Path]]]:
    """The spec files named or found in folders, and each folder's (as given).

    In a folder, hidden files and folders (``.q2-old.yaml``, ``.git/``) are
    left out, as they are in a student's submission: an editor's backup or an
    old copy put aside is not a problem set.  A file named on its own is
    always read."""
    from grader.spec import GRADE_SUBMISSIONS_HINT, SpecIssue, find_spec_files

    files: list[Path] = []
    by_folder: dict[str, list[Path]] = {}
    issues: list[SpecIssue] = []
    for raw in problem_paths:
        folder = Path(raw)
        try:
            found = find_spec_files([raw], submissions_hint or GRADE_SUBMISSIONS_HINT)
        except SpecError as exc:
            issues.extend(exc.issues)
            continue
        if not folder.is_dir():
            files.extend(found)
            continue
        shown = [f for f in found if not any(name.startswith(".") for name in f.relative_to(folder).parts)]
        if not shown:
            hidden = ", ".join(f.relative_to(folder).as_posix() for f in found[:3])
            issues.append(SpecIssue(folder, 0, f"no problem specs (*.yaml) found here: hidden files ({hidden}"
                                    f"{' …' if len(found) > 3 else ''}) are left out; name one on its own to "
                                    "load it"))
        by_folder[str(raw)] = shown
        files.extend(shown)
    if issues:
        raise SpecError(issues)
    return _each_once(files), by_folder


def _each_once(files: list[Path]) -> list[Path]:
    """The spec files without repeats: `problems ./problems/` names each file twice, and a file
    read twice is not two problem sets with the same id."""
    seen: set[str] = set()
    unique = []
    for path in files:
        key = os.path.normcase(os.path.realpath(path))
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def with_class_folder_hint(issues: list, by_folder: dict[str, list[Path]], submissions_hint: str) -> list:
    """The issues, but for a folder none of whose .yaml files looks like a
    problem set (a class folder, given where the specs go: its students'
    answers files are not specs): one line for it, saying to pass it as
    ``--submissions``, instead of every unknown key of every student's file."""
    from grader.spec import SpecIssue

    for raw, files in by_folder.items():
        failing = {issue.path for issue in issues} & set(files)
        kinds = {f: _yaml_kind(f) for f in files} if failing else {}
        # A file that does not parse may be a broken spec: its error is kept unless others show the folder's kind.
        if "spec" in kinds.values() or "other" not in {kinds[f] for f in failing}:
            continue
        names = sorted(f.relative_to(raw).as_posix() for f in failing)
        issues = [issue for issue in issues if issue.path not in failing]
        issues.append(SpecIssue(Path(raw), 0, f"no problem specs here: its .yaml files ({', '.join(names[:3])}"
                                f"{' …' if len(names) > 3 else ''}) are not problem sets (no 'title' or 'parts'); "
                                f"if it holds submissions, {submissions_hint.format(raw)}"))
    return issues


def _yaml_kind(path: Path) -> str:
    """'spec' (a mapping with a title or parts), 'other' YAML (a student's
    answers), or 'unreadable'."""
    from grader.yamlread import YamlError, load_yaml_file

    try:
        data = load_yaml_file(path, untrusted=True)
    except (YamlError, RecursionError, ValueError):
        return "unreadable"
    return "spec" if isinstance(data, dict) and ("parts" in data or "title" in data) else "other"


def run_validate(args: argparse.Namespace) -> int:
    from grader.grading import Grader
    from grader.validate import prove_references

    refs = load_references(args.problems)
    issues = prove_references(refs, lambda r: Grader(r))
    if issues:
        raise SpecError(issues)
    proved = [r for r in refs if not r.problem_set.published]
    if proved:
        parts = sum(len(r.problem_set.parts) for r in proved)
        cases = sum(len(p.cases) for r in proved for p in r.parts.values())
        print(f"{len(proved)} problem set(s), {parts} parts, {cases} code cases: every reference computes and earns "
              f"full marks under its own checker.")
    published = [r for r in refs if r.problem_set.published]
    if published:
        cases = sum(len(p.cases) for r in published for p in r.parts.values())
        print(f"{len(published)} published copy(ies), {cases} public cases: every expected value computes "
              f"(a published copy holds no solutions, so there is nothing more to prove).")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from grader.readers import submission_files

    *problems, submission = args.paths
    submission = Path(submission)
    if not submission.exists():
        raise UsageError(f"the submission {submission} does not exist")
    refuse_misplaced_paths(problems, submission)
    # The sandbox's zygotes take a second or more to warm up: they start first, and warm up while the
    # grader loads, checks where the outputs go and computes the references (no output is code).
    with warm_sandbox(submission_files(submission)) as pool:
        outputs = requested_outputs(args, "report.html")
        refuse_outputs_over_inputs(outputs, specs_read(problems or [DEFAULT_PROBLEMS]))
        refuse_outputs_in_submission(outputs, submission)
        files = [f for f in submission_files(submission) if not is_output_of_this_check(f, outputs)]
        from grader.grading import Grader

        refs = load_references(problems or [DEFAULT_PROBLEMS])
        with Grader(refs, public_only=True, pool=pool) as grader:
            result = grader.grade(student_name(submission), files, entry=submission)
    hidden_by_set = {r.problem_set.id: hidden_case_count(r) for r in refs}
    problem_sets = [r.problem_set for r in refs]
    print_table(result, hidden_by_set=hidden_by_set, problem_sets=problem_sets)
    write_outputs(args, result, public_only=True, summary=self_check_line(result, hidden_by_set, problem_sets))
    if args.markdown:
        append_markdown_summary(Path(args.markdown), result, hidden_by_set, problem_sets)
    return fail_under_status(args, result, public_points(refs))


def student_name(submission: Path) -> str:
    """The name a checked submission goes by: a file's stem, a folder's name, also when the
    folder is given as `.` (a repository that is the submission) or ends in `..`."""
    if submission.is_file():
        return submission.stem
    return os.path.basename(os.path.abspath(submission)) or str(submission)


def is_output_of_this_check(path: Path, outputs: list[tuple[str, Path]]) -> bool:
    """Whether ``path`` is one of the files this check writes: in a repository that is the
    submission (`.`), the last run's results.json or junit.xml is there, and not the student's."""
    from grader.publish import same_file

    return any(same_file(path, output) for _, output in outputs)


def refuse_misplaced_paths(problems: Sequence[str], submission: Path) -> None:
    """`check` takes specs first and one submission last: say so when the paths are the other way round
    (the specs last, or several submission files), instead of grading the specs or reading code as YAML."""
    for raw in problems:
        if Path(raw).is_file() and Path(raw).suffix.lower() not in (".yaml", ".yml"):
            raise UsageError(f"{raw} is not a problem spec (*.yaml): check takes one submission, named last; to "
                             "check several files together, name the folder that holds them")
    if submission.is_file():
        candidates = [submission]
    else:
        candidates = [f for f in sorted(submission.iterdir()) if f.is_file() and not f.name.startswith(".")]
    yaml = [f for f in candidates if f.suffix.lower() in (".yaml", ".yml")]
    if candidates and len(yaml) == len(candidates) and all(_yaml_kind(f) == "spec" for f in yaml):
        what = "is a problem spec" if submission.is_file() else "holds problem specs"
        raise UsageError(f"{submission} {what}, not a submission: name the specs first and the submission "
                         f"last, e.g. grader check {submission} path/to/your/work")


def append_markdown_summary(path: Path, result: SubmissionResult, hidden_by_set: dict[str, int],
                            problem_sets: Sequence[Any]) -> None:
    """The self-check as Markdown, appended (a CI job page collects every step's summary in one file)."""
    from grader.exports import markdown_summary
    from grader.grading import untouched_sets

    verdict = self_check_line(result, hidden_by_set, problem_sets)
    untouched = untouched_sets(result, problem_sets)
    text = markdown_summary([result], "Public checks", untouched=sorted(untouched)) + f"\n{verdict}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def hidden_case_count(refs) -> int:
    """Hidden cases of a problem set: counted in its spec, or (published) as the count it states."""
    ps = refs.problem_set
    return ps.hidden_cases if ps.published else sum(
        1 for p in refs.parts.values() for c in p.cases if not c.case.public)


def run_grade(args: argparse.Namespace) -> int:
    from grader.batch import grade_class
    from grader.classfolder import files_to_warm

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {args.jobs}); leave it out for the default")
    if not Path(args.submissions).exists():
        # `grader grade problems class` reads "class" as specs: its message says to pass --submissions
        from grader.spec import find_spec_files

        find_spec_files(args.problems)
        raise UsageError(f"the folder of submissions {args.submissions} does not exist: name the class's folder "
                         "with --submissions DIR")
    outputs = requested_outputs(args, "index.html")
    refuse_outputs_over_inputs(outputs, specs_read(args.problems))
    refuse_outputs_among_submissions(outputs, Path(args.submissions), Path(args.out))
    with warm_sandbox(files_to_warm(Path(args.submissions), Path(args.out))) as pool:
        return grade_class(args, lambda: load_references(args.problems), pool=pool,
                           started=getattr(args, "started", None))


# ---------------------------------------------------------------------------
# An output never goes over what the run reads: checked before anything is graded.

NOTHING_DONE = "Nothing was graded or written"
# What an earlier run's output in a submission folder is called: it may be written over again.
OUTPUT_SUFFIXES = {"--json": (".json",), "--junit": (".xml",), "--html": (".html", ".htm")}


def html_file(value: str, name: str) -> Path:
    """Where ``--html FILE|DIR`` writes: the file, or ``name`` in the folder."""
    target = Path(value)
    return target / name if target.is_dir() or not target.suffix else target


def requested_outputs(args: argparse.Namespace, html_name: str) -> list[tuple[str, Path]]:
    """(option, file) for each output file asked for."""
    outputs = []
    for option in ("json", "html", "junit", "markdown"):
        value = getattr(args, option, None)
        if value and option != "html" and Path(value).is_dir():  # said now, not after the grading
            example = {"json": "results.json", "junit": "junit.xml", "markdown": "summary.md"}[option]
            raise UsageError(f"--{option} {value} is a folder; name a file, e.g. {Path(value) / example}. "
                             f"{NOTHING_DONE}.")
        if value:
            outputs.append((f"--{option}", html_file(value, html_name) if option == "html" else Path(value)))
    return outputs


def specs_read(problem_paths: Sequence[str]) -> list[Path]:
    """The spec files the run reads; none when they cannot be listed (loading them says why)."""
    try:
        return spec_files(problem_paths)[0]
    except SpecError:
        return []


def refuse_outputs_over_inputs(outputs: list[tuple[str, Path]], specs: Sequence[Path]) -> None:
    """Refuse an output over a spec being read, and two outputs in one file (the first would be lost)."""
    from grader.publish import overwriting_spec, same_file, spec_written_over

    for n, (option, path) in enumerate(outputs):
        spec = spec_written_over(path, specs)
        if spec is not None:
            raise UsageError(f"{overwriting_spec(path, spec, by=f' by {option}')}. {NOTHING_DONE}; name "
                             f"another file for {option}.")
        earlier = next((other for other, written in outputs[:n] if same_file(path, written)), None)
        if earlier:
            raise UsageError(f"{earlier} and {option} both name {path}: one would overwrite the other. "
                             f"{NOTHING_DONE}; give each its own file.")


def refuse_outputs_in_submission(outputs: list[tuple[str, Path]], submission: Path) -> None:
    """Refuse an output over a file of the submission being checked, or into it under a name the grader
    reads (the next check would read it as an answer).  Last run's results.json or report.html there is
    not the student's: writing over it again is fine."""
    from grader.grading import read_by_name
    from grader.publish import same_file

    for option, path in outputs:
        if not (within(path, submission) if submission.is_dir() else same_file(path, submission)):
            continue
        replaces = path.exists() or path.is_symlink()
        earlier_output = submission.is_dir() and path.suffix.lower() in OUTPUT_SUFFIXES.get(option, ())
        if replaces and (read_by_name(path) or not earlier_output):
            raise UsageError(f"{option} {path} would overwrite a file of the submission being checked "
                             f"({submission}). {NOTHING_DONE}; name a file outside the submission.")
        if read_by_name(path):
            raise UsageError(f"{option} {path} would put a file into the submission being checked ({submission}) "
                             f"that the next check would read as an answer. {NOTHING_DONE}; name a file outside "
                             f"the submission.")


def refuse_outputs_among_submissions(outputs: list[tuple[str, Path]], submissions: Path, out: Path) -> None:
    """Refuse a class run's output in the submissions folder (but in --out): it would replace a student's
    file, or be graded next time as a student's (class.json: student 'class') or as part of one's
    submission.  Nor over a file the run itself writes under --out (its gradebook, a student's reports)."""
    from grader.classfolder import student_entries

    students = {student.casefold() for student, _ in student_entries(submissions, out)} \
        if submissions.is_dir() else set()
    for option, path in outputs:
        if within(path, submissions) and not within(path, out):
            done = ("it would overwrite a student's file" if path.exists() or path.is_symlink() else
                    "the next class run would grade it as (part of) a student's submission")
            raise UsageError(f"{option} {path} is in the submissions folder {submissions}: {done}. {NOTHING_DONE}; "
                             f"write it outside {submissions}, e.g. into --out {out}.")
        if written_by_the_run(option, path, out, students):
            raise UsageError(f"{option} {path} is a file this run writes itself in --out {out} (its gradebook, "
                             f"class files and students' reports). {NOTHING_DONE}; name another file.")


def written_by_the_run(option: str, path: Path, out: Path, students: set[str]) -> bool:
    """Whether a class run writes ``path`` itself under ``out``: a class file or a student's report.
    Its own junit.xml and index.html are what --junit and --html write anyway."""
    from grader.batch import RunLock
    from grader.classfolder import CLASS_FILE_NAMES

    target, folder = path.resolve(), out.resolve()
    if not target.is_relative_to(folder) or target == folder:
        return False
    first, *rest = target.relative_to(folder).parts
    if rest:
        return first.casefold() in students
    return first in CLASS_FILE_NAMES | {RunLock.NAME} and (option, first) not in (("--junit", "junit.xml"),
                                                                                   ("--html", "index.html"))


def within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies in it, through links and any spelling the file system takes."""
    from grader.publish import same_file

    for spelled in {Path(os.path.abspath(path)), path.resolve()}:
        if any(same_file(above, folder) for above in (spelled, *spelled.parents)):
            return True
    return False


@contextlib.contextmanager
def warm_sandbox(files: list[Path]):
    """A sandbox pool whose zygotes for these code files start now, in the
    background; None when no file is code (written answers need no sandbox)."""
    from grader.sandbox.tiers import TIERS, tiers_of_files

    needed = tiers_of_files(files)
    if not needed:
        yield None
        return
    from grader.sandbox import WorkerPool

    pool = WorkerPool(preload=sorted(needed, key=list(TIERS).index))
    try:
        yield pool
    finally:
        pool.close()


def run_override(args: argparse.Namespace) -> int:
    from grader.overrides import override_command

    return override_command(args)


# ---------------------------------------------------------------------------
class _ControlPictures:
    """A text stream that shows control characters as symbols: feedback
    quotes student text, which must not drive the terminal."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from grader.exports import control_pictures

        return self.stream.write(control_pictures(text))

    def flush(self) -> None:
        self.stream.flush()


def print_table(result: SubmissionResult, stream=None, width: int | None = None,
                hidden_by_set: dict[str, int] | None = None, problem_sets: Sequence[Any] = ()) -> None:
    """The self-check's terminal table: per problem set, one row per part, failing public cases under it.

    Hidden cases are only ever counted, in total, at the end; a problem set
    the submission does not touch at all (``problem_sets``: the sets it was checked against) is one line,
    not a table of zeros.
    """
    import shutil
    import textwrap

    from grader.grading import untouched_sets

    stream = _ControlPictures(stream or sys.stdout)
    width = width or max(80, min(shutil.get_terminal_size((100, 24)).columns, 140))
    by_set: dict[str, list] = {}
    for p in result.parts:
        by_set.setdefault(p.problem_set, []).append(p)
    untouched = untouched_sets(result, problem_sets)
    shown = [p for p in result.parts if p.problem_set not in untouched]
    label_width = max([len(p.label) for p in shown] + [4])
    verdict_width = max([len(_verdict(p)) for p in shown] + [7])
    indent = 2 + label_width + 2 + 11 + 2 + verdict_width + 2
    for set_id, parts in by_set.items():
        if set_id in untouched:
            points = sum(p.max_score for p in parts)
            print(f"{set_id}: not answered — no file of the submission answers its {len(parts)} parts "
                  f"({points:g} points)", file=stream)
            continue
        print(f"{set_id}", file=stream)
        print(f"  {'part':<{label_width}}  {'points':>11}  {'verdict':<{verdict_width}}  feedback", file=stream)
        said_first: dict[str, str] = {}  # feedback → the part that said it first
        for p in parts:
            feedback = " ".join((p.feedback or "").split())
            read = p.read_line(60)
            if read:
                feedback += f" {read}"
            # A file that could not be run says the same long reason for every part: once is enough.
            first = said_first.setdefault(feedback, p.label)
            shown_feedback = f"the same as {first}" if first != p.label and len(feedback) > 60 else feedback
            lines = textwrap.wrap(shown_feedback, max(30, width - indent)) or [""]
            # A part checked only at grading has no score yet: a 0.00 there would read as one.
            score = f"{'–':>5}" if p.at_grading else f"{p.score:>5.2f}"
            print(f"  {p.label:<{label_width}}  {score}/{p.max_score:<5.2f}  "
                  f"{_verdict(p):<{verdict_width}}  {lines[0]}", file=stream)
            for more in lines[1:]:
                print(" " * indent + more, file=stream)
            for case in p.cases:  # public cases only: a self-check never runs hidden ones
                if case.public and case.credit < 1.0 and not (len(p.cases) == 1 and case.feedback in feedback):
                    said = " ".join(case.feedback.split()) in feedback  # a known mistake's, said for the part
                    text = f"✗ {case.name}" + ("" if said else f": {' '.join(case.feedback.split())}")
                    for line in textwrap.wrap(text, max(30, width - indent - 2), subsequent_indent="  "):
                        print(" " * (indent + 2) + line, file=stream)
    for note in result.notes:
        print(f"note: {note}", file=stream)
    print(f"total: {result.total_text()}" + ("" if result.at_grading_points else " on the public checks"),
          file=stream)  # a self-check: its total is always the public checks'

    print(self_check_line(result, hidden_by_set, problem_sets), file=stream)


def self_check_line(result: SubmissionResult, hidden_by_set: dict[str, int] | None = None,
                    problem_sets: Sequence[Any] = ()) -> str:
    """The self-check's last word, the same in the terminal, the HTML report, the Markdown summary and under
    pytest: what passed, and how many hidden checks grading will run (``hidden_by_set``: each set's count;
    without it, the parts' own)."""
    from grader.grading import untouched_sets

    untouched = untouched_sets(result, problem_sets)
    shown = [p for p in result.parts if p.problem_set not in untouched]
    if hidden_by_set is None:
        hidden = sum(p.hidden_cases for p in shown)
    else:
        by_set: dict[str, list] = {}
        for p in result.parts:
            by_set.setdefault(p.problem_set, []).append(p)
        hidden = hidden_checks_ahead(by_set, hidden_by_set, untouched)
    return self_check_summary(shown, hidden)


def hidden_checks_ahead(parts_by_set: dict, hidden_by_set: dict, untouched: set) -> int:
    """The hidden cases grading will run: those of the sets the submission answers in code (hidden cases call
    functions: a set answered only in writing runs none of them).  ``grader check`` and the pytest plugin
    both say this number."""
    return sum(n for set_id, n in hidden_by_set.items()
               if set_id not in untouched and _answered_by_code(parts_by_set.get(set_id, [])))


def _answered_by_code(parts) -> bool:
    """Did code answer any of these parts (a case ran, or a code file's verdict counts)?"""
    from grader.readers import CODE_SUFFIXES

    return any(p.cases or p.status in ("not defined", "not implemented")
               or Path(p.source).suffix.lower() in CODE_SUFFIXES for p in parts)


def self_check_summary(parts, hidden: int) -> str:
    """One honest line: what passed, and what only grading will tell (never "all tests passed")."""
    later = sum(1 for p in parts if p.at_grading)
    checkable = [p for p in parts if not p.at_grading]
    failing = sum(1 for p in checkable if not p.passed)
    if not parts:
        message = "nothing in the submission answers these problem sets"
    elif not checkable:
        message = "no public checks apply to these answers"
    elif failing:
        message = (f"{failing} of {len(checkable)} part{'' if len(checkable) == 1 else 's'} "
                   f"do{'es' if failing == 1 else ''} not pass {'its' if failing == 1 else 'their'} public checks yet")
    else:
        message = "public checks passed"
    after = []
    if hidden:
        after.append(f"{hidden} hidden check{'' if hidden == 1 else 's'} will run at grading")
    if later:
        after.append(f"{later} part{'' if later == 1 else 's'} checked only at grading")
    return message + (" — " + "; ".join(after) if after else "")


def _verdict(p) -> str:
    from grader.grading import AT_GRADING, NOT_ANSWERED

    return p.status + (" (provisional)" if p.provisional and p.status not in (AT_GRADING, NOT_ANSWERED) else "")


def write_outputs(args: argparse.Namespace, result: SubmissionResult, *, public_only: bool, summary: str = "") -> None:
    """--json, --html and --junit for one submission; ``summary``: the self-check's last word, for the report."""
    from grader.report import render_student_report

    if args.json:
        write_atomic(Path(args.json), dumps(result.to_gradescope()))
    if args.html:
        write_atomic(html_file(args.html, "report.html"),
                     render_student_report(result, public_only=public_only, summary=summary))
    if args.junit:
        from grader.exports import junit_xml

        write_atomic(Path(args.junit), junit_xml([result]))


def fail_under_status(args: argparse.Namespace, result: SubmissionResult, reachable: float | None = None) -> int:
    """1 when the score is under ``--fail-under``; the message says what the checks
    could award at most (``reachable``), so a threshold no submission meets is seen as such."""
    if args.fail_under is not None and result.score < args.fail_under:
        message = f"score {number_text(result.score)} is under --fail-under {number_text(args.fail_under)}"
        if reachable is not None:
            message += (f"; the public checks can award at most {number_text(reachable)} of the "
                        f"{number_text(result.max_score)} points")
            if reachable < result.max_score:
                message += " (written answers and hidden cases count only at grading)"
        print(message, file=sys.stderr)
        return 1
    return 0


def public_points(refs) -> float:
    """The most the public checks can award: the points of each part that a public check
    scores (a function with a public case, or a written answer that the spec lets `grader
    check` judge).  Under a published spec written answers are judged only at grading."""
    from grader.grading import checkable_now

    return round(sum(part.points for problem in refs for part in problem.problem_set.parts
                     if checkable_now(problem[part.label])), 6)


