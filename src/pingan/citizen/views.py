"""Citizen-service pages (mobile-first, htmx): the public catalogue and call display, a citizen's sign-up,
bookings and residence-permit applications, and the station's review and counter desk.

Views are thin: parse, call one service or selector, render. A ``DomainError`` is shown with
``core.error_messages.page_message`` in the viewer's language. Objects outside the viewer's reach answer 404,
pages their role may not use 403 (``core.web.page``).
"""

from __future__ import annotations

import datetime as dt
import functools
import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.citizen import present, rules, selectors, services, transit
from pingan.citizen.models import Booking, Channel, PermitApplication, Ticket
from pingan.citizen.texts import TRANSIT_PURPOSES, department_label, document_label, finding_text
from pingan.core import texts
from pingan.core.confirm import confirm_first
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, NotFound
from pingan.core.models import Role
from pingan.core.paging import counted_lists
from pingan.core.web import POLICE, page, request_purpose

CITIZENS = frozenset({Role.CITIZEN})
CITIZENS_AND_POLICE = CITIZENS | POLICE


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, page_message(exc))


def _int(text: str | None) -> int:
    """A positive id from a form field, or 0."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _service_view(s) -> dict:
    zh = texts.lang() == "zh"
    return {"code": s.code, "name": s.name_zh if zh else s.name_en, "department": department_label(s.department),
            "output": s.output_zh if zh else s.output_en, "documents": [document_label(d) for d in s.documents],
            "documents_text": texts.join(document_label(d) for d in s.documents),
            "time_limit_days": s.time_limit_days, "fee_cents": s.fee_cents, "fee_yuan": (
                None if s.fee_cents is None else f"{s.fee_cents / 100:.2f}"),
            "channels": [Channel(c).label for c in s.channels], "bookable": s.bookable,
            "basis": s.basis_zh if zh else s.basis_en}


def _service_names() -> dict[str, str]:
    zh = texts.lang() == "zh"
    return {s.code: (s.name_zh if zh else s.name_en) for s in selectors.services_list()}


def _named(bookings) -> list:
    """The bookings (fetched: the audit record is written here) with ``service_name`` in the reader's language."""
    names = _service_names()
    rows = list(bookings)
    for b in rows:
        b.service_name = names.get(b.service, b.service)
    return rows


def _with_text(b):
    """A named booking (:func:`_named`) with ``text``: how the cancel button's question names it."""
    b.text = present.booking_text(b, b.service_name)
    return b


# ------------------------------------------------------------------------------------------------ public


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The service catalogue with counts per channel; ``?channel=`` filters (the list alone for htmx)."""
    channel = request.GET.get("channel", "")
    if channel not in Channel.values:
        channel = ""
    items = [_service_view(s) for s in selectors.services_list(channel=channel)]
    counts = selectors.catalogue_counts()
    ctx = {"services": items, "counts": counts, "channel": channel,
           "channels": [(code, label, counts[code]) for code, label in Channel.choices]}
    if request.htmx:
        return TemplateResponse(request, "citizen/partials/service_list.html", ctx)
    return TemplateResponse(request, "citizen/catalogue.html", ctx)


@require_GET
def service(request: HttpRequest, code: str) -> HttpResponse:
    """What to bring and where to go for one service."""
    try:
        s = selectors.service_get(code=code)
    except NotFound:
        raise Http404("no such service") from None
    return TemplateResponse(request, "citizen/service.html", {
        "s": _service_view(s), "counters": selectors.counters_list(service=s.code)})


@require_GET
def display(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The waiting room's call display (叫号屏): ticket numbers only; htmx refreshes the board every 5 s."""
    try:
        counter = selectors.counter_get(counter_id=counter_id)
    except NotFound:
        raise Http404("no such counter") from None
    ctx = selectors.queue_display(counter=counter)
    if request.htmx:
        return TemplateResponse(request, "citizen/partials/display_board.html", ctx)
    return TemplateResponse(request, "citizen/display.html", ctx)


def _when(text: str, label: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"{label}: give a date and time", code="transit_bad_time",
                          params={"field": label}) from None


#: How many places of stay the transit form asks for (each its own chooser).
TRANSIT_PLACES = 3


def _transit_places(q) -> tuple[list[str], dict[int, dict]]:
    """The places of stay of the transit form as GB/T 2260 codes, and for each field that does not name one
    place what to ask (``{"typed", "candidates"}``). The fields ``place1``… carry a chooser's answer
    (``福建省 厦门市 (350200)``), a name or a code; ``areas`` (codes, comma-separated) is still read, so that
    links made before the choosers keep working."""
    from pingan.lib import places

    codes = [a.strip() for a in q.get("areas", "").replace("，", ",").split(",") if a.strip()][:10]
    problems: dict[int, dict] = {}
    for i in range(1, TRANSIT_PLACES + 1):
        typed = q.get(f"place{i}", "").strip()[:120]
        if not typed:
            continue
        code, candidates = places.resolve(typed)
        if code:
            codes.append(code)
        else:
            problems[i] = {"typed": typed, "candidates": [c.choice(texts.lang()) for c in candidates]}
    return codes, problems


@require_GET
def transit_check(request: HttpRequest) -> HttpResponse:
    """Does a foreign traveller qualify for 240-hour visa-free transit? (public; for the catalogue and hotel
    front desks). The form is a GET, so an answer is a link; nothing is stored. Countries and places are
    chosen by name in the reader's language (typed, or from the choosers' suggestions); the check itself
    takes the codes (ISO 3166-1, GB/T 2260), as the API does."""
    from pingan.lib import countries as countries_lib

    rules_ = transit.transit_rules()
    q = request.GET
    lang = texts.lang()
    order = {c.code: i for i, c in enumerate(countries_lib.sorted_for(lang))}
    # the nationalities by name in the reader's language (Debian's iso-codes, as every chooser names
    # countries), never with their ISO code beside them (issue 11: "韩国 (KR)")
    listed = [(c.code, known.name(lang) if (known := countries_lib.get(c.code)) else c.name_zh if lang == "zh"
               else c.name_en) for c in sorted(rules_.countries.values(), key=lambda c: order.get(c.code, len(order)))]
    ctx: dict = {"v": q, "countries": listed, "ports": list(rules_.ports.values()), "rules": rules_,
                 "all_countries": [c.choice(lang) for c in countries_lib.sorted_for(lang)],
                 "place_fields": [], "purposes": [(p, TRANSIT_PURPOSES.get(p, p))
                                                  for p in rules_.allowed_purposes + rules_.visa_purposes]}
    codes, problems = _transit_places(q) if q.get("nationality") else ([], {})
    default_place = "" if q.get("nationality") else _place_choice("350200", lang)
    ctx["place_fields"] = [{"n": i, "value": q.get(f"place{i}", default_place if i == 1 else ""),
                            "problem": problems.get(i)} for i in range(1, TRANSIT_PLACES + 1)]
    if q.get("nationality"):
        country_problems = {}
        chosen = {}
        for field in ("coming_from", "going_to"):
            typed = q.get(field, "").strip()[:80]
            chosen[field] = countries_lib.parse(typed)
            if chosen[field] is None:
                country_problems[field] = typed
        ctx["country_problems"] = country_problems
        if country_problems or problems:
            messages.error(request, gettext("Choose each country and place from the suggestions (see below)."))
            return TemplateResponse(request, "citizen/transit.html", ctx)
        try:
            trip = transit.Trip(
                nationality=q.get("nationality", "")[:2], entry_port=q.get("port", "")[:20],
                entry_at=_when(q.get("entry_at", ""), gettext("Entry")),
                exit_at=_when(q.get("exit_at", ""), gettext("Exit")),
                coming_from=chosen["coming_from"] or "", going_to=chosen["going_to"] or "",
                onward_confirmed=q.get("onward") == "1", document_valid=q.get("document") == "1",
                areas=codes[:10], purpose=q.get("purpose", "")[:20])
        except DomainError as exc:
            _fail(request, exc)
        else:
            answer = transit.check(rules_, trip)
            ctx.update(answer=answer, conditions=present.transit_conditions(answer, rules_))
    return TemplateResponse(request, "citizen/transit.html", ctx)


def _place_choice(code: str, lang: str) -> str:
    from pingan.lib import places

    place = places.get(code)
    return place.choice(lang) if place else code


@require_GET
def place_options(request: HttpRequest) -> HttpResponse:
    """The place chooser's suggestions (public; GB/T 2260 divisions by Chinese name, pinyin or code): the
    ``<option>`` elements of the chooser's ``<datalist>``, which htmx swaps in as the person types."""
    from pingan.lib import places

    lang = texts.lang()
    typed = next((v for k, v in request.GET.items() if (k == "q" or k.startswith("place")) and v.strip()), "")
    found = places.search(typed[:40], limit=15)
    return TemplateResponse(request, "citizen/partials/place_options.html",
                            {"options": [p.choice(lang) for p in found]})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Open a citizen account under one's real name and resident ID number (checked: GB 11643)."""
    if request.user.is_authenticated:
        return redirect("citizen:me")
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        p = request.POST
        try:
            user = services.citizen_register(username=p.get("username", "").strip()[:150],
                                             password=p.get("password", ""), name=p.get("name", ""),
                                             id_number=p.get("id_number", ""), phone=p.get("phone", ""))
        except DomainError as exc:
            _fail(request, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("citizen:me")
    return TemplateResponse(request, "citizen/register.html", {"v": values})


# ------------------------------------------------------------------------------------------------ citizens


@require_GET
@page(roles=CITIZENS)
def me(request: HttpRequest) -> HttpResponse:
    """A citizen's bookings, applications and notices."""
    user = request.user
    try:
        identity = selectors.identity_get(actor=user)
    except NotFound:
        identity = None
    lists = counted_lists(request.GET, {  # each pages on its own
        "bookings": selectors.bookings_list(actor=user).order_by("-day", "-slot__start", "-id"),
        "applications": selectors.permits_list(actor=user), "notices": selectors.notices_list(actor=user)})
    lists["bookings"].items = [_with_text(b) for b in _named(lists["bookings"].items)]
    lists["notices"].items = [{"text": texts.render({"code": n.code, "params": n.params}), "at": n.created_at}
                              for n in lists["notices"].items]
    return TemplateResponse(request, "citizen/me.html", {
        "identity": identity, "masked": present.mask(identity.id_number) if identity else "", **lists,
        "counters": selectors.counters_list(), "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
@page(roles=CITIZENS)
def book(request: HttpRequest, counter_id: int) -> HttpResponse:
    """Choose a service, a day and a slot of a counter; the slots of the chosen day come by htmx."""
    try:
        counter = selectors.counter_get(counter_id=counter_id)
    except NotFound:
        raise Http404("no such counter") from None
    slot_id, existing = 0, None
    if request.method == "POST":
        try:
            slot_id = _int(request.POST.get("slot"))
            if not slot_id:
                raise DomainError("choose a time", code="slot_required")
            services.booking_create(actor=request.user, slot_id=slot_id, service=request.POST.get("service", ""))
        except DomainError as exc:
            _fail(request, exc)
            if exc.code == "one_booking_per_day":  # say where the appointment of that day is
                existing = selectors.bookings_list(actor=request.user, day=dt.date.fromisoformat(exc.params["day"]))
                existing = existing.filter(status__in=Booking.HOLDS_DAY).first()
        else:
            messages.success(request, gettext("Booked. Bring your ID card; check in at the counter on the day."))
            return redirect("citizen:me")
    services.slots_open(counter=counter)
    slots = list(selectors.slots_free(counter=counter))
    days = sorted({s.day for s in slots})
    chosen = next((s for s in slots if s.id == slot_id), None)  # a refused booking keeps the day and time chosen
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = chosen.day if chosen else days[0] if days else None
    ctx = {"counter": counter, "days": days, "day": day, "slots": [s for s in slots if s.day == day],
           "services": [(c, n) for c, n in _service_names().items() if c in counter.services],
           "service": request.POST.get("service", "") or request.GET.get("service", ""),
           "chosen": chosen.id if chosen else 0, "existing": existing,
           "no_identity": not selectors.identity_exists(actor=request.user)}
    if request.htmx:
        return TemplateResponse(request, "citizen/partials/slots.html", ctx)
    return TemplateResponse(request, "citizen/book.html", ctx)


@require_POST
@page(roles=CITIZENS)
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Cancel one's appointment: the confirmation names it (service, office, day and time) and, once done, a
    message says which appointment was cancelled."""
    booking = selectors.booking_get(actor=request.user, booking_id=booking_id, purpose=request_purpose(request))
    what = present.booking_text(booking, _service_names().get(booking.service, booking.service))
    if (confirm := confirm_first(request, action=gettext("Cancel the appointment"), what=what,
                                 back=reverse("citizen:me"))):
        return confirm
    try:
        services.booking_cancel(actor=request.user, booking_id=booking_id)
    except NotFound:
        raise
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, gettext("Appointment cancelled: %(what)s. The place is free again for others.")
                         % {"what": what})
    return redirect("citizen:me")


def _uploads(request: HttpRequest) -> list[services.Upload]:
    out = []
    for field, f in request.FILES.items():
        if field == "doc_extra":
            kind = request.POST.get("kind_extra", "")
        elif field.startswith("doc_"):
            kind = field[4:]
        else:
            continue
        out.append(services.Upload(kind[:32], f.name or "document", f.read(services.MAX_DOCUMENT_BYTES + 1)))
    return out


@require_http_methods(["GET", "POST"])
@page(roles=CITIZENS)
def permit_new(request: HttpRequest) -> HttpResponse:
    """Apply for a residence permit: address and area, since when, the basis, and the documents."""
    values = request.POST if request.method == "POST" else {}
    open_app = None
    if request.method == "POST":
        p = request.POST
        try:
            try:
                since = dt.date.fromisoformat(p.get("residence_since", ""))
            except ValueError:
                raise DomainError("give the day you started living here", code="since_required") from None
            app = services.permit_apply(actor=request.user, address=p.get("address", ""),
                                        adcode=p.get("adcode", "").strip(), residence_since=since,
                                        basis=p.get("basis", ""), documents=_uploads(request))
        except DomainError as exc:
            _fail(request, exc)
            if exc.code == "permit_open":  # say which application is open
                open_app = selectors.permits_list(actor=request.user).filter(
                    status__in=PermitApplication.OPEN).order_by("-id").first()
        else:
            return redirect("citizen:permit", app.pk)
    r = rules.permit_rules()
    groups = [("always", [(k, document_label(k)) for k in r.always]),
              ("address", [(k, document_label(k)) for k in r.address_any_of])]
    for basis, kinds in r.bases.items():
        if kinds != r.address_any_of:
            groups.append((basis, [(k, document_label(k)) for k in kinds]))
    return TemplateResponse(request, "citizen/permit_new.html", {
        "v": values, "bases": PermitApplication.Basis.choices, "groups": groups, "areas": _areas(),
        "open_app": open_app, "no_identity": not selectors.identity_exists(actor=request.user),
        "rules": r, "source": texts.pick(r.source)})


def _areas() -> list[tuple[str, list[tuple[str, str]]]]:
    """The streets (街道) that a station of the city covers, the choices of the address's area: grouped by
    district, named in the reader's language as every page names them (``lib.places``: Siming District,
    Lianqian Subdistrict (莲前街道) in English)."""
    from pingan.core.models import AdminDivision, OrgUnit
    from pingan.dashboard.geo import townships
    from pingan.lib import places

    lang = texts.lang()
    names = {t.code: t.name for t in townships()}  # the city's streets (NBS 统计用区划代码), else the GB/T 2260 table
    names.update(AdminDivision.objects.filter(code__in=[c for u in OrgUnit.objects.filter(
        kind=OrgUnit.Kind.STATION) for c in u.adcodes if c not in names]).values_list("code", "name"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION).order_by("code"):
        for code in unit.adcodes:
            district = places.county_label(code, lang)
            name = names.get(code)
            groups.setdefault(district, []).append((code, places.township_label(name, lang) if name else code))
    return list(groups.items())


@require_http_methods(["GET", "POST"])
@page(roles=CITIZENS_AND_POLICE)
def permit(request: HttpRequest, application_id: int) -> HttpResponse:
    """An application: status at every step, findings, missing documents; the applicant adds documents and
    endorses; the station accepts, issues, rejects and endorses."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reject":
            app = selectors.permit_get(actor=user, application_id=application_id, purpose=request_purpose(request))
            if (confirm := confirm_first(request, action=gettext("Reject the application"),
                                         what=f"RP-{app.pk} · {app.name}")):
                return confirm
        try:
            if action == "documents":
                services.permit_documents_add(actor=user, application_id=application_id, documents=_uploads(request))
            elif action == "endorse":
                services.permit_endorse(actor=user, application_id=application_id)
            else:
                services.permit_decide(actor=user, application_id=application_id, decision=action,
                                       reason=request.POST.get("reason", ""))
        except NotFound:
            raise
        except DomainError as exc:
            _fail(request, exc)
        return redirect("citizen:permit", application_id)
    app = selectors.permit_get(actor=user, application_id=application_id, purpose=request_purpose(request))
    state = None
    if app.status == PermitApplication.Status.ISSUED:
        state = services.endorsement_state(app, timezone.localdate())
    return TemplateResponse(request, "citizen/permit.html", {
        "app": app, "masked": present.mask(app.id_number), "rules_citation": present.rules_citation(app.rules_version),
        "findings": [finding_text(f) for f in app.findings],
        "missing": [(c, document_label(c)) for c in app.missing],
        "documents": [(d, document_label(d.kind)) for d in app.documents.all()],
        "kinds": [(k, document_label(k)) for k in services.catalogue_data()["documents"]],
        "endorsement": state, "is_owner": user.role == Role.CITIZEN, "is_desk": user.role in services.DESK_ROLES,
        "endorsements": list(app.endorsements.all()), "today": timezone.localdate()})


# ------------------------------------------------------------------------------------------------ station


@require_GET
@page(roles=POLICE)
def station(request: HttpRequest) -> HttpResponse:
    """Applications waiting for review, the overdue list (past the issue deadline), the counters."""
    user, purpose, get = request.user, request_purpose(request), request.GET
    lists = {"waiting": selectors.permits_list(actor=user, status="submitted", purpose=purpose),
             "incomplete": selectors.permits_list(actor=user, status="incomplete", purpose=purpose),
             "accepted": selectors.permits_list(actor=user, status="accepted", purpose=purpose)
             .order_by("due_on", "id"),
             "overdue": selectors.permits_list(actor=user, overdue_on=timezone.localdate(), purpose=purpose)}
    return TemplateResponse(request, "citizen/station.html", {
        **counted_lists(get, lists),  # each pages on its own
        "counts": selectors.permit_counts(actor=user), "counters": selectors.counters_of_jurisdiction(actor=user),
        "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def desk(request: HttpRequest, counter_id: int) -> HttpResponse:
    """A counter's desk: today's bookings (check in with the ID card shown), walk-in tickets, call the next,
    the waiting queue in calling order with the estimated wait."""
    counter = selectors.counter_for_desk(actor=request.user, counter_id=counter_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "check_in":
                t = services.booking_check_in(actor=request.user, booking_id=_int(request.POST.get("booking")),
                                              id_number=request.POST.get("id_number", ""))
                messages.success(request, gettext("Checked in: %(name)s has queue ticket %(ticket)s.")
                                 % {"name": t.booking.name, "ticket": t.label})
            elif action == "revoke_terminal":
                terminal = next((t for t in selectors.terminals_of_counter(counter=counter)
                                 if t.pk == _int(request.POST.get("terminal"))), None)
                # only a desk is asked to confirm; anyone else is told at once that only desks do this
                if terminal is not None and request.user.role in services.DESK_ROLES and (confirm := confirm_first(
                        request, action=gettext("End the terminal"), what=f"{terminal.label} · {counter.label}")):
                    return confirm
                services.terminal_revoke(actor=request.user, terminal_id=_int(request.POST.get("terminal")))
                if terminal is not None:
                    messages.success(request, gettext("Terminal ended: %(name)s. It no longer issues tickets.")
                                     % {"name": terminal.label})
            elif action == "walk_in":
                t = services.ticket_walk_in(actor=request.user, counter_id=counter.pk,
                                            service=request.POST.get("service", ""))
                messages.success(request, gettext("Walk-in ticket %(ticket)s issued: give it to the person.")
                                 % {"ticket": t.label})
            else:
                # the desk is told what happened: the number now on the call display, or that no one waits
                # (the bare ticket number, or nothing at all, was all it got)
                t = services.ticket_call_next(actor=request.user, counter_id=counter.pk)
                if t:
                    messages.success(request, gettext("Calling %(ticket)s: the number shows on the call display.")
                                     % {"ticket": t.label})
                else:
                    messages.info(request, gettext("No one is waiting: no number was called."))
        except NotFound:
            raise
        except DomainError as exc:
            _fail(request, exc)
        return redirect("citizen:desk", counter.pk)
    today, now = timezone.localdate(), timezone.now()
    waiting = services.queue_waiting(counter, now)
    return TemplateResponse(request, "citizen/desk.html", {
        "counter": counter, "today": today,
        "bookings": _named(selectors.bookings_list(actor=request.user, day=today, counter=counter,
                                                   purpose=request_purpose(request))),
        "waiting": [(t, rules.estimated_wait_minutes(i, counter.minutes_per_ticket, counter.desks))
                    for i, t in enumerate(waiting)],
        "totals": selectors.slot_totals(counter=counter, day=today),
        "terminals": selectors.terminals_of_counter(counter=counter), "booked": Booking.Status.BOOKED})


# ------------------------------------------------------------------------------------------------ self-service terminal

#: The cookie a terminal device keeps its secret in (``services.terminal_for_key``).
KIOSK_COOKIE = "pingan_kiosk"
_KIOSK_SEEN, _KIOSK_TICKETS = "kiosk_seen", "kiosk_tickets"


def _terminal(request: HttpRequest):
    return services.terminal_for_key(request.COOKIES.get(KIOSK_COOKIE, ""))


def kiosk(view):
    """Decorate a terminal page: the device must be an active terminal (403 otherwise). A terminal's session
    carries no account — anyone signed in on it is signed out — and, idle longer than
    ``services.kiosk_idle_seconds()``, it is cleared before the request is handled (what the last person did
    is gone even if the page's own timer did not run)."""

    @functools.wraps(view)
    def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        terminal = _terminal(request)
        if terminal is None:
            raise DjangoPermissionDenied("this device is not a self-service terminal")
        if request.user.is_authenticated:
            logout(request)
        now = int(time.time())
        seen = request.session.get(_KIOSK_SEEN)
        if seen is not None and now - seen > services.kiosk_idle_seconds():
            request.session.flush()
        request.session[_KIOSK_SEEN] = now
        request.terminal = terminal
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404("not found") from None

    return inner


def _kiosk_ctx(request: HttpRequest, **extra) -> dict:
    return {"terminal": request.terminal, "counter": request.terminal.counter,
            "idle_seconds": services.kiosk_idle_seconds(), **extra}


def _kiosk_ticket(request: HttpRequest, ticket) -> HttpResponse:
    request.session[_KIOSK_TICKETS] = [*request.session.get(_KIOSK_TICKETS, [])[-9:], ticket.pk]
    return redirect("citizen:kiosk_ticket", ticket.pk)


@require_http_methods(["GET", "POST"])
def kiosk_start(request: HttpRequest) -> HttpResponse:
    """Start kiosk mode on this device: an officer or station chief chooses a counter of their station; the
    device gets the terminal's secret in a cookie and the officer is signed out. A device that is already a
    terminal goes to its home page."""
    if _terminal(request) is not None:
        return redirect("citizen:kiosk")
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.role not in services.DESK_ROLES:
        raise DjangoPermissionDenied("only officers and station chiefs start a terminal")
    if request.method == "POST":
        try:
            _terminal_made, secret = services.terminal_create(actor=user, counter_id=_int(request.POST.get("counter")),
                                                        name=request.POST.get("name", ""))
        except NotFound:
            raise Http404("no such counter") from None
        except DomainError as exc:
            _fail(request, exc)
        else:
            logout(request)
            response = redirect("citizen:kiosk")
            response.set_cookie(KIOSK_COOKIE, secret, max_age=365 * 86400, httponly=True, samesite="Strict",
                                secure=request.is_secure())
            return response
    return TemplateResponse(request, "citizen/kiosk_start.html", {
        "counters": selectors.counters_of_jurisdiction(actor=user)})


@require_GET
@kiosk
def kiosk_home(request: HttpRequest) -> HttpResponse:
    """The terminal's start page: check in an appointment, take a ticket, the services and what to bring."""
    return TemplateResponse(request, "citizen/kiosk_home.html", _kiosk_ctx(request, kiosk_home=True))


@require_http_methods(["GET", "POST"])
@kiosk
def kiosk_check_in(request: HttpRequest) -> HttpResponse:
    """Check in today's appointment with the ID card: the card reader types the number into the field (the
    embedded default: the person types it)."""
    if request.method == "POST":
        try:
            ticket = services.kiosk_check_in(terminal=request.terminal, id_number=request.POST.get("id_number", ""))
        except DomainError as exc:
            _fail(request, exc)
        else:
            return _kiosk_ticket(request, ticket)
    return TemplateResponse(request, "citizen/kiosk_check_in.html", _kiosk_ctx(request))


@require_http_methods(["GET", "POST"])
@kiosk
def kiosk_walk_in(request: HttpRequest) -> HttpResponse:
    """Take a walk-in ticket (取号) for one of the counter's services."""
    if request.method == "POST":
        try:
            ticket = services.kiosk_walk_in(terminal=request.terminal, service=request.POST.get("service", ""))
        except DomainError as exc:
            _fail(request, exc)
        else:
            return _kiosk_ticket(request, ticket)
    names = _service_names()
    return TemplateResponse(request, "citizen/kiosk_walk_in.html", _kiosk_ctx(
        request, services=[(c, names.get(c, c)) for c in request.terminal.counter.services]))


@require_GET
@kiosk
def kiosk_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket just taken here, to print (only tickets this session took: no one else's)."""
    if ticket_id not in request.session.get(_KIOSK_TICKETS, []):
        raise Http404("not found")
    ticket = Ticket.objects.select_related("counter__unit").filter(pk=ticket_id,
                                                                   counter=request.terminal.counter).first()
    if ticket is None:
        raise Http404("not found")
    return TemplateResponse(request, "citizen/kiosk_ticket.html", _kiosk_ctx(
        request, ticket=ticket, out=present.ticket_out(ticket), service_name=_service_names().get(ticket.service, "")))


@require_GET
@kiosk
def kiosk_services(request: HttpRequest) -> HttpResponse:
    """The services a terminal offers (the catalogue's terminal channel) and what to bring for each."""
    return TemplateResponse(request, "citizen/kiosk_services.html", _kiosk_ctx(
        request, services=[_service_view(s) for s in selectors.services_list(channel=Channel.TERMINAL)]))


@require_POST
@kiosk
def kiosk_end(request: HttpRequest) -> HttpResponse:
    """Finish (the button, or the page's idle timer): clear everything of this session, back to the start."""
    request.session.flush()
    return redirect("citizen:kiosk")
