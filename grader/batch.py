"""A class run: every student's entry under --submissions graded, results kept in the gradebook.

The run is resumable and parallel:

* every entry is hashed (its files' names and bytes; litter such as
  Thumbs.db is no part of it); an entry whose hash and spec digest match the
  gradebook is kept; one whose files are unchanged but some problem set's
  spec is not is graded again for those sets only (the others' verdicts and
  notes are kept, see :meth:`grader.grading.Grader.grade_by_set`); everything else is graded;
* grading goes through a :class:`concurrent.futures.Executor` (by default
  threads over all cores sharing one sandbox pool; ``GRADER_EXECUTOR=process``
  for a process pool), so another executor — e.g. Dask's
  ``Client.get_executor()`` — can replace it;
* each result is written out and committed to the gradebook as soon as it
  arrives, so a killed run loses only what was in flight;
* the entry is hashed again when its result arrives: one whose files changed
  meanwhile was graded from files no hash stands for, so its result is kept
  as not up to date (the next run grades it again) and the instructor told;
* a crash in one submission gives that student a result with every part at
  score 0 and the reason; the run goes on.

Workers build their own :class:`~grader.grading.Grader` from the spec
paths the first time they need it (or inherit the parent's, when the pool
forks): computed references hold functions and are not shipped around.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import os
import queue
import shlex
import sqlite3
import stat
import sys
import time
from contextlib import suppress
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from grader import watchdog
from grader.sandbox.runcache import FOLDER_NAME as RUNS_FOLDER, RunCache
from grader.gradebook import (CHANGED_WHILE_GRADED, GRADEBOOK_NAME, Gradebook, GradebookError, Override, SetGrading,
                              unusable)
from grader.classfolder import (CLASS_FILE_NAMES, REPORT_NAME, RESULTS_NAME, Submission, class_files, content_hash,
                                find_submissions, not_a_class_folder, student_id)
from grader.exports import format_score, say
from grader.grading import (ARCHIVE_NOTE, ERROR, NOTHING_ANSWERS, NOTHING_TO_READ, SEVERAL_COPIES, Grader, SetOutcome,
                            tells_of_a_file_not_read, with_overrides)
from grader.readers import EMPTY_FILE, is_litter
from grader.results import (PartResult, SubmissionResult, dumps, number_text, points_phrase, write_atomic,
                            write_if_changed)
from grader.roster import Roster, RosterError, read_roster
from grader.sandbox import SandboxUnavailable
from grader.spec import did_you_mean


def spec_digest(refs) -> str:
    """One digest for the problem sets of a run (each is the hash of its spec file)."""
    text = "\n".join(sorted(f"{r.problem_set.id}:{r.problem_set.digest}" for r in refs))
    return hashlib.sha256(text.encode()).hexdigest()


class SpecProof:
    """``grader validate``'s proof of each problem set, made once per version of its spec.

    A reference its own checker rejects marks every right answer wrong, so a
    class run proves each spec version it has not proved before and warns about
    what it finds.  Grading goes on (the spec is the instructor's to fix, and a
    regrade follows the fixed spec).  With threads the proof runs beside the
    grading; a forking executor must not copy a busy thread, so it goes first."""

    def __init__(self, gradebook: Gradebook, refs, pool=None, *, beside: bool = True,
                 status: Callable[[str], None] = lambda text: None) -> None:
        from grader.validate import prove_references

        self._proved = gradebook.proved_specs()
        self._todo = [r for r in refs if not r.problem_set.published and self._key(r) not in self._proved]
        self._issues: Future | None = None
        if self._todo:
            status("grader: checking that the specs' own solutions earn full marks (once per version of a spec): "
                f"{', '.join(r.problem_set.id for r in self._todo)}…")
            prove = lambda: prove_references(self._todo, lambda sets: Grader(sets, pool=pool))  # noqa: E731
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prove") if beside else _InPlace()
            self._issues = executor.submit(prove)
            executor.shutdown(wait=False)

    @staticmethod
    def _key(refs) -> str:
        return f"{refs.problem_set.id}:{refs.problem_set.digest}"

    def warnings(self, gradebook: Gradebook) -> list[str]:
        """The proof's findings as warnings (waiting for it); the versions proved sound are remembered."""
        if self._issues is None:
            return []
        try:
            issues = self._issues.result()
        except Exception as exc:  # noqa: BLE001 - a failed proof must not cost the class's results
            return [f"warning: the specs could not be proved sound ({type(exc).__name__}: {exc}); "
                    "run `grader validate` on them"]
        unsound = {str(issue.path) for issue in issues}
        gradebook.save_proved_specs(self._proved | {self._key(r) for r in self._todo
                                                    if str(r.problem_set.path) not in unsound})
        if not issues:
            return []
        return [f"warning: {issue}" for issue in issues] + [
            "warning: these specs were used, but their verdicts may be wrong: fix what `grader validate` "
            "reports, then run grade again to regrade"]


class _InPlace(Executor):
    """Runs what is submitted at once, in the calling thread."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to whoever reads the future
            future.set_exception(exc)
        return future


def problem_set_info(refs) -> list[dict]:
    return [{"id": r.problem_set.id, "title": r.problem_set.title, "digest": r.problem_set.digest,
             "max_score": r.problem_set.max_score} for r in refs]


def crashed_result(student: str, refs, reason: str, seconds: float = 0.0) -> SubmissionResult:
    """A submission that could not be graded: every part listed, score 0, the reason."""
    parts = tuple(
        PartResult(r.problem_set.id, p.label, p.title, p.points, 0.0, ERROR,
                   f"This submission could not be graded: {reason}")
        for r in refs for p in r.problem_set.parts)
    return SubmissionResult(student, parts, (f"The submission could not be graded: {reason}",), {}, seconds)


# ---------------------------------------------------------------------------
# Work done in the executor's workers
@dataclass(frozen=True)
class SpecSource:
    """How a worker gets its Grader: the spec paths, checked by digest, and how it grades
    (``withhold``: see :class:`~grader.grading.Grader`)."""

    paths: tuple[str, ...]
    digest: str
    withhold: bool = False

    @property
    def grading_digest(self) -> str:
        """What the gradebook keeps with each result: the specs' digest, marked when feedback
        was withheld (``--withhold``), so a run with the other setting grades everyone again instead
        of keeping feedback written for the other audience."""
        return self.digest + self._mark

    def set_digest(self, problem_set) -> str:
        """What the gradebook keeps with one problem set's part of a result, marked likewise."""
        return problem_set.digest + self._mark

    @property
    def _mark(self) -> str:
        return "+withhold" if self.withhold else ""

    def grader(self, refs, pool=None) -> Grader:
        return Grader(refs, pool=pool, withhold=self.withhold)


# Per-process cache: a forked worker finds the parent's Grader here.
_GRADERS: dict[str, Grader] = {}


def _grader_for(spec: SpecSource) -> Grader:
    grader = _GRADERS.get(spec.grading_digest)
    if grader is None:
        from grader.cli import load_references

        refs = load_references(list(spec.paths))
        if spec_digest(refs) != spec.digest:
            raise RuntimeError("the problem specs changed while the run was going on")
        grader = _GRADERS[spec.grading_digest] = spec.grader(refs)
    return grader


def grade_submission(spec: SpecSource, student: str, files: tuple[Path, ...],
                     limit: float = watchdog.SUBMISSION_TIME_LIMIT, entry: Path | None = None,
                     kept: tuple[SetOutcome, ...] = ()) -> tuple[SubmissionResult, tuple[SetGrading, ...]]:
    """Grade one submission in a worker (but the problem sets ``kept``): its result, and what
    grading each problem set gave, for the gradebook (none for a crash).  Never raises for a bad
    submission."""
    started = time.perf_counter()
    grader = _grader_for(spec)
    try:
        with watchdog.watched(student, limit):
            result, outcomes = grader.grade_by_set(student, files, entry=entry,
                                                   kept={k.problem_set: k for k in kept})
            sets = {refs.problem_set.id: refs.problem_set for refs in grader.references}
            return result, tuple(SetGrading(o.problem_set, spec.set_digest(sets[o.problem_set]), o.notes,
                                            o.isolation, o.answering) for o in outcomes)
    except SandboxUnavailable:
        raise  # no code of any student can run: the run stops, and a restart grades the rest
    except Exception as exc:  # noqa: BLE001 - one submission must not stop the run
        return crashed_result(student, grader.references, f"{type(exc).__name__}: {exc}",
                              time.perf_counter() - started), ()


def _close_worker_graders() -> None:
    for grader in _GRADERS.values():
        grader.close()
    _GRADERS.clear()


class SharedPool:
    """The sandbox pool, started once on first use by whichever thread asks first.

    ``WorkerPool.run`` may be called from many threads at once; starting it
    must happen once (a zygote warms up for seconds), and never when a class
    has no code to run.
    """

    def __init__(self, pool=None) -> None:
        import threading

        self._pool = pool  # a pool started early is closed by whoever started it
        self._own = pool is None
        self._lock = threading.Lock()

    def run(self, *args, **kwargs):
        with self._lock:
            if self._pool is None:
                from grader.sandbox import WorkerPool

                self._pool, self._own = WorkerPool(), True
        return self._pool.run(*args, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._own:
                self._pool.close()
            self._pool = None


# ---------------------------------------------------------------------------
# Executors
def default_jobs(executor_kind: str = "process") -> int:
    """Submissions in flight: one per core for processes; three per core for
    threads, because a grading thread mostly waits (for its sandbox child, the
    zygote's fork, the child's exit), and others keep the core busy meanwhile.
    Measured on 2 cores, 1,000 students: 30.7 s with two per core, 26.6 s
    with three or four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 3 * cores if executor_kind == "thread" else cores


def process_executor(jobs: int) -> Executor:
    """A local process pool.  Forked workers inherit the parent's computed references."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def thread_executor(jobs: int) -> Executor:
    """Threads over one Grader (its sandbox pool must be thread-safe)."""
    return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade")


EXECUTORS: dict[str, Callable[[int], Executor]] = {"process": process_executor, "thread": thread_executor}


# ---------------------------------------------------------------------------
# Outputs: everything under --out is written from gradebook data
def applied(result: SubmissionResult, overrides: dict[str, Override]) -> SubmissionResult:
    labels = {p.label for p in result.parts}
    wanted = {label: (o.score, o.comment) for label, o in overrides.items() if label in labels}
    return with_overrides(result, wanted) if wanted else result


@dataclass(frozen=True)
class StaleOverride:
    """An override for a part the student's results no longer have (the spec
    dropped or renamed it).  It stays stored and applies again if the part comes back."""

    student: str
    label: str
    override: Override
    hint: str = ""  # " (did you mean 'Q2.3(d)'?)" when a part the results have now is named much alike


def stale_overrides(result: SubmissionResult, overrides: dict[str, Override]) -> list[StaleOverride]:
    labels = [p.label for p in result.parts]
    return [StaleOverride(result.student, label, o, did_you_mean(label, labels))
            for label, o in sorted(overrides.items()) if label not in labels]


@dataclass(frozen=True)
class ChangedOverride:
    """An override set on one automatic answer and verdict that the student's
    part no longer has (the student handed in again, or the spec changed):
    it still applies, but the instructor decided on something else."""

    student: str
    label: str
    override: Override
    then: dict
    now: PartResult


def answered_fields(part: PartResult) -> dict:
    """What an override is decided on: the part's automatic verdict, the answer as read and the part's
    points (1.5 of 3 is another decision than 1.5 of 2)."""
    return {"status": part.status, "score": part.score, "answer": part.answer, "max_score": part.max_score}


def answered_key(part: PartResult) -> str:
    return json.dumps(answered_fields(part), sort_keys=True)


def answer_changed(then: dict, part: PartResult) -> bool:
    """Whether the part differs from what the override was set on, in what was stored then: an
    override from a gradebook that did not keep the points is compared without them."""
    now = answered_fields(part)
    return any(key in now and now[key] != value for key, value in then.items())


def changed_overrides(result: SubmissionResult, overrides: dict[str, Override]) -> list[ChangedOverride]:
    parts = {p.label: p for p in result.parts}
    changed = []
    for label, o in sorted(overrides.items()):
        part = parts.get(label)
        if part is not None and o.answered is not None and answer_changed(then := json.loads(o.answered), part):
            changed.append(ChangedOverride(result.student, label, o, then, part))
    return changed


def unapplied_overrides(stale: list[StaleOverride],
                        orphaned: list[StaleOverride]) -> list[tuple[str, str, float, str, str]]:
    """(student, part, score, comment, why) of the overrides that apply to nothing now, for summary.md:
    the instructor's record keeps them, as every run's terminal lists them."""
    return ([(s.student, s.label, s.override.score, s.override.comment, "the part is not in the problem specs "
              "any more") for s in stale]
            + [(s.student, s.label, s.override.score, s.override.comment, "the student has no submission any "
                "more") for s in orphaned])


def orphaned_overrides(overrides: dict[str, dict[str, Override]], present: set[str]) -> list[StaleOverride]:
    """Overrides of students with no submission in the class any more (their
    entry was removed, or renamed: a new id is a new student).  They apply to
    no one, so every run lists them until they are entered again or removed."""
    return [StaleOverride(student, label, o) for student, own in sorted(overrides.items()) if student not in present
            for label, o in sorted(own.items())]


def write_student_files(out: Path, result: SubmissionResult, expected: dict[str, str], title: str, *,
                        only_changed: bool = False) -> None:
    """results.json and report.html of one student (overrides already applied).
    ``only_changed``: leave a file alone when its bytes are already those (a
    rerun then writes nothing, yet a file edited or damaged since is put right)."""
    from grader.report import render_student_report

    folder = out / result.student
    write = write_if_changed if only_changed else write_atomic
    write(folder / RESULTS_NAME, dumps(result.to_gradescope()))
    write(folder / REPORT_NAME, render_student_report(result, title=title, expected=expected))


def write_class_files(out: Path, results: list[SubmissionResult], problem_sets: list[dict],
                      expected: dict[str, str], roster: Roster | None = None, assignment: str | None = None,
                      to_review: Iterable[tuple[str, str]] = (),
                      unapplied: Sequence[tuple[str, str, float, str, str]] = ()) -> None:
    """grades.csv, junit.xml, summary.md and index.html (overrides already applied).  ``to_review``:
    (student, part) of overrides set before the part's answer, verdict or points changed, marked there;
    ``unapplied``: overrides that apply to nothing now, listed in summary.md (see :func:`unapplied_overrides`)."""
    from grader.exports import grades_csv, junit_xml, markdown_summary
    from grader.report import render_class_summary

    title = assignment_title(problem_sets)
    max_score = sum(ps["max_score"] for ps in problem_sets)
    write_atomic(out / "grades.csv", grades_csv(results, assignment or title, max_score, roster))
    write_atomic(out / "junit.xml", junit_xml(results, per_student=True))
    write_atomic(out / "summary.md", markdown_summary(results, title, max_score, to_review=to_review,
                                                              unapplied=unapplied))
    names = {r.student: e.student for r in results if roster and (e := roster.match(r.student)) and e.student}
    matched = {id(e) for r in results if roster and (e := roster.match(r.student)) is not None}
    absent = [e.student or e.sis_login_id or e.canvas_id for e in (roster.entries if roster else ())
              if id(e) not in matched and not e.is_test_student]
    write_atomic(out / "index.html", render_class_summary(results, title=title, max_score=max_score,
                                                          report_name=REPORT_NAME, names=names, absent=absent,
                                                          to_review=to_review))


def assignment_title(problem_sets: list[dict]) -> str:
    return " + ".join(ps["title"] for ps in problem_sets) or "Assignment"


@dataclass
class Published:
    results: list[SubmissionResult]  # overrides applied
    stale: list[StaleOverride]  # overrides whose part the results no longer have
    unwritten: dict[str, str]  # student → why their results.json and report.html could not be written
    orphaned: list[StaleOverride] = field(default_factory=list)  # overrides of students no longer in the class
    changed: list[ChangedOverride] = field(default_factory=list)  # overrides whose answer has changed since


def publish(gradebook: Gradebook, out: Path, students: Iterable[str] | None = None, *,
            fresh: Iterable[str] = ()) -> Published:
    """Regenerate the class files, and every student file whose bytes are not
    what the gradebook gives (missing, empty after a power cut, edited, or
    left from an older result), from the gradebook.  ``fresh``: students whose
    files this run has just written from their result, not compared again.
    A student folder that cannot be written is reported, never a reason to
    leave out the others."""
    problem_sets = gradebook.last_problem_sets()
    digest = gradebook.runs()[-1]["spec_digest"] if problem_sets else ""
    expected = gradebook.expected(digest)
    overrides = gradebook.overrides()
    title = assignment_title(problem_sets)
    students, fresh = None if students is None else set(students), set(fresh)
    done = Published([], [], {})
    for raw in gradebook.results(students):
        own = overrides.get(raw.student, {})
        result = applied(raw, own)
        done.stale.extend(stale_overrides(raw, own))
        done.changed.extend(changed_overrides(raw, own))
        try:
            if result.student not in fresh:
                write_student_files(out, result, expected, title, only_changed=True)
        except OSError as exc:
            done.unwritten[result.student] = not_written(out / result.student, exc)
        done.results.append(result)
    done.orphaned = orphaned_overrides(overrides, {r.student for r in done.results} | (students or set()))
    # Kept in the gradebook for the record (each run compares every student's files with it anyway).
    gradebook.save_unwritten(done.unwritten)
    rows = gradebook.roster()
    write_class_files(out, done.results, problem_sets, expected, Roster.from_json(rows) if rows else None,
                      gradebook.assignment(), to_review=[(c.student, c.label) for c in done.changed],
                      unapplied=unapplied_overrides(done.stale, done.orphaned))
    return done


def not_written(folder: Path, exc: OSError) -> str:
    """Where and why a student's files could not be written (the file, unless
    it is the temporary one, which means nothing to the instructor)."""
    name = Path(exc.filename) if exc.filename else None
    where = name if name is not None and not name.name.startswith(".") else f"{folder}/"
    return f"{where}: {exc.strerror or exc}"


def write_former_student(gradebook: Gradebook, out: Path, student: str) -> bool:
    """Rewrite the folder of a student no longer in the class from their
    stored result, e.g. after their override was removed.  A run leaves such
    folders as they are; one the instructor deleted is not made again.
    Returns whether the folder is there (and now up to date)."""
    folder = out / student
    raw = gradebook.result(student)
    if raw is None or not folder.is_dir():
        return False
    digest, problem_sets = gradebook.graded_with(student)
    result = applied(raw, gradebook.overrides().get(student, {}))
    write_student_files(out, result, gradebook.expected(digest), assignment_title(problem_sets), only_changed=True)
    return True


# ---------------------------------------------------------------------------
# The run
@dataclass
class RunStats:
    found: int = 0
    kept: int = 0
    graded: int = 0
    crashed: int = 0
    seconds: float = 0.0
    gone: list[str] = field(default_factory=list)
    regraded: list[str] = field(default_factory=list)  # why unchanged submissions were regraded, whose totals moved
    results: list[SubmissionResult] = field(default_factory=list)  # as published (overrides applied)
    stale: list[StaleOverride] = field(default_factory=list)
    orphaned: list[StaleOverride] = field(default_factory=list)  # overrides of students with no submission now
    changed: list[ChangedOverride] = field(default_factory=list)  # overrides whose answer has changed since
    unwritten: dict[str, str] = field(default_factory=dict)  # student → where and why their files failed
    changed_while_graded: list[str] = field(default_factory=list)  # students graded again by the next run


def wants_progress(flag: bool | None, stream=None) -> bool:
    """A progress bar on a terminal, never in CI or when piped (unless asked)."""
    if flag is not None:
        return flag
    stream = stream or sys.stderr  # looked up now: sys.stderr may have been replaced since import
    return stream.isatty() and not os.environ.get("CI")


def grade_class(args: argparse.Namespace, load_refs: Callable[[], list], pool=None,
                started: float | None = None) -> int:
    """The ``grader grade`` command; ``load_refs`` computes the references (once the --out folder is ours,
    so a second run on it is turned away at once); ``pool`` is a sandbox pool already warming up, if any;
    ``started``: when the command began (``time.perf_counter()``), for the time it prints."""
    from grader.cli import UsageError, refuse_published

    started = time.perf_counter() if started is None else started
    submissions, out = Path(args.submissions), Path(args.out)
    if not submissions.is_dir():
        raise UsageError(not_a_class_folder(submissions))
    check_out_folder(out, submissions)
    # Threads by default: measured faster than processes on 2 cores and a third lighter in memory
    # (one sandbox zygote instead of one per worker); the heavy work runs in the sandbox's children.
    executor_kind = os.environ.get("GRADER_EXECUTOR", "thread")
    if executor_kind not in EXECUTORS:
        raise UsageError(f"GRADER_EXECUTOR={executor_kind} is unknown; known: {', '.join(EXECUTORS)}")
    jobs = args.jobs if args.jobs and args.jobs > 0 else default_jobs(executor_kind)
    try:
        roster = read_roster(Path(args.roster)) if getattr(args, "roster", None) else None
    except RosterError as exc:
        raise UsageError(str(exc)) from None
    try:
        with RunLock(out):
            progress = wants_progress(getattr(args, "progress", None))
            status = say if progress else (lambda text: None)  # on a terminal: what the seconds before the bar are
            status("grader: loading the specs and computing their references…")
            refs = load_refs()
            refuse_published(refs, "grade with the instructor's spec: with this copy no hidden case would run "
                                   "and no written answer would be marked")
            spec = SpecSource(tuple(str(p) for p in args.problems), spec_digest(refs),
                              withhold=bool(getattr(args, "withhold", False)))
            found = find_submissions(submissions, out, roster=getattr(args, "roster", None),
                                     specs=[r.problem_set.path for r in refs])
            with Gradebook.in_folder(out) as gradebook:
                use_nfc_names(gradebook, out)
                renamed, removed = follow_case_renames(gradebook, out, {s.student for s in found})
                if roster is not None:
                    gradebook.save_roster(roster.to_json())
                last = last_finished_run(gradebook)
                graded_then = json.loads(last["problem_sets"]) if last else None
                assignment_then = gradebook.assignment() or assignment_title(graded_then or [])
                if getattr(args, "assignment", None):
                    gradebook.save_assignment(args.assignment)
                proof = SpecProof(gradebook, refs, pool, beside=executor_kind == "thread", status=status)
                stats = run(gradebook, out, refs, found, spec,
                            executor_factory=lambda: EXECUTORS[executor_kind](jobs), executor_name=executor_kind,
                            jobs=jobs, progress=progress, pool=pool)
                unsound = proof.warnings(gradebook)
                graded_now = gradebook.last_problem_sets()
                kept_assignment = gradebook.assignment()
                assignment = kept_assignment or assignment_title(graded_now)
                graded_points = sum(ps["max_score"] for ps in graded_now)
                kept = gradebook.roster() if roster is None else None
    except GradebookError as exc:
        raise UsageError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise UsageError(unusable(out / GRADEBOOK_NAME, exc)) from None
    write_requested_outputs(args, stats.results, out)
    for line in stats.regraded:
        print(line, file=sys.stderr)
    message = f"graded {stats.graded} submission(s)"
    if stats.kept:
        message += f", kept {stats.kept} graded earlier"
    if stats.crashed:
        message += f", {stats.crashed} could not be graded (see their results.json)"
    # The whole run: loading the specs (computing references) can take longer than the grading.
    print(f"{message} in {time.perf_counter() - started:.1f} s ({stats.seconds:.1f} s of it grading and writing "
          f"reports); reports in {out}/", file=sys.stderr)
    if stats.changed_while_graded:
        say(changed_while_graded_note(stats.changed_while_graded))
    for line in unsound:
        say(line)
    for old, new, moved in renamed:
        say(f"note: {old} is now {new}, a name that differs only by case: the same student (on macOS and Windows "
            f"the same folder), whose results and overrides are kept"
            + (f"; {out / old}/ is now {out / new}/" if moved else ""))
    for old, new in removed:
        say(f"note: {out / old}/, the folder of {old}, who is no longer in the class, was removed: its name "
            f"differs from {new}'s only by case, and on macOS and Windows the two would be one folder "
            f"({old}'s results stay in the gradebook)")
    # A roster kept from an earlier run reports as the first did: a student added since is named too.
    used, named = (roster, args.roster) if roster is not None else \
        (Roster.from_json(kept), "the roster kept from an earlier run") if kept else (None, "")
    if used is not None:
        say(roster_note(used, stats.results))
        if new_column := used.assignment_warning(assignment, named, points=graded_points):
            say(new_column)
    elif (note := no_roster_note(stats.results)):
        say(note)
    if graded_then is not None:
        def column(name: str) -> str:  # the header grades.csv gives the score column (see grades_csv)
            return (used.assignment_column(name) if used is not None else None) or name

        if note := graded_sets_note(graded_then, graded_now, column(assignment_then), column(assignment),
                                    kept=bool(kept_assignment), asked=bool(getattr(args, "assignment", None))):
            say(note)
    warning = spec_exposure_warning(stats.results, [r.problem_set.path for r in refs])
    if warning:
        print(warning, file=sys.stderr)
    if stats.gone:
        left = "" if not removed else f" (but for the one{'s' if len(removed) > 1 else ''} removed above)"
        say(f"note: {len(stats.gone)} student(s) in the gradebook have no submission any more and are left "
            f"out of the class files: {', '.join(stats.gone[:10])}{' …' if len(stats.gone) > 10 else ''}. "
            f"Their folders under {out}/ are left as they were{left} (never deleted: delete them yourself when "
            "they should go).")
    if stats.orphaned:
        say(orphaned_note(stats.orphaned, out))
    if stats.stale:
        say(stale_note(stats.stale, out))
    if stats.changed:
        say(changed_note(stats.changed, out))
    problems = problems_note(stats.results, out)
    if problems:
        say(problems)
    code = under_fail_score(args, stats.results)
    if stats.unwritten:
        say(unwritten_note(stats.unwritten))
        code = 2
    if watchdog.threads_left_behind():
        # A grading thread stuck in one long C call would keep the interpreter from exiting.
        print("note: a stopped submission is still computing; exiting without waiting for it", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


# Problems a class run's students may have, said at the end of the run (each student's report says more):
# a name for the kind, and what in a result shows it.
NAMES_SHOWN = 4
_ARCHIVE = ARCHIVE_NOTE.split("{name}", 1)[1]  # " is an archive, which the grader does not open…"
PROBLEM_KINDS: tuple[tuple[str, Callable[[SubmissionResult], bool]], ...] = (
    ("could not be graded, see their results.json", lambda r: any(p.status == ERROR for p in r.parts)),
    ("code could not be run (a syntax error, a missing library, an error as it loads)",
     lambda r: any(" could not be run: " in note for note in r.notes)),
    ("code imports a library that is not installed",
     lambda r: any("is not installed where submissions are graded" in note for note in r.notes)),
    ("answers could not be read", lambda r: any(p.status == "could not read" for p in r.parts)),
    # An archive beside a submission that lacks nothing is a copy left over, not a problem.
    ("an archive (.zip…), not opened",
     lambda r: r.score < r.max_score and any(_ARCHIVE in note for note in r.notes)),
    ("an empty submission", lambda r: any(note.startswith(NOTHING_TO_READ) for note in r.notes)),
    ("an empty file handed in", lambda r: any(EMPTY_FILE in note for note in r.notes)),
    ("files not read (a PDF, a Word file, code saved as foundations.py.txt…)",
     lambda r: any(tells_of_a_file_not_read(note) for note in r.notes)),
    ("nothing handed in answers any problem set", lambda r: any(NOTHING_ANSWERS in note for note in r.notes)),
    ("several copies answering the same parts (graded part by part from the best)",
     lambda r: any(note.startswith(SEVERAL_COPIES) for note in r.notes)),
)


def problems_note(results: list[SubmissionResult], out: Path) -> str:
    """One line per kind of problem the class has, with how many students and the first few
    names, pointing to the class page and reports: "code could not be run: 3 students (s20, s22, s41)"."""
    lines = []
    for kind, shows in PROBLEM_KINDS:
        students = [r.student for r in results if shows(r)]
        if students:
            # "…" standing for one name would say less than the name.
            shown = students if len(students) <= NAMES_SHOWN + 1 else students[:NAMES_SHOWN]
            names = ", ".join(shown) + (", …" if len(shown) < len(students) else "")
            lines.append(f"  {kind}: {plural(len(students), 'student')} ({names})")
    if not lines:
        return ""
    return "\n".join([f"to look at (each student's report says more; see {out / 'index.html'}):", *lines])


def stale_note(stale: list[StaleOverride], out: Path) -> str:
    lines = [f"note: {len(stale)} instructor override(s) no longer apply: the part is not in the problem specs "
             "any more (removed or renamed). Each is kept in the gradebook and applies again if its part comes "
             f"back; to drop one: grader override --out {shlex.quote(str(out))} STUDENT PART --remove"]
    for s in stale:
        comment = f', "{s.override.comment}"' if s.override.comment else ""
        lines.append(f"  {s.student} {s.label}: {points_phrase(s.override.score)}{s.hint}{comment}")
    return "\n".join(lines)


def changed_note(changed: list[ChangedOverride], out: Path) -> str:
    folder = shlex.quote(str(out))
    lines = [f"note: {len(changed)} instructor override(s) were set on an answer, automatic verdict or points "
             "that have changed since (the student handed in again, or the spec changed). They still apply; "
             "set one again "
             f"to confirm it (grader override --out {folder} STUDENT PART SCORE --comment TEXT), or drop it "
             f"(grader override --out {folder} STUDENT PART --remove)"]
    for c in changed:
        then = f"{c.then.get('status')}, {points_phrase(c.then.get('score', 0.0))}"
        now = f"{c.now.status}, {points_phrase(c.now.score)}"
        if c.then.get("max_score", c.now.max_score) != c.now.max_score:  # the part is worth more or less now
            then = f"{c.then.get('status')}, {number_text(c.then.get('score', 0.0))} of {points_phrase(c.then['max_score'])}"
            now = f"{c.now.status}, {number_text(c.now.score)} of {points_phrase(c.now.max_score)}"
        answer = ""
        if c.then.get("answer") != c.now.answer:
            was, now_shown = where_they_differ(c.then.get("answer") or "", c.now.answer)
            answer = f"; the answer was “{was}”, now “{now_shown}”"
        lines.append(f"  {c.student} {c.label}: {points_phrase(c.override.score)} by the instructor; automatic verdict "
                     f"then {then}, now {now}{answer}")
    return "\n".join(lines)


def where_they_differ(then: str, now: str, limit: int = 60, before: int = 20) -> tuple[str, str]:
    """Two answers cut to about ``limit`` characters around where they first differ (with … where cut),
    so that two long answers that begin alike show what changed, not the same opening twice."""
    then, now = " ".join(then.split()), " ".join(now.split())
    same = next((i for i, (a, b) in enumerate(zip(then, now)) if a != b), min(len(then), len(now)))
    start = 0
    if max(len(then), len(now)) > limit and same > before:
        start = same - before
        space = then.rfind(" ", start - 10, start)  # begin at a word where one is near
        start = space + 1 if space > 0 else start
    return _window(then, start, limit), _window(now, start, limit)


def _window(text: str, start: int, limit: int) -> str:
    head = "…" if start > 0 else ""
    shown = text[start:]
    return head + (shown if len(head) + len(shown) <= limit else shown[: limit - len(head) - 1] + "…")


def orphaned_note(orphaned: list[StaleOverride], out: Path) -> str:
    folder = shlex.quote(str(out))
    lines = [f"note: {len(orphaned)} instructor override(s) apply to no one: the student has no submission any "
             "more (the entry was removed, or renamed, which makes it another student). Each is kept in the "
             "gradebook and applies again if the student's entry comes back under the same name. For a renamed "
             f"entry, enter it again under the new id (grader override --out {folder} NEW_ID PART SCORE "
             f"--comment TEXT); to drop one: grader override --out {folder} STUDENT PART --remove"]
    for s in orphaned:
        comment = f', "{s.override.comment}"' if s.override.comment else ""
        lines.append(f"  {s.student} {s.label}: {points_phrase(s.override.score)}{comment}")
    return "\n".join(lines)


def graded_sets_note(then: list[dict], now: list[dict], column_then: str, column_now: str, *,
                     kept: bool, asked: bool) -> str:
    """The problem sets no longer graded, or graded now, since the last run, and what became of
    grades.csv's score column: its header is the sets' titles unless ``--assignment`` names it
    (``kept``: one is stored; ``asked``: given to this run), and Canvas matches columns by header."""
    ids_then, ids_now = [ps["id"] for ps in then], [ps["id"] for ps in now]
    dropped = [i for i in ids_then if i not in ids_now]
    added = [i for i in ids_now if i not in ids_then]
    said = []
    if dropped:
        one = len(dropped) == 1
        said.append(f"{', '.join(dropped)} {'is' if one else 'are'} no longer graded "
                    f"({'its spec is' if one else 'their specs are'} not among the problem specs given)")
    if added:
        one = len(added) == 1
        said.append(f"{', '.join(added)} {'is' if one else 'are'} graded now "
                    f"(the last run did not grade {'it' if one else 'them'})")
    if column_now != column_then and not asked:  # a title edited renames the column too
        said.append(f"grades.csv's score column is now '{column_now}' (was '{column_then}'): Canvas takes a "
                    "column it does not have for a new assignment; to keep filling the old one, run the same "
                    f"command again with --assignment {shlex.quote(column_then)} (results already graded are kept)")
    elif said and kept and column_now == column_then:
        said.append(f"grades.csv's score column stays '{column_now}' (--assignment)")
    return "note: " + "; ".join(said) if said else ""


def changed_while_graded_note(students: list[str]) -> str:
    students = sorted(students)
    names = ", ".join(students[:10]) + (" …" if len(students) > 10 else "")
    return (f"note: the files of {len(students)} student(s) changed while they were being graded: {names}. "
            "Their results may mix the files as they were and as they are now; run the same command again "
            "to grade them as they are now (no one else is graded again).")


def unwritten_note(unwritten: dict[str, str]) -> str:
    lines = [f"error: the results.json and report.html of {len(unwritten)} student(s) could not be written. "
             "They are graded and in the class files; the next run writes them once the folder can be written:"]
    lines += [f"  {student}: {why}" for student, why in sorted(unwritten.items())]
    return "\n".join(lines)


def use_nfc_names(gradebook: Gradebook, out: Path) -> None:
    """A gradebook from before student ids were in one Unicode form (see :func:`student_id`) stores a
    Mac-unzipped name as it was spelt: it is renamed, with the student's folder under ``out``, so that
    their results are kept (not graded again) and their overrides still apply."""
    for old, new in gradebook.use_nfc_names():
        with suppress(OSError):  # a folder that cannot be moved is written afresh; the old one is left as it was
            if (out / old).is_dir() and not (out / new).exists():
                (out / old).rename(out / new)


def follow_case_renames(gradebook: Gradebook, out: Path,
                        present: set[str]) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str]]]:
    """A student whose entry was renamed only by case (``S37/`` → ``s37/``) is the same
    student: on macOS and Windows it is the same folder, and a roster matches ids ignoring
    case.  Their results, overrides and log are stored under the new name and their folder
    under ``out`` renamed, so nothing is graded again and no two folders there differ only
    by case.  When the new name has results of its own already, the old name's folder is
    removed instead (its results stay in the gradebook).  Returns (old, new, whether the
    folder was renamed) for each student renamed, and (old, new) whose old folder was removed."""
    stored = gradebook.stored_names()
    gone: dict[str, list[str]] = {}
    for name in sorted(stored - present):
        gone.setdefault(name.casefold(), []).append(name)
    renamed, removed = [], []
    for student in sorted(present):
        olds = gone.get(student.casefold(), [])
        if student not in stored and len(olds) == 1:
            gradebook.rename_students({olds[0]: student})
            try:
                moved = _rename_folder(out / olds[0], out / student)
            except OSError:  # a folder that cannot be moved: the student's files are written afresh
                moved = False
            renamed.append((olds[0], student, moved))
            continue
        for old in olds:
            if _remove_folder(out / old, out / student):
                removed.append((old, student))
    return renamed, removed


def _rename_folder(old: Path, new: Path) -> bool:
    """``old`` renamed ``new``, also where the two are one name (a file system ignoring case)."""
    if not old.is_dir() or old.is_symlink() or (new.exists() and not os.path.samefile(old, new)):
        return False
    step = old.with_name(f".{old.name}.renaming")  # a rename by case alone may be refused, or do nothing
    old.rename(step)
    step.rename(new)
    return True


def _remove_folder(old: Path, new: Path) -> bool:
    """Remove the report folder ``old`` (a former student's) unless it is ``new`` under another case."""
    import shutil

    if not old.is_dir() or old.is_symlink() or (new.exists() and os.path.samefile(old, new)):
        return False
    try:
        shutil.rmtree(old)
    except OSError:
        return False
    return True


def check_out_folder(out: Path, submissions: Path) -> None:
    """Refuse an --out that is a file, the submissions folder, or inside a
    student's entry there: the reports would be mixed with (and later graded
    as) that student's files, and the student left out of the class files."""
    from grader.cli import UsageError

    existing = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), None)
    if existing is not None and not existing.is_dir():
        what = "a file" if existing.is_file() else "not a folder"
        where = f"{out} is {what}" if existing == out else f"{out} would be inside {existing}, which is {what}"
        raise UsageError(f"--out must be a folder; {where}. Name a folder for the reports "
                         "(it is made if it does not exist).")
    folder, target = submissions.resolve(), out.resolve()
    if target == folder:
        raise UsageError(f"--out {out} is the submissions folder; write the reports to a folder of their own")
    if not target.is_relative_to(folder):
        return
    inside = target.relative_to(folder).parts
    entry = submissions / inside[0]
    if is_litter(inside[0]) or not (entry.exists() or entry.is_symlink()):
        return  # not a student's entry
    if len(inside) == 1 and is_reports_folder(entry):
        return  # the reports of an earlier run with this --out: never taken for a student
    student = student_id(entry.name if entry.is_dir() else entry.stem)
    where = (f"lies inside {entry}," if len(inside) > 1 else "is" if entry == out else f"is {entry},")
    raise UsageError(f"--out {out} {where} the submission of student '{student}': the reports would be mixed "
                     f"with their files (and graded as theirs next time), and '{student}' left out of the class "
                     f"files. Write the reports to a folder outside the student entries, e.g. next to {submissions}.")


def is_reports_folder(folder: Path) -> bool:
    """A folder ``grader grade`` wrote: an empty one, or one holding a
    gradebook and, directly in it, no files but the class's own."""
    try:
        files = [p.name for p in folder.iterdir() if not p.is_dir() or p.is_symlink()]
    except OSError:
        return False
    ours = CLASS_FILE_NAMES | {RunLock.NAME}
    return not files or (GRADEBOOK_NAME in files and all(name in ours for name in files))


def spec_exposure_warning(results: list[SubmissionResult], spec_files: list[Path]) -> str | None:
    """A warning when the student code of this run could have read the specs
    (hidden cases, reference solutions): its sandbox had no Landlock, and it
    ran either as the grading user or as another uid the spec files are
    readable by."""
    from grader.sandbox.isolation import readable_by_others

    records = [r.isolation for r in results if r.isolation]
    if not records or all(record.get("landlock") for record in records):
        return None
    if not all(record.get("uid_drop") for record in records):
        return ("warning: student code ran as the grading user, without Landlock, so it could read every file "
                "that user can, the specs included. Grade as root (the sandbox then runs each submission as "
                "another user) on a Linux kernel with Landlock (5.13 or newer).")
    exposed = [path for path in spec_files
               if path.stat().st_mode & stat.S_IROTH and readable_by_others(str(path.parent))]
    if not exposed:
        return None
    folders = sorted({str(path.parent) for path in exposed})
    return (f"warning: this machine has no Landlock, so student code could read any file every user can read, "
            f"among them {', '.join(str(p) for p in exposed[:3])}{' …' if len(exposed) > 3 else ''}. "
            f"Make the specs readable only by the grading user: chmod -R o-rwx {' '.join(folders)}")


def no_roster_note(results: list[SubmissionResult]) -> str:
    """Students named as `grader import-canvas` names them, and no roster: grades.csv then carries no
    Canvas ID, and Canvas cannot match its rows (the id in the folder name is not trusted for it: a
    folder "lab_3" would give a grade to Canvas's user 3)."""
    from grader.roster import IMPORTED_FOLDER

    if not results or sum(bool(IMPORTED_FOLDER.fullmatch(r.student)) for r in results) * 2 <= len(results):
        return ""
    return ("note: these students come from a Canvas download, but no --roster was given: grades.csv has no "
            "Canvas IDs for the import to match its rows on. Export the gradebook from Canvas (Grades > Export) "
            "and grade again with --roster that file (nothing is graded again).")


def roster_note(roster: Roster, results: list[SubmissionResult]) -> str:
    """How the submissions matched the roster, naming the ones that did not."""
    unmatched = [r.student for r in results if roster.match(r.student) is None]
    matched = {id(e) for r in results if (e := roster.match(r.student)) is not None}
    absent = sum(1 for e in roster.entries if id(e) not in matched and not e.is_test_student)
    note = f"roster: {len(results) - len(unmatched)} of {len(results)} submission(s) matched a student"
    if unmatched:
        note += (f"; not on the roster (graded, listed under their own id): "
                 f"{', '.join(unmatched[:10])}{' …' if len(unmatched) > 10 else ''}")
    if absent:
        note += f"; {absent} student(s) on the roster have no submission (empty score in grades.csv)"
    by_entry: dict[int, list[str]] = {}
    for r in results:
        if (entry := roster.match(r.student)) is not None:
            by_entry.setdefault(id(entry), []).append(r.student)
    by_number = [f"{r.student} → {entry.student}" for r in results
                 if (entry := roster.matched_by_number_alone(r.student)) is not None]
    if by_number:
        note += ("; matched by the number at the end of the folder name alone, the name before it not being "
                 "the roster's (check these): " + ", ".join(by_number[:10]) + (" …" if len(by_number) > 10 else ""))
    shared = [ids for ids in by_entry.values() if len(ids) > 1]
    if shared:
        # grades.csv then has one row per submission with the same Canvas ID: the import keeps one.
        note += ("; warning: several submissions match one roster student, so grades.csv has a row for each "
                 "and Canvas keeps only one: " + "; ".join(", ".join(ids) for ids in shared[:5]))
    return note


def under_fail_score(args: argparse.Namespace, results: list[SubmissionResult]) -> int:
    """--fail-under for a class: exit 1 when any student's total is lower, naming them."""
    threshold = getattr(args, "fail_under", None)
    if threshold is None:
        return 0
    under = [r.student for r in results if r.score < threshold]
    if not under:
        return 0
    names = ", ".join(under[:10]) + (" …" if len(under) > 10 else "")
    say(f"{len(under)} student(s) scored under --fail-under {threshold:g}: {names}")
    return 1


def write_requested_outputs(args: argparse.Namespace, results: list[SubmissionResult], out: Path) -> None:
    """The options every grading command has, for a class: --json, --junit, --html."""
    from grader.exports import junit_xml

    if getattr(args, "json", None):
        write_atomic(Path(args.json), dumps({r.student: r.to_gradescope() for r in results}))
    if getattr(args, "junit", None):
        write_atomic(Path(args.junit), junit_xml(results, per_student=True))
    if getattr(args, "html", None):
        from grader.cli import html_file

        target = html_file(args.html, "index.html")
        if target.resolve() != (out / "index.html").resolve():
            write_atomic(target, class_page_elsewhere((out / "index.html").read_text(encoding="utf-8"), out, target))


def class_page_elsewhere(page: str, out: Path, target: Path) -> str:
    """The class page copied to ``target``: its links to the students' reports (relative, beside it
    under ``out``) still lead there, through a ``<base>`` pointing back at ``out``."""
    from urllib.parse import quote

    back = Path(os.path.relpath(out.resolve(), target.resolve().parent)).as_posix()
    return page.replace("<head>", f'<head>\n<base href="{html.escape(quote(back))}/">', 1)


def run(gradebook: Gradebook, out: Path, refs, found: list[Submission], spec: SpecSource, *,
        executor_factory: Callable[[], Executor], executor_name: str = "custom", jobs: int = 0,
        progress: bool = False, pool=None) -> RunStats:
    """Grade what is new or changed, commit each result as it comes, then regenerate the class files."""
    from grader.mathml import expected_markup

    started = time.perf_counter()
    stored = gradebook.stored_keys()
    todo, regraded = plan_grading(gradebook, found, refs, spec)
    stats = RunStats(found=len(found), kept=len(found) - len(todo))
    stats.regraded = regrade_notes(regraded, refs, spec, gradebook)
    earlier = published_totals(gradebook, [student for students in regraded.values() for student in students])
    present = {s.student for s in found}
    stats.gone = sorted(set(stored) - present)
    gradebook.save_class(present)

    problem_sets = problem_set_info(refs)
    run_id = gradebook.start_run(spec_digest=spec.grading_digest, problem_sets=problem_sets,
                                 executor=executor_name, jobs=jobs, submissions=len(found), to_grade=len(todo))
    # Reports students read while they may resubmit show no reference answers either.
    expected = {} if spec.withhold else expected_markup(refs)
    gradebook.save_expected(spec.grading_digest, expected)
    overrides = gradebook.overrides()
    title = assignment_title(problem_sets)
    written: set[str] = set()

    def commit(sub: Submission, result: SubmissionResult, crashed: bool, sets: Iterable[SetGrading] = ()) -> None:
        # Files first, then the gradebook: a kill in between only means the student is graded again.
        try:
            write_student_files(out, applied(result, overrides.get(sub.student, {})), expected, title)
            written.add(sub.student)  # what publish would write: it need not render them again
        except OSError:  # e.g. a folder the grader may not write: reported once the class files are written
            written.discard(sub.student)
            gradebook.add_unwritten(sub.student)  # publish tries again, and says where and why
        graded_from = sub.content_hash
        if not unchanged_since_found(sub):
            graded_from = CHANGED_WHILE_GRADED
            stats.changed_while_graded.append(sub.student)
        gradebook.record(run_id, result, content_hash=graded_from, spec_digest=spec.grading_digest,
                         crashed=crashed, sets=sets)
        stats.graded += 1
        stats.crashed += crashed

    if todo:
        # Runs kept from earlier class runs: a spec edit that changes no call runs no student code again.
        runs = RunCache(SharedPool(pool), out / RUNS_FOLDER)
        _GRADERS[spec.grading_digest] = spec.grader(refs, pool=runs)  # threads share it; forked workers inherit it
        try:
            grade_all(todo, spec, refs, executor_factory, commit, progress)
        finally:
            _close_worker_graders()
            runs.close()
        runs.forget_gone_files()
    published = publish(gradebook, out, present, fresh=written)
    stats.results, stats.stale, stats.unwritten = published.results, published.stale, published.unwritten
    stats.orphaned, stats.changed = published.orphaned, published.changed
    if earlier:
        stats.regraded.append(totals_note(earlier, stats.results))
    stats.seconds = time.perf_counter() - started
    gradebook.finish_run(run_id, graded=stats.graded, crashed=stats.crashed, seconds=stats.seconds)
    return stats


def unchanged_since_found(sub: Submission) -> bool:
    """Whether the student's files are still those hashed when the run found them (listed again: a file
    added or deleted counts).  Grading reads them in between, so only then was what it read those files."""
    try:
        return content_hash(sub.entry, class_files(sub.entry)) == sub.content_hash
    except OSError:  # the entry cannot be listed any more
        return False


def plan_grading(gradebook: Gradebook, found: list[Submission], refs,
                 spec: SpecSource) -> tuple[list[Submission], dict[tuple[str, ...], list[str]]]:
    """What to grade: every submission new or changed since its stored result, and every one
    graded with a spec that has changed since, for the problem sets whose spec changed only
    (the others' stored grading is kept in :attr:`Submission.kept`).  Returns them, and for
    the latter, the problem sets graded again → the students graded again for them."""
    stored = gradebook.stored_keys()
    digests = gradebook.set_digests()
    wanted = {r.problem_set.id: spec.set_digest(r.problem_set) for r in refs}
    labels = {r.problem_set.id: [p.label for p in r.problem_set.parts] for r in refs}
    todo: list[Submission] = []
    regraded: dict[tuple[str, ...], list[str]] = {}
    for sub in found:
        key = stored.get(sub.student)
        if key is not None and key.content_hash == sub.content_hash:
            if key.spec_digest == spec.grading_digest:
                continue  # up to date
            had = digests.get(sub.student, {})
            sub = with_kept_sets(gradebook, sub, [i for i, digest in wanted.items() if had.get(i) == digest], labels)
            kept = {k.problem_set for k in sub.kept}
            regraded.setdefault(tuple(i for i in wanted if i not in kept), []).append(sub.student)
        todo.append(sub)
    return todo, regraded


def with_kept_sets(gradebook: Gradebook, sub: Submission, unchanged: list[str],
                   labels: dict[str, list[str]]) -> Submission:
    """``sub`` keeping the stored grading of the problem sets ``unchanged`` (their spec digest is
    the one the stored result was graded with) whose parts the stored result has as the spec lists them."""
    if not unchanged:
        return sub
    gradings, result = gradebook.set_gradings(sub.student), gradebook.result(sub.student)
    kept = []
    for set_id in unchanged:
        parts = {p.label: p for p in result.parts if p.problem_set == set_id} if result else {}
        if set_id in gradings and list(parts) == labels[set_id]:
            grading = gradings[set_id]
            kept.append(SetOutcome(set_id, tuple(parts.values()), grading.notes, grading.isolation,
                                   grading.answering))
    return replace(sub, kept=tuple(kept))


def regrade_notes(regraded: dict[tuple[str, ...], list[str]], refs, spec: SpecSource,
                  gradebook: Gradebook) -> list[str]:
    """Why submissions whose files did not change are graded again, and for which problem sets:
    "q2-activations spec changed: 44 students regraded for q2-activations only"."""
    every = [r.problem_set.id for r in refs]
    now = {r.problem_set.id: r.problem_set.digest for r in refs}
    last = last_finished_run(gradebook)
    before = {ps["id"]: ps["digest"] for ps in json.loads(last["problem_sets"])} if last else {}
    withheld_before = bool(last) and last["spec_digest"].endswith(("+withhold", "+withhold-rubric"))
    lines = []
    for sets, students in sorted(regraded.items(), key=lambda item: (-len(item[1]), item[0])):
        count = plural(len(students), "student")
        if not sets:
            dropped = sorted(set(before) - set(every)) or ["a problem set"]
            lines.append(f"{', '.join(dropped)} no longer given: {count} put together again without it, "
                         "nothing graded again")
            continue
        why, unsaid = [], []
        for set_id in sets:
            if set_id not in before:
                why.append(f"{set_id} is new")
            elif before[set_id] != now[set_id]:
                why.append(f"{set_id} spec changed")
            elif withheld_before != spec.withhold:
                why.append(f"--withhold {'given' if spec.withhold else 'left out'} since the last run")
            else:
                unsaid.append(set_id)  # graded by a run before this gradebook kept results per problem set
        only = " only" if len(sets) < len(every) else ""
        line = f"{'; '.join(dict.fromkeys(why)) or 'specs changed'}: {count} regraded for {', '.join(sets)}{only}"
        if unsaid:
            line += f" ({', '.join(unsaid)} too: their earlier results were not kept per problem set)"
        lines.append(line)
    return lines


def last_finished_run(gradebook: Gradebook) -> dict | None:
    """The last run that finished (else the last one): one interrupted since may have graded some
    students with the new specs already, and this is what the students still to regrade were graded
    with, and what the class files were last written from."""
    runs = gradebook.runs()
    return next((run for run in reversed(runs) if run["finished_at"]), runs[-1]) if runs else None


def published_totals(gradebook: Gradebook, students: list[str]) -> dict[str, str]:
    """Each student's stored total as grades.csv has it (overrides applied)."""
    overrides = gradebook.overrides()
    return {r.student: format_score(applied(r, overrides.get(r.student, {})).score)
            for r in gradebook.results(students)}


def totals_note(earlier: dict[str, str], results: list[SubmissionResult]) -> str:
    """Whose total in grades.csv the students regraded for a spec change now have changed, from what
    to what: "totals changed for 2 of 6 students regraded: dave 54.25 → 54.2, erin 57.5 → 57.4"."""
    now = {r.student: format_score(r.score) for r in results if r.student in earlier}
    changed = [f"{student} {earlier[student]} → {total}" for student, total in now.items()
               if total != earlier[student]]
    if not changed:
        return f"no total changed for the {plural(len(earlier), 'student')} regraded"
    shown = ", ".join(changed[:10]) + (" …" if len(changed) > 10 else "")
    return f"totals changed for {len(changed)} of {plural(len(earlier), 'student')} regraded: {shown}"


def plural(count: int, noun: str) -> str:
    """'1 student', '3 students'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def grade_all(todo: list[Submission], spec: SpecSource, refs, executor_factory: Callable[[], Executor],
              commit: Callable[..., None], progress: bool) -> None:
    """Grade ``todo`` through executors; a worker process that dies is survived.

    When a worker dies (e.g. killed by the OOM killer) the pool breaks and every
    unfinished future fails.  The unfinished submissions are tried once more in
    a fresh pool; whatever breaks that one too is graded alone, one at a time,
    so only the submission that kills its worker is marked as crashed.
    """
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the process pool forks after the bar exists
    bar = tqdm(total=len(todo), unit="student", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    try:
        remaining = _grade_round(todo, spec, refs, executor_factory, commit, bar)
        if remaining:
            remaining = _grade_round(remaining, spec, refs, executor_factory, commit, bar)
        for sub in remaining:
            if _grade_round([sub], spec, refs, executor_factory, commit, bar):
                commit(sub, crashed_result(sub.student, refs, "the grading process died"), True)
                bar.update()
    finally:
        bar.close()


INTERRUPTING = ("grader: interrupting: waiting for the submissions being graded to stop (Ctrl-C again to stop "
                "at once); what was graded is kept, and the same command finishes the rest")


def _grade_round(todo: list[Submission], spec: SpecSource, refs, executor_factory, commit, bar) -> list[Submission]:
    """One pass through a fresh executor; returns the submissions lost to a broken pool.

    A submission still grading after the time limit is recorded as not
    gradable and its worker stopped (see :mod:`grader.watchdog`); the others go on."""
    limit = watchdog.submission_time_limit()
    broken: list[Submission] = []
    finished: queue.SimpleQueue[Future] = queue.SimpleQueue()
    gave_up = False
    executor = executor_factory()
    try:
        futures: dict[Future, Submission] = {}
        for sub in todo:
            future = executor.submit(grade_submission, spec, sub.student, sub.files, limit, sub.entry, sub.kept)
            futures[future] = sub
            future.add_done_callback(finished.put)
        pending, started, watched_at = set(futures), {}, time.monotonic()
        while pending:
            with suppress(queue.Empty):
                future = finished.get(timeout=WATCH_SECONDS)
                if future in pending:  # not one given up on
                    pending.discard(future)
                    if _record(futures[future], future, refs, commit):
                        bar.update()
                    else:
                        broken.append(futures[future])
            now = time.monotonic()
            if now - watched_at < WATCH_SECONDS:
                continue
            watched_at = now
            for future in [f for f in pending if f.running()]:
                if now - started.setdefault(future, now) > limit:
                    pending.discard(future)
                    sub, gave_up = futures[future], True
                    watchdog.stop(sub.student)
                    commit(sub, crashed_result(sub.student, refs, took_too_long(limit, len(futures) == 1),
                                                now - started[future]), True)
                    bar.update()
    except KeyboardInterrupt:
        # Said at once: the submissions being graded may take seconds more to stop.
        with suppress(OSError):  # a terminal closed (SIGHUP) takes nothing more
            print(INTERRUPTING, file=sys.stderr, flush=True)
        raise
    finally:
        # Waiting for a stopped worker could be waiting forever.
        executor.shutdown(wait=not gave_up, cancel_futures=True)
    return sorted(broken, key=lambda s: s.student)


def _record(sub: Submission, future: Future, refs, commit) -> bool:
    """Commit the result of a finished future; False when a broken pool lost it."""
    try:
        (result, sets), crashed = future.result(), False
    except BrokenProcessPool:
        return False
    except SandboxUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a result that could not be sent back
        result, sets, crashed = crashed_result(sub.student, refs, f"{type(exc).__name__}: {exc}"), (), True
    crashed = crashed or any(n.startswith("The submission could not be graded") for n in result.notes)
    commit(sub, result, crashed, () if crashed else sets)
    return True


# How often the run looks for submissions over their time limit.
WATCH_SECONDS = 1.0


def took_too_long(limit: float, alone: bool = False) -> str:
    """Read by the student (on Gradescope, in every part) and by the instructor: a word for each.
    ``alone``: the only submission the run graded, as on Gradescope, where there is no class to speak of."""
    rest = (" (on Gradescope, build the autograder again with grader gradescope --time-limit)" if alone
            else "; the rest of the class was graded")
    return (f"grading it took longer than {limit:g} s, the limit for one submission, and was stopped, so no "
            "part could be graded. Look for code that runs for a long time: functions that loop forever, or "
            "work done when the file is loaded. For the instructor: grade it by hand, or raise the limit with "
            f"${watchdog.TIME_LIMIT_VARIABLE}{rest}.")


# ---------------------------------------------------------------------------
class RunLock:
    """One run per --out folder at a time (two writers would grade the same students twice)."""

    NAME = ".grader.lock"

    def __init__(self, out: Path):
        self.path = Path(out) / self.NAME
        self._handle = None
        self._created = False

    def __enter__(self) -> "RunLock":
        import fcntl

        from grader.cli import UsageError

        self._created = not self.path.parent.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a+")
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            raise UsageError(f"another grader run is using {self.path.parent}/ (wait for it to finish)") from None
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock (also when the process is killed)
        if exc_type is not None and self._created:
            # A run that failed before writing anything (a broken spec) leaves no empty --out behind.
            with suppress(OSError):
                self.path.unlink()
                self.path.parent.rmdir()
