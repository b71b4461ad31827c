"""Text students chose, made safe to show anywhere: a terminal, a CI log, XML, HTML, a spreadsheet."""
from __future__ import annotations

import unicodedata

# C0 controls but tab and newline, DEL, and C1 controls: XML 1.0 forbids most
# of them, and on a terminal a student's "\x1b[2J" or "\r" would redraw the
# screen or overwrite a verdict.
_CONTROLS = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n"}
_CONTROLS[0x7F] = "\u2421"
_CONTROLS.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Lone surrogates, which no UTF-8 terminal or file takes.
_CONTROLS.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
# Bidirectional overrides and marks, shown by name: "\u202eecila" would display as "alice".
_CONTROLS.update({code: f"⟨U+{code:04X}⟩" for code in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                        *range(0x2066, 0x206A)]})
# Unicode's noncharacters, shown by name too: XML 1.0 cannot carry U+FFFE and U+FFFF (one in a
# student's answer would make the whole class's junit.xml unreadable) and HTML forbids them all.
_NONCHARACTERS = [*range(0xFDD0, 0xFDF0), *(plane | last for plane in range(0, 0x110000, 0x10000)
                                            for last in (0xFFFE, 0xFFFF))]
_CONTROLS.update({code: f"⟨U+{code:04X}⟩" for code in _NONCHARACTERS})


def control_pictures(text: str) -> str:
    """``text`` with control characters shown as their symbols (ESC as ␛), lone surrogates as
    U+FFFD, and bidi controls and noncharacters by name (⟨U+FFFF⟩): every character XML 1.0 or
    HTML cannot carry comes out visible."""
    return text.translate(_CONTROLS)


_LINE_BREAKS = {ord("\n"): "\u240a", ord("\t"): "\u2409"}


def one_line(text: str) -> str:
    """A name (a student's folder, a file's name) as every output shows it: control characters as
    symbols, the newline and tab too (␊, ␉), so a name can never start a line of its own.  A CI log
    takes a line starting with ``::error`` for a command, and a terminal would show a forged total."""
    return control_pictures(text).translate(_LINE_BREAKS)


def alphabetical(text: str) -> tuple[str, str]:
    """A sort key that files "Özdemir" with the O's and "émile" with the E's, whatever the case, as a class
    list is read; the text itself breaks ties, so the order stays the same from run to run."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return letters.casefold(), text
