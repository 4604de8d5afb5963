"""Dashboard selectors: the officer's jurisdiction and the chief's/analyst's counts, scoped and audited.

Every function takes the actor and narrows through :func:`pingan.core.scoping.scope` (via the core and
screening selectors); reads of personal data write an audit record with the purpose the officer chose at
sign-in (the request's audit context supplies it when ``purpose`` is empty).

"Level of a premises" is its safety code's: the state :func:`pingan.codes.selectors.with_code_state` annotates
(the live code's level, derived from the latest screening by the published rule or set by an approved level
change; suspended; revoked; none) — never recomputed here from a job's counts. Silent watchlist hits are
counted separately, for police only.
The latest finished job is the one marked ``ScreeningJob.is_latest`` (the ``done`` job with the highest id,
kept by :func:`pingan.screening.services.screening_job_latest_refresh` when a job finishes), read through
one LEFT JOIN rather than a search of each premises' jobs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from pingan.codes.selectors import job_rule, open_suspension, with_code_state
from pingan.core import selectors as core_selectors
from pingan.core.errors import PermissionDenied
from pingan.core.models import POLICE_ROLES, OrgUnit, Premises, Role
from pingan.core.paging import Window, counted, window
from pingan.core.scoping import line_units
from pingan.screening import selectors as screening_selectors
from pingan.screening.models import PersonResult, ScreeningJob
from pingan.screening.selectors import PeopleFilter
from pingan.screening.services import owner_flagged


def require_police(actor) -> None:
    """Raise ``PermissionDenied`` unless the actor is an officer, station chief or analyst."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in POLICE_ROLES:
        raise PermissionDenied("only police accounts may use the jurisdiction view")


def require_overview(actor) -> None:
    """Raise ``PermissionDenied`` unless the actor is a station chief or analyst (the counts page)."""
    if actor is None or not getattr(actor, "is_authenticated", False) \
            or actor.role not in (Role.STATION_CHIEF, Role.ANALYST):
        raise PermissionDenied("only station chiefs and analysts may see the counts")


def _with_latest(qs: QuerySet[Premises]) -> QuerySet[Premises]:
    """``qs`` LEFT JOINed to each premises' latest finished job (``is_latest``), as the relation ``latest``."""
    return qs.annotate(latest=FilteredRelation("jobs", condition=Q(jobs__is_latest=True)))


def overdue(days: int, now: dt.datetime | None = None) -> Q:
    """Premises (annotated by :func:`_with_latest`) due for screening: the latest finished job finished more
    than ``days`` days ago, or none finished and the premises was registered more than ``days`` days ago (a
    premises registered minutes ago is not overdue: issue 11). The one rule of "not screened for N days"."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(latest__finished_at__lt=cutoff) | Q(latest__isnull=True, created_at__lt=cutoff)


def awaiting_first(days: int, now: dt.datetime | None = None) -> Q:
    """Premises (annotated by :func:`_with_latest`) registered in the last ``days`` days and not yet screened:
    not overdue (:func:`overdue`), listed apart."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(latest__isnull=True, created_at__gte=cutoff)


def jurisdiction_premises(*, actor, stale_days: int | None = None, due_days: int | None = None) -> QuerySet[Premises]:
    """Premises in the actor's jurisdiction with their latest finished job annotated, by id.

    Annotations: ``last_job_id``, ``last_screened`` (datetime or ``None``), ``last_counts`` (dict or
    ``None``) of the job marked ``is_latest``, through one LEFT JOIN on the partial unique index
    ``one_latest_job_per_premises``, and the safety code's state (``code_level``, ``code_revoked_at``, …:
    :func:`pingan.codes.selectors.with_code_state`). With ``stale_days`` only the overdue ones
    (:func:`overdue`: last screened more than that many days ago, or never screened and registered more than
    that many days ago). With ``due_days`` the overdue ones, then those registered in the last ``due_days``
    days and not yet screened (:func:`awaiting_first`), each marked ``awaiting_first`` — one list, one query
    and one audit record for the page's "to screen" section. Police only (``PermissionDenied`` otherwise).
    """
    require_police(actor)
    qs = _with_latest(core_selectors.premises_list(actor=actor))
    order = ["id"]
    if stale_days is not None:
        qs = qs.filter(overdue(stale_days))
    if due_days is not None:
        now = timezone.now()
        qs = qs.filter(overdue(due_days, now) | awaiting_first(due_days, now)).annotate(
            awaiting_first=ExpressionWrapper(awaiting_first(due_days, now), output_field=BooleanField()))
        order = ["awaiting_first", "id"]
    return with_code_state(qs).annotate(
        last_job_id=F("latest__id"), last_screened=F("latest__finished_at"), last_counts=F("latest__counts"),
    ).order_by(*order)


def jurisdiction_flagged(*, actor, premises_id: int | None = None, purpose: str = "",
                         where: PeopleFilter | None = None) -> QuerySet[PersonResult]:
    """Flagged people (silent watchlist hits first, then red, then yellow) of the latest job per premises.

    Police only; the rows fetched are recorded as one ``list`` read naming each person (``core.audit``).
    ``premises_id`` narrows to one premises; ``where`` to what the officer searched for.
    """
    require_police(actor)
    qs = screening_selectors.flagged_persons(actor=actor, purpose=purpose)
    if premises_id is not None:
        qs = qs.filter(job__premises_id=premises_id)
    if where is not None and where.active:
        qs = where.apply(qs)
    return qs


def jurisdiction_people(*, actor, where: PeopleFilter, purpose: str = "") -> QuerySet[PersonResult]:
    """Everyone on the latest rosters of the jurisdiction whom ``where`` finds, flagged or not (the search's
    "everyone screened" scope: ``screening.selectors.screened_persons``; the rows fetched are an audited read).
    Police only."""
    require_police(actor)
    return where.apply(screening_selectors.screened_persons(actor=actor, purpose=purpose))


def jurisdiction_counts(*, actor, qs: QuerySet[PersonResult]) -> dict[str, int]:
    """The counts at the top of the jurisdiction view: flagged people of ``qs`` (total, red, yellow,
    watchlist). Aggregates only: no audit record."""
    require_police(actor)
    return screening_selectors.flagged_counts(actor=actor, qs=qs)


@dataclass
class PremisesOverview:
    """A premises with its recent jobs and one page of the flagged people of its latest job (police
    drill-down): ``counts`` of the flagged people the search leaves (total, red, yellow, silent), ``flagged``
    a :class:`~pingan.core.paging.Window` of them, ``off_roster`` how many of the people it lists are no
    longer on its latest roster (flagged or unresolved; listed until the police confirm that they left — the
    page's form, or the release of a suspended code — a later roster brings them back, or retention ends),
    ``off_roster_told`` how many of them the owner's pages count (all but the watchlist hits the owner saw as
    green: ``screening.services.owner_flagged``), ``off_roster_since`` when the first of them was left out,
    ``off_roster_suspended`` whether the code is suspended for them, ``suspended_at`` since when (the open
    suspension's time: not the first of them left out, nor an earlier, lifted suspension — issue 11)."""

    premises: Premises
    jobs: Window
    flagged: Window
    counts: dict[str, int]
    off_roster: int = 0
    off_roster_suspended: bool = False
    off_roster_since: dt.datetime | None = None
    off_roster_told: int = 0
    suspended_at: dt.datetime | None = None
    #: the premises' latest finished screening and what the level rule gives for it (``codes.selectors.job_rule``:
    #: ``unresolved`` counts its rows not screened or without a level, which the flagged list leaves out but the
    #: code counts as yellow — the page says so beside the flagged count; issue 11: "0 flagged" beside a yellow code)
    latest_job: ScreeningJob | None = None
    rule: dict | None = None
    #: everyone the page lists without a search: the latest screening's flagged people and those of earlier
    #: rosters no longer on it — the unfiltered "flagged" tile. The note on unresolved rows says "nobody is
    #: flagged" only when it is 0 (a fresh-user trial read "Nobody is flagged" under "176 flagged": the people of
    #: earlier rosters left out, while the latest roster had no red or yellow row)
    listed: int = 0

    @property
    def area_name(self) -> str:
        """The premises' administrative area by name in the reader's language (``福建省厦门市思明区莲前街道``;
        in English ``Lianqian Subdistrict (莲前街道), Siming District, Xiamen, Fujian``)."""
        return area_name(self.premises.adcode)


def area_name(code: str) -> str:
    """An area code (a county's 6 digits or a township's 9) by name in the reader's language
    (``lib.places.area_label``, the township's name from the NBS table); the code when unknown."""
    from pingan.core.texts import lang
    from pingan.lib.places import area_label

    town = next((t.name for t in _townships() if t.code == code), "") if len(code) > 6 else ""
    return area_label(code, lang(), town) or code


#: Screenings per page of a premises' drill-down.
JOBS_PER_PAGE = 10


def premises_overview(*, actor, premises_id: int, purpose: str = "", where: PeopleFilter | None = None,
                       page: str | int | None = 1, jobs_page: str | int | None = 1) -> PremisesOverview:
    """One premises of the actor's jurisdiction for the drill-down, with page ``page`` of its flagged people
    narrowed by ``where`` and page ``jobs_page`` of its screenings (:data:`JOBS_PER_PAGE`, counted); audited
    (the premises, and the people of the page). ``NotFound`` outside it. Counts are aggregates (no audit
    record)."""
    require_police(actor)
    premises = core_selectors.premises_get(actor=actor, premises_id=premises_id, purpose=purpose)
    jobs = counted(screening_selectors.jobs_scoped(actor=actor).filter(premises=premises), jobs_page,
                   JOBS_PER_PAGE)
    flagged = jurisdiction_flagged(actor=actor, premises_id=premises.pk, purpose=purpose, where=where)
    everyone = jurisdiction_flagged(actor=actor, premises_id=premises.pk, purpose=purpose).order_by()
    left = everyone.aggregate(listed=Count("pk"), n=Count("pk", filter=Q(off_roster=True)),
                              told=Count("pk", filter=Q(off_roster=True) & owner_flagged()),
                              suspended=Count("pk", filter=Q(off_roster=True, off_roster_suspended=True)),
                              since=Min("off_roster_at"))
    latest = ScreeningJob.objects.filter(premises=premises, is_latest=True).first()
    suspension = open_suspension(premises) if left["suspended"] else None
    return PremisesOverview(premises, jobs, window(flagged, page),
                            screening_selectors.flagged_counts(actor=actor, qs=flagged),
                            off_roster=left["n"], off_roster_suspended=bool(left["suspended"]),
                            off_roster_since=left["since"], off_roster_told=left["told"],
                            suspended_at=suspension.suspended_at if suspension is not None else None,
                            latest_job=latest, rule=job_rule(latest) if latest is not None else None,
                            listed=left["listed"])


# ------------------------------------------------------------------------------------------- counts


@dataclass
class UnitCounts:
    """Counts for one unit (station or district branch), by :data:`COUNTED`: premises and how many have a
    latest screening, the people counted (``people``: those of the latest screenings, and ``off_roster`` of them
    the people of earlier rosters the police still list), and of them the people flagged now (red, yellow,
    watchlist): ``red + yellow <= people`` always."""

    unit: OrgUnit
    premises: int = 0
    screened_premises: int = 0
    people: int = 0
    off_roster: int = 0
    red: int = 0
    yellow: int = 0
    silent: int = 0
    stations: list[UnitCounts] = field(default_factory=list)
    #: a station's: the premises at its branch's own level, which its chief's jurisdiction view includes (8732cb2d)
    #: and the branch's row counts — said beside the station's row, not added to it (each premises on one row)
    branch_level: UnitCounts | None = None


@dataclass
class DayCounts:
    """Of the people :data:`COUNTED`, those whose screening finished on one day (local time): people screened,
    red, yellow."""

    day: dt.date
    people: int = 0
    off_roster: int = 0
    red: int = 0
    yellow: int = 0


#: The one definition behind every figure of the counts page (its charts, map and table) and the jurisdiction
#: view's counts (issue 11: the chart summed every screening of the last 30 days, the table the counts each
#: latest screening stored when it finished, the station's page the people it lists — three different figures):
#: the people flagged (red, yellow, watchlist) are the ones the jurisdiction view lists
#: (``screening.selectors.flagged_counts``): those of the latest screening at their level now (re-evaluations
#: included), and the flagged people a later roster left out while the police review it; the people counted are
#: those of the latest finished screening of each premises *and* those left-out people of earlier rosters, so
#: that the flagged are always a part of the people (issue 11: "people 102 · red 78 · yellow 95" counted the
#: trial's 173 left-out people among the flagged and not among the people). The charts place each by the local
#: date their screening finished.
COUNTED = "latest screening of each premises; flagged as the jurisdiction view lists them"


def _latest_jobs(actor) -> QuerySet[ScreeningJob]:
    """The latest finished screening of each premises in the actor's line (scoped)."""
    return screening_selectors.jobs_scoped(actor=actor).filter(is_latest=True, premises__isnull=False)


def unit_counts(*, actor) -> list[UnitCounts]:
    """Counts per district branch, each with its stations, within the actor's line (``core.scoping.line_units``:
    never another organisation's units), by :data:`COUNTED`.

    A premises counts towards the deepest unit on its branch (the station, or the branch itself when the
    premises' unit is a branch). Station chiefs and analysts only (``PermissionDenied`` otherwise).
    Aggregates only, so no audit record. Three queries: the units, the premises and their latest screenings'
    people per unit, and the flagged people per unit.
    """
    require_overview(actor)
    units = list(line_units(actor))
    branches: dict[int, UnitCounts] = {}
    stations: dict[int, UnitCounts] = {}
    for u in units:
        if u.kind == OrgUnit.Kind.BRANCH:
            branches[u.pk] = UnitCounts(u)
    for u in units:
        if u.kind == OrgUnit.Kind.STATION:
            stations[u.pk] = UnitCounts(u)
            if u.parent_id in branches:
                branches[u.parent_id].stations.append(stations[u.pk])
    if not branches and actor.unit_id in stations:  # a station chief: the station stands alone
        branches[actor.unit_id] = stations[actor.unit_id]

    def targets(unit_id: int) -> list[UnitCounts]:
        unit = by_id.get(unit_id)
        out: list[UnitCounts] = []
        for seg in (unit.path.strip("/").split("/") if unit else []):
            pk = int(seg)
            if pk in stations:
                out.append(stations[pk])
            if pk in branches and branches[pk] not in out:
                out.append(branches[pk])
        return out

    by_id = {u.pk: u for u in units}
    shared = {s.unit.parent_id: UnitCounts(by_id.get(s.unit.parent_id) or s.unit) for s in stations.values()
              if s.unit.parent_id}

    def targets_and_shared(unit_id: int) -> list[UnitCounts]:
        return [*targets(unit_id), *([shared[unit_id]] if unit_id in shared else [])]

    rows = _with_latest(core_selectors.premises_scoped(actor=actor)).order_by().values("unit_id").annotate(
        n_premises=Count("id"), n_screened=Count("id", filter=Q(latest__isnull=False) & ~Q(latest__counts={})),
        n_people=_summed("accepted"))
    for r in rows:
        for t in targets_and_shared(r["unit_id"]):
            t.premises += r["n_premises"]
            t.screened_premises += r["n_screened"]
            t.people += r["n_people"]
    for r in screening_selectors.flagged_counts_by(actor=actor, key="job__premises__unit_id"):
        for t in targets_and_shared(r["key"]):
            t.red += r["red"]
            t.yellow += r["yellow"]
            t.silent += r["silent"]
            t.people += r["off"]
            t.off_roster += r["off"]
    for s in stations.values():
        if s.unit.parent_id in shared and shared[s.unit.parent_id].premises:
            s.branch_level = shared[s.unit.parent_id]
    return sorted(branches.values(), key=lambda b: b.unit.path)


def _summed(key: str) -> Coalesce:
    """The sum of the integer under ``key`` of the latest jobs' ``counts`` (0 where none has it)."""
    return Coalesce(Sum(Cast(KeyTextTransform(key, "latest__counts"), IntegerField())), 0)


@dataclass
class Trend:
    """The charts' days (oldest first) and, of the people :data:`COUNTED`, those screened before the first of
    them (``earlier``: people, red, yellow), so that the days and ``earlier`` add up to the table's totals."""

    days: list[DayCounts]
    earlier: DayCounts

    def __iter__(self):
        return iter(self.days)


def daily_counts(*, actor, days: int = 30) -> Trend:
    """The people :data:`COUNTED` by the local date their screening finished, over the last ``days`` days; those
    screened earlier summed in ``earlier``. Station chiefs and analysts only. Aggregates only (no audit)."""
    require_overview(actor)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    out = {start + dt.timedelta(days=i): DayCounts(start + dt.timedelta(days=i)) for i in range(days)}
    earlier = DayCounts(start - dt.timedelta(days=1))

    def day_of(d: dt.date | None) -> DayCounts | None:
        if d is None:
            return None
        return earlier if d < start else out.get(d)

    people = _latest_jobs(actor).order_by().annotate(day=TruncDate("finished_at", tzinfo=tz)).values("day").annotate(
        n=Coalesce(Sum(Cast(KeyTextTransform("accepted", "counts"), IntegerField())), 0))
    for r in people:
        if (d := day_of(r["day"])) is not None:
            d.people += r["n"]
    for r in screening_selectors.flagged_counts_by(actor=actor, key=TruncDate("job__finished_at", tzinfo=tz)):
        if (d := day_of(r["key"])) is not None:
            d.red += r["red"]
            d.yellow += r["yellow"]
            d.people += r["off"]
            d.off_roster += r["off"]
    return Trend(list(out.values()), earlier)


def person_detail(*, actor, person_id: int, purpose: str = ""):
    """A flagged person's result and hits (police only; audited). ``NotFound`` outside the jurisdiction."""
    require_police(actor)
    return screening_selectors.person_hits(actor=actor, person_id=person_id, purpose=purpose)


def _townships():
    from pingan.dashboard.geo import townships

    return townships()
