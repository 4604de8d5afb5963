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

from pingan.screening.labels import DOC_TYPES, MATCH_KINDS, rule_title  # noqa: F401 - used by views
from pingan.screening.models import Hit, PersonResult

LISTING_LEVELS = {"high": gettext_lazy("high-risk area"), "medium": gettext_lazy("medium-risk area"),
                  "low": gettext_lazy("low-risk area")}
#: The published watchlists' own (English) names in the reader's language; another list keeps its name.
WATCHLIST_NAMES = {
    "UN Security Council Consolidated List": gettext_lazy("UN Security Council Consolidated List"),
    "OFAC Specially Designated Nationals and Blocked Persons List": gettext_lazy(
        "OFAC Specially Designated Nationals and Blocked Persons List (US Treasury)"),
}
IDENTITY_STATUSES = {
    "valid": gettext_lazy("valid"), "corrected": gettext_lazy("corrected from a typo"),
    "invalid": gettext_lazy("invalid number"), "unverifiable": gettext_lazy("cannot be verified"),
    "conflicting": gettext_lazy("the same number is given with another name"),
    "area_code_unlisted": gettext_lazy("address code not in the code tables"),
}


def _when(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        return timezone.localtime(dt.datetime.fromisoformat(iso))
    except ValueError:
        return None


def place_name(adcode: str, place: str = "") -> str:
    """A division's full name in the reader's language (``福建省厦门市思明区``; ``Siming District, Xiamen, Fujian``)
    followed by the place or community, if any (data: as the risk data wrote it), without the division names it
    repeats (``海南省陵水黎族自治县 英州镇…``, not "… 陵水黎族自治县英州镇…": issue 11's trial)."""
    from pingan.dashboard.selectors import area_name
    from pingan.lib.places import without_divisions

    path = area_name(adcode) if adcode else ""
    if path and place:
        place = without_divisions(adcode, place)
    return " ".join(x for x in (path, place) if x) or adcode


def hits_for_people(p: PersonResult, hits: list[Hit]) -> list[dict[str, Any]]:
    """Each hit as the person page shows it (see the module docstring)."""
    out = []
    for h in hits:
        d = h.detail or {}
        item: dict[str, Any] = {
            "hit": h, "silent": h.silent,
            # a silent hit is a watchlist's, whatever the source recorded (rules.py: only they may be silent)
            "title": rule_title(h.rule_id, "watchlist" if h.silent else h.source, p.job.ruleset_id),
            # silent rules are the watchlists' (rules.py: only a watchlist rule may be silent)
            "warning": _("Do not tell the submitter.") if h.silent or h.source == "watchlist" else "",
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
            name = d["entry"].get("list") or ""
            item["list_name"] = WATCHLIST_NAMES.get(name, name)
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
