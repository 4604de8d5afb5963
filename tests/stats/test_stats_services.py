"""Imports, rollups and reclassifications against the database; the real open data's figures through the
pages' selectors, each computed again with a plain DuckDB query over the raw file."""

from __future__ import annotations

import datetime as dt

import pytest
from stats_support import duck

from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.stats import indicators, selectors, services
from pingan.stats.importers import bundled

pytestmark = pytest.mark.django_db
D = dt.date


def raw(sql: str, path) -> list[tuple]:
    return duck(sql, f=path)


def ytd(page, category: str) -> tuple[int, int]:
    w = page.compstat.row(category).windows["ytd"]
    return w.current, w.previous


# ------------------------------------------------------------------------------------------- bureau data


def test_it_rolls_incidents_up_to_every_ancestor(cast, incidents):
    from pingan.stats.models import DailyCount

    assert incidents.counts["incidents"] == 8 and incidents.counts["rejected"] == 0
    a = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6))
    theft = a.compstat.row("theft").windows
    assert (theft["wtd"].current, theft["wtd"].previous) == (3, 1)  # last year's week: 6-8 March 2023
    assert (theft["ytd"].current, theft["ytd"].previous) == (3, 0)  # last year to 6 March: none in A
    city = selectors.compstat_for_unit(actor=cast.analyst, code="350200", as_of=D(2024, 3, 6))
    assert city.compstat.row("theft").windows["wtd"].current == 4  # A's 3 and B's 1
    assert {c.unit.code: c.headline.windows["wtd"].current for c in city.children}["350203"] == 4  # 思明分局
    by_unit = {u: sum(DailyCount.objects.filter(unit__code=u).values_list("n", flat=True))
               for u in ("350203-LQ", "350203", "350200", "350206-JT")}
    assert by_unit == {"350203-LQ": 6, "350203": 6, "350200": 8, "350206-JT": 2}


def test_clearances_count_when_made_and_this_years_rate_counts_this_years_offences(cast, incidents):
    p = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6))
    theft = p.compstat.row("theft")
    # 2024: 3 thefts; cleared in 2024: A1 (2024) and A5 (a 2023 theft cleared in February 2024)
    assert (theft.cleared_ytd, theft.clearance_ytd) == (2, pytest.approx(2 / 3))
    crim = p.compstat.row("criminal")
    assert crim.windows["ytd"].current == 4 and crim.cleared_ytd == 3  # + the robbery, cleared the same day
    eight = p.compstat.row("eight_kinds")  # the robbery: this year's, cleared → 100 %
    assert (eight.current_year_cleared, eight.current_year_clearance) == (1, 1.0)


@pytest.mark.parametrize("as_of", [D(2024, 3, 6), D(2024, 3, 3), D(2024, 3, 4), D(2024, 2, 29), D(2024, 6, 1)])
def test_the_sql_sums_equal_the_reference_sums_from_the_daily_rows(cast, incidents, as_of):
    """Whatever the weekday of the as-of day (whole weeks from the weekly rollup, the ends from the daily)."""
    from pingan.stats.models import DailyClearance, DailyCount

    unit = selectors.unit_get(actor=cast.analyst, code="350200")
    periods = indicators.compstat_periods(as_of)
    rows = [indicators.DayRow(r.day, selectors._key(r.offence, r.place_type, r.attempted, r.harm), r.n, r.victims,
                              r.injured, r.killed, r.loss, r.involved, r.recovered)
            for r in DailyCount.objects.filter(unit=unit)]
    clears = [indicators.ClearRow(r.day, selectors._key(r.offence, r.place_type, r.attempted, r.harm), r.arrest,
                                  r.exceptional, r.same_year, r.involved, r.recovered)
              for r in DailyClearance.objects.filter(unit=unit)]
    reference = indicators.sums_from_days(rows, clears, periods)
    sql = selectors._key_sums([unit.pk], periods)[unit.pk]

    def nonzero(sums):  # the SQL returns every period of a key, zeros included
        out = {k: {p: m for p, m in v.items() if m != indicators.Measures()} for k, v in sums.items()}
        return {k: v for k, v in out.items() if v}

    assert nonzero(sql) == nonzero(reference) and len(nonzero(sql)) >= 1


def _weekly_from_daily(daily) -> dict:
    out: dict = {}
    for r in daily.objects.all():
        k = (r.unit_id, indicators.monday_of(r.day), r.offence, r.place_type, r.attempted, r.harm)
        fields = [f.name for f in daily._meta.concrete_fields if f.name not in (
            "id", "unit", "day", "offence", "place_type", "attempted", "harm")]
        out[k] = [a + getattr(r, f) for a, f in zip(out.get(k, [0] * len(fields)), fields, strict=True)]
    return out


def _weekly(weekly) -> dict:
    fields = [f.name for f in weekly._meta.concrete_fields if f.name not in (
        "id", "unit", "day", "offence", "place_type", "attempted", "harm")]
    return {(r.unit_id, r.day, r.offence, r.place_type, r.attempted, r.harm): [getattr(r, f) for f in fields]
            for r in weekly.objects.all()}


def test_the_weekly_rollups_are_the_daily_ones_by_week_after_imports_and_a_reclassification(cast, incidents):
    from pingan.stats.models import DailyClearance, DailyCount, Incident, WeeklyClearance, WeeklyCount

    assert WeeklyCount.objects.exists() and WeeklyClearance.objects.exists()
    assert _weekly(WeeklyCount) == _weekly_from_daily(DailyCount)
    assert _weekly(WeeklyClearance) == _weekly_from_daily(DailyClearance)
    inc = Incident.objects.filter(offence__startswith="theft").first()
    services.incident_reclassify(actor=cast.analyst, incident_id=inc.pk, reason="a robbery in fact",
                                 offence="robbery")
    assert _weekly(WeeklyCount) == _weekly_from_daily(DailyCount)
    assert _weekly(WeeklyClearance) == _weekly_from_daily(DailyClearance)


def test_cached_figures_never_outlive_the_rollups_they_came_from(cast, incidents):
    """Figures are cached per rollup generation: a reclassification (which refreshes the rollups) is seen by the
    very next page, and the warmed cache serves a page with fewer queries and the same figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingan.stats.models import Incident

    def page():
        return selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6),
                                           scheme_id="cn_lqyd_general")

    before = ytd(page(), "robbery")
    theft = Incident.objects.filter(unit__code__startswith="350203-LQ", offence__startswith="theft",
                                    count_date__year=2024).first()
    services.incident_reclassify(actor=cast.analyst, incident_id=theft.pk, reason="a robbery in fact",
                                 offence="robbery")
    with CaptureQueriesContext(connection) as cold:
        after = ytd(page(), "robbery")
    assert after[0] == before[0] + 1
    with CaptureQueriesContext(connection) as warm:
        again = page()
    assert ytd(again, "robbery") == after
    assert len(warm) < len(cold)
    assert selectors.figures_warm() >= 2  # the organisation's units, as of its last day of data


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_updates_its_incident(cast, incidents):
    from stats_support import ROWS, bureau_csv

    from pingan.stats.models import Incident

    again = services.bureau_import(data=bureau_csv(), filename="week.csv", org_code="350200")
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 8)
    rows = list(ROWS)
    rows[1] = ("A2", "2024-03-05 10:00", "抢劫", "莲前派出所", "", "800")  # the source reclassified it
    changed = services.bureau_import(data=bureau_csv(rows), filename="week-v2.csv", org_code="350200")
    assert (changed.counts["created"], changed.counts["updated"]) == (0, 1) and Incident.objects.count() == 8
    p = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6),
                                    scheme_id="cn_lqyd_general")
    assert ytd(p, "robbery") == (2, 0) and ytd(p, "theft") == (2, 0)


def test_a_zero_streak_for_robbery_and_streaks_for_bus_pickpocketing(cast, incidents):
    p = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6),
                                    scheme_id="cn_headline")
    bus = p.compstat.row("bus_pickpocketing").streak
    assert bus.last_incident == D(2023, 6, 1) and bus.current == (D(2024, 3, 6) - D(2023, 6, 1)).days
    two = p.compstat.row("two_robberies").streak
    assert two.current == 0 and two.last_incident == D(2024, 3, 6)


# ------------------------------------------------------------------------------------------- reclassification


def test_a_reclassification_records_before_after_reason_actor_and_moves_the_counts(cast, incidents):
    from pingan.core.models import AuditRecord
    from pingan.stats.models import Incident

    robbery = Incident.objects.get(source_ref="case:A4")
    rec = services.incident_reclassify(actor=cast.chief_a, incident_id=robbery.pk, offence="snatching",
                                       reason="复核：未使用暴力")
    assert rec.changes == {"offence": ["robbery", "snatching"]} and rec.actor == cast.chief_a
    assert rec.downgrade and "less_serious_offence" in rec.downgrade_reasons
    assert "left_category:ucr_part1/robbery" in rec.downgrade_reasons
    p = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6),
                                    scheme_id="cn_lqyd_general")
    assert ytd(p, "robbery") == (0, 0) and ytd(p, "snatching") == (1, 0)  # the rollups moved with it
    audit = AuditRecord.objects.filter(action="reclassify", object_id=str(robbery.pk)).get()
    assert audit.actor == "chief_a" and audit.detail["reason"] == "复核：未使用暴力"
    watch = selectors.downgrade_watch(actor=cast.chief_a, code="350203-LQ", since=D(2000, 1, 1))
    assert [(w.unit.code, w.reclassifications, w.downgrades) for w in watch] == [("350203-LQ", 1, 1)]


def test_valuing_a_theft_under_the_threshold_or_marking_it_unfounded_is_a_downgrade(cast, incidents):
    from pingan.stats.models import Incident

    theft = Incident.objects.get(source_ref="case:A1")  # 1,500 yuan
    low = services.incident_reclassify(actor=cast.analyst, incident_id=theft.pk, property_loss="900",
                                       reason="重新估价")
    assert low.downgrade_reasons == ["below_threshold:1000 CNY"]
    gone = services.incident_reclassify(actor=cast.analyst, incident_id=theft.pk, status="unfounded",
                                        reason="报假案")
    assert "unfounded" in gone.downgrade_reasons
    theft.refresh_from_db()
    assert (theft.clearance, theft.cleared_on) == ("", None)  # un-clearing drops the clearance with it
    p = selectors.compstat_for_unit(actor=cast.analyst, code="350203-LQ", as_of=D(2024, 3, 6))
    assert p.compstat.row("theft").windows["wtd"].current == 2  # unfounded reports are not counted
    up = services.incident_reclassify(actor=cast.analyst, incident_id=theft.pk, status="cleared", clearance="arrest",
                                      cleared_on="2024-03-07", reason="重新立案并破案")
    assert not up.downgrade


def test_only_chiefs_of_the_jurisdiction_and_analysts_reclassify_with_a_reason(cast, incidents):
    from pingan.stats.models import Incident

    theft = Incident.objects.get(source_ref="case:A2")
    with pytest.raises(PermissionDenied):
        services.incident_reclassify(actor=cast.officer_a, incident_id=theft.pk, offence="robbery", reason="x")
    b_theft = Incident.objects.get(source_ref="case:B1")
    with pytest.raises(NotFound):
        services.incident_reclassify(actor=cast.chief_a, incident_id=b_theft.pk, offence="robbery", reason="x")
    with pytest.raises(DomainError, match="reason"):
        services.incident_reclassify(actor=cast.chief_a, incident_id=theft.pk, offence="robbery", reason=" ")
    with pytest.raises(DomainError, match="nothing changed"):
        services.incident_reclassify(actor=cast.chief_a, incident_id=theft.pk, offence="theft.larceny", reason="x")
    with pytest.raises(DomainError, match="not an offence"):
        services.incident_reclassify(actor=cast.chief_a, incident_id=theft.pk, offence="theft.bogus", reason="x")
    with pytest.raises(DomainError, match="clearance"):
        services.incident_reclassify(actor=cast.chief_a, incident_id=theft.pk, status="cleared", reason="x")
    with pytest.raises(DomainError, match="NIBRS"):
        services.incident_reclassify(actor=cast.chief_a, incident_id=theft.pk, status="cleared", clearance="arrest",
                                     cleared_on="2024-03-06", exceptional_code="A", reason="x")


def test_reading_incidents_is_scoped_and_audited(cast, incidents):
    from pingan.core.models import AuditRecord

    listed = selectors.incident_list(actor=cast.officer_a, code="350203-LQ", start=D(2024, 1, 1), end=D(2024, 12, 31),
                                     scheme_id="cn_headline", category="theft", purpose="case_investigation")
    assert sorted(i.source_ref for i in listed) == ["case:A1", "case:A2", "case:A3"]
    rec = AuditRecord.objects.filter(action="list", object_type="stats.Incident").last()
    assert rec.actor == "officer_a" and rec.purpose == "case_investigation" and rec.detail["category"] == "theft"
    with pytest.raises(NotFound):
        selectors.incident_list(actor=cast.officer_b, code="350203-LQ", start=D(2024, 1, 1), end=D(2024, 12, 31))
    with pytest.raises(PermissionDenied):
        selectors.compstat_for_unit(actor=cast.landlord_a, code="350203-LQ")
    assert list(selectors.units_visible(actor=cast.officer_b).values_list("code", flat=True)) == ["350206-JT"]


def test_the_public_release_withholds_small_cells_and_shows_blocks_only(cast, incidents):
    rel = selectors.public_release(actor=cast.analyst, code="350200", start=D(2023, 1, 1), end=D(2024, 12, 31),
                                   scheme_id="cn_lqyd_general", purpose="jurisdiction_management")
    assert rel.blocks == ["思明区某路", "思明区莲前东路公交车上"]  # "思明区某路1号" generalised to the road
    t = rel.table
    assert all(v is None or v >= 3 or v == 0 for row in t.cells for v in row)
    assert t.cells[1][rel.categories.index("theft")] is None  # the one bus pickpocketing: withheld
    from pingan.stats.suppress import is_derivable

    assert not is_derivable(t)


def test_deaths_per_10000_vehicles_use_the_recorded_vehicle_count(cast):
    from pingan.core.models import OrgUnit

    services.bureau_import(data=("接报时间,案件类别,案由,辖区,死亡人数,受伤人数\n"
                                 "2024-05-01 08:00,交通事故,交通事故,莲前派出所,1,2\n"
                                 "2024-05-02 08:00,交通事故,交通事故,莲前派出所,,\n"
                                 "2023-01-01 08:00,交通事故,交通事故,莲前派出所,,1\n").encode(),
                           filename="traffic.csv", org_code="350200")
    services.vehicle_count_set(actor=None, unit=OrgUnit.objects.get(code="350200"), year=2024, vehicles=20_000,
                               source="test figure")
    t = selectors.compstat_for_unit(actor=cast.analyst, code="350200", as_of=D(2024, 6, 30),
                                    scheme_id="traffic").traffic
    assert (t.current.all_reported, t.current.accidents, t.current.deaths, t.current.injured) == (2, 1, 1, 2)
    assert (t.previous.accidents, t.change["accidents"]) == (1, 0.0)
    assert t.deaths_per_10k_vehicles == pytest.approx(0.5)
    # issue 11: a year to date whose last year no file covers (the file starts on 1 January 2023) has no
    # previous figures — not zeros, which the command line printed as "0 last year" under a table saying "no
    # data for the same period last year"
    t = selectors.compstat_for_unit(actor=cast.analyst, code="350200", as_of=D(2023, 6, 30),
                                    scheme_id="traffic").traffic
    assert t.previous is None and t.missing == "no_data" and set(t.change.values()) == {None}


# ------------------------------------------------------------------------------------------- real open data


@pytest.fixture
def analyst_of():
    """``analyst_of(code)``: an analyst of that organisation's root unit (created after the import that
    creates the units; an analyst sees their own organisation's tree only)."""
    from pingan.core.models import OrgUnit, User
    from pingan.core.services import user_create

    def make(code: str):
        name = f"analyst-{code.lower()}"
        return User.objects.filter(username=name).first() or user_create(
            username=name, password=None, role="analyst", unit=OrgUnit.objects.get(code=code))

    return make


def test_chicago_sample_figures_match_a_plain_duckdb_query(cast, analyst_of):
    services.import_source(source="chicago-crimes")
    path = bundled("chicago_crimes_sample", "chicago_crimes_sample.csv.gz")
    p = selectors.compstat_for_unit(actor=analyst_of("US-CHI"), code="US-CHI", as_of=D(2016, 12, 31))
    [(robbery_2016, robbery_2015)] = raw(
        "SELECT count(*) FILTER (WHERE year(t) = 2016), count(*) FILTER (WHERE year(t) = 2015 AND t < '2016-01-01') "
        "FROM (SELECT strptime(\"Date\", '%m/%d/%Y %I:%M:%S %p') AS t FROM f WHERE \"FBI Code\" = '03')", path)
    assert ytd(p, "robbery") == (robbery_2016, robbery_2015) == (37, 31)
    [(part1_2016, cleared_2016)] = raw(
        "SELECT count(*), count(*) FILTER (WHERE \"Arrest\" = 'True') FROM f WHERE \"Year\" = '2016' AND "
        "\"FBI Code\" IN ('01A','02','03','04A','04B','05','06','07','09')", path)
    total = p.compstat.row("total")
    assert (total.windows["ytd"].current, total.cleared_ytd) == (part1_2016, cleared_2016)
    d11 = selectors.compstat_for_unit(actor=analyst_of("US-CHI"), code="US-CHI-D011", as_of=D(2016, 12, 31))
    [(d11_2016,)] = raw("SELECT count(*) FROM f WHERE \"Year\" = '2016' AND CAST(\"District\" AS DOUBLE) = 11 AND "
                        "\"FBI Code\" IN ('01A','02','03','04A','04B','05','06','07','09')", path)
    assert d11.compstat.row("total").windows["ytd"].current == d11_2016


def test_sf_december_figures_match_a_plain_duckdb_query(cast, analyst_of):
    """December 2018: no published count found (standards notes §5.2) — these figures are derived."""
    services.import_source(source="sf-incidents")
    path = bundled("sf_incidents_2018_12", "sf_incidents_2018_12.csv.gz")
    p = selectors.compstat_for_unit(actor=analyst_of("US-SF"), code="US-SF", as_of=D(2018, 12, 31),
                                    scheme_id="cn_headline")
    # every initial report is an incident; unfounded ones (by their latest report) are not counted; the
    # non-criminal categories and traffic collisions are not "criminal cases"
    [(robberies,)] = raw("""SELECT count(DISTINCT "Incident ID") FROM f WHERE "Report Type Code" IN ('II','VI')
                            AND "Incident Category" = 'Robbery' AND "Resolution" <> 'Unfounded'""", path)
    assert p.compstat.row("two_robberies").windows["d28"].current <= robberies + 5  # + purse snatching
    ucr = selectors.compstat_for_unit(actor=analyst_of("US-SF"), code="US-SF", as_of=D(2018, 12, 31))
    [(homicides,)] = raw("""SELECT count(DISTINCT "Incident ID") FROM f WHERE "Report Type Code" IN ('II','VI')
                            AND "Incident Category" = 'Homicide'""", path)
    assert ucr.compstat.row("homicide").windows["ytd"].current == homicides
    assert not ucr.compstat.row("homicide").windows["ytd"].previous and "homicide" not in ucr.covered_last_year


def test_nyc_traffic_indicators_match_a_plain_duckdb_query(cast, analyst_of):
    services.import_source(source="nyc-collisions")
    path = bundled("nyc_collisions_2023_01", "nyc_crashes_202301.csv.gz")
    [(n, casualty, killed, injured, fatal)] = raw(
        "SELECT count(*), count(*) FILTER (WHERE i + k > 0), sum(k), sum(i), count(*) FILTER (WHERE k > 0) FROM "
        "(SELECT CAST(\"NUMBER OF PERSONS INJURED\" AS INT) i, CAST(\"NUMBER OF PERSONS KILLED\" AS INT) k FROM f)",
        path)
    p = selectors.compstat_for_unit(actor=analyst_of("US-NYC"), code="US-NYC", as_of=D(2023, 1, 31),
                                    scheme_id="traffic")
    t = p.traffic.current
    assert (t.all_reported, t.accidents, t.deaths, t.injured) == (n, casualty, killed, injured) == (7244, 2814, 17,
                                                                                                    3642)
    assert p.compstat.row("fatal").windows["ytd"].current == fatal
    assert p.traffic.change["deaths"] is None  # no data for January 2022: n/a, not infinity


def test_nyc_shootings_and_homicides_are_counted_as_the_nypd_counts_them(cast, analyst_of):
    services.import_source(source="nyc-shootings")
    services.import_source(source="nyc-homicides")
    p = selectors.compstat_for_unit(actor=analyst_of("US-NYC"), code="US-NYC", as_of=D(2019, 12, 31),
                                    scheme_id="nypd_seven_majors")
    [(incidents,)] = raw("SELECT count(DISTINCT incident_key) FROM f", bundled("nyc_shootings", "nyc_shootings.csv.gz"))
    assert p.compstat.row("shooting_incidents").windows["ytd"].current == incidents == 777
    assert "murder" not in p.covered  # 2019 has shootings only: murders by other means are unknown, not zero
    p18 = selectors.compstat_for_unit(actor=analyst_of("US-NYC"), code="US-NYC", as_of=D(2018, 12, 31),
                                      scheme_id="nypd_seven_majors")
    assert ytd(p18, "murder") == (297, 277)


@pytest.mark.slow
def test_chicago_aggravated_assaults_match_a_plain_duckdb_query_per_district(cast, analyst_of):
    services.import_source(source="chicago-assaults")
    path = bundled("chicago_aggravated_assaults", "chicago_aggravated_assaults.csv.gz")
    as_of = D(2019, 12, 31)
    rows = raw("""SELECT CAST(district AS INT), count(*) FILTER (WHERE t >= '2019-01-01'),
                         count(*) FILTER (WHERE t >= '2018-01-01' AND t < '2019-01-01'),
                         count(*) FILTER (WHERE t >= '2019-12-30'), count(*) FILTER (WHERE t >= '2018-12-31' AND
                         t < '2019-01-02') FROM (SELECT CAST(date AS TIMESTAMP) t, district FROM f) GROUP BY 1""", path)
    city = selectors.compstat_for_unit(actor=analyst_of("US-CHI-AA"), code="US-CHI-AA", as_of=as_of)
    kids = {c.unit.code: c.compstat.row("aggravated_assault").windows for c in city.children}
    for district, y2019, y2018, wtd, wtd_prev in rows:
        w = kids[f"US-CHI-AA-D{district:03d}"]
        assert (w["ytd"].current, w["ytd"].previous, w["wtd"].current, w["wtd"].previous) == (y2019, y2018, wtd,
                                                                                              wtd_prev), district
    assert ytd(city, "aggravated_assault") == (15328, 15433)


def test_a_foreign_citys_units_are_named_in_the_readers_language(client, cast, analyst_of):
    """A Chinese page read "District 25 第25警区": a unit has a Chinese name and, where its city has one, an
    English name; each page shows its reader's."""
    from pingan.core.models import OrgUnit
    from pingan.stats.importers import chicago, org_root

    root = org_root("US-CHI-AA")
    services.org_units_ensure(units={u.code: u for u in (root, chicago.district_unit("US-CHI-AA", 25))})
    district = OrgUnit.objects.get(code="US-CHI-AA-D025")
    assert (district.name, district.name_en) == ("第25警区", "District 25")
    root = OrgUnit.objects.get(code="US-CHI-AA")
    assert root.name.startswith("芝加哥警察局") and root.name_en.startswith("Chicago PD")
    client.force_login(analyst_of("US-CHI-AA"))
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    for lang, said, other in (("zh-hans", "第25警区", "District 25"), ("en", "District 25", "第25警区")):
        client.cookies["django_language"] = lang
        response = client.get("/stats/u/US-CHI-AA-D025/?as_of=2019-12-31", follow=True)
        html = response.content.decode()
        assert f"<h1>{said}</h1>" in html and other not in html, (lang, response.redirect_chain)
        index = client.get("/stats/").content.decode()
        assert said in index and other not in index


@pytest.mark.parametrize(("stored", "zh", "en"), [
    ("District 25 第25警区", "第25警区", "District 25"), ("Beat 0111 巡区0111", "巡区0111", "Beat 0111"),
    ("Ingleside Station Ingleside警察分站", "Ingleside警察分站", "Ingleside Station"),
    ("Bronx 纽约布朗克斯区", "纽约布朗克斯区", "Bronx"), ("莲前派出所", None, None)])
def test_the_migration_splits_a_name_stored_in_two_languages(stored, zh, en):
    import importlib

    both = importlib.import_module("pingan.core.migrations.0006_orgunit_name_en")._BOTH
    m = both.match(stored)
    assert (m["zh"], m["en"]) == (zh, en) if zh else m is None
