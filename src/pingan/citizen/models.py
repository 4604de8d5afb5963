"""Citizen services (便民): the service catalogue, counters and appointments with queue tickets, residence
permits (居住证) with their documents and endorsements, and citizens' notices.

Personal data is scoped (``core.scoping``): by the responsible station (``scope_unit``) for police and by the
citizen's own account (``scope_owner``) for the citizen. Rules (eligibility, booking) live in
``citizen.rules`` as versioned data; models hold fields and constraints only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How a service can be done (the seed's categories)."""

    # The seed's Chinese names (网上办, 就近办, 一次办, 马上办) are the zh_Hans translations of these labels.
    ONLINE = "online", pgettext_lazy("citizen channel", "online")
    NEARBY = "nearby", pgettext_lazy("citizen channel", "nearby")
    ONE_VISIT = "one_visit", pgettext_lazy("citizen channel", "one visit")
    IMMEDIATE = "immediate", pgettext_lazy("citizen channel", "immediate")
    TERMINAL = "terminal", _("self-service terminal")


class Service(models.Model):
    """One service of the catalogue (loaded from ``citizen/data/catalogue.toml``; public, no personal data).

    ``documents`` are codes of the catalogue's document list; ``time_limit_days`` the legal time limit (0: on
    the spot; ``None``: not stated); ``fee_cents`` in fen (``None``: not stated); ``channels`` codes of
    :class:`Channel`; ``bookable``: counters take appointments for it.
    """

    code = models.CharField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    department = models.CharField(max_length=32)
    output_zh = models.CharField(max_length=200, blank=True, default="")
    output_en = models.CharField(max_length=200, blank=True, default="")
    documents = models.JSONField(default=list, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(null=True, blank=True)
    fee_cents = models.PositiveIntegerField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)
    bookable = models.BooleanField(default=False)
    basis_zh = models.CharField(max_length=200, blank=True, default="")
    basis_en = models.CharField(max_length=200, blank=True, default="")
    catalogue_version = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["department", "code"]

    def __str__(self) -> str:
        return self.code


class Counter(models.Model):
    """A counter (窗口) of a station that takes appointments and issues queue tickets.

    ``sessions``: the opening hours of an open day, ``[["08:30", "12:00"], ["14:30", "17:30"]]``;
    ``weekdays``: open days (Monday = 0); ``holidays``: ISO dates closed; ``slot_minutes`` and ``capacity``
    (places per slot); ``minutes_per_ticket`` the average service time (for the estimated wait);
    ``services``: codes of the services it handles.
    """

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="counters")
    name = models.CharField(max_length=100)
    # the counter's name on pages that are not Chinese (like ``OrgUnit.name_en``): an English page named every
    # counter "莲前派出所户政窗口" beside "Lianqian Police Station"
    name_en = models.CharField(max_length=100, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    services = models.JSONField(default=list, blank=True)
    sessions = models.JSONField(default=list)
    weekdays = models.JSONField(default=list)
    holidays = models.JSONField(default=list, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=4)
    minutes_per_ticket = models.PositiveSmallIntegerField(default=8)
    desks = models.PositiveSmallIntegerField(default=1)

    scope_unit = "unit"  # no personal data; scoped so that desk actions find only their station's counters

    class Meta:
        ordering = ["unit__path", "id"]
        constraints = [models.CheckConstraint(name="counter_slot_positive", condition=Q(slot_minutes__gt=0)),
                       models.CheckConstraint(name="counter_capacity_positive", condition=Q(capacity__gt=0))]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The counter's name in the active language: ``name_en`` on a page that is not Chinese, when set."""
        from pingan.core.models import unit_label

        return unit_label(self.name, self.name_en)


class Slot(models.Model):
    """One appointment slot of a counter: ``taken`` of ``capacity`` places.

    The database enforces ``0 <= taken <= capacity``; a booking takes a place with one conditional
    ``UPDATE … SET taken = taken + 1 WHERE taken < capacity`` (``citizen.services.booking_create``), so two
    people racing for the last place get one place and one refusal.
    """

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField()
    start = models.TimeField()
    capacity = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.UniqueConstraint(fields=["counter", "day", "start"], name="one_slot_per_counter_time"),
            models.CheckConstraint(name="slot_not_overbooked", condition=Q(taken__lte=F("capacity"))),
        ]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.day} {self.start:%H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.taken


class Identity(models.Model):
    """A citizen account's real name and resident ID number (GB 11643, checked at sign-up): what bookings
    and applications are made under. One per account and one account per number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity")
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18, unique=True)
    phone = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner = "user"

    def __str__(self) -> str:
        return self.name


class Booking(models.Model):
    """An appointment: a place in a slot, made by a citizen for themselves (real-name)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")
        CHECKED_IN = "checked_in", _("checked in")
        NO_SHOW = "no_show", _("did not come")

    #: the statuses that hold the person's day (one booking per person per day; the constraint below)
    HOLDS_DAY = (Status.BOOKED, Status.CHECKED_IN)

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    day = models.DateField()  # the slot's day, for the one-booking-per-person-per-day constraint
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18)
    service = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    rules_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "slot__counter__unit"
    scope_owner = "citizen"

    class Meta:
        ordering = ["day", "slot__start", "id"]
        constraints = [
            # Xiamen rules: one booking per person per day (a cancelled or missed one does not count).
            models.UniqueConstraint(fields=["id_number", "day"], condition=Q(status__in=["booked", "checked_in"]),
                                    name="one_booking_per_person_per_day"),
        ]
        indexes = [models.Index(fields=["id_number", "status", "day"])]

    def __str__(self) -> str:
        return f"booking {self.pk}"


class Ticket(models.Model):
    """A queue ticket (排队号) of a counter for one day: from a checked-in booking (``A001``) or a walk-in
    (取号, ``W001``). ``number`` counts per counter, day and kind."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("appointment")
        WALK_IN = "walk_in", _("walk-in")

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CALLED = "called", _("called")
        DONE = "done", _("served")
        SKIPPED = "skipped", _("did not answer")

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveIntegerField()
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket")
    service = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField()
    slot_start = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "counter__unit"

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["counter", "day", "kind", "number"],
                                               name="one_ticket_number_per_counter_day")]
        indexes = [models.Index(fields=["counter", "day", "status"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{'A' if self.kind == self.Kind.BOOKED else 'W'}{self.number:03d}"


class PermitApplication(models.Model):
    """A residence-permit application (居住证申领, Order 663), reviewed by the station of the address.

    Status: ``submitted`` → (``incomplete`` with one notice of every missing document → ``submitted``) →
    ``accepted`` (``due_on`` = acceptance + the issue deadline) → ``issued``; or ``rejected`` with a reason.
    ``findings``/``missing``: the last eligibility check (codes, rendered in the reader's language).
    """

    class Basis(models.TextChoices):
        EMPLOYMENT = "employment", _("legal stable employment")
        RESIDENCE = "residence", _("legal stable residence")
        SCHOOLING = "schooling", _("continuous schooling")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted, waiting for review")
        INCOMPLETE = "incomplete", _("documents missing")
        ACCEPTED = "accepted", _("accepted, being made")
        ISSUED = "issued", pgettext_lazy("citizen application", "issued")
        REJECTED = "rejected", pgettext_lazy("citizen application", "rejected")

    #: the statuses of an open application (one per person; the constraint below)
    OPEN = (Status.SUBMITTED, Status.INCOMPLETE, Status.ACCEPTED)

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="permit_apps")
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18)
    address = models.CharField(max_length=300)
    adcode = models.CharField(max_length=12)
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="permit_apps")
    residence_since = models.DateField()
    basis = models.CharField(max_length=12, choices=Basis.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    rules_version = models.CharField(max_length=64)
    findings = models.JSONField(default=list, blank=True)
    missing = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField()
    accepted_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    permit_number = models.CharField(max_length=32, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    scope_unit = "unit"
    scope_owner = "applicant"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["unit", "status", "due_on"])]
        constraints = [models.UniqueConstraint(
            fields=["id_number"], condition=Q(status__in=["submitted", "incomplete", "accepted"]),
            name="one_open_permit_application_per_person")]

    def __str__(self) -> str:
        return f"RP-{self.pk}"


class PermitDocument(models.Model):
    """A document uploaded with an application: ``kind`` (a catalogue document code), the stored file (0600
    under the data directory; ``path`` relative to it), its size and SHA-256."""

    application = models.ForeignKey(PermitApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=200)
    path = models.CharField(max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_unit = "application__unit"
    scope_owner = "application__applicant"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} of RP-{self.application_id}"


class Endorsement(models.Model):
    """One annual endorsement (签注, Order 663 Art. 10) of an issued permit: the ``year``-th full year."""

    application = models.ForeignKey(PermitApplication, on_delete=models.CASCADE, related_name="endorsements")
    year = models.PositiveSmallIntegerField()
    endorsed_on = models.DateField()
    late = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_unit = "application__unit"
    scope_owner = "application__applicant"

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["application", "year"], name="one_endorsement_per_year")]

    def __str__(self) -> str:
        return f"RP-{self.application_id} year {self.year}"


class Notice(models.Model):
    """A message to a citizen (a reminder or a status change): ``code`` + ``params``, rendered at display.
    ``key`` makes a reminder idempotent (one per recipient and key)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner = "recipient"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notice_per_key")]

    def __str__(self) -> str:
        return f"{self.code} → {self.recipient_id}"


class Terminal(models.Model):
    """A self-service terminal (自助终端, the e政务 kiosks) standing at a counter: a device that issues queue
    tickets and checks bookings in without an officer. It proves itself by a secret kept in a cookie on the
    device (``key_digest`` is its SHA-256), set when an officer of the station starts kiosk mode on it;
    ``revoked_at`` ends it."""

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="terminals")
    name = models.CharField(max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "counter__unit"

    class Meta:
        ordering = ["counter", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name the officer gave it, else "terminal no. N" in the reader's language (the default name was
        stored as "<counter name> terminal", English beside Chinese on every page)."""
        from django.utils.translation import gettext

        return self.name or gettext("terminal no. %(n)s") % {"n": self.pk}


class SmsMessage(models.Model):
    """A text message waiting to go to a citizen's phone (the outbox): a reminder's ``code`` + ``params``,
    rendered in Chinese when it is sent (``citizen.sms``). ``key`` makes it idempotent, as a notice's."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("text message", "queued")
        SENT = "sent", pgettext_lazy("text message", "sent")
        FAILED = "failed", pgettext_lazy("text message", "failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_messages")
    phone = models.CharField(max_length=20)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, default="")
    sender = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    scope_owner = "recipient"

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return f"sms {self.code} → {self.recipient_id}"
