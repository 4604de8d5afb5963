"""Every alerts page in the viewer's language (issue 11): the terminal, an alert, dead letters, silences, the
watch list and the VIID subscriptions, for one account of each kind that may see them, in Chinese and in
English (tests/page_language.py)."""

from __future__ import annotations

import pytest
from alerts_support import JT_CAMERA, LQ_SOS, ingest, payload, sign_in

pytestmark = pytest.mark.django_db

RESPONDERS = {"officer_a": 200, "chief_a": 200, "dispatcher": 200}
READERS = {**RESPONDERS, "analyst": 200}
PAGES = [
    ("terminal", "/alerts/", READERS),
    ("alert", "/alerts/{alert}/", READERS),
    ("dead letters", "/alerts/dead-letters/", {"admin": 200, "analyst": 200}),
    ("silences", "/alerts/silences/", READERS),
    ("watch list", "/alerts/watchlist/", {"officer_a": 200, "chief_a": 200, "analyst": 200}),
    ("VIID subscriptions", "/alerts/viid-subscriptions/", {"admin": 200, "analyst": 200}),
]


@pytest.fixture
def objects(client, on_duty, clock, worker):
    from pingan.alerts.models import Alert

    ingest(payload("a", LQ_SOS, "sos", clock()), payload("b", JT_CAMERA, "smoke", clock()))
    ingest({"event_id": "x", "device_id": "no-such-device", "type": "sos"})  # a dead letter
    worker().step()
    sign_in(client, on_duty.chief_a)
    assert client.post("/alerts/silences/", {"matchers": "alertname=smoke", "hours": "2",
                                             "comment": "烟感演练"}).status_code == 302
    assert client.post("/alerts/watchlist/", {"kind": "plate", "key": "闽D99999", "reason": "涉嫌盗窃",
                                              "priority": "P1"}).status_code == 302
    client.logout()
    return {"alert": Alert.objects.get(unit=on_duty.unit_a).pk}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_viewers_language(client, on_duty, objects, language):
    from page_language import check_pages, data_values

    people = {**on_duty.users(), "dispatcher": on_duty.dispatcher}
    # A dead letter's logged detail stays as logged (like its payload); the page explains its reason code in the
    # reader's language (see the next test).
    data = data_values("alerts.Device.name", "alerts.Silence.comment", "alerts.HotlistEntry.key",
                       "alerts.HotlistEntry.reason", "alerts.DeadLetter.reason")
    found = check_pages(client, PAGES, people, objects, sign_in, language, data)
    assert not found, found


def test_every_reason_an_input_is_refused_for_is_explained_on_the_dead_letter_page():
    """The dead-letter page explains each ``reason_code`` in the reader's language (it showed only the logged
    English detail); a new code raised anywhere in the alerts app without an explanation fails here."""
    import re
    from pathlib import Path

    from django.utils import translation

    import pingan.alerts
    from pingan.alerts.views import DEAD_LETTER_REASONS

    src = "\n".join(p.read_text("utf-8") for p in Path(pingan.alerts.__file__).parent.glob("*.py"))
    raised = set(re.findall(r'EventError\(\s*"([a-z_]+)"', src))
    raised |= set(re.findall(r'refusal = \(gat1400\.STATUS\["\w+"\], "([a-z_]+)"', src))
    assert len(raised) >= 20 and raised <= set(DEAD_LETTER_REASONS), raised - set(DEAD_LETTER_REASONS)
    for code, text in DEAD_LETTER_REASONS.items():
        with translation.override("zh-hans"):
            zh = str(text)
        with translation.override("en"):
            en = str(text)
        assert zh != en and re.search(r"[\u4e00-\u9fff]", zh), code
