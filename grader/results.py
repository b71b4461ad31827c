"""Verdicts → results: plain, frozen records and their JSON forms.

``SubmissionResult.to_gradescope()`` is the results.json promised in
INTERFACE.md.  Everything here is deterministic: the same grading gives the
same JSON bytes, with timings kept in their own fields.
"""
from __future__ import annotations

import copy
import errno
import functools
import itertools
import json
import os
import re
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.safetext import control_pictures


@dataclass(frozen=True)
class CaseResult:
    """One code case, as the student may see it (hidden inputs never stored here)."""

    name: str  # "hidden case 3" for hidden ones
    public: bool
    status: str
    credit: float
    feedback: str
    stdout: str = ""


@dataclass(frozen=True)
class PartResult:
    problem_set: str
    label: str
    title: str
    max_score: float
    score: float
    status: str  # correct | partial | incorrect | could not read | not answered | not defined | error
    feedback: str
    source: str = ""  # which file the verdict came from
    answer: str = ""  # the answer as read (text or LaTeX), for the report
    answer_latex: str = ""
    expected_latex: str = ""  # only for public parts/cases
    provisional: bool = False
    details: tuple[str, ...] = ()
    cases: tuple[CaseResult, ...] = ()
    hidden_cases: int = 0  # how many hidden cases were run (or will run at grading)
    override: str = ""  # instructor comment when overridden
    overridden: bool = False  # score set by the instructor (status then follows that score)
    automatic_status: str = ""  # the automatic grading's status, when overridden
    # A self-check has no public check that can score this part (a written answer under a
    # published spec, a function with hidden cases only): its points are earned at grading.
    at_grading: bool = False

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score - 1e-9

    def read_line(self, limit: int = 120) -> str:
        """"Read: …", the written answer as the grader found it, when the verdict is not a pass: a
        student who sees only "The value is not right." must be able to tell a misreading from a
        mistake.  Empty when the feedback already quotes it, or for code (its cases say what it returned)."""
        if not self.answer or self.cases or self.passed or self.status == "not answered":
            return ""
        shown = one_line(self.answer, limit)
        quoted = " ".join(self.feedback.split()).replace("\\\\", "\\")  # a repr doubles backslashes
        if one_line(self.answer, 40).rstrip("…") in quoted:
            return ""
        return f"Read: {shown}"

    def explanation(self) -> str:
        """The feedback, what was read, the rubric or check details, and each failed case, as the
        HTML report lists them (hidden cases by number, never their inputs); a known mistake's
        feedback, already said in the feedback, is not repeated per case."""
        read = self.read_line()
        lines = [self.feedback] + ([read] if read else []) + [f"- {d}" for d in self.details]
        for case in self.cases:
            if case.credit < 1.0:
                said = bool(case.feedback) and case.feedback in self.feedback
                lines.append(f"✗ {case.name}: " + (SAID_ABOVE if said else case.feedback) if case.feedback
                             else f"✗ {case.name}")
        return "\n".join(lines)


# A failed case's line when its feedback (a known mistake's) is the part's, already said: a bare
# "✗ hidden case 2" would read as cut short.
SAID_ABOVE = "the known mistake said above"


def one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut at a space where one is near the limit (``9.31 \\times…``, not ``9.31 \\ti…``)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit - 1] + "…"


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    parts: tuple[PartResult, ...]
    notes: tuple[str, ...] = ()  # submission-level messages (import failures, skipped files…)
    isolation: dict = field(default_factory=dict)
    seconds: float = 0.0  # timing, excluded from the deterministic output

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 6)

    @property
    def at_grading_points(self) -> float:
        """Points no public check can award in a self-check: they are earned at grading."""
        return round(sum(p.max_score for p in self.parts if p.at_grading), 6)

    def total_text(self, max_score: float | None = None) -> str:
        """The total as every output words it: a self-check's counts only what its public
        checks can award, and says how much is left for grading."""
        max_score = self.max_score if max_score is None else max_score
        later = self.at_grading_points
        if not later:
            return f"{_round(self.score):g} / {_round(max_score):g} points"
        if _round(max_score - later) == 0:
            return f"no public check awards points here; all {later:g} points are checked at grading"
        return (f"{_round(self.score):g} / {_round(max_score - later):g} points on the public checks; "
                f"{later:g} more points are checked at grading")

    def to_gradescope(self, include_timing: bool = False) -> dict[str, Any]:
        """Gradescope's results.json: one test per part, ``number`` = the handout label."""
        tests = []
        for p in self.parts:
            output = p.explanation()
            if p.source:
                output += f"\n(graded from {p.source})"
            # A student's exception message or printed output may hold ESC or NUL: `jq -r` would run
            # the one on a terminal, and databases refuse the other.  Every other output shows symbols.
            output = control_pictures(output)
            tests.append({
                "number": p.label,
                "name": p.title,
                "score": _round(p.score),
                "max_score": _round(p.max_score),
                "status": "passed" if p.passed else "failed",
                "output": output,
                "visibility": "visible",
                "extra_data": _test_data(p),
            })
        result: dict[str, Any] = {
            "score": _round(self.score),
            "execution_time": round(self.seconds, 3) if include_timing else 0,
            "output": control_pictures("\n".join([f"{self.total_text()}.", *self.notes])),
            "tests": tests,
            "extra_data": {"student": self.student, "isolation": self.isolation},
        }
        return result

    def to_json(self) -> dict[str, Any]:
        """A full, lossless record (for the gradebook and --json): ``dataclasses.asdict`` plus the totals.

        Written out because ``asdict`` deep-copies every field of every case
        (over a hundred per student) and cost more than the rest of storing a result.
        """
        data = _field_values(self)
        data["parts"] = tuple(_part_json(p) for p in self.parts)
        data["isolation"] = copy.deepcopy(self.isolation)
        data["score"] = self.score
        data["max_score"] = self.max_score
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], shared: dict | None = None) -> "SubmissionResult":
        """The result :meth:`to_json` stored.

        ``shared``: a dict to pass to every call when reading many results;
        equal parts and cases (a correct answer's, in most students' results)
        then become one object, which makes a class's results a fraction of
        the memory and quicker to read.
        """
        shared = {} if shared is None else shared
        parts = tuple(_shared_part(p, shared) for p in data["parts"])
        return cls(data["student"], parts, tuple(data.get("notes", ())), data.get("isolation", {}),
                   data.get("seconds", 0.0))


def _test_data(p: PartResult) -> dict[str, Any]:
    """A test's extra_data: ``verdict`` follows the score that counts; an
    overridden part keeps the automatic grading's in ``automatic_verdict``."""
    data: dict[str, Any] = {"problem_set": p.problem_set, "verdict": p.status, "provisional": p.provisional,
                            "overridden": p.overridden}
    if p.overridden:
        data["automatic_verdict"] = p.automatic_status
    return data


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _field_values(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _field_names(type(record))}


def _part_json(part: PartResult) -> dict[str, Any]:
    data = _field_values(part)
    data["cases"] = tuple(_field_values(c) for c in part.cases)
    return data


def _typed(values: dict[str, Any]) -> tuple:
    # Each value's type too: 1 == 1.0 == True, but they are written differently.
    return (*values.items(), *map(type, values.values()))


def _shared_case(data: dict[str, Any], shared: dict) -> CaseResult:
    key = _typed(data)
    case = shared.get(key)
    if case is None:
        case = shared[key] = CaseResult(**data)
    return case


def _shared_part(data: dict[str, Any], shared: dict) -> PartResult:
    cases = tuple(_shared_case(c, shared) for c in data.get("cases", ()))
    details = tuple(data.get("details", ()))
    values = {name: value for name, value in data.items() if name not in ("cases", "details")}
    key = (_typed(values), details, *map(id, cases))  # cases by identity: equal ones are one object already
    part = shared.get(key)
    if part is None:
        part = shared[key] = PartResult(**values, details=details, cases=cases)
    return part


def _round(value: float) -> float:
    return round(float(value), 6)


def dumps(data: Any) -> str:
    """Canonical JSON text: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_TEMP_NUMBERS = itertools.count()  # next() on it is atomic: threads may write files at once


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``; a lone surrogate (student text can spell one
    in JSON or YAML) becomes U+FFFD instead of failing the whole file."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a file so readers see the old or the new content, never half of it.

    A temporary file renamed over the target, with as few system calls as
    that takes: each one lets go of the GIL, and in a class run the thread
    writing outputs then waits for the grading threads to hand it back.

    No fsync.  Everything written here can be written again: a class's
    outputs are regenerated from the gradebook (the one store that must
    survive, see :mod:`grader.gradebook`), a single report by rerunning the
    command.  Without it a killed process (even ``kill -9``) still leaves the
    old or the new file, as the kernel completes the write; only a power cut
    can leave a file written in its last seconds empty.  An fsync per file
    cost more than rendering the file, twice per student.
    """
    path = Path(path)
    if path.is_dir():  # else the error would name the temporary file
        raise IsADirectoryError(errno.EISDIR, "a folder is there, not a file", str(path))
    fd, tmp = _create_temporary(path)
    try:
        data = memoryview(text if isinstance(text, bytes) else _utf8(text))
        while data:
            data = data[os.write(fd, data):]
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_if_changed(path: Path, text: str | bytes) -> bool:
    """Write ``path`` (atomically) unless it already holds exactly these bytes.
    Returns whether it was written.  Only a regular file of the same size is
    read to compare: anything else there is replaced without opening it."""
    path = Path(path)
    data = text if isinstance(text, bytes) else _utf8(text)
    try:
        if stat.S_ISREG((info := path.lstat()).st_mode) and info.st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass  # not there, or not readable: writing it says what is wrong, if anything
    write_atomic(path, data)
    return True


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file next to ``path`` (its folder made when missing), open for writing.  An error
    names ``path``: the temporary file's name means nothing to the user."""
    try:
        try:
            return _create_next_to(path)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            return _create_next_to(path)
    except OSError as exc:
        if exc.errno in (None, errno.ENOTDIR) or not str(exc.filename or "").endswith(".tmp"):
            raise  # a file where the folder should be: callers name that folder
        raise type(exc)(exc.errno, f"cannot write a file there ({exc.strerror})", str(path)) from None


def _create_next_to(path: Path) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = str(path.with_name(f".{path.name}.{os.getpid()}.{next(_TEMP_NUMBERS)}.tmp"))
        try:
            # Mode 0o666 less the umask: reports are meant to be read (by a web server, a TA).
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # left by a killed process that had this pid: take the next name
            continue


def number_text(value: float) -> str:
    """The shortest text that reads back as ``value`` (50, 12.5, 50.0000001): two numbers
    that differ never print the same, as ":g" made 50.0000001 and 50 both "50"."""
    text = repr(float(value) + 0.0)  # + 0.0: -0 as 0
    return text.removesuffix(".0")


def points_phrase(value: float) -> str:
    """ "1 point", "2.5 points"."""
    return f"{number_text(value)} point" + ("" if value == 1 else "s")

