"""Alerts models: devices, the embedded event log, dead letters, the watch list, alerts and their timeline,
silences, the terminals' feed, duty shifts, and the engine's checkpoints.

Models hold fields, constraints and cheap properties; writes go through ``alerts.services`` and reads of
personal data (plates, positions, alerts) through ``alerts.selectors``, scoped by unit.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core.models import OrgUnit, User, unit_label


def disposition_choices() -> list[tuple[str, str]]:
    """The disposition codes of ``alerts/data/dispositions.toml`` with their labels in the active language."""
    from pingan.alerts.alerting import dispositions

    return [(d.code, _(d.label)) for d in dispositions().values()]


# The labels of the disposition codes, for the message catalogue (the codes and their labels are data).
_DISPOSITION_LABELS = (_("real incident"), _("false alarm"), _("device fault"), _("duplicate of another alert"),
                       _("nothing found on scene"), _("transferred to another unit"))


class Device(models.Model):
    """A device on the street: checkpoint/plate reader, camera, acoustic sensor, alarm, SOS post.

    ``device_id`` is its GB/T 28181 20-digit ID (validated by ``pingan.lib.gb28181``); ``lon``/``lat`` are
    WGS-84 (converted on input); ``unit`` is the responsible unit, derived from the position (jurisdiction
    polygons) or, failing that, from ``adcode``. ``digest_ha1`` is MD5(username:realm:password) for GA/T 1400
    HTTP Digest (the password itself is never stored). ``active_since``: events timed before it are refused.
    """

    class Kind(models.TextChoices):
        ANPR = "anpr", _("checkpoint / plate reader")
        CAMERA = "camera", _("video camera with analytics")
        ACOUSTIC = "acoustic", _("acoustic gunshot/explosion sensor")
        INTRUSION = "intrusion", _("intrusion alarm")
        SMOKE = "smoke", _("smoke alarm")
        SOS = "sos", _("one-key SOS alarm post")
        TRACKER = "tracker", _("position tracker")
        PLATFORM = "platform", _("VIID platform")

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("never seen")
        ONLINE = "online", _("online")
        OFFLINE = "offline", _("offline")
        MAINTENANCE = "maintenance", _("in maintenance")
        RETIRED = "retired", _("retired")

    device_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    #: its English name when it has one (the demo's, issue 11: "莲前一键报警柱" on English pages): :attr:`label`
    name_en = models.CharField(max_length=200, blank=True, default="")
    #: the IANA time zone of the device's place (``America/Chicago``) when it is not the site's ``TIME_ZONE``:
    #: its alerts' times are said on the clock of where they happened, with the offset (issue 11: the Chicago
    #: replay's alerts read in Beijing time); blank: the site's zone
    time_zone = models.CharField(max_length=40, blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    type_code = models.CharField(max_length=3)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    crs_reported = models.CharField(max_length=10, default="wgs84")
    adcode = models.CharField(max_length=12, blank=True, default="")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="devices")
    routed_by = models.CharField(max_length=10, blank=True, default="")
    digest_ha1 = models.CharField(max_length=32, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNKNOWN)
    active_since = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True)
    viid_registered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["device_id"]
        indexes = [models.Index(fields=["unit", "device_id"]), models.Index(fields=["status", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.device_id} {self.name}"

    @property
    def label(self) -> str:
        """The name in the reader's language (``name_en`` on a page that is not Chinese, when set)."""
        return unit_label(self.name, self.name_en)


class LoggedEvent(models.Model):
    """The embedded event log (no broker): accepted events in arrival order. ``key`` (device/event_id) is
    unique, which is how a duplicate is recognised and dropped. With ``PINGAN_EVENTS_URL=nats://…`` the log is
    a JetStream stream instead and this table stays empty."""

    seq = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=90)
    device_id = models.CharField(max_length=20)
    type = models.CharField(max_length=16)
    time = models.DateTimeField()
    received_at = models.DateTimeField()
    body = models.TextField(help_text="the event as JSON (pingan.alerts.events.Event.to_json)")

    class Meta:
        # Every index here is written for every event: only the two the log needs. The key is unique by a
        # constraint, not ``unique=True``, which on PostgreSQL also made a second B-tree on it for ``LIKE``
        # (varchar_pattern_ops); the index on ``received_at`` was read by nothing (reception times rise with
        # ``seq``, appends commit in sequence order: a range of them is a range of ``seq``).
        constraints = [models.UniqueConstraint(fields=["key"], name="alerts_loggedevent_key_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.key}"


class DeadLetter(models.Model):
    """An input that was refused, with its reason, kept so an operator can read it, fix the cause (register
    the device, correct its clock) and replay it. ``outcome`` records the last replay."""

    received_at = models.DateTimeField()
    source = models.CharField(max_length=16)  # mqtt | http | viid | replay
    topic = models.CharField(max_length=200, blank=True, default="")
    device_id = models.CharField(max_length=64, blank=True, default="")
    reason_code = models.CharField(max_length=32)
    reason = models.CharField(max_length=500)
    payload = models.TextField()
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["reason_code", "id"])]

    def __str__(self) -> str:
        return f"{self.source} {self.reason_code}: {self.reason[:60]}"


class Counter(models.Model):
    """Monotonic counters of the pipeline (``received``, ``accepted``, ``duplicates``, ``dead_lettered``,
    ``alerting``, ``non_alert``): the accounting events in = alerts + non-alert + dead-lettered."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Checkpoint(models.Model):
    """Where a consumer of the event log stands: ``position`` (log sequence), committed with each batch. Its
    rule engines' saved state is an :class:`EngineSnapshot` of its own row (written beside the batches, so a
    snapshot being written never holds this row's lock); ``snapshot`` holds the state a handover carried
    over (:func:`pingan.alerts.worker.handover`) until the consumer saves one."""

    consumer = models.CharField(max_length=64, primary_key=True)
    position = models.BigIntegerField(default=0)
    #: a handover's whole snapshot (``{"position", "engine", "extra", "handover"}``); empty otherwise
    snapshot = models.JSONField(default=dict)
    counters = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.consumer}@{self.position}"

    def saved(self) -> dict:
        """The saved state (``{"position", "engine", "extra"}``): the consumer's :class:`EngineSnapshot`
        decoded when there is one, else ``snapshot`` (a handover's, or nothing)."""
        saved = EngineSnapshot.objects.filter(checkpoint=self).first()
        return saved.decoded() if saved else (self.snapshot or {})


class EngineSnapshot(models.Model):
    """A consumer's rule engines' state at log position ``position``, as MessagePack (``{"position", "engine",
    "extra"}``), with its size. Up to ~30 MB at the state caps: as ``jsonb`` it cost the worker seconds of
    encoding, quoting and PostgreSQL parsing every save; written in the checkpoint's row it held that row's
    lock (which every batch's commit takes) while ~20 MB were written. One row per consumer, replaced by a
    snapshot of the same or a later position only (``pingan.alerts.worker``)."""

    checkpoint = models.OneToOneField(Checkpoint, primary_key=True, on_delete=models.CASCADE,
                                      related_name="saved_state", db_column="consumer")
    position = models.BigIntegerField()
    state = models.BinaryField()
    entries = models.BigIntegerField(default=0, help_text="rule-state entries held (all engines)")
    size = models.BigIntegerField(default=0, help_text="bytes of ``state``")
    saved_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.checkpoint_id} state@{self.position}"

    def decoded(self) -> dict:
        import msgspec

        from pingan.lib.gcpause import gc_paused

        with gc_paused():  # ~1 M objects at the state caps: the collector's passes over them doubled the decode
            return msgspec.msgpack.decode(bytes(self.state))


class HotlistEntry(models.Model):
    """A watch-list (布控) entry: a plate (stored normalised) or an upstream recogniser's person reference,
    with its reason and expiry, owned by the unit that placed it."""

    class Kind(models.TextChoices):
        # labels a reader can tell from the stored codes (issue 11: the English Kind select read "plate")
        PLATE = "plate", _("Vehicle plate")
        PERSON = "person", _("Person reference")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=64)
    reason = models.CharField(max_length=300)
    priority = models.CharField(max_length=2, default="P2")
    expires_at = models.DateTimeField(null=True, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], condition=Q(removed_at__isnull=True), name="hotlist_one_active_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Alert(models.Model):
    """An alert: the fingerprint of its labels identifies it while open (a repeat firing updates it).

    ``state`` is the human response (Alertmanager has none): new → acknowledged (owned by ``owner``) →
    en route → on scene → closed with a ``disposition`` code and notes. ``status`` is whether the condition
    still fires. ``unit`` is the responsible unit from routing (``routed_by`` polygon | adcode | device |
    none). ``muted_by`` says why no one was notified (``silence:<id>``, ``inhibited``).
    """

    class State(models.TextChoices):
        NEW = "new", _("new")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        EN_ROUTE = "en_route", _("en route")
        ON_SCENE = "on_scene", _("on scene")
        CLOSED = "closed", _("closed")


    fingerprint = models.CharField(max_length=16)
    open = models.BooleanField(default=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    status = models.CharField(max_length=8, default="firing")  # firing | resolved
    priority = models.CharField(max_length=2)
    ruleset = models.CharField(max_length=64)
    ruleset_version = models.CharField(max_length=16)
    rule_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    labels = models.JSONField(default=dict)
    summary = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    routed_by = models.CharField(max_length=10, default="none")
    raised_at = models.DateTimeField(help_text="time of the first event that fired it (event time)")
    created_at = models.DateTimeField()
    last_fired_at = models.DateTimeField()
    fire_count = models.IntegerField(default=1)
    event_keys = models.JSONField(default=list)
    muted_by = models.CharField(max_length=32, blank=True, default="")
    group_key = models.CharField(max_length=300, blank=True, default="")
    notified_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_alerts")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=16, blank=True, default="", choices=disposition_choices)
    notes = models.TextField(blank=True, default="")
    escalations_sent = models.IntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=Q(open=True), name="alert_one_open_per_fingerprint"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "-id"]),
            models.Index(fields=["open", "next_escalation_at"]),
            models.Index(fields=["open", "group_key"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.priority} {self.rule_id}"


class AlertCause(models.Model):
    """Idempotency of alerting: one row per (rule, triggering events). Re-processing the same events after a
    crash finds the row and changes nothing — an event never raises or bumps an alert twice."""

    key = models.CharField(max_length=64, primary_key=True)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="causes")

    def __str__(self) -> str:
        return self.key


class AlertTransition(models.Model):
    """One entry of an alert's timeline: raised, repeated, notified, escalated, acknowledged, en_route,
    on_scene, closed, silenced, inhibited, resolved. ``actor`` is null for the system."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class Silence(models.Model):
    """A silence (Alertmanager's): matchers (``name=value`` …), active from ``starts_at`` until ``ends_at``
    (or until expired early), with its author and comment, limited to ``unit``'s subtree."""

    matchers = models.JSONField(default=list)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.CharField(max_length=500)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    expired_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_unit = "unit"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"silence {self.pk}: {self.matchers}"


class FeedItem(models.Model):
    """One message of the officers' live stream: an alert (or a change to one) for the on-duty members of
    ``unit`` whose role is in ``roles``. ``seq`` is allocated under a lock held until commit
    (:class:`FeedHead`), so items become visible in ``seq`` order and a terminal that resumes from its
    ``Last-Event-ID`` misses none and sees none twice."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    roles = models.JSONField(default=list)
    kind = models.CharField(max_length=12)  # alert | update | escalation
    alert = models.ForeignKey(Alert, null=True, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField(default=dict)

    scope_unit = "unit"

    class Meta:
        indexes = [models.Index(fields=["unit", "seq"])]

    def __str__(self) -> str:
        return f"feed {self.seq} {self.kind}"


class FeedHead(models.Model):
    """The last feed sequence number (one row, locked while an item is appended)."""

    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"feed head {self.seq}"


class DutyShift(models.Model):
    """An officer on duty for ``unit`` from ``starts_at`` until ``ends_at`` (or ``ended_at`` if ended early).

    The minimal notion of duty that alert delivery needs; ``pingan.alerts.duty`` is the interface a real
    roster (the dispatch app) replaces."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="duty_shifts")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["unit", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} on duty at {self.unit_id}"


class Jurisdiction(models.Model):
    """A unit's jurisdiction polygon (WGS-84 GeoJSON geometry), loaded from a GeoJSON or KML boundary file
    by ``pingan alerts jurisdictions``. Routing picks the deepest unit whose polygon contains a position."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="jurisdiction")
    geometry = models.JSONField()
    source = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"jurisdiction of {self.unit_id}"


class LogHead(models.Model):
    """Locked by every append to the embedded event log, so log rows commit in sequence order and a reader
    that continues after the highest sequence it saw never skips a row committed late."""

    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log head {self.seq}"


class ViidSubscription(models.Model):
    """A GA/T 1400 subscription (订阅) pingan placed with a lower platform: which records (``detail``, e.g. 13
    motor vehicles) of which resources (``resource_uri``: TollgateIDs, or the platform's ID) it pushes to
    ``receive_addr`` between ``begins_at`` and ``ends_at``. ``status`` is the standard's ``SubscribeStatus``
    (0 subscribed, 1 cancelled, 2 expired, 9 not subscribed: the platform refused or was unreachable, see
    ``last_error``). Notifications for it are accepted only while it is subscribed and in its window."""

    class Status(models.TextChoices):
        SUBSCRIBED = "0", _("subscribed")
        CANCELLED = "1", pgettext_lazy("subscription", "cancelled")
        EXPIRED = "2", _("expired")
        NOT_SUBSCRIBED = "9", _("not subscribed")

    subscribe_id = models.CharField(max_length=64, unique=True)
    platform = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="viid_subscriptions")
    endpoint = models.URLField(max_length=300, help_text="the lower platform's base URL (http://host:port)")
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=60, default="13")
    resource_class = models.CharField(max_length=2, default="0")
    resource_uri = models.CharField(max_length=2000)
    reason = models.CharField(max_length=300)
    receive_addr = models.CharField(max_length=300)
    begins_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.NOT_SUBSCRIBED)
    last_error = models.CharField(max_length=500, blank=True, default="")
    notifications = models.BigIntegerField(default=0)
    records = models.BigIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"subscription {self.subscribe_id} @ {self.platform_id}"


class AlertingEvent(models.Model):
    """With partitioned workers, the events that made some partition fire, so each is counted once as
    ``alerting`` although several partitions may fire for it (a plate read can be a watch-list hit in its
    device's partition and a cloned plate in its plate's). Rows older than a day are pruned."""

    key = models.CharField(max_length=90, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
