"""One word for one thing on the alert pages (issue 11): the timeline said "1 more event(s)" (a plural in
brackets), and the same step was 已认领 as a state and 已签收 on the timeline."""

from __future__ import annotations

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, one, two", [("en", "1 more event", "2 more events"),
                                            ("zh-hans", "又有 1 个事件", "又有 2 个事件")])
def test_repeated_events_have_a_proper_plural(lang, one, two):
    from pingan.alerts import labels

    with translation.override(lang):
        assert labels.timeline_detail("repeated", {"events": ["e1"]}) == one
        assert labels.timeline_detail("repeated", {"events": ["e1", "e2"]}) == two
        assert "(s)" not in labels.timeline_detail("repeated", {"events": ["e1", "e2", "e3"]})


def test_acknowledged_is_one_word_in_chinese_state_timeline_dispatch_and_messages():
    """签收 is the word of a police alert taken: the state, the timeline entry, the button, the console's
    state label and the 'owned by another officer' message say it; 认领 is not used for an alert."""
    from pingan.alerts import labels
    from pingan.alerts.models import Alert
    from pingan.core.error_messages import page_message
    from pingan.core.errors import DomainError

    with translation.override("zh-hans"):
        state = str(Alert.State.ACKNOWLEDGED.label)
        words = [state, str(labels.STATES["acknowledged"]),
                 translation.pgettext("alert timeline", "Acknowledged"), translation.gettext("Acknowledge"),
                 str(page_message(DomainError("x", code="not_owner", params={"id": 7})))]
        for w in words:
            assert "签收" in w and "认领" not in w, w


def test_no_alert_catalogue_says_renling():
    """The alerts, dispatch and core catalogues (the console's and terminal's state words, the messages) use
    签收 throughout (evidence's 无人认领, unclaimed property, is another word)."""
    from pathlib import Path

    import pingan

    root = Path(pingan.__file__).parent
    for app in ("alerts", "dispatch", "core"):
        text = (root / app / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8")
        assert "认领" not in text, app
