"""The anti-fraud centre's legal constants and deadline arithmetic. Pure code (no Django).

The constants live in ``data/legal.toml`` as versioned data with their citations (a rule that changes gets
a new version with its effective date; an order keeps the version it was made under); the fraud-type
taxonomy in ``data/fraud_types.toml``; the centre's own settings in ``data/policy.toml``.

Deadlines (sources in legal.toml and docs/antifraud.md):

* emergency stop-payment: ``effective + 48 h``; the same account at most twice (银发〔2016〕86号 §2(1));
* freeze of deposits: ``effective + 6 calendar months`` (12 for major cases), renewable only *before*
  expiry by at most 6 months, lapsing otherwise (程序规定 2020 Arts. 240, 243);
* an approved order goes to the bank before what holds the money now ends (:func:`send_by`);
* proportional return: a 30-day public notice; the bank acts within 3 working days (2016 返还规定 Arts. 8, 12).
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("pingan.antifraud").joinpath("data", name).read_text("utf-8"))


@cache
def fraud_types() -> dict[str, dict[str, str]]:
    """``code → {"zh": …, "en": …}`` of the MPS taxonomy, in list order."""
    return {t["code"]: {"zh": t["zh"], "en": t["en"]} for t in _toml("fraud_types.toml")["type"]}


def fraud_types_version() -> str:
    return _toml("fraud_types.toml")["version"]


@cache
def policy() -> dict[str, Any]:
    """The centre's settings (``data/policy.toml``)."""
    return _toml("policy.toml")


@dataclass(frozen=True)
class LegalVersion:
    """One version of the legal constants; ``data`` is its TOML table."""

    id: str
    effective: dt.date
    data: dict[str, Any]

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.data[key]


@cache
def legal_versions() -> tuple[LegalVersion, ...]:
    out = [LegalVersion(v["id"], dt.date.fromisoformat(v["effective"]), v) for v in _toml("legal.toml")["version"]]
    return tuple(sorted(out, key=lambda v: v.effective))


def legal(at: dt.date | dt.datetime | None = None, version: str | None = None) -> LegalVersion:
    """The version named, or the one in force on ``at`` (default: the latest). Raises ``LookupError`` for an
    unknown version id or a date before the first version."""
    versions = legal_versions()
    if version is not None:
        for v in versions:
            if v.id == version:
                return v
        raise LookupError(f"no legal constants version {version!r}")
    if at is None:
        return versions[-1]
    day = at.date() if isinstance(at, dt.datetime) else at
    live = [v for v in versions if v.effective <= day]
    if not live:
        raise LookupError(f"no legal constants in force on {day}")
    return live[-1]


def add_months(t: dt.datetime, months: int) -> dt.datetime:
    """``t`` plus calendar months; a day past the target month's end becomes its last day (31 Aug + 6 → 28/29
    Feb)."""
    m = t.month - 1 + months
    y, m = t.year + m // 12, m % 12 + 1
    return t.replace(year=y, month=m, day=min(t.day, calendar.monthrange(y, m)[1]))


def stop_payment_expiry(effective: dt.datetime, v: LegalVersion) -> dt.datetime:
    """A stop-payment's end: ``effective + hours`` (48). At ``expiry`` it is no longer in force."""
    return effective + dt.timedelta(hours=int(v["stop_payment"]["hours"]))


def stop_payment_allowed(previous: int, v: LegalVersion) -> bool:
    """Whether another stop-payment on an account with ``previous`` ones is allowed (at most 2 in all)."""
    return previous < int(v["stop_payment"]["max_per_account"])


def freeze_expiry(effective: dt.datetime, v: LegalVersion, *, major: bool = False) -> dt.datetime:
    """A freeze's end: ``effective + 6 months`` (``major``: 12)."""
    f = v["freeze"]
    return add_months(effective, int(f["major_months"] if major else f["months"]))


def freeze_renewal_expiry(current_expiry: dt.datetime, at: dt.datetime, v: LegalVersion, *,
                          major: bool = False) -> dt.datetime:
    """The new end of a freeze renewed at ``at``: ``current_expiry + 6 months`` (major: 12).

    Raises ``ValueError`` when ``at`` is not before ``current_expiry``: a renewal after expiry is refused, the
    freeze has lapsed (Art. 240)."""
    if at >= current_expiry:
        raise ValueError("a freeze can only be renewed before it expires; it has lapsed")
    f = v["freeze"]
    return add_months(current_expiry, int(f["major_months"] if major else f["renewal_months"]))


@dataclass(frozen=True)
class SendBy:
    """When an approved order must reach the bank, and the rule that says so.

    ``at`` is the moment the money it holds is free to move again unless the order takes effect first — the end
    of the freeze it renews (程序规定 Art. 240: renewed only before expiry) or of the stop-payment in force on
    the same account (48 h, 银发〔2016〕86号) — ``None`` when nothing holds the account yet: the money can
    move now, so it goes at once. ``rule`` names the legal.toml section whose citation applies."""

    at: dt.datetime | None
    rule: str


def send_by(kind: str, *, renews_until: dt.datetime | None, stop_until: dt.datetime | None) -> SendBy:
    """The deadline of an approved ``kind`` order (``"stop_payment"`` or ``"freeze"``): ``renews_until``, the
    end of the freeze it renews; ``stop_until``, the end of a stop-payment in force on its account."""
    if renews_until is not None:
        return SendBy(renews_until, "freeze")
    if stop_until is not None:
        return SendBy(stop_until, "stop_payment")
    return SendBy(None, kind)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (Monday–Friday; public holidays are not modelled)."""
    d, left = start, days
    while left > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


@dataclass(frozen=True)
class ReturnShare:
    """One victim's share of a frozen amount: ``cents`` and whether it is a direct (traced) return."""

    victim: str
    cents: int
    direct: bool


def return_allocation(frozen_cents: int, direct: dict[str, int], losses: dict[str, int]) -> list[ReturnShare]:
    """Split ``frozen_cents`` among victims under the 2016 return rule, Art. 8.

    ``direct``: victim → cents the trace attributes to them in this account (by time, FIFO); each gets that
    back directly, capped by what is frozen, in order of the amounts. What is left (money the trace cannot
    attribute) is shared in proportion to the remaining losses (``losses`` minus the direct returns),
    largest-remainder rounding so the cents add up exactly. Nothing is returned beyond a victim's loss.
    """
    left = frozen_cents
    shares: list[ReturnShare] = []
    remaining = dict(losses)
    for victim, cents in sorted(direct.items(), key=lambda kv: -kv[1]):
        give = min(cents, left, remaining.get(victim, cents))
        if give > 0:
            shares.append(ReturnShare(victim, give, True))
            left -= give
            remaining[victim] = remaining.get(victim, 0) - give
    claims = {k: v for k, v in remaining.items() if v > 0}
    total = sum(claims.values())
    if left > 0 and total > 0:
        pot = min(left, total)
        exact = {k: pot * v / total for k, v in claims.items()}
        base = {k: int(x) for k, x in exact.items()}
        rest = pot - sum(base.values())
        for k in sorted(exact, key=lambda k: -(exact[k] - base[k]))[:rest]:
            base[k] += 1
        shares += [ReturnShare(k, c, False) for k, c in base.items() if c > 0]
    return shares
