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


def test_a_suspects_phone_read_on_the_pages_is_a_subject_of_the_read(cast, centre, case, client):
    """Issue 11's trial of the police pages: the report page shows the suspects' phone numbers (and the blocks
    page the blocked ones), and the audit trail named the victim only — an auditor's search for the suspect's
    phone found nobody who had read it. Now each read names the phone it showed (docs/audit.md "Subjects")."""
    from antifraud_support import sign_in

    from pingan.antifraud import services
    from pingan.core import selectors as core_selectors
    from pingan.core.models import AuditRecord

    report, _stmt = case
    block = services.block_create(actor=centre.chief, kind="phone", value="+86 139 0000 0003",
                                  reason="诈骗电话", evidence=f"{report}")
    sign_in(client, centre.officer)
    before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert client.get(f"/antifraud/reports/{report.pk}/").status_code == 200
    sign_in(client, centre.chief)
    assert client.get("/antifraud/blocks/").status_code == 200
    assert client.get(f"/antifraud/blocks/{block.pk}/").status_code == 200

    def reads_found(written: str) -> set[str]:
        found = core_selectors.audit_search(actor=cast.auditor, query=core_selectors.AuditQuery(person=written))
        return {r.object_type for r in found if r.seq > before and r.action in ("read", "list")}

    for written in ("13900000002", "139 0000 0002", "+8613900000002"):
        assert "FraudReport" in reads_found(written), written
    assert {"Block"} <= reads_found("13900000003")
    assert not reads_found("13900000009")
