"""Police pages: the jurisdiction view (掌上查询), drill-downs to a premises and a person, and the counts page.

Views stay thin: one selector call (the selectors scope and audit), then render. One view serves the full
page and the htmx partial (``request.htmx``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from pingan.core import texts
from pingan.core.models import Role
from pingan.core.paging import int_param, kept_query, window
from pingan.core.web import POLICE, page
from pingan.dashboard import charts, geo, selectors
from pingan.dashboard.people import IDENTITY_STATUSES, born, hits_for_people
from pingan.lib import places
from pingan.screening.labels import FORMAT_ONLY, doc_type_label, number_checked
from pingan.screening.selectors import PeopleFilter
from pingan.screening.services import LEFT_CONFIRMERS

DEFAULT_STALE_DAYS = getattr(settings, "PINGAN", {}).get("STALE_DAYS", 7)


#: The sections of the jurisdiction page that htmx reloads alone, and their partial templates.
SECTION_TEMPLATES = {name: f"dashboard/partials/{name}.html" for name in ("flagged", "premises", "stale")}


@require_GET
@page(roles=POLICE)
def jurisdiction(request: HttpRequest) -> HttpResponse:
    """掌上查询: counts, search and filters over the flagged people (silent hits first), then premises with
    level and last screening, premises overdue for screening (last screened more than ``days`` days ago, or
    never and registered before that: ``selectors.overdue``) followed, apart, by premises registered since and
    not yet screened.

    ``?section=premises|stale|flagged`` with ``page`` returns just that section (htmx paging); the search
    (``q``, ``level``, ``hit``, ``premises``, ``since``, ``until``, ``reeval``: changed by re-screening) narrows
    the flagged list and its counts.
    """
    days = int_param(request.GET.get("days"), DEFAULT_STALE_DAYS, 1, 365)
    section = request.GET.get("section", "")
    if section and section not in SECTION_TEMPLATES:
        raise BadRequest("unknown section")  # never a template name taken from the request
    where = PeopleFilter.from_query(request.GET)
    # the search looks among the flagged people, or — asked for, with a name, number or phone — among everyone
    # on the jurisdiction's latest rosters (issue 11: it searched the flagged only and did not say so)
    everyone = request.GET.get("scope") == "all" and bool(where.q)
    ctx: dict = {"days": days, "where": where, "everyone": everyone,
                 "query": kept_query(request.GET, (*PeopleFilter.KEYS, "scope"))}
    # htmx asks for one section alone; any other request (a pager's link opened without htmx, a reload, a
    # bookmark) gets the whole page, the named section on the page asked for (issue 11's trial: the page's
    # count tiles were empty when opened with ?section=…)
    alone = section if request.htmx else ""

    def page_of(name: str):
        return request.GET.get("page") if section == name else 1

    if alone in ("", "flagged"):
        if everyone:
            flagged = selectors.jurisdiction_people(actor=request.user, where=where)
            ctx["found"] = flagged.order_by().count()  # a count: nobody named, no audit record
        else:
            flagged = selectors.jurisdiction_flagged(actor=request.user, where=where)
        ctx["flagged"] = window(flagged, page_of("flagged"))
        if not alone and not everyone:
            ctx["counts"] = selectors.jurisdiction_counts(actor=request.user, qs=flagged)
    if alone in ("", "premises"):
        ctx["premises"] = window(selectors.jurisdiction_premises(actor=request.user), page_of("premises"))
    if alone in ("", "stale"):
        ctx["stale"] = window(selectors.jurisdiction_premises(actor=request.user, due_days=days), page_of("stale"))
    if alone:
        return TemplateResponse(request, SECTION_TEMPLATES[alone], ctx)
    return TemplateResponse(request, "dashboard/jurisdiction.html", ctx)


@require_GET
@page(roles=POLICE)
def premises(request: HttpRequest, premises_id: int) -> HttpResponse:
    """One premises of the jurisdiction: its recent jobs, then the counts and one page of the flagged people of
    its latest job (silent hits, red, yellow), with the search and level filter of the jurisdiction view
    (``q``, ``level``, ``hit``; ``page``)."""
    where = PeopleFilter.from_query(request.GET)
    return TemplateResponse(request, "dashboard/premises.html", {
        "o": selectors.premises_overview(actor=request.user, premises_id=premises_id, where=where,
                                         page=request.GET.get("page"), jobs_page=request.GET.get("jobs")),
        "where": where, "query": kept_query(request.GET, PeopleFilter.KEYS),
        "jobs_query": kept_query(request.GET, (*PeopleFilter.KEYS, "page")),
        # who may confirm that people left out of a roster left (the service checks the jurisdiction again)
        "can_confirm_left": request.user.role in LEFT_CONFIRMERS})


@require_POST
@page(roles=POLICE)
def off_roster_resolve(request: HttpRequest, premises_id: int) -> HttpResponse:
    """The police confirm that the premises' flagged people no longer on its latest roster left (a note says
    how): ``screening.services.off_roster_resolve``. 404 outside the jurisdiction; the refusal or the outcome
    as a message, back on the premises page."""
    from django.contrib import messages
    from django.http import Http404
    from django.shortcuts import redirect
    from django.utils.translation import ngettext

    from pingan.core.error_messages import page_message
    from pingan.core.errors import DomainError
    from pingan.core.selectors import premises_scoped
    from pingan.screening.services import off_roster_resolve as resolve

    premises = premises_scoped(actor=request.user, archived=True).filter(pk=premises_id).select_related("unit").first()
    if premises is None:
        raise Http404("premises not found")
    try:
        n = resolve(premises=premises, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, ngettext("Recorded: %(n)s person no longer on the roster left.",
                                           "Recorded: %(n)s people no longer on the roster left.", n) % {"n": n})
    except DomainError as exc:
        messages.error(request, page_message(exc))
    return redirect("dashboard:premises", premises.pk)


@require_GET
@page(roles=POLICE)
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One screened person, for an officer to act on: who, where they live and how to reach them, the
    premises and roster, what matched, where and when they were exposed (place names and dates), and the
    listed entry behind a watchlist hit."""
    p, hits = selectors.person_detail(actor=request.user, person_id=person_id)
    birth, sex = born(p)
    return TemplateResponse(request, "dashboard/person.html", {
        "p": p, "hits": hits_for_people(p, hits), "birth": birth, "sex": sex,
        "doc_type": doc_type_label(p.doc_type, p.id_number),
        "identity": (FORMAT_ONLY if p.identity_status == "valid" and not number_checked(p.doc_type, p.id_number)
                     else IDENTITY_STATUSES.get(p.identity_status, "")),
        "movement_hits": any(h.source == "movements" for h in hits),
        # who may act on "not on the latest roster" (the premises page's form, the queue's release)
        "can_confirm_left": request.user.role in LEFT_CONFIRMERS})


@require_GET
@page(roles=frozenset({Role.STATION_CHIEF, Role.ANALYST}))
def overview(request: HttpRequest) -> HttpResponse:
    """Counts by district and station, the daily trend as SVG charts, and the SVG map of the districts: one
    definition behind every figure (``selectors.COUNTED``), said on the page."""
    days = int_param(request.GET.get("days"), 30, 7, 180)
    branches = selectors.unit_counts(actor=request.user)
    trend = selectors.daily_counts(actor=request.user, days=days)
    days_labels = [d.day.strftime("%m-%d") for d in trend]
    # two charts, each on its own scale: a few red and yellow people vanish on the scale of thousands screened
    screened = charts.bar_chart(days_labels, [d.people for d in trend])
    flagged = charts.grouped_bar_chart(days_labels, [
        ("red", "s-red", [d.red for d in trend]),
        ("yellow", "s-yellow", [d.yellow for d in trend]),
    ])
    totals = {"people": sum(d.people for d in trend), "red": sum(d.red for d in trend),
              "yellow": sum(d.yellow for d in trend)}
    by_adcode: dict[str, selectors.UnitCounts] = {}
    for b in branches:
        for code in b.unit.adcodes:
            by_adcode[code[:6]] = b
    districts, width, height = geo.district_map()
    shown = [c for d in districts if (c := by_adcode.get(d.adcode))]
    top_red = max((c.red for c in shown), default=0)
    top_yellow = max((c.yellow for c in shown if not c.red), default=0)
    english = texts.lang() == "en"  # the districts by their English names on English pages (issue 11)
    areas = []
    for d in districts:
        c = by_adcode.get(d.adcode)
        name = places.english(d.adcode)[1] if english else d.name
        # on the map itself an English name without "District" (issue 11: "Siming District 78 / 535" ran over
        # the border at 1280 px); the tooltip keeps the whole name
        areas.append({"d": d, "counts": c, "name": name, "short": name.removesuffix(" District"),
                      "fill": charts.district_fill(c.red, c.yellow, top_red=top_red, top_yellow=top_yellow)
                      if c else charts.MAP_NONE})
    return TemplateResponse(request, "dashboard/overview.html", {
        "branches": branches, "screened": screened, "flagged": flagged, "totals": totals, "trend": trend,
        "days": days, "earlier": trend.earlier,
        "map": {"areas": areas, "width": width, "height": height, "red": charts.MAP_RED,
                "yellow": charts.MAP_YELLOW, "none": charts.MAP_NONE, "top_red": top_red, "top_yellow": top_yellow},
    })
