"""Citizen-services API (``/api/v1/citizen/...``). Thin handlers: parse, one selector or service, return;
``DomainError`` → RFC 9457 problem.

Public (no authentication, no personal data): the catalogue and its counts, counters, free places, the call
display. Citizens book and apply for themselves; officers and station chiefs act on their jurisdiction's
bookings, queues and applications; analysts read.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pingan.citizen import present, selectors, services, transit
from pingan.citizen.models import Endorsement
from pingan.citizen.schemas import (
    BookingIn,
    BookingOut,
    CallOut,
    CheckInIn,
    CounterOut,
    CountsOut,
    DisplayOut,
    EndorsementOut,
    PermitDecisionIn,
    PermitIn,
    PermitOut,
    ServiceOut,
    SlotOut,
    TicketOut,
    TransitCheckIn,
    TransitCheckOut,
    WalkInIn,
)
from pingan.core.apiutil import Pagination, problems
from pingan.core.errors import DomainError

router = Router(tags=["citizen"])


def _counter_out(c) -> dict:
    return {"id": c.pk, "name": c.name, "station": c.unit.name, "address": c.address, "services": c.services,
            "sessions": c.sessions, "weekdays": c.weekdays, "slot_minutes": c.slot_minutes, "capacity": c.capacity}


@router.get("/citizen/services", response=list[ServiceOut], auth=None, summary="The service catalogue (public)")
@paginate(Pagination)
def service_list(request: HttpRequest, channel: str = "", department: str = ""):
    return selectors.services_list(channel=channel[:16], department=department[:32])


@router.get("/citizen/services/counts", response=CountsOut, auth=None, summary="Services per channel (public)")
def service_counts(request: HttpRequest):
    return selectors.catalogue_counts()


@router.get("/citizen/services/{code}", response=ServiceOut, auth=None, summary="One service (public)")
def service_get(request: HttpRequest, code: str):
    return selectors.service_get(code=code)


@router.get("/citizen/counters", response=list[CounterOut], auth=None, summary="Counters (public)")
@paginate(Pagination)
def counter_list(request: HttpRequest, service: str = ""):
    return [_counter_out(c) for c in selectors.counters_list(service=service[:64])]


@router.get("/citizen/counters/{counter_id}/slots", response=list[SlotOut], auth=None,
            summary="A counter's slots in the booking window, with free places (public)")
def slot_list(request: HttpRequest, counter_id: int):
    counter = selectors.counter_get(counter_id=counter_id)
    return [{"id": s.pk, "day": s.day, "start": s.start, "capacity": s.capacity, "free": s.free}
            for s in selectors.slots_free(counter=counter)]


@router.get("/citizen/counters/{counter_id}/display", response=DisplayOut, auth=None,
            summary="The call display of a counter (public: ticket numbers only)")
def counter_display(request: HttpRequest, counter_id: int):
    d = selectors.queue_display(counter=selectors.counter_get(counter_id=counter_id))
    return {"current": d["current"].label if d["current"] else None, "recent": [t.label for t in d["recent"]],
            "waiting": d["waiting"], "wait_minutes": d["wait_minutes"]}


CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8))


@router.post("/citizen/transit-check", response=TransitCheckOut, auth=None,
             summary="Does a foreign traveller qualify for 240-hour visa-free transit? (public; nothing stored)")
def transit_check(request: HttpRequest, body: TransitCheckIn):
    """Times with a zone are taken in China Standard Time (the rule counts local days); naive ones as given."""

    def local(when: dt.datetime) -> dt.datetime:
        return timezone.localtime(when).replace(tzinfo=None) if timezone.is_aware(when) else when

    rules = transit.transit_rules()
    answer = transit.check(rules, transit.Trip(
        nationality=body.nationality, entry_port=body.entry_port, entry_at=local(body.entry_at),
        exit_at=local(body.exit_at), coming_from=body.coming_from, going_to=body.going_to,
        onward_confirmed=body.onward_confirmed, document_valid=body.document_valid, areas=body.areas,
        purpose=body.purpose))
    # the rule's local deadline with its offset (RFC 3339 date-time, as the schema says; a naive time was not)
    # China Standard Time is UTC+08:00 (a zone database would give Shanghai's 1901 local mean time, +08:05:43,
    # for a far-past date, which RFC 3339 cannot write)
    due = answer.deadline.replace(tzinfo=CHINA_STANDARD_TIME) if timezone.is_naive(answer.deadline) else answer.deadline
    return {"verdict": answer.verdict, "deadline": due, "version": answer.version,
            "conditions": present.transit_conditions(answer, rules)}


@router.post("/citizen/bookings", response={201: BookingOut}, summary="Book a place (citizens, for themselves)",
             openapi_extra={"responses": problems({409: "the slot is full (`slot_full`)"})})
def booking_create(request: HttpRequest, body: BookingIn):
    # The citizen's own booking, just made: the "book" audit record names them; no second read.
    return Status(201, services.booking_create(actor=request.user, slot_id=body.slot_id, service=body.service))


@router.get("/citizen/bookings", response=list[BookingOut], summary="Bookings: one's own, or the jurisdiction's")
@paginate(Pagination)
def booking_list(request: HttpRequest, day: str = ""):
    """``day``: an ISO date (``2026-03-05``) to list one day's bookings."""
    try:
        when = dt.date.fromisoformat(day) if day else None
    except ValueError:
        raise DomainError(f"{day[:20]!r} is not a date (YYYY-MM-DD)", code="bad_day") from None
    return selectors.bookings_list(actor=request.user, day=when)


@router.post("/citizen/bookings/{booking_id}/cancel", response=BookingOut, summary="Cancel one's booking")
def booking_cancel(request: HttpRequest, booking_id: int):
    return services.booking_cancel(actor=request.user, booking_id=booking_id)


@router.post("/citizen/bookings/{booking_id}/check-in", response={201: TicketOut},
             summary="Check in at the counter (desk): the booking becomes a queue ticket")
def booking_check_in(request: HttpRequest, booking_id: int, body: CheckInIn):
    t = services.booking_check_in(actor=request.user, booking_id=booking_id, id_number=body.id_number)
    return Status(201, present.ticket_out(t))


@router.post("/citizen/counters/{counter_id}/walk-in", response={201: TicketOut},
             summary="A walk-in queue ticket (desk)")
def ticket_walk_in(request: HttpRequest, counter_id: int, body: WalkInIn):
    t = services.ticket_walk_in(actor=request.user, counter_id=counter_id, service=body.service)
    return Status(201, present.ticket_out(t))


@router.post("/citizen/counters/{counter_id}/call-next", response=CallOut, summary="Call the next ticket (desk)")
def ticket_call_next(request: HttpRequest, counter_id: int):
    t = services.ticket_call_next(actor=request.user, counter_id=counter_id)
    return {"ticket": t.label if t else None}


@router.post("/citizen/permits", response={201: PermitOut},
             summary="Apply for a residence permit (citizens); add documents next")
def permit_apply(request: HttpRequest, body: PermitIn):
    app = services.permit_apply(actor=request.user, address=body.address, adcode=body.adcode,
                                residence_since=body.residence_since, basis=body.basis, documents=[])
    return Status(201, (app))


@router.get("/citizen/permits", response=list[PermitOut],
            summary="Residence-permit applications: one's own, or the station's")
@paginate(Pagination)
def permit_list(request: HttpRequest, status: str = "", overdue: bool = False):
    return selectors.permits_list(actor=request.user, status=status[:12],
                                  overdue_on=timezone.localdate() if overdue else None).prefetch_related("documents")


@router.get("/citizen/permits/{application_id}", response=PermitOut, summary="One application")
def permit_get(request: HttpRequest, application_id: int):
    return (selectors.permit_get(actor=request.user, application_id=application_id))


@router.post("/citizen/permits/{application_id}/documents", response={201: PermitOut},
             summary="Add a document (PDF, JPEG or PNG, at most 5 MB) to one's open application")
def permit_document_add(request: HttpRequest, application_id: int, kind: Form[str], document: File[UploadedFile]):
    if document.size is not None and document.size > services.MAX_DOCUMENT_BYTES:
        raise DomainError(f"{document.name}: larger than {services.MAX_DOCUMENT_BYTES} bytes",
                          code="document_too_large")
    app = services.permit_documents_add(actor=request.user, application_id=application_id, documents=[
        services.Upload(kind[:32], document.name or "document", document.read(services.MAX_DOCUMENT_BYTES + 1))])
    return Status(201, (app))


@router.post("/citizen/permits/{application_id}/decision", response=PermitOut,
             summary="Decide an application (desk): accept, issue or reject")
def permit_decide(request: HttpRequest, application_id: int, body: PermitDecisionIn):
    app = services.permit_decide(actor=request.user, application_id=application_id, decision=body.decision,
                                 reason=body.reason)
    return (app)


@router.post("/citizen/permits/{application_id}/endorse", response={201: EndorsementOut},
             summary="Endorse an issued permit (the holder, or the desk)")
def permit_endorse(request: HttpRequest, application_id: int):
    e: Endorsement = services.permit_endorse(actor=request.user, application_id=application_id)
    return Status(201, {"year": e.year, "endorsed_on": e.endorsed_on, "late": e.late})
