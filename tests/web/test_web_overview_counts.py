"""The counts page (``/police/overview/``) — issue 11: the Xiamen analyst's page listed another organisation's
units (Chicago's districts and beats, loaded for the statistics demos) as rows of zeros, and its chart, map,
table and the station's jurisdiction view said four different numbers for the same people.

Scoping follows the viewer's line (``core.scoping.line_path``) for every role; every figure of the page and the
jurisdiction view's counts share one definition (``dashboard.selectors.COUNTED``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from web_support import make_job, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org(cast):
    """Another organisation's tree (as ``pingan stats demo`` loads Chicago's): a root, a district, a beat,
    and a premises held by its beat; with an analyst of its own."""
    from pingan.core.models import OrgUnit, Premises
    from pingan.core.services import orgunit_create, user_create

    root = orgunit_create(code="US-CHI", name="芝加哥警察局", name_en="Chicago Police", kind="bureau")
    district = orgunit_create(code="US-CHI-D025", name="第25警区", name_en="District 25", kind="branch",
                              parent=root)
    beat = orgunit_create(code="US-CHI-B2512", name="巡区2512", name_en="Beat 2512", kind="station",
                          parent=district)
    premises = Premises.objects.create(name="Chicago flat", kind="rental", address="x", adcode="350203010",
                                       unit=beat, owner=cast.landlord_b)
    analyst = user_create(username="chi_analyst", password=None, role="analyst", unit=root)
    return {"root": root, "district": district, "beat": beat, "premises": premises, "analyst": analyst,
            "units": set(OrgUnit.objects.filter(path__startswith=root.path).values_list("code", flat=True))}


def _codes(branches) -> set[str]:
    return {b.unit.code for b in branches} | {s.unit.code for b in branches for s in b.stations}


def test_the_bureaus_analyst_sees_only_the_bureaus_units(client, cast, other_org):
    from pingan.core.models import OrgUnit
    from pingan.dashboard.selectors import unit_counts

    codes = _codes(unit_counts(actor=cast.analyst))
    assert "350203" in codes and "350203-LQ" in codes
    assert not codes & other_org["units"]
    xiamen = set(OrgUnit.objects.filter(path__startswith=cast.analyst.unit.path,
                                        kind__in=["branch", "station"]).values_list("code", flat=True))
    assert codes == xiamen
    sign_in(client, cast.analyst)
    for lang in ("en", "zh-hans"):
        client.cookies["django_language"] = lang
        html = client.get("/police/overview/").content.decode()
        assert "District 25" not in html and "Beat 2512" not in html and "第25警区" not in html


def test_the_other_organisations_analyst_sees_only_its_own(cast, other_org):
    from pingan.core import selectors
    from pingan.dashboard.selectors import unit_counts

    assert _codes(unit_counts(actor=other_org["analyst"])) == {"US-CHI-D025", "US-CHI-B2512"}
    assert [p.pk for p in selectors.premises_scoped(actor=other_org["analyst"])] == [other_org["premises"].pk]


def test_a_station_chief_sees_only_the_station(cast, other_org):
    from pingan.dashboard.selectors import unit_counts

    assert _codes(unit_counts(actor=cast.chief_a)) == {"350203-LQ"}


@pytest.mark.parametrize("who", ["analyst", "chief_a", "officer_a", "officer_b"])
def test_personal_data_of_another_organisation_is_out_of_every_police_line(cast, other_org, who):
    from pingan.core import selectors
    from pingan.core.scoping import can_see_unit

    actor = getattr(cast, who)
    assert other_org["premises"].pk not in {p.pk for p in selectors.premises_scoped(actor=actor)}
    assert not can_see_unit(actor, other_org["beat"])
    assert can_see_unit(actor, actor.unit)


def test_the_audit_pages_unit_picker_lists_the_auditors_organisation(client, cast, other_org):
    sign_in(client, cast.auditor)
    html = client.get("/audit/").content.decode()
    assert "350203-LQ" in html
    assert "US-CHI-B2512" not in html and "Beat 2512" not in html


# ----------------------------------------------------------------------------------- one definition


@pytest.fixture
def screened(cast):
    """premises_a: an older screening (not counted) and the latest, whose yellow person a re-evaluation turned
    red after it finished (its stored counts still say 1 red, 1 yellow); premises_b: a latest screening
    finished 40 days ago (before the charts' 30 days)."""
    from pingan.screening.models import PersonResult, ScreeningJob

    make_job(cast.landlord_a, cast.premises_a, "旧")
    new = make_job(cast.landlord_a, cast.premises_a, "新")
    PersonResult.objects.filter(job=new, level="yellow").update(level="red")
    old_b = make_job(cast.landlord_b, cast.premises_b, "乙")
    ScreeningJob.objects.filter(pk=old_b.pk).update(finished_at=timezone.now() - dt.timedelta(days=40))
    return new


def test_chart_map_table_and_jurisdiction_view_agree(client, cast, screened):
    from pingan.dashboard.selectors import daily_counts, unit_counts
    from pingan.screening.selectors import flagged_counts

    sign_in(client, cast.analyst)
    ctx = client.get("/police/overview/").context
    branches = {b.unit.code: b for b in ctx["branches"]}
    siming, huli = branches["350203"], branches["350206"]
    (lq,) = [s for s in siming.stations if s.unit.code == "350203-LQ"]
    (jt,) = [s for s in huli.stations if s.unit.code == "350206-JT"]
    # the station's jurisdiction view (what the chief acts on) says the same numbers as its row
    chief = flagged_counts(actor=cast.chief_a)
    assert (lq.red, lq.yellow, lq.silent) == (chief["red"], chief["yellow"], chief["silent"]) == (2, 0, 1)
    assert (siming.red, siming.yellow) == (lq.red, lq.yellow)
    assert (jt.red, jt.yellow, jt.people) == (1, 1, 3)
    # the map shows the district's row
    areas = {a["d"].adcode: a["counts"] for a in ctx["map"]["areas"]}
    assert (areas["350203"].red, areas["350203"].yellow) == (siming.red, siming.yellow)
    assert (areas["350206"].red, areas["350206"].yellow) == (huli.red, huli.yellow)
    # the charts: the days plus those screened before them add up to the table
    trend, totals = ctx["trend"], ctx["totals"]
    table = {k: sum(getattr(b, k) for b in ctx["branches"]) for k in ("people", "red", "yellow")}
    assert {k: totals[k] + getattr(trend.earlier, k) for k in table} == table == {"people": 6, "red": 3, "yellow": 1}
    assert (totals["people"], totals["red"], totals["yellow"]) == (3, 2, 0)  # premises_b's is 40 days old
    assert (trend.earlier.people, trend.earlier.red, trend.earlier.yellow) == (3, 1, 1)
    # the analyst's jurisdiction view, the counts and the charts of a chief: the same people again
    everyone = flagged_counts(actor=cast.analyst)
    assert (everyone["red"], everyone["yellow"]) == (table["red"], table["yellow"])
    chief_trend = daily_counts(actor=cast.chief_a)
    assert sum(d.red for d in chief_trend) + chief_trend.earlier.red == unit_counts(actor=cast.chief_a)[0].red


def test_the_page_says_what_it_counts(client, cast, screened):
    sign_in(client, cast.analyst)
    client.cookies["django_language"] = "en"
    en = client.get("/police/overview/").content.decode()
    assert "latest screening of each premises" in en and "Screened before these 30 days: 3 people" in en
    client.cookies["django_language"] = "zh-hans"
    zh = client.get("/police/overview/").content.decode()
    assert 'id="counted"' in zh and "each premises" not in zh


def test_the_map_names_the_districts_in_the_readers_language(client, cast, screened):
    """Issue 11: the English overview's map labelled the districts 思明区, 湖里区 …"""
    import re

    sign_in(client, cast.analyst)
    client.cookies["django_language"] = "en"
    en = client.get("/police/overview/").content.decode()
    svg = en[en.index('<svg class="map"'):en.index("</svg>", en.index('<svg class="map"'))]
    assert "Siming District" in svg and "Huli District" in svg and not re.search(r"[\u4e00-\u9fff]", svg)
    client.cookies["django_language"] = "zh-hans"
    zh = client.get("/police/overview/").content.decode()
    assert "思明区" in zh[zh.index('<svg class="map"'):]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_district_with_one_yellow_and_no_red_is_yellow_and_the_legend_says_so(client, cast, monkeypatch,
                                                                                  language):
    """Issue 11: a district with 0 red and 1 yellow was painted solid red (the fill was red + yellow on one red
    scale); the caption said only "the darker, the more"."""
    import re

    from pingan.core.models import OrgUnit
    from pingan.dashboard import charts, selectors
    from pingan.dashboard.selectors import UnitCounts

    siming, huli = OrgUnit.objects.get(code="350203"), OrgUnit.objects.get(code="350206")
    monkeypatch.setattr(selectors, "unit_counts", lambda actor: [
        UnitCounts(unit=siming, people=40, red=0, yellow=1), UnitCounts(unit=huli, people=50, red=2, yellow=7)])
    sign_in(client, cast.analyst)
    client.cookies["django_language"] = language
    html = client.get("/police/overview/").content.decode()
    # a title ends in ： on zh pages
    fills = dict((name, fill) for fill, name in
                 re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})"[^>]*><title>([^:：<]+)[:：]', html))
    name = {"en": ("Siming District", "Huli District"), "zh-hans": ("思明区", "湖里区")}[language]
    assert fills[name[0]] == charts.MAP_YELLOW[2]  # the only district without red that has yellow: darkest yellow
    assert fills[name[1]] == charts.MAP_RED[2]
    legend = html[html.index('id="map-legend"'):html.index("</ul>", html.index('id="map-legend"'))]
    for colour in (*charts.MAP_RED, *charts.MAP_YELLOW, charts.MAP_NONE):
        assert colour in legend
    words = {"en": ("Red people", "Yellow people and no red", "No red or yellow"),
             "zh-hans": ("红码人员", "没有红码人员", "没有红码或黄码人员")}[language]
    assert all(w in legend for w in words), legend
