"""Case-property writes. Every movement of an item appends one event to its custody chain
(:func:`_append`), under a row lock on the item, and one record to the audit trail naming the event's hash
(so the audit chain and its signed checkpoints anchor every item's chain).

Services are keyword-only, atomic, and raise ``DomainError`` (``PermissionDenied`` for a role or a separation
of duties, ``NotFound`` for what the actor may not see). Legal bases: ``data/rules.toml`` and docs/evidence.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied, outside_text
from pingan.core.models import OrgUnit, Role, User
from pingan.core.scoping import can_see_unit
from pingan.evidence import access, chain, inventory, labels, rules
from pingan.evidence.models import (
    Attachment,
    Case,
    CashEntry,
    CheckOut,
    CustodyEvent,
    DigitalFile,
    Disposal,
    Disposition,
    EventKind,
    Extension,
    InventoryCount,
    Item,
    ItemStatus,
    LabelCounter,
    Location,
    Ruling,
    SeizureList,
    Source,
    SupervisionFiling,
    Transfer,
)

STAFF_ROLES = frozenset({Role.OFFICER, Role.STATION_CHIEF, Role.ANALYST, Role.CUSTODIAN, Role.PROCURATOR,
                         Role.COURT_CLERK, Role.DISPATCHER})


def _now() -> dt.datetime:
    return timezone.now()


#: What each typed field is called in a Chinese message (``core.errors.outside_text``'s ``field_zh``).
_FIELDS_ZH = {"name": "名称", "case number": "案件编号", "title": "案件名称", "list number": "清单编号",
              "holder": "持有人", "holder ID number": "持有人证件号码", "witness": "见证人", "item name": "物品名称",
              "reference": "参考号"}


def _text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    # no control or bidi character in what the chain of custody records and its PDFs show (pingan.lib.textchars)
    value = outside_text(value, field=what, field_zh=_FIELDS_ZH.get(what, what)).strip()
    if required and not value:
        raise DomainError(f"{what} is required", code="evidence_field_required", params={"field": what})
    if len(value) > limit:
        raise DomainError(f"{what} is {len(value)} characters; the limit is {limit}", code="evidence_field_too_long",
                          params={"field": what, "length": len(value), "limit": limit})
    return value


# ------------------------------------------------------------------------------------------------ the chain


def event_fields(item: Item, e: CustodyEvent) -> dict:
    """The fields of ``e`` that ``evidence.chain`` hashes (``item`` is the item's label)."""
    return {"item": item.label, "seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor, "witness": e.witness,
            "location": e.location, "custody": e.custody, "place": e.place, "reason": e.reason,
            "detail": e.detail, "prev_hash": e.prev_hash}


def _append(item: Item, kind: str, actor, *, witness: str = "", place: str = "", reason: str = "",
            detail: dict | None = None, at: dt.datetime | None = None, save: Sequence[str] = ()) -> CustodyEvent:
    """Append one event to ``item``'s chain (the caller holds the item's row lock) and record it in the audit
    trail. Updates ``item.head_seq``/``head_hash`` in memory and in the row, with the item's fields named in
    ``save`` in the same UPDATE (one round trip fewer per scan)."""
    e = CustodyEvent(item=item, seq=item.head_seq + 1, kind=kind, at=at or _now(), actor_user=actor,
                     actor=f"{actor.username}:{actor.role}" if actor is not None else "system", witness=witness,
                     location=item.location.code if item.location_id else "", custody=item.custody.code,
                     place=place, reason=reason, detail=detail or {}, prev_hash=item.head_hash)
    e.hash = chain.event_hash(event_fields(item, e))
    e.save()
    item.head_seq, item.head_hash = e.seq, e.hash
    item.save(update_fields=[*save, "head_seq", "head_hash"])
    audit.record(actor, kind, "EvidenceItem", item.label, detail={"seq": e.seq, "hash": e.hash})
    return e


_EVENT_VALUES = ("seq", "kind", "at", "actor", "witness", "location", "custody", "place", "reason", "detail",
                 "prev_hash", "hash")
#: Chains up to this long are read in one query; longer ones through a server-side cursor.
_ONE_READ = 2000


def item_verify(*, item: Item, full: bool = False) -> chain.Verdict:
    """Verify ``item``'s custody chain against its head (no actor: the command and the page call it on an
    item already read).

    Incremental by default: from the item's checkpoint (``chain_checked_seq``/``_hash``, set by a full
    verification, :func:`item_checkpoint`) to the head — the checkpointed event must still carry the hash
    the full verification saw, and every later event must link and hash. Events before the checkpoint are
    re-hashed only by ``full=True`` (``pingan evidence verify --full``, the chain PDF)."""
    head_seq, head_hash, cp_seq, cp_hash = Item.objects.filter(pk=item.pk).values_list(
        "head_seq", "head_hash", "chain_checked_seq", "chain_checked_hash").get()
    start = 0 if full or not cp_hash or cp_seq > head_seq else cp_seq
    rows = item.events.filter(seq__gte=start).order_by("seq").values(*_EVENT_VALUES)
    rows = rows.iterator(chunk_size=500) if head_seq - start > _ONE_READ else list(rows)
    events = ({**e, "item": item.label} for e in rows)
    if start == 0:
        return chain.verify(item.label, events, head_seq=head_seq, head_hash=head_hash)
    return chain.verify_from(item.label, events, checkpoint_seq=cp_seq, checkpoint_hash=cp_hash,
                             head_seq=head_seq, head_hash=head_hash)


def item_checkpoint(*, item: Item) -> chain.Verdict:
    """Verify ``item``'s whole chain and, when it holds, checkpoint its head on the item row, so that later
    verifications start there (the command's ``--all --full`` sweep; an operator runs it nightly). A broken
    chain keeps its old checkpoint."""
    v = item_verify(item=item, full=True)
    if v.ok and v.checked:
        head = Item.objects.filter(pk=item.pk).values_list("head_seq", "head_hash").get()
        if head == (v.checked, v.head_hash):
            Item.objects.filter(pk=item.pk, head_seq=v.checked).update(
                chain_checked_seq=v.checked, chain_checked_hash=v.head_hash, chain_checked_at=_now())
    return v


def _locked(label: str, actor) -> Item:
    """The item by (scanned) label, locked, if the actor may see it; ``NotFound`` otherwise."""
    canonical = labels.parse(label)
    if canonical is None:
        raise DomainError(f"{label!r} is not an item label (or its check digits are wrong)", code="bad_label",
                          params={"label": label})
    qs = access.visible_items(actor, Item.objects.select_related("case__unit", "custody", "location"))
    investigates = Case.investigators.through.objects.filter(case_id=OuterRef("case_id"), user_id=actor.pk)
    item = qs.select_for_update(of=("self",)).annotate(actor_investigates=Exists(investigates)).filter(
        label=canonical).first()
    if item is None:
        raise NotFound(f"item {canonical} not found", params={"label": canonical}, message_id="item_not_found")
    return item


def _not_investigator(actor, item: Item) -> None:
    """§235 on an item read by :func:`_locked` (which asked whether the actor investigates its case)."""
    if item.actor_investigates:
        raise PermissionDenied(f"{actor.username} investigates case {item.case.number} and may not be custodian of "
                               "its items (separation of duties)", code="separation_of_duties",
                               params={"case": item.case.number})


def _location(code: str) -> Location:
    loc = Location.objects.filter(code=(code or "").strip().upper()).first()
    if loc is None:
        raise DomainError(f"no store location {code!r}", code="unknown_location", params={"code": code})
    return loc


# ------------------------------------------------------------------------------------------------ set-up


def _path_segment(pk: int) -> str:
    return f"{pk:06d}/"


@transaction.atomic
def location_create(*, actor, code: str, name: str, kind: str, parent: Location | None = None,
                    storage_class: str = "general", capacity: int = 0, name_en: str = "") -> Location:
    """A store location (custodians of the central store; ``actor=None`` for set-up commands); ``name_en``: its
    English name, where it has one (:attr:`Location.label`)."""
    if actor is not None:
        access.require_store_staff(actor, "set up store locations")
    if kind not in Location.Kind.values:
        raise DomainError(f"unknown location kind {kind!r}", code="bad_location_kind", params={"kind": kind})
    loc = Location.objects.create(code=code.strip().upper(), name=_text(name, "name", 100), kind=kind,
                                  name_en=_text(name_en, "name", 100, required=False),
                                  parent=parent, storage_class=storage_class, capacity=capacity,
                                  path=f"tmp-{os.urandom(8).hex()}")
    loc.path = (parent.path if parent else "") + _path_segment(loc.pk)
    loc.save(update_fields=["path"])
    return loc


@transaction.atomic
def case_create(*, actor, number: str, title: str, investigators: Sequence[User] = ()) -> Case:
    """Register a case of the actor's unit; the actor and ``investigators`` (police of that unit's
    jurisdiction) investigate it."""
    if actor is None or actor.role not in access.POLICE_WRITERS:
        raise PermissionDenied("only police officers and station chiefs register cases",
                               message_id="evidence_police_only")
    number = _text(number, "case number", 40)
    if Case.objects.filter(number=number).exists():
        raise DomainError(f"case {number} exists", code="case_exists", params={"case": number})
    case = Case.objects.create(number=number, title=_text(title, "title", 200), unit=actor.unit, created_by=actor)
    for user in {actor, *investigators}:
        case_add_investigator(actor=actor, case=case, user=user)
    audit.record(actor, "create", "EvidenceCase", case.number)
    return case


@transaction.atomic
def case_add_investigator(*, actor, case: Case, user: User) -> None:
    """Add an investigator; refused for a non-police account and for anyone keeping one of the case's items
    (§235, the other direction of the separation of duties)."""
    related = user.unit_id is not None and (user.unit.path.startswith(case.unit.path)
                                            or case.unit.path.startswith(user.unit.path))
    if user.role not in access.POLICE_WRITERS or not related:
        raise DomainError(f"{user.username} is not police of the case's unit", code="bad_investigator",
                          params={"user": user.pick_name})  # as the page's pick-list offered the account
    if case.items.filter(keeper=user).exists():
        raise PermissionDenied(f"{user.username} keeps items of case {case.number} and may not investigate it",
                               code="separation_of_duties", params={"case": case.number})
    case.investigators.add(user)


def _allocate_labels(n: int, year: int) -> list[str]:
    store = access.store_code().split("-")[-1][:4].upper()
    counter, _ = LabelCounter.objects.select_for_update().get_or_create(store=store, year=year)
    first = counter.last + 1
    counter.last += n
    counter.save(update_fields=["last"])
    return [labels.make(store, year, s) for s in range(first, first + n)]


@dataclass
class ItemIn:
    """One line of a seizure list."""

    name: str
    category: str
    quantity: Decimal | str | int = 1
    quantity_unit: str = "件"
    features: str = ""
    photos: int = 0
    value_cents: int | None = None


@transaction.atomic
def seizure_list_create(*, actor, case: Case, number: str, holder_name: str, witness_name: str,
                        officers: Sequence[User], seized_at: dt.datetime, items: Sequence[ItemIn],
                        source: str = Source.SEIZED, holder_id_number: str = "", place: str = "") -> SeizureList:
    """A seizure list (扣押清单, §230) and its items, each labelled and its chain begun with ``seized``.

    At least two officers (§227-229: the actor and another investigator of the case), the holder and a
    witness. Categories from ``data/categories.toml``."""
    if actor is None or actor.role not in access.POLICE_WRITERS or not case.investigators.filter(pk=actor.pk).exists():
        raise PermissionDenied("only an investigator of the case lists what was seized",
                               message_id="evidence_investigator_only")
    team = {u.pk for u in officers} | {actor.pk}
    if len(team) < 2 or case.investigators.filter(pk__in=team).count() != len(team):
        raise DomainError("a seizure needs at least two investigators of the case", code="two_officers")
    if source not in Source.values:
        raise DomainError(f"unknown source {source!r}", code="bad_source", params={"source": source})
    if not items:
        raise DomainError("a seizure list needs at least one item", code="evidence_empty_list")
    number = _text(number, "list number", 40)
    if SeizureList.objects.filter(number=number).exists():
        raise DomainError(f"seizure list {number} exists", code="list_exists", params={"number": number})
    cats = rules.categories()
    sl = SeizureList.objects.create(case=case, number=number, source=source,
                                    holder_name=_text(holder_name, "holder", 100),
                                    holder_id_number=_text(holder_id_number, "holder ID number", 40, required=False),
                                    witness_name=_text(witness_name, "witness", 100), place=place[:200],
                                    seized_at=seized_at)
    sl.officers.set(list(team))
    rv = rules.version_at(timezone.localdate(seized_at))
    codes = _allocate_labels(len(items), timezone.localtime(seized_at).year)
    for line, (spec, label) in enumerate(zip(items, codes, strict=True), start=1):
        if spec.category not in cats:
            raise DomainError(f"unknown category {spec.category!r}", code="evidence_bad_category",
                              params={"category": spec.category})
        try:
            qty = Decimal(str(spec.quantity))
        except InvalidOperation:
            raise DomainError(f"bad quantity {spec.quantity!r}", code="bad_quantity",
                              params={"value": spec.quantity}) from None
        if qty <= 0:
            raise DomainError(f"bad quantity {spec.quantity!r}", code="bad_quantity", params={"value": spec.quantity})
        item = Item.objects.create(label=label, case=case, seizure_list=sl, line=line,
                                   name=_text(spec.name, "item name", 200), quantity=qty,
                                   quantity_unit=spec.quantity_unit[:16] or "件", features=spec.features[:500],
                                   source=source, category=spec.category, photos=spec.photos,
                                   value_cents=spec.value_cents, custody=case.unit, seized_at=seized_at,
                                   rule_version=rv.id)
        item.case, item.custody = case, case.unit
        _append(item, EventKind.SEIZED, actor, witness=sl.witness_name, place=sl.place,
                reason=f"{sl.number} #{line}",
                detail={"list": sl.number, "source": source, "holder": "recorded", "quantity": str(qty),
                        "photos": spec.photos, "value_cents": spec.value_cents})
    return sl


@transaction.atomic
def item_value(*, actor, label: str, photos: int, value_cents: int) -> Item:
    """Record photographs/video and the valuation of an item (§230: valuables before custody)."""
    item = _locked(label, actor)
    if actor.role not in access.POLICE_WRITERS and not access.is_store_staff(actor):
        raise PermissionDenied("only police of the case or custodians value items", message_id="evidence_police_only")
    if photos < 1 or value_cents is None or value_cents < 0:
        raise DomainError("a valuation needs at least one photo and a value", code="valuation_incomplete")
    item.photos, item.value_cents = photos, value_cents
    item.save(update_fields=["photos", "value_cents"])
    _append(item, EventKind.VALUED, actor, detail={"photos": photos, "value_cents": value_cents})
    return item


# ------------------------------------------------------------------------------------------------ store movements


def _ledger(*, case: Case, item: Item | None, amount_cents: int, by, memo: str) -> CashEntry:
    """Append to the single case-money account (serialised by a transaction-scoped lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('pingan.evidence.cash'))")
    last = CashEntry.objects.order_by("-seq").values_list("seq", "balance_cents").first() or (0, 0)
    balance = last[1] + amount_cents
    if balance < 0:
        raise DomainError("the case-money account cannot go below zero", code="cash_overdrawn")
    return CashEntry.objects.create(seq=last[0] + 1, case=case, item=item, amount_cents=amount_cents,
                                    balance_cents=balance, at=_now(), by=by, memo=memo[:200])


def _in_store(item: Item) -> None:
    if item.status != ItemStatus.IN_STORE:
        raise DomainError(f"{item.label} is {item.status}, not in store", code="bad_item_state",
                          params={"label": item.label, "status": ItemStatus(item.status)})


def _fits(item: Item, loc: Location) -> None:
    need = rules.categories()[item.category]["storage_class"]
    if loc.storage_class != need:
        raise DomainError(f"{item.label} ({item.category}) needs storage class {need}, {loc.code} is "
                          f"{loc.storage_class}", code="wrong_storage_class",
                          params={"label": item.label, "need": need, "location": loc.code})
    held = loc.items.filter(status__in=[ItemStatus.IN_STORE, ItemStatus.CHECKED_OUT])
    if loc.capacity and held.count() >= loc.capacity:
        raise DomainError(f"{loc.code} is full ({loc.capacity})", code="location_full",
                          params={"location": loc.code, "capacity": loc.capacity})


@transaction.atomic
def item_check_in(*, actor, label: str, location_code: str, witness: str = "") -> Item:
    """Intake (入库): a custodian who does not investigate the case puts a registered item on a location of
    its storage class. Valuables must be photographed and valued first; cash is paid into the ledger."""
    access.require_store_staff(actor, "check items in")
    return _check_in(actor, _locked(label, actor), location_code, witness)


def _check_in(actor, item: Item, location_code: str, witness: str) -> Item:
    _not_investigator(actor, item)
    if item.status != ItemStatus.REGISTERED:
        raise DomainError(f"{item.label} is {item.status}, not waiting for intake", code="bad_item_state",
                          params={"label": item.label, "status": ItemStatus(item.status)})
    cat = rules.categories()[item.category]
    if cat.get("valuable") and (item.photos < 1 or item.value_cents is None):
        raise DomainError(f"{item.label} is a valuable: photograph and value it before custody (§230)",
                          code="valuable_not_valued", params={"label": item.label})
    loc = _location(location_code)
    _fits(item, loc)
    now = _now()
    item.location, item.status, item.intake_at, item.keeper = loc, ItemStatus.IN_STORE, now, actor
    due = rules.handover_due(item.seized_at, department=access.department(item.custody),
                             adcode=(item.case.unit.adcodes or [""])[0], rv=rules.version(item.rule_version))
    _append(item, EventKind.INTAKE, actor, witness=witness, at=now,
            detail={"late": now > due, "handover_due": due.isoformat()},
            save=["location", "status", "intake_at", "keeper"])
    if cat.get("ledger") and item.value_cents:
        _ledger(case=item.case, item=item, amount_cents=item.value_cents, by=actor, memo=f"{item.label} intake")
    _filing_open(item, now)
    return item


def _filing_open(item: Item, received: dt.datetime) -> None:
    """The store has the list's documents from its first intake: the Art. 13 filing with 警务督察 falls due
    (one statement; a list already open is left as it is)."""
    rv = rules.version(item.rule_version)
    SupervisionFiling.objects.bulk_create([SupervisionFiling(
        seizure_list_id=item.seizure_list_id, received_at=received, rule_version=rv.id,
        due_at=received + dt.timedelta(hours=rv["supervision_filing"]["hours"]))], ignore_conflicts=True)


@transaction.atomic
def filing_record(*, actor, filing_id: int, reference: str, supervision: str) -> SupervisionFiling:
    """A custodian records that copies of the list's legal documents went to the same-level 警务督察, with the
    supervision's reference (Art. 13)."""
    access.require_store_staff(actor, "file documents with the supervision")
    f = SupervisionFiling.objects.select_for_update().select_related("seizure_list").filter(pk=filing_id).first()
    if f is None:
        raise NotFound(f"filing {filing_id} not found")
    if f.filed_at is not None:
        raise DomainError(f"the documents of {f.seizure_list.number} were filed already", code="filing_done",
                          params={"list": f.seizure_list.number})
    f.reference = _text(reference, "reference", 60)
    f.supervision = _text(supervision, "supervision", 100)
    f.filed_at, f.filed_by = _now(), actor
    f.save(update_fields=["reference", "supervision", "filed_at", "filed_by"])
    audit.record(actor, "supervision_filing", "EvidenceSeizureList", f.seizure_list.number,
                 detail={"filing": f.pk, "reference": f.reference, "late": f.filed_at > f.due_at})
    return f


@transaction.atomic
def item_move(*, actor, label: str, location_code: str, reason: str = "") -> Item:
    """Move an item in store to another location (scan the item, then the place)."""
    access.require_store_staff(actor, "move items")
    return _move(actor, _locked(label, actor), location_code, reason)


def _move(actor, item: Item, location_code: str, reason: str) -> Item:
    _not_investigator(actor, item)
    _in_store(item)
    loc = _location(location_code)
    if loc.pk == item.location_id:
        return item
    _fits(item, loc)
    old = item.location.code
    item.location = loc
    _append(item, EventKind.MOVE, actor, reason=reason[:500], detail={"from": old}, save=["location"])
    return item


def _may_borrow(actor, item: Item) -> bool:
    if actor.role in access.POLICE_WRITERS:
        return access.department(item.custody) == "police"
    org = access.external_org(actor)
    return org is not None and item.custody.path.startswith(org.path)


@transaction.atomic
def checkout_request(*, actor, label: str, purpose: str, reason: str, due_back_at: dt.datetime) -> CheckOut:
    """Ask to take an item out for one of the purposes of Art. 11 (or court), back by ``due_back_at``."""
    item = _locked(label, actor)
    rv = rules.version(item.rule_version)
    if not _may_borrow(actor, item):
        raise PermissionDenied("only the body holding legal custody may borrow the item",
                               message_id="evidence_not_custodian_body")
    if purpose not in rv["checkout"]["purposes"]:
        raise DomainError(f"unknown purpose {purpose!r}", code="bad_checkout_purpose", params={"purpose": purpose})
    now = _now()
    if not now < due_back_at <= now + dt.timedelta(days=rv["checkout"]["max_days"]):
        raise DomainError("the due-back time must be in the future and within the limit", code="bad_due_back",
                          params={"days": rv["checkout"]["max_days"]})
    if item.status not in (ItemStatus.IN_STORE,) or item.checkouts.exclude(status=CheckOut.Status.RETURNED).exists():
        raise DomainError(f"{item.label} is not available", code="item_unavailable", params={"label": item.label})
    co = CheckOut.objects.create(item=item, borrower=actor, purpose=purpose, reason=_text(reason, "reason", 300),
                                 due_back_at=due_back_at)
    audit.record(actor, "checkout_request", "EvidenceItem", item.label, detail={"checkout": co.pk})
    return co


def _require_approver(actor, item: Item) -> None:
    """Art. 11's 审批人: a station chief of the case's jurisdiction while the police hold custody, afterwards a
    member of the procuratorate or court holding it."""
    police = access.department(item.custody) == "police"
    ok = (actor.role == Role.STATION_CHIEF and can_see_unit(actor, item.case.unit)) if police else (
        (org := access.external_org(actor)) is not None and item.custody.path.startswith(org.path))
    if not ok:
        raise PermissionDenied("only a station chief of the case's jurisdiction, or the body holding custody, "
                               "approves check-outs", message_id="evidence_approver_only")


@transaction.atomic
def checkout_approve(*, actor, checkout_id: int) -> CheckOut:
    """Approve a check-out: a station chief of the case's jurisdiction (police custody) or a member of the
    procuratorate/court holding custody — never the borrower (Art. 11: 审批人)."""
    co = CheckOut.objects.select_for_update().select_related("item__custody", "item__case__unit", "borrower").filter(
        pk=checkout_id).first()
    if co is None or not access.visible_items(actor, Item.objects.filter(pk=co.item_id)).exists():
        raise NotFound(f"check-out {checkout_id} not found")
    if co.borrower_id == actor.pk:
        raise PermissionDenied("a borrower cannot approve their own check-out", code="four_eyes",
                               message_id="evidence_four_eyes")
    item = co.item
    _require_approver(actor, item)
    if co.status != CheckOut.Status.REQUESTED:
        raise DomainError(f"check-out {co.pk} is {co.status}", code="checkout_decided",
                          params={"checkout": co.pk, "status": CheckOut.Status(co.status)})
    co.approver, co.status, co.approved_at = actor, CheckOut.Status.APPROVED, _now()
    co.save(update_fields=["approver", "status", "approved_at"])
    audit.record(actor, "checkout_approve", "EvidenceItem", item.label, detail={"checkout": co.pk})
    return co


@transaction.atomic
def item_check_out(*, actor, label: str, witness: str = "") -> Item:
    """Hand an item out against its approved check-out (scan at the counter)."""
    access.require_store_staff(actor, "hand items out")
    item = _locked(label, actor)
    return _check_out(actor, item, _open_checkout(item, CheckOut.Status.APPROVED), witness)


def _open_checkout(item: Item, status: str) -> CheckOut | None:
    return (item.checkouts.select_for_update(of=("self",)).select_related("borrower", "approver")
            .filter(status=status).first())


def _check_out(actor, item: Item, co: CheckOut | None, witness: str) -> Item:
    _not_investigator(actor, item)
    if co is None or item.status != ItemStatus.IN_STORE:
        raise DomainError(f"{item.label} has no approved check-out", code="no_approved_checkout",
                          params={"label": item.label})
    now = _now()
    co.status, co.out_at = CheckOut.Status.OUT, now
    co.save(update_fields=["status", "out_at"])
    item.status, item.due_back_at = ItemStatus.CHECKED_OUT, co.due_back_at
    _append(item, EventKind.CHECK_OUT, actor, witness=witness, reason=co.reason, at=now,
            detail={"checkout": co.pk, "borrower": co.borrower.username, "approver": co.approver.username,
                    "purpose": co.purpose, "due_back_at": co.due_back_at.isoformat()}, save=["status", "due_back_at"])
    from pingan.evidence.tasks import schedule_due_check

    transaction.on_commit(lambda: schedule_due_check(co.pk, co.due_back_at))
    return item


@transaction.atomic
def item_return(*, actor, label: str, condition: str = "", witness: str = "") -> Item:
    """Take a checked-out item back (Art. 11: check for damage, shortfall, swap or loss; ``condition``)."""
    access.require_store_staff(actor, "take items back")
    item = _locked(label, actor)
    return _return(actor, item, _open_checkout(item, CheckOut.Status.OUT), condition, witness)


def _return(actor, item: Item, co: CheckOut | None, condition: str, witness: str) -> Item:
    _not_investigator(actor, item)
    if co is None or item.status != ItemStatus.CHECKED_OUT:
        raise DomainError(f"{item.label} is not checked out", code="not_checked_out", params={"label": item.label})
    now = _now()
    co.status, co.returned_at, co.condition_back = CheckOut.Status.RETURNED, now, condition[:300]
    co.save(update_fields=["status", "returned_at", "condition_back"])
    item.status, item.due_back_at = ItemStatus.IN_STORE, None
    _append(item, EventKind.RETURN, actor, witness=witness, at=now,
            detail={"checkout": co.pk, "late": now > co.due_back_at, "condition": condition[:300]},
            save=["status", "due_back_at"])
    return item


def _checkout_visible(actor, checkout_id: int) -> CheckOut:
    co = CheckOut.objects.select_for_update(of=("self",)).select_related(
        "item__custody", "item__case__unit", "borrower").filter(pk=checkout_id).first()
    if co is None or not access.visible_items(actor, Item.objects.filter(pk=co.item_id)).exists():
        raise NotFound(f"check-out {checkout_id} not found")
    return co


@transaction.atomic
def extension_request(*, actor, checkout_id: int, new_due: dt.datetime, reason: str) -> Extension:
    """Ask for a later due-back time for an item that is out (Art. 11: a late return needs formalities): the
    borrowing body asks, before or after the due time; one open request per check-out."""
    co = _checkout_visible(actor, checkout_id)
    item = co.item
    if not _may_borrow(actor, item):
        raise PermissionDenied("only the body holding legal custody may borrow the item",
                               message_id="evidence_not_custodian_body")
    if co.status != CheckOut.Status.OUT:
        raise DomainError(f"check-out {co.pk} is {co.status}, not out", code="checkout_not_out",
                          params={"checkout": co.pk, "status": CheckOut.Status(co.status)})
    rv = rules.version(item.rule_version)
    now = _now()
    if not max(now, co.due_back_at) < new_due <= now + dt.timedelta(days=rv["checkout"]["max_days"]):
        raise DomainError("the new due-back time must be later than the current one and within the limit",
                          code="bad_extension_due", params={"days": rv["checkout"]["max_days"]})
    if co.extensions.filter(status=Extension.Status.REQUESTED).exists():
        raise DomainError(f"check-out {co.pk} already has an extension waiting", code="extension_pending",
                          params={"checkout": co.pk})
    ext = Extension.objects.create(checkout=co, requested_by=actor, requested_at=now, old_due=co.due_back_at,
                                   new_due=new_due, reason=_text(reason, "reason", 300))
    audit.record(actor, "extension_request", "EvidenceItem", item.label,
                 detail={"checkout": co.pk, "extension": ext.pk, "to": new_due.isoformat()})
    return ext


@transaction.atomic
def extension_decide(*, actor, extension_id: int, approve: bool, note: str = "") -> Extension:
    """Approve or refuse an extension: the check-out's approvers (``_require_approver``), never the person who
    asked nor the borrower. Approved, the due time moves on the check-out, the item and its chain, and the
    overdue alert is re-armed for the new time."""
    ext = Extension.objects.select_for_update().filter(pk=extension_id).first()
    if ext is None:
        raise NotFound(f"extension {extension_id} not found")
    co = _checkout_visible(actor, ext.checkout_id)
    if actor.pk in (ext.requested_by_id, co.borrower_id):
        raise PermissionDenied("a borrower cannot approve their own check-out", code="four_eyes",
                               message_id="evidence_four_eyes")
    _require_approver(actor, co.item)
    if ext.status != Extension.Status.REQUESTED or co.status != CheckOut.Status.OUT:
        raise DomainError(f"extension {ext.pk} is {ext.status}", code="extension_decided",
                          params={"extension": ext.pk})
    now = _now()
    ext.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note = actor, now, (note or "")[:300]
    ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if not approve:
        audit.record(actor, "extension_refuse", "EvidenceItem", co.item.label,
                     detail={"checkout": co.pk, "extension": ext.pk})
        return ext
    co.due_back_at, co.alerted_at = ext.new_due, None
    co.save(update_fields=["due_back_at", "alerted_at"])
    item = Item.objects.select_for_update(of=("self",)).select_related("custody", "location").get(pk=co.item_id)
    item.due_back_at = ext.new_due
    _append(item, EventKind.EXTENSION, actor, at=now, reason=ext.reason,
            detail={"checkout": co.pk, "extension": ext.pk, "from": ext.old_due.isoformat(),
                    "to": ext.new_due.isoformat(), "requested_by": ext.requested_by.username,
                    "approver": actor.username}, save=["due_back_at"])
    from pingan.evidence.tasks import schedule_due_check

    transaction.on_commit(lambda: schedule_due_check(co.pk, co.due_back_at))
    return ext


@dataclass(frozen=True)
class ScanResult:
    action: str
    item: Item


@transaction.atomic
def scan(*, actor, label: str, location_code: str = "", witness: str = "", condition: str = "") -> ScanResult:
    """One scan at the store does what the item's state calls for: intake (with a location), hand-out of an
    approved check-out, return of a checked-out item, or a move (a location other than its own). The item
    is read and locked once and handed to the step (a scan's round trips are most of its time)."""
    access.require_store_staff(actor, "scan items")
    item = _locked(label, actor)
    if item.status == ItemStatus.REGISTERED:
        if not location_code:
            raise DomainError("scan the location to check the item in", code="location_required")
        return ScanResult("intake", _check_in(actor, item, location_code, witness))
    if item.status == ItemStatus.CHECKED_OUT:
        return ScanResult("return", _return(actor, item, _open_checkout(item, CheckOut.Status.OUT), condition,
                                            witness))
    if item.status == ItemStatus.IN_STORE:
        co = _open_checkout(item, CheckOut.Status.APPROVED)
        if co is not None:
            return ScanResult("check_out", _check_out(actor, item, co, witness))
        if location_code and location_code.strip().upper() != item.location.code:
            return ScanResult("move", _move(actor, item, location_code, ""))
    raise DomainError(f"nothing to do for {item.label} ({item.status})", code="nothing_to_do",
                      params={"label": item.label, "status": ItemStatus(item.status)})


@transaction.atomic
def sample_take(*, actor, label: str, quantity: str, reason: str, witness: str) -> Item:
    """Record a sample taken from an item (drugs, liquids): quantity, reason and a witness."""
    access.require_store_staff(actor, "take samples")
    item = _locked(label, actor)
    _not_investigator(actor, item)
    _append(item, EventKind.SAMPLE, actor, witness=_text(witness, "witness", 100), reason=_text(reason, "reason", 500),
            detail={"quantity": _text(quantity, "quantity", 40)})
    return item


# ------------------------------------------------------------------------------------------------ transfers


def _org(code: str) -> OrgUnit:
    org = OrgUnit.objects.filter(code=code).first()
    if org is None:
        raise DomainError(f"no organisation {code}", code="unknown_org_code", params={"code": code})
    return org


NEXT_BODY = {"police": OrgUnit.Kind.PROCURATORATE, "procuratorate": OrgUnit.Kind.COURT}


@transaction.atomic
def transfer_send(*, actor, case: Case, to_org_code: str, item_labels: Iterable[str], recommendation: str,
                  number: str = "") -> Transfer:
    """Send items with the case to the next body (随案移送清单 with a handling recommendation, §288): police →
    procuratorate → court. Legal custody moves when the receiving body accepts; the objects stay put."""
    items = [_locked(lb, actor) for lb in item_labels]
    if not items:
        raise DomainError("a transfer list needs at least one item", code="evidence_empty_list")
    from_org = items[0].custody
    if any(i.custody_id != from_org.pk or i.case_id != case.pk for i in items):
        raise DomainError("all items of a transfer belong to the case and to one body", code="mixed_transfer")
    dept = access.department(from_org)
    if dept == "police":
        ok = (actor.role in access.POLICE_WRITERS and can_see_unit(actor, case.unit)) or access.is_store_staff(actor)
    else:
        ok = (org := access.external_org(actor)) is not None and from_org.path.startswith(org.path)
    if not ok:
        raise PermissionDenied("only the body holding custody sends its items on",
                               message_id="evidence_not_custodian_body")
    to_org = _org(to_org_code)
    if dept not in NEXT_BODY or access.department_root(to_org).kind != NEXT_BODY[dept]:
        raise DomainError(f"{from_org.code} cannot transfer to {to_org.code}", code="bad_transfer_target",
                          params={"to": to_org.code})
    if any(i.status in (ItemStatus.DISPOSED, ItemStatus.RETURNED) for i in items):
        raise DomainError("disposed items cannot be transferred", code="item_unavailable", params={"label": ""})
    if Transfer.objects.filter(items__in=items, status=Transfer.Status.SENT).exists():
        raise DomainError("an item is already on a pending transfer", code="transfer_pending")
    now = _now()
    t = Transfer.objects.create(number=number or f"YS-{case.number}-{Transfer.objects.filter(case=case).count() + 1}",
                                case=case, from_org=from_org, to_org=to_org,
                                recommendation=_text(recommendation, "handling recommendation", 500), sent_by=actor,
                                sent_at=now)
    t.items.set(items)
    for item in items:
        _append(item, EventKind.TRANSFER_SENT, actor, at=now, reason=t.recommendation,
                detail={"transfer": t.number, "to": to_org.code})
    return t


@transaction.atomic
def transfer_accept(*, actor, transfer_id: int) -> Transfer:
    """The receiving procuratorate or court accepts: legal custody of every item moves to it."""
    t = Transfer.objects.select_for_update().select_related("to_org", "case").filter(pk=transfer_id).first()
    org = access.external_org(actor)
    if t is None or org is None or not t.to_org.path.startswith(org.path):
        raise NotFound(f"transfer {transfer_id} not found")
    if t.status != Transfer.Status.SENT:
        raise DomainError(f"transfer {t.number} was already decided", code="transfer_decided",
                          params={"transfer": t.number})
    now = _now()
    t.status, t.accepted_by, t.accepted_at = Transfer.Status.ACCEPTED, actor, now
    t.save(update_fields=["status", "accepted_by", "accepted_at"])
    moving = Item.objects.select_for_update(of=("self",)).select_related("location", "custody")
    for item in moving.filter(transfers=t).order_by("pk"):
        item.custody = t.to_org
        item.save(update_fields=["custody"])
        _append(item, EventKind.TRANSFER, actor, at=now, detail={"transfer": t.number, "from": t.from_org.code})
    return t


@transaction.atomic
def transfer_reject(*, actor, transfer_id: int, reason: str) -> Transfer:
    """The receiving procuratorate or court refuses the list, with its reason: legal custody stays with the
    sender, every item's chain records the refusal, and the items may be sent again."""
    t = Transfer.objects.select_for_update().select_related("to_org", "case").filter(pk=transfer_id).first()
    org = access.external_org(actor)
    if t is None or org is None or not t.to_org.path.startswith(org.path):
        raise NotFound(f"transfer {transfer_id} not found")
    if t.status != Transfer.Status.SENT:
        raise DomainError(f"transfer {t.number} was already decided", code="transfer_decided",
                          params={"transfer": t.number})
    now = _now()
    t.status, t.rejected_by, t.rejected_at = Transfer.Status.REJECTED, actor, now
    t.reject_reason = _text(reason, "reason", 500)
    t.save(update_fields=["status", "rejected_by", "rejected_at", "reject_reason"])
    staying = Item.objects.select_for_update(of=("self",)).select_related("location", "custody")
    for item in staying.filter(transfers=t).order_by("pk"):
        _append(item, EventKind.TRANSFER_REJECTED, actor, at=now, reason=t.reject_reason,
                detail={"transfer": t.number, "by": t.to_org.code})
    return t


@transaction.atomic
def ruling_record(*, actor, case: Case, number: str, decided_at: dt.date, decisions: dict[str, str]) -> Ruling:
    """A court clerk records the ruling on the items in the court's custody: label → disposition."""
    org = access.external_org(actor)
    if org is None or actor.role != Role.COURT_CLERK:
        raise PermissionDenied("only a court clerk records rulings", message_id="evidence_court_only")
    if Ruling.objects.filter(number=number).exists():
        raise DomainError(f"ruling {number} exists", code="ruling_exists", params={"number": number})
    items = {}
    for lb, disposition in decisions.items():
        item = _locked(lb, actor)
        if item.case_id != case.pk or not item.custody.path.startswith(org.path):
            raise DomainError(f"{item.label} is not in this court's custody for the case", code="not_in_custody",
                              params={"label": item.label})
        if disposition not in Disposition.values:
            raise DomainError(f"unknown disposition {disposition!r}", code="bad_disposition",
                              params={"disposition": disposition})
        items[item] = disposition
    if not items:
        raise DomainError("a ruling decides at least one item", code="evidence_empty_list",
                          message_id="ruling_no_item")
    r = Ruling.objects.create(case=case, court=org, number=_text(number, "ruling number", 60), decided_at=decided_at,
                              decisions={str(i.pk): d for i, d in items.items()}, recorded_by=actor)
    for item, d in items.items():
        _append(item, EventKind.RULING, actor, reason=r.number, detail={"ruling": r.number, "disposition": d})
    return r


@transaction.atomic
def hold_set(*, actor, label: str, on: bool, reason: str) -> Item:
    """Place or release a legal hold (no disposal while it is on): a station chief of the case's
    jurisdiction, or the procuratorate/court holding custody."""
    item = _locked(label, actor)
    police = access.department(item.custody) == "police"
    ok = (actor.role == Role.STATION_CHIEF and can_see_unit(actor, item.case.unit)) if police else (
        (org := access.external_org(actor)) is not None and item.custody.path.startswith(org.path))
    if not ok:
        raise PermissionDenied("only a station chief of the case or the body holding custody sets legal holds",
                               message_id="evidence_approver_only")
    item.legal_hold, item.hold_reason = on, _text(reason, "reason", 200)
    item.save(update_fields=["legal_hold", "hold_reason"])
    _append(item, EventKind.HOLD if on else EventKind.HOLD_RELEASED, actor, reason=item.hold_reason)
    return item


def _chief_of(actor, item: Item) -> None:
    if actor.role != Role.STATION_CHIEF or not can_see_unit(actor, item.case.unit):
        raise PermissionDenied("only a station chief of the case's jurisdiction decides this",
                               message_id="evidence_approver_only")


@transaction.atomic
def item_mark_unrelated(*, actor, label: str, reason: str) -> Item:
    """A station chief decides the item is unrelated to the case: the 3-day release clock starts (§233)."""
    item = _locked(label, actor)
    _chief_of(actor, item)
    item.unrelated_at = _now()
    item.save(update_fields=["unrelated_at"])
    _append(item, EventKind.UNRELATED, actor, reason=_text(reason, "reason", 500), at=item.unrelated_at)
    return item


@transaction.atomic
def item_notice(*, actor, label: str, reason: str, at: dt.datetime | None = None) -> Item:
    """Owner unknown: the public notice is out; 6 months later the item may go to the treasury (§233)."""
    item = _locked(label, actor)
    _chief_of(actor, item)
    item.notice_at = at or _now()
    item.save(update_fields=["notice_at"])
    _append(item, EventKind.NOTICE, actor, reason=_text(reason, "reason", 500),
            detail={"notice_at": item.notice_at.isoformat()})
    return item


# ------------------------------------------------------------------------------------------------ disposal


@dataclass
class Recipient:
    """Who receives a returned item: the owner or an agent with proof of title/authorisation (§234)."""

    name: str
    id_number: str
    relation: str
    proof: str


def _check_recipient(r: Recipient | None, *, item: Item, actor, approver) -> Recipient:
    if r is None:
        raise DomainError("a return needs the recipient", code="recipient_required")
    r = Recipient(_text(r.name, "recipient", 100), _text(r.id_number, "recipient ID number", 40), r.relation,
                  _text(r.proof, "proof", 300))
    if r.relation not in Disposal.Relation.values:
        raise DomainError("the recipient is the owner or an authorised agent", code="bad_relation")
    staff = {u for u in (actor, approver) if u is not None} | set(item.case.investigators.all())
    names = {n for u in staff for n in (u.username, u.display_name) if n}
    if r.name in names or User.objects.filter(role__in=STAFF_ROLES, display_name=r.name, is_active=True).exists():
        raise PermissionDenied(f"{r.name} is a member of staff and cannot receive a returned item (§234)",
                               code="officer_recipient", params={"name": r.name})
    return r


@transaction.atomic
def item_dispose(*, actor, label: str, disposition: str, basis: str, approver: User | None = None,
                 recipient: Recipient | None = None, proceeds_cents: int | None = None, witness: str = "") -> Disposal:
    """Dispose of an item (return, confiscation, auction/sale, destruction) — a store custodian executes it,
    only on a legal basis and never under a legal hold:

    * ``ruling`` — the court's ruling decides this disposition for the item;
    * ``pretrial_return`` — return to the victim before trial, approved by a station chief (§234);
    * ``unrelated`` — return of an item found unrelated (§233);
    * ``perishable`` — sale of a perishable item approved by a station chief, proceeds to the ledger (§236);
    * ``unclaimed`` — confiscation 6 months after the owner-unknown notice (§233).

    Returns go only to the owner or an authorised agent with proof, never to staff, and get a receipt."""
    access.require_store_staff(actor, "dispose of items")
    item = _locked(label, actor)
    _not_investigator(actor, item)
    if item.legal_hold:
        raise DomainError(f"{item.label} is under a legal hold ({item.hold_reason})", code="legal_hold",
                          params={"label": item.label, "reason": item.hold_reason})
    _in_store(item)
    if disposition not in Disposition.values or basis not in Disposal.Basis.values:
        raise DomainError("unknown disposition or basis", code="bad_disposition", params={"disposition": disposition})
    ruling = None
    if basis == Disposal.Basis.RULING:
        ruling = (Ruling.objects.filter(case=item.case, decisions__has_key=str(item.pk)).order_by("-decided_at", "-id")
                  .first())
        if ruling is None:
            raise DomainError(f"no ruling decides {item.label} yet", code="no_ruling", params={"label": item.label})
        ordered = ruling.decisions[str(item.pk)]
        if ordered != disposition:
            raise DomainError(f"ruling {ruling.number} orders {ordered} for {item.label}", code="ruling_mismatch",
                              params={"ruling": ruling.number, "disposition": Disposition(ordered)})
    elif basis in (Disposal.Basis.PRETRIAL_RETURN, Disposal.Basis.PERISHABLE):
        if approver is None or approver.pk == actor.pk or approver.role != Role.STATION_CHIEF or not can_see_unit(
                approver, item.case.unit):
            raise PermissionDenied("this disposal needs the approval of a station chief of the case's jurisdiction",
                                   message_id="evidence_approval_required")
        if access.department(item.custody) != "police":
            raise DomainError("after transfer only the ruling disposes of the item", code="no_ruling",
                              params={"label": item.label})
        want = Disposition.RETURN if basis == Disposal.Basis.PRETRIAL_RETURN else Disposition.AUCTION
        if basis == Disposal.Basis.PERISHABLE and not rules.categories()[item.category].get("perishable"):
            raise DomainError(f"{item.label} is not perishable", code="not_perishable", params={"label": item.label})
        if disposition != want:
            raise DomainError("the basis does not allow this disposition", code="basis_mismatch")
    elif basis == Disposal.Basis.UNRELATED:
        if item.unrelated_at is None or disposition != Disposition.RETURN:
            raise DomainError(f"{item.label} was not found unrelated", code="basis_mismatch")
    elif basis == Disposal.Basis.UNCLAIMED:
        rv = rules.version(item.rule_version)
        if item.notice_at is None or _now() < rules.unclaimed_after(item.notice_at, rv) or \
                disposition != Disposition.CONFISCATE:
            raise DomainError(f"{item.label} has not been unclaimed for {rv['unclaimed']['months']} months after "
                              "a notice", code="not_unclaimed_yet",
                              params={"label": item.label, "months": rv["unclaimed"]["months"]})
    r = _check_recipient(recipient, item=item, actor=actor, approver=approver) \
        if disposition == Disposition.RETURN else None
    now = _now()
    d = Disposal.objects.create(item=item, disposition=disposition, basis=basis, ruling=ruling, approved_by=approver,
                                done_by=actor, done_at=now, recipient_name=r.name if r else "",
                                recipient_id_number=r.id_number if r else "",
                                recipient_relation=r.relation if r else "",
                                proof=r.proof if r else "", proceeds_cents=proceeds_cents)
    d.receipt_number = f"CZ-{now:%Y}-{d.pk:07d}"
    d.save(update_fields=["receipt_number"])
    item.status = ItemStatus.RETURNED if disposition == Disposition.RETURN else ItemStatus.DISPOSED
    item.save(update_fields=["status"])
    _append(item, EventKind.RETURN_TO_OWNER if r else EventKind.DISPOSAL, actor, witness=witness, at=now,
            reason=ruling.number if ruling else basis,
            detail={"disposition": disposition, "basis": basis, "receipt": d.receipt_number,
                    "approver": approver.username if approver else "", "recipient_relation": r.relation if r else ""})
    cat = rules.categories()[item.category]
    if cat.get("ledger") and item.value_cents and disposition in (Disposition.RETURN, Disposition.CONFISCATE):
        _ledger(case=item.case, item=item, amount_cents=-item.value_cents, by=actor,
                memo=f"{item.label} {disposition} {d.receipt_number}")
    if proceeds_cents:
        _ledger(case=item.case, item=item, amount_cents=proceeds_cents, by=actor, memo=f"{item.label} proceeds")
    if ruling is not None and not Item.objects.filter(
            pk__in=[int(k) for k in ruling.decisions], status__in=[ItemStatus.IN_STORE, ItemStatus.CHECKED_OUT,
                                                                   ItemStatus.REGISTERED]).exists():
        ruling.receipt_at = now  # every decision executed: the receipt to the court (§288)
        ruling.save(update_fields=["receipt_at"])
    return d


# ------------------------------------------------------------------------------------------------ counts, files


@transaction.atomic
def inventory_count(*, actor, location_code: str, scanned: Sequence[str]) -> InventoryCount:
    """Count a location by scanning every label in it; store what is missing, misplaced and unexpected
    (``evidence.inventory``). Unreadable labels count as unexpected."""
    import time

    access.require_store_staff(actor, "count the store")
    t0 = time.perf_counter()
    loc = _location(location_code)
    canon = [labels.parse(s) or s.strip() for s in scanned if s.strip()]
    here = Item.objects.filter(location__path__startswith=loc.path, status=ItemStatus.IN_STORE)
    recorded = dict(here.values_list("label", "location__path").iterator(chunk_size=5000))
    outside = set(canon) - recorded.keys()
    if outside:
        recorded.update(Item.objects.filter(label__in=outside, status=ItemStatus.IN_STORE)
                        .values_list("label", "location__path"))
    rec = inventory.reconcile(loc.path, recorded, canon)
    codes = dict(Location.objects.filter(path__in=set(rec.misplaced.values())).values_list("path", "code"))
    count = InventoryCount.objects.create(
        location=loc, counted_by=actor, at=_now(), scanned=len(set(canon)), found=len(rec.found),
        missing=sorted(rec.missing), misplaced={k: codes.get(v, v) for k, v in sorted(rec.misplaced.items())},
        unexpected=sorted(rec.unexpected), seconds=time.perf_counter() - t0)
    audit.record(actor, "inventory", "EvidenceLocation", loc.code,
                 detail={"count": count.pk, "missing": len(rec.missing), "misplaced": len(rec.misplaced),
                         "unexpected": len(rec.unexpected)})
    return count


def blob_dir() -> Path:
    return Path(getattr(settings, "PINGAN_EVIDENCE_BLOBS", "") or settings.DATA_DIR / "evidence" / "blobs")


def blob_path(sha256: str) -> Path:
    return blob_dir() / sha256[:2] / sha256[2:4] / sha256


def _store_blob(data: bytes) -> str:
    """Store ``data`` read-only under its SHA-256 (once: the same content is one file) and return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o440)
        os.replace(tmp, path)
    return digest


#: The largest photo or signature image accepted (a phone's photo is a few MB).
MAX_IMAGE = 15 * 1024 * 1024


def _image(data: bytes, *, formats: tuple[str, ...]) -> str:
    """The MIME type of an image in one of ``formats`` (Pillow's names), or a ``bad_image`` error saying
    what was received."""
    import io

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise DomainError("the file is empty", code="empty_file")
    if len(data) > MAX_IMAGE:
        raise DomainError(f"the image is {len(data)} bytes; the limit is {MAX_IMAGE}", code="image_too_large",
                          params={"size": len(data), "limit": MAX_IMAGE})
    try:
        with Image.open(io.BytesIO(data)) as im:
            kind = im.format
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in formats:
        raise DomainError(f"not a {' or '.join(formats)} image", code="bad_image",
                          params={"formats": " / ".join(formats)})
    return Image.MIME[kind]


@transaction.atomic
def item_photo_add(*, actor, label: str, name: str, data: bytes) -> Attachment:
    """Store a photograph of an item (§230: valuables photographed and valued before custody), hashed and
    content-addressed; the hash goes on the item's chain and the item's photo count goes up. An investigator
    of the case or a custodian of the store takes it."""
    item = _locked(label, actor)
    investigator = actor.role in access.POLICE_WRITERS and item.actor_investigates
    if not (investigator or access.is_store_staff(actor)):
        raise PermissionDenied("only an investigator of the case or a custodian photographs items",
                               message_id="evidence_photo_takers")
    if item.status in (ItemStatus.DISPOSED, ItemStatus.RETURNED):
        raise DomainError(f"{item.label} is {item.status}", code="bad_item_state",
                          params={"label": item.label, "status": ItemStatus(item.status)})
    mime = _image(data, formats=("JPEG", "PNG"))
    digest = _store_blob(data)
    a = Attachment.objects.create(kind=Attachment.Kind.PHOTO, item=item, name=_text(name, "file name", 200),
                                  content_type=mime, size=len(data), sha256=digest, added_at=_now(), added_by=actor)
    item.photos += 1
    _append(item, EventKind.PHOTO, actor, detail={"attachment": a.pk, "sha256": digest, "size": a.size},
            save=["photos"])
    return a


@transaction.atomic
def seizure_list_sign(*, actor, list_id: int, signer: str, png: bytes) -> Attachment:
    """Keep the holder's or the witness's signature captured at the seizure (a PNG from the signature pad),
    hashed and content-addressed; the audit record names its hash. Once per signer: a signature is not
    replaced."""
    sl = access.visible_seizure_lists(actor, SeizureList.objects.select_for_update(of=("self",)).select_related(
        "case")).filter(pk=list_id).first()
    if sl is None:
        raise NotFound(f"seizure list {list_id} not found")
    if actor.role not in access.POLICE_WRITERS or not sl.case.investigators.filter(pk=actor.pk).exists():
        raise PermissionDenied("only an investigator of the case lists what was seized",
                               message_id="evidence_investigator_only")
    if signer not in Attachment.Signer.values:
        raise DomainError(f"unknown signer {signer!r}", code="bad_signer", params={"signer": signer})
    if sl.signatures.filter(signer=signer).exists():
        raise DomainError(f"the {signer} of {sl.number} has signed already", code="already_signed",
                          params={"list": sl.number})
    mime = _image(png, formats=("PNG",))
    digest = _store_blob(png)
    a = Attachment.objects.create(kind=Attachment.Kind.SIGNATURE, seizure_list=sl, signer=signer,
                                  name=f"{sl.number}-{signer}.png", content_type=mime, size=len(png), sha256=digest,
                                  added_at=_now(), added_by=actor)
    audit.record(actor, "sign", "EvidenceSeizureList", sl.number, detail={"signer": signer, "sha256": digest})
    return a


def blob_read(sha256: str) -> tuple[bytes | None, str]:
    """The stored content and its SHA-256 now (``"missing"`` when the file is gone)."""
    try:
        data = blob_path(sha256).read_bytes()
    except FileNotFoundError:
        return None, "missing"
    return data, hashlib.sha256(data).hexdigest()


@transaction.atomic
def attachment_integrity_failure(*, actor, attachment: Attachment, found: str) -> None:
    """A photo or signature no longer matches its hash: on the item's chain (a photo), in the audit trail."""
    detail = {"attachment": attachment.pk, "expected": attachment.sha256, "found": found}
    if attachment.item_id:
        item = Item.objects.select_for_update(of=("self",)).select_related("custody", "location").get(
            pk=attachment.item_id)
        _append(item, EventKind.INTEGRITY_FAILURE, actor, detail=detail)
    else:
        audit.record(actor, "integrity_failure", "EvidenceAttachment", attachment.pk, detail=detail)


@transaction.atomic
def digital_file_add(*, actor, label: str, name: str, data: bytes) -> DigitalFile:
    """Acquire a file of electronic data for an electronic-evidence item: its SHA-256 is computed now
    (法发〔2016〕22号 Arts. 5, 14; ISO/IEC 27037) and the content stored under it, read-only."""
    item = _locked(label, actor)
    if not (actor.role in access.POLICE_WRITERS and item.case.investigators.filter(pk=actor.pk).exists()):
        raise PermissionDenied("only an investigator of the case acquires its electronic data",
                               message_id="evidence_investigator_only")
    if not rules.categories()[item.category].get("digital"):
        raise DomainError(f"{item.label} is not electronic evidence", code="not_digital", params={"label": item.label})
    if not data:
        raise DomainError("the file is empty", code="empty_file")
    digest = _store_blob(data)
    f = DigitalFile.objects.create(item=item, name=_text(name, "file name", 200), size=len(data), sha256=digest,
                                   acquired_at=_now(), acquired_by=actor)
    _append(item, EventKind.ACQUIRE, actor, detail={"file": f.pk, "name": f.name, "size": f.size, "sha256": digest})
    return f


@transaction.atomic
def integrity_failure_record(*, actor, file: DigitalFile, found: str) -> None:
    """Record on the item's chain that a file no longer matches its acquisition hash."""
    item = Item.objects.select_for_update(of=("self",)).select_related("custody", "location").get(pk=file.item_id)
    _append(item, EventKind.INTEGRITY_FAILURE, actor,
            detail={"file": file.pk, "expected": file.sha256, "found": found})


# ------------------------------------------------------------------------------------------------ clocks


@transaction.atomic
def overdue_alert(*, now: dt.datetime | None = None) -> list[int]:
    """Mark the check-outs out past their due-back time and not yet alerted; returns their ids (the tick
    command and task log them; the home panel lists every overdue one)."""
    now = now or _now()
    ids = list(CheckOut.objects.select_for_update().filter(status=CheckOut.Status.OUT, due_back_at__lt=now,
                                                           alerted_at__isnull=True).values_list("pk", flat=True))
    if ids:
        CheckOut.objects.filter(pk__in=ids).update(alerted_at=now)
        audit.record(None, "overdue_alert", "EvidenceCheckOut", "", detail={"checkouts": ids})
    return ids
