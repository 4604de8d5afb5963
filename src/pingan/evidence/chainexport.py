"""Documents of an item built from the database: its custody chain as PDF, label sheets. The item has been
read through a selector already (the read is recorded there)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from pingan.evidence import pdf, rules, services
from pingan.evidence.models import Item


def chain_document(item: Item) -> bytes:
    verdict = services.item_verify(item=item, full=True)  # the court file: every event re-hashed
    cat = rules.categories().get(item.category, {})
    head = [("标签 label", item.label), ("名称 name", item.name),
            ("案件 case", f"{item.case.number} {item.case.title}"),
            ("类别 category", f"{cat.get('zh', item.category)} / {cat.get('en', '')}"),
            ("扣押清单 seizure list", f"{item.seizure_list.number} #{item.line}"),
            ("权属 custody", f"{item.custody.code} {item.custody.name}"),
            ("位置 location", item.location.code if item.location_id else "—"),
            ("链头 head", f"#{item.head_seq} {item.head_hash}")]
    events = [[str(e.seq), timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(), e.actor,
               e.witness, e.location, e.custody, e.reason, e.hash] for e in item.events.order_by("seq")]
    text = (f"校验通过：{verdict.checked} 条事件哈希链完整 / verified: {verdict.checked} events, chain intact"
            if verdict.ok else f"校验失败：第 {verdict.bad_seq} 条（{verdict.problem}）/ verification FAILED at "
                               f"#{verdict.bad_seq} ({verdict.problem})")
    return pdf.chain_pdf(pdf.ChainDoc(title=f"涉案财物保管链 Chain of custody {item.label}", head=head, events=events,
                                      verdict=f"{text}; {timezone.localtime():%Y-%m-%d %H:%M:%S}"))


def label_sheet(items: Iterable[Item]) -> bytes:
    cats = rules.categories()
    return pdf.labels_pdf([pdf.LabelCard(i.label, i.name, i.case.number, cats.get(i.category, {}).get("zh", ""))
                           for i in items])
