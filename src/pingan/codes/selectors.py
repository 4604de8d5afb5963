"""Safety-code selectors: reads that take the actor and scope through :func:`pingan.core.scoping.scope`.

A premises' owner sees its codes and disputes; police see those of their jurisdiction (analysts: all).
Anybody else gets ``NotFound`` (existence is not leaked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.codes.levels import Level
from pingan.codes.models import LEVEL_LABELS, CodeReview, Dispute, LevelOverride, SafetyCode
from pingan.core import audit
from pingan.core import selectors as core_selectors
from pingan.core.errors import NotFound
from pingan.core.models import Premises
from pingan.core.scoping import scope, station_work_filter
from pingan.core.texts import moment

audit.register_object_type("SafetyCode", _("safety code"))
audit.register_object_type("SigningKey", _("signing key"))
audit.register_object_type("Dispute", _("correction request (dispute)"))
audit.register_object_type("LevelOverride", _("level change (four-eyes)"))
audit.register_object_type("CodeReview", _("suspended safety code (police check)"))


def _describe_codes(ids: list[str]) -> dict[str, str]:
    """A safety code as the audit page names it: premises, level, when issued (its hex id told nobody anything).
    A suspension's record names the premises by its id: its name then."""
    out = {c.code_id: f"{c.premises.label} · {c.level_label} · {moment(c.issued_at)}"
           for c in SafetyCode.objects.filter(code_id__in=[i.lower() for i in ids]).select_related("premises")}
    rest = [i for i in ids if i not in out]
    out.update({str(pk): name for pk, name in Premises.objects.filter(pk__in=audit.int_ids(rest))
                .values_list("pk", "name")})
    return out


def _describe_by_premises(model, at: str):
    def describe(ids: list[str]) -> dict[str, str]:
        return {str(o.pk): f"{o.premises.label} · {moment(getattr(o, at))}"
                for o in model.objects.filter(pk__in=audit.int_ids(ids)).select_related("premises")}

    return describe


def _describe_overrides(ids: list[str]) -> dict[str, str]:
    return {str(o.pk): f"{o.premises.label} → {o.level_label} · {moment(o.requested_at)}"
            for o in LevelOverride.objects.filter(pk__in=audit.int_ids(ids)).select_related("premises")}


audit.register_object_describer("SafetyCode", _describe_codes)
audit.register_object_describer("Dispute", _describe_by_premises(Dispute, "created_at"))
audit.register_object_describer("CodeReview", _describe_by_premises(CodeReview, "created_at"))
audit.register_object_describer("LevelOverride", _describe_overrides)


def _describe_keys(ids: list[str]) -> dict[str, str]:
    """A signing key by its kid (what the verification page and the JWKS name), its algorithm, the unit that
    issues with it (by name: its issuer is the unit's code) and when it was made."""
    from pingan.codes.models import SigningKey
    from pingan.core.models import OrgUnit

    keys = list(SigningKey.objects.filter(kid__in=ids))
    units = {u.code: u.label for u in OrgUnit.objects.filter(code__in={k.issuer for k in keys})}
    return {k.kid: audit.said(k.kid, k.alg, units.get(k.issuer, k.issuer), moment(k.created_at))
            for k in keys}


audit.register_object_describer("SigningKey", _describe_keys)
for _code, _label in (("key_create", _("created a signing key")), ("key_rotate", _("rotated a signing key")),
                      ("issue", _("issued")), ("revoke", _("revoked")),
                      ("revoke_reason", _("changed the revocation reason")),
                      ("override_request", _("requested a level change")),
                      ("override_approve", _("approved a level change")),
                      ("override_reject", _("rejected a level change")), ("dispute_open", _("opened a dispute")),
                      ("dispute_resolve", _("resolved a dispute")),
                      ("suspend", _("suspended a safety code for a police check")),
                      ("review_release", _("released a suspended safety code")),
                      ("left_out", _("kept flagged people a newer roster left out in the police view")),
                      ("review_confirm_left", _("confirmed that flagged people left out of a roster left")),
                      ("keep", _("kept the safety code: the same roster screened again with the same results"))):
    audit.register_action(_code, _label)


def premises_get(*, actor, premises_id: int) -> Premises:
    """The premises if the actor may see it (owner or police in jurisdiction); audited. Else ``NotFound``."""
    return core_selectors.premises_get(actor=actor, premises_id=premises_id)


def code_current(*, actor, premises_id: int) -> SafetyCode | None:
    """The premises' newest unrevoked code (maybe expired), or ``None``; ``NotFound`` for an unseen premises."""
    premises = premises_get(actor=actor, premises_id=premises_id)
    return (scope(actor, SafetyCode.objects.select_related("premises"))
            .filter(premises=premises, revoked_at__isnull=True).order_by("-issued_at", "-id").first())


def code_get(*, actor, code_id: str) -> SafetyCode:
    """One code by its hex id if the actor may see it; ``NotFound`` otherwise."""
    code = scope(actor, SafetyCode.objects.select_related("premises__unit")).filter(code_id=code_id.lower()).first()
    if code is None:
        raise NotFound(f"code {code_id} not found")
    return code


def codes_of_premises(*, actor, premises_id: int) -> QuerySet[SafetyCode]:
    """Every code of a premises the actor may see, newest first (levels and dates: the premises' read is
    recorded where it is shown, :func:`premises_get`)."""
    premises = core_selectors.premises_scoped(actor=actor, archived=True).filter(pk=premises_id).first()
    if premises is None:
        raise NotFound(f"premises {premises_id} not found")
    return (scope(actor, SafetyCode.objects.all()).filter(premises=premises).select_related("job")
            .order_by("-issued_at", "-id"))


def _dispute_subjects(d: Dispute) -> list[audit.Subject]:
    return [*core_selectors.premises_subjects(d.premises),
            audit.Subject(name=d.submitted_by.display_name or d.submitted_by.username)]  # stable, any language


def _disputes_scoped(*, actor) -> QuerySet[Dispute]:
    """The disputes the actor sees: :func:`~pingan.core.scoping.scope`'s, and for an officer or station chief
    those routed to the branch (分局) or bureau above their station (a premises at district level: as
    :func:`_reviews_scoped`)."""
    qs = Dispute.objects.select_related("premises", "premises__owner", "unit", "code", "submitted_by", "resolved_by")
    routed = station_work_filter(actor, "unit")
    return scope(actor, qs) if routed is None else qs.filter(routed)


def disputes_list(*, actor, status: str | None = None, purpose: str = "") -> QuerySet[Dispute]:
    """Disputes the actor may see (owners: their own; police: routed to their subtree), newest first; the
    rows fetched are recorded with the premises' owners and the submitters."""
    qs = _disputes_scoped(actor=actor)
    qs = qs.filter(status=status) if status else qs
    return audit.audited(qs, actor=actor, object_type="Dispute", subjects=_dispute_subjects, purpose=purpose,
                         detail={"status": status} if status else None)


def upheld_awaiting_change(*, actor, purpose: str = "") -> QuerySet[Dispute]:
    """Correction requests the police upheld (the owner is right) whose code is still live with no level change
    requested since: the next step is a level change, which the station chief approves (four-eyes). Upholding
    changed nothing else — the owner read "已支持" and the chief's queue did not show it (issue 11); the queue and
    the chief's home list these with who upheld them and when. Oldest first; the rows are recorded as a read."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    changed = LevelOverride.objects.filter(premises=OuterRef("premises"), requested_at__gte=OuterRef("resolved_at"))
    qs = (_disputes_scoped(actor=actor)
          .filter(status=Dispute.Status.UPHELD, code__isnull=False, code__revoked_at__isnull=True,
                  code__expires_at__gt=timezone.now())
          .exclude(Exists(changed)).order_by("resolved_at", "id"))
    return audit.audited(qs, actor=actor, object_type="Dispute", subjects=_dispute_subjects, purpose=purpose,
                         detail={"status": "upheld", "awaiting": "level_change"})


def dispute_get(*, actor, dispute_id: int) -> Dispute:
    """One dispute the actor may see (to act on it: the action is recorded); ``NotFound`` otherwise."""
    d = _disputes_scoped(actor=actor).filter(pk=dispute_id).first()
    if d is None:
        raise NotFound(f"dispute {dispute_id} not found")
    return d


def _overrides_scoped(*, actor) -> QuerySet[LevelOverride]:
    return scope(actor, LevelOverride.objects.select_related("premises", "premises__owner", "premises__unit", "code",
                                                             "requested_by", "decided_by"))


def overrides_list(*, actor, status: str | None = None, purpose: str = "") -> QuerySet[LevelOverride]:
    """Level-change requests the actor may see, newest first; the rows fetched are recorded with the
    premises' owners."""
    qs = _overrides_scoped(actor=actor)
    qs = qs.filter(status=status) if status else qs
    return audit.audited(qs, actor=actor, object_type="LevelOverride", purpose=purpose,
                         subjects=lambda ov: core_selectors.premises_subjects(ov.premises),
                         detail={"status": status} if status else None)


def override_get(*, actor, override_id: int) -> LevelOverride:
    """One level-change request the actor may see (to act on it: the action is recorded); ``NotFound``
    otherwise."""
    ov = _overrides_scoped(actor=actor).filter(pk=override_id).first()
    if ov is None:
        raise NotFound(f"level change {override_id} not found")
    return ov


def _reviews_scoped(*, actor) -> QuerySet[CodeReview]:
    """The reviews the actor sees: :func:`~pingan.core.scoping.scope`'s, and for an officer or station chief
    those of a premises whose unit is the branch (分局) or the bureau above their station — a premises registered
    at district level belongs to no station, and its suspension reached nobody's queue (the review): every
    station under the branch sees it, and the one that checks releases it (as with sign-ups,
    :func:`~pingan.core.scoping.station_work_filter`)."""
    qs = CodeReview.objects.select_related("premises", "premises__owner", "unit", "job", "baseline_job",
                                           "decided_by")
    routed = station_work_filter(actor, "premises__unit")
    if routed is None:
        return scope(actor, qs)
    return qs.filter(routed)


def reviews_list(*, actor, status: str | None = None, purpose: str = "") -> QuerySet[CodeReview]:
    """Suspended codes awaiting (or past) a police check that the actor may see (owners: their own premises;
    police: their subtree), newest first (``left_out`` reviews, of live codes, are on the premises page);
    the rows fetched are recorded with the premises' owners."""
    qs = _reviews_scoped(actor=actor).filter(kind=CodeReview.Kind.SUSPENSION)
    qs = qs.filter(status=status) if status else qs
    return audit.audited(qs, actor=actor, object_type="CodeReview", purpose=purpose,
                         subjects=lambda rv: core_selectors.premises_subjects(rv.premises),
                         detail={"status": status} if status else None)


def review_get(*, actor, review_id: int) -> CodeReview:
    """One review the actor may see (to act on it: the action is recorded); ``NotFound`` otherwise."""
    rv = _reviews_scoped(actor=actor).filter(pk=review_id).first()
    if rv is None:
        raise NotFound(f"review {review_id} not found")
    return rv


def open_suspensions() -> QuerySet[CodeReview]:
    """Every open suspension (a code withdrawn until the police check a roster that leaves people out): the one
    definition behind :func:`open_suspension`, the lists' state (:func:`with_code_state`) and the services."""
    return CodeReview.objects.filter(status=CodeReview.Status.OPEN, kind=CodeReview.Kind.SUSPENSION)


def open_suspension(premises) -> CodeReview | None:
    """The premises' open suspension, or ``None`` (no person data, no permission check)."""
    return open_suspensions().filter(premises=premises).first()


@dataclass(frozen=True)
class LeftOutRoster:
    """One earlier roster that people no longer on a premises' latest roster come from (the queue names each):
    the screening where they were last seen (``job_id``, ``created_at`` when it was uploaded, ``roster_name``
    its file, masked in :attr:`name`), how many of them (``people``) and their row numbers on it (``rows``, at
    most :data:`LEFT_OUT_ROWS_LISTED`)."""

    job_id: int
    created_at: datetime
    roster_name: str
    people: int
    rows: tuple[int, ...]

    @property
    def name(self) -> str:
        from pingan.lib.redact import mask_numbers

        return mask_numbers(self.roster_name)

    @property
    def unlisted(self) -> int:
        return self.people - len(self.rows)


#: Row numbers the queue lists per earlier roster (the count is always complete).
LEFT_OUT_ROWS_LISTED = 50


def off_roster_sources(premises_ids) -> dict[int, list[LeftOutRoster]]:
    """Per premises, the earlier rosters its open off-roster records come from (:class:`LeftOutRoster`), oldest
    first — each person counted where they were last seen, so a roster left out two uploads ago is named beside
    the one just before (issue 11: the queue named only the most recent earlier file). Row numbers and file
    names only (no person is named: callers show them to police who may see the premises). One query."""
    from pingan.screening.models import OffRoster

    rows = (OffRoster.objects.filter(premises_id__in=list(premises_ids), status=OffRoster.Status.OPEN)
            .order_by("premises_id", "person__job_id", "person__row")
            .values_list("premises_id", "person__job_id", "person__job__created_at", "person__job__roster_name",
                         "person__row"))
    grouped: dict[tuple[int, int], list] = {}
    for premises_id, job_id, created_at, name, row in rows:
        grouped.setdefault((premises_id, job_id), [created_at, name, []])[2].append(row)
    out: dict[int, list[LeftOutRoster]] = {}
    for (premises_id, job_id), (created_at, name, numbers) in grouped.items():
        out.setdefault(premises_id, []).append(LeftOutRoster(job_id, created_at, name, len(numbers),
                                                             tuple(numbers[:LEFT_OUT_ROWS_LISTED])))
    return out


def with_left_out_rosters(reviews) -> list[CodeReview]:
    """``reviews`` (fetched) with ``left_out_rosters`` (:func:`off_roster_sources`: every earlier roster the
    people no longer on the premises' roster come from, each with its file, upload date, people and rows) and
    ``left_out_people`` (how many the police list; ``dropped`` is what the owner's pages count, fewer by the
    watchlist hits the owner saw as green). One query for them all."""
    reviews = list(reviews)
    sources = off_roster_sources({rv.premises_id for rv in reviews})
    for rv in reviews:
        rv.left_out_rosters = sources.get(rv.premises_id, [])
        rv.left_out_people = sum(src.people for src in rv.left_out_rosters)
    return reviews


#: What a premises' code is, as every page and the API name it: its live code's level, ``suspended`` (withdrawn
#: until the police check a roster that leaves out flagged people), ``revoked`` (its newest code revoked, no
#: newer one) or ``none`` (never had a code).
CODE_STATES = ("green", "yellow", "red", "suspended", "revoked", "none")


def code_state_name(*, level: str | None, revoked: bool, review_open: bool) -> str:
    """The state (:data:`CODE_STATES`) of a premises whose newest code has ``level`` (``None``: no code yet) and
    is ``revoked`` or not, with or without an open review. The one rule behind the code card, the premises
    lists and the API: a page never derives a premises' level from anything else."""
    if level is None:
        return "none"
    if not revoked:
        return level
    return "suspended" if review_open else "revoked"


def with_code_state(qs: QuerySet[Premises]) -> QuerySet[Premises]:
    """``qs`` annotated for lists with what :func:`premises_code_state` says of each premises, in one query:
    ``code_level`` (the newest code's level, ``None`` without one), ``code_revoked_at``, ``code_expires_at``,
    ``code_job_id`` and ``code_review_open``; :func:`code_state_of` turns them into the state."""
    from django.db.models import Exists, OuterRef, Subquery

    newest = SafetyCode.objects.filter(premises=OuterRef("pk")).order_by("-issued_at", "-id")
    return qs.annotate(
        code_level=Subquery(newest.values("level")[:1]),
        code_revoked_at=Subquery(newest.values("revoked_at")[:1]),
        code_expires_at=Subquery(newest.values("expires_at")[:1]),
        code_job_id=Subquery(newest.values("job_id")[:1]),
        code_review_open=Exists(open_suspensions().filter(premises=OuterRef("pk"))))


def code_state_of(p) -> str:
    """The state of a premises annotated by :func:`with_code_state`."""
    return code_state_name(level=p.code_level, revoked=p.code_revoked_at is not None,
                           review_open=bool(p.code_review_open))


def with_level_now(rows) -> list:
    """Queue rows (disputes, level changes) each with ``code_now``: ``None`` while the code the row was made
    against is still live (its level is the current one), else what the premises has now — ``state``
    (:data:`CODE_STATES`) and ``label`` (绿码 …, or that the code is suspended, revoked or not issued). Issue 11's
    trial: after a chief approved "→ 黄码", the open correction request still read "当前 红码" — the disputed code's
    level, no longer the current one. One query for all rows; no person data."""
    rows = list(rows)
    stale = {r.premises_id for r in rows if r.code_id and r.code.revoked_at is not None}
    states = {p.pk: code_state_of(p) for p in with_code_state(Premises.objects.filter(pk__in=stale))} if stale else {}
    words = {"suspended": _("code suspended"), "revoked": _("code revoked"), "none": _("no safety code")}
    for r in rows:
        state = states.get(r.premises_id) if r.code_id and r.code.revoked_at is not None else None
        r.code_now = None if state is None else {
            "state": state, "label": str(LEVEL_LABELS[Level(state)]) if state in ("green", "yellow", "red")
            else str(words[state])}
    return rows


def premises_code_state(premises) -> dict:
    """What every page shows about a premises' code (the landlord's, the police premises page, the job page):
    ``state`` (:data:`CODE_STATES`), ``code`` (the live code or ``None``), ``last`` (the newest code, live or not),
    ``review`` (an open suspension), ``left_out`` (how many people the police list as no longer on the roster while
    it is open: the officer's card says it, the owner's says ``review.dropped``), ``police_hold`` (the police
    revoked the newest code and no screening came since: only police renew it), ``cause`` (why the live code was
    issued, rendered in the active language; ``cause_note`` the same, or ``""`` where the card says it already;
    ``job_line`` whether the card says "From the screening of …" — not where the old-poster notice names that
    screening already), ``job`` (the screening behind the live code: ``id``, ``finished_at``, ``label``) and
    ``kept`` (the live code stands for a newer screening of the same roster with the same results, which
    kept it and its poster: ``codes.services._keep``), ``rechecked`` (when a re-evaluation last re-checked the
    screening behind the live code, if after the code was issued: the code stayed — its level and people the
    same, its counts brought up to date, ``codes.services._counts_only`` — else ``None``), ``replaced`` (the
    code before the live one — superseded,
    or suspended and then released — while it would still have been valid: the poster printed with it now reads as
    revoked at the door, so the pages tell the owner to print the new one), ``renewable`` (issuing now would give a
    new code) and ``obstacle``, why not (``codes.services.issue_check``: ``not_screened``, ``unchanged`` …; ``""``
    when renewable). No person data, no
    permission check: callers pass a premises the viewer may see."""
    from pingan.core.texts import render

    # the newest code and the one before it (the poster it replaced), in one query
    newest = list(SafetyCode.objects.filter(premises=premises).select_related("job").order_by("-issued_at", "-id")[:2])
    last = newest[0] if newest else None
    code = last if last is not None and last.revoked_at is None else None
    # a review is open only while the premises has no live code, and only after it had one (the baseline)
    review = None if last is None or code is not None else open_suspension(premises)
    state = code_state_name(level=last.level if last else None, revoked=code is None, review_open=review is not None)
    from pingan.codes.services import issue_check, latest_done_job, police_hold
    from pingan.screening.services import off_roster_open

    latest = latest_done_job(premises)
    hold = code is None and last is not None and police_hold(premises, latest)
    before = newest[1] if len(newest) > 1 else None
    replaced = before if code is not None and before is not None and before.revoked_at is not None \
        and before.expires_at > timezone.now() else None
    # the cause names the screening behind the code: its label from the row at hand, not another query
    known = {"job": code.job.label} if code is not None and code.job_id and code.cause and \
        str((code.cause.get("params") or {}).get("job")) == str(code.job_id) else None
    cause = render(code.cause, known=known) if code and code.cause else ""
    # the card's line under the level says the cause only where nothing above said it already: the old-poster
    # notice gives it, and "From the screening of …" is all an automatic issue from that screening says
    plain = known is not None and code.cause.get("code") == "code_cause.screening"
    # the same roster screened again with the same results kept the code (codes.services._keep): its screening is
    # the newer one, its cause names the one it was issued from
    cause_job = (code.cause.get("params") or {}).get("job") if code is not None and code.cause else None
    kept = code is not None and code.job_id is not None and cause_job is not None and str(cause_job) != str(code.job_id)
    # the card offers "Issue" / "Renew" only where the service would issue (its own rule, codes.services.
    # issue_check): not before a screening finished, nor while the live code is the latest screening's
    # (the newest code is the live one when it is not revoked: issuing revokes the one before; a review is open
    # only while there is no live code)
    obstacle = issue_check(premises, latest=latest, live=code, review=review).obstacle
    # the people the suspension is about as the police list them (the owner's count, ``review.dropped``, leaves out
    # the watchlist hits the owner saw as green): the officer's card says this one
    left_out = off_roster_open(premises).count() if review is not None else 0
    return {"state": state, "code": code, "last": last, "review": review, "police_hold": hold, "replaced": replaced,
            "left_out": left_out,
            "renewable": not obstacle, "obstacle": obstacle,
            "cause": cause, "cause_note": "" if replaced is not None or plain else cause, "kept": kept,
            "job_line": code is not None and code.job_id is not None and not (replaced is not None and plain)
            and not kept,
            "job": code.job if code is not None and code.job_id else None,
            # (a code's issue time is signed in whole seconds: a re-evaluation that issued it stamped its job
            # a fraction of a second after)
            "rechecked": code.job.reevaluated_at if code is not None and code.job_id and code.job.reevaluated_at
            and code.job.reevaluated_at.replace(microsecond=0) > code.issued_at else None}


def roster_baseline(premises) -> dict | None:
    """What the upload page says before a new roster of ``premises`` (issue 11: a partial roster suspended the
    code without warning): the screening a new roster is checked against (``codes.services.dropped_baseline``)
    as ``job``, its ``people`` (rows), ``flagged`` (screened rows that were yellow, red or unresolved) and
    ``level`` (the label of the level a new one is measured against: the current code's, or the open suspension's) and
    ``suspended`` (an open suspension: no code is current), ``earlier`` (with a code standing: the people of
    earlier rosters the owner saw as not green, left out and not yet confirmed as gone) and ``accounted``
    (``flagged`` + ``earlier``: everyone a new roster must keep). Leaving a
    flagged person out suspends the code only when the new roster's level is lower than that level
    (``codes.services._dropped_check``): a roster that gives the same level or a higher one gets its code at once,
    so the page must not say that any omission suspends. ``None`` when nothing would be checked, nobody was
    flagged, or the level is green (nothing can be lower). No person data; callers pass a premises the viewer
    may see."""
    from pingan.codes.services import dropped_baseline, screening_counts
    from pingan.screening import services as screening_services

    found = dropped_baseline(premises)
    if found is None or found[0].purged_at is not None or found[1] == Level.GREEN:
        return None
    counts, _people = screening_counts(found[0])
    # the screened rows that were not green: a row not screened is nobody who could leave (docs/codes.md)
    flagged = counts.total - counts.green - found[0].tally["rejected"]
    review = open_suspension(premises)
    # suspended: there is no current code to name (the re-check of the trial: "The current code is a red
    # code" beside a code page saying the premises has none); the level is the one the suspension keeps. While
    # it lasts, the page keeps saying who is missing (``missing``: the people the owner saw as not green, left
    # out; issue 11: after a partial roster with nobody flagged on it, the page forgot them)
    # while a code stands, the people of earlier rosters left out already and not yet confirmed as gone count too:
    # leaving them out again is what suspends it (a fresh-user trial: the page named the last roster's 5 flagged
    # rows, the upload then suspended the code for 173 people); the owner's count, the figure the code page says
    earlier = 0 if review is not None else screening_services.off_roster_open(premises).filter(
        screening_services.owner_flagged("person__")).count()
    if not flagged and not earlier and review is None:
        return None
    return {"job": found[0], "people": counts.total, "flagged": flagged, "level": LEVEL_LABELS[found[1]],
            "suspended": review is not None, "missing": review.dropped if review is not None else 0,
            "earlier": earlier, "accounted": flagged + earlier}


def job_code_state(job) -> dict:
    """What a screening's page says about the safety code, relative to that screening (no permission check:
    callers pass a job the viewer may see). Keys:

    * ``current``: :func:`premises_code_state` of the job's premises (the live code, labelled as current);
    * ``own``: the newest code issued from this screening, or ``None`` when none was;
    * ``is_current``: the live code is this screening's;
    * ``replaced_by``: the code (of another screening) that superseded this screening's code — its
      ``issued_at`` is when, its ``job_id`` which screening — or ``None``;
    * ``review``: the review (police check) opened for this screening's roster, when no code was issued from it;
    * ``newer_job``: the premises' latest screening when it is not this one (a newer roster decides the code);
    * ``rule``: :func:`job_rule`;
    * ``suspended_here``: the open suspension when it is about this screening's roster (the rule's level is then
      not the premises' code: the page says why, and what the owner can do, beside the rule's level).

    ``{}`` for a job without premises.
    """
    from pingan.screening.models import ScreeningJob

    if job.premises_id is None:
        return {}
    current = premises_code_state(job.premises)
    # this screening's code: issued from it, or issued from it and kept by a newer screening of the same roster
    # (codes.services._keep moved the code's screening; its cause still names this one)
    own = SafetyCode.objects.filter(Q(job=job) | Q(cause__params__job=job.pk), premises_id=job.premises_id
                                    ).order_by("-issued_at", "-id").first()
    replaced_by = None
    if own is not None and own.revoked_at is not None:
        replaced_by = (SafetyCode.objects.filter(premises_id=job.premises_id, issued_at__gte=own.issued_at,
                                                 pk__gt=own.pk).exclude(job=job).order_by("issued_at", "id").first())
    newer = None if job.is_latest else ScreeningJob.objects.filter(premises_id=job.premises_id, is_latest=True).first()
    review = current["review"]
    return {"current": current, "own": own, "replaced_by": replaced_by, "newer_job": newer, "rule": job_rule(job),
            "suspended_here": review if review is not None and review.job_id == job.pk else None,
            "is_current": current["code"] is not None and current["code"].job_id == job.pk,
            "review": None if own is not None else
            CodeReview.objects.filter(job=job, kind=CodeReview.Kind.SUSPENSION).order_by("-created_at", "-id").first()}


def job_rule(job) -> dict | None:
    """What the published level rule (``pingan.codes.levels``) gives for a finished screening's rows:
    ``level`` (:class:`~pingan.codes.levels.Level`), ``label`` (its name in the active language), ``unresolved``
    (rows counted as unresolved: not screened, or screened without a level — ``not_screened`` and ``no_level``
    part them), ``red``, ``yellow``, ``green`` — the same counts a code issued from it carries. ``None`` for a job
    not done, one whose person data was deleted, or one of nobody."""
    from pingan.codes.levels import ScreeningCounts, level_for

    if job.status != "done" or job.purged_at is not None:
        return None
    # the job's stored counts, which every writer keeps equal to its rows (a screening sets them, a
    # re-evaluation moves them; tests/web/test_web_job_level checks them against services.screening_counts): one
    # source for the results page, the landlord's list of screenings and the code, and no query per job
    t = job.tally
    unresolved = max(t["accepted"] + t["rejected"] - t["green"] - t["yellow"] - t["red"], 0)
    counts = ScreeningCounts(green=t["green"], yellow=t["yellow"], red=t["red"], unresolved=unresolved)
    if counts.total == 0:
        return None
    level = level_for(counts)
    return {"level": level, "label": str(LEVEL_LABELS[level]), "unresolved": counts.unresolved,
            "red": counts.red, "yellow": counts.yellow, "green": counts.green,
            # the unresolved rows parted: not screened (rejected, cut off) and screened without a level
            "not_screened": min(t["rejected"], counts.unresolved),
            "no_level": counts.unresolved - min(t["rejected"], counts.unresolved)}
