"""Dispatch models: duty rosters (排班: shifts and who is on them), patrol units with their computer-aided
dispatch (CAD) status and its audited history, AVL positions, assignments of units to alerts, drones and
their missions.

Positions are WGS-84 (converted on input with ``pingan.lib.coords``, as in the alerts app). Models hold
fields, constraints and cheap properties; writes go through ``dispatch.services``, reads through
``dispatch.selectors`` (scoped by unit).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pingan.alerts.models import Alert
from pingan.core.models import OrgUnit, User, unit_label


class Shift(models.Model):
    """A shift (班次) of a station: ``starts_at`` ≤ t < ``ends_at`` (aware datetimes; a night shift runs across
    midnight). Who is on it: :class:`ShiftAssignment` rows. ``name`` as the station calls it (白班); ``name_en``
    its English name when one was given (the demo's, issue 11: "白班" on English pages), shown by :attr:`label`."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60, blank=True, default="")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_unit = "unit"

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["unit", "starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.name} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """The name in the reader's language (``name_en`` on a page that is not Chinese, when set)."""
        return unit_label(self.name, self.name_en)


class PatrolUnit(models.Model):
    """A patrol unit of a station: foot patrol, patrol car, motorcycle squad (铁骑) or drone (无人机).

    ``status`` is its CAD status (changes only through ``dispatch.services.unit_status_set``, each one a
    :class:`StatusChange` row and an audit record); ``lon``/``lat``/``position_at`` its last AVL position
    (WGS-84), copied from the latest :class:`Position` so that the nearest-unit query reads one row a unit.
    """

    class Kind(models.TextChoices):
        FOOT = "foot", _("foot patrol")
        CAR = "car", _("patrol car")
        MOTORCYCLE = "motorcycle", _("motorcycle squad")
        DRONE = "drone", _("drone (无人机)")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        DISPATCHED = "dispatched", _("dispatched")
        EN_ROUTE = "en_route", _("en route")
        ON_SCENE = "on_scene", _("on scene")
        BUSY = "busy", _("busy")
        OFF_DUTY = "off_duty", _("off duty")

    code = models.CharField(max_length=32, unique=True, help_text="call sign, e.g. LQ-C1")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="patrol_units")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFF_DUTY)
    status_since = models.DateTimeField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)
    # Its base (station or parking place, WGS-84): where it is taken to be without a usable AVL fix.
    base_lon = models.FloatField(null=True, blank=True)
    base_lat = models.FloatField(null=True, blank=True)
    current_alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_unit = "unit"

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["unit", "code"]),
                   models.Index(fields=["status", "lat", "lon"], name="dispatch_pu_status_lat_lon")]

    def __str__(self) -> str:
        return self.code


class ShiftAssignment(models.Model):
    """Someone or something on a shift: an officer (``user``), a patrol unit, or an officer crewing a patrol
    unit (both). At least one of the two."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    patrol_unit = models.ForeignKey(PatrolUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(patrol_unit__isnull=False), name="shift_assignment_names_someone"
            ),
            models.UniqueConstraint(
                fields=["shift", "user", "patrol_unit"], name="shift_assignment_once", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift_id}: {self.user_id}/{self.patrol_unit_id}"


class StatusChange(models.Model):
    """One CAD status change of a patrol unit: when, from, to, who (null: the system, e.g. an expired offer),
    and the alert it concerned."""

    patrol_unit = models.ForeignKey(PatrolUnit, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=32, blank=True, default="")

    scope_unit = "patrol_unit__unit"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["patrol_unit", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.patrol_unit_id} {self.from_status}->{self.to_status}"


class Position(models.Model):
    """An AVL position report (WGS-84) from an officer's terminal (the browser's geolocation), a vehicle or
    a drone (MQTT), or the API. ``crs_reported`` is the datum it came in; ``battery_pct`` for drones."""

    patrol_unit = models.ForeignKey(PatrolUnit, on_delete=models.CASCADE, related_name="positions")
    at = models.DateTimeField()
    lon = models.FloatField()
    lat = models.FloatField()
    crs_reported = models.CharField(max_length=10, default="wgs84")
    accuracy_m = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10)  # terminal | mqtt | api
    battery_pct = models.FloatField(null=True, blank=True)

    scope_unit = "patrol_unit__unit"

    class Meta:
        indexes = [models.Index(fields=["patrol_unit", "at"])]

    def __str__(self) -> str:
        return f"{self.patrol_unit_id} @ {self.lon:.5f},{self.lat:.5f}"


class Assignment(models.Model):
    """A patrol unit sent to an alert by a dispatcher: offered → accepted | declined | expired (nobody
    answered by ``answer_by``) | cancelled; an accepted one records ``arrived_at`` when the unit reports on
    scene. ``distance_m``/``eta_s`` (``eta_min_s``–``eta_max_s``): the travel estimate it was chosen by
    (``dispatch.nearest``, as the candidates list makes it: ``services.unit_estimate``)."""

    class State(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("not answered in time")
        CANCELLED = "cancelled", _("cancelled")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="assignments")
    patrol_unit = models.ForeignKey(PatrolUnit, on_delete=models.PROTECT, related_name="assignments")
    dispatcher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFFERED)
    created_at = models.DateTimeField()
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    eta_s = models.FloatField(null=True, blank=True)
    #: the ETA's range (s) when the unit's position was uncertain (last known, or its base): the same words as
    #: the candidate it was chosen from ("at most 9 min 20 s"); equal to ``eta_s`` for a fresh fix
    eta_min_s = models.FloatField(null=True, blank=True)
    eta_max_s = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")

    scope_unit = "patrol_unit__unit"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "answer_by"]), models.Index(fields=["alert", "state"])]
        constraints = [
            # one open offer per unit and alert; an accepted one ends when the unit leaves the alert (stood
            # down, reassigned, cleared) and stays "accepted" for the figures, so it must not stop the unit
            # being sent back to it (issue 11: reassigning back and forth was an IntegrityError)
            models.UniqueConstraint(
                fields=["alert", "patrol_unit"],
                condition=Q(state="offered"),
                name="assignment_one_offer_per_unit_and_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patrol_unit_id} -> alert {self.alert_id} ({self.state})"


#: An assignment a unit is on: an offer waiting for its answer, or accepted and the unit not yet off the alert
#: (issue 11: an assignment whose unit was stood down, reassigned or cleared stayed on the crew's terminal). What
#: the crew's terminal lists, the console's reassign choice names and a reassignment takes the alert off.
LIVE_ASSIGNMENTS = Q(state="offered") | Q(state="accepted", patrol_unit__current_alert=F("alert"))


class Drone(models.Model):
    """A drone of the squadron (无人机中队): registration and telemetry, one-to-one with its patrol unit (kind
    ``drone``; its pilot is the officer on the shift with it). ``drone_status``: ready, in flight, charging,
    maintenance. ``max_flight_min`` at 100 % battery; ``cruise_mps`` cruise speed."""

    class DroneStatus(models.TextChoices):
        READY = "ready", _("ready")
        IN_FLIGHT = "in_flight", _("in flight")
        CHARGING = "charging", _("charging")
        MAINTENANCE = "maintenance", _("maintenance")

    patrol_unit = models.OneToOneField(PatrolUnit, on_delete=models.CASCADE, related_name="drone")
    model = models.CharField(max_length=80)
    serial = models.CharField(max_length=64, unique=True)
    max_flight_min = models.FloatField()
    cruise_mps = models.FloatField()
    battery_pct = models.FloatField(default=100)
    drone_status = models.CharField(max_length=12, choices=DroneStatus.choices, default=DroneStatus.READY)

    scope_unit = "patrol_unit__unit"

    def __str__(self) -> str:
        return f"{self.model} {self.serial}"


class DroneMission(models.Model):
    """A flight: to an alert's (or a given) position; the ETA from distance and cruise speed; the flight log
    (take-off, positions in :class:`Position`, landing)."""

    drone = models.ForeignKey(Drone, on_delete=models.PROTECT, related_name="missions")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dispatcher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    dest_lon = models.FloatField()
    dest_lat = models.FloatField()
    distance_m = models.FloatField()
    eta_s = models.FloatField()
    battery_at_start = models.FloatField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    battery_at_end = models.FloatField(null=True, blank=True)

    scope_unit = "drone__patrol_unit__unit"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"mission {self.pk} of {self.drone_id}"


class SecurityOperation(models.Model):
    """A large-event security operation (大型安保): an event at a venue in a time window
    (``starts_at`` ≤ t < ``ends_at``), its area as a WGS-84 polygon (``area``: one closed ring of
    ``[lon, lat]`` pairs, GeoJSON order), the expected attendance, and the station or centre that commands it
    (``unit``). While it is active, alerts raised inside the area are shown to its command
    (``dispatch.selectors.operation_alerts``)."""

    name = models.CharField(max_length=120)
    venue = models.CharField(max_length=200)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    area = models.JSONField(help_text="closed ring of [lon, lat] (WGS-84)")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    expected_attendance = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: set up from a template (``dispatch.optemplates``): its id and version, the sectors placed at the venue
    #: (``[{"id", "name_en", "name_zh", "polygon": ring}]``), the units of each kind it needs, and the
    #: temporary alert rule set the alerts worker runs inside the window and area (empty: none)
    template_id = models.CharField(max_length=64, blank=True, default="")
    template_version = models.CharField(max_length=20, blank=True, default="")
    sectors = models.JSONField(default=list, blank=True)
    unit_needs = models.JSONField(default=dict, blank=True)
    ruleset = models.JSONField(default=dict, blank=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["unit", "starts_at"]), models.Index(fields=["starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="operation_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name

    def active_at(self, at) -> bool:
        return self.starts_at <= at < self.ends_at


class OperationPost(models.Model):
    """A post (岗位) or checkpoint (检查点) of an operation, at a WGS-84 point."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        CHECKPOINT = "checkpoint", _("checkpoint")

    operation = models.ForeignKey(SecurityOperation, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(max_length=80)
    #: the English name of a post placed from a template (``name`` holds the Chinese one); empty for a post
    #: named by hand, whose one name is shown to every reader
    name_en = models.CharField(max_length=80, blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.POST)
    lon = models.FloatField()
    lat = models.FloatField()

    scope_unit = "operation__unit"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The name in the reader's language: the English one for an English reader when there is one."""
        from pingan.core import texts

        return self.name_en if self.name_en and texts.lang() != "zh" else self.name


class OperationUnit(models.Model):
    """A patrol unit deployed to an operation (at a post, or roving when ``post`` is empty)."""

    operation = models.ForeignKey(SecurityOperation, on_delete=models.CASCADE, related_name="deployments")
    patrol_unit = models.ForeignKey(PatrolUnit, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(OperationPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()

    scope_unit = "operation__unit"

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "patrol_unit"], name="operation_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.patrol_unit_id} @ op {self.operation_id}"


class OperationTemplate(models.Model):
    """A security-operation template (预案模板) written on the template page or through the API, beside the
    bundled files (``data/operation_templates/``). ``source`` is the TOML as written (the bundled files'
    format, ``dispatch.optemplates``), checked on every save; ``key`` is its id and ``version`` counts its
    saves (both managed by pingan, not read from the TOML). Owned by a station or the centre (``unit``): who
    may see and edit it follows the operations' line."""

    key = models.SlugField(max_length=64, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    source = models.TextField()
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}@{self.semver}"

    @property
    def semver(self) -> str:
        """The version as the rule sets write it (``<saves>.0.0``): what operations made from it record."""
        return f"{self.version}.0.0"


class OperationReview(models.Model):
    """An after-action review (复盘) put on record: the reviewer's findings (their own words) and the figures
    of the operation at that moment (``figures``: units by kind, alerts by priority, response intervals), so a
    later change to the operation's data does not change what the review said."""

    operation = models.ForeignKey(SecurityOperation, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    findings = models.TextField()
    figures = models.JSONField(default=dict)

    scope_unit = "operation__unit"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review {self.pk} of operation {self.operation_id}"
