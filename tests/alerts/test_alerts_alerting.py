"""Alertmanager semantics (pure): fingerprints, matchers, inhibition, escalation steps."""

import datetime as dt

import pytest

from pingan.alerts import alerting

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_fingerprints_ignore_order_and_empty_labels():
    assert alerting.fingerprint({"a": "1", "b": "2"}) == alerting.fingerprint({"b": "2", "a": "1", "c": ""})
    assert alerting.fingerprint({"a": "1"}) != alerting.fingerprint({"a": "2"})


def test_matchers():
    labels = {"alertname": "gunshot", "unit": "350203-LQ"}
    assert alerting.parse_matcher('alertname="gunshot"').matches(labels)
    assert alerting.parse_matcher("unit=~350203-.*").matches(labels)
    assert alerting.parse_matcher("unit!~350206-.*").matches(labels)
    assert alerting.parse_matcher("missing=").matches(labels)  # a missing label equals ""
    with pytest.raises(ValueError, match="name=value"):
        alerting.parse_matcher("just text")
    with pytest.raises(ValueError, match="regular expression"):
        alerting.parse_matcher("a=~(")


def test_a_gunshot_inhibits_loud_noise_only_nearby():
    policy = alerting.load_policy()
    gun = alerting.ActiveAlert({"alertname": "gunshot"}, 118.1, 24.5)
    near = alerting.ActiveAlert({"alertname": "loud-noise"}, 118.101, 24.5)  # ~100 m
    far = alerting.ActiveAlert({"alertname": "loud-noise"}, 118.2, 24.5)  # ~10 km
    assert alerting.inhibited(near, [gun], policy.inhibit)
    assert not alerting.inhibited(far, [gun], policy.inhibit)
    assert not alerting.inhibited(gun, [near], policy.inhibit)


def test_escalation_steps_fall_due_in_order_and_repeat_a_capped_number_of_times():
    esc = alerting.load_policy().escalations["P1"]  # 0 s unit, 30 s chief, 60 s centre; 2 repeats, 120 s rounds
    due = alerting.due_steps(esc, raised_at=T0, now=T0 + dt.timedelta(seconds=31), sent=1)
    assert [(i, s.target) for i, s in due] == [(1, "duty_chief")]
    due = alerting.due_steps(esc, raised_at=T0, now=T0 + dt.timedelta(seconds=61), sent=2)
    assert [(i, s.target) for i, s in due] == [(2, "unit:350200-ZH")]
    assert alerting.next_due(esc, raised_at=T0, sent=3) == T0 + dt.timedelta(seconds=120)
    everything = alerting.due_steps(esc, raised_at=T0, now=T0 + dt.timedelta(days=1), sent=1)
    assert len(everything) == 3 * 3 - 1  # three rounds of three steps, the first already sent
    assert alerting.next_due(esc, raised_at=T0, sent=9) is None


def test_a_policy_without_a_priority_or_with_too_many_repeats_is_refused():
    good = alerting.load_policy()
    assert set(good.routes) == {"P1", "P2", "P3", "P4"}
    with pytest.raises(alerting.PolicyError, match=r"\[P2\] is required"):
        alerting.parse_policy({"id": "x", "version": "1", "P1": {"step": [{"after_s": 0, "target": "unit"}]}})
    section = {"repeat": 9, "step": [{"after_s": 0, "target": "unit"}]}
    with pytest.raises(alerting.PolicyError, match="repeat must be 0-5"):
        alerting.parse_policy({"id": "x", "version": "1", **{p: section for p in ("P1", "P2", "P3", "P4")}})
