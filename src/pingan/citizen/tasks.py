"""Daily work of the citizen app (django-tasks; ``pingan citizen daily`` runs the same from cron):
open the booking window's slots, mark yesterday's missed bookings as no-shows (with the suspension rule),
send reminders (appointments tomorrow, endorsement windows), and remove uploaded files that no document names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.citizen import services
from pingan.citizen.models import Counter
from pingan.core import audit


def daily() -> dict[str, int]:
    """Run the day's work once; returns counts (slots opened, no-shows marked, notices sent)."""
    opened = sum(services.slots_open(counter=c) for c in Counter.objects.all())
    no_shows = services.bookings_mark_no_shows()
    notices = services.reminders_send()
    sms = services.sms_deliver()
    swept = services.permit_files_sweep()
    return {"slots": opened, "no_shows": no_shows, "notices": notices, "sms_sent": sms["sent"],
            "sms_failed": sms["failed"], "orphaned_files_removed": swept}


@task()
@audit.as_task("citizen-daily", _("the citizen services' daily run"))
def daily_task() -> dict[str, int]:
    return daily()


@task()
@audit.as_task("citizen-sms", _("sending the queued text messages"))
def sms_deliver_task() -> dict[str, int]:
    """Send the queued text messages (the daily run does it too; enqueue this to retry sooner)."""
    return services.sms_deliver()
