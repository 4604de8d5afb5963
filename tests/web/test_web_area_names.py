"""A division is named alike on every page, in the reader's language (issue 11: the English register-premises page
listed GB/T 2260 and township names in Chinese only). Decided once, in ``lib.places``: a district by its English
name (Siming District); a township by its pinyin and level with the official Chinese name beside it — Lianqian
Subdistrict (莲前街道) — since the reference data has no English for townships; in Chinese, the names as they are.
The register-premises form (and the sign-up, its subclass), the citizen's permit form and the police premises
page say the same."""

from __future__ import annotations

import html as html_lib
import re

import pytest

pytestmark = pytest.mark.django_db

TOWNSHIP = {"en": "Lianqian Subdistrict (莲前街道)", "zh-hans": "莲前街道"}
DISTRICT = {"en": "Siming District", "zh-hans": "思明区"}


def options(page: str, name: str) -> dict[str, str]:
    select = page[page.index(f'name="{name}"'):]
    select = select[:select.index("</select>")]
    return {v: html_lib.unescape(t) for v, t in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_register_form_names_the_areas_in_the_readers_language(client, cast, language):
    client.cookies["django_language"] = language
    client.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    areas = options(client.get("/screening/premises/new/").content.decode(), "area")
    assert len(areas) > 20
    if language == "en":
        assert areas["350203010"] == f"{TOWNSHIP['en']}, {DISTRICT['en']}"
        assert areas["350203"] == "Siming District (whole district)"
        # every name in English or pinyin: Chinese only as the official name in brackets
        assert all(re.search(r"[A-Za-z]", t) and not re.search(r"[\u4e00-\u9fff]", re.sub(r"\(.*?\)", "", t))
                   for t in areas.values()), areas
    else:
        assert areas["350203010"] == "思明区 莲前街道" and areas["350203"] == "思明区（全区）"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_names_a_township_alike(client, cast, language):
    from pingan.lib import places

    client.cookies["django_language"] = language
    lang = "en" if language == "en" else "zh"
    assert places.township_label("莲前街道", lang) == TOWNSHIP[language]
    assert places.county_label("350203", lang) == DISTRICT[language]
    assert places.area_label("350203010", lang, "莲前街道").startswith(TOWNSHIP[language] if lang == "en" else "福建省")
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    page = html_lib.unescape(client.get(f"/police/premises/{cast.premises_a.pk}/").content.decode())
    said = f"{TOWNSHIP['en']}, Siming District, Xiamen, Fujian" if lang == "en" else "福建省厦门市思明区莲前街道"
    assert said in page
