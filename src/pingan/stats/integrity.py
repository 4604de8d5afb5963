"""Integrity rules for reclassifications: which changes are downgrades. Pure module (no Django).

CompStat's critics documented, in New York, the pressure to make the numbers look better by writing
crimes down: a felony recorded as a misdemeanour, a grand larceny valued under $1,000, a report marked
unfounded (Eterno & Silverman, *The Crime Numbers Game: Management by Manipulation*, CRC Press 2012). A
reclassification is a *downgrade* when it

* moves the incident to an offence of lower severity (``offences.toml``: the UCR Hierarchy Rule order for
  Part I, then pingan's ordering) — ``less_serious_offence``;
* drops it out of a category of a scheme it was in, without moving it to a more serious offence, where the
  scheme is one that bureaus report (``left_category:<scheme>/<category>``; e.g. an assault moved out of
  the eight kinds, a bus pickpocketing recorded as on the street — which restarts nothing but keeps a
  zero-incident streak alive) — only for the headline schemes listed in :data:`WATCHED_SCHEMES`;
* marks it unfounded, removing it from every count — ``unfounded``;
* moves its value from at or above a threshold to below it (``thresholds.toml``: 盗窃/诈骗 数额较大, New
  York's grand larceny) — ``below_threshold:<amount> <currency>``;
* clears it no longer by arrest but exceptionally is *not* a downgrade (both are clearances); un-clearing
  is not one either (it lowers the clearance rate, the opposite of the pressure).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pingan.stats.classify import Key, harm_of, schemes, thresholds, vocabulary

#: Schemes whose categories a downgrade may "leave" (the figures bureaus publish).
WATCHED_SCHEMES = ("cn_headline", "ucr_part1", "nypd_seven_majors")


def _key(state: Mapping[str, Any]) -> Key:
    return Key(state["offence"], state.get("place_type", ""), bool(state.get("attempted", False)),
               harm_of(state.get("injured", 0), state.get("killed", 0)))


def _dec(v: Any) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v))


def downgrade_reasons(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Why the change from ``before`` to ``after`` (incident fields: offence, place_type, attempted, injured,
    killed, status, property_loss, currency) is a downgrade; empty when it is not."""
    vocab = vocabulary()
    out: list[str] = []
    if vocab.severity(after["offence"]) < vocab.severity(before["offence"]):
        out.append("less_serious_offence")
    if after.get("status") == "unfounded" and before.get("status") != "unfounded":
        out.append("unfounded")
    kb, ka = _key(before), _key(after)
    upgrade = vocab.severity(after["offence"]) > vocab.severity(before["offence"])
    for sid in () if upgrade else WATCHED_SCHEMES:
        s = schemes()[sid]
        left = set(s.categories_of(kb)) - set(s.categories_of(ka))
        out.extend(f"left_category:{sid}/{c}" for c in sorted(left))
    currency = after.get("currency") or before.get("currency") or ""
    vb, va = _dec(before.get("property_loss")), _dec(after.get("property_loss"))
    for t in thresholds():
        if t.applies(before["offence"], currency) and t.met(vb) and not t.met(va):
            out.append(f"below_threshold:{t.amount} {t.currency}")
    return out
