"""pytest plugin: ``pytest --grader PROBLEMS path/to/submission``.

Inert unless ``--grader`` is given.  Then each submission named on the
command line (a file or a folder, as for ``grader check``) becomes one
collector with one test item per part of every problem set, named by the
handout's label (``submission::A1``, whatever pytest's rootdir).  The submission is graded once, on the
public cases only (``--grader-hidden`` runs hidden cases too, for an
instructor), the first time one of its items runs.

- a part with full marks passes; short of them it fails, explained like the
  feedback report (``repr_failure``), failing public cases listed;
- a written answer under a published spec is skipped: it is checked only at
  grading; so are the parts of a problem set the submission does not touch
  while it answers another set, unless the grader left notes on the
  submission that may say why (a file it could not read, an archive, a file
  labelling another homework's questions): then they fail with those notes;
- when nothing of the submission answers any problem set, every part fails
  (with the notes, if any): CI never passes green on a submission nothing of
  which was graded;
- a failing part's text ends with the submission's notes that may explain it
  (a notebook cell that raised a SyntaxError, before "dot is not defined"),
  but for the one that is its feedback already;
- everything printed shows a student's control characters as symbols, as
  ``grader check`` does;
- ``reportinfo`` points at the part in its spec file (path and line);
- nothing of a submission is imported into this process: no conftest.py is
  loaded, a ``.py`` named is collected only as a submission, and
  ``--grader-hidden`` requires the instructor's own configuration (``-c``),
  so that no submission's pytest settings apply;
- a path that holds tests and nothing a problem set asks for, or no path at
  all, is a usage error: the repository's own tests run in a separate call.

The design follows pytest's "non-python tests" example: a collector yields
items; an item raises a domain exception that ``repr_failure`` turns into
text, and any other error keeps its traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import pytest

from grader.safetext import control_pictures, one_line

_REFS = pytest.StashKey[list]()
_HIDDEN = pytest.StashKey[dict]()
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("grader")
    group.addoption("--grader", action="append", default=None, metavar="PROBLEMS",
                    help="grade the submissions named on the command line against these problem specs "
                         "(a YAML file or a folder; may be repeated)")
    group.addoption("--grader-hidden", action="store_true", default=False,
                    help="run hidden cases too (instructors): by default only public cases run")


def pytest_configure(config):
    if not config.getoption("grader"):
        return
    from grader.cli import hidden_case_count, load_references
    from grader.spec import SpecError

    try:
        refs = load_references(config.getoption("grader"), PYTEST_SUBMISSIONS_HINT)
    except SpecError as exc:
        raise pytest.UsageError("the problem specs have problems:\n" +
                                "\n".join(f"  {issue}" for issue in exc.issues)) from None
    published = [r.problem_set.path for r in refs if r.problem_set.published]
    if config.getoption("grader_hidden") and published:
        # Otherwise the run would pass on public cases alone and look like a full grading.
        raise pytest.UsageError(f"--grader-hidden runs hidden cases, but {published[0]} is a published copy "
                                "(grader publish): it holds no hidden cases or solutions. Give the instructor's "
                                "specs, or leave out --grader-hidden.")
    _refuse_what_is_not_a_submission(config, refs)
    config.stash[_REFS] = refs
    config.stash[_HIDDEN] = {r.problem_set.id: hidden_case_count(r) for r in refs}
    config.stash[_RESULTS] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config):
    """Under ``--grader``, load no conftest.py at all, as ``--noconftest`` does.

    pytest imports the conftest.py of every path named on the command line (and of the folders
    above it) into this process, where a submission's could rewrite the results, and where an
    instructor's specs hold solutions and hidden cases.  The grader's own items need none.
    tryfirst: before pytest's own hook loads them."""
    options = early_config.known_args_namespace
    if not options.grader:
        return
    options.noconftest = True
    if options.grader_hidden and not options.inifilename:
        raise pytest.UsageError(
            "with --grader-hidden, give pytest your own configuration file with -c FILE (-c /dev/null will do): "
            "pytest otherwise takes its settings from the first pytest.ini, pyproject.toml, tox.ini or setup.cfg "
            "above the paths named, which may be a submission's, and one saying '-p no:grader' would switch this "
            "plugin off and run the submission's conftest.py beside your specs' solutions and hidden cases.")


# Under pytest a folder of submissions is named after the specs, not with grader grade's --submissions.
PYTEST_SUBMISSIONS_HINT = "name it after the specs: pytest --grader PROBLEMS {}"


def _paths(args) -> list[Path]:
    """The paths named on the command line (``path::name`` names a test in a path)."""
    return [Path(str(arg).split("::")[0]).resolve() for arg in args]


def _refuse_what_is_not_a_submission(config, refs) -> None:
    """Every path named is graded as a submission: say so when it is none, rather than grade it."""
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        raise pytest.UsageError(f"pytest --grader grades the submissions named after the specs, and none is named: "
                                f"give one, e.g. pytest --grader {config.getoption('grader')[0]} submission "
                                "(a file or a folder; . for this folder). Run your own tests in a separate "
                                "pytest call.")
    asked = {name.casefold() for r in refs for name in r.problem_set.submission_files}
    for path in _paths(config.args):
        tests = _tests_instead_of_answers(config, path, asked)
        if tests:
            raise pytest.UsageError(f"{path} is not a submission: it holds tests ({tests[0]}) and no file a problem "
                                    "set asks for. pytest --grader grades every path it is given as a submission; "
                                    f"run your own tests in a separate pytest call (pytest {path}).")


def _tests_instead_of_answers(config, path: Path, asked: set[str]) -> list[Path]:
    """The pytest test files (and conftest.py) of ``path``, when none of its files is one a problem set asks for."""
    from fnmatch import fnmatch

    from grader.readers import submission_files

    files = submission_files(path) if path.exists() else []
    if any(f.name.casefold() in asked for f in files):
        return []
    patterns = [*config.getini("python_files"), "conftest.py"]
    return [f for f in files if any(fnmatch(f.name, pattern) for pattern in patterns)]


def _is_submission(config, path: Path) -> bool:
    """Only what the command line names is a submission; folders inside one are part of it."""
    if _REFS not in config.stash:
        return False
    return Path(path).resolve() in _paths(config.args)


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    # First: pytest's own collector of a folder holding __init__.py would import it.
    if _is_submission(parent.config, path):
        return SubmissionFolder.from_parent(parent, path=path, nodeid=_submission_nodeid(parent.config, path))
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    if _is_submission(parent.config, file_path):
        # Only as a submission: pytest collects a .py named on the command line as a test module, which it
        # would import into this process.
        nodeid = _submission_nodeid(parent.config, file_path)
        return [SubmissionFile.from_parent(parent, path=file_path, nodeid=nodeid)]
    return collected


def _submission_nodeid(config, path: Path) -> str | None:
    """pytest's own node ID (the path from its rootdir), or for a submission outside the rootdir its absolute
    path: pytest would give every such submission the same ID ("::A1" or the rootdir's), so that two students'
    parts were told apart neither in the report, nor in JUnit, nor by --lf.  pytest shows an absolute ID
    relative to the current folder (bob::A1)."""
    try:
        Path(path).relative_to(config.rootpath)
        return None
    except ValueError:
        return Path(path).absolute().as_posix()


class _Submission:
    """What a submission collector does, whether it is a file or a folder."""

    def collect(self):
        all_refs = self.config.stash[_REFS]
        labels = [p.label for r in all_refs for p in r.problem_set.parts]
        for refs in all_refs:
            for part in refs.problem_set.parts:
                # The handout's label is the test's name; two sets sharing a label are told apart by id.
                name = part.label if labels.count(part.label) == 1 else f"{refs.problem_set.id}::{part.label}"
                yield PartItem.from_parent(self, name=name, problem_set=refs.problem_set, part=part)

    def result(self):
        """Grade the submission once (lazily: ``--collect-only`` runs no student code)."""
        cache = self.config.stash[_RESULTS]
        if self.path not in cache:
            from grader.grading import Grader
            from grader.readers import submission_files

            with Grader(self.config.stash[_REFS], public_only=not self.config.getoption("grader_hidden")) as g:
                cache[self.path] = g.grade(self.path.stem if self.path.is_file() else self.path.name,
                                           submission_files(self.path))
        return cache[self.path]


class SubmissionFolder(_Submission, pytest.Directory):
    pass


class SubmissionFile(_Submission, pytest.File):
    pass


class PartFailed(Exception):
    """A part short of full marks; carries its result for ``repr_failure``."""

    def __init__(self, part_result, notes: list[str] = (), untouched: bool = False):
        super().__init__(part_result.label)
        self.part_result = part_result
        self.notes = list(notes)
        self.untouched = untouched  # nothing of the submission answers the part's problem set


class PartItem(pytest.Item):
    def __init__(self, *, problem_set, part, **kwargs):
        super().__init__(**kwargs)
        self.problem_set = problem_set
        self.part = part

    def runtest(self):
        from grader.grading import AT_GRADING, NOT_ANSWERED, NOT_DEFINED, notes_for, untouched_sets

        result = self.parent.result()
        mine = [p for p in result.parts if p.problem_set == self.problem_set.id]
        part = next(p for p in mine if p.label == self.part.label)
        sets = [r.problem_set for r in self.config.stash[_REFS]]
        notes = notes_for(result.notes, self.problem_set, sets)
        if all(p.status in (NOT_ANSWERED, NOT_DEFINED) for p in mine):
            # Skipped only beside a set that is answered: a run skipping every item would pass CI green.
            answered_elsewhere = any(p.status not in (NOT_ANSWERED, NOT_DEFINED) for p in result.parts)
            if answered_elsewhere and self.problem_set.id in untouched_sets(result, sets):
                _skip(f"not answered: no file of the submission answers {self.problem_set.id}")
            raise PartFailed(part, notes, untouched=True)
        if part.status == AT_GRADING:
            _skip(part.feedback)  # as grader check says it: a written answer, or a function with no public checks
        if not part.passed:
            raise PartFailed(part, notes)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PartFailed):
            failed = excinfo.value
            text = control_pictures(explain(failed.part_result, failed.notes,
                                            self.problem_set if failed.untouched else None))
            path, line, _ = self.reportinfo()
            if self.config.getoption("tbstyle", "auto") == "line":
                return OneLineFailure(text, path, line + 1)
            return f"{text}\n(the part is at {path}:{line + 1})"  # pytest prints no location for such text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        # pytest counts lines from 0; spec lines are counted from 1.
        return self.problem_set.path, max(self.part.line - 1, 0), f"{self.part.label}: {self.part.title}"


class OneLineFailure:
    """A failure under ``--tb=line``: pytest prints a report's text, then its crash line (``reprcrash``);
    the text is left out of the terminal, so that each failure is the one line asked for.  JUnit still
    gets the whole text (``str``)."""

    def __init__(self, text: str, path: Path, line: int) -> None:
        self.text = text
        self.reprcrash = CrashLine(str(path), line, text.splitlines()[0])

    def toterminal(self, out) -> None:
        pass

    def __str__(self) -> str:
        return self.text


class CrashLine:
    """``path:line: message``, as pytest's own crash lines read, so editors can jump to the part."""

    def __init__(self, path: str, lineno: int, message: str) -> None:
        self.path, self.lineno, self.message = path, lineno, message

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.message}"


def _skip(reason: str) -> None:
    """Skip the item, the summary naming the part in its spec (``SKIPPED [1] problems/q2.yaml:40``), not this
    file: pytest's own skip marks do so through ``_use_item_location``, which older versions lack."""
    reason = control_pictures(reason)
    try:
        raise pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:
        pytest.skip(reason)


def explain(p: Any, notes: Sequence[str] = (), untouched: Any = None) -> str:
    """A failed part, as the feedback report says it, then the submission's notes that may explain it.

    ``untouched``: the part's problem set when nothing of the submission answers it."""
    from grader.results import points_phrase

    verdict = p.status + (" (provisional)" if p.provisional else "")
    lines = [f"{p.label} {p.title}: {p.score:g} / {points_phrase(p.max_score)} — {verdict}", p.explanation()]
    if p.source:
        lines.append(f"(graded from {p.source})")
    notes = [note for note in notes if note not in lines[1]]  # a file that could not be run is the feedback itself
    if notes:
        lines.append(f"Nothing in the submission answers {untouched.id}; the notes on the submission may say why:"
                     if untouched else "Notes on the submission:")
        lines.extend(f"  {note}" for note in notes)
    elif untouched:  # failed, not skipped: nothing of the submission answers any set
        from grader.grading import either

        lines.append(f"Nothing in the submission answers any problem set checked: hand in "
                     f"{either(list(untouched.submission_files))} "
                     f"for {untouched.id}.")
    return "\n".join(line for line in lines if line)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _REFS not in config.stash or not config.stash[_RESULTS]:
        return
    for path, result in config.stash[_RESULTS].items():
        summary = _graded_line(result) if config.getoption("grader_hidden") else _self_check_line(config, result)
        terminalreporter.write_line(f"grader: {one_line(path.name)}: {control_pictures(summary)}")
        for note in result.notes:
            terminalreporter.write_line(f"grader: note: {control_pictures(note)}")


def _self_check_line(config, result) -> str:
    """The total on the public checks, and what grading alone will tell, as grader check says it."""
    from grader.cli import self_check_line
    from grader.results import points_phrase

    sets = [r.problem_set for r in config.stash[_REFS]]
    later = result.at_grading_points
    total = f"{result.score:g} / {points_phrase(result.max_score - later)} on the public checks" + \
        (f" ({later:g} more checked at grading)" if later else "")
    return f"{total}; {self_check_line(result, config.stash[_HIDDEN], sets)}"


def _graded_line(result) -> str:
    """The total with the hidden cases run (--grader-hidden): nothing is left for grading to check."""
    short = sum(1 for p in result.parts if not p.passed)
    return (f"{result.total_text()}, hidden cases included; "
            + (f"{short} of {len(result.parts)} parts short of full marks" if short else "every part has full marks"))
