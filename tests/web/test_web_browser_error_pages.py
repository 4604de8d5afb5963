"""The 403, 404, 405 and 500 pages keep the site's frame at 375 px in both languages (issue 11, the trial's last
check): the header with the site's name and the language menu on one row, the page in the reader's language,
a way on, and nothing wider than the phone — in Debian's chromium, signed in and not."""

from __future__ import annotations

import os

import pytest
from web_support import browser_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRAME = """() => { const bar = document.querySelector('header.bar');
  const lang = document.querySelector('header .lang select');
  const brand = document.querySelector('header .brand');
  const main = document.querySelector('main');
  return {lang: document.documentElement.lang, bar: !!bar, menu: !!lang, brand: !!brand,
          oneRow: !!bar && bar.getBoundingClientRect().height < 80,
          wide: document.documentElement.scrollWidth, links: main ? main.querySelectorAll('a[href]').length : 0,
          text: main ? main.innerText : ''}; }"""

CASES = {  # path, status, who, what the page says in each language
    "404": ("/no/such/page/", 404, "officer_a", {"zh-hans": "页面不存在", "en": "Page not found"}),
    "403": ("/audit/", 403, "officer_a", {"zh-hans": "无权打开此页面", "en": "may not open this page"}),
    "404 signed out": ("/nothing/here/", 404, None, {"zh-hans": "页面不存在", "en": "Page not found"}),
    # a button's action opened as a page: Django's 405 had an empty body (the browser's own "HTTP ERROR 405")
    "405": ("/police/premises/1/off-roster/", 405, "officer_a",
            {"zh-hans": "此地址是页面上按钮的操作", "en": "a button's action"}),
    "500": ("/boom/", 500, "officer_a", {"zh-hans": "出错", "en": "went wrong"}),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_error_pages_keep_the_frame_at_phone_width(browser, live_server, cast, settings, language):
    settings.ROOT_URLCONF = "urls_with_a_failing_page"
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    pages = {}
    for name, (path, status, who, says) in CASES.items():
        if who is None:
            context = browser.new_context(viewport={"width": 375, "height": 800})
            page = context.new_page()
        else:
            page = browser_signed_in(browser, live_server, getattr(cast, who))
            context = page.context
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        response = page.goto(live_server.url + path)
        found = page.evaluate(FRAME)
        pages[name] = found
        assert response.status == status, name
        assert found["bar"] and found["brand"] and found["menu"] and found["oneRow"], (name, found)
        assert found["lang"] == language and found["wide"] <= 375, (name, found)
        assert says[language] in found["text"], (name, language, found["text"][:300])
        assert found["links"] >= 1, (name, found)  # a way on
        if shots := os.environ.get("PINGAN_SCREENSHOTS"):  # to look at them: a folder
            page.screenshot(path=f"{shots}/error-{name.replace(' ', '-')}-{language}.png")
        context.close()
