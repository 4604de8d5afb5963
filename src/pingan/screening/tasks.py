"""Background work of the screening app, through the Django tasks API (the ``django-tasks`` backport).

The job row (:class:`~pingan.screening.models.ScreeningJob`) owns status, progress and the error; the task
only carries the job id. With ``django_tasks_db`` the queued task is a database row, so a job survives a
restart of the web server and is picked up by ``db_worker`` (``pingan serve`` starts both).
"""

from __future__ import annotations

import contextlib
import logging

from django.db import transaction
from django_tasks import task

from pingan.core.errors import DomainError
from pingan.core.models import Premises, User
from pingan.screening import services
from pingan.screening.models import ScreeningJob

log = logging.getLogger(__name__)


@task()
def screening_job_task(job_id: int) -> str:
    """Screen job ``job_id``; returns its final status (``done`` or ``failed``).

    A roster that cannot be read or missing risk data end the job ``failed`` with the reason on the row
    (``ScreeningJob.error``); that is a normal outcome, so the task itself succeeds. An unexpected error is
    also stored on the row by the service and then re-raised so the task backend records it too.
    """
    job = ScreeningJob.objects.filter(pk=job_id).first()
    if job is None:
        log.warning("screening job %s vanished before it ran", job_id)
        return "missing"
    if job.status == ScreeningJob.Status.DONE:
        return job.status  # a duplicate delivery: the work is done already
    # a DomainError is an expected failure: the job row says why, and the page and the API show it
    with contextlib.suppress(DomainError):
        services.screening_job_run(job=job)
    return ScreeningJob.objects.values_list("status", flat=True).get(pk=job_id)


def screening_job_enqueue(job: ScreeningJob) -> None:
    """Queue ``job`` once the surrounding transaction commits (a worker must never see an uncommitted job)."""
    transaction.on_commit(lambda: screening_job_task.enqueue(job.pk))


@transaction.atomic
def screening_job_submit(*, actor: User, roster_name: str, roster_bytes: bytes, premises: Premises | None,
                         idempotency_key: str = "") -> tuple[ScreeningJob, bool]:
    """Record a roster as a job and queue it; returns ``(job, created)``.

    A repeated ``idempotency_key`` of the same actor returns the first job (``created`` false) and queues
    nothing. Raises ``DomainError`` as :func:`~pingan.screening.services.screening_job_create` does, and
    ``empty_roster`` for an empty upload.
    """
    if not roster_bytes:
        raise DomainError(f"{roster_name}: the file is empty; choose the filled-in roster file",
                          code="empty_roster", message_id="empty_upload", params={"name": roster_name})
    existed = bool(idempotency_key) and ScreeningJob.objects.filter(
        submitted_by=actor, idempotency_key=idempotency_key).exists()
    job = services.screening_job_create(actor=actor, roster_name=roster_name, roster_bytes=roster_bytes,
                                        premises=premises, idempotency_key=idempotency_key)
    if not existed:
        screening_job_enqueue(job)
    return job, not existed


@task()
def retention_purge_task() -> dict[str, int]:
    """Apply the retention policy once (:func:`pingan.screening.retention.retention_purge`); returns the
    counts per category.

    Enqueue it daily (``retention_purge_task.enqueue()``) or run ``pingan retention purge`` from cron or a
    systemd timer (docs/screening.md, "Retention"). When something could not be purged the run still writes
    its audit record, then the task raises ``RuntimeError`` naming the items, so the task backend records
    the failure.
    """
    from pingan.screening import retention

    report = retention.retention_purge()
    if report.errors:
        raise RuntimeError("retention purge: could not purge " + "; ".join(report.errors))
    return report.counts()
