"""The jurisdiction's flagged-people tiles (issue 11, fresh-user trial): five tiles in a four-column row left one
alone on a second row at 1280 px, and "of them on a watchlist, at any level" stood beside "watchlist hit,
otherwise green" with the same number. The row takes as many columns as it has tiles on a wide screen; the
overlapping tile is worded apart and left out when it would repeat the other's number."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

COUNTS = {"total": 5, "red": 1, "yellow": 1, "watchlist_green": 2, "silent": 2, "unscreened": 1, "other": 0,
          "reevaluated": 0}


def tiles(counts: dict, lang: str = "en") -> str:
    with translation.override(lang):
        return render_to_string("dashboard/partials/flagged_tiles.html", {"counts": counts, "base": "",
                                                                          "anchor": "#people"})


@pytest.mark.parametrize("extra, cls", [({}, "cols-5"), ({"unscreened": 0}, None),
                                        ({"other": 3, "total": 8}, "cols-6")])
def test_the_first_row_has_a_column_per_tile(extra, cls):
    html = tiles({**COUNTS, **extra})
    first = re.search(r'<div class="([^"]*)" data-people-counts', html).group(1).split()
    n = len(re.findall(r'data-part="', html.split("data-of-them")[0]))
    assert n == {"cols-5": 4, "cols-6": 5, None: 3}[cls] and (cls in first if cls else first == ["stats"]), first


@pytest.mark.parametrize("lang, word", [("en", "all watchlist hits, red and yellow included"),
                                        ("zh-hans", "布控名单命中合计（含红码、黄码）")])
def test_the_watchlist_tiles_are_worded_apart_and_never_repeat_a_number(lang, word):
    same = tiles(COUNTS, lang)  # every watchlist hit is green: the overlapping tile would repeat "2"
    assert word not in same and "-watchlist" not in same
    more = tiles({**COUNTS, "silent": 3}, lang)  # a red person on a watchlist too
    assert word in more and "at any level" not in more
    assert re.search(r"<b>3</b><span>" + re.escape(word), more)
