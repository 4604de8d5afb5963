"""CompStat indicators as plain functions over daily counts: windows, change, clearance, streaks, traffic.

Pure module (no Django). Its input is the measures of each classification :class:`~.classify.Key` summed
over the CompStat periods (:data:`KeySums`) and per week (:data:`KeyWeeks`): the pages and the all-units
report get them from SQL over the rollup tables, :func:`sums_from_days` computes them from daily rows
(:class:`DayRow`, :class:`ClearRow`) — the reference the tests hold the SQL to. Days are local calendar
dates of the unit's bureau; amounts are ``Decimal`` in the currency of the data.

Windows (CompStat)
    * week to date: Monday to the as-of day (NYPD CompStat periods run Monday to Sunday);
    * 28 days: the 28 days ending on the as-of day;
    * year to date: 1 January to the as-of day.
    Each is compared with the same period a year earlier. The week and the 28 days go by ISO 8601 weeks: the
    as-of day is week W, weekday D of ISO year Y, and last year's window ends on week W, weekday D of ISO year
    Y − 1 (so Mondays stay Mondays and a week compares with the same week number). That is 52 weeks back,
    or 53 when the previous ISO year had 53 weeks — never a week of the same ISO year, which moving back a
    fixed 364 days gave for week 53 (2026-W53 against 2026-W01). Week 53 when the previous ISO year has no
    week 53 has **no** comparison (``None``: the pages say "no week 53 last year"), rather than another week.
    The year to date runs from 1 January of the previous year to the same calendar day, and 29 February
    compares with 28 February.

Change
    ``(current - previous) / previous``; ``None`` ("n/a") when the previous figure is 0 — an increase from
    nothing has no percentage, and infinity would be a lie in a table.

Clearance (FBI UCR rules)
    Offences cleared, not persons arrested; clearances by arrest and by exceptional means both count; a
    clearance counts in the period in which it is made, whatever the year of the offence, so a period can
    clear more than it recorded (a rate above 100 % is correct). The current-year rate divides this year's
    offences that were cleared by the as-of day by this year's offences (the "current homicide clearance"
    of Chinese bureau reports).

Zero-incident streaks
    Runs of consecutive days without an incident of a category within ``[since, as_of]``, where ``since``
    is the first day the data covers. ``current`` is the run ending on the as-of day (0 when there was an
    incident that day); ``longest`` the longest run (the latest, on a tie). A run that starts on ``since``
    may be longer than the data can show: ``open_start`` says so and pages print "at least".

Traffic (China's four indicators, 四项指标)
    Accidents with casualties, deaths, injured and direct property loss, each with its change, plus all
    reported accidents kept apart (the 2010 scope change) and deaths per 10,000 vehicles where the number of
    vehicles is given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pingan.stats.classify import Key, Scheme

ZERO = Decimal(0)
WINDOWS = ("wtd", "d28", "ytd")


# ------------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """An inclusive range of days."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def shifted(self, days: int) -> Period:
        delta = dt.timedelta(days=days)
        return Period(self.start + delta, self.end + delta)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def split_weeks(period: Period) -> tuple[Period | None, list[Period]]:
    """``period`` as whole Monday–Sunday weeks plus the days left over at either end.

    Returns ``(mondays, days)``: ``mondays`` is the range of the Mondays of the whole weeks inside the period
    (``None`` when no whole week fits: then ``days`` is the period itself, at most 12 days), else ``days`` is
    the 0–2 leftover day ranges at either end (each under 7 days). Together they
    cover every day of the period exactly once — what lets a sum over the period read the weekly rollup for the
    weeks and the daily one only for the ends.
    """
    first = period.start + dt.timedelta(days=(7 - period.start.weekday()) % 7)  # first Monday on/after start
    last = monday_of(period.end + dt.timedelta(days=1)) - dt.timedelta(days=7)  # last Monday whose Sunday fits
    if first > last:
        return None, [period]
    days = []
    if period.start < first:
        days.append(Period(period.start, first - dt.timedelta(days=1)))
    if last + dt.timedelta(days=6) < period.end:
        days.append(Period(last + dt.timedelta(days=7), period.end))
    return Period(first, last), days


def week_to_date(as_of: dt.date) -> Period:
    """Monday of the as-of day's week to the as-of day."""
    return Period(monday_of(as_of), as_of)


def last_days(as_of: dt.date, n: int = 28) -> Period:
    """The ``n`` days ending on the as-of day."""
    return Period(as_of - dt.timedelta(days=n - 1), as_of)


def year_to_date(as_of: dt.date) -> Period:
    return Period(dt.date(as_of.year, 1, 1), as_of)


def same_day_last_year(day: dt.date) -> dt.date:
    """The same calendar day a year earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def year_to_date_last_year(as_of: dt.date) -> Period:
    return Period(dt.date(as_of.year - 1, 1, 1), same_day_last_year(as_of))


def iso_weeks(year: int) -> int:
    """The number of ISO 8601 weeks of ISO year ``year`` (52 or 53): 28 December is always in its last week."""
    return dt.date(year, 12, 28).isocalendar().week


def same_iso_day_last_year(day: dt.date) -> dt.date | None:
    """The day of the previous ISO year with ``day``'s ISO week number and weekday; ``None`` for a day of
    week 53 when the previous ISO year has only 52 weeks (there is no same week to compare with)."""
    year, week, weekday = day.isocalendar()
    if week > iso_weeks(year - 1):
        return None
    return dt.date.fromisocalendar(year - 1, week, weekday)


def weeks_back(as_of: dt.date, period: Period) -> Period | None:
    """``period`` (a window ending on ``as_of``) moved to the same ISO week and weekday of the previous ISO year
    (52 or 53 weeks back); ``None`` when ``as_of`` is in a week 53 the previous ISO year does not have."""
    prior = same_iso_day_last_year(as_of)
    if prior is None:
        return None
    return period.shifted((prior - as_of).days)


def compstat_windows(as_of: dt.date) -> dict[str, tuple[Period, Period | None]]:
    """``{"wtd"|"d28"|"ytd": (current, same period last year)}`` for the as-of day (see module docstring); the
    previous period of the week and the 28 days is ``None`` in a week 53 that last year did not have."""
    wtd, d28 = week_to_date(as_of), last_days(as_of, 28)
    return {"wtd": (wtd, weeks_back(as_of, wtd)), "d28": (d28, weeks_back(as_of, d28)),
            "ytd": (year_to_date(as_of), year_to_date_last_year(as_of))}


def no_prior_reason(as_of: dt.date, window: str) -> str | None:
    """Why a window of ``as_of`` has no period last year: ``"no_week_53"`` (an ISO week 53 the previous ISO
    year did not have), else ``None``."""
    if window in ("wtd", "d28") and same_iso_day_last_year(as_of) is None:
        return "no_week_53"
    return None


def span_needed(as_of: dt.date, trend_weeks: int = 52) -> Period:
    """The days a CompStat for ``as_of`` reads: every window and its prior, and the trend weeks of both years."""
    windows = compstat_windows(as_of)
    mondays, prev = trend_mondays(as_of, trend_weeks)
    starts = [d for d in (*mondays, *prev) if d is not None]
    start = min(starts + [p.start for pair in windows.values() for p in pair if p is not None])
    return Period(start, as_of)


def pct_change(current: float | Decimal, previous: float | Decimal) -> float | None:
    """Relative change ``(current - previous) / previous`` as a fraction; ``None`` (n/a) when previous is 0."""
    if not previous:
        return None
    return float((Decimal(current) - Decimal(previous)) / Decimal(previous))


def rate(numerator: float | Decimal, denominator: float | Decimal) -> float | None:
    """``numerator / denominator`` as a fraction; ``None`` when the denominator is 0."""
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def clearance_rate(cleared: int, offences: int) -> float | None:
    """UCR clearance rate: offences cleared in a period (arrest or exceptional, whatever the year of the offence)
    over offences recorded in it; may exceed 1. ``None`` when no offence was recorded."""
    return rate(cleared, offences)


# ------------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class DayRow:
    """Incidents counted on ``day`` with one classification key, and their measures (a rollup row).

    ``victims`` counts an incident without a recorded number of victims as one.
    """

    day: dt.date
    key: Key
    n: int
    victims: int = 0
    injured: int = 0
    killed: int = 0
    loss: Decimal = ZERO
    involved: Decimal = ZERO
    recovered: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class ClearRow:
    """Offences cleared on ``day`` with one key: by arrest, exceptionally, and how many of them were offences
    of the same calendar year as the clearance; with the amounts of the cleared cases."""

    day: dt.date
    key: Key
    arrest: int
    exceptional: int = 0
    same_year: int = 0
    involved: Decimal = ZERO
    recovered: Decimal = ZERO


@dataclass(slots=True)
class Measures:
    """Sums over some days, for one key or one category."""

    n: int = 0
    victims: int = 0
    injured: int = 0
    killed: int = 0
    loss: Decimal = ZERO
    involved: Decimal = ZERO
    recovered: Decimal = ZERO
    arrest: int = 0
    exceptional: int = 0
    same_year: int = 0
    cleared_involved: Decimal = ZERO
    cleared_recovered: Decimal = ZERO

    @property
    def cleared(self) -> int:
        return self.arrest + self.exceptional

    def add(self, other: Measures) -> None:
        # Written out: a loop of getattr/setattr over the slots was a third of the all-units report's CPU.
        self.n += other.n
        self.victims += other.victims
        self.injured += other.injured
        self.killed += other.killed
        self.loss += other.loss
        self.involved += other.involved
        self.recovered += other.recovered
        self.arrest += other.arrest
        self.exceptional += other.exceptional
        self.same_year += other.same_year
        self.cleared_involved += other.cleared_involved
        self.cleared_recovered += other.cleared_recovered

    def count(self, by: str) -> int:
        """The count of a category: incidents, or victims for categories that count victims."""
        return self.victims if by == "victims" else self.n


#: Per key, per period name: the measures summed over the period. The pages get it from SQL over the rollup
#: tables (``stats.selectors``), the tests and the reference path from :func:`sums_from_days`.
KeySums = Mapping[Key, Mapping[str, Measures]]
#: Per key, per Monday: incidents and victims of that week.
KeyWeeks = Mapping[Key, Mapping[dt.date, tuple[int, int]]]


def compstat_periods(as_of: dt.date) -> dict[str, Period]:
    """The periods a CompStat sums: ``wtd``, ``wtd_prev``, ``d28``, ``d28_prev``, ``ytd``, ``ytd_prev`` (a
    ``_prev`` that does not exist — week 53 against a year without one — is left out)."""
    out = {}
    for name, (cur, prev) in compstat_windows(as_of).items():
        out[name] = cur
        if prev is not None:
            out[f"{name}_prev"] = prev
    return out


def trend_mondays(as_of: dt.date, weeks: int = 52) -> tuple[list[dt.date], list[dt.date | None]]:
    """The Mondays of the ``weeks`` weeks ending with the as-of week, and of the same ISO weeks of the previous
    ISO year (``None`` for a week 53 that year did not have)."""
    last = monday_of(as_of)
    cur = [last - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    return cur, [same_iso_day_last_year(d) for d in cur]


def sums_from_days(rows: Iterable[DayRow], clears: Iterable[ClearRow], periods: Mapping[str, Period]) -> KeySums:
    """The reference computation of :data:`KeySums` from daily rollup rows (what the SQL of the pages does)."""
    out: dict[Key, dict[str, Measures]] = defaultdict(lambda: defaultdict(Measures))
    for r in rows:
        for name, p in periods.items():
            if r.day in p:
                m = out[r.key][name]
                m.n += r.n
                m.victims += r.victims
                m.injured += r.injured
                m.killed += r.killed
                m.loss += r.loss
                m.involved += r.involved
                m.recovered += r.recovered
    for c in clears:
        for name, p in periods.items():
            if c.day in p:
                m = out[c.key][name]
                m.arrest += c.arrest
                m.exceptional += c.exceptional
                m.same_year += c.same_year
                m.cleared_involved += c.involved
                m.cleared_recovered += c.recovered
    return out


def weeks_from_days(rows: Iterable[DayRow]) -> KeyWeeks:
    """Incidents and victims per key and Monday–Sunday week (keyed by its Monday)."""
    out: dict[Key, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in rows:
        cell = out[r.key][monday_of(r.day)]
        cell[0] += r.n
        cell[1] += r.victims
    return {k: {d: (v[0], v[1]) for d, v in weeks.items()} for k, weeks in out.items()}


def category_sums(scheme: Scheme, sums: KeySums) -> dict[str, dict[str, Measures]]:
    """Per leaf category and period, the sum of the measures of the keys that fall in it."""
    out: dict[str, dict[str, Measures]] = defaultdict(lambda: defaultdict(Measures))
    for key, per_period in sums.items():
        for cat in scheme.categories_of(key):
            for name, m in per_period.items():
                out[cat][name].add(m)
    return out


def _group(scheme: Scheme, leaf_sums: Mapping[str, Mapping[str, Measures]], category: str,
           period: str) -> tuple[Measures, int]:
    """The measures of ``category`` (a group sums its leaves) and its count by the category's rule."""
    total, count = Measures(), 0
    for leaf in scheme.leaf_keys(category):
        m = leaf_sums.get(leaf, {}).get(period)
        if m is not None:
            total.add(m)
            count += m.count(scheme.category(leaf).count)
    return total, count


# ------------------------------------------------------------------------------------------------- streaks


@dataclass(frozen=True, slots=True)
class Streak:
    """Zero-incident runs of one category as of a day (see the module docstring)."""

    as_of: dt.date
    since: dt.date
    current: int
    current_start: dt.date | None
    longest: int
    longest_start: dt.date | None
    longest_end: dt.date | None
    last_incident: dt.date | None

    @property
    def current_open_start(self) -> bool:
        """The current run reaches back to the first day of the data: it may be longer."""
        return self.current > 0 and self.current_start == self.since

    @property
    def longest_open_start(self) -> bool:
        return self.longest > 0 and self.longest_start == self.since


def streak(days_with_incidents: Iterable[dt.date], as_of: dt.date, since: dt.date) -> Streak:
    """Current and longest runs of days without an incident in ``[since, as_of]``.

    ``days_with_incidents`` may be unsorted, repeat days and include days outside the range (ignored).
    Raises ``ValueError`` when ``since`` is after ``as_of``.
    """
    if since > as_of:
        raise ValueError(f"streak: since {since} is after as-of {as_of}")
    days = sorted({d for d in days_with_incidents if since <= d <= as_of})
    best = (0, None, None)  # length, start, end
    prev = since - dt.timedelta(days=1)  # a virtual incident the day before the data starts
    for d in [*days, as_of + dt.timedelta(days=1)]:  # and one the day after as-of closes the last run
        gap = (d - prev).days - 1
        if gap > 0 and gap >= best[0]:
            best = (gap, prev + dt.timedelta(days=1), d - dt.timedelta(days=1))
        prev = d
    last = days[-1] if days else None
    current = (as_of - last).days if last else (as_of - since).days + 1
    current_start = (last + dt.timedelta(days=1) if last else since) if current else None
    return Streak(as_of, since, current, current_start, best[0], best[1], best[2], last)


# ------------------------------------------------------------------------------------------------- CompStat


@dataclass(frozen=True, slots=True)
class WindowFigure:
    """A window's count this year and in the same period last year, and the change. ``previous`` is ``None``
    when last year has no such period (an ISO week 53 the previous ISO year did not have): not 0."""

    current: int
    previous: int | None
    change: float | None
    missing: str = ""  # why previous is None: NO_WEEK_53, NO_DATA

    @property
    def increase(self) -> bool:
        """An increase (highlighted in the report, as the NYPD's sheets print increases in yellow)."""
        return self.previous is not None and self.current > self.previous


@dataclass(frozen=True)
class CompStatRow:
    category: str
    is_group: bool
    windows: Mapping[str, WindowFigure]
    cleared_ytd: int
    exceptional_ytd: int
    clearance_ytd: float | None
    current_year_cleared: int | None = None
    current_year_clearance: float | None = None
    streak: Streak | None = None
    amounts: Mapping[str, Decimal] | None = None
    # of cleared_ytd, the offences of earlier years (what can take the rate above 100 %)
    cleared_earlier_ytd: int = 0
    # weekly counts; None: a week no source covers, or a week 53 the previous ISO year did not have
    trend: tuple[int | None, ...] = ()
    trend_last_year: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class CompStat:
    """One unit's CompStat as of a day under one scheme: a row per category, windows side by side."""

    as_of: dt.date
    scheme: Scheme
    windows: Mapping[str, tuple[Period, Period | None]]
    rows: tuple[CompStatRow, ...]
    trend_weeks: tuple[dt.date, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def trend_last_days(self) -> int:
        """The days of its week the trends' last week counts: 7 when the as-of day is a Sunday, else the as-of
        week so far (Monday to the as-of day: 1–6) — a partial week, whose count is the week to date's and is
        compared with the same days last year, never with last year's whole week."""
        return (self.as_of - self.trend_weeks[-1]).days + 1 if self.trend_weeks else 7

    def row(self, category: str) -> CompStatRow:
        for r in self.rows:
            if r.category == category:
                return r
        raise KeyError(f"no row {category!r}")


#: Whether some data source covers a category over a whole period (``covered(category, period)``). A period
#: it does not cover has no figure — not 0: "no data for the same period last year".
Covered = Callable[[str, Period], bool]

#: Why a previous-year figure is missing (:attr:`WindowFigure.missing`).
NO_WEEK_53 = "no_week_53"
NO_DATA = "no_data"


def compstat(scheme: Scheme, as_of: dt.date, sums: KeySums, *, weeks: KeyWeeks | None = None,
             streak_days: Mapping[str, Sequence[dt.date]] | None = None,
             since: dt.date | Mapping[str, dt.date] | None = None, trend_weeks: int = 52,
             covered: Covered | None = None) -> CompStat:
    """One unit's CompStat table (every rule in the module docstring).

    ``sums`` holds the six :func:`compstat_periods` per key; ``weeks`` the weekly counts per key (for the
    trends: ``trend_weeks`` weeks ending with the as-of week, and the same ISO weeks of the previous ISO
    year). ``streak_days`` maps each category with ``streak`` set to the days with an incident since
    ``since`` (the first day of the data: one day, or a day per category); categories missing from either
    get no streak. ``covered`` (default: everything covered) says whether a source covers a category over a
    period: last year's figure of a window (and a week of the trends) it does not cover is ``None`` with
    :data:`NO_DATA`, never a 0 that no source counted.
    """
    leaf = category_sums(scheme, sums)
    windows = compstat_windows(as_of)
    mondays, mondays_prev = trend_mondays(as_of, trend_weeks)
    leaf_weeks: dict[str, dict[dt.date, int]] | None = None
    out: list[CompStatRow] = []
    for cat in scheme.categories:
        figures = {}
        for name in WINDOWS:
            _m, cur = _group(scheme, leaf, cat.key, name)
            prev_period = windows[name][1]
            if prev_period is None:  # no such period last year (week 53): no figure, not 0
                figures[name] = WindowFigure(cur, None, None, NO_WEEK_53)
                continue
            if covered is not None and not covered(cat.key, prev_period):
                figures[name] = WindowFigure(cur, None, None, NO_DATA)
                continue
            _m, prev = _group(scheme, leaf, cat.key, f"{name}_prev")
            figures[name] = WindowFigure(cur, prev, pct_change(cur, prev))
        ytd, ytd_count = _group(scheme, leaf, cat.key, "ytd")
        cy_cleared = cy_rate = None
        if cat.current_year_clearance:
            cy_cleared = ytd.same_year
            cy_rate = clearance_rate(cy_cleared, ytd_count)
        st = None
        start = since.get(cat.key) if isinstance(since, Mapping) else since
        if cat.streak and streak_days is not None and cat.key in streak_days and start is not None:
            st = streak(streak_days[cat.key], as_of, min(start, as_of))
        amounts = None
        if cat.amounts:
            amounts = {"involved": ytd.involved, "recovered": ytd.recovered,
                       "cleared_involved": ytd.cleared_involved, "cleared_recovered": ytd.cleared_recovered}
        trend = trend_prev = ()
        if weeks is not None and trend_weeks:
            if leaf_weeks is None:
                leaf_weeks = _weeks_by_leaf(scheme, weeks)
            leaves = [leaf_weeks.get(leaf, {}) for leaf in scheme.leaf_keys(cat.key)]
            trend, trend_prev = (
                tuple(None if d is None or (covered is not None and not covered(cat.key, _week(d, until)))
                      else sum(lw.get(d, 0) for lw in leaves) for d in days)
                for days, until in ((mondays, as_of), (mondays_prev, None)))
        out.append(CompStatRow(cat.key, cat.is_group, figures, ytd.cleared, ytd.exceptional,
                               clearance_rate(ytd.cleared, ytd_count), cy_cleared, cy_rate, st, amounts,
                               ytd.cleared - ytd.same_year, trend, trend_prev))
    return CompStat(as_of, scheme, windows, tuple(out),
                    tuple(mondays) if weeks is not None and trend_weeks else ())


def _week(monday: dt.date, until: dt.date | None = None) -> Period:
    """The week of ``monday``, up to ``until`` (the as-of day, in the as-of week)."""
    end = monday + dt.timedelta(days=6)
    return Period(monday, min(end, until) if until else end)


def _weeks_by_leaf(scheme: Scheme, weeks: KeyWeeks) -> dict[str, dict[dt.date, int]]:
    """Per leaf category and Monday, its count (incidents, or victims where the category counts victims)."""
    out: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for key, per_week in weeks.items():
        for cat in scheme.categories_of(key):
            by_victims = scheme.category(cat).count == "victims"
            cell = out[cat]
            for monday, (n, victims) in per_week.items():
                cell[monday] += victims if by_victims else n
    return out


# ------------------------------------------------------------------------------------------------- traffic


@dataclass(frozen=True, slots=True)
class TrafficFigures:
    """One period's road-traffic figures. ``accidents`` are accidents with casualties (the four indicators'
    scope); ``all_reported`` every reported accident; ``loss`` the direct property loss of the casualty
    accidents."""

    all_reported: int
    accidents: int
    deaths: int
    injured: int
    loss: Decimal


@dataclass(frozen=True, slots=True)
class TrafficIndicators:
    current: TrafficFigures
    previous: TrafficFigures | None
    change: Mapping[str, float | None]
    vehicles: int | None
    deaths_per_10k_vehicles: float | None
    #: why there is no comparison with last year (``NO_DATA``: no source covers last year's period; then
    #: ``previous`` is ``None`` and every change ``None``), else ""
    missing: str = ""


def traffic_figures(sums: KeySums, period: str) -> TrafficFigures:
    """The four indicators over one period of :data:`KeySums` (only ``traffic.*`` keys are read)."""
    all_reported = accidents = deaths = injured = 0
    loss = ZERO
    for key, per_period in sums.items():
        m = per_period.get(period)
        if m is None or not key.offence.startswith("traffic."):
            continue
        all_reported += m.n
        if key.harm:
            accidents += m.n
            deaths += m.killed
            injured += m.injured
            loss += m.loss
    return TrafficFigures(all_reported, accidents, deaths, injured, loss)


def traffic_indicators(current: TrafficFigures, previous: TrafficFigures | None,
                       vehicles: int | None = None) -> TrafficIndicators:
    """Each indicator with its change against ``previous``, and deaths per 10,000 vehicles when ``vehicles``
    (registered motor vehicles of the area) is given. ``previous`` ``None``: no source covers last year's
    period (no change, and ``missing`` says why)."""
    fields = ("all_reported", "accidents", "deaths", "injured", "loss")
    if previous is None:
        change = dict.fromkeys(fields)
    else:
        change = {f: pct_change(getattr(current, f), getattr(previous, f)) for f in fields}
    per_10k = rate(current.deaths * 10_000, vehicles) if vehicles else None
    return TrafficIndicators(current, previous, change, vehicles, per_10k, "" if previous is not None else NO_DATA)


def deaths_per_10k_vehicles(deaths: int, vehicles: int) -> float | None:
    """Road deaths per 10,000 motor vehicles (``None`` without vehicles)."""
    return rate(deaths * 10_000, vehicles)
