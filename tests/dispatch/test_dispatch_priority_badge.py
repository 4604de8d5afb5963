"""An alert's priority looks the same on every page that shows it, and P1 stands out by its words and a mark, not
by colour alone (issue 11: the console's P1 was the code "P1" on a red cell, the crew's terminal and the alert
page plain text, the dispatch panel a badge of its own): one tag, ``alerts_tags.priority_badge``, and the pages'
scripts build the same ``span.prio-badge.<code>``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
WORDS = {"en": "P1 life at risk", "zh-hans": "P1 危及生命"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_showing_an_alert_s_priority_draws_the_one_badge(client, force, language):
    from pingan.dispatch import services

    x = make_alert(force.unit_a, priority="P1")
    services.dispatch_assign(actor=force.dispatcher, alert_id=x.pk, patrol_unit_ids=[force.car_a.pk])
    client.cookies["django_language"] = language
    badge = f'<span class="prio-badge P1">{WORDS[language]}</span>'
    pages = [
        (force.dispatcher, f"/dispatch/console/alerts/{x.pk}/", "dispatch"),
        (force.officer_a, "/dispatch/terminal/", "dispatch"),
        (force.chief_a, f"/alerts/{x.pk}/", "alert_response"),
    ]
    for user, url, purpose in pages:
        html = sign_in(client, user, purpose).get(url).content.decode()
        assert badge in html, url


def test_the_tag_is_the_only_way_templates_show_a_priority_and_the_scripts_draw_the_same():
    templates = [*SRC.glob("alerts/templates/**/*.html"), *SRC.glob("dispatch/templates/**/*.html")]
    by_hand = [
        f"{t.relative_to(SRC)}: {m}"
        for t in templates
        for m in re.findall(r'<[^>]*class="[^"]*prio[^"]*"[^>]*>\s*\{\{[^}]*priority[^}]*\}\}', t.read_text())
    ]
    assert by_hand == []
    for script in (
        "alerts/static/alerts/terminal.js",
        "dispatch/static/dispatch/terminal.js",
        "dispatch/static/dispatch/console.js",
    ):
        assert '"prio-badge "' in (SRC / script).read_text(), script
    css = (SRC / "static" / "pingan" / "site.css").read_text()
    p1 = re.search(r"\.prio-badge\.P1\{([^}]*)\}", css).group(1)
    assert "background:#b3000c" in p1 and "color:#fff" in p1 and "font-weight:700" in p1
    assert re.search(r'\.prio-badge\.P1::before\{content:"!"', css)  # a mark, not colour alone
    for app_css in ("alerts/static/alerts/alerts.css", "dispatch/static/dispatch/dispatch.css"):
        assert ".prio-badge" not in (SRC / app_css).read_text()  # no second style that would differ


def _contrast(fg: str, bg: str) -> float:
    def lum(c):
        rgb = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_each_badge_reads_at_4_5_to_1():
    css = (SRC / "static" / "pingan" / "site.css").read_text()
    for code in ("P1", "P2", "P3", "P4"):
        rule = re.search(rf"\.prio-badge\.{code}\{{([^}}]*)\}}", css).group(1)
        bg = re.search(r"background:(#[0-9a-f]{6})", rule).group(1)
        fg = re.search(r"(?<!-)color:(#[0-9a-f]{3,6})", rule).group(1)
        fg = "#ffffff" if fg == "#fff" else fg
        assert _contrast(fg, bg) >= 4.5, code
