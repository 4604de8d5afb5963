"""Case-property rules as versioned data (``data/rules.toml``, ``data/categories.toml``) and the clocks they
set. Pure code (no Django): callers pass times and the place's adcode.

Clocks (sources in rules.toml and docs/evidence.md):

* ``handover`` — seized item handed to the property manager: police ``seized_at + 24 h`` (unverified,
  configurable per place), procuratorate ``+ 3 days`` (SPP provisions Art. 25);
* ``unrelated_release`` — item found unrelated: released within 3 days (程序规定 2020 §233);
* ``unclaimed`` — owner unknown: 6 calendar months after the public notice, ownerless (§233);
* ``checkout_due`` — a borrowed item's due-back time (若干规定 2015 Art. 11).
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("pingan.evidence").joinpath("data", name).read_text("utf-8"))


@dataclass(frozen=True)
class RuleVersion:
    id: str
    effective: dt.date
    data: dict[str, Any]

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.data[key]


@cache
def _rules_file() -> dict[str, Any]:
    path = os.environ.get("PINGAN_EVIDENCE_RULES", "")
    if path:
        with open(path, "rb") as f:
            return tomllib.load(f)
    return _toml("rules.toml")


@cache
def versions() -> tuple[RuleVersion, ...]:
    out = [RuleVersion(v["id"], dt.date.fromisoformat(v["effective"]), v) for v in _rules_file()["version"]]
    return tuple(sorted(out, key=lambda v: v.effective))


def version_at(day: dt.date) -> RuleVersion:
    """The version in force on ``day`` (the earliest one for a day before all of them)."""
    vs = versions()
    current = vs[0]
    for v in vs:
        if v.effective <= day:
            current = v
    return current


def version(version_id: str) -> RuleVersion:
    for v in versions():
        if v.id == version_id:
            return v
    raise KeyError(version_id)


def place_override(adcode: str, key: str) -> Any:
    """The first ``[[place]]`` entry whose ``adcode`` prefixes ``adcode`` and sets ``key``; else ``None``."""
    for p in _rules_file().get("place", []):
        if adcode.startswith(str(p["adcode"])) and key in p:
            return p[key]
    return None


@cache
def categories() -> dict[str, dict[str, Any]]:
    """``code → table`` of ``data/categories.toml`` in file order."""
    return {c["code"]: c for c in _toml("categories.toml")["category"]}


def add_months(t: dt.datetime, months: int) -> dt.datetime:
    """``t`` plus calendar months, the day clamped to the month's last (31 Aug + 6 → 28/29 Feb)."""
    m = t.month - 1 + months
    year, month = t.year + m // 12, m % 12 + 1
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


def handover_due(seized_at: dt.datetime, *, department: str, adcode: str = "", rv: RuleVersion | None = None
                 ) -> dt.datetime:
    """When a seized item must be with the property manager (``department``: police or procuratorate)."""
    rv = rv or version_at(seized_at.date())
    if department == "procuratorate":
        return seized_at + dt.timedelta(days=rv["handover_procuratorate"]["days"])
    hours = place_override(adcode, "handover_police_hours") or rv["handover_police"]["hours"]
    return seized_at + dt.timedelta(hours=int(hours))


def release_due(found_unrelated_at: dt.datetime, rv: RuleVersion | None = None) -> dt.datetime:
    rv = rv or version_at(found_unrelated_at.date())
    return found_unrelated_at + dt.timedelta(days=rv["unrelated_release"]["days"])


def unclaimed_after(notice_at: dt.datetime, rv: RuleVersion | None = None) -> dt.datetime:
    rv = rv or version_at(notice_at.date())
    return add_months(notice_at, rv["unclaimed"]["months"])


@dataclass(frozen=True)
class Clock:
    """One running clock of an item: ``code``, when it is ``due``, whether it is ``overdue`` at ``now``."""

    code: str
    due: dt.datetime
    overdue: bool
    citation: str
    citation_en: str


def clocks(*, now: dt.datetime, seized_at: dt.datetime, intake_at: dt.datetime | None, department: str,
           adcode: str, unrelated_at: dt.datetime | None, released: bool, notice_at: dt.datetime | None,
           due_back_at: dt.datetime | None, rule_version: str) -> list[Clock]:
    """The clocks running for one item (a clock whose duty was done is not listed)."""
    rv = version(rule_version)
    out = []
    if intake_at is None:
        key = "handover_procuratorate" if department == "procuratorate" else "handover_police"
        due = handover_due(seized_at, department=department, adcode=adcode, rv=rv)
        out.append(Clock("handover", due, now > due, rv[key]["citation"], rv[key]["citation_en"]))
    if unrelated_at is not None and not released:
        due = release_due(unrelated_at, rv)
        out.append(Clock("unrelated_release", due, now > due, rv["unrelated_release"]["citation"],
                         rv["unrelated_release"]["citation_en"]))
    if notice_at is not None and not released:
        due = unclaimed_after(notice_at, rv)
        # Not a duty that can be late: the day from which the item may be treated as ownerless.
        out.append(Clock("unclaimed", due, False, rv["unclaimed"]["citation"], rv["unclaimed"]["citation_en"]))
    if due_back_at is not None:
        out.append(Clock("checkout_due", due_back_at, now > due_back_at, rv["checkout"]["citation"],
                         rv["checkout"]["citation_en"]))
    return out
