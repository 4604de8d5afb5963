"""Issue 11: an order's next step is never invisible. After the chief approves, /antifraud/orders/ listed the
order nowhere (its sections were overdue, expiring, drafts, sent): an approved order is listed "to send to the
bank" with its deadline from the legal constants; the draft page says who approves; the history's first step
reads as a status, not "– → draft"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from antifraud_support import MULE, sign_in
from django.utils import timezone

from pingan.antifraud import rules, selectors, services
from pingan.antifraud.models import Order

pytestmark = pytest.mark.django_db



def _approved(centre, case, kind="stop_payment") -> Order:
    report, _ = case
    order = services.order_draft(actor=centre.officer, report=report, kind=kind, account=MULE, amount_cents=400_000)
    return services.order_approve(actor=centre.chief, order=order)


def _section(page: str, element_id: str) -> str:
    part = page[page.index(f'id="{element_id}"'):]
    return part[:part.index("</ul>")]


def test_send_by_is_the_end_of_what_holds_the_account():
    end = dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)
    assert rules.send_by("freeze", renews_until=end, stop_until=None) == rules.SendBy(end, "freeze")
    assert rules.send_by("freeze", renews_until=None, stop_until=end) == rules.SendBy(end, "stop_payment")
    assert rules.send_by("stop_payment", renews_until=None, stop_until=None) == rules.SendBy(None, "stop_payment")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_approved_stop_payment_is_listed_to_send_at_once_with_its_rule(client, centre, case, language):
    order = _approved(centre, case)
    for user in (centre.chief, centre.officer):
        page = sign_in(client, user, language).get("/antifraud/orders/").content.decode()
        listed = _section(page, "orders-to-send")
        assert f"/antifraud/orders/{order.pk}/" in listed, listed
        if language == "zh-hans":
            assert "批准后待送达银行" in page and "立即送达" in listed and "48 小时" in listed, listed
            assert "银发〔2016〕86号" in listed
        else:
            assert "Approved: send to the bank" in page and "Send at once" in listed and "48 hours" in listed
            assert "Yinfa [2016] No. 86" in listed
    home = sign_in(client, centre.officer, language).get("/").content.decode()
    assert ("1 份已批准的指令待送达银行" if language == "zh-hans" else "1 approved order to send to the bank") in home


def test_a_freeze_after_a_stop_payment_must_reach_the_bank_before_the_stop_ends(client, centre, case):
    stop = _approved(centre, case)
    stop = services.order_send(actor=centre.officer, order=stop)
    stop = services.order_feedback(actor=centre.officer, order=stop, feedback="done")
    freeze = _approved(centre, case, kind="freeze")
    [listed] = selectors.orders_attention(actor=centre.officer)["to_send"]
    assert listed.pk == freeze.pk and listed.send_by == rules.SendBy(stop.expires_at, "stop_payment")
    page = sign_in(client, centre.officer, "en").get(f"/antifraud/orders/{freeze.pk}/").content.decode()
    step = page[page.index('id="next-step"'):]
    end = timezone.localtime(stop.expires_at)
    assert f"Send by {end:%Y-%m-%d %H:%M}" in step and "stop-payment in force" in step, step[:800]
    api = client.get("/api/v1/antifraud/orders/attention").json()
    assert [(o["id"], o["send_rule"]) for o in api["to_send"]] == [(freeze.pk, "stop_payment")]


def test_a_freeze_renewal_must_reach_the_bank_before_the_freeze_ends(centre, case):
    freeze = _approved(centre, case, kind="freeze")
    freeze = services.order_send(actor=centre.officer, order=Order.objects.get(pk=freeze.pk))
    freeze = services.order_feedback(actor=centre.officer, order=freeze, feedback="done")
    renewal = services.order_approve(actor=centre.chief, order=services.order_renew(actor=centre.officer,
                                                                                      order=freeze))
    assert selectors.send_by(renewal) == rules.SendBy(freeze.expires_at, "freeze")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_draft_says_a_chief_other_than_the_drafter_approves_it(client, centre, case, language):
    report, _ = case
    order = services.order_draft(actor=centre.officer, report=report, kind="freeze", account=MULE,
                                 amount_cents=100)
    page = sign_in(client, centre.officer, language).get(f"/antifraud/orders/{order.pk}/").content.decode()
    step = page[page.index('id="next-step"'):]
    step = step[:step.index("</p>")]
    assert centre.officer.shown_name in step
    assert ("所长" in step and "审批" in step) if language == "zh-hans" else "station chief approves" in step
    events = page[page.index('id="order-events"'):]
    first = re.sub(r"\s+", " ", events[:events.index("</li>")])
    assert "–" not in first and "→" not in first, first
    assert ("已起草</strong> · 草稿" if language == "zh-hans" else "drafted</strong> · draft") in first, first
    # the drafter, a chief, is not offered an Approve button that the four-eyes rule refuses
    order2 = services.order_draft(actor=centre.chief, report=report, kind="stop_payment", account=MULE,
                                  amount_cents=100)
    mine = sign_in(client, centre.chief, language).get(f"/antifraud/orders/{order2.pk}/").content.decode()
    assert "/approve/" not in mine
    theirs = client.get(f"/antifraud/orders/{order.pk}/").content.decode()
    assert f"/antifraud/orders/{order.pk}/approve/" in theirs


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_order_page_cites_its_legal_basis_once(client, centre, case, language):
    # issue 11: the approved stop-payment's page printed the basis in its card and again under 下一步
    order = _approved(centre, case)
    page = sign_in(client, centre.officer, language).get(f"/antifraud/orders/{order.pk}/").content.decode()
    cited = "银发〔2016〕86号" if language == "zh-hans" else "Yinfa [2016] No. 86"
    step = page[page.index('id="next-step"'):]
    assert page.count(cited) == 1 and cited not in step
    assert ("立即送达" if language == "zh-hans" else "Send at once") in step  # the step itself stays
    listed = sign_in(client, centre.officer, language).get("/antifraud/orders/").content.decode()
    assert cited in listed  # the list, which has no basis of its own, still cites it
