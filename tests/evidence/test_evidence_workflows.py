"""Refused transfers, check-out extensions and the Art. 13 supervision filing, through the services and the
pages (issue 17's second round); permissions per role × own/other jurisdiction are in test_evidence_web."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from test_evidence_services import intake_all
from test_evidence_web import sign_in

from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import AuditRecord
from pingan.evidence import selectors, services
from pingan.evidence.models import CheckOut, Extension, Item, SupervisionFiling, Transfer

pytestmark = pytest.mark.django_db


def test_a_refused_transfer_leaves_custody_with_the_sender_and_is_on_each_chain(cast, case, people, store):
    c, items = case
    items = intake_all(people, items, store)
    labels_ = [items[0].label, items[1].label]
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=labels_,
                               recommendation="随案移送")
    with pytest.raises(NotFound):  # only the receiving body decides
        services.transfer_reject(actor=people.clerk, transfer_id=t.pk, reason="x")
    with pytest.raises(DomainError) as e:
        services.transfer_reject(actor=people.procurator2, transfer_id=t.pk, reason="  ")
    assert e.value.code == "evidence_field_required"
    services.transfer_reject(actor=people.procurator2, transfer_id=t.pk, reason="清单与实物不符，退回补正")
    t.refresh_from_db()
    assert t.status == Transfer.Status.REJECTED and t.rejected_by == people.procurator2 and t.accepted_at is None
    phone = Item.objects.get(pk=items[0].pk)
    assert phone.custody.code == "350203-LQ" and phone.location_id == items[0].location_id
    last = phone.events.order_by("-seq").first()
    assert last.kind == "transfer_rejected" and last.reason == "清单与实物不符，退回补正"
    assert last.detail == {"transfer": t.number, "by": "350203-JCY"} and last.actor == "jcy_procurator2:procurator"
    assert AuditRecord.objects.filter(action="transfer_rejected", object_id=phone.label).exists()
    assert services.item_verify(item=phone).ok
    # the list it refused does not open the items to the procuratorate
    assert not selectors.items_list(actor=people.procurator).exists()
    for decide in (services.transfer_accept, lambda **kw: services.transfer_reject(**kw, reason="again")):
        with pytest.raises(DomainError) as e:
            decide(actor=people.procurator, transfer_id=t.pk)
        assert e.value.code == "transfer_decided"
    # corrected, the items go again, and this time they are accepted
    t2 = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=labels_,
                                recommendation="补正后移送")
    services.transfer_accept(actor=people.procurator, transfer_id=t2.pk)
    assert Item.objects.get(pk=phone.pk).custody.code == "350203-JCY"


def _out(cast, people, label, borrower, approver):
    co = services.checkout_request(actor=borrower, label=label, purpose="appraisal", reason="鉴定",
                                   due_back_at=timezone.now() + dt.timedelta(days=1))
    services.checkout_approve(actor=approver, checkout_id=co.pk)
    services.scan(actor=people.custodian, label=label)
    return CheckOut.objects.get(pk=co.pk)


def test_an_extension_moves_the_due_time_only_with_another_persons_approval(cast, case, people, store):
    _, items = case
    items = intake_all(people, items, store)
    phone = items[0]
    co = _out(cast, people, phone.label, cast.chief_a, people.chief_a2)
    new_due = co.due_back_at + dt.timedelta(days=3)
    with pytest.raises(DomainError) as e:  # earlier than now or the current due time
        services.extension_request(actor=cast.chief_a, checkout_id=co.pk, new_due=co.due_back_at, reason="r")
    assert e.value.code == "bad_extension_due"
    with pytest.raises(DomainError) as e:  # beyond the 30-day limit of the rules
        services.extension_request(actor=cast.chief_a, checkout_id=co.pk,
                                   new_due=timezone.now() + dt.timedelta(days=31), reason="r")
    assert e.value.code == "bad_extension_due"
    with pytest.raises(NotFound):  # another jurisdiction does not see the check-out
        services.extension_request(actor=cast.officer_b, checkout_id=co.pk, new_due=new_due, reason="r")
    with pytest.raises(PermissionDenied):  # the store does not borrow
        services.extension_request(actor=people.custodian, checkout_id=co.pk, new_due=new_due, reason="r")
    ext = services.extension_request(actor=cast.chief_a, checkout_id=co.pk, new_due=new_due, reason="鉴定未完成")
    with pytest.raises(DomainError) as e:
        services.extension_request(actor=cast.officer_a, checkout_id=co.pk, new_due=new_due, reason="r")
    assert e.value.code == "extension_pending"
    with pytest.raises(PermissionDenied) as e:  # the borrower who asked cannot approve it
        services.extension_decide(actor=cast.chief_a, extension_id=ext.pk, approve=True)
    assert e.value.code == "four_eyes"
    with pytest.raises(PermissionDenied):  # an officer is no approver
        services.extension_decide(actor=cast.officer_a, extension_id=ext.pk, approve=True)
    with pytest.raises(NotFound):
        services.extension_decide(actor=cast.officer_b, extension_id=ext.pk, approve=True)
    services.overdue_alert(now=co.due_back_at + dt.timedelta(hours=1))  # already alerted once
    services.extension_decide(actor=people.chief_a2, extension_id=ext.pk, approve=True)
    co.refresh_from_db()
    item = Item.objects.get(pk=phone.pk)
    assert co.due_back_at == new_due == item.due_back_at and co.alerted_at is None
    ev = item.events.order_by("-seq").first()
    assert ev.kind == "extension" and ev.detail["approver"] == "chief_a2" and ev.detail["requested_by"] == "chief_a"
    assert ev.detail["to"] == new_due.isoformat() and services.item_verify(item=item).ok
    assert services.overdue_alert(now=co.due_back_at - dt.timedelta(hours=1)) == []  # not overdue any more
    with pytest.raises(DomainError) as e:
        services.extension_decide(actor=people.chief_a2, extension_id=ext.pk, approve=False)
    assert e.value.code == "extension_decided"
    # a refusal changes nothing but the request
    ext2 = services.extension_request(actor=cast.chief_a, checkout_id=co.pk, new_due=new_due + dt.timedelta(days=1),
                                      reason="再延")
    services.extension_decide(actor=people.chief_a2, extension_id=ext2.pk, approve=False, note="不批准")
    assert Extension.objects.get(pk=ext2.pk).status == "refused"
    assert CheckOut.objects.get(pk=co.pk).due_back_at == new_due
    services.scan(actor=people.custodian, label=phone.label, condition="完好")
    with pytest.raises(DomainError) as e:  # returned: nothing to extend
        services.extension_request(actor=cast.chief_a, checkout_id=co.pk, new_due=new_due, reason="r")
    assert e.value.code == "checkout_not_out"


def test_the_supervision_filing_falls_due_at_the_first_intake_and_store_staff_record_it(cast, case, people, store):
    _, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    f = SupervisionFiling.objects.get()
    intake = Item.objects.get(pk=items[0].pk).intake_at
    assert f.received_at == intake and f.due_at == intake + dt.timedelta(hours=24) and f.filed_at is None
    services.scan(actor=people.custodian, label=items[1].label, location_code="SW-V1")
    assert SupervisionFiling.objects.count() == 1  # one per seizure list
    assert selectors.filings_list(actor=cast.officer_a).count() == 1
    for who in (cast.officer_b, people.procurator, people.clerk, cast.auditor, people.custodian_elsewhere):
        assert not selectors.filings_list(actor=who).exists(), who
    for who in (cast.officer_a, cast.chief_a, people.custodian_elsewhere, people.procurator):
        with pytest.raises(PermissionDenied):
            services.filing_record(actor=who, filing_id=f.pk, reference="DC-1", supervision="督察支队")
    with pytest.raises(DomainError) as e:
        services.filing_record(actor=people.custodian, filing_id=f.pk, reference="", supervision="督察支队")
    assert e.value.code == "evidence_field_required"
    services.filing_record(actor=people.custodian, filing_id=f.pk, reference="DC-2026-118", supervision="思明分局督察")
    f.refresh_from_db()
    assert f.filed_by == people.custodian and f.reference == "DC-2026-118"
    rec = AuditRecord.objects.get(action="supervision_filing")
    assert rec.object_id == "KY-2026-001" and rec.detail["late"] is False
    with pytest.raises(DomainError) as e:
        services.filing_record(actor=people.custodian, filing_id=f.pk, reference="x", supervision="y")
    assert e.value.code == "filing_done"


def test_refusal_extension_and_filing_through_the_pages(client, cast, people, case, store):
    c, items = case
    items = intake_all(people, items, store)
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=[items[0].label],
                               recommendation="随案移送")
    sign_in(client, people.procurator)
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    assert "拒收" in page
    client.post(f"/evidence/cases/{c.pk}/", {"form": "reject", "transfer": t.pk, "reason": "缺少鉴定意见"})
    assert Transfer.objects.get(pk=t.pk).status == "rejected"
    sign_in(client, cast.officer_a)
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    assert "缺少鉴定意见" in page and "已拒收" in page
    co = _out(cast, people, items[3].label, cast.chief_a, people.chief_a2)
    sign_in(client, cast.chief_a)
    new_due = timezone.localtime(co.due_back_at + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/evidence/items/{items[3].label}/extend/", {"checkout": co.pk, "new_due": new_due, "reason": "复检"})
    ext = Extension.objects.get()
    page = client.get(f"/evidence/items/{items[3].label}/").content.decode()
    assert "复检" in page and "批准延期" not in page  # who asked sees no approve button
    sign_in(client, people.chief_a2)
    assert "批准延期" in client.get(f"/evidence/items/{items[3].label}/").content.decode()
    client.post(f"/evidence/items/{items[3].label}/extension/", {"extension": ext.pk, "approve": "1"})
    assert Extension.objects.get(pk=ext.pk).status == "approved"
    sign_in(client, people.custodian)
    page = client.get("/evidence/filings/").content.decode()
    assert "KY-2026-001" in page and "记录报备" in page
    f = SupervisionFiling.objects.get()
    r = client.post("/evidence/filings/", {"filing": f.pk, "reference": "DC-7", "supervision": "督察"})
    assert r.status_code == 302 and SupervisionFiling.objects.get().filed_at is not None
    sign_in(client, cast.officer_b)
    assert "KY-2026-001" not in client.get("/evidence/filings/").content.decode()
