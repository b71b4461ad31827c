"""Reader for answers files: ``answers.yaml`` mapping part labels to answers.

Values may be text (plain or LaTeX: ``Q2.1a: \\frac{1}{4}``), numbers, or
lists (``Q2.3c: [0.2505, 9.9e-4, 9.7e-7, 9.4e-13]``).

A key names its part the way a Markdown heading does (:func:`heading_key`,
:func:`covers`): ``Q2.3(d)``, ``Q2.3 d``, ``q2.3d`` and ``2.3d`` all answer
Q2.3d, whichever of these spellings the spec itself uses.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from grader.readers import EMPTY_FILE, WrittenAnswer, WrittenReading, decoded_text
from grader.readers.markdown import DECIMAL_COMMA_KINDS, covers, heading_key, normalise_label, with_decimal_comma
from grader.references import _plain
from grader.safetext import one_line
from grader.spec import ProblemSet
from grader.yamlread import LineDict, YamlError, load_yaml_file


class SubmissionFileError(ValueError):
    """A submission file that cannot be read at all (named in the message)."""


def read_answers_file(path: Path, problem_set: ProblemSet) -> WrittenReading:
    reading = WrittenReading()
    try:
        data = load_yaml_file(path, max_bytes=1_000_000, untrusted=True)
    except YamlError as exc:
        where = f", line {exc.line}" if exc.line else ""
        data = _line_by_line(path) if exc.message.startswith("not valid YAML") else None
        if data is None:
            raise SubmissionFileError(f"{path.name}{where}: {exc.message}{_QUOTE_HINT if _bracket_slip(exc) else ''}") \
                from None
        reading.notes.append(f"{path.name}{where} is {exc.message}; every line of the file is 'label: answer', so "
                             "it was read line by line, each answer as written. Put quotes around an answer that "
                             "begins with [ or { (Q2.2: '[0, oo)') and the file is YAML again.")
    if data is None:
        reading.notes.append(f"{path.name}{EMPTY_FILE}no answers were read from it.")
        return reading
    if not isinstance(data, dict):
        raise SubmissionFileError(f"{path.name}: an answers file maps part labels to answers "
                                  f"(e.g. 'Q2.1a: 1/4'), but this file holds {_what(data)}")
    labels = [part.label for part in problem_set.parts]
    keys_of: dict[str, list] = {}  # part label → the keys that answer it
    for key in data:
        named = parts_named(key, labels)
        if len(named) == 1:
            keys_of.setdefault(named[0], []).append(key)
        elif len(named) > 1:  # "Q2.1" would fit Q2.1a and Q2.1b: guessing which would grade the wrong part
            reading.notes.append(f"{_where(path, data, [key])}: '{one_line(str(key))}' could answer {_listed(named)}; "
                                 f"it was not graded: give each part its own key (e.g. '{named[0]}:').")
    kinds = {part.label: part.kind for part in problem_set.parts}
    for label, keys in keys_of.items():
        answer = _answer(path, data, label, keys)
        reading.answers[label] = with_decimal_comma(answer) if kinds[label] in DECIMAL_COMMA_KINDS else answer
    return reading


# A line of an answers file as students write it: "Q2.2: [0, oo)", a comment after " #" left out.
_ANSWER_LINE = re.compile(r"(?P<key>[^\s#:'\"\[\]{}-][^:#]*?)\s*:\s+(?P<value>.*?)(?:\s+#.*)?")
_QUOTED = re.compile(r"'(.*)'|\"(.*)\"")


_QUOTE_HINT = ". An answer that begins with [ or { needs quotes around it: Q2.2: '[0, oo)'"


def _bracket_slip(exc: YamlError) -> bool:
    """Whether YAML stumbled on a bracket, as over an interval written unquoted."""
    return any(mark in exc.message for mark in ("'['", "'{'", "']'", "'}'", "flow sequence", "flow mapping"))


def _line_by_line(path: Path) -> LineDict | None:
    """A file YAML cannot read whose every line is "label: answer" (or blank, or a comment): YAML reads
    "Q2.2: [0, oo)" as a list left open, where the student wrote an interval.  None for any other file."""
    try:
        lines = decoded_text(path.read_bytes()).splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    data = LineDict()
    data.key_lines = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ANSWER_LINE.fullmatch(line.rstrip())
        if m is None or m["key"] in data or not m["value"]:
            return None
        quoted = _QUOTED.fullmatch(m["value"])
        data[m["key"]] = next(g for g in quoted.groups() if g is not None) if quoted else m["value"]
        data.key_lines[m["key"]] = number
    return data or None


def _answer(path: Path, data: dict, label: str, keys: list) -> WrittenAnswer:
    """The answer the keys naming one part give it; keys that disagree ("Q2.3d: approx" and
    "Q2.3(d): true") give none: grading either would reward a hedge, so the part says why."""
    values = [_unquoted(data[key]) for key in keys]
    line = _line(data, keys[0])
    if all(value == values[0] for value in values):
        return WrittenAnswer(label, _plain(values[0]), path.name, line)
    quoted = [f"'{one_line(str(key))}'" for key in keys]
    both = "both" if len(keys) == 2 else "all"
    problem = (f"{_where(path, data, keys)}: {_listed(quoted, 'and')} {both} answer {label}, with different "
               f"answers: keep one of them (the part was not graded from {path.name}).")
    return WrittenAnswer(label, "", path.name, line, problem=problem)


# Quotes that macOS and Word type for ' and " (smart quotes), opening and closing: YAML takes them for text.
_SMART_QUOTES = (("‘", "’"), ("“", "”"), ("‚", "‘"), ("„", "“"))


def _unquoted(value: object) -> object:
    """A value as the student meant it: smart quotes around the whole of it taken off, as YAML takes off
    straight ones (``Q2.1a: ‘\\frac{1}{4}’``), also on each item of a list."""
    if isinstance(value, list):
        return [_unquoted(item) for item in value]
    if not isinstance(value, str):
        return value
    for opening, closing in _SMART_QUOTES:
        inside = value[1:-1]
        if len(value) > 2 and value[0] == opening and value[-1] == closing and closing not in inside:
            return inside
    return value


def parts_named(key: object, labels: Iterable[str]) -> list[str]:
    """The part labels an answers file's key names: one, several ("Q2.1" for Q2.1a and Q2.1b), or none.
    A label as the spec spells it always names its part, whatever its form ("B", "Part 1")."""
    labels = list(labels)
    typed = normalise_label(str(key))
    exact = [label for label in labels if normalise_label(label) == typed]
    if exact:
        return exact
    section_key = heading_key(str(key).strip(), None)
    named = [label for label in labels if covers(section_key, label)]
    exact = [label for label in named if normalise_label(label) == section_key]  # "Q2.1" when Q2.1 is a part itself
    return exact or named


def keys_naming_no_part(path: Path, labels: Iterable[str]) -> list[tuple[str, int]]:
    """An answers file's keys that look like a part's label ("Q2.3f", "Q5", "3") but name none of
    ``labels`` (every problem set's: a key of one set is no stray in another's), with their lines;
    other keys ("name: Ada") and files that cannot be read (their own note says why) give none."""
    labels = list(labels)
    try:
        data = load_yaml_file(path, max_bytes=1_000_000, untrusted=True)
    except (YamlError, OSError):
        return []
    if not isinstance(data, dict):
        return []
    return [(str(key), _line(data, key)) for key in data
            if heading_key(str(key).strip(), None) is not None and not parts_named(key, labels)]


def _line(data: dict, key: object) -> int:
    return data.line_of(key) if isinstance(data, LineDict) else 0


def _where(path: Path, data: dict, keys: list) -> str:
    """'answers.yaml, line 3', 'answers.yaml, lines 3 and 4'."""
    lines = [str(line) for line in sorted({_line(data, key) for key in keys}) if line]
    if not lines:
        return path.name
    return f"{path.name}, line{'s' if len(lines) > 1 else ''} {_listed(lines, 'and')}"


def _listed(items: list[str], last: str = "or") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _what(data: object) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "one text"
    return f"a {type(data).__name__}"
