"""Citizen-service reads. The catalogue, counters and free places are public (no personal data); bookings,
tickets with names, applications and identities are read through ``core.scoping.scope`` with the actor and
recorded in the audit trail (``core.audit``): a citizen sees only their own, police their jurisdiction.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from pingan.citizen import rules, services
from pingan.citizen.models import (
    Booking,
    Channel,
    Counter,
    Identity,
    Notice,
    PermitApplication,
    Service,
    Slot,
    Terminal,
    Ticket,
)
from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.scoping import can_see_unit, scope

# ------------------------------------------------------------------------------------------------ public


def services_list(*, channel: str = "", department: str = "") -> QuerySet[Service]:
    """The catalogue, optionally one channel's or one department's services (public)."""
    qs = Service.objects.all()
    if channel:  # JSON containment is not portable (SQLite): the catalogue is small, filter its ids here
        qs = qs.filter(pk__in=[pk for pk, chans in Service.objects.values_list("pk", "channels") if channel in chans])
    if department:
        qs = qs.filter(department=department)
    return qs


def service_get(*, code: str) -> Service:
    s = Service.objects.filter(code=code).first()
    if s is None:
        raise NotFound(f"service {code} not found")
    return s


def catalogue_counts() -> dict[str, int]:
    """How many services each channel offers, and in all — the seed's figures as a query over the catalogue."""
    rows = list(Service.objects.values_list("channels", flat=True))
    out = {c.value: sum(c.value in chans for chans in rows) for c in Channel}
    out["all"] = len(rows)
    return out


def counters_list(*, service: str = "") -> QuerySet[Counter]:
    """Counters (public: name, station, address, hours), optionally those offering ``service``."""
    qs = Counter.objects.select_related("unit")
    if service:
        offering = [pk for pk, offered in Counter.objects.values_list("pk", "services") if service in offered]
        qs = qs.filter(pk__in=offering)
    return qs


def counter_get(*, counter_id: int) -> Counter:
    c = Counter.objects.select_related("unit").filter(pk=counter_id).first()
    if c is None:
        raise NotFound(f"counter {counter_id} not found")
    return c


def slots_free(*, counter: Counter, today: dt.date | None = None) -> QuerySet[Slot]:
    """The counter's slots in the booking window as seen on ``today`` (public: times and free places only)."""
    today = today or timezone.localdate()
    days = rules.bookable_days(rules.booking_rules(), today, services.counter_holidays(counter), counter.weekdays)
    return Slot.objects.filter(counter=counter, day__in=days).order_by("day", "start")


def queue_display(*, counter: Counter, now: dt.datetime | None = None) -> dict:
    """The waiting room's call display (叫号屏; public, no names): the ticket being called, the last few called,
    how many wait and the estimated wait for a ticket taken now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    called = list(Ticket.objects.filter(counter=counter, day=today, status__in=[Ticket.Status.CALLED,
                                                                                 Ticket.Status.DONE])
                  .exclude(called_at=None).order_by("-called_at")[:5])
    waiting = Ticket.objects.filter(counter=counter, day=today, status=Ticket.Status.WAITING).count()
    return {"counter": counter, "current": called[0] if called and called[0].status == Ticket.Status.CALLED else None,
            "recent": called, "waiting": waiting,
            "wait_minutes": rules.estimated_wait_minutes(waiting, counter.minutes_per_ticket, counter.desks)}


# ------------------------------------------------------------------------------------------------ personal data


def _person(row) -> list[audit.Subject]:
    """The person a row shows: name, ID number and phone (``services.person_subjects``)."""
    return services.person_subjects(row)


def identity_exists(*, actor) -> bool:
    """Whether the actor's account has a real-name identity (no person data read: no record). An account made
    with ``pingan user create --role citizen`` has none and cannot book or apply: the pages say so before the
    form (issue 11's trial was told only after pressing 预约)."""
    return Identity.objects.filter(user=actor).exists()


def identity_get(*, actor) -> Identity:
    """The actor's own identity (a citizen)."""
    identity = scope(actor, Identity.objects.all()).first()
    if identity is None:
        raise NotFound("no identity")
    audit.record_read(actor, "Identity", identity.pk, subjects=_person(identity))
    return identity


def bookings_list(*, actor, day: dt.date | None = None, counter: Counter | None = None,
                  purpose: str = "") -> QuerySet[Booking]:
    """Bookings the actor may see (own, or the jurisdiction's), audited; optionally of a day or a counter."""
    qs = scope(actor, Booking.objects.select_related("slot__counter__unit", "citizen__identity"))
    if day is not None:
        qs = qs.filter(day=day)
    if counter is not None:
        qs = qs.filter(slot__counter=counter)
    return audit.audited(qs, actor=actor, object_type="Booking.list", subjects=_person, purpose=purpose)


def booking_get(*, actor, booking_id: int, purpose: str = "") -> Booking:
    b = scope(actor, Booking.objects.select_related("slot__counter__unit", "citizen__identity")).filter(
        pk=booking_id).first()
    if b is None:
        raise NotFound(f"booking {booking_id} not found")
    audit.record_read(actor, "Booking", b.pk, subjects=_person(b), purpose=purpose)
    return b


def counter_for_desk(*, actor, counter_id: int) -> Counter:
    """A counter of the actor's jurisdiction (police), for its queue page; ``NotFound`` otherwise."""
    c = Counter.objects.select_related("unit").filter(pk=counter_id).first()
    if c is None or not can_see_unit(actor, c.unit):
        raise NotFound(f"counter {counter_id} not found")
    return c


def terminals_of_counter(*, counter: Counter) -> list[Terminal]:
    """The active self-service terminals of a counter (devices, no personal data)."""
    return list(Terminal.objects.filter(counter=counter, revoked_at=None).select_related("created_by"))


def counters_of_jurisdiction(*, actor) -> list[Counter]:
    return [c for c in Counter.objects.select_related("unit") if can_see_unit(actor, c.unit)]


def permits_list(*, actor, status: str = "", overdue_on: dt.date | None = None,
                 purpose: str = "") -> QuerySet[PermitApplication]:
    """Applications the actor may see (own, or the station's), audited. ``overdue_on``: accepted ones whose
    issue deadline passed before that day (the station's overdue list)."""
    qs = scope(actor, PermitApplication.objects.select_related("unit", "applicant__identity"))
    if status:
        qs = qs.filter(status=status)
    if overdue_on is not None:
        qs = qs.filter(status=PermitApplication.Status.ACCEPTED, due_on__lt=overdue_on).order_by("due_on", "id")
    return audit.audited(qs, actor=actor, object_type="PermitApplication.list", subjects=_person, purpose=purpose)


def permit_counts(*, actor) -> dict[str, int]:
    """Applications by status in the actor's view (no person shown: not recorded)."""
    rows = scope(actor, PermitApplication.objects.all()).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def permit_get(*, actor, application_id: int, purpose: str = "") -> PermitApplication:
    app = scope(actor, PermitApplication.objects.select_related("unit", "decided_by", "applicant__identity")).filter(
        pk=application_id).first()
    if app is None:
        raise NotFound(f"application {application_id} not found")
    audit.record_read(actor, "PermitApplication", app.pk, subjects=_person(app), purpose=purpose)
    return app


def notices_list(*, actor) -> QuerySet[Notice]:
    """The actor's own notices (a citizen's reminders and status changes)."""
    return scope(actor, Notice.objects.all())


def slot_totals(*, counter: Counter, day: dt.date) -> dict[str, int]:
    """Places and bookings of a counter's day (no person shown)."""
    agg = Slot.objects.filter(counter=counter, day=day).aggregate(places=Sum("capacity"), taken=Sum("taken"))
    return {"places": agg["places"] or 0, "taken": agg["taken"] or 0}


# ------------------------------------------------------------------------------------- the audit page's names
def _register_describers() -> None:
    """How the audit page names a citizen-services record (issue 11: "预约 № 7"): the person masked (name, ID
    number), the counter and the day — what tells an auditor whose appointment or application it was."""
    from pingan.citizen.models import Booking, Identity, PermitApplication, Terminal, Ticket
    from pingan.lib.redact import mask_id, mask_name

    said = audit.said
    for name, model, text, related in (
        ("PermitApplication", PermitApplication, lambda a: said(
            f"RP-{a.pk}", mask_name(a.name), mask_id(a.id_number), a.get_status_display()), ()),
        ("Booking", Booking, lambda b: said(mask_name(b.name), mask_id(b.id_number), b.slot.counter.label,
                                            f"{b.slot.day:%Y-%m-%d} {b.slot.start:%H:%M}"), ("slot__counter",)),
        ("Ticket", Ticket, lambda t: said(t.label, t.counter.label, f"{t.day:%Y-%m-%d}"), ("counter",)),
        ("Identity", Identity, lambda i: said(mask_name(i.name), mask_id(i.id_number)), ()),
        ("Terminal", Terminal, lambda t: said(t.label, t.counter.label), ("counter",)),
    ):
        audit.register_object_describer(name, audit.rows_describer(model, text, related=related))


_register_describers()
