"""Safety-code API (``/api/v1/codes/...``): current code, issue, verify, revoke, revocation lists, disputes,
level changes. Thin handlers: parse, one selector or service, return; ``DomainError`` → RFC 9457 problem.

Public (no authentication): ``POST /codes/verify`` (rate-limited per client address with Django's cache)
and the revocation lists (``GET /codes/revocations`` and ``/codes/revocations/{issuer}``, CBOR COSE_Sign1,
``application/cose``, with ``ETag`` and ``Cache-Control``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status

from pingan.codes import selectors, services
from pingan.codes.models import CodeReview, Dispute, LevelOverride, SafetyCode
from pingan.codes.schemas import (
    CodeOut,
    CodeReviewOut,
    DecisionIn,
    DisputeIn,
    DisputeOut,
    DisputeResolveIn,
    IssuerOut,
    OverrideIn,
    OverrideOut,
    RevokeIn,
    VerifyIn,
    VerifyOut,
)
from pingan.codes.token import Verification
from pingan.core import ratelimit
from pingan.core.apiutil import problems
from pingan.core.errors import DomainError, NotFound
from pingan.core.texts import render

router = Router(tags=["codes"])

#: Verifications per client address per minute (``PINGAN["VERIFY_RATE_PER_MINUTE"]`` overrides).
VERIFY_RATE_PER_MINUTE = 60
#: Longest code text accepted by the verify endpoint (a real code is ~200 characters).
MAX_VERIFY_TEXT = 8192


class RateLimited(DomainError):
    """Too many verifications from one address in the current minute."""

    code = "rate_limited"
    status = 429


def code_out(code: SafetyCode) -> dict:
    """The API shape of a code row (:class:`~pingan.codes.schemas.CodeOut`)."""
    return {
        "code_id": code.code_id, "premises_id": code.premises_id, "level": code.level, "issuer": code.issuer,
        "kid": code.kid, "issued_at": code.issued_at, "expires_at": code.expires_at,
        "ruleset_version": code.ruleset_version, "people": code.people, "token": code.token,
        "revoked_at": code.revoked_at, "revocation_reason": code.revocation_reason,
        "job_id": code.job_id, "cause": render(code.cause) if code.cause else "",
        "cause_code": (code.cause or {}).get("code", ""),
    }


def verification_out(result: Verification) -> dict:
    """The API shape of a verdict (:class:`~pingan.codes.schemas.VerifyOut`)."""
    from pingan.codes.texts import verdict_sentence

    # ``message``: the verdict for a person in the request's language (issue 11: only ``reason``, the verifier's
    # technical English, said why); ``status``, ``layer`` and ``reason`` stay the stable forms programs read
    out: dict = {"status": result.status.value, "valid": result.ok, "reason": result.reason,
                 "message": verdict_sentence(result), "layer": result.layer.value if result.layer else None}
    if result.code is not None:
        c = result.code
        out.update(level=c.level.value, premises_id=c.premises_id, premises_name=c.premises_name, issuer=c.issuer,
                   code_id=c.code_id.hex(), issued_at=c.issued_at,
                   expires_at=c.expires_at, ruleset_version=c.ruleset_version, people=c.people)
    if result.revocation is not None:
        out["revocation_reason"] = result.revocation.reason.name.lower()
    return out


def dispute_out(d: Dispute) -> dict:
    """The API shape of a dispute."""
    return {"id": d.pk, "premises_id": d.premises_id, "code_id": d.code.code_id if d.code_id else None,
            "unit": d.unit.code, "text": d.text, "status": d.status, "outcome": d.outcome,
            "created_at": d.created_at, "resolved_at": d.resolved_at}


def review_out(rv: CodeReview, actor=None) -> dict:
    """The API shape of a suspended code's review; the premises' owner is not told which officer decided
    (``decided_by`` null: minimal disclosure, issue 11's trial F2)."""
    police = getattr(actor, "is_police", False)
    return {"id": rv.pk, "premises_id": rv.premises_id, "unit": rv.unit.code, "job_id": rv.job_id,
            "baseline_job_id": rv.baseline_job_id, "baseline_level": rv.baseline_level, "level": rv.level,
            "dropped": rv.dropped, "dropped_rows": list(rv.dropped_rows or []), "status": rv.status,
            "created_at": rv.created_at, "suspended_at": rv.suspended_at,
            "decided_by": rv.decided_by.username if rv.decided_by_id and police else None,
            "decided_at": rv.decided_at, "issued_code_id": rv.issued_code.code_id if rv.issued_code_id else None}


def override_out(ov: LevelOverride, actor=None) -> dict:
    """The API shape of a level-change request. The reason is the officer's note for the station chief, and
    who asked and who decided are the police's own business: the premises' owner gets the level, the status and
    the dates, with ``reason``, ``requested_by`` and ``decided_by`` null (issue 11's trial F2: the owner read the
    officer's "红码人员已全部核实离开，申请调整为黄码" verbatim)."""
    police = getattr(actor, "is_police", False)
    return {"id": ov.pk, "premises_id": ov.premises_id, "level": ov.level, "reason": ov.reason if police else None,
            "status": ov.status, "requested_by": ov.requested_by.username if police else None,
            "decided_by": ov.decided_by.username if ov.decided_by_id and police else None,
            "requested_at": ov.requested_at, "decided_at": ov.decided_at,
            "issued_code_id": ov.issued_code.code_id if ov.issued_code_id else None}


def check_verify_rate(request: HttpRequest) -> None:
    """Count one verification for the client address (``REMOTE_ADDR``: set by the trusted proxy) in a
    fixed one-minute window in Django's cache, atomically (``core.ratelimit``); raises :class:`RateLimited`
    over the limit."""
    limit = int(settings.PINGAN.get("VERIFY_RATE_PER_MINUTE", VERIFY_RATE_PER_MINUTE))
    now = timezone.now().timestamp()
    key = ratelimit.window_key("pingan.codes.verify-rate", request.META.get("REMOTE_ADDR", ""), 60, now=now)
    if ratelimit.hit(key, ttl=120) > limit:
        # retry_after: the seconds left of the window, the answer's Retry-After header (config.api)
        raise RateLimited(f"more than {limit} verifications a minute from this address; wait a minute, or verify "
                          f"offline on the /verify/ page",
                          extra={"limit_per_minute": limit, "retry_after": 60 - int(now) % 60})


@router.get("/codes/premises/{premises_id}/current", response=CodeOut, summary="The premises' current code")
def code_current(request: HttpRequest, premises_id: int):
    """The newest unrevoked code of a premises (owner, or police of its jurisdiction); 404 when none."""
    code = selectors.code_current(actor=request.user, premises_id=premises_id)
    if code is None:
        raise NotFound(f"premises {premises_id} has no current code: issue one after screening")
    return code_out(code)


@router.post("/codes/premises/{premises_id}/issue", response={201: CodeOut, 200: CodeOut},
             summary="Issue a code after screening")
def code_issue(request: HttpRequest, premises_id: int):
    """Issue a new code from the premises' latest finished screening; supersedes (revokes) the previous one
    (201). While the live code is unexpired and already that screening's, it is returned unchanged (200): its
    poster stays valid."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    code = services.safety_code_issue(premises=premises, actor=request.user)
    return Status(201 if code.issued_now else 200, code_out(code))


@router.post("/codes/verify", response=VerifyOut, auth=None, summary="Verify a code (public, rate-limited)",
             openapi_extra={"responses": problems({429: "more verifications from the address than "
                                                         "`VERIFY_RATE_PER_MINUTE` (`rate_limited`)"})})
def code_verify(request: HttpRequest, body: VerifyIn):
    """Verify a ``PA1:`` code text: level, premises and validity, or the exact reason it fails."""
    check_verify_rate(request)
    if len(body.text) > MAX_VERIFY_TEXT:
        raise DomainError(f"the text is {len(body.text)} characters; a code is at most {MAX_VERIFY_TEXT}",
                          code="text_too_long")
    return verification_out(services.safety_code_verify(body.text))


@router.post("/codes/{code_id}/revoke", response=CodeOut, summary="Revoke a code (police)")
def code_revoke(request: HttpRequest, code_id: str, body: RevokeIn):
    """Revoke one code (reason ``fraud``, ``error`` or ``rescreened``); police of the jurisdiction only."""
    code = selectors.code_get(actor=request.user, code_id=code_id)
    return code_out(services.safety_code_revoke(code=code, reason=body.reason, actor=request.user))


@router.get("/codes/revocations", response=list[IssuerOut], auth=None, summary="Published revocation lists")
def revocation_index(request: HttpRequest):
    """The issuers and the URL of each one's signed revocation list (public)."""
    return [{"issuer": i, "url": reverse("api:revocation_list", kwargs={"issuer": i})}
            for i in services.revocation_issuers()]


@router.get("/codes/revocations/{issuer}", auth=None, url_name="revocation_list",
            summary="An issuer's signed revocation list (application/cose)")
def revocation_list(request: HttpRequest, issuer: str):
    """The signed revocation list (COSE_Sign1, docs/codes.md); ``ETag`` is its serial; cache for a minute."""
    signed = services.revocation_list_current(issuer=issuer)
    etag = f'"{signed.serial}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(signed.data, content_type="application/cose; cose-type=\"cose-sign1\"")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    response["Expires"] = signed.next_update.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@router.get("/codes/disputes", response=list[DisputeOut], summary="Disputes (纠错) the caller may see")
def dispute_list(request: HttpRequest, status: str | None = None):
    """Owners: their own disputes; police: those routed to their jurisdiction. Newest first, at most 500."""
    return [dispute_out(d) for d in selectors.disputes_list(actor=request.user, status=status)[:500]]


@router.post("/codes/premises/{premises_id}/disputes", response={201: DisputeOut}, summary="Dispute a level")
def dispute_open(request: HttpRequest, premises_id: int, body: DisputeIn):
    """The owner disputes the level of the premises' live code; the dispute goes to the responsible unit.
    Refused (400) for a text under 5 or over 2,000 characters (``text_required``), a ``code_id`` a newer code
    replaced (``dispute_code_superseded``, ``current_code_id``), no live code (``dispute_no_code``: never
    issued, revoked, suspended), an expired one (``dispute_code_expired``) and the same text as an open request
    (``dispute_duplicate``, ``dispute_id``)."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    return Status(201, dispute_out(services.dispute_open(premises=premises, text=body.text, actor=request.user,
                                                         code_id=body.code_id)))


@router.post("/codes/disputes/{dispute_id}/resolve", response=DisputeOut, summary="Resolve a dispute (police)")
def dispute_resolve(request: HttpRequest, dispute_id: int, body: DisputeResolveIn):
    """Record a dispute's outcome (upheld or rejected)."""
    d = selectors.dispute_get(actor=request.user, dispute_id=dispute_id)
    return dispute_out(services.dispute_resolve(dispute=d, upheld=body.upheld, outcome=body.outcome,
                                                actor=request.user))


@router.get("/codes/overrides", response=list[OverrideOut], summary="Level-change requests the caller may see")
def override_list(request: HttpRequest, status: str | None = None):
    """Level-change requests (four-eyes), newest first, at most 500."""
    return [override_out(o, request.user) for o in selectors.overrides_list(actor=request.user, status=status)[:500]]


@router.post("/codes/premises/{premises_id}/overrides", response={201: OverrideOut},
             summary="Request a manual level (police)")
def override_request(request: HttpRequest, premises_id: int, body: OverrideIn):
    """Request a manual level with a reason; a different station chief must approve it."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    ov = services.level_override_request(premises=premises, level=body.level, reason=body.reason, actor=request.user)
    return Status(201, override_out(ov, request.user))


@router.post("/codes/overrides/{override_id}/approve", response=OverrideOut, summary="Approve a level change")
def override_approve(request: HttpRequest, override_id: int, body: DecisionIn):
    """Approve (four-eyes) and issue the new code."""
    ov = selectors.override_get(actor=request.user, override_id=override_id)
    return override_out(services.level_override_approve(override=ov, actor=request.user, note=body.note),
                        request.user)


@router.post("/codes/overrides/{override_id}/reject", response=OverrideOut, summary="Reject a level change")
def override_reject(request: HttpRequest, override_id: int, body: DecisionIn):
    """Reject a requested level change."""
    ov = selectors.override_get(actor=request.user, override_id=override_id)
    return override_out(services.level_override_reject(override=ov, actor=request.user, note=body.note),
                        request.user)


@router.get("/codes/reviews", response=list[CodeReviewOut], summary="Suspended codes the caller may see")
def review_list(request: HttpRequest, status: str | None = None):
    """Premises whose code is suspended until the police check the newest screening (``status=open``), and
    past reviews; owners see their own premises', police their jurisdiction's. Newest first, at most 500."""
    return [review_out(rv, request.user) for rv in selectors.reviews_list(actor=request.user, status=status)[:500]]


@router.post("/codes/reviews/{review_id}/release", response=CodeReviewOut, summary="Release a suspended code")
def review_release(request: HttpRequest, review_id: int, body: DecisionIn):
    """The police checked that the people left out of the new roster really left: issue a code under the
    published rule from the latest screening. Officers and station chiefs of the premises' jurisdiction only;
    ``note`` (what was checked) is required."""
    rv = selectors.review_get(actor=request.user, review_id=review_id)
    return review_out(services.code_review_release(review=rv, actor=request.user, note=body.note), request.user)
