"""A hit's match reasons (``Hit.match_reasons``): stored as codes and parameters, said in the reader's language.

The engines (``screening.batch`` and ``screening.spark``, identically) write each reason as one English line
with its parameters inside ("document number equal", "stayed in listed high-risk area 9f… while it was listed,
within 7 days", "name homophone (zhang wei)"). Where a hit is stored (``services``, ``reevaluate``) each line
becomes ``{"code": …, "params": {…}}`` (:func:`stored`; :func:`parse` reads a line, pure, no Django; a line no
pattern knows is kept as ``{"code": "text", "params": {"text": line}}``), and the pages say it in the reader's
language (:data:`LABELS`, :func:`label`) — issue 11: pages parsed the English at display time. The API keeps
its stable machine-readable lines: :func:`line` writes a stored reason back as the engine's English.
Rows stored before are converted by migration ``screening 0013``; :func:`label` still reads an old line.

Codes (params): ``document_equal``, ``listed_document``, ``id_15to18``, ``area_stay`` (level, area, days),
``county_stay`` (county, level, area, days), ``identity`` (status, detail), ``id_corrected_substitution``
(position), ``id_corrected_transposition`` (first, second), ``corrections_tied`` (n), ``name_<kind>``
(``missing``, ``exact``, ``exact_separator``, ``simplified``, ``homophone`` and ``romanised`` with
``pinyin``, ``latin``, ``initials``, ``differs``; each may name the listed name, ``listed``),
``birth_date_equal``, ``birth_date_from_id``, ``birth_year`` / ``birth_year_month`` / ``birth_date`` (date),
``phone_equal``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

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
    # a look-back of one day says "1 day" (issue 11: "1 people" and the like)
    "area_stay": ngettext_lazy("stayed in a listed %(level)s while it was listed, within %(days)s day",
                               "stayed in a listed %(level)s while it was listed, within %(days)s days", "days"),
    "county_stay": ngettext_lazy(
        "stayed in county %(county)s while it had a listed %(level)s (outside the area), within %(days)s day",
        "stayed in county %(county)s while it had a listed %(level)s (outside the area), within %(days)s days",
        "days"),
    "identity": _("identity document: %(status)s"),
    "id_corrected_substitution": _("ID number corrected: one character at position %(position)s (GB 11643-1999 "
                                   "check character)"),
    "id_corrected_transposition": _("ID number corrected: positions %(first)s and %(second)s swapped (GB "
                                    "11643-1999 check character)"),
    "corrections_tied": ngettext_lazy("%(n)s correction equally corroborated",
                                      "%(n)s corrections equally corroborated", "n"),
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


#: Each code's line as the engines write it (the API's stable form); ``{listed}`` is " (name)" or "".
ENGLISH: dict[str, str] = {
    "listed_document": "document number equal to a listed document",
    "document_equal": "document number equal",
    "id_15to18": "15-digit ID converted to 18 digits (GB 11643-1999 §6)",
    "area_stay": "stayed in listed {level}-risk area {area} while it was listed, within {days} days",
    "county_stay": "stayed in county {county} while it had listed {level}-risk area {area}, outside the area, "
                   "within {days} days",
    "identity": "identity {status}{detail}",
    "id_corrected_substitution": "ID number corrected: substitution at position {position} (GB 11643-1999 check "
                                 "character)",
    "id_corrected_transposition": "ID number corrected: transposition at positions {first}–{second} (GB 11643-1999 "
                                  "check character)",
    "corrections_tied": "{n} corrections equally corroborated",
    "name_missing": "name missing{listed}",
    "name_exact_separator": "name exact (separator differs){listed}",
    "name_exact": "name exact{listed}",
    "name_simplified": "name same in simplified characters{listed}",
    "name_homophone": "name homophone ({pinyin}){listed}",
    "name_romanised": "name romanised ({pinyin}){listed}",
    "name_latin": "name same Latin tokens{listed}",
    "name_initials": "name matches with initials{listed}",
    "name_differs": "name differs{listed}",
    "birth_date_from_id": "birth date equal (read from the invalid ID number)",
    "birth_date_equal": "birth date equal",
    "birth_year_month": "birth year and month match {date}",
    "birth_year": "birth year matches {date}",
    "birth_date": "birth date matches {date}",
    "phone_equal": "phone equal",
}


@lru_cache(maxsize=4096)
def _stored_one(line: str) -> str:
    parsed = parse(line)
    code, params = parsed if parsed is not None else ("text", {"text": line})
    return json.dumps({"code": code, "params": params}, ensure_ascii=False, sort_keys=True)


def stored(lines: Iterable[str] | None) -> list[dict[str, Any]]:
    """The engine's lines as stored: ``[{"code": …, "params": {…}}, …]`` (pure; a stored reason passes as is)."""
    return [r if isinstance(r, dict) else json.loads(_stored_one(str(r))) for r in lines or ()]


def stored_json(text: str | None) -> str:
    """:func:`stored` of a JSON array of lines (a ``COPY`` column), as JSON."""
    return json.dumps(stored(json.loads(text) if text else []), ensure_ascii=False)


def line(reason: dict[str, Any] | str) -> str:
    """A reason as the engine's English line (the API's stable form); an old stored line as it is."""
    if isinstance(reason, str):
        return reason
    code, params = reason.get("code", ""), dict(reason.get("params") or {})
    if code not in ENGLISH:
        return str(params.get("text", code))
    params["listed"] = f" ({params['listed']})" if params.get("listed") else ""
    params["detail"] = f": {params['detail']}" if params.get("detail") else ""
    return ENGLISH[code].format_map(params)


def label(reason: dict[str, Any] | str) -> str:
    """One stored reason in the active language (an old stored line is parsed first); one no pattern knows is
    returned as it was written."""
    from pingan.core.texts import lang
    from pingan.dashboard.people import IDENTITY_STATUSES
    from pingan.lib import places

    if isinstance(reason, dict):
        code, params = reason.get("code", ""), dict(reason.get("params") or {})
        if code not in LABELS:
            return str(params.get("text", code))
    else:
        parsed = parse(reason)
        if parsed is None:
            return reason
        code, params = parsed
    values: dict[str, Any] = dict(params)
    for count in ("days", "n"):  # the numbers a label's singular or plural follows
        if count in values:
            values[count] = int(values[count])
    if "level" in values:
        values["level"] = str(LEVELS.get(values["level"], values["level"]))
    if code == "identity":
        values["status"] = str(IDENTITY_STATUSES.get(values["status"], values["status"]))
    if code == "county_stay":
        place = places.places().get(values["county"])
        values["county"] = place.label(lang()) if place else values["county"]
    text = str(LABELS[code] % values)  # a plural label picks its form by the count first
    if params.get("listed"):
        text = str(LISTED) % {"reason": text, "listed": params["listed"]}
    return text


def labels(reasons: Iterable[dict[str, Any] | str]) -> list[str]:
    """Every reason of a hit's ``match_reasons`` in the active language."""
    return [label(r) for r in reasons or ()]
