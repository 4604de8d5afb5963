"""Countries by the names lists and people use (``pingan.lib.countries``)."""

from __future__ import annotations


def test_the_un_lists_names_of_countries_have_their_chinese_names():
    """Issue 11: a Chinese page said "国籍 Democratic Republic of the Congo" (the UN list's spelling)."""
    from pingan.lib.countries import name_in

    assert name_in("Democratic Republic of the Congo", "zh") == "刚果民主共和国"
    assert name_in("Iran (Islamic Republic of)", "zh") == "伊朗"
    assert name_in("Democratic People's Republic of Korea", "zh") == "朝鲜"
    assert name_in("Atlantis", "zh") is None
