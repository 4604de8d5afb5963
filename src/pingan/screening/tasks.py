"""Background work of the screening app.

A screening job is a leased job (:mod:`pingan.core.jobs`): the job row is the queue, ``pingan worker`` leases
it, runs it in a child process with a memory and time budget, and takes it up again if its worker dies
(``pingan serve`` starts and supervises the worker; docs/jobs.md). The retention purge stays a django-tasks
task (``pingan db_worker``).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.core import audit, jobs
from pingan.core.errors import DomainError
from pingan.core.models import Premises, User
from pingan.screening import services
from pingan.screening.models import ScreeningJob

log = logging.getLogger(__name__)


@task()
def screening_job_task(job_id: int) -> str:
    """Run queued job ``job_id`` in the task's process (for callers of the django-tasks API; ``pingan
    worker`` runs queued jobs without it); returns its status afterwards, ``missing`` for no such job.

    The job is claimed like the worker claims it, so a job the worker holds, or one already done, is left
    alone. A roster that cannot be read ends the job ``failed`` with the reason on the row — a normal outcome.
    """
    job = ScreeningJob.objects.filter(pk=job_id).first()
    if job is None:
        log.warning("screening job %s vanished before it ran", job_id)
        return "missing"
    return jobs.run_inline("screening", job_id)


def screening_job_enqueue(job: ScreeningJob) -> None:
    """Announce queued ``job`` once the surrounding transaction commits (a worker must never see an
    uncommitted job): ``pingan worker`` picks it up (:func:`pingan.core.jobs.enqueue_on_commit`)."""
    jobs.enqueue_on_commit("screening", job.pk)


@transaction.atomic
def screening_job_submit(*, actor: User, roster_name: str, roster_bytes: bytes, premises: Premises | None,
                         idempotency_key: str = "") -> tuple[ScreeningJob, bool]:
    """Record a roster as a job and queue it; returns ``(job, created)``.

    A repeated ``idempotency_key`` of the same actor returns the first job (``created`` false) and queues
    nothing, also when the repeats arrive in parallel; with another roster or premises it raises
    ``IdempotencyKeyReused`` (422). Raises ``DomainError`` as
    :func:`~pingan.screening.services.screening_job_create` does, and ``empty_roster`` for an empty upload.
    """
    if not roster_bytes:
        raise DomainError(f"{roster_name}: the file is empty; choose the filled-in roster file",
                          code="empty_roster", message_id="empty_upload", params={"name": roster_name})
    job, created = services.screening_job_get_or_create(actor=actor, roster_name=roster_name,
                                                        roster_bytes=roster_bytes, premises=premises,
                                                        idempotency_key=idempotency_key)
    if created:
        screening_job_enqueue(job)
    return job, created


@task()
@audit.as_task("retention-purge", _("the retention purge of screening data"))
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


@task()
@audit.as_task("reevaluation", _("the re-evaluation of screened people against new risk data"))
def reevaluation_task(dataset_id: int) -> dict[str, int]:
    """Re-evaluate the latest screenings that imported dataset ``dataset_id`` can affect
    (:func:`pingan.screening.reevaluate.reevaluate`); enqueued after each import. Returns the run's counts."""
    from pingan.screening import reevaluate
    from pingan.screening.models import RiskDataset

    ds = RiskDataset.objects.filter(pk=dataset_id).first()
    if ds is None:
        return {}
    run = reevaluate.reevaluate(dataset=ds)
    return {"run": run.pk, "candidates": run.candidates, "changed": run.changed, "codes_changed": run.codes_changed}
