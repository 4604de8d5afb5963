"""Screening selectors: every read takes the actor, is scoped by jurisdiction, and reads of personal data
are audited.

Submitters (enterprise, landlord) see their own jobs and, per row, only the submitter view: status,
level, reason — never a silent hit. Police see their unit subtree's people, hits included.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.models import POLICE_ROLES
from pingan.core.scoping import scope
from pingan.screening.models import Hit, PersonResult, ScreeningJob


def job_list(*, actor) -> QuerySet[ScreeningJob]:
    """Jobs the actor may see, newest first, with premises and unit joined."""
    return scope(actor, ScreeningJob.objects.select_related("premises", "premises__unit"))


def job_get(*, actor, job_id: int) -> ScreeningJob:
    """One job the actor may see. Raises ``NotFound`` otherwise (no existence leak)."""
    job = job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"screening job {job_id} not found")
    return job


def job_results(*, actor, job_id: int, purpose: str = "") -> QuerySet[PersonResult]:
    """A job's per-row results for the actor; records the read.

    Submitters get rows whose police-only fields must not be shown (the schemas and templates choose the
    submitter fields); the queryset is the same scoped rows either way.
    """
    job = job_get(actor=actor, job_id=job_id)
    audit.record(actor, "read", "ScreeningJob.results", job.pk, purpose=purpose)
    return scope(actor, PersonResult.objects.filter(job=job)).order_by("row")


def flagged_persons(*, actor, purpose: str = "") -> QuerySet[PersonResult]:
    """People flagged in the actor's jurisdiction (police only): silent hits first, then red, then yellow.

    Only the latest finished job of each premises counts (``ScreeningJob.is_latest``, kept by
    :func:`pingan.screening.services.screening_job_latest_refresh`), so the query is a plain join.
    Records one audit entry for the listing.
    """
    if actor is None or actor.role not in POLICE_ROLES:
        return PersonResult.objects.none()
    qs = _flagged_base(actor).select_related("job", "job__premises", "job__premises__unit")
    qs = qs.annotate(order=Case(When(silent_hit=True, then=Value(0)), When(level="red", then=Value(1)),
                                default=Value(2), output_field=IntegerField())).order_by("order", "-job_id", "row")
    audit.record(actor, "list", "PersonResult.flagged", "", purpose=purpose)
    return qs


def _flagged_base(actor) -> QuerySet[PersonResult]:
    """Flagged rows (red, yellow or a silent hit) of the latest finished job of each premises, scoped."""
    if actor is None or actor.role not in POLICE_ROLES:
        return PersonResult.objects.none()
    return scope(actor, PersonResult.objects.all()).filter(
        Q(level__in=["red", "yellow"]) | Q(silent_hit=True), status="accepted", job__is_latest=True)


def flagged_counts(*, actor, qs: QuerySet[PersonResult] | None = None) -> dict[str, int]:
    """How many flagged people (``total``), and of them ``red``, ``yellow`` and ``silent`` (watchlist hits),
    in the actor's jurisdiction — or in ``qs``, a filtered :func:`flagged_persons`. Counts only: no audit
    record (nobody is named). One aggregate query."""
    base = _flagged_base(actor) if qs is None else qs.order_by()
    return base.aggregate(total=Count("pk"), red=Count("pk", filter=Q(level="red")),
                          yellow=Count("pk", filter=Q(level="yellow")),
                          silent=Count("pk", filter=Q(silent_hit=True)))


def person_hits(*, actor, person_id: int, purpose: str = "") -> tuple[PersonResult, list[Hit]]:
    """One person's result with every hit (police only; silent hits included). Records the read."""
    if actor is None or actor.role not in POLICE_ROLES:
        raise NotFound(f"person {person_id} not found")
    person = scope(actor, PersonResult.objects.select_related("job__premises")).filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"person {person_id} not found")
    audit.record(actor, "read", "PersonResult", person.pk, purpose=purpose)
    return person, list(scope(actor, Hit.objects.filter(person=person)))

