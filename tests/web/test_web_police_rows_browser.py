"""The police lists' rows (row number and masked ID number beside the name, the watchlist line, the invalid-phone
flag) and a screening's count tiles (each person once) fit a phone and a desktop in both languages (issue 11's
fresh-user trial of the police pages; checked in Debian's chromium at 375 px and 1280 px, zh-Hans and English)."""

from __future__ import annotations

import os

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures
from web_support import make_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_police_lists_rows_fit_and_say_row_number_and_watchlist(open_as, live_server, cast, width,  # noqa: F811
                                                                     lang):
    from pingan.screening.models import PersonResult

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    red = PersonResult.objects.get(name="甲红")
    PersonResult.objects.filter(pk=red.pk).update(phone="1380013800x", address="2单元301室", silent_hit=True)
    page = open_as(cast.officer_a, width=width, lang=lang)
    zh = lang == "zh-hans"
    for name, path in (("search", "/police/?q=甲&scope=all"), ("premises", f"/police/premises/{cast.premises_a.pk}/"),
                       ("person", f"/police/persons/{red.pk}/"), ("job", f"/screening/jobs/{job.pk}/")):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        if shots := os.environ.get("PINGAN_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/police-rows-{name}-{lang}-{width}.png", full_page=True)
        if name == "job":  # the tiles part the people: 3 screened = red 1 + yellow 1 + watchlist (otherwise green) 1
            figures = [int(n) for n in page.locator("#people-counts b").all_inner_texts()]
            assert figures[0] == sum(figures[1:]) == 3, figures
            continue
        if name == "person":
            flag = page.locator("[data-phone-invalid]").inner_text()
            assert ("不是有效号码" if zh else "not a valid phone number") in flag
            assert page.locator('a[href^="tel:"]').count() == 0
            continue
        rows = page.locator("li[data-person]")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert texts and all(("第 " if zh else "row ") in t for t in texts), texts
        watch = [t for t in texts if "甲绿" in t]
        said = "布控名单命中：不得告知提交方" if zh else "Watchlist hit: do not tell the submitter"
        assert watch and said in watch[0]
