"""Statistics API (``/api/v1/stats/…``): units, a unit's CompStat, incidents (scoped, audited), their
reclassification, the schemes, bureau-template imports.

Handlers are thin: parse, one selector or service, return. Errors are RFC 9457 problem details (each
operation declares the ones it can answer); lists paginate (``limit``/``offset``).
"""

# No ``from __future__ import annotations``: django-ninja reads the handlers' parameter types at import time
# and cannot resolve postponed ``date`` annotations through the pagination wrapper.
from datetime import date

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pingan.core.apiutil import Pagination
from pingan.core.errors import DomainError
from pingan.core.uploads import mib, upload_limit
from pingan.stats import classify, selectors, services
from pingan.stats.schemas import (
    CompStatOut,
    ImportOut,
    IncidentOut,
    ReclassificationOut,
    ReclassifyIn,
    RowIssueOut,
    SchemeOut,
    StatsUnitOut,
)

router = Router(tags=["stats"])

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}, "code": {"type": "string"}}}}}


def problems(**codes: str) -> dict:
    """``openapi_extra`` declaring the problem-detail answers of an operation (status → description)."""
    return {"responses": {int(k[1:]): {"description": v, "content": _PROBLEM} for k, v in codes.items()}}


COMMON = {"s403": "the account's role may not use statistics (problem code `permission_denied`)",
          "s404": "no such unit, or outside the caller's jurisdiction (`not_found`)"}


@router.get("/stats/units", response=list[StatsUnitOut], summary="Units whose CompStat the caller may see",
            openapi_extra=problems(s403=COMMON["s403"]))
@paginate(Pagination)
def units(request: HttpRequest):
    return selectors.units_visible(actor=request.user).select_related("parent").order_by("path")


def _compstat_out(page: selectors.UnitPage) -> dict:
    def row(r, covered=True, covered_last_year=True) -> dict:
        cat = page.scheme.category(r.category)
        return {**{f: getattr(r, f) for f in ("category", "is_group", "windows", "cleared_ytd", "exceptional_ytd",
                                               "clearance_ytd", "current_year_cleared", "current_year_clearance",
                                               "streak", "amounts")},
                "label_en": cat.en, "label_zh": cat.zh, "covered": covered, "covered_last_year": covered_last_year,
                "clearance_recorded": page.clearance_recorded(r.category),
                "trend": list(r.trend),
                "trend_last_year": list(r.trend_last_year)}

    cs = page.compstat
    head = selectors.headline_category(page.scheme)
    return {
        "unit": page.unit, "as_of": page.as_of, "scheme": page.scheme.stamp(), "first_day": page.first_day,
        "last_day": page.last_day,
        "windows": {k: {"current": cur, "previous": prev} for k, (cur, prev) in cs.windows.items()},
        "trend_weeks": list(cs.trend_weeks), "trend_last_week_days": cs.trend_last_days,
        "rows": [row(r, r.category in page.covered, r.category in page.covered_last_year) for r in cs.rows],
        "children": [{"unit": c.unit, "headline": row(c.compstat.row(head))} for c in page.children],
        "traffic": page.traffic,
    }


@router.get("/stats/units/{code}/compstat", response=CompStatOut, summary="A unit's CompStat as of a day",
            openapi_extra=problems(**COMMON, s400="unknown scheme (`unknown_scheme`)"))
def compstat(request: HttpRequest, code: str, as_of: date | None = None, scheme: str | None = None):
    """Week to date (Monday–Sunday), 28 days and year to date, each against the same period last year, per
    category of ``scheme`` (default: the unit's), with clearance, streaks, weekly trends and the sub-units.
    ``as_of`` defaults to today or the last day of the unit's data. Aggregates only: not audited."""
    return _compstat_out(selectors.compstat_for_unit(actor=request.user, code=code, as_of=as_of, scheme_id=scheme))


@router.get("/stats/units/{code}/incidents", response=list[IncidentOut],
            summary="The incidents behind a figure (audited)",
            openapi_extra=problems(**COMMON, s400="unknown scheme or category"))
@paginate(Pagination)
def incidents(request: HttpRequest, code: str, start: date, end: date, scheme: str | None = None,
              category: str | None = None):
    """Incidents of the unit's subtree counted from ``start`` to ``end`` (inclusive), in ``category`` of
    ``scheme`` when given; unfounded reports are left out as they are from the counts. Each call writes an
    audit record with the caller's purpose."""
    if end < start:
        raise DomainError("end is before start", code="bad_period")
    return selectors.incident_list(actor=request.user, code=code, start=start, end=end, scheme_id=scheme,
                                   category=category)


@router.get("/stats/incidents/{incident_id}", response=IncidentOut, summary="One incident (audited)",
            openapi_extra=problems(s403=COMMON["s403"], s404="no such incident in the caller's jurisdiction"))
def incident(request: HttpRequest, incident_id: int):
    return selectors.incident_get(actor=request.user, incident_id=incident_id)


@router.post("/stats/incidents/{incident_id}/reclassify", response={201: ReclassificationOut},
             summary="Reclassify an incident (station chiefs, analysts)",
             openapi_extra=problems(s400="no reason, no change, or an invalid value (`reason_required`, "
                                         "`no_change`, `bad_value`, `clearance_incomplete`)",
                                    s403="only station chiefs and analysts reclassify",
                                    s404="no such incident in the caller's jurisdiction"))
def reclassify(request: HttpRequest, incident_id: int, payload: ReclassifyIn):
    """Change the offence, place, attempt, status, clearance or amounts; recorded with before, after, reason and
    actor, and marked a downgrade when it moves the incident to a less serious category, out of the counts or
    below a value threshold."""
    changes = {k: v for k, v in payload.dict(exclude={"reason"}).items() if v is not None}
    return Status(201, services.incident_reclassify(actor=request.user, incident_id=incident_id, reason=payload.reason,
                                             **changes))


@router.get("/stats/units/{code}/reclassifications", response=list[ReclassificationOut],
            summary="Reclassifications in a unit's subtree (station chiefs, analysts; audited)",
            openapi_extra=problems(s403="only station chiefs and analysts", s404=COMMON["s404"]))
@paginate(Pagination)
def reclassifications(request: HttpRequest, code: str, downgrades_only: bool = False, since: date | None = None):
    return selectors.reclassification_list(actor=request.user, code=code, downgrades_only=downgrades_only,
                                           since=since)


@router.get("/stats/schemes", response=list[SchemeOut], summary="The classification schemes (versioned, cited)")
def schemes(request: HttpRequest):
    return [{"id": s.id, "version": s.version, "en": s.en, "zh": s.zh, "option_of": s.option_of,
             "note_en": s.note_en, "note_zh": s.note_zh, "citations": s.citations,
             "categories": [{"key": c.key, "en": c.en, "zh": c.zh, "is_group": c.is_group, "members": list(c.members),
                             "count": c.count, "streak": c.streak, "current_year_clearance": c.current_year_clearance}
                            for c in s.categories]}
            for s in classify.schemes().values()]


@router.post("/stats/imports", response={201: ImportOut}, summary="Import a bureau template (analysts)",
             openapi_extra=problems(s400="empty or too large a file (`empty_upload`, `file_too_large`)",
                                    s403="only analysts import"))
def import_submit(request: HttpRequest, file: File[UploadedFile]):
    """Upload a CSV/XLSX/XLS bureau export (multipart field ``file``); the import is queued. Poll
    ``GET /stats/imports/{id}`` until ``status`` is ``done`` or ``failed``; the rows not imported are at
    ``/stats/imports/{id}/issues``."""
    if file.size is not None and file.size > upload_limit():
        raise DomainError(f"{file.name} is {mib(file.size)} MiB ({file.size:,} bytes); files of at most "
                          f"{mib(upload_limit())} MiB are accepted", code="file_too_large",
                          extra={"limit": upload_limit(), "limit_mib": upload_limit() // 2**20})
    return Status(201, services.import_submit(actor=request.user, filename=file.name or "incidents",
                                              data=file.read()))


@router.get("/stats/imports/{batch_id}", response=ImportOut, summary="One import (analysts)",
            openapi_extra=problems(s403="only analysts", s404="no such import"))
def import_get(request: HttpRequest, batch_id: int):
    return selectors.import_get(actor=request.user, batch_id=batch_id)


@router.get("/stats/imports/{batch_id}/issues", response=list[RowIssueOut],
            summary="The rows of an import that are not incidents, with their reasons (analysts)",
            openapi_extra=problems(s403="only analysts", s404="no such import"))
@paginate(Pagination)
def import_issues(request: HttpRequest, batch_id: int):
    return selectors.import_get(actor=request.user, batch_id=batch_id).issues.order_by("row")
