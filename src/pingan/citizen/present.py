"""Shapes shared by the pages and the API: masked ID numbers, an application with its findings and missing
documents rendered in the reader's language."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pingan.citizen import rules, services
from pingan.citizen.models import PermitApplication, Ticket


def mask(number: str) -> str:
    """All but the first 3 and last 2 characters hidden: ``350***********12``."""
    return number[:3] + "*" * max(len(number) - 5, 0) + number[-2:] if len(number) > 5 else "*" * len(number)


def ticket_out(t: Ticket, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    waiting = services.queue_waiting(t.counter, now)
    ahead = next((i for i, w in enumerate(waiting) if w.pk == t.pk), 0)
    return {"label": t.label, "kind": t.kind, "status": t.status, "day": t.day, "issued_at": t.issued_at,
            "waiting_ahead": ahead,
            "wait_minutes": rules.estimated_wait_minutes(ahead, t.counter.minutes_per_ticket, t.counter.desks)}


def endorsement_text(app: PermitApplication, today: dt.date | None = None) -> str | None:
    if app.status != PermitApplication.Status.ISSUED:
        return None
    state, window = services.endorsement_state(app, today or timezone.localdate())
    return f"{state} {window.first.isoformat()}/{window.last.isoformat()}"
