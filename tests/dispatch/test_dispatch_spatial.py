"""The in-memory grid of units (``dispatch.spatial``, no Django): a box query answers as a scan of every
entry does, through moves and removals, for any cell size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.dispatch.spatial import Entry, GridIndex

lon = st.floats(117.9, 118.4, allow_nan=False)
lat = st.floats(24.3, 24.8, allow_nan=False)
ops = st.lists(
    st.tuples(st.integers(0, 30), st.booleans(), lon, lat), min_size=1, max_size=120
)  # (unit id, remove?, lon, lat)


@settings(max_examples=200, deadline=None)
@given(ops=ops, cell=st.sampled_from([0.001, 0.01, 0.05, 1.0]), box=st.tuples(lon, lat, lon, lat))
def test_a_box_finds_exactly_the_entries_inside_it(ops, cell, box):
    g = GridIndex(cell)
    truth: dict[int, Entry] = {}
    for uid, remove, x, y in ops:
        if remove:
            g.remove(uid)
            truth.pop(uid, None)
        else:
            e = Entry(uid, f"U{uid}", "car", "available", x, y, 0.0)
            g.upsert(e)
            truth[uid] = e
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    want = {e.id for e in truth.values() if x0 <= e.lon <= x1 and y0 <= e.lat <= y1}
    assert {e.id for e in g.box(x0, y0, x1, y1)} == want
    assert len(g) == len(truth) and sum(len(v) for v in g.cells.values()) == len(truth)


def test_a_unit_on_a_cell_border_is_found_from_either_side():
    g = GridIndex(0.01)
    g.upsert(Entry(1, "A", "car", "available", 118.10, 24.50, 0.0))
    assert [e.id for e in g.box(118.095, 24.495, 118.10, 24.50)] == [1]
    assert [e.id for e in g.box(118.10, 24.50, 118.105, 24.505)] == [1]


def test_a_bad_cell_size_is_refused():
    with pytest.raises(ValueError):
        GridIndex(0)


@given(xmax=st.integers(3, 2**63), dists=st.lists(st.integers(0, 10**6), max_size=64))
def test_a_snapshot_cursor_part_reads_back_as_written(xmax, dists):
    from pingan.dispatch.changes import Snapshot

    snap = Snapshot(xmax, tuple(sorted(xmax - d for d in dists if d <= xmax)))
    assert Snapshot.decode(snap.encode()) == snap


@pytest.mark.parametrize("text", ["", "x", "5~9", "-1", "5~-1", "~", "1" + "~0" * 65])
def test_a_malformed_snapshot_cursor_part_is_refused(text):
    from pingan.dispatch.changes import Snapshot

    with pytest.raises(ValueError):
        Snapshot.decode(text)
