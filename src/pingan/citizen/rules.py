"""Citizen-service rules as data, and the arithmetic on them (pure Python: no Django).

* Residence permits (居住证): State Council Order 663 (in force 2016-01-01), ``data/residence_permit.toml``:
  eligibility (Art. 2: half a year's residence plus one basis), the documents each basis needs and the one
  notice that names every missing document (Art. 9), the issue deadline (Art. 9: 15 days, at most 30), the
  annual endorsement window (Art. 10).
* Appointments (户政预约): the Xiamen rules of 2018, ``data/booking.toml``: the booking window in working
  days, no-show suspension, cancellation; the day's slots of a counter; the queue order of booked and
  walk-in tickets and the estimated wait.

Every failure is a :class:`Finding` (stable ``code``, the ``article`` of the rule, ``params``), rendered in the
reader's language at display time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

# ------------------------------------------------------------------------------------------------ dates


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (negative: back), clamped to the month's last day
    (2024-08-31 + 6 months = 2025-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Monday to Friday and not one of ``holidays``."""
    return day.weekday() < 5 and day not in set(holidays)


# ------------------------------------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Finding:
    """One rule that is not met: ``code`` (stable), ``article`` (where the rule comes from), ``params``."""

    code: str
    article: str
    params: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ residence permit


@dataclass(frozen=True)
class PermitRules:
    """The residence-permit rules of one version (``data/residence_permit.toml``); ``source`` is the citation
    per language (``{"zh": ..., "en": ...}``)."""

    version: str
    source: dict[str, str]
    residence_amount: int
    residence_unit: str  # "months" | "days"
    residence_article: str
    bases: dict[str, tuple[str, ...]]
    bases_article: str
    always: tuple[str, ...]
    address_any_of: tuple[str, ...]
    documents_article: str
    issue_days: int
    issue_max_days: int
    issue_article: str
    endorsement_months_before: int
    endorsement_anniversary_included: bool
    endorsement_article: str

    @classmethod
    def from_toml(cls, text: str) -> PermitRules:
        d = tomllib.loads(text)
        bases = {k: tuple(v["any_of"]) for k, v in d["bases"].items()}
        article = next(iter(d["bases"].values()))["article"]
        if d["residence"]["unit"] not in ("months", "days"):
            raise ValueError(f"residence.unit must be months or days, not {d['residence']['unit']!r}")
        if not 0 < d["issue"]["days"] <= d["issue"]["max_days"]:
            raise ValueError("issue.days must be between 1 and issue.max_days")
        return cls(version=d["version"], source=dict(d["source"]), residence_amount=int(d["residence"]["amount"]),
                   residence_unit=d["residence"]["unit"], residence_article=d["residence"]["article"],
                   bases=bases, bases_article=article, always=tuple(d["documents"]["always"]),
                   address_any_of=tuple(d["documents"]["address_any_of"]),
                   documents_article=d["documents"]["article"], issue_days=int(d["issue"]["days"]),
                   issue_max_days=int(d["issue"]["max_days"]), issue_article=d["issue"]["article"],
                   endorsement_months_before=int(d["endorsement"]["months_before"]),
                   endorsement_anniversary_included=bool(d["endorsement"]["anniversary_included"]),
                   endorsement_article=d["endorsement"]["article"])


@cache
def permit_rules() -> PermitRules:
    """The bundled residence-permit rules (Order 663)."""
    return PermitRules.from_toml(resources.files("pingan.citizen.data").joinpath("residence_permit.toml")
                                 .read_text("utf-8"))


def residence_met_on(rules: PermitRules, since: dt.date) -> dt.date:
    """The first day on which residence since ``since`` counts as half a year (Art. 2)."""
    if rules.residence_unit == "days":
        return since + dt.timedelta(days=rules.residence_amount)
    return add_months(since, rules.residence_amount)


@dataclass(frozen=True)
class Eligibility:
    """The outcome of the checks: ``findings`` lists every rule not met, ``missing`` every missing document
    (all of them, for the one notice of Art. 9); eligible when both are empty."""

    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    version: str

    @property
    def eligible(self) -> bool:
        return not self.findings and not self.missing


def check_eligibility(rules: PermitRules, *, residence_since: dt.date, on: dt.date, basis: str,
                      documents: Iterable[str]) -> Eligibility:
    """Check an application on day ``on``.

    ``basis``: a key of ``rules.bases`` (employment, residence, schooling); ``documents``: the kinds of the
    documents supplied. Findings: ``residence_too_short`` (Art. 2; params ``since``, ``met_on``),
    ``unknown_basis`` (Art. 2). ``missing`` names every absent document: each of ``always``, and for proof of
    address and of the basis, the first acceptable kind of each group (``address_any_of``, the basis's
    ``any_of``) as ``any:<kind>|<kind>…`` when none of the group was supplied.
    """
    have = set(documents)
    findings: list[Finding] = []
    met_on = residence_met_on(rules, residence_since)
    if residence_since > on or on < met_on:
        findings.append(Finding("residence_too_short", rules.residence_article,
                                {"since": residence_since.isoformat(), "met_on": met_on.isoformat()}))
    missing = [kind for kind in rules.always if kind not in have]
    groups = [rules.address_any_of]
    if basis in rules.bases:
        if rules.bases[basis] != rules.address_any_of:
            groups.append(rules.bases[basis])
    else:
        findings.append(Finding("unknown_basis", rules.bases_article, {"basis": basis}))
    for group in groups:
        if not have.intersection(group):
            missing.append("any:" + "|".join(group))
    return Eligibility(tuple(findings), tuple(missing), rules.version)


def issue_due(rules: PermitRules, accepted_on: dt.date, days: int | None = None) -> dt.date:
    """The last day to issue a permit accepted on ``accepted_on`` (Art. 9: within ``days``, default the rules'
    15, at most ``issue_max_days``; ``ValueError`` outside 1…max)."""
    days = rules.issue_days if days is None else days
    if not 0 < days <= rules.issue_max_days:
        raise ValueError(f"the issue deadline must be 1 to {rules.issue_max_days} days, not {days}")
    return accepted_on + dt.timedelta(days=days)


@dataclass(frozen=True)
class Window:
    """An endorsement window: ``first`` to ``last`` inclusive, before the ``anniversary``-th full year."""

    year: int
    anniversary: dt.date
    first: dt.date
    last: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def endorsement_window(rules: PermitRules, counted_from: dt.date, year: int) -> Window:
    """The window for the ``year``-th endorsement (Art. 10) of residence counted from ``counted_from``."""
    if year < 1:
        raise ValueError("years count from 1")
    anniversary = add_months(counted_from, 12 * year)
    last = anniversary if rules.endorsement_anniversary_included else anniversary - dt.timedelta(days=1)
    return Window(year, anniversary, add_months(anniversary, -rules.endorsement_months_before), last)


def endorsement_state(rules: PermitRules, *, counted_from: dt.date, endorsed_years: set[int],
                      on: dt.date) -> tuple[str, Window]:
    """The permit's endorsement state on ``on`` and the window concerned.

    ``valid`` (no window open and none missed), ``due`` (the window is open and not endorsed), ``lapsed``
    (a window closed unendorsed: Art. 10 suspends the card's functions until it is endorsed).
    """
    year = 1
    while True:
        window = endorsement_window(rules, counted_from, year)
        if on < window.first:
            return "valid", window
        if year not in endorsed_years:
            return ("due" if on in window else "lapsed"), window
        year += 1


# ------------------------------------------------------------------------------------------------ appointments


@dataclass(frozen=True)
class BookingRules:
    """The booking rules of one version (``data/booking.toml``)."""

    version: str
    source: str
    min_days_ahead: int
    max_working_days_ahead: int
    per_person_per_day: int
    no_show_limit: int
    no_show_window_months: int
    suspension_months: int
    cancel_min_days_ahead: int

    @classmethod
    def from_toml(cls, text: str) -> BookingRules:
        d = tomllib.loads(text)
        return cls(**{k: d[k] for k in ("version", "source")},
                   **{k: int(d[k]) for k in ("min_days_ahead", "max_working_days_ahead", "per_person_per_day",
                                             "no_show_limit", "no_show_window_months", "suspension_months",
                                             "cancel_min_days_ahead")})


@cache
def booking_rules() -> BookingRules:
    """The bundled booking rules (Xiamen 2018)."""
    return BookingRules.from_toml(resources.files("pingan.citizen.data").joinpath("booking.toml")
                                  .read_text("utf-8"))


def bookable_days(rules: BookingRules, today: dt.date, holidays: Iterable[dt.date] = (),
                  weekdays: Iterable[int] = (0, 1, 2, 3, 4)) -> list[dt.date]:
    """The days one may book on ``today``: open days (``weekdays``, Monday = 0, not ``holidays``) from
    ``min_days_ahead`` days on, up to the ``max_working_days_ahead``-th working day after today."""
    holidays, open_on = set(holidays), set(weekdays)
    out: list[dt.date] = []
    day, working = today, 0
    while working < rules.max_working_days_ahead:
        day += dt.timedelta(days=1)
        if day.weekday() in open_on and day not in holidays:
            working += 1
            if (day - today).days >= rules.min_days_ahead:
                out.append(day)
    return out


def suspended_until(rules: BookingRules, no_shows: Iterable[dt.date]) -> dt.date | None:
    """The day booking is allowed again after the no-shows on ``no_shows``, or ``None`` if never suspended.

    ``no_show_limit`` no-shows within ``no_show_window_months`` (the last before the same day that many months
    after the first) suspend booking for ``suspension_months`` from the day of the last of them; the latest
    suspension counts."""
    days = sorted(no_shows)
    n = rules.no_show_limit
    until: dt.date | None = None
    for i in range(n - 1, len(days)):
        first, last = days[i - n + 1], days[i]
        if last < add_months(first, rules.no_show_window_months):
            end = add_months(last, rules.suspension_months)
            until = end if until is None or end > until else until
    return until


def may_cancel(rules: BookingRules, *, day: dt.date, today: dt.date) -> bool:
    """Whether a booking for ``day`` may be cancelled on ``today`` (at least ``cancel_min_days_ahead`` days)."""
    return (day - today).days >= rules.cancel_min_days_ahead


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def day_slots(sessions: Sequence[tuple[dt.time, dt.time]], slot_minutes: int) -> list[dt.time]:
    """The slot start times of a day: each session (opens, closes) cut into whole slots of ``slot_minutes``;
    a remainder shorter than a slot is not offered. ``ValueError`` for a slot length under 1 minute."""
    if slot_minutes < 1:
        raise ValueError("a slot lasts at least one minute")
    out: list[dt.time] = []
    for opens, closes in sessions:
        start, end = _minutes(opens), _minutes(closes)
        while start + slot_minutes <= end:
            out.append(dt.time(start // 60, start % 60))
            start += slot_minutes
    return sorted(set(out))


# ------------------------------------------------------------------------------------------------ queue


@dataclass(frozen=True)
class QueueItem:
    """A waiting ticket: ``key`` (any id), ``issued`` (when taken), ``slot_start`` (booked tickets only)."""

    key: object
    issued: dt.datetime
    slot_start: dt.datetime | None = None


def queue_order(items: Iterable[QueueItem], now: dt.datetime) -> list[QueueItem]:
    """The calling order: booked tickets whose slot has begun first (by slot start, then check-in), then
    walk-ins in the order taken, then booked tickets checked in before their slot (by slot start) — served
    early only when no one else waits."""

    def key(item: QueueItem) -> tuple:
        if item.slot_start is None:
            return (1, item.issued, item.issued)
        if item.slot_start <= now:
            return (0, item.slot_start, item.issued)
        return (2, item.slot_start, item.issued)

    return sorted(items, key=key)


def estimated_wait_minutes(position: int, minutes_per_ticket: int, desks: int = 1) -> int:
    """Minutes until a ticket with ``position`` tickets ahead of it is called (``desks`` serving at once)."""
    return -(-position * minutes_per_ticket // max(desks, 1))
