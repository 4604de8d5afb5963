"""Home-page panels (``core.navigation``): a citizen's next appointment and open application; a station's
applications waiting for review and overdue permits."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from pingan.citizen import selectors
from pingan.citizen.models import Booking, PermitApplication
from pingan.core.scoping import scope


def citizen_panel(request: HttpRequest) -> dict | None:
    """Counts only (the pages show the rows)."""
    user = request.user
    upcoming = scope(user, Booking.objects.filter(status=Booking.Status.BOOKED, day__gte=timezone.localdate())).count()
    open_apps = scope(user, PermitApplication.objects.exclude(status__in=["issued", "rejected"])).count()
    return {"upcoming": upcoming, "open_apps": open_apps, "notices": selectors.notices_list(actor=user).count()}


def station_panel(request: HttpRequest) -> dict | None:
    counts = selectors.permit_counts(actor=request.user)
    overdue = scope(request.user, PermitApplication.objects.filter(
        status="accepted", due_on__lt=timezone.localdate())).count()
    waiting = counts.get("submitted", 0)
    if not (waiting or overdue):
        return None
    return {"waiting": waiting, "overdue": overdue}
