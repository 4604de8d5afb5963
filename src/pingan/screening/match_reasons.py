"""A hit's match reasons (``Hit.match_reasons``) as labels in the reader's language.

The engines (``screening.batch`` and ``screening.spark``, identically) store each reason as one English line
with its parameters inside ("document number equal", "stayed in listed high-risk area 9f… while it was listed,
within 7 days", "name homophone (zhang wei)"): the police person page showed them as they are (issue 11's
trial: English on a Chinese page). :func:`parse` reads a line back into a code and its parameters (pure, no
Django), :data:`LABELS` says each code in the reader's language and :func:`label` renders one line; a line
no pattern knows is shown as stored. The API keeps the stored lines (its stable form) — hits written before
this render the same way, since the lines have not changed.

Codes (params): ``document_equal``, ``listed_document``, ``id_15to18``, ``area_stay`` (level, area, days),
``county_stay`` (county, level, area, days), ``identity`` (status, detail), ``id_corrected_substitution``
(position), ``id_corrected_transposition`` (first, second), ``corrections_tied`` (n), ``name_<kind>``
(``missing``, ``exact``, ``exact_separator``, ``simplified``, ``homophone`` and ``romanised`` with
``pinyin``, ``latin``, ``initials``, ``differs``; each may name the listed name, ``listed``),
``birth_date_equal``, ``birth_date_from_id``, ``birth_year`` / ``birth_year_month`` / ``birth_date`` (date),
``phone_equal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

_LISTED = r"(?: \((?P<listed>[^()]*)\))?"

#: (code, pattern) in the order tried; each pattern matches a whole line
PATTERNS: tuple[tuple[str, str], ...] = (
    ("listed_document", r"document number equal to a listed document"),
    ("document_equal", r"document number equal"),
    ("id_15to18", r"15-digit ID converted to 18 digits \(GB 11643-1999 §6\)"),
    ("area_stay", r"stayed in listed (?P<level>\w+)-risk area (?P<area>\S+) while it was listed, "
                  r"within (?P<days>\d+) days"),
    ("county_stay", r"stayed in county (?P<county>\w+) while it had listed (?P<level>\w+)-risk area (?P<area>\S+), "
                    r"outside the area, within (?P<days>\d+) days"),
    ("identity", r"identity (?P<status>[a-z_]+)(?:: (?P<detail>.+))?"),
    ("id_corrected_substitution", r"ID number corrected: substitution at position (?P<position>\d+) "
                                  r"\(GB 11643-1999 check character\)"),
    ("id_corrected_transposition", r"ID number corrected: transposition at positions (?P<first>\d+)[–-](?P<second>\d+) "
                                   r"\(GB 11643-1999 check character\)"),
    ("corrections_tied", r"(?P<n>\d+) corrections equally corroborated"),
    ("name_missing", r"name missing" + _LISTED),
    ("name_exact_separator", r"name exact \(separator differs\)" + _LISTED),
    ("name_exact", r"name exact" + _LISTED),
    ("name_simplified", r"name same in simplified characters" + _LISTED),
    ("name_homophone", r"name homophone \((?P<pinyin>[^()]*)\)" + _LISTED),
    ("name_romanised", r"name romanised \((?P<pinyin>[^()]*)\)" + _LISTED),
    ("name_latin", r"name same Latin tokens" + _LISTED),
    ("name_initials", r"name matches with initials" + _LISTED),
    ("name_differs", r"name differs" + _LISTED),
    ("birth_date_from_id", r"birth date equal \(read from the invalid ID number\)"),
    ("birth_date_equal", r"birth date equal"),
    ("birth_year_month", r"birth year and month match (?P<date>[\d-]+)"),
    ("birth_year", r"birth year matches (?P<date>\d+)"),
    ("birth_date", r"birth date matches (?P<date>[\d-]+)"),
    ("phone_equal", r"phone equal"),
)
_COMPILED = tuple((code, re.compile(pattern)) for code, pattern in PATTERNS)

LABELS: dict[str, Any] = {
    "listed_document": _("document number equal to a listed document"),
    "document_equal": _("document number equal"),
    "id_15to18": _("15-digit ID number converted to 18 digits (GB 11643-1999 §6)"),
    "area_stay": _("stayed in a listed %(level)s while it was listed, within %(days)s days"),
    "county_stay": _("stayed in county %(county)s while it had a listed %(level)s (outside the area), within "
                     "%(days)s days"),
    "identity": _("identity document: %(status)s"),
    "id_corrected_substitution": _("ID number corrected: one character at position %(position)s (GB 11643-1999 "
                                   "check character)"),
    "id_corrected_transposition": _("ID number corrected: positions %(first)s and %(second)s swapped (GB "
                                    "11643-1999 check character)"),
    "corrections_tied": _("%(n)s corrections equally corroborated"),
    "name_missing": _("name missing"),
    "name_exact_separator": _("same name (the separator differs)"),
    "name_exact": _("same name"),
    "name_simplified": _("same name in simplified characters"),
    "name_homophone": _("name sounds the same (%(pinyin)s)"),
    "name_romanised": _("name is the romanisation (%(pinyin)s)"),
    "name_latin": _("same name in Latin letters"),
    "name_initials": _("name matches with initials"),
    "name_differs": _("name differs"),
    "birth_date_from_id": _("same date of birth (read from the invalid ID number)"),
    "birth_date_equal": _("same date of birth"),
    "birth_year_month": _("year and month of birth match (%(date)s)"),
    "birth_year": _("year of birth matches (%(date)s)"),
    "birth_date": _("date of birth matches (%(date)s)"),
    "phone_equal": _("same phone number"),
}
#: what a name reason adds when it names the listed entry's name
LISTED = _("%(reason)s: listed as “%(listed)s”")
LEVELS = {"high": _("high-risk area"), "medium": _("medium-risk area"), "low": _("low-risk area")}


def parse(line: str) -> tuple[str, dict[str, str]] | None:
    """``(code, params)`` of one stored reason line, or ``None`` when no pattern matches it (pure)."""
    for code, pattern in _COMPILED:
        m = pattern.fullmatch((line or "").strip())
        if m:
            return code, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def label(line: str) -> str:
    """One stored line in the active language; a line no pattern knows is returned as it is."""
    from pingan.core.texts import lang
    from pingan.dashboard.people import IDENTITY_STATUSES
    from pingan.lib import places

    parsed = parse(line)
    if parsed is None:
        return line
    code, params = parsed
    values: dict[str, Any] = dict(params)
    if "level" in values:
        values["level"] = str(LEVELS.get(values["level"], values["level"]))
    if code == "identity":
        values["status"] = str(IDENTITY_STATUSES.get(values["status"], values["status"]))
    if code == "county_stay":
        place = places.places().get(values["county"])
        values["county"] = place.label(lang()) if place else values["county"]
    text = str(LABELS[code]) % values
    if params.get("listed"):
        text = str(LISTED) % {"reason": text, "listed": params["listed"]}
    return text


def labels(lines: Iterable[str]) -> list[str]:
    """Every line of a hit's ``match_reasons`` in the active language."""
    return [label(line) for line in lines or ()]
