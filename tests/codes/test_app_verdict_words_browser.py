"""The verification page says its verdict first, in words, in Debian's chromium (issue 11's fresh-user trial):
a code that verifies reads "有效" / "Valid" (before, only "黄码 · … · 有效期至 …"); a code an approved level
change replaced mid-way is complete but not valid — "无效：已被新码取代", never "not a complete code"; a code the
police revoked reads "已撤销" / "Revoked"; an expired one "已过期" / "Expired"; text that is no code "无效" /
"Not valid". Door links (the QR's URL form), at 375 and 1280 px, in both languages; ``PINGAN_SCREENSHOTS=dir``
keeps the screenshots."""

from __future__ import annotations

import pytest
from test_app_support import isolated, phone_shots, screened  # noqa: F401 - fixture

from pingan.codes import services

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.usefixtures("isolated")]

#: what the page's verdict says, per language and case
VERDICTS = {
    "zh-hans": {"valid": "有效", "superseded": "无效：已被新码取代", "revoked": "已撤销", "expired": "已过期",
                "malformed": "无效"},
    "en": {"valid": "Valid", "superseded": "Not valid: replaced by a newer code", "revoked": "Revoked",
           "expired": "Expired", "malformed": "Not valid"},
}
#: and what must not be said of a complete code
NOT_COMPLETE = {"zh-hans": "不是完整的平安码", "en": "not a complete safety code"}


def test_each_verdict_is_said_first_in_words(live_server, cast, monkeypatch, tmp_path):
    shots = phone_shots(monkeypatch, tmp_path)
    from playwright.sync_api import sync_playwright

    screened(cast.premises_a, ["green", "yellow"])
    before = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    change = services.level_override_request(premises=cast.premises_a, level="red", reason="复核发现漏报的红码人员",
                                             actor=cast.officer_a)
    services.level_override_approve(override=change, actor=cast.chief_a)  # replaces ``before`` mid-way
    current = services.current_code(cast.premises_a)
    assert current.pk != before.pk
    screened(cast.premises_b, ["green"])
    withdrawn = services.safety_code_issue(premises=cast.premises_b, actor=cast.landlord_b)
    services.safety_code_revoke(code=withdrawn, reason="fraud", actor=cast.officer_b)
    page_url = f"{live_server.url}/verify/"
    links = {"valid": services.code_url(current, verify_url=page_url),
             "superseded": services.code_url(before, verify_url=page_url),
             "revoked": services.code_url(withdrawn, verify_url=page_url),
             "malformed": page_url + "#9" + "1" * 40}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for language, said in VERDICTS.items():
                for width in (375, 1280):
                    context = browser.new_context(viewport={"width": width, "height": 800})
                    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    for case, link in links.items():
                        page.goto(link)
                        page.wait_for_function("document.getElementById('verdict') !== null", timeout=30_000)
                        assert page.text_content("#verdict") == said[case], (language, case)
                        result = page.text_content("#result")
                        assert result.startswith(said[case])  # the verdict comes first
                        if case != "malformed":
                            assert NOT_COMPLETE[language] not in result, (language, case, result)
                        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
                        page.screenshot(path=str(shots / f"verdict-{language}-{width}-{case}.png"), full_page=True)
                    context.close()
                    assert errors == []
                # a week and a day later the current code has expired: so said, first
                context = browser.new_context(viewport={"width": 375, "height": 800})
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                page = context.new_page()
                page.goto(page_url)
                page.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
                assert page.evaluate("window.pinganReady") is True
                later = current.expires_at.timestamp() + 86_400
                page.clock.set_fixed_time(later)
                page.fill("#code", current.token)
                page.click("#check")
                page.wait_for_function("document.getElementById('verdict') !== null", timeout=30_000)
                assert page.text_content("#verdict") == said["expired"]
                page.screenshot(path=str(shots / f"verdict-{language}-375-expired.png"), full_page=True)
                context.close()
        finally:
            browser.close()
