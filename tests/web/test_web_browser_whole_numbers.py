"""Numbers people read or type never break across lines at phone width (issue 11: the person page showed an
18-digit ID number as "4107111992041591 / 82" at 375 px), and the account menu's cut name ("厦门试用贸易有…")
is whole in its tooltip and its panel. Checked in Debian's chromium."""

from __future__ import annotations

import os

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures
from web_support import rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The texts of ``.whole`` elements and phone links that lie on more than one line, and the page's width.
BROKEN = """() => { const out = {broken: [], wholes: 0, width: document.documentElement.scrollWidth};
  for (const e of document.querySelectorAll('main .whole, main a[href^="tel:"]')) {
    out.wholes++;
    const r = document.createRange(); r.selectNodeContents(e);
    const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
    if (tops.size > 1) out.broken.push(e.textContent);
  }
  return out; }"""


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_id_number_and_a_phone_stay_whole_on_a_phone(open_as, live_server, cast, lang):  # noqa: F811
    from django.utils import timezone

    from pingan.screening.models import PersonResult, ScreeningJob

    now = timezone.now()
    job = ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="part1.csv", roster_sha256="1" * 64,
        status="done", progress=100, as_of=now, started_at=now, finished_at=now,
        counts={"accepted": 1, "rejected": 0, "green": 0, "yellow": 0, "red": 1, "flagged_people": 1})
    number = rid("410711", "19920415", "918")
    person = PersonResult.objects.create(
        job=job, row=22, status="accepted", level="red", name="何云", doc_type="ric", id_number=number,
        corrected_id_number=rid("410711", "19920415", "917"), identity_status="valid", phone="19329540037",
        reason="到访高风险区")
    page = open_as(cast.officer_a, width=375, lang=lang)
    assert page.goto(f"{live_server.url}/police/persons/{person.pk}/").status == 200
    found = page.evaluate(BROKEN)
    if shots := os.environ.get("PINGAN_SCREENSHOTS"):  # to look at them: a folder
        page.screenshot(path=f"{shots}/person-375-{lang}.png", full_page=True)
    assert found["wholes"] >= 3 and found["broken"] == [] and found["width"] <= 375, found
    # the account menu: the header cuts a long name; the tooltip and the panel give it whole
    who = page.locator("details.account summary")
    assert cast.officer_a.shown_name in who.get_attribute("title")
