"""Background work of the anti-fraud app (django-tasks): the deadline clock.

When an order takes effect, :func:`schedule_deadlines` enqueues :func:`deadline_task` to run at the
reminder time and again at the expiry (``run_after``, on a backend that can defer: ``django_tasks_db``);
the task runs :func:`~pingan.antifraud.services.orders_tick`, which is idempotent, so a late or repeated
run does no harm. ``pingan antifraud tick`` runs the same clock from cron as a safety net.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.antifraud import rules, services
from pingan.antifraud.models import Order, OrderKind
from pingan.core import audit

log = logging.getLogger(__name__)


@task()
@audit.as_task("antifraud-deadline", _("the deadline check of a stop-payment or freeze order"))
def deadline_task(order_id: int) -> dict:
    """Run the deadline clock (reminders, expiries, lapses, queued freezes); returns its counts."""
    counts = services.orders_tick()
    log.info("antifraud deadline clock for order %s: %s", order_id, counts)
    return counts


def schedule_deadlines(order: Order) -> list[dt.datetime]:
    """Enqueue the reminder and expiry runs of ``order``; returns the times scheduled (none when the task
    backend cannot defer, e.g. the immediate backend of the tests: then only the cron tick runs the clock)."""
    if order.expires_at is None or not deadline_task.get_backend().supports_defer:
        return []
    pol = rules.policy()
    lead = (dt.timedelta(hours=pol["stop_payment_remind_hours"]) if order.kind == OrderKind.STOP_PAYMENT
            else dt.timedelta(days=pol["freeze_remind_days"]))
    times = [order.expires_at - lead, order.expires_at]
    for when in times:
        deadline_task.using(run_after=when).enqueue(order.pk)
    return times
