"""The evidence services on PostgreSQL: intake with labels, the custody chain and its tamper evidence, the
separation of duties, check-outs, transfers police → procuratorate → court without moving the object,
rulings and disposal under the rules, inventory counts, digital files, the case-money ledger."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from evidence_support import T0

from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.evidence import labels, selectors, services
from pingan.evidence.models import CashEntry, CheckOut, CustodyEvent, Item, ItemStatus, Ruling

pytestmark = pytest.mark.django_db


def intake_all(people, items, store):
    services.item_value(actor=people.custodian, label=items[2].label, photos=3, value_cents=180_000)
    where = {"electronic": "SW-R1-A1", "cash": "SW-V1", "valuables": "SW-V1", "perishable": "SW-C1"}
    for it in items:
        services.scan(actor=people.custodian, label=it.label, location_code=where[it.category])
    return [Item.objects.get(pk=i.pk) for i in items]


def test_a_seizure_list_labels_its_items_and_starts_their_chains(case):
    c, items = case
    assert [i.line for i in items] == [1, 2, 3, 4]
    assert all(labels.parse(i.label) == i.label and i.label.startswith("SW-2026-") for i in items)
    assert len({i.label for i in items}) == 4
    assert all(i.status == ItemStatus.REGISTERED and i.custody == c.unit and i.head_seq == 1 for i in items)
    assert services.item_verify(item=items[0]).ok
    ev = items[0].events.get()
    assert ev.kind == "seized" and ev.witness == "见证人王某" and ev.detail["list"] == "KY-2026-001"


def test_a_seizure_needs_two_investigators(cast, people, store):
    from pingan.evidence.services import ItemIn

    c = services.case_create(actor=cast.officer_a, number="C-1", title="t")
    with pytest.raises(DomainError) as e:
        services.seizure_list_create(actor=cast.officer_a, case=c, number="L1", holder_name="h", witness_name="w",
                                     officers=[], seized_at=T0, items=[ItemIn("x", "other")])
    assert e.value.code == "two_officers"
    with pytest.raises(PermissionDenied):  # officer_b is not an investigator of the case
        services.seizure_list_create(actor=cast.officer_b, case=c, number="L1", holder_name="h", witness_name="w",
                                     officers=[cast.officer_a], seized_at=T0, items=[ItemIn("x", "other")])


def test_intake_scans_put_items_in_store_and_cash_in_the_ledger(case, people, store):
    _c, items = case
    with pytest.raises(DomainError) as e:  # the ring is a valuable: photographed and valued first (§230)
        services.scan(actor=people.custodian, label=items[2].label, location_code="SW-V1")
    assert e.value.code == "valuable_not_valued"
    with pytest.raises(DomainError) as e:  # a phone does not go in the cold store
        services.scan(actor=people.custodian, label=items[0].label, location_code="SW-C1")
    assert e.value.code == "wrong_storage_class"
    items = intake_all(people, items, store)
    assert all(i.status == ItemStatus.IN_STORE and i.keeper == people.custodian for i in items)
    assert items[0].location.code == "SW-R1-A1" and items[1].location.code == "SW-V1"
    entry = CashEntry.objects.get()
    assert (entry.amount_cents, entry.balance_cents, entry.item_id) == (500_000, 500_000, items[1].pk)
    intake = items[0].events.get(kind="intake")
    assert intake.detail["late"] is True  # seized 30 Nov, checked in now: past the 24-hour hand-over
    # every event is anchored in the audit trail by its hash
    rec = audit.AuditRecord.objects.filter(object_type="EvidenceItem", object_id=items[0].label, action="intake").get()
    assert rec.detail["hash"] == intake.hash
    assert audit.verify(with_key=True).ok


def test_a_scan_in_a_handheld_scanners_spelling_finds_the_item(case, people, store):
    _, items = case
    typed = items[0].label.replace("-", " ").lower()
    r = services.scan(actor=people.custodian, label=typed, location_code="sw-r1-a1")
    assert r.action == "intake" and r.item.pk == items[0].pk
    with pytest.raises(DomainError) as e:  # one wrong digit: the check digits refuse it
        wrong = items[0].label[:-4] + str((int(items[0].label[-4]) + 1) % 10) + items[0].label[-3:]
        services.scan(actor=people.custodian, label=wrong, location_code="SW-R1-A1")
    assert e.value.code == "bad_label"


def test_capacity_of_a_shelf_is_enforced(cast, case, people, store):
    _, items = case
    intake_all(people, items, store)
    services.item_move(actor=people.custodian, label=items[0].label, location_code="SW-R1-A2")
    from pingan.evidence.services import ItemIn

    sl = services.seizure_list_create(actor=cast.officer_a, case=case[0], number="KY-2", holder_name="h",
                                      witness_name="w", officers=[people.officer_a2], seized_at=T0,
                                      items=[ItemIn("a", "other"), ItemIn("b", "other")])
    a, b = sl.items.order_by("line")
    services.scan(actor=people.custodian, label=a.label, location_code="SW-R1-A2")
    with pytest.raises(DomainError) as e:
        services.scan(actor=people.custodian, label=b.label, location_code="SW-R1-A2")
    assert e.value.code == "location_full"


def test_the_chain_detects_a_deleted_an_edited_and_an_inserted_event(case, people, store):
    _, items = case
    items = intake_all(people, items, store)
    phone = items[0]
    services.item_move(actor=people.custodian, label=phone.label, location_code="SW-R1-A2", reason="整理")
    assert services.item_verify(item=phone).ok and services.item_verify(item=phone).checked == 3
    events = list(phone.events.order_by("seq"))
    # edited: the reason of the move
    CustodyEvent.objects.filter(pk=events[2].pk).update(reason="别的理由")
    v = services.item_verify(item=phone)
    assert not v.ok and v.bad_seq == 3 and v.problem == "edited"
    CustodyEvent.objects.filter(pk=events[2].pk).update(reason="整理")
    assert services.item_verify(item=phone).ok
    # deleted: the intake in the middle
    CustodyEvent.objects.filter(pk=events[1].pk).delete()
    v = services.item_verify(item=phone)
    assert not v.ok and v.bad_seq == 2 and v.problem == "gap"
    # re-inserted with a forged content (recomputed hash but not the next link's prev_hash)
    forged = CustodyEvent(item=phone, seq=2, kind="intake", at=events[1].at, actor="x:custodian", custody="350203-LQ",
                          location="SW-R1-A1", prev_hash=events[1].prev_hash, detail={})
    forged.hash = services.chain.event_hash(services.event_fields(phone, forged))
    forged.save()
    v = services.item_verify(item=phone)
    assert not v.ok and v.bad_seq == 3 and v.problem == "relinked"


def test_a_checkpoint_lets_verification_start_at_it_and_the_full_one_still_sees_everything(case, people, store):
    _, items = case
    phone = intake_all(people, items, store)[0]
    v = services.item_checkpoint(item=phone)
    assert v.ok and v.checked == 2
    phone.refresh_from_db()
    assert (phone.chain_checked_seq, phone.chain_checked_hash) == (2, phone.head_hash)
    services.item_move(actor=people.custodian, label=phone.label, location_code="SW-R1-A2", reason="整理")
    v = services.item_verify(item=phone)
    assert v.ok and v.since == 2 and v.checked == 3
    first, cp, last = phone.events.order_by("seq")
    CustodyEvent.objects.filter(pk=last.pk).update(reason="改")  # after the checkpoint: seen
    assert services.item_verify(item=phone).problem == "edited"
    CustodyEvent.objects.filter(pk=last.pk).update(reason="整理")
    CustodyEvent.objects.filter(pk=cp.pk).update(witness="改")  # the checkpointed event itself: seen
    assert services.item_verify(item=phone).problem == "checkpoint_changed"
    CustodyEvent.objects.filter(pk=cp.pk).update(witness="")
    CustodyEvent.objects.filter(pk=first.pk).update(reason="改")  # before it: only the full verification
    assert services.item_verify(item=phone).ok
    v = services.item_verify(item=phone, full=True)
    assert not v.ok and v.bad_seq == 1 and v.problem == "edited"
    assert not services.item_checkpoint(item=phone).ok  # a broken chain keeps its old checkpoint
    phone.refresh_from_db()
    assert phone.chain_checked_seq == 2


def test_the_chain_detects_a_removed_last_event(case, people, store):
    _, items = case
    items = intake_all(people, items, store)
    items[0].events.order_by("-seq").first().delete()
    v = services.item_verify(item=items[0])
    assert not v.ok and v.problem == "head_mismatch"


def test_an_investigator_cannot_be_custodian_of_their_cases_items(cast, case, people, store):
    c, items = case
    # a custodian who is (wrongly) also an investigator of the case cannot check its items in …
    c.investigators.add(people.custodian2)
    with pytest.raises(PermissionDenied) as e:
        services.scan(actor=people.custodian2, label=items[0].label, location_code="SW-R1-A1")
    assert e.value.code == "separation_of_duties"
    # … and a keeper of the case's items cannot be made an investigator
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    with pytest.raises(DomainError):
        services.case_add_investigator(actor=cast.officer_a, case=c, user=people.custodian)
    # investigators (police) cannot scan at all: only store staff
    with pytest.raises(PermissionDenied):
        services.scan(actor=cast.officer_a, label=items[1].label, location_code="SW-V1")
    # a custodian of another centre is not store staff
    with pytest.raises(PermissionDenied):
        services.scan(actor=people.custodian_elsewhere, label=items[1].label, location_code="SW-V1")


def test_a_borrower_cannot_approve_their_own_checkout(cast, case, people, store):
    _, items = case
    intake_all(people, items, store)
    due = timezone.now() + dt.timedelta(days=2)
    co = services.checkout_request(actor=cast.chief_a, label=items[0].label, purpose="appraisal", reason="鉴定",
                                   due_back_at=due)
    with pytest.raises(PermissionDenied) as e:
        services.checkout_approve(actor=cast.chief_a, checkout_id=co.pk)
    assert e.value.code == "four_eyes"
    with pytest.raises(PermissionDenied):  # an officer is not an approver
        services.checkout_approve(actor=cast.officer_a, checkout_id=co.pk)
    with pytest.raises(NotFound):  # another jurisdiction does not even see it
        services.checkout_approve(actor=cast.officer_b, checkout_id=co.pk)
    with pytest.raises(DomainError) as e:  # not approved yet: the scan has nothing to hand out
        services.item_check_out(actor=people.custodian, label=items[0].label)
    assert e.value.code == "no_approved_checkout"
    services.checkout_approve(actor=people.chief_a2, checkout_id=co.pk)
    r = services.scan(actor=people.custodian, label=items[0].label)
    assert r.action == "check_out" and r.item.status == ItemStatus.CHECKED_OUT
    ev = r.item.events.get(kind="check_out")
    assert ev.detail["borrower"] == "chief_a" and ev.detail["approver"] == "chief_a2"
    # overdue: listed and alerted once
    assert services.overdue_alert(now=due + dt.timedelta(hours=1)) == [co.pk]
    assert services.overdue_alert(now=due + dt.timedelta(hours=2)) == []
    assert list(selectors.checkouts_overdue(actor=cast.chief_a, now=due + dt.timedelta(hours=1))) == [
        CheckOut.objects.get(pk=co.pk)]
    assert not selectors.checkouts_overdue(actor=cast.officer_b, now=due + dt.timedelta(hours=1)).exists()
    r = services.scan(actor=people.custodian, label=items[0].label, condition="完好")
    assert r.action == "return" and r.item.status == ItemStatus.IN_STORE
    assert services.item_verify(item=r.item).ok


def test_transfer_to_procuratorate_and_court_moves_custody_not_the_object(cast, case, people, store):
    c, items = case
    items = intake_all(people, items, store)
    shelf = items[0].location_id
    labels_ = [i.label for i in items[:3]]
    # the court sees nothing yet
    assert not selectors.items_list(actor=people.clerk).exists()
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=labels_,
                               recommendation="随案移送，建议依法处理")
    with pytest.raises(DomainError):  # the police cannot send straight to the court
        services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-FY", item_labels=[items[3].label],
                               recommendation="x")
    with pytest.raises(NotFound):  # only the receiving body accepts
        services.transfer_accept(actor=people.clerk, transfer_id=t.pk)
    assert selectors.items_list(actor=people.procurator).count() == 3  # sent: the procuratorate sees them
    services.transfer_accept(actor=people.procurator, transfer_id=t.pk)
    phone = Item.objects.get(pk=items[0].pk)
    assert phone.custody.code == "350203-JCY" and phone.location_id == shelf
    assert [e.kind for e in phone.events.order_by("seq")][-2:] == ["transfer_sent", "transfer"]
    # the police station still sees its case's items; the procurator cannot transfer the 4th (not theirs)
    assert selectors.items_list(actor=cast.officer_a).count() == 4
    t2 = services.transfer_send(actor=people.procurator, case=c, to_org_code="350203-FY",
                                item_labels=labels_[:2], recommendation="提起公诉，建议没收")
    assert set(selectors.items_list(actor=people.clerk).values_list("label", flat=True)) == set(labels_[:2])
    services.transfer_accept(actor=people.clerk, transfer_id=t2.pk)
    # a court user sees only items transferred to the court
    assert set(selectors.items_list(actor=people.clerk).values_list("label", flat=True)) == set(labels_[:2])
    with pytest.raises(NotFound):
        selectors.item_get(actor=people.clerk, label=labels_[2])
    assert selectors.item_get(actor=people.clerk, label=labels_[0]).custody.code == "350203-FY"
    assert not selectors.items_list(actor=cast.officer_b).exists()
    assert services.item_verify(item=phone).ok


def _to_court(cast, people, c, labels_):
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=labels_,
                               recommendation="随案移送")
    services.transfer_accept(actor=people.procurator, transfer_id=t.pk)
    t = services.transfer_send(actor=people.procurator, case=c, to_org_code="350203-FY", item_labels=labels_,
                               recommendation="建议没收")
    services.transfer_accept(actor=people.clerk, transfer_id=t.pk)


def test_disposal_is_refused_before_the_ruling_and_under_a_legal_hold(cast, case, people, store):
    c, items = case
    items = intake_all(people, items, store)
    phone, cash = items[0], items[1]
    with pytest.raises(DomainError) as e:
        services.item_dispose(actor=people.custodian, label=phone.label, disposition="confiscate", basis="ruling")
    assert e.value.code == "no_ruling"
    _to_court(cast, people, c, [phone.label, cash.label])
    services.hold_set(actor=people.clerk, label=phone.label, on=True, reason="上诉期内")
    services.ruling_record(actor=people.clerk, case=c, number="(2026)闽0203刑初1号", decided_at=dt.date(2026, 12, 1),
                           decisions={phone.label: "confiscate", cash.label: "return"})
    with pytest.raises(DomainError) as e:
        services.item_dispose(actor=people.custodian, label=phone.label, disposition="confiscate", basis="ruling")
    assert e.value.code == "legal_hold"
    services.hold_set(actor=people.clerk, label=phone.label, on=False, reason="判决生效")
    with pytest.raises(DomainError) as e:  # the ruling orders confiscation, not destruction
        services.item_dispose(actor=people.custodian, label=phone.label, disposition="destroy", basis="ruling")
    assert e.value.code == "ruling_mismatch"
    d = services.item_dispose(actor=people.custodian, label=phone.label, disposition="confiscate", basis="ruling")
    assert d.receipt_number.startswith("CZ-") and Item.objects.get(pk=phone.pk).status == ItemStatus.DISPOSED
    assert Ruling.objects.get().receipt_at is None  # the cash is not returned yet
    # a return goes to the owner with proof, never to an officer (§234)
    with pytest.raises(PermissionDenied) as e:
        services.item_dispose(actor=people.custodian, label=cash.label, disposition="return", basis="ruling",
                              recipient=services.Recipient("officer_a", "350203199001011234", "agent", "委托书"))
    assert e.value.code == "officer_recipient"
    with pytest.raises(DomainError):
        services.item_dispose(actor=people.custodian, label=cash.label, disposition="return", basis="ruling")
    services.item_dispose(actor=people.custodian, label=cash.label, disposition="return", basis="ruling",
                          recipient=services.Recipient("陈某", "350203199001011234", "owner", "身份证、扣押清单"))
    assert Ruling.objects.get().receipt_at is not None  # every decision executed: the receipt
    assert CashEntry.objects.order_by("-seq").first().balance_cents == 0
    assert services.item_verify(item=Item.objects.get(pk=cash.pk)).ok


def test_pretrial_return_needs_a_chiefs_approval_and_perishables_are_sold(cast, case, people, store):
    _c, items = case
    items = intake_all(people, items, store)
    ring, fish = items[2], items[3]
    rec = services.Recipient("李某", "350203198001011111", "owner", "购买发票")
    with pytest.raises(PermissionDenied):
        services.item_dispose(actor=people.custodian, label=ring.label, disposition="return", basis="pretrial_return",
                              recipient=rec)
    with pytest.raises(PermissionDenied):  # an officer is not an approver
        services.item_dispose(actor=people.custodian, label=ring.label, disposition="return", basis="pretrial_return",
                              approver=cast.officer_a, recipient=rec)
    d = services.item_dispose(actor=people.custodian, label=ring.label, disposition="return", basis="pretrial_return",
                              approver=cast.chief_a, recipient=rec)
    assert d.recipient_relation == "owner" and Item.objects.get(pk=ring.pk).status == ItemStatus.RETURNED
    with pytest.raises(DomainError):  # a phone is not perishable
        services.item_dispose(actor=people.custodian, label=items[0].label, disposition="auction",
                              basis="perishable", approver=cast.chief_a)
    services.item_dispose(actor=people.custodian, label=fish.label, disposition="auction", basis="perishable",
                          approver=cast.chief_a, proceeds_cents=8_000)
    assert CashEntry.objects.order_by("-seq").first().balance_cents == 508_000


def test_unrelated_and_unclaimed_clocks(cast, case, people, store):
    _, items = case
    items = intake_all(people, items, store)
    phone = items[0]
    with pytest.raises(PermissionDenied):  # an officer does not decide it
        services.item_mark_unrelated(actor=cast.officer_a, label=phone.label, reason="与案件无关")
    services.item_mark_unrelated(actor=cast.chief_a, label=phone.label, reason="与案件无关")
    item = Item.objects.get(pk=phone.pk)
    clocks = {c.code: c for c in selectors.item_clocks(item=item)}
    assert clocks["unrelated_release"].due == item.unrelated_at + dt.timedelta(days=3)
    assert "第二百三十三条" in clocks["unrelated_release"].citation
    assert not clocks["unrelated_release"].overdue
    assert selectors.item_clocks(item=item, now=item.unrelated_at + dt.timedelta(days=4))[0].overdue
    # unclaimed: confiscation only 6 months after the notice
    gold = items[2]
    services.item_notice(actor=cast.chief_a, label=gold.label, reason="公告招领",
                         at=timezone.now() - dt.timedelta(days=100))
    with pytest.raises(DomainError) as e:
        services.item_dispose(actor=people.custodian, label=gold.label, disposition="confiscate", basis="unclaimed")
    assert e.value.code == "not_unclaimed_yet"
    services.item_notice(actor=cast.chief_a, label=gold.label, reason="公告招领",
                         at=timezone.now() - dt.timedelta(days=190))
    services.item_dispose(actor=people.custodian, label=gold.label, disposition="confiscate", basis="unclaimed")


def test_an_inventory_count_finds_a_missing_and_a_misplaced_item(case, people, store):
    _, items = case
    items = intake_all(people, items, store)
    # the vault holds cash and ring; the phone is on shelf A1. Scanning the vault: the ring is not there (missing),
    # the phone is (misplaced), and a label nobody knows.
    stray = labels.make("SW", 2026, 9_999_999)
    count = services.inventory_count(actor=people.custodian, location_code="SW-V1",
                                     scanned=[items[1].label, items[1].label, items[0].label, stray])
    assert count.found == 1 and count.missing == [items[2].label]
    assert count.misplaced == {items[0].label: "SW-R1-A1"} and count.unexpected == [stray]
    with pytest.raises(PermissionDenied):
        services.inventory_count(actor=people.procurator, location_code="SW-V1", scanned=[])


def test_a_tampered_digital_file_is_caught_on_access(cast, case, people, store):
    _, items = case
    phone = items[0]
    with pytest.raises(DomainError):  # the ring is not electronic evidence
        services.digital_file_add(actor=cast.officer_a, label=items[2].label, name="x.bin", data=b"x")
    f = services.digital_file_add(actor=cast.officer_a, label=phone.label, name="微信聊天记录.db", data=b"chat log v1")
    assert f.sha256 == hashlib.sha256(b"chat log v1").hexdigest() and f.size == 11
    assert Item.objects.get(pk=phone.pk).events.get(kind="acquire").detail["sha256"] == f.sha256
    _got, data = selectors.digital_file_open(actor=cast.officer_a, file_id=f.pk)
    assert data == b"chat log v1"
    path = services.blob_path(f.sha256)
    path.chmod(0o640)
    path.write_bytes(b"chat log v2")  # one byte changed on disk
    with pytest.raises(selectors.Tampered) as e:
        selectors.digital_file_open(actor=cast.officer_a, file_id=f.pk)
    assert e.value.status == 409 and e.value.extra["expected"] == f.sha256
    ev = Item.objects.get(pk=phone.pk).events.order_by("-seq").first()
    assert ev.kind == "integrity_failure" and ev.detail["expected"] == f.sha256
    assert services.item_verify(item=Item.objects.get(pk=phone.pk)).ok  # the failure is itself on the chain
    with pytest.raises(NotFound):
        selectors.digital_file_open(actor=cast.officer_b, file_id=f.pk)


def test_lists_are_audited_with_the_holder(cast, case):
    _, _items = case
    before = audit.AuditRecord.objects.count()
    rows = list(selectors.items_list(actor=cast.officer_a))
    assert len(rows) == 4
    rec = audit.AuditRecord.objects.order_by("-seq").first()
    assert audit.AuditRecord.objects.count() == before + 1
    assert rec.action == "list" and rec.object_type == "EvidenceItem" and rec.detail["subjects"]["n"] >= 1
