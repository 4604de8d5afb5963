"""The landlord's first steps in Debian's chromium at 375 px and 1280 px, in Chinese and in English (issue 11,
landlord trial items 1–3): the sign-in page leads to the sign-up; the applicant registers an account and a
flat; the station's officer confirms it in the queue; the landlord signs in, registers a second flat of the
same building, renames it and removes it. Each page is in one language (``tests/page_language.problems``).
``PINGAN_SCREENSHOTS=dir`` keeps the screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from page_language import data_values, problems

from pingan.core.models import Premises, Registration

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

PASSWORD = "lianqian rooms 2026"
WORDS = {"zh-hans": ("注册已提交", "已确认", "已改名"), "en": ("Registration sent", "Confirmed", "Renamed")}


def shot(page, shots: Path, name: str, width: int, language: str) -> None:
    page.screenshot(path=str(shots / f"{language}-{width}-{name}.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, name
    data = data_values(values=("沈云", "莲前东路8号出租屋", "思明区莲前东路8号", "3单元502室", "3单元503室",
                               "莲前东路8号503"))
    found = problems(page.content(), language, data)
    assert not found, f"{name}: {found}"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_landlord_registers_and_the_station_confirms(live_server, client, cast, monkeypatch, tmp_path, language,
                                                       width):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("PINGAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import expect, sync_playwright

    sent, confirmed, renamed = WORDS[language]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context(viewport={"width": width, "height": 800})
            ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page = ctx.new_page()
            page.goto(live_server.url + reverse("core:login"))
            page.locator("#signup-link a").click()
            page.check("input[name=role][value=landlord]")
            page.fill("#id_display_name", "沈云")
            page.fill("#id_phone", "138 0000 1234")
            page.fill("#id_username", "shenyun")
            page.fill("#id_password", PASSWORD)
            page.fill("#id_password2", PASSWORD)
            page.fill("#id_name", "莲前东路8号出租屋")
            page.fill("#id_address", "思明区莲前东路8号")
            page.fill("#id_room", "3单元502室")
            page.select_option("#id_area", "350203010")
            shot(page, shots, "signup", width, language)
            page.locator("#signup-form button[type=submit]").click()
            expect(page.locator("#signup-done")).to_contain_text(sent)
            shot(page, shots, "signup-done", width, language)
            page.goto(live_server.url + reverse("core:login"))
            page.fill("input[name=username]", "shenyun")
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").click()
            expect(page.locator("#registration-pending")).to_be_visible()
            shot(page, shots, "login-pending", width, language)

            # the station's officer confirms (the test client's session in a second context)
            client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
            session = client.session
            session["purpose"] = "jurisdiction_management"
            session.save()
            police = browser.new_context(viewport={"width": width, "height": 800})
            police.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                 "url": live_server.url},
                                {"name": "django_language", "value": language, "url": live_server.url}])
            queue = police.new_page()
            queue.goto(live_server.url + reverse("core:home"))  # the home says a sign-up waits, with a link
            shot(queue, shots, "officer-home", width, language)
            queue.locator("#home-signups a").click()
            queue.wait_for_load_state()
            expect(queue.locator("#signups")).to_contain_text("3单元502室")
            shot(queue, shots, "signups-queue", width, language)
            queue.locator("#signups button[value=approve]").click()
            queue.wait_for_load_state()
            expect(queue.locator("body")).to_contain_text(confirmed)

            # the landlord signs in, registers the next flat of the building, renames and removes it
            page.goto(live_server.url + reverse("core:login"))
            page.fill("input[name=username]", "shenyun")
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").click()
            page.wait_for_load_state()
            page.goto(live_server.url + reverse("screening:premises_new"))
            page.fill("#id_name", "莲前东路8号出租屋")
            page.fill("#id_address", "思明区莲前东路8号")
            page.fill("#id_room", "3单元502室")
            page.select_option("#id_area", "350203010")
            page.locator("form.stack button[type=submit]").click()
            expect(page.locator("#existing-premises")).to_be_visible()  # the same flat: refused, with a link
            shot(page, shots, "premises-exists", width, language)
            page.fill("#id_room", "3单元503室")
            page.locator("form.stack button[type=submit]").click()
            page.wait_for_load_state()
            second = Premises.objects.get(room="3单元503室")
            page.goto(live_server.url + reverse("screening:premises_edit", args=[second.pk]))
            page.fill("#id_name", "莲前东路8号503")
            page.locator("#rename button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator("body")).to_contain_text(renamed)
            expect(page.locator("#name-history")).to_contain_text("莲前东路8号503")
            shot(page, shots, "premises-edit", width, language)
            page.on("dialog", lambda d: d.accept())
            page.locator("#remove button[type=submit]").click()
            page.wait_for_load_state()
            shot(page, shots, "premises-removed", width, language)
        finally:
            browser.close()
    assert Registration.objects.get().status == "approved"
    assert not Premises.objects.filter(pk=second.pk).exists()  # nothing recorded it: deleted
    assert Premises.objects.filter(owner__username="shenyun").count() == 1
