"""Location generalisation to block level, as open-data portals publish it. Pure module (no Django).

* US street addresses keep the hundred block: ``1234 W FULLERTON AVE`` → ``12XX W FULLERTON AVE``; an
  address already published that way (Chicago's ``064XX W FULLERTON AVE``) is normalised to the same form
  (``64XX W FULLERTON AVE``). Intersections (``BOSWORTH ST \\ DIAMOND ST``) are already generalised.
  (Chicago's portal: addresses "shown at the block level only"; the form is the portal's.)
* Chinese addresses keep the road or community and drop the house, building and room numbers:
  ``思明区莲前东路1号3栋201室`` → ``思明区莲前东路``.
* A point without an address becomes a grid cell of ``decimals`` decimal degrees (3 ≈ 110 m north–south),
  named by its south-west corner: ``41.923,-87.787``.
"""

from __future__ import annotations

import math
import re

_US_NUMBER = re.compile(r"^\s*0*(\d+)(X*)\s+(.+)$", re.IGNORECASE)
# The first house/building/room number and everything after it (号, 弄, 栋, 幢, 座, 单元, 室, 楼, 号楼, #).
_CN_NUMBER = re.compile(r"\s*[0-9０-９一二三四五六七八九十百零〇甲乙丙丁-]+\s*(号|弄|栋|幢|座|单元|室|楼|号楼|#).*$")


def us_block(address: str) -> str:
    """The hundred block of a US street address (see module docstring); other text is returned trimmed."""
    s = " ".join(address.split())
    m = _US_NUMBER.match(s)
    if not m:
        return s.upper()
    digits, xs, rest = m.groups()
    number = digits + "0" * len(xs)  # 064XX → 6400
    hundreds = int(number) // 100
    return f"{hundreds}XX {rest.upper()}" if hundreds else f"0XX {rest.upper()}"


def cn_block(address: str) -> str:
    """A Chinese address without its house, building and room numbers (see module docstring)."""
    s = "".join(address.split())
    return _CN_NUMBER.sub("", s) or s


def grid_block(latitude: float | None, longitude: float | None, decimals: int = 3) -> str:
    """The grid cell (south-west corner, ``decimals`` decimal degrees) of a point; ``""`` without one."""
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return ""
    f = 10**decimals
    return f"{math.floor(latitude * f) / f:.{decimals}f},{math.floor(longitude * f) / f:.{decimals}f}"
