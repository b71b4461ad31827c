"""YAML reading that keeps line numbers and refuses duplicate keys.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last
of two equal keys.  A spec author needs "problems/q2.yaml, line 14: ..."; so
mappings come back as :class:`LineDict` and lists as :class:`LineList`, which
remember the line of the node and of each key/item (1-based).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from grader.readers import RTF_DOCUMENT, decoded_text, is_rtf, not_utf8, with_nul_bytes


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


class _SpecLoader(_Loader):
    """For specs: only true and false are booleans.  YAML 1.1 also reads yes/no/on/off
    as booleans, so ``public: yes`` would pass unseen and ``choices: [yes, no]`` would
    be two booleans; here they are text, which a true-or-false setting refuses."""

    def construct_scalar(self, node: Any) -> Any:
        # A spec saved in decomposed Unicode (as macOS may) spells "ö" as "o" and a combining mark, which no
        # pattern or name written by a student in the usual composed form would match.
        value = super().construct_scalar(node)
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


_BOOL_TAG = "tag:yaml.org,2002:bool"
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _LatexEscapes(dict):
    """Escapes in a student's double-quoted YAML text: ``\\"``, ``\\\\``, ``\\/`` and ``\\ `` as YAML
    reads them, and a backslash before anything else kept as written.  Students quote LaTeX:
    YAML would read ``"\\frac{1}{4}"`` as a form feed and "rac{1}{4}", ``"\\times"`` as a tab,
    ``"\\alpha"`` as a bell, and refuse ``"\\pi"`` outright."""

    _YAML = {'"': '"', "\\": "\\", "/": "/", " ": " "}

    def __contains__(self, character: object) -> bool:
        return isinstance(character, str) and character not in "\r\n\x85\u2028\u2029\0"

    def __getitem__(self, character: str) -> str:
        return self._YAML.get(character, "\\" + character)


class _UntrustedLoader(_Loader):
    """For files students write: no aliases.  Nine lines of nested ``*a``
    references ("billion laughs") stand for 9^9 values, which anything that
    walks the result would spend minutes and gigabytes on.  In double quotes
    a backslash is kept as written, as LaTeX needs (:class:`_LatexEscapes`)."""

    ESCAPE_REPLACEMENTS = _LatexEscapes()

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


# In a student's file every true/false, yes/no is the word written: Q2.3d's choices include "true",
# which YAML would otherwise read as a boolean no checker expects.
_UntrustedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


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


# What a parser error "while parsing …" says was left open, by the context PyYAML names.
_OPENED = {
    "while parsing a flow sequence": "the list opened with '[' on this line is not closed: is a ']' missing?",
    "while parsing a flow mapping": "the mapping opened with '{' on this line is not closed: is a '}' missing?",
    "while scanning a quoted scalar": "the quoted text that starts on this line is not closed: is a quote missing?",
}


def _left_open(exc: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """(line, what) when the error is a bracket or quote opened on an earlier line and never closed."""
    what = _OPENED.get(exc.context or "")
    if what is None or exc.context_mark is None or exc.problem_mark is None:
        return None
    if exc.context_mark.line == exc.problem_mark.line:
        return None  # on one line, that line says it all
    return exc.context_mark.line + 1, what


# A line "key: ..." (or "- key: ..."): the key, and how far in it starts.
_KEY_LINE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*:(?:\s|$)")


def _key_at(line: str) -> tuple[int, str] | None:
    found = _KEY_LINE.match(line)
    return (len(found[1]), found[2]) if found else None


def _line_above(lines: list[str], index: int) -> int | None:
    """The nearest line above ``index`` holding YAML (not blank, not only a comment)."""
    for above in range(index - 1, -1, -1):
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return above
    return None


def _indentation_slip(text: str, index: int) -> tuple[int, str] | None:
    """The 1-based line and message when "mapping values are not allowed" at line ``index`` (0-based)
    comes from a key indented differently from its neighbours, or None.

    A key indented deeper than the "key: value" above it reads to YAML as more of that value,
    and the colon then looks like one inside a value.  Either this key is too deep, or the key
    above is too shallow: the keys above that one, at this key's depth, tell which."""
    lines = text.splitlines()
    this = _key_at(lines[index]) if index < len(lines) else None
    above = _line_above(lines, index)
    if this is None or above is None:
        return None
    shallow = _key_at(lines[above])
    if shallow is None or shallow[0] >= this[0]:
        return None
    before = _line_above(lines, above)
    sibling = _key_at(lines[before]) if before is not None else None
    if sibling is not None and sibling[0] == this[0]:
        return above + 1, (f"`{shallow[1]}:` is indented less than the keys above it (`{sibling[1]}:` on line "
                           f"{before + 1}); give it their indentation")
    return index + 1, (f"`{this[1]}:` is indented more than the keys above it (`{shallow[1]}:` on line "
                       f"{above + 1}); give it their indentation")


def _character_named(code: int) -> str:
    """"the invisible character U+001A (Ctrl-Z)", for one YAML refuses: a control character is named by the
    key that types it, as old editors show it."""
    key = f" (Ctrl-{chr(code + 64)})" if code < 0x20 else ""
    return f"the invisible character U+{code:04X}{key}"


def load_yaml_text(text: str, *, untrusted: bool = False) -> Any:
    """Parse YAML text; raise :class:`YamlError` with a 1-based line on
    failure.  ``untrusted`` text (a student's) may not use aliases, and its no-break spaces are spaces."""
    if untrusted:
        # Option+Space on a Mac, or a web page pasted: the space the student meant, which YAML takes for a
        # letter ("Q2.1b:\u00a01" would be one text, and the file unreadable).
        text = text.replace("\u00a0", " ")
    try:
        return yaml.load(text, Loader=_UntrustedLoader if untrusted else _SpecLoader)  # noqa: S506 - SafeLoader subclass
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or str(exc)
        slip = _indentation_slip(text, mark.line) if mark and what.startswith("mapping values are not allowed") \
            else None
        if slip:
            raise YamlError(slip[0], f"not valid YAML: {slip[1]}") from None
        opened = _left_open(exc)
        if opened:  # reported where it was opened: the line where the parser gave up is only a symptom
            where = "the file ends first" if "end of stream" in what else f"at line {line}: {what}"
            raise YamlError(opened[0], f"not valid YAML: {opened[1]} ({where})") from None
        hint = next((h for start, h in _HINTS if what.startswith(start)), "")
        raise YamlError(line, f"not valid YAML: {what}" + (f" ({hint})" if hint else "")) from None
    except yaml.reader.ReaderError as exc:  # PyYAML's own words give a character offset in "<unicode string>"
        line = text[:exc.position].count("\n") + 1
        raise YamlError(line, f"not valid YAML: it holds {_character_named(exc.character)}, which YAML does not "
                              "allow: delete it") from None
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
        text = decoded_text(raw)
    except UnicodeDecodeError as exc:
        raise YamlError(0, f"the file is {not_utf8(raw, exc)}; save it as UTF-8") from None
    if "\x00" in text:
        raise YamlError(0, f"the file is {with_nul_bytes(raw)}; save it as UTF-8")
    if is_rtf(text):
        raise YamlError(0, f"the file is {RTF_DOCUMENT}")
    # Old DOS editors end a file with Ctrl-Z, their end-of-file mark: not part of the text.
    return load_yaml_text(text.rstrip("\x1a"), untrusted=untrusted)
