"""Reader for answers files: ``answers.yaml`` mapping part labels to answers.

Values may be text (plain or LaTeX: ``Q2.1a: \\frac{1}{4}``), numbers, or
lists (``Q2.3c: [0.2505, 9.9e-4, 9.7e-7, 9.4e-13]``).
"""
from __future__ import annotations

from pathlib import Path

from grader.readers import EMPTY_FILE, WrittenAnswer, WrittenReading
from grader.references import _plain
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
        raise SubmissionFileError(f"{path.name}{where}: {exc.message}") from None
    if data is None:
        reading.notes.append(f"{path.name}{EMPTY_FILE}no answers were read from it.")
        return reading
    if not isinstance(data, dict):
        raise SubmissionFileError(f"{path.name}: an answers file maps part labels to answers "
                                  f"(e.g. 'Q2.1a: 1/4'), but this file holds {_what(data)}")
    # "q2.1a" answers Q2.1a: a label's case is not worth a part's points.
    labels = {p.label.casefold(): p.label for p in problem_set.parts}
    for key, value in data.items():
        label = labels.get(str(key).strip().casefold())
        if label is None:
            continue
        line = data.line_of(key) if isinstance(data, LineDict) else 0
        reading.answers[label] = WrittenAnswer(label, _plain(value), path.name, line)
    return reading


def _what(data: object) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "one text"
    return f"a {type(data).__name__}"
