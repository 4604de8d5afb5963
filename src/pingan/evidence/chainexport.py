"""Documents built from the database: an item's custody chain, label sheets, the seizure list (three
copies), the transfer list (two copies) and the disposal or return receipt. The objects have been read
through a selector already (the read of any person on them is recorded there). Each document is in the
language of whoever prints it (the active language, from the app's catalogue): never "扣押清单 Seizure list"
side by side (issue 11, "Language"); the data — names, numbers, the reasons people typed — as written."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pingan.core.texts import lang, moment, pick
from pingan.evidence import pdf, rules, services
from pingan.evidence.models import Disposal, Disposition, EventKind, Item, SeizureList, Transfer


def chain_document(item: Item) -> bytes:
    verdict = services.item_verify(item=item, full=True)  # the court file: every event re-hashed
    cat = rules.categories().get(item.category, {})
    head = [(_("Label"), item.label), (_("Name"), item.name),
            (_("Case"), f"{item.case.number} {item.case.title}"),
            (_("Category"), pick(cat) or item.category),
            (_("Seizure list"), f"{item.seizure_list.number} #{item.line}"),
            (_("Custody"), f"{item.custody.code} {item.custody.name}"),
            (_("Location"), item.location.code if item.location_id else "—"),
            (pgettext("the newest event of a hash chain", "Head"), f"#{item.head_seq} {item.head_hash}")]
    from pingan.evidence.selectors import chain_names

    chain = list(item.events.order_by("seq"))
    names = chain_names(chain)  # who and which unit by name, as the item page says them (not "username:role")
    events = [[str(e.seq), timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(),
               names.get(e.actor, e.actor), e.witness, e.location, names.get(e.custody, e.custody), e.reason, e.hash]
              for e in chain]
    text = (_("Verified: the hash chain of %(n)s events is intact") % {"n": verdict.checked} if verdict.ok
            else _("Verification FAILED at event #%(seq)s (%(problem)s)") % {"seq": verdict.bad_seq,
                                                                             "problem": verdict.problem})
    return pdf.chain_pdf(pdf.ChainDoc(
        title=_("Chain of custody %(label)s") % {"label": item.label}, head=head, events=events,
        verdict=f"{text}; {timezone.localtime():%Y-%m-%d %H:%M:%S}",
        columns=["#", _("Time"), _("Event"), _("Actor"), _("Witness"), _("Location"), _("Custody"), _("Reason"),
                 _("Hash")]))


def label_sheet(items: Iterable[Item]) -> bytes:
    cats = rules.categories()
    return pdf.labels_pdf([pdf.LabelCard(i.label, i.name, i.case.number, pick(cats.get(i.category, {})))
                           for i in items])


def _when(t) -> str:
    return moment(t) or "—"


def _yuan(cents: int | None) -> str:
    return f"{cents / 100:,.2f}" if cents is not None else "—"


def _name(user) -> str:
    # as pages name the account (User.shown_name: its role and unit where it has no name), never its user name
    return user.shown_name if user is not None else ""


def _item_columns() -> list[str]:
    return ["#", _("Label"), _("Name"), _("Quantity"), _("Features")]


def _item_row(n: int, i: Item) -> list[str]:
    return [str(n), i.label, i.name, f"{i.quantity.normalize()} {i.quantity_unit}", i.features]


def _bad_signature() -> str:
    return _(" (the signature does not match its recorded hash: not shown)")


def _printed() -> str:
    return _("Printed %(when)s") % {"when": _when(timezone.now())}


def seizure_list_document(sl: SeizureList, signatures: dict[str, bytes | None] | None = None) -> bytes:
    """扣押清单 in three copies (§230): 名称、编号、数量、特征及其来源, the holder, the witness, the officers;
    ``signatures`` (``selectors.signatures_checked``) drawn on the holder's and witness's lines."""
    signatures = signatures or {}

    def signed(role: str, signer: str, name: str) -> pdf.Signature:
        if signer in signatures and signatures[signer] is None:
            return pdf.Signature(role, name + _bad_signature())
        return pdf.Signature(role, name, signatures.get(signer))

    items = list(sl.items.order_by("line"))
    officers = list(sl.officers.order_by("username"))
    keepers = {i.keeper for i in items if i.keeper_id}
    head = [(_("Case"), f"{sl.case.number} {sl.case.title}"), (_("Handling unit"), sl.case.unit.name),
            (_("Source"), sl.get_source_display()), (_("Seized at"), _when(sl.seized_at)),
            (pgettext("evidence document", "Place"), sl.place or "—"),
            (_("Holder"), f"{sl.holder_name}　{sl.holder_id_number}".strip()),
            (_("Witness"), sl.witness_name),
            (pgettext("evidence document", "Officers"), _list(_name(u) for u in officers))]
    return pdf.form_pdf(pdf.FormDoc(
        title=_("Seizure list"), number=sl.number,
        copies=[_("Copy 1: for the holder"), _("Copy 2: for the property keeper"), _("Copy 3: for the case file")],
        head=head, columns=[*_item_columns(), _("Value (yuan)")], widths_mm=[8, 36, 40, 20, 46, 30],
        rows=[[*_item_row(i.line, i), _yuan(i.value_cents)] for i in items],
        notes=[_("This list is made in three copies: one for the holder, one for the property keeper, one for the "
                 "case file (MPS Provisions on the Procedures of Criminal Cases, Art. 230)."), _printed()],
        sign_here=_("Signature"), role_sep="：" if lang() == "zh" else ": ",
        signatures=[*(pdf.Signature(_("Officer"), _name(u)) for u in officers),
                    signed(_("Holder"), "holder", sl.holder_name),
                    signed(_("Witness"), "witness", sl.witness_name),
                    *(pdf.Signature(_("Keeper"), _name(u)) for u in sorted(keepers, key=lambda u: u.pk))]))


def _list(names) -> str:
    from pingan.core.texts import join

    return join(list(names))


def transfer_document(t: Transfer) -> bytes:
    """随案移送清单 in two copies (§288), with the handling recommendation; the objects stay where they are."""
    items = list(t.items.select_related("location").order_by("case_id", "line"))
    if t.status == Transfer.Status.ACCEPTED:
        state = _("Accepted %(when)s by %(who)s") % {"when": _when(t.accepted_at), "who": _name(t.accepted_by)}
    elif t.status == Transfer.Status.REJECTED:
        state = _("Refused %(when)s by %(who)s: %(reason)s") % {
            "when": _when(t.rejected_at), "who": _name(t.rejected_by), "reason": t.reject_reason}
    else:
        state = _("Waiting for acceptance")
    head = [(_("Case"), f"{t.case.number} {t.case.title}"),
            (pgettext("evidence document", "From"), f"{t.from_org.code} {t.from_org.name}"),
            (pgettext("evidence document", "To"), f"{t.to_org.code} {t.to_org.name}"), (_("Sent at"), _when(t.sent_at)),
            (_("Sent by"), _name(t.sent_by)), (_("Recommendation"), t.recommendation),
            (_("Status"), state)]
    return pdf.form_pdf(pdf.FormDoc(
        title=_("Transfer list"), number=t.number,
        copies=[_("Copy 1: kept by the sending unit"), _("Copy 2: kept by the receiving unit")],
        head=head, columns=[*_item_columns(), _("Location")], widths_mm=[8, 38, 42, 22, 45, 25],
        rows=[[*_item_row(n, i), i.location.code if i.location_id else "—"] for n, i in enumerate(items, 1)],
        notes=[_("Legal custody moves on acceptance; the objects stay where listed above."),
               _("MPS Provisions on the Procedures of Criminal Cases, Art. 288."), _printed()],
        sign_here=_("Signature"), role_sep="：" if lang() == "zh" else ": ",
        signatures=[pdf.Signature(_("Sender"), _name(t.sent_by)),
                    pdf.Signature(_("Receiver"), _name(t.accepted_by) if t.accepted_by_id else "")]))


def disposal_document(d: Disposal) -> bytes:
    """The receipt of a disposal; for a return (发还清单, §234) the recipient's copy too."""
    item = d.item
    ret = d.disposition == Disposition.RETURN
    event = item.events.filter(kind__in=[EventKind.DISPOSAL, EventKind.RETURN_TO_OWNER]).order_by("-seq").first()
    head = [(_("Receipt"), d.receipt_number), (_("Case"), f"{item.case.number} {item.case.title}"),
            (pgettext("evidence document", "Disposition"), d.get_disposition_display()),
            (pgettext("evidence document", "Basis"),
             f"{d.get_basis_display()} {d.ruling.number if d.ruling_id else ''}".strip()),
            (_("Approved by"), _name(d.approved_by) or "—"), (_("Executed by"), _name(d.done_by)),
            (_("At"), _when(d.done_at))]
    if ret:
        head += [(_("Recipient"), f"{d.recipient_name}　{d.recipient_id_number}"),
                 (_("Relation"), d.get_recipient_relation_display()), (_("Proof"), d.proof)]
    if d.proceeds_cents is not None:
        head.append((_("Proceeds (yuan)"), _yuan(d.proceeds_cents)))
    sigs = [pdf.Signature(_("Executed by"), _name(d.done_by))]
    if event is not None and event.witness:
        sigs.append(pdf.Signature(_("Witness"), event.witness))
    if ret:
        sigs.append(pdf.Signature(_("Recipient"), d.recipient_name))
    return pdf.form_pdf(pdf.FormDoc(
        title=_("Return receipt") if ret else _("Disposal record"), number=d.receipt_number,
        copies=[_("Copy 1: for the recipient"), _("Copy 2: for the case file")] if ret else [_("For the case file")],
        head=head, columns=[*_item_columns(), _("Value (yuan)")], widths_mm=[8, 36, 40, 20, 46, 30],
        rows=[[*_item_row(1, item), _yuan(item.value_cents)]],
        notes=[_("Returned only to the owner or an agent they authorised, on proof of identity and of ownership or "
                 "authority; the case officers may not collect it (Art. 234).") if ret
               else _("The basis is given above (MPS Provisions on the Management of Property Involved in Cases, "
                      "Art. 14)."), _printed()],
        signatures=sigs, sign_here=_("Signature"), role_sep="：" if lang() == "zh" else ": "))


# --- the names the documents and files download under (core.downloads): what, of which item or case, the date

def chain_name(item: Item) -> str:
    """"A1 手机-XM-2026-000001-保管链-2026-12-07.pdf", not ``chain-XM-2026-000001.pdf`` (issue 11)."""
    from pingan.core.downloads import day, download_name

    return download_name(item.name, item.label, _("Chain of custody"), day(), ext="pdf")


def seizure_list_name(sl: SeizureList) -> str:
    from pingan.core.downloads import day, download_name

    return download_name(sl.case.title, _("Seizure list"), sl.number, day(sl.seized_at), ext="pdf")


def transfer_name(t: Transfer) -> str:
    from pingan.core.downloads import day, download_name

    return download_name(t.case.title, _("Transfer list"), t.to_org.label, day(t.sent_at), ext="pdf")


def receipt_name(d: Disposal) -> str:
    from pingan.core.downloads import day, download_name

    what = _("Return receipt") if d.disposition == Disposition.RETURN else _("Disposal record")
    return download_name(d.item.name, d.item.label, what, day(d.done_at), ext="pdf")


def labels_name(case) -> str:
    from pingan.core.downloads import day, download_name

    return download_name(case.title, pgettext("name of a downloaded file", "labels"), day(), ext="pdf")


def digital_file_name(f) -> str:
    """A digital file under the name it was added with, after its item's label: "XM-2026-000001-监控录像.mp4",
    not its hash (``3f2a9c0d1e2b4a5c.bin``, issue 11)."""
    from pathlib import PurePath

    from pingan.core.downloads import download_name

    given = PurePath(f.name or "")
    ext = given.suffix.lstrip(".")[:10] if given.suffix.lstrip(".").isalnum() else ""
    return download_name(f.item.label, given.stem if ext else given.name, ext=ext or "bin")


def attachment_name(a) -> str:
    """A photograph or a signature: the item (or the seizure list), what it is and the date it was added."""
    from pingan.core.downloads import day, download_name

    ext = {"image/jpeg": "jpg", "image/png": "png"}.get(a.content_type, "bin")
    of = (a.item.name, a.item.label) if a.item_id else (a.seizure_list.case.title, a.seizure_list.number) \
        if a.seizure_list_id else ()
    return download_name(*of, a.get_kind_display(), day(a.added_at), ext=ext)
