"""Case-property pages (mobile-first, htmx): the home list with search, an item with its clocks, chain and
the actions the viewer may take, the store's scan counter (camera or handheld scanner), cases with their
seizure lists and transfers, check-outs, inventory counts, label sheets and chain PDFs.

Views are thin: parse the request, call one service or selector, render. A ``DomainError`` is shown with
``core.error_messages.page_message`` (in the viewer's language). The scan counter and the count answer htmx
requests with their result partial alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.core.confirm import confirm_first
from pingan.core.downloads import file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError
from pingan.core.models import Role
from pingan.core.paging import counted, counted_lists
from pingan.core.texts import lang
from pingan.core.web import page, request_purpose
from pingan.evidence import access, chainexport, labels, rules, selectors, services
from pingan.evidence.models import Disposal, Disposition, ItemStatus, Location, Source

PER_PAGE = 50
READERS = access.READERS


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, page_message(exc))


def _category_names() -> dict[str, str]:
    zh = lang(when_none="en") == "zh"
    return {c: (v["zh"] if zh else v["en"]) for c, v in rules.categories().items()}


def _when(text: str, default: dt.datetime | None = None) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return default or timezone.now()
    return timezone.make_aware(t) if timezone.is_naive(t) else t


@require_GET
@page(roles=READERS)
def home(request: HttpRequest) -> HttpResponse:
    """Items the viewer may see (search by label, name or case number), what needs attention."""
    q = request.GET.get("q", "").strip()[:64]
    label = labels.parse(q) if q else None
    if label and selectors.items_scoped(actor=request.user).filter(label=label).exists():
        return redirect("evidence:item", label)  # a scanned label opens the item
    found = selectors.items_list(actor=request.user, q=q, status=request.GET.get("status", ""),
                                 purpose=request_purpose(request))
    items = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "evidence/home.html", {
        "items": items, "q": q, "categories": _category_names(), "statuses": ItemStatus.choices,
        "status": request.GET.get("status", ""), "store": access.is_store_staff(request.user),
        "overdue": selectors.checkouts_overdue(actor=request.user).count(),
        "pending": selectors.checkouts_pending(actor=request.user).count()})


#: An item's check-outs per page of its page; inventory counts per page of the count page.
ITEM_CHECKOUTS_PER_PAGE = 10
COUNTS_PER_PAGE = 20


def _item_context(request: HttpRequest, label: str) -> dict:
    item = selectors.item_get(actor=request.user, label=label, purpose=request_purpose(request))
    user = request.user
    events = list(selectors.item_events(item=item))
    return {
        "item": item, "events": events, "names": selectors.chain_names(events),
        "verdict": services.item_verify(item=item),
        "clocks": selectors.item_clocks(item=item), "categories": _category_names(),
        "files": selectors.files_of(item=item), "store": access.is_store_staff(user),
        "photos": item.attachments.filter(kind="photo"),
        "checkouts": counted(item.checkouts.select_related("borrower", "approver").prefetch_related("extensions"),
                             request.GET.get("checkouts"), ITEM_CHECKOUTS_PER_PAGE),
        "purposes": rules.version(item.rule_version)["checkout"]["purposes"],
        "dispositions": Disposition.choices, "bases": Disposal.Basis.choices, "relations": Disposal.Relation.choices,
        "chief": user.role == Role.STATION_CHIEF, "external": user.role in access.EXTERNAL,
        "police": user.role in access.POLICE_WRITERS,
        "investigator": item.case.investigators.filter(pk=user.pk).exists(),
        "approvers": selectors.colleagues(actor=user, case=item.case, purpose="approver"),
        "default_due": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }


@require_GET
@page(roles=READERS)
def item(request: HttpRequest, label: str) -> HttpResponse:
    """One item: fields, clocks with their citations, the custody chain and its verification, actions."""
    return TemplateResponse(request, "evidence/item.html", _item_context(request, label))


@require_POST
@page(roles=READERS)
def item_action(request: HttpRequest, label: str, action: str) -> HttpResponse:
    """The item page's forms: check-out request and approval, legal hold, unrelated, notice, disposal."""
    p, user = request.POST, request.user
    if action == "dispose" and (confirm := confirm_first(request, action=_("Dispose"), what=label)):
        return confirm
    try:
        if action == "checkout":
            services.checkout_request(actor=user, label=label, purpose=p.get("purpose", ""), reason=p.get("reason", ""),
                                      due_back_at=_when(p.get("due_back_at", ""), timezone.now()))
        elif action == "approve":
            services.checkout_approve(actor=user, checkout_id=int(p.get("checkout", "0") or 0))
        elif action == "extend":
            services.extension_request(actor=user, checkout_id=int(p.get("checkout", "0") or 0),
                                       new_due=_when(p.get("new_due", ""), timezone.now()), reason=p.get("reason", ""))
        elif action == "extension":
            services.extension_decide(actor=user, extension_id=int(p.get("extension", "0") or 0),
                                      approve=p.get("approve") == "1")
        elif action == "hold":
            services.hold_set(actor=user, label=label, on=p.get("on") == "1", reason=p.get("reason", ""))
        elif action == "unrelated":
            services.item_mark_unrelated(actor=user, label=label, reason=p.get("reason", ""))
        elif action == "notice":
            services.item_notice(actor=user, label=label, reason=p.get("reason", ""))
        elif action == "value":
            services.item_value(actor=user, label=label, photos=int(p.get("photos", "0") or 0),
                                value_cents=round(Decimal(p.get("value_yuan", "0") or "0") * 100))
        elif action == "dispose":
            scoped = selectors.items_scoped(actor=user).select_related("case__unit").filter(label=label).first()
            approver = next(iter(_picked(request, "approver", selectors.colleagues(
                actor=user, case=scoped.case if scoped else None, purpose="approver"))), None)
            recipient = services.Recipient(p.get("recipient_name", ""), p.get("recipient_id_number", ""),
                                           p.get("recipient_relation", ""), p.get("proof", "")) \
                if p.get("disposition") == Disposition.RETURN else None
            services.item_dispose(actor=user, label=label, disposition=p.get("disposition", ""),
                                  basis=p.get("basis", ""), approver=approver, recipient=recipient,
                                  witness=p.get("witness", ""))
        elif action == "photo":
            f = request.FILES.get("photo")
            services.item_photo_add(actor=user, label=label, name=f.name if f else "",
                                    data=f.read(services.MAX_IMAGE + 1) if f else b"")
        elif action == "file":
            f = request.FILES.get("file")
            services.digital_file_add(actor=user, label=label, name=f.name if f else "", data=f.read() if f else b"")
    except DomainError as exc:
        _fail(request, exc)
    except (ValueError, ArithmeticError):
        messages.error(request, page_message(DomainError("bad number", code="bad_quantity",
                                                         params={"value": p.get("value_yuan", "")})))
    return redirect("evidence:item", labels.parse(label) or label)


@require_GET
@page(roles=READERS)
def item_chain_pdf(request: HttpRequest, label: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, label=label, purpose=request_purpose(request))
    return file_response(chainexport.chain_document(item), "application/pdf", chainexport.chain_name(item))


@require_GET
@page(roles=READERS)
def item_label_pdf(request: HttpRequest, label: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, label=label, purpose=request_purpose(request))
    return HttpResponse(chainexport.label_sheet([item]), content_type="application/pdf")


@require_GET
@page(roles=READERS)
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    """A digital file, re-hashed now; an altered one is refused (409) and the failure is on the chain."""
    try:
        f, data = selectors.digital_file_open(actor=request.user, file_id=file_id, purpose=request_purpose(request))
    except selectors.Tampered as exc:
        return TemplateResponse(request, "evidence/tampered.html", {"message": page_message(exc)}, status=409)
    return file_response(data, "application/octet-stream", chainexport.digital_file_name(f))


@require_http_methods(["GET", "POST"])
@page(roles=frozenset({Role.CUSTODIAN}))
def scan(request: HttpRequest) -> HttpResponse:
    """The store's counter: scan an item (camera or handheld scanner) and, for intake or a move, the place."""
    if not access.is_store_staff(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("store staff only")
    result, error = None, None
    if request.method == "POST":
        p = request.POST
        try:
            result = services.scan(actor=request.user, label=p.get("label", ""), location_code=p.get("location", ""),
                                   witness=p.get("witness", ""), condition=p.get("condition", ""))
        except DomainError as exc:
            error = page_message(exc)
    ctx = {"result": result, "error": error, "categories": _category_names()}
    if request.htmx:
        return TemplateResponse(request, "evidence/partials/scan_result.html", ctx)
    return TemplateResponse(request, "evidence/scan.html", ctx)


@require_http_methods(["GET", "POST"])
@page(roles=frozenset({Role.CUSTODIAN, Role.ANALYST}))
def count(request: HttpRequest) -> HttpResponse:
    """Inventory count: the location and every label scanned in it; the discrepancies."""
    staff = access.is_store_staff(request.user)
    if not staff and request.user.role != Role.ANALYST:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("store staff only")
    result = None
    if request.method == "POST":
        try:
            result = services.inventory_count(actor=request.user, location_code=request.POST.get("location", ""),
                                              scanned=request.POST.get("scanned", "").split())
        except DomainError as exc:
            _fail(request, exc)
    ctx = {"result": result, "counts": counted(selectors.counts_list(actor=request.user), request.GET.get("page"),
                                               COUNTS_PER_PAGE), "staff": staff,
           "locations": Location.objects.order_by("path")[:500]}
    if request.htmx and result is not None:
        return TemplateResponse(request, "evidence/partials/count_result.html", ctx)
    return TemplateResponse(request, "evidence/count.html", ctx)


@require_http_methods(["GET", "POST"])
@page(roles=READERS)
def cases(request: HttpRequest) -> HttpResponse:
    """Cases the viewer may see; police register a case of their unit."""
    if request.method == "POST":
        try:
            case = services.case_create(actor=request.user, number=request.POST.get("number", ""),
                                        title=request.POST.get("title", ""),
                                        investigators=_picked(request, "investigators",
                                                              selectors.colleagues(actor=request.user,
                                                                                   purpose="investigator")))
        except DomainError as exc:
            _fail(request, exc)
        else:
            return redirect("evidence:case", case.pk)
    rows = Paginator(selectors.cases_list(actor=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "evidence/cases.html", {
        "cases": rows, "police": request.user.role in access.POLICE_WRITERS,
        "colleagues": selectors.colleagues(actor=request.user, purpose="investigator")})


def _data_url_png(text: str) -> bytes:
    """The PNG of the signature pad's ``data:image/png;base64,…`` (empty when it is anything else)."""
    import base64
    import binascii

    head, _, body = text.partition(",")
    if head != "data:image/png;base64":
        return b""
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _parse_items(text: str) -> list[services.ItemIn]:
    """One item per line: ``name | category | quantity unit | features | value in yuan``."""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        if not cells[0]:
            continue
        cells += [""] * (5 - len(cells))
        qty, _, unit = cells[2].partition(" ")
        value = round(Decimal(cells[4].replace(",", "")) * 100) if cells[4] else None
        out.append(services.ItemIn(name=cells[0], category=cells[1] or "other", quantity=qty or "1",
                                   quantity_unit=unit or "件", features=cells[3], value_cents=value,
                                   photos=1 if value else 0))
    return out


#: Blank item rows the seizure-list form offers (more with "Add an item").
ITEM_ROWS = 3
_ITEM_FIELDS = ("name", "category", "qty", "unit", "features", "value")


def _item_rows(data) -> tuple[list[services.ItemIn], list[dict]]:
    """The seizure list's item rows (``item_name``, ``item_category``, ``item_qty``, ``item_unit``,
    ``item_features``, ``item_value``, repeated): ``(items, rows)``, each row as typed with ``errors`` (field →
    message in the reader's language); a row with nothing typed but its category is skipped."""
    columns = {f: data.getlist(f"item_{f}") for f in _ITEM_FIELDS}
    categories = rules.categories()
    items, rows = [], []
    for i in range(max(len(v) for v in columns.values())):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in _ITEM_FIELDS}
        row |= {"n": i + 1, "errors": {}}
        rows.append(row)
        if not any(row[f] for f in ("name", "qty", "features", "value")):
            continue
        errors = row["errors"]
        if not row["name"]:
            errors["name"] = _("Name the item.")
        if row["category"] not in categories:
            errors["category"] = _("Choose the item's category.")
        try:
            qty = Decimal(row["qty"].replace(",", "") or "1")
        except ArithmeticError:
            qty = None
        if qty is None or not qty.is_finite() or qty <= 0:
            errors["qty"] = _("“%(value)s” is not a quantity: a number above 0, e.g. 1 or 2.5.") % {
                "value": row["qty"][:30]}
        value = None
        if row["value"]:
            try:
                value = round(Decimal(row["value"].replace(",", "").replace("，", "")) * 100)
            except (ArithmeticError, ValueError):
                value = -1
            if value < 0:
                errors["value"] = _("“%(value)s” is not an amount in yuan, e.g. 1200 or 1,200.50.") % {
                    "value": row["value"][:30]}
        if not errors:
            items.append(services.ItemIn(name=row["name"], category=row["category"], quantity=qty,
                                         quantity_unit=row["unit"] or "件", features=row["features"],
                                         value_cents=value, photos=1 if value else 0))
    return items, rows


@require_http_methods(["GET", "POST"])
@page(roles=READERS)
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case: its items, seizure lists and transfers; forms for a seizure list, a transfer, a ruling."""
    c = selectors.case_get(actor=request.user, case_id=case_id)
    item_rows: list[dict] = []
    if request.method == "POST":
        p, user = request.POST, request.user
        try:
            form = p.get("form")
            if form == "seizure":
                items, item_rows = _item_rows(p)
                if user.role in access.POLICE_WRITERS and any(r["errors"] for r in item_rows):
                    messages.error(request, _("An item of the list is not right: its row says what to change."))
                    return _case_page(request, c, item_rows=item_rows, seizure=p, status=400)
                sl = services.seizure_list_create(
                    actor=user, case=c, number=p.get("number", ""), source=p.get("source", Source.SEIZED),
                    holder_name=p.get("holder_name", ""), holder_id_number=p.get("holder_id_number", ""),
                    witness_name=p.get("witness_name", ""), place=p.get("place", ""),
                    officers=_picked(request, "officers",
                                     selectors.colleagues(actor=user, case=c, purpose="seizure")),
                    seized_at=_when(p.get("seized_at", "")), items=items + _parse_items(p.get("items", "")))
                done = _("Seizure list %(number)s registered: print it (three copies) from this page.") % {
                    "number": sl.number}
            elif form == "transfer":
                t = services.transfer_send(actor=user, case=c, to_org_code=p.get("to", ""),
                                           item_labels=p.getlist("items"), recommendation=p.get("recommendation", ""))
                done = _("Transfer list %(number)s sent to %(to)s: legal custody passes when they accept it.") % {
                    "number": t.number, "to": t.to_org.label}
            elif form == "accept":
                t = services.transfer_accept(actor=user, transfer_id=int(p.get("transfer", "0") or 0))
                done = _("Transfer list %(number)s accepted: legal custody of its items passed to %(to)s.") % {
                    "number": t.number, "to": t.to_org.label}
            elif form == "sign":
                services.seizure_list_sign(actor=user, list_id=int(p.get("list", "0") or 0), signer=p.get("signer", ""),
                                           png=_data_url_png(p.get("png", "")))
                done = _("Signature kept with the seizure list.")
            elif form == "reject":
                t = services.transfer_reject(actor=user, transfer_id=int(p.get("transfer", "0") or 0),
                                             reason=p.get("reason", ""))
                done = _("Transfer list %(number)s refused: legal custody stays with %(sender)s.") % {
                    "number": t.number, "sender": t.from_org.label}
            elif form == "ruling":
                decisions = {lb: p.get(f"d_{lb}") for lb in p.getlist("items") if p.get(f"d_{lb}")}
                r = services.ruling_record(actor=user, case=c, number=p.get("number", ""),
                                           decided_at=_when(p.get("decided_at", "")).date(), decisions=decisions)
                done = _("Ruling %(number)s recorded: the store disposes of the items under it.") % {
                    "number": r.number}
            else:
                done = ""
            # every form of the case page says what it did (a transfer sent, accepted or refused, a ruling
            # recorded): the page used to come back unchanged but for a status word
            if done:
                messages.success(request, done)
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied") or form not in _KEPT_FORMS:
                _fail(request, exc)
            else:  # the form comes back open with what was typed and the error beside its field
                return _case_page(request, c, item_rows=item_rows, seizure=p if form == "seizure" else None,
                                  failed={"form": form, "sent": form == "transfer", "error": page_message(exc),
                                          "field": _ERROR_FIELD.get(exc.code, str(exc.params.get("field", ""))),
                                          "v": p, "transfer": p.get("transfer", ""),
                                          "items": set(p.getlist("items"))}, status=400)
        except (ValueError, ArithmeticError):
            messages.error(request, page_message(DomainError("bad number", code="bad_quantity",
                                                             params={"value": ""})))
        return redirect("evidence:case", c.pk)
    return _case_page(request, c)


#: Forms of the case page that, refused, come back with what was typed (not a redirect to an empty form).
_KEPT_FORMS = ("seizure", "transfer", "reject", "ruling")
#: The field a refusal is about, shown beside it (otherwise at the top of the form).
_ERROR_FIELD = {"evidence_empty_list": "items", "mixed_transfer": "items", "item_unavailable": "items",
                "transfer_pending": "items", "bad_transfer_target": "to",
                "ruling_exists": "number", "not_in_custody": "items", "bad_disposition": "items"}


def _rulings(c, items) -> list[dict]:
    """The case's recorded rulings with the decision on each item the viewer sees (label, name, disposition in
    the reader's language): the clerk and the police see what was recorded (nothing showed it on the page)."""
    shown = {str(i.pk): i for i in items}
    labels = dict(Disposition.choices)
    return [{"ruling": r, "decisions": [(shown[pk], labels.get(d, d)) for pk, d in r.decisions.items() if pk in shown]}
            for r in c.rulings.select_related("court").order_by("decided_at", "id")]


def _case_page(request: HttpRequest, c, *, item_rows=None, seizure=None, failed=None,
               status: int = 200) -> HttpResponse:
    """The case page; ``item_rows`` and ``seizure`` (what was typed in the seizure-list form) shown again with
    their errors when the list was refused; ``failed`` (form, error, field, typed values ``v``, ``items``): a
    refused form shown open again with what was typed."""
    item_rows = list(item_rows or [])
    item_rows += [{f: "" for f in _ITEM_FIELDS} | {"n": len(item_rows) + i + 1, "errors": {}}
                  for i in range(max(ITEM_ROWS - len(item_rows), 1))]
    items = selectors.items_list(actor=request.user, case_id=c.pk, purpose=request_purpose(request))
    failed = failed or {}
    v = failed.get("v") if failed.get("form") == "ruling" else None
    # the ruling form: each item with the disposition chosen before a refusal (none on a plain visit)
    ruling_items = [(i, v.get(f"d_{i.label}", "") if v is not None else "") for i in items]
    org = access.external_org(request.user)
    transfers = list(selectors.transfers_list(actor=request.user).filter(case=c))
    for t in transfers:  # a procuratorate sees what it sent on too; only what was sent to it waits for its answer
        t.incoming = org is not None and t.to_org.path.startswith(org.path)
    return TemplateResponse(request, "evidence/case.html", {
        "item_rows": item_rows, "seizure": seizure or {}, "rulings": _rulings(c, items), "failed": failed,
        "ruling_items": ruling_items, "ruling_failed": failed if v is not None else {},
        "case": c, "items": items, "transfers": transfers,
        "lists": selectors.seizure_lists_of(actor=request.user, case=c),
        "categories": _category_names(), "police": request.user.role in access.POLICE_WRITERS,
        "present": selectors.colleagues(actor=request.user, case=c, purpose="seizure"),
        "picked": {str(v) for v in (seizure.getlist("officers") if hasattr(seizure, "getlist") else ())},
        "targets": selectors.transfer_targets(actor=request.user),
        "external": request.user.role in access.EXTERNAL, "clerk": request.user.role == Role.COURT_CLERK,
        "store": access.is_store_staff(request.user), "sources": Source.choices, "dispositions": Disposition.choices,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, status=status)


def _picked(request: HttpRequest, field: str, allowed) -> list:
    """The accounts a form picked (``field``: their ids, checkboxes or a select) among ``allowed`` (a
    :func:`selectors.colleagues` query): an id outside it is ignored, and the service says who is missing."""
    ids = [int(v) for v in request.POST.getlist(field) if v.isdigit() and len(v) < 12]
    return list(allowed.filter(pk__in=ids)) if ids else []


def _pdf(data: bytes, name: str) -> HttpResponse:
    return file_response(data, "application/pdf", name, inline=True)


@require_GET
@page(roles=READERS)
def seizure_list_pdf(request: HttpRequest, list_id: int) -> HttpResponse:
    """The seizure list's three printed copies (holder, keeper, file)."""
    sl = selectors.seizure_list_get(actor=request.user, list_id=list_id, purpose=request_purpose(request))
    signatures = selectors.signatures_checked(actor=request.user, seizure_list=sl)
    return _pdf(chainexport.seizure_list_document(sl, signatures), chainexport.seizure_list_name(sl))


@require_GET
@page(roles=READERS)
def transfer_pdf(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """The transfer list's two copies (sender, receiver)."""
    t = selectors.transfer_get(actor=request.user, transfer_id=transfer_id)
    return _pdf(chainexport.transfer_document(t), chainexport.transfer_name(t))


@require_GET
@page(roles=READERS)
def receipt_pdf(request: HttpRequest, label: str) -> HttpResponse:
    """The disposal record, or the return receipt with the recipient's copy."""
    d = selectors.disposal_get(actor=request.user, label=label, purpose=request_purpose(request))
    return _pdf(chainexport.disposal_document(d), chainexport.receipt_name(d))


@require_GET
@page(roles=READERS)
def case_labels(request: HttpRequest, case_id: int) -> HttpResponse:
    """A sheet of labels for every item of the case still in the store's care."""
    c = selectors.case_get(actor=request.user, case_id=case_id)
    items = selectors.items_list(actor=request.user, case_id=c.pk, purpose=request_purpose(request)).order_by("id")
    return _pdf(chainexport.label_sheet(items), chainexport.labels_name(c))


@require_GET
@page(roles=READERS)
def checkouts(request: HttpRequest) -> HttpResponse:
    """Check-outs waiting for approval or hand-out, and those overdue."""
    return TemplateResponse(request, "evidence/checkouts.html", counted_lists(request.GET, {
        "pending": selectors.checkouts_pending(actor=request.user).order_by("requested_at", "id"),
        "overdue": selectors.checkouts_overdue(actor=request.user).order_by("due_back_at", "id")}))


@require_GET
@page(roles=READERS)
def transfers(request: HttpRequest) -> HttpResponse:
    rows = Paginator(selectors.transfers_list(actor=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "evidence/transfers.html", {"transfers": rows,
                                                                 "external": request.user.role in access.EXTERNAL})


@require_http_methods(["GET", "POST"])
@page(roles=frozenset({Role.CUSTODIAN, Role.OFFICER, Role.STATION_CHIEF, Role.ANALYST}))
def filings(request: HttpRequest) -> HttpResponse:
    """Filings with 警务督察 (Art. 13): open ones with their due time, those filed; store staff record them."""
    staff = access.is_store_staff(request.user)
    if request.user.role == Role.CUSTODIAN and not staff:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("store staff only")
    if request.method == "POST":
        try:
            services.filing_record(actor=request.user, filing_id=int(request.POST.get("filing", "0") or 0),
                                   reference=request.POST.get("reference", ""),
                                   supervision=request.POST.get("supervision", ""))
        except DomainError as exc:
            _fail(request, exc)
        except ValueError:
            messages.error(request, page_message(DomainError("bad id", code="evidence_field_required",
                                                             params={"field": "filing"})))
        return redirect("evidence:filings")
    rule = rules.version_at(timezone.localdate())["supervision_filing"]
    every = selectors.filings_list(actor=request.user)
    return TemplateResponse(request, "evidence/filings.html", {
        **counted_lists(request.GET, {"open": every.filter(filed_at__isnull=True).order_by("due_at", "id"),
                                      "filed": every.filter(filed_at__isnull=False).order_by("-filed_at", "-id")}),
        "staff": staff, "now": timezone.now(), "hours": rule["hours"],
        "citation": rule["citation"], "citation_en": rule["citation_en"]})


@require_GET
@page(roles=READERS)
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A photo or signature image, re-hashed now; an altered one is refused (409)."""
    try:
        a, data = selectors.attachment_open(actor=request.user, attachment_id=attachment_id,
                                            purpose=request_purpose(request))
    except selectors.Tampered as exc:
        return TemplateResponse(request, "evidence/tampered.html", {"message": page_message(exc)}, status=409)
    return file_response(data, a.content_type, chainexport.attachment_name(a), inline=True)
