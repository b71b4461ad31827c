"""Problem specs: YAML files → validated :class:`ProblemSet` objects.

The format is documented in ``docs/spec-format.md``.  Loading checks every
key and value and collects *all* problems, each as a :class:`SpecIssue` with
file and line, so an instructor fixes a spec in one pass.  Nothing here runs
spec code; :mod:`grader.references` does that.
"""
from __future__ import annotations

import ast
import builtins
import dataclasses
import difflib
import functools
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from grader.checkers import get_checker, known_kinds, make_options
from grader.checkers.choice import normalise_choice
from grader.mathread import make_symbol
from grader.spec_issues import SpecError, SpecIssue  # noqa: F401 - where importers have always found them
from grader.yamlread import LineDict, LineList, YamlError, load_yaml_file


@dataclass(frozen=True)
class Case:
    """One call of a student function (code parts)."""

    name: str
    public: bool
    args: Any  # a Python expression (str) evaluated in the spec namespace, or a YAML list of literal args
    raises: str | None
    line: int
    expected: str | None = None  # published specs only: a Python expression giving the expected value
    # Published specs only: what known mistakes return on this case, each a Mistake whose
    # ``value`` is that output as a Python expression (``grader publish`` runs the mistakes'
    # solutions, which students must not read, and writes their outputs here).
    mistakes: tuple["Mistake", ...] = ()


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer with targeted feedback.

    Exactly one of ``value`` (a Python expression computing the wrong answer,
    matched against text answers with the part's checker), ``solution`` (the
    source of a wrong function, matched against code outputs case by case)
    or ``when`` (a predicate over a code outcome: ``value``, ``exception``,
    ``message``, ``args``) is set.  A published spec's case lists what a
    mistaken solution returns on it as mistakes with a ``value`` (see
    :attr:`Case.mistakes`).
    """

    feedback: str
    credit: float
    value: str | None
    solution: str | None
    when: str | None
    line: int


@dataclass(frozen=True)
class RubricIdea:
    idea: str
    points: float
    patterns: tuple[str, ...]
    line: int
    contradicted_by: tuple[str, ...] = ()  # statements denying the idea: when one is made, it earns nothing


@dataclass(frozen=True)
class CodeSpec:
    function: str
    kind: str
    options: Any
    solution: str
    cases: tuple[Case, ...]
    line: int
    fail_on_warnings: bool = False  # a call that warns (e.g. overflow in exp) fails its case


@dataclass(frozen=True)
class Part:
    label: str
    title: str
    points: float
    prompt: str
    kind: str | None  # kind of a written answer; None for code-only parts
    options: Any
    reference: str | None  # Python expression computing the reference
    names: tuple[str, ...]  # how a written answer may name the quantity
    code: CodeSpec | None
    mistakes: tuple[Mistake, ...]
    rubric: tuple[RubricIdea, ...]
    line: int
    at_grading: bool = False  # published specs: a written answer is read now but checked only at grading
    reference_line: int = 0  # the line of the 'reference' key, where a failing reference is reported
    approximates: tuple[str, ...] = ()  # names of the exact quantity: "σ'(ε) ≈ …" answers the part


@dataclass(frozen=True)
class ProblemSet:
    id: str
    title: str
    path: Path
    setup: str
    submission_files: tuple[str, ...]
    parts: tuple[Part, ...]
    digest: str  # sha256 of the spec file (LF line endings): a changed spec means regrading
    published: bool = False  # a student's copy (grader publish): public cases only, nothing secret
    hidden_cases: int = 0  # published specs: how many hidden cases grading will run (a count, nothing more)

    def part(self, label: str) -> Part:
        for p in self.parts:
            if p.label == label:
                return p
        raise KeyError(label)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.parts)


# ---------------------------------------------------------------------------
# Finding spec files

SUBMISSION_SUFFIXES = (".py", ".ipynb", ".md")
ANSWERS_FILE_STEM = "answers"  # a student's answers.yaml is not a spec


# How to name a folder of submissions instead, said when one is given where the specs go (the easy
# mistake on ``grader grade``); ``{}`` is the folder.  The pytest plugin words it for its own options.
GRADE_SUBMISSIONS_HINT = "pass it as --submissions {}"


def find_spec_files(paths: Iterable[str | Path], submissions_hint: str = GRADE_SUBMISSIONS_HINT) -> list[Path]:
    """Expand files and directories into a sorted list of ``.yaml``/``.yml``
    specs.  A directory that holds none is an error, with ``submissions_hint``
    when it looks like a folder of submissions."""
    found: list[Path] = []
    issues: list[SpecIssue] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            specs = [p for p in files if p.suffix in (".yaml", ".yml") and p.stem != ANSWERS_FILE_STEM]
            if not specs:
                hint = ""
                if any(p.suffix in SUBMISSION_SUFFIXES or p.stem == ANSWERS_FILE_STEM for p in files):
                    hint = ("; it holds submission files (.py, .ipynb, .md, answers.yaml): "
                            f"to grade them, {submissions_hint.format(raw)}")
                issues.append(SpecIssue(path, 0, "no problem specs (*.yaml) found here" + hint))
            found.extend(specs)
        elif path.is_file():
            found.append(path)
        else:
            issues.append(SpecIssue(path, 0, "no such file or directory"))
    if issues:
        raise SpecError(issues)
    if not found:
        raise SpecError([SpecIssue(Path("."), 0, "no problem specs given")])
    return found


def load_problem_sets(paths: Iterable[str | Path]) -> list[ProblemSet]:
    """Load every spec under ``paths``; raise :class:`SpecError` listing all problems."""
    files = find_spec_files(paths)
    sets: list[ProblemSet] = []
    issues: list[SpecIssue] = []
    for f in files:
        try:
            sets.append(load_problem_set(f))
        except SpecError as exc:
            issues.extend(exc.issues)
    seen: dict[str, Path] = {}
    for ps in sets:
        if ps.id in seen:
            issues.append(SpecIssue(ps.path, 1, f"problem set id {ps.id!r} is also used by {seen[ps.id]}"))
        seen[ps.id] = ps.path
    # Results, overrides and reports name a part by its label alone (the
    # results.json "number"), so two sets graded together cannot share one.
    labels: dict[str, tuple[ProblemSet, int]] = {}
    for ps in sets:
        for part in ps.parts:
            if part.label in labels and labels[part.label][0].id != ps.id:
                other, line = labels[part.label]
                issues.append(SpecIssue(ps.path, part.line,
                                        f"part label {part.label!r} is also a part of {other.id!r} ({other.path}, "
                                        f"line {line}); labels must be unique across the problem sets graded "
                                        "together, or grade the sets in separate runs"))
            labels.setdefault(part.label, (ps, part.line))
    if issues:
        raise SpecError(issues)
    return sets


# ---------------------------------------------------------------------------
# Validation

_TOP_KEYS = {"id": True, "title": True, "setup": False, "submission_files": False, "parts": True,
             "handout": False, "defaults": False, "published": False, "hidden_cases": False}
_PART_KEYS = {"label": True, "title": True, "points": True, "prompt": False, "kind": False,
              "options": False, "reference": False, "names": False, "approximates": False, "code": False,
              "mistakes": False, "rubric": False}
_CODE_KEYS = {"function": True, "kind": True, "options": False, "solution": True, "cases": True,
              "fail_on_warnings": False}
_CASE_KEYS = {"name": False, "public": False, "args": True, "raises": False, "expected": False,
              "mistakes": False}
_CASE_MISTAKE_KEYS = {"returns": True, "feedback": True, "credit": False}
_MISTAKE_KEYS = {"feedback": True, "credit": False, "value": False, "solution": False, "when": False}
_RUBRIC_KEYS = {"idea": True, "points": True, "patterns": True, "contradicted_by": False}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Collector:
    def __init__(self, path: Path):
        self.path = path
        self.issues: list[SpecIssue] = []
        # A published spec (see grader.publish) carries expected values instead of solutions
        # and withholds written references; the rules below differ for it.
        self.published = False
        # A published copy whose `published: true` was lost (a hand edit) reads as an instructor's
        # spec with an issue on every case and part; those issues are kept apart to be said once.
        self.unpublished: list[SpecIssue] = []
        self.looks_published = False  # it holds what only `grader publish` writes ('expected', 'hidden_cases')
        self.holds_secrets = False  # it holds a 'solution', 'reference' or 'rubric': an instructor's spec
        self.setup = ""  # the set's setup code: its names are visible to the parts' code

    def add(self, line: int, message: str) -> None:
        self.issues.append(SpecIssue(self.path, line, message))

    def add_unpublished(self, line: int, message: str) -> None:
        """An issue a published spec has only because its `published: true` is missing."""
        self.add(line, message)
        self.unpublished.append(self.issues[-1])

    def issues_said_once(self) -> list[SpecIssue]:
        """The issues, those of a published copy lacking `published: true` said once when they are most of them."""
        if self.published or self.holds_secrets or not self.looks_published or \
                len(self.unpublished) * 2 <= len(self.issues):
            return self.issues
        left_out = {id(issue) for issue in self.unpublished}
        hint = SpecIssue(self.path, 1, "this looks like a published spec (no references or solutions): add "
                         f"`published: true` at its top. The {len(self.unpublished)} messages that follow from the "
                         "missing line (its 'expected' values belong to published specs only; 'solution' and "
                         "'reference' keys are missing) are left out.")
        return [hint] + [issue for issue in self.issues if id(issue) not in left_out]

    def keys(self, mapping: Any, allowed: dict[str, bool], what: str, line: int) -> bool:
        """Check a mapping's keys; return False (after reporting) when it is not a mapping."""
        if not isinstance(mapping, dict):
            self.add(line, f"{what} must be a mapping of keys to values, got {describe_value(mapping)}")
            return False
        for key in mapping:
            if key not in allowed:
                close = _closest(str(key), allowed)
                hint = f" (did you mean {close!r}?)" if close else ""
                self.add(_line(mapping, key), f"unknown key {key!r} in {what}{hint}; expected one of: "
                         f"{', '.join(allowed)}")
        for key, required in allowed.items():
            if required and key not in mapping:
                self.add(_line(mapping, None), f"{what} is missing the required key {key!r}")
        return True

    def text(self, mapping: dict, key: str, what: str, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(_line(mapping, key), f"{what} {key!r} must be non-empty text, got {describe_value(value)}"
                     f"{_AS_CODE.format(value=value) if _is_number(value) and key == 'reference' else ''}")
            return None
        return value

    def number(self, mapping: dict, key: str, what: str, low: float, high: float | None) -> float | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(_line(mapping, key), f"{what} {key!r} must be a number, got {describe_value(value)}")
            return None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.add(_line(mapping, key), f"{what} {key!r} must be {bound}, got {value}")
            return None
        return float(value)


def _line(mapping: Any, key: Any) -> int:
    if isinstance(mapping, LineDict):
        return mapping.line_of(key) if key is not None else mapping.line
    if isinstance(mapping, LineList):
        return mapping.line
    return 0


def describe_value(value: Any) -> str:
    """A YAML value as an error message names it: "a list", "a mapping", "int 3", "nothing"."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _closest(key: str, allowed: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None


def load_problem_set(path: Path) -> ProblemSet:
    path = Path(path)
    c = _Collector(path)
    try:
        data = load_yaml_file(path)
    except YamlError as exc:
        raise SpecError([SpecIssue(path, exc.line, exc.message)]) from None
    if not c.keys(data, _TOP_KEYS, "the problem set", 1):
        raise SpecError(c.issues)

    published = data.get("published", False)
    if not isinstance(published, bool):
        c.add(_line(data, "published"), f"'published' must be true or false, got {describe_value(published)}")
        published = False
    c.published = published
    hidden_cases = data.get("hidden_cases", 0)
    c.looks_published = "hidden_cases" in data
    if "hidden_cases" in data and not published:
        c.add_unpublished(_line(data, "hidden_cases"), "'hidden_cases' belongs to published specs only "
                          "(published: true)")
    elif isinstance(hidden_cases, bool) or not isinstance(hidden_cases, int) or hidden_cases < 0:
        c.add(_line(data, "hidden_cases"), f"'hidden_cases' must be a whole number, got {describe_value(hidden_cases)}")
        hidden_cases = 0
    set_id = c.text(data, "id", "the problem set's") or ""
    title = c.text(data, "title", "the problem set's") or ""
    setup = c.text(data, "setup", "the problem set's", required=False) or ""
    c.setup = setup
    defaults = _defaults(c, data)
    files = data.get("submission_files") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        c.add(_line(data, "submission_files"), "'submission_files' must be a list of file names")
        files = []

    parts: list[Part] = []
    raw_parts = data.get("parts")
    if raw_parts is not None and (not isinstance(raw_parts, list) or not raw_parts):
        c.add(_line(data, "parts"), "'parts' must be a non-empty list of parts")
        raw_parts = []
    # Answers name a part by its label in any case (w3 answers W3), so labels differing only in case clash.
    labels: dict[str, Part] = {}
    for index, raw in enumerate(raw_parts or []):
        line = raw_parts.line_of(index) if isinstance(raw_parts, LineList) else 0
        part = _load_part(c, raw, line, defaults)
        if part is None:
            continue
        first = labels.get(part.label.casefold())
        if first is not None and first.label == part.label:
            c.add(part.line, f"part label {part.label!r} is used twice (first on line {first.line})")
            continue
        if first is not None:
            c.add(part.line, f"part label {part.label!r} differs from {first.label!r} (line {first.line}) only in "
                  "case; students' answers name a part in either case, so the two would be the same part: give "
                  "it another label")
            continue
        labels[part.label.casefold()] = part
        parts.append(part)

    if c.issues:
        raise SpecError(c.issues_said_once())
    # Line endings do not count: a checkout on Windows grades (and draws generated inputs) the same.
    digest = hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()
    return ProblemSet(set_id, title, path, setup, tuple(files), tuple(parts), digest, published,
                      hidden_cases if published else 0)


def _options(c: _Collector, kind: str, raw: Any, defaults: dict, line: int, what: str) -> Any:
    if raw is not None and not isinstance(raw, dict):
        c.add(line, f"{what} options must be a mapping, got {describe_value(raw)}")
        raw = {}
    try:
        option_names = _option_names(kind)
    except KeyError:
        return None
    raw = raw or {}
    bad = set()
    for key in raw:
        problem = _option_problem(key, raw[key])
        if problem:
            c.add(_line(raw, key), f"{what}: {problem}")
            bad.add(key)
    # Problem-set defaults (e.g. rtol/atol from the handout) apply where the kind takes
    # them; they were checked once, in _defaults.
    merged = {k: v for k, v in defaults.items() if k in option_names}
    merged.update({k: v for k, v in raw.items() if k not in bad})
    try:
        options = make_options(kind, merged)
    except (ValueError, TypeError) as exc:
        bad_line = line
        if isinstance(raw, LineDict):
            for key in raw:
                if repr(key) in str(exc):
                    bad_line = raw.line_of(key)
        c.add(bad_line, f"{what}: {exc}")
        return None
    # A published spec holds the defaults merged in (grader publish writes the options as loaded).
    for key in raw if not c.published else ():
        problem = unused_by_mode(kind, key, getattr(options, "mode", None))
        if problem:
            c.add(_line(raw, key), f"{what}: {problem}")
            bad.add(key)
    return None if bad else options


# Options that are tolerances: finite numbers ≥ 0 (a negative or NaN one passes
# nothing, an infinite one passes everything).
_TOLERANCES = {"rtol", "atol"}
# Options that count digits: whole numbers, from this least value (the checkers would
# silently round 2.5 significant figures, and 0 of them passes any answer).
_DIGIT_COUNTS = {"sigfigs": 1, "decimals": 0}
# The options one mode of a kind reads, by kind and option: an option given for
# another mode is ignored by the checker, so the part would not check what it says.
_MODE_OPTIONS = {"number": {"rtol": "tolerance", "atol": "tolerance", "sigfigs": "sigfigs",
                            "decimals": "decimals"}}
_DEFAULT_MODE = "tolerance"  # the number checker's mode when none is given


def _option_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the option ``name`` (of any kind), or None when it can or when
    only the kind's own options class can tell (see :func:`make_options`)."""
    if name in _TOLERANCES:
        return _tolerance_problem(name, value)
    if name in _DIGIT_COUNTS:
        return _digit_count_problem(name, value)
    if name == "variables":
        return _variables_problem(value)
    return None


def _digit_count_problem(name: str, value: Any) -> str | None:
    least = _DIGIT_COUNTS[name]
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole or value < least:
        size = "a positive whole number" if least == 1 else f"a whole number ≥ {least}"
        return f"option {name!r} must be {size}, got {_as_written(value)}"
    return None


def _variables_problem(value: Any) -> str | None:
    """Why ``value`` cannot declare an expression's variables (``["x: real", "t: positive"]``), or None."""
    declarations = [value] if isinstance(value, str) else value
    if not isinstance(declarations, list):
        return f"option 'variables' must be a list like [\"x: real\"], got {_as_written(value)}"
    seen: set[str] = set()
    for declaration in declarations:
        if not isinstance(declaration, str):
            return (f"option 'variables': each variable is declared as text like \"x: real\", got "
                    f"{_as_written(declaration)}")
        if ":" not in declaration and len(declaration.split()) > 1:
            name, domain = declaration.split(None, 1)
            return (f"option 'variables': {declaration!r} needs a colon between the name and the domain, "
                    f"as in \"{name}: {domain}\"")
        try:
            name, _ = make_symbol(declaration)
        except ValueError as exc:
            return f"option 'variables': {exc}"
        if name in seen:
            return f"option 'variables': the variable {name!r} is declared twice; declare it once"
        seen.add(name)
    return None


def unused_by_mode(kind: str, name: str, mode: str | None) -> str | None:
    """Why a part's own option ``name`` does nothing under the part's ``mode``, or None."""
    used_in = _MODE_OPTIONS.get(kind, {}).get(name)
    if used_in is None or mode == used_in:
        return None
    if used_in == _DEFAULT_MODE:
        return (f"option {name!r} is used only in mode {used_in!r} (the default), but this part's mode is "
                f"{mode!r}, which ignores it; remove it")
    return (f"option {name!r} is used only in mode {used_in!r}; add 'mode: {used_in}' to the options "
            f"(this part's mode is {mode!r}, which ignores it)")


def _option_names(kind: str) -> set[str]:
    """The options ``kind`` takes (KeyError for an unknown kind)."""
    return {f.name for f in dataclasses.fields(get_checker(kind).Options)}


def _tolerance_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the tolerance ``name``, or None when it can.

    Text holding a number is a number: YAML 1.1 reads ``1e-4`` (no dot) as text."""
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or math.isnan(number) or number < 0:
        return f"{name} must be a number ≥ 0, got {_as_written(value)}"
    if math.isinf(number):
        return f"{name} must be a number ≥ 0, got {_as_written(value)} (an infinite tolerance accepts every answer)"
    return None


def _as_written(value: Any, inside: bool = False) -> str:
    """A YAML value as the spec spells it: ``-1``, ``.nan``, ``[1e-4]``, ``'abc'``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, list):
        return "[" + ", ".join(_as_written(v, inside=True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_as_written(v, inside=True)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and not inside:
        return repr(value)
    return "null" if value is None else str(value)


def _defaults(c: _Collector, data: dict) -> dict:
    """The set-wide ``defaults``, checked once here: each option must be taken by some
    kind and have a value that kind accepts.  Bad entries are reported at their line
    and left out, so no part repeats the report."""
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        c.add(_line(data, "defaults"), "'defaults' must be a mapping of option names to values")
        return {}
    takers: dict[str, list[str]] = {}
    for kind in known_kinds():
        for name in _option_names(kind):
            takers.setdefault(name, []).append(kind)
    good = {}
    for key, value in defaults.items():
        line = _line(defaults, key)
        if key not in takers:
            close = _closest(str(key), takers)
            hint = f"; did you mean {close!r}?" if close else f"; options are: {', '.join(sorted(takers))}"
            c.add(line, f"'defaults': no kind takes an option {str(key)!r}{hint}")
            continue
        problem = _option_problem(key, value)
        for kind in takers[key]:
            if problem:
                break
            try:
                make_options(kind, {key: value})
            except (ValueError, TypeError) as exc:
                problem = str(exc)
        if problem:
            c.add(line, f"'defaults': {problem}")
            continue
        good[key] = value
    return good


def _kind(c: _Collector, mapping: dict, what: str) -> str | None:
    kind = mapping.get("kind")
    if kind is None:
        return None
    if not isinstance(kind, str):
        c.add(_line(mapping, "kind"), f"{what} 'kind' must be text, got {describe_value(kind)}")
        return None
    try:
        get_checker(kind)
    except KeyError:
        close = _closest(kind, known_kinds())
        hint = f" (did you mean {close!r}?)" if close else ""
        c.add(_line(mapping, "kind"), f"{what} has unknown kind {kind!r}{hint}; known kinds: {', '.join(known_kinds())}")
        return None
    return kind


def _load_part(c: _Collector, raw: Any, line: int, defaults: dict) -> Part | None:
    if not c.keys(raw, _PART_KEYS, "a part", line):
        return None
    label = raw.get("label")
    if not isinstance(label, (str, int, float)) or isinstance(label, bool) or not str(label).strip():
        if "label" in raw:
            c.add(_line(raw, "label"), f"a part's 'label' must be text like 'Q2.1a' or 'A1', got {describe_value(label)}")
        return None
    label = str(label)
    what = f"part {label}"
    line = raw.line if isinstance(raw, LineDict) else line
    title = c.text(raw, "title", what) or label
    points = c.number(raw, "points", what, 0, None)
    if points is not None and points <= 0:
        c.add(_line(raw, "points"), f"{what} 'points' must be more than 0, got {points:g}")
    prompt = c.text(raw, "prompt", what, required=False) or ""
    kind = _kind(c, raw, what)
    reference = c.text(raw, "reference", what)
    c.holds_secrets |= "reference" in raw or "rubric" in raw
    options = _options(c, kind, raw.get("options"), defaults, _line(raw, "options"), what) if kind else None

    if kind == "choice" and options is not None and reference is not None:
        problem = _literal_choice_problem(reference, options)
        if problem:
            c.add(_line(raw, "reference"), f"{what}: {problem}")

    names = _texts(c, raw, "names", what, "how an answer may name the quantity")
    approximates = _texts(c, raw, "approximates", what, "names of the exact quantity the answer approximates")

    code = None
    if raw.get("code") is not None:
        code = _load_code(c, raw["code"], _line(raw, "code"), defaults, what, written="kind" in raw)

    rubric = []
    raw_rubric = raw.get("rubric")
    if raw_rubric is not None:
        if not isinstance(raw_rubric, list) or not raw_rubric:
            c.add(_line(raw, "rubric"), f"{what} 'rubric' must be a non-empty list of ideas")
        else:
            for i, idea in enumerate(raw_rubric):
                item = _load_rubric_idea(c, idea, raw_rubric.line_of(i), what)
                if item:
                    rubric.append(item)
    # An idea that failed to load (reported) leaves its points out of any sum.
    rubric_whole = raw_rubric is not None and len(rubric) == len(raw_rubric)

    if "kind" not in raw and "code" not in raw:
        c.add(line, f"{what} needs a 'kind' (how a written answer is checked), a 'code' section, or both")
    if kind == "rubric" and not c.published:
        if not rubric and raw_rubric is None:
            c.add_unpublished(line, f"{what} has kind 'rubric' but no 'rubric' list of ideas")
        if rubric_whole and points is not None and abs(sum(r.points for r in rubric) - points) > 1e-9:
            c.add(_line(raw, "rubric"), f"{what}: the rubric ideas' points add up to "
                  f"{sum(r.points for r in rubric):g}, but the part is worth {points:g}")
    elif kind and "reference" not in raw and not c.published:
        c.add_unpublished(line, f"{what} has kind {kind!r} but no 'reference' (a SymPy/NumPy expression computing "
                          "the answer)")
    if c.published:
        for secret in ("reference", "rubric"):
            if secret in raw:
                c.add(_line(raw, secret), f"{what}: a published spec must not hold its '{secret}' (students can "
                      f"read it); written answers are checked only at grading")

    mistakes = []
    raw_mistakes = raw.get("mistakes")
    if raw_mistakes is not None:
        if not isinstance(raw_mistakes, list):
            c.add(_line(raw, "mistakes"), f"{what} 'mistakes' must be a list")
        else:
            for i, m in enumerate(raw_mistakes):
                item = _load_mistake(c, m, raw_mistakes.line_of(i), what, has_code="code" in raw,
                                     has_text="kind" in raw)
                if item:
                    mistakes.append(item)

    return Part(label, title, points or 0.0, prompt, kind, options, reference, tuple(names), code,
                tuple(mistakes), tuple(rubric), line, at_grading=c.published and kind is not None,
                reference_line=_line(raw, "reference") if "reference" in raw else line,
                approximates=tuple(approximates))


def _literal_choice_problem(reference: str, options: Any) -> str | None:
    """Why a choice part's reference, when written as a literal (``'"relu"'``), is not a choice.

    A reference computed by other code is checked by ``grader validate`` once computed."""
    try:
        value = ast.literal_eval(reference.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return choice_reference_problem(value, options)


def choice_reference_problem(value: Any, options: Any) -> str | None:
    """Why ``value`` cannot be the reference of a choice part with these options, or None.

    The checker takes the reference for one more choice, so the part would grade a
    student naming it right, and every answer naming a listed choice wrong."""
    choices = tuple(getattr(options, "choices", ()) or ())
    if not choices or normalise_choice(value) in {normalise_choice(choice) for choice in choices}:
        return None
    listed = ", ".join(str(choice) for choice in choices)
    return (f"the reference {str(value)!r} is not one of the part's choices ({listed}), so every answer naming "
            f"a choice would be marked wrong; make the reference one of them, or add it to 'choices'")


def _texts(c, raw: dict, key: str, what: str, meaning: str) -> list[str]:
    """The list of texts under ``key`` (none when absent), or a located error."""
    texts = raw.get(key) or []
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        c.add(_line(raw, key), f"{what} '{key}' must be a list of texts ({meaning})")
        return []
    return texts


def _load_code(c: _Collector, raw: Any, line: int, defaults: dict, what: str,
               written: bool = False) -> CodeSpec | None:
    """A part's ``code`` section; ``written``: the part also has a written answer (a ``kind``)."""
    if not c.keys(raw, {**_CODE_KEYS, "solution": False}, f"{what} 'code'", line):
        return None
    c.holds_secrets |= "solution" in raw
    if not c.published and "solution" not in raw:
        c.add_unpublished(_line(raw, None), f"{what} 'code' is missing the required key 'solution'")
    if c.published and "solution" in raw:
        c.add(_line(raw, "solution"), f"{what}: a published spec must not hold the reference 'solution' "
              f"(students can read it); give each case's 'expected' value instead")
    function = raw.get("function")
    if function is not None and (not isinstance(function, str) or not _IDENTIFIER.match(function)):
        c.add(_line(raw, "function"), f"{what} code 'function' must be a Python function name, got {describe_value(function)}")
        function = None
    kind = _kind(c, raw, f"{what} code")
    options = _options(c, kind, raw.get("options"), defaults, _line(raw, "options"), f"{what} code") if kind else None
    solution = None if c.published else c.text(raw, "solution", f"{what} code")
    cases = []
    raw_cases = raw.get("cases")
    # A published written part whose cases are all hidden keeps its function, with no case.
    empty_allowed = c.published and written
    if raw_cases is not None:
        if not isinstance(raw_cases, list) or not (raw_cases or empty_allowed):
            add = c.add_unpublished if raw_cases == [] and written else c.add  # what publish writes there
            add(_line(raw, "cases"), f"{what} code 'cases' must be a non-empty list")
        else:
            names: set[str] = set()
            public_unknown = False
            for i, rc in enumerate(raw_cases):
                case = _load_case(c, rc, raw_cases.line_of(i), f"{what} case {i + 1}", i)
                if case is None or not isinstance(rc.get("public", False), bool):
                    public_unknown = True  # reported: whether the part has a public case is not known
                if case is None:
                    continue
                if case.name in names:
                    c.add(case.line, f"{what}: case name {case.name!r} is used twice")
                names.add(case.name)
                cases.append(case)
            for case in cases if solution and function else ():
                problem = _arity_problem(case, solution, function)
                if problem:
                    c.add(case.line, f"{what} case {case.name!r}: {problem}")
            # A part with a written answer may keep every case hidden: a public case's expected
            # value would be published, and it would give the written answer away.
            if cases and not written and not public_unknown and not any(case.public for case in cases):
                c.add(_line(raw, "cases"), f"{what} has no public case: students need at least one to self-check")
    fail_on_warnings = raw.get("fail_on_warnings", False)
    if not isinstance(fail_on_warnings, bool):
        c.add(_line(raw, "fail_on_warnings"), f"{what} code 'fail_on_warnings' must be true or false")
        fail_on_warnings = False
    if function and (solution or c.published) and kind and options is not None:
        return CodeSpec(function, kind, options, solution or "", tuple(cases),
                        raw.line if isinstance(raw, LineDict) else line, fail_on_warnings)
    return None


# What a call with the wrong number of arguments raises, as a case's 'raises' may name it.
_WRONG_CALL_RAISES = {"TypeError", "Exception", "BaseException"}


def _arity_problem(case: Case, solution: str, function: str) -> str | None:
    """Why ``case`` calls the reference solution with too many or too few arguments, or None.

    The usual slip is one list argument written as the list of arguments (``args: [3.0, 4.0]``
    for ``normalize(v)``).  Only a YAML list of arguments is counted here (an expression giving
    them is run with the references); a case that must raise TypeError may call wrongly on purpose."""
    parameters = _solution_parameters(solution, function)
    if parameters is None or not isinstance(case.args, list) or case.raises in _WRONG_CALL_RAISES:
        return None
    given = len(case.args)
    positional = [*parameters.posonlyargs, *parameters.args]
    least = len(positional) - len(parameters.defaults)
    most = None if parameters.vararg else len(positional)
    if least <= given and (most is None or given <= most):
        return None
    takes = f"{least}" if most == least else (f"{least} or more" if most is None else f"{least} to {most}")
    advice = "'args' is the list of the arguments, one item for each"
    if most == 1 and given > 1:
        advice = f"'args' is the list of the arguments, so one list argument is written {_as_written([case.args])}"
    if case.raises is None:
        advice += " (add 'raises: TypeError' if the wrong call is the point of the case)"
    return (f"'args' gives {given} argument{'s' if given != 1 else ''}, but the reference solution "
            f"{function}({ast.unparse(parameters)}) takes {takes}; {advice}")


def _solution_parameters(solution: str, function: str) -> ast.arguments | None:
    """The parameters of the solution's top-level ``def function`` (the last one, as Python keeps),
    or None when it has none, or a decorator that may change how it is called."""
    try:
        tree = ast.parse(solution)
    except SyntaxError:
        return None  # reported when the solution is loaded
    defs = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == function]
    if not defs or defs[-1].decorator_list:
        return None
    return defs[-1].args


def _load_case(c: _Collector, raw: Any, line: int, what: str, index: int) -> Case | None:
    if not c.keys(raw, _CASE_KEYS, what, line):
        return None
    name = raw.get("name", f"case {index + 1}")
    if not isinstance(name, str):
        c.add(_line(raw, "name"), f"{what} 'name' must be text")
        name = f"case {index + 1}"
    public = raw.get("public", False)
    if not isinstance(public, bool):
        c.add(_line(raw, "public"), f"{what} 'public' must be true or false, got {describe_value(public)}")
        public = False
    args = raw.get("args")
    if "args" in raw and not isinstance(args, (str, list)):
        c.add(_line(raw, "args"), f"{what} 'args' must be a list of arguments or a Python expression giving them")
    raises = raw.get("raises")
    if raises is not None and (not isinstance(raises, str) or not _IDENTIFIER.match(raises)):
        c.add(_line(raw, "raises"), f"{what} 'raises' must be an exception name like ValueError")
        raises = None
    elif raises is not None and _not_an_exception(raises):
        c.add(_line(raw, "raises"), f"{what} 'raises': {raises} is {_not_an_exception(raises)}, not an exception; "
              "name the exception the call must raise, like ValueError")
        raises = None
    expected = raw.get("expected")
    c.looks_published |= "expected" in raw or "mistakes" in raw
    if "expected" in raw and not c.published:
        c.add_unpublished(_line(raw, "expected"), f"{what}: 'expected' belongs to published specs only "
                          f"(published: true); an instructor's spec computes it with the 'solution'")
    elif expected is not None and not isinstance(expected, str):
        c.add(_line(raw, "expected"), f"{what} 'expected' must be a Python expression (text) giving the value")
        expected = None
    elif c.published and expected is None and raises is None:
        c.add(_line(raw, None), f"{what} in a published spec needs 'expected' (or 'raises')")
    if c.published and not public:
        c.add(_line(raw, "public"), f"{what}: a published spec holds public cases only")
    mistakes = _load_case_mistakes(c, raw, what)
    return Case(name, public, args, raises, raw.line if isinstance(raw, LineDict) else line,
                expected if c.published else None, mistakes)


def _not_an_exception(name: str) -> str | None:
    """What the built-in ``name`` is ("a built-in function") when it is not an exception class, else None.

    Any other name may be an exception the setup or the solution defines; the references check it."""
    found = getattr(builtins, name, None)
    if found is None or (isinstance(found, type) and issubclass(found, BaseException)):
        return None
    if isinstance(found, type):
        return "a built-in type"
    return "a built-in function" if callable(found) else "a built-in constant"


def _load_case_mistakes(c: _Collector, raw: dict, what: str) -> tuple[Mistake, ...]:
    """A published case's ``mistakes``: what each known mistake returns on it, with its feedback.

    An instructor's spec gives the mistaken function instead (a part's mistake
    ``solution``); ``grader publish`` runs it and writes its outputs here."""
    if "mistakes" not in raw:
        return ()
    if not c.published:
        c.add_unpublished(_line(raw, "mistakes"), f"{what}: 'mistakes' in a case belong to published specs only "
                          "(published: true); an instructor's spec gives the part a mistake 'solution'")
        return ()
    raw_mistakes = raw["mistakes"]
    if not isinstance(raw_mistakes, list):
        c.add(_line(raw, "mistakes"), f"{what} 'mistakes' must be a list of known wrong values, each with "
              "'returns' and 'feedback'")
        return ()
    mistakes = []
    for i, item in enumerate(raw_mistakes):
        item_line = raw_mistakes.line_of(i) if isinstance(raw_mistakes, LineList) else _line(raw, "mistakes")
        if not c.keys(item, _CASE_MISTAKE_KEYS, f"a known mistake of {what}", item_line):
            continue
        item_line = _line(item, None) or item_line
        feedback = c.text(item, "feedback", f"{what} mistake")
        returns = item.get("returns")
        if "returns" in item and not isinstance(returns, str):
            c.add(_line(item, "returns"), f"{what} mistake 'returns' must be a Python expression (text) giving "
                  "the value the mistake returns")
            returns = None
        credit = _credit(c, item, f"{what} mistake")
        if feedback is not None and returns is not None:
            mistakes.append(Mistake(feedback, credit, returns, None, None, item_line))
    return tuple(mistakes)


def _credit(c: _Collector, raw: dict, what: str) -> float:
    """A mistake's ``credit``: from 0 up to (not including) 1; 0 when absent or wrong (after reporting)."""
    credit = raw.get("credit", 0.0)
    if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 <= credit < 1:
        c.add(_line(raw, "credit"), f"{what} 'credit' must be a number from 0 up to (not including) 1, "
              f"got {describe_value(credit)}")
        return 0.0
    return float(credit)


def _load_mistake(c: _Collector, raw: Any, line: int, what: str, has_code: bool, has_text: bool) -> Mistake | None:
    if not c.keys(raw, _MISTAKE_KEYS, f"a mistake of {what}", line):
        return None
    line = raw.line if isinstance(raw, LineDict) else line
    feedback = c.text(raw, "feedback", f"{what} mistake")
    credit = _credit(c, raw, f"{what} mistake")
    given = [k for k in ("value", "solution", "when") if raw.get(k) is not None]
    c.holds_secrets |= bool({"value", "solution"} & set(given))
    if len(given) != 1:
        c.add(line, f"{what} mistake needs exactly one of 'value', 'solution' or 'when', got "
              f"{', '.join(given) or 'none'}")
        return None
    if given[0] == "value" and not has_text:
        c.add(_line(raw, "value"), f"{what} mistake has a 'value' but the part has no written-answer 'kind'")
    if c.published and given[0] != "when":
        c.add(_line(raw, given[0]), f"{what}: a published spec keeps only 'when' mistakes; a mistake's "
              f"'{given[0]}' would show students a known wrong answer")
    if given[0] in ("solution", "when") and not has_code:
        c.add(_line(raw, given[0]), f"{what} mistake has a '{given[0]}' but the part has no 'code' section")
    for key in given:
        if not isinstance(raw[key], str):
            hint = _AS_CODE.format(value=raw[key]) if _is_number(raw[key]) and key == "value" else ""
            c.add(_line(raw, key), f"{what} mistake '{key}' must be Python code as text{hint}")
            return None
    if given[0] == "when" and not c.published:  # a published copy has no setup; its author checked it
        for problem in _unknown_predicate_names(raw["when"], c.setup):
            c.add(_line(raw, "when"), f"{what} mistake 'when': {problem}")
    if feedback is None:
        return None
    return Mistake(feedback, credit, raw.get("value"), raw.get("solution"), raw.get("when"), line)


# What a 'when' predicate sees of a call besides the spec's names (grader.grading gives them).
PREDICATE_NAMES = ("value", "exception", "message", "warnings", "args")


def _unknown_predicate_names(when: str, setup: str) -> list[str]:
    """A located-ready problem for each name a ``when`` predicate uses but will not have.

    Such a name makes the predicate fail on every call, which counts as "no match", so the
    mistake's feedback is never given.  Nothing is said when the setup binds names that
    cannot be listed (``from m import *``) or either does not parse (reported elsewhere)."""
    setup_names = _names_bound(setup)
    if setup_names is None:
        return []
    unknown = [name for name in names_from_setup(when) if name not in setup_names]
    problems = []
    for name in unknown:
        close = _closest(name, [*PREDICATE_NAMES, *setup_names]) or \
            next(iter(difflib.get_close_matches(name, _spec_namespace_names(), n=1, cutoff=0.8)), None)
        hint = f" (did you mean {close!r}?)" if close else ""
        problems.append(f"the name {name!r} is not defined{hint}, so the predicate never matches; it sees "
                        f"{', '.join(PREDICATE_NAMES)}, the setup's names, NumPy (np), SymPy and Python's built-ins")
    return problems


def names_from_setup(when: str) -> list[str]:
    """The names a ``when`` predicate needs from the setup: those neither a predicate's own
    (:data:`PREDICATE_NAMES`, its comprehension variables) nor every spec code's (np, SymPy, built-ins)."""
    try:
        predicate = ast.parse(when.strip(), mode="eval")
    except SyntaxError:
        return []
    inside = _names_bound(predicate) or set()
    used = {node.id for node in ast.walk(predicate) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return sorted(used - inside - set(PREDICATE_NAMES) - _spec_namespace_names())


def _names_bound(code: str | ast.AST) -> set[str] | None:
    """The names ``code`` binds anywhere (assignments, defs, imports, loop and comprehension
    variables); None when it does not parse or binds names that cannot be listed."""
    try:
        tree = ast.parse(code) if isinstance(code, str) else code
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.Name) and node.id in ("globals", "exec", "vars"):
            return None  # may bind any name
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                return None
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


@functools.lru_cache(maxsize=1)
def _spec_namespace_names() -> frozenset[str]:
    """The names all spec code sees: Python's built-ins and the base namespace (SymPy, np, ...)."""
    from grader.references import base_namespace  # it imports this module

    return frozenset(dir(builtins)) | frozenset(base_namespace())


def _load_rubric_idea(c: _Collector, raw: Any, line: int, what: str) -> RubricIdea | None:
    if not c.keys(raw, _RUBRIC_KEYS, f"a rubric idea of {what}", line):
        return None
    idea = c.text(raw, "idea", f"{what} rubric")
    points = c.number(raw, "points", f"{what} rubric", 0, None)
    patterns = _load_rubric_patterns(c, raw, "patterns", line, what)
    contradicted_by = _load_rubric_patterns(c, raw, "contradicted_by", line, what) if "contradicted_by" in raw else ()
    if idea is None or points is None or patterns is None or contradicted_by is None:
        return None
    return RubricIdea(idea, points, patterns, raw.line if isinstance(raw, LineDict) else line, contradicted_by)


def _load_rubric_patterns(c: _Collector, raw: dict, key: str, line: int, what: str) -> tuple[str, ...] | None:
    """A rubric idea's list of regular expressions under ``key``; None (after reporting) when it is not one."""
    patterns = raw.get(key)
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        c.add(_line(raw, key), f"{what} rubric {key!r} must be a non-empty list of regular expressions")
        return None
    # "patterns" keeps the message it always had; "contradicted_by" names itself.
    named = "pattern" if key == "patterns" else f"{key!r} pattern"
    for i, p in enumerate(patterns):
        try:
            re.compile(p)
        except re.error as exc:
            c.add(patterns.line_of(i) if isinstance(patterns, LineList) else line,
                  f"{what} rubric {named} '{p}' is not a valid regular expression: {exc}")
            return None
    return tuple(patterns)


def did_you_mean(typed: str, names: Iterable[str]) -> str:
    """ " (did you mean 'Q2.4'?)" when one of ``names`` (part labels, student ids) is close to what was
    typed, else nothing: for an override, an orphaned override, an answers file's key."""
    by_folded = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(typed.strip().casefold(), by_folded, n=1, cutoff=0.6)
    return f" (did you mean '{by_folded[close[0]]}'?)" if close else ""


# A number where the spec wants code: values are computed by the spec's Python, so a typed one is code too.
_AS_CODE = " (a Python expression in quotes: write '{value}', or the expression that computes it)"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
