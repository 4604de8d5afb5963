"""The overview page says its figures as people read them (issue 11, item 5): the map's legend left out a
colour class no district has ("…最多为 0 人" / "the most is 0."), counts grouped by thousands ("207100"), the
map's English labels short enough to stay inside a district ("Siming District 78 / 535" ran over the border
at 1280 px), and the last two day labels of a chart never crowd ("12-02 12-07")."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from web_support import sign_in

from pingan.dashboard.charts import bar_chart

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened_yellow_only(cast):
    from pingan.screening.models import PersonResult, ScreeningJob
    from pingan.screening.services import screening_job_latest_refresh

    now = timezone.now()
    job = ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="roster.csv", roster_sha256="0" * 64,
        status="done", as_of=now, finished_at=now, counts={"accepted": 1201, "green": 1200, "yellow": 1})
    PersonResult.objects.bulk_create([PersonResult(job=job, row=i + 2, status="accepted",
                                                   level="yellow" if i == 0 else "green", name=f"P{i}")
                                      for i in range(1201)])
    screening_job_latest_refresh(premises_ids=[cast.premises_a.pk])
    return job


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_legend_leaves_out_an_empty_class_and_counts_are_grouped(client, cast, screened_yellow_only, lang):
    sign_in(client, cast.analyst)
    client.cookies["django_language"] = lang
    html = client.get("/police/overview/").content.decode()
    legend = html[html.index('id="map-legend"'):html.index("</ul>", html.index('id="map-legend"'))]
    assert "最多为 0" not in legend and "most is 0" not in legend
    assert ("黄码" in legend or "Yellow" in legend) and len(re.findall("<li>", legend)) == 2
    assert "1,201" in html and "1201" not in re.sub(r"<[^>]+>", " ", html).replace("1,201", "")
    if lang == "en":
        labels = re.findall(r'class="map-label">([^<]*)<', html)
        assert "Siming" in labels and not any(x.endswith(" District") for x in labels), labels


def test_the_last_two_day_labels_of_a_month_do_not_crowd():
    days = [f"11-{d:02d}" for d in range(8, 31)] + [f"12-{d:02d}" for d in range(1, 8)]
    xs = [x for x, _l in bar_chart(days, [1] * 30).x_labels]
    assert xs[-1] - xs[-2] > 60  # a label is about 30 units wide, the last one anchored at its end
    assert [lab for _x, lab in bar_chart(days, [1] * 30).x_labels][-1] == "12-07"
