"""Background work of the statistics app (django-tasks): an uploaded bureau template is imported by a worker.

The :class:`~pingan.stats.models.ImportBatch` row owns status, counts and the error; the task carries its id.
"""

from __future__ import annotations

import contextlib
import logging

from django_tasks import task

from pingan.core.errors import DomainError
from pingan.stats import services
from pingan.stats.models import ImportBatch

log = logging.getLogger(__name__)


@task()
def import_batch_task(batch_id: int) -> str:
    """Import batch ``batch_id``; returns its final status (``done`` or ``failed``)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        log.warning("stats import %s vanished before it ran", batch_id)
        return "missing"
    if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
        return batch.status  # a duplicate delivery
    with contextlib.suppress(DomainError):  # an unreadable file is a normal outcome, stored on the row
        services.import_batch_run(batch=batch)
    return ImportBatch.objects.values_list("status", flat=True).get(pk=batch_id)


@task()
def figures_warm_task() -> int:
    """Cache every unit's CompStat figures after the rollups changed (``selectors.figures_warm``)."""
    from pingan.stats import selectors

    return selectors.figures_warm()
