"""Every table of every page is in the one shared box for wide tables (``{% widetable %}``, core's
site_frame): its own scroll, a keyboard-focusable region, and the line that says to swipe while it is wider
than the screen (issue 11: each app had its own wrapper — .scroll, .table-scroll, a .scroll-x with no CSS —
or none, and the stats clearance table was clipped at 375 px with no sign of more)."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template

import pingan

TEMPLATES = sorted(Path(pingan.__file__).parent.glob("**/templates/**/*.html"))


def test_every_table_in_a_template_is_a_widetable():
    bare = []
    for path in TEMPLATES:
        text = path.read_text("utf-8")
        for m in re.finditer(r"<table\b", text):
            if not text[:m.start()].rstrip().endswith("{% widetable %}"):
                bare.append(f"{path.relative_to(Path(pingan.__file__).parent)}:{text[:m.start()].count(chr(10)) + 1}")
    assert len(TEMPLATES) > 50 and bare == []


def test_the_box_says_what_it_is_in_the_readers_language():
    from django.utils import translation

    t = Template("{% load site_frame %}{% widetable %}<table><tr><td>x</td></tr></table>{% endwidetable %}")
    with translation.override("zh-hans"):
        zh = t.render(Context())
    with translation.override("en"):
        en = t.render(Context())
    assert '<div class="wide-table"><p class="scroll-hint" hidden>左右滑动可查看完整表格</p>' in zh
    assert 'role="region" tabindex="0" aria-label="表格（可左右滚动）"' in zh and "<td>x</td>" in zh
    assert "Swipe sideways to see the whole table" in en
