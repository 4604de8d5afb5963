"""Issue 11's walk of the case property through the pages, police → procuratorate → court (zh and en): every
form of the case page says what it did, the procuratorate follows the list it sent on, and a recorded ruling
shows on the case."""

from __future__ import annotations

import pytest
from test_evidence_web import sign_in

from pingan.evidence import services
from pingan.evidence.models import Transfer

pytestmark = pytest.mark.django_db

WORDS = {
    "zh-hans": {"sent": "已送", "accepted": "已接收随案移送清单", "refused": "已拒收随案移送清单",
                "ruling": "已登记", "rulings": "裁判", "no_item": "请至少为一件物品选择裁判处理方式",
                "list_word": "清单至少需要一件物品"},
    "en": {"sent": "sent to", "accepted": "accepted: legal custody", "refused": "refused: legal custody stays",
           "ruling": "recorded", "rulings": "Rulings", "no_item": "disposition for at least one item",
           "list_word": "The list needs at least one item"},
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_police_to_procuratorate_to_court_each_step_says_what_it_did(client, cast, people, case, lang):
    """The case page came back after a transfer was sent, accepted or refused, or a ruling recorded, with no
    word of it; the procuratorate's own list to the court was not on its page (only lists sent to it were), and
    a recorded ruling showed nowhere on the case, its form still inviting a second one."""
    w = WORDS[lang]
    c, items = case
    phone, cash = items[0], items[1]
    for it, where in ((phone, "SW-R1-A1"), (cash, "SW-V1")):
        services.scan(actor=people.custodian, label=it.label, location_code=where)
    url = f"/evidence/cases/{c.pk}/"

    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    html = client.post(url, {"form": "transfer", "items": [phone.label, cash.label], "to": "350203-JCY",
                             "recommendation": "随案移送"}, follow=True).content.decode()
    to_jcy = Transfer.objects.get(case=c, to_org__code="350203-JCY")
    assert to_jcy.number in html and w["sent"] in html

    sign_in(client, people.procurator)
    client.cookies["django_language"] = lang
    html = client.post(url, {"form": "accept", "transfer": to_jcy.pk}, follow=True).content.decode()
    assert w["accepted"] in html
    html = client.post(url, {"form": "transfer", "items": [phone.label], "to": "350203-FY",
                             "recommendation": "建议没收"}, follow=True).content.decode()
    to_fy = Transfer.objects.get(case=c, to_org__code="350203-FY")
    assert to_fy.number in html  # the list it sent on stays on its page, with its status
    assert html.count('name="form" value="accept"') == 0  # but it does not answer its own list
    assert to_fy.number in client.get("/evidence/transfers/").content.decode()

    sign_in(client, people.clerk)
    client.cookies["django_language"] = lang
    html = client.post(url, {"form": "reject", "transfer": to_fy.pk, "reason": "材料不全"},
                       follow=True).content.decode()
    assert w["refused"] in html
    sign_in(client, people.procurator)
    client.cookies["django_language"] = lang
    assert "材料不全" in client.get(url).content.decode()  # the procuratorate reads why the court refused
    client.post(url, {"form": "transfer", "items": [phone.label], "to": "350203-FY", "recommendation": "补充后移送"})
    again = Transfer.objects.filter(case=c, to_org__code="350203-FY", status="sent").get()

    sign_in(client, people.clerk)
    client.cookies["django_language"] = lang
    client.post(url, {"form": "accept", "transfer": again.pk})
    html = client.post(url, {"form": "ruling", "number": "（2026）闽0203刑初1号", "decided_at": "2026-12-01",
                             "items": [phone.label]}, follow=True).content.decode()
    assert w["no_item"] in html and w["list_word"] not in html  # a ruling is not a list
    html = client.post(url, {"form": "ruling", "number": "（2026）闽0203刑初1号", "decided_at": "2026-12-01",
                             "items": [phone.label], f"d_{phone.label}": "confiscate"}, follow=True).content.decode()
    assert w["ruling"] in html and 'id="rulings"' in html and "（2026）闽0203刑初1号" in html
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    assert "（2026）闽0203刑初1号" in client.get(url).content.decode()  # the police see the ruling too


def test_the_procuratorates_home_counts_only_lists_waiting_for_it(client, cast, people, case):
    from pingan.evidence.home import home_panel

    c, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=[items[0].label],
                               recommendation="随案移送")

    class Request:
        user = people.procurator

    assert home_panel(Request())["incoming"] == 1
    services.transfer_accept(actor=people.procurator, transfer_id=t.pk)
    services.transfer_send(actor=people.procurator, case=c, to_org_code="350203-FY", item_labels=[items[0].label],
                           recommendation="起诉")
    assert home_panel(Request()) is None  # what it sent to the court waits for the court, not for it
