"""No table heading is laid out a word per line (issue 11: the English overview's table at 375 px read "of them /
not / on / the / latest / roster" down its header row): ``{% widetable %}`` marks a heading of three words or
more ``long`` and site.css keeps room for a few words a line; the table scrolls in its box instead. Checked in
chromium on the police and auditor pages with tables, at 375 and 1280 px, in English (Chinese headings are one
run of characters, which keep-all never breaks)."""

from __future__ import annotations

import os

import pytest
from web_support import browser, browser_signed_in, make_job  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PAGES = {"chief_a": ["/police/overview/", "/police/", "/codes/police/"], "analyst": ["/police/overview/"],
         "auditor": ["/audit/"]}

#: each heading of 3 words or more that takes as many lines as it has words: its text, words and lines
WORD_PER_LINE = """() => [...document.querySelectorAll("main th")].map((th) => {
  const words = th.textContent.trim().split(/\\s+/).filter(Boolean).length;
  const range = document.createRange();
  range.selectNodeContents(th);
  const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  return {text: th.textContent.trim(), words, lines: tops.size};
}).filter((h) => h.words >= 3 && h.lines >= h.words)"""


@pytest.mark.parametrize("width", [375, 1280])
def test_no_table_heading_stands_a_word_per_line(browser, live_server, cast, width):  # noqa: F811 - fixture
    from pingan.core.models import User

    make_job(cast.landlord_a, cast.premises_a, "甲")
    found, headings = {}, 0
    for username, paths in PAGES.items():
        page = browser_signed_in(browser, live_server, User.objects.get(username=username), timeout_ms=30_000)
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            assert page.goto(live_server.url + path).status == 200, (username, path)
            headings += page.locator("main th").count()
            if bad := page.evaluate(WORD_PER_LINE):
                found[(username, path)] = bad
            if shots := os.environ.get("PINGAN_SCREENSHOTS"):
                page.screenshot(path=f"{shots}/headings-{width}-{username}{path.replace('/', '_')}.png",
                                full_page=True)
        page.context.close()
    assert headings > 10  # tables with headings were laid out
    assert found == {}, found


def test_a_long_heading_is_marked_and_a_short_or_chinese_one_is_not():
    from pingan.core.templatetags.site_frame import long_headings

    html = ('<table><tr><th>Unit</th><th class="n">of them not on the latest roster</th>'
            '<th scope="col">Premises <span>screened</span> total</th><th>其中不在最新名单上</th></tr></table>')
    assert long_headings(html) == (
        '<table><tr><th>Unit</th><th class="n long">of them not on the latest roster</th>'
        '<th scope="col" class="long">Premises <span>screened</span> total</th>'
        '<th>其中不在最新名单上</th></tr></table>')
