"""Dashboard selectors: the officer's jurisdiction and the chief's/analyst's counts, scoped and audited.

Every function takes the actor and narrows through :func:`pingan.core.scoping.scope` (via the core and
screening selectors); reads of personal data write an audit record with the purpose the officer chose at
sign-in (the request's audit context supplies it when ``purpose`` is empty).

"Level of a premises" is, until safety codes exist, the worst submitter-visible level of its latest
finished screening job (red > yellow > green); silent watchlist hits are counted separately, for police only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from pingan.core import selectors as core_selectors
from pingan.core.errors import PermissionDenied
from pingan.core.models import POLICE_ROLES, OrgUnit, Premises, Role
from pingan.screening import selectors as screening_selectors
from pingan.screening.models import PersonResult, ScreeningJob

LEVEL_ORDER = {"red": 0, "yellow": 1, "green": 2, "": 3}


def require_police(actor) -> None:
    """Raise ``PermissionDenied`` unless the actor is an officer, station chief or analyst."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in POLICE_ROLES:
        raise PermissionDenied("only police accounts may use the jurisdiction view")


def require_overview(actor) -> None:
    """Raise ``PermissionDenied`` unless the actor is a station chief or analyst (the counts page)."""
    if actor is None or not getattr(actor, "is_authenticated", False) \
            or actor.role not in (Role.STATION_CHIEF, Role.ANALYST):
        raise PermissionDenied("only station chiefs and analysts may see the counts")


def worst_level(counts: dict | None) -> str:
    """``red``/``yellow``/``green`` from a job's ``counts`` (``""`` for no finished job or no accepted row)."""
    if not counts:
        return ""
    for level in ("red", "yellow", "green"):
        if counts.get(level):
            return level
    return ""


def _latest_done(ref: str = "pk") -> QuerySet[ScreeningJob]:
    return ScreeningJob.objects.filter(premises=OuterRef(ref), status=ScreeningJob.Status.DONE) \
        .order_by("-finished_at", "-id")


def jurisdiction_premises(*, actor, stale_days: int | None = None) -> QuerySet[Premises]:
    """Premises in the actor's jurisdiction with their latest finished job annotated, by id.

    Annotations: ``last_job_id``, ``last_screened`` (datetime or ``None``), ``last_counts`` (dict or
    ``None``); they are correlated subqueries that the database evaluates only for the rows returned, so a
    page of a large jurisdiction stays cheap. With ``stale_days`` only premises with no finished job within
    that many days (or never). Police only (``PermissionDenied`` otherwise).
    """
    require_police(actor)
    latest = _latest_done()
    qs = core_selectors.premises_list(actor=actor)
    if stale_days is not None:
        cutoff = timezone.now() - dt.timedelta(days=stale_days)
        recent = ScreeningJob.objects.filter(premises=OuterRef("pk"), status=ScreeningJob.Status.DONE,
                                             finished_at__gte=cutoff)
        qs = qs.filter(~Exists(recent))
    return qs.annotate(
        last_job_id=Subquery(latest.values("id")[:1]),
        last_screened=Subquery(latest.values("finished_at")[:1]),
        last_counts=Subquery(latest.values("counts")[:1]),
    ).order_by("id")


def jurisdiction_flagged(*, actor, premises_id: int | None = None, purpose: str = "") -> QuerySet[PersonResult]:
    """Flagged people (silent watchlist hits first, then red, then yellow) of the latest job per premises.

    Police only; one audit record per call (the listing). ``premises_id`` narrows to one premises.
    """
    require_police(actor)
    qs = screening_selectors.flagged_persons(actor=actor, purpose=purpose)
    if premises_id is not None:
        qs = qs.filter(job__premises_id=premises_id)
    return qs


@dataclass
class PremisesOverview:
    """A premises with its recent jobs and the flagged people of its latest job (police drill-down)."""

    premises: Premises
    jobs: list[ScreeningJob]
    flagged: list[PersonResult]


def premises_overview(*, actor, premises_id: int, purpose: str = "") -> PremisesOverview:
    """One premises of the actor's jurisdiction for the drill-down; audited. ``NotFound`` outside it."""
    require_police(actor)
    premises = core_selectors.premises_get(actor=actor, premises_id=premises_id, purpose=purpose)
    jobs = list(screening_selectors.job_list(actor=actor).filter(premises=premises)[:10])
    flagged = list(jurisdiction_flagged(actor=actor, premises_id=premises.pk, purpose=purpose)[:200])
    return PremisesOverview(premises, jobs, flagged)


# ------------------------------------------------------------------------------------------- counts


@dataclass
class UnitCounts:
    """Counts for one unit (station or district branch) over the latest finished job of each premises."""

    unit: OrgUnit
    premises: int = 0
    screened_premises: int = 0
    people: int = 0
    red: int = 0
    yellow: int = 0
    silent: int = 0
    stations: list[UnitCounts] = field(default_factory=list)


@dataclass
class DayCounts:
    """People screened on one day (local time) and how many of them were red / yellow."""

    day: dt.date
    people: int = 0
    red: int = 0
    yellow: int = 0


def _add(target: UnitCounts, counts: dict) -> None:
    target.screened_premises += 1
    target.people += int(counts.get("accepted", 0))
    target.red += int(counts.get("red", 0))
    target.yellow += int(counts.get("yellow", 0))
    target.silent += int(counts.get("silent_hits", 0))


def unit_counts(*, actor) -> list[UnitCounts]:
    """Counts per district branch, each with its stations, within the actor's jurisdiction.

    A premises counts towards the deepest unit on its branch (the station, or the branch itself when the
    premises' unit is a branch). Station chiefs and analysts only (``PermissionDenied`` otherwise).
    Aggregates only, so no audit record. Three queries.
    """
    require_overview(actor)
    units = list(OrgUnit.objects.all() if actor.role == Role.ANALYST
                 else OrgUnit.objects.filter(path__startswith=actor.unit.path))
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

    def targets(unit: OrgUnit) -> list[UnitCounts]:
        out = []
        for seg in unit.path.strip("/").split("/"):
            pk = int(seg)
            if pk in stations:
                out.append(stations[pk])
            if pk in branches and branches[pk] not in out:
                out.append(branches[pk])
        return out

    latest = _latest_done()
    rows = core_selectors.premises_list(actor=actor).annotate(
        last_counts=Subquery(latest.values("counts")[:1])).values_list("unit__path", "last_counts")
    path_units = {u.path: u for u in units}
    for path, counts in rows:
        unit = path_units.get(path)
        if unit is None:
            continue
        for t in targets(unit):
            t.premises += 1
            if counts:
                _add(t, counts)
    return sorted(branches.values(), key=lambda b: b.unit.path)


def daily_counts(*, actor, days: int = 30) -> list[DayCounts]:
    """People screened per day over the last ``days`` days (every finished job, local dates), oldest first."""
    require_overview(actor)
    today = timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    out = {start + dt.timedelta(days=i): DayCounts(start + dt.timedelta(days=i)) for i in range(days)}
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    rows = screening_selectors.job_list(actor=actor).filter(
        status=ScreeningJob.Status.DONE, finished_at__gte=since).values_list("finished_at", "counts")
    for finished, counts in rows:
        day = out.get(timezone.localdate(finished))
        if day is not None and counts:
            day.people += int(counts.get("accepted", 0))
            day.red += int(counts.get("red", 0))
            day.yellow += int(counts.get("yellow", 0))
    return list(out.values())


def person_detail(*, actor, person_id: int, purpose: str = ""):
    """A flagged person's result and hits (police only; audited). ``NotFound`` outside the jurisdiction."""
    require_police(actor)
    return screening_selectors.person_hits(actor=actor, person_id=person_id, purpose=purpose)
