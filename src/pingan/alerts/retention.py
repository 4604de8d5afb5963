"""The retention policy of the alert pipeline's operational records (``alerts/data/retention.toml``): the
officers' feed, the dead letters and the timelines of alerts no longer open, each with its days and its
reason. Pure (no Django): :func:`pingan.alerts.services.alert_records_prune` applies it.

Never pruned: the audit trail (hash-chained; the Cybersecurity Law Art. 21 (3) asks for six months of logs),
the alerts themselves and their causes, silences, the watch list. The event log has its own retention
(``PINGAN_EVENTS_MAX_AGE_S``).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

#: the kinds of record the policy covers, in the order they are pruned and reported
KINDS = ("feed", "dead_letters", "timelines")


@dataclass(frozen=True)
class Rule:
    """One kind's retention: kept ``days`` days (from its creation; a timeline from its alert's last step)."""

    kind: str
    days: int
    reason: str

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records of this kind older than this instant go."""
        return now - dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    source: str
    rules: dict[str, Rule]


def parse_policy(raw: dict, *, path: str = "retention.toml") -> Policy:
    """A :class:`Policy` from the TOML's data. Raises ``ValueError`` naming ``path`` and the kind when a kind
    is missing or unknown, or has no reason or fewer than 1 day (0 would delete at once)."""
    unknown = set(raw) - {"id", "version", "source", *KINDS}
    if unknown:
        raise ValueError(f"{path}: unknown entries {sorted(unknown)}")
    rules = {}
    for kind in KINDS:
        entry = raw.get(kind)
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: [{kind}] missing")
        days, reason = entry.get("days"), str(entry.get("reason", "")).strip()
        if type(days) is not int or days < 1 or not reason or set(entry) - {"days", "reason"}:
            raise ValueError(f"{path}: [{kind}] needs days (a whole number, at least 1) and a reason, nothing else")
        rules[kind] = Rule(kind, days, reason)
    if not raw.get("id") or not raw.get("version"):
        raise ValueError(f"{path}: id and version required")
    return Policy(str(raw["id"]), str(raw["version"]), str(raw.get("source", "")), rules)


@functools.cache
def policy() -> Policy:
    """The bundled policy. Raises ``ValueError`` for a malformed file."""
    text = resources.files("pingan.alerts").joinpath("data/retention.toml").read_text("utf-8")
    return parse_policy(tomllib.loads(text))
