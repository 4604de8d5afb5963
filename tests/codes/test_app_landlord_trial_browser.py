"""Issue 11's landlord and safety-code pages in chromium at 375 px and 1280 px, in Chinese and in English: the
same roster uploaded again keeps the code (the card says so), the police premises page says why the code is
yellow with nobody flagged and its tiles add up, a replaced code's verification page says "replaced", the
upload page has a way back and a failed upload a link to the template. ``PINGAN_SCREENSHOTS=dir`` keeps the
screenshots."""

from __future__ import annotations

import contextlib

import pytest
from derived_support import AS_OF, TENANTS, import_risk, run
from django.urls import reverse
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]


def failed_job(premises):
    from pingan.core.errors import DomainError
    from pingan.screening import services as screening

    job = screening.screening_job_create(actor=premises.owner, roster_name="empty.csv",
                                         roster_bytes="姓名,证件号码\n".encode(), premises=premises, as_of=AS_OF)
    with contextlib.suppress(DomainError):
        screening.screening_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "failed"
    return job


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_landlord_and_police_pages_of_the_trial(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import sync_playwright

    zh = language == "zh-hans"
    import_risk(tmp_path)
    people = [*TENANTS[:3], ("", TENANTS[5][1])]  # a row without a name: not screened, the code is yellow
    first = run(cast.premises_a, people)
    again = run(cast.premises_a, list(reversed(people)))
    kept = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    assert kept.job_id == again.pk
    failed = failed_job(cast.premises_a)
    pages = [("code-kept", cast.landlord_a, reverse("codes:premises", args=[cast.premises_a.pk]), "#code-kept"),
             ("job-again", cast.landlord_a, reverse("screening:job", args=[again.pk]), "#code-kept"),
             ("job-first", cast.landlord_a, reverse("screening:job", args=[first.pk]), "#this-screening-code"),
             ("upload", cast.landlord_a, reverse("screening:upload"), "#back"),
             ("failed", cast.landlord_a, reverse("screening:job", args=[failed.pk]), "#failed-template"),
             ("home", cast.landlord_a, "/screening/", "[data-chip=not-screened]"),  # 41c8dbc: its own chip
             ("police-premises", cast.officer_a, reverse("dashboard:premises", args=[cast.premises_a.pk]),
              "#unresolved-rows"),
             ("police-home", cast.chief_a, "/", "#home-flagged"),
             ("jurisdiction", cast.officer_a, reverse("dashboard:jurisdiction"), "#flagged-counts"),
             ("overview", cast.chief_a, "/police/overview/", "#counted")]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in (375, 1280):
                for name, user, url, must in pages:
                    page = browser_page(browser, client, live_server, user, language, width=width)
                    page.goto(live_server.url + url)
                    page.screenshot(path=str(shots / f"trial-{language}-{width}-{name}.png"), full_page=True)
                    assert page.locator(must).count() >= 1, (name, must)
                    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, (name, width)
                    page.context.close()
            # a newer roster with other people replaces the kept code: its poster reads "replaced", not "revoked"
            run(cast.premises_a, [*people, TENANTS[4]])  # one more tenant: still yellow, another roster
            kept.refresh_from_db()
            assert kept.revocation_reason == "rescreened"
            link = services.code_url(kept, verify_url=live_server.url + "/verify/")
            for width in (375, 1280):
                page = browser_page(browser, client, live_server, cast.landlord_a, language, width=width)
                page.goto(link)
                page.wait_for_function("document.getElementById('result').textContent.length > 0")
                said = page.locator("#result").inner_text()
                page.screenshot(path=str(shots / f"trial-{language}-{width}-verify-replaced.png"), full_page=True)
                head = page.locator("#verdict").inner_text()  # the verdict first (issue 11): not valid, and why
                assert head == ("无效：已被新码取代" if zh else "Not valid: replaced by a newer code"), said
                assert ("新的门贴" in said) if zh else ("new poster" in said), said
                assert page.evaluate("document.scrollingElement.scrollWidth") <= width
                page.context.close()
        finally:
            browser.close()
