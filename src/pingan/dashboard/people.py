"""What the person page says about each hit, in the reader's language: the rule, how the person matched,
where and when (place names and dates, not keys), the listing the place fell in, the listed entry behind a
watchlist hit. Presentation only: the selectors have already scoped and audited the read.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import texts
from pingan.lib import adcodes
from pingan.screening import rules
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


#: A hit's title when its rule set does not name the rule (a rule set of another id, a rule removed since):
#: what the rule's source is, never its id.
SOURCE_TITLES = {
    "movements": gettext_lazy("Stay in a listed risk area"),
    "identity": gettext_lazy("Identity document to verify"),
    "watchlist": gettext_lazy("Watchlist match"),
}


def rule_title(rule_id: str, source: str, ruleset_id: str = "") -> str:
    """The title of a hit of rule ``rule_id`` in the reader's language: the rule's name in the bundled rule set
    (``name`` in the rule-set file; else its reason) when the screening used that rule set (``ruleset_id``;
    ``""``: any) and it has the rule, else what its ``source`` is (:data:`SOURCE_TITLES`), else "Rule hit" —
    never the raw id."""
    ruleset = bundled_ruleset()
    if not ruleset_id or ruleset_id == ruleset.id:
        rule = next((r for r in ruleset.rules if r.id == rule_id), None)
        if rule is not None and (rule.name_text or rule.reason_text):
            return texts.pick(rule.name_text or rule.reason_text)
    return str(SOURCE_TITLES.get(source) or _("Rule hit"))


@functools.cache
def bundled_ruleset() -> rules.RuleSet:
    """The bundled default rule set, read once per process."""
    return rules.load_ruleset()


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
