"""Screening rules as data: loading and validating a rule-set file, and the pure evaluation helpers.

A rule set is a TOML file (TOML 1.0, read with :mod:`tomllib`) with a small declarative vocabulary —
no SQL in the file. The batch engine (:mod:`pingan.screening.batch`) turns each rule's ``kind`` into a
set-based SQL fragment with the rule's parameters; the helpers here state the same semantics on single
values so they can be tested without a database and reused by per-person checks.

File layout (full reference in ``docs/screening.md``)::

    id = "prevention-2022-v9"          # stable identifier, recorded with every result
    version = "1.0.0"                  # bump when a rule's meaning changes
    title = { zh = "...", en = "..." } # or a plain string
    lookback_days = 7                  # default look-back for movement rules

    [[citation]]                       # sources the rules follow (law, protocol, standard)
    id = "nhc-protocol-9"  title = "..."  issuer = "..."  date = "2022-06-27"  url = "..."

    [[rule]]
    id = "area-high"                   # [a-z0-9-], unique
    name = { zh = "...", en = "..." }   # what police pages title a hit of the rule (optional; default: by kind)
    description = "..."                # for officers and auditors
    reason = { zh = "...", en = "..." } # shown to the submitter in their language (required unless silent);
                                       # a plain string is one text for every language
    kind = "area_visit"                # area_visit | county_with_area | identity | watchlist
    source = "movements"               # what the kind reads: movements | identity | watchlist
    level = "red"                      # green | yellow | red; absent for silent rules
    silent = false                     # true: police see the hit, the submitter never does
    police_priority = 1                # 1 (most urgent) .. 5; every rule produces a police hit
    cites = ["nhc-protocol-9"]
    [rule.condition]                   # kind-specific parameters, see KIND_SPECS
    listing_levels = ["high"]

Errors are :class:`RuleSetError` naming the file, the rule id and the field. This module imports no Django.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Level = Literal["green", "yellow", "red"]
Kind = Literal["area_visit", "county_with_area", "identity", "watchlist"]

#: Submitter levels in increasing severity; the person's level is the maximum over non-silent hits.
LEVELS: tuple[Level, ...] = ("green", "yellow", "red")
LEVEL_RANK: dict[str, int] = {name: rank for rank, name in enumerate(LEVELS)}

#: Risk levels of an NHC listing (中/高风险区; low-risk areas were listed from 2022-07-21).
LISTING_LEVELS = ("high", "medium", "low")

#: Identity statuses the engine assigns (see docs/screening.md, "identity_status").
IDENTITY_STATUSES = ("valid", "corrected", "invalid", "unverifiable", "conflicting", "area_code_unlisted")

#: Ways a watchlist entry can match a roster person.
WATCHLIST_MATCH_BY = ("document", "name_birth_date")

DEFAULT_RULESET = "prevention-2022-v9"

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class RuleSetError(ValueError):
    """A rule-set file is malformed; the message names the file, the rule id (if any) and the field, in
    English. A file that cannot be read or parsed also has ``code`` and ``params`` (``origin``, the file), which
    the command line says in the user's language (``screening.inputmessages``); a field's error has none."""

    def __init__(self, message: str, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True, slots=True)
class ConditionField:
    """One parameter of a rule kind's ``[rule.condition]`` table: its type, allowed values, default."""

    type: type
    choices: tuple[str, ...] | None = None
    default: Any = None
    required: bool = False
    min_value: int | None = None


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What a rule kind reads (``source``), whether it must be silent, and its condition parameters."""

    source: str
    silent: bool | None  # True: must be silent; False: must not be; None: either
    fields: Mapping[str, ConditionField]


#: The vocabulary. ``lookback_days`` defaults to the rule set's own ``lookback_days``.
KIND_SPECS: dict[str, KindSpec] = {
    "area_visit": KindSpec(
        source="movements",
        silent=False,
        fields={
            "listing_levels": ConditionField(list, LISTING_LEVELS, required=True),
            "lookback_days": ConditionField(int, min_value=1),
            "place_match": ConditionField(str, ("community",), default="community"),
        },
    ),
    "county_with_area": KindSpec(
        source="movements",
        silent=False,
        fields={
            "listing_levels": ConditionField(list, LISTING_LEVELS, required=True),
            "lookback_days": ConditionField(int, min_value=1),
        },
    ),
    "identity": KindSpec(
        source="identity",
        silent=False,
        fields={"statuses": ConditionField(list, IDENTITY_STATUSES, required=True)},
    ),
    "watchlist": KindSpec(
        source="watchlist",
        silent=True,
        fields={
            "match_by": ConditionField(list, WATCHLIST_MATCH_BY, default=list(WATCHLIST_MATCH_BY)),
            "lists": ConditionField(list, None, default=[]),
        },
    ),
}


@dataclass(frozen=True, slots=True)
class Citation:
    """A document a rule follows: ``id`` (referenced by rules), title, issuer, optional number, date, url."""

    id: str
    title: str
    issuer: str
    date: str
    url: str = ""
    document_number: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated rule. ``condition`` holds every parameter of its kind, defaults filled in.

    ``level`` is ``None`` exactly when ``silent`` is true: a silent rule never affects the submitter's
    view. ``police_priority`` is 1 (most urgent) to 5.
    """

    id: str
    description: str
    kind: Kind
    source: str
    level: Level | None
    silent: bool
    police_priority: int
    condition: Mapping[str, Any]
    reason: str = ""
    cites: tuple[str, ...] = ()
    #: the reason per language (``{"zh": ..., "en": ...}``; one key ``""`` for a plain-string reason):
    #: what pages render in the reader's language. ``reason`` is the legacy one-line text ``中文 (English)``.
    reason_text: Mapping[str, str] = field(default_factory=dict)
    #: the rule's name per language (as :attr:`reason_text`): the title police pages give a hit of the rule;
    #: empty when the file gives none (pages then name the rule by its kind)
    name_text: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A validated rule set: ``id``@``version``, default ``lookback_days``, citations, rules in file order."""

    id: str
    version: str
    title: str
    lookback_days: int
    rules: tuple[Rule, ...]
    citations: tuple[Citation, ...] = ()
    origin: str = field(default="<memory>", compare=False)
    #: the title per language (as :attr:`Rule.reason_text`); ``title`` is the legacy one-line text
    title_text: Mapping[str, str] = field(default_factory=dict)

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        """The rules of one ``kind``, in file order."""
        return tuple(r for r in self.rules if r.kind == kind)

    def rule(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``; ``KeyError`` if there is none."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def lookback(self, rule: Rule) -> int:
        """The look-back in days for a movement rule: its own ``lookback_days`` or the rule set's."""
        return int(rule.condition.get("lookback_days") or self.lookback_days)

    @property
    def max_lookback_days(self) -> int:
        """The longest look-back of any movement rule (what the movement pre-filter must keep)."""
        days = [self.lookback(r) for r in self.rules if r.source == "movements"]
        return max(days, default=self.lookback_days)


# --------------------------------------------------------------------------------------------- loading


def _err(origin: str, rule_id: str | None, fld: str, message: str) -> RuleSetError:
    where = f"{origin}: rule {rule_id!r}: field {fld!r}" if rule_id else f"{origin}: field {fld!r}"
    return RuleSetError(f"{where}: {message}")


def _require_str(data: Mapping[str, Any], key: str, origin: str, rule_id: str | None, *, required: bool = True
                 ) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _err(origin, rule_id, key, "is missing; add it as a non-empty string")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _err(origin, rule_id, key, f"must be a non-empty string, got {value!r}")
    return value


#: Language keys of a localised text in a rule-set file.
TEXT_LANGUAGES = ("zh", "en")


def _localised(data: Mapping[str, Any], key: str, origin: str, rule_id: str | None, *, required: bool
               ) -> tuple[str, dict[str, str]]:
    """A text that is either a plain string or a table ``{zh = "...", en = "..."}`` (both non-empty).

    Returns ``(legacy one-line text, per-language texts)``: ``中文 (English)`` for a table, the string
    itself (under the key ``""``) for a plain string, ``("", {})`` when absent and not required.
    """
    value = data.get(key)
    if not isinstance(value, Mapping):
        text = _require_str(data, key, origin, rule_id, required=required)
        return text, ({"": text} if text else {})
    unknown = sorted(set(value) - set(TEXT_LANGUAGES))
    if unknown:
        raise _err(origin, rule_id, f"{key}.{unknown[0]}", f"is not a language; use {', '.join(TEXT_LANGUAGES)}")
    texts = {lang: _require_str(value, lang, origin, rule_id) for lang in TEXT_LANGUAGES}
    return f"{texts['zh']} ({texts['en']})", texts


def _parse_condition(raw: Any, spec: KindSpec, origin: str, rule_id: str) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise _err(origin, rule_id, "condition", "must be a table ([rule.condition])")
    unknown = sorted(set(raw) - set(spec.fields))
    if unknown:
        raise _err(origin, rule_id, f"condition.{unknown[0]}",
                   f"is not a parameter of this kind; allowed: {', '.join(sorted(spec.fields))}")
    out: dict[str, Any] = {}
    for name, fs in spec.fields.items():
        fname = f"condition.{name}"
        if name not in raw:
            if fs.required:
                raise _err(origin, rule_id, fname, "is required for this kind")
            out[name] = list(fs.default) if isinstance(fs.default, list) else fs.default
            continue
        value = raw[name]
        if fs.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _err(origin, rule_id, fname, f"must be an integer, got {value!r}")
            if fs.min_value is not None and value < fs.min_value:
                raise _err(origin, rule_id, fname, f"must be at least {fs.min_value}, got {value}")
        elif fs.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _err(origin, rule_id, fname, f"must be a list of strings, got {value!r}")
            if fs.required and not value:
                raise _err(origin, rule_id, fname, "must not be empty")
            if fs.choices is not None:
                bad = [v for v in value if v not in fs.choices]
                if bad:
                    raise _err(origin, rule_id, fname,
                               f"{bad[0]!r} is not one of {', '.join(fs.choices)}")
        elif fs.type is str:
            if not isinstance(value, str):
                raise _err(origin, rule_id, fname, f"must be a string, got {value!r}")
            if fs.choices is not None and value not in fs.choices:
                raise _err(origin, rule_id, fname, f"{value!r} is not one of {', '.join(fs.choices)}")
        out[name] = value
    return out


def _parse_rule(raw: Any, index: int, origin: str, citation_ids: set[str]) -> Rule:
    if not isinstance(raw, Mapping):
        raise _err(origin, None, f"rule[{index}]", "must be a table ([[rule]])")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        raise _err(origin, None, f"rule[{index}].id",
                   f"must be lower-case letters, digits and '-', at most 64 characters; got {rid!r}")
    known = {"id", "name", "description", "reason", "kind", "source", "level", "silent", "police_priority",
             "cites", "condition"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _err(origin, rid, unknown[0], f"is not a rule field; allowed: {', '.join(sorted(known))}")
    description = _require_str(raw, "description", origin, rid)
    kind = raw.get("kind")
    if kind not in KIND_SPECS:
        raise _err(origin, rid, "kind", f"{kind!r} is not one of {', '.join(KIND_SPECS)}")
    spec = KIND_SPECS[kind]
    source = raw.get("source", spec.source)
    if source != spec.source:
        raise _err(origin, rid, "source", f"kind {kind!r} reads {spec.source!r}, not {source!r}")
    silent = raw.get("silent", False)
    if not isinstance(silent, bool):
        raise _err(origin, rid, "silent", f"must be true or false, got {silent!r}")
    if spec.silent is not None and silent != spec.silent:
        why = ("a watchlist hit must never change what the submitter sees"
               if spec.silent else "this kind decides the submitter's level")
        raise _err(origin, rid, "silent", f"must be {str(spec.silent).lower()} for kind {kind!r}: {why}")
    level = raw.get("level")
    if silent:
        if level is not None:
            raise _err(origin, rid, "level", "a silent rule has no submitter level; remove the field")
    elif level not in LEVELS:
        raise _err(origin, rid, "level", f"{level!r} is not one of {', '.join(LEVELS)}")
    reason, reason_text = _localised(raw, "reason", origin, rid, required=not silent)
    _name, name_text = _localised(raw, "name", origin, rid, required=False)
    if reason and re.search(r"watch ?list|名单|布控", reason, re.IGNORECASE):
        raise _err(origin, rid, "reason", "submitter-visible text must never mention watchlists")
    priority = raw.get("police_priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 5:
        raise _err(origin, rid, "police_priority",
                   f"must be an integer 1 (most urgent) to 5, got {priority!r}")
    cites = raw.get("cites", [])
    if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
        raise _err(origin, rid, "cites", f"must be a list of citation ids, got {cites!r}")
    missing = [c for c in cites if c not in citation_ids]
    if missing:
        raise _err(origin, rid, "cites", f"{missing[0]!r} is not the id of a [[citation]] in this file")
    condition = _parse_condition(raw.get("condition"), spec, origin, rid)
    return Rule(
        id=rid, description=description, kind=kind, source=source, level=level, silent=silent,
        police_priority=priority, condition=condition, reason=reason, cites=tuple(cites), reason_text=reason_text,
        name_text=name_text,
    )


def parse_ruleset(data: Mapping[str, Any], origin: str = "<memory>") -> RuleSet:
    """Validate a decoded rule-set document (the dict :func:`tomllib.loads` returns) into a :class:`RuleSet`.

    ``origin`` names the file in error messages. Raises :class:`RuleSetError` on the first problem:
    missing/ill-typed top-level fields, unknown or duplicate rule ids, an unknown ``kind``, a ``source``
    that does not match the kind, a silent rule with a level, a watchlist rule that is not silent,
    condition parameters that are unknown, missing or out of range, or a citation that is not defined.
    """
    known = {"id", "version", "title", "lookback_days", "citation", "rule"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _err(origin, None, unknown[0], f"is not a rule-set field; allowed: {', '.join(sorted(known))}")
    rs_id = _require_str(data, "id", origin, None)
    if not _RULE_ID.match(rs_id):
        raise _err(origin, None, "id", f"must be lower-case letters, digits and '-', got {rs_id!r}")
    version = _require_str(data, "version", origin, None)
    if len(version) > 50:  # kept with each job (ScreeningJob.ruleset_version)
        raise _err(origin, None, "version", f"must be at most 50 characters, got {len(version)}")
    title, title_text = _localised(data, "title", origin, None, required=False)
    lookback = data.get("lookback_days")
    if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
        raise _err(origin, None, "lookback_days", f"must be a positive integer (days), got {lookback!r}")
    citations: list[Citation] = []
    for i, c in enumerate(data.get("citation", [])):
        if not isinstance(c, Mapping):
            raise _err(origin, None, f"citation[{i}]", "must be a table ([[citation]])")
        citations.append(Citation(
            id=_require_str(c, "id", origin, None),
            title=_require_str(c, "title", origin, None),
            issuer=_require_str(c, "issuer", origin, None),
            date=_require_str(c, "date", origin, None),
            url=_require_str(c, "url", origin, None, required=False),
            document_number=_require_str(c, "document_number", origin, None, required=False),
        ))
    citation_ids = {c.id for c in citations}
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _err(origin, None, "rule", "at least one [[rule]] table is required")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, i, origin, citation_ids)
        if rule.id in seen:
            raise _err(origin, rule.id, "id", "is used by more than one rule; rule ids must be unique")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(id=rs_id, version=version, title=title, lookback_days=lookback, rules=tuple(rules),
                   citations=tuple(citations), origin=origin, title_text=title_text)


def load_ruleset(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rule-set TOML file; ``None`` loads the bundled default (:data:`DEFAULT_RULESET`).

    Raises :class:`RuleSetError` for a missing or unreadable file, a folder, invalid TOML (with the parser's
    line and column; a file not named ``.toml`` is asked whether it is a rule set at all) or any validation
    problem listed in :func:`parse_ruleset`.
    """
    if path is None:
        ref = resources.files("pingan.screening").joinpath("rulesets", f"{DEFAULT_RULESET}.toml")
        text = ref.read_text(encoding="utf-8")
        origin = f"rulesets/{DEFAULT_RULESET}.toml"
    else:
        p = Path(path)
        origin = str(p)
        if p.is_dir():
            raise RuleSetError(f"{origin}: is a folder, not a rule-set file; give the path of a .toml rule set",
                               "folder", origin=origin)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RuleSetError(f"{origin}: no such rule-set file", "missing", origin=origin) from None
        except UnicodeDecodeError as exc:
            raise RuleSetError(f"{origin}: not UTF-8 text ({exc.reason}); save the file as UTF-8", "not_utf8",
                              origin=origin) from None
        except OSError as exc:
            raise RuleSetError(f"{origin}: cannot read it ({exc.strerror})", "unreadable", origin=origin,
                              errno=exc.errno, error=exc.strerror) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = "" if origin.endswith(".toml") else \
            " — is this a rule set? A rule set is a TOML file (see docs/screening.md, \"Rules as data\")"
        raise RuleSetError(f"{origin}: invalid TOML: {exc}{hint}", "invalid_toml", origin=origin, detail=str(exc),
                           toml=origin.endswith(".toml")) from None
    return parse_ruleset(data, origin)


# ------------------------------------------------------------------------------------ evaluation helpers


def max_level(levels: Iterable[str | None]) -> Level:
    """The most severe of ``levels`` (``None`` entries ignored); ``"green"`` when there are none."""
    best = 0
    for lv in levels:
        if lv is not None:
            best = max(best, LEVEL_RANK[lv])
    return LEVELS[best]


def submitter_level(hits: Iterable[tuple[str | None, bool]]) -> Level:
    """The submitter's level from ``(level_effect, silent)`` pairs: max over the non-silent hits.

    A silent hit (watchlist) never changes the result, whatever level it carries.
    """
    return max_level(level for level, silent in hits if not silent)


_SPACES = re.compile(r"\s+")


def normalise_place(text: str | None) -> str:
    """A place or community name for comparison: Unicode NFKC (UAX #15), all whitespace removed.

    ``None`` gives ``""``. Full-width digits/letters fold to ASCII, so ``"幸福小区１栋"`` and
    ``"幸福小区 1栋"`` compare equal.
    """
    if not text:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def place_names_community(place: str | None, community: str | None) -> bool:
    """True when a movement's ``place`` lies in the listed ``community`` ("in the area").

    Both are normalised with :func:`normalise_place`; the place names the community when the community's
    name occurs in it (a street address "思明区幸福小区3栋" lies in the listed "幸福小区"). A listing without a
    community name lists its whole division (the NHC lists name whole counties this way), so every place
    in that division is in the area.
    """
    c = normalise_place(community)
    return not c or c in normalise_place(place)


def lookback_window(as_of: dt.datetime, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The window ``[as_of - days, as_of)``; ``as_of`` must be timezone-aware (``ValueError``)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be a timezone-aware datetime (pingan stores UTC instants)")
    return as_of - dt.timedelta(days=days), as_of


#: How long a movement record without an end time lasts for overlap tests (a check-in scan, a ticket).
INSTANT = dt.timedelta(seconds=1)


def intervals_overlap(
    a_start: dt.datetime, a_end: dt.datetime | None, b_start: dt.datetime, b_end: dt.datetime | None
) -> bool:
    """Intervals ``[a_start, a_end)`` and ``[b_start, b_end)`` share a positive duration.

    A missing ``a_end`` means the stay was an instant, counted as :data:`INSTANT`; a missing ``b_end``
    means "still open" (a listing not yet lifted). Touching intervals do not overlap. This is the
    predicate the engine's SQL uses (``t0 < b_end AND b_start < t1``).
    """
    a_stop = a_end if a_end is not None else a_start + INSTANT
    return a_start < (b_end if b_end is not None else dt.datetime.max.replace(tzinfo=a_start.tzinfo)) \
        and b_start < a_stop
