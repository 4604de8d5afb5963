"""Point-in-polygon routing over the real Xiamen districts and the CPD district KML."""

from importlib import resources

import pytest

from pingan.alerts import replay, routing

XIAMEN = resources.files("pingan.data").joinpath("jurisdictions/xiamen_350200_districts.json")


@pytest.fixture(scope="module")
def xiamen():
    return routing.JurisdictionIndex(routing.load(str(XIAMEN)))


@pytest.mark.parametrize(
    ("lon", "lat", "adcode"),
    [
        (118.0894, 24.4798, "350203"),  # 思明: Zhongshan Park
        (118.1460, 24.5150, "350206"),  # 湖里: near the airport road
        (118.0960, 24.5760, "350211"),  # 集美: Jimei school village
        (118.0330, 24.4920, "350205"),  # 海沧
        (118.1540, 24.7240, "350212"),  # 同安
        (118.2470, 24.6380, "350213"),  # 翔安
    ],
)
def test_xiamen_points_fall_in_their_district(xiamen, lon, lat, adcode):
    assert xiamen.locate(lon, lat)[:1] == [adcode]


def test_a_point_at_sea_or_abroad_is_in_no_district(xiamen):
    assert xiamen.locate(118.30, 24.30) == []
    assert xiamen.locate(-87.6, 41.8) == []


def test_the_cpd_kml_loads_all_districts_and_routes_a_record():
    districts = replay.chicago_districts()
    assert {j.key for j in districts} >= {
        str(n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25)
    }
    index = routing.JurisdictionIndex(districts)
    assert index.locate(-87.6277, 41.7922) == ["2"]  # the first record of the data set, district 2


def test_a_bad_boundary_file_names_itself(tmp_path):
    p = tmp_path / "x.json"
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": null}]}')
    with pytest.raises(routing.BoundaryError, match=r"x\.json: feature 1 has no property 'adcode'"):
        routing.load(p)
    with pytest.raises(routing.BoundaryError, match=r"use a \.geojson"):
        routing.load(tmp_path / "x.shp")
