"""Statistics pages: the unit picker, a unit's CompStat page (and its PDF, CSV/XLSX, public release), the
drill-down to incidents, an incident with its reclassifications, the downgrade watch, the imports.

Views stay thin: parse, call one selector or service (they scope, audit and raise), render. One view serves
the full page and its htmx partial (``request.htmx``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pingan.core.downloads import day, download_name, file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError
from pingan.core.models import Role
from pingan.core.paging import counted, kept_query, query_without_page
from pingan.core.web import POLICE, page
from pingan.stats import classify, exports, present, report, selectors, services
from pingan.stats.forms import CompStatForm, DrillForm, ReclassifyForm, UploadForm
from pingan.stats.models import RowIssue

WATCH = frozenset({Role.STATION_CHIEF, Role.ANALYST})
ANALYSTS = frozenset({Role.ANALYST})
PER_PAGE = 50


def _compstat_params(request: HttpRequest) -> tuple[dt.date | None, str | None]:
    form = CompStatForm(request.GET)
    if not form.is_valid():
        return None, None
    return form.cleaned_data["as_of"], form.cleaned_data["scheme"] or None


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    return file_response(data, content_type, filename)


def _sheets_download(sheets: list[exports.Sheet], parts: tuple[str, ...], fmt: str) -> HttpResponse:
    """The sheets as an XLSX workbook, or the first as CSV, named from ``parts`` (what, the unit by its name,
    the dates: ``download_name``); 404 for another format."""
    if fmt == "csv":
        return _download(exports.to_csv(sheets[0]), exports.CSV_TYPE, download_name(*parts, ext="csv"))
    if fmt == "xlsx":
        return _download(exports.to_xlsx(sheets), exports.XLSX_TYPE, download_name(*parts, ext="xlsx"))
    raise Http404(f"unknown format {fmt!r}")


#: Rows not imported per page of an import's page.
ISSUES_PER_PAGE = 100
#: Imports the statistics home lists (the latest; the imports page has them all, paged).
RECENT_IMPORTS = 10


@require_GET
@page(roles=POLICE)
def index(request: HttpRequest) -> HttpResponse:
    """The units the user may open, as a tree; analysts also get the imports."""
    units = list(selectors.units_visible(actor=request.user).order_by("path"))
    imports, total = [], 0
    if request.user.role == Role.ANALYST:  # the latest few; the imports page pages them all
        every = selectors.import_list(actor=request.user)
        imports, total = list(every[:RECENT_IMPORTS]), every.count()
    return TemplateResponse(request, "stats/index.html", {"units": units, "imports": imports,
                                                          "imports_total": total})


@require_GET
@page(roles=POLICE)
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's CompStat: the windows side by side, clearance, streaks, small multiples, trend, sub-units."""
    as_of, scheme_id = _compstat_params(request)
    try:
        p = selectors.compstat_for_unit(actor=request.user, code=code, as_of=as_of, scheme_id=scheme_id)
    except DomainError as exc:
        if exc.code != "unknown_scheme":
            raise
        messages.error(request, page_message(exc))
        p = selectors.compstat_for_unit(actor=request.user, code=code, as_of=as_of)
    ctx = {**present.compstat_context(p, can_watch=request.user.role in WATCH),
           "form": CompStatForm(initial={"as_of": p.as_of, "scheme": p.scheme.id}),
           "schemes": classify.schemes().values()}
    template = "stats/partials/compstat.html" if request.htmx and not request.htmx.boosted else "stats/unit.html"
    return TemplateResponse(request, template, ctx)


@require_GET
@page(roles=POLICE)
def unit_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The printable weekly report of a unit (A4 PDF)."""
    as_of, scheme_id = _compstat_params(request)
    p = selectors.compstat_for_unit(actor=request.user, code=code, as_of=as_of, scheme_id=scheme_id)
    return _download(report.weekly_pdf(p, generated_by=request.user.shown_name), "application/pdf",
                     report.report_filename(p))


@require_GET
@page(roles=POLICE)
def unit_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The CompStat table (and, in XLSX, the sub-units) as CSV or XLSX."""
    as_of, scheme_id = _compstat_params(request)
    p = selectors.compstat_for_unit(actor=request.user, code=code, as_of=as_of, scheme_id=scheme_id)
    return _sheets_download([exports.compstat_sheet(p), exports.children_sheet(p)],
                            (p.unit.label, "CompStat", day(p.as_of)), fmt)


def _drill(request: HttpRequest, code: str):
    form = DrillForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    unit_obj = selectors.unit_get(actor=request.user, code=code)
    as_of = data.get("as_of") or selectors.default_as_of(unit_obj)
    window = data.get("window") or "ytd"
    period = selectors.period_of(window, as_of)
    scheme_id, category = data.get("scheme") or None, data.get("category") or None
    try:
        qs = selectors.incident_list(actor=request.user, code=code, start=period.start, end=period.end,
                                     scheme_id=scheme_id, category=category)
    except DomainError as exc:  # a category or scheme no link of ours names
        if exc.code in ("unknown_category", "unknown_scheme"):
            raise Http404(exc.message) from None
        raise
    return unit_obj, qs, period, window, scheme_id, category, as_of


@require_GET
@page(roles=POLICE)
def incidents(request: HttpRequest, code: str) -> HttpResponse:
    """The drill-down: the incidents behind a figure (unit subtree, period, category); audited."""
    unit_obj, qs, period, window, scheme_id, category, as_of = _drill(request, code)
    scheme = selectors.scheme_for(unit_obj, scheme_id)
    # the query without its page: the pager adds its own (the links repeated it: ?…&page=2&page=3)
    ctx = {"unit": unit_obj, "page": counted(qs, request.GET.get("page"), PER_PAGE), "period": period,
           "window": window, "scheme": scheme, "category": scheme.category(category) if category else None,
           "as_of": as_of, "query": query_without_page(request.GET)}
    return TemplateResponse(request, "stats/incidents.html", ctx)


@require_GET
@page(roles=POLICE)
def incidents_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The drill-down's incidents as CSV or XLSX (audited like the list)."""
    unit_obj, qs, period, *_rest = _drill(request, code)
    return _sheets_download([exports.incidents_sheet(qs[:100_000])],
                            (unit_obj.label, _("Incidents"), day(period.start), day(period.end)), fmt)


@require_http_methods(["GET", "POST"])
@page(roles=POLICE)
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """One incident (audited), its reclassifications, and for chiefs and analysts the reclassification form."""
    inc = selectors.incident_get(actor=request.user, incident_id=incident_id)
    can_edit = request.user.role in WATCH
    form = ReclassifyForm.for_incident(inc) if can_edit else None
    if request.method == "POST" and can_edit:
        form = ReclassifyForm(request.POST, currency=inc.currency)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
            try:
                services.incident_reclassify(actor=request.user, incident_id=inc.pk,
                                             reason=form.cleaned_data["reason"], **fields)
            except DomainError as exc:
                form.add_error(None, page_message(exc))
            else:
                return redirect("stats:incident", incident_id=inc.pk)
    history = inc.reclassifications.select_related("actor").all()
    return TemplateResponse(request, "stats/incident.html", {"inc": inc, "form": form, "history": history})


@require_GET
@page(roles=WATCH)
def downgrades(request: HttpRequest, code: str) -> HttpResponse:
    """The downgrade watch: per unit, reclassifications to a less serious category or below a value threshold."""
    since = None
    try:
        since = dt.date.fromisoformat(request.GET["since"]) if request.GET.get("since") else None
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date: give the start date as YYYY-MM-DD, for example "
                                  "2024-03-01.") % {"value": request.GET["since"]})
    unit_obj = selectors.unit_get(actor=request.user, code=code)
    watch = selectors.downgrade_watch(actor=request.user, code=code, since=since)
    recent = counted(selectors.reclassification_list(actor=request.user, code=code, downgrades_only=True,
                                                     since=since), request.GET.get("page"))
    return TemplateResponse(request, "stats/downgrades.html", {"unit": unit_obj, "watch": watch, "recent": recent,
                                                                "since": since, "query": kept_query(request.GET,
                                                                                                    ("since",))})


@require_GET
@page(roles=WATCH)
def public_release(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The public release of a period (default: the year to date): blocks × categories, small cells withheld."""
    as_of, scheme_id = _compstat_params(request)
    unit_obj = selectors.unit_get(actor=request.user, code=code)
    as_of = as_of or selectors.default_as_of(unit_obj)
    try:
        start = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else dt.date(as_of.year, 1, 1)
    except ValueError:
        start = dt.date(as_of.year, 1, 1)
    rel = selectors.public_release(actor=request.user, code=code, start=start, end=as_of, scheme_id=scheme_id)
    lang = get_language()
    # in the downloader's language (it was "English / 中文" side by side in every file)
    note = (f"{rel.unit.label} · {rel.period.start}–{rel.period.end} · {present.scheme_text(rel.scheme)} · "
            + _("counts below 3 withheld, with complementary cells so no withheld count follows from the totals; "
                "locations generalised to block level"))
    columns = [rel.scheme.category(c).label(lang) for c in rel.categories]
    if no_data := present.no_data_for_period_text(rel.unit, rel.period.start, rel.period.end, rel.first_day,
                                                   rel.last_day):  # no data is not zero (issue 11)
        sheet = exports.Sheet(str(present.BLOCK_LABEL), [str(present.BLOCK_LABEL), *columns, _("Total")],
                              [[no_data]], None, note)
    else:
        sheet = exports.suppressed_sheet(str(present.BLOCK_LABEL), rel.blocks, columns, rel.table, note)
    return _sheets_download([sheet], (rel.unit.label, _("public release of crime statistics"), day(rel.period.start),
                                      day(rel.period.end)), fmt)


@require_http_methods(["GET", "POST"])
@page(roles=ANALYSTS)
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a bureau template (queued for the worker) and see the recent imports."""
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                batch = services.import_submit(actor=request.user, filename=f.name, data=f.read())
            except DomainError as exc:
                form.add_error("file", page_message(exc))
            else:
                return redirect("stats:import", batch_id=batch.pk)
    return TemplateResponse(request, "stats/imports.html",
                            {"form": form, "batches": counted(selectors.import_list(actor=request.user),
                                                              request.GET.get("page"))})


@require_GET
@page(roles=ANALYSTS)
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One import: its status, the counts and every excluded or rejected row with its reason."""
    batch = selectors.import_get(actor=request.user, batch_id=batch_id)
    issues = counted(batch.issues.order_by("row", "id"), request.GET.get("page"), ISSUES_PER_PAGE)
    template = ("stats/partials/import_status.html" if request.htmx and not request.htmx.boosted
                else "stats/import.html")
    return TemplateResponse(request, template, {"batch": batch, "issues": issues,
                                                "rejected": batch.issues.filter(kind=RowIssue.Kind.REJECTED).count()})


@require_GET
@page(roles=POLICE)
def template_xlsx(request: HttpRequest) -> HttpResponse:
    """The bureau template (XLSX) with its headers and notes."""
    from pingan.core.texts import lang
    from pingan.stats.template import bureau_template_xlsx

    return _download(bureau_template_xlsx(lang()), exports.XLSX_TYPE,
                     download_name(_("Incidents"), pgettext("name of a downloaded file", "template"), ext="xlsx"))
