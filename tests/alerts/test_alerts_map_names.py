"""A boundary's name on the alerts map lies wholly inside the frame (issue 11: the English map cut a
neighbour's name at its edge, "…g District Branch": a name was centred on a point of the area near the edge)."""

from __future__ import annotations

import pytest

from pingan.alerts import mapview


def _square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.mark.parametrize("name", ["Siming District Branch", "思明分局", "Lianqian Police Station"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_neighbours_name_at_the_edge_stays_inside_the_map(name, side):
    own = _square(118.10, 24.45, 118.14, 24.49)
    # the neighbour reaches far beyond the frame: only a strip along one edge is on the map
    neighbour = _square(118.137, 24.45, 118.30, 24.49) if side == "right" else _square(117.90, 24.45, 118.103, 24.49)
    view = mapview.build([("莲前派出所", own, True), (name, neighbour, False)], width=340)
    labelled = {a.name: a for a in view.areas if a.label_x is not None}
    assert name in labelled  # the strip is wide enough for its name to be drawn
    for a in labelled.values():
        half = mapview.label_width(a.name) / 2
        assert a.label_x - half >= 0 and a.label_x + half <= view.width, (a.name, a.label_x, half, view.width)
        assert mapview.LABEL_EM <= a.label_y <= view.height


def test_the_width_estimate_is_not_below_what_chromium_draws():
    # measured in Debian's chromium at 10px in the site's font stack (getBBox, 2026-12-06), bold (600) being
    # the wider: "Siming District Branch" 126.7, "Lianqian Police Station" 129.8, "思明分局" 40, "莲前派出所" 50
    for name, drawn in (("Siming District Branch", 126.7), ("Lianqian Police Station", 129.8), ("思明分局", 40),
                        ("莲前派出所", 50)):
        assert mapview.label_width(name) >= drawn, name


def test_neighbouring_names_do_not_overlap():
    """Issue 11: on a phone the alerts map's neighbouring names ran into each other (the map is drawn at about
    1:1 at 375 px). Names move a line up or down, or are left off (each area keeps its name as a tooltip)."""
    own = _square(118.10, 24.45, 118.20, 24.55)
    # six narrow areas side by side in the frame: their centres are closer than their names are wide
    neighbours = [(f"Neighbouring District Branch {i}", _square(118.10 + i * 0.012, 24.45, 118.112 + i * 0.012, 24.55),
                   False) for i in range(6)]
    view = mapview.build([("Lianqian Police Station", own, True), *neighbours], width=340)
    labelled = [a for a in view.areas if a.label_x is not None]
    assert any(a.own for a in labelled)  # the viewer's own area is always named
    boxes = [mapview._box(a.name, a.label_x, a.label_y) for a in labelled]
    for i, b in enumerate(boxes):
        for c in boxes[i + 1:]:
            assert b[2] <= c[0] or b[0] >= c[2] or b[3] <= c[1] or b[1] >= c[3], (b, c)
    assert len(view.areas) == 7  # every area is drawn, named or not
