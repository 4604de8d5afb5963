"""Statistics models: incidents, their imports and reclassifications, the daily rollups, vehicle counts.

An :class:`Incident` is the generic record every source is mapped to (``stats.importers``). The rollups
(:class:`DailyCount`, :class:`DailyClearance`) hold, for every unit *and each of its ancestors*, the number of
incidents per day and classification key, so that a CompStat page for a city reads a few thousand rows rather
than a million incidents; ``stats.services.rollup_refresh`` rebuilds them from the incidents for the days an
import or a reclassification touched, in the same transaction. Writes go through ``stats.services``; reads of
incidents (personal data: places, times, victims) through ``stats.selectors``, scoped and audited.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core.jobs import LeasedJob
from pingan.core.models import OrgUnit, User


class ImportBatch(LeasedJob):
    """One import of one file: what it was, who imported it, and what became of every row.

    An upload is a leased job (:class:`pingan.core.jobs.LeasedJob`: status, attempts, lease, failure code and
    parameters; kind ``stats-import``): ``pingan worker`` runs it in a child process with a memory and time
    budget, and a job whose worker died is taken up again when its lease expires. The command line's imports
    are rows of the same table, written ``done`` at once.

    ``counts``: ``rows`` (data rows read), ``incidents`` (incidents in the file), ``created``/``updated``
    (new and already-known incidents), ``excluded`` (rows a counting rule leaves out), ``rejected``
    (unreadable rows), ``rows_in_incidents``.
    """

    source = models.CharField(max_length=32, help_text="importer key, e.g. chicago-crimes, sf-incidents, bureau")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    org = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mapping_version = models.CharField(max_length=32, blank=True, default="")
    counts = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)
    upload_path = models.CharField(max_length=500, blank=True, default="")
    imported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # the workers' queue: queued jobs, and running ones whose lease may have expired
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="stats_importbatch_queue")]

    def __str__(self) -> str:
        return f"import {self.pk} {self.source} {self.filename} ({self.status})"


class RowIssue(models.Model):
    """A row of an import that is not (part of) an incident: excluded by a counting rule, or rejected."""

    class Kind(models.TextChoices):
        EXCLUDED = "excluded", _("excluded by a counting rule")
        REJECTED = "rejected", pgettext_lazy("stats import row", "rejected")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.IntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=40)
    column = models.CharField(max_length=100, blank=True, default="")
    message = models.TextField()
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["batch_id", "row"]
        indexes = [models.Index(fields=["batch", "kind"])]

    def __str__(self) -> str:
        return f"row {self.row}: {self.kind} {self.code}"


class Incident(models.Model):
    """One incident (案件/警情), whatever its source.

    * ``source``/``source_ref`` identify it in its source (importing the same file again updates it);
    * ``reported_at`` (接报时间) and the occurrence window ``occurred_from``–``occurred_to`` (发案时间; a
      point when ``occurred_to`` is empty) are aware datetimes; ``count_date`` is the local date statistics
      count it on (the occurrence date, else the report date) and ``timezone`` the zone of its times;
    * ``offence`` is a key of ``stats/data/offences.toml``; ``offence_codes`` the source's own codes and
      ``source_category`` its own wording; ``place_type`` and ``attempted`` complete the classification key;
    * ``unit`` is the responsible unit; ``location`` the place as given, ``block`` the place generalised to
      block level (what a public release may show), ``latitude``/``longitude`` WGS 84;
    * ``status``: open, cleared, or unfounded (a report found false or baseless, never counted);
      ``clearance`` arrest or exceptional (``exceptional_code`` NIBRS A–E, empty when the source gives none)
      and ``cleared_on`` its date (``cleared_on_estimated`` when the source gives none and the importer
      dated it, docs/stats.md says how);
    * ``victims`` (``None``: not recorded, counted as one where a scheme counts victims), ``injured``,
      ``killed``; ``property_loss`` (损失金额), ``amount_involved`` (涉案金额), ``amount_recovered``
      (挽回/追缴金额) in ``currency`` (ISO 4217).
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("stats case", "open")
        CLEARED = "cleared", _("cleared")
        UNFOUNDED = "unfounded", _("unfounded")

    class Clearance(models.TextChoices):
        NONE = "", _("not cleared")
        ARREST = "arrest", _("cleared by arrest")
        EXCEPTIONAL = "exceptional", _("cleared by exceptional means")

    class ExceptionalCode(models.TextChoices):
        # NIBRS data element 4 "Cleared Exceptionally" (FBI UCR; NIEM ucr:IncidentExceptionalClearanceCode)
        NONE = "", _("not given")
        A = "A", _("A: death of the offender")
        B = "B", _("B: prosecution declined")
        C = "C", _("C: in custody of another jurisdiction")
        D = "D", _("D: victim refused to cooperate")
        E = "E", _("E: juvenile, no custody")

    source = models.CharField(max_length=32)
    source_ref = models.CharField(max_length=80)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(null=True, blank=True)
    occurred_from = models.DateTimeField(null=True, blank=True)
    occurred_to = models.DateTimeField(null=True, blank=True)
    count_date = models.DateField()
    timezone = models.CharField(max_length=40, blank=True, default="")
    offence = models.CharField(max_length=64)
    offence_codes = models.JSONField(default=list, blank=True)
    source_category = models.CharField(max_length=300, blank=True, default="")
    place_type = models.CharField(max_length=16, blank=True, default="")
    attempted = models.BooleanField(default=False)
    location = models.CharField(max_length=300, blank=True, default="")
    block = models.CharField(max_length=200, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    clearance = models.CharField(max_length=12, choices=Clearance.choices, blank=True, default="")
    exceptional_code = models.CharField(max_length=1, choices=ExceptionalCode.choices, blank=True, default="")
    cleared_on = models.DateField(null=True, blank=True)
    cleared_on_estimated = models.BooleanField(default=False)
    victims = models.PositiveIntegerField(null=True, blank=True)
    injured = models.PositiveIntegerField(default=0)
    killed = models.PositiveIntegerField(default=0)
    property_loss = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    amount_involved = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    amount_recovered = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-count_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="one_incident_per_source_ref"),
            models.CheckConstraint(name="clearance_matches_status", condition=(
                models.Q(status="cleared", cleared_on__isnull=False) & ~models.Q(clearance="")
                | ~models.Q(status="cleared") & models.Q(clearance="", exceptional_code="", cleared_on__isnull=True))),
            models.CheckConstraint(name="exceptional_code_only_for_exceptional",
                                   condition=models.Q(exceptional_code="") | models.Q(clearance="exceptional")),
        ]
        indexes = [
            models.Index(fields=["unit", "count_date"]),
            models.Index(fields=["offence", "count_date"]),
            models.Index(fields=["count_date"]),
            models.Index(fields=["cleared_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_ref} {self.offence} {self.count_date}"

    @property
    def harm(self) -> int:
        from pingan.stats.classify import harm_of

        return harm_of(self.injured, self.killed)


class Reclassification(models.Model):
    """One change of an incident's classification, value or status, with before, after, reason and actor.

    ``changes`` maps each changed field to ``[before, after]`` (JSON values; amounts as strings).
    ``downgrade`` is set by ``stats.services.incident_reclassify`` when the change moves the incident to a
    less serious offence (``offences.toml`` severity), out of a counted status (to unfounded), or below a
    value threshold (``thresholds.toml``); ``downgrade_reasons`` says which. ``unit`` is the incident's unit at
    the time, so the downgrade watch lists it per unit.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reclassifications")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    changes = models.JSONField()
    reason = models.TextField()
    downgrade = models.BooleanField(default=False)
    downgrade_reasons = models.JSONField(default=list, blank=True)

    scope_unit = "unit"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "downgrade", "at"])]

    def __str__(self) -> str:
        return f"reclassification {self.pk} of incident {self.incident_id}"


class UnitClosure(models.Model):
    """Each unit paired with itself and every ancestor (rebuilt from ``OrgUnit.path`` before a rollup), so the
    rollup can be one join instead of a prefix match per incident."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "ancestor"], name="one_closure_pair")]
        indexes = [models.Index(fields=["ancestor", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} ⊂ {self.ancestor_id}"


class _Rollup(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    offence = models.CharField(max_length=64)
    place_type = models.CharField(max_length=16, blank=True, default="")
    attempted = models.BooleanField(default=False)
    harm = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 injured, 2 killed (classify.HARM_*)
    involved = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    recovered = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        abstract = True


class _Counts(_Rollup):
    n = models.IntegerField(default=0)
    victims = models.IntegerField(default=0)
    injured = models.IntegerField(default=0)
    killed = models.IntegerField(default=0)
    loss = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        abstract = True


class _Clearances(_Rollup):
    arrest = models.IntegerField(default=0)
    exceptional = models.IntegerField(default=0)
    same_year = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyCount(_Counts):
    """Incidents (not unfounded) of a unit's subtree counted on ``day`` with one classification key."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "offence", "place_type", "attempted", "harm"],
                                               name="one_daily_count_per_key")]
        # The days of a few offences over all years (the zero-incident streaks): an index-only scan of those
        # offences' entries instead of every row of the unit (pattern ops: the offence prefix is a LIKE).
        indexes = [models.Index(fields=["unit", "offence", "day"], include=["place_type", "attempted", "harm"],
                                opclasses=["int8_ops", "varchar_pattern_ops", "date_ops"],
                                name="stats_daily_unit_offence_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.offence}: {self.n}"


class DailyClearance(_Clearances):
    """Offences of a unit's subtree cleared on ``day`` with one key; ``same_year`` of them occurred (were
    counted) in the calendar year of the clearance. ``involved``/``recovered``: amounts of the cleared cases."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "offence", "place_type", "attempted", "harm"],
                                               name="one_daily_clearance_per_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.offence}: {self.arrest}+{self.exceptional}"


class WeeklyCount(_Counts):
    """:class:`DailyCount` summed over a Monday–Sunday week; ``day`` is the Monday. Maintained with the daily
    rollup (``services.rollup_refresh``), so that a year-to-date sum or a 52-week trend reads ~53 rows per key
    instead of ~365 (``indicators.split_weeks``)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "offence", "place_type", "attempted", "harm"],
                                               name="one_weekly_count_per_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} week of {self.day} {self.offence}: {self.n}"


class WeeklyClearance(_Clearances):
    """:class:`DailyClearance` summed over a Monday–Sunday week; ``day`` is the Monday. ``same_year`` stays
    the daily rows' own test (offence year = clearance year), so a week spanning New Year sums correctly."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "offence", "place_type", "attempted", "harm"],
                                               name="one_weekly_clearance_per_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} week of {self.day} {self.offence}: {self.arrest}+{self.exceptional}"


class VehicleCount(models.Model):
    """Registered motor vehicles of a unit's area in a year (for deaths per 10,000 vehicles), with its source."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    vehicles = models.PositiveIntegerField()
    source = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_vehicle_count_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.vehicles}"


class RollupState(models.Model):
    """One row: the rollups' generation — a fresh random stamp set by every ``services.rollup_refresh`` in its
    transaction (random, not a counter, so a restored database or a rolled-back test never meets the figures of
    another state). Figures computed from the rollups are cached under it (``selectors``), so a cached figure is
    never read after the data under it changed."""

    generation = models.UUIDField(default=uuid.uuid4)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollups generation {self.generation}"
