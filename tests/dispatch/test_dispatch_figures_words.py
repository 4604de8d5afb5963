"""Issue 11: the dispatch console's response figures were headed "签收用时 p50 / p90" and counted "(n=1)"; the
operation pages' tables were headed n / p50 / p90 and the charts titled "p90 8 min". They say it in words:
median, 90 % within, how many alerts — in both languages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from dispatch_support import make_alert, sign_in

from pingan.dispatch.templatetags.dispatch_tags import bar_chart, within

CODES = re.compile(r"\bp(50|90)\b|\bn=")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_consoles_figures_say_median_and_90_percent_in_words(client, cast, force, language):
    from django.utils import timezone

    alert = make_alert(cast.unit_a)
    alert.acknowledged_at = alert.created_at + dt.timedelta(seconds=40)
    alert.save(update_fields=["acknowledged_at"])
    client = sign_in(client, cast.dispatcher)
    client.cookies["django_language"] = language
    html = client.get("/dispatch/console/figures/").content.decode()
    table = html[html.index('id="figures-table"'):]
    table = table[:table.index("</table>")]
    assert not CODES.search(re.sub(r'class="[^"]*"', "", table)), table
    if language == "zh-hans":
        assert "中位数 / 90% 在…内" in table and "1 起警情" in table and "中位数 40秒" in table.replace(" 秒", "秒")
    else:
        assert "median / 90% within" in table and "1 alert" in table and "median 40" in table
    assert timezone.now()  # the figures are today's


def test_a_charts_bars_and_reference_lines_are_titled_in_words():
    from django.utils import translation

    with translation.override("en"):
        svg = bar_chart({"p50": 60, "p90": 300, "n": 3}, "arrive",
                        [{"metric": "arrive", "seconds": 480, "percentile": 90, "id": "t", "standard": "X"}])
        assert within(50, 60).startswith("median ") and within(90, 300).startswith("90% within ")
    titles = re.findall(r"<title>([^<]*)</title>", str(svg))
    assert len(titles) == 3 and not any(CODES.search(t) for t in titles), titles
    assert titles[2].startswith("X: 90% within"), titles


def test_no_response_table_is_headed_with_percentile_codes():
    root = Path(__file__).resolve().parents[2] / "src" / "pingan" / "dispatch"
    for path in [*root.glob("templates/dispatch/**/*.html"), root / "review.py"]:
        text = path.read_text()
        assert not re.search(r"<th>(n|p50|p90)</th>|\"n\", \"p50\"", text), path
