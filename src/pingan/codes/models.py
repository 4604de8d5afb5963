"""Safety-code models: signing keys (public halves only), issued codes, level overrides, disputes (纠错).

The signed token itself is built and checked by the framework-free core (``pingan.codes.token``); these
rows record what was issued, by which key, what superseded or revoked it, and the four-eyes and
correction workflows around it. Private signing keys are never stored here: each lives as a 0600 PEM
file in ``settings.PINGAN["KEY_DIR"]`` named by its key id (``<kid hex>.pem``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.codes.levels import Level
from pingan.codes.revocation import Reason
from pingan.core.models import OrgUnit, Premises, User
from pingan.screening.models import ScreeningJob

LEVEL_CHOICES = [(lv.value, lv.value) for lv in Level]
REVOCATION_REASON_CHOICES = [(r.name.lower(), r.name.lower()) for r in Reason]

#: What pages call each level (zh_Hans: 绿码 / 黄码 / 红码, as on the posters, ``Level.label_zh``).
LEVEL_LABELS = {Level.GREEN: _("green code"), Level.YELLOW: _("yellow code"), Level.RED: _("red code")}
#: What pages call each revocation reason (``pingan.codes.revocation.Reason``, lower-case names).
REVOCATION_REASON_LABELS = {Reason.FRAUD.name.lower(): _("fraud"), Reason.ERROR.name.lower(): _("issued in error"),
                            Reason.RESCREENED.name.lower(): _("replaced after a new screening"),
                            Reason.SUSPENDED.name.lower(): _("suspended until the police check the new screening"),
                            Reason.OVERRIDDEN.name.lower(): _("replaced after an approved level change")}
#: The reasons of a code revoked because another replaced it: the system's own, never chosen by hand, and
#: later changed to ``fraud`` or ``error`` when that comes to light.
SUPERSEDED_REASONS = frozenset({Reason.RESCREENED.name.lower(), Reason.OVERRIDDEN.name.lower()})


class SigningKey(models.Model):
    """The public half of one issuer's code-signing key, published while any code it signed may live.

    ``issuer`` is the issuing unit's code (the CWT ``iss``); ``kid`` the 8-byte key id in hex (RFC 9052
    header 4, ``pingan.codes.keys.kid_for``); ``jwk`` the public key as an RFC 7517 JWK (with ``iss``),
    from which the COSE_Key (RFC 9052 §7) is derived for the published key set. ``active`` marks the one
    key that signs new codes; a rotated key keeps ``active=False`` with ``retired_at`` set and stays published.
    """

    issuer = models.CharField(max_length=40)
    kid = models.CharField(max_length=16, unique=True)
    alg = models.CharField(max_length=8, help_text="JOSE name: ES256 or EdDSA")
    jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer"], condition=models.Q(active=True),
                                    name="one_active_key_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.alg} {self.kid}{'' if self.active else ' (retired)'}"


class SafetyCode(models.Model):
    """One issued safety code (平安码) of a premises, with the exact token text that was signed.

    ``code_id`` is the CWT ``cti`` in hex; ``people`` the accepted rows covered. A re-issue sets
    ``superseded_by``/``superseded_at`` on the previous code and revokes it (reason ``rescreened``, or
    ``overridden`` when the new code is an approved level change's).
    ``override`` names the approved :class:`LevelOverride` when the level was set by hand.
    """

    # indexes: a re-evaluation issues tens of thousands of codes and revokes as many, so only those some read
    # needs: the premises through (premises, -issued_at), the code id through its unique constraint (no LIKE
    # index: never searched by prefix), who issued a code only where one did (a partial index; most are null),
    # the revocation lists through (issuer, expires_at) — and no index holds a column a revocation writes
    # (revoked_at, revocation_reason, superseded_by, superseded_at), so that revoking a code is a HOT update:
    # the new row version stays on its page (the table keeps half of each page free, migration 0006) and no
    # index gets an entry. Nothing looks codes up by their successor (codes are never deleted)
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="safety_codes", db_index=False)
    job = models.ForeignKey(ScreeningJob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField(max_length=40)
    code_id = models.CharField(max_length=64)
    level = models.CharField(max_length=6, choices=LEVEL_CHOICES)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ruleset_version = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    kid = models.CharField(max_length=16)
    token = models.TextField()
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  db_index=False)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      db_index=False)
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=12, blank=True, default="", choices=REVOCATION_REASON_CHOICES)
    #: the level-rule counts of the screening behind the code (``green``, ``yellow``, ``red``, ``unresolved``)
    #: when it was issued: a code whose job and counts still match the premises' latest screening is current
    counts = models.JSONField(default=dict, blank=True)
    #: why it was issued, as a message (``{"code": "code_cause.<kind>", "params": {...}}``, rendered at
    #: display): a finished screening, a re-evaluation after new risk data, a release, a level change
    cause = models.JSONField(default=dict, blank=True)

    scope_unit = "premises__unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["code_id"], name="one_safety_code_per_code_id")]
        indexes = [models.Index(fields=["premises", "-issued_at"]),
                   models.Index(fields=["issuer", "expires_at"], name="safetycode_issuer_expires"),
                   models.Index(fields=["issued_by"], condition=models.Q(issued_by__isnull=False),
                                name="safetycode_issued_by")]

    def __str__(self) -> str:
        return f"{self.premises_id} {self.level} {self.code_id}"

    @property
    def is_live(self) -> bool:
        """Not revoked (validity in time is checked separately against ``expires_at``)."""
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        """True once ``expires_at`` has passed: the premises should screen again."""
        return timezone.now() >= self.expires_at

    @property
    def level_label(self) -> str:
        """The level's name in the active language: "green code" …, in zh_Hans 绿码 / 黄码 / 红码."""
        return str(LEVEL_LABELS[Level(self.level)])

    @property
    def revocation_reason_label(self) -> str:
        """Why the code was revoked, in the active language ("" while it is not revoked)."""
        label = REVOCATION_REASON_LABELS.get(self.revocation_reason)
        return str(label) if label is not None else self.revocation_reason

    @property
    def level_rgb(self) -> str:
        """The level's colour ``#rrggbb`` (``pingan.codes.levels``)."""
        return Level(self.level).rgb

    @property
    def suspended_first(self) -> bool:
        """Withdrawn (suspended until the police checked a roster) before a newer code replaced it: it stopped
        being valid when it was suspended (``revoked_at``), and was replaced later (``superseded_at``) — one
        account of both on every page (issue 11, fresh-user trial: "suspended until the police check" at 22:51,
        then "replaced after a new screening" at 22:51, and "superseded on 22:58" on the screening's page)."""
        return (self.revoked_at is not None and self.superseded_at is not None
                and self.superseded_at - self.revoked_at >= timedelta(seconds=1))

    @property
    def revoked_how(self) -> str:
        """How the code stopped being valid, as the pages word it: ``replaced`` (a newer code superseded it),
        ``suspended`` (withdrawn until the police check a new screening), ``revoked`` (the police withdrew it:
        fraud, error) — ``""`` while it is live. The verification page says the same per reason
        (``codes.texts.REVOKED_STATUS``)."""
        if self.revoked_at is None:
            return ""
        if self.revocation_reason in SUPERSEDED_REASONS:
            return "replaced"
        return "suspended" if self.revocation_reason == Reason.SUSPENDED.name.lower() else "revoked"


class LevelOverride(models.Model):
    """A manual change of a premises' code level (four-eyes: requester and approver must differ).

    Requested by police of the responsible unit with a reason; approved or rejected by a station chief of
    the responsible unit's subtree who is not the requester. Approval issues a new code (``issued_code``).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="level_overrides")
    code = models.ForeignKey(SafetyCode, null=True, blank=True, on_delete=models.PROTECT, related_name="overrides")
    level = models.CharField(max_length=6, choices=LEVEL_CHOICES)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    issued_code = models.ForeignKey(SafetyCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_unit = "premises__unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="override_reason_required", condition=~models.Q(reason="")),
            models.CheckConstraint(
                name="override_four_eyes",
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"override {self.pk}: {self.premises_id} → {self.level} ({self.status})"

    @property
    def level_label(self) -> str:
        """The requested level's name in the active language (as :attr:`SafetyCode.level_label`)."""
        return str(LEVEL_LABELS[Level(self.level)])


class Dispute(models.Model):
    """A correction request (纠错) by a premises owner against a code's level.

    Routed to ``unit`` (the premises' responsible unit at filing time); resolved by its police as
    ``upheld`` (the owner is right: usually followed by a level override) or ``rejected``, with an outcome text.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="disputes")
    code = models.ForeignKey(SafetyCode, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(blank=True, default="")
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"dispute {self.pk}: {self.premises_id} ({self.status})"


class CodeReview(models.Model):
    """A premises whose code is suspended until the police check its newest screening (the station's queue).

    Opened by :func:`pingan.codes.services.safety_code_derive` when a screening would lower the level only
    because its roster leaves out people the owner saw as yellow, red or unresolved (not screened included) on
    earlier rosters (``baseline_job`` the one just before): ``dropped`` of them — the owner's count, which the
    owner's pages and the API say; the police pages list those people and, besides, the watchlist hits the owner
    saw as green (``screening.OffRoster``) — and the rows of ``baseline_job`` among them, at most 50, in
    ``dropped_rows``. For a ``left_out`` review ``dropped`` is everyone the police list.
    ``level`` is what the published rule gives for ``job``. Closed as ``released`` (police confirmed; a code
    under the rule is issued) or ``resolved`` (a later screening or re-evaluation no longer lowers the level).

    ``kind`` ``left_out``: the roster left out flagged people of ``baseline_job`` but the level did not go down,
    so the code stays live; the review only keeps those people in the police view until an officer confirms
    they left (``released``, no code issued: :func:`pingan.codes.services.code_review_confirm_left`) or a later
    roster brings them back (``resolved``). A roster that then lowers the level turns it into a suspension.
    """

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", _("code suspended until the police check")
        LEFT_OUT = "left_out", _("code live; the police confirm the people left")

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting a police check")
        RELEASED = "released", _("released by the police")
        RESOLVED = "resolved", _("resolved by a newer screening")

    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="code_reviews")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    job = models.ForeignKey(ScreeningJob, on_delete=models.PROTECT, related_name="+")
    baseline_job = models.ForeignKey(ScreeningJob, on_delete=models.PROTECT, related_name="+")
    baseline_level = models.CharField(max_length=6, choices=LEVEL_CHOICES)
    level = models.CharField(max_length=6, choices=LEVEL_CHOICES)
    dropped = models.PositiveIntegerField()
    dropped_rows = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SUSPENSION)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: when the code was suspended (a ``suspension``): a review outlives a lifted suspension as a ``left_out``
    #: one and becomes the suspension again, so ``created_at`` can name an earlier suspension (issue 11)
    suspended_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    issued_code = models.ForeignKey(SafetyCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # who sees it is who releases it: the police of the premises' unit now (``codes.services._review_to_decide``),
    # not of ``unit``, the responsible unit when it opened — a premises moved to another station left its
    # suspension in the old station's queue, whose Release button the service refused (issue 11)
    scope_unit = "premises__unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["premises"], condition=models.Q(status="open"),
                                               name="one_open_review_per_premises")]

    def __str__(self) -> str:
        return f"review {self.pk}: {self.premises_id} ({self.status})"

    @property
    def level_label(self) -> str:
        """The level the rule gives the new screening, in the active language."""
        return str(LEVEL_LABELS[Level(self.level)])

    @property
    def unlisted_rows(self) -> int:
        """How many of the ``dropped`` rows ``dropped_rows`` does not list (it keeps the first 50)."""
        return max(0, self.dropped - len(self.dropped_rows or []))

    @property
    def baseline_level_label(self) -> str:
        """The level of the previous code, in the active language."""
        return str(LEVEL_LABELS[Level(self.baseline_level)])
