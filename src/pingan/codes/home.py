"""The codes app's home-page panel (``core.navigation``): what waits for the police user's decision."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.codes import selectors
from pingan.core.models import Role

#: Level changes the panel lists for a station chief to approve (the latest; it says how many in all).
TO_APPROVE_SHOWN = 5


def queue_panel(request: HttpRequest) -> dict | None:
    """Open correction requests and level changes of the jurisdiction; for a station chief, the level changes
    that wait for their approval (four-eyes: not the ones they asked for); ``empty`` when nothing waits (the
    card then says "0 pending" and links to the queue).

    Only what the user can act on is said to wait for them (``actionable``): correction requests and upheld
    ones (any police user decides or asks for the level change), suspended codes to check (officers and station
    chiefs release them), level changes to approve (a station chief, not their own). The rest is said as
    information (``waiting_overrides``, ``waiting_reviews``): an analyst's home read "待处理事项 · 1 个等级变更待审批"
    for a change only the station chief could approve (issue 11's trial)."""
    user = request.user
    disputes = selectors.disputes_list(actor=user, status="open").count()
    overrides = selectors.overrides_list(actor=user, status="requested")
    to_approve, to_approve_total = [], 0
    if user.role == Role.STATION_CHIEF:  # the latest few; the panel says how many in all (the queue pages them)
        theirs = overrides.exclude(requested_by=user)
        # each with the level it changes from, and the level now where another change or screening replaced
        # that code since it was asked for (issue 11's trial)
        to_approve = selectors.with_level_now(theirs.select_related("premises", "requested_by", "code")
                                              [:TO_APPROVE_SHOWN])
        to_approve_total = theirs.count()
    waiting = overrides.count()
    reviews = selectors.reviews_list(actor=user, status="open").count()
    upheld = selectors.upheld_awaiting_change(actor=user).count()  # upheld, the level not changed yet
    releases = user.role in (Role.OFFICER, Role.STATION_CHIEF)  # who may decide a review (services)
    return {"disputes": disputes, "to_approve": to_approve, "upheld": upheld,
            "to_approve_total": to_approve_total, "reviews": reviews if releases else 0,
            "waiting_overrides": waiting - to_approve_total, "waiting_reviews": 0 if releases else reviews,
            "actionable": bool(disputes or upheld or to_approve_total or (reviews and releases)),
            "is_chief": user.role == Role.STATION_CHIEF,
            # nothing waits: the card still leads to the queue, saying "0 pending" (issue 11's trial: the section
            # was reachable from home only while something was pending; an officer's home had no way to it)
            "empty": not (disputes or waiting or reviews or upheld)}
