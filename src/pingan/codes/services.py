"""Safety-code services: keys, issuance, revocation, level overrides (four-eyes) and disputes (纠错).

Every write goes through one of these keyword-only functions; each is atomic, audited, and raises
:class:`~pingan.core.errors.DomainError` (``NotFound`` / ``PermissionDenied``) with a stable ``code``.
Signing and verification themselves are the framework-free core (``pingan.codes.token``, ``keys``,
``revocation``, ``levels``); this module adds persistence, permissions and caching.

``actor=None`` means the system itself (the ``pingan code`` command run by an operator).

Keys: one issuer per responsible police unit (the CWT ``iss`` is the unit's code, e.g. ``350203-LQ``).
Private keys are PKCS #8 PEM files, mode 0600, in ``settings.PINGAN["KEY_DIR"]`` named ``<kid hex>.pem``;
the database holds only the public JWK. Nothing here logs or returns private key material.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pingan.codes import selectors as code_selectors
from pingan.codes import signing
from pingan.codes import token as core_token
from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key, write_private_key
from pingan.codes.levels import Level, ScreeningCounts, level_for
from pingan.codes.models import (
    REVOCATION_REASON_LABELS,
    SUPERSEDED_REASONS,
    CodeReview,
    Dispute,
    LevelOverride,
    SafetyCode,
    SigningKey,
)
from pingan.codes.revocation import Reason, Revocation, RevocationList
from pingan.core import audit
from pingan.core.errors import TEXT_LIMIT, DomainError, NotFound, PermissionDenied, required_text
from pingan.core.models import POLICE_ROLES, Premises, Role, premises_label
from pingan.core.scoping import police_of_premises, works_for
from pingan.core.services import premises_removed
from pingan.core.texts import moment
from pingan.screening import services as screening_services
from pingan.screening.models import PersonResult, ScreeningJob
from pingan.screening.services import previous_screening

logger = logging.getLogger(__name__)

#: How long a published revocation list is valid for caching (its ``next_update``).
REVOCATION_LIST_LIFETIME = timedelta(hours=1)
#: Longest dispute text / override reason / note, in characters (``core.errors.required_text``'s limit).
MAX_TEXT = TEXT_LIMIT

_RL_CACHE_KEY = "pingan.codes.revocation-list.{issuer}"
_TRUST_CACHE_KEY = "pingan.codes.trust-jwks"
_signers: dict[str, KeySigner] = {}
_signers_lock = threading.Lock()


# ---------------------------------------------------------------- keys


def key_dir() -> Path:
    """The directory of private signing keys (created 0700 on first use)."""
    path = Path(settings.PINGAN["KEY_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def issuer_for(premises: Premises) -> str:
    """The issuer of a premises' codes: the code of its responsible unit (≤ 40 characters)."""
    return premises.unit.code


def _create_key(issuer: str, alg: Alg) -> SigningKey:
    private = generate_private_key(alg)
    signer = KeySigner(private, issuer=issuer)
    kid = signer.kid.hex()
    write_private_key(key_dir() / f"{kid}.pem", private)
    with _signers_lock:
        _signers[kid] = signer
    key = SigningKey.objects.create(issuer=issuer, kid=kid, alg=signer.alg.jose_name,
                                    jwk=signer.trusted_key().to_jwk(), active=True)
    _invalidate_now_and_on_commit(_TRUST_CACHE_KEY)
    return key


def default_key_alg() -> Alg:
    """The algorithm of new signing keys: setting ``PINGAN_CODE_KEY_ALG`` (``ES256``, the default, or ``EdDSA``)."""
    return Alg.from_jose_name(settings.PINGAN.get("CODE_KEY_ALG", "ES256"))


def signing_key_ensure(*, issuer: str, alg: Alg | None = None) -> SigningKey:
    """The issuer's active signing key, creating the first one (file in KEY_DIR + public row) on demand.

    A new key uses ``alg``, or :func:`default_key_alg` when ``alg`` is ``None``.
    """
    key = SigningKey.objects.filter(issuer=issuer, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _create_key(issuer, alg or default_key_alg())
    except IntegrityError:
        # Another request created it at the same moment; its file is the one in use.
        key = SigningKey.objects.get(issuer=issuer, active=True)
    audit.record(None, "key_create", "SigningKey", key.kid, detail={"issuer": issuer, "alg": key.alg})
    return key


@transaction.atomic
def signing_key_rotate(*, issuer: str, actor=None, alg: Alg | None = None) -> SigningKey:
    """Make a new active key for ``issuer``; the old one is retired but stays published and trusted.

    Codes signed by the old key keep verifying until they expire. Only the system or an administrator may
    rotate (``PermissionDenied``).
    """
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied("only an administrator rotates signing keys", message_id="rotate_not_allowed")
    old = list(SigningKey.objects.select_for_update().filter(issuer=issuer, active=True))
    SigningKey.objects.filter(pk__in=[k.pk for k in old]).update(active=False, retired_at=timezone.now())
    key = _create_key(issuer, alg or default_key_alg())
    audit.record(actor, "key_rotate", "SigningKey", key.kid,
                 detail={"issuer": issuer, "alg": key.alg, "retired": [k.kid for k in old]})
    _invalidate_revocations_now_and_on_commit(issuer)  # the list is signed by the active key
    return key


def signer_for(key: SigningKey) -> KeySigner:
    """The :class:`KeySigner` of ``key`` loaded from its file in KEY_DIR (kept in memory once loaded).

    Raises ``DomainError`` (``signing_key_missing``) when the file is gone or unusable.
    """
    with _signers_lock:
        signer = _signers.get(key.kid)
    if signer is None:
        from pingan.codes.keys import KeyMaterialError

        try:
            signer = KeySigner.from_file(key_dir() / f"{key.kid}.pem", issuer=key.issuer)
        except KeyMaterialError as exc:
            raise DomainError(f"{exc}; restore it from backup or rotate the key ('pingan code keys rotate')",
                              code="signing_key_missing", params={"kid": key.kid, "reason": str(exc)}) from None
        if signer.kid.hex() != key.kid:
            raise DomainError(f"key file {key.kid}.pem holds key {signer.kid.hex()}", code="signing_key_mismatch",
                              params={"kid": key.kid, "held": signer.kid.hex()})
        with _signers_lock:
            _signers[key.kid] = signer
    return signer


def trust_store() -> KeyStore:
    """Every published public key (active and retired) as a :class:`KeyStore` (cached until keys change)."""
    jwks = cache.get(_TRUST_CACHE_KEY)
    if jwks is None:
        jwks = {"keys": [k.jwk for k in SigningKey.objects.order_by("created_at", "id")]}
        cache.set(_TRUST_CACHE_KEY, jwks, 300)
    return KeyStore.from_jwks(jwks)


# ---------------------------------------------------------------- issuance


def screening_counts(job: ScreeningJob) -> tuple[ScreeningCounts, int]:
    """The level-rule counts of a job's rows and the people covered (accepted rows).

    Accepted rows count by their level; a rejected row, or an accepted one without a level, was not
    screened and counts as *unresolved* (rule-set ``pingan.codes.level`` v1).
    """
    agg = PersonResult.objects.filter(job=job).aggregate(
        green=Count("id", filter=Q(status="accepted", level="green")),
        yellow=Count("id", filter=Q(status="accepted", level="yellow")),
        red=Count("id", filter=Q(status="accepted", level="red")),
        accepted=Count("id", filter=Q(status="accepted")),
        total=Count("id"),
    )
    screened = agg["green"] + agg["yellow"] + agg["red"]
    unresolved = agg["total"] - screened
    counts = ScreeningCounts(green=agg["green"], yellow=agg["yellow"], red=agg["red"], unresolved=unresolved)
    return counts, agg["accepted"]


def latest_done_job(premises: Premises) -> ScreeningJob | None:
    """The premises' latest finished screening job (``ScreeningJob.is_latest``: the ``done`` job submitted
    last, so an older roster that finishes late never decides the code), or ``None``."""
    return ScreeningJob.objects.filter(premises=premises, is_latest=True).first()


def code_claims(row: SafetyCode) -> core_token.SafetyCode:
    """The signed claims of an issued code row, decoded from its token text."""
    return core_token.SafetyCode.from_claims(
        core_token.loads_cbor(core_token.parse_sign1(core_token.decode(row.token)).payload), row.issuer)


#: The verification page when neither ``PINGAN_CODE_VERIFY_URL`` nor a request gives one (``pingan serve``'s).
DEFAULT_VERIFY_URL = "http://127.0.0.1:8000/verify/"


def verify_url(request=None) -> str:
    """The verification page door codes link to: ``PINGAN["CODE_VERIFY_URL"]`` when set, else the page's
    address on the host ``request`` came in on, else :data:`DEFAULT_VERIFY_URL`."""
    configured = settings.PINGAN.get("CODE_VERIFY_URL")
    if configured:
        return configured
    if request is not None:
        from django.urls import reverse

        return request.build_absolute_uri(reverse("codes:verify"))
    return DEFAULT_VERIFY_URL


def code_url(row: SafetyCode, *, verify_url: str) -> str:
    """The URL form of an issued code (what its QR holds): ``verify_url#1<digits>`` (docs/codes.md §12)."""
    return core_token.url_form(row.token, verify_url)


def code_poster(row: SafetyCode, *, verify_url: str, lang: str = "zh") -> bytes:
    """The A4 door poster (PDF) of an issued code, in ``lang`` (the downloader's: ``"zh"`` or ``"en"``, that
    language only: the verification page the QR opens speaks the visitor's): the premises' name and address, the
    issuing unit by name (the code carries its unit code, e.g. 350203-LQ), the QR — the URL form, a link to
    ``verify_url`` any phone camera opens — and how to verify at ``verify_url``."""
    from pingan.codes import render
    from pingan.core.models import OrgUnit

    unit = OrgUnit.objects.filter(code=row.issuer).only("name", "name_en").first()
    # the unit's name in the poster's language, as the pages name it (issue 11's trial F17: the English poster
    # said "Issued by 莲前派出所" while every English page said "Lianqian Police Station")
    issuer = (unit.name_en if lang.startswith("en") and unit.name_en else unit.name) if unit else None
    return render.poster_pdf(code_claims(row), code_url(row, verify_url=verify_url), verify_url=verify_url,
                             issuer_name=issuer, address=row.premises.place, lang=lang,
                             set_by_police=(row.cause or {}).get("code") == "code_cause.override")


def current_code(premises: Premises) -> SafetyCode | None:
    """The premises' live (unrevoked) code, newest first, whether or not it has expired (no permission check)."""
    return SafetyCode.objects.filter(premises=premises, revoked_at__isnull=True).order_by("-issued_at", "-id").first()


def _premises_params(premises: Premises) -> dict:
    """The ``params`` of an error about ``premises``: its id and its name, for the page's message."""
    return {"premises_id": premises.pk, "premises": premises.label}


def _may_issue(actor, premises: Premises) -> bool:
    if actor is None:
        return True
    if actor.pk == premises.owner_id:
        return True
    return actor.role in POLICE_ROLES and police_of_premises(actor, premises.unit)


def _issue(*, premises: Premises, job: ScreeningJob | None, level: Level, people: int, actor,
           override: LevelOverride | None = None, counts: ScreeningCounts | None = None,
           cause: dict | None = None) -> SafetyCode:
    premises = Premises.objects.select_for_update(of=("self",)).select_related("unit").get(pk=premises.pk)
    issuer = issuer_for(premises)
    key = signing_key_ensure(issuer=issuer)
    signer = signer_for(key)
    now = timezone.now()
    validity = timedelta(days=int(settings.PINGAN.get("CODE_VALIDITY_DAYS", 7)))
    name = premises_label(premises.name, premises.room, limit=core_token.MAX_NAME_LENGTH)
    code = core_token.SafetyCode.new(issuer=issuer, premises_id=premises.pk, premises_name=name, level=level,
                                     people=people, issued_at=now, validity=validity)
    text = core_token.issue(code, signer)
    previous = list(SafetyCode.objects.select_for_update().filter(premises=premises, revoked_at__isnull=True))
    row = SafetyCode.objects.create(
        premises=premises, job=job, issuer=issuer, code_id=code.code_id.hex(), level=level.value,
        issued_at=code.issued_at, expires_at=code.expires_at, ruleset_version=code.ruleset_version,
        people=people, kid=key.kid, token=text, issued_by=actor if getattr(actor, "pk", None) else None,
        counts=_counts_dict(counts) if counts is not None else {}, cause=cause or {},
    )
    superseded = (Reason.OVERRIDDEN if override is not None else Reason.RESCREENED).name.lower()
    for old in previous:
        old.superseded_by, old.superseded_at = row, now
        old.revoked_at, old.revocation_reason = now, superseded
        old.save(update_fields=["superseded_by", "superseded_at", "revoked_at", "revocation_reason"])
    # a code suspended until the police check a screening is replaced too once a new code stands: its poster
    # would otherwise scan as "suspended — the premises has no valid code" beside the new one (the fresh-user
    # trial); it keeps the time it was withdrawn, its revocation-list reason becomes the replacement's
    suspended = list(SafetyCode.objects.select_for_update().filter(
        premises=premises, superseded_by__isnull=True, revocation_reason=Reason.SUSPENDED.name.lower()))
    for old in suspended:
        old.superseded_by, old.superseded_at, old.revocation_reason = row, now, superseded
        old.save(update_fields=["superseded_by", "superseded_at", "revocation_reason"])
    audit.record(actor, "issue", "SafetyCode", row.code_id, detail={
        "premises": premises.pk, "level": level.value, "job": job.pk if job else None, "people": people,
        "kid": key.kid, "ruleset_version": code.ruleset_version, "override": override.pk if override else None,
        "superseded": [o.code_id for o in previous + suspended], "cause": cause or {},
    })
    if previous or suspended:
        _invalidate_revocations_now_and_on_commit(issuer)
    return row


def safety_code_issue(*, premises: Premises, actor, job: ScreeningJob | None = None) -> SafetyCode:
    """:func:`_safety_code_issue` in its own transaction; a roster that leaves out flagged people suspends the
    code (committed) and then raises ``code_suspended``. The returned row's ``issued_now`` is ``False`` when
    nothing was issued because the live code is still valid and already the screening's (its poster stays
    valid), ``True`` for a new code."""
    with transaction.atomic():
        result = _safety_code_issue(premises=premises, actor=actor, job=job)
    if isinstance(result, SafetyCode) and not hasattr(result, "issued_now"):
        result.issued_now = True
    if isinstance(result, CodeReview):
        raise DomainError(f"the roster of job {result.job_id} leaves out {result.dropped} people who were yellow, "
                          f"red or unresolved before: the code is suspended until the police check it",
                          code="code_suspended", params={"job": result.job_id, **_premises_params(premises)})
    return result


#: Revocations the police decide (``safety_code_revoke``): the owner cannot renew the code from the same screening.
POLICE_REASONS = frozenset({Reason.FRAUD.name.lower(), Reason.ERROR.name.lower()})


def police_hold(premises: Premises, job: ScreeningJob | None) -> bool:
    """Whether the premises' newest code was revoked by the police (fraud, issued in error) and no screening
    finished after it (``job`` is the latest): then only police renew it; the owner waits for a new screening."""
    last = SafetyCode.objects.filter(premises=premises).order_by("-issued_at", "-id").first()
    if last is None or last.revoked_at is None or last.revocation_reason not in POLICE_REASONS:
        return False
    return job is None or job.pk == last.job_id or (job.finished_at is not None and job.finished_at <= last.revoked_at)


@dataclass
class IssueCheck:
    """What issuing a code for a premises now would do (:func:`issue_check`): ``obstacle`` is ``""`` when it
    would issue a new code, else why not — ``premises_removed``, ``job_mismatch``, ``not_screened`` (no finished
    screening yet), ``screening_purged``, ``empty_screening``, ``code_suspended`` (a police check is open:
    ``review``) or ``unchanged`` (the live code, ``live``, is unexpired and already the latest screening's: its
    poster stays valid). ``job`` is the screening it would come from, ``counts``/``people`` its counts."""

    obstacle: str
    job: ScreeningJob | None = None
    counts: ScreeningCounts | None = None
    people: int = 0
    review: CodeReview | None = None
    live: SafetyCode | None = None


_LOOK = object()  # issue_check's "not known yet: look it up"


def issue_check(premises: Premises, job: ScreeningJob | None = None, *, latest=_LOOK, review=_LOOK,
                live=_LOOK) -> IssueCheck:
    """The rule :func:`safety_code_issue` applies before issuing (all but who may, and a police hold, which
    depend on the actor), in its order; the pages offer "Issue" / "Renew" only when it finds no obstacle.
    ``latest`` (the latest finished screening, or ``None``), ``review`` (the open suspension or ``None``) and
    ``live`` (:func:`current_code`) may be passed by a caller that read them already."""
    if premises.archived_at is not None:
        return IssueCheck("premises_removed", job)
    if job is None:
        job = latest_done_job(premises) if latest is _LOOK else latest
        if job is None:
            return IssueCheck("not_screened")
    elif job.premises_id != premises.pk or job.status != ScreeningJob.Status.DONE:
        return IssueCheck("job_mismatch", job)
    if job.purged_at is not None:
        return IssueCheck("screening_purged", job)
    counts, people = screening_counts(job)
    if counts.total == 0:
        return IssueCheck("empty_screening", job, counts, people)
    if review is _LOOK:
        review = code_selectors.open_suspension(premises)
    if review is not None:
        return IssueCheck("code_suspended", job, counts, people, review=review)
    if live is _LOOK:
        live = current_code(premises)
    if live is not None and live.job_id == job.pk and live.counts == _counts_dict(counts) \
            and live.expires_at > timezone.now():
        return IssueCheck("unchanged", job, counts, people, live=live)
    return IssueCheck("", job, counts, people)


def _safety_code_issue(*, premises: Premises, actor, job: ScreeningJob | None = None) -> SafetyCode | CodeReview:
    """Issue a new code for ``premises`` from its latest finished screening (or ``job``), superseding the old one.

    Level by the published rule (``pingan.codes.levels.level_for``, rule-set v``RULESET_VERSION``): any red →
    red; any yellow or unresolved (rejected/unscreened row) → yellow; else green. ``people`` = accepted rows.
    The previous live code is revoked with reason ``rescreened``. Renewing is not re-issuing: while the live
    code is unexpired and was issued from that screening with the same counts (the rule's level, or an approved
    level change of it), it is returned as it is (``issued_now`` false) — a new code would withdraw the poster
    on the door for nothing, and undo an approved level change (issue 11); the rule of
    :func:`safety_code_derive`'s ``unchanged``. Raises ``PermissionDenied`` unless the
    actor owns the premises or is police in its jurisdiction; ``DomainError`` ``not_screened`` when the
    premises has no finished screening; ``job_mismatch`` when ``job`` is not a finished job of ``premises``;
    ``screening_purged`` when the job's person data was deleted under the retention policy
    (``pingan.screening.retention``); ``empty_screening`` when it screened no one.
    """
    if not _may_issue(actor, premises):
        raise PermissionDenied("only the premises' owner or police of its jurisdiction may issue its code",
                               message_id="issue_not_allowed", params=_premises_params(premises))
    check = issue_check(premises, job)
    job, counts, people = check.job, check.counts, check.people
    if check.obstacle == "job_mismatch":
        raise DomainError(f"job {job.pk} is not a finished screening of premises {premises.pk}", code="job_mismatch",
                          params={"job": job.pk, **_premises_params(premises)})
    if check.obstacle == "premises_removed":
        raise premises_removed(premises)
    if check.obstacle == "not_screened":
        raise DomainError(f"premises {premises.pk} ({premises.name}) has never been screened: submit a roster "
                          f"first; the code's level comes from the latest screening", code="not_screened",
                          params=_premises_params(premises))
    if check.obstacle == "screening_purged":
        # its person rows were deleted under the retention policy: nothing left to count, and too old anyway
        raise DomainError(f"the latest screening of premises {premises.pk} (job {job.pk}) is older than the "
                          f"retention period and its person data was deleted: submit the roster again",
                          code="screening_purged", params={"job": job.pk, **_premises_params(premises)})
    if check.obstacle == "empty_screening":
        # a screening of nobody proves nothing: it must not turn a yellow or red premises green
        raise DomainError(f"job {job.pk} screened no one: submit the roster of the people at the premises",
                          code="empty_screening", params={"job": job.pk, **_premises_params(premises)})
    if police_hold(premises, job) and not (actor is not None and actor.role in POLICE_ROLES):
        raise DomainError(f"the police revoked the code of premises {premises.pk} ({premises.name}); a new code "
                          f"comes from a new screening, or from the police of the station",
                          code="revoked_by_police", params=_premises_params(premises))
    if check.obstacle == "code_suspended":
        raise DomainError(f"the code of premises {premises.pk} is suspended until the police check its screening "
                          f"(job {check.review.job_id}); police release it from the station's queue",
                          code="code_suspended", params={"job": check.review.job_id, **_premises_params(premises)})
    if check.obstacle == "unchanged":
        check.live.issued_now = False
        return check.live
    level = level_for(counts)
    dropped = _dropped_check(premises, job, level)
    if dropped is not None:
        return _suspend(premises=premises, job=job, level=level, actor=actor, found=dropped)
    return _issue(premises=premises, job=job, level=level, people=people, actor=actor, counts=counts,
                  cause={"code": "code_cause.manual", "params": {"job": job.pk}})


@transaction.atomic
def safety_code_revoke(*, code: SafetyCode, reason: str, actor) -> SafetyCode:
    """Revoke one code; ``reason`` is ``fraud``, ``error`` or ``rescreened``.

    Only the system or police in the premises' jurisdiction may (``PermissionDenied``); an unknown reason
    raises ``DomainError`` ``bad_reason``. A code already revoked raises ``already_revoked`` — except that a
    code revoked only because it was superseded (``rescreened``, or ``overridden`` by an approved level
    change) may later be marked ``fraud`` or ``error``
    when that comes to light: the reason changes (audited as ``revoke_reason``), the revocation time stays.
    """
    names = [r.name.lower() for r in Reason]
    if reason not in names:
        raise DomainError(f"unknown revocation reason {reason!r}: use one of {', '.join(names)}", code="bad_reason",
                          params={"reason": reason, "choices": names})
    code = SafetyCode.objects.select_for_update(of=("self",)).select_related("premises__unit").get(pk=code.pk)
    if actor is not None and not (actor.role in POLICE_ROLES and police_of_premises(actor, code.premises.unit)):
        raise PermissionDenied("only police of the premises' jurisdiction may revoke its code",
                               message_id="revoke_not_allowed", params=_premises_params(code.premises))
    if code.revoked_at is not None:
        if code.revocation_reason in SUPERSEDED_REASONS and reason not in SUPERSEDED_REASONS:
            was, code.revocation_reason = code.revocation_reason, reason
            code.save(update_fields=["revocation_reason"])
            audit.record(actor, "revoke_reason", "SafetyCode", code.code_id,
                         detail={"reason": reason, "was": was, "premises": code.premises_id})
            _invalidate_revocations_now_and_on_commit(code.issuer)
            return code
        if code.revocation_reason == Reason.SUSPENDED.name.lower():
            # not revoked: withdrawn until the police check the new roster (issue 11: the CLI said "已经撤销")
            raise DomainError(f"code {code.code_id} is suspended until the police check the new roster",
                              code="revoke_suspended", params={"code_id": code.code_id,
                                                             **_premises_params(code.premises)})
        raise DomainError(f"code {code.code_id} was already revoked ({code.revocation_reason})",
                          code="already_revoked", params={"code_id": code.code_id, "reason": code.revocation_reason})
    code.revoked_at, code.revocation_reason = timezone.now(), reason
    code.save(update_fields=["revoked_at", "revocation_reason"])
    audit.record(actor, "revoke", "SafetyCode", code.code_id, detail={"reason": reason, "premises": code.premises_id})
    _invalidate_revocations_now_and_on_commit(code.issuer)
    return code


# ---------------------------------------------------------------- the derived code


def _counts_dict(counts: ScreeningCounts) -> dict[str, int]:
    return {"green": counts.green, "yellow": counts.yellow, "red": counts.red, "unresolved": counts.unresolved}


#: Rows listed on a review (the count is always complete).
REVIEW_ROWS_LISTED = 50


def _dropped_check(premises: Premises, job: ScreeningJob, level: Level
                   ) -> tuple[ScreeningJob, Level, list[int], int] | None:
    """``(previous screening, baseline level, rows, dropped)`` when ``job``'s screening would lower the premises'
    level while people the owner saw as not green are no longer on its roster; ``None`` otherwise.

    The baseline level is that of the open suspension, else of the premises' last code; the check applies when
    the roster changed since that code (a re-evaluation of the same roster drops nobody). The people are the
    open :class:`~pingan.screening.models.OffRoster` records of the premises — everyone of *every* earlier roster
    since they were last seen whom the police list, not only of the screening behind the code (the trial's three
    uploads lost the second roster's 89 flagged people) — that the owner's results showed as not green: yellow,
    red or unresolved (``screening.services.owner_flagged``; rows not screened are nobody), of a roster screened no
    later than the code the level is measured against (:func:`_flagged_under`). ``dropped`` counts them: the figure
    the owner's pages and the API say, and the police pages list each of them. A watchlist hit the owner saw as
    green is listed to the police but neither counted nor a reason to suspend: a suspension the owner could tie
    to a green tenant would disclose the hit (``_keep_left_out`` keeps them in the police view instead).
    ``rows`` are the row numbers of the people left out on the screening just before (``dropped_rows``).

    Policy ``PINGAN["CODE_DROPPED_PEOPLE"]``: ``"review"`` (the default: suspend and queue for the police) or
    ``"rule"`` (the new screening decides alone). Who is still on the new roster is decided by
    ``screening.services.present_on`` (a document number of a screened row; for a row without one, the same name
    and phone). People who were green may be dropped freely.
    """
    found = dropped_baseline(premises)
    if found is None:
        return None
    baseline_level = found[1]
    last = _last_code_with_job(premises)
    if last is not None and last.job_id == job.pk:
        return None  # the code is this roster's (a re-evaluation): nobody was dropped since
    if level.wire >= baseline_level.wire:
        return None
    previous = previous_screening(job) or job
    dropped = _flagged_under(premises, last).count()
    rows = [row for row, _pk, _key in screening_services.left_out_rows(previous, job)]
    return (previous, baseline_level, rows, dropped) if dropped else None


def _flagged_under(premises: Premises, last: SafetyCode | None) -> QuerySet:
    """The premises' open off-roster records (``screening.OffRoster``) of people the owner saw as not green
    (``screening.services.owner_flagged``) on a roster screened while the premises had the code ``last`` (its newest
    code from a screening, live or suspended) or before it — the people the owner's card says were "yellow, red or
    unresolved when the premises had a red code". People of a roster uploaded after that code was suspended are not
    among them (a fresh-user trial's card counted them): no code stood then. They stay listed to the police until
    they confirm them; the release of the suspension confirms them with the rest."""
    records = screening_services.off_roster_open(premises).filter(screening_services.owner_flagged("person__"))
    return records if last is None else records.filter(person__job_id__lte=last.job_id)


def dropped_baseline(premises: Premises) -> tuple[ScreeningJob, Level] | None:
    """The screening a new roster of ``premises`` is checked against for people left out — its latest: every
    roster is compared with the one before it, and the flagged people of earlier rosters no longer on it stay
    recorded (``screening.OffRoster``) — and the level a lower rule level is measured against: the open
    suspension's, else the premises' newest code's. ``None`` when none is (no code from a screening yet, or
    ``PINGAN["CODE_DROPPED_PEOPLE"]`` is not ``"review"``)."""
    if settings.PINGAN.get("CODE_DROPPED_PEOPLE", "review") != "review":
        return None
    review = code_selectors.open_suspension(premises)
    last = None if review is not None else _last_code_with_job(premises)
    if review is None and last is None:
        return None
    latest = latest_done_job(premises) or (last.job if last is not None else review.job)
    return latest, Level(review.baseline_level if review is not None else last.level)


def _last_code_with_job(premises: Premises) -> SafetyCode | None:
    """The premises' newest code (live or not) when a screening is behind it."""
    last = SafetyCode.objects.filter(premises=premises).select_related("job").order_by("-issued_at", "-id").first()
    return last if last is not None and last.job is not None else None


def _suspend(*, premises: Premises, job: ScreeningJob, level: Level, actor,
             found: tuple[ScreeningJob, Level, list[int], int]) -> CodeReview:
    """Withdraw the premises' live code (reason ``suspended``, so offline verifiers learn it from the list)
    and open (or move to ``job``) its review in the responsible unit's queue: ``baseline_job`` the screening
    just before, ``dropped`` the people no longer on the roster whom the owner saw as not green
    (:func:`_dropped_check`)."""
    previous, baseline_level, rows, dropped = found
    now = timezone.now()
    live = list(SafetyCode.objects.select_for_update().filter(premises=premises, revoked_at__isnull=True))
    for old in live:
        old.revoked_at, old.revocation_reason = now, Reason.SUSPENDED.name.lower()
        old.save(update_fields=["revoked_at", "revocation_reason"])
    review = CodeReview.objects.select_for_update().filter(premises=premises, status=CodeReview.Status.OPEN).first()
    if review is None:
        review = CodeReview(premises=premises, unit=premises.unit, baseline_level=baseline_level.value,
                            suspended_at=now)
    elif review.kind != CodeReview.Kind.SUSPENSION:
        # people were left out before (code live) and now the level drops too: the review becomes the suspension
        review.kind, review.baseline_level = CodeReview.Kind.SUSPENSION, baseline_level.value
        review.suspended_at = now
    review.job, review.baseline_job, review.level, review.dropped = job, previous, level.value, dropped
    review.dropped_rows = rows[:REVIEW_ROWS_LISTED]
    review.save()
    audit.record(actor, "suspend", "SafetyCode", premises.pk, detail={
        "premises": premises.pk, "job": job.pk, "baseline_job": review.baseline_job_id, "level": level.value,
        "baseline_level": review.baseline_level, "dropped": dropped, "revoked": [c.code_id for c in live],
        "review": review.pk})
    if live:
        _invalidate_revocations_now_and_on_commit(issuer_for(premises))
    return review


@dataclass(frozen=True)
class Derived:
    """What :func:`safety_code_derive` did to one premises: ``outcome`` is ``issued`` (``code`` is the new
    code), ``suspended`` (``review``), ``unchanged``, ``kept`` (the live code stays, its counts brought up to
    date: :func:`_counts_only`) or ``none`` (no finished screening, a screening of nobody, or person data
    deleted under the retention policy)."""

    premises_id: int
    outcome: str
    code: SafetyCode | None = None
    review: CodeReview | None = None
    previous_level: str = ""


@transaction.atomic
def safety_code_derive(*, premises: Premises, actor=None, cause: dict | None = None) -> Derived:
    """Make the premises' live code agree with its latest finished screening (``is_latest``) as it stands.

    Called when a screening of the premises finishes (``pingan.screening.services`` hook) and when a
    re-evaluation changed the levels of its people. If the live code was issued from that screening with the
    same counts, nothing happens. Otherwise the live code is superseded (revoked, reason ``rescreened``) by a
    new one under the published rule, whose ``people`` is that screening's accepted rows — unless the new
    level is lower only because the roster leaves out flagged people (:func:`_dropped_check`): then the code
    is suspended (revoked, reason ``suspended``) and the premises waits in its unit's queue
    (:class:`CodeReview`). An open review whose reason has gone (the level no longer drops) is closed as
    ``resolved``. ``cause`` (a message: code + params) is stored on the new code and audited.
    """
    premises = Premises.objects.select_for_update(of=("self",)).select_related("unit").get(pk=premises.pk)
    job = latest_done_job(premises)
    cur = current_code(premises)
    if job is None or job.purged_at is not None:
        return Derived(premises.pk, "none")
    counts, people = screening_counts(job)
    if counts.total == 0:
        return Derived(premises.pk, "none")
    review = CodeReview.objects.filter(premises=premises, status=CodeReview.Status.OPEN).first()
    suspended = review is not None and review.kind == CodeReview.Kind.SUSPENSION
    if not suspended and cur is not None and cur.job_id == job.pk and cur.counts == _counts_dict(counts):
        return Derived(premises.pk, "unchanged", code=cur, previous_level=cur.level)
    level = level_for(counts)
    if review is None and cur is not None and _counts_only(cur.job_id, cur.level, cur.people,
                                                           cur.expires_at > timezone.now(), cur.counts,
                                                           job=job.pk, level=level, people=people):
        _refresh_counts({cur.pk: _counts_dict(counts)})
        cur.counts = _counts_dict(counts)
        return Derived(premises.pk, "kept", code=cur, previous_level=cur.level)
    if not suspended and _same_roster_again(premises, cur, job, counts, people, level):
        return Derived(premises.pk, "unchanged", code=_keep(cur, job, review, actor), previous_level=cur.level)
    dropped = _dropped_check(premises, job, level)
    previous_level = cur.level if cur else (review.baseline_level if suspended else "")
    if dropped is not None:
        if review is not None and review.job_id == job.pk and review.level == level.value and cur is None:
            return Derived(premises.pk, "unchanged", review=review, previous_level=previous_level)
        return Derived(premises.pk, "suspended", review=_suspend(premises=premises, job=job, level=level,
                                                                 actor=actor, found=dropped),
                       previous_level=previous_level)
    cause = cause or {"code": "code_cause.screening", "params": {"job": job.pk}}
    last = None if review is not None else _last_code_with_job(premises)  # before the new code: its baseline
    code = _issue(premises=premises, job=job, level=level, people=people, actor=actor, counts=counts, cause=cause)
    _keep_left_out(premises=premises, job=job, review=review, last=last, code=code, actor=actor)
    return Derived(premises.pk, "issued", code=code, previous_level=previous_level)


def _counts_only(job_id: int | None, code_level: str, code_people: int, unexpired: bool, code_counts: dict,
                 *, job: int, level: Level, people: int) -> bool:
    """Whether a re-evaluation that moved the level counts of screening ``job`` leaves the live code (its
    ``job_id``, ``code_level``, ``code_people``, whether it is ``unexpired`` — its ``expires_at`` after now —
    and its stored ``code_counts``) as it is, only
    its counts brought up to date (docs/codes.md, "New counts, same code"): the code was issued from that
    screening, is unexpired, covers the same ``people``, and its level is the rule's ``level`` for the new
    counts as it was for the counts it stored — so every signed claim (level, people, name, validity) would
    be the same, and a new code would only withdraw the poster on the door. A code whose level the rule did
    not give (an approved level change) is not kept: the change was decided on the people as they were.
    The caller has checked that no review is open. The one rule of :func:`safety_code_derive`,
    :func:`safety_codes_derive_bulk` and the codes signed ahead (:func:`on_results_changing`)."""
    return (job_id == job and code_people == people and code_level == level.value and bool(code_counts)
            and unexpired and level_for(code_counts) == level)


def _refresh_counts(new_counts: dict[int, dict[str, int]]) -> None:
    """Store each kept code's new level counts (code pk → counts, :func:`_counts_only`): one ``UPDATE … FROM
    unnest`` on PostgreSQL (a HOT update: ``counts`` is in no index), one per distinct counts elsewhere. Not
    audited: the code is the same code; the re-evaluation's own record names the people whose change moved
    the counts, and their results carry why (docs/codes.md)."""
    from django.db import connection

    from pingan.core.copystore import ids_in, int_array

    if not new_counts:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("UPDATE codes_safetycode c SET counts = m.counts "
                        "FROM unnest(%s::bigint[], %s::jsonb[]) AS m(id, counts) WHERE c.id = m.id",
                        [int_array(new_counts), [json.dumps(c) for c in new_counts.values()]])
        return
    by_counts: dict[str, list[int]] = {}
    for pk, counts in new_counts.items():
        by_counts.setdefault(json.dumps(counts, sort_keys=True), []).append(pk)
    for counts, pks in by_counts.items():
        SafetyCode.objects.filter(pk__in=ids_in(SafetyCode, pks)).update(counts=json.loads(counts))


#: The columns that make two screenings' rows the same person with the same result (:func:`_same_people`): the
#: outcome, the document as given and as read, and the name — not the row number (a re-sorted roster is the
#: same roster), nor the phone or the room.
_SAME_ROW = ("status", "level", "doc_type", "id_number", "corrected_id_number", "given_id_number", "name")


def _same_people(a: ScreeningJob, b: ScreeningJob) -> bool:
    """Whether screenings ``a`` and ``b`` hold the same rows — the same people, each with the same result — in
    any order (a multiset of :data:`_SAME_ROW`)."""
    from collections import Counter

    def rows(job: ScreeningJob) -> Counter:
        return Counter(PersonResult.objects.filter(job=job).order_by().values_list(*_SAME_ROW))

    return rows(a) == rows(b)


def _same_roster_again(premises: Premises, cur: SafetyCode | None, job: ScreeningJob, counts: ScreeningCounts,
                       people: int, level: Level) -> bool:
    """Whether ``job`` — a newer screening than the live code ``cur``'s — screened the same roster with the same
    results, so the code stays as it is: the same level under the rule, the same people covered (the same rows,
    each with the same result: :func:`_same_people`), the same counts, the premises' name as signed, and the
    code still unexpired (docs/codes.md, "The same roster again keeps the poster"). A roster with other people
    (even as many, at the same level) or another result for anyone supersedes the code as before."""
    if cur is None or cur.job_id is None or cur.job_id == job.pk or cur.expires_at <= timezone.now():
        return False
    if cur.level != level.value or cur.people != people or cur.counts != _counts_dict(counts):
        return False
    if cur.job.purged_at is not None or code_claims(cur).premises_name != premises.name.strip()[
            : core_token.MAX_NAME_LENGTH]:
        return False
    return _same_people(cur.job, job)


def _keep(cur: SafetyCode, job: ScreeningJob, review: CodeReview | None, actor) -> SafetyCode:
    """The live code ``cur`` now stands for ``job`` (the same roster again, :func:`_same_roster_again`): its
    screening becomes ``job``, so every page and the API read it as the latest screening's code; its signed
    claims, validity and poster stay. ``cause`` keeps the screening it was issued from (the card says both).
    An open ``left_out`` review follows to the newest screening. Audited ``keep``."""
    previous_job = cur.job_id
    cur.job = job
    cur.save(update_fields=["job"])
    if review is not None:
        review.job = job
        review.save(update_fields=["job", "updated_at"])
    audit.record(actor, "keep", "SafetyCode", cur.code_id, detail={
        "premises": cur.premises_id, "job": job.pk, "previous_job": previous_job, "level": cur.level,
        "people": cur.people})
    return cur


def _keep_left_out(*, premises: Premises, job: ScreeningJob, review: CodeReview | None, last: SafetyCode | None,
                   code: SafetyCode, actor) -> None:
    """After ``code`` was issued from ``job``: while flagged people are no longer on the roster (the premises'
    open off-roster records, every earlier roster's) although the level did not go down, the open review becomes
    (or a new one opens as) a ``left_out`` review — the police confirm they left; with nobody left out it is
    resolved."""
    off = [] if settings.PINGAN.get("CODE_DROPPED_PEOPLE", "review") != "review" else list(
        screening_services.off_roster_open(premises).values_list("person_id", flat=True))
    if not off:
        if review is not None:
            review.status, review.issued_code, review.decided_at = CodeReview.Status.RESOLVED, code, timezone.now()
            review.save(update_fields=["status", "issued_code", "decided_at", "updated_at"])
        return
    previous = previous_screening(job) or job
    if review is None:
        review = CodeReview(premises=premises, unit=premises.unit,
                            baseline_level=last.level if last is not None else code.level)
    review.kind, review.job, review.level, review.dropped = CodeReview.Kind.LEFT_OUT, job, code.level, len(off)
    review.suspended_at = None  # a suspension, if it was one, is lifted: the code issued
    review.baseline_job = previous
    review.dropped_rows = [r for r, pk, _key in screening_services.left_out_rows(previous, job, police=True)
                           ][:REVIEW_ROWS_LISTED]
    review.save()
    audit.record(actor, "left_out", "CodeReview", review.pk, detail={
        "premises": premises.pk, "job": job.pk, "baseline_job": previous.pk, "level": code.level,
        "dropped": len(off), "code": code.code_id})


def on_latest_job_changed(premises_id: int, job_id: int | None) -> None:
    """The screening services' hook (registered in ``CodesConfig.ready``): a job of the premises finished or
    left ``done``, in the transaction that recorded it. Derives the code in a savepoint; if that fails (a
    signing key file lost), the live code is suspended instead — the premises then holds no code at all
    rather than one its latest screening contradicts — and the error is logged."""
    import logging

    premises = Premises.objects.select_related("unit").get(pk=premises_id)
    try:
        with transaction.atomic():
            safety_code_derive(premises=premises, cause={"code": "code_cause.screening", "params": {"job": job_id}})
    except Exception:
        logging.getLogger(__name__).exception("deriving the code of premises %s after job %s failed; the live "
                                              "code is withdrawn", premises_id, job_id)
        now = timezone.now()
        n = SafetyCode.objects.filter(premises_id=premises_id, revoked_at__isnull=True).update(
            revoked_at=now, revocation_reason=Reason.SUSPENDED.name.lower())
        if n:
            _invalidate_revocations_now_and_on_commit(issuer_for(premises))


def on_results_changed(causes: dict[int, dict], job_counts: dict[int, dict] | None = None,
                       prepared: list | None = None) -> int:
    """The re-evaluation hook (registered in ``CodesConfig.ready``): new risk data changed the results of
    people of these premises; re-derive their codes in bulk (:func:`safety_codes_derive_bulk`) with each one's
    ``cause`` and the level counts the re-evaluation just stored (``job_counts``), taking the codes
    :func:`on_results_changing` signed ahead (among ``prepared``) where their claims are still right. Returns
    how many codes ``changed`` (issued or suspended) and how many were ``kept`` (the same level and people:
    only their counts brought up to date, :func:`_counts_only`)."""
    presigned = next((p for p in prepared or () if isinstance(p, Presigned)), None)
    done = safety_codes_derive_bulk(causes=causes, job_counts=job_counts, presigned=presigned)
    return {"changed": done["issued"] + done["suspended"], "kept": done["kept"]}


#: The fewest codes worth signing ahead (:func:`on_results_changing`): below, the thread costs more than it
#: hides.
PRESIGN_MIN_CODES = 1000


class Presigned:
    """Codes signed in a thread while the caller goes on (:func:`on_results_changing`): the re-evaluation
    stores its results meanwhile, its thread waiting on PostgreSQL with the interpreter's lock released, so
    the signing (ES256, CBOR, base45: ~50 µs a code) runs on the second core beside the server's work instead
    of after it. :meth:`take` gives a premises' code and QR text if its claims are those the derivation now
    wants (issuer, name, level, people, validity), else ``None`` (the derivation signs it itself)."""

    def __init__(self, items: list[tuple[int, core_token.SafetyCode, KeySigner]]) -> None:
        self._codes: dict[int, tuple[core_token.SafetyCode, str]] = {}
        self._thread = threading.Thread(target=self._sign, args=(items,), name="presign", daemon=True)
        self._thread.start()

    def _sign(self, items: list[tuple[int, core_token.SafetyCode, KeySigner]]) -> None:
        try:
            for premises_id, code, signer in items:
                self._codes[premises_id] = (code, core_token.issue(code, signer))
        except Exception:  # the derivation signs whatever is missing
            logger.warning("signing codes ahead failed; the derivation signs them", exc_info=True)

    def take(self, premises_id: int, *, issuer: str, name: str, level: Level, people: int,
             validity: timedelta) -> tuple[core_token.SafetyCode, str] | None:
        self._thread.join()
        got = self._codes.pop(premises_id, None)
        if got is None:
            return None
        code = got[0]
        if (code.issuer, code.premises_name, code.level, code.people, code.expires_at - code.issued_at) != (
                issuer, name, level, people, validity):
            return None
        return got


def on_results_changing(predicted: dict[int, dict]) -> Presigned | None:
    """The re-evaluation's hook before it stores its results (registered in ``CodesConfig.ready``):
    ``predicted`` maps each premises whose people changed to the level counts its latest job will have
    (``green``, ``yellow``, ``red``, ``accepted``, ``total``) and ``job``, that job. Signs those premises' new
    codes in a thread (:class:`Presigned`) while the results are written; :func:`on_results_changed` takes
    them. A premises whose live code these counts keep (:func:`_counts_only`) gets none. ``None`` for fewer
    than :data:`PRESIGN_MIN_CODES` codes to sign."""
    from pingan.core.copystore import ids_in

    if len(predicted) < PRESIGN_MIN_CODES:
        return None
    in_predicted = ids_in(Premises, sorted(predicted))
    # the live code of each, newest first (an open review decides in the derivation: a code kept there is
    # simply not taken)
    live: dict[int, tuple] = {}
    for premises_id, job_id, level, people, unexpired, counts in _live_codes(in_predicted).values_list(
            "premises_id", "job_id", "level", "people", "unexpired", "counts_text"):
        if premises_id not in live:
            live[premises_id] = (job_id, level, people, unexpired, _json_decode(counts))
    validity = timedelta(days=int(settings.PINGAN.get("CODE_VALIDITY_DAYS", 7)))
    signers: dict[str, KeySigner] = {}
    now = timezone.now()
    items = []
    for premises_id, name, room, issuer in Premises.objects.filter(pk__in=in_predicted).order_by(
            "pk").values_list("pk", "name", "room", "unit__code"):
        name = premises_label(name, room, limit=core_token.MAX_NAME_LENGTH)
        agg = predicted[premises_id]
        if agg["total"] == 0:
            continue
        counts = ScreeningCounts(green=agg["green"], yellow=agg["yellow"], red=agg["red"],
                                 unresolved=agg["total"] - agg["green"] - agg["yellow"] - agg["red"])
        level = level_for(counts)
        cur = live.get(premises_id)
        if cur is not None and _counts_only(*cur, job=agg.get("job"), level=level, people=agg["accepted"]):
            continue
        if issuer not in signers:
            signers[issuer] = signer_for(signing_key_ensure(issuer=issuer))
        items.append((premises_id, core_token.SafetyCode.new(
            issuer=issuer, premises_id=premises_id, premises_name=name.strip()[: core_token.MAX_NAME_LENGTH],
            level=level, people=agg["accepted"], issued_at=now, validity=validity),
            signers[issuer]))
    return Presigned(items) if len(items) >= PRESIGN_MIN_CODES else None


def on_reevaluation_started(candidates: int) -> None:
    """The re-evaluation's start hook: when as many codes may change as would be signed in a second process
    (:func:`pingan.codes.signing.wanted`), start that process now, while the engine screens the people — it
    then waits for the first batch instead of the first batch waiting for it."""
    if signing.wanted(candidates, settings.PINGAN.get("CODE_SIGNING_PROCESS", "auto")):
        signing.warm()


def _live_codes(premises_ids) -> QuerySet:
    """The live (unrevoked) codes of ``premises_ids`` (a ``pk__in`` right-hand side), newest first, with
    ``unexpired`` (``expires_at`` after now, decided by the database) and ``counts_text`` (the stored counts as
    JSON text, for :func:`_json_decode`): the bulk paths read tens of thousands of them, and Django's
    conversions of the ``expires_at`` and ``counts`` columns (an aware datetime parsed, ``json.loads``) cost
    ~0.5 s of CPU per 43,000 codes read — twice in a day's re-evaluation on issue 10's bench."""
    from django.db.models import BooleanField, ExpressionWrapper, TextField
    from django.db.models.functions import Cast

    return (SafetyCode.objects.filter(premises_id__in=premises_ids, revoked_at__isnull=True)
            .annotate(unexpired=ExpressionWrapper(Q(expires_at__gt=timezone.now()), output_field=BooleanField()),
                      counts_text=Cast("counts", TextField()))
            .order_by("-issued_at", "-id"))


_DECODE = msgspec.json.Decoder()


def _json_decode(text: str | None) -> Any:
    """A stored JSON column's text (``_live_codes``' ``counts_text``) as Python values — what ``json.loads``
    gives for it, decoded in C (msgspec)."""
    return _DECODE.decode(text) if text is not None else None


#: Premises re-derived per batch by :func:`safety_codes_derive_bulk` (rows locked, codes signed and written).
DERIVE_BATCH = 2000

#: The columns :func:`safety_codes_derive_bulk` writes, in the order of its row tuples (every column: COPY
#: leaves out none that has no database default).
CODE_COLUMNS = ("premises_id", "job_id", "issuer", "code_id", "level", "issued_at", "expires_at", "ruleset_version",
                "people", "kid", "token", "issued_by_id", "counts", "cause", "superseded_by_id", "superseded_at",
                "revoked_at", "revocation_reason")


@transaction.atomic
def safety_codes_derive_bulk(*, causes: dict[int, dict], actor=None,
                             job_counts: dict[int, dict] | None = None,
                             presigned: Presigned | None = None) -> dict[str, int]:
    """:func:`safety_code_derive` for many premises at once (``causes``: premises id → the cause message
    stored on its new code), with the same outcome for each, in a few queries per :data:`DERIVE_BATCH`
    premises instead of a dozen per premises: their rows locked, latest jobs, level counts, live and last
    codes and open reviews read in one query each; new codes signed in memory (cheap) and written at once
    (COPY on PostgreSQL), the superseded codes revoked in one UPDATE, the ``issue`` records appended as one
    audit batch, each issuer's revocation list invalidated once.

    The cases a bulk write cannot decide — an open review, or a level lower than the last code's from another
    screening (the roster may leave out flagged people: :func:`_dropped_check` reads both rosters) — go through
    :func:`safety_code_derive` one by one; re-evaluation leaves the screening behind a code unchanged, so they
    are rare. ``job_counts`` (job id → ``green``, ``yellow``, ``red``, ``accepted``, ``total``) are level counts
    the caller has just written and vouches for (a re-evaluation moves each changed job's counts by its
    people's changes in the same transaction): those jobs' people are not counted again; any other job's are.
    ``presigned`` (:class:`Presigned`): codes signed ahead, taken where their claims are those wanted.
    Returns how many premises were ``issued``, ``suspended``, ``unchanged``, ``kept`` (the same code, its
    counts brought up to date in one ``UPDATE`` at the end: :func:`_counts_only`) and ``none``.
    """
    from django.db.models import OuterRef, Subquery

    from pingan.core.copystore import copy_rows, ids_in

    done = {"issued": 0, "suspended": 0, "unchanged": 0, "kept": 0, "none": 0}
    kept: dict[int, dict[str, int]] = {}  # code pk → its new counts (_counts_only), stored at the end
    ids = sorted(causes)
    review_policy = settings.PINGAN.get("CODE_DROPPED_PEOPLE", "review") == "review"
    validity = timedelta(days=int(settings.PINGAN.get("CODE_VALIDITY_DAYS", 7)))
    # each issuer's key, looked up once for all the batches (a key rotated meanwhile stays published and
    # trusted, so the codes it signs here still verify)
    signers: dict[str, tuple[SigningKey, KeySigner]] = {}
    pooled = signing.wanted(len(ids), settings.PINGAN.get("CODE_SIGNING_PROCESS", "auto"))
    for start in range(0, len(ids), DERIVE_BATCH):
        chunk = ids[start:start + DERIVE_BATCH]
        last_code = SafetyCode.objects.filter(premises=OuterRef("pk")).order_by("-issued_at", "-id").values("pk")[:1]
        in_chunk = ids_in(Premises, chunk)  # one array parameter, not 2,000
        # values, not model instances: at a re-evaluation's size building the instances cost more than the rest
        premises_rows = [(pk, premises_label(name, room, limit=core_token.MAX_NAME_LENGTH), issuer, last_code_id)
                         for pk, name, room, issuer, last_code_id in Premises.objects.select_for_update(of=("self",))
                         .filter(pk__in=in_chunk).annotate(last_code_id=Subquery(last_code)).order_by("pk")
                         .values_list("pk", "name", "room", "unit__code", "last_code_id")]
        jobs = {premises_id: (job_id, purged_at) for premises_id, job_id, purged_at in ScreeningJob.objects.filter(
            premises_id__in=in_chunk, is_latest=True).values_list("premises_id", "pk", "purged_at")}
        known = job_counts or {}
        counts_by_job = {job_id: known[job_id] for job_id, _purged in jobs.values() if job_id in known}
        to_count = [job_id for job_id, _purged in jobs.values() if job_id not in known]
        if to_count:
            counts_by_job |= {
                a["job_id"]: a for a in PersonResult.objects.filter(job_id__in=ids_in(PersonResult, to_count))
                .values("job_id").annotate(
                    green=Count("id", filter=Q(status="accepted", level="green")),
                    yellow=Count("id", filter=Q(status="accepted", level="yellow")),
                    red=Count("id", filter=Q(status="accepted", level="red")),
                    accepted=Count("id", filter=Q(status="accepted")), total=Count("id"))}
        # live codes of each premises, newest first: (pk, job_id, counts, code_id, issuer, level, people, unexpired)
        live: dict[int, list[tuple]] = {}
        for pk, premises_id, job_id, counts, *rest in _live_codes(in_chunk).values_list(
                "pk", "premises_id", "job_id", "counts_text", "code_id", "issuer", "level", "people", "unexpired"):
            live.setdefault(premises_id, []).append((pk, job_id, _json_decode(counts), *rest))
        last = {pk: (job_id, level) for pk, job_id, level in SafetyCode.objects.filter(pk__in=ids_in(SafetyCode, [
            r[3] for r in premises_rows if r[3]])).values_list("pk", "job_id", "level")}
        reviewed = set(CodeReview.objects.filter(premises_id__in=in_chunk, status=CodeReview.Status.OPEN)
                       .values_list("premises_id", flat=True))
        one_by_one: list[int] = []
        to_issue: list[tuple[int, str, str, int, ScreeningCounts, int, Level]] = []
        for premises_id, name, issuer, last_code_id in premises_rows:
            job_id, purged_at = jobs.get(premises_id, (None, None))
            agg = counts_by_job.get(job_id) if job_id is not None else None
            if job_id is None or purged_at is not None or agg is None or agg["total"] == 0:
                done["none"] += 1
                continue
            screened = agg["green"] + agg["yellow"] + agg["red"]
            counts = ScreeningCounts(green=agg["green"], yellow=agg["yellow"], red=agg["red"],
                                     unresolved=agg["total"] - screened)
            cur = live.get(premises_id, [None])[0]
            if premises_id not in reviewed and cur is not None and cur[1] == job_id and cur[2] == _counts_dict(counts):
                done["unchanged"] += 1
                continue
            level = level_for(counts)
            if premises_id not in reviewed and cur is not None and _counts_only(
                    cur[1], cur[5], cur[6], cur[7], cur[2], job=job_id, level=level, people=agg["accepted"]):
                kept[cur[0]] = _counts_dict(counts)
                done["kept"] += 1
                continue
            previous = last.get(last_code_id)
            if premises_id in reviewed or (review_policy and previous is not None and previous[0] not in (None, job_id)
                                           and level.wire < Level(previous[1]).wire):
                one_by_one.append(premises_id)
                continue
            to_issue.append((premises_id, name, issuer, job_id, counts, agg["accepted"], level))
        for premises_id in one_by_one:
            outcome = safety_code_derive(premises=Premises.objects.get(pk=premises_id), actor=actor,
                                         cause=causes[premises_id]).outcome
            done[outcome if outcome in done else "none"] += 1
        if not to_issue:
            continue
        now = timezone.now()
        issued_by = actor.pk if getattr(actor, "pk", None) else None
        made: list[tuple] = []  # (premises_id, job_id, counts, key, signer, claims) per code
        ahead: list[str | None] = []  # the QR text of a code signed ahead (presigned), else None
        for premises_id, name, issuer, job_id, counts, people, level in to_issue:
            if issuer not in signers:
                key = signing_key_ensure(issuer=issuer)
                signers[issuer] = (key, signer_for(key))
            key, signer = signers[issuer]
            name = name.strip()[: core_token.MAX_NAME_LENGTH]
            got = presigned.take(premises_id, issuer=issuer, name=name, level=level, people=people,
                                 validity=validity) if presigned is not None else None
            made.append((premises_id, job_id, counts, key, signer, got[0] if got else core_token.SafetyCode.new(
                issuer=issuer, premises_id=premises_id, premises_name=name, level=level, people=people,
                issued_at=now, validity=validity)))
            ahead.append(got[1] if got else None)
        to_sign = [m for m, text in zip(made, ahead, strict=True) if text is None]
        # the QR texts: with a core to spare signed in a second process (pingan.codes.signing) while this one
        # chains and writes the batch's audit records, which need the code ids but not the signatures
        pending = _sign_elsewhere(to_sign, signers) if pooled and to_sign else None
        superseded = {premises_id: [c[3] for c in live[premises_id]] for premises_id, *_ in to_issue
                      if premises_id in live}
        audit.record_many(actor, [audit.Entry("issue", "SafetyCode", code.code_id.hex(), {
            "premises": premises_id, "level": code.level.value, "job": job_id, "people": code.people,
            "kid": key.kid, "ruleset_version": code.ruleset_version, "override": None,
            "superseded": superseded.get(premises_id, []), "cause": causes[premises_id] or {}})
            for premises_id, job_id, _counts, key, _signer, code in made], returning=False)
        signed = _signed(pending) if pending is not None else None
        if signed is None:
            signed = [core_token.issue(code, signer) for *_, signer, code in to_sign]
        rest = iter(signed)
        texts = [text if text is not None else next(rest) for text in ahead]
        # tuples straight to COPY (CODE_COLUMNS), no model instance per code
        rows = [(premises_id, job_id, code.issuer, code.code_id.hex(), code.level.value, code.issued_at,
                 code.expires_at, code.ruleset_version, code.people, key.kid, text, issued_by, _counts_dict(counts),
                 causes[premises_id] or {}, None, None, None, "")
                for (premises_id, job_id, counts, key, _signer, code), text in zip(made, texts, strict=True)]
        new_ids = copy_rows(SafetyCode, CODE_COLUMNS, rows)
        # (pk, premises_id, code_id, issuer) of the codes the new ones supersede
        old = [(c[0], premises_id, c[3], c[4]) for premises_id, *_ in to_issue for c in live.get(premises_id, [])]
        if old:
            # each old code's successor: the one new code of its premises (the premises rows are locked, so no
            # other code of theirs was issued meanwhile)
            _supersede(old, {premises_id: new_id for (premises_id, *_), new_id in zip(rows, new_ids, strict=True)},
                       min(new_ids), now)
        for issuer in sorted({c[3] for c in old}):
            _invalidate_revocations_now_and_on_commit(issuer)
        done["issued"] += len(rows)
    _refresh_counts(kept)
    return done


def _sign_elsewhere(made: list[tuple], signers: dict[str, tuple[SigningKey, KeySigner]]):
    """Hand ``made``'s codes to the signing process (:mod:`pingan.codes.signing`): a future of their QR texts,
    or ``None`` when the process cannot be used (the caller signs them itself)."""
    keys = {key.kid: (str(key_dir() / f"{key.kid}.pem"), key.issuer) for key, _signer in signers.values()}
    try:
        return signing.sign(keys, [(key.kid, c.code_id, c.issuer, c.premises_id, c.premises_name, c.level.value,
                                    c.issued_at, c.expires_at, c.ruleset_version, c.people)
                                   for _p, _j, _c, key, _s, c in made])
    except Exception:  # no process to be had: sign here
        logger.warning("code signing process unavailable; signing in this process", exc_info=True)
        signing.discard()
        return None


def _signed(pending) -> list[str] | None:
    """The QR texts of a :func:`_sign_elsewhere` future, or ``None`` if the process failed."""
    try:
        return pending.result()
    except Exception:  # the worker died or failed: the caller signs the batch itself
        logger.warning("code signing process failed; signing in this process", exc_info=True)
        signing.discard()
        return None


def _supersede(old: list[tuple], successor_of: dict[int, int], first_new_id: int, now: datetime) -> None:
    """Revoke the ``old`` live codes (``(pk, premises_id, …)``) as ``rescreened``, each linked to
    ``successor_of[its premises]``. On PostgreSQL one ``UPDATE … FROM unnest(old ids, new ids)``: the pairs are
    known here, and the correlated sub-select that finds them elsewhere ran along the new codes' ids for every
    old code (~0.15 ms of the server's CPU per code, most of a 43,000-code re-derivation's)."""
    from django.db import connection
    from django.db.models import OuterRef, Subquery

    from pingan.core.copystore import ids_in, int_array

    reason = Reason.RESCREENED.name.lower()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("UPDATE codes_safetycode c SET superseded_by_id = m.new_id, superseded_at = %s, "
                        "revoked_at = %s, revocation_reason = %s "
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS m(old_id, new_id) WHERE c.id = m.old_id",
                        [now, now, reason, int_array(c[0] for c in old), int_array(successor_of[c[1]] for c in old)])
        return
    successor = SafetyCode.objects.filter(premises_id=OuterRef("premises_id"), pk__gte=first_new_id,
                                          revoked_at__isnull=True).values("pk")[:1]
    SafetyCode.objects.filter(pk__in=ids_in(SafetyCode, [c[0] for c in old])).update(
        superseded_by=Subquery(successor), superseded_at=now, revoked_at=now, revocation_reason=reason)


@transaction.atomic
def code_review_release(*, review: CodeReview, actor, note: str = "") -> CodeReview:
    """The police checked a suspended premises (the people left out of the new roster really left): issue a
    code under the published rule from its latest screening and close the review.

    Police of the premises' jurisdiction only (``PermissionDenied``); a note is required (``note_required``);
    a closed review raises ``already_decided``.
    """
    rv, note = _review_to_decide(review, actor, note, CodeReview.Kind.SUSPENSION, "review_not_allowed")
    job = latest_done_job(rv.premises)
    if job is None or job.purged_at is not None:
        raise DomainError(f"premises {rv.premises_id} has no screening to issue from", code="not_screened",
                          params=_premises_params(rv.premises))
    counts, people = screening_counts(job)
    code = _issue(premises=rv.premises, job=job, level=level_for(counts), people=people, actor=actor,
                  counts=counts, cause={"code": "code_cause.release", "params": {"review": rv.pk, "job": job.pk}})
    rv.status, rv.decided_by, rv.decided_at, rv.note, rv.issued_code = (
        CodeReview.Status.RELEASED, actor, timezone.now(), note, code)
    rv.save()
    _people_left(rv, actor, note)
    audit.record(actor, "review_release", "CodeReview", rv.pk,
                 detail={"premises": rv.premises_id, "job": job.pk, "code": code.code_id, "level": code.level})
    return rv


#: Why an open suspension waits for nobody (:func:`suspensions_unattended`).
UNATTENDED_REASONS = ("cause_gone", "no_releaser")


@dataclass(frozen=True)
class Unattended:
    """An open suspension nobody would act on, and why (:data:`UNATTENDED_REASONS`)."""

    review: CodeReview
    reason: str


def releasers(unit):
    """The active accounts that may release a suspension of a premises of ``unit`` (:func:`_review_to_decide`:
    officers and station chiefs whose line covers the unit) — those whose queue shows it with a Release button."""
    from pingan.core.models import User

    candidates = User.objects.filter(is_active=True, role__in=(Role.OFFICER, Role.STATION_CHIEF),
                                     unit__isnull=False).select_related("unit")
    return [u for u in candidates if police_of_premises(u, unit)]


def suspensions_unattended() -> list[Unattended]:
    """Open suspensions nobody would act on (issue 11), oldest first:

    * ``cause_gone`` — nobody the owner saw as not green is left out any more: the records of the people left
      out were closed behind the suspension's back (screening migration 0018 found the corrected rows' people
      on the latest roster and closed them as ``back``, and, a migration issuing no code, left the suspension
      open with nobody to check); :func:`suspensions_resolve` re-derives their codes;
    * ``no_releaser`` — no active officer or station chief's line covers the premises' unit: no queue shows it
      to someone who may release it (create or move an account there).

    A suspension is shown to the police of its premises' unit now (``CodeReview.scope_unit``), the unit that
    releases it: one rule, so a premises moved to another station (``pingan access``) is not left in a queue
    whose Release button the service refuses."""
    told = screening_services.owner_flagged("person__")
    out = []
    seen_units: dict[int, bool] = {}
    for rv in code_selectors.open_suspensions().select_related("premises__unit").order_by("created_at", "id"):
        if not screening_services.off_roster_open(rv.premises_id).filter(told).exists():
            out.append(Unattended(rv, "cause_gone"))
            continue
        unit = rv.premises.unit
        if unit.pk not in seen_units:
            seen_units[unit.pk] = bool(releasers(unit))
        if not seen_units[unit.pk]:
            out.append(Unattended(rv, "no_releaser"))
    return out


def suspensions_resolve(*, actor=None) -> list[Derived]:
    """Re-derive the code of every open suspension whose cause has gone (:func:`suspensions_unattended`,
    ``cause_gone``): the premises' latest screening no longer drops anyone the owner saw as not green, so
    :func:`safety_code_derive` issues its code under the published rule and closes the review as ``resolved``
    (or, while watchlist hits the owner saw as green are still left out, turns it into a ``left_out`` review of
    a live code). Each in its own transaction; returns what each derivation did."""
    out = []
    for item in suspensions_unattended():
        if item.reason == "cause_gone":
            with transaction.atomic():
                out.append(safety_code_derive(premises=item.review.premises, actor=actor, cause={
                    "code": "code_cause.screening", "params": {"job": item.review.job_id}}))
    return out


def _review_to_decide(review: CodeReview, actor, note: str, kind: str, refused: str) -> tuple[CodeReview, str]:
    """The review locked and the cleaned note, when ``actor`` (an officer or station chief of the premises'
    jurisdiction, else ``PermissionDenied`` ``refused``) may decide it now: it is open (``review_closed``) and
    of ``kind`` (``review_other_kind``: a suspended code is released, people left out of a live code's roster
    are confirmed gone — not the other way round); a note is required (``note_required``)."""
    rv = CodeReview.objects.select_for_update(of=("self",)).select_related("premises__unit").get(pk=review.pk)
    if actor is None or not works_for(actor, rv.premises.unit):  # a branch-level premises: its stations
        raise PermissionDenied(f"only officers and station chiefs of the premises' jurisdiction decide a {kind} "
                               f"review", message_id=refused, params=_premises_params(rv.premises))
    if rv.status != CodeReview.Status.OPEN:
        raise DomainError(f"review {rv.pk} is already closed ({rv.status})", code="review_closed",
                          params={"review": rv.pk, **_premises_params(rv.premises)})
    if rv.kind != kind:
        raise DomainError(f"review {rv.pk} is a {rv.kind} review, not a {kind} one", code="review_other_kind",
                          params={"review": rv.pk, **_premises_params(rv.premises)})
    return rv, required_text(note, what="a note on what was checked", code="note_required", too_long="note_too_long")


@transaction.atomic
def code_review_confirm_left(*, review: CodeReview, actor, note: str = "") -> CodeReview:
    """The police checked that the flagged people a newer roster left out (the code stayed live: a
    ``left_out`` review) really left: close the review, so they leave the police view. No code changes.

    Police (officer or station chief) of the premises' jurisdiction only (``PermissionDenied``
    ``left_not_allowed``); a note is required (``note_required``); a closed review raises ``review_closed``,
    a suspension ``review_other_kind`` (it is released instead). Audited ``review_confirm_left``.
    """
    rv, note = _review_to_decide(review, actor, note, CodeReview.Kind.LEFT_OUT, "left_not_allowed")
    rv.status, rv.decided_by, rv.decided_at, rv.note = CodeReview.Status.RELEASED, actor, timezone.now(), note
    rv.save()
    _people_left(rv, actor, note)
    audit.record(actor, "review_confirm_left", "CodeReview", rv.pk,
                 detail={"premises": rv.premises_id, "job": rv.job_id, "baseline_job": rv.baseline_job_id,
                         "dropped": rv.dropped})
    return rv


def _people_left(rv: CodeReview, actor, note: str) -> None:
    """A review decided by the police (released, or people confirmed left): the premises' flagged people no
    longer on its roster — who the review was about — leave the police view, with the same note."""
    if screening_services.off_roster_open(rv.premises_id).exists():
        screening_services.off_roster_resolve(premises=rv.premises, actor=actor, note=note, hooks=False)


def on_off_roster_resolved(premises_id: int, actor, note: str) -> None:
    """The screening services' hook (``OFF_ROSTER_RESOLVED_HOOKS``, registered in ``CodesConfig.ready``): the
    police confirmed on the premises page that its flagged people no longer on the roster left; an open
    ``left_out`` review of the premises closes as released with the same note (audited ``review_confirm_left``).
    A suspension stays open: releasing it issues a code, which is the queue's decision."""
    rv = CodeReview.objects.select_for_update().filter(premises_id=premises_id, status=CodeReview.Status.OPEN,
                                                       kind=CodeReview.Kind.LEFT_OUT).first()
    if rv is None or screening_services.off_roster_open(premises_id).exists():
        return
    rv.status, rv.decided_by, rv.decided_at, rv.note = CodeReview.Status.RELEASED, actor, timezone.now(), note
    rv.save()
    audit.record(actor, "review_confirm_left", "CodeReview", rv.pk,
                 detail={"premises": rv.premises_id, "job": rv.job_id, "baseline_job": rv.baseline_job_id,
                         "dropped": rv.dropped})


# ---------------------------------------------------------------- revocation


class DatabaseRevocations:
    """A ``RevocationSource`` for server-side verification: asks the database, so it is never stale."""

    def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
        """The revocation of ``code_id`` of ``issuer``, or ``None``."""
        row = (SafetyCode.objects.filter(issuer=issuer, code_id=code_id.hex(), revoked_at__isnull=False)
               .values("revocation_reason", "expires_at").first())
        if row is None:
            return None
        return Revocation(code_id, Reason[row["revocation_reason"].upper()], row["expires_at"])


def _rl_cache_key(issuer: str) -> str:
    # Hashed: an issuer is free text from the URL, and cache keys must be short, safe ASCII.
    return _RL_CACHE_KEY.format(issuer=hashlib.sha256(issuer.encode()).hexdigest()[:32])


def _invalidate_now_and_on_commit(key: str) -> None:
    # The cache is shared by every process (settings.CACHES: the server's workers, the CLI, the task worker).
    # Delete now, so this transaction's own later reads see the change; again after commit, so an entry that
    # another process rebuilt from the pre-commit state meanwhile does not stay cached.
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _invalidate_revocations_now_and_on_commit(issuer: str) -> None:
    _invalidate_now_and_on_commit(_rl_cache_key(issuer))


def revocation_issuers() -> list[str]:
    """The issuers that publish keys (and so a revocation list), sorted."""
    return sorted(set(SigningKey.objects.values_list("issuer", flat=True)))


@dataclass(frozen=True)
class SignedList:
    """A signed revocation list: COSE bytes, its serial, and when verifiers should fetch again."""

    data: bytes
    serial: int
    issued_at: datetime
    next_update: datetime


def revocation_list_current(*, issuer: str) -> SignedList:
    """The issuer's current signed revocation list (``pingan.codes.revocation``), cached until it changes.

    Rebuilt when a code is revoked or superseded, when keys rotate, and when half of its lifetime has
    passed. ``serial`` is the build time in milliseconds since the epoch, so it grows with each rebuild.
    Raises ``NotFound`` for an issuer without keys.
    """
    key = _rl_cache_key(issuer)
    cached: SignedList | None = cache.get(key)
    now = timezone.now()
    if cached is not None and now < cached.issued_at + REVOCATION_LIST_LIFETIME / 2:
        return cached
    active = SigningKey.objects.filter(issuer=issuer, active=True).first()
    if active is None:
        raise NotFound(f"no issuer {issuer!r}")
    issued_at = now.replace(microsecond=0)
    rows = SafetyCode.objects.filter(issuer=issuer, revoked_at__isnull=False, expires_at__gt=issued_at)
    entries = [Revocation(bytes.fromhex(r.code_id), Reason[r.revocation_reason.upper()], r.expires_at) for r in rows]
    serial = int(now.timestamp() * 1000)
    rl = RevocationList.build(issuer=issuer, serial=serial, issued_at=issued_at,
                              next_update=issued_at + REVOCATION_LIST_LIFETIME, revocations=entries)
    signed = SignedList(data=rl.sign(signer_for(active)), serial=serial, issued_at=issued_at,
                        next_update=rl.next_update)
    cache.set(key, signed, int(REVOCATION_LIST_LIFETIME.total_seconds()))
    return signed


def safety_code_verify(text: str, *, now: datetime | None = None) -> core_token.Verification:
    """Verify a code text against the published keys and the live revocation state (never raises). A text that
    does not decode is judged before the keys are read, so ``pingan code verify`` of a garbled text says so without
    touching (on a first run, preparing) the database."""
    if (bad := core_token.malformed(text)) is not None:
        return bad
    return core_token.verify(text, trust_store(), DatabaseRevocations(), now=now)


class RevocationSnapshot:
    """A ``RevocationSource`` holding every revoked code that has not yet expired, read in one query.

    For verifying many codes at once (:func:`safety_code_verify_batch`): as fresh as the moment it was
    built. Codes past their expiry read ``expired`` anyway, so they are left out.
    """

    def __init__(self, now: datetime) -> None:
        rows = SafetyCode.objects.filter(revoked_at__isnull=False, expires_at__gt=now).values_list(
            "issuer", "code_id", "revocation_reason", "expires_at")
        self._entries = {(issuer, code_id): (reason, expires) for issuer, code_id, reason, expires in rows}

    def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
        """The revocation of ``code_id`` of ``issuer``, or ``None``."""
        entry = self._entries.get((issuer, code_id.hex()))
        return None if entry is None else Revocation(code_id, Reason[entry[0].upper()], entry[1])


def verdict_reason_local(result: core_token.Verification) -> str:
    """A verdict's reason with its time in the bureau's time zone (``TIME_ZONE``): the framework-free
    verifier words ``valid until`` / ``expired at`` / ``valid from`` in UTC; every other reason unchanged.
    The command line prints this, so one output never mixes UTC and +08:00."""
    code = result.code
    if code is None:
        return result.reason
    words = {core_token.Status.VALID: ("valid until", code.expires_at),
             core_token.Status.EXPIRED: ("expired at", code.expires_at),
             core_token.Status.NOT_YET_VALID: ("valid from", code.issued_at)}.get(result.status)
    if words is None:
        return result.reason
    return f"{words[0]} {timezone.localtime(words[1]).isoformat()}"


def safety_code_verify_batch(texts: list[str], *, now: datetime | None = None) -> list[core_token.Verification]:
    """Verify many code texts at once (``pingan code verify --from FILE``): the verdicts of
    :func:`safety_code_verify` in order, with the keys and revocations read once (never raises)."""
    now = now or timezone.now()
    return core_token.verify_batch(texts, trust_store(), RevocationSnapshot(now), now=now)


# ---------------------------------------------------------------- level overrides (four-eyes)


@transaction.atomic
def level_override_request(*, premises: Premises, level: str, reason: str, actor) -> LevelOverride:
    """Ask for the premises' code level to be set to ``level`` by hand; a second person must approve.

    The requester is police of the premises' jurisdiction (``PermissionDenied``); ``reason`` is required
    (``reason_required``); the premises needs a current code (``no_code``); ``level`` is green/yellow/red and
    not the code's own (``override_same_level``); one request per code waits at a time (``override_pending``).
    """
    if actor is None or actor.role not in POLICE_ROLES or not police_of_premises(actor, premises.unit):
        raise PermissionDenied("only police of the premises' jurisdiction may request a level change",
                               message_id="override_request_not_allowed", params=_premises_params(premises))
    try:
        new_level = Level(level)
    except ValueError:
        raise DomainError(f"unknown level {level!r}: use green, yellow or red", code="bad_level",
                          params={"level": level}) from None
    reason = required_text(reason, what="a reason for the level change", code="reason_required",
                         too_long="reason_too_long")
    Premises.objects.select_for_update(of=("self",)).filter(pk=premises.pk).first()  # one request at a time
    code = current_code(premises)
    if code is None:
        raise DomainError(f"premises {premises.pk} has no current code to change", code="no_code",
                          params=_premises_params(premises))
    if new_level.value == code.level:
        raise DomainError(f"the code of premises {premises.pk} is already {code.level}", code="override_same_level",
                          params=_premises_params(premises))
    # issue 11: a second submit (the back button, a double click) queued a second request for the same code; a
    # chief approved one and the other stayed in the queue with an Approve button that could only fail
    # (override_stale). A request for an earlier code does not block: it can only be rejected.
    pending = LevelOverride.objects.filter(premises=premises, code=code,
                                           status=LevelOverride.Status.REQUESTED).first()
    if pending is not None:
        raise DomainError(f"level change {pending.pk} for this code is already waiting for approval",
                          code="override_pending", params=_premises_params(premises))
    ov = LevelOverride.objects.create(premises=premises, code=code, level=new_level.value, reason=reason,
                                      requested_by=actor)
    audit.record(actor, "override_request", "LevelOverride", ov.pk,
                 detail={"premises": premises.pk, "code": code.code_id, "from": code.level, "to": new_level.value})
    return ov


def may_decide_override(ov: LevelOverride, actor) -> bool:
    """Whether ``actor`` may approve or reject ``ov`` now (:func:`_check_decider` passes): the one rule behind
    the queue's buttons and the services, so a page never offers a decision the service refuses."""
    try:
        _check_decider(ov, actor)
    except DomainError:
        return False
    return True


def override_waiting_text(ov: LevelOverride, actor) -> str:
    """What happens next to an open level change, said to ``actor`` who cannot decide it, in the active
    language: the requester hears that another station chief decides, anyone else (an officer, an analyst)
    that the station chief of the premises' unit does. An officer was told "needs another station chief's
    approval", which is no step of theirs (issue 11)."""
    from django.utils.translation import gettext

    unit = ov.premises.unit.label
    if actor is not None and actor.pk == ov.requested_by_id:
        if actor.role == Role.STATION_CHIEF:
            return gettext("You asked for it, so another station chief of %(unit)s approves or rejects it.") % {
                "unit": unit}
        return gettext("The station chief of %(unit)s approves or rejects it; the code stays as it is until "
                       "then.") % {"unit": unit}
    return gettext("Waiting for the station chief of %(unit)s to approve or reject it.") % {"unit": unit}


def _check_decider(ov: LevelOverride, actor) -> None:
    if actor is None or actor.role != Role.STATION_CHIEF or not police_of_premises(actor, ov.premises.unit):
        raise PermissionDenied("a station chief of the premises' jurisdiction decides level changes",
                               message_id="override_decide_not_allowed", params=_premises_params(ov.premises))
    if actor.pk == ov.requested_by_id:
        raise DomainError("four-eyes rule: the requester cannot decide their own level change", code="four_eyes",
                          params={"override": ov.pk})
    if ov.status != LevelOverride.Status.REQUESTED:
        raise DomainError(f"level change {ov.pk} was already {ov.status}", code="already_decided",
                          params={"override": ov.pk, "status": LevelOverride.Status(ov.status)})


@transaction.atomic
def level_override_approve(*, override: LevelOverride, actor, note: str = "") -> LevelOverride:
    """Approve a requested level change and issue a new code with that level (superseding the current one).

    The approver is a station chief of the premises' jurisdiction other than the requester
    (``PermissionDenied`` / ``four_eyes``); a decided request raises ``already_decided``; a request made for
    a code that is no longer the current one raises ``override_stale``.
    """
    ov = LevelOverride.objects.select_for_update(of=("self",)).select_related("premises__unit", "code").get(
        pk=override.pk)
    _check_decider(ov, actor)
    Premises.objects.select_for_update(of=("self",)).filter(pk=ov.premises_id).first()  # no issue in between
    base = current_code(ov.premises)
    if base is None or base.pk != ov.code_id:
        # issue 12 item 12: an approval applies only to the code it was requested for. A newer code (a later
        # screening, new risk data, another approved change) may carry a different level: approving the old
        # request would turn a newer red code green. The request stays open; reject it and ask again.
        raise DomainError(f"level change {ov.pk} was requested for code {ov.code.code_id if ov.code else '-'}, "
                          f"which is no longer the premises' current code; reject it and request again",
                          code="override_stale", params={"override": ov.pk, "premises": ov.premises.label})
    counts = None
    people = base.people
    if base.job is not None and base.job.purged_at is None:
        counts, people = screening_counts(base.job)  # the people covered are those of the screening behind it
    code = _issue(premises=ov.premises, job=base.job, level=Level(ov.level), people=people, actor=actor,
                  override=ov, counts=counts,
                  cause={"code": "code_cause.override", "params": {"override": ov.pk, "job": base.job_id}})
    ov.status, ov.decided_by, ov.decided_at = LevelOverride.Status.APPROVED, actor, timezone.now()
    ov.decision_note, ov.issued_code = (note or "").strip()[:MAX_TEXT], code
    ov.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "issued_code"])
    audit.record(actor, "override_approve", "LevelOverride", ov.pk,
                 detail={"premises": ov.premises_id, "level": ov.level, "code": code.code_id,
                         "requested_by": ov.requested_by_id})
    return ov


@transaction.atomic
def level_override_reject(*, override: LevelOverride, actor, note: str = "") -> LevelOverride:
    """Reject a requested level change (same approver rules as :func:`level_override_approve`)."""
    ov = LevelOverride.objects.select_for_update(of=("self",)).select_related("premises__unit").get(pk=override.pk)
    _check_decider(ov, actor)
    ov.status, ov.decided_by, ov.decided_at = LevelOverride.Status.REJECTED, actor, timezone.now()
    ov.decision_note = (note or "").strip()[:MAX_TEXT]
    ov.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor, "override_reject", "LevelOverride", ov.pk, detail={"premises": ov.premises_id})
    return ov


# ---------------------------------------------------------------- disputes (纠错)


#: Shortest correction request, in characters: "x", "错了" say nothing the station can check; "人员已搬离" does.
DISPUTE_MIN_TEXT = 5


def _same_text(a: str, b: str) -> bool:
    """Whether two request texts say the same: NFKC, case-folded, whitespace collapsed."""
    import unicodedata

    def norm(t: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", t).casefold().split())

    return norm(a) == norm(b)


@transaction.atomic
def dispute_open(*, premises: Premises, text: str, actor, code_id: str = "") -> Dispute:
    """The premises' owner disputes the level of its live code; routed to the premises' responsible unit.

    ``code_id``: the code the owner saw (the page's form and the API may send it). Raises ``PermissionDenied``
    for anyone but the owner; ``DomainError`` with code ``text_required`` for an empty text (message ids
    ``text_too_short`` below :data:`DISPUTE_MIN_TEXT`, ``text_too_long`` above ``MAX_TEXT`` characters);
    ``dispute_code_superseded`` when ``code_id`` names a code a newer one replaced (dispute the new one, if
    its level is wrong too); ``dispute_no_code`` when there is no live code to correct — message ids
    ``dispute_never_issued``, ``dispute_code_revoked`` (revoked by the police: ask the station or screen
    again), ``dispute_code_suspended`` (the station is already checking the roster) — or
    ``dispute_code_expired`` (screen again); ``dispute_duplicate`` when an open request of the owner for
    that code says the same (``extra``/``params``: the existing one). Issue 11.
    """
    if actor is None or actor.pk != premises.owner_id:
        raise PermissionDenied("only the premises' owner may dispute its code", message_id="dispute_not_allowed",
                               params=_premises_params(premises))
    if premises.archived_at is not None:
        raise premises_removed(premises)
    text = required_text(text, what="the dispute text", code="text_required", too_long="text_too_long")
    if len(text) < DISPUTE_MIN_TEXT:
        raise DomainError(f"the dispute text is {len(text)} characters; say what is wrong in at least "
                          f"{DISPUTE_MIN_TEXT}", code="text_required", message_id="text_too_short",
                          params={"length": len(text), "minimum": DISPUTE_MIN_TEXT})
    premises = Premises.objects.select_for_update(of=("self",)).select_related("unit").get(pk=premises.pk)
    live = current_code(premises)
    code_id = (code_id or "").strip().lower()
    if code_id and (live is None or live.code_id != code_id):
        seen = SafetyCode.objects.filter(premises=premises, code_id=code_id).first()
        if seen is None:
            raise NotFound(f"premises {premises.pk} has no code {code_id}")
        if live is not None:
            raise DomainError(f"code {code_id} was replaced by code {live.code_id} ({live.level}, issued "
                              f"{live.issued_at.isoformat()}): check the new level and dispute that one if it is "
                              f"wrong too", code="dispute_code_superseded",
                              extra={"current_code_id": live.code_id},
                              params={**_premises_params(premises), "issued": moment(seen.issued_at),
                                      "replaced": moment(live.issued_at), "level": _level_label(live.level)})
    if live is None:
        last = SafetyCode.objects.filter(premises=premises).order_by("-issued_at", "-id").first()
        if last is None:
            raise DomainError(f"premises {premises.pk} has no safety code yet: there is no level to correct",
                              code="dispute_no_code", message_id="dispute_never_issued",
                              params={**_premises_params(premises)})
        if code_selectors.open_suspensions().filter(premises=premises).exists():
            raise DomainError(f"the code of premises {premises.pk} is suspended and the station is checking its "
                              f"roster; it decides the level", code="dispute_no_code",
                              message_id="dispute_code_suspended",
                              params={**_premises_params(premises), "unit": premises.unit.label})
        raise DomainError(f"the code of premises {premises.pk} was revoked ({last.revocation_reason}): there is "
                          f"no level to correct; screen again, or ask the station", code="dispute_no_code",
                          message_id="dispute_code_revoked",
                          params={**_premises_params(premises), "unit": premises.unit.label,
                                  "reason": REVOCATION_REASON_LABELS.get(last.revocation_reason,
                                                                         last.revocation_reason)})
    if live.expires_at <= timezone.now():
        raise DomainError(f"the code of premises {premises.pk} expired on {live.expires_at.isoformat()}: screen "
                          f"again for a current level", code="dispute_code_expired",
                          params={**_premises_params(premises), "expired": moment(live.expires_at)})
    for other in Dispute.objects.filter(premises=premises, code=live, status=Dispute.Status.OPEN,
                                        submitted_by=actor).only("pk", "text", "created_at"):
        if _same_text(other.text, text):
            raise DomainError(f"the same correction request (dispute {other.pk}, sent "
                              f"{other.created_at.isoformat()}) is open: the station has it",
                              code="dispute_duplicate", extra={"dispute_id": other.pk},
                              params={"dispute": other.pk, "sent": moment(other.created_at)})
    d = Dispute.objects.create(premises=premises, code=live, unit=premises.unit, submitted_by=actor, text=text)
    audit.record(actor, "dispute_open", "Dispute", d.pk, detail={"premises": premises.pk, "unit": premises.unit.code,
                                                                 "code": live.code_id})
    return d


def _level_label(level: str):
    """A level's label (lazy: rendered in the language of whoever reads the message)."""
    from pingan.codes.models import LEVEL_LABELS

    return LEVEL_LABELS[Level(level)]


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, upheld: bool, outcome: str, actor) -> Dispute:
    """Record the outcome of a dispute: ``upheld`` (the owner is right) or rejected, with an outcome text.

    The resolver is police of the dispute's unit subtree (``PermissionDenied``); a resolved dispute raises
    ``already_resolved``; an empty outcome ``outcome_required``.
    """
    d = Dispute.objects.select_for_update(of=("self",)).select_related("unit").get(pk=dispute.pk)
    # the unit's police; a dispute routed to a branch (分局) or the bureau: the stations under it too (works_for)
    if actor is None or actor.role not in POLICE_ROLES or not police_of_premises(actor, d.unit):
        raise PermissionDenied("only police of the responsible unit may resolve this dispute",
                               message_id="dispute_resolve_not_allowed", params={"dispute": d.pk, "unit": d.unit.name})
    if d.status != Dispute.Status.OPEN:
        raise DomainError(f"dispute {d.pk} was already {d.status}", code="already_resolved",
                          params={"dispute": d.pk, "status": Dispute.Status(d.status)})
    d.outcome = required_text(outcome, what="the outcome", code="outcome_required", too_long="outcome_too_long")
    d.status = Dispute.Status.UPHELD if upheld else Dispute.Status.REJECTED
    d.resolved_by, d.resolved_at = actor, timezone.now()
    d.save(update_fields=["outcome", "status", "resolved_by", "resolved_at"])
    audit.record(actor, "dispute_resolve", "Dispute", d.pk, detail={"status": d.status, "premises": d.premises_id})
    return d


def key_file_mode(key: SigningKey) -> int:
    """The permission bits of a key's private file (0o600 expected), for checks and ``pingan code keys list``."""
    return os.stat(key_dir() / f"{key.kid}.pem").st_mode & 0o777

