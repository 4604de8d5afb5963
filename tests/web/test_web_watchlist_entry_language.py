"""The person and premises pages in the reader's language (issue 11): a watchlist hit's listed entry says the
list by its name in the reader's language and labels what stays as the list published it (programme,
nationalities, remarks: English data on a Chinese page); an area is named in the reader's language down to
the township (莲前街道 stood alone on English pages; the pinyin with the level in English now, the Chinese
name beside it)."""

from __future__ import annotations

import pytest
from web_support import make_job, sign_in

pytestmark = pytest.mark.django_db

ENTRY = {"list": "UN Security Council Consolidated List", "program": "DPRK", "names": ["KIM CHOL SAM", "金铁三"],
         "birth_dates": ["1971-03-11"], "nationalities": ["Democratic People's Republic of Korea"],
         "listed_on": "2016-11-30", "remarks": "Kim Chol Sam is a representative for Daedong Credit Bank."}


@pytest.fixture
def watched(cast):
    from pingan.screening.models import Hit, PersonResult

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    person = PersonResult.objects.get(job=job, name="甲绿")  # the row with the silent watchlist hit
    Hit.objects.filter(person=person).update(source="watchlist", detail={"entry": ENTRY})
    red = PersonResult.objects.get(job=job, name="甲红")
    Hit.objects.filter(person=red).update(detail={"place": "莲前街道某社区", "adcode": "350203",
                                                  "from": "2022-08-15T09:00:00+08:00",
                                                  "until": "2022-08-15T18:00:00+08:00"})
    return person, red


def _get(client, url, lang):
    client.cookies["django_language"] = lang
    r = client.get(url)
    assert r.status_code == 200
    return r.content.decode()


def test_the_listed_entry_names_its_list_in_the_readers_language_and_labels_the_lists_own_words(client, cast,
                                                                                               watched):
    person, _red = watched
    sign_in(client, cast.officer_a)
    zh = _get(client, f"/police/persons/{person.pk}/", "zh-hans")
    assert "联合国安理会综合制裁名单" in zh and "UN Security Council Consolidated List" not in zh
    assert "名单发布的英文原文" in zh and "制裁项目" in zh and "（名单原文）" in zh
    assert '<span lang="en">Kim Chol Sam is a representative' in zh
    # the nationality in Chinese (issue 11: "国籍 Democratic Republic of the Congo"), from Debian's iso-codes
    assert "<dd>朝鲜</dd>" in zh and "Democratic People" not in zh
    en = _get(client, f"/police/persons/{person.pk}/", "en")
    assert "UN Security Council Consolidated List" in en and "As published by the list, in English:" in en
    assert "联合国" not in en and "名单" not in en
    assert "<dd>North Korea</dd>" in en  # the UN's name, as every English page names the country


def test_a_nationality_given_in_chinese_is_in_english_on_english_pages(client, cast, watched):
    from pingan.screening.models import Hit

    person, _red = watched
    Hit.objects.filter(person=person).update(detail={"entry": {**ENTRY, "nationalities": ["韩国 (KR)", "朝鲜"]}})
    sign_in(client, cast.officer_a)
    en = _get(client, f"/police/persons/{person.pk}/", "en")  # issue 11: "韩国 (KR)" on the English page
    assert "<dd>South Korea, North Korea</dd>" in en and "韩国" not in en and "(KR)" not in en
    zh = _get(client, f"/police/persons/{person.pk}/", "zh-hans")
    assert "<dd>韩国、朝鲜</dd>" in zh


def test_areas_are_named_in_the_readers_language_down_to_the_township(client, cast, watched):
    _person, red = watched
    sign_in(client, cast.officer_a)
    en = _get(client, f"/police/premises/{cast.premises_a.pk}/", "en")
    assert "Lianqian Subdistrict (莲前街道), Siming District, Xiamen, Fujian" in en
    zh = _get(client, f"/police/premises/{cast.premises_a.pk}/", "zh-hans")
    assert "福建省厦门市思明区莲前街道" in zh
    en = _get(client, f"/police/persons/{red.pk}/", "en")
    assert "Siming District, Xiamen, Fujian 莲前街道某社区" in en and "福建省厦门市思明区" not in en
    zh = _get(client, f"/police/persons/{red.pk}/", "zh-hans")
    assert "福建省厦门市思明区 莲前街道某社区" in zh


def test_the_area_label_of_a_code_in_each_language():
    from pingan.lib.places import area_label

    assert area_label("350203010", "zh", "莲前街道") == "福建省厦门市思明区莲前街道"
    assert area_label("350203010", "en", "莲前街道") == (
        "Lianqian Subdistrict (莲前街道), Siming District, Xiamen, Fujian")
    assert area_label("350203", "en") == "Siming District, Xiamen, Fujian"
    assert area_label("999999", "en") == ""
