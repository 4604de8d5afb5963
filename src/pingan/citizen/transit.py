"""The 240-hour visa-free transit check (240小时过境免签) for the catalogue and hotel registration (pure Python:
no Django). The lists are dated data with their sources in ``data/transit_240h.toml`` (version
``nia-2025-06-12``).

A traveller qualifies when every condition holds:

* ``nationality``: a citizen of a listed country on the day of entry (55 countries; Indonesia from 2025-06-12);
* ``document``: a valid international travel document;
* ``onward_ticket``: an onward ticket with confirmed date and seat, to a third country or region — not back to
  where they came from, and not to China;
* ``port``: entering at one of the 60 ports (this data knows 24 of them: a port it does not know is
  ``unknown``, not a failure);
* ``stay``: leaving within 240 hours counted from 00:00 of the day after entry;
* ``area``: staying only inside the permitted areas (known for 9 of the 24 provinces; elsewhere ``unknown``);
* ``purpose``: tourism, business, visits or family (work, study and journalism need a visa).

:func:`check` returns every condition with its outcome (``pass``/``fail``/``unknown``), so the answer says
which condition fails; the verdict is ``eligible`` only when all pass, ``not_eligible`` when one fails, and
``cannot_tell`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(frozen=True)
class Place:
    code: str
    name_zh: str
    name_en: str
    since: dt.date
    province: str = ""


@dataclass(frozen=True)
class TransitRules:
    version: str
    hours: int
    countries: dict[str, Place]
    ports: dict[str, Place]
    ports_complete: bool
    areas: dict[str, dt.date]
    provinces_known: frozenset[str]
    allowed_purposes: tuple[str, ...]
    visa_purposes: tuple[str, ...]
    as_of: dt.date | None = None
    sources: dict[str, str] = field(default_factory=dict)


@cache
def transit_rules() -> TransitRules:
    """The bundled rules (``data/transit_240h.toml``)."""
    data = tomllib.loads(resources.files("pingan.citizen.data").joinpath("transit_240h.toml").read_text("utf-8"))
    return parse(data)


def parse(data: dict) -> TransitRules:
    def day(text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    countries = {c: Place(c, zh, en, day(since)) for c, zh, en, since in data["countries"]["list"]}
    ports = {c: Place(c, zh, en, day(since), prov) for c, zh, en, prov, since in data["ports"]["list"]}
    return TransitRules(
        version=data["version"], hours=int(data["hours"]), countries=countries, ports=ports,
        ports_complete=bool(data["ports"]["complete"]),
        areas={code: day(since) for code, since in data["areas"]["list"]},
        provinces_known=frozenset(data["areas"]["provinces_known"]),
        allowed_purposes=tuple(data["allowed_purposes"]), visa_purposes=tuple(data["visa_purposes"]),
        as_of=data.get("as_of"), sources=dict(data.get("sources", {})))


@dataclass(frozen=True)
class Trip:
    """What the traveller states. Countries are ISO 3166-1 alpha-2 codes; ``areas`` GB/T 2260 codes of where
    they will stay (a province, city or county); times are local (China Standard Time), naive."""

    nationality: str
    entry_port: str
    entry_at: dt.datetime
    exit_at: dt.datetime
    coming_from: str
    going_to: str
    onward_confirmed: bool
    document_valid: bool
    areas: Sequence[str]
    purpose: str


@dataclass(frozen=True)
class Condition:
    name: str
    outcome: str
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    verdict: str  # eligible | not_eligible | cannot_tell
    conditions: tuple[Condition, ...]
    deadline: dt.datetime
    version: str

    @property
    def failing(self) -> list[Condition]:
        return [c for c in self.conditions if c.outcome == FAIL]


def deadline(rules: TransitRules, entry_at: dt.datetime) -> dt.datetime:
    """The latest moment to leave: 00:00 of the day after entry plus the rule's hours (240)."""
    midnight = dt.datetime.combine(entry_at.date() + dt.timedelta(days=1), dt.time())
    return midnight + dt.timedelta(hours=rules.hours)


def _area(rules: TransitRules, code: str, on: dt.date) -> Condition:
    code = code.strip()
    for prefix in (code[:2], code[:4]):
        since = rules.areas.get(prefix)
        if since is not None:
            if since <= on:
                return Condition("area", PASS, "area_permitted", {"area": code})
            return Condition("area", FAIL, "area_not_yet", {"area": code, "since": since.isoformat()})
    if code[:2] in rules.provinces_known:
        return Condition("area", FAIL, "area_outside", {"area": code})
    return Condition("area", UNKNOWN, "area_unknown", {"area": code})


def check(rules: TransitRules, trip: Trip) -> Answer:
    """Every condition of the 240-hour rule for ``trip`` (see the module's docstring)."""
    on = trip.entry_at.date()
    out: list[Condition] = []
    nationality = trip.nationality.strip().upper()
    country = rules.countries.get(nationality)
    if country is None:
        out.append(Condition("nationality", FAIL, "country_not_listed", {"country": nationality}))
    elif country.since > on:
        out.append(Condition("nationality", FAIL, "country_not_yet",
                             {"country": nationality, "since": country.since.isoformat()}))
    else:
        out.append(Condition("nationality", PASS, "country_listed", {"country": nationality}))
    out.append(Condition("document", PASS if trip.document_valid else FAIL,
                         "document_valid" if trip.document_valid else "document_required"))
    origin, onward = trip.coming_from.strip().upper(), trip.going_to.strip().upper()
    if not trip.onward_confirmed:
        out.append(Condition("onward_ticket", FAIL, "onward_not_confirmed"))
    elif onward == "CN":
        out.append(Condition("onward_ticket", FAIL, "onward_to_china"))
    elif onward == origin:
        out.append(Condition("onward_ticket", FAIL, "onward_back_to_origin", {"country": origin}))
    else:
        out.append(Condition("onward_ticket", PASS, "onward_third_country", {"from": origin, "to": onward}))
    port = rules.ports.get(trip.entry_port.strip().upper())
    if port is None:
        out.append(Condition("port", UNKNOWN if not rules.ports_complete else FAIL, "port_unknown",
                             {"port": trip.entry_port.strip()[:40]}))
    elif port.since > on:
        out.append(Condition("port", FAIL, "port_not_yet", {"port": port.code, "since": port.since.isoformat()}))
    else:
        out.append(Condition("port", PASS, "port_listed", {"port": port.code}))
    latest = deadline(rules, trip.entry_at)
    if trip.exit_at < trip.entry_at:
        out.append(Condition("stay", FAIL, "exit_before_entry"))
    elif trip.exit_at > latest:
        out.append(Condition("stay", FAIL, "stay_too_long", {"deadline": latest.isoformat(" ", "minutes")}))
    else:
        out.append(Condition("stay", PASS, "stay_within", {"deadline": latest.isoformat(" ", "minutes")}))
    areas = [_area(rules, a, on) for a in trip.areas if a.strip()] or [Condition("area", FAIL, "area_required")]
    out.extend(areas)
    if trip.purpose in rules.allowed_purposes:
        out.append(Condition("purpose", PASS, "purpose_allowed", {"purpose": trip.purpose}))
    elif trip.purpose in rules.visa_purposes:
        out.append(Condition("purpose", FAIL, "purpose_needs_visa", {"purpose": trip.purpose}))
    else:
        out.append(Condition("purpose", FAIL, "purpose_unknown", {"purpose": trip.purpose[:20]}))
    outcomes = {c.outcome for c in out}
    verdict = "not_eligible" if FAIL in outcomes else "cannot_tell" if UNKNOWN in outcomes else "eligible"
    return Answer(verdict, tuple(out), latest, rules.version)
