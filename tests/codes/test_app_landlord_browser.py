"""Issue 11's remaining landlord and police items on a phone (375 px), in Chinese and in English, in Debian's
chromium: a partial roster, the full roster with a red tenant (the results page says the printed green
poster is no longer valid, with its date, and offers the new one), then a subset that leaves the red tenant
out and has a row with a bad quote (the code is suspended, named by upload time and file, never "job 20"; the
row to fix shows the row as written, nothing in the ID slot); the police jurisdiction list and premises page
keep the red tenant, marked; the upload form states the one size limit. No page scrolls sideways.
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from derived_support import AS_OF, RED_ID, SH, TENANTS, import_risk, roster, run
from test_app_support import browser_page, isolated  # noqa: F401 - fixture

from pingan.codes.models import SafetyCode

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

RED = ("张伟", RED_ID)
INTERNAL_ID = re.compile(r"(?i)(?:\bjob|\breview|#|任务)\s*#?\s*\d+\b")
WORDS = {"zh-hans": {"old": "已失效", "print": "打印新的门贴", "off": "不在", "limit": "20 MiB"},
         "en": {"old": "no longer valid", "print": "Print the new poster", "off": "Not on the roster",
                "limit": "20 MiB"}}


def local(at) -> str:
    return at.astimezone(SH).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_landlord_and_police_pages_after_a_partial_roster_on_a_phone(live_server, client, cast, monkeypatch,
                                                                         tmp_path, language):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from pingan.screening import services as screening

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("PINGAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    words = WORDS[language]
    import_risk(tmp_path)
    run(cast.premises_a, TENANTS[:3])
    green = SafetyCode.objects.get(premises=cast.premises_a)
    full = run(cast.premises_a, [*TENANTS[:6], RED])

    def phone(browser, user, width: int = 375):
        return browser_page(browser, client, live_server, user, language, width)

    def visit(page, path: str, name: str, width: int = 375) -> str:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(shots / f"landlord-{language}-{width}-{name}.png"), full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, name
        text = page.locator("main").inner_text()
        assert not INTERNAL_ID.search(text), (name, INTERNAL_ID.search(text))
        return text

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = phone(browser, cast.landlord_a)
            # the full roster's results page: the green poster on the door is no longer valid
            visit(page, f"/screening/jobs/{full.pk}/", "full-job")
            notice = page.locator("#old-poster")
            expect(notice).to_contain_text(words["old"])
            expect(notice).to_contain_text(local(green.issued_at))
            expect(notice.locator("a.button")).to_contain_text(words["print"])
            poster = f"/codes/premises/{cast.premises_a.pk}/poster.pdf"
            expect(notice.locator("a.button")).to_have_attribute("href", poster)
            visit(page, f"/codes/premises/{cast.premises_a.pk}/", "code-page")
            expect(page.locator("#old-poster")).to_contain_text(local(green.issued_at))
            # the upload form states the limit
            visit(page, "/screening/upload/", "upload")
            expect(page.locator("#limit-hint")).to_contain_text(words["limit"])
            # a subset without the red tenant, with a row whose quotes enclose the name and the ID number
            data = roster(TENANTS[:2]) + f'"王五,{TENANTS[3][1]}",居民身份证,{TENANTS[3][1]}\n'.encode()
            job = screening.screening_job_create(actor=cast.landlord_a, roster_name="tenants.csv", roster_bytes=data,
                                                 premises=cast.premises_a, as_of=AS_OF)
            subset = screening.screening_job_run(job=job)
            text = visit(page, f"/screening/jobs/{subset.pk}/", "subset-job")
            assert local(subset.created_at) in text and "tenants.csv" in text
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "suspended")
            bad = page.locator("#rejected-4")
            expect(bad.locator("[data-raw-line]")).to_be_visible()
            expect(bad.locator('[data-slot="id"]')).to_have_count(0)
            # the police keep seeing the red tenant the subset left out
            page = phone(browser, cast.officer_a)
            visit(page, "/police/", "jurisdiction")
            row = page.locator("#flagged-list li", has_text="张伟")
            expect(row).to_have_count(1)
            expect(row.locator("[data-off-roster]")).to_contain_text(words["off"])
            expect(row.locator("[data-off-roster]")).to_contain_text("tenants.csv")
            visit(page, f"/police/premises/{cast.premises_a.pk}/", "police-premises")
            expect(page.locator("main li", has_text="张伟").locator("[data-off-roster]")).to_have_count(1)
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "suspended")
            visit(page, "/codes/police/", "queue")
            page = phone(browser, cast.landlord_a, 1280)  # and on a desktop
            visit(page, f"/screening/jobs/{subset.pk}/", "subset-job", 1280)
        finally:
            browser.close()
