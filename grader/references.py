"""Spec → references: run the instructor's (trusted) SymPy/NumPy code.

Every reference answer is *computed* here: a part's ``reference`` expression,
each code case's arguments and the reference solution's output for them, and
the values of known mistakes.  Failures become located :class:`SpecIssue`\\ s,
never tracebacks.

Each piece of spec code (the setup, one reference, one case's call of the
reference solution, ...) gets :func:`time_limit` seconds of wall-clock time:
a loop that never ends or a SymPy call that would take hours is an
instructor's mistake, stopped and reported instead of hanging every command.
The stop is an exception raised by ``SIGALRM``, so it only reaches Python
code, and only in the main thread (where every command computes references;
elsewhere there is no limit): one long operation in C, such as
``10**10**9``, is stopped when it returns.

Instructor code is trusted; student text and code never come near this
module's ``eval``/``exec``.
"""
from __future__ import annotations

import builtins
import copy
import difflib
import hashlib
import importlib
import json
import signal
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.sandbox.codec import encode_trusted, type_name
from grader.spec import Case, CodeSpec, Mistake, Part, ProblemSet, SpecError, SpecIssue
from grader.timelimit import seconds_from_environment


class RaisedException:
    """What a reference solution raised for a case (the case expects it)."""

    def __init__(self, exc: BaseException):
        self.name = type(exc).__name__
        self.bases = tuple(c.__name__ for c in type(exc).__mro__)
        self.message = str(exc)

    @classmethod
    def named(cls, name: str) -> "RaisedException":
        """The exception a published spec's case expects, known only by name."""
        expected = cls.__new__(cls)
        expected.name, expected.bases, expected.message = name, (name,), ""
        return expected

    def __repr__(self) -> str:
        return f"<raises {self.name}>"


@dataclass(frozen=True)
class MistakeValue:
    mistake: Mistake
    value: Any  # the wrong answer for a text part; None for code mistakes


@dataclass(frozen=True)
class CaseReference:
    case: Case
    args: tuple
    expected: Any  # the value, or a RaisedException
    mistake_values: tuple[tuple[Mistake, Any], ...]  # per code mistake with a 'solution': its output here


@dataclass(frozen=True)
class PartReference:
    part: Part
    value: Any  # the reference of a written answer (None for code-only parts)
    mistakes: tuple[MistakeValue, ...]
    cases: tuple[CaseReference, ...]
    predicates: tuple[tuple[Mistake, Callable[..., bool]], ...]  # code mistakes given by 'when'


@dataclass(frozen=True)
class ProblemReferences:
    problem_set: ProblemSet
    parts: dict[str, PartReference] = field(default_factory=dict)

    def __getitem__(self, label: str) -> PartReference:
        return self.parts[label]


class _ImportedOnFirstUse:
    """A module that is imported when spec code first reads from it:
    ``scipy.stats`` takes half a second to import, and a written-answers
    spec never touches it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def base_namespace() -> dict[str, Any]:
    """What spec code sees: all of SymPy, plus numpy as ``np``, scipy and ``stats``."""
    import numpy as np
    import scipy  # loads its submodules (scipy.optimize, ...) on first use
    import sympy

    ns: dict[str, Any] = {}
    exec("from sympy import *", ns)  # noqa: S102 - trusted instructor namespace
    ns.update(np=np, numpy=np, scipy=scipy, stats=_ImportedOnFirstUse("scipy.stats"), sp=sympy, sympy=sympy)
    return ns


def case_seed(secret: str, label: str, case_name: str) -> int:
    """A fixed seed per case, so generated inputs are the same on every run and machine.

    ``secret`` (:func:`inputs_secret`) is in it because students have this code and can guess
    case names ("random"): from the set id, label and name alone they could draw the hidden
    inputs themselves."""
    digest = hashlib.sha256(f"{secret}/{label}/{case_name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def inputs_secret(ps: ProblemSet) -> str:
    """A digest of what only the instructor's spec holds, and what decides the answers: the setup,
    the references and solutions, the hidden cases.  Not of the whole file: editing points,
    prompts or feedback, or adding a known mistake, keeps every generated input (and so the
    sandbox runs a class run can reuse); renaming a case draws a new one."""
    def part_secret(part: Part) -> list:
        code = part.code
        hidden = [] if code is None else [[c.name, repr(_plain(c.args))] for c in code.cases if not c.public]
        return [part.label, part.reference, code and code.solution, hidden]

    kept = _SECRETS.get(id(ps))
    if kept is not None and kept[0] is ps:
        return kept[1]
    text = json.dumps([ps.id, ps.setup, [part_secret(part) for part in ps.parts]])
    secret = hashlib.sha256(text.encode()).hexdigest()
    _SECRETS.clear()  # one problem set at a time is computed: keep only the latest
    _SECRETS[id(ps)] = (ps, secret)  # holding ps keeps its id from being reused
    return secret


_SECRETS: dict[int, tuple[ProblemSet, str]] = {}  # asked for every generated case of a set


# Spec code taking longer than this is taken for a mistake and stopped; honest
# references take seconds.
TIME_LIMIT_SECONDS = 60.0
TIME_LIMIT_VARIABLE = "GRADER_REFERENCE_TIME_LIMIT"  # seconds; overrides TIME_LIMIT_SECONDS
# Spec code that catches the stop and carries on (a bare ``except:``) is stopped again this often.
_STOP_AGAIN_SECONDS = 1.0


class _TookTooLong(BaseException):
    """Raised into spec code that ran out of time.  Not an ``Exception``, so
    neither spec code's ``except Exception`` nor :func:`call_reference`
    takes the stop for a result."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"took longer than {self.seconds:g} s"


def time_limit() -> float:
    """Seconds each piece of spec code may run: ``$GRADER_REFERENCE_TIME_LIMIT`` or :data:`TIME_LIMIT_SECONDS`."""
    return seconds_from_environment(TIME_LIMIT_VARIABLE, TIME_LIMIT_SECONDS)


def _limited(run: Callable[[], Any]) -> Any:
    """``run()``, or :class:`_TookTooLong` once it has run :func:`time_limit` seconds (wall clock).

    Outside the main thread, or without ``setitimer``, ``run()`` has no
    limit.  The previous ``SIGALRM`` handler and timer are put back after."""
    seconds = time_limit()
    stopped = []

    def stop(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, _STOP_AGAIN_SECONDS)  # in case the spec code swallows this one
        stopped.append(True)
        raise _TookTooLong(seconds)

    try:
        previous_timer = signal.getitimer(signal.ITIMER_REAL)[0]
        previous_handler = signal.signal(signal.SIGALRM, stop)
    except (ValueError, AttributeError):  # not the main thread; no SIGALRM on this system
        return run()
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)  # inside the try: even a stop this early is cleaned up
        value = run()
    finally:
        _restore_alarm(previous_handler, previous_timer, started)
    if stopped:  # the spec code caught the stop and returned anyway: its value is not to be trusted
        raise _TookTooLong(seconds)
    return value


def _restore_alarm(handler: Any, timer: float, started: float) -> None:
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if handler is None else handler)
            if timer:  # someone else's timer (a test runner's, say) keeps counting from where it was
                signal.setitimer(signal.ITIMER_REAL, max(timer - (time.monotonic() - started), 1e-6))
            return
        except _TookTooLong:
            continue  # a stop that came just as the code finished; the timer is off now


def _short_error(exc: BaseException) -> str:
    # The last frame inside spec code points at the culprit; the type and message say what.
    if isinstance(exc, MemoryError) and not str(exc):
        return "MemoryError: it ran out of memory"
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 400 else text[:400] + "…"


def compute_references(ps: ProblemSet) -> ProblemReferences:
    """Compute every reference of a problem set, or raise :class:`SpecError` listing all failures."""
    issues: list[SpecIssue] = []
    time_limit()  # a bad override is a usage error before any spec code runs
    ns = base_namespace()
    if ps.setup:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = compile(ps.setup, _SETUP_FILENAME, "exec")
                _limited(lambda: exec(code, ns))  # noqa: S102 - trusted
        except _TookTooLong as stop:
            raise SpecError([SpecIssue(ps.path, _setup_line(ps, stop), f"the 'setup' code {stop} to run (stopped)")]) \
                from None
        except Exception as exc:  # noqa: BLE001 - report any failure, located
            raise SpecError([SpecIssue(ps.path, _setup_line(ps, exc), f"the 'setup' code failed: {_short_error(exc)}")])

    refs = ProblemReferences(ps)
    for part in ps.parts:
        try:
            refs.parts[part.label] = _part_reference(ps, part, ns, issues)
        except _Located as loc:
            issues.append(SpecIssue(ps.path, loc.line, f"part {part.label}: {loc.message}"))
    if issues:
        raise SpecError(issues)
    return refs


class _Located(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


_SETUP_FILENAME = "<the setup>"


def _setup_line(ps: ProblemSet, exc: BaseException) -> int:
    """The spec file's line where the setup code failed (or was stopped), else its ``setup:`` key's line."""
    key_line, block = 0, False
    try:
        for number, text in enumerate(ps.path.read_text(encoding="utf-8").splitlines(), 1):
            if text.startswith("setup:"):
                # Only a literal block (``setup: |``) keeps the code's lines where they are in the file.
                key_line, block = number, text[len("setup:"):].strip().startswith("|")
                break
    except OSError:
        pass
    code_line = _line_in_setup(exc)
    return key_line + code_line if key_line and block and code_line else key_line


def _line_in_setup(exc: BaseException) -> int | None:
    if isinstance(exc, SyntaxError) and exc.filename == _SETUP_FILENAME:
        return exc.lineno
    lines = [line for frame, line in traceback.walk_tb(exc.__traceback__)
             if frame.f_code.co_filename == _SETUP_FILENAME]
    return lines[-1] if lines else None  # the innermost setup line: the one that was running


def _eval(expression: str, ns: dict, line: int, what: str, extra: dict | None = None) -> Any:
    scope = dict(ns)
    if extra:
        scope.update(extra)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(expression, f"<{what}>", "eval")
            return _limited(lambda: eval(code, scope))  # noqa: S307 - trusted spec code
    except _TookTooLong as stop:
        raise _Located(line, f"{what} {stop} to compute (stopped)") from None
    except SyntaxError as exc:
        raise _Located(line, f"{what} is not a valid Python expression: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001
        raise _Located(line, f"computing {what} failed: {_short_error(exc)}") from None


def load_function(source: str, name: str, ns: dict, line: int, what: str) -> Callable:
    """Exec trusted solution source and return the function called ``name``."""
    scope = dict(ns)
    try:
        code = compile(source, f"<{what}>", "exec")
        _limited(lambda: exec(code, scope))  # noqa: S102 - trusted spec code
    except _TookTooLong as stop:
        raise _Located(line, f"{what} {stop} to run (stopped)") from None
    except SyntaxError as exc:
        raise _Located(line, f"{what} is not valid Python: {exc.msg} (line {exc.lineno} of it)") from None
    except Exception as exc:  # noqa: BLE001
        raise _Located(line, f"{what} failed to run: {_short_error(exc)}") from None
    fn = scope.get(name)
    if not callable(fn):
        raise _Located(line, f"{what} does not define a function {name!r}")
    return fn


def call_reference(fn: Callable, args: tuple) -> Any:
    """Call trusted code on a deep copy of the arguments (a solution must not alter the case).

    Raises :class:`_TookTooLong` when the call runs out of time."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _limited(lambda: fn(*copy.deepcopy(args)))
    except Exception as exc:  # noqa: BLE001 - an expected exception is a result
        return RaisedException(exc)


def case_arguments(ps: ProblemSet, part: Part, case: Case, ns: dict) -> tuple:
    if isinstance(case.args, str):
        import numpy as np

        rng = np.random.default_rng(case_seed(inputs_secret(ps), part.label, case.name))
        value = _eval(case.args, ns, case.line, f"the arguments of case {case.name!r}", {"rng": rng})
        if not isinstance(value, (tuple, list)):
            raise _Located(case.line, f"the arguments of case {case.name!r} must evaluate to a list or tuple "
                           f"of arguments, got {type(value).__name__}")
        return tuple(value)
    return tuple(_plain(a) for a in case.args)


def _plain(value: Any) -> Any:
    """YAML literal → plain Python (our LineList/LineDict subclasses must not reach student code)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _part_reference(ps: ProblemSet, part: Part, ns: dict, issues: list[SpecIssue]) -> PartReference:
    value = None
    if part.kind == "rubric":
        value = part.rubric
    elif part.reference is not None:
        value = _eval(part.reference, ns, part.reference_line or part.line, "the reference")
    mistakes = []
    for m in part.mistakes:
        if m.value is not None:
            mistakes.append(MistakeValue(m, _eval(m.value, ns, m.line, "a mistake's value")))
    cases: list[CaseReference] = []
    predicates: list[tuple[Mistake, Callable]] = []
    if part.code is not None:
        cases, predicates = _code_references(ps, part, part.code, ns, issues)
    return PartReference(part, value, tuple(mistakes), tuple(cases), tuple(predicates))


def _code_references(ps: ProblemSet, part: Part, code: CodeSpec, ns: dict, issues: list[SpecIssue]):
    # A published spec has no solution: its cases carry the expected values (see grader.publish).
    solution = load_function(code.solution, code.function, ns, code.line, "the reference solution") \
        if code.solution else None
    wrong: list[tuple[Mistake, Callable]] = []
    predicates: list[tuple[Mistake, Callable]] = []
    for m in part.mistakes:
        if m.solution is not None:
            wrong.append((m, load_function(m.solution, code.function, ns, m.line, "a mistake's solution")))
        elif m.when is not None:
            try:
                compiled = compile(m.when, "<mistake predicate>", "eval")
            except SyntaxError as exc:
                raise _Located(m.line, f"a mistake's 'when' is not a valid Python expression: {exc.msg}") from None

            def predicate(outcome_ns: dict, _code=compiled) -> bool:
                scope = dict(ns)
                scope.update(outcome_ns)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return bool(eval(_code, scope))  # noqa: S307 - trusted predicate on plain data
                except Exception:  # noqa: BLE001 - a predicate that cannot apply does not match
                    return False

            predicates.append((m, predicate))

    cases = []
    for number, case in enumerate(code.cases, 1):
        try:
            args = case_arguments(ps, part, case, ns)
        except _Located as loc:
            issues.append(SpecIssue(ps.path, loc.line, f"part {part.label}: {loc.message}"))
            continue
        unsendable = _unsendable_argument(args)
        if unsendable:
            issues.append(SpecIssue(ps.path, case.line, f"part {part.label}, case {number} ({case.name!r}): "
                                    f"{unsendable}"))
            continue
        if solution is None:
            try:
                expected = RaisedException.named(case.raises) if case.raises else \
                    _eval(case.expected, ns, case.line, f"the expected value of case {case.name!r}")
                # What known mistakes return here (grader publish wrote them for want of their solutions).
                known = tuple((m, _eval(m.value, ns, m.line, f"what a known mistake returns on case {case.name!r}"))
                              for m in case.mistakes)
            except _Located as loc:
                issues.append(SpecIssue(ps.path, loc.line, f"part {part.label}: {loc.message}"))
                continue
            cases.append(CaseReference(case, args, expected, known))
            continue
        try:
            expected = call_reference(solution, args)
        except _TookTooLong as stop:
            # A solution that never ends on one case would cost the limit again on every later one.
            later = "; the later cases were not computed" if number < len(code.cases) else ""
            issues.append(SpecIssue(ps.path, case.line, f"part {part.label}: the reference solution {stop} on "
                                    f"case {case.name!r} (stopped{later})"))
            break
        if isinstance(expected, RaisedException):
            if case.raises is None:
                issues.append(SpecIssue(ps.path, case.line, f"part {part.label}: "
                                        f"{_unexpected_exception(expected, case)}"))
                continue
            if case.raises not in expected.bases:
                issues.append(SpecIssue(ps.path, case.line, f"part {part.label}: case {case.name!r} expects "
                                        f"{case.raises} but the reference solution raised {expected.name}"
                                        f"{_exception_hint(case.raises, expected.bases)}"))
                continue
        elif case.raises is not None:
            issues.append(SpecIssue(ps.path, case.line, f"part {part.label}: case {case.name!r} expects "
                                    f"{case.raises} but the reference solution returned normally"
                                    f"{_exception_hint(case.raises, ())}"))
            continue
        mistake_values = []
        for m, fn in list(wrong):
            try:
                mistake_values.append((m, call_reference(fn, args)))
            except _TookTooLong as stop:
                issues.append(SpecIssue(ps.path, m.line, f"part {part.label}: a mistake's solution {stop} on case "
                                        f"{case.name!r} (stopped)"))
                wrong.remove((m, fn))  # and is not run on the later cases
        cases.append(CaseReference(case, args, expected, tuple(mistake_values)))
    return cases, predicates


def _unsendable_argument(args: tuple) -> str | None:
    """Why one of a case's arguments cannot reach the student's code, or None.

    The call runs in a sandboxed process that receives plain data only
    (grader.sandbox.codec), so a function, a SymPy object or any other
    object would fail when sent, for every student alike."""
    for number, arg in enumerate(args, 1):
        try:
            encode_trusted(arg)
        except TypeError as exc:
            what = "a function" if callable(arg) and not isinstance(arg, type) else \
                str(exc).removeprefix("cannot send ").removesuffix(" to a sandboxed call")
            verb = "is" if callable(arg) or what == f"a value of type {type_name(arg)}" else "holds"
            return (f"argument {number} {verb} {what}; case arguments must be data the sandbox can send: "
                    f"numbers, strings, lists, tuples, dicts, NumPy arrays of numbers, True/False and None "
                    f"(to test a function that takes functions, pass coefficients, or a string naming a function "
                    f"that the student's code looks up)")
    return None


def _exception_hint(name: str, raised: tuple[str, ...]) -> str:
    """' (did you mean ZeroDivisionError?)' when ``name`` looks misspelt."""
    known = [n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)]
    if name in known or name in raised:
        return ""
    close = difflib.get_close_matches(name, [*raised, *known], n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else ""


def _unexpected_exception(raised: RaisedException, case: Case) -> str:
    # Running out of memory or stack is the solution's own failure, never an outcome to expect of students.
    if raised.name == "MemoryError":
        return f"the reference solution ran out of memory on case {case.name!r} (MemoryError)"
    if raised.name == "RecursionError":
        return f"the reference solution recursed too deep on case {case.name!r} (RecursionError: {raised.message})"
    return (f"the reference solution raised {raised.name} on case {case.name!r} ({raised.message}); "
            f"add 'raises: {raised.name}' if that is expected")


def format_exception_for_spec(exc: BaseException) -> str:  # pragma: no cover - debugging aid
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
