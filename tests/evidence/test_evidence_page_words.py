"""Issue 11: the case-property pages in English showed the Chinese unit names ("Legal custody 莲前派出所") under a
header saying Lianqian Police Station, the quantity's measure word untranslated ("Quantity 1 件") and store
locations as bare codes ("SW-V1"); the custodian's Scan tab looked selected on every page."""

from __future__ import annotations

import re

import pytest

from pingan.evidence import services

pytestmark = pytest.mark.django_db


def sign_in(client, user, language):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"
    session.save()
    client.cookies["django_language"] = language
    return client


def _dd(page: str, term: str) -> str:
    m = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", page, re.S)
    assert m, term
    return re.sub(r"<[^>]+>", "", m.group(1))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_item_page_names_units_quantities_and_places_in_the_readers_words(client, cast, people, case, language):
    _c, items = case
    phone, fish = items[0], items[3]  # the phone
    services.item_check_in(actor=people.custodian, label=phone.label, location_code="SW-R1-A1")
    sign_in(client, cast.officer_a, language)
    page = client.get(f"/evidence/items/{phone.label}/").content.decode()
    fish_page = client.get(f"/evidence/items/{fish.label}/").content.decode()
    en = language == "en"
    assert _dd(page, "Legal custody" if en else "权属").startswith(
        "Lianqian Police Station" if en else "莲前派出所"), _dd(page, "Legal custody" if en else "权属")
    assert _dd(page, "Quantity" if en else "数量").startswith("1 item" if en else "1 件")
    assert _dd(fish_page, "Quantity" if en else "数量").startswith("2.5 kg" if en else "2.5 千克")
    # a store location in the reader's language: on English pages its English name, or (none given) its kind in
    # English with the Chinese name beside it, as a township without English is said (issue 11: "A1 架" alone)
    place = "SW-R1-A1 Shelf (A1 架)" if en else "SW-R1-A1 A1 架"
    assert place in _dd(page, "Status" if en else "状态")
    chain = page[page.index('class="list chain"'):]
    assert place in chain[:chain.index("</ol>")]  # the check-in's step names the place too
    # the case page's item list names the place too (issue 11: "In store · Lianqian Police Station" without it)
    case_page = client.get(f"/evidence/cases/{_c.pk}/").content.decode()
    listed = case_page[case_page.index('class="list items"'):]
    assert place in listed[:listed.index("</ul>")]
    store_list = sign_in(client, people.custodian, language).get("/evidence/").content.decode()
    assert place in store_list
    if en:
        assert "莲前派出所" not in store_list.split("<main", 1)[1], "a unit named in Chinese on the English page"
    if en:
        from pingan.evidence.models import Location

        Location.objects.filter(code="SW-R1-A1").update(name_en="Shelf A1")
        page = sign_in(client, cast.officer_a, language).get(f"/evidence/items/{phone.label}/").content.decode()
        assert "SW-R1-A1 Shelf A1" in _dd(page, "Status") and "A1 架" not in page.split("<main", 1)[1]


def test_only_the_current_tab_looks_selected(client, people, case):
    page = sign_in(client, people.custodian, "en").get("/evidence/").content.decode()
    nav = page[page.index('<nav class="actions"'):]
    nav = nav[:nav.index("</nav>")]
    tabs = re.findall(r'<a class="([^"]*)" href="([^"]*)"([^>]*)>', nav)
    assert len(tabs) >= 5 and all("secondary" in cls for cls, _h, _a in tabs), tabs
    assert [h for _c, h, a in tabs if "aria-current" in a] == ["/evidence/"]
