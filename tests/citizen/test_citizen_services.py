"""Services on PostgreSQL: booking (window, one per day, suspension, cancel), the race for the last place with
real threads, check-in (real-name) and the queue, residence-permit applications, decisions and endorsements."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from citizen_support import PASSWORD as PASSWORD_FOR_TESTS
from citizen_support import TODAY, id_number, make_citizen
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from pingan.citizen import selectors, services
from pingan.citizen.models import Booking, Notice, PermitApplication, Slot, Ticket
from pingan.citizen.services import Upload
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import AuditRecord, AuditSubject

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%synthetic test document\n"


def first_slot(counter, day=dt.date(2026, 3, 5)):
    services.slots_open(counter=counter, today=TODAY)
    return Slot.objects.filter(counter=counter, day=day).order_by("start").first()


def test_slots_open_for_the_window_once(world):
    assert services.slots_open(counter=world.counter_a, today=TODAY) == 7 * 13  # 7 days × (7 + 6) half-hours
    assert services.slots_open(counter=world.counter_a, today=TODAY) == 0


def test_booking_and_its_refusals(world):
    slot = first_slot(world.counter_a)
    b = services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert (b.status, b.name, b.id_number) == ("booked", world.alice.identity.name, world.alice.identity.id_number)
    with pytest.raises(DomainError) as e:  # one booking per person per day
        services.booking_create(actor=world.alice, slot_id=slot.pk + 1, service="residence_permit_first", today=TODAY)
    assert e.value.code == "one_booking_per_day"
    with pytest.raises(DomainError) as e:
        services.booking_create(actor=world.bob, slot_id=slot.pk, service="traffic_violation_payment", today=TODAY)
    assert e.value.code == "service_not_offered"
    with pytest.raises(DomainError) as e:  # on the day itself: outside the window
        services.booking_create(actor=world.bob, slot_id=slot.pk, service="residence_permit_first",
                                today=dt.date(2026, 3, 5))
    assert e.value.code == "outside_booking_window"
    services.booking_create(actor=world.bob, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    carol = make_citizen("carol", seed=3)
    with pytest.raises(DomainError) as e:
        services.booking_create(actor=carol, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert e.value.code == "slot_full" and e.value.status == 409
    slot.refresh_from_db()
    assert slot.taken == 2


def test_only_citizens_book(world, cast):
    slot = first_slot(world.counter_a)
    for user in (cast.officer_a, cast.landlord_a, cast.admin):
        with pytest.raises(PermissionDenied):
            services.booking_create(actor=user, slot_id=slot.pk, service="residence_permit_first", today=TODAY)


def test_an_account_without_identity_may_not_book_a_free_place(world, cast):
    from pingan.core.services import user_create

    nameless = user_create(username="nameless", password=PASSWORD_FOR_TESTS, role="citizen")
    slot = first_slot(world.counter_a)
    with pytest.raises(DomainError) as e:
        services.booking_create(actor=nameless, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert e.value.code == "identity_required"
    slot.refresh_from_db()
    assert slot.taken == 0


def test_a_full_slot_costs_one_query_and_a_booking_is_audited_with_its_person(world, django_assert_num_queries):
    slot = first_slot(world.counter_a)
    Slot.objects.filter(pk=slot.pk).update(taken=F("capacity"))
    carol = make_citizen("carol", seed=3)
    with django_assert_num_queries(1), pytest.raises(DomainError) as e:  # the slot read; no transaction, no lock
        services.booking_create(actor=carol, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert e.value.code == "slot_full"
    Slot.objects.filter(pk=slot.pk).update(taken=0)
    b = services.booking_create(actor=carol, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert b.slot.counter.unit.name  # the answer shows counter and station without another read
    record = AuditRecord.objects.get(action="book", object_id=str(b.pk))
    assert record.detail["subjects"]["n"] == 1 and AuditSubject.objects.filter(seq=record.seq).exists()


def test_cancel_a_day_ahead_frees_the_place(world):
    slot = first_slot(world.counter_a)
    b = services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    with pytest.raises(NotFound):  # someone else's booking does not exist for bob
        services.booking_cancel(actor=world.bob, booking_id=b.pk, today=TODAY)
    with pytest.raises(DomainError) as e:
        services.booking_cancel(actor=world.alice, booking_id=b.pk, today=dt.date(2026, 3, 5))
    assert e.value.code == "too_late_to_cancel"
    services.booking_cancel(actor=world.alice, booking_id=b.pk, today=TODAY)
    slot.refresh_from_db()
    assert slot.taken == 0
    services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first", today=TODAY)


def test_two_no_shows_in_a_month_suspend_booking(world):
    alice = world.alice.identity
    services.slots_open(counter=world.counter_a, today=dt.date(2026, 2, 2))
    for day in (dt.date(2026, 2, 3), dt.date(2026, 2, 20)):
        slot = Slot.objects.filter(counter=world.counter_a, day=day).first() or Slot.objects.create(
            counter=world.counter_a, day=day, start=dt.time(9), capacity=2)
        Booking.objects.create(slot=slot, day=day, citizen=world.alice, name=alice.name, id_number=alice.id_number,
                               service="residence_permit_first", rules_version="x")
    assert services.bookings_mark_no_shows(today=dt.date(2026, 3, 1)) == 2
    assert set(Notice.objects.filter(recipient=world.alice).values_list("code", flat=True)) == {
        "no_show", "booking_suspended"}
    slot = first_slot(world.counter_a)
    with pytest.raises(DomainError) as e:
        services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    assert e.value.code == "booking_suspended" and e.value.params["until"] == "2026-05-20"
    services.booking_create(actor=world.bob, slot_id=slot.pk, service="residence_permit_first", today=TODAY)


@pytest.mark.django_db(transaction=True)
def test_many_people_race_for_the_last_place_one_wins(cast, world):
    """20 threads, each its own PostgreSQL connection, for a slot with one place left: exactly one booking."""
    if connection.vendor != "postgresql":
        pytest.skip("the race is a PostgreSQL test")
    slot = first_slot(world.counter_b, dt.date(2026, 3, 5))  # capacity 1
    people = [make_citizen(f"racer{i}", seed=100 + i) for i in range(20)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def go(user):
        try:
            barrier.wait()
            try:
                services.booking_create(actor=user, slot_id=slot.pk, service="id_card_replacement", today=TODAY)
                got = "booked"
            except DomainError as exc:
                got = exc.code
            with lock:
                outcomes.append(got)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["slot_full"] * 19
    slot.refresh_from_db()
    assert slot.taken == 1 and Booking.objects.filter(slot=slot, status="booked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_racing_for_two_slots_the_same_day_gets_one(cast, world):
    if connection.vendor != "postgresql":
        pytest.skip("the race is a PostgreSQL test")
    services.slots_open(counter=world.counter_a, today=TODAY)
    slots = list(Slot.objects.filter(counter=world.counter_a, day=dt.date(2026, 3, 5))[:8])
    barrier = threading.Barrier(len(slots))
    outcomes: list[str] = []

    def go(slot):
        try:
            barrier.wait()
            try:
                services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first",
                                        today=TODAY)
                outcomes.append("booked")
            except DomainError as exc:
                outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(s,)) for s in slots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["one_booking_per_day"] * 7
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("taken", flat=True)) == 1


def test_check_in_is_real_name_and_the_queue_mixes_bookings_and_walk_ins(world, cast):
    slot = first_slot(world.counter_a)  # 08:30 on 2026-03-05
    b = services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first", today=TODAY)
    at = timezone.make_aware(dt.datetime(2026, 3, 5, 8, 10))
    w1 = services.ticket_walk_in(actor=cast.officer_a, counter_id=world.counter_a.pk, now=at)
    with pytest.raises(DomainError) as e:
        services.booking_check_in(actor=cast.officer_a, booking_id=b.pk, id_number=id_number(2), now=at)
    assert e.value.code == "identity_mismatch"
    with pytest.raises(NotFound):  # station B's officer cannot see A's booking
        services.booking_check_in(actor=cast.officer_b, booking_id=b.pk, id_number=b.id_number, now=at)
    with pytest.raises(PermissionDenied):  # the analyst sees it but works no desk
        services.booking_check_in(actor=cast.analyst, booking_id=b.pk, id_number=b.id_number, now=at)
    a1 = services.booking_check_in(actor=cast.officer_a, booking_id=b.pk, id_number=b.id_number.lower(),
                                   now=at + dt.timedelta(minutes=5))
    w2 = services.ticket_walk_in(actor=cast.officer_a, counter_id=world.counter_a.pk, now=at + dt.timedelta(minutes=6))
    assert (a1.label, w1.label, w2.label) == ("A001", "W001", "W002")
    # 08:20: the booking's slot (08:30) has not begun: walk-ins first
    call = lambda m: services.ticket_call_next(actor=cast.officer_a, counter_id=world.counter_a.pk,  # noqa: E731
                                               now=at + dt.timedelta(minutes=m))
    assert call(10).label == "W001"
    assert call(21).label == "A001"  # 08:31: the slot began: the booking goes before W002
    assert call(30).label == "W002"
    assert call(40) is None
    assert Ticket.objects.filter(status="done").count() == 3
    display = selectors.queue_display(counter=world.counter_a, now=at + dt.timedelta(minutes=41))
    assert display["waiting"] == 0 and display["current"] is None and len(display["recent"]) == 3


def upload(kind):
    return Upload(kind, f"{kind}.pdf", PDF)


def apply(world, since=dt.date(2025, 1, 10), docs=("id_card", "photo", "lease", "labour_contract"), **kw):
    return services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                                 residence_since=since, basis="employment", documents=[upload(k) for k in docs],
                                 today=TODAY, **kw)


def test_application_missing_documents_one_notice_then_complete(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    app = apply(world, docs=("id_card",))
    assert app.status == "incomplete" and app.unit.code == "350203-LQ"
    assert app.missing == ["photo", "any:lease|property_deed|purchase_contract|accommodation_letter",
                           "any:business_licence|labour_contract|employer_letter"]
    notices = list(Notice.objects.filter(recipient=world.alice, code="documents_missing"))
    assert len(notices) == 1 and notices[0].params["missing"] == app.missing
    stored = app.documents.get()
    assert (tmp_path / stored.path).read_bytes() == PDF and oct((tmp_path / stored.path).stat().st_mode)[-3:] == "600"
    app = services.permit_documents_add(actor=world.alice, application_id=app.pk,
                                        documents=[upload("photo"), upload("lease"), upload("employer_letter")],
                                        today=TODAY)
    assert app.status == "submitted" and app.missing == []


def test_bad_uploads_are_refused(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    for up, code in ((Upload("id_card", "x.exe", b"MZ\x90\x00"), "bad_document_type"),
                     (Upload("passport_scan", "x.pdf", PDF), "bad_document_kind"),
                     (Upload("id_card", "x.pdf", b""), "document_empty")):
        with pytest.raises(DomainError) as e:
            services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                                  residence_since=dt.date(2025, 1, 1), basis="employment", documents=[up], today=TODAY)
        assert e.value.code == code
    assert not PermitApplication.objects.exists()


def test_files_of_a_refused_upload_are_swept_after_the_grace_period(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(DomainError):  # the ID card is written, the second file refused: the row rolls back
        services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                              residence_since=dt.date(2025, 1, 1), basis="employment",
                              documents=[Upload("id_card", "id.pdf", PDF), Upload("photo", "x.exe", b"MZ")],
                              today=TODAY)
    orphans = list((tmp_path / "citizen" / "permits").rglob("*"))
    assert [f for f in orphans if f.is_file()]  # the refused application's file was left behind
    app = services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                                residence_since=dt.date(2025, 1, 1), basis="employment",
                                documents=[Upload("id_card", "id.pdf", PDF)], today=TODAY)
    kept = tmp_path / app.documents.get().path
    assert services.permit_files_sweep() == 0  # within the grace period: its request may still be committing
    assert services.permit_files_sweep(now=timezone.now() + dt.timedelta(hours=2)) == 1
    assert kept.exists() and not [f for f in orphans if f.exists() and f.is_file()]
    assert AuditRecord.objects.filter(action="sweep", detail__orphaned_files_removed=1).exists()


def test_address_outside_the_city_and_unknown_codes(world):
    for adcode, code in (("110101", "address_outside"), ("999999", "unknown_adcode")):
        with pytest.raises(DomainError) as e:
            services.permit_apply(actor=world.alice, address="某地某路1号", adcode=adcode,
                                  residence_since=dt.date(2025, 1, 1), basis="employment", documents=[], today=TODAY)
        assert e.value.code == code


def test_an_unknown_area_code_is_refused_as_a_premises_is(world):
    """One rule for an area code (``core.services.known_adcode``), the same error whoever gives it."""
    from pingan.core.services import known_adcode

    for adcode in ("999999", " 35020", "35020301x", ""):
        with pytest.raises(DomainError) as core_refusal:
            known_adcode(adcode)
        with pytest.raises(DomainError) as e:
            services.permit_apply(actor=world.alice, address="某地某路1号", adcode=adcode,
                                  residence_since=dt.date(2025, 1, 1), basis="employment", documents=[], today=TODAY)
        assert (e.value.code, e.value.message, e.value.params) == (
            core_refusal.value.code, core_refusal.value.message, core_refusal.value.params)


def test_review_accept_issue_overdue_and_audit(world, cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    app = apply(world)
    assert app.status == "submitted"
    with pytest.raises(NotFound):
        services.permit_decide(actor=cast.officer_b, application_id=app.pk, decision="accept", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.permit_decide(actor=cast.analyst, application_id=app.pk, decision="accept", today=TODAY)
    app = services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="accept", today=TODAY)
    assert (app.status, app.accepted_on, app.due_on) == ("accepted", TODAY, dt.date(2026, 3, 19))
    assert list(selectors.permits_list(actor=cast.chief_a, overdue_on=dt.date(2026, 3, 19))) == []
    assert list(selectors.permits_list(actor=cast.chief_a, overdue_on=dt.date(2026, 3, 20))) == [app]
    assert list(selectors.permits_list(actor=cast.officer_b, overdue_on=dt.date(2026, 3, 20))) == []
    app = services.permit_decide(actor=cast.chief_a, application_id=app.pk, decision="issue", today=TODAY)
    assert app.status == "issued" and app.permit_number.startswith("3502032026")
    actions = list(AuditRecord.objects.filter(object_type="PermitApplication", object_id=str(app.pk))
                   .values_list("action", flat=True))
    assert actions == ["apply", "accept", "issue"]
    # the applicant sees their own, other citizens nothing
    assert selectors.permit_get(actor=world.alice, application_id=app.pk) == app
    with pytest.raises(NotFound):
        selectors.permit_get(actor=world.bob, application_id=app.pk)


def test_a_short_residence_cannot_be_accepted_and_rejection_needs_a_reason(world, cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    app = apply(world, since=dt.date(2025, 10, 1))
    assert app.status == "submitted" and app.findings[0]["code"] == "residence_too_short"
    with pytest.raises(DomainError) as e:
        services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="accept", today=TODAY)
    assert e.value.code == "not_eligible"
    with pytest.raises(DomainError) as e:
        services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="reject", today=TODAY)
    assert e.value.code == "permit_reason_required"
    app = services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="reject",
                                 reason="居住未满半年", today=TODAY)
    assert app.status == "rejected"


def test_issue_deadline_configurable_up_to_30_days(world, cast, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("PINGAN_CITIZEN_ISSUE_DAYS", "30")
    app = services.permit_decide(actor=cast.officer_a, application_id=apply(world).pk, decision="accept", today=TODAY)
    assert app.due_on == dt.date(2026, 4, 3)
    monkeypatch.setenv("PINGAN_CITIZEN_ISSUE_DAYS", "31")
    with pytest.raises(DomainError):
        services.issue_days()


def test_endorsement_in_the_window_late_and_reminders(world, cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    app = apply(world)
    services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="accept", today=TODAY)
    app = services.permit_decide(actor=cast.officer_a, application_id=app.pk, decision="issue", today=TODAY)
    with pytest.raises(DomainError) as e:
        services.permit_endorse(actor=world.alice, application_id=app.pk, today=dt.date(2027, 2, 3))
    assert e.value.code == "endorsement_not_open" and e.value.params["first"] == "2027-02-04"
    assert services.reminders_send(today=dt.date(2027, 2, 4)) == 1
    assert services.reminders_send(today=dt.date(2027, 2, 5)) == 0  # once
    e1 = services.permit_endorse(actor=world.alice, application_id=app.pk, today=dt.date(2027, 2, 10))
    assert (e1.year, e1.late) == (1, False)
    # the second year lapses; the station endorses late and the count restarts from that day
    e2 = services.permit_endorse(actor=cast.officer_a, application_id=app.pk, today=dt.date(2028, 3, 10))
    assert (e2.year, e2.late) == (2, True)
    state, window = services.endorsement_state(app, dt.date(2029, 2, 10))
    assert state == "due" and window.anniversary == dt.date(2029, 3, 10)
