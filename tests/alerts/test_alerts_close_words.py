"""Issue 11: the alert page's last step read "关闭 / Close" (as if it closed the page) while the demo's hint said
结束 and the home card 处置: the step that records the disposition is "Close the alert" / 处置完毕 on the page,
in the demo's hint and on the home card."""

from __future__ import annotations

import re

import pytest
from alerts_support import LQ_SOS, ingest, payload, sign_in

from pingan.alerts.models import Alert


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_alert_page_closes_the_alert_not_the_page(client, on_duty, clock, worker, language):
    ingest(payload("e-close-1", LQ_SOS, "sos", clock()))
    worker().step()
    alert = Alert.objects.filter(rule_id="sos", open=True).get()
    sign_in(client, on_duty.officer_a)
    html = client.get(f"/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    form = html[html.index('<form method="post" class="close">'):]
    button = re.search(r'<button type="submit">([^<]*)</button>', form[:form.index("</form>")]).group(1)
    assert button == ("处置完毕" if language == "zh-hans" else "Close the alert")


def test_the_hints_name_the_step_as_the_page_does():
    from django.utils import translation
    from django.utils.translation import gettext

    texts = ["Close the alert", "Live alerts of your unit while on duty: acknowledge, go, close.",
             "go on duty on the terminal, then acknowledge, go and close the alerts that arrive (sound and vibration "
             "for P1/P2)"]
    with translation.override("zh-hans"):
        said = [gettext(t) for t in texts]
    assert all("处置完毕" in s and "结束" not in s and "关闭" not in s for s in said), said
    assert all("签收" in s and "出发" in s for s in said[1:]), said
