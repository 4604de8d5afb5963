"""The codes app's home-page panel (``core.navigation``): what waits for the police user's decision."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.codes import selectors
from pingan.core.models import Role


def queue_panel(request: HttpRequest) -> dict | None:
    """Open correction requests and level changes of the jurisdiction; for a station chief, the level changes
    that wait for their approval (four-eyes: not the ones they asked for). ``None`` when nothing waits."""
    user = request.user
    disputes = selectors.disputes_list(actor=user, status="open").count()
    overrides = selectors.overrides_list(actor=user, status="requested")
    to_approve = []
    if user.role == Role.STATION_CHIEF:
        to_approve = list(overrides.exclude(requested_by=user).select_related("premises", "requested_by")[:5])
    waiting = overrides.count()
    reviews = selectors.reviews_list(actor=user, status="open").count()
    if not (disputes or waiting or reviews):
        return None
    return {"disputes": disputes, "overrides": waiting, "to_approve": to_approve, "reviews": reviews,
            "is_chief": user.role == Role.STATION_CHIEF}
