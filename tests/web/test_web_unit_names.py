"""Units are named in the viewer's language (issue 11: the bundled Xiamen units had no English names, so
English pages showed 莲前派出所 or nothing). Every unit of the bundled organisation has an English name in the
pinyin style of the city's own signage; English pages show it wherever a unit is named (the account panel, the
jurisdiction header, the audit page's unit filter and rows, the silences form and table, premises, the
dispatch roster); Chinese pages keep the Chinese name; a database made before the names is filled in by the
next demo load."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources

import pytest
from django.utils import timezone
from web_support import sign_in

from pingan.core.models import OrgUnit

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def bundled() -> list[dict]:
    spec = tomllib.loads(resources.files("pingan.core.data").joinpath("demo_xiamen.toml").read_text("utf-8"))
    units = [spec["bureau"], *spec["branch"], *spec.get("area", []), *spec.get("centre", []),
             *spec.get("external", [])]
    units += [st for br in spec["branch"] for st in br.get("stations", [])]
    return units


def test_every_bundled_unit_has_an_english_name():
    units = bundled()
    assert len(units) >= 20
    for u in units:
        assert u.get("name_en") and not CJK.search(u["name_en"]), u
    names = {u["code"]: u["name_en"] for u in units}
    assert names["350203-LQ"] == "Lianqian Police Station" and names["350203"] == "Siming District Branch"


def get(client, user, path: str, lang: str) -> str:
    sign_in(client, user, purpose="jurisdiction_management")
    client.cookies["django_language"] = lang
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_english_pages_name_units_in_english_and_chinese_pages_in_chinese(client, cast):
    from pingan.alerts import services as alerts_services
    from pingan.core import audit

    audit.record(cast.officer_a, "read", "Premises", cast.premises_a.pk)
    alerts_services.silence_create(actor=cast.chief_a, matchers=["unit=350203-LQ"],
                                   ends_at=timezone.now() + dt.timedelta(hours=1), comment="drill")
    pages = [(cast.officer_a, "/"), (cast.officer_a, "/police/"), (cast.chief_a, "/alerts/silences/"),
             (cast.auditor, "/audit/?action=read"), (cast.chief_a, "/dispatch/roster/"),
             (cast.landlord_a, "/screening/")]
    chinese = [u["name"] for u in bundled() if u["code"] in ("350203-LQ", "350203", "350200", "350206-JT")]
    for user, path in pages:
        en = get(client, user, path, "en")
        main = en[en.index("<body"):]
        assert not [n for n in chinese if n in main], (path, [n for n in chinese if n in main])
        assert "Lianqian Police Station" in main or "Xiamen Public Security Bureau" in main, path
        zh = get(client, user, path, "zh-hans")
        assert "莲前派出所" in zh or "厦门市公安局" in zh, path
        assert "Lianqian Police Station" not in zh, path


def test_a_database_made_before_the_names_gets_them_at_the_next_demo_load(cast):
    from pingan.core.reference import demo_org_load

    OrgUnit.objects.filter(code="350203-LQ").update(name_en="")
    OrgUnit.objects.filter(code="350206-JT").update(name_en="Jiangtou (renamed by the bureau)")
    demo_org_load()
    assert OrgUnit.objects.get(code="350203-LQ").name_en == "Lianqian Police Station"
    assert OrgUnit.objects.get(code="350206-JT").name_en == "Jiangtou (renamed by the bureau)"  # kept
