"""Self-service terminals (kiosk mode): who may start one (every role × own/other station's counter), that
every kiosk page needs an active terminal and carries no account, check-in with the ID card and walk-in
tickets, a ticket seen only by the session that took it, the idle time-out clearing the session, ending a
terminal from the desk (own/other station)."""

from __future__ import annotations

import datetime as dt

import pytest
from citizen_support import make_citizen
from django.utils import timezone

from pingan.citizen import services, views
from pingan.citizen.models import Booking, Slot, Terminal, Ticket
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db
POLICE = ("officer", "station_chief", "analyst")
ROLES = ("admin", "auditor", "analyst", "chief_a", "officer_a", "officer_b", "landlord_a", "citizen", "alice")
KIOSK_PAGES = ("/citizen/kiosk/", "/citizen/kiosk/check-in/", "/citizen/kiosk/walk-in/", "/citizen/kiosk/services/")


def sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in POLICE:
        session = client.session
        session["purpose"] = "citizen_services"
        session.save()
    return client


def actors(cast, world):
    return {"alice": world.alice, **{r: getattr(cast, r) for r in ROLES if r != "alice"}}


def terminal_at(client, cast, counter):
    """Start a terminal at ``counter`` through the page, as officer_a; the client is now that device."""
    sign_in(client, cast.officer_a)
    response = client.post("/citizen/kiosk/start/", {"counter": counter.pk, "name": "大厅左侧"})
    assert response.status_code == 302 and response["Location"] == "/citizen/kiosk/"
    return Terminal.objects.get(name="大厅左侧")


def todays_booking(world, citizen):
    today = timezone.localdate()
    slot, _ = Slot.objects.get_or_create(counter=world.counter_a, day=today, start=dt.time(0, 0),
                                         defaults={"capacity": 2})
    Slot.objects.filter(pk=slot.pk).update(taken=slot.taken + 1)
    return Booking.objects.create(slot=slot, day=today, citizen=citizen, name=citizen.identity.name,
                                  id_number=citizen.identity.id_number, service="residence_permit_first",
                                  rules_version="xiamen-2018")


def test_only_officers_and_chiefs_of_the_counters_station_start_a_terminal(client, cast, world):
    got_page, got_post = {}, {}
    for role, user in actors(cast, world).items():
        client.cookies.clear()
        sign_in(client, user)
        got_page[role] = client.get("/citizen/kiosk/start/").status_code
        response = client.post("/citizen/kiosk/start/", {"counter": world.counter_a.pk, "name": role})
        got_post[role] = response.status_code
        if response.status_code == 302:
            assert views.KIOSK_COOKIE in response.cookies and response.cookies[views.KIOSK_COOKIE]["httponly"]
    desk = {"chief_a": 200, "officer_a": 200, "officer_b": 200}
    assert got_page == {r: desk.get(r, 403) for r in ROLES}
    # officer_b works at station B: counter A is not in their jurisdiction
    assert got_post == {r: {"chief_a": 302, "officer_a": 302, "officer_b": 404}.get(r, 403) for r in ROLES}
    assert sorted(Terminal.objects.values_list("name", flat=True)) == ["chief_a", "officer_a"]
    assert AuditRecord.objects.filter(action="create", object_type="Terminal").count() == 2
    client.cookies.clear()
    response = client.get("/citizen/kiosk/start/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_kiosk_pages_need_an_active_terminal_and_sign_everyone_out(client, cast, world):
    for role, user in actors(cast, world).items():
        client.cookies.clear()
        sign_in(client, user)
        assert {u: client.get(u).status_code for u in KIOSK_PAGES} == dict.fromkeys(KIOSK_PAGES, 403), role
    client.cookies.clear()
    assert client.get("/citizen/kiosk/").status_code == 403  # anonymous, no terminal
    terminal = terminal_at(client, cast, world.counter_a)
    for url in KIOSK_PAGES:
        assert client.get(url).status_code == 200
    assert "_auth_user_id" not in client.session  # the officer who started it is signed out
    sign_in(client, world.alice)  # someone signs in on the terminal: the kiosk page signs them out
    assert client.get("/citizen/kiosk/").status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/citizen/me/").status_code == 302  # …and the citizen pages ask to sign in
    client.cookies[views.KIOSK_COOKIE] = "forged"
    assert client.get("/citizen/kiosk/").status_code == 403
    services.terminal_revoke(actor=cast.chief_a, terminal_id=terminal.pk)
    assert services.terminal_for_key("forged") is None


def test_a_revoked_terminal_is_no_longer_one(client, cast, world):
    terminal = terminal_at(client, cast, world.counter_a)
    assert client.get("/citizen/kiosk/").status_code == 200
    services.terminal_revoke(actor=cast.chief_a, terminal_id=terminal.pk)
    assert client.get("/citizen/kiosk/").status_code == 403


def test_check_in_with_the_id_card_gives_a_ticket_only_this_session_sees(client, cast, world):
    booking = todays_booking(world, world.alice)
    terminal = terminal_at(client, cast, world.counter_a)
    page = client.post("/citizen/kiosk/check-in/", {"id_number": "110101199003070000"}, follow=True)
    assert "不是有效的" in page.content.decode() or "not a valid" in page.content.decode()
    bob_number = world.bob.identity.id_number  # bob has no appointment today
    page = client.post("/citizen/kiosk/check-in/", {"id_number": bob_number}, follow=True)
    assert page.status_code == 200 and not Ticket.objects.exists()
    response = client.post("/citizen/kiosk/check-in/", {"id_number": booking.id_number.lower()})
    ticket = Ticket.objects.get(booking=booking)
    assert response["Location"] == f"/citizen/kiosk/tickets/{ticket.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert ticket.label == "A001" and "A001" in body
    assert booking.name not in body and booking.id_number not in body  # a printed ticket names no one
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    record = AuditRecord.objects.get(action="check_in", object_id=str(booking.pk))
    assert record.detail["terminal"] == terminal.pk and record.actor == f"terminal:{terminal.name}"
    assert record.detail["agent"]["object_id"] == str(terminal.pk)  # the kiosk, not "system"
    other = client.__class__()  # another device that is the same terminal: not this session's ticket
    other.cookies[views.KIOSK_COOKIE] = client.cookies[views.KIOSK_COOKIE].value
    assert other.get(f"/citizen/kiosk/tickets/{ticket.pk}/").status_code == 404


def test_walk_in_ticket_and_a_service_the_counter_does_not_offer(client, cast, world):
    terminal_at(client, cast, world.counter_a)
    response = client.post("/citizen/kiosk/walk-in/", {"service": "id_card_replacement"})
    ticket = Ticket.objects.get()
    assert (ticket.label, ticket.counter_id, ticket.service) == ("W001", world.counter_a.pk, "id_card_replacement")
    assert client.get(response["Location"]).status_code == 200
    page = client.post("/citizen/kiosk/walk-in/", {"service": "traffic_violation_payment"}, follow=True)
    body = page.content.decode()
    assert Ticket.objects.count() == 1 and "class=\"messages\"" in body and "traffic_violation_payment" in body


def test_an_idle_terminal_forgets_the_last_person(client, cast, world, monkeypatch):
    monkeypatch.setenv("PINGAN_CITIZEN_KIOSK_IDLE_SECONDS", "30")
    terminal_at(client, cast, world.counter_a)
    clock = [1_000_000.0]
    monkeypatch.setattr(views.time, "time", lambda: clock[0])
    response = client.post("/citizen/kiosk/walk-in/", {"service": "id_card_replacement"})
    ticket_url = response["Location"]
    clock[0] += 29
    assert client.get(ticket_url).status_code == 200  # within the time-out: still there
    clock[0] += 31
    assert client.get(ticket_url).status_code == 404  # idle 31 s > 30 s: the session was cleared first
    assert views._KIOSK_TICKETS not in client.session
    client.post("/citizen/kiosk/walk-in/", {"service": "id_card_replacement"})
    assert client.post("/citizen/kiosk/end/").status_code == 302  # "finish": cleared at once
    assert views._KIOSK_TICKETS not in client.session


def test_the_desk_ends_a_terminal_of_its_own_station_only(client, cast, world):
    terminal = terminal_at(client, cast, world.counter_a)
    for user, status in ((cast.officer_b, 404), (cast.analyst, 302)):  # analyst: told only desks do this
        sign_in(client, user)
        response = client.post(f"/citizen/station/counters/{world.counter_a.pk}/", {"action": "revoke_terminal",
                                                                                    "terminal": terminal.pk})
        terminal.refresh_from_db()
        assert response.status_code == status and terminal.revoked_at is None, user.username
    sign_in(client, cast.chief_a)
    page = client.get(f"/citizen/station/counters/{world.counter_a.pk}/").content.decode()
    assert "大厅左侧" in page
    asked = client.post(f"/citizen/station/counters/{world.counter_a.pk}/", {"action": "revoke_terminal",
                                                                             "terminal": terminal.pk})
    terminal.refresh_from_db()
    assert asked.status_code == 200 and "大厅左侧" in asked.content.decode() and terminal.revoked_at is None  # asked
    client.post(f"/citizen/station/counters/{world.counter_a.pk}/", {"action": "revoke_terminal",
                                                                     "terminal": terminal.pk, "confirmed": "1"})
    terminal.refresh_from_db()
    assert terminal.revoked_at is not None
    assert AuditRecord.objects.filter(action="revoke", object_type="Terminal").exists()


def test_a_bad_idle_setting_is_refused(monkeypatch):
    for bad in ("5", "601", "soon"):
        monkeypatch.setenv("PINGAN_CITIZEN_KIOSK_IDLE_SECONDS", bad)
        with pytest.raises(services.DomainError):
            services.kiosk_idle_seconds()


def test_a_person_checking_in_needs_no_account(cast, world):
    carol = make_citizen("carol", seed=3)
    booking = todays_booking(world, carol)
    terminal, _secret = services.terminal_create(actor=cast.officer_a, counter_id=world.counter_a.pk, name="t")
    ticket = services.kiosk_check_in(terminal=terminal, id_number=booking.id_number)
    assert ticket.booking_id == booking.pk
    with pytest.raises(services.DomainError) as e:  # the same card again: nothing left to check in
        services.kiosk_check_in(terminal=terminal, id_number=booking.id_number)
    assert e.value.code == "no_booking_today"
