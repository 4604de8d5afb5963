"""Issue 11: the transit form asked for raw codes (ISO 3166-1 country codes, GB/T 2260 area codes). Now countries
and places are chosen by name in the reader's language — typed, or from suggestions — and the page resolves
them to the codes the check (and the API) takes; an ambiguous place asks which one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.lib import countries, places

QUERY = {"nationality": "KR", "port": "XMN", "entry_at": "2025-03-03T22:30", "exit_at": "2025-03-10T08:00",
         "coming_from": "韩国 (KR)", "going_to": "France", "place1": "厦门", "purpose": "tourism", "onward": "1",
         "document": "1"}


@pytest.mark.parametrize(("typed", "code"), [
    ("韩国 (KR)", "KR"), ("South Korea (KR)", "KR"), ("韩国", "KR"), ("south korea", "KR"), ("kr", "KR"),
    ("德国", "DE"), ("Germany", "DE"), ("中国香港", "HK"), ("United States", "US"), ("美国", "US"),
    ("Atlantis", None), ("", None), ("ZZ", None),
])
def test_a_country_is_read_back_from_its_name_or_the_choosers_answer(typed, code):
    assert countries.parse(typed) == code


def test_every_country_has_both_names_and_the_choices_read_back():
    assert len(countries.countries()) == 249
    for c in countries.countries().values():
        assert c.name_en and c.name_zh and c.name_zh != c.name_en
        assert countries.parse(c.choice("zh")) == c.code and countries.parse(c.choice("en")) == c.code
    assert [c.code for c in countries.sorted_for("zh")][:2] == ["AL", "DZ"]  # 阿尔巴尼亚, 阿尔及利亚: pinyin order


@pytest.mark.parametrize(("typed", "code"), [
    ("厦门", "350200"), ("厦门市", "350200"), ("福建省厦门市", "350200"), ("xiamen", "350200"), ("350200", "350200"),
    ("福建省 厦门市 (350200)", "350200"), ("Xiamen City, Fujian (350200)", "350200"),
    ("思明区", "350203"), ("福建", "350000"), ("3502", "350200"),
])
def test_a_place_is_read_back_from_its_name_pinyin_code_or_the_choosers_answer(typed, code):
    assert places.resolve(typed) == (code, [])


def test_an_ambiguous_place_gives_every_candidate():
    code, candidates = places.resolve("鼓楼区")
    assert code is None
    assert [c.code for c in candidates] == ["320106", "320302", "350102", "410204"]  # Nanjing, Xuzhou, Fuzhou, Kaifeng
    assert candidates[2].label("zh") == "福建省 福州市 鼓楼区"
    assert candidates[2].label("en") == "Gulou District, Fuzhou, Fujian"


def test_places_are_named_in_the_readers_language():
    assert places.get("110105").label("en") == "Chaoyang District, Beijing"  # 朝 read as chao
    assert places.get("110105").label("zh") == "北京市 朝阳区"  # the placeholder 市辖区 left out
    assert places.get("810000").label("en") == "Hong Kong SAR"
    assert [p.code for p in places.search("xiamen")][:1] == ["350200"]
    assert [p.code for p in places.search("厦门")][:1] == ["350200"]


@given(st.sampled_from(sorted(places.places())))
def test_every_places_choice_reads_back_to_its_code(code):
    p = places.get(code)
    assert places.resolve(p.choice("zh")) == (code, []) and places.resolve(p.choice("en")) == (code, [])


@pytest.mark.django_db
def test_the_form_takes_names_and_answers_with_the_codes_meaning(client):
    page = client.get("/citizen/transit/", QUERY, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.context["answer"].verdict == "eligible"
    html = page.content.decode()
    assert "国家代码" not in html and "行政区划代码" not in html  # no field asks for codes
    # the country chooser's suggestions and the nationalities by name in the reader's language, without their
    # ISO code (issue 11: "韩国 (KR)")
    assert '<option value="韩国">' in html and '<option value="KR" selected>韩国</option>' in html
    options = html[html.index('<select id="nationality"'):html.index("</datalist>")]
    assert "(KR)" not in options.replace('value="韩国 (KR)"', "") and "（KR）" not in options  # but what was typed
    en = client.get("/citizen/transit/", {**QUERY, "coming_from": "South Korea"},
                    HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="South Korea">' in en and '<option value="KR" selected>South Korea</option>' in en
    assert "(KR)" not in en and "韩国" not in en
    areas = [c for c in page.context["conditions"] if c["name"] == "area"]
    assert areas[0]["text"].startswith("福建省 厦门市")
    onward = next(c for c in page.context["conditions"] if c["name"] == "onward_ticket")
    assert "韩国" in onward["text"] and "法国" in onward["text"]
    # the same trip through the API: the codes
    body = {"nationality": "KR", "entry_port": "XMN", "entry_at": "2025-03-03T22:30:00",
            "exit_at": "2025-03-10T08:00:00", "coming_from": "KR", "going_to": "FR", "onward_confirmed": True,
            "document_valid": True, "areas": ["350200"], "purpose": "tourism"}
    api = client.post("/api/v1/citizen/transit-check", body, content_type="application/json")
    assert api.status_code == 200 and api.json()["verdict"] == "eligible"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unknown_country_or_an_ambiguous_place_is_asked_again_by_name(client, language):
    page = client.get("/citizen/transit/", {**QUERY, "going_to": "Atlantis", "place1": "鼓楼区"},
                      HTTP_ACCEPT_LANGUAGE=language)
    assert "answer" not in page.context  # nothing is checked on a guess
    html = page.content.decode()
    assert "Atlantis" in html
    fuzhou = places.get("350102").choice("zh" if language == "zh-hans" else "en")
    assert f'name="place1" value="{fuzhou}"' in html  # one button per candidate: a tap chooses it
    chosen = client.get("/citizen/transit/", {**QUERY, "place1": fuzhou}, HTTP_ACCEPT_LANGUAGE=language)
    assert chosen.context["answer"].verdict == "eligible"  # Fuzhou is in Fujian: permitted


@pytest.mark.django_db
def test_the_place_suggestions_come_by_name_or_pinyin(client):
    zh = client.get("/citizen/places/", {"place1": "厦门"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert zh.startswith('<option value="福建省 厦门市">')  # issue 11: the code in brackets stood in the field
    en = client.get("/citizen/places/", {"place2": "xiamen"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert en.startswith('<option value="Xiamen City, Fujian">')
    assert client.get("/citizen/places/", {"q": ""}).content.decode().strip() == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_names_its_place_without_its_code(client, language):
    """Issue 11: /citizen/transit/ offered "福建省 厦门市 (350200)" in its place field."""
    html = client.get("/citizen/transit/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    shown = "福建省 厦门市" if language == "zh-hans" else "Xiamen City, Fujian"
    assert f'name="place1" value="{shown}"' in html and "350200" not in html


@pytest.mark.django_db
def test_links_made_with_area_codes_still_work(client):
    query = {k: v for k, v in QUERY.items() if k != "place1"}
    page = client.get("/citizen/transit/", {**query, "areas": "350203", "coming_from": "KR", "going_to": "FR"})
    assert page.context["answer"].verdict == "eligible"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "district", "street"), [
    ("zh-hans", "思明区", "莲前街道"), ("en", "Siming District", "Lianqian Subdistrict (莲前街道)")])
def test_the_permit_forms_streets_are_grouped_by_district_in_the_readers_language(client, world, language, district,
                                                                                street):
    client.cookies["django_language"] = language
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/citizen/permits/new/").content.decode()
    group = html[html.index(f'<optgroup label="{district}">'):]
    assert f'<option value="350203010">{street}</option>' in group[:group.index("</optgroup>")]
