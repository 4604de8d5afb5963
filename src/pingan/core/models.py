"""Core models: administrative divisions, organisation units, users and roles, premises, API tokens, audit.

Models hold fields, constraints and cheap properties only; every write goes through ``core.services`` and
every read of personal data through a selector that takes the actor (``core.scoping``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminDivision(models.Model):
    """A GB/T 2260 administrative division (行政区划), current or historical.

    ``code`` is 6 digits for province/prefecture/county and 9 digits for a township (统计用区划代码).
    Loaded from the bundled reference data by ``pingan init`` (see ``pingan.lib.adcodes``).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        PREFECTURE = "prefecture", _("prefecture")
        COUNTY = "county", _("county")
        TOWNSHIP = "township", _("township")

    code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=12, choices=Level.choices)
    parent_code = models.CharField(max_length=12, blank=True, default="")
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrgUnit(models.Model):
    """An organisation unit of the police: bureau (市局) → branch (分局) → station (派出所) → area (警务区).

    ``path`` is a materialised path of zero-padded ids (``000001/000004/``) so that a unit's subtree is one
    indexed prefix query. ``adcodes`` lists the GB/T 2260 codes the unit covers (county codes, or township
    codes for stations); the responsible unit of a place is the deepest unit whose code is the longest
    prefix match of the place's adcode.
    """

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("bureau (市局)")
        BRANCH = "branch", _("district branch (分局)")
        STATION = "station", _("police station (派出所)")
        AREA = "area", _("community policing area (警务区)")
        # Bureau-level centres: no territory of their own (empty ``adcodes``), never a responsible unit.
        CENTRE = "centre", _("bureau centre (指挥中心, 反诈中心, 涉案财物管理中心)")
        # Bodies outside the police that case property is transferred to; each is the root of its own tree.
        PROCURATORATE = "procuratorate", _("procuratorate (检察院)")
        COURT = "court", _("court (法院)")

    code = models.CharField(max_length=32, unique=True, help_text="a stable unit code, e.g. 350203-LQ")
    name = models.CharField(max_length=100)
    #: the name English pages show, where the unit has one of its own (a Chicago district, a San Francisco
    #: station); blank: ``name`` in every language. Never both in one field ("District 25 第25警区").
    name_en = models.CharField(max_length=100, blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    adcodes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The unit's name in the active language: ``name_en`` on a page that is not Chinese, when set."""
        return unit_label(self.name, self.name_en)

    @property
    def depth(self) -> int:
        return self.path.count("/")


def unit_label(name: str, name_en: str) -> str:
    """:attr:`OrgUnit.label` from the two fields (for ``values_list`` rows): ``name_en`` when the active language
    is not Chinese and it is set, else ``name``."""
    from pingan.core.texts import lang

    return name_en if name_en and lang() == "en" else name


class Role(models.TextChoices):
    """The roles of pingan. Police roles see personal data within their unit's subtree only."""

    ADMIN = "admin", _("system administrator")
    AUDITOR = "auditor", _("auditor")
    ANALYST = "analyst", _("analyst")
    STATION_CHIEF = "station_chief", _("station chief")
    OFFICER = "officer", _("officer")
    ENTERPRISE = "enterprise", _("enterprise")
    LANDLORD = "landlord", _("landlord")
    CITIZEN = "citizen", _("citizen")
    # Roles of the later systems; each app decides what they may see (``core.scoping`` gives them nothing).
    DISPATCHER = "dispatcher", _("dispatcher")  # command centre (指挥中心)
    CUSTODIAN = "custodian", _("property custodian")  # case-property manager (涉案财物管理员)
    PROCURATOR = "procurator", _("procurator")  # procuratorate (检察院) user
    COURT_CLERK = "court_clerk", _("court clerk")  # court (法院) user


#: What the head of a unit (the ``station_chief`` role: the chief who approves) is called by the kind of unit
#: they head: a station's chief is 所长, but the anti-fraud centre's head was titled 所长 too (issue 11). Kinds not
#: named here (a station, a community policing area) keep the role's own label, "station chief".
HEAD_TITLES = {
    OrgUnit.Kind.BUREAU: _("bureau head"),
    OrgUnit.Kind.BRANCH: _("branch head"),
    OrgUnit.Kind.CENTRE: _("centre head"),
}


def role_label(role: str, unit_kind: str | None = None) -> str:
    """A role by its name in the active language, as the unit it belongs to calls it (``unit_kind``: its
    ``OrgUnit.Kind``): ``station_chief`` of a centre is "centre head" (中心主任), of a branch "branch head"
    (分局局长), of a station "station chief" (所长). Every page, file and command line that names an
    account's role says it so (:attr:`User.role_label`); a code that is no role is returned as it is."""
    if role == Role.STATION_CHIEF and unit_kind in HEAD_TITLES:
        return str(HEAD_TITLES[unit_kind])
    return str(Role(role).label) if role in Role.values else role


POLICE_ROLES = frozenset({Role.ANALYST, Role.STATION_CHIEF, Role.OFFICER})
# Roles whose accounts belong to an organisation unit (police, centres, procuratorate, court).
UNIT_ROLES = POLICE_ROLES | {Role.AUDITOR, Role.DISPATCHER, Role.CUSTODIAN, Role.PROCURATOR, Role.COURT_CLERK}
SUBMITTER_ROLES = frozenset({Role.ENTERPRISE, Role.LANDLORD})


class User(AbstractUser):
    """An account. Police users (analyst, station chief, officer) and auditors belong to one unit."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CITIZEN)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    display_name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="police_users_have_a_unit",
                condition=~models.Q(role__in=["analyst", "station_chief", "officer", "dispatcher", "custodian",
                                              "procurator", "court_clerk"]) | models.Q(unit__isnull=False),
            )
        ]

    @property
    def is_police(self) -> bool:
        return self.role in POLICE_ROLES

    @property
    def shown_name(self) -> str:
        """The name pages show for the account: its display name, else the first and last name (set in the
        admin), else its role and unit in the reader's language (:attr:`role_and_unit`: "莲前派出所民警") —
        never the user name, a login ("您好，demo_officer" greeted a trial's officer; issue 11). Every page
        shows people so (``{{ u.shown_name }}``): some showed the user name where another page showed the
        display name."""
        return self.own_name or self.role_and_unit

    @property
    def header_name(self) -> str:
        """The name on the header's account button: the account's own name, else its role alone ("auditor",
        "民警") — the role and unit of :attr:`shown_name` did not fit ("auditor of Xiam…" at 1280 px, issue 11);
        the unit is in the account's panel and the button's title."""
        return self.own_name or self.role_label

    @property
    def own_name(self) -> str:
        """The account's name of its own — its display name, else the first and last name — or ``""``: what
        :attr:`shown_name` shows before falling back to the role and unit."""
        return self.display_name or self.get_full_name()

    @property
    def pick_name(self) -> str:
        """The name a pick-list (a select, a row of check boxes) offers for the account: :attr:`shown_name`, and
        when the account has no name of its own its user name beside it — the role and unit that stand in for a
        name are shared by a station's officers, so "莲前派出所民警" three times could not be told apart (issue
        11's trial). A pick-list is read by the staff who roster and assign people, who know the user names."""
        from pingan.core.texts import paren

        return self.own_name or f"{self.role_and_unit}{paren(self.username, when_none='zh')}"

    @property
    def role_label(self) -> str:
        """The account's role as its unit calls it, in the active language (:func:`role_label`: the anti-fraud
        centre's head is "centre head", not "station chief")."""
        return role_label(self.role, self.unit.kind if self.unit_id else None)

    def name_in(self, language: str) -> str:
        """:attr:`shown_name` in ``language`` (``"zh-hans"``, ``"en"``), for what is written without a reader: a
        record another system keeps (GA/T 1400's applicant, an alert's payload) names the account as pages do,
        never by its user name."""
        from django.utils import translation

        with translation.override(language):
            return self.shown_name

    @property
    def role_and_unit(self) -> str:
        """The account's role and, when it has one, its unit, as a name for it ("莲前派出所民警" / "officer of
        Lianqian Police Station"; "房东" / "landlord"), in the active language."""
        from django.utils.translation import gettext

        role = self.role_label
        if self.unit_id:
            return gettext("%(role)s of %(unit)s") % {"role": role, "unit": self.unit.label}
        return role


class Premises(models.Model):
    """A premises (场所): an enterprise site or a rental property, owned by a submitter account.

    ``unit`` is the responsible police unit, derived from ``adcode`` by ``core.services.premises_create``.
    ``room``: the unit, room or shop number within the building at ``address`` (室号/铺位号); a premises is the
    place ``address`` + ``room`` (``core.services.place_key``), so two flats or shops of one building are two
    premises. ``archived_at``: when its owner removed it while screenings or codes recorded it
    (``core.services.premises_remove``): it leaves every list and takes no roster; its records stay.
    """

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise site")
        RENTAL = "rental", _("rental property")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    address = models.CharField(max_length=300)
    room = models.CharField(max_length=50, blank=True, default="")
    adcode = models.CharField(max_length=12)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="premises")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="premises")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "unit"
    scope_owner = "owner"

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "premises"
        indexes = [models.Index(fields=["unit", "id"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The premises as people tell it apart, wherever one is named (a page, a form's choice, the poster, the
        signed code, the command line, the audit): its name and, when it has one the name does not already say,
        its flat or room ("莲前东路 88 号 3 单元 101 室"; issue 11: six flats of one building all read
        "莲前东路 88 号")."""
        return premises_label(self.name, self.room)

    @property
    def place(self) -> str:
        """Where it is, as pages and messages say it: the address and, when given, the flat or room
        ("思明区莲前东路8号 3单元502室")."""
        return place_line(self.address, self.room)


def premises_label(name: str, room: str, *, limit: int | None = None) -> str:
    """A premises' name and its room as one line (:attr:`Premises.label`); the room is left out when the name
    already ends with it. ``limit``: at most that many characters, the name shortened so that the room stays (the
    signed code's name claim)."""
    name, room = name.strip(), room.strip()
    if not room or name.replace(" ", "").endswith(room.replace(" ", "")):
        return name[:limit] if limit else name
    if limit:
        name = name[: max(limit - len(room) - 1, 1)].rstrip()
        return f"{name} {room}"[:limit]
    return f"{name} {room}"


def place_line(address: str, room: str) -> str:
    """An address and a room as one line (``Premises.place``, ``Registration.place``)."""
    return f"{address} {room}".strip() if room else address


class PremisesNameChange(models.Model):
    """One rename of a premises by its owner: the name before and after, who and when (the history kept)."""

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="name_changes")
    old_name = models.CharField(max_length=200)
    new_name = models.CharField(max_length=200)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    scope_unit = "premises__unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


class Registration(models.Model):
    """A landlord's or enterprise's self-registration (自主申报), waiting for the police station whose
    jurisdiction the premises lies in to confirm it.

    ``user`` is the new account, inactive (cannot sign in) until a police officer or chief of ``unit``'s subtree
    approves; the premises' details wait here and become a :class:`Premises` on approval (nothing of it is in
    any police list before). ``phone`` is how the station reaches the applicant to check who they are (it is
    not verified by the system). ``client_addr`` is where the form came from (rate limits, the audit).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the police station")
        APPROVED = "approved", _("confirmed")
        REJECTED = "rejected", _("refused")

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="registration")
    role = models.CharField(max_length=16, choices=[("landlord", _("landlord")), ("enterprise", _("enterprise"))])
    display_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20)
    premises_name = models.CharField(max_length=200)
    premises_kind = models.CharField(max_length=12, choices=Premises.Kind.choices)
    address = models.CharField(max_length=300)
    room = models.CharField(max_length=50, blank=True, default="")
    adcode = models.CharField(max_length=12)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    client_addr = models.CharField(max_length=64, blank=True, default="")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    premises = models.ForeignKey(Premises, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_unit = "unit"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"registration {self.pk}: {self.premises_name} ({self.status})"

    @property
    def place(self) -> str:
        """The premises' address and room as one line (:func:`place_line`)."""
        return place_line(self.address, self.room)


class ApiToken(models.Model):
    """An API token for an integration (app, mini-program), acting as exactly one account.

    The token is shown once at creation; only its SHA-256 digest is stored (tokens carry 256 bits of
    randomness, so a slow hash adds nothing). ``prefix`` lets a user tell tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The purpose of use of a police account's token (a code of ``core.audit.PURPOSES``), recorded with every
    # read through it unless a request names another in its ``X-Purpose`` header.
    purpose = models.CharField(max_length=32, blank=True, default="")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class AuditRecord(models.Model):
    """One append-only, hash-chained record of a read or change of personal data.

    ``hash = SHA-256(prev_hash || canonical JSON of the other fields)``; ``seq`` has no gaps. A deleted,
    inserted or edited record breaks the chain, which ``pingan audit verify`` detects (``core.audit``).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150, blank=True, default="")
    role = models.CharField(max_length=16, blank=True, default="")
    unit = models.CharField(max_length=32, blank=True, default="")
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, default="")
    purpose = models.CharField(max_length=200, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")
    client_addr = models.CharField(max_length=64, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA-256 of ``hash`` with the audit chain key (``core.auditkeys``), which the database never holds.
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["actor_id", "at"]), models.Index(fields=["object_type", "object_id"]),
                   models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor} {self.action} {self.object_type}:{self.object_id}"


class AuditSubject(models.Model):
    """One person a record shows: the record's ``seq`` and a keyed 64-bit digest of the person's normalised
    name or document number (``core.audit.subject_keys``). An index for "who looked at this person"; the
    record's ``detail["subjects"]`` carries the count and a digest of its keys, so ``verify`` notices rows
    added to or removed from it."""

    seq = models.BigIntegerField()
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "seq"]), models.Index(fields=["seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.key:x}"


class AuditHead(models.Model):
    """The chain's head (a single row): the last sequence number and hash, locked while appending.

    It also lets ``audit verify`` detect records removed from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AccessChange(models.Model):
    """A change of who sees what — an account's role or unit, a premises' responsible unit or owner —
    requested by one administrator and applied only when a second one approves (issue 12, item 7: an
    administrator could make themselves an analyst in ``/admin/`` and read the whole city, unaudited).

    ``changes`` maps each changed field to ``[before, after]`` as it was when requested: ``role`` (role
    values), ``unit`` (OrgUnit ids or ``None``), ``owner`` (User ids). Approval applies it only while the
    target still has the ``before`` values (``core.services.access_change_approve``).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    premises = models.ForeignKey(Premises, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="access_change_reason_required", condition=~models.Q(reason="")),
            models.CheckConstraint(name="access_change_one_target",
                                   condition=models.Q(user__isnull=False, premises__isnull=True)
                                   | models.Q(user__isnull=True, premises__isnull=False)),
            models.CheckConstraint(
                name="access_change_four_eyes",
                condition=models.Q(decided_by__isnull=True) | (~models.Q(decided_by=models.F("requested_by"))
                                                               & ~models.Q(decided_by=models.F("user")))),
        ]

    def __str__(self) -> str:
        target = f"user {self.user_id}" if self.user_id else f"premises {self.premises_id}"
        return f"access change {self.pk}: {target} {self.changes} ({self.status})"
