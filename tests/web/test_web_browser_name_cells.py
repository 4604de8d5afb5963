"""Headings and cells that hold names (``th``, ``td.name``) never break inside a word at 375 px: a trial saw the
dispatch console's response table wrap 莲前派出所 as 莲前/派出/所, one or two characters a line, because a table
squeezes a column to its narrowest possible content and Chinese may break between any two characters (its English
headings broke as "acknowl/edge"). A heading or name keeps its words whole (``word-break: keep-all``,
site.css); a wide table then scrolls in its {% widetable %} box."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from test_web_browser_layout import open_as  # noqa: F401 - fixtures
from web_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# every word (a run without spaces) of every heading and name cell on one line: the tops of its characters' boxes agree
BROKEN_NAMES = """() => { const out = [];
  for (const cell of document.querySelectorAll('main th, main td.name')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('svg, small')) continue;
      for (const m of n.data.matchAll(/\\S+/g)) {
        const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
        if (tops.size > 1) out.push(m[0] + ' on ' + tops.size + ' lines');
      }
    }
  }
  return out; }"""


def test_station_names_in_the_response_table_stay_whole_on_a_phone(open_as, live_server, cast):  # noqa: F811
    from django.utils import timezone

    from pingan.alerts.models import Alert
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    dispatcher = user_create(username="disp_zh", password=PASSWORD, role="dispatcher",
                             unit=OrgUnit.objects.get(code="350200-ZH"), display_name="disp_zh")
    now = timezone.now() - dt.timedelta(minutes=5)
    for i, unit in enumerate((cast.unit_a, cast.unit_b)):
        Alert.objects.create(fingerprint=f"fp{i:014d}", priority="P1", ruleset="street-default", ruleset_version="1",
                             rule_id="sos", kind="immediate", summary="immediate.sos", lon=118.13, lat=24.48,
                             unit=unit, routed_by="polygon", raised_at=now, created_at=now, last_fired_at=now,
                             notified_at=now, acknowledged_at=now + dt.timedelta(seconds=40))
    for lang in ("zh-hans", "en"):
        page = open_as(dispatcher, 375, lang)
        page.goto(live_server.url + "/dispatch/console/")
        names = page.locator("#figures-table tbody th").all_inner_texts()
        assert len(names) == 2, names  # the reported table, with both stations
        if shots := os.environ.get("PINGAN_SCREENSHOTS"):
            page.locator("#figures-table").screenshot(path=f"{shots}/figures-{lang}.png")
        assert page.evaluate(BROKEN_NAMES) == [], (lang, names)
