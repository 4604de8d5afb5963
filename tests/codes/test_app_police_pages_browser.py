"""Issue 11's officer, chief and auditor pages in Debian's chromium at 375 px and 1280 px, in Chinese and in
English: an officer without a display name greeted by role and unit; an upheld correction request shown on the
code page and in the chief's queue; each role told what happens next to a level change; the audit page naming
a screened person by masked name and ID; /api/docs in the site's frame. Nothing wider than the screen.
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_support import browser_page, isolated, phone_shots, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.core import audit

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser,
              pytest.mark.usefixtures("isolated")]

WORDS = {"zh-hans": {"hello": "您好，莲前派出所民警", "waiting": "由莲前派出所所长批准或驳回",
                     "upheld": "已支持，等级尚未调整", "docs": "接口文档", "person": "筛查人员："},
         "en": {"hello": "Hello, officer of Lianqian Police Station",
                "waiting": "The station chief of Lianqian Police Station approves or rejects it",
                "upheld": "Upheld, level not yet changed", "docs": "API documentation", "person": "screened person:"}}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_police_pages_on_a_phone_and_a_desktop(live_server, client, cast, monkeypatch, tmp_path, language,
                                                  width):
    from playwright.sync_api import expect, sync_playwright

    from pingan.core.models import User

    shots = phone_shots(monkeypatch, tmp_path)
    words = WORDS[language]
    User.objects.filter(pk=cast.officer_a.pk).update(display_name="")  # made by `pingan user create`, no name
    cast.officer_a.refresh_from_db()
    screened(cast.premises_a, ["green", "yellow"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    services.level_override_request(premises=cast.premises_a, level="green", reason="现场核查",
                                    actor=cast.officer_a)
    d = services.dispute_open(premises=cast.premises_a, text="黄码租户已搬离，请核实", actor=cast.landlord_a)
    services.dispute_resolve(dispute=d, upheld=True, outcome="走访核实属实", actor=cast.officer_a)
    from pingan.screening.models import PersonResult

    person = PersonResult.objects.filter(job__premises=cast.premises_a).first()
    audit.record_read(cast.officer_a, "PersonResult", person.pk, purpose="jurisdiction_management")

    def shot(page, name: str) -> None:
        page.screenshot(path=str(shots / f"{language}-{width}-{name}.png"), full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, name

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser_page(browser, client, live_server, cast.officer_a, language, width)
            page.goto(live_server.url + "/")
            expect(page.locator("h1")).to_contain_text(words["hello"])
            shot(page, "officer-home")
            page.goto(live_server.url + reverse("codes:police"))
            expect(page.locator("#open-overrides")).to_contain_text(words["waiting"])
            shot(page, "officer-queue")
            page.goto(live_server.url + reverse("codes:premises", args=[cast.premises_a.pk]))
            shot(page, "officer-code-page")
            page.goto(live_server.url + "/api/docs")
            expect(page.locator("#api-docs-title")).to_have_text(words["docs"])
            page.wait_for_selector(".opblock-tag-section", timeout=60_000)
            shot(page, "api-docs")
            page.context.close()

            page = browser_page(browser, client, live_server, cast.chief_a, language, width)
            page.goto(live_server.url + reverse("codes:police"))
            expect(page.locator("#upheld")).to_contain_text(cast.premises_a.name)
            expect(page.locator("body")).to_contain_text(words["upheld"])
            shot(page, "chief-queue")
            page.context.close()

            page = browser_page(browser, client, live_server, cast.auditor, language, width)
            page.goto(live_server.url + "/audit/?object_type=PersonResult")
            expect(page.locator("#audit-records")).to_contain_text(words["person"])
            shot(page, "auditor-audit")
            page.context.close()
        finally:
            browser.close()
