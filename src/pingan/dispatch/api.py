"""Dispatch API (``/api/v1/dispatch/...``): patrol units, their CAD status and AVL positions, who is on
duty, nearest-unit candidates and assignments of an alert, answers, drone missions, the day's response
figures. Thin handlers: parse, one selector or service, return; ``DomainError`` → RFC 9457 problem details.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Status
from ninja.pagination import paginate

from pingan.core.apiutil import Pagination, problems
from pingan.core.errors import DomainError, NotFound
from pingan.core.models import OrgUnit
from pingan.dispatch import selectors, services
from pingan.dispatch.schemas import (
    AssignIn,
    AssignmentAnswerIn,
    AssignmentOut,
    AvlPositionIn,
    AvlPositionOut,
    DroneMissionIn,
    DroneMissionOut,
    OnDutyOut,
    OperationDeployIn,
    OperationDeploymentOut,
    OperationDetailOut,
    OperationIn,
    OperationOut,
    OperationPostIn,
    OperationPostOut,
    OperationReviewIn,
    OperationReviewOut,
    OperationTemplateIn,
    OperationTemplateOut,
    OperationTemplateUpdateIn,
    PatrolUnitOut,
    ResponseFiguresOut,
    UnitCandidateOut,
    UnitStatusIn,
    UnitStatusOut,
)

router = Router(tags=["dispatch"])
_CONFLICT = {"responses": problems({409: "the unit or assignment is not in a state that allows it"})}


@router.get("/dispatch/units", response=list[PatrolUnitOut], summary="Patrol units in the caller's line")
@paginate(Pagination)
def unit_list(request):
    return selectors.patrol_units(actor=request.user).order_by("code")


@router.post("/dispatch/units/{unit_id}/status", response=UnitStatusOut, summary="Change a unit's CAD status")
def unit_status(request, unit_id: int, body: UnitStatusIn):
    """The crew on shift, its station's chiefs and the city's dispatchers; every change is audited."""
    return services.unit_status_set(actor=request.user, patrol_unit_id=unit_id, to=body.to)


@router.post("/dispatch/units/{unit_id}/positions", response=AvlPositionOut, summary="Report an AVL position")
def unit_position(request, unit_id: int, body: AvlPositionIn):
    """Stored in WGS-84 (GCJ-02 and BD-09 converted)."""
    return services.position_report(actor=request.user, patrol_unit_id=unit_id, lon=body.lon, lat=body.lat,
                                     crs=body.crs, at=body.time, source="api", accuracy_m=body.accuracy_m,
                                     battery_pct=body.battery_pct)


@router.get("/dispatch/on-duty", response=OnDutyOut, summary="Who is on duty (from the roster)")
def on_duty(request, unit: str = "", at: dt.datetime | None = None):
    """People and patrol units on shifts containing ``at`` (default now) in ``unit``'s subtree (a unit code;
    default the caller's line)."""
    org = None
    if unit:
        org = OrgUnit.objects.filter(code=unit).first()
        if org is None:
            raise NotFound(f"unit {unit} not found")
    return selectors.on_duty(actor=request.user, unit=org, at=at)


@router.get("/dispatch/alerts/{alert_id}/candidates", response=list[UnitCandidateOut],
            summary="Nearest available suitable units for an alert")
def candidates(request, alert_id: int, limit: int = 5):
    """By estimated travel time: straight line × road factor at the kind's speed (docs/dispatch.md)."""
    alert = selectors.alert_for_dispatch(actor=request.user, alert_id=alert_id)
    return services.candidates(alert=alert, limit=max(1, min(limit, 50)))


@router.post("/dispatch/alerts/{alert_id}/assignments", response=list[AssignmentOut],
             summary="Assign units to an alert", openapi_extra=_CONFLICT)
def assign(request, alert_id: int, body: AssignIn):
    return services.dispatch_assign(actor=request.user, alert_id=alert_id, patrol_unit_ids=body.units,
                                    answer_within_s=body.answer_within_s, reassign=body.reassign)


@router.post("/dispatch/assignments/{assignment_id}/answer", response=AssignmentOut,
             summary="Accept or decline an assignment (the unit's crew)", openapi_extra=_CONFLICT)
def answer(request, assignment_id: int, body: AssignmentAnswerIn):
    return services.assignment_answer(actor=request.user, assignment_id=assignment_id, accept=body.accept)


@router.post("/dispatch/drones/{drone_id}/missions", response=DroneMissionOut, summary="Send a drone",
             openapi_extra=_CONFLICT)
def drone_mission(request, drone_id: int, body: DroneMissionIn):
    """To an alert's position or a given one; refused inside a no-fly zone or beyond the battery's range."""
    if body.alert is None and (body.lon is None or body.lat is None):
        raise DomainError("give an alert or a position (lon, lat)", code="bad_position")
    return services.drone_dispatch(actor=request.user, drone_id=drone_id, alert_id=body.alert,
                                   lon=body.lon if body.lon is not None else 0.0,
                                   lat=body.lat if body.lat is not None else 0.0, crs=body.crs)


@router.get("/dispatch/figures", response=ResponseFiguresOut, summary="The day's response figures per station")
def response_figures(request, day: dt.date | None = None):
    return selectors.response_figures(actor=request.user, day=day)


# ------------------------------------------------------------------------ large-event security (大型安保)


@router.get("/dispatch/operations", response=list[OperationOut], summary="Security operations in the caller's line")
@paginate(Pagination)
def operation_list(request):
    """The centre's dispatchers see the city's operations, a station chief their station's."""
    return selectors.operations(actor=request.user)


@router.post("/dispatch/operations", response={201: OperationOut}, summary="Set up a large-event security operation")
def operation_create(request, body: OperationIn):
    """The area is a polygon of [lon, lat] pairs in ``crs``, stored as WGS-84; ``bad_area`` if not simple."""
    unit = request.user.unit if not body.unit else OrgUnit.objects.filter(code=body.unit).first()
    if unit is None:
        raise NotFound(f"unit {body.unit} not found")
    return Status(201, services.operation_create(
        actor=request.user, unit=unit, name=body.name, venue=body.venue, starts_at=body.starts_at,
        ends_at=body.ends_at, area_points=body.area, crs=body.crs, expected_attendance=body.expected_attendance,
    ))


@router.get("/dispatch/operations/{operation_id}", response=OperationDetailOut,
            summary="An operation: posts, deployed units, alerts inside its area, after-action figures")
def operation_detail(request, operation_id: int):
    return selectors.operation_view(actor=request.user, operation_id=operation_id)


@router.post("/dispatch/operations/{operation_id}/posts", response={201: OperationPostOut},
             summary="Add a post or checkpoint to an operation")
def operation_post(request, operation_id: int, body: OperationPostIn):
    return Status(201, services.operation_post_add(actor=request.user, operation_id=operation_id, name=body.name,
                                                   kind=body.kind, lon=body.lon, lat=body.lat, crs=body.crs))


@router.post("/dispatch/operations/{operation_id}/units", response=list[OperationDeploymentOut],
             summary="Deploy patrol units to an operation (at a post or roving)")
def operation_deploy(request, operation_id: int, body: OperationDeployIn):
    return services.operation_deploy(actor=request.user, operation_id=operation_id,
                                     patrol_unit_ids=body.units, post_id=body.post)


# ---------------------------------------------------------- operation templates and after-action reviews


def _template_out(d: dict) -> dict:
    from importlib import resources

    row, t = d["row"], d["template"]
    if row is None:
        source = resources.files("pingan.dispatch").joinpath(t.path).read_text(encoding="utf-8")
        return {"key": t.id, "version": t.version, "title_en": t.title_en, "title_zh": t.title_zh, "bundled": True,
                "unit": None, "source": source, "updated_at": None}
    return _row_out(row)


def _row_out(row) -> dict:
    return {"key": row.key, "version": row.semver, "title_en": row.title_en, "title_zh": row.title_zh,
            "bundled": False, "unit": row.unit.code, "source": row.source, "updated_at": row.updated_at}


@router.get("/dispatch/operation-templates", response=list[OperationTemplateOut],
            summary="Security-operation templates: the bundled ones and those of the caller's line")
def template_list(request):
    """Dispatchers and station chiefs (403 for other roles)."""
    return [_template_out(d) for d in selectors.templates(actor=request.user)]


@router.post("/dispatch/operation-templates", response={201: OperationTemplateOut},
             summary="Write a security-operation template (checked like the bundled files)")
def template_create(request, body: OperationTemplateIn):
    """``bad_template_document`` names the field (``params.field``) and the parser's words (``params.detail``);
    ``bad_template_key`` when the key is a bundled template's or taken."""
    unit = request.user.unit if not body.unit else OrgUnit.objects.filter(code=body.unit).first()
    if unit is None:
        raise NotFound(f"unit {body.unit} not found")
    row = services.template_create(actor=request.user, unit=unit, key=body.key, source=body.source)
    return Status(201, _row_out(row))


@router.put("/dispatch/operation-templates/{key}", response=OperationTemplateOut,
            summary="Save a new version of a template of the caller's line", openapi_extra=_CONFLICT)
def template_update(request, key: str, body: OperationTemplateUpdateIn):
    """409 ``template_changed`` when it was saved since ``version``; bundled templates are read only (404)."""
    row = selectors.template_row(actor=request.user, key=key)
    return _row_out(services.template_update(actor=request.user, template_pk=row.pk, source=body.source,
                                             expected_version=body.version))


@router.get("/dispatch/operations/{operation_id}/reviews", response=list[OperationReviewOut],
            summary="After-action reviews on record for an operation")
def review_list(request, operation_id: int):
    return selectors.operation_reviews(actor=request.user, operation_id=operation_id)


@router.post("/dispatch/operations/{operation_id}/reviews", response={201: OperationReviewOut},
             summary="Put an after-action review on record (findings and the figures now)")
def review_create(request, operation_id: int, body: OperationReviewIn):
    return Status(201, services.operation_review_record(actor=request.user, operation_id=operation_id,
                                                        findings=body.findings))
