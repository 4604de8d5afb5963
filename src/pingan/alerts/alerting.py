"""Alertmanager semantics, pure (no Django): fingerprints, label matchers, silences, inhibition, grouping;
and the escalation policy file.

Following prometheus/alertmanager ``docs/configuration.md`` (shared/reference/standards.md §1.4):

* An alert is identified by its labels; the **fingerprint** is a hash of the sorted label set, so the same
  condition firing again updates one alert instead of raising another.
* **Matchers** ``name=value``, ``name!=value``, ``name=~regex``, ``name!~regex`` (regexes fully anchored); a
  missing label equals the empty string.
* **Silences** mute alerts that match *all* their matchers while active (starts_at ≤ now < ends_at).
* **Inhibition**: a target alert is muted while a source alert matching ``source_matchers`` is firing with
  equal values for the ``equal`` labels; an alert matching both sides is not inhibited by another that also
  does. pingan adds ``within_m``: the source must be within that many metres (a gunshot mutes the loud-noise
  alerts *around it*).
* **Grouping**: alerts with the same values of ``group_by`` form a group; the first notification waits
  ``group_wait``, further changes are sent at most every ``group_interval``.

Beyond Alertmanager (whose maintainers declared human response out of scope, alertmanager#1860), the
**escalation policy** (TOML, ``alerts/policies/default.toml``): per priority, ordered steps each with a delay
from the alert's creation and a target; the whole chain repeats ``repeat`` times (0-5, as GoAlert caps it)
until someone acknowledges.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pingan.lib.coords import distance_m

_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')


def fingerprint(labels: Mapping[str, str]) -> str:
    """16 hex digits of SHA-256 over the sorted labels (empty values dropped, as Alertmanager does)."""
    items = sorted((k, str(v)) for k, v in labels.items() if str(v) != "")
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = str(labels.get(self.name, ""))
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = re.fullmatch(self.value, actual) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


def parse_matcher(text: str) -> Matcher:
    """``name=value`` / ``name!=value`` / ``name=~re`` / ``name!~re``. Raises ``ValueError`` naming the text."""
    m = _MATCHER.match(text or "")
    if not m:
        raise ValueError(f"matcher {text!r} must look like name=value, name!=value, name=~regex or name!~regex")
    name, op, value = m.groups()
    if op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"matcher {text!r}: bad regular expression ({exc})") from None
    return Matcher(name, op, value)


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


@dataclass(frozen=True, slots=True)
class InhibitRule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...] = ()
    within_m: float | None = None


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """What inhibition needs to know of a firing alert."""

    labels: Mapping[str, str]
    lon: float | None = None
    lat: float | None = None


def inhibited(target: ActiveAlert, active: Iterable[ActiveAlert], rules: Iterable[InhibitRule]) -> bool:
    """True when some active source alert inhibits ``target`` under one of ``rules``."""
    for rule in rules:
        if not matches_all(rule.target, target.labels):
            continue
        target_is_source = matches_all(rule.source, target.labels)
        for src in active:
            if src is target or not matches_all(rule.source, src.labels):
                continue
            if target_is_source and matches_all(rule.target, src.labels):
                continue
            if any(str(src.labels.get(n, "")) != str(target.labels.get(n, "")) for n in rule.equal):
                continue
            if rule.within_m is not None:
                if None in (src.lon, target.lon):
                    continue
                if distance_m(src.lon, src.lat, target.lon, target.lat) > rule.within_m:
                    continue
            return True
    return False


def group_key(labels: Mapping[str, str], group_by: Iterable[str]) -> str:
    """The group an alert falls in: the values of ``group_by`` (``...`` = every label, no grouping)."""
    names = list(group_by)
    if names == ["..."]:
        return fingerprint(labels)
    return json.dumps([[n, str(labels.get(n, ""))] for n in names], ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------ policy file


@dataclass(frozen=True, slots=True)
class Route:
    """Grouping per priority (Alertmanager's ``group_by``/``group_wait``/``group_interval``)."""

    group_by: tuple[str, ...]
    group_wait: dt.timedelta
    group_interval: dt.timedelta


@dataclass(frozen=True, slots=True)
class Step:
    """An escalation step: ``after`` the alert was raised (within one round), notify ``target``:
    ``unit`` (on-duty officers and chiefs of the responsible unit), ``duty_chief`` (the unit's on-duty station
    chief), or ``unit:<code>`` (on-duty members of that unit, e.g. the command centre 350200-ZH) — with the
    roles in ``roles``."""

    after: dt.timedelta
    target: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Escalation:
    steps: tuple[Step, ...]
    repeat: int
    round_length: dt.timedelta


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    routes: Mapping[str, Route]
    escalations: Mapping[str, Escalation]
    inhibit: tuple[InhibitRule, ...]
    path: str = ""


class PolicyError(ValueError):
    """A policy file is malformed; the message names the file and the field."""


def _seconds(value: Any, where: str) -> dt.timedelta:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{where} must be a number of seconds ≥ 0")
    return dt.timedelta(seconds=value)


def parse_policy(data: Mapping[str, Any], *, path: str = "<policy>") -> Policy:
    """Validate a decoded policy document (see ``alerts/policies/default.toml``). Raises :class:`PolicyError`."""
    from pingan.alerts.rules import PRIORITIES

    for key in ("id", "version"):
        if not isinstance(data.get(key), str):
            raise PolicyError(f"{path}: {key!r} is required")
    routes, escalations = {}, {}
    for prio in PRIORITIES:
        section = data.get(prio)
        if not isinstance(section, dict):
            raise PolicyError(f"{path}: [{prio}] is required (every priority needs a route and an escalation)")
        w = f"{path}: [{prio}]"
        routes[prio] = Route(
            tuple(section.get("group_by", ["alertname", "device"])),
            _seconds(section.get("group_wait_s", 0), f"{w} group_wait_s"),
            _seconds(section.get("group_interval_s", 60), f"{w} group_interval_s"),
        )
        repeat = section.get("repeat", 0)
        if not isinstance(repeat, int) or not 0 <= repeat <= 5:
            raise PolicyError(f"{w} repeat must be 0-5 (rounds after the first)")
        steps = []
        for i, s in enumerate(section.get("step", [])):
            target = s.get("target")
            if target not in ("unit", "duty_chief") and not (isinstance(target, str) and target.startswith("unit:")):
                raise PolicyError(f"{w} step {i + 1}: target must be unit, duty_chief or unit:<code>")
            after = _seconds(s.get("after_s", 0), f"{w} step {i + 1} after_s")
            if steps and after < steps[-1].after:
                raise PolicyError(f"{w} step {i + 1}: steps must be in order of after_s")
            roles = tuple(s.get("roles", ["officer", "station_chief"]))
            steps.append(Step(after, target, roles))
        if not steps or steps[0].after != dt.timedelta(0):
            raise PolicyError(f"{w}: the first step must have after_s = 0 (who gets the alert at once)")
        round_length = _seconds(section.get("round_s", steps[-1].after.total_seconds() + 60), f"{w} round_s")
        if round_length <= steps[-1].after:
            raise PolicyError(f"{w} round_s must be longer than the last step's after_s")
        escalations[prio] = Escalation(tuple(steps), repeat, round_length)
    inhibit = []
    for i, r in enumerate(data.get("inhibit", [])):
        try:
            inhibit.append(
                InhibitRule(
                    tuple(parse_matcher(m) for m in r.get("source_matchers", [])),
                    tuple(parse_matcher(m) for m in r.get("target_matchers", [])),
                    tuple(r.get("equal", [])),
                    r.get("within_m"),
                )
            )
        except ValueError as exc:
            raise PolicyError(f"{path}: inhibit rule {i + 1}: {exc}") from None
    return Policy(data["id"], data["version"], routes, escalations, tuple(inhibit), path)


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy file at ``path``, or the bundled default."""
    if path is None:
        text = resources.files("pingan.alerts").joinpath("policies/default.toml").read_text(encoding="utf-8")
        return parse_policy(tomllib.loads(text), path="policies/default.toml")
    p = Path(path)
    try:
        return parse_policy(tomllib.loads(p.read_text(encoding="utf-8")), path=str(p))
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{p}: not valid TOML: {exc}") from None


def due_steps(esc: Escalation, *, raised_at: dt.datetime, now: dt.datetime, sent: int) -> list[tuple[int, Step]]:
    """Steps of an unacknowledged alert that are due at ``now`` and not yet sent: ``sent`` is how many steps
    (over all rounds, counted in order) were already notified. Returns ``(index, step)`` with the running
    index; rounds are ``round_length`` apart, at most ``1 + repeat`` of them."""
    out = []
    n = len(esc.steps)
    total = n * (1 + esc.repeat)
    for index in range(sent, total):
        rnd, i = divmod(index, n)
        at = raised_at + rnd * esc.round_length + esc.steps[i].after
        if at > now:
            break
        out.append((index, esc.steps[i]))
    return out


def next_due(esc: Escalation, *, raised_at: dt.datetime, sent: int) -> dt.datetime | None:
    """When the next step falls due (``None`` when the chain is exhausted)."""
    n = len(esc.steps)
    if sent >= n * (1 + esc.repeat):
        return None
    rnd, i = divmod(sent, n)
    return raised_at + rnd * esc.round_length + esc.steps[i].after


# ------------------------------------------------------------------------------------------ dispositions


@dataclass(frozen=True)
class Disposition:
    """A code an alert is closed with (``alerts/data/dispositions.toml``): its English ``label`` (translated
    at display), ``device`` (``maintenance``: the device goes into maintenance) and ``false_alarm`` (counted
    as a false alarm of the rule and the device)."""

    code: str
    label: str
    device: str = ""
    false_alarm: bool = False


DEVICE_EFFECTS = ("", "maintenance")


@functools.cache
def dispositions() -> dict[str, Disposition]:
    """The disposition codes, in their file's order. Raises ``ValueError`` for a malformed file."""
    raw = tomllib.loads(resources.files("pingan.alerts").joinpath("data/dispositions.toml").read_text("utf-8"))
    out: dict[str, Disposition] = {}
    for i, d in enumerate(raw.get("disposition", [])):
        unknown = set(d) - {"code", "label", "device", "false_alarm"}
        if unknown or not re.fullmatch(r"[a-z][a-z_]{0,15}", str(d.get("code", ""))) or not d.get("label"):
            raise ValueError(f"dispositions.toml entry {i + 1}: code (a-z_, ≤16), label required; unknown {unknown}")
        if d.get("device", "") not in DEVICE_EFFECTS or d["code"] in out:
            raise ValueError(f"dispositions.toml entry {i + 1} ({d['code']}): device must be one of {DEVICE_EFFECTS}, "
                             "codes unique")
        out[d["code"]] = Disposition(d["code"], d["label"], d.get("device", ""), bool(d.get("false_alarm", False)))
    return out
