"""Screening models: imported risk datasets, screening jobs, per-person results and hits.

The large tables (risk-area listings, movement records, watchlists) stay in Parquet files that the batch
engine reads directly; a :class:`RiskDataset` row records each import (where, how many rows, which were
rejected). Per-person results and hits of a job are rows here, so pages and the API can scope them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.jobs import LeasedJob
from pingan.core.models import Premises, User
from pingan.lib.redact import mask_id, mask_numbers, mask_phone, mask_values


class RiskDataset(models.Model):
    """One imported risk dataset, stored as a Parquet file in the data directory.

    Only the newest active dataset of each ``kind`` is used for screening (watchlists: every active one).
    ``purged_at`` is set when :mod:`pingan.screening.retention` deleted the files of a superseded movement
    dataset; the row stays as the record of the import.
    """

    class Kind(models.TextChoices):
        LISTINGS = "listings", _("risk-area listings")
        MOVEMENTS = "movements", _("movement records")
        WATCHLIST = "watchlist", _("watchlist")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100, help_text="e.g. NHC 2022, UN SC consolidated, OFAC SDN")
    source = models.CharField(max_length=500, help_text="the file or directory it was imported from")
    path = models.CharField(max_length=500, help_text="the Parquet file pingan keeps")
    rows = models.BigIntegerField(default=0)
    rejected_rows = models.BigIntegerField(default=0)
    rejections_path = models.CharField(max_length=500, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    active = models.BooleanField(default=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    meta = models.JSONField(default=dict, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True,
                                     help_text="when the retention policy deleted its files (superseded datasets)")

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} ({self.rows} rows)"


#: The keys every finished job's ``counts`` has (``services._counts`` writes them all; re-evaluation rewrites the
#: level and hit counts): rows by status, accepted rows by level, rule hits for the police, and the roster's
#: row, blank-row and duplicate counts. :attr:`ScreeningJob.tally` gives 0 for any a stored job lacks.
COUNT_KEYS = ("accepted", "rejected", "green", "yellow", "red", "police_hits", "silent_hits", "flagged_people",
              "rows", "blank_rows", "duplicates")


class ScreeningJob(LeasedJob):
    """One screening of one roster: its status, progress, counts and where its output files are.

    A leased job (:class:`pingan.core.jobs.LeasedJob`: status, attempts, lease, failure code and parameters):
    ``pingan worker`` runs it in a child process with a memory and time budget.

    ``premises`` is null for a roster screened from the command line without a premises.

    ``purged_at`` is set when :mod:`pingan.screening.retention` deleted the job's person data (its result
    rows and hits, the roster file and the result files); the row itself stays, with its aggregate
    ``counts`` and ``stats``, which name no one.

    ``is_latest`` marks the premises' latest finished job: the ``done`` job with the highest id (the roster
    submitted last that finished), at most one per premises (a partial unique index) and never a job that is
    not ``done`` (a check constraint). Only :func:`pingan.screening.services.screening_job_latest_refresh`
    sets it, in the transaction that finishes a job, so reads join on it instead of searching each premises'
    jobs for the newest.
    """

    premises = models.ForeignKey(Premises, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    roster_name = models.CharField(max_length=255)
    roster_sha256 = models.CharField(max_length=64)
    roster_path = models.CharField(max_length=500, blank=True, default="")
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent")
    as_of = models.DateTimeField()
    ruleset_id = models.CharField(max_length=100, blank=True, default="")
    ruleset_version = models.CharField(max_length=50, blank=True, default="")
    encoding = models.CharField(max_length=30, blank=True, default="")
    counts = models.JSONField(default=dict, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    result_dir = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True,
                                     help_text="when the retention policy deleted its person data")
    is_latest = models.BooleanField(default=False, editable=False,
                                    help_text="the premises' latest finished job (set by the screening services)")
    reevaluated_at = models.DateTimeField(null=True, blank=True,
                                          help_text="when new risk data last re-evaluated people of this job")

    scope_unit = "premises__unit"
    scope_owner = "premises__owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], name="one_job_per_idempotency_key",
                                    condition=~models.Q(idempotency_key="")),
            models.UniqueConstraint(fields=["premises"], condition=models.Q(is_latest=True),
                                    name="one_latest_job_per_premises"),
            models.CheckConstraint(condition=models.Q(is_latest=False)
                                   | models.Q(status="done", premises__isnull=False),
                                   name="latest_job_is_done"),
        ]
        indexes = [models.Index(fields=["premises", "-created_at"]),
                   # the workers' queue: queued jobs, and running ones whose lease may have expired
                   models.Index(fields=["status", "lease_expires_at"], name="screeningjob_queue")]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.roster_name}, {self.status})"

    @property
    def tally(self) -> dict[str, int]:
        """``counts`` as pages, the API and the command read them: for a finished job every key of
        :data:`COUNT_KEYS`, 0 where the stored counts lack it (a job finished before the key existed, or counts
        written by another path), and any further integer key as stored. A missing key never renders as an
        empty word ("0 yellow,  silent hits")."""
        stored = {k: v for k, v in (self.counts or {}).items() if isinstance(v, int) and not isinstance(v, bool)}
        if self.status != self.Status.DONE:  # queued, running or failed: no counts to complete (not "0 screened")
            return stored
        return {**dict.fromkeys(COUNT_KEYS, 0), **stored}

    @property
    def shown_roster_name(self) -> str:
        """The roster's file name as pages show it, long digit runs masked (a file named after a person's ID
        number shows no full number)."""
        return mask_numbers(self.roster_name)

    @property
    def label(self) -> str:
        """What a person recognises this screening by, in the active language: "the upload of 2026-12-06 14:03
        (tenants.xlsx)" (local time, the file name masked) — never "job 21" (pages and messages name it so)."""
        return upload_label(self.created_at, self.roster_name)


def upload_label(created_at, roster_name: str) -> str:
    """:attr:`ScreeningJob.label` from its two fields (a query that read only those)."""
    from django.utils.translation import gettext

    from pingan.core.texts import moment

    return gettext("the upload of %(when)s (%(file)s)") % {"when": moment(created_at),
                                                          "file": mask_numbers(roster_name)}


def job_reference(job_id: int) -> str:
    """The ``job`` reference of stored and raised messages (``pingan.core.texts.register_reference``)."""
    row = ScreeningJob.objects.filter(pk=job_id).values_list("created_at", "roster_name").first()
    return upload_label(*row) if row else ""


#: Identity statuses of a screened row whose document number the submitter must fix (docs/screening.md, "What
#: to fix"): a number that breaks a rule of its type or is missing (``invalid``, ``unverifiable``: yellow), one
#: given under two names (``conflicting``: yellow), and ``corrected`` — a failing check character the engine
#: recovered from a movement record whose name agrees: screened as that person, with the level the rules give
#: (green when nothing is found), but the roster still holds the wrong number.
NUMBER_TO_FIX = ("invalid", "unverifiable", "conflicting", "corrected")

#: The reason code of a screened row whose phone is not a valid number (``reasons.phone_invalid``): it was not
#: used for matching, so the submitter is to fix it too — counted, listed and exported among the rows to fix
#: (issue 11, fresh-user trial: "12345" stood under the screened people, the file's "To fix" empty).
PHONE_TO_FIX = "phone_invalid"


def to_fix_q() -> models.Q:
    """The rows to fix, as a query: not screened, a screened row whose document number is to fix
    (:data:`NUMBER_TO_FIX`) or whose phone is (:data:`PHONE_TO_FIX`, one of its stored reasons)."""
    return (models.Q(status="rejected") | models.Q(status="accepted", identity_status__in=NUMBER_TO_FIX)
            | models.Q(status="accepted", reasons__icontains=f'"{PHONE_TO_FIX}"'))


def fix_reason(*, identity_status: str, why: str, reason: str, police: bool = False) -> str:
    """What a screened row whose number is to fix is told (``reason``: its rules' text, ``why``: what is wrong
    with the number, both in the active language): the one text of the results page, the downloads and the
    API. A corrected number says why the row still has a level; another keeps its rule's reason when it has
    one (it already says the identity needs verifying). The two join as clauses of the active language
    (``core.texts.clauses``: the sentence's full stop is not followed by "；" — issue 11: "…号码。；7天内").

    Minimal disclosure (docs/screening.md, "What the submitter is told of a corrected number"): a corrected
    number tells the submitter (``police`` false: the landlord's or enterprise's page, download and API, and
    ``pingan screen`` without ``--police-view``) only that the number looks mistyped and to check and correct
    it — never that the police data holds a person of that name under the corrected number (the trial of
    issue 11 showed a landlord "警方数据中有同名人员使用更正后的号码"); ``police`` true says that too."""
    from django.utils.translation import gettext

    from pingan.core.texts import clauses

    if identity_status == "corrected" and police:
        fix = gettext("The ID number is wrong: %(why)s. The police records hold a person of the same name under "
                      "the corrected number, so the row was screened as that person; the submitter is told only "
                      "that the number looks mistyped and must be corrected.") % {"why": why}
    elif identity_status == "corrected":
        fix = gettext("The ID number looks mistyped: %(why)s. Check it against the person's ID document, correct "
                      "it in your file and upload the roster again.") % {"why": why}
    elif reason:
        return reason
    else:
        fix = gettext("The ID number is wrong: %(why)s") % {"why": why}
    return clauses((fix, reason))


class PersonResult(models.Model):
    """One roster row's result: accepted or rejected, the submitter-visible level and reason.

    ``id_number`` is the normalised document number (personal data: police view only; submitters see it
    masked). ``row`` is the row number as the submitter sees it in Excel. For a row that was not screened
    (rejected) ``name``, ``given_id_number`` and ``given_phone`` hold what the roster row gave, as written,
    so the submitter can find the row to fix; they stay empty on screened rows.

    ``reasons`` is what the row is told, as messages (``[{"code", "params"}]``, :mod:`pingan.screening.reasons`)
    that pages render in the reader's language (:attr:`reason_text`); ``reason`` is the engine's one-line text,
    kept for results stored before ``reasons`` existed. ``phone`` and ``address`` (room) are what the roster
    gave for a screened row (police view: whom to call, where the person lives). ``identity_detail`` is the
    message saying what is wrong with the number (``{}`` when nothing is).
    """

    class Level(models.TextChoices):
        GREEN = "green", _("green")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    # no index of its own: the (job, row) constraint leads with it. No index holds a column a re-evaluation
    # rewrites (level, rules, reasons…), so that its ~100,000 row updates are HOT (migration 0020; the table
    # keeps room in its pages for them: docs/screening.md, Benchmark)
    job = models.ForeignKey(ScreeningJob, on_delete=models.CASCADE, related_name="persons", db_index=False)
    row = models.IntegerField()
    status = models.CharField(max_length=10)  # accepted / rejected
    level = models.CharField(max_length=6, blank=True, default="", choices=Level.choices)
    reason = models.TextField(blank=True, default="")
    rule_ids = models.JSONField(default=list, blank=True)
    name = models.CharField(max_length=200, blank=True, default="")
    doc_type = models.CharField(max_length=20, blank=True, default="")
    id_number = models.CharField(max_length=40, blank=True, default="")
    corrected_id_number = models.CharField(max_length=40, blank=True, default="")
    identity_status = models.CharField(max_length=20, blank=True, default="")
    identity_reason = models.TextField(blank=True, default="")
    police_priority = models.IntegerField(null=True, blank=True)
    hit_count = models.IntegerField(default=0)
    silent_hit = models.BooleanField(default=False)
    given_id_number = models.TextField(blank=True, default="")
    given_phone = models.TextField(blank=True, default="")
    reasons = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=40, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    identity_detail = models.JSONField(default=dict, blank=True)
    #: when new risk data last re-evaluated this row (:mod:`pingan.screening.reevaluate`), and the last change
    #: it made: ``{"run", "at", "from", "to", "dataset", "why": [messages]}`` (``{}``: never changed)
    reevaluated_at = models.DateTimeField(null=True, blank=True)
    reevaluation = models.JSONField(default=dict, blank=True)

    scope_unit = "job__premises__unit"
    scope_owner = "job__premises__owner"

    class Meta:
        ordering = ["job_id", "row"]
        constraints = [models.UniqueConstraint(fields=["job", "row"], name="one_result_per_roster_row")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.level or self.status}"

    @property
    def reason_text(self) -> str:
        """The row's reasons in the active language (results stored before ``reasons``: the stored text), with
        every long digit run masked (:func:`pingan.lib.redact.mask_numbers`: a reason may quote a cell)."""
        from pingan.core.texts import legacy, render_all

        return mask_numbers(render_all(self.reasons) if self.reasons else legacy(self.reason))

    @property
    def police_reason_text(self) -> str:
        """:attr:`reason_text` as police pages say it: a row not screened names its problem for the officer,
        not the landlord's instructions (``screening.texts.for_police``)."""
        from pingan.core.texts import legacy, render_all
        from pingan.screening.texts import for_police

        return mask_numbers(render_all(for_police(self.reasons)) if self.reasons else legacy(self.reason))

    @property
    def number_to_fix(self) -> bool:
        """A screened row whose document number the submitter must fix (:data:`NUMBER_TO_FIX`)."""
        return self.status == "accepted" and self.identity_status in NUMBER_TO_FIX

    @property
    def phone_to_fix(self) -> bool:
        """A screened row whose phone the submitter must fix (:data:`PHONE_TO_FIX`)."""
        return self.status == "accepted" and any(isinstance(m, dict) and m.get("code") == PHONE_TO_FIX
                                                 for m in self.reasons or ())

    @property
    def submitter_reason(self) -> str:
        """:attr:`reason_text`, and for a row whose number is to fix what is wrong with it first
        (:func:`fix_reason`): what the results page, the download and the API say about the row to its
        submitter (a corrected number: only that it looks mistyped)."""
        return self.fix_text(police=False)

    @property
    def police_fix_reason(self) -> str:
        """:attr:`submitter_reason` as police pages and the police's API say it: a corrected number also
        says that it was matched to the police records' person under the corrected number."""
        return self.fix_text(police=True)

    def fix_text(self, *, police: bool) -> str:
        """:attr:`submitter_reason` (``police`` false) or :attr:`police_fix_reason`."""
        if not self.number_to_fix:
            return self.reason_text
        return mask_numbers(fix_reason(identity_status=self.identity_status, why=self.identity_text,
                                       reason=self.reason_text, police=police))

    def _fix_messages(self) -> tuple[list, list]:
        """The row's stored reasons split into what the submitter is to fix (the number, the phone, a
        duplicate) and why the row has its level (the risk rules' ``rule`` messages)."""
        why = [m for m in self.reasons or () if isinstance(m, dict) and m.get("code") == "rule"]
        return [m for m in self.reasons or () if m not in why], why

    def fix_only(self, *, police: bool) -> str:
        """What a screened row to fix is to have fixed, without why it has its level (:attr:`level_reason_text`):
        the job page shows the two apart (issue 11's trial F13: "Travel through a medium-risk area …; the phone
        number … is not a valid number" in one red text, the landlord could not tell which part was theirs)."""
        from pingan.core.texts import render_all

        if not self.reasons:  # stored before reasons were codes: the one text
            return self.fix_text(police=police)
        fix = mask_numbers(render_all(self._fix_messages()[0]))
        if not self.number_to_fix:
            return fix
        return mask_numbers(fix_reason(identity_status=self.identity_status, why=self.identity_text, reason=fix,
                                       police=police))

    @property
    def submitter_fix_only(self) -> str:
        return self.fix_only(police=False)

    @property
    def police_fix_only(self) -> str:
        return self.fix_only(police=True)

    @property
    def level_reason_text(self) -> str:
        """Why a screened row has its level (its risk rules), in the active language; ``""`` for none."""
        from pingan.core.texts import render_all

        return mask_numbers(render_all(self._fix_messages()[1])) if self.reasons else ""

    @property
    def to_fix_code(self) -> str:
        """The stable code of what the submitter must fix (``""``: nothing): ``rejection.<code>`` for a row not
        screened, ``identity.<error>`` (else ``identity.<status>``) for a screened row whose number is to fix —
        the ``to_fix_code`` column of the downloads."""
        if self.status == "rejected":
            detail = self.rejection_detail
            return detail["code"] if detail else "rejection"
        if self.number_to_fix:
            return (self.identity_detail or {}).get("code") or f"identity.{self.identity_status}"
        return PHONE_TO_FIX if self.phone_to_fix else ""

    @property
    def rejection_detail(self) -> dict | None:
        """Why the row was not screened, as stored: the ``rejection.<code>`` message of its ``not_screened``
        reason (``detail``), or ``None``."""
        for m in self.reasons or ():
            detail = (m.get("params") or {}).get("detail") if isinstance(m, dict) else None
            if isinstance(detail, dict) and detail.get("code"):
                return detail
        return None

    @property
    def identity_text(self) -> str:
        """What is wrong with the document number, in the active language (``""`` when nothing is), long digit
        runs masked."""
        from pingan.core.texts import legacy, render

        return mask_numbers(render(self.identity_detail) if self.identity_detail else legacy(self.identity_reason))

    @property
    def shown_name(self) -> str:
        """The name as pages and downloads show it: as given, with any long digit run masked — a name cell that
        swallowed other rows or numbers never shows a full ID or phone number (docs/screening.md)."""
        return mask_numbers(self.name)

    @property
    def shown_reasons(self) -> list:
        """:attr:`reasons` with long digit runs in their parameters masked (the API's ``reasons``)."""
        return mask_values(self.reasons)

    @property
    def masked_id(self) -> str:
        """The document number (for a rejected row: the one it gave) as the submitter sees it everywhere —
        pages, downloads, the API: normalised, then all but the first 3 and last 2 characters hidden
        (:func:`pingan.lib.redact.mask_id`), so one number has one masked form whether it came as text or as
        an Excel number (``1.50102199001011e+17`` → ``150*************00``, the digits Excel lost as zeros)."""
        return mask_id(self.id_number or self.given_id_number)

    @property
    def masked_given_phone(self) -> str:
        """The phone a rejected row gave, masked as a phone (:func:`pingan.lib.redact.mask_phone`: a letter in it
        is not an ID number's check character) — beside it, whether it is a valid number
        (:attr:`given_phone_valid`)."""
        return mask_phone(self.given_phone)

    @property
    def given_phone_valid(self) -> bool:
        """The phone a rejected row gave is a valid number (``pingan.lib.identity.phones.normalize_phone``)."""
        from pingan.lib.identity.phones import normalize_phone

        return normalize_phone(self.given_phone) is not None

    @property
    def phone_valid(self) -> bool:
        """The phone of a screened row (police view) is a valid number: an invalid one is shown flagged, with
        no call link."""
        from pingan.lib.identity.phones import normalize_phone

        return normalize_phone(self.phone) is not None

    @property
    def given_line(self) -> str:
        """For a row whose cells could not be trusted to be in their columns (a CSV quote that never closes,
        a delimiter that split a cell): the row as written, long digit runs masked — shown instead of a name,
        ID number and phone that may be the wrong fields (``""`` for other rows)."""
        for m in self.reasons or ():
            detail = (m.get("params") or {}).get("detail") if isinstance(m, dict) else None
            line = ((detail or {}).get("params") or {}).get("line") if isinstance(detail, dict) else None
            if line:
                return mask_numbers(line)
        return ""


class Hit(models.Model):
    """One rule hit for a person (police view): which rule, which record matched, how and why.

    ``silent`` hits (watchlists) never change what the submitter sees.
    """

    person = models.ForeignKey(PersonResult, on_delete=models.CASCADE, related_name="hits")
    # no index of its own ((job, silent) leads with it) and no constraint in the database: a hit's job is its
    # person's, whose own key holds it — the second check cost ~5 µs of the server's CPU per hit at every commit
    # (~100,000 hits after a day's movement records, issue 10's bench); Django still cascades a job's deletion
    job = models.ForeignKey(ScreeningJob, on_delete=models.CASCADE, related_name="hits", db_index=False,
                            db_constraint=False)
    rule_id = models.CharField(max_length=100)
    source = models.CharField(max_length=20)
    # references into the risk data as they come (a movement file's record_id can be any length)
    record_ref = models.TextField(blank=True, default="")
    listing_ref = models.TextField(blank=True, default="")
    match_kind = models.CharField(max_length=40, blank=True, default="")
    match_reasons = models.JSONField(default=list, blank=True)
    level_effect = models.CharField(max_length=6, blank=True, default="")
    police_priority = models.IntegerField(null=True, blank=True)
    silent = models.BooleanField(default=False)
    #: where and when, for an officer to act on: a movement hit's ``place``, ``adcode``, ``from``/``until``
    #: (ISO 8601) and ``listing`` (``community``, ``adcode``, ``level``, ``from``, ``until``); a watchlist
    #: hit's ``entry`` (``list``, ``program``, ``names``, ``birth_dates``, ``nationalities``, ``listed_on``,
    #: ``remarks``). ``{}`` for hits stored before it existed.
    detail = models.JSONField(default=dict, blank=True)

    scope_unit = "job__premises__unit"
    scope_owner = None  # hits are never shown to submitters

    class Meta:
        ordering = ["job_id", "police_priority", "id"]
        indexes = [models.Index(fields=["job", "silent"])]

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.match_kind})"


class Reevaluation(models.Model):
    """One re-evaluation run after a risk-data import (:mod:`pingan.screening.reevaluate`): how many people
    the change could affect (``candidates``, all re-screened), how many results changed, the hits added and
    removed, the safety codes changed, and ``stats`` (``seconds`` per stage, what changed in the data,
    ``codes_kept``: codes whose level and people stayed, only their counts brought up to date)."""

    dataset = models.ForeignKey(RiskDataset, on_delete=models.PROTECT, related_name="reevaluations")
    as_of = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    candidates = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    hits_added = models.PositiveIntegerField(default=0)
    hits_removed = models.PositiveIntegerField(default=0)
    codes_changed = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"re-evaluation {self.pk} after {self.dataset_id}: {self.changed}/{self.candidates} changed"


class OffRoster(models.Model):
    """A person the police keep listing — flagged (red, yellow or a watchlist hit, silent ones included), or not
    screened or unresolved (:func:`pingan.screening.services.left_out_listed`) — who is no longer on the latest
    roster of the premises (docs/screening.md "Flagged people no longer on the roster").

    Written by :func:`pingan.screening.services.off_roster_refresh` each time a premises' latest screening
    moves: every such person of the screening just before whom the new roster leaves out gets a row
    (``since_job``: the roster that first left them out; ``person``: their row where they were last seen), so
    the set accumulates over every roster, whatever safety code was issued meanwhile. An open row keeps the
    person in the police view (the jurisdiction list, its search and filters, the premises page) until an
    officer confirms they left (``left``, with a note: audited), a later roster brings them back (``back``,
    ``back_job``), or the retention purge deletes ``person``'s screening (the row goes with it).
    ``key`` is the person as the rosters are compared: the document number, else ``name:`` + the name.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("not on the latest roster")
        LEFT = "left", _("confirmed left by the police")
        BACK = "back", _("back on a newer roster")

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="off_roster_records")
    person = models.ForeignKey(PersonResult, on_delete=models.CASCADE, related_name="off_roster_records")
    since_job = models.ForeignKey(ScreeningJob, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=240)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    back_job = models.ForeignKey(ScreeningJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True, default="")

    scope_unit = "premises__unit"
    scope_owner = None  # police only: a submitter is never told who is flagged

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["premises", "key"], condition=models.Q(status="open"),
                                               name="one_open_off_roster_per_person")]

    def __str__(self) -> str:
        return f"off roster {self.pk}: premises {self.premises_id}, person {self.person_id} ({self.status})"
