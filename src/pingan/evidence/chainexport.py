"""Documents built from the database: an item's custody chain, label sheets, the seizure list (three
copies), the transfer list (two copies) and the disposal or return receipt. The objects have been read
through a selector already (the read of any person on them is recorded there)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from pingan.evidence import pdf, rules, services
from pingan.evidence.models import Disposal, Disposition, EventKind, Item, SeizureList, Transfer


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


def _when(t) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else "—"


def _yuan(cents: int | None) -> str:
    return f"{cents / 100:,.2f}" if cents is not None else "—"


def _name(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


ITEM_COLUMNS = ["#", "标签 label", "名称 name", "数量 quantity", "特征 features"]


def _item_row(n: int, i: Item) -> list[str]:
    return [str(n), i.label, i.name, f"{i.quantity.normalize()} {i.quantity_unit}", i.features]


BAD_SIGNATURE = "（签名与登记的哈希不符，未显示 signature does not match its hash: not shown）"


def seizure_list_document(sl: SeizureList, signatures: dict[str, bytes | None] | None = None) -> bytes:
    """扣押清单 in three copies (§230): 名称、编号、数量、特征及其来源, the holder, the witness, the officers;
    ``signatures`` (``selectors.signatures_checked``) drawn on the holder's and witness's lines."""
    signatures = signatures or {}

    def signed(role: str, signer: str, name: str) -> pdf.Signature:
        if signer in signatures and signatures[signer] is None:
            return pdf.Signature(role, name + BAD_SIGNATURE)
        return pdf.Signature(role, name, signatures.get(signer))

    items = list(sl.items.order_by("line"))
    officers = list(sl.officers.order_by("username"))
    keepers = {i.keeper for i in items if i.keeper_id}
    head = [("案件 case", f"{sl.case.number} {sl.case.title}"), ("办案单位 unit", sl.case.unit.name),
            ("来源 source", sl.get_source_display()), ("扣押时间 seized at", _when(sl.seized_at)),
            ("地点 place", sl.place or "—"),
            ("被扣押人 holder", f"{sl.holder_name}　{sl.holder_id_number}".strip()),
            ("见证人 witness", sl.witness_name), ("办案民警 officers", "、".join(_name(u) for u in officers))]
    return pdf.form_pdf(pdf.FormDoc(
        title="扣押清单 Seizure list", number=sl.number,
        copies=["第一联　交被扣押人 holder's copy", "第二联　交保管人 keeper's copy", "第三联　附卷 file copy"],
        head=head, columns=[*ITEM_COLUMNS, "估价（元）value"], widths_mm=[8, 36, 40, 20, 46, 30],
        rows=[[*_item_row(i.line, i), _yuan(i.value_cents)] for i in items],
        notes=["本清单一式三份，一份交被扣押人，一份交涉案财物管理人员，一份附卷备查（《公安机关办理刑事案件程序规定》"
               "第二百三十条）。 Three copies: holder, property keeper, case file (MPS Criminal Procedure Provisions "
               "2020, Art. 230).", f"打印 printed {_when(timezone.now())}"],
        signatures=[*(pdf.Signature("办案民警 officer", _name(u)) for u in officers),
                    signed("被扣押人 holder", "holder", sl.holder_name),
                    signed("见证人 witness", "witness", sl.witness_name),
                    *(pdf.Signature("保管人 keeper", _name(u)) for u in sorted(keepers, key=lambda u: u.pk))]))


def transfer_document(t: Transfer) -> bytes:
    """随案移送清单 in two copies (§288), with the handling recommendation; the objects stay where they are."""
    items = list(t.items.select_related("location").order_by("case_id", "line"))
    if t.status == Transfer.Status.ACCEPTED:
        state = f"已接收 accepted {_when(t.accepted_at)} {_name(t.accepted_by)}"
    elif t.status == Transfer.Status.REJECTED:
        state = f"已拒收 refused {_when(t.rejected_at)} {_name(t.rejected_by)}：{t.reject_reason}"
    else:
        state = "待接收 waiting for acceptance"
    head = [("案件 case", f"{t.case.number} {t.case.title}"), ("移送单位 from", f"{t.from_org.code} {t.from_org.name}"),
            ("接收单位 to", f"{t.to_org.code} {t.to_org.name}"), ("移送时间 sent", _when(t.sent_at)),
            ("经办人 sent by", _name(t.sent_by)), ("处理意见 recommendation", t.recommendation),
            ("状态 status", state)]
    return pdf.form_pdf(pdf.FormDoc(
        title="随案移送清单 Transfer list", number=t.number,
        copies=["第一联　移送单位存 sender's copy", "第二联　接收单位存 receiver's copy"],
        head=head, columns=[*ITEM_COLUMNS, "存放位置 location"], widths_mm=[8, 38, 42, 22, 45, 25],
        rows=[[*_item_row(n, i), i.location.code if i.location_id else "—"] for n, i in enumerate(items, 1)],
        notes=["权属移交、实物不动：物品仍存放于上列位置，法律上的保管权随接收转移。 "
               "Legal custody moves on acceptance; the objects stay where listed.",
               "《公安机关办理刑事案件程序规定》第二百八十八条 MPS Criminal Procedure Provisions 2020, Art. 288.",
               f"打印 printed {_when(timezone.now())}"],
        signatures=[pdf.Signature("移送人 sender", _name(t.sent_by)),
                    pdf.Signature("接收人 receiver", _name(t.accepted_by) if t.accepted_by_id else "")]))


def disposal_document(d: Disposal) -> bytes:
    """The receipt of a disposal; for a return (发还清单, §234) the recipient's copy too."""
    item = d.item
    ret = d.disposition == Disposition.RETURN
    event = item.events.filter(kind__in=[EventKind.DISPOSAL, EventKind.RETURN_TO_OWNER]).order_by("-seq").first()
    head = [("收据编号 receipt", d.receipt_number), ("案件 case", f"{item.case.number} {item.case.title}"),
            ("处置方式 disposition", d.get_disposition_display()),
            ("依据 basis", f"{d.get_basis_display()} {d.ruling.number if d.ruling_id else ''}".strip()),
            ("批准人 approver", _name(d.approved_by) or "—"), ("执行人 executed by", _name(d.done_by)),
            ("时间 at", _when(d.done_at))]
    if ret:
        head += [("领取人 recipient", f"{d.recipient_name}　{d.recipient_id_number}"),
                 ("身份 relation", d.get_recipient_relation_display()), ("证明 proof", d.proof)]
    if d.proceeds_cents is not None:
        head.append(("价款（元）proceeds", _yuan(d.proceeds_cents)))
    sigs = [pdf.Signature("执行人 executed by", _name(d.done_by))]
    if event is not None and event.witness:
        sigs.append(pdf.Signature("见证人 witness", event.witness))
    if ret:
        sigs.append(pdf.Signature("领取人 recipient", d.recipient_name))
    return pdf.form_pdf(pdf.FormDoc(
        title="发还清单 Return receipt" if ret else "涉案财物处置清单 Disposal record", number=d.receipt_number,
        copies=["第一联　交领取人 recipient's copy", "第二联　附卷 file copy"] if ret else ["附卷 file copy"],
        head=head, columns=[*ITEM_COLUMNS, "估价（元）value"], widths_mm=[8, 36, 40, 20, 46, 30],
        rows=[[*_item_row(1, item), _yuan(item.value_cents)]],
        notes=["发还须交所有人或其委托的代理人，凭身份证明和权属或授权证明；办案民警不得代领（第二百三十四条）。 "
               "Returned only to the owner or an authorised agent with proof; officers may not collect (Art. 234)."
               if ret
               else "处置依据见上（《公安机关涉案财物管理若干规定》第十四条）。 Basis above (MPS Provisions 2015, "
               "Art. 14).", f"打印 printed {_when(timezone.now())}"],
        signatures=sigs))
