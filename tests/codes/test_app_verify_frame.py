"""/verify/ in the site's frame (issue 11 trial: it had no header, no sections, its own language menu), without
naming anyone in the copy the service worker caches, and without "PA1:." (the prefix is quoted); the worker
caches the frame's style sheet and icon with the page, so that it keeps its frame offline (the browser test,
tests/codes/test_app_browser.py, loads it offline)."""

from __future__ import annotations

import pytest
from django.templatetags.static import static
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_verify_page_has_the_site_frame_and_names_no_one(client, cast, language):
    client.cookies["django_language"] = language
    html = client.get("/verify/").content.decode()
    header = html[html.index('<header class="bar">'):html.index("</header>")]
    assert 'class="brand"' in header and 'id="lang"' in header  # the page's own (offline) menu, in the header
    assert html.count('id="lang"') == 1 and static("pingan/site.css") in html
    assert 'class="foot"' not in html  # its footer's one link was to itself (25e94dc: none for a signed-out reader)
    assert "PA1:." not in html and "PA1:)" not in html and "PA1: " not in html
    assert "“PA1:”" in html
    sign_in(client, cast.officer_a)
    html = client.get("/verify/").content.decode()
    assert 'class="account"' not in html and cast.officer_a.shown_name not in html  # the cached copy: no one


def test_the_service_worker_caches_the_frame(client):
    sw = client.get("/verify/sw.js").content.decode()
    assert static("pingan/site.css") in sw and static("pingan/favicon.svg") in sw
