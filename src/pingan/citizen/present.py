"""Shapes shared by the pages and the API: masked ID numbers, an application with its findings and missing
documents rendered in the reader's language."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pingan.citizen import rules, services, transit
from pingan.citizen.models import PermitApplication, Ticket
from pingan.core import texts


def mask(number: str) -> str:
    """All but the first 3 and last 2 characters hidden: ``350***********12``."""
    return number[:3] + "*" * max(len(number) - 5, 0) + number[-2:] if len(number) > 5 else "*" * len(number)


def rules_citation(version: str) -> str:
    """The rules an application was checked under, as people cite them, in the reader's language
    (``《居住证暂行条例》（国务院令第663号）…`` / ``Interim Regulations on Residence Permits …``): the bundled rules'
    ``source``; the stored version itself only for a version no longer bundled (the page showed
    ``order663-2016``, a file's version key, to the applicant)."""
    r = rules.permit_rules()
    return texts.pick(r.source) if version == r.version else version


def booking_text(booking, service_name: str) -> str:
    """An appointment named for a person: service, office (the counter, and its station when the counter's name
    does not say it), day and time — ``户籍迁入 · 莲前派出所户政窗口 · 2026-12-08 09:00`` (the confirmation before
    cancelling and the message after)."""
    counter = booking.slot.counter
    label = counter.label
    says_station = counter.unit.label in label or counter.unit.name in label
    office = label if says_station else f"{label} ({counter.unit.label})"
    return f"{service_name} · {office} · {booking.day:%Y-%m-%d} {booking.slot.start:%H:%M}"


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


def transit_conditions(answer: transit.Answer, rules: transit.TransitRules) -> list[dict]:
    """The transit check's conditions with their text in the reader's language (countries, ports and areas by
    name)."""
    from pingan.core import texts
    from pingan.lib import countries, places

    lang = texts.lang()
    zh = lang == "zh"

    def shown(key: str, value):
        if key in ("country", "from", "to"):
            place = rules.countries.get(value)
            if place:
                return place.name_zh if zh else place.name_en
            country = countries.get(value) if value else None
            return country.name(lang) if country else value
        if key == "port":
            place = rules.ports.get(value)
            return (place.name_zh if zh else place.name_en) if place else value
        if key == "purpose":
            from pingan.citizen.texts import TRANSIT_PURPOSES

            return TRANSIT_PURPOSES.get(value, value)
        if key == "area" and str(value).isdigit():
            place = places.get(str(value))
            return place.label(lang) if place else value
        return value

    return [{"name": c.name, "outcome": c.outcome, "code": c.code, "params": c.params,
             "text": texts.render({"code": f"transit.{c.code}",
                                   "params": {k: shown(k, v) for k, v in c.params.items()}})}
            for c in answer.conditions]
