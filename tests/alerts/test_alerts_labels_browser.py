"""The terminal's cards in a real browser (Debian chromium), at 375 px and 1280 px, in Chinese and English:
the stream carries codes, the page's script renders the labels shipped with the page in the viewer's language
(``alerts.labels.js_table``) — the same sentences the server renders — with the date and the bureau's offset;
the map shows the named boundaries, the devices, a scale and north. ``PINGAN_SCREENSHOTS=DIR`` keeps the
screenshots."""

from __future__ import annotations

import os
import re

import pytest
from alerts_support import LQ_ACOUSTIC, LQ_SOS, ingest, payload, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
SHOTS = os.environ.get("PINGAN_SCREENSHOTS", "")


def _expected(alerts, language: str) -> list[str]:
    from django.utils import translation

    from pingan.alerts import labels

    with translation.override(language):
        return [f"{labels.priority(a.priority)} "  # the priority badge, then the summary
                f"{labels.summary_text(a.summary, a.params, device_name=a.device.label if a.device else '')}"
                for a in alerts]


def test_the_terminal_renders_labels_dates_and_a_map_in_the_viewers_language(live_server, client, on_duty, clock,
                                                                            worker, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from pingan.alerts.models import Alert
    from pingan.core.models import OrgUnit

    # the unit's English name (issue 11: the terminal said the unit in Chinese on an English page)
    OrgUnit.objects.filter(pk=on_duty.unit_a.pk).update(name_en="Lianqian Police Station")
    ingest(payload("t1", LQ_SOS, "sos", clock()),
           payload("t2", LQ_SOS, "incident", clock(), category="aggravated_assault"),
           payload("t4", LQ_ACOUSTIC, "gunshot", clock(), category="single_gunshot", confidence=0.9),
           *[payload(f"t3{i}", LQ_ACOUSTIC, "intrusion", clock()) for i in range(3)])
    w = worker()
    w.step()
    clock.advance(120)
    w.step()  # the P3 group's wait has passed: notified
    initial = list(Alert.objects.filter(unit=on_duty.unit_a, open=True).select_related("device").order_by("id"))
    assert {a.summary for a in initial} == {"immediate.sos", "immediate.incident", "immediate.gunshot", "count"}

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sign_in(client, on_duty.officer_a)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        live_sent = False
        for language, locale in (("zh-hans", "zh-CN"), ("en", "en-US")):
            for width in (375, 1280):
                # the browser's own zone is not the bureau's: the card must still say the bureau's time
                ctx = browser.new_context(viewport={"width": width, "height": 900}, locale=locale,
                                          timezone_id="America/New_York")
                ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url},
                                 {"name": "django_language", "value": language, "url": live_server.url}])
                page = ctx.new_page()
                page.goto(f"{live_server.url}/alerts/")
                shown = initial + list(Alert.objects.select_related("device").filter(summary="immediate.smoke"))
                heads = page.locator("#alerts li.alert .head")
                expect(heads).to_have_count(len(shown))
                got = sorted(heads.all_inner_texts())
                assert got == sorted(_expected(shown, language)), got
                if not live_sent:  # one alert through the stream while the page is open (a card the script builds)
                    ingest(payload("t9", LQ_SOS, "smoke", clock()))
                    w.step()
                    live_sent = True
                live = Alert.objects.select_related("device").get(summary="immediate.smoke")
                expect(page.locator(f"#alerts li[data-alert='{live.pk}'] .head")).to_have_text(
                    _expected([live], language)[0], timeout=15_000)
                unit_name = on_duty.unit_a.name if language == "zh-hans" else "Lianqian Police Station"
                for meta in page.locator("#alerts li.alert .meta").all_inner_texts():
                    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00 · ", meta), meta
                    assert f" · {unit_name} · " in meta, meta  # the live card too
                cards = " ".join(page.locator("#alerts").all_inner_texts())
                for raw in ("immediate.", "aggravated_assault", "single_gunshot", "P1 ·", "Video analytic",
                            "视频分析事件", LQ_ACOUSTIC):
                    assert raw not in cards, raw
                svg = page.locator("#map")
                assert svg.locator("text.area-name").count() >= 2
                # every name wholly inside the map (the English map cut "…g District Branch" at its edge)
                assert page.evaluate("""() => { const s = document.querySelector('#map');
                  const W = s.viewBox.baseVal.width, H = s.viewBox.baseVal.height;
                  return [...s.querySelectorAll('text.area-name')].filter(t => { const b = t.getBBox();
                    return b.x < 0 || b.y < 0 || b.x + b.width > W || b.y + b.height > H; })
                    .map(t => t.textContent); }""") == []
                assert svg.locator("rect.device").count() >= 3
                assert svg.locator(".scalebar text").text_content().endswith("公里" if language == "zh-hans" else "km")
                expect(svg.locator(".north text")).to_have_text("北" if language == "zh-hans" else "N")
                assert svg.locator("#dots circle").count() == heads.count() == len(initial) + 1
                assert page.evaluate("document.scrollingElement.scrollWidth") <= width
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/terminal-{language}-{width}.png", full_page=True)
                    page.goto(f"{live_server.url}/alerts/{initial[0].pk}/")
                    page.screenshot(path=f"{SHOTS}/alert-{language}-{width}.png", full_page=True)
                ctx.close()
        browser.close()
