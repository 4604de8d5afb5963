"""Every row of a police list says the same things (issue 11, fresh-user trial of the police pages): the search
among everyone (``?scope=all``) listed people in roster order — a red tenant after green ones — with neither a
roster row nor a masked ID number, so two namesakes could not be told apart, and did not say that it looks at the
latest rosters only; the premises page's watchlist rows had no line under the name, where the jurisdiction view's
said what a watchlist hit means."""

from __future__ import annotations

import re

import pytest
from test_web_results import get
from web_support import GREEN_ID, RED_ID, make_job, sign_in

from pingan.lib.redact import mask_id

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" data-person="\d+">(.*?)</li>', html, re.S)


def name(row: str) -> str:
    return re.search(r"<strong>(.*?)</strong>", row).group(1)


@pytest.mark.parametrize("lang, row, latest", [("zh-hans", "第 2 行", "只查各场所最近一次提交的名单"),
                                               ("en", "row 2", "Only the latest roster of each premises")])
def test_the_search_among_everyone_lists_by_level_with_row_and_masked_number(client, cast, lang, row, latest):
    make_job(cast.landlord_a, cast.premises_a, "甲")
    sign_in(client, cast.officer_a)
    html = get(client, "/police/?q=甲&scope=all", lang)
    found = rows(html)
    # watchlist hit first, then red, yellow, then the row not screened (roster order was 红 黄 绿 错)
    assert [name(r) for r in found] == ["甲绿", "甲红", "甲黄", "甲错"]
    red = found[1]
    assert row in red and mask_id(RED_ID) in red and RED_ID not in html
    assert mask_id(GREEN_ID) in found[0]
    assert latest in html


@pytest.mark.parametrize("lang, line", [("zh-hans", "布控名单命中：不得告知提交方"),
                                        ("en", "Watchlist hit: do not tell the submitter")])
def test_a_watchlist_row_says_the_same_on_the_premises_page_as_in_the_jurisdiction_view(client, cast, lang, line):
    make_job(cast.landlord_a, cast.premises_a, "甲")
    sign_in(client, cast.officer_a)
    for url in ("/police/", f"/police/premises/{cast.premises_a.pk}/"):
        listed = {name(r): r for r in rows(get(client, url, lang))}
        assert line in listed["甲绿"] and "data-watchlist-line" in listed["甲绿"], url
        assert line not in listed["甲红"], url
        assert mask_id(RED_ID) in listed["甲红"], url


@pytest.mark.parametrize("lang, label", [("zh-hans", "名单所填房号/地址："), ("en", "Room or address on the roster: ")])
def test_what_the_roster_gave_for_room_or_address_is_labelled_as_that_on_every_page(client, cast, lang, label):
    """Issue 11: the roster's 房号/地址 value stood bare under a name on the premises page (read as a room) and as
    "address" elsewhere; the English template's header said "Room". One label everywhere, as the column is."""
    from pingan.screening.models import PersonResult
    from pingan.screening.roster import ENGLISH_LABELS, FIELD_LABELS

    assert (FIELD_LABELS["address"], ENGLISH_LABELS["address"]) == ("房号/地址", "Room or address")
    make_job(cast.landlord_a, cast.premises_a, "甲")
    red = PersonResult.objects.get(name="甲红")
    PersonResult.objects.filter(pk=red.pk).update(address="莲前东路1号2单元301室")
    sign_in(client, cast.officer_a)
    listed = {name(r): r for r in rows(get(client, f"/police/premises/{cast.premises_a.pk}/", lang))}
    assert f"{label}莲前东路1号2单元301室" in listed["甲红"]
    person = get(client, f"/police/persons/{red.pk}/", lang)
    assert label.rstrip(": ：") in person and "莲前东路1号2单元301室" in person


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_red_watchlist_hit_is_counted_once_in_the_screening_pages_tiles(client, cast, lang):
    """Issue 11's trial: on the police view of a screening a red watchlist hit was counted in the red tile and in
    the watchlist tile, so the tiles did not add up to the people screened. The tiles part the people, as the
    jurisdiction view's do; all watchlist hits are said apart ("of them")."""
    from pingan.screening.models import PersonResult

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    PersonResult.objects.filter(job=job, name="甲红").update(silent_hit=True)
    sign_in(client, cast.officer_a)
    html = get(client, f"/screening/jobs/{job.pk}/", lang)
    tiles = html[html.index('id="people-counts"'):]
    tiles = tiles[:tiles.index("</div>")]
    figures = [int(n) for n in re.findall(r"<b>(\d+)</b>", tiles)]
    assert figures[0] == 3 and sum(figures[1:]) == figures[0], figures  # 3 screened: red 1, yellow 1, watchlist 1
    of_them = html[html.index("data-of-them"):]
    assert "<b>2</b>" in of_them[:of_them.index("</div>")]
