"""Hide long digit runs — ID, phone and bank-card numbers — in text echoed back to the person who sent it.

Pure module (no Django). Pages and result files that show what a roster row gave (a name cell, a raw value in
a rejection, a note) pass the text through :func:`mask_numbers`, so a cell that swallowed other rows (an
unbalanced quote in a CSV, several values pasted into one cell) can never show a full ID number — defence in
depth beside the reader's own checks (``pingan.screening.roster``, docs/screening.md "Privacy of echoed
input").

A *number run* is a sequence of digits (ASCII or full-width) — optionally in groups of at least three
separated by one space or hyphen (``138-0013-8000``, ``110101 19900307 8515``) — holding at least
:data:`MIN_DIGITS` digits, with an optional trailing check character ``X``. That covers every GB 11643
number (15 or 18 characters), mobile numbers (11 digits), landlines with their area code and bank-card
numbers (16–19 digits), and leaves alone what messages legitimately carry: row numbers (an Excel sheet has
at most 1,048,576 rows, 7 digits), dates (``2024-03-01``, ``20240301``: 8 digits), times, postcodes and a
standard's number after its designation (``GB 11643-1999``).
A run is shown as its first 3 and last 2 characters with a ``*`` for each digit between, as elsewhere in
pingan (``110*************15``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MIN_DIGITS", "mask_numbers", "mask_values"]

#: The fewest digits a run must hold to be masked (row numbers and dates hold fewer).
MIN_DIGITS = 9

_D = "[0-9\uff10-\uff19]"
_RUN = re.compile(
    rf"(?<![0-9\uff10-\uff19])(?:{_D}{{3,}}(?:[ \-]{_D}{{3,}})+|{_D}+)[XxＸｘ]?(?![0-9\uff10-\uff19])"
)
_DIGIT = re.compile(_D)


#: A standard's designation just before a run of the form number-year (``GB 11643-1999``, ``GB/T 2260-2007``):
#: the standard's number and year, not a person's; no ID, phone or card number has that shape.
_STANDARD = re.compile(r"(?:GB|GA|JR|YD|ISO|IEC)(?:/[TZ])?[ \u00a0]?$")
_NUMBER_YEAR = re.compile(r"[0-9]{1,6}-(?:19|20)[0-9]{2}")


def _mask_run(m: re.Match[str]) -> str:
    run = m.group(0)
    digits = len(_DIGIT.findall(run))
    if digits < MIN_DIGITS or (_NUMBER_YEAR.fullmatch(run)
                               and _STANDARD.search(m.string, max(0, m.start() - 10), m.start())):
        return run
    chars = [c for c in run if c not in " -"]
    return "".join(chars[:3]) + "*" * (len(chars) - 5) + "".join(chars[-2:])


def mask_numbers(text: str) -> str:
    """``text`` with every number run (module docstring) masked; other text unchanged.

    ``"张三,110101199003078515,13800000000"`` → ``"张三,110*************15,138******00"``. Non-text values
    are returned as they are.
    """
    if not isinstance(text, str) or len(text) < MIN_DIGITS:
        return text
    return _RUN.sub(_mask_run, text)


def mask_values(value: Any) -> Any:
    """:func:`mask_numbers` applied to every string inside ``value`` (dicts, lists and tuples walked), e.g. the
    parameters of a stored message before they are shown or returned by the API."""
    if isinstance(value, str):
        return mask_numbers(value)
    if isinstance(value, Mapping):
        return {k: mask_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_values(v) for v in value]
    return value
