"""Case-property reads: every one takes the actor and narrows through ``evidence.access`` (a department sees
only the items in its custody or of its cases); reads that show a person (the holder on a seizure list, the
recipient of a return) are recorded in the audit trail, lists through ``core.audit.audited``.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import Role, role_label
from pingan.evidence import access, labels, rules, services
from pingan.evidence.models import (
    Attachment,
    Case,
    CashEntry,
    CheckOut,
    CustodyEvent,
    DigitalFile,
    Disposal,
    Extension,
    InventoryCount,
    Item,
    ItemStatus,
    Location,
    SeizureList,
    SupervisionFiling,
    Transfer,
)


class Tampered(DomainError):
    """A file of electronic data no longer matches its acquisition hash (HTTP 409): never served."""

    code = "evidence_tampered"
    status = 409


def _item_subjects(item: Item) -> list[audit.Subject]:
    sl = item.seizure_list
    return [audit.Subject(name=sl.holder_name, id_number=sl.holder_id_number)]


def items_scoped(*, actor) -> QuerySet[Item]:
    return access.visible_items(actor, Item.objects.select_related("case", "custody", "location", "seizure_list"))


def items_list(*, actor, case_id: int | None = None, status: str = "", q: str = "", purpose: str = ""
               ) -> QuerySet[Item]:
    """Items the actor may see, newest first; ``q`` matches a label (as scanned), name or case number. The rows
    fetched are recorded with the holders named on their seizure lists."""
    qs = items_scoped(actor=actor)
    if case_id:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        label = labels.parse(q)
        qs = qs.filter(label=label) if label else qs.filter(Q(name__icontains=q) | Q(case__number__icontains=q))
    return audit.audited(qs.order_by("-id"), actor=actor, object_type="EvidenceItem", subjects=_item_subjects,
                         purpose=purpose, detail={"q": q[:40]} if q else None)


def item_get(*, actor, label: str, purpose: str = "") -> Item:
    """One item by its label (as typed or scanned), recorded as read with its holder; ``NotFound`` else."""
    canonical = labels.parse(label)
    item = items_scoped(actor=actor).filter(label=canonical).first() if canonical else None
    if item is None:
        raise NotFound(f"item {label} not found", params={"label": label}, message_id="item_not_found")
    audit.record_read(actor, "EvidenceItem", item.label, subjects=_item_subjects(item), purpose=purpose)
    return item


def item_events(*, item: Item) -> QuerySet[CustodyEvent]:
    """The chain of an item already read through :func:`item_get`."""
    return item.events.order_by("seq")


def chain_names(events) -> dict[str, str]:
    """How a page names the parties of a chain: an event's actor as the hash chain records it
    (``"username:role"``, or ``"system"``) → ``"name (role)"`` in the active language (``（…）`` in Chinese),
    the role being the one the chain recorded; an account without a name of its own as every page names it, by
    its role and unit (``User.shown_name``), never by its user name (the review: ``display_name or username``);
    an account since deleted by the recorded role alone. A custody unit's code → the unit's name; a location's
    code → its code and name. Three queries whatever the length of the chain."""
    from pingan.core.models import OrgUnit, User
    from pingan.core.texts import paren

    events = list(events)
    actors = {e.actor for e in events}
    users = {u.username: u for u in User.objects.filter(username__in=[a.split(":", 1)[0] for a in actors])
             .select_related("unit")}
    roles = dict(Role.choices)
    names: dict[str, str] = {"system": str(_("the system"))}
    for a in actors - {"system"}:
        username, _sep, role = a.partition(":")
        user = users.get(username)
        if user is not None and user.own_name:
            # the role the event was recorded with, as the account's unit calls it (a centre's head)
            names[a] = (f"{user.own_name}{paren(role_label(role, user.unit.kind if user.unit_id else None))}"
                        if role in roles else user.own_name)
        elif user is not None:
            names[a] = user.shown_name
        else:
            names[a] = str(roles.get(role, _("a deleted account")))
    names.update({u.code: u.label for u in OrgUnit.objects.filter(code__in={e.custody for e in events})})
    # a store location's code → its code and name (issue 11: the chain read "SW-V1" alone)
    names.update({loc.code: str(loc) for loc in Location.objects.filter(code__in={e.location for e in events
                                                                                  if e.location})})
    return names


def item_clocks(*, item: Item, now=None) -> list[rules.Clock]:
    return rules.clocks(now=now or timezone.now(), seized_at=item.seized_at, intake_at=item.intake_at,
                        department=access.department(item.custody), adcode=(item.case.unit.adcodes or [""])[0],
                        unrelated_at=item.unrelated_at, released=item.status in (ItemStatus.RETURNED,
                                                                                  ItemStatus.DISPOSED),
                        notice_at=item.notice_at, due_back_at=item.due_back_at, rule_version=item.rule_version)


def cases_list(*, actor) -> QuerySet[Case]:
    """Cases the actor may see (numbers and titles: no person), newest first."""
    return access.visible_cases(actor, Case.objects.select_related("unit"))


def case_get(*, actor, case_id: int) -> Case:
    case = cases_list(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def checkouts_overdue(*, actor, now=None) -> QuerySet[CheckOut]:
    """Check-outs out past their due-back time, of items the actor may see."""
    items = items_scoped(actor=actor)
    return (CheckOut.objects.select_related("item", "borrower").filter(
        status=CheckOut.Status.OUT, due_back_at__lt=now or timezone.now(), item__in=items).order_by("due_back_at"))


def checkouts_pending(*, actor) -> QuerySet[CheckOut]:
    """Requests waiting for approval that the actor may see (the approve service says who may decide)."""
    return (CheckOut.objects.select_related("item", "borrower").filter(
        status__in=[CheckOut.Status.REQUESTED, CheckOut.Status.APPROVED], item__in=items_scoped(actor=actor))
        .order_by("requested_at"))


def checkout_get(*, actor, checkout_id: int) -> CheckOut:
    co = CheckOut.objects.select_related("item", "borrower", "approver").filter(
        pk=checkout_id, item__in=items_scoped(actor=actor)).first()
    if co is None:
        raise NotFound(f"check-out {checkout_id} not found")
    return co


def transfers_list(*, actor) -> QuerySet[Transfer]:
    """Transfers of the cases the actor may see (external bodies: those sent to them and those they sent on —
    a procuratorate follows whether the court accepted or refused its list)."""
    qs = Transfer.objects.select_related("case", "from_org", "to_org", "sent_by", "accepted_by")
    org = access.external_org(actor)
    if org is not None:
        return qs.filter(Q(to_org__path__startswith=org.path) | Q(from_org__path__startswith=org.path))
    return qs.filter(case__in=access.visible_cases(actor, Case.objects.all()))


def transfer_get(*, actor, transfer_id: int) -> Transfer:
    t = transfers_list(actor=actor).filter(pk=transfer_id).first()
    if t is None:
        raise NotFound(f"transfer {transfer_id} not found")
    return t


def locations_list(*, actor) -> QuerySet[Location]:
    """The store's locations with their item counts (no person): every evidence reader."""
    if actor is None or getattr(actor, "role", None) not in access.READERS:
        return Location.objects.none()
    return Location.objects.all()


def counts_list(*, actor) -> QuerySet[InventoryCount]:
    if not (access.is_store_staff(actor) or getattr(actor, "role", None) == Role.ANALYST):
        return InventoryCount.objects.none()
    return InventoryCount.objects.select_related("location", "counted_by")


def ledger(*, actor) -> QuerySet[CashEntry]:
    """The case-money account: store staff and analysts."""
    if not (access.is_store_staff(actor) or getattr(actor, "role", None) == Role.ANALYST):
        raise PermissionDenied("only custodians and analysts read the case-money ledger",
                               message_id="evidence_store_only")
    return CashEntry.objects.select_related("case", "item").order_by("-seq")


def digital_file_open(*, actor, file_id: int, purpose: str = "") -> tuple[DigitalFile, bytes]:
    """The file's bytes, re-hashed now: on a mismatch (or a missing blob) the failure is appended to the
    item's chain and :class:`Tampered` raised — altered content is never served."""
    f = DigitalFile.objects.select_related("item").filter(pk=file_id, item__in=items_scoped(actor=actor)).first()
    if f is None:
        raise NotFound(f"file {file_id} not found")
    audit.record_read(actor, "DigitalFile", f.pk, subjects=_item_subjects(Item.objects.select_related(
        "seizure_list").get(pk=f.item_id)), purpose=purpose, detail={"sha256": f.sha256})
    try:
        data = services.blob_path(f.sha256).read_bytes()
    except FileNotFoundError:
        data = None
    found = hashlib.sha256(data).hexdigest() if data is not None else "missing"
    if found != f.sha256:
        services.integrity_failure_record(actor=actor, file=f, found=found)
        raise Tampered(f"file {f.name} of {f.item.label} does not match its acquisition SHA-256 {f.sha256} "
                       f"(now {found}): it is not served", params={"name": f.name, "label": f.item.label},
                       extra={"expected": f.sha256, "found": found})
    return f, data


def files_of(*, item: Item) -> QuerySet[DigitalFile]:
    return item.files.all()


def extensions_pending(*, actor) -> QuerySet[Extension]:
    """Extension requests waiting for a decision on items the actor may see (the service says who decides)."""
    return (Extension.objects.select_related("checkout__item", "checkout__borrower", "requested_by")
            .filter(status=Extension.Status.REQUESTED, checkout__item__in=items_scoped(actor=actor))
            .order_by("requested_at"))


def filings_list(*, actor, open_only: bool = False) -> QuerySet[SupervisionFiling]:
    """Art. 13 filings: store staff and analysts all, police their jurisdiction's lists, others none."""
    qs = SupervisionFiling.objects.select_related("seizure_list__case", "filed_by")
    if open_only:
        qs = qs.filter(filed_at__isnull=True)
    return access.visible_filings(actor, qs)


def seizure_list_get(*, actor, list_id: int, purpose: str = "") -> SeizureList:
    """A seizure list for its printed copies, recorded as read with its holder; ``NotFound`` outside the
    actor's rights (``access.visible_seizure_lists``)."""
    sl = access.visible_seizure_lists(actor, SeizureList.objects.select_related("case__unit")).filter(
        pk=list_id).first()
    if sl is None:
        raise NotFound(f"seizure list {list_id} not found")
    audit.record_read(actor, "EvidenceSeizureList", sl.number, purpose=purpose,
                      subjects=[audit.Subject(name=sl.holder_name, id_number=sl.holder_id_number)])
    return sl


def seizure_lists_of(*, actor, case: Case) -> QuerySet[SeizureList]:
    """The case's seizure lists the actor may print (numbers only on the page: no person)."""
    return access.visible_seizure_lists(actor, SeizureList.objects.filter(case=case)).order_by("id")


def disposal_get(*, actor, label: str, purpose: str = "") -> Disposal:
    """The disposal of an item the actor may see, recorded as read with the recipient of a return."""
    item = item_get(actor=actor, label=label, purpose=purpose)
    d = Disposal.objects.select_related("item__case", "ruling", "approved_by", "done_by").filter(item=item).first()
    if d is None:
        raise NotFound(f"{item.label} has not been disposed of", params={"label": item.label},
                       message_id="item_not_found")
    if d.recipient_name:
        audit.record_read(actor, "EvidenceDisposal", d.receipt_number, purpose=purpose,
                          subjects=[audit.Subject(name=d.recipient_name, id_number=d.recipient_id_number)])
    return d


def attachment_open(*, actor, attachment_id: int, purpose: str = "") -> tuple[Attachment, bytes]:
    """A photo (of an item the actor sees) or a signature (on a seizure list the actor sees), re-hashed now:
    a mismatch is recorded and :class:`Tampered` raised — altered content is never served."""
    a = Attachment.objects.select_related("item", "seizure_list").filter(pk=attachment_id).first()
    visible = a is not None and (
        items_scoped(actor=actor).filter(pk=a.item_id).exists() if a.item_id else
        access.visible_seizure_lists(actor, SeizureList.objects.filter(pk=a.seizure_list_id)).exists())
    if not visible:
        raise NotFound(f"attachment {attachment_id} not found")
    sl = a.seizure_list or a.item.seizure_list
    audit.record_read(actor, "EvidenceAttachment", a.pk, purpose=purpose, detail={"sha256": a.sha256},
                      subjects=[audit.Subject(name=sl.holder_name, id_number=sl.holder_id_number)])
    data, found = services.blob_read(a.sha256)
    if found != a.sha256:
        services.attachment_integrity_failure(actor=actor, attachment=a, found=found)
        raise Tampered(f"{a.kind} {a.pk} does not match its SHA-256 {a.sha256} (now {found}): it is not served",
                       params={"name": a.name, "label": a.item.label if a.item_id else sl.number},
                       extra={"expected": a.sha256, "found": found})
    return a, data


def signatures_checked(*, actor, seizure_list: SeizureList) -> dict[str, bytes | None]:
    """The list's signatures by signer, each re-hashed: ``None`` for one that no longer matches its hash
    (recorded as an integrity failure); signers who have not signed are absent."""
    out: dict[str, bytes | None] = {}
    for a in seizure_list.signatures.all():
        data, found = services.blob_read(a.sha256)
        if found != a.sha256:
            services.attachment_integrity_failure(actor=actor, attachment=a, found=found)
            data = None
        out[a.signer] = data
    return out


def transfer_targets(*, actor) -> list:
    """The units the actor's side sends items on to (police → the procuratorates, a procuratorate → the courts),
    for the case page's choice by name; ``transfer_send`` checks again."""
    from pingan.core.models import OrgUnit

    if actor is None or getattr(actor, "unit_id", None) is None:
        return []
    body = services.NEXT_BODY.get(access.department(actor.unit))
    roots = list(OrgUnit.objects.filter(kind=body, parent__isnull=True)) if body else []
    if not roots:
        return []
    match = Q()
    for root in roots:
        match |= Q(path__startswith=root.path)
    return list(OrgUnit.objects.filter(match).order_by("path"))



def colleagues(*, actor, case: Case | None = None, purpose: str = "") -> QuerySet:
    """Whom a police form may name instead of typing a user name (issue 11: the seizure list asked for the
    other officer's login name as free text): ``purpose`` ``"seizure"`` — the other investigators of ``case``
    (the service wants two of them present); ``"investigator"`` — officers and station chiefs of the actor's
    unit and below (``services.case_add_investigator``'s rule); ``"approver"`` — station chiefs above or at
    ``case``'s unit (``services.item_dispose``'s). Never the actor; active accounts only; by display name."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).exclude(pk=getattr(actor, "pk", None))
    if actor is None or actor.role not in access.POLICE_WRITERS or actor.unit_id is None:
        return users.none()
    if purpose == "seizure" and case is not None:
        users = users.filter(pk__in=case.investigators.values("pk"))
    elif purpose == "investigator":
        users = users.filter(role__in=access.POLICE_WRITERS, unit__path__startswith=actor.unit.path)
    elif purpose == "approver" and case is not None:
        above = [case.unit.path[:i + 1] for i, ch in enumerate(case.unit.path) if ch == "/"]
        users = users.filter(role=Role.STATION_CHIEF, unit__path__in=above)
    else:
        return users.none()
    return users.select_related("unit").order_by("display_name", "username")


# ------------------------------------------------------------------------------------- the audit page's names
def _register_describers() -> None:
    """How the audit page names a case-property record: by the number people use (an item's label, a case's,
    a seizure list's, a receipt's), with what it is (an item's name, a case's title) — a holder or recipient by
    the masked name only (issue 11: "电子证据文件 № 3")."""
    from pingan.evidence.models import Attachment, Case, DigitalFile, Disposal, Location, SeizureList
    from pingan.lib.redact import mask_name

    said = audit.said
    for name, model, text, field, related in (
        ("EvidenceItem", Item, lambda i: said(i.label, i.name, i.case.number), "label", ("case",)),
        ("EvidenceCase", Case, lambda c: said(c.number, c.title), "number", ()),
        ("EvidenceLocation", Location, lambda loc: said(loc.code, loc.label), "code", ()),
        ("EvidenceSeizureList", SeizureList, lambda s: said(s.number, s.case.number, mask_name(s.holder_name)),
         "number", ("case",)),
        ("EvidenceDisposal", Disposal, lambda d: said(d.receipt_number, d.item.label, d.item.name,
                                                      d.get_disposition_display()), "receipt_number", ("item",)),
        ("DigitalFile", DigitalFile, lambda f: said(f.item.label, f.name), "pk", ("item",)),
        ("EvidenceAttachment", Attachment, lambda a: said(
            a.item.label if a.item_id else a.seizure_list.number if a.seizure_list_id else "",
            a.get_kind_display(), a.name), "pk", ("item", "seizure_list")),
    ):
        audit.register_object_describer(name, audit.rows_describer(model, text, field=field, related=related))


_register_describers()
