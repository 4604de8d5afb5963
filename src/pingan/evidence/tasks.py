"""Background work of the evidence app (django-tasks): the overdue clock of check-outs.

When an item is handed out, :func:`schedule_due_check` enqueues :func:`overdue_task` to run just after its
due-back time (on a backend that can defer); the task runs :func:`~pingan.evidence.services.overdue_alert`,
which is idempotent. ``pingan evidence tick`` runs the same from cron as a safety net.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.core import audit
from pingan.evidence import services

log = logging.getLogger(__name__)


@task()
@audit.as_task("evidence-overdue", _("the overdue check of a case-property check-out"))
def overdue_task(checkout_id: int) -> list[int]:
    ids = services.overdue_alert()
    if ids:
        log.warning("evidence: check-outs overdue (checkout %s scheduled): %s", checkout_id, ids)
    return ids


def schedule_due_check(checkout_id: int, due_back_at: dt.datetime) -> bool:
    """Enqueue the check for just after ``due_back_at``; ``False`` when the backend cannot defer (then only
    the cron tick runs it)."""
    if not overdue_task.get_backend().supports_defer:
        return False
    overdue_task.using(run_after=due_back_at + dt.timedelta(minutes=1)).enqueue(checkout_id)
    return True
