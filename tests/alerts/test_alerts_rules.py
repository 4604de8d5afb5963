"""The rule engine: each kind, bounded state, snapshot/restore."""

import datetime as dt

import pytest

from pingan.alerts import rules
from pingan.alerts.events import Event

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
DEV_A, DEV_B = "35020301001320000001", "35020601001320000001"
POS = {DEV_A: (118.139, 24.479), DEV_B: (118.133, 24.505)}


def ev(i, type_, device=DEV_A, t=0.0, **attrs):
    pos = attrs.pop("pos", None)
    return Event(
        f"e{i}",
        device,
        type_,
        T0 + dt.timedelta(seconds=t),
        pos[0] if pos else None,
        pos[1] if pos else None,
        "wgs84",
        attrs,
    )


def engine(**kw):
    e = rules.Engine(rules.bundled_ruleset(), position_of=POS.get, **kw)
    e.set_hotlist(
        [rules.HotlistEntry("闽D12345", "plate", "stolen car", "P1"), rules.HotlistEntry("P-77", "person", "wanted")]
    )
    return e


def fired(e, event, **kw):
    return [f.rule_id for f in e.process(event, **kw)]


def test_immediate_rules_fire_at_once_with_their_priority():
    e = engine()
    fs = e.process(ev(1, "gunshot", confidence=0.9))
    assert [(f.rule_id, f.priority, f.summary) for f in fs] == [("gunshot", "P1", "immediate.gunshot")]
    assert fired(e, ev(2, "sos")) == ["sos"]
    assert fired(e, ev(3, "heartbeat")) == []


def test_hotlist_matches_normalised_plates_and_low_reliability_reads_without_province():
    e = engine()
    f = e.process(ev(1, "anpr", plate="闽Ｄ·１２３４５", reliability=95))
    assert [(x.rule_id, x.priority) for x in f] == [("hotlist-plate", "P1")]  # the entry's priority
    assert fired(e, ev(2, "anpr", plate="粤D12345", reliability=95)) == []  # confident read, other province
    f = e.process(ev(3, "anpr", plate="粤D12345", reliability=50))
    assert [x.rule_id for x in f] == ["hotlist-plate"] and f[0].params["partial"] is True
    assert fired(e, ev(4, "person_match", person_ref="P-77")) == ["hotlist-person"]


def test_an_expired_hotlist_entry_no_longer_matches():
    e = engine()
    e.set_hotlist([rules.HotlistEntry("闽D99999", "plate", "x", expires_at=T0 + dt.timedelta(minutes=1))])
    assert fired(e, ev(1, "anpr", plate="闽D99999")) == ["hotlist-plate"]
    assert fired(e, ev(2, "anpr", plate="闽D99999", t=120)) == []


def test_cloned_plate_needs_an_impossible_speed_between_two_devices():
    e = engine()
    assert fired(e, ev(1, "anpr", DEV_A, 0, plate="闽D55555")) == []
    # 2.9 km in 60 s = 174 km/h: possible
    assert fired(e, ev(2, "anpr", DEV_B, 60, plate="闽D55555")) == []
    # back to A 10 s later: 1,044 km/h
    f = e.process(ev(3, "anpr", DEV_A, 70, plate="闽D55555"))
    assert [x.rule_id for x in f] == ["cloned-plate"] and f[0].params["speed_kmh"] > 1000
    assert set(f[0].event_keys) == {f"{DEV_B}/e2", f"{DEV_A}/e3"}


def test_count_fires_on_the_third_intrusion_within_ten_minutes_only():
    e = engine()
    assert fired(e, ev(1, "intrusion", t=0)) == []
    assert fired(e, ev(2, "intrusion", t=300)) == []
    assert fired(e, ev(3, "intrusion", t=700)) == []  # the first fell out of the window
    assert fired(e, ev(4, "intrusion", t=800)) == ["intrusion-burst"]


def test_gathering_counts_video_events_with_code_11_per_fence():
    e = engine()
    inside = (118.085, 24.457)  # Zhongshan Road fence
    assert fired(e, ev(1, "video_event", event_code="11", pos=inside)) == []
    assert fired(e, ev(2, "video_event", event_code="12", pos=inside, t=10)) == []
    assert fired(e, ev(3, "video_event", event_code="11", pos=inside, t=20)) == ["gathering"]


def test_geofence_enter_and_dwell():
    e = engine()
    street, island, outside = (118.085, 24.457), (118.065, 24.445), (118.20, 24.50)
    assert fired(e, ev(1, "position", subject="T1", pos=outside)) == []
    assert fired(e, ev(2, "position", subject="T1", pos=street, t=10)) == ["zhongshan-enter"]
    assert fired(e, ev(3, "position", subject="T1", pos=street, t=20)) == []
    assert fired(e, ev(4, "position", subject="T1", pos=island, t=30)) == []
    assert fired(e, ev(5, "position", subject="T1", pos=island, t=30 + 29 * 60)) == []
    assert fired(e, ev(6, "position", subject="T1", pos=island, t=30 + 31 * 60)) == ["gulangyu-dwell"]
    assert fired(e, ev(7, "position", subject="T1", pos=island, t=30 + 40 * 60)) == []  # once per stay


def test_absence_fires_once_after_silence_and_resolves_on_return():
    e = engine()
    e.process(ev(1, "heartbeat"), received_at=T0)
    assert e.tick(T0 + dt.timedelta(minutes=4)) == []
    f = e.tick(T0 + dt.timedelta(minutes=6))
    assert [(x.rule_id, x.kind, x.priority) for x in f] == [("device-offline", "absence", "P4")]
    assert e.tick(T0 + dt.timedelta(minutes=7)) == []
    back = e.process(ev(2, "heartbeat", t=500), received_at=T0 + dt.timedelta(minutes=8))
    assert [x.summary for x in back] == ["absence.back"]


def test_state_is_capped_and_expires_with_its_window():
    rs = rules.parse_ruleset(
        {
            "id": "t",
            "version": "1.0.0",
            "title": "t",
            "rule": [
                {
                    "id": "c",
                    "kind": "cloned_plate",
                    "priority": "P2",
                    "description": "d",
                    "condition": {"window_minutes": 10, "state_cap": 100},
                }
            ],
        }
    )
    e = rules.Engine(rs, position_of=POS.get)
    for i in range(1000):
        e.process(ev(i, "anpr", plate=f"闽D{i:05d}", t=i * 0.1))
    assert e.stats()["c"]["entries"] == 100 and e.stats()["c"]["evicted"] == 900
    e.process(ev(5000, "anpr", plate="闽D99999", t=3600))
    e.tick(T0 + dt.timedelta(hours=2))
    assert e.state_size() == 1 and e.stats()["c"]["expired"] == 100


def test_a_restored_snapshot_continues_exactly():
    a = engine()
    events = [ev(i, "intrusion", t=i * 60) for i in range(2)] + [ev(10, "anpr", DEV_A, 0, plate="闽D55555")]
    for x in events:
        a.process(x)
    b = engine()
    b.restore(a.snapshot())
    nxt = [ev(20, "intrusion", t=150), ev(21, "anpr", DEV_B, 5, plate="闽D55555")]
    assert [fired(a, x) for x in nxt] == [fired(b, x) for x in nxt] == [["intrusion-burst"], ["cloned-plate"]]


def test_a_temporary_rule_set_applies_only_inside_its_window_and_fence():
    rs = rules.parse_ruleset(
        {
            "id": "event",
            "version": "1.0.0",
            "title": "t",
            "within": "f",
            "active_from": T0,
            "active_until": T0 + dt.timedelta(hours=1),
            "fence": [{"id": "f", "polygon": [[118, 24], [119, 24], [119, 25], [118, 25]]}],
            "rule": [
                {"id": "i", "kind": "immediate", "priority": "P1", "description": "d", "condition": {"types": ["sos"]}}
            ],
        }
    )
    e = rules.Engine(rs, position_of=POS.get)
    assert fired(e, ev(1, "sos")) == ["i"]
    assert fired(e, ev(2, "sos", t=7200)) == []
    assert fired(e, ev(3, "sos", pos=(120.5, 24.5))) == []


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"kind": "nope"}, "kind 'nope'"),
        ({"priority": "P9"}, "priority"),
        ({"condition": {"types": ["x"]}}, "not an event type"),
        ({"condition": {}}, "condition.types is required"),
        ({"cites": ["nobody"]}, "cites"),
    ],
)
def test_a_malformed_rule_set_names_the_rule_and_field(patch, message):
    rule = {"id": "r", "kind": "immediate", "priority": "P1", "description": "d", "condition": {"types": ["sos"]}}
    with pytest.raises(rules.RuleSetError, match=message) as exc:
        rules.parse_ruleset({"id": "t", "version": "1.0.0", "title": "t", "rule": [{**rule, **patch}]}, path="x.toml")
    assert "x.toml" in str(exc.value)


def test_geofences_keep_state_only_for_subjects_inside_them():
    rs = rules.parse_ruleset(
        {
            "id": "t",
            "version": "1.0.0",
            "title": "t",
            "fence": [{"id": "sq", "polygon": [[118.0, 24.0], [118.1, 24.0], [118.1, 24.1], [118.0, 24.1]]}],
            "rule": [
                {"id": "in", "kind": "geofence", "priority": "P3", "description": "d",
                 "condition": {"fence": "sq", "on": "enter"}},
                {"id": "out", "kind": "geofence", "priority": "P3", "description": "d",
                 "condition": {"fence": "sq", "on": "leave"}},
            ],
        }
    )
    e = rules.Engine(rs, position_of=POS.get)
    for i in range(500):  # plate reads far from the fence: no state at all
        assert fired(e, ev(i, "anpr", plate=f"闽D{i:05d}", t=i)) == []
    assert e.state_size() == 0
    inside, outside = (118.05, 24.05), (118.5, 24.5)
    assert fired(e, ev(600, "position", subject="T1", pos=inside, t=600)) == ["in"]
    assert e.state_size() == 2  # one entry per rule while inside
    assert fired(e, ev(601, "position", subject="T1", pos=inside, t=601)) == []
    assert fired(e, ev(602, "position", subject="T1", pos=outside, t=602)) == ["out"]
    assert e.state_size() == 0  # outside is the same as never seen
    assert fired(e, ev(603, "position", subject="T1", pos=outside, t=603)) == []
    assert fired(e, ev(604, "position", subject="T1", pos=inside, t=604)) == ["in"]


def test_rules_see_only_the_event_types_they_name():
    e = engine()
    by_type = {t: [r.id for _, r in handlers] for t, handlers in e._handlers.items()}
    assert by_type["heartbeat"] == ["device-offline"]
    assert by_type["anpr"] == ["hotlist-plate", "cloned-plate", "gulangyu-dwell", "zhongshan-enter", "device-offline"]
    assert by_type["gunshot"] == ["gunshot", "device-offline"]


# ---------------------------------------------------------------- partitions: the same firings, each once

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

STREET, ISLAND, OUTSIDE = (118.085, 24.457), (118.065, 24.445), (118.20, 24.50)
_event = st.one_of(
    st.tuples(st.just("anpr"), st.sampled_from([DEV_A, DEV_B]),
              st.sampled_from(["闽D12345", "闽D00001", "闽D00002", "粤B11111"]), st.sampled_from([40, 95])),
    st.tuples(st.just("position"), st.sampled_from([DEV_A, DEV_B]), st.sampled_from(["T1", "T2", "T3"]),
              st.sampled_from([STREET, ISLAND, OUTSIDE])),
    st.tuples(st.sampled_from(["intrusion", "gunshot", "sos", "heartbeat", "smoke"]), st.sampled_from([DEV_A, DEV_B]),
              st.just(""), st.just(None)),
    st.tuples(st.just("video_event"), st.sampled_from([DEV_A, DEV_B]), st.sampled_from(["11", "03"]),
              st.sampled_from([STREET, ISLAND])),
    st.tuples(st.just("person_match"), st.sampled_from([DEV_A, DEV_B]), st.sampled_from(["P-77", "P-1"]),
              st.just(None)),
)


def _make(i, t, spec):
    type_, device, key, extra = spec
    if type_ == "anpr":
        return ev(i, type_, device, t, plate=key, reliability=extra)
    if type_ == "position":
        return ev(i, type_, device, t, subject=key, pos=extra)
    if type_ == "video_event":
        return ev(i, type_, device, t, event_code=key, pos=extra)
    if type_ == "person_match":
        return ev(i, type_, device, t, person_ref=key)
    return ev(i, type_, device, t)


def _key(f):
    return (f.rule_id, tuple(sorted(f.labels.items())), f.event_keys, f.summary)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), _event), max_size=60), st.integers(2, 4))
def test_partitions_fire_exactly_what_one_engine_fires_each_once_in_order(stream, parts):
    """N engines that each own a share of the keys, fed the whole stream, fire together exactly the firings of
    one engine — none twice, none lost — and each partition fires in stream order."""
    events, t = [], 0
    for i, (gap, spec) in enumerate(stream):
        t += gap
        events.append(_make(i, t, spec))
    one = engine()
    expected = [_key(f) for e in events for f in one.process(e, received_at=e.time)]
    late = T0 + dt.timedelta(seconds=t + 3600)
    expected += [_key(f) for f in one.tick(late)]
    engines = [engine(partition=(i, parts)) for i in range(parts)]
    got, per_part = [], []
    for p in engines:
        mine = [_key(f) for e in events for f in p.process(e, received_at=e.time)]
        per_part.append(mine)
        got += mine + [_key(f) for f in p.tick(late)]
    assert sorted(got) == sorted(expected)
    for mine in per_part:  # a partition's firings are a subsequence of the single engine's, in its order
        it = iter(expected)
        assert all(any(k == x for x in it) for k in mine)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), _event), max_size=60), st.integers(0, 60), st.integers(1, 4),
       st.integers(1, 4))
def test_a_change_of_partitions_mid_stream_fires_what_one_engine_fires(stream, cut, before, after):
    """M partitions run the stream up to ``cut``, their snapshots are merged into N engines
    (``rules.merge_snapshots``, what the worker handover does), which run the rest: together they fire exactly
    what one engine fires over the whole stream — windows open across the change included (a plate read
    before it and again after it by another checkpoint is still a cloned plate)."""
    from pingan.alerts.rules import merge_snapshots

    events, t = [], 0
    for i, (gap, spec) in enumerate(stream):
        t += gap
        events.append(_make(i, t, spec))
    cut = min(cut, len(events))
    one = engine()
    expected = [_key(f) for e in events for f in one.process(e, received_at=e.time)]
    late = T0 + dt.timedelta(seconds=t + 3600)
    expected += [_key(f) for f in one.tick(late)]
    olds = [engine(partition=(i, before)) for i in range(before)]
    got = [_key(f) for p in olds for e in events[:cut] for f in p.process(e, received_at=e.time)]
    snaps = [p.snapshot() for p in olds]
    for i in range(after):
        new = engine(partition=(i, after))
        new.restore(merge_snapshots(snaps, new.owns))
        got += [_key(f) for e in events[cut:] for f in new.process(e, received_at=e.time)]
        got += [_key(f) for f in new.tick(late)]
    assert sorted(got) == sorted(expected)
