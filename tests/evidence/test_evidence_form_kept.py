"""A refused form of the case page comes back open with what was typed and the error beside its field (issue
11: the transfer form collapsed after an error and lost the recommendation and the items chosen)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from test_evidence_web import sign_in

from pingan.evidence import services
from pingan.evidence.models import Transfer

pytestmark = pytest.mark.django_db

WORDS = {"zh-hans": "清单至少需要一件物品", "en": "The list needs at least one item"}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_transfer_keeps_the_form_open_with_what_was_typed(client, cast, people, case, lang):
    c, items = case
    phone, cash = items[0], items[1]
    for it, where in ((phone, "SW-R1-A1"), (cash, "SW-V1")):
        services.scan(actor=people.custodian, label=it.label, location_code=where)
    url = f"/evidence/cases/{c.pk}/"
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang

    # no item chosen: the error beside the items, the target and the recommendation kept
    r = client.post(url, {"form": "transfer", "to": "350203-JCY", "recommendation": "建议随案移送检察院"})
    html = r.content.decode()
    assert r.status_code == 400 and not Transfer.objects.exists()
    assert re.search(r'<details id="send-transfer" open>', html)
    assert 'value="建议随案移送检察院"' in html
    assert re.search(r'<option value="350203-JCY" selected>', html)
    fieldset = html[html.index('id="transfer-items"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert WORDS[lang] in fieldset  # beside the field, not only at the top

    # an item already on a pending list: the items chosen stay ticked
    services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=[phone.label],
                           recommendation="随案移送")
    r = client.post(url, {"form": "transfer", "items": [phone.label, cash.label], "to": "350203-JCY",
                          "recommendation": "第二份清单"})
    html = r.content.decode()
    assert r.status_code == 400 and Transfer.objects.count() == 1
    for it in (phone, cash):
        assert re.search(rf'value="{re.escape(it.label)}" checked', html), it.label
    assert 'value="第二份清单"' in html


def test_the_form_opens_closed_on_a_plain_visit(client, cast, people, case):
    c, _ = case
    sign_in(client, cast.officer_a)
    html = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    assert '<details id="send-transfer">' in html


def test_a_refusal_without_a_reason_keeps_its_form_open(client, cast, people, case):
    c, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY",
                               item_labels=[items[0].label], recommendation="随案移送")
    sign_in(client, people.procurator)
    r = client.post(f"/evidence/cases/{c.pk}/", {"form": "reject", "transfer": t.pk, "reason": "   "})
    html = r.content.decode()
    assert r.status_code == 400
    t.refresh_from_db()
    assert t.status == "sent"
    form = html[html.index("<details open><summary>"):]
    form = form[:form.index("</details>")]
    assert 'name="reason"' in form and 'aria-invalid="true"' in form and "field-error" in form


RULING_WORDS = {"zh-hans": "请至少为一件物品选择裁判处理方式", "en": "disposition for at least one item"}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_ruling_keeps_its_form_with_what_was_typed(client, cast, people, case, lang):
    """The ruling form redirected to an empty form after an error (issue 11): the number, the date and the
    dispositions chosen had to be typed again, the error only at the top of the page."""
    c, items = case
    phone = items[0]
    services.scan(actor=people.custodian, label=phone.label, location_code="SW-R1-A1")
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY", item_labels=[phone.label],
                               recommendation="随案移送")
    services.transfer_accept(actor=people.procurator, transfer_id=t.pk)
    t = services.transfer_send(actor=people.procurator, case=c, to_org_code="350203-FY", item_labels=[phone.label],
                               recommendation="建议没收")
    services.transfer_accept(actor=people.clerk, transfer_id=t.pk)
    url = f"/evidence/cases/{c.pk}/"
    sign_in(client, people.clerk)
    client.cookies["django_language"] = lang

    # no disposition chosen: the error beside the items, the number and the date kept
    r = client.post(url, {"form": "ruling", "number": "（2026）闽0203刑初7号", "decided_at": "2026-12-01",
                          "items": [phone.label]})
    html = r.content.decode()
    assert r.status_code == 400
    form = html[html.index('id="record-ruling"'):]
    form = form[:form.index("</form>")]
    assert 'value="（2026）闽0203刑初7号"' in form and 'value="2026-12-01"' in form
    fieldset = form[form.index('id="ruling-items"'):form.index("</fieldset>")]
    assert 'aria-invalid="true"' in fieldset and RULING_WORDS[lang] in fieldset

    # a number already recorded: the error beside the number, the disposition chosen stays selected
    services.ruling_record(actor=people.clerk, case=c, number="（2026）闽0203刑初7号",
                           decided_at=dt.date(2026, 12, 1), decisions={phone.label: "return"})
    r = client.post(url, {"form": "ruling", "number": "（2026）闽0203刑初7号", "decided_at": "2026-12-02",
                          "items": [phone.label], f"d_{phone.label}": "confiscate"})
    html = r.content.decode()
    assert r.status_code == 400
    form = html[html.index('id="record-ruling"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<input name="number"[^>]*aria-invalid="true"', form)
    assert '<option value="confiscate" selected>' in form and 'value="2026-12-02"' in form
