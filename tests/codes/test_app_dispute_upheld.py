"""An officer's "支持申请" (uphold) of a correction request changed nothing anyone could see (issue 11): the
dispute left the open list, the code kept its level, and the chief's queue did not show it. Now the premises'
code page says who upheld it and when, and the queue — the chief's too, and the chief's home — lists it under
"upheld, level not yet changed" with a link to request the level change, until one is requested."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services

pytestmark = pytest.mark.usefixtures("isolated")

WORDS = {"en": ("upheld by officer_a", "Upheld, level not yet changed",
                "1 upheld correction request waiting for a level change"),
         "zh-hans": ("支持人 officer_a", "已支持，等级尚未调整", "1 项已支持的纠错申请等待调整等级")}


@pytest.fixture
def upheld(client, cast):
    screened(cast.premises_a, ["green", "yellow"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    d = services.dispute_open(premises=cast.premises_a, text="黄码人员已搬离，请核实", actor=cast.landlord_a)
    sign_in(client, cast.officer_a)
    response = client.post(reverse("codes:dispute_resolve", args=[d.pk]),
                           {"decision": "upheld", "outcome": "走访核实属实"}, follow=True)
    assert "Upheld, level not yet changed" in response.content.decode() or "已支持，等级尚未调整" in \
        response.content.decode()
    d.refresh_from_db()
    assert d.status == "upheld" and d.resolved_by_id == cast.officer_a.pk
    return d


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_support_shows_on_the_code_page_the_queue_and_the_chief_s_home(client, cast, upheld, lang):
    by, heading, panel = WORDS[lang]
    client.cookies["django_language"] = lang
    page = client.get(reverse("codes:premises", args=[cast.premises_a.pk])).content.decode()
    assert by in page and timezone.localtime(upheld.resolved_at).strftime("%Y-%m-%d %H:%M") in page
    sign_in(client, cast.chief_a)
    queue = client.get(reverse("codes:police")).content.decode()
    section = queue[queue.index('id="upheld"'):queue.index("</ul>", queue.index('id="upheld"'))]
    assert heading in queue and by in section and "走访核实属实" in section
    assert f"/codes/premises/{cast.premises_a.pk}/#override" in section
    assert panel in client.get("/").content.decode()
    # the owner reads the state and when, not the officer's name
    sign_in(client, cast.landlord_a)
    page = client.get(reverse("codes:premises", args=[cast.premises_a.pk])).content.decode()
    assert "officer_a" not in page and ("upheld" in page or "已支持" in page)


def test_it_leaves_the_list_once_a_level_change_is_requested(client, cast, upheld):
    services.level_override_request(premises=cast.premises_a, level="green", reason="纠错属实", actor=cast.officer_a)
    sign_in(client, cast.chief_a)
    queue = client.get(reverse("codes:police")).content.decode()
    assert f'id="upheld-{upheld.pk}"' not in queue
