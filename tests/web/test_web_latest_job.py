"""The jurisdiction view reads each premises' latest finished job only (``ScreeningJob.is_latest``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from web_support import make_job, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(cast):
    """Two finished jobs of premises_a (旧… then 新…), a later one that failed, and one job of premises_b."""
    from pingan.screening.models import ScreeningJob

    old = make_job(cast.landlord_a, cast.premises_a, "旧")
    new = make_job(cast.landlord_a, cast.premises_a, "新")
    ScreeningJob.objects.create(premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="bad.csv",
                                roster_sha256="0" * 64, status="failed", error="unreadable", as_of=timezone.now(),
                                finished_at=timezone.now())
    make_job(cast.landlord_b, cast.premises_b, "乙")
    return old, new


def test_it_lists_only_the_latest_jobs_people(client, cast, old_and_new):
    sign_in(client, cast.officer_a)
    flagged = client.get("/police/").context["flagged"]
    assert {p.name for p in flagged} == {"新红", "新黄", "新绿"}
    assert {p.job_id for p in flagged} == {old_and_new[1].pk}


def test_the_premises_drill_down_shows_the_latest_jobs_people(client, cast, old_and_new):
    sign_in(client, cast.officer_a)
    html = client.get(f"/police/premises/{cast.premises_a.pk}/").content.decode()
    assert "新红" in html and "旧红" not in html


def test_the_api_lists_only_the_latest_jobs_people(client, cast, old_and_new):
    sign_in(client, cast.analyst)
    names = {p["name"] for p in client.get("/api/v1/flagged").json()["items"]}
    assert names == {"新红", "新黄", "新绿", "乙红", "乙黄", "乙绿"}


def test_the_premises_list_and_stale_list_read_the_latest_job(client, cast, old_and_new):
    """The newer roster finished ten days ago, the older one today: the newer one still counts, so the
    premises shows the date of the newer and is listed as not screened for 7 days."""
    from pingan.screening.models import ScreeningJob

    _old, new = old_and_new
    ScreeningJob.objects.filter(pk=new.pk).update(finished_at=timezone.now() - dt.timedelta(days=10),
                                                  counts={"accepted": 1, "yellow": 1})
    sign_in(client, cast.officer_a)
    ctx = client.get("/police/?days=7").context
    (row,) = ctx["premises"]
    assert row.last_job_id == new.pk and row.last_counts == {"accepted": 1, "yellow": 1}
    assert row.last_screened < timezone.now() - dt.timedelta(days=9)
    assert [p.pk for p in ctx["stale"]] == [cast.premises_a.pk]


@pytest.mark.parametrize("n", [1, 12])
def test_the_unit_counts_sum_only_latest_jobs_in_three_queries(cast, n, django_assert_num_queries):
    """Per-unit counts of the latest jobs: the units, then the people and the flagged people, each one
    aggregate row per unit, however many premises."""
    from pingan.core.services import premises_create
    from pingan.dashboard.selectors import unit_counts

    for i in range(n):
        p = premises_create(actor=cast.landlord_a, name=f"屋{i}", kind="rental", address=f"x{i}", adcode="350203010")
        make_job(cast.landlord_a, p, f"{i}号")
        make_job(cast.landlord_a, p, f"{i}号新")  # only this one counts
    analyst = type(cast.analyst).objects.select_related("unit").get(pk=cast.analyst.pk)
    with django_assert_num_queries(3):
        branches = unit_counts(actor=analyst)
    (siming,) = [b for b in branches if b.unit.name == "思明分局"]
    (station,) = [s for s in siming.stations if s.unit.name == "莲前派出所"]
    assert (station.premises, station.screened_premises, station.people) == (n + 1, n, 3 * n)
    assert (station.red, station.yellow, station.silent) == (n, n, n)
    assert (siming.premises, siming.red) == (station.premises, station.red)
