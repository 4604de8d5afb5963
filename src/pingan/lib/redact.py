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

**One masked form per number.** The same document number reaches pingan in several forms: typed as text,
with full-width digits, a lower-case ``x``, grouped with spaces or hyphens — or stored by Excel as a number,
which a reader gets as ``1.50102199001011e+17``, a CSV saved from Excel as ``1.50102199001011E+17``, another
program as ``150102199001011000`` or ``150102199001011000.0``. :func:`normalise_number` turns each into one
text (half-width digits, an upper-case ``X``, no separators; a number in scientific or decimal notation into
its integer digits, to Excel's 15 significant digits (``1.5010219900101102e+17``, a double's shortest form,
and ``1.50102199001011E+17`` are one number) — the digits Excel lost read as the zeros they became), and
:func:`mask_id` masks that, so a page, a download and the API show one masked form for one number:
``150*************00`` for every form of that Excel number, not ``1.5****************17`` on one page and
``1.50***E+17`` on another. :func:`mask_numbers` masks the runs inside a text the same way (a scientific
number in a reason is one run, in every notation Excel or a program writes: ``1.5E+17``, ``1E+17``, ``1.5e17``,
``15E16``, full-width — issue 11 found ``1.5E+17``, shorter than a run, shown unmasked beside a masked
``370*************00``).

**Masked as what it is.** A phone is masked by :func:`mask_phone`, a document number by :func:`mask_id`; in a
text, a trailing ``X`` is read as a check character only after 17 digits (GB 11643): an invalid phone typed
``1380013800x`` shows as ``138******0x``, not as the ID-number-looking ``138******0X`` (issue 11's trial).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

__all__ = ["MIN_DIGITS", "mask_id", "mask_numbers", "mask_phone", "mask_values", "normalise_number"]

#: The fewest digits a run must hold to be masked (row numbers and dates hold fewer).
MIN_DIGITS = 9

_D = "[0-9\uff10-\uff19]"
_RUN = re.compile(
    rf"(?<![0-9\uff10-\uff19])(?:{_D}+(?:[.．]{_D}+)?[eEｅＥ][+\-＋－]?{_D}{{1,3}}|{_D}{{9,}}[.．]0+(?![0-9\uff10-\uff19])"
    rf"|{_D}{{3,}}(?:[ \-]{_D}{{3,}})+|{_D}+)[XxＸｘ]?(?![0-9\uff10-\uff19])"
)
#: Significant digits Excel keeps of a number: an 18-digit ID stored as a number keeps its first 15.
EXCEL_DIGITS = 15
#: A number as Excel or a program writes it: scientific (``1.50102199001011E+17``) or decimal (``…000.0``).
_NUMERIC = re.compile(r"[+]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,3})?")
_GROUPED = re.compile(r"[0-9]+(?:[ \-][0-9]+)*[X]?")


def normalise_number(text: str) -> str:
    """The one text of a document or phone number, whatever form it came in (module docstring): NFKC
    (full-width digits and letters to half-width), trimmed, ``x`` upper-cased, separators between digit
    groups removed, and a number in scientific or decimal notation that is a whole number written as its
    integer digits. Any other text is returned trimmed and NFKC-normalised."""
    if not isinstance(text, str):
        return text
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return s
    if ("." in s or "e" in s or "E" in s) and _NUMERIC.fullmatch(s):
        try:
            d = Decimal(s)
        except InvalidOperation:
            return s
        if d.adjusted() >= EXCEL_DIGITS:  # beyond Excel's precision: its digits, not the double's artefacts
            with localcontext() as ctx:
                ctx.prec = EXCEL_DIGITS
                d = +d
        if d == d.to_integral_value() and d.adjusted() < 40:
            return format(d.quantize(Decimal(1)), "f")
        return s
    upper = s.upper()
    if _GROUPED.fullmatch(upper):
        return upper.replace(" ", "").replace("-", "")
    return s
_DIGIT = re.compile(_D)
_EXPONENT = re.compile("[eEｅＥ]")


#: A standard's designation just before a run of the form number-year (``GB 11643-1999``, ``GB/T 2260-2007``):
#: the standard's number and year, not a person's; no ID, phone or card number has that shape.
_STANDARD = re.compile(r"(?:GB|GA|JR|YD|ISO|IEC)(?:/[TZ])?[ \u00a0]?$")
_NUMBER_YEAR = re.compile(r"[0-9]{1,6}-(?:19|20)[0-9]{2}")


#: Digits of a GB 11643 number before its check character: only after 17 digits is a trailing ``X`` one.
ID_BODY_DIGITS = 17


def _mask_run(m: re.Match[str]) -> str:
    run = m.group(0)
    if _NUMBER_YEAR.fullmatch(run) and _STANDARD.search(m.string, max(0, m.start() - 10), m.start()):
        return run
    number = normalise_number(run)
    digits = sum(c.isdigit() for c in number)
    if digits < MIN_DIGITS:
        return run
    if number.endswith("X") and digits != ID_BODY_DIGITS:
        # not an ID number's check character (a phone typed "1380013800x"): the letter stays as it was written
        number = number[:-1] + unicodedata.normalize("NFKC", run[-1])
    return _masked(number)


def _masked(n: str) -> str:
    return n if len(n) < 6 else n[:3] + "*" * (len(n) - 5) + n[-2:]


def mask_id(number: str) -> str:
    """A document number as every page, download and API response shows it to the submitter (a phone:
    :func:`mask_phone`): its
    normalised form (:func:`normalise_number`) with all but the first 3 and last 2 characters hidden (a text
    shorter than 6 characters is shown as it is)."""
    if not isinstance(number, str):
        return number
    return _masked(normalise_number(number))


_PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212().]+")


def mask_phone(phone: str) -> str:
    """A phone number as pages, downloads and the API show it to the submitter: half-width, without the spaces,
    hyphens, brackets and dots people write in it (an Excel number, ``1.3800138E+10``, as its digits), all but
    the first 3 and last 2 characters hidden (a text shorter than 6 characters is shown as it is) — masked as a
    phone, not as an ID number: a letter stays as it was written (``1380013800x`` → ``138******0x``; issue 11's
    trial read ``138******0X``, an ID number's check character). Whether the number is valid is said beside it
    (``pingan.lib.identity.phones.normalize_phone``), never by its masked form."""
    if not isinstance(phone, str):
        return phone
    text = unicodedata.normalize("NFKC", phone).strip()
    number = normalise_number(text)
    if not number.isdigit():
        number = _PHONE_SEPARATORS.sub("", text)
    return _masked(number)


def mask_name(name: str) -> str:
    """A person's name as the audit page names a record by it: its first and (from three characters) last
    character kept, the rest hidden ("张三" → "张*", "欧阳小明" → "欧**明", "Li Wei" → "L****i"); digit runs
    masked first. An empty name stays empty."""
    if not isinstance(name, str):
        return name
    text = "".join(mask_numbers(name).split())
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_numbers(text: str) -> str:
    """``text`` with every number run (module docstring) masked; other text unchanged.

    ``"张三,110101199003078515,13800000000"`` → ``"张三,110*************15,138******00"``. Non-text values
    are returned as they are.
    """
    # a short text holds no long run — unless it is an Excel number: "1.5E+17" (7 characters) is 18 digits
    if not isinstance(text, str) or (len(text) < MIN_DIGITS and not _EXPONENT.search(text)):
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
