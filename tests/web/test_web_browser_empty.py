"""Empty lists (issue 11's trial): the empty silences list said "None." off-centre at 375 px — the record
table's phone card layout put the one cell in its value column, 6 rem from the left — and two dispatch tables
gave "no unit deployed yet" one narrow column of four. Every table's empty row is now ``{% empty_row N %}``
(core): one cell across the table, its text centred in the box the reader sees. Checked in chromium at 375 and
1280 px in both languages, and in the templates (no hand-written empty row is left)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures

SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))
SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"

#: the empty cell, its table and the box the reader sees (the table's scrolling box, else the table)
GEOMETRY = """() => [...document.querySelectorAll('td.empty-state')].map(td => {
  const text = td.querySelector('span'), table = td.closest('table'), box = td.closest('.table-wrap') || table;
  const t = text.getBoundingClientRect(), c = td.getBoundingClientRect(), b = box.getBoundingClientRect(),
        w = table.getBoundingClientRect();
  const range = document.createRange(); range.selectNodeContents(text); const ink = range.getBoundingClientRect();
  const left = Math.max(b.left, 0), right = Math.min(b.right, document.documentElement.clientWidth);
  return {page: location.pathname, text: text.innerText, inkCentre: (ink.left + ink.right) / 2,
          boxCentre: (left + right) / 2, cell: c.width, table: w.width, ink: [ink.left, ink.right]}; })"""


def test_no_table_writes_its_empty_row_by_hand():
    """A ``{% empty %}`` (or ``{% else %}``) of a table's rows goes through ``{% empty_row N %}``."""
    hand = []
    for path in SRC.glob("*/templates/**/*.html"):
        text = path.read_text()
        for m in re.finditer(r"\{% empty %\}\s*<tr", text):
            hand.append(f"{path.relative_to(SRC)}:{text[:m.start()].count(chr(10)) + 1}")
    assert hand == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_empty_lists_are_centred_at_375_and_1280(open_as, live_server, cast, lang):  # noqa: F811
    from web_support import PASSWORD

    from pingan.core.services import user_create

    SHOTS.mkdir(parents=True, exist_ok=True)
    dispatcher = user_create(username="disp", password=PASSWORD, role="dispatcher", unit=cast.unit_a.parent,
                             display_name="disp")
    pages = [(cast.officer_a, "/alerts/silences/"), (cast.analyst, "/alerts/watchlist/"),
             (cast.analyst, "/alerts/dead-letters/"), (cast.analyst, "/alerts/viid-subscriptions/"),
             (dispatcher, "/dispatch/operations/")]
    seen = []
    for width in (375, 1280):
        for user, url in pages:
            page = open_as(user, width, lang)
            page.goto(live_server.url + url)
            shapes = page.evaluate(GEOMETRY)
            page.screenshot(path=str(SHOTS / f"empty-{url.strip('/').replace('/', '-')}-{width}-{lang}.png"),
                            full_page=True)
            assert shapes, (url, width)
            for s in shapes:
                seen.append(s)
                assert abs(s["inkCentre"] - s["boxCentre"]) <= 12, (width, s)
                assert s["cell"] >= s["table"] - 2, (width, s)  # one cell across the table
    assert len(seen) >= 10
