"""The published rule that turns a premises' latest screening into a safety-code level (平安码等级).

Rule-set ``pingan.codes.level`` version 1 (this is the text the verification page and docs/codes.md
publish, and the version every code records in its ``ruleset`` field):

1. any person screened **red** (红) → the premises' code is **red**;
2. otherwise, any person **yellow** (黄) or **unresolved** (待核实: a match not yet reviewed) → **yellow**;
3. otherwise → **green** (绿).

Counts are of people on the premises' latest screening. A premises screened with nobody on its roster
is green by rule 3; the code carries the people count (0) so that a reader can see it covers no one.

A changed rule gets a new version number here, never an edited one: codes already issued keep naming the
rule that produced them. This module imports no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

#: Identifier of the published level rule-set.
RULESET_ID = "pingan.codes.level"
#: Version of the rule-set implemented by :func:`level_for`; recorded in every code.
RULESET_VERSION = 1

#: The published rule, as shown on the verification page (in the viewer's language) and the poster (Chinese).
#: People read it (posters, the verification page): it names the version, never the module id above.
RULE_TEXT_ZH = (
    "平安码等级规则（第 1 版）：最近一次筛查中任一人员为红色，则场所为红码；"
    "否则任一人员为黄色或待核实，则为黄码；否则为绿码。"
)
RULE_TEXT_EN = (
    "Safety-code level rule (version 1): if any person on the premises' latest "
    "screening is red, the code is red; otherwise, if any person is yellow or unresolved, it is yellow; "
    "otherwise it is green."
)


class Level(StrEnum):
    """A safety-code level. ``wire`` is the unsigned integer carried in the token (docs/codes.md)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def wire(self) -> int:
        """The token encoding: green 1, yellow 2, red 3."""
        return _WIRE[self]

    @property
    def label_zh(self) -> str:
        """The Chinese name printed on posters: 绿码 / 黄码 / 红码."""
        return _LABEL_ZH[self]

    @property
    def rgb(self) -> str:
        """The poster colour as ``#rrggbb`` (green #1e9e4a, yellow #f2b705, red #d62828)."""
        return _RGB[self]

    @classmethod
    def from_wire(cls, value: int) -> Level:
        """The level for a token integer; raises ``ValueError`` for anything but 1, 2 or 3."""
        try:
            return _FROM_WIRE[value]
        except (KeyError, TypeError):
            raise ValueError(f"unknown level code {value!r}: expected 1 (green), 2 (yellow) or 3 (red)") from None


_WIRE = {Level.GREEN: 1, Level.YELLOW: 2, Level.RED: 3}
_FROM_WIRE = {v: k for k, v in _WIRE.items()}
_LABEL_ZH = {Level.GREEN: "绿码", Level.YELLOW: "黄码", Level.RED: "红码"}
_RGB = {Level.GREEN: "#1e9e4a", Level.YELLOW: "#f2b705", Level.RED: "#d62828"}


@dataclass(frozen=True, slots=True)
class ScreeningCounts:
    """How many people of one premises' latest screening fell in each outcome (each a count ≥ 0)."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    unresolved: int = 0

    def __post_init__(self) -> None:
        # the common case first, in one expression (a re-evaluation builds two per code it issues: ~86,000 for
        # a day's movement records, where the loop of isinstance checks below cost ~0.4 s of CPU): plain ints
        # ≥ 0 (``type(v) is int`` turns bool away, as the check below does)
        if (type(self.green) is int and type(self.yellow) is int and type(self.red) is int
                and type(self.unresolved) is int and self.green >= 0 and self.yellow >= 0 and self.red >= 0
                and self.unresolved >= 0):
            return
        for name in ("green", "yellow", "red", "unresolved"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"screening count {name!r} must be an integer ≥ 0, got {value!r}")

    @property
    def total(self) -> int:
        """The number of people covered (the code's ``people`` field)."""
        return self.green + self.yellow + self.red + self.unresolved

    @classmethod
    def from_mapping(cls, counts: Mapping[str, int]) -> ScreeningCounts:
        """Build from ``{"green": n, "yellow": n, "red": n, "unresolved": n}`` (missing keys count 0).

        Raises ``ValueError`` naming any unknown key, so that a typo ("yelow") cannot pass as zero.
        """
        unknown = set(counts) - {"green", "yellow", "red", "unresolved"}
        if unknown:
            raise ValueError(
                f"unknown screening outcome(s) {sorted(unknown)}: expected green, yellow, red, unresolved"
            )
        return cls(**counts)


def level_for(counts: ScreeningCounts | Mapping[str, int]) -> Level:
    """The code level for one premises' latest screening, by rule-set ``pingan.codes.level`` v1.

    ``counts`` is a :class:`ScreeningCounts` or a mapping with the same keys. Any red → red; else any
    yellow or unresolved → yellow; else green (see the module docstring for the published text).
    Raises ``ValueError`` for a negative, non-integer or unknown count.
    """
    if not isinstance(counts, ScreeningCounts):
        counts = ScreeningCounts.from_mapping(counts)
    if counts.red > 0:
        return Level.RED
    if counts.yellow > 0 or counts.unresolved > 0:
        return Level.YELLOW
    return Level.GREEN
