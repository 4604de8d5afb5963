"""Selects name their choices in the reader's language, never by the stored code (issue 11: the English watch-list
page's Kind select read "plate", the code itself); every select of the templates that lists (code, label) pairs
shows the label with a capital, as a label (the English labels of several choices are their codes: "post",
"domain", "owner")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alerts_support import sign_in
from test_alerts_manage import cast_b  # noqa: F401 - fixture

import pingan


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "labels"),
                         [("en", ["Vehicle plate", "Person reference"]), ("zh-hans", ["车牌", "人员编号"])])
def test_the_watch_list_kind_select_names_each_kind(client, cast_b, lang, labels):  # noqa: F811
    sign_in(client, cast_b.chief_a)
    client.cookies["django_language"] = lang
    html = client.get("/alerts/watchlist/").content.decode()
    select = re.search(r'<select name="kind">(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == [("plate", labels[0]), ("person", labels[1])]


def test_no_select_of_code_label_pairs_shows_a_label_as_stored():
    loop = re.compile(r'<select[^>]*>\{% for ([a-z_]+), ?([a-z_]+) in [a-z_.]+ ?%\}<option value="\{\{ ?\1 ?\}\}"[^>]*>'
                      r"\{\{ ?\2 ?\}\}</option>")
    root = Path(pingan.__file__).parent
    bare = [f"{p.relative_to(root)}" for p in root.glob("**/templates/**/*.html") if loop.search(p.read_text())]
    assert bare == []
