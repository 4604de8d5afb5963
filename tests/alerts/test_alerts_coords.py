"""Datum conversions: published reference vectors, the PRCoords reference implementation, round trips."""

import prcoords
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.lib import coords

# wandergis/coordtransform README, input (116.404, 39.915) (shared/reference/standards.md §1.3)
REF = {
    "bd09togcj02": (116.39762729119315, 39.90865673957631),
    "gcj02tobd09": (116.41036949371029, 39.92133699351021),
    "wgs84togcj02": (116.41024449916938, 39.91640428150164),
    "gcj02towgs84": (116.39775550083061, 39.91359571849836),
}
P = (116.404, 39.915)


def test_it_matches_the_published_forward_vectors_exactly():
    assert coords.wgs84_to_gcj02(*P) == pytest.approx(REF["wgs84togcj02"], abs=1e-12)
    assert coords.gcj02_to_bd09(*P) == pytest.approx(REF["gcj02tobd09"], abs=1e-12)


def test_its_exact_inverses_are_within_centimetres_of_the_published_one_step_vectors():
    # the published inverses are one-step approximations; ours iterate to 1e-11°: they differ by < 0.1 m
    assert coords.distance_m(*coords.bd09_to_gcj02(*P), *REF["bd09togcj02"]) < 0.1
    assert coords.distance_m(*coords.gcj02_to_wgs84(*P), *REF["gcj02towgs84"]) < 0.1
    # and ours are exact: going forward again gives the input back
    assert coords.wgs84_to_gcj02(*coords.gcj02_to_wgs84(*P)) == pytest.approx(P, abs=1e-10)
    assert coords.gcj02_to_bd09(*coords.bd09_to_gcj02(*P)) == pytest.approx(P, abs=1e-10)


china = st.tuples(st.floats(73.5, 135.0), st.floats(18.0, 53.5))


@given(china)
def test_it_agrees_with_the_prcoords_reference_implementation(p):
    lon, lat = p
    ref = prcoords.wgs_gcj((lat, lon))
    assert coords.wgs84_to_gcj02(lon, lat) == pytest.approx((ref.lon, ref.lat), abs=1e-12)
    ref = prcoords.gcj_bd((lat, lon))
    assert coords.gcj02_to_bd09(lon, lat) == pytest.approx((ref.lon, ref.lat), abs=1e-12)
    ref = prcoords.bd_wgs_bored((lat, lon))
    assert coords.distance_m(*coords.bd09_to_wgs84(lon, lat), ref.lon, ref.lat) < 0.05


@given(china)
def test_round_trips_are_below_a_millimetre(p):
    lon, lat = p
    assert coords.distance_m(*coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lon, lat)), lon, lat) < 1e-3
    assert coords.distance_m(*coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lon, lat)), lon, lat) < 1e-3


@given(st.tuples(st.floats(-180, 180), st.floats(-90, 90)).filter(lambda p: not coords.in_china(*p)))
def test_points_outside_china_pass_unchanged(p):
    assert coords.to_wgs84(*p, "gcj02") == p
    assert coords.wgs84_to_gcj02(*p) == p


def test_it_refuses_unknown_systems_and_impossible_positions():
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.to_wgs84(118.1, 24.5, "mercator")
    with pytest.raises(ValueError, match="not a longitude/latitude"):
        coords.to_wgs84(218.1, 24.5, "wgs84")
    assert coords.to_wgs84(118.1, 24.5, "CGCS2000") == (118.1, 24.5)
