"""The printed documents: the seizure list in three copies, the transfer list in two, the return receipt in
two and a disposal record in one, read back with poppler's pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_evidence_services import intake_all

from pingan.core.models import AuditRecord
from pingan.evidence import chainexport, selectors, services

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")]


def pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def test_the_seizure_list_prints_three_copies_with_items_holder_witness_and_officers(cast, case, people, store,
                                                                                     tmp_path):
    _, items = case
    sl = selectors.seizure_list_get(actor=cast.officer_a, list_id=items[0].seizure_list_id)
    assert AuditRecord.objects.filter(object_type="EvidenceSeizureList", object_id="KY-2026-001").exists()
    copies = pages(chainexport.seizure_list_document(sl), tmp_path)
    assert len(copies) == 3
    for copy, which in zip(copies, ("第一联", "第二联", "第三联"), strict=True):
        assert which in copy and "KY-2026-001" in copy and "陈某" in copy and "350203199001011234" in copy
        assert "见证人王某" in copy and "officer_a2" in copy and "第二百三十条" in copy
        assert all(i.label in copy for i in items) and "华为手机 P60" in copy and "5,000.00" in copy


def test_the_transfer_list_prints_two_copies_with_the_recommendation_and_the_refusal(cast, case, people, store,
                                                                                    tmp_path):
    c, items = case
    items = intake_all(people, items, store)
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY",
                               item_labels=[items[0].label], recommendation="建议依法没收")
    services.transfer_reject(actor=people.procurator, transfer_id=t.pk, reason="缺少鉴定意见")
    copies = pages(chainexport.transfer_document(selectors.transfer_get(actor=people.procurator, transfer_id=t.pk)),
                   tmp_path)
    assert len(copies) == 2 and "移送单位存" in copies[0] and "接收单位存" in copies[1]
    for copy in copies:
        assert t.number in copy and "建议依法没收" in copy and "缺少鉴定意见" in copy and items[0].label in copy
        assert "SW-R1-A1" in copy  # where the object stays


def test_a_return_receipt_has_the_recipients_copy_and_a_sale_one_record(cast, case, people, store, tmp_path):
    _, items = case
    items = intake_all(people, items, store)
    services.item_mark_unrelated(actor=cast.chief_a, label=items[0].label, reason="与案件无关")
    services.item_dispose(actor=people.custodian, label=items[0].label, disposition="return", basis="unrelated",
                          recipient=services.Recipient("陈某", "350203199001011234", "owner", "购机发票"),
                          witness="见证人李某")
    d = selectors.disposal_get(actor=cast.officer_a, label=items[0].label)
    assert AuditRecord.objects.filter(object_type="EvidenceDisposal", object_id=d.receipt_number).exists()
    copies = pages(chainexport.disposal_document(d), tmp_path)
    assert len(copies) == 2 and "交领取人" in copies[0] and "附卷" in copies[1]
    for copy in copies:
        assert d.receipt_number in copy and "陈某" in copy and "购机发票" in copy and "见证人李某" in copy
    services.item_dispose(actor=people.custodian, label=items[3].label, disposition="auction", basis="perishable",
                          approver=cast.chief_a, proceeds_cents=12_000)
    copies = pages(chainexport.disposal_document(selectors.disposal_get(actor=people.custodian,
                                                                        label=items[3].label)), tmp_path)
    assert len(copies) == 1 and "120.00" in copies[0] and "chief_a" in copies[0]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_document_is_in_the_language_of_whoever_prints_it(cast, case, people, store, tmp_path, lang):
    """Issue 11: "扣押清单 Seizure list", "第一联　交被扣押人 holder's copy", "签名 signature" — every heading,
    copy, note and signature line was Chinese and English side by side."""
    from django.utils import translation
    from page_language import assert_language

    c, items = case
    sl = selectors.seizure_list_get(actor=cast.officer_a, list_id=items[0].seizure_list_id)
    items = intake_all(people, items, store)
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY",
                               item_labels=[items[0].label], recommendation="建议依法没收")
    services.item_dispose(actor=people.custodian, label=items[3].label, disposition="auction", basis="perishable",
                          approver=cast.chief_a, proceeds_cents=12_000)
    # the data as people wrote it: names, the case, the items, places, units, the choices' stored words
    data = ["莲前盗窃案", "陈某", "见证人王某", "莲前东路1号", "华为手机 P60", "黑色，屏幕碎裂", "现金", "百元券 50 张",
            "金戒指", "约 5 克", "冻带鱼", "千克", "建议依法没收", "个", "件", "元"]
    data += [u.name for u in type(c.unit).objects.all()] + [c.unit.name, t.from_org.name, t.to_org.name]
    with translation.override(lang):
        docs = [chainexport.seizure_list_document(sl),
                chainexport.transfer_document(selectors.transfer_get(actor=cast.officer_a, transfer_id=t.pk)),
                chainexport.disposal_document(selectors.disposal_get(actor=people.custodian, label=items[3].label)),
                chainexport.chain_document(items[0])]
        data += [sl.get_source_display()]
        data += [d.replace(" ", "") for d in data]  # pdftotext may run the words of a cell together
        for doc in docs:
            for page in pages(doc, tmp_path):
                for line in page.splitlines():
                    assert_language(" ".join(line.split()), lang, data)
    first = pages(docs[0], tmp_path)[0]
    assert ("交被扣押人" in first and "Seizure list" not in first) if lang == "zh-hans" else (
        "Copy 1: for the holder" in first and "扣押清单" not in first)
