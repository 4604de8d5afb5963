"""Screening selectors: every read takes the actor, is scoped by jurisdiction, and reads of personal data
are audited.

Submitters (enterprise, landlord) see their own jobs and, per row, only the submitter view: status,
level, reason — never a silent hit. Police see their unit subtree's people, hits included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.models import POLICE_ROLES, SUBMITTER_ROLES, Premises
from pingan.core.scoping import scope
from pingan.core.selectors import premises_subjects
from pingan.screening.models import Hit, PersonResult, ScreeningJob

audit.register_object_type("ScreeningJob", _("screening job"))
audit.register_object_type("ScreeningJob.results", _("results of a screening job"))
audit.register_object_type("PersonResult", _("screened person"))
audit.register_object_type("PersonResult.flagged", _("flagged people"))
audit.register_object_type("PersonResult.search", _("search of everyone screened"))
audit.register_object_type("RiskDataset", _("risk data"))
audit.register_object_type("Retention", _("retention purge"))


def _describe_people(ids: list[str]) -> dict[str, str]:
    """A screened person as the audit page names them: masked name and ID number, and the premises (issue 11:
    "筛查人员 № 6046" told an auditor nothing). A row whose person data was purged: the premises and the upload."""
    from pingan.lib.redact import mask_id, mask_name

    out = {}
    rows = (PersonResult.objects.filter(pk__in=audit.int_ids(ids)).select_related("job__premises")
            .only("name", "id_number", "given_id_number", "job__created_at", "job__roster_name", "job__premises__name",
                  "job__premises__room"))
    for p in rows:
        who = [x for x in (mask_name(p.name), mask_id(p.id_number or p.given_id_number)) if x]
        where = [p.job.premises.label] if p.job.premises else []  # `pingan screen` without --premises: none
        out[str(p.pk)] = " · ".join([*who, *where] if who else [*where, p.job.label])
    return out


def _describe_jobs(ids: list[str]) -> dict[str, str]:
    """A screening as the audit page names it: the premises and the upload (date, file name masked)."""
    rows = (ScreeningJob.objects.filter(pk__in=audit.int_ids(ids)).select_related("premises")
            .only("created_at", "roster_name", "premises__name", "premises__room"))
    return {str(j.pk): " · ".join([j.premises.label, j.label] if j.premises else [j.label]) for j in rows}


def _describe_datasets(ids: list[str]) -> dict[str, str]:
    from pingan.screening.labels import dataset_label
    from pingan.screening.models import RiskDataset

    return {str(pk): dataset_label(name) for pk, name in RiskDataset.objects.filter(pk__in=audit.int_ids(ids))
            .values_list("pk", "name")}


audit.register_object_describer("PersonResult", _describe_people)
audit.register_object_describer("ScreeningJob", _describe_jobs)
audit.register_object_describer("ScreeningJob.results", _describe_jobs)
audit.register_object_describer("RiskDataset", _describe_datasets)
for _code, _label in (("submit", _("submitted")), ("screen", _("screened")), ("import", _("imported")),
                      ("retention_purge", _("purged (retention)")),
                      ("reevaluate", _("re-evaluated after new risk data")),
                      ("off_roster_resolve", _("confirmed that flagged people no longer on the roster left"))):
    audit.register_action(_code, _label)


def person_subjects(p: PersonResult) -> list[audit.Subject]:
    """The person a result row shows, as one subject: the name, the document number as given and as corrected,
    the phone number screened and as given (a row not screened keeps only what it gave: ``given_id_number``,
    ``given_phone`` — the review found such a phone not found by the audit search)."""
    corrected = (p.corrected_id_number,) if p.corrected_id_number and p.corrected_id_number != p.id_number else ()
    given_id = (p.given_id_number,) if p.given_id_number and p.given_id_number not in (p.id_number, *corrected) else ()
    given_phone = (p.given_phone,) if p.given_phone and p.given_phone != p.phone else ()
    return [audit.Subject(name=p.name, id_number=p.id_number, phone=p.phone, other_ids=(*corrected, *given_id),
                          other_phones=given_phone)]


#: What a phone number may be written with besides its digits and ``+`` (``193 2954 0037``, ``193-2954-0037``,
#: ``(0592) 123 4567``): dropped on both sides before phone numbers are compared.
_PHONE_PUNCTUATION = (" ", "-", "(", ")", ".", "/", "\u3000", "\u00a0", "+")


def _phone_digits(field: str):
    """``field`` with :data:`_PHONE_PUNCTUATION` dropped, in SQL (every database pingan runs on)."""
    from django.db.models import TextField, Value
    from django.db.models.functions import Replace

    expression = F(field)
    for mark in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(mark), Value(""), output_field=TextField())
    return expression


def _phone_forms(text: str) -> set[str]:
    """The ways a roster may have written the phone number ``text``, punctuation dropped: a Chinese number as
    ``19329540037``, ``8619329540037`` and ``008619329540037`` (``+86`` written or not); another number by its
    E.164 digits; empty when ``text`` is no phone number (issue 11: '193 2954 0037' and '193-2954-0037' missed
    the download of a job whose roster wrote '19329540037', which '19329540037' found)."""
    from pingan.lib.identity.phones import normalize_phone

    e164 = normalize_phone(text)
    if not e164:
        return set()
    digits = e164.lstrip("+")
    if e164.startswith("+86"):
        national = e164[3:]
        return {national, "86" + national, "0086" + national}
    return {digits, "00" + digits}


def _jobs_holding(text: str) -> dict[str, list[int]]:
    """The jobs whose (not yet purged) result rows name ``text`` as name, document number or phone number (the
    phone as screened or as given, however either was written: :func:`_phone_forms`)."""
    text = text.strip()
    if not text:
        return {}
    by_phone = Q(phone=text)
    if forms := _phone_forms(text):
        by_phone = Q(phone_digits__in=forms) | Q(given_phone_digits__in=forms)
    ids = list(PersonResult.objects.alias(phone_digits=_phone_digits("phone"),
                                          given_phone_digits=_phone_digits("given_phone"))
               .filter(Q(name=text) | Q(id_number=text.upper()) | Q(corrected_id_number=text.upper()) | by_phone)
               .values_list("job_id", flat=True).distinct()[:1000])
    return {"ScreeningJob": ids, "ScreeningJob.results": ids} if ids else {}


audit.register_subject_resolver(_jobs_holding)


def jobs_scoped(*, actor) -> QuerySet[ScreeningJob]:
    """Jobs the actor may see, newest first, with premises and unit joined; unaudited (counts, look-ups)."""
    return scope(actor, ScreeningJob.objects.select_related("premises", "premises__unit", "premises__owner"))


def job_list(*, actor, purpose: str = "") -> QuerySet[ScreeningJob]:
    """Jobs the actor may see, newest first; the rows fetched are recorded with their premises' owners
    (not a submitter's own jobs: nobody else's data)."""
    if getattr(actor, "role", None) in SUBMITTER_ROLES:
        return jobs_scoped(actor=actor)
    return audit.audited(jobs_scoped(actor=actor), actor=actor, object_type="ScreeningJob", purpose=purpose,
                         subjects=lambda j: premises_subjects(j.premises) if j.premises_id else [])


def jobs_to_fix(*, actor, jobs) -> dict[int, int]:
    """How many rows of each of ``jobs`` (finished ones the actor may see) the submitter is to fix, as the
    results page counts them (:func:`pingan.screening.models.to_fix_q`), by job id; a count names no one (not
    recorded). Issue 11's trial (F9): the job history said "result: green 5 · 5 screened" for a file with 3 ID
    numbers to fix."""
    from django.db.models import Count

    from pingan.screening.models import to_fix_q

    ids = [j.pk for j in jobs if j.status == ScreeningJob.Status.DONE and j.purged_at is None]
    if not ids:
        return {}
    rows = scope(actor, PersonResult.objects.filter(job_id__in=ids)).filter(to_fix_q())
    return dict(rows.order_by().values_list("job_id").annotate(n=Count("pk")).values_list("job_id", "n"))


def job_get(*, actor, job_id: int) -> ScreeningJob:
    """One job the actor may see (its status and counts: no person). ``NotFound`` otherwise (no existence
    leak)."""
    job = jobs_scoped(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"screening job {job_id} not found")
    return job


def premises_with_latest(*, actor) -> QuerySet:
    """The actor's premises (submitters: their own) with their latest finished screening (``latest_job_id``,
    ``latest_at``, ``latest_counts``), whether a live safety code exists (``has_code``) and the code's state
    (:func:`pingan.codes.selectors.with_code_state`: the level a list shows is the code's), oldest first."""
    from pingan.codes.selectors import with_code_state
    from pingan.core.selectors import premises_scoped

    # a live code, by the reverse relation the codes app declares (no import of it). ``safety_codes__isnull=False``
    # makes it a join on an existing code: alone, ``revoked_at__isnull`` also held for a premises with no code at
    # all (the outer join's NULL), so a newly confirmed landlord never saw the first steps (issue 11)
    live_code = Premises.objects.filter(pk=OuterRef("pk"), safety_codes__isnull=False,
                                        safety_codes__revoked_at__isnull=True)
    return (with_code_state(premises_scoped(actor=actor))
            .annotate(latest=FilteredRelation("jobs", condition=Q(jobs__is_latest=True)))
            .annotate(latest_job_id=F("latest__id"), latest_at=F("latest__finished_at"),
                      latest_counts=F("latest__counts"), has_code=Exists(live_code))
            .order_by("id"))


def job_same_roster_earlier(*, actor, job: ScreeningJob, hours: int = 24) -> ScreeningJob | None:
    """The most recent earlier job of the same premises with byte-for-byte the same roster, submitted in the
    ``hours`` before ``job`` (a form sent again after going back): the page says so. ``None`` otherwise."""
    if job.premises_id is None:
        return None
    since = job.created_at - dt.timedelta(hours=hours)
    return (jobs_scoped(actor=actor).filter(premises_id=job.premises_id, roster_sha256=job.roster_sha256,
                                            created_at__gte=since, pk__lt=job.pk).order_by("-pk").first())


def job_results(*, actor, job_id: int, purpose: str = "") -> QuerySet[PersonResult]:
    """A job's per-row results for the actor; the rows fetched are recorded, naming each person.

    Submitters get rows whose police-only fields must not be shown (the schemas and templates choose the
    submitter fields); the queryset is the same scoped rows either way.
    """
    job = job_get(actor=actor, job_id=job_id)
    return audit.audited(scope(actor, PersonResult.objects.filter(job=job)).order_by("row"), actor=actor,
                         object_type="ScreeningJob.results", object_id=job.pk, subjects=person_subjects,
                         purpose=purpose)


def job_fix_counts(rows: QuerySet[PersonResult]) -> dict[str, int]:
    """How many of a job's rows (``rows``: :func:`job_results`, or the job's rows for ``pingan screen``) are to
    fix, by kind — ``rejected`` (not screened), ``unverified`` (screened, the document number to fix:
    ``models.NUMBER_TO_FIX``), ``phone`` (screened, only the phone to fix: ``models.PHONE_TO_FIX``) — with
    ``total`` and ``kinds`` (how many kinds there are). The one count of the results page's "What to fix" and
    of ``pingan screen``'s summary (issue 11's trial: the page said 3 rows to fix, the command nothing)."""
    from pingan.screening.models import NUMBER_TO_FIX, to_fix_q

    number = Q(status="accepted", identity_status__in=NUMBER_TO_FIX)
    counts = rows.order_by().aggregate(rejected=Count("pk", filter=Q(status="rejected")),
                                       unverified=Count("pk", filter=number),
                                       phone=Count("pk", filter=to_fix_q() & Q(status="accepted") & ~number))
    return {**counts, "total": counts["rejected"] + counts["unverified"] + counts["phone"],
            "kinds": sum(1 for k in ("rejected", "unverified", "phone") if counts[k])}


@dataclass(frozen=True)
class PeopleFilter:
    """What an officer narrowed a list of screened people to (every field optional): the jurisdiction view,
    a premises' flagged people and a screening's people use the same search.

    ``q``: part of a name, an ID number (its start or end) or a phone number; ``level``: ``red``, ``yellow``
    or ``green``; ``hit``: ``watchlist``, ``travel`` (a movement rule) or ``identity``; ``premises``: part of a
    premises' name; ``since``/``until``: the screening's finish date (local), inclusive; ``reeval``:
    ``recent`` (results a re-evaluation changed in the last days) or a re-evaluation run's id (the people it
    changed: the link of the terminal's notification); ``part``: the people no longer on their premises' latest
    roster that the count tiles part off — ``unscreened`` (never screened, :data:`NOT_SCREENED`) or ``other``
    (screened green, no watchlist hit): the links of those tiles (issue 11: the only tiles without one).
    """

    q: str = ""
    level: str = ""
    hit: str = ""
    premises: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    reeval: str = ""
    part: str = ""

    #: The query-string keys of the search (what the pager's links keep).
    KEYS = ("q", "level", "hit", "premises", "since", "until", "reeval", "part")
    #: The values of ``part``: the tiles of the people no longer on the roster.
    PARTS = ("unscreened", "other")

    @classmethod
    def from_query(cls, get) -> PeopleFilter:
        """The search and filters from a query string (bad values are ignored)."""
        return cls(
            q=(get.get("q") or "")[:60], level=get.get("level", "") if get.get("level") in LEVELS else "",
            hit=get.get("hit", "") if get.get("hit") in ("watchlist", "travel", "identity") else "",
            premises=(get.get("premises") or "")[:100], since=_date(get.get("since")),
            until=_date(get.get("until")), reeval=_reeval(get.get("reeval") or ""),
            part=get.get("part", "") if get.get("part") in cls.PARTS else "")

    @property
    def active(self) -> bool:
        return any((self.q, self.level, self.hit, self.premises, self.since, self.until, self.reeval, self.part))

    def apply(self, qs: QuerySet[PersonResult]) -> QuerySet[PersonResult]:
        from django.utils import timezone

        q = self.q.strip()
        if q:
            digits = q.replace(" ", "").upper()
            qs = qs.filter(Q(name__icontains=q) | Q(id_number__startswith=digits) | Q(id_number__endswith=digits)
                           | Q(phone__contains=digits) | Q(given_phone__contains=digits))
        if self.level in LEVELS:
            qs = qs.filter(level=self.level)
        if self.hit == "watchlist":
            qs = qs.filter(silent_hit=True)
        elif self.hit in ("travel", "identity"):
            source = "movements" if self.hit == "travel" else "identity"
            qs = qs.filter(Exists(Hit.objects.filter(person=OuterRef("pk"), source=source, silent=False)))
        if self.premises.strip():
            qs = qs.filter(job__premises__name__icontains=self.premises.strip())
        tz = timezone.get_current_timezone()
        if self.since:
            qs = qs.filter(job__finished_at__gte=dt.datetime.combine(self.since, dt.time(), tz))
        if self.until:
            qs = qs.filter(job__finished_at__lt=dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tz))
        if self.reeval == "recent":
            qs = qs.filter(recently_reevaluated())
        elif self.reeval.isdigit():
            qs = qs.filter(reevaluation__run=int(self.reeval))
        if self.part == "unscreened":  # flagged_counts' parts: unscreened, and the rest ("other")
            qs = qs.filter(NOT_SCREENED)
        elif self.part == "other":
            qs = qs.filter(status="accepted", level="green", silent_hit=False)
        return qs


#: The levels a search can narrow to.
LEVELS = ("red", "yellow", "green")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _reeval(value: str) -> str:
    """``recent`` or a re-evaluation run's id from the query string, else ``""``."""
    return value if value == "recent" or (value.isascii() and value.isdigit() and len(value) < 12) else ""


def flagged_persons(*, actor, purpose: str = "") -> QuerySet[PersonResult]:
    """People flagged in the actor's jurisdiction (police only): silent hits first, then red, then yellow.

    Only the latest finished job of each premises counts (``ScreeningJob.is_latest``, kept by
    :func:`pingan.screening.services.screening_job_latest_refresh`), so the query is a plain join.
    The rows fetched (a page) are recorded as one ``list`` read naming each person.
    """
    if actor is None or actor.role not in POLICE_ROLES:
        return PersonResult.objects.none()
    qs = _flagged_base(actor).select_related("job", "job__premises", "job__premises__unit")
    qs = qs.annotate(order=Case(When(silent_hit=True, then=Value(0)), When(level="red", then=Value(1)),
                                default=Value(2), output_field=IntegerField())).order_by("order", "-job_id", "row")
    return audit.audited(qs, actor=actor, object_type="PersonResult.flagged", subjects=person_subjects,
                         purpose=purpose)


def screened_persons(*, actor, purpose: str = "") -> QuerySet[PersonResult]:
    """Everyone on the latest roster of each premises in the actor's jurisdiction (police only), screened or
    not — what an officer's search reaches when asked to look beyond the flagged people (issue 11, fresh-user
    trial: the jurisdiction's search found only flagged people and did not say so). In the order of
    :func:`flagged_persons` — watchlist hits, red, yellow — then the rows not screened or without a level, then
    green (issue 11: the search among everyone listed a red tenant after green ones, in roster order). Only the
    latest roster of each premises: who lives or works there now (the page says so). The rows fetched (a page)
    are recorded as one ``list`` read naming each person, as :func:`flagged_persons`."""
    if actor is None or actor.role not in POLICE_ROLES:
        return PersonResult.objects.none()
    qs = scope(actor, PersonResult.objects.filter(job__is_latest=True, status__in=["accepted", "rejected"]))
    qs = qs.annotate(order=Case(When(silent_hit=True, then=Value(0)), When(level="red", then=Value(1)),
                                When(level="yellow", then=Value(2)), When(level="green", then=Value(4)),
                                default=Value(3), output_field=IntegerField()))
    qs = qs.select_related("job", "job__premises", "job__premises__unit").order_by("order", "-job_id", "row")
    return audit.audited(qs, actor=actor, object_type="PersonResult.search", subjects=person_subjects,
                         purpose=purpose)


def _flagged_base(actor) -> QuerySet[PersonResult]:
    """Flagged rows (red, yellow or a watchlist hit, silent ones included) of the latest finished job of each
    premises, scoped — and the people no longer on their premises' latest roster (:func:`with_off_roster`):
    flagged, and the rows not screened or unresolved that the owner's page counts among the people left out.
    One query, two left joins."""
    if actor is None or actor.role not in POLICE_ROLES:
        return PersonResult.objects.none()
    from pingan.screening.services import flagged_rows

    qs = with_off_roster(scope(actor, PersonResult.objects.all()))
    return qs.filter((flagged_rows() & Q(job__is_latest=True)) | Q(open_off__id__isnull=False))


def with_off_roster(qs: QuerySet[PersonResult]) -> QuerySet[PersonResult]:
    """``qs`` annotated with whether each row's person is no longer on the premises' latest roster.

    Every roster that leaves out a person of the roster before it whom the police list (flagged, or not screened:
    :func:`pingan.screening.services.left_out_listed`) records them (:class:`~pingan.screening.models.OffRoster`,
    :func:`pingan.screening.services.off_roster_refresh`); the record accumulates over every later roster until an
    officer confirms they left, a roster brings them back, or retention deletes their row. Those rows carry
    ``off_roster`` true, ``off_roster_at``/``off_roster_name`` (when the roster that first left them out was
    uploaded, and its file name), ``off_roster_id`` (the record) and ``off_roster_suspended`` (the premises' code
    is suspended for a police check: an open ``suspension`` review of the codes app) — the line the premises page,
    the jurisdiction list and the person page show. Two left joins, no query of its own."""
    # the person's open record, and the premises' open review by the reverse relation the codes app declares
    qs = qs.annotate(
        open_off=FilteredRelation("off_roster_records", condition=Q(off_roster_records__status="open")),
        open_review=FilteredRelation("job__premises__code_reviews",
                                     condition=Q(job__premises__code_reviews__status="open")))
    off = Q(open_off__id__isnull=False)
    return qs.annotate(
        off_roster=Case(When(off, then=Value(True)), default=Value(False), output_field=BooleanField()),
        off_roster_at=F("open_off__since_job__created_at"),
        off_roster_name=F("open_off__since_job__roster_name"),
        off_roster_id=F("open_off__id"),
        off_roster_suspended=Case(When(off, open_review__kind="suspension", then=Value(True)),
                                  default=Value(False), output_field=BooleanField()))


def flagged_counts(*, actor, qs: QuerySet[PersonResult] | None = None) -> dict[str, int]:
    """How many flagged people (``total``), and of them ``red``, ``yellow``, ``silent`` (watchlist hits, at any
    level), ``watchlist_green`` (a watchlist hit, otherwise green), ``unscreened`` (no longer on the roster and
    never screened, :data:`NOT_SCREENED`), ``other`` (the rest: no longer on the roster, and re-evaluated green
    since) and ``reevaluated`` (changed by a re-evaluation in the last :data:`RECENT_REEVALUATION_DAYS` days), in
    the actor's jurisdiction — or in ``qs``, a filtered :func:`flagged_persons`. ``red``, ``yellow``,
    ``watchlist_green``, ``unscreened`` and ``other`` part the people: they add up to ``total`` (the tiles of the
    pages that show them; issue 11: red, yellow and watchlist hits overlapped and the tiles did not add up).
    Counts only: no audit record (nobody is named). One aggregate query."""
    base = _flagged_base(actor) if qs is None else qs.order_by()
    counts = base.aggregate(total=Count("pk"), red=Count("pk", filter=Q(level="red")),
                            yellow=Count("pk", filter=Q(level="yellow")),
                            silent=Count("pk", filter=Q(silent_hit=True)),
                            watchlist_green=Count("pk", filter=Q(silent_hit=True, level="green", status="accepted")),
                            unscreened=Count("pk", filter=NOT_SCREENED),
                            reevaluated=Count("pk", filter=recently_reevaluated()))
    counts["other"] = counts["total"] - counts["red"] - counts["yellow"] - counts["watchlist_green"] \
        - counts["unscreened"]
    return counts


#: Rows not screened (rejected) or screened without a level (unresolved): listed only while a later roster leaves
#: them out (:func:`with_off_roster`).
NOT_SCREENED = ~Q(status="accepted") | Q(level="")


def flagged_counts_by(*, actor, key) -> list[dict]:
    """:func:`flagged_counts`' ``red``, ``yellow`` and ``silent``, and ``off`` (of them, how many are no longer on
    their premises' latest roster: people of earlier rosters the police still list), grouped by ``key`` (a lookup
    such as ``"job__premises__unit_id"``, or an expression over a ``PersonResult``), one dict per group with the group's
    value under ``"key"``: the same people, so the groups add up to the jurisdiction view's counts. Counts
    only: no audit record."""
    return list(_flagged_base(actor).order_by().annotate(key=F(key) if isinstance(key, str) else key)
                .values("key").annotate(red=Count("pk", filter=Q(level="red")),
                                        yellow=Count("pk", filter=Q(level="yellow")),
                                        silent=Count("pk", filter=Q(silent_hit=True)),
                                        off=Count("pk", filter=Q(off_roster=True))))


#: How far back the jurisdiction view counts results that a re-evaluation changed ("new from re-screening").
RECENT_REEVALUATION_DAYS = 7


def recently_reevaluated(days: int = RECENT_REEVALUATION_DAYS) -> Q:
    """Results a re-evaluation after new risk data changed in the last ``days`` days (``reevaluation.at``, an
    ISO 8601 time in UTC written by ``pingan.screening.reevaluate``, compares as text)."""
    import datetime as dt

    from django.utils import timezone

    cutoff = (timezone.now() - dt.timedelta(days=days)).astimezone(dt.UTC).isoformat()
    return Q(reevaluation__at__gte=cutoff)


def person_hits(*, actor, person_id: int, purpose: str = "") -> tuple[PersonResult, list[Hit]]:
    """One person's result with every hit (police only; silent hits included). Records the read."""
    if actor is None or actor.role not in POLICE_ROLES:
        raise NotFound(f"person {person_id} not found")
    # whether a later roster left them out (the page says so and links to the action, as the premises page does)
    person = with_off_roster(scope(actor, PersonResult.objects.select_related(
        "job__premises__unit", "job__premises__owner"))).filter(
        pk=person_id, job__status=ScreeningJob.Status.DONE).first()  # no row of a running job
    if person is None:
        raise NotFound(f"person {person_id} not found")
    audit.record_read(actor, "PersonResult", person.pk, subjects=person_subjects(person), purpose=purpose)
    return person, list(scope(actor, Hit.objects.filter(person=person)))

