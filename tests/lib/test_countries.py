"""Countries by the names lists and people use (``pingan.lib.countries``)."""

from __future__ import annotations


def test_the_un_lists_names_of_countries_have_their_chinese_names():
    """Issue 11: a Chinese page said "国籍 Democratic Republic of the Congo" (the UN list's spelling)."""
    from pingan.lib.countries import name_in

    assert name_in("Democratic Republic of the Congo", "zh") == "刚果民主共和国"
    assert name_in("Iran (Islamic Republic of)", "zh") == "伊朗"
    assert name_in("Democratic People's Republic of Korea", "zh") == "朝鲜"
    assert name_in("Atlantis", "zh") is None


def test_english_names_read_in_natural_order():
    """The second trial read "Nationality: Congo, The Democratic Republic of the" on an English page (iso-codes'
    index form); every English name reads as a person says it, and the index form still reads back to its code."""
    from pingan.lib import countries as c

    assert c.get("CD").name("en") == "Democratic Republic of the Congo"
    assert c.get("FM").name("en") == "Federated States of Micronesia"
    assert not [x.name_en for x in c.countries().values() if ", " in x.name_en]
    assert c.parse("Congo, The Democratic Republic of the") == "CD" == c.parse("Democratic Republic of the Congo")
    assert c.natural("South Korea") == "South Korea"
