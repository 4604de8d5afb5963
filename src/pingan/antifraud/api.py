"""Anti-fraud API (``/api/v1/antifraud/...``): reports, statements, traces, orders, blocks and appeals,
contact records and warnings, the centre's figures, and the real-time event check. Thin handlers: parse,
one selector or service, return; a ``DomainError`` becomes an RFC 9457 problem (declared per operation).
Lists paginate (``limit``/``offset``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pingan.antifraud import access, rules, selectors, services
from pingan.antifraud.models import Appeal, Warning
from pingan.antifraud.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    AttentionOut,
    BlockIn,
    BlockOut,
    ContactImportOut,
    DetectionOut,
    DraftOrdersIn,
    EventIn,
    FeedbackIn,
    FiguresOut,
    FraudTypeOut,
    IdentifierIn,
    IdentifierOut,
    OrderIn,
    OrderOut,
    OutcomeIn,
    ReasonIn,
    ReceiptIn,
    ReportDetailOut,
    ReportIn,
    ReportOut,
    ReturnPlanOut,
    StatementOut,
    TraceIn,
    TraceOut,
    WarningOut,
)
from pingan.core.apiutil import Pagination
from pingan.core.downloads import file_response
from pingan.core.errors import NotFound

router = Router(tags=["antifraud"])

MAX_UPLOAD = 200 * 2**20

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}, "code": {"type": "string"}}}}}
_WHY = {400: "a business rule was broken (problem `code` says which)", 403: "the caller's role may not do this",
        404: "not found, or not visible to the caller"}


def problems(*statuses: int) -> dict:
    """``openapi_extra`` declaring the RFC 9457 problem responses of an operation."""
    return {"responses": {s: {"description": _WHY[s], "content": _PROBLEM} for s in statuses}}


def _report_detail(request, report_id: int) -> dict:
    report = selectors.report_get(actor=request.user, report_id=report_id)
    series = selectors.series_of(actor=request.user, report=report)
    report.series = [{"report": r.pk, "shared": why} for r, why in series]
    return report


@router.get("/antifraud/fraud-types", response=list[FraudTypeOut], summary="The MPS fraud-type taxonomy")
def fraud_types(request: HttpRequest):
    return [{"code": c, **names} for c, names in rules.fraud_types().items()]


@router.get("/antifraud/reports", response=list[ReportOut], summary="Fraud reports the caller may see")
@paginate(Pagination)
def report_list(request: HttpRequest):
    return selectors.report_list(actor=request.user)


@router.post("/antifraud/reports", response={201: ReportDetailOut}, summary="Take a fraud report",
             openapi_extra=problems(400, 403))
def report_create(request: HttpRequest, body: ReportIn):
    data = body.dict()
    report = services.report_create(actor=request.user, **data)
    return Status(201, _report_detail(request, report.pk))


@router.get("/antifraud/reports/{report_id}", response=ReportDetailOut,
            summary="A report with transfers, identifiers and its series", openapi_extra=problems(404))
def report_get(request: HttpRequest, report_id: int):
    return _report_detail(request, report_id)


@router.post("/antifraud/reports/{report_id}/identifiers", response={201: IdentifierOut},
             summary="Add a suspect identifier", openapi_extra=problems(400, 403, 404))
def identifier_add(request: HttpRequest, report_id: int, body: IdentifierIn):
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    return Status(201, services.identifier_add(actor=request.user, report=report, **body.dict()))


@router.post("/antifraud/reports/{report_id}/statements", response={201: StatementOut},
             summary="Import a bank statement (CSV/XLSX)", openapi_extra=problems(400, 403, 404))
def statement_import(request: HttpRequest, report_id: int, statement: File[UploadedFile], account: Form[str] = "",
                     bank: Form[str] = ""):
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    if statement.size is not None and statement.size > MAX_UPLOAD:
        from pingan.core.errors import DomainError

        raise DomainError(f"{statement.name}: larger than {MAX_UPLOAD} bytes; split it", code="too_large")
    return Status(201, services.statement_import(actor=request.user, report=report, data=statement.read(),
                                                 filename=statement.name or "statement", account=account, bank=bank))


@router.post("/antifraud/reports/{report_id}/traces", response={201: TraceOut}, summary="Trace the victims' money",
             openapi_extra=problems(400, 403, 404))
def trace_run(request: HttpRequest, report_id: int, body: TraceIn):
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    return Status(201, services.trace_run(actor=request.user, report=report, method=body.method,
                                          max_hops=body.max_hops))


@router.get("/antifraud/traces/{trace_id}", response=TraceOut, summary="A trace", openapi_extra=problems(404))
def trace_get(request: HttpRequest, trace_id: int):
    return selectors.trace_get(actor=request.user, trace_id=trace_id)


@router.post("/antifraud/traces/{trace_id}/orders", response={201: list[OrderOut]},
             summary="Draft orders for the accounts holding the money", openapi_extra=problems(400, 403, 404))
def orders_from_trace(request: HttpRequest, trace_id: int, body: DraftOrdersIn):
    run = selectors.trace_get(actor=request.user, trace_id=trace_id)
    return Status(201, services.orders_from_trace(actor=request.user, trace=run, kind=body.kind,
                                                  min_cents=body.min_cents))


@router.post("/antifraud/reports/{report_id}/orders", response={201: OrderOut}, summary="Draft one order",
             openapi_extra=problems(400, 403, 404))
def order_draft(request: HttpRequest, report_id: int, body: OrderIn):
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    return Status(201, services.order_draft(actor=request.user, report=report, **body.dict()))


@router.get("/antifraud/orders", response=list[OrderOut], summary="Orders, soonest deadline first")
@paginate(Pagination)
def order_list(request: HttpRequest):
    return selectors.order_list(actor=request.user)


@router.get("/antifraud/orders/attention", response=AttentionOut,
            summary="Overdue, expiring, awaiting approval, approved to send, awaiting the bank")
def orders_attention(request: HttpRequest):
    return selectors.orders_attention(actor=request.user)


def _order(request, order_id: int):
    return selectors.order_get(actor=request.user, order_id=order_id)


@router.post("/antifraud/orders/{order_id}/approve", response=OrderOut, summary="Approve (a chief, not the drafter)",
             openapi_extra=problems(400, 403, 404))
def order_approve(request: HttpRequest, order_id: int):
    return services.order_approve(actor=request.user, order=_order(request, order_id))


@router.post("/antifraud/orders/{order_id}/send", response=OrderOut, summary="Record that it was sent",
             openapi_extra=problems(400, 403, 404))
def order_send(request: HttpRequest, order_id: int):
    return services.order_send(actor=request.user, order=_order(request, order_id))


@router.post("/antifraud/orders/{order_id}/feedback", response=OrderOut, summary="Record the bank's answer",
             openapi_extra=problems(400, 403, 404))
def order_feedback(request: HttpRequest, order_id: int, body: FeedbackIn):
    return services.order_feedback(actor=request.user, order=_order(request, order_id), **body.dict())


@router.post("/antifraud/orders/{order_id}/renew", response={201: OrderOut}, summary="Draft the renewal",
             openapi_extra=problems(400, 403, 404))
def order_renew(request: HttpRequest, order_id: int):
    return Status(201, services.order_renew(actor=request.user, order=_order(request, order_id)))


@router.post("/antifraud/orders/{order_id}/lift", response=OrderOut, summary="Lift",
             openapi_extra=problems(400, 403, 404))
def order_lift(request: HttpRequest, order_id: int, body: ReasonIn):
    return services.order_lift(actor=request.user, order=_order(request, order_id), reason=body.reason)


@router.post("/antifraud/orders/{order_id}/return-plan", response={201: ReturnPlanOut},
             summary="Plan the return of the frozen money", openapi_extra=problems(400, 403, 404))
def return_plan(request: HttpRequest, order_id: int):
    return Status(201, services.return_plan_create(actor=request.user, order=_order(request, order_id)))


@router.get("/antifraud/orders/{order_id}/notice.pdf", summary="The notice to the bank (PDF)",
            openapi_extra={**problems(404), "responses": {**problems(404)["responses"], 200: {
                "description": "the notice", "content": {"application/pdf": {}}}}})
def order_notice(request: HttpRequest, order_id: int):
    pdf, name = selectors.order_notice_pdf(actor=request.user, order_id=order_id)
    return file_response(pdf, "application/pdf", name, inline=True)


@router.get("/antifraud/blocks", response=list[BlockOut], summary="Blocks (centre and analysts)")
@paginate(Pagination)
def block_list(request: HttpRequest, status: str | None = None):
    return selectors.blocks_shown(actor=request.user, status=status)


@router.post("/antifraud/blocks", response={201: BlockOut}, summary="Block a number, domain/URL or app",
             openapi_extra=problems(400, 403, 404))
def block_create(request: HttpRequest, body: BlockIn):
    data = body.dict()
    rid = data.pop("report_id")
    report = selectors.report_get(actor=request.user, report_id=rid, audit_read=False) if rid else None
    return Status(201, services.block_create(actor=request.user, report=report, **data))


@router.post("/antifraud/blocks/{block_id}/lift", response=BlockOut, summary="Lift a block",
             openapi_extra=problems(400, 403, 404))
def block_lift(request: HttpRequest, block_id: int, body: ReasonIn):
    block = selectors.block_get(actor=request.user, block_id=block_id)
    return services.block_lift(actor=request.user, block=block, reason=body.reason)


@router.post("/antifraud/blocks/{block_id}/appeals", response={201: AppealOut}, summary="Record an appeal (Art. 32)",
             openapi_extra=problems(400, 403, 404))
def appeal_file(request: HttpRequest, block_id: int, body: AppealIn):
    block = selectors.block_get(actor=request.user, block_id=block_id)
    return Status(201, services.appeal_file(actor=request.user, block=block, **body.dict()))


@router.post("/antifraud/appeals/{appeal_id}/decide", response=AppealOut,
             summary="Decide an appeal (upheld: lifted at once)", openapi_extra=problems(400, 403, 404))
def appeal_decide(request: HttpRequest, appeal_id: int, body: AppealDecisionIn):
    appeal = Appeal.objects.filter(pk=appeal_id, block__in=selectors.block_list(actor=request.user)).first()
    if appeal is None:
        raise NotFound(f"appeal {appeal_id} not found")
    return services.appeal_decide(actor=request.user, appeal=appeal, upheld=body.upheld, note=body.note)


@router.get("/antifraud/blocks/export.rpz", summary="Blocked domains as a DNS RPZ zone file",
            openapi_extra={"responses": {200: {"description": "zone file", "content": {"text/dns": {}}}}})
def export_rpz(request: HttpRequest):
    return HttpResponse(selectors.rpz_export(actor=request.user), content_type="text/dns; charset=utf-8")


@router.get("/antifraud/blocks/export-numbers.csv", summary="Blocked numbers in the carriers' CSV",
            openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}})
def export_numbers(request: HttpRequest):
    return HttpResponse(selectors.numbers_export(actor=request.user), content_type="text/csv; charset=utf-8")


@router.post("/antifraud/contacts", response={201: ContactImportOut},
             summary="Import contact records and warn likely victims", openapi_extra=problems(400, 403))
def contacts_import(request: HttpRequest, records: File[UploadedFile]):
    return Status(201, services.contacts_import(actor=request.user, data=records.read(),
                                                filename=records.name or "contacts.csv"))


@router.get("/antifraud/warnings", response=list[WarningOut], summary="Warnings the caller must act on or may see")
@paginate(Pagination)
def warning_list(request: HttpRequest):
    return selectors.warning_list(actor=request.user)


@router.post("/antifraud/warnings/{warning_id}/outcome", response=WarningOut, summary="Record a warning's outcome",
             openapi_extra=problems(400, 403, 404))
def warning_outcome(request: HttpRequest, warning_id: int, body: OutcomeIn):
    w = Warning.objects.filter(pk=warning_id).first()
    if w is None:
        raise NotFound(f"warning {warning_id} not found")
    return services.warning_outcome(actor=request.user, warning=w, outcome=body.outcome, note=body.note)


@router.post("/antifraud/sms/{gateway_ref}/receipt", response={204: None}, summary="An SMS delivery receipt",
             openapi_extra=problems(403, 404))
def sms_receipt(request: HttpRequest, gateway_ref: str, body: ReceiptIn):
    access.require_centre(request.user, "post SMS receipts")
    services.sms_receipt(gateway_ref=gateway_ref, delivered=body.delivered)
    return Status(204, None)


@router.post("/antifraud/events", response=DetectionOut, summary="Check one real-time event against the watchlist",
             openapi_extra=problems(403))
def event_check(request: HttpRequest, body: EventIn):
    access.require_centre(request.user, "submit real-time events")
    hit = services.realtime_event(body.dict())
    if hit is None:
        return {"listed": False}
    return {"listed": True, "priority": hit.priority, "listed_by": hit.listed_by}


@router.get("/antifraud/figures", response=FiguresOut, summary="The centre's figures (counts, no personal data)")
def figures(request: HttpRequest):
    return selectors.centre_figures(actor=request.user)

