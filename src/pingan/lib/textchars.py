"""Characters that text from outside must not carry: one rule for every reader (pure; imports no Django).

Text that comes from outside — a roster cell, a dispatch roster, a bank statement or contact record, a citizen's
form, a device's or camera platform's event — is shown on pages, written into CSV/XLSX downloads and printed on
terminals. Some characters do not show as themselves there: issue 11's trial put U+202E (RIGHT-TO-LEFT
OVERRIDE) in a name and the job page read ``赵75*************225 · 行 4 第 六`` (the row's text reversed), and
an ANSI escape (``李\\x1b[31m四``) showed as ``李[31m四`` and was written into the result CSV, where a terminal
printing it changed colour. So, per character class (:func:`kind`):

``control``
    C0 controls U+0000–U+001F except tab, line feed and carriage return (``allow_newlines=False``: tab only —
    a single-line field), DEL U+007F and the C1 controls U+0080–U+009F (U+009B is a terminal's CSI, like
    ESC ``[``). No person types them; they come from a damaged export or on purpose. **Rejected.**
``bidi``
    The explicit direction formatting of Unicode's bidirectional algorithm (UAX #9): embeddings and
    overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E/U+200F and U+061C (ARABIC LETTER
    MARK). They reorder what follows them on screen, so a cell could show another value than it holds
    ("Trojan Source", CVE-2021-42574). **Rejected.**
``separator``
    U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks some programs honour and others do
    not (a row would read differently in Excel, a terminal and a page). **Rejected.**
``invisible``
    Zero-width characters U+200B–U+200D, U+2060 (WORD JOINER) and U+FEFF (a byte-order mark inside a cell):
    they change nothing on screen but make two equal names differ (``张三`` ≠ ``张\\u200b三``) and come in
    with copy-paste from web pages, chat apps and PDFs, where the person cannot see them to delete them.
    **Removed** (:func:`strip_invisible`), with a note naming the rows where a reader can say it.

A rejection names every such character as ``U+XXXX`` (:func:`code_point`, :func:`find_all_unsafe`) with its
class and position, never the character itself (which would do on the page what it did in the file); where
the rejected value is echoed back to the person who gave it, :func:`shown` writes each character in its place
as ``⟨U+XXXX⟩``, the name the message gives it, so nothing is lost silently (issue 11's trial read
``李[31m四``: the escape gone without a word). Output files pass every cell through
:func:`for_output`, which removes all four classes (a tab, line feed or carriage return stays: CSV quotes it),
so no download can carry one even from data stored before this rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INVISIBLE",
    "INVISIBLE_RE2",
    "REJECT_RE2",
    "SHOWN",
    "UNSAFE_RE2",
    "Unsafe",
    "code_point",
    "described",
    "find_all_unsafe",
    "find_unsafe",
    "for_output",
    "has_any",
    "kind",
    "named",
    "shown",
    "strip_invisible",
]

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATOR = "\u2028\u2029"
#: Zero-width characters removed from a cell (the class ``invisible``).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"

_UNSAFE = re.compile(f"[{_CONTROL}{_BIDI}{_SEPARATOR}]")
_UNSAFE_SINGLE_LINE = re.compile(f"[{_CONTROL}\n\r{_BIDI}{_SEPARATOR}]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_ANY = re.compile(f"[{_CONTROL}{_BIDI}{_SEPARATOR}{INVISIBLE}]")
_OUTPUT = _ANY


def _re2(chars: str) -> str:
    out = []
    for ch in chars:
        out.append(ch if ch == "-" else f"\\x{{{ord(ch):04X}}}")
    return "".join(out)


#: The same characters as :func:`has_any` (all four classes) in RE2 syntax, for pyarrow.compute's
#: ``match_substring_regex`` (a vectorised reader's pre-filter).
UNSAFE_RE2 = f"[{_re2(_CONTROL + _BIDI + _SEPARATOR + INVISIBLE)}]"
#: The characters :func:`find_unsafe` rejects (newlines allowed), in RE2 syntax.
REJECT_RE2 = f"[{_re2(_CONTROL + _BIDI + _SEPARATOR)}]"
#: The zero-width characters :func:`strip_invisible` removes, in RE2 syntax.
INVISIBLE_RE2 = f"[{_re2(INVISIBLE)}]"


@dataclass(frozen=True, slots=True)
class Unsafe:
    """The first character of a text that must not stay: ``index`` (0-based, in characters), ``char`` itself,
    ``code`` (``"U+202E"``) and ``kind`` (``control``, ``bidi`` or ``separator``)."""

    index: int
    char: str
    code: str
    kind: str

    def describe(self) -> str:
        """English, for programs and logs: ``"U+202E (a bidirectional formatting character)"``."""
        return f"{self.code} ({_KIND_EN[self.kind]})"


_KIND_EN = {
    "control": "a control character",
    "bidi": "a bidirectional formatting character",
    "separator": "a Unicode line or paragraph separator",
    "invisible": "a zero-width character",
}


def code_point(char: str) -> str:
    """``"U+202E"``: how a message names a character (four hex digits at least, upper case)."""
    return f"U+{ord(char):04X}"


def kind(char: str) -> str | None:
    """The class of one character (``control``, ``bidi``, ``separator``, ``invisible``), or ``None`` for a
    character text may hold. Tab, line feed and carriage return are ``None`` here (a field that must be one
    line says so to :func:`find_unsafe`)."""
    if _INVISIBLE.fullmatch(char):
        return "invisible"
    if re.fullmatch(f"[{_BIDI}]", char):
        return "bidi"
    if char in _SEPARATOR:
        return "separator"
    if re.fullmatch(f"[{_CONTROL}]", char):
        return "control"
    return None


def has_any(text: str) -> bool:
    """Whether ``text`` holds a character of any of the four classes (a cheap test before the exact one)."""
    return _ANY.search(text) is not None


def find_unsafe(text: str, *, allow_newlines: bool = True) -> Unsafe | None:
    """The first character of ``text`` to reject (``control``, ``bidi``, ``separator``; zero-width characters
    are not: :func:`strip_invisible` removes them), or ``None``. ``allow_newlines=False``: a line feed or
    carriage return is a ``control`` character too (a name, an ID number, a phone)."""
    m = (_UNSAFE if allow_newlines else _UNSAFE_SINGLE_LINE).search(text)
    if m is None:
        return None
    ch = m.group()
    return Unsafe(m.start(), ch, code_point(ch), kind(ch) or "control")


def find_all_unsafe(text: str, *, allow_newlines: bool = True) -> list[Unsafe]:
    """Every character of ``text`` that :func:`find_unsafe` would reject, in order (``[]`` when none): what a
    rejection names, so that a cell holding U+202E and an ESC says both."""
    pattern = _UNSAFE if allow_newlines else _UNSAFE_SINGLE_LINE
    return [Unsafe(m.start(), m.group(), code_point(m.group()), kind(m.group()) or "control")
            for m in pattern.finditer(text)]


def named(found: list[Unsafe], *, char: str = "chars", position: str = "positions") -> dict[str, Any]:
    """The parameters of a message naming the characters ``found`` (:func:`find_all_unsafe`): their code points
    (``U+202E``) under ``char`` and their 1-based positions under ``position``, as lists, and ``n``, how many.
    The one way every message about such characters is given its specifics: its template is one
    ``ngettext_lazy(one, several, "n")`` (a pure module's English twin a ``(one, several)`` pair,
    :func:`pingan.screening.roster.english`), so whether one or several are said is the catalogue's plural rule,
    never a choice between two messages at the call (issue 11: four places chose by hand)."""
    return {char: [f.code for f in found], position: [f.index + 1 for f in found], "n": len(found)}


def described(found: list[Unsafe]) -> str:
    """English, for programs and logs: each character :func:`find_all_unsafe` found, with its 1-based position
    (``"U+202E (a bidirectional formatting character) at character 3, U+001B (a control character) at
    character 5"``)."""
    return ", ".join(f"{f.describe()} at character {f.index + 1}" for f in found)


#: How :func:`shown` writes a character that does not show as itself (``⟨U+001B⟩``): the name the rejection
#: message gives it, in brackets no text uses.
SHOWN = "⟨{code}⟩"


def shown(text: str, *, allow_newlines: bool = False) -> str:
    """``text`` with each character of the four classes written visibly in its place as ``⟨U+XXXX⟩``
    (:data:`SHOWN`): a rejected value echoed to the person who gave it, without the characters acting on the
    page or terminal and without any of them vanishing (``李\x1b[31m四`` → ``李⟨U+001B⟩[31m四``).
    ``allow_newlines=False`` (a one-line echo): a line feed or carriage return is written so too; a tab
    stays."""
    pattern = _ANY if allow_newlines else _SHOWN_SINGLE_LINE
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: SHOWN.format(code=code_point(m.group())), text)


_SHOWN_SINGLE_LINE = re.compile(f"[{_CONTROL}\n\r{_BIDI}{_SEPARATOR}{INVISIBLE}]")


def strip_invisible(text: str) -> str:
    """``text`` without its zero-width characters (the class ``invisible``)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def for_output(value: object) -> object:
    """A cell of an output file (CSV/XLSX) without any character of the four classes; tab, line feed and
    carriage return stay (the CSV writer quotes them). Non-text values are returned as they are."""
    if isinstance(value, str) and _OUTPUT.search(value):
        return _OUTPUT.sub("", value)
    return value
