"""YAML reading that keeps line numbers and refuses duplicate keys.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last
of two equal keys.  A spec author needs "problems/q2.yaml, line 14: ..."; so
mappings come back as :class:`LineDict` and lists as :class:`LineList`, which
remember the line of the node and of each key/item (1-based).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


class YamlError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise YamlError(key_node.start_mark.line + 1, f"a key must be text, got {key!r}")
        key_line = key_node.start_mark.line + 1
        if key in result:
            raise YamlError(
                key_line,
                f"key {key!r} appears twice in this mapping (first on line {result.key_lines[key]})",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _UntrustedLoader(_Loader):
    """For files students write: no aliases.  Nine lines of nested ``*a``
    references ("billion laughs") stand for 9^9 values, which anything that
    walks the result would spend minutes and gigabytes on."""

    def construct_scalar(self, node: Any) -> Any:
        # "\ud800" in a double-quoted string is a lone surrogate: not a
        # character, and no UTF-8 report or terminal would take it.
        value = super().construct_scalar(node)
        return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise YamlError(mark.line + 1, "YAML aliases (*name) are not allowed here; write each value out")
        return super().compose_node(parent, index)


# PyYAML's words for the usual slips, and what they mean to someone editing the file.
_HINTS = (
    ("expected <block end>", "a line is indented differently from the lines around it: check this line's "
                             "indentation against the line before"),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("mapping values are not allowed", "a ': ' inside a value: put the value in quotes"),
    ("found unknown escape character", "in double quotes a backslash starts an escape: write LaTeX in single "
                                       "quotes ('\\frac{1}{4}') or double each backslash"),
    ("could not find expected ':'", "a line that is neither 'key: value' nor a '- ' list item, or a quote "
                                    "left open"),
)


def load_yaml_text(text: str, *, untrusted: bool = False) -> Any:
    """Parse YAML text; raise :class:`YamlError` with a 1-based line on
    failure.  ``untrusted`` text (a student's) may not use aliases."""
    try:
        return yaml.load(text, Loader=_UntrustedLoader if untrusted else _Loader)  # noqa: S506 - SafeLoader subclass
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or str(exc)
        hint = next((h for start, h in _HINTS if what.startswith(start)), "")
        raise YamlError(line, f"not valid YAML: {what}" + (f" ({hint})" if hint else "")) from None
    except yaml.YAMLError as exc:
        raise YamlError(0, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(0, "not readable: lists or mappings nested too deeply") from None


def load_yaml_file(path: Path, max_bytes: int = 5_000_000, *, untrusted: bool = False) -> Any:
    """Read and parse a YAML file, with clear errors for unreadable files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(0, f"cannot read the file: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise YamlError(0, f"the file is too large ({len(raw)} bytes; the limit is {max_bytes})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(0, f"the file is not UTF-8 text (bad byte at offset {exc.start})") from None
    return load_yaml_text(text, untrusted=untrusted)
