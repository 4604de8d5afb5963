"""Every place a phone number is recorded in an audited read is found by the auditor's phone search (the keyed
digest of ``core.audit``): the review found none for a roster row's phone as given (``given_phone``: a row not
screened), appointment bookings and residence-permit applications (made under a citizen's identity, whose phone
gets their text-message reminders). SMS warnings: ``tests/antifraud/test_antifraud_audit_phone.py``."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core import audit
from pingan.core import selectors as core_selectors

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
PURPOSE = "citizen_services"


def keys(subjects) -> set[int]:
    return set().union(*(audit.subject_keys(s) for s in subjects))


@pytest.mark.parametrize("written", [PHONE, "138 1234 5678", "+86 138-1234-5678"])
def test_a_roster_rows_phone_as_given_is_found(written):
    from pingan.screening.models import PersonResult
    from pingan.screening.selectors import person_subjects

    rejected = PersonResult(name="沈云", id_number="", phone="", given_id_number="11010119900307123X",
                            given_phone=PHONE)
    assert audit.subject_keys_for_query(written) & keys(person_subjects(rejected))
    assert audit.subject_keys_for_query("11010119900307123X") & keys(person_subjects(rejected))
    assert len(person_subjects(rejected)) == 1  # one person, however many numbers


def searched(cast, text: str) -> set[int]:
    return {r.seq for r in core_selectors.audit_search(actor=cast.auditor,
                                                      query=core_selectors.AuditQuery(person=text))}


def test_bookings_and_permit_applications_are_found_by_the_citizens_phone(cast, permit_applications):
    from pingan.citizen import selectors
    from pingan.citizen.models import Booking, Counter, Identity, Slot
    from pingan.core.models import AuditRecord

    Identity.objects.update_or_create(user=cast.citizen, defaults={"name": "沈云", "id_number": "11010119900307123X",
                                                                   "phone": PHONE})
    counter = Counter.objects.create(unit=cast.unit_a, name="户政窗口", sessions=[], weekdays=[])
    day = dt.date(2026, 12, 8)
    slot = Slot.objects.create(counter=counter, day=day, start=dt.time(9), capacity=2)
    Booking.objects.create(slot=slot, day=day, citizen=cast.citizen, name="沈云", id_number="11010119900307123X",
                           service="id_card", rules_version="t")
    permit_applications("submitted", 1)
    assert len(selectors.bookings_list(actor=cast.officer_a, purpose=PURPOSE)) == 1
    assert len(selectors.permits_list(actor=cast.officer_a, purpose=PURPOSE)) == 1
    reads = set(AuditRecord.objects.filter(object_type__in=["Booking.list", "PermitApplication.list"])
                .values_list("seq", flat=True))
    assert len(reads) == 2
    for written in (PHONE, "+86 138 1234 5678"):
        assert reads <= searched(cast, written), written


@pytest.mark.parametrize("stored", ["19329540037", "193-2954-0037", "+86 193 2954 0037"])
def test_a_job_is_found_by_its_rows_phone_however_either_is_written(cast, stored):
    # issue 11: '19329540037' found the download of a whole screening job, '193 2954 0037' and '193-2954-0037'
    # did not (the job's rows were looked up by the phone exactly as written)
    from web_support import make_job

    from pingan.screening.models import PersonResult

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    PersonResult.objects.filter(job=job, row=2).update(phone=stored)
    PersonResult.objects.filter(job=job, row=5).update(given_phone="138 1234 5678")
    for written in ("19329540037", "193 2954 0037", "193-2954-0037", "+86 193 2954 0037", "0086-193-2954-0037"):
        assert job.pk in audit.resolve_subject(written).get("ScreeningJob", set()), written
    assert job.pk in audit.resolve_subject("+8613812345678").get("ScreeningJob", set())  # as given (not screened)
    assert not audit.resolve_subject("193 2954 0038")
