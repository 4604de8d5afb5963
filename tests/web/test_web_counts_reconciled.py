"""A screening's page says counts that add up, and the roster's room column as what it is (a fresh-user trial of the
demo's pages): the police results page put "2,891" beside the summary's "green 2829" — the tiles now count every
screened row (afd92d7), the summary's chips every row, the rows not screened too, each figure grouped alike; and
the person page said
the roster's address column (the demo's held a home-province household address) as where the person lives."""

from __future__ import annotations

import re

import pytest
from test_web_results import csv_roster
from web_support import GREEN_ID, RED_ID, roster_bytes, screen, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_police_tiles_say_what_the_summary_counts_besides(client, cast, risk, language):
    job = screen(cast.landlord_a, cast.premises_a, roster_bytes())
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    html = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    tiles = html[html.index('id="people-counts"'):]
    shown = int(re.search(r"<b>([\d,]+)</b>", tiles).group(1).replace(",", ""))
    assert shown == job.tally["accepted"]  # the tiles count every screened row (afd92d7)
    # the summary's chips count every row once, the rows not screened too
    summary = html[html.index('id="level-chips"'):].split("</p>", 1)[0]
    chips = [int(n) for n in re.findall(r'data-chip="[^"]+">[^<\d]*(\d+)', summary)]
    assert sum(chips) == job.tally["accepted"] + job.tally["rejected"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_person_page_says_the_roster_room_as_the_roster_gave_it(client, cast, risk, language):
    from pingan.screening.models import PersonResult

    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "居民身份证", GREEN_ID, "", "3栋1502室"],
                                                               ["张伟", "居民身份证", RED_ID, "", "湖北省宜昌市某路"]]))
    person = PersonResult.objects.get(job=job, name="张伟")
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    html = client.get(f"/police/persons/{person.pk}/").content.decode()
    lives = html[html.index("<dt>", html.index("dl")):]
    label = "名单所填房号/地址" if language == "zh-hans" else "Room or address on the roster"
    assert re.search(rf"<dt>{re.escape(label)}</dt><dd id=\"roster-address\">湖北省宜昌市某路</dd>", lives)
    # not said as part of where the person lives (the premises)
    where = lives[:lives.index(label)]
    assert "湖北省宜昌市某路" not in where
