"""A destructive action asks first, with and without JavaScript (Debian's chromium): revoking a safety code.

With script, the button's question opens the browser's dialog: "no" leaves the code alone, "yes" revokes it
in one step. Without script, the server answers a confirmation page whose button does it.
"""

from __future__ import annotations

import pytest
from web_support import browser_signed_in, screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_revoking_a_code_asks_first_with_and_without_javascript(browser, live_server, cast, risk):
    from pingan.codes.services import current_code, safety_code_issue

    screen(cast.landlord_a, cast.premises_a)
    url = f"{live_server.url}/codes/premises/{cast.premises_a.pk}/"

    # with script: the dialog; "no" keeps the code
    code = safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    page = browser_signed_in(browser, live_server, cast.officer_a, javascript=True)
    page.goto(url)
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.check("#revoke input[value=fraud]")
    page.click("#revoke button.danger")
    page.wait_for_timeout(500)
    assert asked and asked[0].startswith("撤销平安码") and "无法撤销" in asked[0], asked
    code.refresh_from_db()
    assert code.revoked_at is None and page.url == url
    page.once("dialog", lambda d: d.accept())
    page.click("#revoke button.danger")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1  # done in one step, no confirmation page
    code.refresh_from_db()
    assert code.revoked_at is not None

    # without script: the server's confirmation page
    screen(cast.landlord_a, cast.premises_a)
    code = safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    page = browser_signed_in(browser, live_server, cast.officer_a, javascript=False)
    page.goto(url)
    page.check("#revoke input[value=fraud]")
    page.click("#revoke button.danger")
    page.wait_for_load_state()
    assert page.locator("#confirm").is_visible() and cast.premises_a.name in page.inner_text("#confirm")
    code.refresh_from_db()
    assert code.revoked_at is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("#confirm button.danger")
    page.wait_for_load_state()
    code.refresh_from_db()
    assert code.revoked_at is not None and current_code(cast.premises_a) is None
