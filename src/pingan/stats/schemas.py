"""API schemas of the statistics app (``<Thing>In`` / ``<Thing>Out``).

Changes are fractions (``-0.14`` is −14 %), ``null`` when the base is zero; clearance rates are fractions and
may exceed 1 (UCR rules). Amounts are decimal strings in the incident's currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class StatsUnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class PeriodOut(Schema):
    start: dt.date
    end: dt.date


class WindowPeriodsOut(Schema):
    """A window and the same period last year (``previous`` null for ISO week 53 when the previous ISO year had
    no week 53: there is no same week to compare with)."""

    current: PeriodOut
    previous: PeriodOut | None


class WindowOut(Schema):
    """This year's count, last year's and the change. ``previous`` is null — never 0 — when there is no figure:
    ``missing`` says why (``no_week_53``: an ISO week 53 the previous ISO year did not have; ``no_data``: no
    data source covers last year's period). ``change`` is null also when last year's count was 0."""

    current: int
    previous: int | None
    change: float | None
    increase: bool
    missing: str


class StreakOut(Schema):
    """Days without an incident as of the day: the current run and the longest since the data start;
    ``*_open_start``: the run reaches back to the first day of the data (it may be longer)."""

    since: dt.date
    current: int
    current_start: dt.date | None
    current_open_start: bool
    longest: int
    longest_start: dt.date | None
    longest_end: dt.date | None
    longest_open_start: bool
    last_incident: dt.date | None


class CompStatRowOut(Schema):
    """One category: ``covered`` false when no imported source covers it on the as-of day (its figures are not
    zeros but unknown), ``covered_last_year`` the same for last year's periods (their figures and changes are
    then not comparisons)."""

    category: str
    label_en: str
    label_zh: str
    is_group: bool
    covered: bool
    covered_last_year: bool
    #: false when no source of the category says which incidents were cleared (Chicago's aggravated-assault
    #: file, NYPD's shootings and homicides): its clearance figures are then unknown, not 0
    clearance_recorded: bool
    windows: dict[str, WindowOut]
    cleared_ytd: int
    exceptional_ytd: int
    clearance_ytd: float | None
    current_year_cleared: int | None
    current_year_clearance: float | None
    streak: StreakOut | None
    amounts: dict[str, Decimal] | None
    trend: list[int | None]
    trend_last_year: list[int | None]


class ChildOut(Schema):
    unit: StatsUnitOut
    headline: CompStatRowOut


class TrafficFiguresOut(Schema):
    all_reported: int
    accidents: int
    deaths: int
    injured: int
    loss: Decimal


class TrafficOut(Schema):
    """The four indicators (accidents with casualties, deaths, injured, direct loss), all reported accidents
    kept apart, year to date against last year; deaths per 10,000 vehicles when a vehicle count is recorded."""

    current: TrafficFiguresOut
    previous: TrafficFiguresOut | None
    change: dict[str, float | None]
    vehicles: int | None
    deaths_per_10k_vehicles: float | None
    missing: str  # "no_data": no source covers last year's period (previous null), else ""


class CompStatOut(Schema):
    """A unit's CompStat as of a day: the windows (week to date Monday–Sunday, 28 days, year to date) each
    against the same period last year, per category of the scheme (``scheme`` is ``id@version``). The trends'
    last week is the as-of week so far when ``trend_last_week_days`` is below 7: its value counts those days
    only (a partial week, not a fall)."""

    unit: StatsUnitOut
    as_of: dt.date
    scheme: str
    first_day: dt.date | None
    last_day: dt.date | None
    windows: dict[str, WindowPeriodsOut]
    trend_weeks: list[dt.date]
    # the days of its week the last trend week counts: 7 on a Sunday, else the as-of week so far (Monday to the
    # as-of day, 1–6) — that week's `trend` value is a partial week (the week to date), not a whole one
    trend_last_week_days: int
    rows: list[CompStatRowOut]
    children: list[ChildOut]
    traffic: TrafficOut | None


class IncidentOut(Schema):
    """An incident (personal data: reading it is audited). Times are ISO 8601 with their offset."""

    id: int
    source: str
    source_ref: str
    unit: str
    count_date: dt.date
    timezone: str
    reported_at: dt.datetime | None
    occurred_from: dt.datetime | None
    occurred_to: dt.datetime | None
    offence: str
    offence_codes: list[str]
    source_category: str
    place_type: str
    attempted: bool
    location: str
    block: str
    latitude: float | None
    longitude: float | None
    status: str
    clearance: str
    exceptional_code: str
    cleared_on: dt.date | None
    cleared_on_estimated: bool
    victims: int | None
    injured: int
    killed: int
    property_loss: Decimal | None
    amount_involved: Decimal | None
    amount_recovered: Decimal | None
    currency: str

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class ReclassifyIn(Schema):
    """The fields to change (any subset) and the reason (required, ≤ 2,000 characters)."""

    reason: str
    offence: str | None = None
    place_type: str | None = None
    attempted: bool | None = None
    status: str | None = None
    clearance: str | None = None
    exceptional_code: str | None = None
    cleared_on: dt.date | None = None
    property_loss: Decimal | None = None
    amount_involved: Decimal | None = None
    amount_recovered: Decimal | None = None
    injured: int | None = None
    killed: int | None = None
    victims: int | None = None


class ReclassificationOut(Schema):
    """One recorded change: ``changes`` maps each field to ``[before, after]``; ``downgrade_reasons`` says why
    it is a downgrade (``less_serious_offence``, ``unfounded``, ``left_category:<scheme>/<category>``,
    ``below_threshold:<amount> <currency>``)."""

    id: int
    incident: int
    unit: str
    actor: str | None
    at: dt.datetime
    changes: dict
    reason: str
    downgrade: bool
    downgrade_reasons: list[str]

    @staticmethod
    def resolve_incident(obj) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class CategoryOut(Schema):
    key: str
    en: str
    zh: str
    is_group: bool
    members: list[str]
    count: str
    streak: bool
    current_year_clearance: bool


class CitationOut(Schema):
    title: str
    url: str


class SchemeOut(Schema):
    """A classification: versioned and cited; ``option_of`` groups the alternatives of one notion (the two
    legal lists of China's eight kinds, 两抢一盗 per city)."""

    id: str
    version: str
    en: str
    zh: str
    option_of: str
    note_en: str
    note_zh: str
    citations: list[CitationOut]
    categories: list[CategoryOut]


class ImportOut(Schema):
    """An import: ``status`` queued / running / done / failed (a leased job: ``attempts`` runs started, more
    than one when a worker died under it); ``error_code``/``error``: why it failed; ``counts``: rows,
    incidents, created, updated, unchanged, excluded, rejected, rows_in_incidents, first_day, last_day,
    offences."""

    id: int
    source: str
    filename: str
    status: str
    attempts: int
    error_code: str
    error: str
    org: str | None
    counts: dict
    notes: list[str]
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_org(obj) -> str | None:
        return obj.org.code if obj.org_id else None

    @staticmethod
    def resolve_error(obj) -> str:
        # in the request's language (error_code is the stable form)
        return obj.failure_message

    @staticmethod
    def resolve_notes(obj) -> list[str]:
        from django.utils import translation

        from pingan.stats.present import note_text

        with translation.override("en"):  # the API's texts are English (the stored notes are codes)
            return [note_text(n) for n in obj.notes or []]


class RowIssueOut(Schema):
    """A row that is not an incident: ``kind`` excluded (a counting rule) or rejected (why: ``message``, in
    English)."""

    row: int
    kind: str
    code: str
    column: str
    message: str
