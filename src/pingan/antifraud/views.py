"""Anti-fraud pages: the centre's home, the case page (report, statements, trace drawing, orders), orders
against the clock, blocks with appeals, warnings with the centre's figures.

Views are thin: parse the request, call one service or selector, render. A ``DomainError`` is shown with
``core.error_messages.page_message`` (in the viewer's language). The trace section of the case page is also
served alone to htmx requests.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.antifraud import access, rules, selectors, services
from pingan.antifraud.flowsvg import LEGEND, flow_svg
from pingan.antifraud.models import (
    Appeal,
    BlockKind,
    Channel,
    Feedback,
    IdentifierKind,
    OrderKind,
    OrderStatus,
    TraceMethod,
    Warning,
    WarningOutcome,
)
from pingan.antifraud.templatetags.antifraud import identifier_from_form, identifier_kind_choices
from pingan.core.confirm import confirm_first
from pingan.core.downloads import day, download_name, file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, NotFound
from pingan.core.texts import join, lang
from pingan.core.web import POLICE, page, request_purpose

PER_PAGE = 50


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, page_message(exc))


def _type_names() -> dict[str, str]:
    zh = lang(when_none="en") == "zh"
    return {c: (n["zh"] if zh else n["en"]) for c, n in rules.fraud_types().items()}


def _list(items: list[str]) -> str:
    """Items joined as a list reads in the active language (、 in Chinese, a comma in English)."""
    return join(items, when_none="en")


def _identifiers(text: str) -> list[dict]:
    """The suspect identifiers typed one per line as ``kind: value``: the kind is its name in either language
    (电话号码, phone number) or its code (``phone``), the colon half- or full-width. A line whose kind is not
    one of these is refused with its line number, not dropped."""
    names = {}
    for kind in IdentifierKind:
        names[kind.value] = kind
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(kind.label).casefold()] = kind
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.replace("：", ":").partition(":")
        kind = names.get(name.strip().casefold())
        if not colon or kind is None or not value.strip():
            raise DomainError(
                f"line {n} of the suspect identifiers, {line.strip()!r}, is not a kind, a colon and a value",
                code="bad_identifier_line", params={"line": n, "text": line.strip()})
        found.append({"kind": kind.value, "value": value.strip()})
    return found


#: What a value of each kind must look like, said beside the row when it does not (issue 11: identifiers
#: were typed as "kind: value" and a wrong one was named by line number).
_KIND_HINTS = {
    "bank_account": gettext_lazy(
        "“%(value)s” is not a bank account number: 8 to 30 digits (spaces and dashes are fine)."),
    "phone": gettext_lazy(
        "“%(value)s” is not a phone number: a mainland number such as 13900000000, or + and the country code "
        "for one abroad."),
    "domain": gettext_lazy("“%(value)s” has no valid domain name: write it as example.com."),
    "url": gettext_lazy(
        "“%(value)s” has no valid web address: write it as https://example.com/pay or example.com/pay."),
    "im": gettext_lazy(
        "“%(value)s”: give the platform and the account with a colon between them (e.g. WeChat:abc123, "
        "QQ:12345)."),
    "app": gettext_lazy("Give the app's name or package name."),
    "wallet": gettext_lazy("Give the wallet address."),
}

#: Blank identifier rows the new-report page offers (more with "Add an identifier").
IDENTIFIER_ROWS = 4


def _identifier_rows(data) -> tuple[list[dict], list[dict]]:
    """The identifier rows (``id_kind`` / ``id_value``, repeated): ``(identifiers, rows)``, each row as typed
    with ``error`` (its message in the reader's language, ``""`` if none); a row without a value is skipped."""
    from pingan.antifraud.identifiers import IdentifierError, normalise

    kinds, values = data.getlist("id_kind"), data.getlist("id_value")
    found, rows = [], []
    for i in range(max(len(kinds), len(values))):
        chosen = kinds[i] if i < len(kinds) else ""
        typed = (values[i] if i < len(values) else "").strip()
        row = {"kind": chosen, "value": typed, "error": "", "n": i + 1}
        rows.append(row)
        if not typed:
            continue
        kind, value = identifier_from_form(chosen, typed)  # im:<platform> + account → im, platform:account
        if kind not in IdentifierKind.values:
            row["error"] = _("Choose what kind of identifier “%(value)s” is.") % {"value": typed[:60]}
            continue
        try:
            normalise(kind, value)
        except IdentifierError:
            row["error"] = str(_KIND_HINTS[kind]) % {"value": typed[:60]}
            continue
        found.append({"kind": kind, "value": value})
    return found, rows


def _who(event) -> str:
    """Who made an order's step: the account, else what acted (the deadline task, a command: the agent kept
    with the step) in the reader's language; a step from before agents were kept reads as the system."""
    from pingan.core import audit

    if event.actor_id:
        return event.actor.shown_name
    what, behalf = audit.agent_text(event.detail)
    return f"{what} ({behalf})" if behalf else what


def _yuan_to_cents(text: str) -> int:
    text = (text or "0").replace(",", "").replace("，", "").strip() or "0"
    try:
        value = round(float(text) * 100)
    except ValueError:
        raise DomainError(f"{text!r} is not an amount", code="bad_amount",
                          params={"what": "amount", "value": text}) from None
    if value < 0:
        raise DomainError(f"{text!r} is negative", code="bad_amount", params={"what": "amount", "value": text})
    return value


def _when(text: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return timezone.now()
    return timezone.make_aware(t) if timezone.is_naive(t) else t


@require_GET
@page(roles=POLICE)
def home(request: HttpRequest) -> HttpResponse:
    """Reports (paginated), what needs attention, links to blocks and warnings."""
    reports = Paginator(selectors.report_list(actor=request.user, purpose=request_purpose(request)), PER_PAGE).get_page(
        request.GET.get("page"))
    attention = selectors.orders_attention(actor=request.user, purpose=request_purpose(request))
    return TemplateResponse(request, "antifraud/home.html", {
        "reports": reports, "attention": attention, "types": _type_names(),
        "centre": access.is_centre_staff(request.user), "can_write": request.user.role in access.WRITERS,
        "sees_all": request.user.role == "analyst" or access.is_centre_staff(request.user),
    })


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def report_new(request: HttpRequest) -> HttpResponse:
    """Take a report: victim, loss, channel, fraud type, one transfer and the suspect identifiers (a row each:
    the kind chosen from a list, the value; a wrong value is said on its row). Typed ``kind: value`` lines are
    still read under "for experts"."""
    values = request.POST if request.method == "POST" else {}
    rows: list[dict] = []
    if request.method == "POST":
        p = request.POST
        identifiers, rows = _identifier_rows(p)
        try:
            transfers = []
            if p.get("to_account", "").strip():
                transfers.append({"at": _when(p.get("transfer_at", "")), "to_account": p["to_account"],
                                  "amount_cents": _yuan_to_cents(p.get("transfer_yuan", "")),
                                  "from_account": p.get("from_account", ""), "to_name": p.get("to_name", ""),
                                  "to_bank": p.get("to_bank", "")})
            identifiers += _identifiers(p.get("identifiers", ""))
            if any(r["error"] for r in rows):
                raise DomainError("an identifier row is wrong", code="bad_identifier_rows", params={})
            report = services.report_create(
                actor=request.user, victim_name=p.get("victim_name", ""), victim_phone=p.get("victim_phone", ""),
                victim_address=p.get("victim_address", ""), reported_at=_when(p.get("reported_at", "")),
                fraud_type=p.get("fraud_type", ""), loss_cents=_yuan_to_cents(p.get("loss_yuan", "")),
                channel=p.get("channel", "other"), narrative=p.get("narrative", ""), transfers=transfers,
                identifiers=identifiers)
        except DomainError as exc:
            _fail(request, exc)
        else:
            return redirect("antifraud:report", report.pk)
    rows = rows + [{"kind": "", "value": "", "error": "", "n": len(rows) + i + 1}
                   for i in range(max(IDENTIFIER_ROWS - len(rows), 1))]
    return TemplateResponse(request, "antifraud/report_new.html", {
        "types": _type_names(), "channels": Channel.choices, "kinds": _list([str(k.label) for k in IdentifierKind]),
        "kind_choices": identifier_kind_choices(), "id_rows": rows, "v": values},
        status=400 if any(r["error"] for r in rows) else 200)


def _case_context(request: HttpRequest, report_id: int) -> dict:
    report = selectors.report_get(actor=request.user, report_id=report_id, purpose=request_purpose(request))
    run = selectors.trace_latest(actor=request.user, report=report)
    graph = None
    if run:
        words = {"victim": _("victim"), "hop": _("hop {n}")}
        names = {"victim": _("the victim's account"), "account": _("passed through"), "held": _("held"),
                 "no_statement": _("next query"), "stop": _("stop")}
        graph = {"svgs": [("across", flow_svg(run.result, labels=words)),  # a column per hop; a phone: a row
                          ("down", flow_svg(run.result, labels=words, vertical=True))],
                 "legend": [(colour, names[kind]) for kind, colour in LEGEND]}
    return {
        "report": report, "types": _type_names(), "series": selectors.series_of(actor=request.user, report=report),
        "transfers": report.transfers.all(), "identifiers": report.identifiers.all(),
        "statements": selectors.statements_of(actor=request.user, report=report),
        "trace": run, "graph": graph, "orders": selectors.order_list(actor=request.user, report=report),
        "methods": TraceMethod.choices, "kinds": identifier_kind_choices(),
        "can_write": request.user.role in access.WRITERS,
    }


@require_GET
@page(roles=POLICE)
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    """The case page."""
    return TemplateResponse(request, "antifraud/report.html", _case_context(request, report_id))


@require_POST
@page(roles=POLICE)
def identifier_add(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    try:
        kind, value = identifier_from_form(request.POST.get("kind", ""), request.POST.get("value", ""))
        services.identifier_add(actor=request.user, report=report, kind=kind, value=value,
                                note=request.POST.get("note", ""))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("antifraud:report", report_id)


@require_POST
@page(roles=POLICE)
def statement_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    f = request.FILES.get("statement")
    if f is None:
        messages.error(request, _("Choose the statement file."))
        return redirect("antifraud:report", report_id)
    try:
        stmt = services.statement_import(actor=request.user, report=report, data=f.read(), filename=f.name,
                                         account=request.POST.get("account", ""), bank=request.POST.get("bank", ""))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(file)s: %(a)s rows accepted, %(d)s already stored, %(r)s rejected.")
                         % {"file": stmt.filename, "a": stmt.accepted, "d": stmt.duplicates,
                            "r": len(stmt.rejections)})
    return redirect("antifraud:report", report_id)


@require_POST
@page(roles=POLICE)
def trace(request: HttpRequest, report_id: int) -> HttpResponse:
    """Run a trace; htmx gets the trace section alone."""
    report = selectors.report_get(actor=request.user, report_id=report_id, audit_read=False)
    try:
        hops = int(request.POST.get("max_hops", "5") or 5)
    except ValueError:
        hops = 5
    try:
        services.trace_run(actor=request.user, report=report, method=request.POST.get("method", "fifo"),
                           max_hops=hops)
    except DomainError as exc:
        _fail(request, exc)
    if request.htmx and not request.htmx.boosted:
        return TemplateResponse(request, "antifraud/partials/trace.html", _case_context(request, report_id))
    return redirect("antifraud:report", report_id)


@require_POST
@page(roles=POLICE)
def orders_draft(request: HttpRequest, trace_id: int) -> HttpResponse:
    run = selectors.trace_get(actor=request.user, trace_id=trace_id)
    try:
        made = services.orders_from_trace(actor=request.user, trace=run,
                                          kind=request.POST.get("kind", OrderKind.STOP_PAYMENT))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(n)s orders drafted.") % {"n": len(made)})
    return redirect("antifraud:report", run.report_id)


@require_GET
@page(roles=POLICE)
def orders(request: HttpRequest) -> HttpResponse:
    """Overdue, expiring, awaiting approval, awaiting the bank: the list that cannot be missed."""
    return TemplateResponse(request, "antifraud/orders.html", {
        "attention": selectors.orders_attention(actor=request.user, purpose=request_purpose(request)),
        "now": timezone.now()})


@require_GET
@page(roles=POLICE)
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    o = selectors.order_get(actor=request.user, order_id=order_id, purpose=request_purpose(request))
    v = rules.legal(version=o.basis_version)
    zh = lang(when_none="en") == "zh"
    section = v["freeze"] if o.kind == OrderKind.FREEZE else v["stop_payment"]
    return TemplateResponse(request, "antifraud/order.html", {
        "order": o, "events": [(e, _who(e)) for e in o.events.select_related("actor").order_by("at", "id")],
        "basis": section["citation"] if zh else section["citation_en"], "feedbacks": Feedback.choices,
        "plans": o.return_plans.all(), "is_chief": request.user.role == "station_chief",
        "queue_note": v["freeze"]["queue_promotion_note" if zh else "queue_promotion_note_en"],
        "send_by": selectors.send_by(o) if o.status == OrderStatus.APPROVED else None, "now": timezone.now(),
    })


STEPS = {"approve", "send", "feedback", "renew", "lift", "return"}


@require_POST
@page(roles=POLICE)
def order_step(request: HttpRequest, order_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise NotFound(f"no step {step}")
    o = selectors.order_get(actor=request.user, order_id=order_id, purpose=request_purpose(request))
    p, target = request.POST, o.pk
    if step == "lift" and (confirm := confirm_first(request, action=_("Lift"), what=o.account)):
        return confirm
    try:
        if step == "approve":
            services.order_approve(actor=request.user, order=o)
        elif step == "send":
            services.order_send(actor=request.user, order=o)
        elif step == "feedback":
            executed = _yuan_to_cents(p["executed_yuan"]) if p.get("executed_yuan", "").strip() else None
            services.order_feedback(actor=request.user, order=o, feedback=p.get("feedback", ""),
                                    executed_cents=executed)
        elif step == "renew":
            target = services.order_renew(actor=request.user, order=o).pk
        elif step == "lift":
            services.order_lift(actor=request.user, order=o, reason=p.get("reason", ""))
        else:
            services.return_plan_create(actor=request.user, order=o)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("antifraud:order", target)


@require_GET
@page(roles=POLICE)
def order_notice(request: HttpRequest, order_id: int) -> HttpResponse:
    pdf, name = selectors.order_notice_pdf(actor=request.user, order_id=order_id, purpose=request_purpose(request))
    return file_response(pdf, "application/pdf", name, inline=True)


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def blocks(request: HttpRequest) -> HttpResponse:
    """Block list with the form to add one (centre staff) and the exports."""
    if request.method == "POST":
        p = request.POST
        try:
            expires = _when(p["expires_at"]) if p.get("expires_at") else None
            b = services.block_create(actor=request.user, kind=p.get("kind", ""), value=p.get("value", ""),
                                      reason=p.get("reason", ""), evidence=p.get("evidence", ""), expires_at=expires)
        except DomainError as exc:
            _fail(request, exc)
        else:
            return redirect("antifraud:block", b.pk)
    status = request.GET.get("status") or None
    page_obj = Paginator(selectors.blocks_shown(actor=request.user, status=status), PER_PAGE).get_page(
        request.GET.get("page"))
    return TemplateResponse(request, "antifraud/blocks.html", {
        "blocks": page_obj, "kinds": BlockKind.choices, "centre": access.is_centre_staff(request.user)})


@require_GET
@page(roles=POLICE)
def blocks_rpz(request: HttpRequest) -> HttpResponse:
    # a DNS zone a resolver loads: its name is the zone's (RPZ), the same for every reader
    return file_response(selectors.rpz_export(actor=request.user), "text/dns; charset=utf-8", "rpz.pingan.zone")


@require_GET
@page(roles=POLICE)
def blocks_numbers(request: HttpRequest) -> HttpResponse:
    return file_response(selectors.numbers_export(actor=request.user), "text/csv; charset=utf-8",
                         download_name(pgettext("name of a downloaded file", "blocked numbers"), day(), ext="csv"))


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def block(request: HttpRequest, block_id: int) -> HttpResponse:
    """A block with its Art. 32 notice (reason, appeal route, documents), appeals, and the centre's actions."""
    b = selectors.block_get(actor=request.user, block_id=block_id)
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        if action in ("lift", "uphold") and (confirm := confirm_first(
                request, action=_("Lift") if action == "lift" else _("Uphold: lift now"), what=b.key)):
            return confirm
        try:
            if action == "appeal":
                services.appeal_file(actor=request.user, block=b, appellant=p.get("appellant", ""),
                                     contact=p.get("contact", ""), reason=p.get("reason", ""),
                                     documents=p.getlist("documents"))
            elif action in ("uphold", "reject"):
                appeal = Appeal.objects.filter(block=b, pk=p.get("appeal") or 0).first()
                if appeal is None:
                    raise NotFound("appeal not found")
                services.appeal_decide(actor=request.user, appeal=appeal, upheld=action == "uphold",
                                       note=p.get("note", ""))
            elif action == "lift":
                services.block_lift(actor=request.user, block=b, reason=p.get("reason", ""))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("antifraud:block", b.pk)
    v = rules.legal(version=b.basis_version)["restriction"]
    zh = lang(when_none="en") == "zh"
    return TemplateResponse(request, "antifraud/block.html", {
        "block": b, "appeals": b.appeals.order_by("-received_at"), "centre": access.is_centre_staff(request.user),
        "basis": v["citation"] if zh else v["citation_en"], "route": v["appeal_route"] if zh else v["appeal_route_en"],
        "documents": v["documents"] if zh else v["documents_en"]})


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def warnings(request: HttpRequest) -> HttpResponse:
    """Warnings to act on, the contact-record import (centre), and the centre's figures."""
    if request.method == "POST":
        f = request.FILES.get("records")
        if f is None:
            messages.error(request, _("Choose the contact-record file."))
        else:
            try:
                imp = services.contacts_import(actor=request.user, data=f.read(), filename=f.name)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("%(file)s: %(t)s records, %(m)s matched a listed identifier, %(w)s "
                                            "warnings created, %(s)s already warned recently, %(r)s rejected.")
                                 % {"file": imp.filename, "t": imp.total_rows, "m": imp.matched, "w": imp.warned,
                                    "s": imp.suppressed, "r": len(imp.rejections)})
        return redirect("antifraud:warnings")
    open_only = request.GET.get("all") is None
    qs = selectors.warning_list(actor=request.user, purpose=request_purpose(request))
    if open_only:
        qs = qs.filter(outcome="")
    return TemplateResponse(request, "antifraud/warnings.html", {
        "warnings": Paginator(qs.order_by("due_at", "id"), PER_PAGE).get_page(request.GET.get("page")),
        "figures": selectors.centre_figures(actor=request.user), "outcomes": WarningOutcome.choices,
        "centre": access.is_centre_staff(request.user), "types": _type_names(), "open_only": open_only,
        "now": timezone.now()})


@require_POST
@page(roles=POLICE)
def warning_outcome(request: HttpRequest, warning_id: int) -> HttpResponse:
    w = Warning.objects.filter(pk=warning_id).first()
    if w is None:
        raise NotFound(f"warning {warning_id} not found")
    try:
        services.warning_outcome(actor=request.user, warning=w, outcome=request.POST.get("outcome", ""),
                                 note=request.POST.get("note", ""))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("antifraud:warnings")
