"""Every count on the police home, the jurisdiction view, a premises page and the counts page means one thing
and adds up (issue 11: the counts page said "people 102 · red 78 · yellow 95" — the trial's left-out flagged
people counted among the red and yellow but not among the people — and the tiles overlapped: red, yellow and all
watchlist hits, with a not-screened tile on one page of three)."""

from __future__ import annotations

import re

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.urls import reverse
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.screening.models import PersonResult

pytestmark = pytest.mark.usefixtures("isolated")

RED = ("张伟", RED_ID)


@pytest.fixture
def left_out(cast, tmp_path):
    """premises_a: a roster of 5 tenants and the red one, then the 5 tenants and 2 more without him (he is left
    out and listed for the police); one tenant of the latest roster on a watchlist, green otherwise."""
    import_risk(tmp_path)
    run(cast.premises_a, [*TENANTS[:5], RED])
    latest = run(cast.premises_a, TENANTS[:7])
    PersonResult.objects.filter(job=latest, row=2).update(silent_hit=True)
    return latest


def tiles(html: str, div_id: str) -> tuple[int, dict[str, int]]:
    block = html[html.index(f'id="{div_id}"'):]
    block = block[:block.index("</div>")]
    total = int(re.search(r'data-total="(\d+)"', block).group(1))
    parts = {k: int(v) for k, v in re.findall(r'data-part="(\w+)"[^>]*><b>(\d+)</b>', block)}
    return total, parts


def test_the_flagged_tiles_part_the_flagged_people_on_every_police_page(client, cast, left_out):
    from pingan.screening.selectors import flagged_counts

    c = flagged_counts(actor=cast.officer_a)
    assert (c["total"], c["red"], c["yellow"], c["watchlist_green"], c["unscreened"], c["other"]) == (2, 1, 0, 1, 0, 0)
    assert c["red"] + c["yellow"] + c["watchlist_green"] + c["unscreened"] + c["other"] == c["total"]
    for who in (cast.officer_a, cast.chief_a):
        sign_in(client, who)
        for url, div in ((reverse("dashboard:jurisdiction"), "flagged-counts"), ("/", "home-flagged"),
                         (reverse("dashboard:premises", args=[cast.premises_a.pk]), "people-counts")):
            html = client.get(url).content.decode()
            total, parts = tiles(html, div)
            assert total == 2 and sum(parts.values()) == total, (url, parts)


def test_the_counts_page_counts_the_left_out_among_the_people(client, cast, left_out):
    from pingan.dashboard.selectors import daily_counts, unit_counts

    (station,) = unit_counts(actor=cast.chief_a)
    # 7 on the latest roster and the red tenant of the roster before, still listed for the police
    assert (station.people, station.off_roster, station.red, station.yellow, station.silent) == (8, 1, 1, 0, 1)
    assert station.red + station.yellow <= station.people
    trend = daily_counts(actor=cast.chief_a)
    assert sum(d.people for d in trend) + trend.earlier.people == station.people
    assert sum(d.red for d in trend) + trend.earlier.red == station.red
    sign_in(client, cast.chief_a)
    for lang in ("en", "zh-hans"):
        client.cookies["django_language"] = lang
        html = client.get("/police/overview/").content.decode()
        # the columns: unit, red, yellow, watchlist, people, of them off the roster, premises screened (90d5acc0)
        cells = r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>"
        row = re.search(r"<tr><td>· [^<]+</td>" + cells, html) or re.search(
            r'<tr class="branch"><td><strong>[^<]+</strong></td>' + cells, html)
        red, yellow, _watchlist, people, off_roster = (int(x) for x in row.groups())
        assert (people, off_roster, red, yellow) == (8, 1, 1, 0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_police_premises_page_says_why_the_code_is_yellow_with_nobody_flagged(client, cast, tmp_path,
                                                                                 language):
    # issue 11: "0 flagged" beside a yellow code — the roster's row without a name was not screened
    import_risk(tmp_path)
    job = run(cast.premises_a, [*TENANTS[:3], ("", TENANTS[5][1])])
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    html = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert 'data-code-state="yellow"' in html
    total, _parts = tiles(html, "people-counts")
    assert total == 0
    notice = html[html.index('id="unresolved-rows"'):]
    notice = notice[:notice.index("</p>")]
    assert 'data-unresolved="1"' in notice and reverse("screening:job", args=[job.pk]) + "#rows-to-fix" in notice
    assert ("Nobody is flagged" in notice) if language == "en" else ("没有被标记的人员" in notice and "黄码" in notice)
