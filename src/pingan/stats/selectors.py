"""Statistics selectors: every read takes the actor and is scoped to the actor's jurisdiction.

Who sees what (least privilege):

* CompStat pages and figures (aggregates, no audit record): every police account — analysts, station chiefs,
  officers — its own unit's subtree (:mod:`pingan.stats.jurisdiction`: a district's analyst sees the district
  and its stations, not another district); everyone else nothing;
* incidents (the drill-down: places, times, victims — personal data): the same units, each list and each
  incident read written to the audit trail with the purpose declared at sign-in;
* reclassifications and the downgrade watch: station chiefs (their subtree) and analysts, audited;
* imports and their row issues: analysts, the imports of their organisation made by accounts of their subtree.

The figures come from the rollup tables by SQL that sums each classification key over the CompStat periods
and weeks (``_key_sums``, ``_key_weeks``); :mod:`pingan.stats.indicators` turns those sums into the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import POLICE_ROLES, OrgUnit, Role
from pingan.core.scoping import scope
from pingan.stats import classify, indicators, jurisdiction
from pingan.stats.classify import Key, Rule, Scheme
from pingan.stats.importers import WITHOUT_CLEARANCE
from pingan.stats.indicators import CompStat, Measures, Period
from pingan.stats.models import (
    DailyClearance,
    DailyCount,
    ImportBatch,
    Incident,
    Reclassification,
    RollupState,
    VehicleCount,
    WeeklyClearance,
    WeeklyCount,
)
from pingan.stats.services import CLEAR_MEASURES, COUNT_MEASURES, week_start_sql

TERRITORIAL = (OrgUnit.Kind.BUREAU, OrgUnit.Kind.BRANCH, OrgUnit.Kind.STATION, OrgUnit.Kind.AREA)
WATCH_ROLES = frozenset({Role.STATION_CHIEF, Role.ANALYST})


def _require_police(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in POLICE_ROLES:
        raise PermissionDenied("only police accounts see statistics", message_id="stats_police_only")


# ------------------------------------------------------------------------------------------------ units


def units_visible(*, actor) -> QuerySet[OrgUnit]:
    """The territorial units whose CompStat the actor may see, in tree order."""
    _require_police(actor)
    return jurisdiction.narrow(actor, OrgUnit.objects.filter(kind__in=TERRITORIAL), "")


def unit_get(*, actor, code: str) -> OrgUnit:
    """One unit the actor may see; ``NotFound`` otherwise (no existence leak)."""
    _require_police(actor)
    unit = OrgUnit.objects.filter(code=code, kind__in=TERRITORIAL).first()
    if unit is None or not jurisdiction.in_tree(actor, unit):
        raise NotFound(f"unit {code} not found")
    return unit


def _root_of(unit: OrgUnit) -> OrgUnit:
    first = unit.path.split("/", 1)[0] + "/"
    return unit if unit.path == first else OrgUnit.objects.get(path=first)


def lineage(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the root down, and the unit."""
    segments = unit.path.strip("/").split("/")
    paths = ["/".join(segments[:i]) + "/" for i in range(1, len(segments) + 1)]
    by_path = {u.path: u for u in OrgUnit.objects.filter(path__in=paths)}
    return [by_path[p] for p in paths if p in by_path]


def scheme_for(unit: OrgUnit, scheme_id: str | None = None) -> Scheme:
    """The scheme asked for, or the default of the unit's tree (``default_for`` in the scheme files)."""
    if scheme_id:
        try:
            return classify.scheme(scheme_id)
        except KeyError:
            raise DomainError(f"no classification scheme {scheme_id!r}", code="unknown_scheme",
                              params={"scheme": scheme_id}) from None
    return classify.default_scheme_for([u.code for u in reversed(lineage(unit))])


def _per_generation(gen: str | None, kind: str, unit: OrgUnit, compute):
    """``compute()`` for the unit's organisation, cached for rollup generation ``gen`` (``None``: not cached).
    For what changes only with the rollups and the imports that write them."""
    if gen is None:
        return compute()
    return _cached(_cache_key(gen, kind, unit.path.split("/", 1)[0]), compute)


def data_span(unit: OrgUnit, gen: str | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with an incident anywhere in the unit's organisation (its root's rollup); cached
    for the rollup generation ``gen`` when given."""
    def compute():
        agg = DailyCount.objects.filter(unit=_root_of(unit)).aggregate(first=Min("day"), last=Max("day"))
        return agg["first"], agg["last"]

    return _per_generation(gen, "span", unit, compute)


def default_as_of(unit: OrgUnit, last: dt.date | None = None) -> dt.date:
    """Today, or the organisation's last day of data when the data end earlier (the demo data sets do)."""
    today = timezone.localdate()
    if last is None:
        last = data_span(unit)[1]
    return min(today, last) if last else today


@dataclass(frozen=True)
class Coverage:
    """What one imported source contributes to an organisation: its days and its offences."""

    source: str
    first: dt.date
    last: dt.date
    scope: tuple[str, ...]
    clearance: bool = True  # the source says which incidents were cleared (ImportRead.records_clearance)


def coverage(unit: OrgUnit, gen: str | None = None) -> list[Coverage]:
    """The sources of the unit's organisation, each from the first to the last day any of its imports covered
    (weekly bureau files add up to one span; a gap between two imports is not detected), with its scope.
    Cached for the rollup generation ``gen`` when given (an import that covers a day writes the rollups)."""
    return _per_generation(gen, "coverage", unit, lambda: _coverage(_root_of(unit)))


def _coverage(root: OrgUnit) -> list[Coverage]:
    out: dict[str, Coverage] = {}
    for b in ImportBatch.objects.filter(org=root, status=ImportBatch.Status.DONE).order_by("created_at", "id"):
        c = b.counts or {}
        if not (c.get("first_day") and c.get("last_day")):
            continue
        first, last = dt.date.fromisoformat(c["first_day"]), dt.date.fromisoformat(c["last_day"])
        known = out.get(b.source)
        if known is not None:
            first, last = min(first, known.first), max(last, known.last)
        out[b.source] = Coverage(b.source, first, last, tuple(c.get("scope", ("",))),
                                 bool(c.get("clearance", b.source not in WITHOUT_CLEARANCE)))
    return list(out.values())


def covered_categories(scheme: Scheme, sources: Sequence[Coverage], day: dt.date) -> dict[str, dt.date]:
    """The categories (and groups) of ``scheme`` that the sources cover on ``day``, each with the day from which
    they do (where its zero-incident streaks may start).

    A category is covered when every offence its rules name lies within the scope (the offences it records at
    all) of some source running on ``day``: a file of shootings covers "shooting incidents" but not "felony
    assault", of which shootings are a part — a partial count shown as a count would mislead. With no recorded
    source at all (incidents written another way) every category counts as covered."""
    if not sources:
        return {c.key: dt.date.min for c in scheme.categories}
    running = [src for src in sources if src.first <= day <= src.last]
    out: dict[str, dt.date] = {}
    for c in scheme.categories:
        starts = []
        # A rule for attempts only (UCR's attempted murder under aggravated assault) adds nothing a source must
        # cover: sources that follow the UCR already file those attempts under the other offence.
        for prefix in {p for r in scheme.rules_of(c.key) if r.attempted != "only" for p in r.offences}:
            firsts = [src.first for src in running if any(classify.under(prefix, o) for o in src.scope)]
            if not firsts:
                break
            starts.append(min(firsts))
        else:
            out[c.key] = max(starts, default=day)
    return out


def clearance_known(scheme: Scheme, sources: Sequence[Coverage], day: dt.date) -> set[str]:
    """The categories whose clearances the sources tell on ``day``: covered (:func:`covered_categories`) by
    sources that record clearances. A category counted only from a source without them (Chicago's
    aggravated-assault file has no arrest flag) has no clearance figures — "no clearance data", not 0 %."""
    if not sources:
        return {c.key for c in scheme.categories}
    telling = [s for s in sources if s.clearance]
    return set(covered_categories(scheme, telling, day)) if telling else set()


def covered_over(scheme: Scheme, sources: Sequence[Coverage]) -> indicators.Covered:
    """``covered(category, period)``: whether the sources cover ``category`` on every day of ``period`` (by
    the rule of :func:`covered_categories`: each offence its rules name lies in the scope of a source running
    on the day; several sources' spans may join). With no recorded source at all everything is covered. For
    last year's figures: a period no source covers has no figure, not 0 (``indicators.compstat``)."""
    if not sources:
        return lambda category, period: True
    memo: dict[tuple[str, Period], bool] = {}

    def prefix_covered(prefix: str, period: Period) -> bool:
        spans = sorted((src.first, src.last) for src in sources
                       if any(classify.under(prefix, o) for o in src.scope))
        reach = period.start - dt.timedelta(days=1)  # covered up to here
        for first, last in spans:
            if first > reach + dt.timedelta(days=1):
                break
            reach = max(reach, last)
            if reach >= period.end:
                return True
        return False

    def covered(category: str, period: Period) -> bool:
        key = (category, period)
        if key not in memo:
            memo[key] = all(prefix_covered(prefix, period) for prefix in
                            {p for r in scheme.rules_of(category) if r.attempted != "only" for p in r.offences})
        return memo[key]

    return covered


# ------------------------------------------------------------------------------------------------ SQL sums

_KEY_COLS = "offence, place_type, attempted, harm"


def _key(offence: str, place_type: str, attempted, harm: int) -> Key:
    return Key(offence, place_type, bool(attempted), int(harm))


def _parts(periods: dict[str, Period]) -> dict[str, tuple[list[Period], list[Period]]]:
    """Each period as (Monday ranges of its whole weeks, leftover day ranges): see ``split_weeks``."""
    out = {}
    for name, p in periods.items():
        mondays, days = indicators.split_weeks(p)
        out[name] = ([mondays] if mondays else [], days)
    return out


def _within(ranges: Sequence[Period]) -> tuple[str, list[dt.date]]:
    """An SQL condition on ``day`` true inside any of ``ranges`` (``FALSE`` for none), with its parameters."""
    if not ranges:
        return "FALSE", []
    return "(" + " OR ".join("(day >= %s AND day <= %s)" for _ in ranges) + ")", [
        d for r in ranges for d in (r.start, r.end)]


def _key_sums(unit_ids: Sequence[int], periods: dict[str, Period]) -> dict[int, dict[Key, dict[str, Measures]]]:
    """Per unit and key, the rollup measures summed over each named period.

    Whole weeks come from the weekly rollups and only the leftover days at a period's ends from the daily ones
    (``indicators.split_weeks``): four scans (daily and weekly counts and clearances), each reading only the rows
    some period needs."""
    ids = ", ".join(str(int(u)) for u in unit_ids)
    if not ids:
        return {}
    parts = _parts(periods)
    names = list(periods)
    # Raw per-(unit, key) sums, period-major, counts then clearances; Measures are built once at the end.
    width_c, width_k = len(COUNT_MEASURES), len(CLEAR_MEASURES)
    raw: dict[tuple, list] = {}
    for tables, measures, offset in (((WeeklyCount, DailyCount), COUNT_MEASURES, 0),
                                     ((WeeklyClearance, DailyClearance), CLEAR_MEASURES, width_c)):
        for which, table in enumerate(tables):  # 0: weeks, 1: days
            cols, params = [], []
            for name in names:
                cond, cond_params = _within(parts[name][which])
                for m in measures:
                    cols.append(f"SUM(CASE WHEN {cond} THEN {m} ELSE 0 END)")
                    params += cond_params
            where, where_params = _within([r for name in names for r in parts[name][which]])
            if where == "FALSE":
                continue
            sql = (f"SELECT unit_id, {_KEY_COLS}, {', '.join(cols)} FROM {table._meta.db_table} "  # noqa: S608
                   f"WHERE unit_id IN ({ids}) AND {where} GROUP BY unit_id, {_KEY_COLS}")
            with connection.cursor() as cur:
                cur.execute(sql, [*params, *where_params])
                for row in cur.fetchall():
                    acc = raw.get(row[:5])
                    if acc is None:
                        acc = raw[row[:5]] = [0] * ((width_c + width_k) * len(names))
                    for p in range(len(names)):
                        base, src = p * (width_c + width_k) + offset, 5 + p * len(measures)
                        for i in range(len(measures)):
                            v = row[src + i]
                            if v:
                                acc[base + i] += Decimal(str(v)) if v.__class__ is float else v  # SQLite: floats
    out: dict[int, dict[Key, dict[str, Measures]]] = defaultdict(dict)
    for (unit_id, off, place, att, harm), acc in raw.items():
        per = {}
        for p, name in enumerate(names):
            v = acc[p * (width_c + width_k):(p + 1) * (width_c + width_k)]
            per[name] = Measures(n=int(v[0]), victims=int(v[1]), injured=int(v[2]), killed=int(v[3]),
                                 loss=_dec(v[4]), involved=_dec(v[5]), recovered=_dec(v[6]),
                                 arrest=int(v[7]), exceptional=int(v[8]), same_year=int(v[9]),
                                 cleared_involved=_dec(v[10]), cleared_recovered=_dec(v[11]))
        out[unit_id][_key(off, place, att, harm)] = per
    return out


def generation() -> str:
    """The rollups' generation stamp (``RollupState``; ``"none"`` before the first refresh)."""
    return str(RollupState.objects.filter(pk=1).values_list("generation", flat=True).first() or "none")


#: Bumped when what a cached figure means changes (2: last year's windows by ISO week, coverage per period;
#: 3: a source's coverage says whether it records clearances), so that figures cached by the previous code
#: under the same rollup generation are not served.
_CACHE_VERSION = 3


def _cache_key(gen: str, kind: str, *parts) -> str:
    return f"pingan:stats:v{_CACHE_VERSION}:{gen}:{kind}:" + ":".join(str(p) for p in parts)


def unit_sums(unit_ids: Sequence[int], as_of: dt.date, gen: str | None = None) -> dict[int, dict]:
    """:func:`_key_sums` over the CompStat periods of ``as_of`` for each unit, through the cache: a unit's sums
    are computed once per rollup generation (and as-of day), whichever page or report asks first; only the
    units missing from the cache are summed, in one query set. Shape as :func:`_key_sums`."""
    gen = generation() if gen is None else gen
    keys = {u: _cache_key(gen, "sums", u, as_of) for u in unit_ids}
    found = cache.get_many(list(keys.values()))
    out = {u: found[k] for u, k in keys.items() if k in found}
    missing = [u for u in unit_ids if u not in out]
    if missing:
        fresh = _key_sums(missing, indicators.compstat_periods(as_of))
        computed = {u: dict(fresh.get(u, {})) for u in missing}
        cache.set_many({keys[u]: v for u, v in computed.items()}, timeout=_CACHE_SECONDS)
        out.update(computed)
    return out


#: How long cached figures are kept (the generation in the key already retires them when data change).
_CACHE_SECONDS = 7 * 24 * 3600


def _cached(key: str, compute):
    hit = cache.get(key)
    if hit is None:
        hit = compute()
        cache.set(key, hit, timeout=_CACHE_SECONDS)
    return hit


def _dec(v) -> Decimal:
    return v if v.__class__ is Decimal else Decimal(v)  # an int (0: no rows); floats were converted above


def _key_weeks(unit_ids: Sequence[int], ranges: Iterable[Period]) -> dict[int, dict[Key, dict[dt.date, tuple]]]:
    """Per unit and key, incidents and victims per Monday–Sunday week within ``ranges`` (a week cut by a range's
    end counts only its days inside): whole weeks from the weekly rollup, cut weeks from the daily one."""
    out: dict[int, dict[Key, dict[dt.date, tuple]]] = defaultdict(lambda: defaultdict(dict))
    ids = ", ".join(str(int(u)) for u in unit_ids)
    split = [indicators.split_weeks(r) for r in ranges]
    if not ids or not split:
        return out
    wk = week_start_sql()
    for table, within in ((WeeklyCount, [m for m, _ in split if m]), (DailyCount, [d for _, ds in split for d in ds])):
        if not within:
            continue
        cond, params = _within(within)
        sql = (f"SELECT unit_id, {_KEY_COLS}, {wk} AS wk, SUM(n), SUM(victims) "  # noqa: S608 - names are ours
               f"FROM {table._meta.db_table} WHERE unit_id IN ({ids}) AND {cond} "
               f"GROUP BY unit_id, {_KEY_COLS}, {wk}")
        with connection.cursor() as cur:
            cur.execute(sql, params)
            for unit_id, off, place, att, harm, wk_day, n, victims in cur.fetchall():
                day = wk_day if isinstance(wk_day, dt.date) else dt.date.fromisoformat(str(wk_day)[:10])
                weeks = out[unit_id][_key(off, place, att, harm)]
                old = weeks.get(day, (0, 0))
                weeks[day] = (old[0] + int(n), old[1] + int(victims))
    return out


def _rule_q(rule: Rule, prefix: str = "") -> Q:
    """A filter on incidents (``prefix`` for a related path) matching one classification rule."""
    def under(p: str) -> Q:
        return Q() if p == "" else Q(**{f"{prefix}offence": p}) | Q(**{f"{prefix}offence__startswith": p + "."})

    q = Q()
    for p in rule.offences:
        q |= under(p)
        if p == "":
            q = Q()
            break
    for p in rule.exclude:
        q &= ~under(p)
    if rule.place_types is not None:
        q &= Q(**{f"{prefix}place_type__in": rule.place_types})
    if rule.attempted != "any":
        q &= Q(**{f"{prefix}attempted": rule.attempted == "only"})
    if rule.harm == "casualty":
        q &= Q(**{f"{prefix}injured__gt": 0}) | Q(**{f"{prefix}killed__gt": 0})
    elif rule.harm == "fatal":
        q &= Q(**{f"{prefix}killed__gt": 0})
    return q


def category_q(scheme: Scheme, category: str) -> Q:
    """A filter on incidents matching ``category`` of ``scheme`` (a group: any of its leaves)."""
    q = Q(pk__in=[])
    for rule in scheme.rules_of(category):
        q |= _rule_q(rule)
    return q


def _streak_days(unit: OrgUnit, scheme: Scheme, since: dt.date, as_of: dt.date) -> dict[str, list[dt.date]]:
    """Days with an incident since ``since`` for each streak category of ``scheme`` (distinct rollup keys)."""
    cats = [c for c in scheme.categories if c.streak]
    if not cats:
        return {}
    q = Q(pk__in=[])
    for c in cats:
        for rule in scheme.rules_of(c.key):
            q |= _rule_q(rule)
    rows = (DailyCount.objects.filter(q, unit=unit, day__gte=since, day__lte=as_of)
            .values_list("day", "offence", "place_type", "attempted", "harm").distinct())
    leaf_days: dict[str, set[dt.date]] = defaultdict(set)
    for day, off, place, att, harm in rows:
        for leaf in scheme.categories_of(_key(off, place, att, harm)):
            leaf_days[leaf].add(day)
    return {c.key: sorted(set().union(*(leaf_days.get(k, set()) for k in scheme.leaf_keys(c.key)))) for c in cats}


# ------------------------------------------------------------------------------------------------ CompStat


@dataclass(frozen=True)
class ChildFigures:
    unit: OrgUnit
    compstat: CompStat

    @property
    def headline(self) -> indicators.CompStatRow:
        return self.compstat.row(headline_category(self.compstat.scheme))


@dataclass(frozen=True)
class UnitPage:
    """What a CompStat page shows for one unit."""

    unit: OrgUnit
    lineage: list[OrgUnit]
    scheme: Scheme
    as_of: dt.date
    first_day: dt.date | None
    last_day: dt.date | None
    compstat: CompStat
    children: list[ChildFigures]
    covered: dict[str, dt.date]
    covered_last_year: dict[str, bool]  # categories whose every previous-year window some source covers
    sources: list[Coverage]
    traffic: indicators.TrafficIndicators | None = None
    #: categories whose clearances a source records (:func:`clearance_known`); None: all
    clearance_known: set[str] | None = None
    #: whether any incident of the unit's subtree is in the data loaded (on any day): without one, its zeros
    #: are "none recorded" where data were loaded, and nothing at all where none were (``first_day`` None)
    unit_recorded: bool = True

    def clearance_recorded(self, category: str) -> bool:
        """Whether a source of the unit says which incidents of ``category`` were cleared (else its clearance
        figures are unknown, not 0)."""
        return self.clearance_known is None or category in self.clearance_known


def headline_category(scheme: Scheme) -> str:
    """The row that sums up a scheme: its ``total`` group, else its first category."""
    keys = [c.key for c in scheme.categories]
    return "total" if "total" in keys else keys[0]


def compstat_for_unit(*, actor, code: str, as_of: dt.date | None = None, scheme_id: str | None = None,
                      children: bool = True, trend_weeks: int = 52) -> UnitPage:
    """A unit's CompStat as of a day under a scheme, with its sub-units' figures (aggregates: not audited).

    ``as_of`` defaults to :func:`default_as_of`; ``scheme_id`` to the unit's default scheme. Raises
    ``NotFound`` for a unit outside the actor's jurisdiction, ``PermissionDenied`` for non-police accounts and
    ``DomainError`` ``unknown_scheme``.
    """
    unit = unit_get(actor=actor, code=code)
    return _unit_page(unit, scheme_for(unit, scheme_id), as_of, children=children, trend_weeks=trend_weeks)


def _unit_page(unit: OrgUnit, scheme: Scheme, as_of: dt.date | None, *, children: bool = True,
               trend_weeks: int = 52) -> UnitPage:
    """:func:`compstat_for_unit` after the access check."""
    gen = generation()
    first, last = data_span(unit, gen)
    as_of = as_of or default_as_of(unit, last)
    sums = unit_sums([unit.pk], as_of, gen)[unit.pk]
    mondays, prev_mondays = indicators.trend_mondays(as_of, trend_weeks)
    prev_known = [d for d in prev_mondays if d is not None]
    weeks = _cached(_cache_key(gen, "weeks", unit.pk, as_of, trend_weeks), lambda: dict(_key_weeks(
        [unit.pk], [Period(mondays[0], as_of),
                    Period(prev_known[0], prev_known[-1] + dt.timedelta(days=6))]).get(unit.pk, {})))
    sources = coverage(unit, gen)
    covered = covered_categories(scheme, sources, as_of)
    is_covered = covered_over(scheme, sources)
    covered_last_year = {c.key: True for c in scheme.categories if all(
        prev is None or is_covered(c.key, prev) for _cur, prev in indicators.compstat_windows(as_of).values())}
    since = max(first, min(covered.values(), default=first)) if first else None
    streaks = _cached(_cache_key(gen, "streaks", unit.pk, scheme.id, since, as_of),
                      lambda: _streak_days(unit, scheme, since, as_of)) if since and since <= as_of else None
    cs = indicators.compstat(scheme, as_of, sums, weeks=weeks, streak_days=streaks, trend_weeks=trend_weeks,
                             since={k: max(d, first) for k, d in covered.items()} if first else None,
                             covered=is_covered)
    kids: list[ChildFigures] = []
    if children:
        child_units = list(OrgUnit.objects.filter(parent=unit, kind__in=TERRITORIAL).order_by("code"))
        ids = [c.pk for c in child_units]

        def children_figures() -> dict[int, CompStat]:
            child_sums = unit_sums(ids, as_of, gen)
            return {pk: indicators.compstat(scheme, as_of, child_sums.get(pk, {}), trend_weeks=0,
                                            covered=is_covered) for pk in ids}

        # the sub-units' tables, not their raw sums, are what a page reads again: cached as such (a city's 25
        # districts' sums took ~100 ms to unpickle and classify on every visit)
        which = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
        figures = _cached(_cache_key(gen, "children", unit.pk, scheme.id, as_of, which), children_figures)
        kids = [ChildFigures(c, figures[c.pk]) for c in child_units]
    traffic = None
    if scheme.id == "traffic":
        vc = VehicleCount.objects.filter(unit=unit, year=as_of.year).first()
        ytd_prev = cs.windows["ytd"][1]
        traffic = indicators.traffic_indicators(
            indicators.traffic_figures(sums, "ytd"),
            indicators.traffic_figures(sums, "ytd_prev") if is_covered("all_reported", ytd_prev) else None,
            vc.vehicles if vc else None)
    recorded = first is not None and _cached(_cache_key(gen, "recorded", unit.pk),
                                             lambda: DailyCount.objects.filter(unit=unit).exists())
    return UnitPage(unit, lineage(unit), scheme, as_of, first, last, cs, kids, covered, covered_last_year, sources,
                    traffic, clearance_known(scheme, sources, as_of), recorded)


def figures_warm() -> int:
    """Compute and cache every unit's page figures as of its default day under its default scheme (what a
    page would compute on its first visit), for every organisation with rollups — run after the rollups change
    (``stats.tasks.figures_warm_task``), so that the first visitor of a page after an import does not wait for
    the sums of its sub-units. Aggregates only: nothing is audited. Returns the units warmed."""
    gen = generation()
    n = 0
    roots = OrgUnit.objects.filter(parent__isnull=True, kind__in=TERRITORIAL)
    for root in roots:
        last = data_span(root)[1]
        if last is None:
            continue
        as_of = default_as_of(root, last)
        units = list(OrgUnit.objects.filter(path__startswith=root.path, kind__in=TERRITORIAL).order_by("path"))
        unit_sums([u.pk for u in units], as_of, gen)  # one query set for all, before the pages ask one by one
        for u in units:
            if generation() != gen:
                return n  # the rollups changed again: the task enqueued by that change takes over
            _unit_page(u, scheme_for(u), as_of)
            n += 1
    return n


def compstat_all_units(*, actor, as_of: dt.date, scheme_id: str | None = None,
                       root_code: str | None = None) -> list[tuple[OrgUnit, CompStat]]:
    """The weekly CompStat of every unit the actor may see (optionally one organisation), without trends:
    the full weekly report. Two SQL scans over the rollups for all units at once, then the indicators."""
    units = list(units_visible(actor=actor).order_by("path"))
    if root_code:
        root = unit_get(actor=actor, code=root_code)
        units = [u for u in units if u.path.startswith(root.path)]
    sums = unit_sums([u.pk for u in units], as_of)
    out = []
    checks: dict[tuple[str, str], indicators.Covered] = {}  # per organisation and scheme
    for u in units:
        scheme = scheme_for(u, scheme_id)
        org = u.path.split("/", 1)[0]
        if (org, scheme.id) not in checks:
            checks[org, scheme.id] = covered_over(scheme, coverage(u))
        out.append((u, indicators.compstat(scheme, as_of, sums.get(u.pk, {}), trend_weeks=0,
                                           covered=checks[org, scheme.id])))
    return out


# ------------------------------------------------------------------------------------------------ incidents


def period_of(window: str, as_of: dt.date) -> Period:
    """The period a drill-down link names (``wtd``, ``d28``, ``ytd`` and their ``_prev``)."""
    periods = indicators.compstat_periods(as_of)
    if window not in periods:
        raise DomainError(f"unknown window {window!r}; use one of {', '.join(periods)}", code="bad_window",
                          params={"window": window})
    return periods[window]


def incident_subjects(incident: Incident) -> list[audit.Subject]:
    """The persons an incident shows: none by name — the record holds places, times and numbers of victims,
    never a name or a document number — so its reads are recorded as reads of the incident alone."""
    return []


def incidents_scoped(*, actor) -> QuerySet[Incident]:
    """Every incident the actor may see (police of the jurisdiction); not audited — callers that return
    incidents to someone audit the read."""
    _require_police(actor)
    return jurisdiction.narrow(actor, scope(actor, Incident.objects.select_related("unit")))


def incident_list(*, actor, code: str, start: dt.date, end: dt.date, scheme_id: str | None = None,
                  category: str | None = None, purpose: str = "") -> QuerySet[Incident]:
    """The incidents of a unit's subtree counted in ``start``..``end`` (in a category, when given), newest
    first; unfounded ones are left out as they are from the counts. Writes one audit record for the list."""
    unit = unit_get(actor=actor, code=code)
    qs = incidents_scoped(actor=actor).filter(unit__path__startswith=unit.path, count_date__gte=start,
                                              count_date__lte=end).exclude(status=Incident.Status.UNFOUNDED)
    scheme = None
    if category:
        scheme = scheme_for(unit, scheme_id)
        try:
            qs = qs.filter(category_q(scheme, category))
        except KeyError:
            raise DomainError(f"scheme {scheme.id} has no category {category!r}", code="unknown_category",
                              params={"category": category, "scheme": scheme.id}) from None
    return audit.audited(qs.order_by("-count_date", "-id"), actor=actor, object_type="stats.Incident",
                         subjects=incident_subjects, purpose=purpose,
                         detail={"unit": unit.code, "from": start.isoformat(), "to": end.isoformat(),
                                 "scheme": scheme.stamp() if scheme else "", "category": category or ""})


def incident_get(*, actor, incident_id: int, purpose: str = "") -> Incident:
    """One incident of the actor's jurisdiction, with its reclassifications; audited. ``NotFound`` otherwise."""
    inc = incidents_scoped(actor=actor).filter(pk=incident_id).first()
    if inc is None:
        raise NotFound(f"incident {incident_id} not found")
    audit.record_read(actor, "stats.Incident", inc.pk, subjects=incident_subjects(inc), purpose=purpose)
    return inc


# ------------------------------------------------------------------------------------------------ integrity


def _require_watch(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in WATCH_ROLES:
        raise PermissionDenied("only station chiefs and analysts see reclassifications",
                               message_id="stats_watch_only")


def _reclassifications_scoped(actor, code: str, since: dt.date | None) -> tuple[OrgUnit, QuerySet]:
    _require_watch(actor)
    unit = unit_get(actor=actor, code=code)
    qs = jurisdiction.narrow(actor, scope(actor, Reclassification.objects.select_related("incident", "unit", "actor"))
                             ).filter(unit__path__startswith=unit.path)
    return unit, (qs.filter(at__date__gte=since) if since else qs)


def reclassification_list(*, actor, code: str, downgrades_only: bool = False, since: dt.date | None = None,
                          purpose: str = "") -> QuerySet[Reclassification]:
    """Reclassifications of incidents of a unit's subtree, newest first (audited: they name incidents)."""
    unit, qs = _reclassifications_scoped(actor, code, since)
    if downgrades_only:
        qs = qs.filter(downgrade=True)
    return audit.audited(qs, actor=actor, object_type="stats.Reclassification", subjects=lambda r: [],
                         purpose=purpose, detail={"unit": unit.code, "downgrades_only": downgrades_only})


@dataclass(frozen=True)
class WatchRow:
    """The downgrade watch for one unit: reclassifications and how many of them were downgrades, by reason."""

    unit: OrgUnit
    reclassifications: int
    downgrades: int
    reasons: dict[str, int]

    @property
    def share(self) -> float | None:
        return indicators.rate(self.downgrades, self.reclassifications)


def downgrade_watch(*, actor, code: str, since: dt.date | None = None) -> list[WatchRow]:
    """Per unit of the subtree (where any happened): reclassifications, downgrades and their reasons since
    ``since`` (default: 1 January of this year), most downgrades first. Counts only (not audited); the list of
    the downgrades themselves is :func:`reclassification_list`."""
    since = since or dt.date(timezone.localdate().year, 1, 1)
    _unit, qs = _reclassifications_scoped(actor, code, since)
    per: dict[int, list] = {}
    for unit_id, downgrade, reasons in qs.values_list("unit_id", "downgrade", "downgrade_reasons"):  # counts only
        entry = per.setdefault(unit_id, [unit_id, 0, 0, defaultdict(int)])
        entry[1] += 1
        if downgrade:
            entry[2] += 1
            for reason in reasons:
                entry[3][reason.split(":", 1)[0]] += 1
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(per))}
    for entry in per.values():
        entry[0] = units[entry[0]]
    out = [WatchRow(u, n, d, dict(reasons)) for u, n, d, reasons in per.values()]
    return sorted(out, key=lambda w: (-w.downgrades, -w.reclassifications, w.unit.path))


# ------------------------------------------------------------------------------------------------ imports


def _require_analyst(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != Role.ANALYST:
        raise PermissionDenied("only analysts see imports", message_id="stats_analyst_only")


def import_list(*, actor) -> QuerySet[ImportBatch]:
    """The imports an analyst sees: those made by accounts of their subtree (their own and their stations'
    analysts'); a bureau's analyst also sees the imports made from the command line into the bureau's
    organisation. A district's analyst does not see another district's uploads (the rejected rows of a file
    show its values)."""
    _require_analyst(actor)
    path = jurisdiction.tree_path(actor)
    qs = ImportBatch.objects.select_related("org", "imported_by")
    if path is None:
        return qs.none()
    if path == "":  # the command line
        return qs
    mine = Q(imported_by__unit__path__startswith=path)
    if actor.unit.parent_id is None:  # the organisation's own analysts: also the system's imports into it
        mine |= Q(imported_by__isnull=True, org__path__startswith=path)
    return qs.filter(mine)


def import_get(*, actor, batch_id: int) -> ImportBatch:
    batch = import_list(actor=actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"import {batch_id} not found")
    return batch


# ------------------------------------------------------------------------------------------------ public release


@dataclass(frozen=True)
class PublicRelease:
    """Incidents per block and category of a unit's subtree over a period, with small cells withheld."""

    unit: OrgUnit
    scheme: Scheme
    period: Period
    blocks: list[str]
    categories: list[str]
    table: object  # suppress.SuppressedTable
    # the organisation's data span (None: nothing loaded) — a period outside it has no counts, not zeros
    first_day: dt.date | None = None
    last_day: dt.date | None = None


NO_BLOCK = "(location not published)"


def public_release(*, actor, code: str, start: dt.date, end: dt.date, scheme_id: str | None = None,
                   threshold: int = 3, purpose: str = "") -> PublicRelease:
    """The public-release table of a unit: rows are blocks (locations generalised to block level), columns the
    scheme's categories (counted as the scheme counts them), with totals; counts below ``threshold`` withheld
    and complementary cells withheld so that none can be derived (:func:`pingan.stats.suppress.suppress_table`).
    Station chiefs and analysts; audited (it reads incidents)."""
    from pingan.stats.suppress import suppress_table

    _require_watch(actor)
    unit = unit_get(actor=actor, code=code)
    scheme = scheme_for(unit, scheme_id)
    rows = (incidents_scoped(actor=actor)
            .filter(unit__path__startswith=unit.path, count_date__gte=start, count_date__lte=end)
            .exclude(status=Incident.Status.UNFOUNDED)
            .values_list("block", "offence", "place_type", "attempted", "injured", "killed", "victims"))
    leaves = [c.key for c in scheme.leaves]
    col = {k: j for j, k in enumerate(leaves)}
    per_block: dict[str, list[int]] = {}
    for block, off, place, att, injured, killed, victims in rows.iterator(chunk_size=10_000):
        key = Key(off, place, bool(att), classify.harm_of(injured, killed))
        cats = scheme.categories_of(key)
        if not cats:
            continue
        line = per_block.setdefault(block or NO_BLOCK, [0] * len(leaves))
        for c in cats:
            line[col[c]] += (victims or 1) if scheme.category(c).count == "victims" else 1
    blocks = sorted(per_block)
    audit.record_read(actor, "stats.PublicRelease", unit.code, purpose=purpose, action="export",
                      detail={"unit": unit.code, "from": start.isoformat(), "to": end.isoformat(),
                              "scheme": scheme.stamp(), "blocks": len(blocks)})
    table = suppress_table([per_block[b] for b in blocks] or [[0] * len(leaves)], threshold=threshold)
    return PublicRelease(unit, scheme, Period(start, end), blocks or [NO_BLOCK], leaves, table, *data_span(unit))
