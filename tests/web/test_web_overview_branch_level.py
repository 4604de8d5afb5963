"""A station chief's jurisdiction view includes the premises at the branch's own level above the station (8732cb2d:
the station does the branch premises' station work); the overview counts each premises on one row, the branch's.
The station's row now says those branch-level premises beside it, so its row plus that line equals its chief's
view (docs/web.md); before, the station row alone was shown and no longer equalled the view."""

from __future__ import annotations

import pytest
from test_web_results import get
from web_support import make_job, sign_in

from pingan.core.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, line", [
    ("en", "+ 1 premises at branch level in its chief's view (3 people, 1 red, 1 yellow)"),
    ("zh-hans", "另有所长辖区视图中的分局直管场所 1 个（3 人，红 1，黄 1）")])
def test_a_stations_row_says_the_branch_level_premises_its_chiefs_view_includes(client, cast, lang, line):
    from pingan.dashboard import selectors

    premises = cast.premises_a
    premises.unit = OrgUnit.objects.get(code="350203")  # the Siming branch, above station A
    premises.save(update_fields=["unit"])
    make_job(cast.landlord_a, premises, "甲")
    [station] = selectors.unit_counts(actor=cast.chief_a)
    shared = station.branch_level
    assert shared is not None and shared.premises == 1
    assert (station.red + shared.red, station.yellow + shared.yellow) == (1, 1)
    sign_in(client, cast.chief_a)
    page = get(client, "/police/overview/", lang)
    assert line in page
    jurisdiction = get(client, "/police/", lang)
    # the chief's view lists the branch premises' red and yellow: the station's row with the line says the same
    assert "甲红" in jurisdiction and "甲黄" in jurisdiction and station.red + station.yellow == 0
