"""The level pages on a phone (375 px; two of them at 1280 px too), in Chinese and in English, in Debian's
chromium (issues 10 and 11): after a partial roster (one row not screened), the full roster with a red tenant
and a four-eyes level change, the landlord's list, the older screening's page (its code superseded, by which
screening), the newer one, the police list, premises and person pages all show the same code, without sideways
scrolling; a hit is titled by the rule's name, never its id. ``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from test_app_support import browser_page, isolated, phone_shots  # noqa: F401 - fixture

from pingan.codes import services
from pingan.screening.models import PersonResult

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

#: what each page must show, per language: (the code's name, the superseded note, the hit's title)
WORDS = {"zh-hans": ("黄码", "的筛查取代", "到过高风险区"),
         "en": ("yellow code", "superseded on", "Stayed in a high-risk area")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_level_pages_agree_on_a_phone(live_server, client, cast, monkeypatch, tmp_path, language):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import expect, sync_playwright

    import_risk(tmp_path)
    old = run(cast.premises_a, [*TENANTS[:4], ("示例沈云", TENANTS[29][1])])
    new = run(cast.premises_a, [*TENANTS[:17], ("张伟", RED_ID)])
    ov = services.level_override_request(premises=cast.premises_a, level="yellow", reason="张伟 核酸阴性，已隔离",
                                         actor=cast.officer_a)
    services.level_override_approve(override=ov, actor=cast.chief_a)
    red = PersonResult.objects.get(job=new, level="red")
    code_name, superseded, hit_title = WORDS[language]

    def phone(browser, user, width: int = 375):
        return browser_page(browser, client, live_server, user, language, width)

    def visit(page, path: str, name: str, width: int = 375):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(shots / f"{language}-{width}-{name}.png"), full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, name

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = phone(browser, cast.landlord_a)
            visit(page, "/screening/", "landlord-list")
            badge = page.locator("#my-premises .code-badge")
            expect(badge).to_have_attribute("data-code-state", "yellow")
            expect(badge).to_contain_text(code_name)
            visit(page, f"/screening/jobs/{old.pk}/", "old-job")
            expect(page.locator("#superseded")).to_contain_text(superseded)
            expect(page.locator("#superseded a")).to_have_attribute("href", f"/screening/jobs/{new.pk}/")
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "yellow")
            visit(page, f"/screening/jobs/{new.pk}/", "new-job")
            expect(page.locator("#this-screening-code")).to_have_count(0)
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "yellow")
            page = phone(browser, cast.officer_a)
            visit(page, "/police/", "police-list")
            expect(page.locator("#premises-list .code-badge").first).to_have_attribute("data-code-state", "yellow")
            visit(page, f"/police/premises/{cast.premises_a.pk}/", "police-premises")
            expect(page.locator("#safety-code")).to_have_attribute("data-code-state", "yellow")
            visit(page, f"/police/persons/{red.pk}/", "police-person")
            titles = page.locator("#hits + ul.list > li > strong")
            expect(titles.first).to_contain_text(hit_title)
            assert "area-high" not in " ".join(titles.all_inner_texts())
            page = phone(browser, cast.landlord_a, 1280)  # and on a desktop
            visit(page, f"/screening/jobs/{old.pk}/", "old-job", 1280)
            expect(page.locator("#superseded")).to_contain_text(superseded)
            visit(page, "/screening/", "landlord-list", 1280)
            expect(page.locator("#my-premises .code-badge")).to_have_attribute("data-code-state", "yellow")
        finally:
            browser.close()
