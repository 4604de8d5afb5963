"""Anti-fraud centre models (反诈中心): reports and their identifiers, bank statements, traces, stop-payment
and freeze orders with their lifecycle, blocks with appeals, warnings with the SMS outbox.

Money is integer cents (``BigIntegerField``); times are aware datetimes (UTC in the database). Codes are
stored (fraud type, statuses, feedback, outcomes) and shown in the viewer's language at display time.
Fields, constraints and cheap properties only: every write is in ``services``, every read of personal
data in ``selectors`` (scoped, audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core.models import OrgUnit


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    SMS = "sms", _("SMS")
    IM = "im", _("instant messaging")
    WEB = "web", _("website")
    APP = "app", _("app")
    OTHER = "other", _("other")


class FraudReport(models.Model):
    """A fraud report (报案): the victim, what happened, the loss. Scoped by the unit that took it."""

    scope_unit = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="fraud_reports")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    victim_name = models.CharField(max_length=100)
    victim_phone = models.CharField(max_length=32, blank=True, default="")
    victim_id_number = models.CharField(max_length=32, blank=True, default="")
    victim_address = models.CharField(max_length=200, blank=True, default="")
    reported_at = models.DateTimeField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    loss_cents = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.OTHER)
    fraud_type = models.CharField(max_length=32, help_text="a code of data/fraud_types.toml")
    narrative = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [models.CheckConstraint(name="antifraud_report_loss_not_negative",
                                              condition=models.Q(loss_cents__gte=0))]

    def __str__(self) -> str:
        return f"FZ-{self.pk}"


class VictimTransfer(models.Model):
    """One of the victim's outgoing transfers (the seeds of a trace)."""

    scope_unit = "report__unit"

    report = models.ForeignKey(FraudReport, on_delete=models.CASCADE, related_name="transfers")
    at = models.DateTimeField()
    amount_cents = models.BigIntegerField()
    from_account = models.CharField(max_length=40, blank=True, default="")
    to_account = models.CharField(max_length=40)
    to_name = models.CharField(max_length=100, blank=True, default="")
    to_bank = models.CharField(max_length=100, blank=True, default="")
    serial = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(name="antifraud_transfer_positive",
                                              condition=models.Q(amount_cents__gt=0))]

    def __str__(self) -> str:
        return f"{self.to_account} {self.amount_cents / 100:.2f}"


class IdentifierKind(models.TextChoices):
    BANK_ACCOUNT = "bank_account", _("bank account")
    PHONE = "phone", _("phone number")
    DOMAIN = "domain", _("domain")
    URL = "url", _("URL")
    APP = "app", _("app")
    IM = "im", _("IM account")
    WALLET = "wallet", _("wallet address")


class SuspectIdentifier(models.Model):
    """A suspect's identifier named in a report; ``key`` is the normalised value that links reports."""

    scope_unit = "report__unit"

    report = models.ForeignKey(FraudReport, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    value = models.CharField(max_length=500)
    key = models.CharField(max_length=300)
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["kind", "key"]
        indexes = [models.Index(fields=["kind", "key"])]
        constraints = [models.UniqueConstraint(fields=["report", "kind", "key"], name="antifraud_identifier_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class AccountKind(models.TextChoices):
    CASH = "cash", _("cash withdrawal")
    MERCHANT = "merchant", _("merchant")
    EXCHANGE = "exchange", _("exchange")


class AccountMark(models.Model):
    """An account known to be a merchant or an exchange (cash is recognised from the statement rows): a trace
    stops there."""

    account = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    note = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.account} ({self.kind})"


class Statement(models.Model):
    """One imported bank statement file (流水) of one account, for one case."""

    scope_unit = "report__unit"

    report = models.ForeignKey(FraudReport, on_delete=models.CASCADE, related_name="statements")
    account = models.CharField(max_length=40)
    bank = models.CharField(max_length=100, blank=True, default="")
    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    encoding = models.CharField(max_length=20, blank=True, default="")
    columns = models.JSONField(default=dict)
    total_rows = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    rejections = models.JSONField(default=list, help_text="[{row, code, column, value, params}]")
    gaps = models.JSONField(default=list, help_text="[{after_row, before_row, expected, found, missing}] (cents)")

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.account})"


class StatementTxn(models.Model):
    """One accepted statement row; ``amount_cents`` is signed from the account holder's side (+ in, − out).
    Rows of overlapping statements of the same account are stored once (same transaction serial)."""

    scope_unit = "statement__report__unit"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="txns")
    row = models.IntegerField()
    account = models.CharField(max_length=40, db_index=True)
    serial = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField()
    amount_cents = models.BigIntegerField()
    balance_cents = models.BigIntegerField(null=True, blank=True)
    counterparty_account = models.CharField(max_length=40, blank=True, default="")
    counterparty_name = models.CharField(max_length=100, blank=True, default="")
    counterparty_bank = models.CharField(max_length=100, blank=True, default="")
    summary = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "serial"], condition=~models.Q(serial=""),
                                               name="antifraud_txn_serial_once")]

    def __str__(self) -> str:
        return f"{self.account} #{self.serial or self.row}"


class TraceMethod(models.TextChoices):
    FIFO = "fifo", _("FIFO (Clayton's case)")
    HAIRCUT = "haircut", _("pro-rata (haircut)")
    POISON = "poison", _("poison")


class TraceRun(models.Model):
    """One fund-flow trace of a case: the rule, the hop limit, and the result (JSON; see services.trace_run)."""

    scope_unit = "report__unit"

    report = models.ForeignKey(FraudReport, on_delete=models.CASCADE, related_name="traces")
    method = models.CharField(max_length=8, choices=TraceMethod.choices, default=TraceMethod.FIFO)
    max_hops = models.PositiveSmallIntegerField(default=5)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"trace {self.pk} of {self.report}"


class OrderKind(models.TextChoices):
    STOP_PAYMENT = "stop_payment", _("emergency stop-payment (紧急止付)")
    FREEZE = "freeze", _("freeze (冻结)")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    SENT = "sent", _("sent to the bank")
    IN_FORCE = "in_force", _("in force")
    QUEUED = "queued", _("queued behind another freeze (轮候)")
    FAILED = "failed", _("not executed")
    EXPIRING = "expiring", _("expiring")
    RENEWED = "renewed", _("renewed")
    LAPSED = "lapsed", _("lapsed")
    EXPIRED = "expired", _("expired")
    LIFTED = "lifted", _("lifted")


class Feedback(models.TextChoices):
    DONE = "done", _("done")
    INSUFFICIENT = "insufficient", _("insufficient balance (partly executed)")
    NAME_MISMATCH = "name_mismatch", _("account name does not match")
    ALREADY_FROZEN = "already_frozen", _("already frozen by another authority")


class Order(models.Model):
    """An emergency stop-payment or freeze of one account, with its legal basis and deadlines.

    ``basis_version``: the legal-constants version (data/legal.toml) it was made under; ``effective_at`` and
    ``expires_at`` are set from the bank's feedback; ``renewal_of`` links a renewal to the order it extends;
    ``queued_behind`` a queued freeze to the freeze it waits for."""

    scope_unit = "report__unit"

    report = models.ForeignKey(FraudReport, on_delete=models.PROTECT, related_name="orders")
    trace = models.ForeignKey(TraceRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    account = models.CharField(max_length=40, db_index=True)
    account_name = models.CharField(max_length=100, blank=True, default="")
    bank = models.CharField(max_length=100, blank=True, default="")
    amount_cents = models.BigIntegerField()
    major = models.BooleanField(default=False, help_text="major/complex case: 12-month freeze (city approval)")
    basis_version = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    feedback = models.CharField(max_length=16, choices=Feedback.choices, blank=True, default="")
    executed_cents = models.BigIntegerField(null=True, blank=True)
    renewal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    queued_behind = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="queue")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [models.CheckConstraint(name="antifraud_order_amount_positive",
                                              condition=models.Q(amount_cents__gt=0))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account}"


class OrderEvent(models.Model):
    """One step of an order's lifecycle (also written to the audit trail)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True, default="")
    to_status = models.CharField(max_length=10, blank=True, default="")
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.order_id}"


class ReturnPlan(models.Model):
    """How the money frozen in one account goes back to victims (direct or pro-rata, 2016 rule Art. 8)."""

    scope_unit = "order__report__unit"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="return_plans")
    shares = models.JSONField(help_text="[{victim_report, cents, direct}]")
    pro_rata = models.BooleanField()
    notice_until = models.DateField(null=True, blank=True, help_text="end of the 30-day public notice (pro-rata)")
    bank_due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"return plan {self.pk}"


class BlockKind(models.TextChoices):
    PHONE = "phone", _("phone number")
    DOMAIN = "domain", _("domain")
    URL = "url", _("URL")
    APP = "app", _("app")


class BlockStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("antifraud block", "active")
    LIFTED = "lifted", _("lifted")
    EXPIRED = "expired", _("expired")


class Block(models.Model):
    """A blocked number, domain/URL or app (封堵), with reason, evidence, expiry and the Art. 32 notice."""

    kind = models.CharField(max_length=8, choices=BlockKind.choices)
    value = models.CharField(max_length=500)
    key = models.CharField(max_length=300, db_index=True)
    reason = models.CharField(max_length=500)
    evidence = models.TextField()
    report = models.ForeignKey(FraudReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="blocks")
    basis_version = models.CharField(max_length=16)
    status = models.CharField(max_length=8, choices=BlockStatus.choices, default=BlockStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], condition=models.Q(status="active"),
                                               name="antifraud_block_active_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    UPHELD = "upheld", _("upheld: block lifted")
    REJECTED = "rejected", _("rejected")


class Appeal(models.Model):
    """An appeal against a block (Art. 32): who, why, which documents; decided by the centre."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.CharField(max_length=100)
    contact = models.CharField(max_length=100)
    reason = models.TextField()
    documents = models.JSONField(default=list, help_text="names of the documents provided")
    status = models.CharField(max_length=8, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return f"appeal {self.pk}"


class ContactImport(models.Model):
    """A batch of contact records (calls, SMS, transfers, app installs) from carriers or banks."""

    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.IntegerField(default=0)
    matched = models.IntegerField(default=0)
    warned = models.IntegerField(default=0)
    suppressed = models.IntegerField(default=0, help_text="matches not warned: the person was warned within the window")
    rejections = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.filename


class WarningChannel(models.TextChoices):
    SMS = "sms", _("warning SMS")
    CALL = "call", _("warning call")
    FACE_TO_FACE = "face_to_face", _("face-to-face warning (见面劝阻)")


class WarningOutcome(models.TextChoices):
    PERSUADED = "persuaded", _("persuaded")
    ALREADY_PAID = "already_paid", _("already paid: report opened")
    UNREACHABLE = "unreachable", _("unreachable")


class Warning(models.Model):
    """A warning to a likely victim (预警劝阻). Scoped by the unit that must act: the centre for SMS and calls,
    the station of the person's address for a face-to-face warning."""

    scope_unit = "unit"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="fraud_warnings")
    person_phone = models.CharField(max_length=32, db_index=True)
    person_name = models.CharField(max_length=100, blank=True, default="")
    person_address = models.CharField(max_length=200, blank=True, default="")
    adcode = models.CharField(max_length=12, blank=True, default="")
    channel = models.CharField(max_length=14, choices=WarningChannel.choices)
    contact_kind = models.CharField(max_length=10, help_text="call, sms, transfer or app")
    counterpart_kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    counterpart = models.CharField(max_length=300)
    listed_by = models.CharField(max_length=100, help_text="what listed the identifier (report or block)")
    fraud_type = models.CharField(max_length=32, blank=True, default="")
    attempted_cents = models.BigIntegerField(default=0, help_text="the transfer's amount, for transfers")
    source = models.ForeignKey(ContactImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=WarningOutcome.choices, blank=True, default="")
    outcome_note = models.CharField(max_length=500, blank=True, default="")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    opened_report = models.ForeignKey(FraudReport, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"warning {self.pk}"


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class SmsMessage(models.Model):
    """The SMS outbox (the embedded gateway writes here; a carrier gateway reads it and posts receipts)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="sms")
    phone = models.CharField(max_length=32)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    gateway_ref = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SMS {self.pk} to {self.phone}"
