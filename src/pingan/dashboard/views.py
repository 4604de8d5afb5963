"""Police pages: the jurisdiction view (掌上查询), drill-downs to a premises and a person, and the counts page.

Views stay thin: one selector call (the selectors scope and audit), then render. One view serves the full
page and the htmx partial (``request.htmx``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from pingan.core.models import Role
from pingan.core.web import POLICE, page
from pingan.dashboard import charts, geo, selectors
from pingan.dashboard.people import DOC_TYPES, IDENTITY_STATUSES, born, hits_for_people

PER_PAGE = 30
DEFAULT_STALE_DAYS = getattr(settings, "PINGAN", {}).get("STALE_DAYS", 7)


@dataclass
class Window:
    """One page of a list without counting the whole list (a COUNT over a large jurisdiction costs more
    than the page itself): the items, the page number and whether there are pages before and after."""

    items: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def window(qs, page: str | int | None) -> Window:
    """Page ``page`` (1-based; bad values mean 1) of ``qs``, ``PER_PAGE`` items; whether a row follows is
    asked with EXISTS, so that an audited list (``core.audit.audited``) records exactly the rows shown."""
    n = _int(str(page) if page is not None else None, 1, 1, 100_000)
    start, end = (n - 1) * PER_PAGE, n * PER_PAGE
    rows = list(qs[start:end])
    return Window(rows, n, len(rows) == PER_PAGE and qs[end:end + 1].exists())


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


#: The sections of the jurisdiction page that htmx reloads alone, and their partial templates.
SECTION_TEMPLATES = {name: f"dashboard/partials/{name}.html" for name in ("flagged", "premises", "stale")}


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def flagged_filter(get) -> selectors.FlaggedFilter:
    """The search and filters of the jurisdiction view from the query string (bad values are ignored)."""
    return selectors.FlaggedFilter(
        q=(get.get("q") or "")[:60], level=get.get("level", "") if get.get("level") in ("red", "yellow") else "",
        hit=get.get("hit", "") if get.get("hit") in ("watchlist", "travel", "identity") else "",
        premises=(get.get("premises") or "")[:100], since=_date(get.get("since")), until=_date(get.get("until")),
        reeval=_reeval(get.get("reeval") or ""))


def _reeval(value: str) -> str:
    """``recent`` or a re-evaluation run's id from the query string, else ``""``."""
    return value if value == "recent" or (value.isascii() and value.isdigit() and len(value) < 12) else ""


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
    days = _int(request.GET.get("days"), DEFAULT_STALE_DAYS, 1, 365)
    section = request.GET.get("section", "")
    if section and section not in SECTION_TEMPLATES:
        raise BadRequest("unknown section")  # never a template name taken from the request
    where = flagged_filter(request.GET)
    ctx: dict = {"days": days, "where": where, "query": _query(request.GET)}
    if section in ("", "flagged"):
        flagged = selectors.jurisdiction_flagged(actor=request.user, where=where)
        ctx["flagged"] = window(flagged, request.GET.get("page") if section else 1)
        if not section:
            ctx["counts"] = selectors.jurisdiction_counts(actor=request.user, qs=flagged)
    if section in ("", "premises"):
        ctx["premises"] = window(selectors.jurisdiction_premises(actor=request.user),
                                 request.GET.get("page") if section else 1)
    if section in ("", "stale"):
        ctx["stale"] = window(selectors.jurisdiction_premises(actor=request.user, due_days=days),
                              request.GET.get("page") if section else 1)
    if request.htmx and section:
        return TemplateResponse(request, SECTION_TEMPLATES[section], ctx)
    return TemplateResponse(request, "dashboard/jurisdiction.html", ctx)


def _query(get) -> str:
    """The search part of the query string, for the pager's links (``section``/``page`` excluded)."""
    from urllib.parse import urlencode

    keep = {k: get.get(k) for k in ("q", "level", "hit", "premises", "since", "until", "reeval") if get.get(k)}
    return urlencode(keep)


@require_GET
@page(roles=POLICE)
def premises(request: HttpRequest, premises_id: int) -> HttpResponse:
    """One premises of the jurisdiction: its recent jobs and the flagged people of its latest job."""
    return TemplateResponse(request, "dashboard/premises.html", {
        "o": selectors.premises_overview(actor=request.user, premises_id=premises_id),
        # who may confirm that people left out of a roster left (the service checks the jurisdiction again)
        "can_confirm_left": request.user.role in (Role.OFFICER, Role.STATION_CHIEF)})


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
        "doc_type": DOC_TYPES.get(p.doc_type, p.doc_type), "identity": IDENTITY_STATUSES.get(p.identity_status, ""),
        "movement_hits": any(h.source == "movements" for h in hits)})


@require_GET
@page(roles=frozenset({Role.STATION_CHIEF, Role.ANALYST}))
def overview(request: HttpRequest) -> HttpResponse:
    """Counts by district and station, the daily trend as an SVG chart, and the SVG map of the districts."""
    days = _int(request.GET.get("days"), 30, 7, 180)
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
    top = max((b.red + b.yellow for b in branches), default=0)
    areas = [{"d": d, "counts": by_adcode.get(d.adcode),
              "fill": charts.fill((c.red + c.yellow) if (c := by_adcode.get(d.adcode)) else 0, top)}
             for d in districts]
    return TemplateResponse(request, "dashboard/overview.html", {
        "branches": branches, "screened": screened, "flagged": flagged, "totals": totals, "trend": trend,
        "days": days,
        "map": {"areas": areas, "width": width, "height": height},
    })
