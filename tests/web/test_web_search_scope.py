"""The jurisdiction's search says whom it searched, and finds anyone screened there when asked (issue 11, fresh-
user trial: /police/?q=徐霞 searched only the flagged people and said nothing, so a green tenant was "not
found"). Searching everyone is an audited read, as the flagged list is."""

from __future__ import annotations

import pytest
from django.urls import reverse
from web_support import roster_bytes, screen, sign_in

pytestmark = pytest.mark.django_db

SAID = {"zh-hans": ("只在被标记的人员中查找。", "查到 1 人", "记入审计日志"),
        "en": ("Searched among the flagged people only.", "1 person found", "recorded in the audit log")}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_green_person_is_found_when_the_search_reaches_everyone(client, cast, risk, lang):
    from pingan.core.models import AuditRecord

    screen(cast.landlord_a, cast.premises_a, roster_bytes(("甲红", "甲黄", "甲绿")))
    screen(cast.landlord_b, cast.premises_b, roster_bytes(("乙红", "乙黄", "乙绿")))
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    url = reverse("dashboard:jurisdiction")
    only, found, audited = SAID[lang]
    html = client.get(url, {"q": "甲绿"}).content.decode()
    listed = html[html.index('id="flagged-list"'):]
    assert only in html and "scope=all" in html and "甲绿" not in listed
    before = AuditRecord.objects.filter(object_type="PersonResult.search").count()
    html = client.get(url, {"q": "甲绿", "scope": "all"}).content.decode()
    listed = html[html.index('id="flagged-list"'):]
    assert found in html and audited in html and "甲绿" in listed
    assert AuditRecord.objects.filter(object_type="PersonResult.search").count() == before + 1
    # another station's people stay out of reach
    html = client.get(url, {"q": "乙绿", "scope": "all"}).content.decode()
    assert "乙绿" not in html[html.index('id="flagged-list"'):]
