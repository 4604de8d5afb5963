"""Issue 11: the audit search promises a match by phone number; a fraud report's victim and a warning's person are
shown with their phone, so their reads keep its digest (a warning often has no name: the phone is all there is)."""

from __future__ import annotations

import pytest

from pingan.antifraud.models import FraudReport, Warning
from pingan.antifraud.selectors import report_subjects, warning_subjects
from pingan.core import audit

pytestmark = pytest.mark.django_db


def keys(subjects) -> set[int]:
    return set().union(*(audit.subject_keys(s) for s in subjects))


@pytest.mark.parametrize("written", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_a_report_and_a_warning_are_found_by_the_phone_they_show(written):
    report = FraudReport(victim_name="沈云", victim_id_number="", victim_phone="13812345678")
    warning = Warning(person_phone="+8613812345678", person_name="")
    assert audit.subject_keys_for_query(written) & keys(report_subjects(report))
    assert audit.subject_keys_for_query(written) & keys(warning_subjects(warning))
    assert not audit.subject_keys_for_query("13812345679") & keys(warning_subjects(warning))


def test_the_warning_sent_by_text_message_is_found_by_its_phone(cast, centre, case):
    """The review: the record of a warning's creation (the text message it sends) and of its outcome named no
    person, so the auditor's phone search did not find them."""
    from pingan.antifraud import services
    from pingan.core import selectors as core_selectors
    from pingan.core.models import AuditRecord

    w = services.realtime_event({"kind": "sms", "counterpart": "+86 139 0000 0002", "counterpart_kind": "phone",
                                 "person": "13800000077"})
    assert w is not None
    warning = Warning.objects.get(person_phone="+8613800000077")
    services.warning_outcome(actor=centre.officer, warning=warning, outcome="persuaded")
    wanted = set(AuditRecord.objects.filter(object_type="Warning", object_id=str(warning.pk),
                                            action__in=["warn", "warning_outcome"]).values_list("seq", flat=True))
    assert len(wanted) == 2
    for written in ("13800000077", "138 0000 0077"):
        found = core_selectors.audit_search(actor=cast.auditor, query=core_selectors.AuditQuery(person=written))
        assert wanted <= {r.seq for r in found}, written
