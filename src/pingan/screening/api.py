"""Screening API (``/api/v1/``): submit a roster, poll the job, read and download results; police reads.

Handlers are thin: parse, one selector or service, return. Errors are ``DomainError``s, which the API turns
into RFC 9457 problem details. Lists paginate (``limit``/``offset``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.throttling import AuthRateThrottle

from pingan.codes.selectors import code_state_of
from pingan.core import selectors as core_selectors
from pingan.core.apiutil import Pagination
from pingan.core.downloads import file_response
from pingan.core.errors import DomainError, PermissionDenied
from pingan.core.models import SUBMITTER_ROLES
from pingan.core.uploads import TOO_LARGE_ADVICE, mib, upload_limit
from pingan.dashboard import selectors as dashboard_selectors
from pingan.screening import retention, selectors, services, tasks
from pingan.screening.roster import RosterError, check_table_file
from pingan.screening.schemas import FlaggedPersonOut, HitOut, JobOut, PersonDetailOut, PersonResultOut
from pingan.screening.services import DOWNLOAD_TYPES

router = Router(tags=["screening"])

#: Roster submissions per account: generous for an app, a brake on a runaway client.
SUBMIT_RATE = "30/m"

def _problem(status: int, description: str, code: str, **members: dict) -> dict:
    """An OpenAPI answer of RFC 9457 problem details with the stable ``code`` and the further ``members``."""
    return {status: {"description": description, "content": {"application/problem+json": {"schema": {
        "type": "object", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "code": {"type": "string", "enum": [code]}, **members}}}}}}


#: The 410 answer of the endpoints that read a job's person data once the retention policy deleted it.
PURGED = _problem(410, "the job's person data was deleted under the retention policy (problem code `purged`; "
                       "`purged_at` says when); the job and its counts remain", "purged",
                  purged_at={"type": "string", "format": "date-time"})


@router.post("/jobs", response={201: JobOut, 200: JobOut}, summary="Submit a roster for screening",
             throttle=[AuthRateThrottle(SUBMIT_RATE)])
def job_submit(request: HttpRequest, premises_id: Form[int], roster: File[UploadedFile],
               idempotency_key: Header[str | None] = None):
    """Upload a roster (XLSX/XLS/CSV, multipart field ``roster``) for one of the caller's premises.

    Returns 201 with the queued job, or 200 with the first job when the ``Idempotency-Key`` header repeats
    one the caller used before. Poll ``GET /jobs/{id}`` until ``status`` is ``done`` or ``failed``.
    """
    if request.user.role not in SUBMITTER_ROLES:
        raise PermissionDenied("only enterprises and landlords submit rosters")
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        raise DomainError("the Idempotency-Key header is longer than 100 characters", code="bad_idempotency_key")
    if roster.size is not None and roster.size > upload_limit():
        raise DomainError(f"{roster.name} is {mib(roster.size)} MiB ({roster.size:,} bytes); files of at most "
                          f"{mib(upload_limit())} MiB are accepted — {TOO_LARGE_ADVICE}",
                          code="roster_too_large",
                          extra={"limit": upload_limit(), "limit_mib": upload_limit() // 2**20})
    premises = core_selectors.premises_get(actor=request.user, premises_id=premises_id)
    data, name = roster.read(), roster.name or "roster"
    try:  # a PDF or an image is refused here, as on the upload form, not queued to fail (issue 11)
        check_table_file(data, name)
    except RosterError as exc:
        raise DomainError(exc.message, code=exc.code) from None
    job, created = tasks.screening_job_submit(actor=request.user, roster_name=name, roster_bytes=data,
                                              premises=premises, idempotency_key=key)
    return Status(201 if created else 200, job)


@router.get("/jobs", response=list[JobOut], summary="Screening jobs the caller may see, newest first")
@paginate(Pagination)
def job_list(request: HttpRequest):
    return selectors.job_list(actor=request.user)


@router.get("/jobs/{job_id}", response=JobOut, summary="One job: status, progress, error, counts")
def job_get(request: HttpRequest, job_id: int):
    return selectors.job_get(actor=request.user, job_id=job_id)


#: The 409 answer of the endpoints that read a job's results before it is done.
NOT_DONE = _problem(409, "the job is queued, running or failed: it has no results yet (problem code "
                         "`job_not_done`; `job_status` and `progress` say where it is). Poll `GET /jobs/{id}` until "
                         "`status` is `done`", "job_not_done",
                    job_status={"type": "string", "enum": ["queued", "running", "failed"]},
                    progress={"type": "integer"})


@router.get("/jobs/{job_id}/results", response=list[PersonResultOut],
            summary="A job's per-row results (submitter view; police also get the police part)",
            openapi_extra={"responses": {**PURGED, **NOT_DONE}})
@paginate(Pagination)
def job_results(request: HttpRequest, job_id: int, status: str | None = None):
    """``status`` (accepted / rejected) narrows the rows. 410 ``purged`` once the retention policy deleted
    them; 409 ``job_not_done`` before the job is done."""
    job = selectors.job_get(actor=request.user, job_id=job_id)
    retention.job_person_data_check(job)
    services.screening_job_finished_check(job)
    rows = selectors.job_results(actor=request.user, job_id=job_id)
    return rows.filter(status=status) if status else rows


@router.get("/jobs/{job_id}/export", summary="A job's results as a CSV or XLSX file",
            response={200: None}, openapi_extra={"responses": {200: {
                "description": "the results file",
                "content": {t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                            for t in DOWNLOAD_TYPES.values()}}, **PURGED, **NOT_DONE}})
def job_export(request: HttpRequest, job_id: int, format: str = "csv"):
    """The submitter view of the results (police accounts get the police view) as ``format`` csv or xlsx;
    410 ``purged`` once the retention policy deleted them; 409 ``job_not_done`` before the job is done."""
    data, name, content_type = services.screening_job_download(actor=request.user, job_id=job_id, fmt=format)
    return file_response(data, content_type, name)


@router.get("/roster-template", summary="The roster template (XLSX)", response={200: None},
            openapi_extra={"responses": {200: {"description": "the template", "content": {
                DOWNLOAD_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}}})
def roster_template(request: HttpRequest):
    from pingan.screening.template import roster_template_filename, roster_template_xlsx

    # the content is the default (Chinese) template, and so is the name
    return file_response(roster_template_xlsx(), DOWNLOAD_TYPES["xlsx"], roster_template_filename())


# ------------------------------------------------------------------------------------------- police


@router.get("/flagged", response=list[FlaggedPersonOut],
            summary="Flagged people in the caller's jurisdiction (police): silent hits first, then red, yellow")
@paginate(Pagination)
def flagged(request: HttpRequest):
    return dashboard_selectors.jurisdiction_flagged(actor=request.user)


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="A person's result and every hit (police)")
def person_get(request: HttpRequest, person_id: int):
    person, hits = dashboard_selectors.person_detail(actor=request.user, person_id=person_id)
    return {"person": person, "hits": [HitOut.from_orm(h) for h in hits], "off_roster": person.off_roster,
            "off_roster_at": person.off_roster_at, "off_roster_suspended": person.off_roster_suspended}


class PremisesStatusOut(Schema):
    """A premises of the caller's jurisdiction with its safety code's state and when it was last screened.

    ``level`` is the live safety code's level (``green``/``yellow``/``red``: derived from the latest screening
    by the published rule, or set by an approved level change; empty when the premises holds no live code) —
    the level every page shows. ``code_state`` says why there is none: ``suspended`` (until the police check a
    roster that leaves out flagged people), ``revoked`` or ``none`` (never issued); otherwise it equals
    ``level``. ``code_expires_at``: when the live code expires (``null`` without one). ``code_job_id``: the
    screening behind the live code. ``created_at``: when the premises was registered (the police page shows it
    beside a premises not yet screened); ``owner``: the owner's name as every page shows it (``User.shown_name``:
    display name, else full name, else user name)."""

    id: int
    name: str
    kind: str
    address: str
    adcode: str
    unit: str
    owner: str
    created_at: datetime
    level: str
    code_state: str
    code_expires_at: datetime | None
    code_job_id: int | None
    last_screened: datetime | None
    last_job_id: int | None

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.shown_name  # as every page names the account

    @staticmethod
    def resolve_level(obj) -> str:
        state = code_state_of(obj)
        return state if state in ("green", "yellow", "red") else ""

    @staticmethod
    def resolve_code_state(obj) -> str:
        return code_state_of(obj)

    @staticmethod
    def resolve_code_expires_at(obj) -> datetime | None:
        return obj.code_expires_at if obj.code_revoked_at is None else None

    @staticmethod
    def resolve_code_job_id(obj) -> int | None:
        return obj.code_job_id if obj.code_level and obj.code_revoked_at is None else None


@router.get("/jurisdiction/premises", response=list[PremisesStatusOut],
            summary="Premises of the caller's jurisdiction with level and last screening (police)")
@paginate(Pagination)
def jurisdiction_premises(request: HttpRequest, stale_days: int | None = None):
    """By id; ``stale_days`` keeps only the overdue ones: last screened more than that many days ago, or never
    screened and registered more than that many days ago (``dashboard.selectors.overdue``, the rule of the
    police page's list)."""
    if stale_days is not None and not 0 <= stale_days <= 3650:
        raise DomainError("stale_days must be between 0 and 3650", code="bad_stale_days")
    return dashboard_selectors.jurisdiction_premises(actor=request.user, stale_days=stale_days)
