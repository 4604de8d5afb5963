"""A button that ends or takes something away looks like it (issue 11: "End terminal" on the desk page was
the same blue primary button as "Call next"). Every confirmed destructive button of the citizen, alerts and
watch-list pages is ``danger``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_citizen_kiosk import sign_in

import pingan
from pingan.citizen import services

pytestmark = pytest.mark.django_db

ROOT = Path(pingan.__file__).parent
#: (template, the button's data-confirm text) of actions that end, cancel, reject or remove.
DESTRUCTIVE = [
    ("citizen/templates/citizen/desk.html", "End the terminal"),
    ("citizen/templates/citizen/me.html", "Cancel the appointment"),
    ("citizen/templates/citizen/permit.html", "Reject the application"),
    ("alerts/templates/alerts/viid_subscriptions.html", "Cancel the subscription"),
    ("alerts/templates/alerts/watchlist.html", "Take off the watch list"),
]


@pytest.mark.parametrize("template, confirm", DESTRUCTIVE)
def test_each_destructive_button_is_styled_danger(template, confirm):
    text = (ROOT / template).read_text("utf-8")
    buttons = [b for b in re.findall(r"<button[^>]*>", text) if confirm in b]
    assert buttons and all('class="danger"' in b for b in buttons), buttons


def test_the_desk_pages_end_terminal_button_is_danger_and_call_next_is_not(client, cast, world):
    services.terminal_create(actor=cast.officer_a, counter_id=world.counter_a.pk, name="大厅左侧")
    sign_in(client, cast.officer_a)
    html = client.get(f"/citizen/station/counters/{world.counter_a.pk}/").content.decode()
    end = re.search(r'<button class="danger" data-confirm="[^"]*大厅左侧[^"]*">([^<]*)</button>', html)
    assert end and end.group(1) == "停用终端"
    call = re.search(r"<button([^>]*)>叫下一位</button>", html)
    assert call and "danger" not in call.group(1)


def test_every_reject_or_refuse_button_is_danger():
    # issue 11's trial: the station chief's "驳回" of a level change (and of a correction request) was the grey
    # secondary button; the family: every button whose label rejects, refuses or revokes, in every app
    found = []
    for path in ROOT.glob("*/templates/**/*.html"):
        text = path.read_text("utf-8")
        for m in re.finditer(r'(<button[^>]*>)\{% translate "(Reject|Refuse|Revoke)', text):
            found.append(path.name)
            assert 'class="danger"' in m.group(1), (path, m.group(0))
    assert {"police.html", "block.html", "item.html", "case.html", "premises_code.html"} <= set(found), found
