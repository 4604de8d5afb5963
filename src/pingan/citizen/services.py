"""Citizen-service writes: the catalogue, citizen accounts, counters and slots, bookings and queue tickets,
residence-permit applications and endorsements, reminders.

Every function is keyword-only and atomic and raises ``DomainError`` (``NotFound`` for an object the actor
may not see, ``PermissionDenied`` for a role that may not act). Rules come from ``citizen.rules`` (versioned
data with the article they come from); every decision is an audit record (``core.audit.record``).

Who may do what:

* a citizen (with an :class:`~pingan.citizen.models.Identity`) books, cancels and applies for themselves only;
* an officer or station chief acts on bookings, tickets and applications of their unit's subtree;
* an analyst reads (selectors) but decides nothing; every other role does nothing here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pingan.citizen import rules
from pingan.citizen.models import (
    Booking,
    Channel,
    Counter,
    Endorsement,
    Identity,
    Notice,
    PermitApplication,
    PermitDocument,
    Service,
    Slot,
    SmsMessage,
    Terminal,
    Ticket,
)
from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied, outside_text
from pingan.core.models import OrgUnit, Role, User
from pingan.core.scoping import scope
from pingan.core.services import known_adcode, unit_for_adcode, user_create
from pingan.lib.identity import normalize_document

DESK_ROLES = frozenset({Role.OFFICER, Role.STATION_CHIEF})
MAX_DOCUMENT_BYTES = 5 * 2**20
_DOCUMENT_MAGIC = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _today() -> dt.date:
    return timezone.localdate()


def issue_days() -> int:
    """The issue deadline in days: ``PINGAN_CITIZEN_ISSUE_DAYS`` (a remote area's local rule, at most the
    rules' maximum, Order 663 Art. 9) or the rules' 15."""
    raw = os.environ.get("PINGAN_CITIZEN_ISSUE_DAYS", "").strip()
    limits = rules.permit_rules()
    if not raw:
        return limits.issue_days
    days = int(raw)
    if not 0 < days <= limits.issue_max_days:
        raise DomainError(f"PINGAN_CITIZEN_ISSUE_DAYS must be 1 to {limits.issue_max_days}", code="bad_issue_days")
    return days


# ------------------------------------------------------------------------------------------------ catalogue


def catalogue_data() -> dict:
    """The bundled catalogue (``data/catalogue.toml``) as parsed TOML."""
    return tomllib.loads(resources.files("pingan.citizen.data").joinpath("catalogue.toml").read_text("utf-8"))


@transaction.atomic
def catalogue_load(*, data: dict | None = None) -> int:
    """Create or update the services of the catalogue (default: the bundled one); returns how many."""
    data = data or catalogue_data()
    n = 0
    for item in data["service"]:
        bad = set(item["channels"]) - set(Channel.values)
        if bad:
            raise DomainError(f"service {item['code']}: unknown channels {sorted(bad)}", code="bad_catalogue")
        Service.objects.update_or_create(code=item["code"], defaults={
            "name_zh": item["name"]["zh"], "name_en": item["name"]["en"], "department": item["department"],
            "output_zh": item.get("output", {}).get("zh", ""), "output_en": item.get("output", {}).get("en", ""),
            "documents": item.get("documents", []), "time_limit_days": item.get("time_limit_days"),
            "fee_cents": item.get("fee_cents"), "channels": item["channels"], "bookable": item.get("bookable", False),
            "basis_zh": item.get("basis", {}).get("zh", ""),
            "basis_en": item.get("basis", {}).get("en", ""), "catalogue_version": data["version"]})
        n += 1
    return n


# ------------------------------------------------------------------------------------------------ citizens


def check_id_number(raw: str) -> str:
    """The canonical 18-character resident ID number (GB 11643, ``pingan.lib.identity``) or ``DomainError``
    ``bad_id_number``."""
    doc = normalize_document(raw, "ric", today=_today())
    if not doc.valid or doc.doc_type != "ric":
        raise DomainError(f"{raw!r} is not a valid resident ID number ({doc.error_code})", code="bad_id_number",
                          params={"value": raw})
    return doc.number


@transaction.atomic
def citizen_register(*, username: str, password: str, name: str, id_number: str, phone: str = "") -> User:
    """Open a citizen account under a real name and resident ID number (one account per number)."""
    name = outside_text(name, field="name", field_zh="姓名").strip()
    if not 1 <= len(name) <= 50:
        raise DomainError("give your name as on the ID card", code="name_required")
    number = check_id_number(id_number)
    if Identity.objects.filter(id_number=number).exists():
        raise DomainError("an account already exists for this ID number", code="identity_taken")
    user = user_create(username=username, password=password, role=Role.CITIZEN, display_name=name)
    identity = Identity.objects.create(user=user, name=name, id_number=number, phone=phone.strip()[:20])
    # the identity's id, as a read of it records (the audit page names it by that id)
    audit.record(user, "create", "Identity", identity.pk,
                 subjects=[audit.Subject(name=name, id_number=number, phone=identity.phone)])
    return user


def _identity(actor) -> Identity:
    if getattr(actor, "role", None) != Role.CITIZEN:
        raise PermissionDenied("only citizens book and apply, for themselves", code="citizen_only")
    identity = Identity.objects.filter(user=actor).first()
    if identity is None:
        raise DomainError("this account has no verified identity", code="identity_required")
    return identity


# ------------------------------------------------------------------------------------------------ counters and slots


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def counter_sessions(counter: Counter) -> list[tuple[dt.time, dt.time]]:
    return [(_time(a), _time(b)) for a, b in counter.sessions]


def counter_holidays(counter: Counter) -> set[dt.date]:
    return {dt.date.fromisoformat(d) for d in counter.holidays}


@transaction.atomic
def counter_create(*, unit: OrgUnit, name: str, services: list[str], sessions: list[list[str]],
                   weekdays: list[int] | None = None, slot_minutes: int = 30, capacity: int = 4,
                   holidays: list[str] | None = None, address: str = "", minutes_per_ticket: int = 8,
                   desks: int = 1, name_en: str = "") -> Counter:
    """A counter of a station (set-up: CLI and fixtures); ``name_en`` names it on pages that are not Chinese."""
    if unit.kind != OrgUnit.Kind.STATION:
        raise DomainError(f"{unit.code} is not a police station", code="bad_counter")
    known = set(Service.objects.filter(code__in=services).values_list("code", flat=True))
    if set(services) - known:
        raise DomainError(f"unknown services {sorted(set(services) - known)}", code="bad_counter")
    for a, b in sessions:
        if _time(a) >= _time(b):
            raise DomainError(f"session {a}–{b} ends before it starts", code="bad_counter")
    return Counter.objects.create(unit=unit, name=name, name_en=name_en, services=services, sessions=sessions,
                                  weekdays=weekdays if weekdays is not None else [0, 1, 2, 3, 4],
                                  slot_minutes=slot_minutes, capacity=capacity, holidays=holidays or [],
                                  address=address, minutes_per_ticket=minutes_per_ticket, desks=desks)


def slots_open(*, counter: Counter, today: dt.date | None = None) -> int:
    """Create the slots of every bookable day of ``counter`` (the booking window of the rules as seen on
    ``today``) that do not exist yet; returns how many were created. Idempotent (a daily task)."""
    today = today or _today()
    days = rules.bookable_days(rules.booking_rules(), today, counter_holidays(counter), counter.weekdays)
    starts = rules.day_slots(counter_sessions(counter), counter.slot_minutes)
    wanted = [Slot(counter=counter, day=d, start=s, capacity=counter.capacity) for d in days for s in starts]
    before = Slot.objects.filter(counter=counter, day__in=days).count()
    Slot.objects.bulk_create(wanted, ignore_conflicts=True)
    return Slot.objects.filter(counter=counter, day__in=days).count() - before


# ------------------------------------------------------------------------------------------------ bookings


def no_show_days(id_number: str) -> list[dt.date]:
    return list(Booking.objects.filter(id_number=id_number, status=Booking.Status.NO_SHOW)
                .values_list("day", flat=True))


def booking_suspended_until(id_number: str, today: dt.date) -> dt.date | None:
    """The day a person may book again, if a no-show suspension runs on ``today``."""
    until = rules.suspended_until(rules.booking_rules(), no_show_days(id_number))
    return until if until is not None and until > today else None


def booking_create(*, actor, slot_id: int, service: str, today: dt.date | None = None) -> Booking:
    """Book a place in a slot for the citizen themselves (real-name: the account's identity).

    Refusals (``DomainError``): ``slot_full`` (409), ``outside_booking_window``, ``service_not_offered``,
    ``booking_suspended`` (two no-shows in a month), ``one_booking_per_day``. The place is taken with one
    conditional ``UPDATE`` (``taken < capacity``), so concurrent requests for the last place get exactly one
    booking; the one-booking-per-person-per-day rule is also a partial unique index.

    Most of a rush at opening time asks for slots already full: those are refused from one read of the slot,
    outside any transaction and before the person's identity is looked up (one query, no locks). The
    returned booking carries ``slot.counter.unit``, so the caller needs no second read to show it.
    """
    if getattr(actor, "role", None) != Role.CITIZEN:
        raise PermissionDenied("only citizens book and apply, for themselves", code="citizen_only")
    slot = Slot.objects.select_related("counter__unit").filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(f"slot {slot_id} not found")
    if slot.taken >= slot.capacity:  # a stale read can only say "free" wrongly: the UPDATE below decides
        raise _slot_full(slot)
    return _booking_take(actor=actor, slot=slot, service=service, today=today or _today())


def _slot_full(slot: Slot) -> SlotFull:
    return SlotFull(f"no place left at {slot.start:%H:%M} on {slot.day}",
                    params={"day": slot.day.isoformat(), "time": f"{slot.start:%H:%M}"})


@transaction.atomic
def _booking_take(*, actor, slot: Slot, service: str, today: dt.date) -> Booking:
    """The checks of the person and the slot, then the place (see :func:`booking_create`). The slot's row is
    locked from the conditional ``UPDATE`` to the commit, so everything that can refuse runs before it."""
    identity = _identity(actor)
    booking_rules = rules.booking_rules()
    counter = slot.counter
    if service not in counter.services:
        raise DomainError(f"{counter.name} does not offer {service}", code="service_not_offered",
                          params={"service": service})
    window = rules.bookable_days(booking_rules, today, counter_holidays(counter), counter.weekdays)
    if slot.day not in window:
        raise DomainError(f"{slot.day} is outside the booking window ({window[0]} to {window[-1]})",
                          code="outside_booking_window",
                          params={"first": window[0].isoformat(), "last": window[-1].isoformat()})
    until = booking_suspended_until(identity.id_number, today)
    if until is not None:
        raise DomainError(f"booking is suspended until {until} after two no-shows in a month",
                          code="booking_suspended", params={"until": until.isoformat()})
    if Booking.objects.filter(id_number=identity.id_number, day=slot.day,
                              status__in=Booking.HOLDS_DAY).exists():
        raise DomainError(f"you already have a booking on {slot.day}", code="one_booking_per_day",
                          params={"day": slot.day.isoformat()})
    if not Slot.objects.filter(pk=slot.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1):
        raise _slot_full(slot)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(slot=slot, day=slot.day, citizen=actor, name=identity.name,
                                             id_number=identity.id_number, service=service,
                                             rules_version=booking_rules.version)
    except IntegrityError:  # the same person booked the same day in a parallel request
        raise DomainError(f"you already have a booking on {slot.day}", code="one_booking_per_day",
                          params={"day": slot.day.isoformat()}) from None
    # The record names the person booked (subjects), so the answer to the booking request (the citizen's own
    # booking, just made) needs no separate read record.
    audit.record(actor, "book", "Booking", booking.pk, detail={"slot": slot.pk, "service": service},
                 subjects=person_subjects(identity))
    return booking


class SlotFull(DomainError):
    """The last place went to someone else (HTTP 409 Conflict)."""

    code = "slot_full"
    status = 409


def _own_booking(actor, booking_id: int) -> Booking:
    booking = scope(actor, Booking.objects.select_related("slot__counter__unit")).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(f"booking {booking_id} not found")
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking_id: int, today: dt.date | None = None) -> Booking:
    """The citizen cancels their booking, at least ``cancel_min_days_ahead`` days before (``too_late_to_cancel``)."""
    today = today or _today()
    if getattr(actor, "role", None) != Role.CITIZEN:
        raise PermissionDenied("only the citizen who booked cancels", code="citizen_only")
    booking = _own_booking(actor, booking_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise DomainError(f"booking {booking.pk} is {booking.status}", code="booking_state",
                          params={"status": Booking.Status(booking.status)})
    if not rules.may_cancel(rules.booking_rules(), day=booking.day, today=today):
        raise DomainError("a booking is cancelled at least a day ahead", code="too_late_to_cancel",
                          params={"day": booking.day.isoformat()})
    booking.status, booking.changed_at = Booking.Status.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "changed_at"])
    Slot.objects.filter(pk=booking.slot_id).update(taken=F("taken") - 1)
    audit.record(actor, "cancel", "Booking", booking.pk)
    return booking


def _desk(actor, qs, pk: int, what: str):
    """The object ``pk`` of ``qs`` if the actor's jurisdiction holds it (``NotFound`` otherwise) and the actor
    works a desk there (``PermissionDenied`` for an analyst)."""
    obj = scope(actor, qs).filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what} {pk} not found")
    if actor.role not in DESK_ROLES:
        raise PermissionDenied("only officers and station chiefs of the station do this", code="desk_only")
    return obj


def _slot_start(slot: Slot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.day, slot.start))


def _next_number(counter: Counter, day: dt.date, kind: str) -> int:
    Counter.objects.select_for_update().filter(pk=counter.pk).first()  # serialise numbering per counter
    last = Ticket.objects.filter(counter=counter, day=day, kind=kind).order_by("-number").first()
    return (last.number if last else 0) + 1


@transaction.atomic
def booking_check_in(*, actor, booking_id: int, id_number: str, now: dt.datetime | None = None) -> Ticket:
    """At the counter: the person shows their ID card; when its number is the booking's (real-name) on the
    booking's day, the booking becomes a queue ticket (``A001``…)."""
    now = now or timezone.now()
    booking = _desk(actor, Booking.objects.select_related("slot__counter"), booking_id, "booking")
    booking = Booking.objects.select_for_update().select_related("slot__counter").get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise DomainError(f"booking {booking.pk} is {booking.status}", code="booking_state",
                          params={"status": Booking.Status(booking.status)})
    if booking.day != timezone.localdate(now):
        raise DomainError(f"booking {booking.pk} is for {booking.day}", code="not_booking_day",
                          params={"day": booking.day.isoformat()})
    try:
        presented = check_id_number(id_number)
    except DomainError:
        presented = ""
    if presented != booking.id_number:
        raise DomainError("the ID card presented is not the booking's (real-name)", code="identity_mismatch")
    return _ticket_for_booking(actor, booking, now, detail={})


def _ticket_for_booking(actor, booking: Booking, now: dt.datetime, *, detail: dict) -> Ticket:
    """The checked booking (locked, ``booked``, today's, the card's) becomes a queue ticket; audited."""
    counter = booking.slot.counter
    ticket = Ticket.objects.create(counter=counter, day=booking.day, kind=Ticket.Kind.BOOKED,
                                   number=_next_number(counter, booking.day, Ticket.Kind.BOOKED), booking=booking,
                                   service=booking.service, issued_at=now, slot_start=_slot_start(booking.slot))
    booking.status, booking.changed_at = Booking.Status.CHECKED_IN, now
    booking.save(update_fields=["status", "changed_at"])
    audit.record(actor, "check_in", "Booking", booking.pk, detail={"ticket": ticket.label, **detail},
                 subjects=person_subjects(booking))
    return ticket


@transaction.atomic
def ticket_walk_in(*, actor, counter_id: int, service: str = "", now: dt.datetime | None = None) -> Ticket:
    """A walk-in ticket (取号, ``W001``…) for the counter's queue, issued at the desk."""
    now = now or timezone.now()
    counter = _desk(actor, Counter.objects.select_related("unit"), counter_id, "counter")
    if service and service not in counter.services:
        raise DomainError(f"{counter.name} does not offer {service}", code="service_not_offered",
                          params={"service": service})
    day = timezone.localdate(now)
    ticket = Ticket.objects.create(counter=counter, day=day, kind=Ticket.Kind.WALK_IN,
                                   number=_next_number(counter, day, Ticket.Kind.WALK_IN), service=service,
                                   issued_at=now)
    audit.record(actor, "walk_in", "Ticket", ticket.pk, detail={"ticket": ticket.label})
    return ticket


# ------------------------------------------------------------------------------------------------ terminals


def kiosk_idle_seconds() -> int:
    """How long a self-service terminal waits without a touch before it clears everything and starts over:
    ``PINGAN_CITIZEN_KIOSK_IDLE_SECONDS`` (10–600), default 60."""
    raw = os.environ.get("PINGAN_CITIZEN_KIOSK_IDLE_SECONDS", "").strip()
    if not raw:
        return 60
    if not (raw.isdigit() and 10 <= int(raw) <= 600):
        raise DomainError("PINGAN_CITIZEN_KIOSK_IDLE_SECONDS must be 10 to 600", code="bad_kiosk_idle")
    return int(raw)


def _key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def terminal_create(*, actor, counter_id: int, name: str) -> tuple[Terminal, str]:
    """An officer or station chief starts kiosk mode on a device at a counter of their station; returns the
    terminal and its secret (kept by the device in a cookie, stored here only as its SHA-256)."""
    counter = _desk(actor, Counter.objects.select_related("unit"), counter_id, "counter")
    # none given: shown as "terminal no. N" in the reader's language (Terminal.label)
    name = outside_text(name, field="terminal name", field_zh="终端名称").strip()[:100]
    secret = secrets.token_urlsafe(32)
    terminal = Terminal.objects.create(counter=counter, name=name, key_digest=_key_digest(secret), created_by=actor)
    audit.record(actor, "create", "Terminal", terminal.pk, detail={"counter": counter.pk, "name": name})
    return terminal, secret


@transaction.atomic
def terminal_revoke(*, actor, terminal_id: int) -> Terminal:
    """End a terminal: its device is no longer a terminal (it shows the sign-in page)."""
    terminal = _desk(actor, Terminal.objects.all(), terminal_id, "terminal")
    if terminal.revoked_at is None:
        terminal.revoked_at = timezone.now()
        terminal.save(update_fields=["revoked_at"])
        audit.record(actor, "revoke", "Terminal", terminal.pk)
    return terminal


def terminal_for_key(secret: str) -> Terminal | None:
    """The active terminal whose secret a device presents, or ``None``."""
    if not secret or len(secret) > 100:
        return None
    return (Terminal.objects.select_related("counter__unit")
            .filter(key_digest=_key_digest(secret), revoked_at=None).first())


@transaction.atomic
def kiosk_check_in(*, terminal: Terminal, id_number: str, now: dt.datetime | None = None) -> Ticket:
    """At a terminal: the ID card read (the reader types its number) finds today's booking at the terminal's
    counter, which becomes a queue ticket. ``bad_id_number`` for a number that is not one;
    ``no_booking_today`` when that person has no booking here today (the card is the identity: real-name)."""
    now = now or timezone.now()
    number = check_id_number(id_number)
    booking = (Booking.objects.select_for_update().select_related("slot__counter")
               .filter(slot__counter=terminal.counter, day=timezone.localdate(now), id_number=number,
                       status=Booking.Status.BOOKED).first())
    if booking is None:
        raise DomainError("no appointment today at this counter for this ID card", code="no_booking_today")
    kiosk = audit.Agent("terminal", terminal.name, str(terminal.pk))
    return _ticket_for_booking(kiosk, booking, now, detail={"terminal": terminal.pk})


@transaction.atomic
def kiosk_walk_in(*, terminal: Terminal, service: str, now: dt.datetime | None = None) -> Ticket:
    """At a terminal: a walk-in ticket (取号) for one of the counter's services."""
    now = now or timezone.now()
    counter = terminal.counter
    if service not in counter.services:
        raise DomainError(f"{counter.name} does not offer {service}", code="service_not_offered",
                          params={"service": service})
    day = timezone.localdate(now)
    ticket = Ticket.objects.create(counter=counter, day=day, kind=Ticket.Kind.WALK_IN,
                                   number=_next_number(counter, day, Ticket.Kind.WALK_IN), service=service,
                                   issued_at=now)
    audit.record(audit.Agent("terminal", terminal.name, str(terminal.pk)), "walk_in", "Ticket", ticket.pk,
                 detail={"ticket": ticket.label, "terminal": terminal.pk})
    return ticket


def queue_waiting(counter: Counter, now: dt.datetime) -> list[Ticket]:
    """The counter's waiting tickets of ``now``'s day in calling order (``rules.queue_order``)."""
    tickets = {t.pk: t for t in Ticket.objects.filter(counter=counter, day=timezone.localdate(now),
                                                        status=Ticket.Status.WAITING)}
    items = [rules.QueueItem(pk, t.issued_at, t.slot_start) for pk, t in tickets.items()]
    return [tickets[i.key] for i in rules.queue_order(items, now)]


@transaction.atomic
def ticket_call_next(*, actor, counter_id: int, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket (``rules.queue_order``); the tickets called before at this counter are done.
    Returns ``None`` when no one waits."""
    now = now or timezone.now()
    counter = _desk(actor, Counter.objects.all(), counter_id, "counter")
    Counter.objects.select_for_update().filter(pk=counter.pk).first()
    Ticket.objects.filter(counter=counter, status=Ticket.Status.CALLED).update(status=Ticket.Status.DONE)
    waiting = queue_waiting(counter, now)
    if not waiting:
        return None
    ticket = waiting[0]
    ticket.status, ticket.called_at = Ticket.Status.CALLED, now
    ticket.save(update_fields=["status", "called_at"])
    audit.record(actor, "call", "Ticket", ticket.pk, detail={"ticket": ticket.label})
    return ticket


@transaction.atomic
def bookings_mark_no_shows(*, today: dt.date | None = None) -> int:
    """Bookings of days before ``today`` still ``booked`` become ``no_show`` (a daily task); the citizen gets a
    notice, and one more when the no-shows suspend their booking. Returns how many were marked."""
    today = today or _today()
    missed = list(Booking.objects.select_for_update().filter(status=Booking.Status.BOOKED, day__lt=today))
    for b in missed:
        b.status, b.changed_at = Booking.Status.NO_SHOW, timezone.now()
        b.save(update_fields=["status", "changed_at"])
        audit.record(None, "no_show", "Booking", b.pk)
        _notify(b.citizen_id, "no_show", {"day": b.day.isoformat()}, f"no_show:{b.pk}")
        until = booking_suspended_until(b.id_number, today)
        if until:
            _notify(b.citizen_id, "booking_suspended", {"until": until.isoformat()}, f"suspended:{until}")
    return len(missed)


# ------------------------------------------------------------------------------------------------ notices


def _notify(user_id: int, code: str, params: dict, key: str) -> bool:
    """A notice to a citizen, once per ``key``; True when it is new."""
    _obj, created = Notice.objects.get_or_create(recipient_id=user_id, key=key,
                                                 defaults={"code": code, "params": params})
    return created


# ------------------------------------------------------------------------------------------------ residence permits


@dataclass(frozen=True)
class Upload:
    """A document as uploaded: ``kind`` (a catalogue document code), file name and bytes."""

    kind: str
    filename: str
    data: bytes


def _document_kinds() -> set[str]:
    return set(catalogue_data()["documents"])


def _store(application: PermitApplication, upload: Upload) -> PermitDocument:
    if upload.kind not in _document_kinds():
        raise DomainError(f"unknown document kind {upload.kind!r}", code="bad_document_kind",
                          params={"kind": upload.kind})
    if not upload.data:
        raise DomainError(f"{upload.filename} is empty", code="document_empty", params={"name": upload.filename})
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise DomainError(f"{upload.filename} is over {MAX_DOCUMENT_BYTES // 2**20} MB", code="document_too_large",
                          params={"name": upload.filename, "limit": MAX_DOCUMENT_BYTES // 2**20})
    if not upload.data.startswith(_DOCUMENT_MAGIC):
        raise DomainError(f"{upload.filename} is not a PDF, JPEG or PNG file", code="bad_document_type",
                          params={"name": upload.filename})
    folder = Path(settings.DATA_DIR) / "citizen" / "permits" / str(application.pk)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16)
    target = folder / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(upload.data)
    return PermitDocument.objects.create(application=application, kind=upload.kind,
                                         filename=Path(upload.filename).name[:200],
                                         path=str(target.relative_to(settings.DATA_DIR)), size=len(upload.data),
                                         sha256=hashlib.sha256(upload.data).hexdigest())


#: An uploaded file younger than this is never swept: its request may still be committing.
ORPHAN_GRACE = dt.timedelta(hours=1)


def permit_files_sweep(*, now: dt.datetime | None = None) -> int:
    """Remove uploaded files that no document row names (daily; returns how many).

    A document's file is written before its row, inside the request's transaction (``_store``); when that
    transaction rolls back — a later file of the same upload refused, the database gone — the row vanishes
    and the file stays. Files older than :data:`ORPHAN_GRACE` under ``<data>/citizen/permits/`` that no
    ``PermitDocument.path`` names are deleted, and folders left empty with them. Nothing else is touched.
    """
    now = now or timezone.now()
    root = Path(settings.DATA_DIR) / "citizen" / "permits"
    if not root.is_dir():
        return 0
    known = set(PermitDocument.objects.values_list("path", flat=True))
    cutoff = (now - ORPHAN_GRACE).timestamp()
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        for f in folder.iterdir():
            if f.is_file() and not f.is_symlink() and f.stat().st_mtime < cutoff and \
                    str(f.relative_to(settings.DATA_DIR)) not in known:
                f.unlink()
                removed += 1
        if not any(folder.iterdir()):
            folder.rmdir()
    if removed:
        audit.record(None, "sweep", "PermitDocument", "", detail={"orphaned_files_removed": removed})
    return removed


def _check(app: PermitApplication, today: dt.date) -> rules.Eligibility:
    kinds = set(app.documents.values_list("kind", flat=True))
    result = rules.check_eligibility(rules.permit_rules(), residence_since=app.residence_since, on=today,
                                     basis=app.basis, documents=kinds)
    app.findings = [{"code": f.code, "article": f.article, "params": f.params} for f in result.findings]
    app.missing = list(result.missing)
    app.rules_version = result.version
    return result


def _subject(app: PermitApplication) -> list[audit.Subject]:
    return person_subjects(app)


def person_subjects(row: Identity | Booking | PermitApplication) -> list[audit.Subject]:
    """The person an identity, a booking or a permit application shows: the name, the ID number and the phone
    number — an identity's own; a booking's or an application's that of the identity it was made under, where
    its reminders are texted (the review: an auditor's phone search did not find bookings and permits).
    Querysets select ``citizen__identity`` / ``applicant__identity`` so that this costs no query per row."""
    if isinstance(row, Identity):
        phone = row.phone
    else:
        owner = row.citizen if isinstance(row, Booking) else row.applicant
        phone = getattr(getattr(owner, "identity", None), "phone", "")  # an account without an identity: none
    return [audit.Subject(name=row.name, id_number=row.id_number, phone=phone)]


@transaction.atomic
def permit_apply(*, actor, address: str, adcode: str, residence_since: dt.date, basis: str,
                 documents: list[Upload], today: dt.date | None = None) -> PermitApplication:
    """A citizen applies for their residence permit (Order 663 Art. 9) at the station of ``adcode``.

    The eligibility rules run at once; when documents are missing the application is ``incomplete`` and one
    notice names every missing document (Art. 9); otherwise it waits for the station's review.
    ``address_outside`` when no station of the city covers ``adcode``; ``permit_open`` when the person already
    has an open application.
    """
    today = today or _today()
    identity = _identity(actor)
    address = outside_text(address, field="address", field_zh="地址").strip()
    if not 4 <= len(address) <= 300:
        raise DomainError("give the address where you live", code="address_required")
    adcode = known_adcode(adcode)
    try:
        unit = unit_for_adcode(adcode)
    except DomainError:
        unit = None
    if unit is None:
        raise DomainError(f"no police unit of the city covers {adcode}", code="address_outside",
                          params={"adcode": adcode})
    if unit.kind != OrgUnit.Kind.STATION:
        raise DomainError(f"no police station takes applications for {adcode}: choose the street (街道)",
                          code="no_station_for_area", params={"adcode": adcode})
    if basis not in PermitApplication.Basis.values:
        raise DomainError(f"unknown basis {basis!r}", code="bad_basis", params={"basis": basis})
    if PermitApplication.objects.filter(id_number=identity.id_number, status__in=PermitApplication.OPEN).exists():
        raise DomainError("you already have an open application", code="permit_open")
    app = PermitApplication.objects.create(
        applicant=actor, name=identity.name, id_number=identity.id_number, address=address, adcode=adcode, unit=unit,
        residence_since=residence_since, basis=basis, rules_version=rules.permit_rules().version,
        submitted_at=timezone.now())
    for upload in documents:
        _store(app, upload)
    _settle(app, today)
    audit.record(actor, "apply", "PermitApplication", app.pk, subjects=_subject(app),
                 detail={"status": app.status, "missing": app.missing})
    return app


def _settle(app: PermitApplication, today: dt.date) -> None:
    """Re-check and set ``submitted``/``incomplete``; one notice naming every missing document."""
    result = _check(app, today)
    app.status = PermitApplication.Status.INCOMPLETE if result.missing else PermitApplication.Status.SUBMITTED
    app.save()
    if result.missing:
        _notify(app.applicant_id, "documents_missing", {"application": app.pk, "missing": list(result.missing)},
                f"missing:{app.pk}:{hashlib.sha256(','.join(result.missing).encode()).hexdigest()[:16]}")


def _own_application(actor, app_id: int) -> PermitApplication:
    if getattr(actor, "role", None) != Role.CITIZEN:
        raise PermissionDenied("only the applicant does this", code="citizen_only")
    app = scope(actor, PermitApplication.objects.all()).filter(pk=app_id).first()
    if app is None:
        raise NotFound(f"application {app_id} not found")
    return PermitApplication.objects.select_for_update().get(pk=app.pk)


@transaction.atomic
def permit_documents_add(*, actor, application_id: int, documents: list[Upload],
                         today: dt.date | None = None) -> PermitApplication:
    """The applicant adds documents to an open application (``submitted``/``incomplete``); it is checked again."""
    app = _own_application(actor, application_id)
    if app.status not in (PermitApplication.Status.SUBMITTED, PermitApplication.Status.INCOMPLETE):
        raise DomainError(f"application {app.pk} is {app.status}", code="permit_state",
                          params={"status": PermitApplication.Status(app.status)})
    for upload in documents:
        _store(app, upload)
    _settle(app, today or _today())
    audit.record(actor, "documents_add", "PermitApplication", app.pk, detail={"status": app.status})
    return app


DECISIONS = ("accept", "issue", "reject")


@transaction.atomic
def permit_decide(*, actor, application_id: int, decision: str, reason: str = "",
                  today: dt.date | None = None) -> PermitApplication:
    """The station decides: ``accept`` (only an eligible, complete application; the issue deadline runs from
    today), ``issue`` (an accepted one; a permit number), ``reject`` (any open one; a reason is required)."""
    today = today or _today()
    app = _desk(actor, PermitApplication.objects.all(), application_id, "application")
    app = PermitApplication.objects.select_for_update().get(pk=app.pk)
    status = PermitApplication.Status
    reason = reason.strip()
    if decision == "accept":
        if app.status != status.SUBMITTED:
            raise DomainError(f"application {app.pk} is {app.status}", code="permit_state",
                              params={"status": status(app.status)})
        result = _check(app, today)
        if not result.eligible:
            raise DomainError("the application does not meet the rules: " +
                              ", ".join([f.code for f in result.findings] + list(result.missing)),
                              code="not_eligible", params={"application": app.pk})
        app.status, app.accepted_on = status.ACCEPTED, today
        app.due_on = rules.issue_due(rules.permit_rules(), today, issue_days())
        _notify(app.applicant_id, "permit_accepted", {"application": app.pk, "due_on": app.due_on.isoformat()},
                f"accepted:{app.pk}")
    elif decision == "issue":
        if app.status != status.ACCEPTED:
            raise DomainError(f"application {app.pk} is {app.status}", code="permit_state",
                              params={"status": status(app.status)})
        app.status, app.issued_on = status.ISSUED, today
        app.permit_number = f"{app.adcode[:6]}{today:%Y}{app.pk:08d}"
        _notify(app.applicant_id, "permit_issued", {"application": app.pk, "number": app.permit_number},
                f"issued:{app.pk}")
    elif decision == "reject":
        if app.status not in (status.SUBMITTED, status.INCOMPLETE, status.ACCEPTED):
            raise DomainError(f"application {app.pk} is {app.status}", code="permit_state",
                              params={"status": status(app.status)})
        if not reason:
            raise DomainError("give the reason for the rejection", code="permit_reason_required")
        app.status = status.REJECTED
        _notify(app.applicant_id, "permit_rejected", {"application": app.pk, "reason": reason[:500]},
                f"rejected:{app.pk}")
    else:
        raise DomainError(f"unknown decision {decision!r}", code="bad_decision", params={"decision": decision})
    app.reason, app.decided_by = reason[:500], actor
    app.save()
    audit.record(actor, decision, "PermitApplication", app.pk, subjects=_subject(app),
                 detail={"status": app.status, "reason": reason[:500]})
    return app


def endorsement_state(app: PermitApplication, today: dt.date) -> tuple[str, rules.Window]:
    """(state, window) of an issued permit (``rules.endorsement_state``). After a late endorsement the
    residence counts again from its date (Art. 10), so the windows restart from it."""
    counted_from, years = app.issued_on, set()
    for e in app.endorsements.order_by("endorsed_on", "year"):
        if e.late:
            counted_from, years = e.endorsed_on, set()
        else:
            years.add(e.year)
    return rules.endorsement_state(rules.permit_rules(), counted_from=counted_from, endorsed_years=years, on=today)


@transaction.atomic
def permit_endorse(*, actor, application_id: int, today: dt.date | None = None) -> Endorsement:
    """The annual endorsement (签注, Art. 10; free, Art. 21): by the holder online or at the station, in the
    month before each full year; late (``lapsed``) it is still done, and the residence counts from that day."""
    today = today or _today()
    if getattr(actor, "role", None) == Role.CITIZEN:
        app = _own_application(actor, application_id)
    else:
        app = _desk(actor, PermitApplication.objects.all(), application_id, "application")
        app = PermitApplication.objects.select_for_update().get(pk=app.pk)
    if app.status != PermitApplication.Status.ISSUED:
        raise DomainError(f"application {app.pk} is {app.status}", code="permit_state",
                          params={"status": PermitApplication.Status(app.status)})
    state, window = endorsement_state(app, today)
    if state == "valid":
        raise DomainError(f"the endorsement window opens on {window.first}", code="endorsement_not_open",
                          params={"first": window.first.isoformat(), "last": window.last.isoformat()})
    e = Endorsement.objects.create(application=app, year=window.year, endorsed_on=today, late=state == "lapsed",
                                   by=actor)
    audit.record(actor, "endorse", "PermitApplication", app.pk, subjects=_subject(app),
                 detail={"year": window.year, "late": e.late})
    return e


def _remind(user_id: int, code: str, params: dict, key: str) -> bool:
    """A reminder: the notice, and a text message queued to the citizen's phone when they gave one (same key:
    once). True when the notice is new."""
    new = _notify(user_id, code, params, key)
    phone = Identity.objects.filter(user_id=user_id).values_list("phone", flat=True).first()
    if new and phone:
        SmsMessage.objects.get_or_create(key=f"sms:{key}"[:100], defaults={
            "recipient_id": user_id, "phone": phone, "code": code, "params": params})
    return new


#: Attempts before a text message is given up (``failed``).
SMS_ATTEMPTS = 3


def sms_deliver(*, limit: int = 200, now: dt.datetime | None = None) -> dict[str, int]:
    """Send queued text messages through the configured sender (``citizen.sms``), each rendered in Chinese at
    send time. A message is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` in its own transaction, so two
    workers never send one twice; a failure counts an attempt and the message waits for the next run, until
    the third (``failed``, with the error). Returns counts of ``sent`` and ``failed`` attempts."""
    from django.utils import translation

    from pingan.citizen import sms
    from pingan.core import texts

    gateway = sms.sender()
    done = {"sent": 0, "failed": 0}
    tried: list[int] = []  # a message that failed is tried again on the next run, not in this one
    for _ in range(limit):
        with transaction.atomic():
            msg = (SmsMessage.objects.select_for_update(skip_locked=True)
                   .filter(status=SmsMessage.Status.QUEUED).exclude(pk__in=tried).order_by("id").first())
            if msg is None:
                break
            tried.append(msg.pk)
            with translation.override("zh-hans"):
                text = texts.render({"code": msg.code, "params": msg.params})
            msg.attempts += 1
            msg.sender = getattr(gateway, "name", type(gateway).__name__)[:100]
            try:
                gateway.send(msg.phone, text)
            except Exception as exc:  # any gateway failure: counted, retried next run, then given up
                msg.last_error = f"{type(exc).__name__}: {exc}"[:200]
                if msg.attempts >= SMS_ATTEMPTS:
                    msg.status = SmsMessage.Status.FAILED
                done["failed"] += 1
            else:
                msg.status, msg.sent_at, msg.last_error = SmsMessage.Status.SENT, now or timezone.now(), ""
                done["sent"] += 1
            msg.save(update_fields=["attempts", "sender", "last_error", "status", "sent_at"])
    if done["sent"] or done["failed"]:
        audit.record(None, "sms_send", "SmsMessage", "", detail=done)
    return done


def reminders_send(*, today: dt.date | None = None) -> int:
    """Daily: a notice when an issued permit's endorsement window is open (or has lapsed), and the day before
    each booking, each with a text message queued when the citizen gave a phone number (:func:`sms_deliver`
    sends them). Idempotent (one notice per key). Returns how many notices were new."""
    today = today or _today()
    new = 0
    for app in PermitApplication.objects.filter(status=PermitApplication.Status.ISSUED):
        state, window = endorsement_state(app, today)
        if state in ("due", "lapsed"):
            new += _remind(app.applicant_id, f"endorsement_{state}",
                           {"application": app.pk, "first": window.first.isoformat(), "last": window.last.isoformat()},
                           f"endorse:{app.pk}:{window.anniversary}:{state}")
    tomorrow = today + dt.timedelta(days=1)
    for b in Booking.objects.filter(status=Booking.Status.BOOKED, day=tomorrow).select_related("slot__counter"):
        new += _remind(b.citizen_id, "booking_tomorrow",
                       {"booking": b.pk, "day": b.day.isoformat(), "time": f"{b.slot.start:%H:%M}",
                        "counter": b.slot.counter.name}, f"booking:{b.pk}")
    return new
