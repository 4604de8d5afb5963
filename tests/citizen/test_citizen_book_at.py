"""Issue 11: /citizen/me/ listed where to book ("Book at: 鼓浪屿派出所户政窗口 · 嘉莲… · …", nine counters) as
one paragraph of inline links; each counter is now a tile of its own, a column of them on a phone."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_counter_is_a_tile_of_its_own(client, world, language):
    client.force_login(world.bob, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    page = client.get("/citizen/me/").content.decode()
    tiles = page[page.index('id="book-at"'):]
    tiles = tiles[:tiles.index("</ul>")]
    links = re.findall(r'<li><a href="/citizen/counters/(\d+)/book/">([^<]+)</a></li>', tiles)
    assert {int(pk) for pk, _name in links} >= {world.counter_a.pk}, tiles
    assert " · " not in tiles  # no run-on paragraph
    assert ("预约办理窗口" if language == "zh-hans" else "Book an appointment at") in page
