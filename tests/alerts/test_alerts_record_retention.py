"""Retention of the alert pipeline's records (``alerts/data/retention.toml``, ``services.alert_records_prune``):
feed items, dead letters and the timelines of alerts no longer open go after their kind's days; open alerts'
timelines, the alerts themselves, their causes and the audit trail stay."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from alerts_support import JT_CAMERA, LQ_SOS, ingest, payload
from page_language import assert_language

DAY = dt.timedelta(days=1)


def test_the_bundled_policy_gives_each_kind_its_days_and_reason():
    from pingan.alerts import retention

    p = retention.policy()
    assert (p.id, p.version) == ("pingan-alerts-retention", "2026-12-06")
    assert {k: r.days for k, r in p.rules.items()} == {"feed": 7, "dead_letters": 90, "timelines": 365}
    assert all(len(r.reason) > 80 for r in p.rules.values())


@pytest.mark.parametrize("broken", [
    {"days": 0, "reason": "r"}, {"days": 7}, {"days": "7", "reason": "r"}, {"days": 7.5, "reason": "r"},
    {"days": 7, "reason": "r", "keep_forever": True},
])
def test_a_policy_without_days_or_a_reason_is_refused(broken):
    from pingan.alerts import retention

    raw = {"id": "x", "version": "1", "feed": broken, "dead_letters": {"days": 1, "reason": "r"},
           "timelines": {"days": 1, "reason": "r"}}
    with pytest.raises(ValueError, match=r"\[feed\]"):
        retention.parse_policy(raw)
    with pytest.raises(ValueError, match="audit"):
        retention.parse_policy({**raw, "feed": {"days": 1, "reason": "r"}, "audit": {"days": 1, "reason": "r"}})


@pytest.fixture
def records(on_duty, clock, worker):
    """Two SOS alerts (each with its feed items and timeline) and two dead letters; the first alert closed."""
    from pingan.alerts import services
    from pingan.alerts.models import Alert

    ingest(payload("s1", LQ_SOS, "sos", clock()), payload("s2", JT_CAMERA, "sos", clock()))
    services.events_ingest(inputs=[services.RawInput(payload=b'{"event_id": "x"'),
                                   services.RawInput(payload=b"not json")], source="http")
    worker().step()
    first, second = Alert.objects.order_by("id")
    Alert.objects.filter(pk=first.pk).update(open=False, state="closed", closed_at=clock(), disposition="no_trace")
    return first, second


def _age(days_ago: float, *, clock, feed=(), letters=(), steps=()):
    from pingan.alerts.models import AlertTransition, DeadLetter, FeedItem

    at = clock() - dt.timedelta(days=days_ago)
    FeedItem.objects.filter(pk__in=feed).update(created_at=at)
    DeadLetter.objects.filter(pk__in=letters).update(received_at=at)
    AlertTransition.objects.filter(pk__in=steps).update(at=at)


@pytest.mark.django_db
def test_records_older_than_their_kind_s_days_go_and_nothing_else(records, clock):
    from pingan.alerts import services
    from pingan.alerts.models import Alert, AlertCause, AlertTransition, DeadLetter, FeedItem
    from pingan.core.models import AuditRecord

    closed, still_open = records
    feed = list(FeedItem.objects.order_by("seq").values_list("pk", flat=True))
    letters = list(DeadLetter.objects.order_by("id").values_list("pk", flat=True))
    assert len(feed) >= 2 and len(letters) == 2
    _age(8, clock=clock, feed=feed[:1], letters=letters[:1])
    _age(6, clock=clock, feed=feed[1:], letters=letters[1:])  # young for the feed; both young for dead letters
    _age(400, clock=clock, steps=AlertTransition.objects.values_list("pk", flat=True))  # both timelines old
    audit_before = AuditRecord.objects.count()
    before = services.counters()
    steps = closed.timeline.count()
    assert steps > 0

    got = services.alert_records_prune(now=clock(), limit=1)  # one row at a time: the steps loop to the end
    assert got == {"feed": 1, "dead_letters": 0, "timelines": steps}
    assert list(FeedItem.objects.values_list("pk", flat=True)) == feed[1:]
    assert DeadLetter.objects.count() == 2  # 90 days
    # closed, its last step 400 days ago: one step says when and under which rule the others went
    (marker,) = AlertTransition.objects.filter(alert=closed)
    assert (marker.action, marker.at) == ("timeline_pruned", clock())
    assert marker.detail == {"policy": "pingan-alerts-retention", "version": "2026-12-06", "days": 365,
                             "steps": steps}
    assert AlertTransition.objects.filter(alert=still_open).exists()  # open: kept however old
    assert Alert.objects.count() == AlertCause.objects.count() == 2  # the alerts and their causes stay
    records_after = AuditRecord.objects.count()
    assert records_after == audit_before + 1  # nothing of the audit trail deleted; the run's own record
    run = AuditRecord.objects.order_by("-seq").first()
    assert (run.action, run.object_type) == ("retention_purge", "AlertRecords")
    assert run.detail["deleted"] == got and run.detail["policy"] == "pingan-alerts-retention"
    after = services.counters()
    assert after.pop("feed_pruned") == 1 and after.pop("timeline_steps_pruned") == steps
    assert after == before  # the pipeline's accounting is untouched

    _age(91, clock=clock, letters=letters)
    assert services.alert_records_prune(now=clock()) == {"feed": 0, "dead_letters": 2, "timelines": 0}
    assert services.alert_records_prune(now=clock()) == {"feed": 0, "dead_letters": 0, "timelines": 0}
    assert AuditRecord.objects.count() == records_after + 1  # a run that deletes nothing writes nothing


@pytest.mark.django_db
def test_a_timeline_goes_a_year_after_its_alert_s_last_step(records, clock):
    from pingan.alerts import services
    from pingan.alerts.models import AlertTransition

    closed, _ = records
    steps = list(closed.timeline.order_by("id").values_list("pk", flat=True))
    _age(400, clock=clock, steps=steps[:-1])
    _age(300, clock=clock, steps=steps[-1:])  # its last step (the close) within the year
    assert services.alert_records_prune(now=clock())["timelines"] == 0
    assert AlertTransition.objects.filter(alert=closed).count() == len(steps)
    assert services.alert_records_prune(now=clock() + 66 * DAY)["timelines"] == len(steps)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_command_says_what_it_pruned_in_the_reader_s_language(records, clock, language):
    from django.core.management import call_command
    from django.utils import translation

    from pingan.alerts.models import FeedItem

    _age(30, clock=clock, feed=FeedItem.objects.values_list("pk", flat=True))
    out = StringIO()
    with translation.override(language):
        call_command("alerts", "prune-records", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    for line in lines:
        assert_language(line, language)
    n = FeedItem.objects.count()
    assert n == 0 and ("7" in lines[0] and "90" in lines[1] and "365" in lines[2])


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [
    ("en", ("steps of this alert's timeline were removed on", "under the retention rule", "kept 365 days",
            "rule pingan-alerts-retention, version 2026-12-06")),
    ("zh-hans", ("按保留规则删除", "保留 365 天", "规则 pingan-alerts-retention，版本 2026-12-06")),
])
def test_the_alert_page_says_when_and_under_which_rule_its_timeline_went(client, cast, records, clock, language,
                                                                          words):
    """Issue 11: an alert whose timeline was pruned showed an empty timeline, with no word of why."""
    from alerts_support import sign_in
    from django.utils import timezone

    from pingan.alerts import services
    from pingan.alerts.models import AlertTransition

    closed, _ = records
    _age(400, clock=clock, steps=AlertTransition.objects.filter(alert=closed).values_list("pk", flat=True))
    steps = closed.timeline.count()
    services.alert_records_prune(now=clock())
    client.cookies["django_language"] = language
    html = sign_in(client, cast.chief_a).get(f"/alerts/{closed.pk}/").content.decode()
    note = html[html.index('id="timeline-pruned"'):html.index("</p>", html.index('id="timeline-pruned"'))]
    day = timezone.localtime(clock()).strftime("%Y-%m-%d")
    assert day in note and str(steps) in note and all(w in note for w in words), note
    assert_language(re.sub(r"\s+", " ", note.split(">", 1)[1]), language,
                    ("pingan-alerts-retention", "2026-12-06", day))
    assert '<ol class="timeline">' not in html  # no empty list under it
