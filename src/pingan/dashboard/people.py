"""What the person page says about each hit, in the reader's language: the rule, how the person matched,
where and when (place names and dates, not keys), the listing the place fell in, the listed entry behind a
watchlist hit. Presentation only: the selectors have already scoped and audited the read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import texts
from pingan.lib import adcodes
from pingan.screening.models import Hit, PersonResult

MATCH_KINDS = {
    "id_exact": gettext_lazy("same document number"),
    "id_15to18": gettext_lazy("same number (a 15-digit card number converted to 18 digits)"),
    "id_corrected": gettext_lazy("same person once a typo in the ID number is corrected (the record confirms it)"),
    "name_dob_phone": gettext_lazy("same name, birth date and phone number"),
    "name_dob": gettext_lazy("same name and birth date"),
    "document": gettext_lazy("document number equals a listed document"),
    "identity": gettext_lazy("document number check"),
}
LISTING_LEVELS = {"high": gettext_lazy("high-risk area"), "medium": gettext_lazy("medium-risk area"),
                  "low": gettext_lazy("low-risk area")}
IDENTITY_STATUSES = {
    "valid": gettext_lazy("valid"), "corrected": gettext_lazy("corrected from a typo"),
    "invalid": gettext_lazy("invalid number"), "unverifiable": gettext_lazy("cannot be verified"),
    "conflicting": gettext_lazy("the same number is given with another name"),
    "area_code_unlisted": gettext_lazy("address code not in the code tables"),
}
DOC_TYPES = {
    "ric": gettext_lazy("resident ID card"), "hmt_residence": gettext_lazy("residence permit (HK/Macao/Taiwan)"),
    "foreign_pr": gettext_lazy("foreign permanent residence card"),
    "hk_mo_permit": gettext_lazy("HK/Macao home-return permit"), "tw_permit": gettext_lazy("Taiwan compatriot permit"),
    "passport": gettext_lazy("passport"), "unknown": gettext_lazy("document"),
}


def _when(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        return timezone.localtime(dt.datetime.fromisoformat(iso))
    except ValueError:
        return None


def place_name(adcode: str, place: str = "") -> str:
    """A division's full name (``福建省厦门市思明区``) followed by the place or community, if any."""
    path = adcodes.name_path(adcode[:6]) if adcode else ""
    return " ".join(x for x in (path, place) if x) or adcode


def _rule_labels(p: PersonResult) -> dict[str, str]:
    """Rule id → the reason the rule set gives, in the reader's language (from the person's stored reasons)."""
    out = {}
    for m in p.reasons or []:
        if m.get("code") in ("rule", "rule_detail"):
            params = m.get("params") or {}
            out[params.get("rule", "")] = texts.render(m)
    return out


def hits_for_people(p: PersonResult, hits: list[Hit]) -> list[dict[str, Any]]:
    """Each hit as the person page shows it (see the module docstring)."""
    labels = _rule_labels(p)
    out = []
    for h in hits:
        d = h.detail or {}
        item: dict[str, Any] = {
            "hit": h, "silent": h.silent,
            # silent rules are the watchlists' (rules.py: only a watchlist rule may be silent)
            "title": _("Watchlist hit: do not tell the submitter") if h.silent or h.source == "watchlist"
            else labels.get(h.rule_id) or h.rule_id,
            "level": "" if h.silent else h.level_effect,
            "match": MATCH_KINDS.get(h.match_kind, h.match_kind),
        }
        if d.get("place") or d.get("adcode"):
            item["where"] = place_name(d.get("adcode", ""), d.get("place", ""))
            item["from"], item["until"] = _when(d.get("from")), _when(d.get("until"))
        listing = d.get("listing")
        if listing:
            item["listing"] = {
                "level": LISTING_LEVELS.get(listing.get("level", ""), listing.get("level", "")),
                "area": place_name(listing.get("adcode", ""), listing.get("community", "")),
                "from": _when(listing.get("from")), "until": _when(listing.get("until")),
            }
        if d.get("entry"):
            item["entry"] = d["entry"]
        out.append(item)
    return out


def born(p: PersonResult) -> tuple[dt.date | None, str]:
    """Birth date and sex as a valid resident ID number states them (GB 11643: digits 7–14, the 17th odd
    for a man), else ``(None, "")``."""
    n = p.corrected_id_number or p.id_number
    if p.doc_type not in ("ric", "hmt_residence") or len(n) != 18 or p.identity_status not in ("valid", "corrected"):
        return None, ""
    try:
        day = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return None, ""
    return day, (_("male") if int(n[16]) % 2 else _("female"))
