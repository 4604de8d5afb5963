"""Case property and evidence (涉案财物): cases, seizure lists, items, store locations, the chain of custody,
check-outs, transfers between police, procuratorate and court, rulings, disposals, inventory counts, the
case-money ledger and digital files.

Models hold fields, constraints and cheap properties; every write goes through ``evidence.services`` (which
appends to the item's custody chain) and every read of personal data through ``evidence.selectors``.
The chain itself (hashing, verification) is ``evidence.chain``, pure code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core.models import OrgUnit


class Source(models.TextChoices):
    """How the item came into the case (程序规定 2020 §230: 来源)."""

    SEIZED = "seized", pgettext_lazy("evidence source", "seized")
    RETAINED = "retained", pgettext_lazy("evidence source", "retained")
    FROZEN = "frozen", pgettext_lazy("evidence source", "frozen")


class StorageClass(models.TextChoices):
    GENERAL = "general", _("general")
    VAULT = "vault", _("vault (valuables, cash)")
    COLD = "cold", _("cold store")
    HAZARDOUS = "hazardous", _("hazardous goods")
    VEHICLE_YARD = "vehicle_yard", _("vehicle yard")


class ItemStatus(models.TextChoices):
    REGISTERED = "registered", _("registered, not yet in store")
    IN_STORE = "in_store", _("in store")
    CHECKED_OUT = "checked_out", _("checked out")
    DISPOSED = "disposed", _("disposed of")
    RETURNED = "returned", _("returned to owner")


class EventKind(models.TextChoices):
    """What happened to an item; every one is a link of its custody chain."""

    SEIZED = "seized", _("seized and listed")
    VALUED = "valued", _("photographed and valued")
    PHOTO = "photo", _("photograph stored")
    INTAKE = "intake", _("checked in to the store")
    MOVE = "move", _("moved")
    CHECK_OUT = "check_out", _("checked out")
    RETURN = "return", _("returned to the store")
    TRANSFER_SENT = "transfer_sent", _("transfer sent")
    TRANSFER = "transfer", _("legal custody transferred")
    TRANSFER_REJECTED = "transfer_rejected", _("transfer refused by the receiving body")
    EXTENSION = "extension", _("check-out extended")
    SAMPLE = "sample", _("sample taken")
    HOLD = "hold", _("legal hold placed")
    HOLD_RELEASED = "hold_released", _("legal hold released")
    UNRELATED = "unrelated", _("found unrelated to the case")
    NOTICE = "notice", _("owner-unknown notice published")
    RULING = "ruling", _("court ruling recorded")
    DISPOSAL = "disposal", _("disposed of")
    RETURN_TO_OWNER = "return_to_owner", _("returned to owner")
    ACQUIRE = "acquire", _("digital file acquired")
    INTEGRITY_FAILURE = "integrity_failure", _("integrity check failed")


class Case(models.Model):
    """A case whose property the store holds; ``unit`` is the investigating police unit (办案单位)."""

    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evidence_cases")
    investigators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="evidence_cases")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Location(models.Model):
    """A place in the central store: store → room → shelf → bin/locker (or a yard), a materialised ``path``
    of zero-padded ids like ``OrgUnit``. ``capacity`` 0 means unlimited."""

    class Kind(models.TextChoices):
        STORE = "store", _("store")
        ROOM = "room", _("room")
        SHELF = "shelf", _("shelf")
        BIN = "bin", _("bin")
        LOCKER = "locker", _("locker")
        YARD = "yard", _("yard")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    #: the name English pages show (a store's own English name); blank: :attr:`label` says it as pages say a
    #: township the reference data has no English for — what it is in English, its Chinese name beside it
    name_en = models.CharField(max_length=100, blank=True, default="")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    storage_class = models.CharField(max_length=16, choices=StorageClass.choices, default=StorageClass.GENERAL)
    capacity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The location's name in the active language: ``name`` on Chinese pages; on English ones ``name_en``,
        else its kind in English with the Chinese name beside it, "Shelf (A1 货架)" — as a township without an
        English name reads "Lianqian Subdistrict (莲前街道)" (issue 11: English pages showed "SW-V1 贵重物品保险柜")."""
        from pingan.core.texts import lang, paren

        if lang() != "en":
            return self.name
        return self.name_en or f"{str(self.get_kind_display()).capitalize()}{paren(self.name, language='en')}"


class SeizureList(models.Model):
    """A seizure list (扣押清单, 程序规定 2020 §230): three copies (holder, keeper, file), signed by at least two
    officers, the holder and a witness."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="seizure_lists")
    number = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SEIZED)
    holder_name = models.CharField(max_length=100)
    holder_id_number = models.CharField(max_length=40, blank=True, default="")
    witness_name = models.CharField(max_length=100)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    place = models.CharField(max_length=200, blank=True, default="")
    seized_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit = "case__unit"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class Item(models.Model):
    """One item of case property. ``custody`` is the body holding legal custody (the investigating unit, the
    procuratorate, the court); ``location`` where the object sits (it stays there across transfers:
    权属移交、实物不动). ``head_seq``/``head_hash`` are the head of the custody chain."""

    label = models.CharField(max_length=24, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="items")
    seizure_list = models.ForeignKey(SeizureList, on_delete=models.PROTECT, related_name="items")
    line = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=1)
    quantity_unit = models.CharField(max_length=16, default="件")
    features = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SEIZED)
    category = models.CharField(max_length=16)
    photos = models.PositiveIntegerField(default=0)
    value_cents = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.REGISTERED)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    custody = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evidence_items")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    legal_hold = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=200, blank=True, default="")
    seized_at = models.DateTimeField()
    intake_at = models.DateTimeField(null=True, blank=True)
    unrelated_at = models.DateTimeField(null=True, blank=True)
    notice_at = models.DateTimeField(null=True, blank=True)
    due_back_at = models.DateTimeField(null=True, blank=True)
    rule_version = models.CharField(max_length=16)
    head_seq = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    # The last full verification that held (``services.item_checkpoint``): later ones start here.
    chain_checked_seq = models.PositiveIntegerField(default=0)
    chain_checked_hash = models.CharField(max_length=64, blank=True, default="")
    chain_checked_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "case__unit"

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["location", "status"]), models.Index(fields=["case", "line"]),
                   models.Index(fields=["custody", "id"]), models.Index(fields=["status", "due_back_at"])]
        constraints = [models.CheckConstraint(name="evidence_item_value_not_negative",
                                              condition=models.Q(value_cents__gte=0) | models.Q(value_cents=None))]

    def __str__(self) -> str:
        return f"{self.label} {self.name}"


class LabelCounter(models.Model):
    """The last label serial given out per store and year (locked while labels are allocated)."""

    store = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "year"], name="evidence_label_counter")]

    def __str__(self) -> str:
        return f"{self.store}-{self.year}: {self.last}"


class CustodyEvent(models.Model):
    """One link of an item's custody chain (append-only; ``evidence.chain`` says what ``hash`` covers).
    ``actor``/``location``/``custody`` are kept as text as they were, so renaming a unit or a shelf does not
    change history."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField()
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(max_length=150)
    witness = models.CharField(max_length=100, blank=True, default="")
    location = models.CharField(max_length=40, blank=True, default="")
    custody = models.CharField(max_length=32)
    place = models.CharField(max_length=200, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="evidence_event_item_seq")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} {self.kind}"


class CheckOut(models.Model):
    """A check-out (调用, 若干规定 2015 Art. 11): requested by the borrower, approved by someone else, taken out
    and returned by scans at the store."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        OUT = "out", _("out")
        RETURNED = "returned", _("returned")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="checkouts")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    purpose = models.CharField(max_length=16)
    reason = models.CharField(max_length=300)
    due_back_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    out_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    condition_back = models.CharField(max_length=300, blank=True, default="")
    alerted_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "item__case__unit"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "due_back_at"])]

    def __str__(self) -> str:
        return f"checkout {self.pk} of {self.item_id}"


class Transfer(models.Model):
    """A transfer of legal custody with the case (随案移送清单, 程序规定 2020 §288): police → procuratorate →
    court; the object does not move. Custody changes when the receiving body accepts."""

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("evidence transfer", "sent")
        ACCEPTED = "accepted", pgettext_lazy("evidence transfer", "accepted")
        REJECTED = "rejected", pgettext_lazy("evidence transfer", "refused")

    number = models.CharField(max_length=40, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(Item, related_name="transfers")
    recommendation = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    # A refusal (the receiving body sends the list back with its reason; custody stays with the sender).
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class Extension(models.Model):
    """A longer due-back time for a check-out that is out (若干规定 2015 Art. 11: a late return needs
    formalities): asked by the borrower's side, decided by an approver other than the one asking."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("not approved")

    checkout = models.ForeignKey(CheckOut, on_delete=models.PROTECT, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    old_due = models.DateTimeField()
    new_due = models.DateTimeField()
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["checkout"], condition=models.Q(status="requested"),
                                               name="evidence_one_open_extension")]

    def __str__(self) -> str:
        return f"extension {self.pk} of checkout {self.checkout_id}"


class SupervisionFiling(models.Model):
    """The filing of a seizure list's legal documents with the same-level police supervision (警务督察),
    due within 24 hours of the store receiving them (若干规定 2015 Art. 13). Opened when the store checks in
    the list's first item; closed when a custodian records the filing and the supervision's reference."""

    seizure_list = models.OneToOneField(SeizureList, on_delete=models.PROTECT, related_name="filing")
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    rule_version = models.CharField(max_length=16)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reference = models.CharField(max_length=60, blank=True, default="")
    supervision = models.CharField(max_length=100, blank=True, default="")

    scope_unit = "seizure_list__case__unit"

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["filed_at", "due_at"])]

    def __str__(self) -> str:
        return f"filing of {self.seizure_list_id}"


class Disposition(models.TextChoices):
    """What becomes of an item (若干规定 2015 Art. 14)."""

    RETURN = "return", _("return to owner or victim")
    CONFISCATE = "confiscate", _("confiscation to the treasury")
    AUCTION = "auction", _("auction or sale")
    DESTROY = "destroy", _("destruction")


class Ruling(models.Model):
    """A court ruling on the case's property: ``decisions`` maps item ids (as text) to a
    :class:`Disposition`. ``receipt_at``: when the police executed every decision (the receipt of §288)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="rulings")
    court = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=60, unique=True)
    decided_at = models.DateField()
    decisions = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    receipt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class Disposal(models.Model):
    """How an item left the case: the disposition, its legal basis, who approved, and for a return the
    recipient (owner or authorised agent, with proof) and the receipt number."""

    class Basis(models.TextChoices):
        RULING = "ruling", _("court ruling")
        PRETRIAL_RETURN = "pretrial_return", _("pre-trial return to the victim (§234)")
        UNRELATED = "unrelated", _("unrelated to the case (§233)")
        PERISHABLE = "perishable", _("perishable, sold with approval (§236)")
        UNCLAIMED = "unclaimed", _("unclaimed six months after notice (§233)")

    class Relation(models.TextChoices):
        OWNER = "owner", _("owner")
        AGENT = "agent", _("authorised agent")

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="disposal")
    disposition = models.CharField(max_length=12, choices=Disposition.choices)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    ruling = models.ForeignKey(Ruling, null=True, blank=True, on_delete=models.PROTECT, related_name="disposals")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField()
    recipient_name = models.CharField(max_length=100, blank=True, default="")
    recipient_id_number = models.CharField(max_length=40, blank=True, default="")
    recipient_relation = models.CharField(max_length=8, choices=Relation.choices, blank=True, default="")
    proof = models.CharField(max_length=300, blank=True, default="")
    receipt_number = models.CharField(max_length=40, blank=True, default="")
    proceeds_cents = models.BigIntegerField(null=True, blank=True)

    scope_unit = "item__case__unit"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.disposition} of {self.item_id}"


class InventoryCount(models.Model):
    """An inventory count (盘点) of a location by scanning: what was found, missing, misplaced (label →
    recorded location code) and unexpected."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="counts")
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    scanned = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list)
    misplaced = models.JSONField(default=dict)
    unexpected = models.JSONField(default=list)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"count {self.pk} of {self.location_id}"


class CashEntry(models.Model):
    """One entry of the single case-money account (涉案款专户, 若干规定 2015): deposits positive, payments
    out negative; ``balance_cents`` the account's balance after it, ``seq`` gapless."""

    seq = models.BigIntegerField(unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cash_entries")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="cash_entries")
    amount_cents = models.BigIntegerField()
    balance_cents = models.BigIntegerField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        constraints = [models.CheckConstraint(name="evidence_cash_balance_not_negative",
                                              condition=models.Q(balance_cents__gte=0))]

    def __str__(self) -> str:
        return f"#{self.seq} {self.amount_cents}"


class DigitalFile(models.Model):
    """A file of electronic data acquired for an item, stored content-addressed under its SHA-256
    (``<DATA_DIR>/evidence/blobs/ab/cd/<sha256>``) and re-hashed on every access."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    acquired_at = models.DateTimeField()
    acquired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_unit = "item__case__unit"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.sha256[:12]}"


class Attachment(models.Model):
    """A photograph of an item (§230: valuables photographed before custody) or a signature captured on a
    seizure list (holder, witness), stored content-addressed in the same read-only blob store as digital
    evidence (``<DATA_DIR>/evidence/blobs/ab/cd/<sha256>``) and re-hashed whenever it is read."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photograph")
        SIGNATURE = "signature", _("signature")

    class Signer(models.TextChoices):
        HOLDER = "holder", _("holder")
        WITNESS = "witness", _("witness")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    seizure_list = models.ForeignKey(SeizureList, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="signatures")
    signer = models.CharField(max_length=8, choices=Signer.choices, blank=True, default="")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["seizure_list", "signer"], condition=models.Q(kind="signature"),
                                    name="evidence_one_signature_per_signer"),
            models.CheckConstraint(name="evidence_attachment_owner", condition=(
                models.Q(kind="photo", item__isnull=False, seizure_list__isnull=True)
                | models.Q(kind="signature", item__isnull=True, seizure_list__isnull=False)))]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"
